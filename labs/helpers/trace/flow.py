"""``lab.flow``: the lab's message flow as a pandas DataFrame, built only when someone looks.

Rows are recorded by :mod:`.recorder` (the student's calls, through botocore's event system) and
by the delivery listener (what the backend did by itself). This module only stores and shows.
"""

from __future__ import annotations

import html
import itertools
import os
import sys
import threading
import warnings
import weakref
from collections import OrderedDict, deque
from collections.abc import Iterable
from typing import TYPE_CHECKING, Any

import pandas as pd

from ..errors import LabError
from .mask import Masker
from .rows import COLUMNS, Row

if TYPE_CHECKING:  # pragma: no cover
    from ..context import Lab

#: Default ring-buffer size; ``LABS_TRACE_CAPACITY`` overrides it.
DEFAULT_CAPACITY = 100_000
#: Remembered receipt handles / shard iterators (to name the message a delete refers to).
_MEMORY = 20_000
_SHOWN = 10


def _env_enabled() -> bool:
    return os.environ.get("LABS_TRACE", "1").strip().lower() not in ("0", "false", "off", "no")


def _env_capacity() -> int:
    """``LABS_TRACE_CAPACITY``, or the default. A bad value warns instead of raising: the flow is
    created inside ``lab.client()``, and a tracing setting must never stop a lab from working."""
    raw = os.environ.get("LABS_TRACE_CAPACITY", "").strip()
    if not raw:
        return DEFAULT_CAPACITY
    try:
        value = int(raw.replace("_", ""))
        if value >= 1:
            return value
    except ValueError:
        pass
    warnings.warn(f"LABS_TRACE_CAPACITY={raw!r} is not a positive row count; the trace keeps "
                  f"{DEFAULT_CAPACITY:,} rows. Set it to e.g. 100000, or unset it.", stacklevel=2)
    return DEFAULT_CAPACITY


class _Bounded(OrderedDict):  # type: ignore[type-arg]
    """A dict that forgets its oldest keys beyond ``limit`` (memory stays bounded)."""

    def __init__(self, limit: int) -> None:
        super().__init__()
        self.limit = limit

    def put(self, key: Any, value: Any) -> None:
        self[key] = value
        if len(self) > self.limit:
            self.popitem(last=False)


