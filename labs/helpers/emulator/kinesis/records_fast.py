"""Kinesis PutRecords and GetRecords at AWS-like speed: O(1) per record, not O(records in the shard).

Where plain moto 5.2.5 spends the time (cProfile, PutRecords of 500 records): ``Shard.put_record``
finds the next sequence number with ``get_max_sequence_number``, which copies every key of the
shard into a list (``list(self.records.keys())[-1]``), so putting N records costs O(N^2);
``Shard.get_records`` scans the shard from its first record on every call and looks up the last
record once per returned record, so a full read in pages of L costs O(N^2 / L); and moto's generic
response serializer walks the botocore shape of each of the 500 result entries (60 % of the call)
and of every record a GetRecords returns.

What this patch does, keeping every observable behaviour: the shard remembers its last sequence
number (``get_max_sequence_number``/``get_min_sequence_number`` read the ends of the ordered dict),
``get_records`` starts at the record after the iterator's position (moto's sequence numbers in a
shard are consecutive integers) and stops at ``Limit``. MillisBehindLatest is computed as moto
does (the tip's arrival minus the last returned record's arrival) but is 0 only at the tip: AWS
(GetRecords) "A value of zero indicates that record processing is caught up, and there are no new
records to process at this moment"; plain moto says 0 whenever the records left arrived within the
same millisecond, so a reader that stops at 0 stops early. Sequence
numbers, shard choice and responses are unchanged; GetRecords writes its JSON response directly
(the same fields: Data in base64 as received, PartitionKey, SequenceNumber, ApproximateArrivalTimestamp
in epoch seconds, NextShardIterator, MillisBehindLatest).

``LABS_EMULATOR_DISABLE=kinesis_records_fast`` leaves plain moto in place (the benchmark
``benchmarks/kinesis_clickstream.py`` compares both).
"""

from __future__ import annotations

from ..patching import Patch

NAME = "kinesis_records_fast"


def _apply() -> None:
    import json

    from moto.kinesis.models import Record, Shard
    from moto.kinesis.responses import KinesisResponse

    def get_max_sequence_number(self: Shard) -> int:
        if self.records:
            return next(reversed(self.records))
        return 0

    def get_min_sequence_number(self: Shard) -> int:
        if self.records:
            return next(iter(self.records))
        return 0

    def put_record(self: Shard, partition_key: str, data: str, explicit_hash_key: str) -> str:
        # a child shard continues its parents' numbers (``kinesis.resharding`` sets the floor)
        sequence_number = max(self.get_max_sequence_number(), getattr(self, "_labs_sequence_floor", 0)) + 1
        self.records[sequence_number] = Record(partition_key, data, sequence_number, explicit_hash_key)
        return str(sequence_number)

    def get_records(self: Shard, last_sequence_id: str, limit: int | None) -> tuple[list[Record], int, int]:
        last = int(last_sequence_id)
        records = self.records
        if not records:
            return [], last, 0
        first, tip = next(iter(records)), next(reversed(records))
        wanted = int(limit) if limit else 10000
        results: list[Record] = []
        sequence = max(last + 1, first)
        while sequence <= tip and len(results) < wanted:
            record = records.get(sequence)
            if record is not None:
                results.append(record)
                last = sequence
            sequence += 1
        if not results or last >= tip:
            return results, last, 0
        # AWS: "A value of zero indicates that record processing is caught up": never 0 with records left
        return results, last, max(1, int((records[tip].created_at - results[-1].created_at) * 1000))

    def get_records_response(self: KinesisResponse) -> str:
        next_iterator, records, behind = self.kinesis_backend.get_records(
            self._get_param("StreamARN"), self._get_param("ShardIterator"), self._get_param("Limit"))
        return json.dumps({"NextShardIterator": next_iterator, "MillisBehindLatest": behind, "Records": [
            {"Data": r.data, "PartitionKey": r.partition_key, "SequenceNumber": str(r.sequence_number),
             "ApproximateArrivalTimestamp": round(r.created_at, 3)} for r in records]})

    Shard.get_max_sequence_number = get_max_sequence_number  # type: ignore[method-assign]
    KinesisResponse.get_records = get_records_response  # type: ignore[method-assign]
    Shard.get_min_sequence_number = get_min_sequence_number  # type: ignore[method-assign]
    Shard.put_record = put_record  # type: ignore[method-assign]
    Shard.get_records = get_records  # type: ignore[method-assign]


PATCH = Patch(
    name=NAME,
    restores="PutRecords and GetRecords cost O(1) per record (a shard of 10,000 records is written and read at "
             "thousands of records a second)",
    plain_moto="every put copies the shard's keys and every GetRecords scans the shard from its first record: "
               "writing and reading N records costs O(N^2)",
    apply=_apply,
    targets={
        "moto.kinesis.models:Shard.put_record": "e2d15174261b",
        "moto.kinesis.models:Shard.get_records": "1188a73a6b3d",
        "moto.kinesis.models:Shard.get_max_sequence_number": "eff48df162f5",
        "moto.kinesis.models:Shard.get_min_sequence_number": "acae97051214",
        "moto.kinesis.responses:KinesisResponse.get_records": "ff064b0a1a6e",
    },
)
