"""Stream event source mappings: BisectBatchOnFunctionError, MaximumRecordAgeInSeconds and tumbling windows.

AWS (Lambda developer guide, "Configuring error handling for Kinesis event source mappings"):
"Split batch on error - When the function returns an error, split the batch into two before
retrying"; "Maximum age of record - The maximum age of a record that Lambda sends to your function"
(-1: no limit), records older than that are discarded and, with an on-failure destination, reported
there; "Retry attempts - The maximum number of times that Lambda retries when the function returns an
error". ("Using tumbling windows"): "Tumbling windows are distinct time windows that open and close at
regular intervals"; "Each record in a stream belongs to a specific window"; "Window boundaries are
based on when records were inserted into the stream"; Lambda passes the ``state`` the function
returned to the next invocation of the same window and shard, with ``window`` (``start``, ``end``),
``shardId``, ``eventSourceARN``, ``isFinalInvokeForWindow`` and ``isWindowTerminatedEarly``; "at the
end of the window, the flag isFinalInvokeForWindow is set to true" and the state is then dropped.

What the layer's base mapping (``awslambda.event_source_mappings``) did before this patch, and plain
moto always: a failing batch was retried whole (no bisect), records never aged out, and
``TumblingWindowInSeconds`` was stored and ignored (no ``state``, no ``window``, no final invoke).

How the emulator does it (one batch per slot at a time, oldest shard first; a slot is a shard, or with
a ParallelizationFactor one of its concurrent batches, see ``stream_parallelization``; everything below
holds per slot):

* Bisect: a failing batch of n > 1 records (a function error, or a partial batch response naming its
  first record: AWS, DynamoDB Streams guide, "When a partial batch success response is received and both
  BisectBatchOnFunctionError and ReportBatchItemFailures are turned on, the batch is bisected at the
  returned sequence number and Lambda retries only the remaining records") is split into halves of
  ceil(n/2) and floor(n/2), retried in order, without counting a retry (AWS does not document how splits
  count; this is the emulator's choice); a failing single record counts retries up to
  ``MaximumRetryAttempts`` and is then discarded (with its on-failure record). The records of a half
  that already succeeded are not re-sent, but those in the failed half before the poison record are
  (AWS's documented at-least-once: handlers must be idempotent).
* Record age: measured on the emulator's clock (``kinesis.write_limits``), so ``functions.advance``
  ages records as time would; aged records are skipped with an on-failure record whose condition is
  ``RecordAgeExceeded``.
* Tumbling windows: a batch only holds records of one window (epoch-aligned, by arrival time); the
  state returned is passed to the next invocation of that window; once the emulator's clock has
  passed the window's end and every record of it was delivered, one more invocation with no
  records and ``isFinalInvokeForWindow: true`` receives the final state (the handler writes its
  result then), after which the state is dropped.
"""

from __future__ import annotations

import datetime
import math
from typing import Any

from ...observe import Delivery, emit
from ..patching import Patch
from . import event_source_mappings as esm_module

NAME = "lambda_stream_batching"


def _now() -> float:
    from ..events.schedules import now

    return now()


def _arrival(record: dict[str, Any]) -> float | None:
    kinesis = record.get("kinesis")
    if isinstance(kinesis, dict) and "approximateArrivalTimestamp" in kinesis:
        return float(kinesis["approximateArrivalTimestamp"])
    created = (record.get("dynamodb") or {}).get("ApproximateCreationDateTime")
    return float(created) if isinstance(created, (int, float)) else None


def _iso(stamp: float) -> str:
    return datetime.datetime.fromtimestamp(stamp, tz=datetime.UTC).strftime("%Y-%m-%dT%H:%M:%SZ")


def _state(poller: Any) -> dict[str, Any]:
    if not hasattr(poller, "_labs_streams"):
        poller._labs_streams = {"segments": {}, "windows": {}}
    return poller._labs_streams


def _window_of(poller: Any, arrival: float | None) -> float | None:
    size = int(poller.esm.tumbling_window or 0)
    if size <= 0 or arrival is None:
        return None
    return math.floor(arrival / size) * size


