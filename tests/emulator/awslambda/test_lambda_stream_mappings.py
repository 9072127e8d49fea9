"""Kinesis and DynamoDB Streams event source mappings deliver records to a real handler.

Lambda developer guide, "How Lambda processes records from Kinesis Data Streams": "Lambda reads
records from the data stream and invokes your function synchronously with an event that contains
stream records"; StartingPosition TRIM_HORIZON reads "all available records", LATEST "only new
records"; "If your function returns an error, Lambda retries the batch until processing succeeds or
the data expires", limited by MaximumRetryAttempts ("When the number of retries reaches this limit,
Lambda discards the record"). DynamoDB Streams work the same way with ``eventSource`` "aws:dynamodb".
Plain moto 5.2.5: Kinesis ``put_record`` calls the Lambda backend with a wrong signature and delivers
nothing; DynamoDB invokes inside every write with all records since the last invocation
(BatchSize and StartingPosition ignored).
"""

from __future__ import annotations

import base64
import json

import tests.emulator.lambda_helpers as lh
from labs.helpers import Lab
from labs.helpers.functions import settle
from labs.helpers.observe import Delivery


def _stream(lab: Lab, base: str) -> str:
    kinesis = lab.client("kinesis")
    kinesis.create_stream(StreamName=lab.name(base), ShardCount=1)
    return kinesis.describe_stream(StreamName=lab.name(base))["StreamDescription"]["StreamARN"]


def test_kinesis_records_are_delivered_from_trim_horizon_in_batches(lab: Lab, deliveries: list[Delivery]) -> None:
    out_url, _ = lh.queue(lab, "seen")
    arn = _stream(lab, "clicks")
    kinesis = lab.client("kinesis")
    for i in range(3):
        kinesis.put_record(StreamName=lab.name("clicks"), Data=f"click-{i}".encode(), PartitionKey="p")
    fn = lh.deploy(lab, "consumer", lh.FORWARD, env={"OUT": out_url})
    lab.client("lambda").create_event_source_mapping(EventSourceArn=arn, FunctionName=fn, BatchSize=2,
                                                     StartingPosition="TRIM_HORIZON")
    settle(lab)
    kinesis.put_record(StreamName=lab.name("clicks"), Data=b"click-3", PartitionKey="p")
    settle(lab)
    seen = [r["data"] for batch in lh.batches(lab, out_url) for r in batch]
    assert seen == [f"click-{i}" for i in range(4)]
    assert all(c.detail["batch_size"] <= 2 for c in lh.invocations(deliveries))


def test_kinesis_latest_skips_older_records_and_failing_batches_are_retried_then_skipped(
        lab: Lab, deliveries: list[Delivery]) -> None:
    out_url, _ = lh.queue(lab, "seen")
    arn = _stream(lab, "clicks")
    kinesis = lab.client("kinesis")
    kinesis.put_record(StreamName=lab.name("clicks"), Data=b"old", PartitionKey="p")
    fn = lh.deploy(lab, "consumer", lh.FORWARD, env={"OUT": out_url})
    lab.client("lambda").create_event_source_mapping(EventSourceArn=arn, FunctionName=fn, StartingPosition="LATEST",
                                                     MaximumRetryAttempts=1)
    settle(lab)
    kinesis.put_record(StreamName=lab.name("clicks"), Data=b"poison", PartitionKey="p")
    kinesis.put_record(StreamName=lab.name("clicks"), Data=b"new", PartitionKey="p")
    settle(lab)
    seen = [[r["data"] for r in batch] for batch in lh.batches(lab, out_url)]
    assert ["old"] not in seen and all("old" not in b for b in seen)
    assert seen[:2] == [["poison", "new"], ["poison", "new"]]  # first attempt + one retry, then skipped
    calls = lh.invocations(deliveries)
    assert [c.status for c in calls] == ["failed", "failed"] and calls[-1].detail.get("discarded") is True


def test_dynamodb_stream_changes_are_delivered_in_batches_from_trim_horizon(lab: Lab) -> None:
    out_url, _ = lh.queue(lab, "seen")
    ddb = lab.client("dynamodb")
    table = ddb.create_table(TableName=lab.name("orders"), BillingMode="PAY_PER_REQUEST",
                             AttributeDefinitions=[{"AttributeName": "order_id", "AttributeType": "S"}],
                             KeySchema=[{"AttributeName": "order_id", "KeyType": "HASH"}],
                             StreamSpecification={"StreamEnabled": True, "StreamViewType": "NEW_AND_OLD_IMAGES"})
    stream_arn = table["TableDescription"]["LatestStreamArn"]
    ddb.put_item(TableName=lab.name("orders"), Item={"order_id": {"S": "o-1"}, "status": {"S": "NEW"}})
    fn = lh.deploy(lab, "consumer", lh.FORWARD, env={"OUT": out_url})
    lab.client("lambda").create_event_source_mapping(EventSourceArn=stream_arn, FunctionName=fn, BatchSize=1,
                                                     StartingPosition="TRIM_HORIZON")
    ddb.put_item(TableName=lab.name("orders"), Item={"order_id": {"S": "o-1"}, "status": {"S": "PAID"}})
    settle(lab)
    seen = [[r["name"] for r in batch] for batch in lh.batches(lab, out_url)]
    # Plain moto: one invocation on the second write carrying both records (BatchSize ignored).
    assert seen == [["INSERT"], ["MODIFY"]]

