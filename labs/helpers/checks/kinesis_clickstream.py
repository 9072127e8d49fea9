"""Checks of Lab 5 (Kinesis clickstream): one per exercise, judging the learner's stream, producer,
reader, Lambda mapping, storefront read and shard count.

Behaviour is tested on scratch streams (a random suffix, deleted afterwards) with the check's own
clicks: the learner's ``put_clicks`` under ``chaos.flaky_batches`` (records failing with
InternalFailure at known positions), then the stream read back record by record (nothing lost,
nothing twice, one partition key per session); the learner's ``read_new`` run, "restarted" with its
checkpoints saved as JSON, and run again after more records (nothing skipped, nothing repeated).
The mapping is judged by its configuration (each value is what decides what a poison record does);
``also_viewed`` against the table's own contents; ``shards_needed`` against the quotas.

Numbers the lab's text names (2 shards, 500 records a call, 1,000 records and 1 MiB a second per
shard, the peak of 3,000 clicks of 400 bytes) are constants here so the notebook and its checks agree.
"""

from __future__ import annotations

import json
import math
import uuid
from collections import Counter
from typing import Any

from botocore.exceptions import ClientError

from ..backend import BackendKind
from ..chaos import flaky_batches
from ..clickstream import read_all
from ..errors import LabError, error_code
from ..waiting import poll
from . import Feedback, checker
from ._sqs import find_queue
from .probe import Probe

LAB = "kinesis-clickstream"
SHARDS = 2
MAX_BATCH = 500
RECORDS_PER_SECOND, BYTES_PER_SECOND = 1000, 1024 * 1024
PEAK_RPS, PEAK_BYTES = 3000, 400


def _summary(lab: Any, base: str) -> dict[str, Any] | None:
    try:
        return lab.client("kinesis").describe_stream_summary(StreamName=lab.name(base))["StreamDescriptionSummary"]
    except ClientError as err:
        if error_code(err) == "ResourceNotFoundException":
            return None
        raise


def _stream(lab: Any, fb: Feedback) -> dict[str, Any]:
    summary = _summary(lab, "clickstream")
    if summary is None:
        names = lab.client("kinesis").list_streams().get("StreamNames", [])
        near = [n for n in names if "clickstream" in n.lower() and n != lab.name("clickstream")]
        if near:
            fb.wrong(f"There is a stream '{near[0]}', but none called lab.name('clickstream'): the lab's cells use that name.",
                     "Create the stream with StreamName=STREAM (that is lab.name('clickstream')).")
            fb.stop()
    return fb.require(summary, "There is no 'clickstream' stream yet.",
                      "Do exercise 1: kinesis.create_stream(StreamName=STREAM, ...), then wait for it.",
                      after=("CreateStream",))


class _Scratch:
    """A scratch stream of the lab (deleted on exit)."""

    def __init__(self, lab: Any, shards: int = SHARDS):
        self.lab, self.shards = lab, shards
        self.name = lab.name(f"check-{uuid.uuid4().hex[:6]}")

    def __enter__(self) -> str:
        kinesis = self.lab.client("kinesis")
        kinesis.create_stream(StreamName=self.name, ShardCount=self.shards)
        kinesis.get_waiter("stream_exists").wait(StreamName=self.name, WaiterConfig={"Delay": 0.05, "MaxAttempts": 100})
        return self.name

    def __exit__(self, *_: object) -> None:
        try:
            self.lab.client("kinesis").delete_stream(StreamName=self.name, EnforceConsumerDeletion=True)
        except ClientError:
            pass


def _check_clicks(n: int, sessions: int, run: str) -> list[dict[str, Any]]:
    counters: Counter[str] = Counter()
    clicks = []
    for i in range(n):
        session = f"chk-{run}-{(i * 7) % sessions:02d}"
        counters[session] += 1
        clicks.append({"session": session, "product": f"p-{i % 9}", "action": "view", "n": counters[session]})
    return clicks


