"""Stream mappings with BisectBatchOnFunctionError split a failing batch until the bad record is alone.

AWS (Lambda developer guide, "Configuring partial batch response with DynamoDB Streams and Lambda",
"Bisecting a batch"): "If your invocation fails and BisectBatchOnFunctionError is turned on, the
batch is bisected regardless of your ReportBatchItemFailures setting. When a partial batch success
response is received and both BisectBatchOnFunctionError and ReportBatchItemFailures are turned on,
the batch is bisected at the returned sequence number and Lambda retries only the remaining records."
API reference, CreateEventSourceMapping: "(Kinesis and DynamoDB Streams only) If the function
returns an error, split the batch in two and retry." Kinesis guide: "Your original batch size
setting remains unchanged."

What plain moto 5.2.5 does instead: it stores the flag and ignores it. (The layer's own stream poller,
``awslambda.event_source_mappings``, retried the whole batch from the checkpoint and, when the retries
ran out, discarded every record of it: the good records behind a bad one were lost with it.)

How the emulator does it: after a failed attempt whose first failed record is the first of the batch
(an error, or a partial response naming it), the next batch from the checkpoint holds at most half
as many records (at least one); a partial response naming a later record already splits the batch
there (the poller checkpoints before it), and the remainder is retried. Once a batch succeeds the mapping's BatchSize applies again.
Emulator choice (AWS does not document how splits count against MaximumRetryAttempts): a split retry
is not counted; the retries of a batch of one record are, so the bad record alone is retried
``MaximumRetryAttempts`` times and then discarded (and described in the on-failure destination),
and the records behind it are delivered.
"""

from __future__ import annotations

import functools
from typing import Any

from ..patching import Patch

NAME = "lambda_stream_bisect"


def _wrap_read(original: Any) -> Any:
    @functools.wraps(original)
    def read(self: Any, shard_id: str, position: int, limit: int) -> list[Any]:
        cap = getattr(self, "_labs_bisect", {}).get(shard_id)
        return original(self, shard_id, position, min(limit, cap) if cap else limit)

    return read


def _wrap_report(original: Any) -> Any:
    @functools.wraps(original)
    def report(self: Any, records: list[Any], ids: list[str], failed: list[str], error: str | None,
               **detail: Any) -> None:
        original(self, records, ids, failed, error, **detail)
        shard = detail.get("shard")
        if shard is None or not getattr(self.esm, "bisect_on_error", False):
            return
        caps: dict[str, int] = self.__dict__.setdefault("_labs_bisect", {})
        if not failed or detail.get("discarded"):
            caps.pop(shard, None)
            return
        if ids and ids[0] in failed and len(ids) > 1:  # the batch failed from its first record: halve it
            caps[shard] = max(1, len(ids) // 2)
        elif ids and ids[0] not in failed:
            caps.pop(shard, None)  # split at the reported record: the remainder is retried as it is
        else:
            return  # a batch of one record failed: that retry counts
        if detail.get("retry_attempt"):  # a split retry does not use up a retry attempt
            self.attempts[shard] = max(0, self.attempts.get(shard, 1) - 1)

    return report


def _apply() -> None:
    from .event_source_mappings import StreamPoller

    for cls in StreamPoller.__subclasses__():
        cls.read = _wrap_read(cls.read)  # type: ignore[method-assign]
    StreamPoller.report = _wrap_report(StreamPoller.report)  # type: ignore[method-assign]


PATCH = Patch(
    name=NAME,
    restores="Kinesis and DynamoDB Streams mappings with BisectBatchOnFunctionError split a batch that failed from its "
             "first record in two before retrying, until the bad record is alone; it alone is then retried and "
             "discarded, and the records behind it are delivered",
    plain_moto="stores BisectBatchOnFunctionError and ignores it",
    apply=_apply,
    targets={},
)
