"""Writes solutions/05-kinesis-clickstream.ipynb from the cells below (a one-off authoring aid)."""

import hashlib
import json

CELLS: list[tuple[str, str, list[str]]] = []


def md(text: str, tags: list[str] | None = None) -> None:
    CELLS.append(("markdown", text.strip("\n"), tags or []))


def code(text: str, tags: list[str] | None = None) -> None:
    CELLS.append(("code", text.strip("\n"), tags or []))


md("""
# Lab 5 - Kinesis: the clickstream behind "customers also viewed"

Every page view, search and add-to-cart on SecureCart is a **click record**. At peak there are thousands a
second; the order of one shopper's clicks matters; and several teams read the same clicks: recommendations,
fraud signals, an archive. A queue would hand each click to *one* consumer and forget it. An **Amazon Kinesis
data stream** keeps every record for its retention period (24 hours by default) and lets every reader move
through it at its own position, and replay it.

| step | you build | you learn |
|---|---|---|
| 1 | - | stream vs queue: retention, many readers, order per partition key |
| 2 | the `clickstream` stream, 2 shards | what a shard gives (1 MB/s or 1,000 records/s in, 2 MB/s out); provisioned vs on-demand |
| 3 | a producer with `put_records` | batches of 500, partition keys, per-record `ErrorCode`s, retrying only the failed records; a hot key throttled |
| 4 | a reader that checkpoints | shard iterators (TRIM_HORIZON, LATEST, AT/AFTER_SEQUENCE_NUMBER, AT_TIMESTAMP), restart without skipping or repeating |
| 5 | Lambda as the consumer | the event source mapping: batch size, starting position, bisect, retries, an on-failure queue; partial batch responses for streams |
| 6 | "customers also viewed" | a tumbling window (state between invocations) into DynamoDB; the storefront's query |
| 7 | scaling | shards for a peak rate, from the quotas; resharding and per-shard throughput before and after |
| 8 | - | the flow: per-shard throughput, reader lag, one session end to end; teardown |
""")

code("""
import json
import math
import time

import matplotlib.pyplot as plt
import pandas as pd

from labs.helpers import check, clickstream, start_lab, viz
from labs.helpers.chaos import flaky_batches
from labs.helpers.functions import advance, handler_name, package_handler, settle
from labs.helpers.prereq import FAILED, attempt, not_done, ready, stream_name

lab = start_lab("kinesis-clickstream")
kinesis = lab.client("kinesis")  # plain boto3 clients
lam = lab.client("lambda")
sqs = lab.client("sqs")
ddb = lab.client("dynamodb")
lab
""", ["nbval-ignore-output"])

md("""
## Step 1 - A stream is not a queue

| | SQS queue (lab 1) | Kinesis data stream |
|---|---|---|
| a record is read by | one consumer, then deleted | **every** reader, each at its own position |
| kept for | until deleted (at most 14 days) | the retention period (24 h by default, up to 365 days), read or not |
| order | FIFO queues: per message group | per **shard**: records with the same **partition key** go to the same shard, in order |
| scale | automatic | **shards**: each takes 1 MB/s or 1,000 records/s in, 2 MB/s out |
| replay | no (a DLQ redrive at most) | yes: any reader can start again from any position still retained |

Kinesis hashes each record's partition key (MD5, a 128-bit number) and puts the record on the shard whose
hash-key range holds it. All clicks of one session share a key, so they land on one shard, in the order they
were put; the recommendations reader sees a session's clicks in order, and so does the fraud reader.
""")

code("""
clickstream.picture(["s-0001", "s-0002", "bot-7f3a"], shards=2,
                    readers=["checkpoint reader", "click-auditor (Lambda)", "also-viewed (Lambda)"])
""", ["nbval-ignore-output"])