# ============================================================== 1: the stream
@checker(f"{LAB}.stream")
def stream(lab: Any, fb: Feedback) -> None:
    """AWS, CreateStream: "ShardCount - The number of shards that the stream will use"; StreamModeDetails
    PROVISIONED or ON_DEMAND; the stream is CREATING, then ACTIVE ("You should perform read and write
    operations only on an ACTIVE data stream")."""
    summary = _stream(lab, fb)
    fb.right("The clickstream stream exists.")
    mode = (summary.get("StreamModeDetails") or {}).get("StreamMode", "PROVISIONED")
    if mode != "PROVISIONED":
        fb.wrong(f"The stream is in {mode} mode: it scales by itself and is billed per GB, so the shard lesson of this "
                 "lab (and its costs) would not apply.",
                 "Create it with StreamModeDetails={'StreamMode': 'PROVISIONED'} and ShardCount=2: delete_stream and "
                 "create it again.")
        return
    fb.check(summary["StreamStatus"] in ("ACTIVE", "UPDATING"), f"It is {summary['StreamStatus']}.",
             f"It is {summary['StreamStatus']}, not ACTIVE yet.",
             "Wait with kinesis.get_waiter('stream_exists').wait(StreamName=STREAM) before writing to it.")
    shards = lab.client("kinesis").list_shards(StreamName=lab.name("clickstream"))["Shards"]
    original = [s for s in shards if not s.get("ParentShardId")]
    fb.check(len(original) == SHARDS, f"It was created with {SHARDS} shards.",
             f"It was created with {len(original)} shard(s), not {SHARDS}.",
             f"Create it with ShardCount={SHARDS} (delete_stream and create it again): step 7 reshards it on purpose.")


