"""The flow trace (``lab.flow``): every call that moves a message, every delivery it causes.

What the trace must get right is what AWS returns, so each test states the AWS behaviour that the
recorded row relies on (quotes from the API references):

* SQS SendMessage returns "MessageId: An attribute containing the MessageId of the message sent to
  the queue"; SendMessageBatch: "the response includes the Successful and Failed ... items ...
  you should check for batch errors even when the call returns an HTTP status code of 200."
* SQS dead-letter queues: "the source queue moves the message to the dead-letter queue when the
  ReceiveCount for a message exceeds the maxReceiveCount"; the message keeps its MessageId.
* SNS Publish: "MessageId: Unique identifier assigned to the published message."
* EventBridge PutEvents: "the response ... Entries ... each entry ... EventId ... or ErrorCode and
  ErrorMessage", and "FailedEntryCount: The number of failed entries."
* Step Functions StartExecution returns "executionArn: The Amazon Resource Name (ARN) that
  identifies the execution."
* Kinesis PutRecord returns "SequenceNumber: The sequence number identifier that was assigned to
  the put data record"; GetRecords returns the records with that same SequenceNumber.
* DynamoDB Streams GetRecords: "eventID: A globally unique identifier for the event that was
  recorded in this stream record", with the item's Keys and images.
"""

from __future__ import annotations

import json
import time
from typing import Any

import pytest
from botocore.exceptions import ClientError

from labs.helpers import Lab, start_lab
from labs.helpers import resources as res
from labs.helpers.observe import Delivery, emit
from labs.helpers.trace import COLUMNS, DEFAULT_CAPACITY, Flow, Row
from tests.emulator.lambda_helpers import deploy

FAKE_ACCESS_KEY = "AKIAIOSFODNN7EXAMPLE"  # AWS's documented example key id
FAKE_SECRET = "wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY"


def _rows(lab: Lab, **match: Any) -> list[dict[str, Any]]:
    df = lab.flow.df
    for column, value in match.items():
        df = df[df[column] == value]
    return df.to_dict("records")


def _one(lab: Lab, **match: Any) -> dict[str, Any]:
    rows = _rows(lab, **match)
    assert len(rows) == 1, f"expected one row for {match}, got {len(rows)}:\n{lab.flow.df}"
    return rows[0]


def _queue_arn(sqs: Any, url: str) -> str:
    return sqs.get_queue_attributes(QueueUrl=url, AttributeNames=["QueueArn"])["Attributes"]["QueueArn"]


def _allow_topic(lab: Lab, url: str, topic_arn: str) -> None:
    """The queue policy SNS needs to deliver from ``topic_arn`` (AWS requires it; sns_delivery_policies enforces it)."""
    res.allow_service_to_send(lab, res.QueueRef(url.rsplit("/", 1)[-1], url, _queue_arn(lab.client("sqs"), url)),
                              "sns.amazonaws.com", topic_arn)


# ---------------------------------------------------------------------------- the frame itself
def test_df_has_exactly_the_documented_columns_even_when_empty(lab: Lab) -> None:
    df = lab.flow.df
    assert list(df.columns) == list(COLUMNS)
    assert df.empty
    assert lab.flow.follow("o-none").empty
    assert "0 rows" in repr(lab.flow)


def test_a_lab_records_only_its_own_clients(lab: Lab) -> None:
    other = start_lab("sqs-orders")
    url = lab.client("sqs").create_queue(QueueName=lab.name("orders"))["QueueUrl"]
    other.client("sqs").send_message(QueueUrl=url, MessageBody="from the other lab")
    lab.client("sqs").send_message(QueueUrl=url, MessageBody="mine")
    assert [r["payload"] for r in _rows(lab, operation="SendMessage")] == ["mine"]
    assert [r["payload"] for r in _rows(other, operation="SendMessage")] == ["from the other lab"]


# ---------------------------------------------------------------------------- SQS
def test_sqs_send_receive_delete_are_linked_by_message_id(lab: Lab) -> None:
    sqs = lab.client("sqs")
    url = sqs.create_queue(QueueName=lab.name("orders"))["QueueUrl"]
    sent = sqs.send_message(QueueUrl=url, MessageBody=json.dumps({"order_id": "o-1", "total": 12}))
    got = sqs.receive_message(QueueUrl=url, MaxNumberOfMessages=10)["Messages"]
    sqs.delete_message(QueueUrl=url, ReceiptHandle=got[0]["ReceiptHandle"])

    send = _one(lab, operation="SendMessage")
    assert (send["kind"], send["service"], send["source"], send["target"]) == ("call", "sqs", "client", lab.name("orders"))
    assert send["message_ids"] == (sent["MessageId"],)
    assert send["order_ids"] == ("o-1",) and send["count"] == 1 and send["status"] == "ok"
    receive = _one(lab, operation="ReceiveMessage")
    assert (receive["source"], receive["target"]) == (lab.name("orders"), "client")
    assert receive["message_ids"] == (sent["MessageId"],) and receive["count"] == 1
    delete = _one(lab, operation="DeleteMessage")
    # DeleteMessage carries only a receipt handle; the trace names the message it deleted.
    assert delete["message_ids"] == (sent["MessageId"],) and delete["order_ids"] == ("o-1",)
    assert list(lab.flow.df["operation"]) == ["SendMessage", "ReceiveMessage", "DeleteMessage"]
    assert lab.flow.df["seq"].is_monotonic_increasing


