"""Time to Live deletes expired items, and the stream shows the deletion as the service's.

AWS (DynamoDB API reference, UpdateTimeToLive): "TTL compares the current time in epoch time format
to the time stored in the TTL attribute of an item. If the epoch time value stored in the attribute
is less than the current time, the item is marked as expired and subsequently deleted ... DynamoDB
typically deletes expired items within two days of expiration ... Items that have expired and not
been deleted will still show up in reads, queries, and scans." Developer guide, "Working with
expired items": "TTL deletions can be identified in DynamoDB Streams". DynamoDB Streams API
reference, Record.userIdentity: "Items that are deleted by the Time to Live process after
expiration have the following fields: Records[].userIdentity.type "Service",
Records[].userIdentity.principalId "dynamodb.amazonaws.com"". The TTL attribute must be a Number
(epoch seconds); items without it, or with another type, never expire.

What plain moto 5.2.5 does instead: ``update_time_to_live`` is stored and reported by
``describe_time_to_live``, and nothing is ever deleted.

How the emulator does it: deletion is asynchronous on AWS, so the emulator runs its TTL process when
its clock moves (``labs.helpers.functions.advance(lab, minutes=...)``, the clock of
``events.schedules``): every table with TTL enabled loses the items whose TTL attribute is a Number
at or before the new clock time; each deletion is a stream REMOVE record (OldImage as the view type
provides) with that ``userIdentity`` (``{"Type", "PrincipalId"}`` in GetRecords, ``{"type",
"principalId"}`` in the records an event source mapping hands to Lambda, as AWS spells them). ``advance`` lists them as ``{"kind": "ttl", "arn": <table
ARN>, "time", "keys"}``. Until the clock is advanced, expired items stay readable, as on AWS.
"""

from __future__ import annotations

import functools
from decimal import Decimal, InvalidOperation
from typing import Any

from ..patching import Patch

NAME = "dynamodb_ttl_expiry"
#: What AWS puts in a stream record of a TTL deletion: the DynamoDB Streams API's spelling (GetRecords) ...
TTL_IDENTITY = {"PrincipalId": "dynamodb.amazonaws.com", "Type": "Service"}
#: ... and the Lambda event's (the event source mapping's records use camelCase keys).
LAMBDA_TTL_IDENTITY = {"type": "Service", "principalId": "dynamodb.amazonaws.com"}


def _expires_at(item: Any, attribute: str) -> Decimal | None:
    value = item.attrs.get(attribute)
    if value is None or value.type != "N":
        return None
    try:
        return Decimal(str(value.value))
    except InvalidOperation:
        return None


def expire(now: float) -> list[dict[str, Any]]:
    """Delete every expired item of every TTL-enabled table (all accounts and regions)."""
    from moto.dynamodb.models import dynamodb_backends

    from ..events.schedules import iso

    deleted: list[dict[str, Any]] = []
    for account in list(dynamodb_backends):
        for region in list(dynamodb_backends[account]):
            for table in list(dynamodb_backends[account][region].tables.values()):
                ttl = getattr(table, "ttl", None) or {}
                attribute = ttl.get("AttributeName")
                if ttl.get("TimeToLiveStatus") != "ENABLED" or not attribute:
                    continue
                expired = [item for item in list(table.all_items())
                           if (at := _expires_at(item, attribute)) is not None and at <= Decimal(str(now))]
                for item in expired:
                    table.delete_item(item.hash_key, item.range_key)
                    shard = table.stream_shard
                    if shard is not None and shard.items:
                        shard.items[-1].record["userIdentity"] = dict(TTL_IDENTITY)
                    keys = {table.hash_key_attr: item.hash_key.to_json()}
                    if table.range_key_attr is not None and item.range_key is not None:
                        keys[table.range_key_attr] = item.range_key.to_json()
                    deleted.append({"kind": "ttl", "arn": table.table_arn, "time": iso(now), "keys": keys})
    return deleted


def _wrap_advance(original: Any) -> Any:
    @functools.wraps(original)
    def advance(seconds: float) -> list[dict[str, Any]]:
        from ..events import schedules

        fired = original(seconds)
        return list(fired) + expire(schedules.now())

    return advance


def _wrap_read(original: Any) -> Any:
    @functools.wraps(original)
    def read(self: Any, shard_id: str, position: int, limit: int) -> list[tuple[int, str, dict[str, Any]]]:
        batch = original(self, shard_id, position, limit)
        for _, _, record in batch:
            identity = record.get("userIdentity")
            if isinstance(identity, dict) and "Type" in identity:
                record["userIdentity"] = {"type": identity["Type"], "principalId": identity.get("PrincipalId")}
        return batch

    return read


def _apply() -> None:
    from ..awslambda.event_source_mappings import DynamoDbStreamPoller
    from ..events import schedules

    schedules.advance = _wrap_advance(schedules.advance)  # type: ignore[assignment]
    DynamoDbStreamPoller.read = _wrap_read(DynamoDbStreamPoller.read)  # type: ignore[method-assign]


PATCH = Patch(
    name=NAME,
    restores="Time to Live deletes items whose TTL attribute (a Number, epoch seconds) has passed, when the "
             "emulator's clock is advanced (AWS deletes asynchronously, typically within two days); each deletion "
             "is a stream REMOVE record with userIdentity {type: Service, principalId: dynamodb.amazonaws.com}",
    plain_moto="stores the TTL setting and never deletes an expired item, so no TTL REMOVE record ever appears",
    apply=_apply,
    targets={
        "moto.dynamodb.models.table:StreamShard.add": "357dc6da267e",
        "moto.dynamodb.models.table:Table.delete_item": "1594f7b07616",
    },
)