# ============================================================== 2: the producer
@checker(f"{LAB}.producer")
def producer(lab: Any, fb: Feedback, put_clicks: Any = None) -> None:
    """AWS, PutRecords: at most 500 records a call; "A single record failure does not stop the processing
    of subsequent records"; the result of each record is at its own position, with SequenceNumber and
    ShardId or ErrorCode and ErrorMessage; FailedRecordCount counts the failed ones. "Kinesis Data
    Streams segregates the data records belonging to a stream into multiple shards, using the partition
    key associated with each data record"."""
    fn = fb.answer(put_clicks, "put_clicks", "2")
    run = uuid.uuid4().hex[:6]
    clicks = _check_clicks(1230, 37, run)
    with Probe(lab, fb) as probe, _Scratch(lab) as name:
        with flaky_batches(lab.client("kinesis"), every=9) as failed_once:
            outcome = probe.run(fn, name, clicks, timeout=20)
        calls = probe.made("PutRecords", "PutRecord")
        too_big = [c for c in calls if len(c.params.get("Records") or []) > MAX_BATCH]
        if too_big:
            fb.wrong(f"A put_records call carried {len(too_big[0].params['Records'])} records: PutRecords takes at most "
                     f"{MAX_BATCH}.", f"Put the clicks in slices of {MAX_BATCH} records per call.")
            return
        if probe.explain_error(outcome, "put_clicks"):
            return
        calls = probe.require_calls("put_clicks", "PutRecords",
                                    "Call kinesis.put_records(StreamName=stream, Records=[...]) in put_clicks.", "PutRecord")
        if all(c.operation == "PutRecord" for c in calls):
            fb.wrong(f"put_clicks wrote one record per call ({len(calls)} PutRecord calls for {len(clicks)} clicks): at "
                     "peak that is thousands of requests a second.",
                     f"Use put_records with up to {MAX_BATCH} records per call.")
            return
        rows = [r for r in read_all(lab, name) if isinstance(r["click"], dict)]
        keys_by_session: dict[str, set[str]] = {}
        for r in rows:
            keys_by_session.setdefault(str(r["click"].get("session")), set()).add(r["key"])
        keys = {k for ks in keys_by_session.values() for k in ks}
        shards = {r["shard"] for r in rows}
        if len(keys) == 1 and len(keys_by_session) > 1:
            fb.wrong(f"Every record has the same partition key ('{next(iter(keys))}'): all clicks land on one shard, "
                     f"which takes {RECORDS_PER_SECOND} records a second however many shards the stream has (the rest "
                     "is throttled).",
                     "Use the click's session as PartitionKey: sessions spread over the shards, and one session's clicks "
                     "stay together.")
        elif any(len(ks) > 1 for ks in keys_by_session.values()):
            fb.wrong("One session's clicks were written with different partition keys, so they are spread over shards "
                     "and no reader sees a session's clicks in order.",
                     "Use the click's session (click['session']) as PartitionKey, not a random or per-click value.")
        elif any(key != session for session, ks in keys_by_session.items() for key in ks):
            fb.wrong("The partition key is not the session id.", "Use PartitionKey=click['session'].")
        else:
            fb.right(f"Each session's clicks share its session id as partition key ({len(shards)} shards used).")
        seen = Counter((r["click"].get("session"), r["click"].get("n")) for r in rows)
        wanted = {(c["session"], c["n"]) for c in clicks}
        missing = len(wanted - set(seen))
        twice = sum(1 for key, count in seen.items() if count > 1 and key in wanted)
        if twice:
            fb.wrong(f"{twice} of {len(clicks)} clicks are in the stream more than once: records that were written were "
                     "sent again.",
                     "Retry only the records whose result has an ErrorCode (results come in the order of the request); "
                     "the others are in the stream already.")
        if missing:
            fb.wrong(f"{missing} of {len(clicks)} clicks never reached the stream: put_records reported them failed "
                     f"({len(failed_once)} records had an ErrorCode) and they were not sent again.",
                     "Read FailedRecordCount and each result in Records: the ones with an ErrorCode failed; put those "
                     "again (with a short backoff) until none is left.")
        if not twice and not missing:
            fb.right(f"All {len(clicks)} clicks arrived once, though {len(failed_once)} records failed at first: only the "
                     "failed records were sent again.")
        in_stream = sum(seen[key] for key in wanted if key in seen)
        fb.check(outcome.value == in_stream, "put_clicks returns the number of records written.",
                 f"put_clicks returned {outcome.value!r}; {in_stream} records were written.",
                 "Return how many records were written: count the results that have a SequenceNumber.")


# ============================================================== 3: the reader
def _put(lab: Any, name: str, items: list[str]) -> None:
    kinesis = lab.client("kinesis")
    for start in range(0, len(items), MAX_BATCH):
        kinesis.put_records(StreamName=name, Records=[{"Data": i.encode(), "PartitionKey": i.split("#")[0]}
                                                      for i in items[start:start + MAX_BATCH]])


def _datas(value: Any) -> list[str] | None:
    if not isinstance(value, list):
        return None
    out = []
    for record in value:
        data = record.get("Data") if isinstance(record, dict) else None
        if data is None:
            return None
        out.append(data.decode() if isinstance(data, bytes) else str(data))
    return out


