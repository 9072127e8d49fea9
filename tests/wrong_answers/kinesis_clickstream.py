"""Lab 5's wrong-answer suite: what learners plausibly type into each exercise, and what the check must say.

The mistakes are the issue's list (a constant partition key, a random one, FailedRecordCount ignored,
the whole batch retried, a reader starting at LATEST or restarting at TRIM_HORIZON, a mapping without
an on-failure destination, bisect off, unbounded retries, too few shards) and the errors AWS documents
for each call; ``hint`` holds words only a hint about *that* mistake contains. Run:
``python -m labs wrong-answers kinesis-clickstream`` (prints the figures) or ``pytest tests/wrong_answers``.
"""

from labs.course.wrong_answers import Variant

V = Variant
LAB = "kinesis-clickstream"
WAIT = 'kinesis.get_waiter("stream_exists").wait(StreamName=STREAM, WaiterConfig={"Delay": 2, "MaxAttempts": 60})'


def _create(args: str, name: str = "STREAM") -> dict[int, str]:
    return {0: f"kinesis.create_stream(StreamName={name}{args})\n{WAIT.replace('STREAM', name)}"}


def _producer(key: str = 'c["session"]', retry: str = "only-failed", size: int = 500) -> dict[int, str]:
    if retry == "only-failed":
        body = '''
        response = kinesis.put_records(StreamName=stream, Records=batch)
        written += sum(1 for r in response["Records"] if "SequenceNumber" in r)
        batch = [rec for rec, res in zip(batch, response["Records"]) if "ErrorCode" in res]
        if not batch:
            break
        time.sleep(0.05 * 2 ** attempt_no)'''
    elif retry == "none":
        body = '''
        response = kinesis.put_records(StreamName=stream, Records=batch)
        written += len(batch) - response["FailedRecordCount"]
        break'''
    else:  # the whole batch again
        body = '''
        response = kinesis.put_records(StreamName=stream, Records=batch)
        if response["FailedRecordCount"] == 0:
            written += len(batch)
            break
        time.sleep(0.05 * 2 ** attempt_no)'''
    return {0: f'''
import uuid
written = 0
for start in range(0, len(clicks), {size}):
    batch = [{{"Data": json.dumps(c).encode(), "PartitionKey": {key}}} for c in clicks[start:start + {size}]]
    for attempt_no in range(8):''' + body.replace("\n        ", "\n        ") + '''
return written'''}


READER_LOOP = '''
    while iterator:
        page = kinesis.get_records(ShardIterator=iterator, Limit=1000)
        if page["Records"]:
            records += page["Records"]
            checkpoints[shard_id] = page["Records"][-1]["SequenceNumber"]
        if not page["Records"] or page["MillisBehindLatest"] == 0:
            break
        iterator = page["NextShardIterator"]'''


def _reader(start: str, loop: str = READER_LOOP, shards: str = 'kinesis.list_shards(StreamName=stream)["Shards"]') -> dict[int, str]:
    return {0: f'''
records = []
for shard in {shards}:
    shard_id = shard["ShardId"]
{start}
{loop}
return records'''}


AFTER = '''    if shard_id in checkpoints:
        iterator = kinesis.get_shard_iterator(StreamName=stream, ShardId=shard_id, ShardIteratorType="AFTER_SEQUENCE_NUMBER",
                                              StartingSequenceNumber=checkpoints[shard_id])["ShardIterator"]
    else:
        iterator = kinesis.get_shard_iterator(StreamName=stream, ShardId=shard_id,
                                              ShardIteratorType="TRIM_HORIZON")["ShardIterator"]'''


def _mapping(**changes: str) -> dict[int, str]:
    params = {"StartingPosition": '"TRIM_HORIZON"', "BatchSize": "500", "MaximumBatchingWindowInSeconds": "1",
              "BisectBatchOnFunctionError": "True", "MaximumRetryAttempts": "2", "MaximumRecordAgeInSeconds": "3600",
              "DestinationConfig": '{"OnFailure": {"Destination": failed_arn}}',
              "FunctionResponseTypes": '["ReportBatchItemFailures"]'}
    params.update(changes)
    args = ", ".join(f"{k}={v}" for k, v in params.items() if v)
    return {0: f'''
existing = lam.list_event_source_mappings(EventSourceArn=stream_arn, FunctionName=auditor_arn)["EventSourceMappings"]
if not existing:
    lam.create_event_source_mapping(EventSourceArn=stream_arn, FunctionName=auditor_arn, {args})'''}