class Flow:
    """Every call that moved a message or event in this lab, and every delivery it caused.

    ``flow.df`` has one row per call or delivery, oldest first:

    ============  =======================================================================
    column        meaning
    ============  =======================================================================
    seq           int: order of recording (a call is numbered when it starts, so the
                  deliveries it causes come after it)
    time          UTC Timestamp the call started / the delivery happened
    kind          "call" (your client) or "delivery" (the backend, by itself)
    service       "sqs", "sns", "events", "stepfunctions", "kinesis", "dynamodb",
                  "dynamodbstreams", "lambda"
    operation     API name ("SendMessageBatch") or delivery action ("fanout", "dlq-move")
    source        short resource name the message came from; "client" for your call
    target        short resource name it went to; "client" for a receive
    message_ids   tuple of ids: MessageId, EventId, SequenceNumber, execution, ...
    cause_id      for a delivery: the id of the message/event that caused it
    order_ids     SecureCart order ids found in the payload ("order_id"/"orderId"/"OrderId")
    count         int: messages moved (a batch of 10 sends -> 10)
    payload       str, at most 80 characters, masked
    status        "ok" | "partial" (some of a batch failed) | "error" for calls;
                  "delivered" | "filtered" | "failed" | "retrying" | "dlq" | ... for deliveries
    error         "Code: message" of a failed call, or which entries of a batch failed
    detail        dict: extra facts (rule, bus, protocol, failed entries, receive counts, ...)
    ============  =======================================================================

    Nothing shown contains an account id, a credential or a full receipt handle (see
    :mod:`labs.helpers.trace.mask`). The trace keeps the last ``capacity`` rows (default 100,000,
    ``LABS_TRACE_CAPACITY``); ``enabled = False`` (or ``LABS_TRACE=0``) stops recording.
    """

    def __init__(self, lab: Lab | None = None, *, capacity: int | None = None, enabled: bool | None = None) -> None:
        # A weak reference: the lab holds its flow, and a flow must not keep a finished lab (and
        # through it every client) alive, or old labs would go on collecting deliveries.
        self._lab = weakref.ref(lab) if lab is not None else None
        self.enabled: bool = _env_enabled() if enabled is None else enabled
        self._rows: deque[Row] = deque(maxlen=capacity or _env_capacity())
        self._seq = itertools.count(1)
        self._handles = _Bounded(_MEMORY)
        self._iterators = _Bounded(_MEMORY)
        self._ids = _Bounded(_MEMORY)  # message ids this lab's calls produced (delivery attribution)
        self._lock = threading.Lock()
        self._masker: Masker | None = None

    @property
    def lab(self) -> Lab | None:
        """The lab this flow belongs to (None once that lab is gone)."""
        return self._lab() if self._lab is not None else None

    def _snapshot(self) -> list[Row]:
        """The rows, oldest first, copied safely while other threads may still be recording."""
        for _ in range(5):
            try:
                rows = list(self._rows)
                break
            except RuntimeError:  # deque mutated during iteration
                continue
        else:
            with self._lock:
                rows = list(self._rows)
        rows.sort(key=lambda r: r.seq)
        return rows

    # ------------------------------------------------------------------ recording (hot path)
    def next_seq(self) -> int:
        return next(self._seq)

    def add(self, row: Row) -> None:
        """Append a row; the oldest is dropped once ``capacity`` rows are held.

        Resource names are interned here, for every row (calls, failed calls, deliveries): one
        copy of each name however many rows name it (memory per row, benchmarks/trace_overhead.py).
        """
        row.source, row.target = sys.intern(row.source), sys.intern(row.target)
        self._rows.append(row)
        if row.kind == "call" and row.message_ids:
            with self._lock:
                for mid in row.message_ids:
                    self._ids.put(mid, None)

    def knows(self, message_id: str | None) -> bool:
        """Did one of this lab's calls produce ``message_id``? (a delivery it caused is this lab's)"""
        return message_id is not None and message_id in self._ids

    # extractor state (see extract.State)
    def remember_handle(self, handle: str, message_id: str, order_ids: tuple[str, ...]) -> None:
        with self._lock:
            self._handles.put(handle, (message_id, order_ids))

    def handle(self, handle: str) -> tuple[str, tuple[str, ...]] | None:
        return self._handles.get(handle)

    def remember_iterator(self, iterator: str, stream: str) -> None:
        with self._lock:
            self._iterators.put(iterator, stream)

    def iterator(self, iterator: str) -> str | None:
        return self._iterators.get(iterator)

    # ------------------------------------------------------------------ size
    @property
    def capacity(self) -> int:
        """How many rows are kept; older rows are dropped first."""
        return self._rows.maxlen or 0

    @capacity.setter
    def capacity(self, value: int) -> None:
        if int(value) < 1:
            raise LabError(f"A trace capacity of {value} rows keeps nothing.", "Use a positive number, e.g. 100_000.")
        self._rows = deque(self._rows, maxlen=int(value))

    def __len__(self) -> int:
        return len(self._rows)

    def __bool__(self) -> bool:  # an empty trace is still a trace (``if lab.flow:`` must not lie)
        return True

    def clear(self) -> None:
        """Forget every recorded row (the numbering goes on, so old and new never share a seq)."""
        self._rows.clear()

    # ------------------------------------------------------------------ showing
    @property
    def masker(self) -> Masker:
        if self._masker is None:
            secrets: list[str | None] = []
            session = getattr(getattr(self.lab, "backend", None), "session", None)
            try:
                credentials = session.get_credentials() if session is not None else None
                if credentials is not None:
                    frozen = credentials.get_frozen_credentials()
                    secrets = [frozen.access_key, frozen.secret_key, frozen.token]
            except Exception:  # noqa: BLE001 - no credentials is fine: nothing to mask
                secrets = []
            self._masker = Masker(secrets)
        return self._masker

    @property
    def df(self) -> pd.DataFrame:
        """The rows as a DataFrame with exactly the columns in the table of :class:`Flow`
        (seq, time, kind, service, operation, source, target, message_ids, cause_id, order_ids,
        count, payload, status, error, detail), masked, oldest first. Built on each access."""
        return self._frame(self._snapshot())

    def _frame(self, rows: Iterable[Row]) -> pd.DataFrame:
        m = self.masker
        # Ids are shown as recorded (see mask.py); names, payloads, errors and details are masked.
        records = [(r.seq, r.time, r.kind, r.service, r.operation, m.name(r.source), m.name(r.target),
                    r.message_ids, r.cause_id, r.order_ids, int(r.count), _shown_payload(r, m), r.status,
                    None if r.error is None else m.summary(r.error, 200), _shown_detail(r, m))
                   for r in rows]
        columns = list(zip(*records)) if records else [()] * len(COLUMNS)
        data: dict[str, Any] = {}
        for name, values in zip(COLUMNS, columns):
            if name in ("seq", "count"):
                data[name] = pd.Series(values, dtype="int64")
            elif name == "time":
                data[name] = pd.to_datetime(pd.Series(values, dtype="float64"), unit="s", utc=True)
            else:  # object: keeps None as None (not NaN) and tuples/dicts as they are
                data[name] = pd.Series(values, dtype=object)
        return pd.DataFrame(data, columns=list(COLUMNS))

    def follow(self, order_id: str) -> pd.DataFrame:
        """One order end to end, in time order: every row about a message whose body carries the
        order id, and about the messages those caused (fan-out, rule matches, executions).

        The order's messages are found message by message, never by the row: a batch row that
        names the order says which of its messages carries it (``Row.message_orders``), so the
        other messages of the batch (another poison order, a message with no order id at all) and
        their own visibility changes, DLQ moves and redrives stay out of this order's life. A row
        is shown if it names the order, or if it moved or was caused by one of its messages.
        """
        rows = self._snapshot()
        order_id = str(order_id)
        mine: set[str] = set()  # ids of the messages (events, records, executions) of this order
        for r in rows:
            for message_id, orders in r.per_message():
                if message_id and order_id in orders:
                    mine.add(message_id)
        grew = bool(mine)
        while grew:  # to a fixpoint: a fan-out's SQS message has its own receives and deletes
            grew = False
            for r in rows:
                # a delivery of one message caused by one of the order's is the order's too
                if r.cause_id in mine and len(r.message_ids) == 1 and r.message_ids[0] and r.message_ids[0] not in mine:
                    mine.add(r.message_ids[0])
                    grew = True
        chosen = [r for r in rows if order_id in r.order_ids or r.cause_id in mine or not mine.isdisjoint(r.message_ids)]
        return self._frame(chosen).reset_index(drop=True)

    def summary(self) -> pd.DataFrame:
        """Rows, messages moved and errors per service and operation."""
        rows = self._snapshot()
        if not rows:
            return pd.DataFrame(columns=["service", "operation", "kind", "rows", "messages", "errors"])
        # From the raw rows: counting needs no masking, so this stays quick at 100,000 rows.
        df = pd.DataFrame({"seq": [r.seq for r in rows], "service": [r.service for r in rows],
                           "operation": [r.operation for r in rows], "kind": [r.kind for r in rows],
                           "count": [r.count for r in rows],
                           "errors": [int(r.status in ("error", "partial", "failed")) for r in rows]})
        return (df.groupby(["service", "operation", "kind"], sort=True)
                  .agg(rows=("seq", "size"), messages=("count", "sum"), errors=("errors", "sum"))
                  .reset_index())

    def calls(self, service: str, operations: Iterable[str]) -> pd.DataFrame:
        """``target`` and ``count`` of each of this lab's calls of ``operations`` on ``service``
        (e.g. the Publish calls per topic the dashboard shows), oldest first. From the raw rows,
        like :meth:`summary`: counting needs no masking, so a dashboard refreshing every second
        does not rebuild the whole masked ``df`` of up to 100,000 rows each time."""
        wanted = frozenset(operations)
        rows = [(r.target, r.count) for r in self._snapshot()
                if r.kind == "call" and r.service == service and r.operation in wanted]
        return pd.DataFrame(rows, columns=["target", "count"]).astype({"target": object, "count": "int64"})

    def deliveries(self, service: str, actions: Iterable[str]) -> pd.DataFrame:
        """``time`` (epoch seconds), ``source``, ``target``, ``count`` and ``status`` of each
        delivery the backend made by itself with one of ``actions`` (e.g. the "redrive" moves a
        dashboard reports), oldest first; from the raw rows, like :meth:`calls`."""
        wanted = frozenset(actions)
        rows = [(r.time, r.source, r.target, r.count, r.status) for r in self._snapshot()
                if r.kind == "delivery" and r.service == service and r.operation in wanted]
        return pd.DataFrame(rows, columns=["time", "source", "target", "count", "status"]).astype(
            {"time": "float64", "source": object, "target": object, "count": "int64", "status": object})

    # ------------------------------------------------------------------ pictures (viz owns them)
    def _viz(self, name: str) -> Any:
        try:
            from .. import viz
        except ImportError:
            viz = None
        picture = getattr(viz, name, None)
        if picture is None:
            raise LabError(f"The picture {name!r} is not available in this version of the helpers.",
                           "Look at lab.flow.df (or lab.flow.follow('<order id>')) instead.")
        return picture

    def sequence(self, **kwargs: Any) -> Any:
        """A sequence diagram of the trace (see :func:`labs.helpers.viz.sequence`)."""
        if self.lab is not None:
            kwargs.setdefault("lab", self.lab)  # lane kinds from the account (viz reads, never writes)
        return self._viz("sequence")(self.df, **kwargs)

    def service_map(self, **kwargs: Any) -> Any:
        """Which resource sent to which (see :func:`labs.helpers.viz.service_map`)."""
        return self._viz("service_map")(self.lab, self.df, **kwargs)

    def queue_depth(self, *args: Any, **kwargs: Any) -> Any:
        """Queue depth over time (see :func:`labs.helpers.viz.queue_depth`)."""
        return self._viz("queue_depth")(*args, **kwargs)

    def execution_path(self, execution_arn: str, **kwargs: Any) -> Any:
        """The path one Step Functions execution took (see :func:`labs.helpers.viz.execution_path`)."""
        return self._viz("execution_path")(self.lab, execution_arn, **kwargs)

    # ------------------------------------------------------------------ reprs
    def _head(self) -> str:
        state = "" if self.enabled else " (recording paused: flow.enabled = False)"
        name = getattr(getattr(self.lab, "info", None), "name", "?")
        return f"Flow of lab {name!r}: {len(self)} rows{state}"

    def _tail(self) -> pd.DataFrame:
        """The last rows, made for reading rather than analysis: clock time, ids abbreviated
        (the full values are in ``df``), no detail column."""
        df = self._frame(self._snapshot()[-_SHOWN:]).drop(columns=["detail"])
        df["time"] = df["time"].dt.strftime("%H:%M:%S.%f").str[:-3]
        df["message_ids"] = [_abbreviate(ids) for ids in df["message_ids"]]
        df["cause_id"] = [_abbreviate((c,)) if c else "" for c in df["cause_id"]]
        df["order_ids"] = [", ".join(ids) for ids in df["order_ids"]]
        df["error"] = [e or "" for e in df["error"]]
        return df

    def __repr__(self) -> str:
        if not self._rows:
            return self._head()
        with pd.option_context("display.width", 200, "display.max_columns", 20, "display.max_colwidth", 40):
            return f"{self._head()}, last {min(_SHOWN, len(self))}:\n{self._tail().to_string(index=False)}"

    def _repr_html_(self) -> str:
        head = f"<p><b>{html.escape(self._head())}</b>"
        if not self._rows:
            return head + "</p>"
        return f"{head}, last {min(_SHOWN, len(self))}:</p>" + self._tail().to_html(index=False)