@checker(f"{LAB}.reader")
def reader(lab: Any, fb: Feedback, read_new: Any = None) -> None:
    """AWS, GetShardIterator: TRIM_HORIZON "the last untrimmed record in the shard ... the oldest data
    record", LATEST "just after the most recent record", AFTER_SEQUENCE_NUMBER "right after the position
    denoted by a specific sequence number"; GetRecords returns at most Limit records and
    MillisBehindLatest ("A value of zero indicates that record processing is caught up")."""
    fn = fb.answer(read_new, "read_new", "3")
    first = [f"s{i % 23:02d}#{i}" for i in range(640)]
    more = [f"s{i % 23:02d}#{i}" for i in range(640, 671)]
    with Probe(lab, fb) as probe, _Scratch(lab) as name:
        _put(lab, name, first)
        checkpoints: dict[str, Any] = {}
        outcome = probe.run(fn, name, checkpoints, timeout=15)
        if probe.explain_error(outcome, "read_new"):
            return
        got = _datas(outcome.value)
        if got is None:
            fb.wrong(f"read_new returned {type(outcome.value).__name__}, not the list of records get_records returned.",
                     "Return a list of the record dicts from each get_records page ('Records').")
            return
        if not got:
            fb.wrong(f"The first run of read_new read nothing of the {len(first)} records already in the stream.",
                     "With no checkpoint for a shard, start at ShardIteratorType='TRIM_HORIZON' (LATEST skips everything "
                     "that was there before the reader started).")
            return
        if len(set(got)) < len(first):
            shards_read = {s for s in checkpoints}
            fb.wrong(f"The first run read {len(set(got))} of the {len(first)} records in the stream.",
                     "Read every shard (list_shards) and keep calling get_records with NextShardIterator until a page has "
                     "no records or MillisBehindLatest is 0." if len(shards_read) >= SHARDS or not shards_read else
                     "Read every shard of the stream: list_shards, then one iterator per shard.")
            return
        fb.check(len(got) == len(set(got)), f"The first run read all {len(first)} records once.",
                 "The first run returned some records twice.", "Keep reading from NextShardIterator: do not start again.")
        try:
            saved = json.loads(json.dumps(checkpoints))
        except (TypeError, ValueError):
            fb.wrong("The checkpoints cannot be saved as JSON.",
                     "Keep checkpoints[shard_id] = the record's SequenceNumber (a string).")
            return
        restarted = probe.run(fn, name, saved, timeout=15)
        if probe.explain_error(restarted, "read_new"):
            return
        again = _datas(restarted.value) or []
        if len(again) >= len(first):
            fb.wrong(f"After a restart with the saved checkpoints read_new read all {len(again)} records again.",
                     "With a checkpoint, start at ShardIteratorType='AFTER_SEQUENCE_NUMBER' and "
                     "StartingSequenceNumber=checkpoints[shard_id] (TRIM_HORIZON starts over).")
            return
        if again:
            fb.wrong(f"After a restart with the saved checkpoints read_new read {len(again)} record(s) again "
                     "(the last one of each shard?).",
                     "AT_SEQUENCE_NUMBER reads the checkpointed record again: start AFTER_SEQUENCE_NUMBER of it, and keep "
                     "the checkpoint = the last record read.")
            return
        fb.right("A restarted reader with the saved checkpoints reads nothing twice.")
        _put(lab, name, more)
        later = probe.run(fn, name, saved, timeout=15)
        if probe.explain_error(later, "read_new"):
            return
        new = _datas(later.value) or []
        if sorted(new) != sorted(more):
            fb.wrong(f"After {len(more)} new records, the reader read {len(new)} (expected exactly the new ones).",
                     "Update checkpoints[shard_id] to the SequenceNumber of the last record read from each shard, "
                     "including the shards with no new records.")
            return
        fb.right(f"After {len(more)} new records it read exactly those, and updated its checkpoints.")


