"""Resharding closes parents with their records in place; children take new writes; readers can finish a parent.

AWS (developer guide, "Data routing, data persistence, and shard state after a reshard"): parent shards
become CLOSED, "the records in the parent shards remain accessible", "new records are routed to the
child shards"; (GetRecords) a closed shard's last page has no NextShardIterator and lists ChildShards.
Plain moto 5.2.5 re-puts or copies the parents' records and keeps writing into closed shards.
"""

from __future__ import annotations

from labs.helpers import Lab


def _setup(lab: Lab) -> tuple[object, str]:
    kinesis = lab.client("kinesis")
    name = lab.name("clicks")
    kinesis.create_stream(StreamName=name, ShardCount=1)
    return kinesis, name


def _read(kinesis, name: str, shard: str) -> tuple[list[bytes], dict]:
    it = kinesis.get_shard_iterator(StreamName=name, ShardId=shard, ShardIteratorType="TRIM_HORIZON")["ShardIterator"]
    page = kinesis.get_records(ShardIterator=it)
    return [r["Data"] for r in page["Records"]], page


def test_split_keeps_the_parents_records_and_routes_new_writes_to_children(lab: Lab) -> None:
    kinesis, name = _setup(lab)
    old = [kinesis.put_record(StreamName=name, Data=f"old-{i}".encode(), PartitionKey=f"k{i}") for i in range(6)]
    kinesis.update_shard_count(StreamName=name, TargetShardCount=2, ScalingType="UNIFORM_SCALING")
    shards = kinesis.list_shards(StreamName=name)["Shards"]
    parent = shards[0]["ShardId"]
    children = [s for s in shards if s.get("ParentShardId") == parent]
    assert len(children) == 2 and "EndingSequenceNumber" in shards[0]["SequenceNumberRange"]
    assert kinesis.describe_stream_summary(StreamName=name)["StreamDescriptionSummary"]["OpenShardCount"] == 2
    data, page = _read(kinesis, name, parent)
    assert data == [f"old-{i}".encode() for i in range(6)]
    assert "NextShardIterator" not in page
    assert sorted(c["ShardId"] for c in page["ChildShards"]) == sorted(c["ShardId"] for c in children)
    new = [kinesis.put_record(StreamName=name, Data=f"new-{i}".encode(), PartitionKey=f"k{i}") for i in range(6)]
    assert {r["ShardId"] for r in new} <= {c["ShardId"] for c in children}
    assert min(int(r["SequenceNumber"]) for r in new) > max(int(r["SequenceNumber"]) for r in old)
    assert _read(kinesis, name, parent)[0] == data  # nothing new in the closed parent
    in_children = sum(len(_read(kinesis, name, c["ShardId"])[0]) for c in children)
    assert in_children == 6


def test_merge_does_not_duplicate_records(lab: Lab) -> None:
    kinesis = lab.client("kinesis")
    name = lab.name("clicks")
    kinesis.create_stream(StreamName=name, ShardCount=2)
    for i in range(10):
        kinesis.put_record(StreamName=name, Data=f"r{i}".encode(), PartitionKey=f"k{i}")
    kinesis.update_shard_count(StreamName=name, TargetShardCount=1, ScalingType="UNIFORM_SCALING")
    total = sum(len(_read(kinesis, name, s["ShardId"])[0]) for s in kinesis.list_shards(StreamName=name)["Shards"])
    assert total == 10


def test_split_shard_by_hand_counts_open_shards(lab: Lab) -> None:
    kinesis = lab.client("kinesis")
    name = lab.name("clicks")
    kinesis.create_stream(StreamName=name, ShardCount=2)
    first = kinesis.list_shards(StreamName=name)["Shards"][0]
    middle = (int(first["HashKeyRange"]["StartingHashKey"]) + int(first["HashKeyRange"]["EndingHashKey"])) // 2
    kinesis.split_shard(StreamName=name, ShardToSplit=first["ShardId"], NewStartingHashKey=str(middle))
    assert kinesis.describe_stream_summary(StreamName=name)["StreamDescriptionSummary"]["OpenShardCount"] == 3


def test_an_open_shard_reader_keeps_its_iterator(lab: Lab) -> None:
    kinesis, name = _setup(lab)
    kinesis.put_record(StreamName=name, Data=b"x", PartitionKey="k")
    shard = kinesis.list_shards(StreamName=name)["Shards"][0]["ShardId"]
    _, page = _read(kinesis, name, shard)
    assert page["NextShardIterator"] and "ChildShards" not in page
