"""Kinesis enforces each shard's write limit: 1 MB/s and 1,000 records/s, always, as AWS does.

AWS (Kinesis Data Streams developer guide, "Quotas and limits"): "Each shard can support up to
1,000 records per second for writes, up to a maximum total data write rate of 1 MB per second";
(API reference, PutRecords): "Each shard can support writes up to 1,000 records per second, up to a
maximum data write total of 1 MiB per second" and "A single record failure does not stop the
processing of subsequent records. As a result, PutRecords doesn't guarantee the ordering of
records"; an unsuccessfully processed record "includes ErrorCode and ErrorMessage values. ErrorCode
reflects the type of error and can be one of the following values:
ProvisionedThroughputExceededException or InternalFailure", with ErrorMessage like "Rate exceeded
for shard shardId-000000000001 in stream exampleStreamName under account 111122223333.";
``FailedRecordCount`` counts them. PutRecord raises ``ProvisionedThroughputExceededException``
("The request rate for the stream is too high"). The size of a record counts its data blob and its
partition key. Plain moto 5.2.5 accepts any rate: a hot partition key is never throttled, so a
producer that ignores ``FailedRecordCount`` looks correct and a stream with too few shards never
shows it.

**The emulator's clock.** The limit is a rolling one-second window per shard, measured on the
emulator's clock (:func:`labs.helpers.emulator.events.schedules.now`: real time plus every
``functions.advance(lab, seconds=...)``), and every record's ApproximateArrivalTimestamp is stamped
on the same clock (so AT_TIMESTAMP iterators, MillisBehindLatest and Lambda's tumbling windows agree
with it). A notebook that replays ten seconds of peak traffic sends one second's clicks, advances
the clock one second, and so on: the limits are exactly AWS's, the notebook does not wait for them
in real time, and what is throttled does not depend on how fast the machine is. A producer that
retries throttled records with a backoff sleep sees them accepted once the window has moved on.

How: ``KinesisBackend.put_records``/``put_record`` are replaced (moto's own validation of batch and
record sizes is kept, in the same order); each shard keeps the (time, bytes) of what it accepted in
the last second; a record that would exceed 1,000 records or 1 MiB in that window is refused with
its ErrorCode in its own position of the response. ``KinesisResponse.put_records`` writes its JSON
directly (moto's generic serializer walked 500 result shapes per call).
"""

from __future__ import annotations

import collections
import datetime
import functools
import json
import threading
from base64 import b64decode
from typing import Any

from ..patching import Patch

NAME = "kinesis_write_limits"
#: AWS's per-shard write quotas.
RECORDS_PER_SECOND = 1000
BYTES_PER_SECOND = 1024 * 1024
WINDOW_SECONDS = 1.0
_WINDOW = "_labs_write_window"
_call = threading.local()  #: the time of the PutRecords call being served on this thread


def clock() -> float:
    """The emulator's clock (seconds since the epoch)."""
    from ..events.schedules import now

    return now()


def _admit(shard: Any, size: int, at: float) -> bool:
    """Account ``size`` bytes to ``shard`` at ``at`` if its rolling one-second window has room."""
    window = getattr(shard, _WINDOW, None)
    if window is None:
        window = [collections.deque(), 0]
        setattr(shard, _WINDOW, window)
    entries, total = window
    while entries and entries[0][0] <= at - WINDOW_SECONDS:
        total -= entries.popleft()[1]
    if len(entries) >= RECORDS_PER_SECOND or total + size > BYTES_PER_SECOND:
        window[1] = total
        return False
    entries.append((at, size))
    window[1] = total + size
    return True


def _rate_exceeded(shard: Any, stream: Any) -> str:
    return (f"Rate exceeded for shard {shard.shard_id} in stream {stream.stream_name} "
            f"under account {stream.account_id}.")


