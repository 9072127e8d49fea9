"""Lab 5's checks on plain states: at least four wrong states per check and a right one unlike the solution.

The checks' behaviour on real wrong answers through the whole notebook is asserted by the wrong-answer
suite (``tests/wrong_answers/kinesis_clickstream.py``); these tests call each check directly on an
embedded emulator, fast.
"""

from __future__ import annotations

import json
import math
import time
from typing import Any

import pytest

from labs.helpers import Lab, start_lab
from labs.helpers.checks import run

LAB = "kinesis-clickstream"


@pytest.fixture
def kin(emulator: None) -> Lab:
    return start_lab(LAB)


def _stream(lab: Lab, **kwargs: Any) -> str:
    kinesis = lab.client("kinesis")
    name = lab.name("clickstream")
    kinesis.create_stream(StreamName=name, **kwargs)
    return name


def _hint(lab: Lab, step: str, *answers: Any) -> tuple[str, str]:
    result = run(f"{LAB}.{step}", lab, *answers)
    return result.status, result.hint or ""


# ------------------------------------------------------------------ stream
def test_stream_states(kin: Lab) -> None:
    assert _hint(kin, "stream")[0] == "not-attempted"
    kin.client("kinesis").create_stream(StreamName="clickstream", ShardCount=2)
    status, hint = _hint(kin, "stream")
    assert status == "incorrect" and "lab.name('clickstream')" in hint
    kin.client("kinesis").delete_stream(StreamName="clickstream")
    _stream(kin, ShardCount=1)
    assert "ShardCount=2" in _hint(kin, "stream")[1]
    kin.client("kinesis").delete_stream(StreamName=kin.name("clickstream"))
    _stream(kin, StreamModeDetails={"StreamMode": "ON_DEMAND"})
    assert "PROVISIONED" in _hint(kin, "stream")[1]
    kin.client("kinesis").delete_stream(StreamName=kin.name("clickstream"))
    _stream(kin, ShardCount=2)  # right: no mode given (provisioned is the default)
    assert _hint(kin, "stream")[0] == "correct"


# ------------------------------------------------------------------ producer
def _producer(lab: Lab, key: Any = None, retry: str = "failed", size: int = 500) -> Any:
    kinesis = lab.client("kinesis")

    def put_clicks(stream: str, clicks: list[dict]) -> int:
        written = 0
        for start in range(0, len(clicks), size):
            batch = [{"Data": json.dumps(c).encode(), "PartitionKey": key(c) if key else c["session"]}
                     for c in clicks[start:start + size]]
            for attempt in range(8):
                response = kinesis.put_records(StreamName=stream, Records=batch)
                if retry == "none":
                    written += len(batch) - response["FailedRecordCount"]
                    break
                if retry == "whole":
                    if response["FailedRecordCount"] == 0:
                        written += len(batch)
                        break
                    continue
                written += sum(1 for r in response["Records"] if "SequenceNumber" in r)
                batch = [b for b, r in zip(batch, response["Records"]) if "ErrorCode" in r]
                if not batch:
                    break
                time.sleep(0.01 * attempt)
        return written

    return put_clicks


@pytest.mark.parametrize(("kwargs", "words"), [
    ({"key": lambda c: "all"}, ("session", "PartitionKey")),
    ({"key": lambda c: f"{c['session']}-{c['n']}"}, ("session",)),
    ({"retry": "none"}, ("ErrorCode",)),
    ({"retry": "whole"}, ("only the records",)),
    ({"size": 600}, ("500",)),
])
def test_producer_mistakes(kin: Lab, kwargs: dict[str, Any], words: tuple[str, ...]) -> None:
    status, hint = _hint(kin, "producer", _producer(kin, **kwargs))
    assert status == "incorrect" and all(w in hint for w in words), hint


def test_producer_right_answer_and_unanswered(kin: Lab) -> None:
    def unanswered(stream: str, clicks: list[dict]) -> int:
        ...

    assert _hint(kin, "producer", unanswered)[0] == "not-attempted"
    kinesis = kin.client("kinesis")

    def one_pending_list(stream: str, clicks: list[dict]) -> int:  # unlike the solution: one list of pending records
        pending = [{"Data": json.dumps(c), "PartitionKey": c["session"]} for c in clicks]
        done = 0
        while pending:
            chunk, pending = pending[:400], pending[400:]
            result = kinesis.put_records(StreamName=stream, Records=chunk)
            done += len(chunk) - result["FailedRecordCount"]
            pending += [r for r, o in zip(chunk, result["Records"]) if o.get("ErrorCode")]
        return done

    assert _hint(kin, "producer", one_pending_list)[0] == "correct"


