"""Lab 6's checks on plausible wrong states (at least four per check) and right answers unlike the solution.

The wrong-answer suite (``tests/wrong_answers/dynamodb_streams.py``) runs the same mistakes through the whole
notebook; these tests call the checks directly, fast, on states built here.
"""

from __future__ import annotations

import json
from collections.abc import Callable
from typing import Any

import pytest
from boto3.dynamodb.types import TypeDeserializer

from labs.helpers import Lab, outbox, start_lab
from labs.helpers.checks import run
from labs.helpers.functions import handler_name, package_handler, settle, wait_for_mapping
from labs.helpers.resources import ensure_role

S = "dynamodb-streams"
deserialize = TypeDeserializer().deserialize


@pytest.fixture
def ddb_lab(emulator: None) -> Lab:
    return start_lab(S)


def _orders(lab: Lab, *, view: str | None = "NEW_AND_OLD_IMAGES", key: str = "order_id", key_type: str = "S",
            billing: str = "PAY_PER_REQUEST", range_key: str | None = None) -> str | None:
    ddb = lab.client("dynamodb")
    schema = [{"AttributeName": key, "KeyType": "HASH"}]
    attributes = [{"AttributeName": key, "AttributeType": key_type}]
    if range_key:
        schema.append({"AttributeName": range_key, "KeyType": "RANGE"})
        attributes.append({"AttributeName": range_key, "AttributeType": "S"})
    extra: dict[str, Any] = {}
    if view:
        extra["StreamSpecification"] = {"StreamEnabled": True, "StreamViewType": view}
    if billing == "PROVISIONED":
        extra["ProvisionedThroughput"] = {"ReadCapacityUnits": 1, "WriteCapacityUnits": 1}
    table = ddb.create_table(TableName=lab.name("orders"), BillingMode=billing, KeySchema=schema,
                             AttributeDefinitions=attributes, **extra)["TableDescription"]
    return table.get("LatestStreamArn")


# ---------------------------------------------------------------------------- table
@pytest.mark.parametrize(("state", "hint"), [
    ({"view": "KEYS_ONLY"}, "NEW_AND_OLD_IMAGES"),
    ({"view": "NEW_IMAGE"}, "NEW_AND_OLD_IMAGES"),
    ({"view": "OLD_IMAGE"}, "NEW_AND_OLD_IMAGES"),
    ({"view": None}, "StreamSpecification"),
    ({"key": "id"}, "KeySchema"),
    ({"range_key": "status"}, "RANGE"),
    ({"key_type": "N"}, "AttributeType"),
    ({"billing": "PROVISIONED"}, "PAY_PER_REQUEST"),
])
def test_table_wrong_states(ddb_lab: Lab, state: dict[str, Any], hint: str) -> None:
    _orders(ddb_lab, **state)
    result = run(f"{S}.table", ddb_lab)
    assert result.status == "incorrect" and hint in (result.hint or "")


def test_table_missing_is_not_attempted_and_a_stream_added_later_is_right(ddb_lab: Lab) -> None:
    assert run(f"{S}.table", ddb_lab).status == "not-attempted"
    _orders(ddb_lab, view=None)
    ddb_lab.client("dynamodb").update_table(TableName=ddb_lab.name("orders"), StreamSpecification={
        "StreamEnabled": True, "StreamViewType": "NEW_AND_OLD_IMAGES"})
    assert run(f"{S}.table", ddb_lab).passed


# ---------------------------------------------------------------------------- read
def _reader(lab: Lab, *, iterator: str = "TRIM_HORIZON", loop: str = "pages", limit: int | None = None) -> Callable:
    streams = lab.client("dynamodbstreams")

    def read_stream(arn: str) -> list[dict]:
        records: list[dict] = []
        for shard in streams.describe_stream(StreamArn=arn)["StreamDescription"]["Shards"]:
            it = streams.get_shard_iterator(StreamArn=arn, ShardId=shard["ShardId"], ShardIteratorType=iterator)["ShardIterator"]
            while it:
                page = streams.get_records(ShardIterator=it, **({"Limit": limit} if limit else {}))
                records += page["Records"]
                if loop == "once" or (loop == "pages" and not page["Records"]):
                    break
                it = page.get("NextShardIterator")
        return records

    return read_stream


