"""Stream mappings: BisectBatchOnFunctionError, MaximumRecordAgeInSeconds, tumbling windows.

Lambda developer guide, Kinesis error handling: "Split batch on error - When the function returns an
error, split the batch into two before retrying"; "Maximum age of record"; on-failure destinations
receive a record of each discarded batch. "Using tumbling windows": records are grouped into windows
by the time they were inserted into the stream; the ``state`` the function returns is passed to the
next invocation of the window; at the end of the window ``isFinalInvokeForWindow`` is true.
Plain moto 5.2.5 delivers no Kinesis batch at all, and the layer without this patch retries a
failing batch whole, never ages a record out and ignores TumblingWindowInSeconds.
"""

from __future__ import annotations

import json

import tests.emulator.lambda_helpers as lh
from labs.helpers import Lab
from labs.helpers.functions import advance, settle

WINDOWED = """
import base64, json, os, boto3
sqs = boto3.client("sqs")
def handler(event, context):
    state = dict(event.get("state") or {})
    for r in event["Records"]:
        key = base64.b64decode(r["kinesis"]["data"]).decode()
        state[key] = state.get(key, 0) + 1
    if event.get("isFinalInvokeForWindow"):
        sqs.send_message(QueueUrl=os.environ["OUT"], MessageBody=json.dumps(
            [{"final": state, "window": event["window"], "shard": event["shardId"]}]))
        return {}
    return {"state": state}
"""


def _stream(lab: Lab) -> tuple[str, str]:
    kinesis = lab.client("kinesis")
    name = lab.name("clicks")
    kinesis.create_stream(StreamName=name, ShardCount=1)
    return name, kinesis.describe_stream_summary(StreamName=name)["StreamDescriptionSummary"]["StreamARN"]


def _put(lab: Lab, name: str, *items: str) -> None:
    lab.client("kinesis").put_records(StreamName=name, Records=[{"Data": i.encode(), "PartitionKey": "s"} for i in items])


def _failures(lab: Lab, url: str) -> list[dict]:
    out = []
    for message in lab.client("sqs").receive_message(QueueUrl=url, MaxNumberOfMessages=10).get("Messages", []):
        out.append(json.loads(message["Body"]))
    return out


def test_bisect_isolates_the_poison_record(lab: Lab) -> None:
    out_url, _ = lh.queue(lab, "seen")
    dlq_url, dlq_arn = lh.queue(lab, "failed")
    name, arn = _stream(lab)
    _put(lab, name, "a", "b", "poison", "c")
    fn = lh.deploy(lab, "consumer", lh.FORWARD, env={"OUT": out_url})
    lab.client("lambda").create_event_source_mapping(
        EventSourceArn=arn, FunctionName=fn, BatchSize=4, StartingPosition="TRIM_HORIZON",
        BisectBatchOnFunctionError=True, MaximumRetryAttempts=0,
        DestinationConfig={"OnFailure": {"Destination": dlq_arn}})
    settle(lab)
    seen = [[r["data"] for r in batch] for batch in lh.batches(lab, out_url)]
    assert seen == [["a", "b", "poison", "c"], ["a", "b"], ["poison", "c"], ["poison"], ["c"]]
    failures = _failures(lab, dlq_url)
    assert len(failures) == 1 and failures[0]["KinesisBatchInfo"]["batchSize"] == 1


def test_without_bisect_the_whole_batch_is_discarded(lab: Lab) -> None:
    out_url, _ = lh.queue(lab, "seen")
    dlq_url, dlq_arn = lh.queue(lab, "failed")
    name, arn = _stream(lab)
    _put(lab, name, "a", "b", "poison", "c")
    fn = lh.deploy(lab, "consumer", lh.FORWARD, env={"OUT": out_url})
    lab.client("lambda").create_event_source_mapping(
        EventSourceArn=arn, FunctionName=fn, BatchSize=4, StartingPosition="TRIM_HORIZON", MaximumRetryAttempts=0,
        DestinationConfig={"OnFailure": {"Destination": dlq_arn}})
    settle(lab)
    assert [[r["data"] for r in batch] for batch in lh.batches(lab, out_url)] == [["a", "b", "poison", "c"]]
    failures = _failures(lab, dlq_url)
    assert len(failures) == 1 and failures[0]["KinesisBatchInfo"]["batchSize"] == 4


def test_records_older_than_maximum_record_age_are_skipped(lab: Lab) -> None:
    out_url, _ = lh.queue(lab, "seen")
    dlq_url, dlq_arn = lh.queue(lab, "failed")
    name, arn = _stream(lab)
    _put(lab, name, "stale")
    advance(lab, seconds=120)
    _put(lab, name, "fresh")
    fn = lh.deploy(lab, "consumer", lh.FORWARD, env={"OUT": out_url})
    lab.client("lambda").create_event_source_mapping(
        EventSourceArn=arn, FunctionName=fn, StartingPosition="TRIM_HORIZON", MaximumRecordAgeInSeconds=60,
        DestinationConfig={"OnFailure": {"Destination": dlq_arn}})
    settle(lab)
    assert [[r["data"] for r in batch] for batch in lh.batches(lab, out_url)] == [["fresh"]]
    failures = _failures(lab, dlq_url)
    assert [f["requestContext"]["condition"] for f in failures] == ["RecordAgeExceeded"]


def test_tumbling_window_state_is_passed_on_and_the_final_invoke_gets_it(lab: Lab) -> None:
    out_url, _ = lh.queue(lab, "seen")
    name, arn = _stream(lab)
    fn = lh.deploy(lab, "windowed", WINDOWED, env={"OUT": out_url})
    lab.client("lambda").create_event_source_mapping(
        EventSourceArn=arn, FunctionName=fn, BatchSize=2, StartingPosition="TRIM_HORIZON", TumblingWindowInSeconds=60)
    _put(lab, name, "x", "y", "x")
    settle(lab)
    assert lh.batches(lab, out_url) == []  # the window is still open
    advance(lab, seconds=60)
    _put(lab, name, "z")
    settle(lab)
    advance(lab, seconds=60)
    settle(lab)
    finals = [batch[0] for batch in lh.batches(lab, out_url)]
    assert [f["final"] for f in finals] == [{"x": 2, "y": 1}, {"z": 1}]
    first = finals[0]["window"]
    assert first["start"].endswith("Z") and first["start"] < first["end"]
