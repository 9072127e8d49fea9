"""Event source mappings poll SQS, Kinesis and DynamoDB Streams and deliver batches, as Lambda does.

AWS (Lambda developer guide, "Using Lambda with Amazon SQS"): "Lambda polls the queue and invokes your
Lambda function synchronously with an event that contains queue messages. Lambda reads messages in
batches ... When your function successfully processes a batch, Lambda deletes its messages from the
queue"; "If your function returns an error, or doesn't respond, ... the messages become visible again
after the visibility timeout" and, with a redrive policy, go to the dead-letter queue after
``maxReceiveCount``; with ``FunctionResponseTypes=["ReportBatchItemFailures"]`` "Lambda deletes
... the messages that your function successfully processed" and only the ``batchItemFailures`` return.
"If Lambda receives a partial batch response that is not valid ... Lambda treats the entire batch as
a failure". For Kinesis and DynamoDB Streams Lambda "reads records from the stream and invokes your
function synchronously with an event that contains stream records", from ``StartingPosition``; "if the
function returns an error, Lambda retries the batch until processing succeeds or the data expires",
bounded by ``MaximumRetryAttempts``.

What plain moto 5.2.5 does instead: SQS invokes the function *inside* ``send_message`` with one
message per event, ignores BatchSize, and on failure makes the messages visible at once (visibility
timeout 0); DynamoDB invokes inside every write with all stream records since the last
invocation (BatchSize and StartingPosition ignored); Kinesis
``put_record`` invokes with a wrong signature; nothing honours ReportBatchItemFailures or Enabled.

How the emulator does it:

* Creating a mapping detaches it from moto's send/write hooks (so nothing is delivered twice) and
  starts a **poller**: a daemon thread per mapping. It reads up to ``BatchSize`` messages/records,
  waits up to ``MaximumBatchingWindowInSeconds`` for a fuller batch, builds the event AWS sends
  (``Records`` with ``eventSource`` ``aws:sqs`` / ``aws:kinesis`` / ``aws:dynamodb``) and invokes the
  function synchronously through moto's Lambda backend (the local runtime runs the handler).
* SQS: messages are received with the queue's visibility timeout, so a failed batch really waits it
  out, counts a receive and follows the queue's redrive policy. FIFO order and group locking are
  SQS's own (a group with messages in flight delivers nothing until they are deleted or visible).
* Streams: one position per shard. A failing batch is retried ``MaximumRetryAttempts`` times
  (emulator bound: 3 when unset or -1, where AWS retries until the record expires, which would spin
  a notebook forever), then skipped; a ``DestinationConfig.OnFailure`` SQS queue or SNS topic gets
  AWS's record of the discarded batch. With ReportBatchItemFailures the stream is checkpointed before
  the lowest reported sequence number and retried from there.
* ``FilterCriteria``: records no filter matches are not delivered (SQS: deleted, as AWS does;
  streams: skipped), reported as ``Delivery(action="esm-filtered", status="filtered")``.
* Disabling a mapping (``Enabled=False``) pauses its poller; deleting it stops the poller; resetting
  the embedded emulator stops every poller. While a new or re-enabled mapping is ``Creating`` or
  ``Enabling`` (``awslambda.mapping_states``, through :data:`may_deliver`) the poller waits.
* Each batch is reported as ``Delivery(service="lambda", action="esm-invoke", source=<queue or
  stream ARN>, target=<function ARN>, detail={"batch_size", "failed_ids", ...})``.
* :func:`in_flight` says what is still undelivered, so :func:`labs.helpers.functions.settle` can wait
  exactly as long as needed instead of sleeping.
"""

from __future__ import annotations

import functools
import json
import logging
import threading
import time
import uuid
from collections.abc import Callable
from typing import Any

from ...observe import Delivery, emit
from ..arns import Arn
from ..patching import Patch
from ..sqs.receive_fast import now_ms
from .local_runtime import invoked_by