# ============================================================== 4: the Lambda mapping
@checker(f"{LAB}.mapping")
def mapping(lab: Any, fb: Feedback) -> None:
    """AWS, CreateEventSourceMapping (streams): StartingPosition, BisectBatchOnFunctionError ("If the
    function returns an error, split the batch in two and retry"), MaximumRetryAttempts ("-1 (infinite)
    ... When infinite, failed records are retried until the record expires"), MaximumRecordAgeInSeconds,
    DestinationConfig OnFailure, FunctionResponseTypes ReportBatchItemFailures."""
    summary = _stream(lab, fb)
    lam = lab.client("lambda")
    found = lam.list_event_source_mappings(EventSourceArn=summary["StreamARN"]).get("EventSourceMappings", [])
    mine = [m for m in found if m["FunctionArn"].endswith(":" + lab.name("click-auditor"))]
    m = fb.require(mine[0] if mine else None, "The stream has no event source mapping to the click-auditor function yet.",
                   "Do exercise 4: lam.create_event_source_mapping(EventSourceArn=stream_arn, FunctionName=auditor_arn, ...).",
                   after=("CreateEventSourceMapping",))
    fb.right("The stream is mapped to the click-auditor function.")
    if m.get("StartingPosition") != "TRIM_HORIZON":
        fb.wrong(f"StartingPosition is {m.get('StartingPosition')}: the mapping skips every click already in the stream.",
                 "Set StartingPosition='TRIM_HORIZON' (delete the mapping and create it again: it cannot be changed).")
    else:
        fb.right("It starts at TRIM_HORIZON: the clicks already in the stream are read too.")
    retries = m.get("MaximumRetryAttempts", -1)
    if retries is None or retries < 0:
        fb.wrong("MaximumRetryAttempts is -1 (the default): a failing batch is retried until its records expire (24 h), "
                 "and nothing behind it on that shard is processed meanwhile.",
                 "Bound the retries: MaximumRetryAttempts=2 (update_event_source_mapping).")
    elif retries > 10:
        fb.wrong(f"MaximumRetryAttempts is {retries}: a poison record holds its shard up for {retries} retries.",
                 "Use a small bound such as MaximumRetryAttempts=2.")
    else:
        fb.right(f"Retries are bounded ({retries}).")
    if not m.get("BisectBatchOnFunctionError"):
        fb.wrong("BisectBatchOnFunctionError is off: when the function fails, the whole batch is retried and, after the "
                 "retries, discarded with the poison record - good clicks too.",
                 "Set BisectBatchOnFunctionError=True: Lambda splits a failing batch until the poison record is alone.")
    else:
        fb.right("A failing batch is split in two (BisectBatchOnFunctionError).")
    destination = ((m.get("DestinationConfig") or {}).get("OnFailure") or {}).get("Destination")
    failed_url = find_queue(lab, "clicks-failed")
    failed_arn = None
    if failed_url:
        failed_arn = lab.client("sqs").get_queue_attributes(QueueUrl=failed_url, AttributeNames=["QueueArn"])[
            "Attributes"]["QueueArn"]
    if not destination:
        fb.wrong("The mapping has no on-failure destination: a record Lambda gives up on is dropped without a trace.",
                 "Set DestinationConfig={'OnFailure': {'Destination': failed_arn}}: the clicks-failed queue gets a record "
                 "of each discarded batch (shard and sequence numbers).")
    elif destination != failed_arn:
        fb.wrong(f"The on-failure destination is {destination.rsplit(':', 1)[-1]}, not the clicks-failed queue.",
                 "Use the queue's ARN (failed_arn, its QueueArn attribute) as DestinationConfig's OnFailure Destination.")
    else:
        fb.right("Discarded batches are reported to the clicks-failed queue.")
    age = m.get("MaximumRecordAgeInSeconds", -1)
    fb.check(age is not None and 60 <= age <= 86400, f"Records older than {age} s are skipped.",
             f"MaximumRecordAgeInSeconds is {age}: a reader that fell behind never skips stale clicks.",
             "Set MaximumRecordAgeInSeconds=3600 (an hour-old click is no use for recommendations).")
    fb.check("ReportBatchItemFailures" in (m.get("FunctionResponseTypes") or []),
             "The function may report which record failed (ReportBatchItemFailures).",
             "FunctionResponseTypes does not include ReportBatchItemFailures: the auditor's batchItemFailures are ignored "
             "and any failure fails the whole batch.",
             "Set FunctionResponseTypes=['ReportBatchItemFailures'].")
    _mapping_reads(lab, fb, m, summary["StreamARN"])


#: Event source mapping states on the way to Enabled or Disabled (AWS: "Creating", "Enabling", ...).
_TRANSITIONS = {"Creating", "Enabling", "Disabling", "Updating"}


