"""A stream record's region, creation time and size (DynamoDB Streams API reference, StreamRecord:
ApproximateCreationDateTime "rounded down to the closest second"; a real GetRecords answer for the item
{ID: "2", Title: "aaa"} with NEW_AND_OLD_IMAGES says SizeBytes 22 and the table's region). Plain moto 5.2.5
(``LABS_EMULATOR_DISABLE=dynamodbstreams_record_fields``) says us-east-1, keeps microseconds of the machine
clock and counts the record's JSON (234 bytes)."""

from __future__ import annotations

import time

import boto3

from labs.helpers import Lab
from labs.helpers.emulator.events.schedules import now
from labs.helpers.functions import advance


def _records(lab: Lab, region: str, *writes: str) -> list[dict]:
    """Create a NEW_AND_OLD_IMAGES table in ``region``, apply ``writes`` ("put" / "delete" of the
    item {ID: "2", Title: "aaa"}) and read its stream back with GetRecords."""
    ddb = boto3.client("dynamodb", region_name=region)
    streams = boto3.client("dynamodbstreams", region_name=region)
    name = lab.name("sizes")
    arn = ddb.create_table(
        TableName=name, BillingMode="PAY_PER_REQUEST",
        AttributeDefinitions=[{"AttributeName": "ID", "AttributeType": "S"}, {"AttributeName": "Title", "AttributeType": "S"}],
        KeySchema=[{"AttributeName": "ID", "KeyType": "HASH"}, {"AttributeName": "Title", "KeyType": "RANGE"}],
        StreamSpecification={"StreamEnabled": True, "StreamViewType": "NEW_AND_OLD_IMAGES"},
    )["TableDescription"]["LatestStreamArn"]
    key = {"ID": {"S": "2"}, "Title": {"S": "aaa"}}
    try:
        for write in writes:
            if write == "put":
                ddb.put_item(TableName=name, Item=key)
            else:
                ddb.delete_item(TableName=name, Key=key)
        shard = streams.describe_stream(StreamArn=arn)["StreamDescription"]["Shards"][0]["ShardId"]
        iterator = streams.get_shard_iterator(StreamArn=arn, ShardId=shard,
                                              ShardIteratorType="TRIM_HORIZON")["ShardIterator"]
        return streams.get_records(ShardIterator=iterator)["Records"]
    finally:
        ddb.delete_table(TableName=name)


def test_size_bytes_counts_the_key_and_the_images_as_dynamodb_counts_item_sizes(lab: Lab) -> None:
    inserted, removed = _records(lab, lab.backend.region, "put", "delete")
    assert inserted["eventName"] == "INSERT" and inserted["dynamodb"]["SizeBytes"] == 22  # key 11 + new image 11
    assert removed["eventName"] == "REMOVE" and removed["dynamodb"]["SizeBytes"] == 22  # key 11 + old image 11


def test_a_record_carries_its_tables_region(lab: Lab) -> None:
    (record,) = _records(lab, "eu-west-1", "put")
    assert record["awsRegion"] == "eu-west-1"


def test_the_creation_time_is_rounded_down_to_the_second_on_the_emulator_clock(lab: Lab) -> None:
    advance(lab, minutes=90)  # the emulator clock runs 90 minutes ahead of the machine's (at least)
    before, real_before = now(), time.time()
    (record,) = _records(lab, lab.backend.region, "put")
    created = record["dynamodb"]["ApproximateCreationDateTime"].timestamp()
    assert created == int(created)
    assert int(real_before + 90 * 60) <= created  # on the emulator clock, not the machine's
    assert int(before) <= created <= now()
