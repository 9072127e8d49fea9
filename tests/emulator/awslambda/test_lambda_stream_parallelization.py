"""Stream mappings: ParallelizationFactor, several batches of one shard at once, in order per key.

Lambda API: "ParallelizationFactor - (Kinesis and DynamoDB Streams only) The number of batches to
process concurrently from each shard. The default value is 1." Developer guide: "If you increase the
number of concurrent batches per shard, Lambda still ensures in-order processing at the
partition-key level" (DynamoDB Streams: "at the item (partition and sort key) level").
Plain moto 5.2.5 delivers no Kinesis batch at all; the layer without this patch ignores the factor
(every shard one batch at a time), so the first tests fail there.
"""

from __future__ import annotations

import json
from typing import Any

import tests.emulator.lambda_helpers as lh
from labs.helpers import Lab
from labs.helpers.functions import settle

SESSIONS = [f"s{i}" for i in range(8)]


def _stream(lab: Lab) -> tuple[str, str]:
    kinesis = lab.client("kinesis")
    name = lab.name("clicks")
    kinesis.create_stream(StreamName=name, ShardCount=1)
    return name, kinesis.describe_stream_summary(StreamName=name)["StreamDescriptionSummary"]["StreamARN"]


def _put_clicks(lab: Lab, name: str, sessions: list[str], per_session: int) -> list[str]:
    """``per_session`` clicks of each session, interleaved (s0:0, s1:0, ..., s0:1, ...), partition key = session."""
    clicks = [f"{s}:{n}" for n in range(per_session) for s in sessions]
    lab.client("kinesis").put_records(StreamName=name, Records=[
        {"Data": c.encode(), "PartitionKey": c.split(":")[0]} for c in clicks])
    return clicks


def _map(lab: Lab, arn: str, out_url: str, **config: Any) -> None:
    fn = lh.deploy(lab, "consumer", lh.FORWARD, env={"OUT": out_url})
    lab.client("lambda").create_event_source_mapping(
        EventSourceArn=arn, FunctionName=fn, StartingPosition="TRIM_HORIZON", **config)
    settle(lab)


def _seen(lab: Lab, out_url: str) -> list[list[str]]:
    return [[r["data"] for r in batch] for batch in lh.batches(lab, out_url)]


def _in_order_per_session(batches: list[list[str]]) -> dict[str, list[int]]:
    order: dict[str, list[int]] = {}
    for batch in batches:
        for click in batch:
            session, n = click.split(":")
            order.setdefault(session, []).append(int(n))
    return order


def test_a_factor_splits_one_shard_into_batches_by_partition_key(lab: Lab) -> None:
    out_url, _ = lh.queue(lab, "seen")
    name, arn = _stream(lab)
    clicks = _put_clicks(lab, name, SESSIONS, 2)
    _map(lab, arn, out_url, BatchSize=100, ParallelizationFactor=3)
    batches = _seen(lab, out_url)
    assert 2 <= len(batches) <= 3, batches  # one shard, up to three batches at once, not one batch of 16
    assert sorted(c for batch in batches for c in batch) == sorted(clicks)  # each click once
    homes = {s: {i for i, batch in enumerate(batches) for c in batch if c.startswith(s + ":")} for s in SESSIONS}
    assert all(len(home) == 1 for home in homes.values()), homes  # a session's clicks stay in one batch
    assert all(ns == [0, 1] for ns in _in_order_per_session(batches).values())


def test_without_a_factor_a_shard_is_one_batch_at_a_time(lab: Lab) -> None:
    out_url, _ = lh.queue(lab, "seen")
    name, arn = _stream(lab)
    clicks = _put_clicks(lab, name, SESSIONS, 2)
    _map(lab, arn, out_url, BatchSize=100)
    assert _seen(lab, out_url) == [clicks]


def test_order_per_key_holds_over_many_small_batches_and_a_hot_key(lab: Lab) -> None:
    out_url, _ = lh.queue(lab, "seen")
    name, arn = _stream(lab)
    clicks = _put_clicks(lab, name, SESSIONS[:3], 5) + _put_clicks(lab, name, ["bot"], 12)
    _map(lab, arn, out_url, BatchSize=3, ParallelizationFactor=4)
    batches = _seen(lab, out_url)
    assert sorted(c for batch in batches for c in batch) == sorted(clicks)
    assert all(len(batch) <= 3 for batch in batches)
    order = _in_order_per_session(batches)
    assert order["bot"] == list(range(12)) and all(order[s] == list(range(5)) for s in SESSIONS[:3])
    assert sum(1 for batch in batches if any(c.startswith("bot:") for c in batch)) >= 4  # a hot key: its own pace


def test_a_poison_record_holds_back_only_its_own_keys(lab: Lab) -> None:
    """The failing batch is retried and discarded (on-failure record names the shard); the other
    sessions of the shard go on meanwhile."""
    out_url, _ = lh.queue(lab, "seen")
    dlq_url, dlq_arn = lh.queue(lab, "failed")
    name, arn = _stream(lab)
    clicks = _put_clicks(lab, name, SESSIONS, 1)
    lab.client("kinesis").put_record(StreamName=name, Data=b"poison", PartitionKey="s0")
    clicks_after = _put_clicks(lab, name, SESSIONS, 1)
    _map(lab, arn, out_url, BatchSize=100, ParallelizationFactor=2, MaximumRetryAttempts=1,
         DestinationConfig={"OnFailure": {"Destination": dlq_arn}})
    batches = _seen(lab, out_url)
    poisoned = [batch for batch in batches if "poison" in batch]
    assert len(poisoned) == 2  # the first try and its one retry
    assert any(c not in poisoned[0] for c in clicks)  # the poison shares its batch with some sessions only
    delivered_ok = {c for batch in batches if "poison" not in batch for c in batch}
    assert delivered_ok >= {c for c in clicks + clicks_after if c not in poisoned[0]}  # the other slot went on
    failures = [json.loads(m["Body"]) for m in lab.client("sqs").receive_message(
        QueueUrl=dlq_url, MaxNumberOfMessages=10).get("Messages", [])]
    assert len(failures) == 1
    info = failures[0]["KinesisBatchInfo"]
    assert info["shardId"] == "shardId-000000000000" and info["batchSize"] == len(poisoned[0])


def test_dynamodb_stream_items_keep_their_order_at_any_factor(lab: Lab) -> None:
    out_url, _ = lh.queue(lab, "seen")
    ddb = lab.client("dynamodb")
    table = lab.name("orders")
    ddb.create_table(TableName=table, KeySchema=[{"AttributeName": "pk", "KeyType": "HASH"}],
                     AttributeDefinitions=[{"AttributeName": "pk", "AttributeType": "S"}],
                     BillingMode="PAY_PER_REQUEST",
                     StreamSpecification={"StreamEnabled": True, "StreamViewType": "NEW_AND_OLD_IMAGES"})
    stream_arn = ddb.describe_table(TableName=table)["Table"]["LatestStreamArn"]
    for status in ("placed", "paid", "shipped"):
        for order in SESSIONS:
            ddb.put_item(TableName=table, Item={"pk": {"S": order}, "status": {"S": status}})
    _map(lab, stream_arn, out_url, BatchSize=100, ParallelizationFactor=4)
    batches = lh.batches(lab, out_url)
    assert 2 <= len(batches) <= 4
    events: dict[str, list[str]] = {}
    for batch in batches:
        for record in batch:
            events.setdefault(record["keys"]["pk"]["S"], []).append(record["name"])
    assert events == {order: ["INSERT", "MODIFY", "MODIFY"] for order in SESSIONS}
