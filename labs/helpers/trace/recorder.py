"""Recording: a hook on every lab client, and a listener for the backend's own deliveries.

Calls are seen through botocore's event system, which every boto3 client has, so this works the
same on the embedded emulator, a moto server, LocalStack and real AWS, and the student writes
nothing. Per traced operation three handlers are registered (only for the operations in
:data:`.extract.EXTRACTORS`, so every other call pays nothing):

* ``before-parameter-build.<service>.<Op>``: the caller's final parameters; the call gets its
  sequence number and start time here, so deliveries that happen *inside* the call are ordered
  after it.
* ``after-call.<service>.<Op>``: the parsed response. Emitted for every HTTP answer, including
  error answers, before botocore raises the ClientError, so failed calls are recorded too.
* ``after-call-error.<service>.<Op>``: the request itself raised (connection refused, a moto
  ``NotImplementedError``); recorded as an error and re-raised by botocore unchanged.

The three share botocore's per-call ``context`` dict, which carries the start-of-call state.
Every handler swallows its own failures: tracing must never change what the student's call does.
"""

from __future__ import annotations

import json
import logging
import threading
import time
import weakref
from typing import TYPE_CHECKING, Any

from .. import observe
from .extract import EXTRACTORS, OBSERVERS, Extractor, order_ids
from .flow import Flow
from .mask import short_id, short_name
from .rows import Row, clip, set_message_orders

if TYPE_CHECKING:  # pragma: no cover
    from botocore.client import BaseClient

    from ..context import Lab

_KEY = "labs_trace"
#: Failures of the trace itself are swallowed (the student's call must go on) but logged here.
log = logging.getLogger(__name__)
_flows: weakref.WeakSet[Flow] = weakref.WeakSet()
_lock = threading.Lock()


def flow_of(lab: Lab) -> Flow:
    """The lab's one Flow, created on first use."""
    flow = getattr(lab, "_flow", None)
    if flow is None:
        with _lock:
            flow = getattr(lab, "_flow", None)
            if flow is None:
                flow = Flow(lab)
                lab._flow = flow
                _flows.add(flow)
    return flow


# ---------------------------------------------------------------------------- calls
class _Tracer:
    """The handlers for one operation of one client."""

    __slots__ = ("extract", "flow", "operation", "service")

    def __init__(self, flow: Flow, service: str, operation: str, extract: Extractor) -> None:
        self.flow, self.service, self.operation, self.extract = flow, service, operation, extract

    def before(self, params: dict[str, Any], context: dict[str, Any] | None = None, **_: Any) -> None:
        if context is not None and self.flow.enabled:
            context[_KEY] = (self.flow.next_seq(), time.time(), params)

    def after(self, http_response: Any = None, parsed: dict[str, Any] | None = None,
              context: dict[str, Any] | None = None, **_: Any) -> None:
        started = context.pop(_KEY, None) if context else None
        if started is None:
            return
        try:
            parsed = parsed or {}
            row = self._row(started)
            if getattr(http_response, "status_code", 200) >= 300:
                error = parsed.get("Error") or {}
                row.status, row.error = "error", f"{error.get('Code', 'Error')}: {error.get('Message', '')}".rstrip(": ")
            self.extract(row, started[2], parsed, self.flow)
            self.flow.add(row)
        except Exception:  # observing must never change what is observed
            log.debug("trace: could not record %s.%s", self.service, self.operation, exc_info=True)

    def failed(self, exception: BaseException | None = None, context: dict[str, Any] | None = None, **_: Any) -> None:
        started = context.pop(_KEY, None) if context else None
        if started is None:
            return
        try:
            row = self._row(started)
            row.status, row.error = "error", f"{type(exception).__name__}: {exception}"
            self.extract(row, started[2], {}, self.flow)
            self.flow.add(row)
        except Exception:  # observing must never change what is observed
            log.debug("trace: could not record failed %s.%s", self.service, self.operation, exc_info=True)

    def _row(self, started: tuple[int, float, dict[str, Any]]) -> Row:
        return Row(seq=started[0], time=started[1], kind="call", service=self.service, operation=self.operation)


class _Observer:
    """A call that makes no row but teaches the trace something (which stream an iterator reads)."""

    __slots__ = ("flow", "observe")

    def __init__(self, flow: Flow, observe_fn: Any) -> None:
        self.flow, self.observe = flow, observe_fn

    def before(self, params: dict[str, Any], context: dict[str, Any] | None = None, **_: Any) -> None:
        if context is not None and self.flow.enabled:
            context[_KEY + "_params"] = params

    def after(self, parsed: dict[str, Any] | None = None, context: dict[str, Any] | None = None, **_: Any) -> None:
        params = context.pop(_KEY + "_params", None) if context else None
        if params is not None and parsed:
            try:
                self.observe(params, parsed, self.flow)
            except Exception:  # observing must never change what is observed
                log.debug("trace: could not observe a call", exc_info=True)


