"""Lab 6's wrong-answer suite: what learners plausibly type into each exercise, and what the check must say.

The mistakes are issue 14's list ("Checks and wrong answers to catch") and the errors AWS documents for each
call; ``hint`` holds words only a hint about *that* mistake contains. Run:
``python -m labs wrong-answers dynamodb-streams -j 1`` (prints the figures) or ``pytest tests/wrong_answers``.
"""

from labs.course.wrong_answers import Variant

V = Variant
LAB = "dynamodb-streams"


def _table(key: str = '[{"AttributeName": "order_id", "KeyType": "HASH"}]',
           attributes: str = '[{"AttributeName": "order_id", "AttributeType": "S"}]',
           stream: str = ', StreamSpecification={"StreamEnabled": True, "StreamViewType": "NEW_AND_OLD_IMAGES"}') -> dict[int, str]:
    return {0: f'''
try:
    ddb.create_table(TableName=ORDERS, BillingMode="PAY_PER_REQUEST", AttributeDefinitions={attributes},
                     KeySchema={key}{stream})
except ddb.exceptions.ResourceInUseException:
    pass'''}


def _view(view: str) -> dict[int, str]:
    return _table(stream=f', StreamSpecification={{"StreamEnabled": True, "StreamViewType": "{view}"}}')


READ_OK = '''
records = []
for shard in streams.describe_stream(StreamArn=stream_arn)["StreamDescription"]["Shards"]:
    iterator = streams.get_shard_iterator(StreamArn=stream_arn, ShardId=shard["ShardId"],
                                          ShardIteratorType="TRIM_HORIZON")["ShardIterator"]
    while iterator:
        page = streams.get_records(ShardIterator=iterator)
        records += page["Records"]
        if not page["Records"]:
            break
        iterator = page.get("NextShardIterator")
return records'''

CHANGES_OK = '''
changes = []
for record in records:
    change = record["dynamodb"]
    old, new = change.get("OldImage", {}), change.get("NewImage", {})
    changes.append((deserialize(change["Keys"]["order_id"]), deserialize(old["status"]) if "status" in old else None,
                    deserialize(new["status"]) if "status" in new else None))
return changes'''


def _mapping(**changes: str | None) -> dict[int, str]:
    args = {
        "EventSourceArn": "orders_stream", "FunctionName": "notifier", "StartingPosition": '"LATEST"', "BatchSize": "10",
        "FilterCriteria": '{"Filters": [{"Pattern": json.dumps({"eventName": ["MODIFY"], "dynamodb": {"NewImage": '
                          '{"status": {"S": ["PAID", "SHIPPED", "DELIVERED", "CANCELLED"]}}}})}]}',
        "FunctionResponseTypes": '["ReportBatchItemFailures"]', "MaximumRetryAttempts": "2",
        "BisectBatchOnFunctionError": "True", "DestinationConfig": '{"OnFailure": {"Destination": failures_arn}}'}
    for key, value in changes.items():
        if value is None:
            args.pop(key)
        else:
            args[key] = value
    return {0: "mapping = lam.create_event_source_mapping(\n    " + ",\n    ".join(f"{k}={v}" for k, v in args.items()) + ")"}


def _pattern(pattern: str) -> str:
    return '{"Filters": [{"Pattern": json.dumps(' + pattern + ')}]}'


def _claim(key: str, put: str = 'ConditionExpression="attribute_not_exists(#k)", ExpressionAttributeNames={"#k": "key"}',
           catch: str = "ddb.exceptions.ConditionalCheckFailedException") -> dict[int, str]:
    return {0: f'''
new = record["dynamodb"]["NewImage"]
key = {key}
try:
    ddb.put_item(TableName=table_name, Item={{"key": {{"S": key}}}}, {put})
    return True
except {catch}:
    return False'''}


GOOD_KEY = 'f\'{deserialize(new["order_id"])}#{deserialize(new["status"])}\''


