"""Writing and reading a 10,000-record shard costs O(N) (plain moto 5.2.5: O(N^2)); MillisBehindLatest is 0 only at the tip.

Behaviour first (sequence numbers, order, Limit, NextShardIterator), then the cost: a budget no
O(N^2) implementation meets on these machines (plain moto needs several seconds for the read).
"""

from __future__ import annotations

import time

from labs.helpers import Lab
from labs.helpers.functions import advance


def test_records_read_back_in_order_page_by_page(lab: Lab) -> None:
    kinesis = lab.client("kinesis")
    name = lab.name("clicks")
    kinesis.create_stream(StreamName=name, ShardCount=1)
    sent = [kinesis.put_record(StreamName=name, Data=f"r{i}".encode(), PartitionKey="p")["SequenceNumber"]
            for i in range(7)]
    shard = kinesis.list_shards(StreamName=name)["Shards"][0]["ShardId"]
    it = kinesis.get_shard_iterator(StreamName=name, ShardId=shard, ShardIteratorType="TRIM_HORIZON")["ShardIterator"]
    pages = []
    while True:
        page = kinesis.get_records(ShardIterator=it, Limit=3)
        if not page["Records"]:
            assert page["MillisBehindLatest"] == 0
            break
        pages.append([r["SequenceNumber"] for r in page["Records"]])
        it = page["NextShardIterator"]
    assert pages == [sent[0:3], sent[3:6], sent[6:7]]
    after = kinesis.get_shard_iterator(StreamName=name, ShardId=shard, ShardIteratorType="AFTER_SEQUENCE_NUMBER",
                                       StartingSequenceNumber=sent[4])["ShardIterator"]
    assert [r["Data"] for r in kinesis.get_records(ShardIterator=after)["Records"]] == [b"r5", b"r6"]


def test_ten_thousand_records_are_written_and_read_quickly(lab: Lab) -> None:
    kinesis = lab.client("kinesis")
    name = lab.name("clicks")
    kinesis.create_stream(StreamName=name, ShardCount=1)
    start = time.perf_counter()
    for second in range(10):
        for _ in range(2):
            kinesis.put_records(StreamName=name, Records=[{"Data": b"v", "PartitionKey": "p"}] * 500)
        advance(lab, seconds=1)
    shard = kinesis.list_shards(StreamName=name)["Shards"][0]["ShardId"]
    it = kinesis.get_shard_iterator(StreamName=name, ShardId=shard, ShardIteratorType="TRIM_HORIZON")["ShardIterator"]
    read = 0
    while True:
        page = kinesis.get_records(ShardIterator=it, Limit=1000)
        if not page["Records"]:
            break
        read += len(page["Records"])
        it = page["NextShardIterator"]
    assert read == 10000
    assert time.perf_counter() - start < 6.0


def test_millis_behind_latest_is_zero_only_at_the_tip(lab: Lab) -> None:
    """AWS (GetRecords): "A value of zero indicates that record processing is caught up, and there are no
    new records to process at this moment". Plain moto answers 0 whenever the records left arrived within
    the same millisecond as the last one read, so a reader that stops at 0 stops early."""
    kinesis = lab.client("kinesis")
    name = lab.name("clicks")
    kinesis.create_stream(StreamName=name, ShardCount=1)
    kinesis.put_records(StreamName=name, Records=[{"Data": f"r{i}".encode(), "PartitionKey": "p"} for i in range(5)])
    shard = kinesis.list_shards(StreamName=name)["Shards"][0]["ShardId"]
    it = kinesis.get_shard_iterator(StreamName=name, ShardId=shard, ShardIteratorType="TRIM_HORIZON")["ShardIterator"]
    first = kinesis.get_records(ShardIterator=it, Limit=2)
    assert len(first["Records"]) == 2 and first["MillisBehindLatest"] > 0
    rest = kinesis.get_records(ShardIterator=first["NextShardIterator"], Limit=10)
    assert len(rest["Records"]) == 3 and rest["MillisBehindLatest"] == 0