NAME = "lambda_event_source_mappings"
#: Pause between polls of an empty source (seconds): short, so notebooks see deliveries promptly.
IDLE_WAIT = 0.02
#: Emulator bound on stream retries when MaximumRetryAttempts is unset or -1 (AWS: until expiry).
DEFAULT_STREAM_RETRIES = 3
#: SQS hands out at most 10 messages per receive; Lambda assembles bigger batches from several.
SQS_RECEIVE_MAX = 10
#: Extension point for ``awslambda.mapping_states`` (its own patch): whether an enabled mapping may
#: deliver now (not while it is Creating or Enabling). None: as soon as it is enabled.
may_deliver: Callable[[Any], bool] | None = None
_log = logging.getLogger(__name__)
_pollers: dict[str, Poller] = {}
_pollers_lock = threading.Lock()


def _lambda_backend(account: str, region: str) -> Any:
    from moto.awslambda.utils import get_backend

    return get_backend(account, region)


class Poller(threading.Thread):
    """Polls one mapping's source and invokes its function with batches."""

    def __init__(self, esm: Any):
        super().__init__(name=f"labs-esm-{esm.uuid[:8]}", daemon=True)
        self.esm = esm
        self.account, self.region = esm.account_id, esm.region
        self.stop_event = threading.Event()
        #: Held for one whole poll-and-deliver cycle; in_flight() takes it for a consistent view.
        self.cycle = threading.RLock()
        #: Why the last batch failed (shown by settle() when it gives up), or None.
        self.last_error: str | None = None

    # ------------------------------------------------------------------ lifecycle
    def alive(self) -> bool:
        """Still the mapping of the current backend (a reset or a delete ends the poller)."""
        if self.stop_event.is_set():
            return False
        try:
            current = _lambda_backend(self.account, self.region)._event_source_mappings.get(self.esm.uuid)
        except Exception:  # noqa: BLE001 - backend being reset
            return False
        return current is self.esm

    def stop(self) -> None:
        self.stop_event.set()

    def run(self) -> None:
        while self.alive():
            delivered = False
            if self.esm.enabled and (may_deliver is None or may_deliver(self.esm)):
                with self.cycle:
                    try:
                        delivered = self.poll_once()
                    except Exception:  # noqa: BLE001 - a poller must survive a deleted queue or table
                        _log.debug("event source mapping %s: poll failed", self.esm.uuid, exc_info=True)
            if not delivered:
                self.stop_event.wait(IDLE_WAIT)

    # ------------------------------------------------------------------ per source
    def poll_once(self) -> bool:
        """Deliver one batch if there is one; True if something was delivered."""
        raise NotImplementedError

    def pending(self) -> str | None:
        """What is still to be delivered, in words, or None."""
        raise NotImplementedError

    def in_flight(self) -> str | None:
        if not self.esm.enabled or not self.alive():
            return None
        with self.cycle:
            try:
                text = self.pending()
            except Exception:  # noqa: BLE001 - source gone: nothing this poller can deliver
                return None
        if text and self.last_error:
            text += f" (last batch failed: {self.last_error})"
        return text

    # ------------------------------------------------------------------ invoking
    def invoke(self, records: list[dict[str, Any]]) -> tuple[bool, Any, str | None]:
        """Invoke the function synchronously: (succeeded, decoded result or None, error type)."""
        return self.invoke_event({"Records": records})

    def invoke_event(self, event: dict[str, Any]) -> tuple[bool, Any, str | None]:
        """:meth:`invoke` with a whole event (a tumbling window's adds ``window``, ``state``, ...)."""
        backend = _lambda_backend(self.account, self.region)
        headers: dict[str, str] = {}
        body = json.dumps(event)
        try:
            with invoked_by(self.esm.event_source_arn, reported=True):
                raw = backend.invoke(self.esm.function_arn, None, body,
                                     {"x-amz-invocation-type": "RequestResponse"}, headers)
        except Exception as err:  # noqa: BLE001 - function deleted, throttled, ...: the batch fails
            return False, None, type(err).__name__
        try:
            result = json.loads(raw) if raw else None
        except ValueError:
            result = raw.decode() if isinstance(raw, bytes) else raw
        if headers.get("x-amz-function-error"):
            if isinstance(result, dict) and result.get("errorType"):
                return False, result, f"{result['errorType']}: {result.get('errorMessage', '')}".rstrip(": ")
            return False, result, "Unhandled"
        return True, result, None

    def drop_filtered(self, shard_id: str, batch: list[Any]) -> list[Any]:
        """The entries of ``batch`` some filter matches (AWS skips the others: they are reported as
        filtered, and a batch of only those moves the shard's checkpoint past it)."""
        kept = [entry for entry in batch if self.matches(entry[2])]
        if len(kept) < len(batch):
            kept_ids = {sequence for _, sequence, _ in kept}
            self.report_filtered([sequence for _, sequence, _ in batch if sequence not in kept_ids])
            if not kept:
                self.positions[shard_id] = batch[-1][0]
        return kept

    def reported_failures(self, result: Any, ids: list[str]) -> list[str] | None:
        """The ``batchItemFailures`` ids when ReportBatchItemFailures is on; None = whole batch failed.

        AWS: an empty or missing list is success; an entry whose itemIdentifier is empty or not in
        the batch makes the response invalid, "Lambda treats the entire batch as a failure".
        """
        if "ReportBatchItemFailures" not in (self.esm.function_response_types or []):
            return []
        if not isinstance(result, dict) or not result.get("batchItemFailures"):
            return []
        failed: list[str] = []
        for item in result["batchItemFailures"]:
            identifier = item.get("itemIdentifier") if isinstance(item, dict) else None
            if not identifier or identifier not in ids:
                return None
            failed.append(identifier)
        return failed

    def matches(self, record: dict[str, Any]) -> bool:
        """Does ``record`` pass the mapping's FilterCriteria (any filter matching is enough)?

        AWS ("Lambda event filtering"): patterns use EventBridge pattern syntax; an SQS ``body`` or a
        Kinesis ``data`` that is JSON is matched as JSON (Kinesis data after base64 decoding),
        anything else as a plain string. moto's own EventBridge matcher does the matching.
        """
        filters = ((self.esm.filter_criteria or {}).get("Filters")) or []
        if not filters:
            return True
        from moto.events.models import EventPattern

        view = _filter_view(record)
        for entry in filters:
            raw = entry.get("Pattern") or "{}"
            try:
                if EventPattern(raw, json.loads(raw)).matches_event(view):
                    return True
            except ValueError:
                continue
        return False

    def report_filtered(self, ids: list[str]) -> None:
        if ids:
            emit(Delivery(service="lambda", action="esm-filtered", source=self.esm.event_source_arn,
                          target=self.esm.function_arn, message_id=ids[0], cause_id=ids[0], status="filtered",
                          detail={"batch_size": len(ids), "ids": ids, "mapping": self.esm.uuid}))

    def report(self, records: list[dict[str, Any]], ids: list[str], failed: list[str], error: str | None,
               **detail: Any) -> None:
        if error:
            self.last_error = error
        elif failed:
            self.last_error = f"{len(failed)} item(s) listed in batchItemFailures"
        else:
            self.last_error = None
        status = "failed" if error or len(failed) == len(ids) else ("partial" if failed else "delivered")
        emit(Delivery(
            service="lambda", action="esm-invoke", source=self.esm.event_source_arn,
            target=self.esm.function_arn, message_id=ids[0] if ids else None,
            cause_id=ids[0] if ids else None, status=status, payload={"Records": records},
            detail={"batch_size": len(ids), "failed_ids": failed, "ids": ids, "mapping": self.esm.uuid,
                    **({"error": error} if error else {}), **detail},
        ))