def _apply() -> None:
    from moto.core.exceptions import JsonRESTError
    from moto.kinesis.exceptions import RecordSizeExceedsLimit, TooManyRecords, TotalRecordsSizeExceedsLimit
    from moto.kinesis.models import KinesisBackend, Record
    from moto.kinesis.responses import KinesisResponse

    record_init = Record.__init__

    @functools.wraps(record_init)
    def stamped_init(self: Record, *args: Any, **kwargs: Any) -> None:
        record_init(self, *args, **kwargs)
        at = getattr(_call, "at", None)  # the records of one PutRecords call arrive together
        self.created_at = round(clock() if at is None else at, 3)  # AWS stamps arrival in milliseconds
        self.created_at_datetime = datetime.datetime.fromtimestamp(self.created_at, tz=datetime.UTC).replace(tzinfo=None)

    def put_one(stream: Any, partition_key: str, explicit_hash_key: str | None, data: str, size: int,
                at: float) -> tuple[str | None, Any]:
        shard = stream.get_shard_for_key(partition_key, explicit_hash_key)
        if not _admit(shard, size, at):
            return None, shard
        return shard.put_record(partition_key, data, explicit_hash_key), shard

    def put_records(self: KinesisBackend, stream_arn: str, stream_name: str,
                    records: list[dict[str, Any]]) -> dict[str, Any]:
        stream = self.describe_stream(stream_arn=stream_arn, stream_name=stream_name)
        if len(records) > 500:
            raise TooManyRecords
        sizes = [len(b64decode(r.get("Data", ""))) + len(r.get("PartitionKey", "")) for r in records]
        if sum(sizes) > 5242880:
            raise TotalRecordsSizeExceedsLimit
        over = next((i for i, size in enumerate(sizes) if size > 1048576), None)
        if over is not None:
            raise RecordSizeExceedsLimit(position=over + 1)
        at = _call.at = clock()
        try:
            results: list[dict[str, Any]] = []
            failed = accepted_bytes = 0
            for record, size in zip(records, sizes, strict=True):
                sequence, shard = put_one(stream, record.get("PartitionKey"), record.get("ExplicitHashKey"),
                                          record.get("Data"), size, at)
                if sequence is None:
                    failed += 1
                    results.append({"ErrorCode": "ProvisionedThroughputExceededException",
                                    "ErrorMessage": _rate_exceeded(shard, stream)})
                else:
                    accepted_bytes += size
                    results.append({"SequenceNumber": sequence, "ShardId": shard.shard_id})
        finally:
            _call.at = None
        self._send_stream_metrics(stream.stream_name, incoming_bytes=accepted_bytes,
                                  incoming_records=len(records) - failed)
        return {"FailedRecordCount": failed, "Records": results}

    def put_record(self: KinesisBackend, stream_arn: str, stream_name: str, partition_key: str,
                   explicit_hash_key: str, data: str) -> tuple[str, str]:
        stream = self.describe_stream(stream_arn=stream_arn, stream_name=stream_name)
        size = len(b64decode(data)) + len(partition_key)
        sequence, shard = put_one(stream, partition_key, explicit_hash_key, data, size, clock())
        if sequence is None:
            raise JsonRESTError("ProvisionedThroughputExceededException", _rate_exceeded(shard, stream))
        self._send_stream_metrics(stream.stream_name, incoming_bytes=size, incoming_records=1)
        return sequence, shard.shard_id

    def put_records_response(self: KinesisResponse) -> str:
        response = self.kinesis_backend.put_records(self._get_param("StreamARN"), self._get_param("StreamName"),
                                                    self._get_param("Records"))
        return json.dumps(response)

    Record.__init__ = stamped_init  # type: ignore[method-assign]
    KinesisBackend.put_records = put_records  # type: ignore[method-assign]
    KinesisBackend.put_record = put_record  # type: ignore[method-assign]
    KinesisResponse.put_records = put_records_response  # type: ignore[method-assign]


PATCH = Patch(
    name=NAME,
    restores="each shard accepts at most 1,000 records and 1 MiB per second (rolling, on the emulator's clock): "
             "PutRecords answers ProvisionedThroughputExceededException per refused record (FailedRecordCount), "
             "PutRecord raises it; arrival timestamps follow the emulator's clock",
    plain_moto="any write rate is accepted: a hot partition key or too few shards is never throttled",
    apply=_apply,
    targets={
        "moto.kinesis.models:Record.__init__": "35a5af81a443",
        "moto.kinesis.models:KinesisBackend.put_records": "9137f103f183",
        "moto.kinesis.models:KinesisBackend.put_record": "e016b51673b1",
        "moto.kinesis.responses:KinesisResponse.put_records": "605c7b12968c",
    },
)