md("""
## Step 2 - The `clickstream` stream

A **provisioned** stream has the shards you ask for and costs per shard-hour; each shard accepts up to
**1 MB/s or 1,000 records/s** of writes (whichever comes first) and serves **2 MB/s** of reads, shared by its
readers (five `GetRecords` calls a second per shard). An **on-demand** stream (`StreamModeDetails={"StreamMode":
"ON_DEMAND"}`) adds shards by itself up to twice its previous peak and costs per GB: simpler, but the lesson of
this lab - what a shard can take - is the same there, because on-demand streams are made of shards too.

SecureCart starts with **2 provisioned shards**. `create_stream` returns at once while the stream is
`CREATING`; writes fail until it is `ACTIVE`. boto3's `stream_exists` **waiter** polls `describe_stream` until it is.

**Exercise 1** - create the stream `STREAM` in provisioned mode with 2 shards and wait until it is active.
""")

code("""
STREAM = lab.name("clickstream")
# BEGIN SOLUTION
kinesis.create_stream(StreamName=STREAM, ShardCount=2, StreamModeDetails={"StreamMode": "PROVISIONED"})
kinesis.get_waiter("stream_exists").wait(StreamName=STREAM, WaiterConfig={"Delay": 2, "MaxAttempts": 60})
# END SOLUTION
""", ["exercise-1"])

code("""check("kinesis-clickstream.stream", lab)""")

md("""
## Step 3 - A producer

`put_records` writes up to **500 records** (and 5 MB) per call. Each record is `{"Data": bytes, "PartitionKey": str}`.
Like SQS's batches it can **partly fail**: HTTP 200 with `FailedRecordCount` > 0, and the result at each record's
own position in `Records` has either a `SequenceNumber` and `ShardId` (written) or an `ErrorCode`
(`ProvisionedThroughputExceededException` when the shard is over its limit, `InternalFailure`). Retry only
the records whose result has an `ErrorCode` - the others are in the stream already, and sending them again
would write them twice. Wait a little between attempts (a **backoff**: 0.05 s, 0.1 s, 0.2 s, ...), since a
throttled shard accepts more only when its one-second window moves on.

The partition key decides the shard. Use the click's **session**: one shopper's clicks stay together. (A retried
record lands after records that were put after it - AWS: "PutRecords doesn't guarantee the ordering of
records" - so each click carries its number within the session, `n`, and readers order by it.)

**Exercise 2** - write `put_clicks(stream, clicks)`: each click (a dict) as JSON, the session as partition key,
in calls of at most 500 records, retrying only failed records (with a backoff, up to 8 attempts); return how
many records were written.
""")

code("""
def put_clicks(stream: str, clicks: list[dict]) -> int:
    \"\"\"Write every click to ``stream`` (JSON, partition key = session); return how many were written.\"\"\"
    # BEGIN SOLUTION
    written = 0
    for start in range(0, len(clicks), 500):
        batch = [{"Data": json.dumps(c).encode(), "PartitionKey": c["session"]} for c in clicks[start:start + 500]]
        for attempt_no in range(8):
            response = kinesis.put_records(StreamName=stream, Records=batch)
            results = response["Records"]
            written += sum(1 for r in results if "SequenceNumber" in r)
            batch = [record for record, result in zip(batch, results) if "ErrorCode" in result]
            if not batch:
                break
            time.sleep(0.05 * 2 ** attempt_no)
    return written
    # END SOLUTION
""", ["exercise-2"])

code("""check("kinesis-clickstream.producer", lab, put_clicks)""")

md("""
Now the peak: ten seconds of SecureCart's evening traffic, about 1,050 clicks a second from 700 shoppers.
`clickstream.replay` hands each second's clicks to your `put_clicks` and then lets one second pass (on the
emulator it advances the emulator's clock, on which Kinesis measures the shard limits, so nothing waits in real
time; on AWS it waits). It first moves the clock to the start of a minute, which step 6's one-minute windows use.
""")