class SqsPoller(Poller):
    """Standard and FIFO queues: receive, invoke, delete what succeeded."""

    def __init__(self, esm: Any):
        super().__init__(esm)
        self.queue_name = Arn.parse(esm.event_source_arn).resource
        #: Ids of messages a failed batch left in flight (waiting out the visibility timeout).
        self.returned: set[str] = set()

    def _backend_and_queue(self) -> tuple[Any, Any]:
        from moto.sqs.models import sqs_backends

        backend = sqs_backends[self.account][self.region]
        return backend, backend.queues[self.queue_name]

    def _receive(self, backend: Any, queue: Any) -> list[Any]:
        batch_size = int(self.esm.batch_size)
        window = float(self.esm.max_batch_window or 0)
        deadline = time.monotonic() + window
        messages: list[Any] = []
        while len(messages) < batch_size and not self.stop_event.is_set():
            got = backend.receive_message(queue.name, min(SQS_RECEIVE_MAX, batch_size - len(messages)),
                                          wait_seconds_timeout=0,
                                          visibility_timeout=int(queue.visibility_timeout))
            known = {m.id: i for i, m in enumerate(messages)}
            fresh = [m for m in got if m.id not in known]
            for m in got:  # visible again already (VisibilityTimeout 0): keep the newest receipt handle
                if m.id in known:
                    messages[known[m.id]] = m
            messages.extend(fresh)
            # Without a batching window Lambda invokes with what one poll returned (AWS requires a
            # window of at least 1 s for BatchSize > 10); receiving again at once would count a second
            # receive of messages a VisibilityTimeout of 0 has already made visible again.
            if window <= 0 or len(fresh) < len(got) or not messages or time.monotonic() >= deadline:
                break
            if got:
                continue
            time.sleep(min(0.05, max(0.0, deadline - time.monotonic())))
        return messages

    def _record(self, message: Any, queue: Any) -> dict[str, Any]:
        attributes = {
            "ApproximateReceiveCount": str(message.approximate_receive_count),
            "SentTimestamp": str(message.sent_timestamp),
            "SenderId": str(message.sender_id),
            "ApproximateFirstReceiveTimestamp": str(message.approximate_first_receive_timestamp),
        }
        if queue.fifo_queue:
            attributes.update({"SequenceNumber": str(message.sequence_number),
                               "MessageGroupId": str(message.group_id),
                               "MessageDeduplicationId": str(message.deduplication_id)})
        return {
            "messageId": message.id,
            "receiptHandle": message.receipt_handle,
            "body": message.body,
            "attributes": attributes,
            "messageAttributes": {
                name: {"stringValue": value.get("StringValue"), "binaryValue": value.get("BinaryValue"),
                       "stringListValues": [], "binaryListValues": [], "dataType": value.get("DataType")}
                for name, value in (message.message_attributes or {}).items()
            },
            "md5OfBody": message.body_md5,
            **({"md5OfMessageAttributes": message.attribute_md5} if message.message_attributes else {}),
            "eventSource": "aws:sqs",
            "eventSourceARN": queue.queue_arn,
            "awsRegion": self.region,
        }

    def poll_once(self) -> bool:
        backend, queue = self._backend_and_queue()
        messages = self._receive(backend, queue)
        if not messages:
            return False
        entries = [(m, self._record(m, queue)) for m in messages]  # built once: filtered, then delivered
        dropped = [m for m, record in entries if not self.matches(record)]
        for message in dropped:  # AWS: "Lambda automatically deletes" messages no filter matches
            backend.delete_message(queue.name, message.receipt_handle)
            self.returned.discard(message.id)
        self.report_filtered([m.id for m in dropped])
        entries = [(m, record) for m, record in entries if m not in dropped]
        if not entries:
            return True
        messages = [m for m, _ in entries]
        records = [record for _, record in entries]
        ids = [m.id for m in messages]
        ok, result, error = self.invoke(records)
        failed = self.reported_failures(result, ids) if ok else None
        if failed is None:  # whole batch returns to the queue after the visibility timeout
            failed = list(ids)
        for message in messages:
            if message.id in failed:
                self.returned.add(message.id)
            else:
                self.returned.discard(message.id)
                backend.delete_message(queue.name, message.receipt_handle)
        self.report(records, ids, failed, error if not ok else None,
                    visibility_timeout=int(queue.visibility_timeout))
        return True

    def pending(self) -> str | None:
        _, queue = self._backend_and_queue()
        now = now_ms()
        waiting = sum(1 for m in queue._messages if m.visible_at < now and m.delayed_until <= now)
        returned = sum(1 for m in queue._messages if m.id in self.returned and m.visible_at >= now)
        delayed = sum(1 for m in queue._messages if m.delayed_until > now)
        parts = []
        if waiting:
            parts.append(f"{waiting} message(s) waiting in queue {queue.name}")
        if delayed:
            parts.append(f"{delayed} delayed message(s) in queue {queue.name}")
        if returned:
            parts.append(f"{returned} message(s) of queue {queue.name} returned by a failed batch are waiting "
                         f"out its {queue.visibility_timeout} s VisibilityTimeout")
        return ", ".join(parts) or None


