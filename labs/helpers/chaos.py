"""Deliberate, deterministic failures, so a lab can show what real systems do now and then.

``flaky_batches(sqs)`` makes some entries of ``send_message_batch`` fail the way SQS reports a
partial failure: the call succeeds (HTTP 200) and the response lists those entries under
``Failed`` with ``SenderFault: False`` (a server-side problem worth retrying). AWS, SendMessageBatch:
"Because the batch request can result in a combination of successful and unsuccessful actions, you
should check for batch errors even when the call returns an HTTP status code of 200."
``flaky_batches(sns)`` does the same to SNS ``publish_batch``, which reports partial failures in the
same shape (PublishBatch: "the result of each message is reported individually in the response").

It works on the client (botocore events), not in the emulator, so it behaves the same on every
backend, real AWS included: a failed entry is simply not sent. Each entry fails at most once (keyed
by its Id and body), so a producer that retries its ``Failed`` entries gets every message through.
"""

from __future__ import annotations

import contextlib
import hashlib
import itertools
import threading
from collections.abc import Iterator
from typing import Any

from botocore.client import BaseClient

_ids = itertools.count()


#: service -> (batch operation, parameter holding its entries, entry key holding the message)
_BATCHES = {"sqs": ("SendMessageBatch", "Entries", "MessageBody"),
            "sns": ("PublishBatch", "PublishBatchRequestEntries", "Message")}


def _key(entry: dict[str, Any], body_key: str) -> str:
    return f"{entry.get('Id')}/{hashlib.sha1(str(entry.get(body_key)).encode()).hexdigest()}"


@contextlib.contextmanager
def flaky_batches(client: BaseClient, *, every: int = 4) -> Iterator[set[str]]:
    """Within the block, entry number ``every``, ``2*every``, ... of each SendMessageBatch (an SQS
    client) or PublishBatch (an SNS client) call fails once (``Failed``, Code "InternalError",
    SenderFault False). Yields the set of entry keys failed so far.
    """
    service = client.meta.service_model.service_name
    if service not in _BATCHES:
        raise ValueError(f"flaky_batches works on SQS and SNS clients, not {service}")
    operation, entries_key, body_key = _BATCHES[service]
    if every < 2:
        raise ValueError("every must be at least 2: a batch must keep at least one entry to send")
    failed_once: set[str] = set()
    pending = threading.local()
    tag = next(_ids)

    def drop(params: dict[str, Any], **_: Any) -> None:
        entries = list(params.get(entries_key) or [])
        keep, dropped = [], []
        for position, entry in enumerate(entries, start=1):
            key = _key(entry, body_key)
            if position % every == 0 and key not in failed_once:
                failed_once.add(key)
                dropped.append(entry)
            else:
                keep.append(entry)
        params[entries_key] = keep
        pending.dropped = dropped

    def report(parsed: dict[str, Any], **_: Any) -> None:
        dropped = getattr(pending, "dropped", [])
        pending.dropped = []
        if dropped and isinstance(parsed, dict):
            parsed.setdefault("Failed", []).extend(
                {"Id": e["Id"], "SenderFault": False, "Code": "InternalError",
                 "Message": "We encountered an internal error. Please try again."} for e in dropped)

    events = client.meta.events
    events.register(f"before-parameter-build.{service}.{operation}", drop, unique_id=f"labs-flaky-drop-{tag}")
    # first, so that every other after-call handler (the flow trace) sees the Failed entries
    events.register_first(f"after-call.{service}.{operation}", report, unique_id=f"labs-flaky-report-{tag}")
    try:
        yield failed_once
    finally:
        events.unregister(f"before-parameter-build.{service}.{operation}", unique_id=f"labs-flaky-drop-{tag}")
        events.unregister(f"after-call.{service}.{operation}", unique_id=f"labs-flaky-report-{tag}")