def _changes(kind: str = "right") -> Callable:
    def status_changes(records: list[dict]) -> list[tuple]:
        out = []
        for r in records:
            d = r["dynamodb"]
            old, new = d.get("OldImage", {}), d.get("NewImage", {})
            if kind == "typed":
                out.append((d["Keys"]["order_id"], old.get("status"), new.get("status")))
            elif kind == "keyerror":
                out.append((deserialize(d["Keys"]["order_id"]), deserialize(old["status"]), deserialize(new["status"])))
            else:
                o = deserialize(old["status"]) if "status" in old else None
                n = deserialize(new["status"]) if "status" in new else None
                out.append((deserialize(d["Keys"]["order_id"]), n, o) if kind == "swapped"
                           else (d["Keys"]["order_id"]["S"], o, n))
        return out

    return status_changes


@pytest.mark.parametrize(("reader", "changes", "hint"), [
    ({"iterator": "LATEST"}, "right", "TRIM_HORIZON"),
    ({"loop": "forever"}, "right", "NextShardIterator"),
    ({"loop": "once", "limit": 2}, "right", "NextShardIterator"),
    ({}, "typed", "TypeDeserializer"),
    ({}, "swapped", "OldImage"),
    ({}, "keyerror", "None"),
])
def test_read_wrong_answers(ddb_lab: Lab, reader: dict[str, Any], changes: str, hint: str) -> None:
    result = run(f"{S}.read", ddb_lab, _reader(ddb_lab, **reader), _changes(changes))
    assert result.status == "incorrect" and hint in (result.hint or ""), result.text()


def test_read_right_with_small_pages_and_manual_decoding(ddb_lab: Lab) -> None:
    result = run(f"{S}.read", ddb_lab, _reader(ddb_lab, limit=2), _changes("right"))
    assert result.passed, result.text()


# ---------------------------------------------------------------------------- notifier
def _setup_notifier(lab: Lab) -> tuple[str, str, str]:
    stream = _orders(lab)
    sns, sqs, lam, ddb = (lab.client(s) for s in ("sns", "sqs", "lambda", "dynamodb"))
    topic = sns.create_topic(Name=lab.name("order-updates"))["TopicArn"]
    sns.subscribe(TopicArn=topic, Protocol="email", Endpoint="ana@securecart.example",
                  Attributes={"FilterPolicy": json.dumps({"customer_id": ["c-ana"]})})
    sns.confirm_subscription(TopicArn=topic, Token=outbox.confirmation_token(lab, "ana@securecart.example"))
    ddb.create_table(TableName=lab.name("notified"), BillingMode="PAY_PER_REQUEST",
                     AttributeDefinitions=[{"AttributeName": "key", "AttributeType": "S"}],
                     KeySchema=[{"AttributeName": "key", "KeyType": "HASH"}])
    url = sqs.create_queue(QueueName=lab.name("notifier-failures"))["QueueUrl"]
    failures = sqs.get_queue_attributes(QueueUrl=url, AttributeNames=["QueueArn"])["Attributes"]["QueueArn"]
    role = ensure_role(lab, "status-notifier-role", "lambda.amazonaws.com",
                       [{"Effect": "Allow", "Action": "*", "Resource": "*"}])
    lam.create_function(FunctionName=lab.name("status-notifier"), Runtime="python3.12", Role=role,
                        Handler=handler_name("labs.handlers.status_notifier"),
                        Environment={"Variables": {"TOPIC_ARN": topic, "IDEMPOTENCY_TABLE": lab.name("notified")}},
                        Code={"ZipFile": package_handler("labs.handlers.status_notifier")})
    assert stream
    return stream, failures, lab.name("status-notifier")


GOOD_PATTERN = {"eventName": ["MODIFY"], "dynamodb": {"NewImage": {"status": {"S": ["PAID", "SHIPPED", "DELIVERED", "CANCELLED"]}}}}


