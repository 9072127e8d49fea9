"""Stream mappings with a ParallelizationFactor deliver several batches of one shard at once, in order per key.

AWS (Lambda API, CreateEventSourceMapping): "ParallelizationFactor - (Kinesis and DynamoDB Streams
only) The number of batches to process concurrently from each shard. The default value is 1"
(1-10). Lambda developer guide ("Polling and batching streams"): "Lambda can process up to 10
batches in each shard simultaneously. If you increase the number of concurrent batches per shard,
Lambda still ensures in-order processing at the partition-key level" (for DynamoDB Streams: "at the
item (partition and sort key) level"). The launch post ("New AWS Lambda scaling controls for Kinesis
and DynamoDB event sources", 2019) draws it as one batcher per concurrent batch, records of one
partition key always going to the same batcher.

moto 5.2.5 stores the factor and ignores it, and so did the layer's mapping (one batch per shard at a
time): a mapping with ``ParallelizationFactor=4`` behaved exactly like one with 1.

The emulator: a shard with factor ``n`` has ``n`` slots (``shardId-...#0`` .. ``#n-1``, never shown to
a function: records, on-failure records and windows name the shard). A record goes to slot
``md5(partition key) mod n`` (DynamoDB: of the item's ``Keys``): AWS does not document its hash, any
stable one keeps per-key order. Each slot is batched, checkpointed, retried and bisected like a shard
of its own, so one poll round can deliver up to ``n`` batches of a shard, and a hot key still gets
one batch at a time (its order is the guarantee). Emulator choices where AWS is silent: a failing
batch holds back only its own slot (the keys it shares it with), as one batcher of the launch post
would; the emulator invokes the function one batch at a time (``local_runtime`` runs handlers one at
a time), so "concurrently" shows as several batches of one shard per round, not as overlapping wall
time. A mapping with a tumbling window keeps one slot per shard: AWS keeps the window's state "per
shard". Changing the factor of a running mapping restarts each shard from its least advanced slot
(records some slots had already processed may come again: at-least-once, as AWS says of streams).
"""

from __future__ import annotations

import hashlib
import json
from typing import Any

from ..patching import Patch
from . import event_source_mappings as esm_module

NAME = "lambda_stream_parallelization"
_SEPARATOR = "#"  #: shard ids of Kinesis and DynamoDB Streams never contain it


def factor(poller: Any) -> int:
    """Concurrent batches per shard the mapping asks for (1 with a tumbling window: state is per shard)."""
    if int(poller.esm.tumbling_window or 0) > 0:
        return 1
    try:
        return max(1, min(10, int(poller.esm.parallelization_factor or 1)))
    except (TypeError, ValueError):
        return 1


def key_of(record: dict[str, Any]) -> str:
    """What AWS keeps in order: a Kinesis record's partition key, a DynamoDB stream record's item keys."""
    kinesis = record.get("kinesis")
    if isinstance(kinesis, dict):
        return str(kinesis.get("partitionKey", ""))
    return json.dumps((record.get("dynamodb") or {}).get("Keys") or {}, sort_keys=True)


def slot_of(record: dict[str, Any], lanes: int) -> int:
    """The record's slot: md5, not ``hash()``, so a key lands in the same slot in every process and run."""
    return int(hashlib.md5(key_of(record).encode()).hexdigest(), 16) % lanes


def slots(self: Any) -> dict[str, int]:
    lanes = factor(self)
    out: dict[str, int] = {}
    for shard_id, last in self.shards_latest().items():
        wanted = [f"{shard_id}{_SEPARATOR}{i}" for i in range(lanes)] if lanes > 1 else [shard_id]
        have = [slot for slot in self.positions if slot == shard_id or slot.startswith(shard_id + _SEPARATOR)]
        if have and set(have) != set(wanted):  # a new factor: its slots start at the least advanced old one
            start = min(self.positions.pop(slot) for slot in have)
            for slot in have:
                self.attempts.pop(slot, None)
            self.positions.update({slot: start for slot in wanted})
        out.update({slot: last for slot in wanted})
    return out


def shard_of(self: Any, slot: str) -> str:
    return slot.split(_SEPARATOR, 1)[0]


def read_slot(self: Any, slot: str, position: int, limit: int) -> list[tuple[int, str, dict[str, Any]]]:
    shard_id, _, lane = slot.partition(_SEPARATOR)
    if not lane:
        return self.read(shard_id, position, limit)
    lanes, index = factor(self), int(lane)
    out: list[tuple[int, str, dict[str, Any]]] = []
    scanned = position
    while len(out) < limit:
        chunk = self.read(shard_id, scanned, max(limit, 100) * lanes)
        if not chunk:
            break
        out.extend(entry for entry in chunk if slot_of(entry[2], lanes) == index)
        scanned = chunk[-1][0]
    if not out and scanned != position and self.positions.get(slot) == position:
        self.positions[slot] = scanned  # none of the slot's records up to here: its checkpoint moves on (no rescans)
    return out[:limit]


def behind(self: Any, slot: str, latest: int) -> int:
    if _SEPARATOR not in slot:
        return _base_behind(self, slot, latest)
    return len(read_slot(self, slot, self.positions.get(slot, -1), max(0, latest + 1)))


_base_behind = esm_module.StreamPoller.behind


def _apply() -> None:
    global _base_behind
    _base_behind = esm_module.StreamPoller.behind
    poller = esm_module.StreamPoller
    poller.slots = slots  # type: ignore[method-assign]
    poller.shard_of = shard_of  # type: ignore[method-assign]
    poller.read_slot = read_slot  # type: ignore[method-assign]
    poller.behind = behind  # type: ignore[method-assign]


PATCH = Patch(
    name=NAME,
    restores="a stream mapping's ParallelizationFactor: up to that many batches of one shard per round, records "
             "of one partition key (DynamoDB: item) always in the same one, in order",
    plain_moto="ParallelizationFactor is stored and ignored: one batch per shard at a time",
    apply=_apply,
    targets={
        "labs.helpers.emulator.awslambda.event_source_mappings:StreamPoller.slots": "abc013bdb55f",
        "labs.helpers.emulator.awslambda.event_source_mappings:StreamPoller.shard_of": "e91f8bd7cb1b",
        "labs.helpers.emulator.awslambda.event_source_mappings:StreamPoller.read_slot": "ef69987f4534",
        "labs.helpers.emulator.awslambda.event_source_mappings:StreamPoller.behind": "462dc84c3f9a",
    },
)
