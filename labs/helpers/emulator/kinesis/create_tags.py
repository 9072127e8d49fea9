"""Kinesis CreateStream applies its Tags parameter.

AWS (Kinesis API reference, CreateStream): "Tags - A set of up to 50 tags to associate with the
stream." moto 5.2.5 reads StreamName, ShardCount and StreamModeDetails and silently drops Tags, so
a stream created with tags has none: ``list_tags_for_stream`` is empty, and the labs' teardown and
sweep, which find a lab's resources by its tags, would miss the stream.

Fix: after moto's ``KinesisResponse.create_stream`` has created the stream, add the request's tags
with moto's own ``add_tags_to_stream`` (the current attribute is wrapped, nothing else changes).
"""

from __future__ import annotations

import functools
from typing import Any

from ..patching import Patch

NAME = "kinesis_create_tags"


def _apply() -> None:
    from moto.kinesis.responses import KinesisResponse

    create_stream = KinesisResponse.create_stream

    @functools.wraps(create_stream)
    def create_stream_with_tags(self: KinesisResponse) -> Any:
        result = create_stream(self)
        tags = self._get_param("Tags")
        if tags:
            self.kinesis_backend.add_tags_to_stream(stream_arn=None, stream_name=self._get_param("StreamName"), tags=tags)
        return result

    KinesisResponse.create_stream = create_stream_with_tags  # type: ignore[method-assign]


PATCH = Patch(
    name=NAME,
    restores="CreateStream associates the Tags it is given with the new stream",
    plain_moto="CreateStream ignores Tags: the stream is created untagged",
    apply=_apply,
    targets={
        "moto.kinesis.responses:KinesisResponse.create_stream": "9ab423ef06b5",
        "moto.kinesis.models:KinesisBackend.add_tags_to_stream": "61923ce76638",
    },
)