def test_sqs_batches_count_messages_and_mark_partial_failures(lab: Lab) -> None:
    sqs = lab.client("sqs")
    url = sqs.create_queue(QueueName=lab.name("orders"))["QueueUrl"]
    entries = [{"Id": str(i), "MessageBody": json.dumps({"orderId": f"o-{i}"})} for i in range(3)]
    sent = sqs.send_message_batch(QueueUrl=url, Entries=entries)
    got = sqs.receive_message(QueueUrl=url, MaxNumberOfMessages=10, VisibilityTimeout=30)["Messages"]
    sqs.change_message_visibility_batch(QueueUrl=url, Entries=[
        {"Id": "a", "ReceiptHandle": got[0]["ReceiptHandle"], "VisibilityTimeout": 60}])
    # One good handle, one made up: AWS answers 200 with one Successful and one Failed entry.
    result = sqs.delete_message_batch(QueueUrl=url, Entries=[
        {"Id": "good", "ReceiptHandle": got[0]["ReceiptHandle"]}, {"Id": "bad", "ReceiptHandle": "not-a-handle"}])
    assert len(result["Successful"]) == 1 and len(result["Failed"]) == 1

    batch = _one(lab, operation="SendMessageBatch")
    assert batch["count"] == 3 and batch["status"] == "ok"
    assert set(batch["message_ids"]) == {e["MessageId"] for e in sent["Successful"]}
    assert batch["order_ids"] == ("o-0", "o-1", "o-2")
    assert _one(lab, operation="ReceiveMessage")["count"] == 3
    visibility = _one(lab, operation="ChangeMessageVisibilityBatch")
    assert visibility["count"] == 0 and visibility["message_ids"] == (got[0]["MessageId"],)
    delete = _one(lab, operation="DeleteMessageBatch")
    assert delete["status"] == "partial" and delete["count"] == 1
    assert "1 of 2 failed: bad" in delete["error"] and delete["detail"]["failed"][0]["id"] == "bad"


def test_a_call_that_raises_client_error_is_recorded(lab: Lab) -> None:
    sqs = lab.client("sqs")
    url = sqs.create_queue(QueueName=lab.name("orders"))["QueueUrl"]
    with pytest.raises(ClientError):
        sqs.delete_message(QueueUrl=url, ReceiptHandle="made-up")
    row = _one(lab, operation="DeleteMessage")
    assert row["status"] == "error" and row["count"] == 0
    assert row["error"].startswith("ReceiptHandleIsInvalid")


def test_a_call_that_fails_before_any_answer_is_recorded(lab: Lab) -> None:
    """No HTTP answer at all (connection refused, an unimplemented operation): botocore emits
    after-call-error and re-raises; the trace records the error and the exception is unchanged."""
    sqs = lab.client("sqs")
    url = sqs.create_queue(QueueName=lab.name("orders"))["QueueUrl"]

    def refuse(**_: Any) -> None:
        raise ConnectionRefusedError("endpoint down")

    sqs.meta.events.register("before-send.sqs.SendMessage", refuse)
    try:
        with pytest.raises(ConnectionRefusedError):
            sqs.send_message(QueueUrl=url, MessageBody="lost")
    finally:
        sqs.meta.events.unregister("before-send.sqs.SendMessage", refuse)
    row = _one(lab, operation="SendMessage")
    assert row["status"] == "error" and row["error"] == "ConnectionRefusedError: endpoint down"
    assert row["payload"] == "lost" and row["message_ids"] == ()


def test_dlq_move_after_max_receive_count_is_a_delivery_row(lab: Lab) -> None:
    sqs = lab.client("sqs")
    dlq = sqs.create_queue(QueueName=lab.name("orders-dlq"))["QueueUrl"]
    policy = {"deadLetterTargetArn": _queue_arn(sqs, dlq), "maxReceiveCount": 2}
    url = sqs.create_queue(QueueName=lab.name("orders"), Attributes={"RedrivePolicy": json.dumps(policy)})["QueueUrl"]
    sent = sqs.send_message(QueueUrl=url, MessageBody=json.dumps({"order_id": "o-poison"}))
    for _ in range(3):  # two receives use up maxReceiveCount; the third finds it gone to the DLQ
        sqs.receive_message(QueueUrl=url, VisibilityTimeout=0)
    moved = sqs.receive_message(QueueUrl=dlq)["Messages"]
    assert moved[0]["MessageId"] == sent["MessageId"]

    row = _one(lab, operation="dlq-move")
    assert (row["kind"], row["service"], row["status"]) == ("delivery", "sqs", "dlq")
    assert (row["source"], row["target"]) == (lab.name("orders"), lab.name("orders-dlq"))
    assert row["message_ids"] == (sent["MessageId"],) and row["cause_id"] == sent["MessageId"]
    assert row["order_ids"] == ("o-poison",) and row["detail"]["max_receive_count"] == 2
    path = list(lab.flow.follow("o-poison")["operation"])
    assert path == ["SendMessage", "ReceiveMessage", "ReceiveMessage", "dlq-move", "ReceiveMessage"]


# ---------------------------------------------------------------------------- SNS
def test_sns_publish_and_fanout_delivery_linked_by_cause_id(lab: Lab) -> None:
    sns, sqs = lab.client("sns"), lab.client("sqs")
    topic = sns.create_topic(Name=lab.name("orders"))["TopicArn"]
    url = sqs.create_queue(QueueName=lab.name("billing"))["QueueUrl"]
    _allow_topic(lab, url, topic)
    sns.subscribe(TopicArn=topic, Protocol="sqs", Endpoint=_queue_arn(sqs, url))
    published = sns.publish(TopicArn=topic, Message=json.dumps({"order_id": "o-7"}))
    # The emulator layer reports the fan-out (sns_delivery_protocols) as contract 1 describes it.
    got = sqs.receive_message(QueueUrl=url, VisibilityTimeout=30)["Messages"][0]

    publish = _one(lab, operation="Publish")
    assert (publish["target"], publish["message_ids"], publish["order_ids"]) == (
        lab.name("orders"), (published["MessageId"],), ("o-7",))
    fanout = _one(lab, operation="fanout")
    assert fanout["kind"] == "delivery" and fanout["cause_id"] == published["MessageId"]
    assert (fanout["source"], fanout["target"]) == (lab.name("orders"), lab.name("billing"))
    assert fanout["seq"] > publish["seq"]
    follow = lab.flow.follow("o-7")
    assert list(follow["operation"]) == ["Publish", "fanout", "ReceiveMessage"]
    assert got["MessageId"] in {m for ids in follow["message_ids"] for m in ids}