def _discard_aged(poller: Any, shard_id: str, batch: list[Any]) -> list[Any]:
    limit = poller.esm.max_record_age
    if limit is None or int(limit) < 0 or not batch:
        return batch
    now = _now()
    aged = [entry for entry in batch if (_arrival(entry[2]) or now) < now - int(limit)]
    if not aged:
        return batch
    last_aged = max(entry[0] for entry in aged)
    kept = [entry for entry in batch if entry[0] > last_aged]
    aged = [entry for entry in batch if entry[0] <= last_aged]
    poller.positions[shard_id] = last_aged
    poller.attempts.pop(shard_id, None)
    ids = [entry[1] for entry in aged]
    emit(Delivery(service="lambda", action="esm-expired", source=poller.esm.event_source_arn,
                  target=poller.esm.function_arn, message_id=ids[0], cause_id=ids[0], status="expired",
                  detail={"batch_size": len(ids), "ids": ids, "mapping": poller.esm.uuid, "shard": poller.shard_of(shard_id)}))
    _send_on_failure(poller, shard_id, aged, 0, "RecordAgeExceeded", condition="RecordAgeExceeded")
    return kept


def _send_on_failure(poller: Any, shard_id: str, batch: list[Any], invokes: int, error: str,
                     condition: str = "RetryAttemptsExhausted") -> None:
    poller.send_on_failure(shard_id, batch, invokes, error, condition)


def _final_invokes(poller: Any, shard_id: str, next_arrival: float | None) -> bool:
    """Close the shard's open window if the clock (or a later record) says it has ended."""
    windows = _state(poller)["windows"]
    open_window = windows.get(shard_id)
    if open_window is None:
        return False
    end = open_window["start"] + int(poller.esm.tumbling_window)
    if _now() < end and (next_arrival is None or next_arrival < end):
        return False
    event = {"Records": [], "window": {"start": _iso(open_window["start"]), "end": _iso(end)},
             "state": open_window["state"], "shardId": poller.shard_of(shard_id), "eventSourceARN": poller.esm.event_source_arn,
             "isFinalInvokeForWindow": True, "isWindowTerminatedEarly": False}
    ok, _result, error = poller.invoke_event(event)
    windows.pop(shard_id, None)
    poller.report([], [], [], None if ok else (error or "Unhandled"), shard=shard_id, final_invoke=True,
                  window=event["window"], state=open_window["state"])
    return True