def test_kinesis_event_shape(lab: Lab, deliveries: list[Delivery]) -> None:
    arn = _stream(lab, "clicks")
    fn = lh.deploy(lab, "consumer", "def handler(event, context):\n    return None\n")
    lab.client("lambda").create_event_source_mapping(EventSourceArn=arn, FunctionName=fn, StartingPosition="TRIM_HORIZON")
    lab.client("kinesis").put_record(StreamName=lab.name("clicks"), Data=b'{"page": "/cart"}', PartitionKey="c-1")
    settle(lab)
    [record] = lh.invocations(deliveries)[0].payload["Records"]
    assert record["eventSource"] == "aws:kinesis" and record["eventSourceARN"] == arn
    assert record["eventName"] == "aws:kinesis:record" and record["kinesis"]["partitionKey"] == "c-1"
    assert json.loads(base64.b64decode(record["kinesis"]["data"])) == {"page": "/cart"}


def test_discarded_batch_record_goes_to_the_on_failure_destination(lab: Lab) -> None:
    """Lambda developer guide, "Retaining records of discarded batches": "Lambda sends a record of the
    failed batch to the destination" with requestContext.condition "RetryAttemptsExhausted" and
    KinesisBatchInfo (shardId, startSequenceNumber, endSequenceNumber, batchSize, streamArn)."""
    failures_url, failures_arn = lh.queue(lab, "clicks-failures")
    arn = _stream(lab, "clicks")
    fn = lh.deploy(lab, "broken", "def handler(event, context):\n    raise ValueError('bad click')\n")
    lab.client("lambda").create_event_source_mapping(
        EventSourceArn=arn, FunctionName=fn, StartingPosition="TRIM_HORIZON", MaximumRetryAttempts=0,
        DestinationConfig={"OnFailure": {"Destination": failures_arn}})
    sequence = lab.client("kinesis").put_record(StreamName=lab.name("clicks"), Data=b"x", PartitionKey="p")["SequenceNumber"]
    settle(lab)
    [message] = lab.client("sqs").receive_message(QueueUrl=failures_url)["Messages"]
    record = json.loads(message["Body"])
    assert record["requestContext"]["condition"] == "RetryAttemptsExhausted"
    assert record["requestContext"]["functionArn"] == fn
    assert record["KinesisBatchInfo"]["streamArn"] == arn
    assert record["KinesisBatchInfo"]["startSequenceNumber"] == sequence
    assert record["KinesisBatchInfo"]["batchSize"] == 1


def test_filter_criteria_on_dynamodb_stream_records(lab: Lab) -> None:
    """A common Lab 6 filter: only new orders, ``{"eventName": ["INSERT"]}``; other records are skipped."""
    out_url, _ = lh.queue(lab, "seen")
    ddb = lab.client("dynamodb")
    stream_arn = ddb.create_table(
        TableName=lab.name("orders"), BillingMode="PAY_PER_REQUEST",
        AttributeDefinitions=[{"AttributeName": "order_id", "AttributeType": "S"}],
        KeySchema=[{"AttributeName": "order_id", "KeyType": "HASH"}],
        StreamSpecification={"StreamEnabled": True, "StreamViewType": "NEW_IMAGE"})["TableDescription"]["LatestStreamArn"]
    fn = lh.deploy(lab, "consumer", lh.FORWARD, env={"OUT": out_url})
    lab.client("lambda").create_event_source_mapping(
        EventSourceArn=stream_arn, FunctionName=fn, StartingPosition="TRIM_HORIZON",
        FilterCriteria={"Filters": [{"Pattern": json.dumps({"eventName": ["INSERT"]})}]})
    for order, status_ in (("o-1", "NEW"), ("o-1", "PAID"), ("o-2", "NEW")):
        ddb.put_item(TableName=lab.name("orders"), Item={"order_id": {"S": order}, "status": {"S": status_}})
    settle(lab)
    seen = [(r["name"], r["keys"]["order_id"]["S"]) for batch in lh.batches(lab, out_url) for r in batch]
    assert seen == [("INSERT", "o-1"), ("INSERT", "o-2")]