def test_sns_filtered_subscription_is_a_row_that_moved_nothing(lab: Lab) -> None:
    """SNS message filtering: "the subscriber receives only the messages that match its filter
    policy" - the trace shows the non-delivery too, so a student sees why a queue stayed empty."""
    sns, sqs = lab.client("sns"), lab.client("sqs")
    topic = sns.create_topic(Name=lab.name("orders"))["TopicArn"]
    url = sqs.create_queue(QueueName=lab.name("vip"))["QueueUrl"]
    sns.subscribe(TopicArn=topic, Protocol="sqs", Endpoint=_queue_arn(sqs, url),
                  Attributes={"FilterPolicy": json.dumps({"tier": ["gold"]})})
    published = sns.publish(TopicArn=topic, Message=json.dumps({"order_id": "o-8"}),
                            MessageAttributes={"tier": {"DataType": "String", "StringValue": "silver"}})
    row = _one(lab, operation="filtered")
    assert (row["status"], row["count"], row["cause_id"]) == ("filtered", 0, published["MessageId"])
    assert row["target"] == lab.name("vip")
    assert list(lab.flow.follow("o-8")["operation"]) == ["Publish", "filtered"]
    assert lab.flow.summary().set_index("operation").loc["filtered", "messages"] == 0


def test_sns_publish_batch_records_every_message_id(lab: Lab) -> None:
    """PublishBatch: "Successful: A list of successful PublishBatch responses" (Id, MessageId)."""
    sns = lab.client("sns")
    topic = sns.create_topic(Name=lab.name("orders"))["TopicArn"]
    result = sns.publish_batch(TopicArn=topic, PublishBatchRequestEntries=[
        {"Id": str(i), "Message": json.dumps({"order_id": f"o-{i}"})} for i in range(3)])
    row = _one(lab, operation="PublishBatch")
    assert row["status"] == "ok" and row["count"] == 3
    assert set(row["message_ids"]) == {e["MessageId"] for e in result["Successful"]}
    assert row["order_ids"] == ("o-0", "o-1", "o-2")



def test_calls_lists_target_and_count_per_call_and_nothing_else(lab: Lab) -> None:
    """``flow.calls(service, operations)``: what the dashboard counts per topic and bus from, one
    row per call of those operations; the fan-out deliveries they caused and other calls are not in it."""
    sns, sqs = lab.client("sns"), lab.client("sqs")
    topic = sns.create_topic(Name=lab.name("orders"))["TopicArn"]
    url = sqs.create_queue(QueueName=lab.name("billing"))["QueueUrl"]
    _allow_topic(lab, url, topic)
    sns.subscribe(TopicArn=topic, Protocol="sqs", Endpoint=_queue_arn(sqs, url))
    sns.publish(TopicArn=topic, Message="one")
    sns.publish_batch(TopicArn=topic, PublishBatchRequestEntries=[{"Id": "a", "Message": "x"},
                                                                  {"Id": "b", "Message": "y"}])
    sqs.send_message(QueueUrl=url, MessageBody="not a publish")
    calls = lab.flow.calls("sns", ["Publish", "PublishBatch"])
    assert list(calls.columns) == ["target", "count"]
    assert calls.values.tolist() == [[lab.name("orders"), 1], [lab.name("orders"), 2]]
    assert len(_rows(lab, operation="fanout")) == 3  # deliveries exist, and are not calls
    assert lab.flow.calls("sns", ["Subscribe"]).empty and lab.flow.calls("sqs", ["Publish"]).empty

# ---------------------------------------------------------------------------- EventBridge
def test_put_events_records_event_ids_and_failed_entries(lab: Lab) -> None:
    events = lab.client("events")
    bus = events.create_event_bus(Name=lab.name("orders"))["EventBusArn"]
    result = events.put_events(Entries=[
        {"Source": "securecart.orders", "DetailType": "OrderPlaced", "EventBusName": bus,
         "Detail": json.dumps({"orderId": "o-9"})},
        {"DetailType": "OrderPlaced", "EventBusName": bus, "Detail": "{}"},  # no Source: that entry fails
    ])
    assert result["FailedEntryCount"] == 1
    row = _one(lab, operation="PutEvents")
    assert row["service"] == "events" and row["target"] == lab.name("orders")
    assert row["message_ids"] == (result["Entries"][0]["EventId"],)
    assert row["order_ids"] == ("o-9",) and row["count"] == 1
    assert row["status"] == "partial" and "1 of 2 failed" in row["error"]
    assert row["payload"].startswith("[2] securecart.orders OrderPlaced")


# ---------------------------------------------------------------------------- Step Functions
def test_start_execution_records_the_execution(lab: Lab) -> None:
    sfn = lab.client("stepfunctions")
    definition = {"StartAt": "Done", "States": {"Done": {"Type": "Pass", "End": True}}}
    machine = sfn.create_state_machine(name=lab.name("fulfil"), definition=json.dumps(definition),
                                       roleArn=f"arn:aws:iam::{lab.account_id}:role/sfn")["stateMachineArn"]
    started = sfn.start_execution(stateMachineArn=machine, name="run-1", input=json.dumps({"order_id": "o-3"}))
    row = _one(lab, operation="StartExecution")
    assert row["service"] == "stepfunctions" and row["target"] == lab.name("fulfil")
    # The id is the execution ARN without partition, region and account, as for every ARN id.
    assert row["message_ids"] == (f"execution:{lab.name('fulfil')}:run-1",)
    assert started["executionArn"].endswith(row["message_ids"][0])
    assert row["order_ids"] == ("o-3",) and row["count"] == 1