def _move(update: str = '"SET #s = :new, version = version + :one"', condition: str = '"version = :expected"',
          on_failure: str = ', ReturnValuesOnConditionCheckFailure="ALL_OLD"',
          rejected: str = 'return False, err.response.get("Item", {})',
          catch: str = "ddb.exceptions.ConditionalCheckFailedException") -> dict[int, str]:
    condition_arg = f"ConditionExpression={condition}, " if condition else ""
    return {0: f'''
try:
    values = {{":new": {{"S": new_status}}, ":one": {{"N": "1"}}, ":expected": {{"N": str(expected_version)}}}}
    if "version = :expected" not in {condition!r} and ":expected" not in {update!r}:
        values.pop(":expected")
    if ":one" not in {update!r}:
        values.pop(":one")
    done = ddb.update_item(TableName=ORDERS, Key={{"order_id": {{"S": order_id}}}}, UpdateExpression={update},
                           {condition_arg}ExpressionAttributeNames={{"#s": "status"}}, ExpressionAttributeValues=values,
                           ReturnValues="ALL_NEW"{on_failure})
    return True, done["Attributes"]
except {catch} as err:
    {rejected}'''}


VARIANTS = [
    # ------------------------------------------------------------ 2: the orders table and its stream
    V("2", "stream view KEYS_ONLY", _view("KEYS_ONLY"), f"{LAB}.table", hint=("NEW_AND_OLD_IMAGES",)),
    V("2", "stream view NEW_IMAGE: the old status is missing", _view("NEW_IMAGE"), f"{LAB}.table",
      hint=("NEW_AND_OLD_IMAGES",)),
    V("2", "stream view OLD_IMAGE", _view("OLD_IMAGE"), f"{LAB}.table", hint=("NEW_AND_OLD_IMAGES",)),
    V("2", "no stream at all", _table(stream=""), f"{LAB}.table", hint=("StreamSpecification",)),
    V("2", "the key named id", _table(key='[{"AttributeName": "id", "KeyType": "HASH"}]',
                                      attributes='[{"AttributeName": "id", "AttributeType": "S"}]'),
      f"{LAB}.table", hint=("KeySchema",)),
    V("2", "status as a sort key", _table(
        key='[{"AttributeName": "order_id", "KeyType": "HASH"}, {"AttributeName": "status", "KeyType": "RANGE"}]',
        attributes='[{"AttributeName": "order_id", "AttributeType": "S"}, {"AttributeName": "status", "AttributeType": "S"}]'),
      f"{LAB}.table", hint=("RANGE",)),
    V("2", "order_id typed as a number", _table(attributes='[{"AttributeName": "order_id", "AttributeType": "N"}]'),
      f"{LAB}.table", hint=("AttributeType",)),
    V("2", "right: the table first, its stream added with update_table", {0: '''
if ORDERS not in ddb.list_tables()["TableNames"]:
    ddb.create_table(TableName=ORDERS, BillingMode="PAY_PER_REQUEST",
                     AttributeDefinitions=[{"AttributeName": "order_id", "AttributeType": "S"}],
                     KeySchema=[{"AttributeName": "order_id", "KeyType": "HASH"}])
    ddb.get_waiter("table_exists").wait(TableName=ORDERS)
    ddb.update_table(TableName=ORDERS, StreamSpecification={"StreamEnabled": True, "StreamViewType": "NEW_AND_OLD_IMAGES"})'''},
      f"{LAB}.table", expect="correct"),
    V("2", "right: through a boto3 resource", {0: '''
resource = lab.backend.session.resource("dynamodb", region_name=lab.region)
try:
    resource.meta.client.create_table(TableName=ORDERS, BillingMode="PAY_PER_REQUEST",
        AttributeDefinitions=[dict(AttributeName="order_id", AttributeType="S")],
        KeySchema=[dict(AttributeName="order_id", KeyType="HASH")],
        StreamSpecification=dict(StreamEnabled=True, StreamViewType="NEW_AND_OLD_IMAGES"))
except resource.meta.client.exceptions.ResourceInUseException:
    pass'''}, f"{LAB}.table", expect="correct"),

    # ------------------------------------------------------------ 3: reading and decoding
    V("3", "a LATEST iterator: nothing is read", {0: READ_OK.replace("TRIM_HORIZON", "LATEST")}, f"{LAB}.read",
      hint=("TRIM_HORIZON",)),
    V("3", "one get_records call with Limit=2", {0: '''
shard = streams.describe_stream(StreamArn=stream_arn)["StreamDescription"]["Shards"][0]
iterator = streams.get_shard_iterator(StreamArn=stream_arn, ShardId=shard["ShardId"],
                                      ShardIteratorType="TRIM_HORIZON")["ShardIterator"]
return streams.get_records(ShardIterator=iterator, Limit=2)["Records"]'''}, f"{LAB}.read", hint=("NextShardIterator",)),
    V("3", "typed values returned as they are", {0: READ_OK, 1: '''
return [(r["dynamodb"]["Keys"]["order_id"], r["dynamodb"].get("OldImage", {}).get("status"),
         r["dynamodb"].get("NewImage", {}).get("status")) for r in records]'''}, f"{LAB}.read", hint=("TypeDeserializer",)),
    V("3", "old and new swapped", {0: READ_OK, 1: CHANGES_OK.replace(
        'deserialize(old["status"]) if "status" in old else None,\n                    deserialize(new["status"]) if "status" in new else None',
        'deserialize(new["status"]) if "status" in new else None,\n                    deserialize(old["status"]) if "status" in old else None')},
      f"{LAB}.read", hint=("OldImage",)),
    V("3", "every record assumed to have both images", {0: READ_OK, 1: '''
return [(deserialize(r["dynamodb"]["Keys"]["order_id"]), deserialize(r["dynamodb"]["OldImage"]["status"]),
         deserialize(r["dynamodb"]["NewImage"]["status"])) for r in records]'''}, f"{LAB}.read", hint=("None",)),
    V("3", "only the first shard's first page (no loop)", {0: '''
shard = streams.describe_stream(StreamArn=stream_arn)["StreamDescription"]["Shards"][0]
iterator = streams.get_shard_iterator(StreamArn=stream_arn, ShardId=shard["ShardId"],
                                      ShardIteratorType="LATEST")["ShardIterator"]
return streams.get_records(ShardIterator=iterator)["Records"]'''}, f"{LAB}.read", hint=("TRIM_HORIZON",)),
    V("3", "right: small pages, the images decoded whole", {0: READ_OK.replace(
        "streams.get_records(ShardIterator=iterator)", "streams.get_records(ShardIterator=iterator, Limit=2)"), 1: '''
out = []
for record in records:
    images = {side: {k: deserialize(v) for k, v in record["dynamodb"].get(side, {}).items()}
              for side in ("OldImage", "NewImage")}
    out.append((deserialize(record["dynamodb"]["Keys"]["order_id"]), images["OldImage"].get("status"),
                images["NewImage"].get("status")))
return out'''}, f"{LAB}.read", expect="correct"),
    V("3", "right: AT_SEQUENCE_NUMBER from the shard's start", {0: '''
records = []
for shard in streams.describe_stream(StreamArn=stream_arn)["StreamDescription"]["Shards"]:
    iterator = streams.get_shard_iterator(
        StreamArn=stream_arn, ShardId=shard["ShardId"], ShardIteratorType="AT_SEQUENCE_NUMBER",
        SequenceNumber=shard["SequenceNumberRange"]["StartingSequenceNumber"])["ShardIterator"]
    while True:
        page = streams.get_records(ShardIterator=iterator)
        if not page["Records"]:
            break
        records.extend(page["Records"])
        iterator = page["NextShardIterator"]
return records''', 1: CHANGES_OK}, f"{LAB}.read", expect="correct"),

    # ------------------------------------------------------------ 4: the notifier's mapping
    V("4", "no filter: every write invokes, PACKING is announced", _mapping(FilterCriteria=None), f"{LAB}.notifier",
      hint=("FilterCriteria",)),
    V("4", "a filter on the untyped status: matches nothing", _mapping(FilterCriteria=_pattern(
        '{"eventName": ["MODIFY"], "dynamodb": {"NewImage": {"status": ["PAID", "SHIPPED", "DELIVERED", "CANCELLED"]}}}')),
      f"{LAB}.notifier", hint=("typed values",)),
    V("4", "a filter on MODIFY only", _mapping(FilterCriteria=_pattern('{"eventName": ["MODIFY"]}')), f"{LAB}.notifier",
      hint=("NewImage.status.S",)),
    V("4", "a filter on the old status", _mapping(FilterCriteria=_pattern(
        '{"dynamodb": {"OldImage": {"status": {"S": ["PAID", "SHIPPED", "DELIVERED", "CANCELLED"]}}}}')),
      f"{LAB}.notifier", hint=("NewImage",)),
    V("4", "eventName as a string, not a list: refused", _mapping(FilterCriteria=_pattern('{"eventName": "MODIFY"}')),
      f"{LAB}.notifier", hint=("event pattern", "lists"), raises=True),
    V("4", "no on-failure destination", _mapping(DestinationConfig=None), f"{LAB}.notifier", hint=("OnFailure",)),
    V("4", "no ReportBatchItemFailures", _mapping(FunctionResponseTypes=None), f"{LAB}.notifier",
      hint=("ReportBatchItemFailures",)),
    V("4", "right: one filter per status, TRIM_HORIZON, no retries", _mapping(
        StartingPosition='"TRIM_HORIZON"', MaximumRetryAttempts="0",
        FilterCriteria='{"Filters": [{"Pattern": json.dumps({"eventName": ["MODIFY"], "dynamodb": {"NewImage": '
                       '{"status": {"S": [s]}}}})} for s in ("PAID", "SHIPPED", "DELIVERED", "CANCELLED")]}'),
      f"{LAB}.notifier", expect="correct"),
    V("4", "right: anything-but the internal statuses", _mapping(FilterCriteria=_pattern(
        '{"eventName": ["MODIFY"], "dynamodb": {"NewImage": {"status": {"S": [{"anything-but": ["PLACED", "PACKING"]}]}}}}'),
        BatchSize="100", MaximumRetryAttempts="5"), f"{LAB}.notifier", expect="correct"),

    # ------------------------------------------------------------ 5: idempotent claims
    V("5", "keyed by the record's eventID", _claim('record["eventID"]'), f"{LAB}.idempotency", hint=("eventID",)),
    V("5", "keyed by the SequenceNumber", _claim('record["dynamodb"]["SequenceNumber"]'), f"{LAB}.idempotency",
      hint=("eventID",)),
    V("5", "keyed by the order id alone", _claim('deserialize(new["order_id"])'), f"{LAB}.idempotency",
      hint=("order id alone",)),
    V("5", "keyed by the status alone", _claim('deserialize(new["status"])'), f"{LAB}.idempotency",
      hint=("status alone",)),
    V("5", "an unconditional put", _claim(GOOD_KEY, put=""), f"{LAB}.idempotency", hint=("ConditionExpression",)),
    V("5", "read first, then write", {0: f'''
new = record["dynamodb"]["NewImage"]
key = {GOOD_KEY}
if "Item" in ddb.get_item(TableName=table_name, Key={{"key": {{"S": key}}}}):
    return False
ddb.put_item(TableName=table_name, Item={{"key": {{"S": key}}}})
return True'''}, f"{LAB}.idempotency", hint=("no read",)),
    V("5", "every error read as 'claimed before'", _claim(GOOD_KEY, catch="Exception"), f"{LAB}.idempotency",
      hint=("ConditionalCheckFailedException",)),
    V("5", "right: a conditional update_item", {0: '''
new = record["dynamodb"]["NewImage"]
try:
    ddb.update_item(TableName=table_name, Key={"key": {"S": new["order_id"]["S"] + "/" + new["status"]["S"]}},
                    UpdateExpression="SET claimed_at = :now", ConditionExpression="attribute_not_exists(claimed_at)",
                    ExpressionAttributeValues={":now": {"N": str(int(time.time()))}})
    return True
except ddb.exceptions.ConditionalCheckFailedException:
    return False'''}, f"{LAB}.idempotency", expect="correct"),
    V("5", "right: the error code read from ClientError", {0: '''
from botocore.exceptions import ClientError
order_id, status = (deserialize(record["dynamodb"]["NewImage"][name]) for name in ("order_id", "status"))
try:
    ddb.put_item(TableName=table_name, Item={"key": {"S": f"{order_id}|{status}"}, "order_id": {"S": order_id}},
                 ConditionExpression="attribute_not_exists(order_id)")
    return True
except ClientError as err:
    if err.response["Error"]["Code"] == "ConditionalCheckFailedException":
        return False
    raise'''}, f"{LAB}.idempotency", expect="correct"),

    # ------------------------------------------------------------ 6: optimistic locking
    V("6", "an unconditional update: a lost update", _move(condition=""), f"{LAB}.locking", hint=("ConditionExpression",)),
    V("6", "a condition that always holds", _move(condition='"attribute_exists(version)"'), f"{LAB}.locking",
      hint=("ConditionExpression",)),
    V("6", "the version not bumped", _move(update='"SET #s = :new"'), f"{LAB}.locking", hint=("version = version + :one",)),
    V("6", "no ReturnValuesOnConditionCheckFailure", _move(on_failure=""), f"{LAB}.locking",
      hint=("ReturnValuesOnConditionCheckFailure",)),
    V("6", "the order read again after a rejection", _move(
        rejected='return False, ddb.get_item(TableName=ORDERS, Key={"order_id": {"S": order_id}})["Item"]'),
      f"{LAB}.locking", hint=("ReturnValuesOnConditionCheckFailure",)),
    V("6", "the rejection let through as an exception", _move(catch="KeyError"), f"{LAB}.locking",
      hint=("Catch ConditionalCheckFailedException",)),
    V("6", "right: ADD version, names for both attributes", {0: '''
try:
    done = ddb.update_item(TableName=ORDERS, Key={"order_id": {"S": order_id}},
                           UpdateExpression="SET #s = :s ADD #v :one", ConditionExpression="#v = :e",
                           ExpressionAttributeNames={"#s": "status", "#v": "version"},
                           ExpressionAttributeValues={":s": {"S": new_status}, ":one": {"N": "1"},
                                                      ":e": {"N": f"{expected_version}"}},
                           ReturnValues="ALL_NEW", ReturnValuesOnConditionCheckFailure="ALL_OLD")
    return True, done["Attributes"]
except ddb.exceptions.ConditionalCheckFailedException as err:
    return False, err.response["Item"]'''}, f"{LAB}.locking", expect="correct"),
    V("6", "right: the error code read from ClientError", {0: '''
from botocore.exceptions import ClientError
try:
    done = ddb.update_item(TableName=ORDERS, Key={"order_id": {"S": order_id}},
                           UpdateExpression="SET version = :next, #s = :s", ConditionExpression="version = :v",
                           ExpressionAttributeNames={"#s": "status"},
                           ExpressionAttributeValues={":next": {"N": str(expected_version + 1)}, ":s": {"S": new_status},
                                                      ":v": {"N": str(expected_version)}},
                           ReturnValues="ALL_NEW", ReturnValuesOnConditionCheckFailure="ALL_OLD")
except ClientError as err:
    if err.response["Error"]["Code"] != "ConditionalCheckFailedException":
        raise
    return False, err.response["Item"]
return True, done["Attributes"]'''}, f"{LAB}.locking", expect="correct"),
    # ------------------------------------------------------------ 7: TTL deletions told apart
    V("7", "every REMOVE counted as expired", {0: '''
return [deserialize(r["dynamodb"]["Keys"]["cart_id"]) for r in records if r["eventName"] == "REMOVE"]'''},
      f"{LAB}.ttl", hint=("userIdentity",)),
    V("7", "the Lambda event's spelling of userIdentity", {0: '''
return [deserialize(r["dynamodb"]["Keys"]["cart_id"]) for r in records
        if r.get("userIdentity", {}).get("principalId") == "dynamodb.amazonaws.com"]'''},
      f"{LAB}.ttl", hint=("GetRecords spells",)),
    V("7", "the cart id read from NewImage", {0: '''
return [deserialize(r["dynamodb"]["NewImage"]["cart_id"]) for r in records if "userIdentity" in r]'''},
      f"{LAB}.ttl", hint=("Keys",)),
    V("7", "typed ids", {0: '''
return [r["dynamodb"]["Keys"]["cart_id"] for r in records if "userIdentity" in r]'''},
      f"{LAB}.ttl", hint=("TypeDeserializer",)),
    V("7", "the test the wrong way round", {0: '''
return [deserialize(r["dynamodb"]["Keys"]["cart_id"]) for r in records
        if r["eventName"] == "REMOVE" and "userIdentity" not in r]'''},
      f"{LAB}.ttl", hint=("HAVE a userIdentity",)),
    V("7", "a count instead of the ids", {0: '''
return len([r for r in records if r.get("userIdentity", {}).get("Type") == "Service"])'''},
      f"{LAB}.ttl", hint=("list",)),
    V("7", "right: from the old image", {0: '''
return [deserialize(r["dynamodb"]["OldImage"]["cart_id"]) for r in records
        if r.get("userIdentity", {}).get("PrincipalId") == "dynamodb.amazonaws.com"]'''},
      f"{LAB}.ttl", expect="correct"),
    V("7", "right: a loop over REMOVE records", {0: '''
carts = []
for record in records:
    who = record.get("userIdentity") or {}
    if record["eventName"] == "REMOVE" and (who.get("Type"), who.get("PrincipalId")) == ("Service", "dynamodb.amazonaws.com"):
        carts.append(record["dynamodb"]["Keys"]["cart_id"]["S"])
return carts'''},
      f"{LAB}.ttl", expect="correct"),
]
