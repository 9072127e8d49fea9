"""Kinesis resharding keeps parent shards' records where they are and writes only to open shards.

AWS (Kinesis developer guide, "Resharding a stream" / "Data routing, data persistence, and shard state
after a reshard"): "after the reshard ... the parent shard(s) transition to a CLOSED state ... the
records in the parent shards remain accessible", "new records are routed to the child shards", and
"after the reshard has occurred and the stream is again in an ACTIVE state, you could immediately begin
to read data from the child shards. However, the parent shards that remain after the reshard could
still contain data that you haven't read yet ... you should first read all the data from the parent
shards"; (API reference, GetRecords): "NextShardIterator ... If set to null, the shard has been
closed and the requested iterator does not return any more data", and ``ChildShards`` lists "the
list of the current shard's child shards, returned in the GetRecords API's response only when the end
of the current shard is reached". Sequence numbers grow over time within a stream, so a child's
records have larger numbers than its parents'.

What plain moto 5.2.5 does instead: ``split_shard`` empties the parent and puts its records again
(new sequence numbers, new arrival times) - and since ``get_shard_for_key`` does not skip closed
shards, they (and every later write of that key range) land in the closed parent again;
``merge_shards`` copies both parents' records into the child (each record then exists twice); a
closed shard's GetRecords always returns a NextShardIterator. A reader following AWS's rules would
see records out of order, twice, or never finish a parent.

Fix: split and merge create the child shards and close the parents without touching their records;
children continue the parents' sequence numbers; writes go to the open shard whose hash-key range
(inclusive, as AWS's EndingHashKey is) holds the key; GetRecords at the end of a closed shard returns
no NextShardIterator and the ChildShards.
"""

from __future__ import annotations

import functools
import json
from operator import attrgetter
from typing import Any

from ..patching import Patch

NAME = "kinesis_resharding"
_FLOOR = "_labs_sequence_floor"