code("""
traffic = clickstream.peak_traffic(seconds=10, per_second=1050)
stream = stream_name(lab, "clickstream", step=1)
if stream:
    clickstream.align_to_window(lab, 60)
    written = attempt(2, clickstream.replay, lab, put_clicks, stream, traffic)
    if ready(written, step=2, what="put_clicks returns nothing"):
        print(f"{sum(len(s) for s in traffic)} clicks sent in {len(traffic)} seconds, "
              f"{sum(w if isinstance(w, int) else 0 for w in written)} records written")
        per_shard = clickstream.shard_seconds(lab, stream)
        print("records per shard:", per_shard.sum().to_dict())
""")

md("""
**A hot partition key.** A scraper bot (session `bot-7f3a`) fires 1,500 clicks within a second. One session is one
partition key is one shard, and a shard takes 1,000 records a second. Here is what raw `put_records` calls see:
""")

code("""
bot = clickstream.bot_burst(1500)
if stream:
    throttled = []
    for start in range(0, len(bot), 500):
        batch = [{"Data": json.dumps(c).encode(), "PartitionKey": c["session"]} for c in bot[start:start + 500]]
        response = kinesis.put_records(StreamName=stream, Records=batch)
        errors = {r["ErrorCode"] for r in response["Records"] if "ErrorCode" in r}
        print(f"records {start}-{start + 499}: FailedRecordCount={response['FailedRecordCount']} {sorted(errors)}")
        throttled += [c for c, r in zip(bot[start:start + 500], response["Records"]) if "ErrorCode" in r]
""")

md("""
The last 500 were refused, each with `ProvisionedThroughputExceededException`, and the others on that shard
were not affected. A producer that ignored `FailedRecordCount` would have lost them silently. Yours retries
them with a backoff, so they get in a moment later, once the shard's second has passed:
""")

code("""
if stream and throttled:
    started = time.monotonic()
    again = attempt(2, put_clicks, stream, throttled)
    if ready(again, step=2, what="put_clicks returns nothing"):
        print(f"{again} of {len(throttled)} throttled clicks written on retry")
""")

md("""
The fixes, and what they cost: **more shards do not help one key** (a key always hashes to one shard). A bot is
not a customer: rate-limit it before the stream, or give its clicks a key with a random suffix (`bot-7f3a#3`)
and give up their order. For shoppers, session keys spread well: step 7 adds shards when the *total* grows.
""")

md("""
## Step 4 - A reader by hand

A reader asks for a **shard iterator** - where in the shard to start - and then calls `get_records` with it;
each answer has the records, a `NextShardIterator` and `MillisBehindLatest` (how far behind the newest record
the reader is; 0 when it has caught up).

| `ShardIteratorType` | starts at |
|---|---|
| `TRIM_HORIZON` | the oldest record still retained |
| `LATEST` | just after the newest record: only what arrives from now on |
| `AT_SEQUENCE_NUMBER` / `AFTER_SEQUENCE_NUMBER` | a record you name (`StartingSequenceNumber`), or the one after it |
| `AT_TIMESTAMP` | the first record that arrived at or after `Timestamp` |

A reader that restarts must neither skip records nor read them twice. It keeps a **checkpoint** per shard: the
sequence number of the last record it processed (here a dict; in production a DynamoDB table, which is what
the Kinesis Client Library does). No checkpoint yet: start at `TRIM_HORIZON`. Otherwise: `AFTER_SEQUENCE_NUMBER`
of the checkpoint.

**Exercise 3** - write `read_new(stream, checkpoints)`: for every shard (`list_shards`), read from where its
checkpoint says until `get_records` returns no records (or `MillisBehindLatest` is 0), update `checkpoints[shard_id]`
to the last sequence number read, and return the records read (boto3's record dicts), oldest first per shard.
""")