# ---------------------------------------------------------------------------- Kinesis
def test_kinesis_put_and_get_records_share_sequence_numbers(lab: Lab) -> None:
    kinesis = lab.client("kinesis")
    stream = lab.name("clicks")
    kinesis.create_stream(StreamName=stream, ShardCount=1)
    one = kinesis.put_record(StreamName=stream, Data=json.dumps({"order_id": "o-4"}).encode(), PartitionKey="a")
    many = kinesis.put_records(StreamName=stream, Records=[
        {"Data": json.dumps({"order_id": f"o-{i}"}).encode(), "PartitionKey": "a"} for i in (5, 6)])
    shard = kinesis.describe_stream(StreamName=stream)["StreamDescription"]["Shards"][0]["ShardId"]
    iterator = kinesis.get_shard_iterator(StreamName=stream, ShardId=shard,
                                          ShardIteratorType="TRIM_HORIZON")["ShardIterator"]
    records = kinesis.get_records(ShardIterator=iterator)["Records"]

    put = _one(lab, operation="PutRecord")
    assert put["target"] == stream and put["message_ids"] == (one["SequenceNumber"],) and put["order_ids"] == ("o-4",)
    batch = _one(lab, operation="PutRecords")
    assert batch["count"] == 2 and batch["message_ids"] == tuple(r["SequenceNumber"] for r in many["Records"])
    get = _one(lab, operation="GetRecords", service="kinesis")
    assert (get["source"], get["target"]) == (stream, "client")  # the stream, learnt from GetShardIterator
    assert get["count"] == 3 and get["message_ids"] == tuple(r["SequenceNumber"] for r in records)
    assert get["order_ids"] == ("o-4", "o-5", "o-6")
    # The batch rows name o-5; the PutRecord of o-4, read by the same GetRecords, is not o-5's.
    assert list(lab.flow.follow("o-5")["operation"]) == ["PutRecords", "GetRecords"]


# ---------------------------------------------------------------------------- DynamoDB + Streams
def test_dynamodb_writes_and_stream_get_records(lab: Lab) -> None:
    ddb, streams = lab.client("dynamodb"), lab.client("dynamodbstreams")
    table = lab.name("orders")
    ddb.create_table(TableName=table, KeySchema=[{"AttributeName": "order_id", "KeyType": "HASH"}],
                     AttributeDefinitions=[{"AttributeName": "order_id", "AttributeType": "S"}],
                     BillingMode="PAY_PER_REQUEST",
                     StreamSpecification={"StreamEnabled": True, "StreamViewType": "NEW_AND_OLD_IMAGES"})
    ddb.put_item(TableName=table, Item={"order_id": {"S": "o-8"}, "status": {"S": "NEW"}})
    ddb.update_item(TableName=table, Key={"order_id": {"S": "o-8"}}, UpdateExpression="SET #s = :s",
                    ExpressionAttributeNames={"#s": "status"}, ExpressionAttributeValues={":s": {"S": "PAID"}})
    ddb.batch_write_item(RequestItems={table: [{"PutRequest": {"Item": {"order_id": {"S": "o-10"}}}}]})
    ddb.delete_item(TableName=table, Key={"order_id": {"S": "o-10"}})
    arn = ddb.describe_table(TableName=table)["Table"]["LatestStreamArn"]
    shard = streams.describe_stream(StreamArn=arn)["StreamDescription"]["Shards"][0]["ShardId"]
    iterator = streams.get_shard_iterator(StreamArn=arn, ShardId=shard, ShardIteratorType="TRIM_HORIZON")["ShardIterator"]
    records = streams.get_records(ShardIterator=iterator)["Records"]

    put = _one(lab, operation="PutItem")
    assert put["target"] == table and put["order_ids"] == ("o-8",) and put["payload"] == "{'order_id': 'o-8', 'status': 'NEW'}"
    assert _one(lab, operation="UpdateItem")["order_ids"] == ("o-8",)
    assert _one(lab, operation="BatchWriteItem")["count"] == 1
    assert _one(lab, operation="DeleteItem")["order_ids"] == ("o-10",)
    get = _one(lab, operation="GetRecords", service="dynamodbstreams")
    assert (get["source"], get["target"]) == (table, "client")
    assert get["message_ids"] == tuple(r["eventID"] for r in records) and get["count"] == len(records) == 4
    assert get["order_ids"] == ("o-8", "o-10")
    assert list(lab.flow.follow("o-8")["operation"]) == ["PutItem", "UpdateItem", "GetRecords"]


# ---------------------------------------------------------------------------- Lambda
def test_lambda_invoke_is_recorded_without_reading_the_response_stream(lab: Lab) -> None:
    deploy(lab, "ship", "def handler(event, context):\n    return event\n")
    fn = lab.client("lambda")
    answer = fn.invoke(FunctionName=lab.name("ship"), Payload=json.dumps({"order_id": "o-11"}).encode())
    assert answer["Payload"].read()  # still readable by the student: the trace never consumed it
    row = _one(lab, operation="Invoke")
    assert row["service"] == "lambda" and row["target"] == lab.name("ship") and row["order_ids"] == ("o-11",)


# ---------------------------------------------------------------------------- follow / deliveries
def test_follow_reaches_deliveries_caused_transitively(lab: Lab) -> None:
    """A put_events causes a rule-match (cause_id = EventId) whose SQS message is then received:
    follow() finds all of them from the order id on the first call."""
    events, sqs = lab.client("events"), lab.client("sqs")
    url = sqs.create_queue(QueueName=lab.name("audit"))["QueueUrl"]
    result = events.put_events(Entries=[{"Source": "securecart", "DetailType": "OrderPlaced",
                                         "Detail": json.dumps({"order_id": "o-12"})}])
    event_id = result["Entries"][0]["EventId"]
    # The rule delivery as the events part reports it (contract 1): the target's message id only.
    emit(Delivery(service="events", action="rule-match", source="arn:aws:events:us-east-1:123456789012:event-bus/default",
                  target=_queue_arn(sqs, url), message_id="sqs-msg-1", cause_id=event_id,
                  detail={"rule": lab.name("audit-all"), "bus": "default"}))
    emit(Delivery(service="sqs", action="dlq-move", source=_queue_arn(sqs, url), target=_queue_arn(sqs, url) + "-dlq",
                  message_id="sqs-msg-1", cause_id="sqs-msg-1", status="dlq"))
    emit(Delivery(service="sqs", action="dlq-move", source=_queue_arn(sqs, url), target=_queue_arn(sqs, url) + "-dlq",
                  message_id="unrelated", cause_id="unrelated", status="dlq"))
    follow = lab.flow.follow("o-12")
    assert list(follow["operation"]) == ["PutEvents", "rule-match", "dlq-move"]
    assert list(follow["seq"]) == sorted(follow["seq"])