def _mapping_reads(lab: Any, fb: Feedback, m: dict[str, Any], stream_arn: str) -> None:
    """What the mapping does: a mapping that is not Enabled (created with Enabled=False) reads nothing; an
    Enabled one, on the embedded emulator (whose trace shows every delivery), says how much it delivered."""
    from ..functions import settle

    lam = lab.client("lambda")
    described, _ = poll(lambda: lam.get_event_source_mapping(UUID=m["UUID"]),
                        lambda d: d.get("State") not in _TRANSITIONS, timeout=15)
    state = described.get("State")
    if state != "Enabled":
        fb.wrong(f"The mapping is {state}: Lambda reads nothing from the stream, the auditor gets no click.",
                 "Enable it: lam.update_event_source_mapping(UUID=..., Enabled=True) (or create it without Enabled=False).")
        return
    if lab.backend.kind is not BackendKind.EMBEDDED:
        return
    try:
        settle(lab, timeout=20)
    except LabError:
        pass  # still busy: what was delivered so far is counted
    df = lab.flow.deliveries("lambda", ["esm-invoke"])
    handed = int(df[(df["source"] == stream_arn) & (df["target"] == m["FunctionArn"])]["count"].sum())
    if handed:  # an empty stream (no clicks yet) gives nothing to read: not a mistake of the mapping
        fb.right(f"It reads: Lambda has handed the auditor {handed} records of the stream.")


# ============================================================== 5: the storefront's read
@checker(f"{LAB}.also-viewed")
def also_viewed_check(lab: Any, fb: Feedback, also_viewed: Any = None) -> None:
    """DynamoDB Query: "finds items based on primary key values" (one partition: product = A), where a
    Scan "reads every item in a table"; numbers are returned as strings ({"N": "12"})."""
    fn = fb.answer(also_viewed, "also_viewed", "5")
    ddb = lab.client("dynamodb")
    table = lab.name("also-viewed")
    try:
        items = ddb.scan(TableName=table)["Items"]
    except ClientError:
        items = []
    if not items:
        fb.give_up("The also-viewed table is empty or missing.", "Run step 6's cell that maps the recommender (and lets "
                   "the minute end) first, then this check.")
    by_product: dict[str, list[tuple[str, int]]] = {}
    for item in items:
        by_product.setdefault(item["product"]["S"], []).append((item["other"]["S"], int(item["views"]["N"])))
    products = sorted(by_product, key=lambda p: (-len(by_product[p]), p))[:3]
    with Probe(lab, fb) as probe:
        for product, n in zip(products, (3, 2, 5), strict=False):
            outcome = probe.run(fn, product, n, timeout=10)
            if probe.explain_error(outcome, "also_viewed"):
                return
            answer = outcome.value
            if not isinstance(answer, list) or not all(isinstance(a, str) for a in answer):
                fb.wrong(f"also_viewed('{product}', {n}) returned {answer!r:.80}, not a list of product names.",
                         "Return the 'other' attribute's string ('S') of each item: a list like ['mug-travel', ...].")
                return
            views = dict(by_product[product])
            expected = sorted(views.values(), reverse=True)[:n]
            if product in answer:
                fb.wrong(f"also_viewed('{product}') lists {product} itself.", "Return the 'other' products of the items.")
                return
            if len(answer) != len(expected):
                fb.wrong(f"also_viewed('{product}', {n}) returned {len(answer)} products, not {len(expected)}.",
                         "Return the first n of the sorted items (items[:n]).")
                return
            got = [views.get(a, -1) for a in answer]
            if -1 in got:
                fb.wrong(f"also_viewed('{product}') returned products not viewed with {product}.",
                         "Query the partition product = :p and return its items' 'other' values.")
                return
            if got != expected:
                asc = sorted(views.values())[:n]
                fb.wrong(f"also_viewed('{product}', {n}) returned products with {got} views; the most viewed have "
                         f"{expected}.",
                         "Sort descending (reverse=True) by views as a number: int(item['views']['N'])."
                         if got == asc or got == sorted(got) else
                         "Sort by views as a number - int(item['views']['N']) - not as text, most first.")
                return
        scans = probe.made("Scan")
        queries = probe.made("Query")
        if scans or not queries:
            fb.wrong("also_viewed scans the whole table for every product page.",
                     "Use ddb.query with KeyConditionExpression='product = :p': it reads only that product's items.")
            return
    fb.right(f"also_viewed returns the most viewed products first, with one query per call ({len(products)} products tried).")