code("""
def read_new(stream: str, checkpoints: dict) -> list[dict]:
    \"\"\"Every record of ``stream`` after the checkpoints (shard id -> last sequence number read); updates them.\"\"\"
    # BEGIN SOLUTION
    records = []
    for shard in kinesis.list_shards(StreamName=stream)["Shards"]:
        shard_id = shard["ShardId"]
        if shard_id in checkpoints:
            iterator = kinesis.get_shard_iterator(StreamName=stream, ShardId=shard_id,
                                                  ShardIteratorType="AFTER_SEQUENCE_NUMBER",
                                                  StartingSequenceNumber=checkpoints[shard_id])["ShardIterator"]
        else:
            iterator = kinesis.get_shard_iterator(StreamName=stream, ShardId=shard_id,
                                                  ShardIteratorType="TRIM_HORIZON")["ShardIterator"]
        while iterator:
            page = kinesis.get_records(ShardIterator=iterator, Limit=1000)
            if page["Records"]:
                records += page["Records"]
                checkpoints[shard_id] = page["Records"][-1]["SequenceNumber"]
            if not page["Records"] or page["MillisBehindLatest"] == 0:
                break
            iterator = page["NextShardIterator"]
    return records
    # END SOLUTION
""", ["exercise-3"])

code("""check("kinesis-clickstream.reader", lab, read_new)""")

md("""
The recommendations team's reader catches up with everything so far, is "restarted" (its checkpoints saved as
JSON and loaded again, as a real reader would from its table), and reads again: nothing is skipped or repeated.
`AT_TIMESTAMP` answers a different question - "everything since the bot started":
""")

code("""
if stream:
    checkpoints = {}
    first = attempt(3, read_new, stream, checkpoints)
    if ready(first, step=3, what="read_new returns nothing"):
        saved = json.dumps(checkpoints)  # what a real reader keeps in DynamoDB
        restarted = attempt(3, read_new, stream, json.loads(saved))
        print(f"first run: {len(first)} records; after a restart: {len(restarted or [])} records")
    bot_rows = [r for r in clickstream.read_all(lab, stream) if r["key"] == "bot-7f3a"]
    if bot_rows:
        shard = bot_rows[0]["shard"]
        since = kinesis.get_shard_iterator(StreamName=stream, ShardId=shard, ShardIteratorType="AT_TIMESTAMP",
                                           Timestamp=bot_rows[0]["arrival"])["ShardIterator"]
        page = kinesis.get_records(ShardIterator=since, Limit=10000)
        print(f"{len(page['Records'])} records on {shard} since the bot's first click")
""")

md("""
## Step 5 - Lambda as the consumer

An **event source mapping** makes Lambda the reader: it polls each shard, invokes the function with a batch
of records, and keeps **one checkpoint per shard** for you. That checkpoint is the big difference from SQS:

* SQS deletes each message that succeeded; a failed message comes back alone, the others go on.
* A stream is read **in order per shard**. A batch that fails is retried - by default until its records expire
  (24 h!) - and **nothing behind it on that shard moves meanwhile**: one poison record blocks a whole shard.

So a stream mapping needs its failure handling set deliberately:

| parameter | SecureCart's value | why |
|---|---|---|
| `StartingPosition` | `TRIM_HORIZON` | read what is already in the stream, not only what comes next (`LATEST`) |
| `BatchSize` / `MaximumBatchingWindowInSeconds` | 500 / 1 | up to 500 records an invocation, waiting at most 1 s to fill one |
| `BisectBatchOnFunctionError` | `True` | a failing batch is split in two and retried, until the poison record is alone |
| `MaximumRetryAttempts` | 2 | then give up on that record (the default `-1` retries until it expires) |
| `MaximumRecordAgeInSeconds` | 3600 | skip records older than an hour (a reader that fell far behind catches up) |
| `DestinationConfig.OnFailure` | the `clicks-failed` queue | where Lambda sends a record of each discarded batch: shard and sequence numbers |
| `FunctionResponseTypes` | `["ReportBatchItemFailures"]` | the function reports the failed record; Lambda checkpoints just before it |
| `ParallelizationFactor` | 1 (up to 10) | batches processed at once per shard; order is kept per partition key at any factor |

The function is `labs/handlers/click_auditor.py` (read it): it uses **Powertools for AWS Lambda**'s
`BatchProcessor` for Kinesis, which reports failed records by their **sequence number** - for a stream, Lambda
restarts from the lowest reported one, so the records after it are retried too (handlers must be idempotent).
The next cell deploys it and creates the on-failure queue.
""")