def _mapping(lab: Lab, stream: str, failures: str, fn: str, **changes: Any) -> None:
    args: dict[str, Any] = {
        "EventSourceArn": stream, "FunctionName": fn, "StartingPosition": "LATEST", "BatchSize": 10,
        "FilterCriteria": {"Filters": [{"Pattern": json.dumps(GOOD_PATTERN)}]},
        "FunctionResponseTypes": ["ReportBatchItemFailures"], "MaximumRetryAttempts": 2,
        "BisectBatchOnFunctionError": True, "DestinationConfig": {"OnFailure": {"Destination": failures}}}
    for key, value in changes.items():
        if value is None:
            args.pop(key)
        else:
            args[key] = value
    uuid = lab.client("lambda").create_event_source_mapping(**args)["UUID"]
    wait_for_mapping(lab, uuid)


@pytest.mark.parametrize(("changes", "hint"), [
    ({"FilterCriteria": None}, "FilterCriteria"),
    ({"FilterCriteria": {"Filters": [{"Pattern": json.dumps({"dynamodb": {"NewImage": {"status": ["PAID", "SHIPPED"]}}})}]}},
     "typed values"),
    ({"FilterCriteria": {"Filters": [{"Pattern": json.dumps({"eventName": ["MODIFY"]})}]}}, "NewImage.status.S"),
    ({"FilterCriteria": {"Filters": [{"Pattern": json.dumps({"dynamodb": {"OldImage": {"status": {"S": ["PAID", "SHIPPED"]}}}})}]}},
     "NewImage"),
    ({"DestinationConfig": None}, "OnFailure"),
    ({"MaximumRetryAttempts": None}, "MaximumRetryAttempts"),
    ({"FunctionResponseTypes": None}, "ReportBatchItemFailures"),
    ({"BisectBatchOnFunctionError": None}, "BisectBatchOnFunctionError"),
])
def test_notifier_wrong_mappings(ddb_lab: Lab, changes: dict[str, Any], hint: str) -> None:
    stream, failures, fn = _setup_notifier(ddb_lab)
    _mapping(ddb_lab, stream, failures, fn, **changes)
    result = run(f"{S}.notifier", ddb_lab)
    settle(ddb_lab)
    assert result.status == "incorrect" and hint in (result.hint or ""), result.text()


def test_notifier_without_a_mapping_is_not_attempted_and_a_right_one_unlike_the_solution_passes(ddb_lab: Lab) -> None:
    stream, failures, fn = _setup_notifier(ddb_lab)
    assert run(f"{S}.notifier", ddb_lab).status == "not-attempted"
    two_filters = {"Filters": [{"Pattern": json.dumps({"eventName": ["MODIFY"], "dynamodb": {"NewImage": {"status": {"S": [s]}}}})}
                               for s in ("PAID", "SHIPPED", "DELIVERED", "CANCELLED")]}
    _mapping(ddb_lab, stream, failures, fn, FilterCriteria=two_filters, StartingPosition="TRIM_HORIZON",
             MaximumRetryAttempts=0, BatchSize=100)
    result = run(f"{S}.notifier", ddb_lab)
    assert result.passed, result.text()


# ---------------------------------------------------------------------------- idempotency
def _claim(lab: Lab, key: Callable[[dict], str], *, conditional: bool = True, read_first: bool = False,
           swallow: bool = False) -> Callable:
    ddb = lab.client("dynamodb")

    def claim(table: str, record: dict) -> bool:
        k = key(record)
        try:
            if read_first:
                if "Item" in ddb.get_item(TableName=table, Key={"key": {"S": k}}):
                    return False
                ddb.put_item(TableName=table, Item={"key": {"S": k}})
                return True
            extra = {"ConditionExpression": "attribute_not_exists(#k)", "ExpressionAttributeNames": {"#k": "key"}} if conditional else {}
            ddb.put_item(TableName=table, Item={"key": {"S": k}}, **extra)
            return True
        except ddb.exceptions.ConditionalCheckFailedException:
            return False
        except Exception:
            if swallow:
                return False
            raise

    return claim