def test_deliveries_go_to_the_lab_that_owns_the_resources(lab: Lab) -> None:
    other = start_lab("sqs-orders")
    _ = lab.flow, other.flow  # both labs are tracing (a lab's flow starts with its first client)
    mine = f"arn:aws:sqs:us-east-1:123456789012:{lab.name('q')}"
    theirs = f"arn:aws:sqs:us-east-1:123456789012:{other.name('q')}"
    nobody = "arn:aws:sqs:us-east-1:123456789012:unowned-queue"
    emit(Delivery(service="sqs", action="dlq-move", source=mine, target=mine + "-dlq", message_id="m1", status="dlq"))
    emit(Delivery(service="sqs", action="dlq-move", source=theirs, target=theirs + "-dlq", message_id="m2", status="dlq"))
    emit(Delivery(service="sqs", action="dlq-move", source=nobody, target=nobody + "-dlq", message_id="m3", status="dlq"))
    assert [r["message_ids"] for r in _rows(lab, kind="delivery")] == [("m1",), ("m3",)]  # m3: ambiguous, kept
    assert [r["message_ids"] for r in _rows(other, kind="delivery")] == [("m2",), ("m3",)]


def test_enabled_switch_clear_and_summary(lab: Lab) -> None:
    sqs = lab.client("sqs")
    url = sqs.create_queue(QueueName=lab.name("orders"))["QueueUrl"]
    lab.flow.enabled = False
    sqs.send_message(QueueUrl=url, MessageBody="not traced")
    assert len(lab.flow) == 0 and "paused" in repr(lab.flow)
    lab.flow.enabled = True
    sqs.send_message_batch(QueueUrl=url, Entries=[{"Id": str(i), "MessageBody": "x"} for i in range(4)])
    sqs.send_message(QueueUrl=url, MessageBody="traced")
    summary = lab.flow.summary().set_index("operation")
    assert summary.loc["SendMessageBatch", "messages"] == 4 and summary.loc["SendMessage", "rows"] == 1
    lab.flow.clear()
    assert lab.flow.df.empty


# ---------------------------------------------------------------------------- masking
def test_nothing_displayed_contains_account_ids_credentials_or_receipt_handles(lab: Lab) -> None:
    sqs, sns = lab.client("sqs"), lab.client("sns")
    url = sqs.create_queue(QueueName=lab.name("orders"))["QueueUrl"]
    arn = _queue_arn(sqs, url)
    sqs.send_message(QueueUrl=url, MessageBody="first")
    handle = sqs.receive_message(QueueUrl=url, VisibilityTimeout=0)["Messages"][0]["ReceiptHandle"]
    # A careless body: the queue URL and ARN, credentials, and a receipt handle.
    body = json.dumps({"order_id": "o-13", "reply_to": url, "arn": arn, "key": FAKE_ACCESS_KEY,
                       "secret": FAKE_SECRET, "handle": handle, "account": lab.account_id})
    sqs.send_message(QueueUrl=url, MessageBody=body)
    sqs.delete_message(QueueUrl=url, ReceiptHandle=handle)
    with pytest.raises(ClientError):  # AWS's error message names the topic ARN, account id included
        sns.publish(TopicArn=f"arn:aws:sns:us-east-1:{lab.account_id}:missing", Message=body)
    emit(Delivery(service="sqs", action="dlq-move", source=arn, target=arn, message_id="m", cause_id=None,
                  status="dlq", payload={"handle": handle, "url": url}, detail={"queue": arn, "handle": handle}))

    flow = lab.flow
    df = flow.df
    assert len(df) >= 5
    shown = "\n".join([df.to_string(), repr(df.to_dict("records")), repr(flow), flow._repr_html_(),
                       flow.follow("o-13").to_string(), flow.summary().to_string()])
    for secret in (lab.account_id, FAKE_ACCESS_KEY, FAKE_SECRET, handle):
        assert secret not in shown, f"{secret[:8]}... is displayed"
    assert f"receipt {handle[:4]}…{handle[-4:]}" in shown  # shortened, still tells handles apart
    assert (df["payload"].str.len() <= 80).all()
    publish = _one(lab, operation="Publish")
    assert publish["status"] == "error" and publish["error"].startswith("NotFound")


# ---------------------------------------------------------------------------- ring buffer
def test_ring_buffer_keeps_exactly_the_capacity_and_drops_the_oldest() -> None:
    flow = Flow(None)
    assert flow.capacity == DEFAULT_CAPACITY == 100_000
    extra = 50
    for i in range(DEFAULT_CAPACITY + extra):
        flow.add(Row(seq=flow.next_seq(), time=1.0, kind="delivery", service="sqs", operation="dlq-move",
                     message_ids=(f"m{i}",)))
    assert len(flow) == DEFAULT_CAPACITY
    kept = [row.seq for row in flow._rows]
    assert kept[0] == extra + 1 and kept[-1] == DEFAULT_CAPACITY + extra
    flow.capacity = 10  # shrinking keeps the newest
    assert [row.seq for row in flow._rows] == list(range(DEFAULT_CAPACITY + extra - 9, DEFAULT_CAPACITY + extra + 1))


def test_ring_buffer_through_the_lab(lab: Lab) -> None:
    lab.flow.capacity = 5
    arn = f"arn:aws:sqs:us-east-1:123456789012:{lab.name('q')}"
    for i in range(8):
        emit(Delivery(service="sqs", action="dlq-move", source=arn, target=arn, message_id=f"m{i}", status="dlq"))
    assert [ids[0] for ids in lab.flow.df["message_ids"]] == ["m3", "m4", "m5", "m6", "m7"]