code("""
from labs.helpers.resources import ensure_role

role_arn = ensure_role(lab, "click-readers-role", "lambda.amazonaws.com", [
    {"Effect": "Allow", "Action": ["logs:CreateLogGroup", "logs:CreateLogStream", "logs:PutLogEvents"], "Resource": "*"},
    {"Effect": "Allow", "Action": ["kinesis:GetRecords", "kinesis:GetShardIterator", "kinesis:DescribeStream",
                                   "kinesis:DescribeStreamSummary", "kinesis:ListShards", "kinesis:ListStreams"],
     "Resource": "*"},
    {"Effect": "Allow", "Action": ["sqs:SendMessage"], "Resource": "*"},
    {"Effect": "Allow", "Action": ["dynamodb:UpdateItem"], "Resource": "*"}])


def deploy(module: str, base: str, env: dict | None = None) -> str:
    name = lab.name(base)
    try:
        return lam.get_function(FunctionName=name)["Configuration"]["FunctionArn"]
    except lam.exceptions.ResourceNotFoundException:
        arn = lam.create_function(FunctionName=name, Runtime="python3.12", Role=role_arn, Handler=handler_name(module),
                                  Code={"ZipFile": package_handler(module)}, Timeout=30,
                                  Environment={"Variables": env or {}})["FunctionArn"]
        lam.get_waiter("function_active_v2").wait(FunctionName=name)
        return arn


auditor_arn = deploy("labs.handlers.click_auditor", "click-auditor")
failed_url = sqs.create_queue(QueueName=lab.name("clicks-failed"))["QueueUrl"]
failed_arn = sqs.get_queue_attributes(QueueUrl=failed_url, AttributeNames=["QueueArn"])["Attributes"]["QueueArn"]
print("function ready:", lam.get_function(FunctionName=auditor_arn)["Configuration"]["State"])
""", ["nbval-ignore-output"])

md("""
**Exercise 4** - map the stream to the auditor (`auditor_arn`) with the values in the table above
(`ParallelizationFactor` may stay at its default). Keep the cell re-runnable: skip it if a mapping of this
stream to this function exists (`list_event_source_mappings`).
""")

code("""
if stream:
    stream_arn = kinesis.describe_stream_summary(StreamName=stream)["StreamDescriptionSummary"]["StreamARN"]
    # BEGIN SOLUTION
    existing = lam.list_event_source_mappings(EventSourceArn=stream_arn, FunctionName=auditor_arn)["EventSourceMappings"]
    if not existing:
        lam.create_event_source_mapping(
            EventSourceArn=stream_arn, FunctionName=auditor_arn, StartingPosition="TRIM_HORIZON",
            BatchSize=500, MaximumBatchingWindowInSeconds=1, BisectBatchOnFunctionError=True,
            MaximumRetryAttempts=2, MaximumRecordAgeInSeconds=3600,
            DestinationConfig={"OnFailure": {"Destination": failed_arn}},
            FunctionResponseTypes=["ReportBatchItemFailures"])
    # END SOLUTION
""", ["exercise-4"])

code("""check("kinesis-clickstream.mapping", lab)""")

md("""
A broken release of the storefront writes one record that is not JSON. With your mapping the auditor reports
it, Lambda retries from it twice, then gives up on it and sends a record of it to `clicks-failed`; the shard
moves on. The on-failure record holds no data, only where to find it: the shard and sequence numbers, with
which anyone can read the record from the stream (`AT_SEQUENCE_NUMBER`) while it is retained.
""")