def _new(record: dict, name: str) -> str:
    return str(deserialize(record["dynamodb"]["NewImage"][name]))


@pytest.mark.parametrize(("claim", "hint"), [
    ({"key": lambda r: r["eventID"]}, "eventID"),
    ({"key": lambda r: r["dynamodb"]["SequenceNumber"]}, "eventID"),
    ({"key": lambda r: _new(r, "order_id")}, "order id alone"),
    ({"key": lambda r: _new(r, "status")}, "status alone"),
    ({"key": lambda r: _new(r, "order_id") + _new(r, "status"), "conditional": False}, "ConditionExpression"),
    ({"key": lambda r: _new(r, "order_id") + _new(r, "status"), "read_first": True}, "no read"),
    ({"key": lambda r: _new(r, "order_id") + _new(r, "status"), "swallow": True}, "ConditionalCheckFailedException"),
])
def test_idempotency_wrong_claims(ddb_lab: Lab, claim: dict[str, Any], hint: str) -> None:
    result = run(f"{S}.idempotency", ddb_lab, _claim(ddb_lab, **claim))
    assert result.status == "incorrect" and hint in (result.hint or ""), result.text()


def test_idempotency_right_with_update_item(ddb_lab: Lab) -> None:
    ddb = ddb_lab.client("dynamodb")

    def claim(table: str, record: dict) -> bool:
        new = record["dynamodb"]["NewImage"]
        try:
            ddb.update_item(TableName=table, Key={"key": {"S": f"{new['order_id']['S']}/{new['status']['S']}"}},
                            UpdateExpression="SET claimed = :t", ConditionExpression="attribute_not_exists(claimed)",
                            ExpressionAttributeValues={":t": {"BOOL": True}})
            return True
        except ddb.exceptions.ConditionalCheckFailedException:
            return False

    assert run(f"{S}.idempotency", ddb_lab, claim).passed
    assert run(f"{S}.idempotency", ddb_lab, ...).status == "not-attempted"


# ---------------------------------------------------------------------------- locking
def _move(lab: Lab, *, condition: str | None = "version = :expected", bump: bool = True, old: bool = True,
          reread: bool = False, catch: bool = True) -> Callable:
    ddb = lab.client("dynamodb")

    def move(order_id: str, expected: int, status: str) -> tuple[bool, dict]:
        values = {":new": {"S": status}}
        update = "SET #s = :new"
        if bump:
            update += ", version = version + :one"
            values[":one"] = {"N": "1"}
        extra: dict[str, Any] = {}
        if condition:
            extra["ConditionExpression"] = condition
            if ":expected" in condition:
                values[":expected"] = {"N": str(expected)}
        if old:
            extra["ReturnValuesOnConditionCheckFailure"] = "ALL_OLD"
        try:
            done = ddb.update_item(TableName=lab.name("orders"), Key={"order_id": {"S": order_id}}, UpdateExpression=update,
                                   ExpressionAttributeNames={"#s": "status"}, ExpressionAttributeValues=values,
                                   ReturnValues="ALL_NEW", **extra)
            return True, done["Attributes"]
        except ddb.exceptions.ConditionalCheckFailedException as err:
            if not catch:
                raise
            if reread:
                return False, ddb.get_item(TableName=lab.name("orders"), Key={"order_id": {"S": order_id}})["Item"]
            return False, err.response.get("Item", {})

    return move


@pytest.mark.parametrize(("move", "hint"), [
    ({"condition": None}, "ConditionExpression"),
    ({"condition": "attribute_exists(version)"}, "ConditionExpression"),
    ({"bump": False}, "version = version + :one"),
    ({"old": False}, "ReturnValuesOnConditionCheckFailure"),
    ({"reread": True}, "ReturnValuesOnConditionCheckFailure"),
    ({"catch": False}, "Catch ConditionalCheckFailedException"),
])
def test_locking_wrong_moves(ddb_lab: Lab, move: dict[str, Any], hint: str) -> None:
    _orders(ddb_lab)
    result = run(f"{S}.locking", ddb_lab, _move(ddb_lab, **move))
    assert result.status == "incorrect" and hint in (result.hint or ""), result.text()


