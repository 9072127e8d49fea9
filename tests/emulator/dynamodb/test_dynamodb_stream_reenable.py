"""Disabling a table's stream and enabling a new one changes its view type (DynamoDB developer guide:
"If you disable and then re-enable a stream on a table, a new stream is created with a different stream
descriptor"). Plain moto 5.2.5 (``LABS_EMULATOR_DISABLE=dynamodb_stream_reenable``) refuses the second
enable with ResourceInUseException "Cannot enable stream"."""

from __future__ import annotations

import pytest
from botocore.exceptions import ClientError

from labs.helpers import Lab


def _table(lab: Lab, view: str) -> str:
    return lab.client("dynamodb").create_table(
        TableName=lab.name("orders"), BillingMode="PAY_PER_REQUEST",
        AttributeDefinitions=[{"AttributeName": "order_id", "AttributeType": "S"}],
        KeySchema=[{"AttributeName": "order_id", "KeyType": "HASH"}],
        StreamSpecification={"StreamEnabled": True, "StreamViewType": view},
    )["TableDescription"]["LatestStreamArn"]


def test_a_disabled_stream_can_be_replaced_by_one_of_another_view_type(lab: Lab) -> None:
    first = _table(lab, "NEW_IMAGE")
    ddb = lab.client("dynamodb")
    ddb.update_table(TableName=lab.name("orders"), StreamSpecification={"StreamEnabled": False})
    ddb.update_table(TableName=lab.name("orders"),
                     StreamSpecification={"StreamEnabled": True, "StreamViewType": "NEW_AND_OLD_IMAGES"})
    table = ddb.describe_table(TableName=lab.name("orders"))["Table"]
    assert table["StreamSpecification"] == {"StreamEnabled": True, "StreamViewType": "NEW_AND_OLD_IMAGES"}
    assert table["LatestStreamArn"] != first
    ddb.put_item(TableName=lab.name("orders"), Item={"order_id": {"S": "o-1"}, "status": {"S": "PLACED"}})
    streams = lab.client("dynamodbstreams")
    shard = streams.describe_stream(StreamArn=table["LatestStreamArn"])["StreamDescription"]["Shards"][0]["ShardId"]
    iterator = streams.get_shard_iterator(StreamArn=table["LatestStreamArn"], ShardId=shard,
                                          ShardIteratorType="TRIM_HORIZON")["ShardIterator"]
    [record] = streams.get_records(ShardIterator=iterator)["Records"]
    assert record["dynamodb"]["StreamViewType"] == "NEW_AND_OLD_IMAGES"


def test_enabling_a_second_stream_while_one_is_enabled_is_still_refused(lab: Lab) -> None:
    _table(lab, "NEW_IMAGE")
    with pytest.raises(ClientError):
        lab.client("dynamodb").update_table(TableName=lab.name("orders"),
                                            StreamSpecification={"StreamEnabled": True, "StreamViewType": "KEYS_ONLY"})