def trace_client(client: BaseClient, lab: Lab) -> None:
    """The client hook (``context.register_client_hook``): trace this client's movement calls."""
    model = client.meta.service_model
    service = model.service_name
    extractors, observers = EXTRACTORS.get(service, {}), OBSERVERS.get(service, {})
    if not extractors and not observers:
        return
    flow = flow_of(lab)
    service_id = model.service_id.hyphenize()
    events = client.meta.events
    for operation, extract in extractors.items():
        tracer = _Tracer(flow, service, operation, extract)
        events.register(f"before-parameter-build.{service_id}.{operation}", tracer.before)
        events.register(f"after-call.{service_id}.{operation}", tracer.after)
        events.register(f"after-call-error.{service_id}.{operation}", tracer.failed)
    for operation, observe_fn in observers.items():
        observer = _Observer(flow, observe_fn)
        events.register(f"before-parameter-build.{service_id}.{operation}", observer.before)
        events.register(f"after-call.{service_id}.{operation}", observer.after)


# ---------------------------------------------------------------------------- deliveries
#: ARN service -> inventory kind (as ``Lab.owns`` and the registry name them).
_KINDS = {"sqs": "sqs-queue", "sns": "sns-topic", "events": "events-bus", "states": "sfn-state-machine",
          "lambda": "lambda-function", "kinesis": "kinesis-stream", "dynamodb": "dynamodb-table"}
#: Statuses of a delivery that moved nothing.
_NOT_MOVED = frozenset({"filtered", "failed", "retrying"})


def _kind(value: str) -> str:
    if value.startswith("arn:"):
        parts = value.split(":", 6)
        if len(parts) > 5 and parts[2] == "events" and parts[5].startswith("rule/"):
            return "events-rule"
        return _KINDS.get(parts[2], parts[2]) if len(parts) > 2 else ""
    return "sqs-queue" if value.startswith(("http://", "https://")) else ""


def _owns(lab: Any, kind: str, name: str) -> bool:
    if not name:
        return False
    if kind == "sfn-state-machine" and ":" in name:  # an execution "machine:run" is its machine's
        name = name.split(":", 1)[0]
    try:
        return bool(lab.owns(kind, name))
    except Exception:  # noqa: BLE001 - a lab without .owns claims nothing
        return False


def _payload_text(payload: Any) -> str | None:
    if isinstance(payload, (dict, list)):
        try:
            return clip(json.dumps(payload, default=str))
        except (TypeError, ValueError):
            return clip(payload)
    return clip(payload)


def on_delivery(delivery: observe.Delivery) -> None:
    """Record a backend delivery in the flow of every lab it belongs to.

    A delivery belongs to a lab if it was caused by a message that lab's calls produced, or if it
    touches a resource the lab owns (its prefix or its registry). A delivery no lab claims is
    ambiguous and kept by every lab, rather than silently lost.
    """
    flows = [f for f in list(_flows) if f.enabled and f.lab is not None]  # a finished lab collects nothing
    if not flows:
        return
    source, target = str(delivery.source or ""), str(delivery.target or "")
    source_name, target_name = short_name(source), short_name(target)
    source_kind, target_kind = _kind(source), _kind(target)  # once, not once per lab
    cause = short_id(delivery.cause_id)
    owners = [f for f in flows if f.knows(cause) or _owns(f.lab, source_kind, source_name)
              or _owns(f.lab, target_kind, target_name)] or flows
    detail = dict(delivery.detail or {})
    moved = 0 if delivery.status in _NOT_MOVED else int(detail.get("batch_size") or 1)
    # A batch delivery (an event source mapping's invoke) may list every message it carried in
    # detail["ids"]; all of them are its message ids, so follow() finds the batch from any one.
    batch_ids = detail.get("ids")
    if isinstance(batch_ids, (list, tuple)) and batch_ids and all(isinstance(i, str) for i in batch_ids):
        message_ids = tuple(short_id(i) or "" for i in batch_ids)
    else:
        message_ids = (short_id(delivery.message_id) or "",) if delivery.message_id else ()
    payload = _payload_text(delivery.payload)
    records = delivery.payload.get("Records") if isinstance(delivery.payload, dict) else None
    per_record: list[tuple[str, ...]] = []
    if len(message_ids) > 1 and isinstance(records, list) and len(records) == len(message_ids):
        # an event source mapping's batch: record i is message i, so each order is in one message
        per_record = [order_ids(record) for record in records]
        orders = tuple(dict.fromkeys(o for found in per_record for o in found))
    else:
        orders = order_ids(delivery.payload)
    error = detail.get("error")
    for flow in owners:
        row = Row(seq=flow.next_seq(), time=delivery.time, kind="delivery", service=delivery.service,
                  operation=delivery.action, source=source_name, target=target_name, message_ids=message_ids,
                  cause_id=cause, order_ids=orders, count=moved, payload=payload, status=delivery.status,
                  error=None if error is None else str(error), detail=detail)
        set_message_orders(row, per_record)
        flow.add(row)


_unsubscribe = observe.subscribe(on_delivery)