class StreamPoller(Poller):
    """Kinesis and DynamoDB Streams: per-shard positions, retries, then skip."""

    def __init__(self, esm: Any):
        super().__init__(esm)
        self.positions: dict[str, int] = {}
        self.attempts: dict[str, int] = {}
        from_latest = (self.esm.starting_position or "TRIM_HORIZON").upper() == "LATEST"
        for shard_id, latest in self.shards_latest().items():
            self.positions[shard_id] = latest if from_latest else -1

    def max_retries(self) -> int:
        configured = self.esm.max_retry_attempts
        if configured is None or int(configured) < 0:
            return DEFAULT_STREAM_RETRIES
        return int(configured)

    # subclasses: shard ids -> index of their latest record, and records after a position
    def shards_latest(self) -> dict[str, int]:
        raise NotImplementedError

    def read(self, shard_id: str, position: int, limit: int) -> list[tuple[int, str, dict[str, Any]]]:
        """(position, sequence number, event record) of up to ``limit`` records after ``position``."""
        raise NotImplementedError

    # What is polled one batch at a time: a "slot". Without a ParallelizationFactor each shard is one
    # (``stream_parallelization`` gives a shard one slot per concurrent batch).
    def slots(self) -> dict[str, int]:
        """Slot ids (with their own checkpoint in ``positions``) -> index of their shard's latest record."""
        return self.shards_latest()

    def shard_of(self, slot: str) -> str:
        """The shard a slot reads from (what records, on-failure records and windows name)."""
        return slot

    def read_slot(self, slot: str, position: int, limit: int) -> list[tuple[int, str, dict[str, Any]]]:
        """:meth:`read` for one slot: up to ``limit`` of its records after ``position``."""
        return self.read(slot, position, limit)

    def behind(self, slot: str, latest: int) -> int:
        """How many records of the slot come after its checkpoint."""
        return max(0, latest - self.positions.get(slot, -1))

    def poll_once(self) -> bool:
        delivered = False
        for shard_id in self.slots():
            position = self.positions.setdefault(shard_id, -1)
            batch = self.read_slot(shard_id, position, int(self.esm.batch_size))
            if not batch:
                continue
            delivered = True
            batch = self.drop_filtered(shard_id, batch)
            if not batch:
                continue
            records = [record for _, _, record in batch]
            ids = [sequence for _, sequence, _ in batch]
            ok, result, error = self.invoke(records)
            failed = self.reported_failures(result, ids) if ok else None
            retried = failed is None or bool(failed)
            if failed is None:
                failed = list(ids)
            if not retried:
                self.positions[shard_id] = batch[-1][0]
                self.attempts.pop(shard_id, None)
                self.report(records, ids, [], None, shard=shard_id)
                continue
            attempt = self.attempts.get(shard_id, 0) + 1
            first_failed = next(i for i, (_, seq, _) in enumerate(batch) if seq in failed)
            if attempt > self.max_retries():  # give up on this batch: AWS discards it (or sends it on failure)
                self.positions[shard_id] = batch[-1][0]
                self.attempts.pop(shard_id, None)
                self.report(records, ids, failed, error or "Unhandled", shard=shard_id, discarded=True,
                            retry_attempt=attempt - 1)
                self.send_on_failure(shard_id, batch, attempt, error or "Unhandled")
            else:  # checkpoint before the first failure and retry from there
                self.positions[shard_id] = batch[first_failed][0] - 1 if first_failed else position
                self.attempts[shard_id] = attempt
                self.report(records, ids, failed, error or "Unhandled", shard=shard_id, retry_attempt=attempt)
        return delivered

    def report(self, records: list[dict[str, Any]], ids: list[str], failed: list[str], error: str | None,
               **detail: Any) -> None:
        slot = detail.get("shard")
        if slot is not None and self.shard_of(slot) != slot:  # the trace names the shard, and which of its slots
            detail.update(shard=self.shard_of(slot), slot=slot)
        super().report(records, ids, failed, error, **detail)

    #: Key of the batch description in the on-failure record ("KinesisBatchInfo", "DDBStreamBatchInfo").
    batch_info_key = "KinesisBatchInfo"

    def send_on_failure(self, shard_id: str, batch: list[tuple[int, str, dict[str, Any]]], invokes: int,
                        error: str, condition: str = "RetryAttemptsExhausted") -> None:
        """Send AWS's invocation record for a discarded batch to DestinationConfig.OnFailure (SQS or SNS).

        AWS: "Lambda sends a record of the failed batch to the destination": request and response
        context plus the batch's shard and sequence range (the records themselves are not included;
        a consumer reads them from the stream with the sequence numbers)."""
        destination = ((self.esm.destination_config or {}).get("OnFailure") or {}).get("Destination")
        if not destination:
            return
        from moto.core.utils import iso_8601_datetime_with_milliseconds

        record = {
            "requestContext": {"requestId": str(uuid.uuid4()), "functionArn": self.esm.function_arn,
                               "condition": condition, "approximateInvokeCount": invokes},
            "responseContext": {"statusCode": 200, "executedVersion": "$LATEST", "functionError": error},
            "version": "1.0",
            "timestamp": iso_8601_datetime_with_milliseconds(),
            self.batch_info_key: {"shardId": self.shard_of(shard_id), "startSequenceNumber": batch[0][1],
                                  "endSequenceNumber": batch[-1][1], "batchSize": len(batch),
                                  "streamArn": self.esm.event_source_arn},
        }
        target = Arn.parse(destination)
        status = "dead-lettered"
        try:
            if target.service == "sqs":
                from moto.sqs.models import sqs_backends

                sqs_backends[target.account][target.region].send_message(target.resource, json.dumps(record))
            else:
                from moto.sns.models import sns_backends

                sns_backends[target.account][target.region].publish(json.dumps(record), arn=destination)
        except Exception:  # noqa: BLE001 - a missing destination loses the record, as on AWS
            status = "failed"
        emit(Delivery(service="lambda", action="on-failure", source=self.esm.event_source_arn, target=destination,
                      message_id=record["requestContext"]["requestId"], cause_id=batch[0][1], status=status,
                      payload=record, detail={"mapping": self.esm.uuid, "batch_size": len(batch)}))

    def pending(self) -> str | None:
        behind = 0
        for slot, latest in self.slots().items():
            behind += self.behind(slot, latest)
        return f"{behind} record(s) of {self.esm.event_source_arn.rsplit(':', 1)[-1]} not yet delivered" if behind else None