code("""
if stream:
    poison = kinesis.put_record(StreamName=stream, Data=b"<html>502 Bad Gateway</html>", PartitionKey="s-0001")
    settle(lab, timeout=20)
    for message in sqs.receive_message(QueueUrl=failed_url, MaxNumberOfMessages=10).get("Messages", []):
        info = json.loads(message["Body"])
        batch = info["KinesisBatchInfo"]
        print(f"{info['requestContext']['condition']} after {info['requestContext']['approximateInvokeCount']} invokes: "
              f"{batch['batchSize']} record(s) of {batch['shardId']}")
        it = kinesis.get_shard_iterator(StreamName=stream, ShardId=batch["shardId"], ShardIteratorType="AT_SEQUENCE_NUMBER",
                                        StartingSequenceNumber=batch["startSequenceNumber"])["ShardIterator"]
        print("  the record:", kinesis.get_records(ShardIterator=it, Limit=1)["Records"][0]["Data"])
""", ["nbval-ignore-output"])

md("""
## Step 6 - "Customers also viewed"

The recommendations reader counts, per minute, the pairs of products viewed in the same session. Lambda can
aggregate over time itself with a **tumbling window**: `TumblingWindowInSeconds=60` groups each shard's records
into one-minute windows by arrival time; every invocation of a window gets the `state` the previous one
returned; when the window ends, a last invocation with `isFinalInvokeForWindow: true` gets the final state - the
handler (`labs/handlers/also_viewed.py`) then adds the pair counts to the DynamoDB table `also-viewed`
(`product`, `other` -> `views`). Sessions never cross shards (the partition key!), so each shard's windows see
whole sessions.

The next cell creates the table, deploys the handler and maps it; then it lets the minute end (on the emulator
by advancing its clock).
""")

code("""
table = lab.name("also-viewed")
try:
    ddb.create_table(TableName=table, BillingMode="PAY_PER_REQUEST",
                     AttributeDefinitions=[{"AttributeName": "product", "AttributeType": "S"},
                                           {"AttributeName": "other", "AttributeType": "S"}],
                     KeySchema=[{"AttributeName": "product", "KeyType": "HASH"},
                                {"AttributeName": "other", "KeyType": "RANGE"}])
    ddb.get_waiter("table_exists").wait(TableName=table)
except ddb.exceptions.ResourceInUseException:
    pass
recommender_arn = deploy("labs.handlers.also_viewed", "also-viewed", {"ALSO_VIEWED_TABLE": table})
if stream:
    if not lam.list_event_source_mappings(EventSourceArn=stream_arn, FunctionName=recommender_arn)["EventSourceMappings"]:
        lam.create_event_source_mapping(EventSourceArn=stream_arn, FunctionName=recommender_arn,
                                        StartingPosition="TRIM_HORIZON", BatchSize=1000, TumblingWindowInSeconds=60)
    settle(lab, timeout=20)
""", ["nbval-ignore-output"])

md("""
The records of the minute are in the window's state now; nothing is in the table yet. When the minute ends,
the final invocation of each shard's window writes the pairs:
""")

code("""
if stream:
    if lab.backend.kind.value != "aws":
        advance(lab, seconds=60)  # the minute ends (on AWS: wait for it)
    settle(lab, timeout=20)
    items = ddb.scan(TableName=table)["Items"]
    print(f"{len(items)} product pairs in also-viewed")
""", ["nbval-ignore-output"])

md("""
**Exercise 5** - the storefront's read: write `also_viewed(product, n=3)`, the `n` other products most viewed
together with `product`, most views first: one `query` of the table on `product` (not a `scan`), sorted by
`views` (DynamoDB returns numbers as strings in `{"N": "12"}`).
""")

code("""
def also_viewed(product: str, n: int = 3) -> list[str]:
    \"\"\"The ``n`` products most often viewed in the same session as ``product``, most first.\"\"\"
    # BEGIN SOLUTION
    items = ddb.query(TableName=table, KeyConditionExpression="product = :p",
                      ExpressionAttributeValues={":p": {"S": product}})["Items"]
    items.sort(key=lambda item: int(item["views"]["N"]), reverse=True)
    return [item["other"]["S"] for item in items[:n]]
    # END SOLUTION
""", ["exercise-5"])

