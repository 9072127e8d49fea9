"""A table whose stream was disabled can get a new stream (with another view type), as on AWS.

AWS (DynamoDB developer guide, "Change data capture for DynamoDB Streams", enabling a stream): "You
can enable or disable a stream at any time ... If you disable a stream, any data in the stream remains
readable for 24 hours ... If you disable and then re-enable a stream on a table, a new stream is created
with a different stream descriptor." A stream's StreamViewType cannot be changed in place, so
disabling it and enabling a new one is how a table gets another view type (UpdateTable).

What plain moto 5.2.5 does instead: once a table has had a stream (``latest_stream_label`` set),
every UpdateTable that enables one fails with ``ResourceInUseException`` "Cannot enable stream", even
after the stream was disabled - so the documented way to change a view type fails.

How the emulator does it: ``update_table_streams`` refuses to enable a stream only while the table's
stream is enabled; after a disable, enabling makes a new stream (new label and ARN, empty shard).
Not modelled: the disabled stream staying readable for 24 hours (its records go with it).
"""

from __future__ import annotations

import functools
from typing import Any

from ..patching import Patch

NAME = "dynamodb_stream_reenable"


def _wrap(original: Any) -> Any:
    @functools.wraps(original)
    def update_table_streams(self: Any, table: Any, stream_specification: dict[str, Any]) -> None:
        enabled = bool((table.stream_specification or {}).get("StreamEnabled"))
        if not enabled and stream_specification.get("StreamEnabled"):
            table.set_stream_specification(stream_specification)
            return
        original(self, table, stream_specification)

    return update_table_streams


def _apply() -> None:
    from moto.dynamodb.models import DynamoDBBackend

    DynamoDBBackend.update_table_streams = _wrap(DynamoDBBackend.update_table_streams)  # type: ignore[method-assign]


PATCH = Patch(
    name=NAME,
    restores="UpdateTable can enable a new stream (any StreamViewType) on a table whose stream was disabled; a "
             "new stream descriptor (label, ARN) is created",
    plain_moto="refuses every later enable with ResourceInUseException 'Cannot enable stream', so a stream's view "
               "type can never be changed",
    apply=_apply,
    targets={"moto.dynamodb.models:DynamoDBBackend.update_table_streams": "4b36bdd96688"},
)
