"""Deliberate, deterministic failures, so a lab can show what real systems do now and then.

``flaky_batches(sqs)`` makes some entries of ``send_message_batch`` fail the way SQS reports a
partial failure: the call succeeds (HTTP 200) and the response lists those entries under
``Failed`` with ``SenderFault: False`` (a server-side problem worth retrying). AWS, SendMessageBatch:
"Because the batch request can result in a combination of successful and unsuccessful actions, you
should check for batch errors even when the call returns an HTTP status code of 200."
``flaky_batches(sns)`` does the same to SNS ``publish_batch``, which reports partial failures in the
same shape (PublishBatch: "the result of each message is reported individually in the response").
``flaky_batches(events)`` does it to EventBridge ``put_events``, whose response is shaped differently
(API reference, PutEvents: "The successful and unsuccessful entries are returned in the order that
they were in the request"; a failed entry has ``ErrorCode``/``ErrorMessage`` instead of ``EventId``,
and ``FailedEntryCount`` counts them): the dropped entries come back at their own positions with
``ErrorCode`` "InternalFailure", which AWS documents as retryable. ``flaky_batches(kinesis)`` does the
same to Kinesis ``PutRecords`` (API reference: an unsuccessful record "includes ErrorCode and
ErrorMessage values ... ProvisionedThroughputExceededException or InternalFailure", in request
order, counted by ``FailedRecordCount``); a record is keyed by its partition key and data.

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
            "sns": ("PublishBatch", "PublishBatchRequestEntries", "Message"),
            "events": ("PutEvents", "Entries", "Detail"),
            "kinesis": ("PutRecords", "Records", "Data")}


def _key(entry: dict[str, Any], body_key: str) -> str:
    return f"{entry.get('Id', entry.get('PartitionKey'))}/{hashlib.sha1(str(entry.get(body_key)).encode()).hexdigest()}"


def _put_events_failed(parsed: dict[str, Any], positions: list[int]) -> None:
    """Put failed entries at ``positions`` (0-based, of the request) into a PutEvents response."""
    entries = list(parsed.get("Entries") or [])
    for position in sorted(positions):
        entries.insert(position, {"ErrorCode": "InternalFailure",
                                  "ErrorMessage": "An internal error occurred. Please try again."})
    parsed["Entries"] = entries
    parsed["FailedEntryCount"] = int(parsed.get("FailedEntryCount") or 0) + len(positions)


def _put_records_failed(parsed: dict[str, Any], positions: list[int]) -> None:
    """Put failed records at ``positions`` (0-based, of the request) into a Kinesis PutRecords response."""
    records = list(parsed.get("Records") or [])
    for position in sorted(positions):
        records.insert(position, {"ErrorCode": "InternalFailure", "ErrorMessage": "Internal service failure."})
    parsed["Records"] = records
    parsed["FailedRecordCount"] = int(parsed.get("FailedRecordCount") or 0) + len(positions)


@contextlib.contextmanager
def flaky_batches(client: BaseClient, *, every: int = 4) -> Iterator[set[str]]:
    """Within the block, entry number ``every``, ``2*every``, ... of each SendMessageBatch (an SQS
    client), PublishBatch (an SNS client) or PutEvents (an EventBridge client) call fails once
    (``Failed``, Code "InternalError", SenderFault False; for PutEvents an entry with ErrorCode
    "InternalFailure" in its place). Yields the set of entry keys failed so far.
    """
    service = client.meta.service_model.service_name
    if service not in _BATCHES:
        raise ValueError(f"flaky_batches works on SQS, SNS, EventBridge and Kinesis clients, not {service}")
    operation, entries_key, body_key = _BATCHES[service]
    if every < 2:
        raise ValueError("every must be at least 2: a batch must keep at least one entry to send")
    failed_once: set[str] = set()
    pending = threading.local()
    tag = next(_ids)

    def drop(params: dict[str, Any], **_: Any) -> None:
        entries = list(params.get(entries_key) or [])
        keep, dropped, positions = [], [], []
        for position, entry in enumerate(entries, start=1):
            key = _key(entry, body_key)
            if position % every == 0 and key not in failed_once and isinstance(entry, dict):
                failed_once.add(key)
                dropped.append(entry)
                positions.append(position - 1)
            else:
                keep.append(entry)
        params[entries_key] = keep
        pending.dropped, pending.positions = dropped, positions

    def report(parsed: dict[str, Any], **_: Any) -> None:
        dropped, positions = getattr(pending, "dropped", []), getattr(pending, "positions", [])
        pending.dropped, pending.positions = [], []
        if dropped and isinstance(parsed, dict) and service == "events":
            if "Entries" in parsed:  # not when the whole call failed
                _put_events_failed(parsed, positions)
        elif dropped and isinstance(parsed, dict) and service == "kinesis":
            if "Records" in parsed:
                _put_records_failed(parsed, positions)
        elif dropped and isinstance(parsed, dict):
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
