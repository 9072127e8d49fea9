"""BisectBatchOnFunctionError isolates a bad record; the records behind it are still delivered.

Lambda developer guide, "Configuring partial batch response with DynamoDB Streams and Lambda":
"If your invocation fails and BisectBatchOnFunctionError is turned on, the batch is bisected
regardless of your ReportBatchItemFailures setting"; API reference: "If the function returns an
error, split the batch in two and retry." Plain moto 5.2.5 (``LABS_EMULATOR_DISABLE=lambda_stream_batching``)
ignores the flag: the whole batch is retried, then discarded with the good records in it.
"""

from __future__ import annotations

import json

import tests.emulator.lambda_helpers as lh
from labs.helpers import Lab
from labs.helpers.functions import settle
from labs.helpers.observe import Delivery

#: Fails the whole invocation when the batch holds the record of order "bad"; forwards the rest.
CRASH_ON_BAD = """
import json, os, boto3
def handler(event, context):
    ids = [r["dynamodb"]["Keys"]["order_id"]["S"] for r in event["Records"]]
    if "bad" in ids:
        raise ValueError("bad order in batch")
    boto3.client("sqs").send_message(QueueUrl=os.environ["OUT"], MessageBody=json.dumps(ids))
"""

#: Reports the record of order "bad" (and everything after it) as failed.
REPORT_BAD = """
import json, os, boto3
def handler(event, context):
    done = []
    for r in event["Records"]:
        if r["dynamodb"]["Keys"]["order_id"]["S"] == "bad":
            boto3.client("sqs").send_message(QueueUrl=os.environ["OUT"], MessageBody=json.dumps(done))
            return {"batchItemFailures": [{"itemIdentifier": r["dynamodb"]["SequenceNumber"]}]}
        done.append(r["dynamodb"]["Keys"]["order_id"]["S"])
    boto3.client("sqs").send_message(QueueUrl=os.environ["OUT"], MessageBody=json.dumps(done))
    return {"batchItemFailures": []}
"""


def _setup(lab: Lab, source: str, **mapping: object) -> tuple[str, str]:
    out_url, _ = lh.queue(lab, "seen")
    failures_url, failures_arn = lh.queue(lab, "failures")
    ddb = lab.client("dynamodb")
    stream = ddb.create_table(
        TableName=lab.name("orders"), BillingMode="PAY_PER_REQUEST",
        AttributeDefinitions=[{"AttributeName": "order_id", "AttributeType": "S"}],
        KeySchema=[{"AttributeName": "order_id", "KeyType": "HASH"}],
        StreamSpecification={"StreamEnabled": True, "StreamViewType": "NEW_AND_OLD_IMAGES"},
    )["TableDescription"]["LatestStreamArn"]
    for order in ("a", "b", "bad", "c", "d", "e"):
        ddb.put_item(TableName=lab.name("orders"), Item={"order_id": {"S": order}})
    fn = lh.deploy(lab, "consumer", source, env={"OUT": out_url})
    lab.client("lambda").create_event_source_mapping(
        EventSourceArn=stream, FunctionName=fn, StartingPosition="TRIM_HORIZON", BatchSize=10,
        MaximumRetryAttempts=1, DestinationConfig={"OnFailure": {"Destination": failures_arn}}, **mapping)
    settle(lab)
    return out_url, failures_url


def _bodies(lab: Lab, url: str) -> list[str]:
    sqs, bodies = lab.client("sqs"), []
    while messages := sqs.receive_message(QueueUrl=url, MaxNumberOfMessages=10).get("Messages", []):
        bodies += [m["Body"] for m in messages]
        sqs.delete_message_batch(QueueUrl=url, Entries=[{"Id": str(i), "ReceiptHandle": m["ReceiptHandle"]}
                                                        for i, m in enumerate(messages)])
    return bodies


def _delivered(lab: Lab, url: str) -> set[str]:
    return {order for body in _bodies(lab, url) for order in json.loads(body)}


def _discarded(lab: Lab, url: str) -> list[int]:
    return [json.loads(body)["DDBStreamBatchInfo"]["batchSize"] for body in _bodies(lab, url)]


def test_a_crashing_batch_is_halved_until_the_bad_record_is_alone(lab: Lab, deliveries: list[Delivery]) -> None:
    out_url, failures_url = _setup(lab, CRASH_ON_BAD, BisectBatchOnFunctionError=True)
    assert _delivered(lab, out_url) == {"a", "b", "c", "d", "e"}
    assert _discarded(lab, failures_url) == [1]  # only the bad record is described
    sizes = [d.detail["batch_size"] for d in deliveries if d.action == "esm-invoke"]
    assert sizes[0] == 6 and sizes[1] == 3 and 1 in sizes  # 6 -> 3 -> ... -> 1


def test_without_bisect_the_whole_batch_is_discarded(lab: Lab) -> None:
    out_url, failures_url = _setup(lab, CRASH_ON_BAD)
    assert _delivered(lab, out_url) == set()
    assert _discarded(lab, failures_url) == [6]


def test_partial_responses_with_bisect_deliver_the_records_behind_the_bad_one(lab: Lab) -> None:
    out_url, failures_url = _setup(lab, REPORT_BAD, BisectBatchOnFunctionError=True,
                                   FunctionResponseTypes=["ReportBatchItemFailures"])
    assert _delivered(lab, out_url) == {"a", "b", "c", "d", "e"}
    assert _discarded(lab, failures_url) == [1]