def _also(body: str) -> dict[int, str]:
    return {0: body}


QUERY = ('items = ddb.query(TableName=table, KeyConditionExpression="product = :p", '
         'ExpressionAttributeValues={":p": {"S": product}})["Items"]')


def _shards(body: str, reshard: str | None = None) -> dict[int, str]:
    blocks = {0: body}
    if reshard is not None:
        blocks[1] = reshard
    return blocks


RESHARD = '''kinesis.update_shard_count(StreamName=STREAM, TargetShardCount=shards_needed(PEAK_RPS, PEAK_BYTES),
                           ScalingType="UNIFORM_SCALING")'''

VARIANTS = [
    # ------------------------------------------------------------ 1: the stream
    V("1", "three shards", _create(", ShardCount=3"), f"{LAB}.stream", hint=("ShardCount=2",)),
    V("1", "four shards", _create(", ShardCount=4"), f"{LAB}.stream", hint=("ShardCount=2",)),
    V("1", "on-demand mode", _create(', StreamModeDetails={"StreamMode": "ON_DEMAND"}'), f"{LAB}.stream",
      hint=("PROVISIONED",)),
    V("1", "the name without lab.name", {0: 'kinesis.create_stream(StreamName="clickstream", ShardCount=2)'},
      f"{LAB}.stream", hint=("lab.name('clickstream')",)),
    V("1", "ShardCount as text", {0: 'kinesis.create_stream(StreamName=STREAM, ShardCount="2")'}, f"{LAB}.stream",
      hint=("type",), raises=True),
    V("1", "only the waiter (nothing created)", {0: WAIT.replace('"MaxAttempts": 60', '"MaxAttempts": 1')},
      f"{LAB}.stream", hint=("create_stream",), raises=True, expect="not-attempted"),
    V("1", "right: the default mode, no waiter config", {0: '''
kinesis.create_stream(StreamName=STREAM, ShardCount=2)
kinesis.get_waiter("stream_exists").wait(StreamName=STREAM)'''}, f"{LAB}.stream", expect="correct"),
    V("1", "right: polling describe_stream_summary by hand", {0: '''
kinesis.create_stream(StreamName=STREAM, ShardCount=2, StreamModeDetails={"StreamMode": "PROVISIONED"})
while kinesis.describe_stream_summary(StreamName=STREAM)["StreamDescriptionSummary"]["StreamStatus"] != "ACTIVE":
    time.sleep(1)'''}, f"{LAB}.stream", expect="correct"),

    # ------------------------------------------------------------ 2: the producer
    V("2", "a constant partition key", _producer(key='"clicks"'), f"{LAB}.producer", hint=("session", "PartitionKey")),
    V("2", "a random partition key per click", _producer(key="str(uuid.uuid4())"), f"{LAB}.producer",
      hint=("session",)),
    V("2", "FailedRecordCount ignored", _producer(retry="none"), f"{LAB}.producer", hint=("ErrorCode",)),
    V("2", "the whole batch retried", _producer(retry="whole"), f"{LAB}.producer", hint=("only the records",)),
    V("2", "batches of 1000", _producer(size=1000), f"{LAB}.producer", hint=("500",)),
    V("2", "one put_record per click", {0: '''
for c in clicks:
    kinesis.put_record(StreamName=stream, Data=json.dumps(c).encode(), PartitionKey=c["session"])
return len(clicks)'''}, f"{LAB}.producer", hint=("put_records",)),
    V("2", "returns nothing", {0: _producer()[0].replace("return written", "")}, f"{LAB}.producer",
      hint=("SequenceNumber",)),
    V("2", "right: a while loop over the failed records", {0: '''
written, pending = 0, [{"Data": json.dumps(c).encode(), "PartitionKey": c["session"]} for c in clicks]
attempts = 0
while pending and attempts < 8:
    failed = []
    for start in range(0, len(pending), 500):
        chunk = pending[start:start + 500]
        result = kinesis.put_records(StreamName=stream, Records=chunk)
        for record, outcome in zip(chunk, result["Records"]):
            if outcome.get("ErrorCode"):
                failed.append(record)
            else:
                written += 1
    pending, attempts = failed, attempts + 1
    if pending:
        time.sleep(0.1 * attempts)
return written'''}, f"{LAB}.producer", expect="correct"),
    V("2", "right: batches of 250 and a JSON string Data", {0: '''
written = 0
for start in range(0, len(clicks), 250):
    batch = [{"Data": json.dumps(c), "PartitionKey": c["session"]} for c in clicks[start:start + 250]]
    for attempt_no in range(8):
        response = kinesis.put_records(StreamName=stream, Records=batch)
        written += len(batch) - response["FailedRecordCount"]
        batch = [r for r, res in zip(batch, response["Records"]) if "ErrorCode" in res]
        if not batch:
            break
        time.sleep(0.05 * (attempt_no + 1))
return written'''}, f"{LAB}.producer", expect="correct"),

    # ------------------------------------------------------------ 3: the reader
    V("3", "starts at LATEST", _reader('''    iterator = kinesis.get_shard_iterator(StreamName=stream, ShardId=shard_id,
                                          ShardIteratorType="LATEST")["ShardIterator"]'''), f"{LAB}.reader",
      hint=("TRIM_HORIZON",)),
    V("3", "always TRIM_HORIZON (the checkpoint never used)", _reader('''    iterator = kinesis.get_shard_iterator(StreamName=stream, ShardId=shard_id,
                                          ShardIteratorType="TRIM_HORIZON")["ShardIterator"]'''), f"{LAB}.reader",
      hint=("AFTER_SEQUENCE_NUMBER",)),
    V("3", "AT_SEQUENCE_NUMBER of the checkpoint", _reader(AFTER.replace('"AFTER_SEQUENCE_NUMBER"', '"AT_SEQUENCE_NUMBER"')),
      f"{LAB}.reader", hint=("AFTER_SEQUENCE_NUMBER",)),
    V("3", "only the first page (Limit 100)", _reader(AFTER, loop='''
    page = kinesis.get_records(ShardIterator=iterator, Limit=100)
    if page["Records"]:
        records += page["Records"]
        checkpoints[shard_id] = page["Records"][-1]["SequenceNumber"]'''), f"{LAB}.reader", hint=("NextShardIterator",)),
    V("3", "only the first shard", _reader(AFTER, shards='kinesis.list_shards(StreamName=stream)["Shards"][:1]'),
      f"{LAB}.reader", hint=("every shard",)),
    V("3", "checkpoint = the first record of the page", _reader(AFTER, loop=READER_LOOP.replace(
        'page["Records"][-1]["SequenceNumber"]', 'page["Records"][0]["SequenceNumber"]')), f"{LAB}.reader",
      hint=("last",)),
    V("3", "returns the pages, not the records", _reader(AFTER, loop=READER_LOOP.replace(
        'records += page["Records"]', 'records.append(page)')), f"{LAB}.reader", hint=("Records",)),
    V("3", "right: a start dict and MillisBehindLatest ignored", {0: '''
records = []
for shard in kinesis.list_shards(StreamName=stream)["Shards"]:
    sid = shard["ShardId"]
    start = ({"ShardIteratorType": "AFTER_SEQUENCE_NUMBER", "StartingSequenceNumber": checkpoints[sid]}
             if sid in checkpoints else {"ShardIteratorType": "TRIM_HORIZON"})
    iterator = kinesis.get_shard_iterator(StreamName=stream, ShardId=sid, **start)["ShardIterator"]
    while True:
        page = kinesis.get_records(ShardIterator=iterator, Limit=200)
        if not page["Records"]:
            break
        records.extend(page["Records"])
        checkpoints[sid] = page["Records"][-1]["SequenceNumber"]
        iterator = page["NextShardIterator"]
return records'''}, f"{LAB}.reader", expect="correct"),
    V("3", "right: AT_SEQUENCE_NUMBER with the checkpointed record dropped", _reader(
        AFTER.replace('"AFTER_SEQUENCE_NUMBER"', '"AT_SEQUENCE_NUMBER"'), loop=READER_LOOP.replace(
            'if page["Records"]:', 'page["Records"] = [r for r in page["Records"] '
                                   'if r["SequenceNumber"] != checkpoints.get(shard_id)]\n        if page["Records"]:')),
      f"{LAB}.reader", expect="correct"),

    # ------------------------------------------------------------ 4: the Lambda mapping
    V("4", "no on-failure destination", _mapping(DestinationConfig=""), f"{LAB}.mapping", hint=("OnFailure",)),
    V("4", "BisectBatchOnFunctionError off", _mapping(BisectBatchOnFunctionError=""), f"{LAB}.mapping",
      hint=("BisectBatchOnFunctionError=True",)),
    V("4", "unbounded retries", _mapping(MaximumRetryAttempts="-1"), f"{LAB}.mapping", hint=("MaximumRetryAttempts",)),
    V("4", "StartingPosition LATEST", _mapping(StartingPosition='"LATEST"'), f"{LAB}.mapping", hint=("TRIM_HORIZON",)),
    V("4", "created disabled", _mapping(Enabled="False"), f"{LAB}.mapping", hint=("Enabled=True",)),
    V("4", "no ReportBatchItemFailures", _mapping(FunctionResponseTypes=""), f"{LAB}.mapping",
      hint=("ReportBatchItemFailures",)),
    V("4", "the queue URL as destination", _mapping(DestinationConfig='{"OnFailure": {"Destination": failed_url}}'),
      f"{LAB}.mapping", hint=("OnFailure", "failed_arn")),
    V("4", "no maximum record age", _mapping(MaximumRecordAgeInSeconds="-1"), f"{LAB}.mapping",
      hint=("MaximumRecordAgeInSeconds",)),
    V("4", "right: ParallelizationFactor 2, BatchSize 100, no batching window",
      _mapping(ParallelizationFactor="2", BatchSize="100", MaximumBatchingWindowInSeconds=""), f"{LAB}.mapping",
      expect="correct"),
    V("4", "right: create, then update_event_source_mapping", {0: '''
existing = lam.list_event_source_mappings(EventSourceArn=stream_arn, FunctionName=auditor_arn)["EventSourceMappings"]
if existing:
    uuid_ = existing[0]["UUID"]
else:
    uuid_ = lam.create_event_source_mapping(EventSourceArn=stream_arn, FunctionName=auditor_arn,
                                            StartingPosition="TRIM_HORIZON", BatchSize=500)["UUID"]
lam.update_event_source_mapping(UUID=uuid_, BisectBatchOnFunctionError=True, MaximumRetryAttempts=1,
                                MaximumRecordAgeInSeconds=7200, FunctionResponseTypes=["ReportBatchItemFailures"],
                                DestinationConfig={"OnFailure": {"Destination": failed_arn}})'''},
      f"{LAB}.mapping", expect="correct"),

    # ------------------------------------------------------------ 5: the storefront's read
    V("5", "a scan filtered in Python", _also('''
items = [i for i in ddb.scan(TableName=table)["Items"] if i["product"]["S"] == product]
items.sort(key=lambda item: int(item["views"]["N"]), reverse=True)
return [item["other"]["S"] for item in items[:n]]'''), f"{LAB}.also-viewed", hint=("query",)),
    V("5", "least viewed first", _also(QUERY + '''
items.sort(key=lambda item: int(item["views"]["N"]))
return [item["other"]["S"] for item in items[:n]]'''), f"{LAB}.also-viewed", hint=("reverse=True",)),
    V("5", "views sorted as text", _also(QUERY + '''
items.sort(key=lambda item: item["views"]["N"], reverse=True)
return [item["other"]["S"] for item in items[:n]]'''), f"{LAB}.also-viewed", hint=("int(",)),
    V("5", "n ignored", _also(QUERY + '''
items.sort(key=lambda item: int(item["views"]["N"]), reverse=True)
return [item["other"]["S"] for item in items]'''), f"{LAB}.also-viewed", hint=("[:n]",)),
    V("5", "the items returned, not the names", _also(QUERY + '''
items.sort(key=lambda item: int(item["views"]["N"]), reverse=True)
return items[:n]'''), f"{LAB}.also-viewed", hint=("'S'",)),
    V("5", "the product itself returned", _also(QUERY + '''
items.sort(key=lambda item: int(item["views"]["N"]), reverse=True)
return [item["product"]["S"] for item in items[:n]]'''), f"{LAB}.also-viewed", hint=("'other'",)),
    V("5", "right: a query sorted by views in pandas", _also(QUERY + '''
frame = pd.DataFrame([{"other": i["other"]["S"], "views": int(i["views"]["N"])} for i in items])
return list(frame.sort_values("views", ascending=False)["other"].head(n)) if len(frame) else []'''),
      f"{LAB}.also-viewed", expect="correct"),
    V("5", "right: the lab client and sorted()", _also('''
found = lab.client("dynamodb").query(TableName=table, KeyConditionExpression="product = :p",
                                     ExpressionAttributeValues={":p": {"S": product}})["Items"]
best = sorted(found, key=lambda i: -int(i["views"]["N"]))
return [i["other"]["S"] for i in best][:n]'''), f"{LAB}.also-viewed", expect="correct"),

    # ------------------------------------------------------------ 6: scaling
    V("6", "only records per second", _shards("return math.ceil(records_per_second / 1000)", RESHARD),
      f"{LAB}.scaling", hint=("1 MiB",)),
    V("6", "only bytes per second", _shards("return max(1, math.ceil(records_per_second * record_bytes / 1048576))",
                                            RESHARD), f"{LAB}.scaling", hint=("1,000",)),
    V("6", "rounded down", _shards("return max(1, records_per_second // 1000, records_per_second * record_bytes // 1048576)",
                                   RESHARD), f"{LAB}.scaling", hint=("math.ceil",)),
    V("6", "the read limit (2 MB/s) for bytes", _shards(
        "return max(1, math.ceil(records_per_second / 1000), math.ceil(records_per_second * record_bytes / 2097152))",
        RESHARD), f"{LAB}.scaling", hint=("read limit",)),
    V("6", "a float, not a whole number", _shards(
        "return max(records_per_second / 1000, records_per_second * record_bytes / 1048576)", "pass"),
      f"{LAB}.scaling", hint=("whole number",)),
    V("6", "right formula, never resharded", _shards(
        "return max(1, math.ceil(records_per_second / 1000), math.ceil(records_per_second * record_bytes / 1048576))",
        "pass"), f"{LAB}.scaling", hint=("update_shard_count",)),
    V("6", "resharded to double for headroom", _shards(
        "return max(1, math.ceil(records_per_second / 1000), math.ceil(records_per_second * record_bytes / 1048576))",
        RESHARD.replace("shards_needed(PEAK_RPS, PEAK_BYTES)", "4")), f"{LAB}.scaling", hint=("shard-hour",)),
    V("6", "right: -(-a // b) rounding and split_shard by hand", _shards('''
records = -(-records_per_second // 1000)
volume = -(-(records_per_second * record_bytes) // (1024 * 1024))
return max(records, volume, 1)''', '''
hot = kinesis.list_shards(StreamName=STREAM)["Shards"][0]
middle = (int(hot["HashKeyRange"]["StartingHashKey"]) + int(hot["HashKeyRange"]["EndingHashKey"])) // 2
kinesis.split_shard(StreamName=STREAM, ShardToSplit=hot["ShardId"], NewStartingHashKey=str(middle))'''),
      f"{LAB}.scaling", expect="correct"),
    V("6", "right: a loop that adds shards until both fit", _shards('''
shards = 1
while shards * 1000 < records_per_second or shards * 1048576 < records_per_second * record_bytes:
    shards += 1
return shards''', RESHARD), f"{LAB}.scaling", expect="correct"),
]