class KinesisPoller(StreamPoller):
    def _stream(self) -> Any:
        from moto.kinesis.models import kinesis_backends

        backend = kinesis_backends[self.account][self.region]
        return next(s for s in backend.streams.values() if s.arn == self.esm.event_source_arn)

    def shards_latest(self) -> dict[str, int]:
        return {shard.shard_id: shard.get_max_sequence_number() for shard in self._stream().shards.values()}

    def read(self, shard_id: str, position: int, limit: int) -> list[tuple[int, str, dict[str, Any]]]:
        stream = self._stream()
        shard = next(s for s in stream.shards.values() if s.shard_id == shard_id)
        records, _, _ = shard.get_records(str(max(position, 0)), limit)
        role = _function_role(self.account, self.region, self.esm.function_arn)
        return [(r.sequence_number, str(r.sequence_number), {
            "kinesis": {"kinesisSchemaVersion": "1.0", "partitionKey": r.partition_key,
                        "sequenceNumber": str(r.sequence_number), "data": r.data,
                        "approximateArrivalTimestamp": round(r.created_at, 3)},
            "eventSource": "aws:kinesis", "eventVersion": "1.0",
            "eventID": f"{shard_id}:{r.sequence_number}", "eventName": "aws:kinesis:record",
            "invokeIdentityArn": role, "awsRegion": self.region, "eventSourceARN": stream.arn,
        }) for r in records]


