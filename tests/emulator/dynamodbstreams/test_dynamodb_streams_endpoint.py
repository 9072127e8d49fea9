"""DynamoDB Streams work from a default boto3 client (account-based endpoint).

AWS SDK reference, "Account-based endpoints": "DynamoDB ... account-based endpoints", with
``account_id_endpoint_mode`` defaulting to ``preferred``; botocore 1.44 therefore sends stream-ARN
calls to ``<account>.streams-ddb.<region>.amazonaws.com``. DynamoDB Streams API reference,
StreamViewType NEW_AND_OLD_IMAGES: "Both the new and the old images of the item are written to the
stream"; eventName is INSERT, MODIFY or REMOVE. Plain moto 5.2.5 answers these calls 404.
"""

from __future__ import annotations

from typing import Any

import boto3

from labs.helpers import Lab


def _table_with_stream(lab: Lab) -> tuple[Any, str]:
    ddb = lab.client("dynamodb")
    name = lab.name("inventory")
    ddb.create_table(
        TableName=name, BillingMode="PAY_PER_REQUEST",
        KeySchema=[{"AttributeName": "sku", "KeyType": "HASH"}],
        AttributeDefinitions=[{"AttributeName": "sku", "AttributeType": "S"}],
        StreamSpecification={"StreamEnabled": True, "StreamViewType": "NEW_AND_OLD_IMAGES"},
    )
    ddb.put_item(TableName=name, Item={"sku": {"S": "SKU-1"}, "stock": {"N": "5"}})
    ddb.put_item(TableName=name, Item={"sku": {"S": "SKU-1"}, "stock": {"N": "4"}})
    return ddb, ddb.describe_table(TableName=name)["Table"]["LatestStreamArn"]


def _read_stream(streams: Any, stream_arn: str) -> list[dict[str, Any]]:
    description = streams.describe_stream(StreamArn=stream_arn)["StreamDescription"]
    assert description["StreamStatus"] == "ENABLED"
    assert description["StreamViewType"] == "NEW_AND_OLD_IMAGES"
    records: list[dict[str, Any]] = []
    for shard in description["Shards"]:
        iterator = streams.get_shard_iterator(StreamArn=stream_arn, ShardId=shard["ShardId"],
                                              ShardIteratorType="TRIM_HORIZON")["ShardIterator"]
        records += streams.get_records(ShardIterator=iterator)["Records"]
    return records


def _assert_insert_then_modify(records: list[dict[str, Any]]) -> None:
    assert [r["eventName"] for r in records] == ["INSERT", "MODIFY"]
    insert, modify = (r["dynamodb"] for r in records)
    assert insert["NewImage"]["stock"] == {"N": "5"} and "OldImage" not in insert
    assert modify["OldImage"]["stock"] == {"N": "5"} and modify["NewImage"]["stock"] == {"N": "4"}


def test_default_client_reads_insert_and_modify(lab: Lab) -> None:
    _, stream_arn = _table_with_stream(lab)
    streams = boto3.client("dynamodbstreams", region_name=lab.backend.region)  # the student's own client
    _assert_insert_then_modify(_read_stream(streams, stream_arn))


def test_lab_client_reads_the_stream_too(lab: Lab) -> None:
    _, stream_arn = _table_with_stream(lab)
    _assert_insert_then_modify(_read_stream(lab.client("dynamodbstreams"), stream_arn))


def test_moto_server_with_layer_serves_streams(lab: Lab) -> None:
    """The same calls through a loopback moto server started by the helpers (endpoint backend)."""
    from labs.helpers.emulator.server import start_server

    server = start_server()
    try:
        kwargs: dict[str, Any] = {"region_name": "us-east-1", "endpoint_url": server.url,
                                  "aws_access_key_id": "testing", "aws_secret_access_key": "testing"}
        ddb = boto3.client("dynamodb", **kwargs)
        ddb.create_table(
            TableName="inventory", BillingMode="PAY_PER_REQUEST",
            KeySchema=[{"AttributeName": "sku", "KeyType": "HASH"}],
            AttributeDefinitions=[{"AttributeName": "sku", "AttributeType": "S"}],
            StreamSpecification={"StreamEnabled": True, "StreamViewType": "NEW_AND_OLD_IMAGES"},
        )
        ddb.put_item(TableName="inventory", Item={"sku": {"S": "SKU-1"}, "stock": {"N": "5"}})
        ddb.put_item(TableName="inventory", Item={"sku": {"S": "SKU-1"}, "stock": {"N": "4"}})
        stream_arn = ddb.describe_table(TableName="inventory")["Table"]["LatestStreamArn"]
        _assert_insert_then_modify(_read_stream(boto3.client("dynamodbstreams", **kwargs), stream_arn))
    finally:
        server.stop()