class _Shown(str):
    """A payload already masked and summarised. Stored back on its row the first time the row is
    shown: the next ``df`` (a dashboard refreshing every second) skips the masking, and the row
    gets smaller (80 characters instead of the raw 200)."""

    __slots__ = ()


class _ShownDict(dict):  # type: ignore[type-arg]
    """A row's detail, already masked (see :class:`_Shown`)."""

    __slots__ = ()


def _shown_payload(row: Row, masker: Masker) -> str:
    payload = row.payload
    if payload.__class__ is not _Shown:
        payload = _Shown(masker.summary(payload))
        row.payload = payload  # deterministic, so two threads doing this at once agree
    return str(payload)


def _shown_detail(row: Row, masker: Masker) -> dict[str, Any]:
    detail = row.detail
    if not detail:
        return {}
    if detail.__class__ is not _ShownDict:
        detail = _ShownDict(masker.value(dict(detail)))
        row.detail = detail
    return dict(detail)  # a copy: editing the DataFrame never edits the trace


def _abbreviate(ids: tuple[str, ...]) -> str:
    """``("62819f97-7322-...", "1d1cf351-...")`` -> ``62819f97… +1``."""
    if not ids:
        return ""
    first = ids[0] if len(ids[0]) <= 12 else ids[0][:8] + "…"
    return first if len(ids) == 1 else f"{first} +{len(ids) - 1}"