code("""check("kinesis-clickstream.also-viewed", lab, also_viewed)""")

code("""
items = ddb.scan(TableName=table)["Items"]
if items:
    pairs = pd.DataFrame([{"product": i["product"]["S"], "other": i["other"]["S"], "views": int(i["views"]["N"])}
                          for i in items])
    top = pairs[pairs["product"] < pairs["other"]].sort_values(["views", "product"], ascending=[False, True]).head(8)
    display(top.reset_index(drop=True))
    shown = attempt(5, also_viewed, "mug-classic")
    if ready(shown, step=5, what="also_viewed returns nothing"):
        print("Customers who viewed mug-classic also viewed:", shown)
else:
    not_done(6, "the also-viewed table is empty")
""", ["nbval-ignore-output"])

md("""
## Step 7 - Scaling

Black Friday's forecast: **3,000 clicks a second, 400 bytes each** on average. A shard takes 1,000 records/s
*and* 1 MiB/s (1,048,576 bytes): the stream needs enough shards for both, rounded up. Then `update_shard_count`
(`ScalingType="UNIFORM_SCALING"`) reshards: Kinesis **splits** and **merges** shards; the old shards are
**closed** (they keep their records until they expire, with an `EndingSequenceNumber`) and new **child** shards
(`ParentShardId`) take the writes. A reader must finish a parent before reading its children, or a session's
clicks come out of order - the Kinesis Client Library and Lambda do that for you. (One update may at most
double or halve the open shards; a few per day per stream.)

**Exercise 6** - write `shards_needed(records_per_second, record_bytes)` from the quotas, then reshard `STREAM`
to `shards_needed(PEAK_RPS, PEAK_BYTES)` shards.
""")

code("""
PEAK_RPS, PEAK_BYTES = 3000, 400


def shards_needed(records_per_second: int, record_bytes: int) -> int:
    \"\"\"The fewest shards that take ``records_per_second`` records of ``record_bytes`` bytes each.\"\"\"
    # BEGIN SOLUTION
    by_records = math.ceil(records_per_second / 1000)
    by_bytes = math.ceil(records_per_second * record_bytes / (1024 * 1024))
    return max(1, by_records, by_bytes)
    # END SOLUTION


stream = stream_name(lab, "clickstream", step=1, provisioned=True)
if stream:
    # BEGIN SOLUTION
    kinesis.update_shard_count(StreamName=STREAM, TargetShardCount=shards_needed(PEAK_RPS, PEAK_BYTES),
                               ScalingType="UNIFORM_SCALING")
    kinesis.get_waiter("stream_exists").wait(StreamName=STREAM, WaiterConfig={"Delay": 2, "MaxAttempts": 60})
    # END SOLUTION
""", ["exercise-6"])

code("""check("kinesis-clickstream.scaling", lab, shards_needed)""")

md("""
Checked against the emulator: two seconds at 2,000 clicks a second, measured with raw `put_records` calls that
count what each shard refused (no retries: this is a measurement, not a producer), on a scratch stream of 2
shards and on the resharded `clickstream`:
""")

code("""
def throttled_at(stream_to_test: str, seconds: list[list[dict]]) -> int:
    refused = 0
    for clicks in seconds:
        for start in range(0, len(clicks), 500):
            batch = [{"Data": json.dumps(c).encode(), "PartitionKey": c["session"]} for c in clicks[start:start + 500]]
            refused += kinesis.put_records(StreamName=stream_to_test, Records=batch)["FailedRecordCount"]
        advance(lab, seconds=1) if lab.backend.kind.value != "aws" else time.sleep(1)
    return refused


busy = clickstream.peak_traffic(seconds=2, per_second=2000, seed=11, prefix="b-")
if stream and lab.backend.kind.value != "aws":
    scratch = lab.name("clickstream-2-shards")
    kinesis.create_stream(StreamName=scratch, ShardCount=2)
    kinesis.get_waiter("stream_exists").wait(StreamName=scratch, WaiterConfig={"Delay": 2, "MaxAttempts": 60})
    before = throttled_at(scratch, busy)
    kinesis.delete_stream(StreamName=scratch)
    after = throttled_at(stream, busy)
    settle(lab, timeout=20)
    print(f"2 shards: {before} of 4000 records refused; {len(clickstream.open_shards(lab, stream))} shards: {after} refused")
""", ["nbval-ignore-output"])

