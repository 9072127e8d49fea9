"""EventBridge targets beyond SQS: SNS, Step Functions, Lambda, Kinesis; what SQS receives; disabled rules.

User guide, "Amazon EventBridge targets": a rule can send to SNS topics, SQS queues, Step Functions
state machines, Lambda functions and event buses. Plain moto 5.2.5 raises NotImplementedError from
put_events for SNS, Step Functions, Lambda and Kinesis targets (so every test here but the SQS ones fails on
plain moto), drops the event's ``account`` field, and still delivers for disabled rules. The FIFO
and no-match tests pass on plain moto too: they guard behaviour the layer must keep.
Run against plain moto with ``LABS_EMULATOR_DISABLE=events_targets``.
"""

from __future__ import annotations

import json
from typing import Any

import pytest

from labs.helpers import Lab
from labs.helpers.observe import Delivery
from tests.emulator.events_helpers import drain, function, grant, put_order, rule
from tests.emulator.lambda_helpers import queue

pytestmark = pytest.mark.usefixtures("emulator")


def test_sqs_target_receives_the_whole_event(lab: Lab, deliveries: list[Delivery]) -> None:
    """AWS delivers the matched event itself: version, id, detail-type, source, account, time, region,
    resources, detail (plain moto drops ``account`` and leaks nothing else)."""
    url, arn = queue(lab, "orders")
    bus = rule(lab, [{"Id": "q", "Arn": arn}])
    event_id = put_order(lab, bus)
    [message] = drain(lab, url)
    event = json.loads(message["Body"])
    assert list(event) == ["version", "id", "detail-type", "source", "account", "time", "region", "resources", "detail"]
    assert event["id"] == event_id and event["account"] == lab.backend.session.client("sts").get_caller_identity()["Account"]
    assert event["time"].endswith("Z") and event["detail"]["orderId"] == "o-1001"
    [match] = [d for d in deliveries if d.action == "rule-match"]
    assert (match.service, match.status, match.target, match.cause_id) == ("events", "delivered", arn, event_id)
    assert match.source.endswith(f":event-bus/{bus}") and match.detail["rule"] == lab.name("orders-rule")
    assert match.detail["bus"] == bus and match.message_id == message["MessageId"]


def test_fifo_sqs_target_uses_the_message_group_id(lab: Lab) -> None:
    """SqsParameters.MessageGroupId: "The FIFO message group ID to use as the target"."""
    url, arn = queue(lab, "payments.fifo", FifoQueue="true", ContentBasedDeduplication="true")
    bus = rule(lab, [{"Id": "q", "Arn": arn, "SqsParameters": {"MessageGroupId": "customer-42"}}])
    put_order(lab, bus)
    messages = lab.client("sqs").receive_message(QueueUrl=url, MessageSystemAttributeNames=["MessageGroupId"])["Messages"]
    assert messages[0]["Attributes"]["MessageGroupId"] == "customer-42"


def test_sns_target_publishes_and_the_topic_fans_out(lab: Lab, deliveries: list[Delivery]) -> None:
    sns = lab.client("sns")
    topic = sns.create_topic(Name=lab.name("order-events"))["TopicArn"]
    url, arn = queue(lab, "shipping")
    grant(lab, arn, topic, "sns.amazonaws.com")  # the queue policy SNS needs (sns_delivery_policies)
    sns.subscribe(TopicArn=topic, Protocol="sqs", Endpoint=arn, Attributes={"RawMessageDelivery": "true"})
    bus = rule(lab, [{"Id": "topic", "Arn": topic}])
    event_id = put_order(lab, bus)
    [message] = drain(lab, url)
    assert json.loads(message["Body"])["id"] == event_id
    [match] = [d for d in deliveries if d.action == "rule-match"]
    assert (match.target, match.status, match.cause_id) == (topic, "delivered", event_id)
    assert match.message_id  # the SNS MessageId, so a trace can link the fan-out to this event


def test_step_functions_target_starts_one_execution_per_event(lab: Lab) -> None:
    sfn = lab.client("stepfunctions")
    definition = {"StartAt": "Done", "States": {"Done": {"Type": "Pass", "End": True}}}
    machine = sfn.create_state_machine(name=lab.name("fulfilment"), definition=json.dumps(definition),
                                       roleArn="arn:aws:iam::123456789012:role/sfn")["stateMachineArn"]
    bus = rule(lab, [{"Id": "sm", "Arn": machine, "RoleArn": "arn:aws:iam::123456789012:role/events"}])
    first, second = put_order(lab, bus), put_order(lab, bus, {"orderId": "o-1002"})
    executions = sfn.list_executions(stateMachineArn=machine)["executions"]
    assert len({e["name"] for e in executions}) == 2  # names are unique per state machine
    inputs = [json.loads(sfn.describe_execution(executionArn=e["executionArn"])["input"]) for e in executions]
    assert {i["id"] for i in inputs} == {first, second}
    assert {i["detail"]["orderId"] for i in inputs} == {"o-1001", "o-1002"}