def test_flow_pictures_delegate_to_viz(lab: Lab) -> None:
    from matplotlib.figure import Figure

    sqs = lab.client("sqs")
    url = sqs.create_queue(QueueName=lab.name("orders"))["QueueUrl"]
    sqs.send_message(QueueUrl=url, MessageBody=json.dumps({"order_id": "o-1"}))
    sqs.receive_message(QueueUrl=url)
    assert isinstance(lab.flow.sequence(), Figure)
    assert isinstance(lab.flow.service_map(), Figure)
    sfn = lab.client("stepfunctions")
    definition = {"StartAt": "Done", "States": {"Done": {"Type": "Pass", "End": True}}}
    machine = sfn.create_state_machine(name=lab.name("fulfil"), definition=json.dumps(definition),
                                       roleArn=f"arn:aws:iam::{lab.account_id}:role/sfn")["stateMachineArn"]
    execution = sfn.start_execution(stateMachineArn=machine, name="run-1")["executionArn"]
    assert isinstance(lab.flow.execution_path(execution), Figure)


def test_labs_trace_0_starts_with_recording_off(emulator: None, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("LABS_TRACE", "0")
    lab = start_lab("sandbox")
    sqs = lab.client("sqs")
    url = sqs.create_queue(QueueName=lab.name("orders"))["QueueUrl"]
    sqs.send_message(QueueUrl=url, MessageBody="untraced")
    assert lab.flow.enabled is False and len(lab.flow) == 0 and bool(lab.flow)


# ---------------------------------------------------------------------------- with the emulator's own reports
def test_eventbridge_rule_delivery_to_sqs_is_followed_end_to_end(lab: Lab) -> None:
    """EventBridge: "When an event matches a rule, EventBridge sends the event to the targets
    associated with the rule" - reported by the emulator layer as a rule-match delivery whose
    cause_id is the EventId put_events returned."""
    events, sqs = lab.client("events"), lab.client("sqs")
    url = sqs.create_queue(QueueName=lab.name("audit"))["QueueUrl"]
    bus = lab.name("orders")
    events.create_event_bus(Name=bus)
    rule_arn = events.put_rule(Name=lab.name("placed"), EventBusName=bus,
                               EventPattern=json.dumps({"source": ["securecart.orders"]}))["RuleArn"]
    res.allow_service_to_send(lab, res.QueueRef(lab.name("audit"), url, _queue_arn(sqs, url)), "events.amazonaws.com",
                              rule_arn)  # the queue policy AWS requires (events_target_policies enforces it)
    events.put_targets(Rule=lab.name("placed"), EventBusName=bus, Targets=[{"Id": "audit", "Arn": _queue_arn(sqs, url)}])
    result = events.put_events(Entries=[{"Source": "securecart.orders", "DetailType": "OrderPlaced",
                                         "EventBusName": bus, "Detail": json.dumps({"order_id": "o-20"})}])
    message = sqs.receive_message(QueueUrl=url)["Messages"][0]

    match = _one(lab, operation="rule-match")
    assert (match["kind"], match["service"], match["status"]) == ("delivery", "events", "delivered")
    assert match["cause_id"] == result["Entries"][0]["EventId"]
    assert (match["source"], match["target"]) == (bus, lab.name("audit"))
    assert match["detail"]["rule"] == lab.name("placed")
    assert list(lab.flow.follow("o-20")["operation"]) == ["PutEvents", "rule-match", "ReceiveMessage"]
    assert message["MessageId"] in _one(lab, operation="ReceiveMessage")["message_ids"]


def test_dlq_redrive_rows_follow_the_message_back(lab: Lab) -> None:
    """StartMessageMoveTask: "Starts an asynchronous task to move messages from a specified source
    queue to a specified destination queue"; each move is a redrive delivery of the same message."""
    sqs = lab.client("sqs")
    dlq = sqs.create_queue(QueueName=lab.name("orders-dlq"))["QueueUrl"]
    policy = {"deadLetterTargetArn": _queue_arn(sqs, dlq), "maxReceiveCount": 1}
    url = sqs.create_queue(QueueName=lab.name("orders"), Attributes={"RedrivePolicy": json.dumps(policy)})["QueueUrl"]
    sqs.send_message(QueueUrl=url, MessageBody=json.dumps({"order_id": "o-21"}))
    sqs.receive_message(QueueUrl=url, VisibilityTimeout=0)
    sqs.receive_message(QueueUrl=url, VisibilityTimeout=0)  # over maxReceiveCount: moved to the DLQ
    sqs.start_message_move_task(SourceArn=_queue_arn(sqs, dlq))
    deadline = time.monotonic() + 5
    while time.monotonic() < deadline:
        tasks = sqs.list_message_move_tasks(SourceArn=_queue_arn(sqs, dlq))["Results"]
        if tasks and tasks[0]["Status"] != "RUNNING":
            break
        time.sleep(0.05)
    sqs.receive_message(QueueUrl=url)

    task = _one(lab, operation="StartMessageMoveTask")
    assert (task["source"], task["target"], task["status"]) == (lab.name("orders-dlq"), "original sources", "ok")
    path = list(lab.flow.follow("o-21")["operation"])
    # The second receive returned nothing (the message went to the DLQ instead): not on the path.
    assert path == ["SendMessage", "ReceiveMessage", "dlq-move", "redrive", "ReceiveMessage"]
    redrive = _one(lab, operation="redrive")
    assert (redrive["source"], redrive["target"]) == (lab.name("orders-dlq"), lab.name("orders"))


def test_follow_one_poison_order_shows_nothing_of_another_one(lab: Lab) -> None:
    """Two poison orders (and a poison message with no order id at all, as lab 1 sends) travel in
    the same batches: sent together, received together, released one by one, moved to the DLQ one
    by one, redriven, received and deleted together. Each order's life is the rows about its own
    message: the batch rows it was part of, and its own visibility changes, DLQ move and redrive,
    never the other poison messages' ones (they share batch rows with it, nothing else)."""
    sqs = lab.client("sqs")
    dlq = sqs.create_queue(QueueName=lab.name("orders-dlq"))["QueueUrl"]
    policy = {"deadLetterTargetArn": _queue_arn(sqs, dlq), "maxReceiveCount": 2}
    url = sqs.create_queue(QueueName=lab.name("orders"), Attributes={"RedrivePolicy": json.dumps(policy)})["QueueUrl"]
    bodies = {"a": json.dumps({"order_id": "o-a", "total": "abc"}), "b": json.dumps({"order_id": "o-b", "total": "x"}),
              "none": json.dumps({"customer_id": "c-1", "total": 1}), "good": json.dumps({"order_id": "o-good"})}
    sent = sqs.send_message_batch(QueueUrl=url, Entries=[{"Id": k, "MessageBody": b} for k, b in bodies.items()])
    mid = {e["Id"]: e["MessageId"] for e in sent["Successful"]}
    for _ in range(3):  # two failed receives each; the third receive moves the poison ones to the DLQ
        for m in sqs.receive_message(QueueUrl=url, MaxNumberOfMessages=10, VisibilityTimeout=30).get("Messages", []):
            if m["MessageId"] == mid["good"]:
                sqs.delete_message(QueueUrl=url, ReceiptHandle=m["ReceiptHandle"])
            else:  # the consumer fails on it: visible again at once
                sqs.change_message_visibility(QueueUrl=url, ReceiptHandle=m["ReceiptHandle"], VisibilityTimeout=0)
    sqs.start_message_move_task(SourceArn=_queue_arn(sqs, dlq))  # synchronous on the emulator
    back = sqs.receive_message(QueueUrl=url, MaxNumberOfMessages=10)["Messages"]
    assert {m["MessageId"] for m in back} == {mid["a"], mid["b"], mid["none"]}
    sqs.delete_message_batch(QueueUrl=url, Entries=[{"Id": str(i), "ReceiptHandle": m["ReceiptHandle"]}
                                                    for i, m in enumerate(back)])

    for me, other in (("a", "b"), ("b", "a")):
        life = lab.flow.follow(f"o-{me}")
        ops = list(life["operation"])
        assert ops == ["SendMessageBatch", "ReceiveMessage", "ChangeMessageVisibility", "ReceiveMessage",
                       "ChangeMessageVisibility", "dlq-move", "redrive", "ReceiveMessage", "DeleteMessageBatch"], \
            f"follow(o-{me}):\n{life[['operation', 'message_ids', 'order_ids']]}"
        for row in life.itertuples():  # every row is about this order's own message
            assert mid[me] in row.message_ids, row
        single = life[life["message_ids"].map(len) == 1]
        assert set(single["operation"]) == {"ChangeMessageVisibility", "dlq-move", "redrive"}
        assert all(ids == (mid[me],) for ids in single["message_ids"])  # none of o-{other}'s, none of the unnamed one's
        assert f"o-{other}" not in {o for ids in single["order_ids"] for o in ids}


def test_a_discarded_lab_stops_collecting_deliveries(lab: Lab) -> None:
    import gc

    other = start_lab("sqs-orders")
    other.client("sqs")
    kept = other.flow  # the flow object may outlive its lab (a notebook variable, a client)
    assert kept.lab is other
    del other
    gc.collect()
    assert kept.lab is None
    _ = lab.flow
    emit(Delivery(service="sqs", action="dlq-move", source="arn:aws:sqs:us-east-1:123456789012:nobodys",
                  target="arn:aws:sqs:us-east-1:123456789012:nobodys-dlq", message_id="m", status="dlq"))
    assert len(kept) == 0  # an ambiguous delivery goes to every live lab, not to a finished one
    assert len(lab.flow) == 1


def test_step_functions_transitions_go_to_the_lab_that_created_the_machine(lab: Lab) -> None:
    """A state machine created through the lab's client without the prefix is still the lab's
    (its registry), so the transitions of its executions are recorded there and nowhere else."""
    other = start_lab("sqs-orders")
    other.client("sqs")
    sfn = lab.client("stepfunctions")
    definition = {"StartAt": "Done", "States": {"Done": {"Type": "Pass", "End": True}}}
    machine = sfn.create_state_machine(name="fulfil-unprefixed", definition=json.dumps(definition),
                                       roleArn=f"arn:aws:iam::{lab.account_id}:role/sfn")["stateMachineArn"]
    execution = machine.replace(":stateMachine:", ":execution:") + ":run-9"
    emit(Delivery(service="stepfunctions", action="state-entered", source=execution, target=execution,
                  cause_id=execution, detail={"state": "Done", "execution": execution}))
    row = _one(lab, operation="state-entered")
    assert (row["source"], row["target"]) == ("fulfil-unprefixed:run-9", "fulfil-unprefixed:run-9")
    assert row["cause_id"] == "execution:fulfil-unprefixed:run-9"
    assert _rows(other, operation="state-entered") == []
    assert lab.account_id not in repr(row["detail"])  # the ARN in detail is shown as a short name


def test_large_and_binary_payloads_are_summarised(lab: Lab) -> None:
    sqs, kinesis = lab.client("sqs"), lab.client("kinesis")
    url = sqs.create_queue(QueueName=lab.name("orders"))["QueueUrl"]
    big = json.dumps({"order_id": "o-30", "lines": ["x" * 50] * 4000})  # about 220 KB
    sqs.send_message(QueueUrl=url, MessageBody=big)
    kinesis.create_stream(StreamName=lab.name("clicks"), ShardCount=1)
    kinesis.put_record(StreamName=lab.name("clicks"), Data=bytes(range(256)), PartitionKey="p")
    send = _one(lab, operation="SendMessage")
    assert send["order_ids"] == ("o-30",) and len(send["payload"]) <= 80
    assert len(_one(lab, operation="PutRecord")["payload"]) <= 80


def test_start_sync_execution_is_recorded_with_its_outcome(lab: Lab) -> None:
    """StartSyncExecution returns "status: The current status of the execution" (SUCCEEDED,
    FAILED, TIMED_OUT); moto 5.2.5 answers 404 "Not yet implemented". Either way there is a row."""
    sfn = lab.client("stepfunctions")
    definition = {"StartAt": "Done", "States": {"Done": {"Type": "Pass", "End": True}}}
    machine = sfn.create_state_machine(name=lab.name("quote"), definition=json.dumps(definition), type="EXPRESS",
                                       roleArn=f"arn:aws:iam::{lab.account_id}:role/sfn")["stateMachineArn"]
    try:
        result: dict[str, Any] | None = sfn.start_sync_execution(stateMachineArn=machine, input=json.dumps({"order_id": "o-40"}))
    except ClientError:
        result = None
    row = _one(lab, operation="StartSyncExecution")
    assert row["target"] == lab.name("quote") and row["order_ids"] == ("o-40",)
    if result is None:
        assert row["status"] == "error" and row["error"]
    else:
        assert row["detail"]["execution_status"] == result["status"]
        assert row["status"] == ("ok" if result["status"] == "SUCCEEDED" else "error")


def test_step_functions_transitions_follow_the_start_execution(lab: Lab) -> None:
    """The emulator reports each history event (StateEntered/StateExited/ExecutionSucceeded) with
    cause_id = the execution ARN, the id the StartExecution row carries, so follow() shows the
    whole run after the call that started it."""
    sfn = lab.client("stepfunctions")
    definition = {"StartAt": "Reserve", "States": {"Reserve": {"Type": "Pass", "Next": "Done"},
                                                  "Done": {"Type": "Succeed"}}}
    machine = sfn.create_state_machine(name=lab.name("fulfil"), definition=json.dumps(definition),
                                       roleArn=f"arn:aws:iam::{lab.account_id}:role/sfn")["stateMachineArn"]
    execution = sfn.start_execution(stateMachineArn=machine, input=json.dumps({"order_id": "o-50"}))["executionArn"]
    deadline = time.monotonic() + 5
    while sfn.describe_execution(executionArn=execution)["status"] == "RUNNING" and time.monotonic() < deadline:
        time.sleep(0.05)
    path = lab.flow.follow("o-50")
    assert path["operation"].iloc[0] == "StartExecution"
    transitions = path[path["kind"] == "delivery"]
    assert list(transitions["operation"]) == ["state-entered", "state-exited", "state-entered", "state-exited",
                                              "execution-succeeded"]
    assert set(transitions["cause_id"]) == {path["message_ids"].iloc[0][0]}
    assert [d["state"] for d in transitions["detail"]][:4] == ["Reserve", "Reserve", "Done", "Done"]


def test_trace_capacity_from_the_environment(emulator: None, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("LABS_TRACE_CAPACITY", "2_000")
    assert start_lab("sandbox").flow.capacity == 2000
    monkeypatch.setenv("LABS_TRACE_CAPACITY", "lots")
    lab = start_lab("sandbox")
    with pytest.warns(UserWarning, match="LABS_TRACE_CAPACITY"):
        lab.client("sqs")  # still works: a trace setting never stops a lab
    assert lab.flow.capacity == DEFAULT_CAPACITY


def test_reading_while_another_thread_records(lab: Lab) -> None:
    """Event source mapping pollers and Step Functions workers report from their own threads while
    the notebook reads the trace: reading must neither fail nor lose rows."""
    import threading

    arn = f"arn:aws:sqs:us-east-1:123456789012:{lab.name('q')}"
    lab.flow.capacity = 500  # the ring buffer drops rows while the reader copies it
    done = threading.Event()

    def report() -> None:
        for i in range(3000):
            emit(Delivery(service="lambda", action="esm-invoke", source=arn, target=arn, message_id=f"m{i}",
                          detail={"batch_size": 1, "failed_ids": []}))
        done.set()

    worker = threading.Thread(target=report)
    worker.start()
    reads = 0
    while not done.is_set() or reads == 0:
        df = lab.flow.df
        assert df["seq"].is_monotonic_increasing and len(df) <= 500
        lab.flow.follow("o-none")
        reads += 1
    worker.join()
    assert len(lab.flow) == 500 and lab.flow.df["message_ids"].iloc[-1] == ("m2999",)


def test_event_source_mapping_batches_are_followed(lab: Lab) -> None:
    """Lambda with SQS: "Lambda reads messages in batches and invokes your function once for each
    batch" - one esm-invoke delivery per batch, carrying every message of it."""
    from labs.helpers.functions import settle

    sqs, fn = lab.client("sqs"), lab.client("lambda")
    url = sqs.create_queue(QueueName=lab.name("orders"))["QueueUrl"]
    arn = deploy(lab, "consumer", "def handler(event, context):\n    return {}\n")
    mapping = fn.create_event_source_mapping(EventSourceArn=_queue_arn(sqs, url), FunctionName=arn, BatchSize=10,
                                             Enabled=False)
    sent = sqs.send_message_batch(QueueUrl=url, Entries=[
        {"Id": str(i), "MessageBody": json.dumps({"order_id": f"o-6{i}"})} for i in range(3)])
    fn.update_event_source_mapping(UUID=mapping["UUID"], Enabled=True)
    settle(lab)

    invokes = _rows(lab, operation="esm-invoke")
    assert invokes, lab.flow.df
    carried = {mid for row in invokes for mid in row["message_ids"]}
    assert carried == {e["MessageId"] for e in sent["Successful"]}
    assert all((r["source"], r["target"]) == (lab.name("orders"), lab.name("consumer")) for r in invokes)
    assert list(lab.flow.follow("o-61")["operation"]) == ["SendMessageBatch", "esm-invoke"]


def test_df_is_repeatable_and_a_copy(lab: Lab) -> None:
    """The masked form is kept on each row after the first df (a refreshing dashboard reads it
    every second); what the caller does with a DataFrame never changes the trace."""
    sqs = lab.client("sqs")
    url = sqs.create_queue(QueueName=lab.name("orders"))["QueueUrl"]
    sqs.send_message(QueueUrl=url, MessageBody=json.dumps({"order_id": "o-70", "reply_to": url}))
    handle = sqs.receive_message(QueueUrl=url)["Messages"][0]["ReceiptHandle"]
    sqs.change_message_visibility(QueueUrl=url, ReceiptHandle=handle, VisibilityTimeout=5)
    first = lab.flow.df
    first.loc[2, "detail"]["visibility_timeout"] = 999
    first.loc[0, "payload"] = "edited"
    again = lab.flow.df
    assert again.loc[2, "detail"] == {"visibility_timeout": 5}
    assert again.loc[0, "payload"] == f'{{"order_id": "o-70", "reply_to": "{lab.name("orders")}"}}'
    assert again.drop(columns=["detail"]).equals(lab.flow.df.drop(columns=["detail"]))