# ------------------------------------------------------------------ reader
def _reader(lab: Lab, kind: str = "after", limit: int = 1000, pages: bool = True, shards: int | None = None,
            first: bool = False) -> Any:
    kinesis = lab.client("kinesis")

    def read_new(stream: str, checkpoints: dict) -> list[dict]:
        records = []
        for shard in kinesis.list_shards(StreamName=stream)["Shards"][:shards]:
            sid = shard["ShardId"]
            if kind == "latest":
                start = {"ShardIteratorType": "LATEST"}
            elif kind == "horizon" or sid not in checkpoints:
                start = {"ShardIteratorType": "TRIM_HORIZON"}
            else:
                start = {"ShardIteratorType": "AT_SEQUENCE_NUMBER" if kind == "at" else "AFTER_SEQUENCE_NUMBER",
                         "StartingSequenceNumber": checkpoints[sid]}
            iterator = kinesis.get_shard_iterator(StreamName=stream, ShardId=sid, **start)["ShardIterator"]
            while iterator:
                page = kinesis.get_records(ShardIterator=iterator, Limit=limit)
                if page["Records"]:
                    records += page["Records"]
                    checkpoints[sid] = page["Records"][0 if first else -1]["SequenceNumber"]
                if not pages or not page["Records"] or page["MillisBehindLatest"] == 0:
                    break
                iterator = page["NextShardIterator"]
        return records

    return read_new


@pytest.mark.parametrize(("kwargs", "word"), [
    ({"kind": "latest"}, "TRIM_HORIZON"),
    ({"kind": "horizon"}, "AFTER_SEQUENCE_NUMBER"),
    ({"kind": "at"}, "AFTER_SEQUENCE_NUMBER"),
    ({"limit": 50, "pages": False}, "NextShardIterator"),
    ({"shards": 1}, "every shard"),
    ({"first": True}, "last"),
])
def test_reader_mistakes(kin: Lab, kwargs: dict[str, Any], word: str) -> None:
    status, hint = _hint(kin, "reader", _reader(kin, **kwargs))
    assert status == "incorrect" and word in hint, hint


def test_reader_right_answer_small_pages(kin: Lab) -> None:
    assert _hint(kin, "reader", _reader(kin, limit=37))[0] == "correct"


# ------------------------------------------------------------------ mapping
def _mapping(lab: Lab, **changes: Any) -> None:
    from labs.helpers.functions import handler_name, package_handler
    from labs.helpers.resources import ensure_role

    stream = _stream(lab, ShardCount=2)
    arn = lab.client("kinesis").describe_stream_summary(StreamName=stream)["StreamDescriptionSummary"]["StreamARN"]
    sqs, lam = lab.client("sqs"), lab.client("lambda")
    url = sqs.create_queue(QueueName=lab.name("clicks-failed"))["QueueUrl"]
    failed = sqs.get_queue_attributes(QueueUrl=url, AttributeNames=["QueueArn"])["Attributes"]["QueueArn"]
    role = ensure_role(lab, "r", "lambda.amazonaws.com", [{"Effect": "Allow", "Action": "*", "Resource": "*"}])
    fn = lam.create_function(FunctionName=lab.name("click-auditor"), Runtime="python3.12", Role=role,
                             Handler=handler_name("labs.handlers.click_auditor"),
                             Code={"ZipFile": package_handler("labs.handlers.click_auditor")})["FunctionArn"]
    params: dict[str, Any] = {"StartingPosition": "TRIM_HORIZON", "BatchSize": 100, "BisectBatchOnFunctionError": True,
                              "MaximumRetryAttempts": 2, "MaximumRecordAgeInSeconds": 3600,
                              "DestinationConfig": {"OnFailure": {"Destination": failed}},
                              "FunctionResponseTypes": ["ReportBatchItemFailures"]}
    params.update(changes)
    lam.create_event_source_mapping(EventSourceArn=arn, FunctionName=fn,
                                    **{k: (v.replace("URL", url) if isinstance(v, str) else v)
                                       for k, v in params.items() if v is not None})


@pytest.mark.parametrize(("changes", "word"), [
    ({"DestinationConfig": None}, "OnFailure"),
    ({"BisectBatchOnFunctionError": None}, "BisectBatchOnFunctionError=True"),
    ({"MaximumRetryAttempts": -1}, "MaximumRetryAttempts"),
    ({"StartingPosition": "LATEST"}, "TRIM_HORIZON"),
    ({"FunctionResponseTypes": None}, "ReportBatchItemFailures"),
    ({"MaximumRecordAgeInSeconds": -1}, "MaximumRecordAgeInSeconds"),
    ({"Enabled": False}, "Enabled=True"),
])
def test_mapping_mistakes(kin: Lab, changes: dict[str, Any], word: str) -> None:
    _mapping(kin, **changes)
    status, hint = _hint(kin, "mapping")
    assert status == "incorrect" and word in hint, hint


def test_mapping_right_answer_other_values(kin: Lab) -> None:
    _mapping(kin, MaximumRetryAttempts=0, MaximumRecordAgeInSeconds=600, BatchSize=10, ParallelizationFactor=3)
    assert _hint(kin, "mapping")[0] == "correct"