def test_lambda_target_is_invoked_asynchronously_with_the_event(lab: Lab, monkeypatch: pytest.MonkeyPatch,
                                                               deliveries: list[Delivery]) -> None:
    """EventBridge invokes Lambda targets asynchronously (InvocationType Event)."""
    from moto.awslambda.utils import get_backend

    fn = function(lab, "notify")
    backend_class = type(get_backend(fn.split(":")[4], fn.split(":")[3]))  # where the Lambda API keeps functions
    calls: list[tuple[Any, ...]] = []
    real_invoke = backend_class.invoke

    def spy(self: Any, function_name: str, qualifier: Any, body: Any, headers: Any, response_headers: Any) -> Any:
        calls.append((function_name, body, dict(headers)))
        return real_invoke(self, function_name, qualifier, body, headers, response_headers)

    monkeypatch.setattr(backend_class, "invoke", spy)
    bus = rule(lab, [{"Id": "fn", "Arn": fn}])
    event_id = put_order(lab, bus)
    [(name, body, headers)] = calls
    assert name == fn and headers["x-amz-invocation-type"] == "Event"
    assert json.loads(body)["id"] == event_id
    [match] = [d for d in deliveries if d.action == "rule-match"]
    assert (match.status, match.target, match.cause_id) == ("delivered", fn, event_id)


def test_disabled_rule_delivers_nothing(lab: Lab) -> None:
    """DisableRule: "A disabled rule won't match any events"."""
    url, arn = queue(lab, "orders")
    bus = rule(lab, [{"Id": "q", "Arn": arn}])
    lab.client("events").disable_rule(Name=lab.name("orders-rule"), EventBusName=bus)
    put_order(lab, bus)
    assert drain(lab, url) == []
    lab.client("events").enable_rule(Name=lab.name("orders-rule"), EventBusName=bus)
    put_order(lab, bus)
    assert len(drain(lab, url)) == 1


def test_rule_without_match_reports_nothing(lab: Lab, deliveries: list[Delivery]) -> None:
    url, arn = queue(lab, "orders")
    bus = rule(lab, [{"Id": "q", "Arn": arn}], pattern={"source": ["securecart.payments"]})
    put_order(lab, bus)
    assert drain(lab, url) == [] and [d for d in deliveries if d.action == "rule-match"] == []


def test_fifo_queue_without_content_based_deduplication_is_a_failed_delivery(lab: Lab) -> None:
    """Target.SqsParameters: "If you specify an SQS FIFO queue as a target, the queue must have
    content-based deduplication enabled." Plain moto warns and drops the event without a trace; here the
    delivery fails like any other and lands in the target's DLQ."""
    _, arn = queue(lab, "payments.fifo", FifoQueue="true")
    dlq_url, dlq_arn = queue(lab, "payments-dlq")
    bus = rule(lab, [{"Id": "q", "Arn": arn, "SqsParameters": {"MessageGroupId": "g"}, "DeadLetterConfig": {"Arn": dlq_arn}}])
    put_order(lab, bus)
    [message] = drain(lab, dlq_url)
    assert message["MessageAttributes"]["TARGET_ARN"]["StringValue"] == arn
    assert message["MessageAttributes"]["ERROR_CODE"]["StringValue"] == "INVALID_PARAMETER"


def test_kinesis_target_puts_one_record_per_event(lab: Lab) -> None:
    """Target.KinesisParameters.PartitionKeyPath: "The JSON path to be extracted from the event and used
    as the partition key"; without it "the default is to use the eventId as the partition key"."""
    kinesis = lab.client("kinesis")
    kinesis.create_stream(StreamName=lab.name("clicks"), ShardCount=1)
    stream = kinesis.describe_stream(StreamName=lab.name("clicks"))["StreamDescription"]
    bus = rule(lab, [{"Id": "by-order", "Arn": stream["StreamARN"], "RoleArn": "arn:aws:iam::123456789012:role/events",
                      "KinesisParameters": {"PartitionKeyPath": "$.detail.orderId"}},
                     {"Id": "by-id", "Arn": stream["StreamARN"], "RoleArn": "arn:aws:iam::123456789012:role/events"}])
    event_id = put_order(lab, bus)
    iterator = kinesis.get_shard_iterator(StreamName=lab.name("clicks"), ShardId=stream["Shards"][0]["ShardId"],
                                          ShardIteratorType="TRIM_HORIZON")["ShardIterator"]
    records = kinesis.get_records(ShardIterator=iterator)["Records"]
    assert sorted(r["PartitionKey"] for r in records) == sorted(["o-1001", event_id])
    assert {json.loads(r["Data"])["id"] for r in records} == {event_id}