md("""
## Step 8 - The flow

Per-shard throughput over the lab's traffic (records arriving per second, per shard; the closed parent
shards on the left, their children after resharding), how far behind the tip each reader was while catching
up, and one shopper's session end to end.
""")

code("""
if stream:
    everything = clickstream.read_all(lab, stream)
    per_second = clickstream.shard_seconds(lab, stream, everything)
    fig, (ax1, ax2) = plt.subplots(1, 2, figsize=(12, 3.6))
    im = ax1.imshow(per_second.T.values, aspect="auto", cmap="viridis")
    ax1.set_yticks(range(len(per_second.columns)), [c.replace("shardId-", "") for c in per_second.columns])
    ax1.set_xlabel("second of the lab's traffic")
    ax1.set_title("records per shard per second (limit 1,000)")
    fig.colorbar(im, ax=ax1)
    lag = clickstream.reader_lag(lab, stream)
    for shard, rows in lag.groupby("shard"):
        ax2.plot(rows["page"], rows["millis_behind"] / 1000, marker=".", label=shard.replace("shardId-", ""))
    ax2.set_xlabel("GetRecords call (Limit 500)")
    ax2.set_ylabel("MillisBehindLatest (s)")
    ax2.set_title("a new reader catching up, per shard")
    ax2.legend(fontsize=7)
    fig.tight_layout()
""", ["nbval-ignore-output"])

code("""
if stream:
    session = "s-0042"
    rows = [r for r in everything if r["key"] == session]
    journey = pd.DataFrame([{"shard": r["shard"], "sequence": r["sequence"], "n": r["click"]["n"],
                             "action": r["click"]["action"], "product": r["click"]["product"]} for r in rows if r["click"]])
    print(f"session {session}: {len(journey)} clicks, all on {journey['shard'].nunique() if len(journey) else 0} shard(s), "
          f"in order: {list(journey['n']) == sorted(journey['n']) if len(journey) else '-'}")
    display(journey.head(8))
""", ["nbval-ignore-output"])

code("""
lab.flow.service_map()
""", ["nbval-ignore-output"])

md("""
Finally, remove everything this lab created: the stream, the mappings, the functions and their role, the
queue and the table. On real AWS a provisioned stream costs per shard-hour whether anyone writes to it or not
(about USD 0.015 per shard-hour, so 3 shards cost about USD 1 a day): a forgotten stream keeps costing until it
is deleted.
""")

code("""
report = lab.teardown()
print(report.summary())
""")


def build() -> dict:
    cells = []
    for i, (kind, text, tags) in enumerate(CELLS):
        lines = text.split("\n")
        source = [line + "\n" for line in lines[:-1]] + [lines[-1]]
        cell = {"cell_type": kind, "id": hashlib.sha1(f"nb05-{i}".encode()).hexdigest()[:8],
                "metadata": {"tags": tags} if tags else {}, "source": source}
        if kind == "code":
            cell["execution_count"] = None
            cell["outputs"] = []
        cells.append(cell)
    return {"cells": cells, "metadata": {"kernelspec": {"display_name": "Python 3 (ipykernel)", "language": "python",
                                                        "name": "python3"},
                                         "language_info": {"name": "python", "pygments_lexer": "ipython3"}},
            "nbformat": 4, "nbformat_minor": 5}


if __name__ == "__main__":
    with open("solutions/05-kinesis-clickstream.ipynb", "w") as f:
        json.dump(build(), f, indent=1)
        f.write("\n")