class DynamoDbStreamPoller(StreamPoller):
    batch_info_key = "DDBStreamBatchInfo"

    def _shard(self) -> Any:
        from moto.dynamodb.models import dynamodb_backends

        table_name = self.esm.event_source_arn.split(":table/", 1)[1].split("/stream/", 1)[0]
        table = dynamodb_backends[self.account][self.region].tables[table_name]
        return table.stream_shard

    def shards_latest(self) -> dict[str, int]:
        shard = self._shard()
        return {} if shard is None else {shard.id: len(shard.items) - 1}

    def read(self, shard_id: str, position: int, limit: int) -> list[tuple[int, str, dict[str, Any]]]:
        from moto.core.utils import unix_time

        shard = self._shard()
        out = []
        for index in range(position + 1, min(len(shard.items), position + 1 + limit)):
            record = json.loads(json.dumps(shard.items[index].to_json(), default=str))
            created = shard.items[index].record["dynamodb"].get("ApproximateCreationDateTime")
            if created is not None and not isinstance(created, (int, float)):
                record["dynamodb"]["ApproximateCreationDateTime"] = round(unix_time(created))
            record.update({"awsRegion": self.region, "eventSourceARN": self.esm.event_source_arn})
            out.append((index, record["dynamodb"]["SequenceNumber"], record))
        return out