def _apply() -> None:
    from moto.core.responses import ActionResult
    from moto.kinesis.exceptions import InvalidArgumentError
    from moto.kinesis.models import Shard, Stream
    from moto.kinesis.responses import KinesisResponse
    from moto.kinesis.utils import decompose_shard_iterator

    def _next_id(stream: Stream) -> int:
        return max(stream.shards.values(), key=attrgetter("_shard_id"))._shard_id + 1

    def _floor(stream: Stream) -> int:
        return max((max(s.get_max_sequence_number(), getattr(s, _FLOOR, 0)) for s in stream.shards.values()), default=0)

    def split_shard(self: Stream, shard_to_split: str, new_starting_hash_key: str) -> None:
        new_start = int(new_starting_hash_key)
        shard = self.get_shard(shard_to_split)
        if not shard.starting_hash < new_start <= shard.ending_hash:
            raise InvalidArgumentError(
                message=f"NewStartingHashKey {new_start} used in SplitShard() on shard {shard_to_split} in stream "
                        f"{self.stream_name} under account {self.account_id} is not both greater than one plus the "
                        f"shard's StartingHashKey {shard.starting_hash} and less than the shard's EndingHashKey "
                        f"{shard.ending_hash - 1}.")
        if not shard.is_open:
            raise InvalidArgumentError(
                message=f"Shard {shard.shard_id} in stream {self.stream_name} under account {self.account_id} has "
                        "already been merged or split, and thus is not eligible for merging or splitting.")
        floor, first = _floor(self), _next_id(self)
        children = [Shard(first, shard.starting_hash, new_start - 1, parent=shard.shard_id),
                    Shard(first + 1, new_start, shard.ending_hash, parent=shard.shard_id)]
        for child in children:
            setattr(child, _FLOOR, floor)
            self.shards[child.shard_id] = child
        shard.is_open = False
        self.shard_count = sum(1 for s in self.shards.values() if s.is_open)  # OpenShardCount

    def merge_shards(self: Stream, shard_to_merge: str, adjacent_shard_to_merge: str) -> None:
        first, second = self.get_shard(shard_to_merge), self.get_shard(adjacent_shard_to_merge)
        low, high = sorted((first, second), key=attrgetter("starting_hash"))
        if low.ending_hash + 1 != high.starting_hash:
            raise InvalidArgumentError(adjacent_shard_to_merge)
        if not (first.is_open and second.is_open):
            raise InvalidArgumentError(
                message=f"Shard {shard_to_merge} or {adjacent_shard_to_merge} in stream {self.stream_name} has already "
                        "been merged or split, and thus is not eligible for merging or splitting.")
        child = Shard(_next_id(self), low.starting_hash, high.ending_hash, parent=first.shard_id,
                      adjacent_parent=second.shard_id)
        setattr(child, _FLOOR, _floor(self))
        self.shards[child.shard_id] = child
        first.is_open = second.is_open = False
        self.shard_count = sum(1 for s in self.shards.values() if s.is_open)  # OpenShardCount

    original_for_key = Stream.get_shard_for_key

    @functools.wraps(original_for_key)
    def get_shard_for_key(self: Stream, partition_key: str, explicit_hash_key: str) -> Shard | None:
        original_for_key(self, partition_key, explicit_hash_key)  # moto's validation of the key
        from moto.utilities.utils import md5_hash

        key = int(explicit_hash_key) if explicit_hash_key else int(md5_hash(partition_key.encode("utf-8")).hexdigest(), 16)
        for shard in self.shards.values():
            if shard.is_open and shard.starting_hash <= key <= shard.ending_hash:
                return shard
        return None

    original_get_records = KinesisResponse.get_records

    @functools.wraps(original_get_records)
    def get_records(self: KinesisResponse) -> Any:
        result = original_get_records(self)
        stream_name, shard_id, _ = decompose_shard_iterator(self._get_param("ShardIterator"))
        stream = self.kinesis_backend.describe_stream(stream_arn=self._get_param("StreamARN"), stream_name=stream_name)
        shard = stream.get_shard(shard_id)
        if shard.is_open:
            return result
        body = json.loads(result) if isinstance(result, str) else dict(result.result)
        _, _, position = decompose_shard_iterator(body["NextShardIterator"])
        if int(position) < shard.get_max_sequence_number():  # records left in the closed shard
            return result
        body.pop("NextShardIterator", None)
        body["MillisBehindLatest"] = 0
        body["ChildShards"] = [
            {"ShardId": s.shard_id, "ParentShards": [p for p in (s.parent, s.adjacent_parent) if p],
             "HashKeyRange": {"StartingHashKey": str(s.starting_hash), "EndingHashKey": str(s.ending_hash)}}
            for s in stream.shards.values() if shard.shard_id in (s.parent, s.adjacent_parent)]
        return json.dumps(body, default=str) if isinstance(result, str) else ActionResult(body)

    Stream.split_shard = split_shard  # type: ignore[method-assign]
    Stream.merge_shards = merge_shards  # type: ignore[method-assign]
    Stream.get_shard_for_key = get_shard_for_key  # type: ignore[method-assign]
    KinesisResponse.get_records = get_records  # type: ignore[method-assign]


PATCH = Patch(
    name=NAME,
    restores="SplitShard, MergeShards and UpdateShardCount close the parent shards with their records in place; "
             "child shards (ParentShardId) get the new writes, with larger sequence numbers; GetRecords at the end "
             "of a closed shard returns no NextShardIterator and lists the ChildShards",
    plain_moto="resharding re-puts or copies the parents' records (new sequence numbers, duplicates after a merge) and "
               "keeps writing to closed shards; a closed shard never ends for a reader",
    apply=_apply,
    targets={
        "moto.kinesis.models:Stream.split_shard": "be63bfceacc5",
        "moto.kinesis.models:Stream.merge_shards": "b490bf5802c8",
        "moto.kinesis.models:Stream.get_shard_for_key": "4ef3be70391e",
        # the GetRecords response is wrapped whatever serves it (kinesis.records_fast's or moto's); its data:
        "moto.kinesis.models:KinesisBackend.get_records": "15d3ac1f7c0c",
    },
)