# ------------------------------------------------------------------ also-viewed
def _table(lab: Lab) -> Any:
    ddb = lab.client("dynamodb")
    table = lab.name("also-viewed")
    ddb.create_table(TableName=table, BillingMode="PAY_PER_REQUEST",
                     AttributeDefinitions=[{"AttributeName": "product", "AttributeType": "S"},
                                           {"AttributeName": "other", "AttributeType": "S"}],
                     KeySchema=[{"AttributeName": "product", "KeyType": "HASH"},
                                {"AttributeName": "other", "KeyType": "RANGE"}])
    views = {("mug", "beans"): 120, ("mug", "frother"): 95, ("mug", "travel-mug"): 9, ("mug", "tent"): 2,
             ("tent", "stove"): 30, ("tent", "mug"): 2, ("tent", "lamp"): 12, ("beans", "mug"): 120}
    for (a, b), n in views.items():
        ddb.put_item(TableName=table, Item={"product": {"S": a}, "other": {"S": b}, "views": {"N": str(n)}})
    return ddb, table


def _also(ddb: Any, table: str, sort: Any, scan: bool = False, limit: bool = True, names: bool = True) -> Any:
    def also_viewed(product: str, n: int = 3) -> list:
        if scan:
            items = [i for i in ddb.scan(TableName=table)["Items"] if i["product"]["S"] == product]
        else:
            items = ddb.query(TableName=table, KeyConditionExpression="product = :p",
                              ExpressionAttributeValues={":p": {"S": product}})["Items"]
        items = sort(items)
        items = items[:n] if limit else items
        return [i["other"]["S"] for i in items] if names else items

    return also_viewed


def _desc(items: list) -> list:
    return sorted(items, key=lambda i: int(i["views"]["N"]), reverse=True)


@pytest.mark.parametrize(("kwargs", "word"), [
    ({"sort": _desc, "scan": True}, "query"),
    ({"sort": lambda items: sorted(items, key=lambda i: int(i["views"]["N"]))}, "reverse=True"),
    ({"sort": lambda items: sorted(items, key=lambda i: i["views"]["N"], reverse=True)}, "int("),
    ({"sort": _desc, "limit": False}, "[:n]"),
    ({"sort": _desc, "names": False}, "'S'"),
])
def test_also_viewed_mistakes(kin: Lab, kwargs: dict[str, Any], word: str) -> None:
    ddb, table = _table(kin)
    status, hint = _hint(kin, "also-viewed", _also(ddb, table, **kwargs))
    assert status == "incorrect" and word in hint, hint


def test_also_viewed_right_and_empty_table(kin: Lab) -> None:
    ddb = kin.client("dynamodb")

    def also_viewed(product: str, n: int = 3) -> list:
        return []

    assert _hint(kin, "also-viewed", also_viewed)[0] == "not-attempted"  # no table yet
    ddb, table = _table(kin)

    def with_heap(product: str, n: int = 3) -> list:  # unlike the solution: heapq on (views, name)
        import heapq

        items = ddb.query(TableName=table, KeyConditionExpression="product = :p",
                          ExpressionAttributeValues={":p": {"S": product}})["Items"]
        return [o for _, o in heapq.nlargest(n, ((int(i["views"]["N"]), i["other"]["S"]) for i in items))]

    assert _hint(kin, "also-viewed", with_heap)[0] == "correct"


# ------------------------------------------------------------------ scaling
@pytest.mark.parametrize(("fn", "word"), [
    (lambda r, b: math.ceil(r / 1000), "1 MiB"),
    (lambda r, b: max(1, math.ceil(r * b / 1048576)), "1,000"),
    (lambda r, b: max(1, r // 1000, r * b // 1048576), "math.ceil"),
    (lambda r, b: max(1, math.ceil(r / 1000), math.ceil(r * b / 2097152)), "read limit"),
    (lambda r, b: max(r / 1000, r * b / 1048576), "whole number"),
])
def test_shards_needed_mistakes(kin: Lab, fn: Any, word: str) -> None:
    status, hint = _hint(kin, "scaling", fn)
    assert status == "incorrect" and word in hint, hint


def test_scaling_stream_states(kin: Lab) -> None:
    def right(r: int, b: int) -> int:  # unlike the solution: integer ceiling division
        return max(1, -(-r // 1000), -(-(r * b) // 1048576))

    stream = _stream(kin, ShardCount=2)
    assert "update_shard_count" in _hint(kin, "scaling", right)[1]
    kin.client("kinesis").update_shard_count(StreamName=stream, TargetShardCount=4, ScalingType="UNIFORM_SCALING")
    assert "shard-hour" in _hint(kin, "scaling", right)[1]
    kin.client("kinesis").update_shard_count(StreamName=stream, TargetShardCount=3, ScalingType="UNIFORM_SCALING")
    assert _hint(kin, "scaling", right)[0] == "correct"