def _filter_view(record: dict[str, Any]) -> dict[str, Any]:
    """The record as FilterCriteria patterns see it: JSON bodies and Kinesis data decoded."""
    import base64
    import copy

    view = copy.deepcopy(record)
    if "body" in view:
        try:
            view["body"] = json.loads(view["body"])
        except (TypeError, ValueError):
            pass
    kinesis = view.get("kinesis")
    if isinstance(kinesis, dict) and "data" in kinesis:
        try:
            text = base64.b64decode(kinesis["data"]).decode()
            try:
                kinesis["data"] = json.loads(text)
            except ValueError:
                kinesis["data"] = text
        except (ValueError, UnicodeDecodeError):
            pass
    return view


def _function_role(account: str, region: str, function_arn: str) -> str:
    try:
        return _lambda_backend(account, region).get_function(function_arn, None).role
    except Exception:  # noqa: BLE001
        return ""


# ---------------------------------------------------------------------------- registry
def _poller_for(esm: Any) -> Poller:
    service = Arn.parse(esm.event_source_arn).service
    if service == "sqs":
        return SqsPoller(esm)
    if service == "kinesis":
        return KinesisPoller(esm)
    return DynamoDbStreamPoller(esm)


def start(esm: Any) -> Poller:
    poller = _poller_for(esm)
    with _pollers_lock:
        old = _pollers.pop(esm.uuid, None)
        _pollers[esm.uuid] = poller
    if old is not None:
        old.stop()
    poller.start()
    return poller