def test_locking_right_with_add_and_not_attempted_without_a_table(ddb_lab: Lab) -> None:
    assert run(f"{S}.locking", ddb_lab, _move(ddb_lab)).status == "not-attempted"
    _orders(ddb_lab)
    ddb = ddb_lab.client("dynamodb")

    def move(order_id: str, expected: int, status: str) -> tuple[bool, dict]:
        try:
            done = ddb.update_item(TableName=ddb_lab.name("orders"), Key={"order_id": {"S": order_id}},
                                   UpdateExpression="SET #s = :s ADD #v :one", ConditionExpression="#v = :e",
                                   ExpressionAttributeNames={"#s": "status", "#v": "version"},
                                   ExpressionAttributeValues={":s": {"S": status}, ":one": {"N": "1"}, ":e": {"N": f"{expected}"}},
                                   ReturnValues="ALL_NEW", ReturnValuesOnConditionCheckFailure="ALL_OLD")
            return True, done["Attributes"]
        except ddb.exceptions.ConditionalCheckFailedException as err:
            return False, err.response["Item"]

    assert run(f"{S}.locking", ddb_lab, move).passed


def test_table_fixed_the_way_the_hint_says_passes(ddb_lab: Lab) -> None:
    _orders(ddb_lab, view="NEW_IMAGE")
    assert "StreamEnabled False" in (run(f"{S}.table", ddb_lab).hint or "")
    ddb = ddb_lab.client("dynamodb")
    ddb.update_table(TableName=ddb_lab.name("orders"), StreamSpecification={"StreamEnabled": False})
    ddb.update_table(TableName=ddb_lab.name("orders"),
                     StreamSpecification={"StreamEnabled": True, "StreamViewType": "NEW_AND_OLD_IMAGES"})
    assert run(f"{S}.table", ddb_lab).passed


# ---------------------------------------------------------------------------- ttl
TTL = {"Type": "Service", "PrincipalId": "dynamodb.amazonaws.com"}


@pytest.mark.parametrize(("expired_carts", "hint"), [
    (lambda rs: [r["dynamodb"]["Keys"]["cart_id"]["S"] for r in rs if r["eventName"] == "REMOVE"], "userIdentity"),
    (lambda rs: [r["dynamodb"]["Keys"]["cart_id"]["S"] for r in rs if r.get("userIdentity", {}).get("type") == "Service"],
     "GetRecords spells"),
    (lambda rs: [r["dynamodb"]["NewImage"]["cart_id"]["S"] for r in rs if r.get("userIdentity") == TTL], "Keys"),
    (lambda rs: [r["dynamodb"]["Keys"]["cart_id"] for r in rs if r.get("userIdentity") == TTL], "TypeDeserializer"),
    (lambda rs: [r["dynamodb"]["Keys"]["cart_id"]["S"] for r in rs if r["eventName"] == "REMOVE" and "userIdentity" not in r],
     "HAVE a userIdentity"),
    (lambda rs: len([r for r in rs if r.get("userIdentity") == TTL]), "list"),
])
def test_ttl_wrong_answers(ddb_lab: Lab, expired_carts: Callable, hint: str) -> None:
    result = run(f"{S}.ttl", ddb_lab, expired_carts)
    assert result.status == "incorrect" and hint in (result.hint or ""), result.text()


def test_ttl_right_from_the_old_image_and_not_attempted(ddb_lab: Lab) -> None:
    def expired_carts(records: list[dict]) -> list[str]:
        return [deserialize(r["dynamodb"]["OldImage"]["cart_id"]) for r in records
                if r.get("userIdentity", {}).get("PrincipalId") == "dynamodb.amazonaws.com"]

    assert run(f"{S}.ttl", ddb_lab, expired_carts).passed
    assert run(f"{S}.ttl", ddb_lab, ...).status == "not-attempted"