def poll_once(self: Any) -> bool:
    """The base ``StreamPoller.poll_once`` with bisect, record age and tumbling windows."""
    delivered = False
    segments = _state(self)["segments"]
    windows = _state(self)["windows"]
    for shard_id in self.slots():
        position = self.positions.setdefault(shard_id, -1)
        limit = segments.get(shard_id, [int(self.esm.batch_size)])[0]
        batch = self.read_slot(shard_id, position, limit)
        batch = _discard_aged(self, shard_id, batch)
        if not batch:
            if position < 0 and not self.read_slot(shard_id, -1, 1):
                self.positions[shard_id] = position = 0  # an empty shard: nothing to deliver (not "1 behind")
            delivered = _final_invokes(self, shard_id, None) or delivered
            if self.positions[shard_id] != position:
                delivered = True
            continue
        window_start = _window_of(self, _arrival(batch[0][2]))
        if window_start is not None:
            open_window = windows.get(shard_id)
            if open_window is not None and open_window["start"] != window_start:
                delivered = _final_invokes(self, shard_id, _arrival(batch[0][2])) or delivered
                continue
            size = int(self.esm.tumbling_window)
            batch = [entry for entry in batch if _window_of(self, _arrival(entry[2])) == window_start]
            windows.setdefault(shard_id, {"start": window_start, "state": {}})
        delivered = True
        batch = self.drop_filtered(shard_id, batch)
        if not batch:
            continue
        records = [record for _, _, record in batch]
        ids = [sequence for _, sequence, _ in batch]
        if window_start is not None:
            event = {"Records": records, "window": {"start": _iso(window_start), "end": _iso(window_start + size)},
                     "state": windows[shard_id]["state"], "shardId": self.shard_of(shard_id),
                     "eventSourceARN": self.esm.event_source_arn, "isFinalInvokeForWindow": False,
                     "isWindowTerminatedEarly": False}
            ok, result, error = self.invoke_event(event)
        else:
            ok, result, error = self.invoke(records)
        failed = self.reported_failures(result, ids) if ok else None
        if failed is None:
            failed = list(ids)
        if not failed:
            if window_start is not None and isinstance(result, dict) and isinstance(result.get("state"), dict):
                windows[shard_id]["state"] = result["state"]
            self.positions[shard_id] = batch[-1][0]
            self.attempts.pop(shard_id, None)
            if shard_id in segments:
                segments[shard_id].pop(0)
                if not segments[shard_id]:
                    segments.pop(shard_id)
            self.report(records, ids, [], None, shard=shard_id)
            continue
        first_failed = next(i for i, (_, seq, _) in enumerate(batch) if seq in failed)
        # A function error, or a partial response that fails the batch from its first record (after a
        # response naming a later record the poller checkpoints there, so the retry starts at it): split.
        if self.esm.bisect_on_error and len(batch) > 1 and (not ok or first_failed == 0):
            half = math.ceil(len(batch) / 2)
            rest = segments.get(shard_id, [len(batch)])[1:]
            segments[shard_id] = [half, len(batch) - half, *rest]
            self.report(records, ids, failed, error or "Unhandled", shard=shard_id, bisected=True)
            continue
        attempt = self.attempts.get(shard_id, 0) + 1
        if attempt > self.max_retries():
            self.positions[shard_id] = batch[-1][0]
            self.attempts.pop(shard_id, None)
            if shard_id in segments:
                segments[shard_id].pop(0)
                if not segments[shard_id]:
                    segments.pop(shard_id)
            self.report(records, ids, failed, error or "Unhandled", shard=shard_id, discarded=True,
                        retry_attempt=attempt - 1)
            self.send_on_failure(shard_id, batch, attempt, error or "Unhandled")
        else:
            if first_failed:  # partial batch response: checkpoint before the first reported failure
                self.positions[shard_id] = batch[first_failed][0] - 1
                segments.pop(shard_id, None)
            self.attempts[shard_id] = attempt
            self.report(records, ids, failed, error or "Unhandled", shard=shard_id, retry_attempt=attempt)
    return delivered


def pending(self: Any) -> str | None:
    text = _base_pending(self)
    windows = _state(self)["windows"]
    size = int(self.esm.tumbling_window or 0)
    due = [shard for shard, window in windows.items() if size and _now() >= window["start"] + size]
    if due:
        closing = f"{len(due)} tumbling window(s) ended, final invocation pending"
        text = f"{text}, {closing}" if text else closing
    return text


_base_pending = esm_module.StreamPoller.pending


def _apply() -> None:
    global _base_pending
    _base_pending = esm_module.StreamPoller.pending
    esm_module.StreamPoller.poll_once = poll_once  # type: ignore[method-assign]
    esm_module.StreamPoller.pending = pending  # type: ignore[method-assign]


PATCH = Patch(
    name=NAME,
    restores="stream mappings split a failing batch in two (BisectBatchOnFunctionError) until the poison record is "
             "alone, discard records older than MaximumRecordAgeInSeconds, and run tumbling windows "
             "(TumblingWindowInSeconds): state passed between invocations of a window and a final invocation "
             "(isFinalInvokeForWindow) when it ends",
    plain_moto="a failing stream batch is retried whole, records never age out, TumblingWindowInSeconds is ignored "
               "(plain moto delivers no Kinesis batches at all)",
    apply=_apply,
    targets={
        "labs.helpers.emulator.awslambda.event_source_mappings:StreamPoller.poll_once": "93913cd4fc7a",
        "labs.helpers.emulator.awslambda.event_source_mappings:StreamPoller.pending": "ef537bc67022",
    },
)
