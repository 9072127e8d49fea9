"""Kinesis enforces each shard's write limit: 1,000 records/s and 1 MiB/s, on a rolling window.

AWS (API reference, PutRecords): "Each shard can support writes up to 1,000 records per second, up
to a maximum data write total of 1 MiB per second"; a refused record carries ``ErrorCode``
"ProvisionedThroughputExceededException" and an ErrorMessage "Rate exceeded for shard ... in stream
... under account ...", and ``FailedRecordCount`` counts them; "A single record failure does not
stop the processing of subsequent records". PutRecord raises ProvisionedThroughputExceededException.
Plain moto 5.2.5 accepts every record at any rate.
"""

from __future__ import annotations

import datetime

import boto3
import pytest
from botocore.config import Config
from botocore.exceptions import ClientError

from labs.helpers import Lab
from labs.helpers.functions import advance


def _stream(lab: Lab, shards: int = 1) -> str:
    kinesis = lab.client("kinesis")
    name = lab.name("clicks")
    kinesis.create_stream(StreamName=name, ShardCount=shards)
    return name


def test_a_hot_partition_key_is_throttled_per_record(lab: Lab) -> None:
    kinesis, name = lab.client("kinesis"), _stream(lab, 2)
    responses = [kinesis.put_records(StreamName=name, Records=[{"Data": b"v", "PartitionKey": "bot"}] * 500)
                 for _ in range(3)]
    assert [r["FailedRecordCount"] for r in responses] == [0, 0, 500]
    failed = responses[2]["Records"][0]
    assert failed["ErrorCode"] == "ProvisionedThroughputExceededException"
    assert failed["ErrorMessage"].startswith("Rate exceeded for shard shardId-")
    assert name in failed["ErrorMessage"]


def test_failed_records_sit_at_their_own_positions_and_other_shards_still_accept(lab: Lab) -> None:
    kinesis, name = lab.client("kinesis"), _stream(lab, 2)
    kinesis.put_records(StreamName=name, Records=[{"Data": b"v", "PartitionKey": "bot"}] * 500)
    kinesis.put_records(StreamName=name, Records=[{"Data": b"v", "PartitionKey": "bot"}] * 500)
    mixed = [{"Data": b"v", "PartitionKey": key} for key in ["bot", "shopper-7", "bot"]]
    bot_shard = kinesis.put_records(StreamName=name, Records=[{"Data": b"v", "PartitionKey": "bot"}])
    assert bot_shard["FailedRecordCount"] == 1
    other = next(f"k{i}" for i in range(100)
                 if kinesis.put_records(StreamName=name, Records=[{"Data": b"v", "PartitionKey": f"k{i}"}])
                 ["FailedRecordCount"] == 0)
    mixed[1]["PartitionKey"] = other
    result = kinesis.put_records(StreamName=name, Records=mixed)
    assert result["FailedRecordCount"] == 2
    assert [("ErrorCode" in r) for r in result["Records"]] == [True, False, True]


def test_the_window_rolls_on_the_emulator_clock(lab: Lab) -> None:
    kinesis, name = lab.client("kinesis"), _stream(lab)
    for _ in range(2):
        assert kinesis.put_records(StreamName=name, Records=[{"Data": b"v", "PartitionKey": "p"}] * 500)[
            "FailedRecordCount"] == 0
    assert kinesis.put_records(StreamName=name, Records=[{"Data": b"v", "PartitionKey": "p"}])["FailedRecordCount"] == 1
    advance(lab, seconds=1)
    assert kinesis.put_records(StreamName=name, Records=[{"Data": b"v", "PartitionKey": "p"}] * 500)[
        "FailedRecordCount"] == 0


def test_one_mib_per_second_per_shard(lab: Lab) -> None:
    kinesis, name = lab.client("kinesis"), _stream(lab)
    blob = b"x" * (100 * 1024)  # 100 KiB: ten fill the shard's MiB for this second
    result = kinesis.put_records(StreamName=name, Records=[{"Data": blob, "PartitionKey": "p"}] * 11)
    assert result["FailedRecordCount"] == 1 and "ErrorCode" in result["Records"][-1]


def test_put_record_raises_provisioned_throughput_exceeded(lab: Lab) -> None:
    name = _stream(lab)
    # botocore itself retries this error with a backoff; without retries the raw answer shows
    kinesis = boto3.client("kinesis", region_name=lab.backend.region, config=Config(retries={"total_max_attempts": 1}))
    for _ in range(2):
        kinesis.put_records(StreamName=name, Records=[{"Data": b"v", "PartitionKey": "p"}] * 500)
    with pytest.raises(ClientError) as err:
        kinesis.put_record(StreamName=name, Data=b"v", PartitionKey="p")
    assert err.value.response["Error"]["Code"] == "ProvisionedThroughputExceededException"


def test_arrival_timestamps_follow_the_emulator_clock(lab: Lab) -> None:
    kinesis, name = lab.client("kinesis"), _stream(lab)
    kinesis.put_record(StreamName=name, Data=b"before", PartitionKey="p")
    advance(lab, seconds=120)
    kinesis.put_record(StreamName=name, Data=b"after", PartitionKey="p")
    shard = kinesis.list_shards(StreamName=name)["Shards"][0]["ShardId"]
    it = kinesis.get_shard_iterator(StreamName=name, ShardId=shard, ShardIteratorType="TRIM_HORIZON")["ShardIterator"]
    records = kinesis.get_records(ShardIterator=it)["Records"]
    gap = records[1]["ApproximateArrivalTimestamp"] - records[0]["ApproximateArrivalTimestamp"]
    assert gap >= datetime.timedelta(seconds=119)
    at = kinesis.get_shard_iterator(StreamName=name, ShardId=shard, ShardIteratorType="AT_TIMESTAMP",
                                    Timestamp=records[1]["ApproximateArrivalTimestamp"])["ShardIterator"]
    assert [r["Data"] for r in kinesis.get_records(ShardIterator=at)["Records"]] == [b"after"]