# ============================================================== 6: scaling
_CASES = [(3000, 400), (2500, 100), (800, 4096), (1000, 1024), (1001, 100), (2500, 3000), (1, 10)]


def _needed(rps: int, size: int) -> int:
    return max(1, math.ceil(rps / RECORDS_PER_SECOND), math.ceil(rps * size / BYTES_PER_SECOND))


@checker(f"{LAB}.scaling")
def scaling(lab: Any, fb: Feedback, shards_needed: Any = None) -> None:
    """AWS, Kinesis quotas: "Each shard can support up to 1,000 records per second for writes, up to a maximum
    total data write rate of 1 MB per second"; UpdateShardCount with UNIFORM_SCALING."""
    fn = fb.answer(shards_needed, "shards_needed", "6")
    for rps, size in _CASES:
        try:
            got = fn(rps, size)
        except Exception as err:  # noqa: BLE001 - the learner's error is the finding
            fb.wrong(f"shards_needed({rps}, {size}) raised {type(err).__name__}: {err}",
                     "Compute from the two numbers: records per second and bytes per record.")
            return
        want = _needed(rps, size)
        if got == want:
            continue
        by_records, by_bytes = math.ceil(rps / RECORDS_PER_SECOND), math.ceil(rps * size / BYTES_PER_SECOND)
        if isinstance(got, float) and not float(got).is_integer():
            hint = "A shard count is a whole number: round up with math.ceil."
        elif got == max(1, by_records) and by_bytes > by_records:
            hint = "Bytes limit a shard too: 1 MiB (1,048,576 bytes) a second - take the larger of the two counts."
        elif got == max(1, by_bytes) and by_records > by_bytes:
            hint = "Records limit a shard too: 1,000 a second - take the larger of the two counts."
        elif got == max(1, rps // RECORDS_PER_SECOND, rps * size // BYTES_PER_SECOND):
            hint = "Round up (math.ceil): 1,001 records a second need 2 shards."
        elif got == max(1, by_records, math.ceil(rps * size / (2 * BYTES_PER_SECOND))):
            hint = "2 MB/s is a shard's read limit; writes are limited to 1 MiB per second."
        else:
            hint = "A shard takes 1,000 records and 1 MiB (1,048,576 bytes) per second: ceil each and take the larger."
        fb.wrong(f"shards_needed({rps}, {size}) = {got!r}; {rps} records/s of {size} bytes need {want} shard(s).", hint)
        return
    fb.right(f"shards_needed is right for all {len(_CASES)} cases (records-bound and bytes-bound).")
    _stream(lab, fb)
    target = _needed(PEAK_RPS, PEAK_BYTES)
    shards = lab.client("kinesis").list_shards(StreamName=lab.name("clickstream"))["Shards"]
    open_shards = sum(1 for s in shards if "EndingSequenceNumber" not in s["SequenceNumberRange"])
    if open_shards < target:
        fb.wrong(f"The stream has {open_shards} open shards; the peak of {PEAK_RPS} clicks/s of {PEAK_BYTES} bytes needs "
                 f"{target}.", "Reshard: kinesis.update_shard_count(StreamName=STREAM, TargetShardCount="
                 "shards_needed(PEAK_RPS, PEAK_BYTES), ScalingType='UNIFORM_SCALING').")
    elif open_shards > target:
        fb.wrong(f"The stream has {open_shards} open shards, {open_shards - target} more than the peak needs.",
                 f"Each shard costs per shard-hour: reshard to shards_needed(PEAK_RPS, PEAK_BYTES) = {target} shards.")
    else:
        fb.right(f"The stream has the {target} open shards the peak needs.")
