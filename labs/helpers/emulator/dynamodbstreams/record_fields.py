"""A stream record's region, creation time and size are the table's and the write's, as on AWS.

AWS (DynamoDB Streams API reference, StreamRecord): "ApproximateCreationDateTime - The approximate date
and time when the stream record was created ... rounded down to the closest second"; "SizeBytes - The
size of the stream record, in bytes"; Record: "awsRegion - The region in which the GetRecords request was
received" (a stream is regional: the table's region). A record read from a real stream (GetRecords) of
the item ``{ID: S "2", Title: S "aaa"}`` with NEW_AND_OLD_IMAGES has ``SizeBytes`` 22: the key
(``ID`` 2 + ``2`` 1 + ``Title`` 5 + ``aaa`` 3 = 11 bytes) and the image (11 bytes again), counted the way DynamoDB counts an item's size (attribute name lengths plus value
sizes; DynamoDB developer guide, "Item sizes and formats").

What plain moto 5.2.5 does instead: ``awsRegion`` is always "us-east-1" (whatever the table's region);
the creation time keeps its microseconds and is the machine's clock, so a record written after
``functions.advance`` looks older than the emulator's "now"; ``SizeBytes`` is the length of the whole
record's JSON (moto's own comment: "a substantial overestimate"), 234 bytes for that small item.

How the emulator does it: after moto builds the record, its region is the table's, its creation time
the emulator clock (``events.schedules.now``, real time plus every advance) rounded down to the second,
and its size the DynamoDB item size of ``Keys`` plus the images the record carries (moto's
``DynamoType.size`` per value).
"""

from __future__ import annotations

import datetime
import functools
import math
from typing import Any

from ..patching import Patch

NAME = "dynamodbstreams_record_fields"


def _size(attributes: dict[str, Any]) -> int:
    from moto.dynamodb.models.dynamo_type import DynamoType

    return sum(len(name.encode()) + DynamoType(value).size() for name, value in attributes.items())


def _wrap(original: Any) -> Any:
    @functools.wraps(original)
    def __init__(self: Any, table: Any, *args: Any, **kwargs: Any) -> None:
        from ..events.schedules import now

        original(self, table, *args, **kwargs)
        change = self.record["dynamodb"]
        self.record["awsRegion"] = getattr(table, "region_name", None) or self.record.get("awsRegion")
        created = datetime.datetime.fromtimestamp(math.floor(now()), tz=datetime.UTC)
        change["ApproximateCreationDateTime"] = created.replace(tzinfo=None)  # moto keeps naive UTC times
        change["SizeBytes"] = sum(_size(change.get(part) or {}) for part in ("Keys", "NewImage", "OldImage"))

    return __init__


def _apply() -> None:
    from moto.dynamodb.models.table import StreamRecord

    StreamRecord.__init__ = _wrap(StreamRecord.__init__)  # type: ignore[method-assign]


PATCH = Patch(
    name=NAME,
    restores="stream records carry the table's region, a creation time rounded down to the second on the "
             "emulator clock, and SizeBytes counted as DynamoDB counts the key and images",
    plain_moto="awsRegion is always us-east-1, the creation time keeps microseconds of the machine clock, "
               "SizeBytes is the length of the record's JSON",
    apply=_apply,
    targets={"moto.dynamodb.models.table:StreamRecord.__init__": "511904c6352c"},
)
