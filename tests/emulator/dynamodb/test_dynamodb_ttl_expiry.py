"""Time to Live deletes expired items; the stream shows each deletion as done by the service.

DynamoDB API reference, UpdateTimeToLive: "If the epoch time value stored in the attribute is less
than the current time, the item is marked as expired and subsequently deleted ... Items that have
expired and not been deleted will still show up in reads"; DynamoDB Streams API reference,
Record.userIdentity: items "deleted by the Time to Live process after expiration" have
``userIdentity.type`` "Service" and ``userIdentity.principalId`` "dynamodb.amazonaws.com". On the
emulator the TTL process runs when its clock is advanced (``functions.advance``). Plain moto 5.2.5
(``LABS_EMULATOR_DISABLE=dynamodb_ttl_expiry``) never deletes anything.
"""

from __future__ import annotations

import time

from labs.helpers import Lab
from labs.helpers.functions import advance


def _carts(lab: Lab) -> str:
    ddb = lab.client("dynamodb")
    stream = ddb.create_table(
        TableName=lab.name("carts"), BillingMode="PAY_PER_REQUEST",
        AttributeDefinitions=[{"AttributeName": "cart_id", "AttributeType": "S"}],
        KeySchema=[{"AttributeName": "cart_id", "KeyType": "HASH"}],
        StreamSpecification={"StreamEnabled": True, "StreamViewType": "NEW_AND_OLD_IMAGES"},
    )["TableDescription"]["LatestStreamArn"]
    ddb.update_time_to_live(TableName=lab.name("carts"),
                            TimeToLiveSpecification={"Enabled": True, "AttributeName": "expires_at"})
    return stream


def _records(lab: Lab, stream: str) -> list[dict]:
    streams = lab.client("dynamodbstreams")
    shard = streams.describe_stream(StreamArn=stream)["StreamDescription"]["Shards"][0]["ShardId"]
    iterator = streams.get_shard_iterator(StreamArn=stream, ShardId=shard,
                                          ShardIteratorType="TRIM_HORIZON")["ShardIterator"]
    return streams.get_records(ShardIterator=iterator)["Records"]


def test_expired_items_are_deleted_when_time_passes_and_removals_name_the_service(lab: Lab) -> None:
    stream = _carts(lab)
    ddb = lab.client("dynamodb")
    now = int(time.time())
    ddb.put_item(TableName=lab.name("carts"), Item={"cart_id": {"S": "c-old"}, "expires_at": {"N": str(now - 60)}})
    ddb.put_item(TableName=lab.name("carts"), Item={"cart_id": {"S": "c-later"}, "expires_at": {"N": str(now + 7200)}})
    ddb.put_item(TableName=lab.name("carts"), Item={"cart_id": {"S": "c-keep"}})
    ddb.put_item(TableName=lab.name("carts"), Item={"cart_id": {"S": "c-text"}, "expires_at": {"S": "yesterday"}})
    # expired but not yet deleted: still readable, as AWS documents
    assert "Item" in ddb.get_item(TableName=lab.name("carts"), Key={"cart_id": {"S": "c-old"}})
    advance(lab, minutes=10)
    left = sorted(i["cart_id"]["S"] for i in ddb.scan(TableName=lab.name("carts"))["Items"])
    assert left == ["c-keep", "c-later", "c-text"]
    advance(lab, hours=3)
    left = sorted(i["cart_id"]["S"] for i in ddb.scan(TableName=lab.name("carts"))["Items"])
    assert left == ["c-keep", "c-text"]
    removals = [r for r in _records(lab, stream) if r["eventName"] == "REMOVE"]
    assert [r["dynamodb"]["Keys"]["cart_id"]["S"] for r in removals] == ["c-old", "c-later"]
    assert all(r["userIdentity"] == {"Type": "Service", "PrincipalId": "dynamodb.amazonaws.com"} for r in removals)
    assert removals[0]["dynamodb"]["OldImage"]["cart_id"] == {"S": "c-old"}


def test_a_delete_by_the_application_has_no_user_identity(lab: Lab) -> None:
    stream = _carts(lab)
    ddb = lab.client("dynamodb")
    ddb.put_item(TableName=lab.name("carts"), Item={"cart_id": {"S": "c-1"}, "expires_at": {"N": str(int(time.time()) - 5)}})
    ddb.delete_item(TableName=lab.name("carts"), Key={"cart_id": {"S": "c-1"}})
    advance(lab, minutes=1)
    removal = [r for r in _records(lab, stream) if r["eventName"] == "REMOVE"]
    assert len(removal) == 1 and "userIdentity" not in removal[0]


def test_advance_lists_the_ttl_deletions(lab: Lab) -> None:
    _carts(lab)
    lab.client("dynamodb").put_item(TableName=lab.name("carts"),
                                    Item={"cart_id": {"S": "c-9"}, "expires_at": {"N": str(int(time.time()) - 1)}})
    fired = [f for f in advance(lab, minutes=1) if f["kind"] == "ttl"]
    assert [f["keys"] for f in fired] == [{"cart_id": {"S": "c-9"}}]


def test_tables_without_ttl_keep_their_items(lab: Lab) -> None:
    ddb = lab.client("dynamodb")
    ddb.create_table(TableName=lab.name("orders"), BillingMode="PAY_PER_REQUEST",
                     AttributeDefinitions=[{"AttributeName": "order_id", "AttributeType": "S"}],
                     KeySchema=[{"AttributeName": "order_id", "KeyType": "HASH"}])
    ddb.put_item(TableName=lab.name("orders"), Item={"order_id": {"S": "o-1"}, "expires_at": {"N": "1"}})
    advance(lab, days=3)
    assert ddb.scan(TableName=lab.name("orders"))["Count"] == 1


def test_a_lambda_mapping_receives_ttl_removals_with_the_service_identity(lab: Lab, deliveries: list) -> None:
    """Lambda's DynamoDB event spells it ``"userIdentity": {"type": "Service", "principalId":
    "dynamodb.amazonaws.com"}`` (Lambda developer guide, "Using Lambda with DynamoDB": filtering TTL deletions)."""
    import tests.emulator.lambda_helpers as lh
    from labs.helpers.functions import settle

    stream = _carts(lab)
    fn = lh.deploy(lab, "archiver", "def handler(event, context):\n    return None\n")
    lab.client("lambda").create_event_source_mapping(
        EventSourceArn=stream, FunctionName=fn, StartingPosition="TRIM_HORIZON",
        FilterCriteria={"Filters": [{"Pattern": '{"userIdentity": {"type": ["Service"], "principalId": ["dynamodb.amazonaws.com"]}}'}]})
    ddb = lab.client("dynamodb")
    ddb.put_item(TableName=lab.name("carts"), Item={"cart_id": {"S": "c-1"}, "expires_at": {"N": str(int(time.time()) - 5)}})
    ddb.put_item(TableName=lab.name("carts"), Item={"cart_id": {"S": "c-2"}})
    ddb.delete_item(TableName=lab.name("carts"), Key={"cart_id": {"S": "c-2"}})
    advance(lab, minutes=1)
    settle(lab)
    invoked = [r for d in deliveries if d.action == "esm-invoke" for r in d.payload["Records"]]
    assert [(r["eventName"], r["dynamodb"]["Keys"]["cart_id"]["S"]) for r in invoked] == [("REMOVE", "c-1")]
    assert invoked[0]["userIdentity"] == {"type": "Service", "principalId": "dynamodb.amazonaws.com"}