def stop(uuid: str) -> None:
    with _pollers_lock:
        poller = _pollers.pop(uuid, None)
    if poller is not None:
        poller.stop()
        if poller is not threading.current_thread():
            poller.join(timeout=2)


def stop_all() -> None:
    """Stop every poller (the embedded emulator is being reset)."""
    with _pollers_lock:
        mapping_ids = list(_pollers)
    for mapping_id in mapping_ids:
        stop(mapping_id)


def pollers() -> list[Poller]:
    """Running pollers whose mapping still exists."""
    with _pollers_lock:
        found = list(_pollers.values())
    return [p for p in found if p.is_alive() and p.alive()]


def in_flight() -> list[str]:
    """What every enabled mapping still has to deliver, one phrase per mapping (empty: settled)."""
    return [f"{p.esm.function_arn.rsplit(':', 1)[-1]}: {text}" for p in pollers() if (text := p.in_flight())]


def _detach_from_moto(esm: Any) -> None:
    """Remove ``esm`` from the send/write hooks moto uses to invoke directly (no double delivery)."""
    from moto.dynamodb.models import dynamodb_backends
    from moto.kinesis.models import kinesis_backends
    from moto.sqs.models import sqs_backends

    holders: list[Any] = []
    holders += list(sqs_backends[esm.account_id][esm.region].queues.values())
    holders += list(dynamodb_backends[esm.account_id][esm.region].tables.values())
    holders += list(kinesis_backends[esm.account_id][esm.region].streams.values())
    for holder in holders:
        mappings = getattr(holder, "lambda_event_source_mappings", None) or {}
        for key in [k for k, v in mappings.items() if v is esm]:
            del mappings[key]


def _wrap_create(original: Any) -> Any:
    @functools.wraps(original)
    def create_event_source_mapping(self: Any, spec: dict[str, Any]) -> Any:
        esm = original(self, spec)
        _detach_from_moto(esm)
        start(esm)
        return esm

    return create_event_source_mapping


def _wrap_delete(original: Any) -> Any:
    @functools.wraps(original)
    def delete_event_source_mapping(self: Any, uuid: str) -> Any:
        esm = original(self, uuid)
        stop(uuid)
        return esm

    return delete_event_source_mapping


def _apply() -> None:
    from moto.awslambda.models import LambdaBackend

    from .. import on_reset

    LambdaBackend.create_event_source_mapping = _wrap_create(LambdaBackend.create_event_source_mapping)  # type: ignore[method-assign]
    LambdaBackend.delete_event_source_mapping = _wrap_delete(LambdaBackend.delete_event_source_mapping)  # type: ignore[method-assign]
    on_reset(stop_all)


PATCH = Patch(
    name=NAME,
    restores="Event source mappings poll SQS (standard and FIFO), Kinesis and DynamoDB Streams and invoke the "
             "function with batches of up to BatchSize records in AWS's event shape; SQS deletes a successful "
             "batch, a failed one returns after the visibility timeout (and follows the redrive policy), "
             "ReportBatchItemFailures returns only the listed messages; FilterCriteria drop non-matching records; "
             "streams retry a failed batch and send a discarded batch's record to the OnFailure destination",
    plain_moto="SQS invokes inside send_message one message at a time and makes a failed message visible at once; "
               "DynamoDB invokes inside every write with all records since the last invocation; Kinesis delivers nothing; "
               "BatchSize, StartingPosition, FilterCriteria and ReportBatchItemFailures are ignored",
    apply=_apply,
    targets={
        "moto.awslambda.models:LambdaBackend.create_event_source_mapping": "19f8125cabf7",
        "moto.awslambda.models:LambdaBackend.delete_event_source_mapping": "0df9c39da24e",
    },
)
