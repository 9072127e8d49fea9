"""A live monitor of a lab's queues, topics and buses, with the buttons a lab needs to break things.

``lab.dashboard(queues=["orders"], controls=True)`` shows, refreshed by a daemon thread, how many
messages are visible / in flight / in the DLQ per queue and how many messages were published per
topic and events put per bus; the controls send a batch of orders, send a poison message, stop and
start a consumer and redrive the DLQ, so a student can watch a DLQ fill and drain.

What it shows stays true: the header says "live" only while the thread refreshes, and otherwise
why it stopped (``stop()``, a newer dashboard of the lab, failed refreshes and their error, the
teardown); a queue that was deleted is shown as deleted; a DLQ shared by several shown queues is
counted once; a redrive says how many messages it moved to which queue, and a destination the
dashboard did not show gets a row. The queues are one grid as wide as the output area, whose text
wraps, so nothing is cut off beside JupyterLab's file browser (~850 px).

Widgets are built once and only their trait values change (updates travel as comm messages,
which nbval ignores); the refresh thread writes to an ``Output`` with ``append_stdout``, never
``print``, because a thread's print lands in whichever cell runs at the time. Without a widget
front end (plain Python, or ``LABS_WIDGETS=plain``) ``show()`` prints a plain table instead, and
``refresh()`` returns the same numbers either way, which is what the tests assert on.
"""

from __future__ import annotations

import html
import json
import os
import re
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

import ipywidgets as widgets
from botocore.exceptions import BotoCoreError, ClientError

from . import data
from .errors import LabError, error_code
from .inventory import QUEUE_GONE
from .viz.depth import WatchedQueue, _depth, watch
from .viz.frame import arn_name

SendOrders = Callable[[int], Any]
Action = Callable[[], Any]
#: Refreshes that may fail in a row before the thread gives up (and says so in the header).
MAX_FAILURES = 5
#: How a row of a queue the lab's teardown deleted reads, and why the dashboard then stopped.
BY_TEARDOWN = "deleted by lab.teardown()"
TEARDOWN_STOP = "stopped: lab.teardown() deleted its queues"
GONE_STOP = "stopped: the queues it shows were deleted"


def _one_line(err: BaseException) -> str:
    """An error as one short line (a LabError's problem without its fix, at most 200 characters)."""
    text = getattr(err, "problem", None) or str(err)
    text = " ".join(text.split())
    return text if len(text) <= 200 else text[:199] + "…"


@dataclass
class Snapshot:
    """The numbers one refresh read: per queue (visible, in flight, DLQ visible), per topic
    messages published, per bus events put.

    A DLQ is counted once: on the row of the first shown queue that uses it. Its count in
    ``queues`` is None where the queue has no DLQ, where the DLQ is shared and counted on another
    queue's row (``shared`` names that queue), and where the DLQ was deleted; ``dlqs`` holds each
    DLQ's count once (None: deleted). A queue that no longer exists is in ``deleted`` (with why)
    instead of ``queues``, and so is a deleted DLQ.
    """

    time: float
    queues: dict[str, tuple[int, int, int | None]] = field(default_factory=dict)
    topics: dict[str, int] = field(default_factory=dict)
    buses: dict[str, int] = field(default_factory=dict)
    counted_from: str = "flow trace"
    dlqs: dict[str, int | None] = field(default_factory=dict)
    shared: dict[str, str] = field(default_factory=dict)
    deleted: dict[str, str] = field(default_factory=dict)
    #: queue -> its DLQ's name, for the shown queues that have one
    dlq_of: dict[str, str] = field(default_factory=dict)

    def sharing(self, dlq: str) -> list[str]:
        """The shown queues whose DLQ ``dlq`` is, the one whose row counts it first."""
        owner = next((q for q, d in self.dlq_of.items() if d == dlq and q not in self.shared), None)
        return ([owner] if owner else []) + [q for q, d in self.dlq_of.items() if d == dlq and q in self.shared]

    def table(self) -> str:
        """The snapshot as a plain-text table (what ``show()`` prints without a widget front end)."""
        lines = [f"{'queue':<34} {'visible':>8} {'in flight':>10} {'DLQ':>6}"]
        for name, (visible, in_flight, dlq) in self.queues.items():
            shown = "shared" if name in self.shared else "-" if dlq is None else dlq
            lines.append(f"{name:<34} {visible:>8} {in_flight:>10} {shown:>6}")
        lines.extend(f"{name:<34} {why}" for name, why in self.deleted.items())
        for dlq, count in self.dlqs.items():
            queues = self.sharing(dlq)
            if len(queues) > 1 and count is not None:
                lines.append(f"({dlq} is the DLQ of {' and '.join(queues)}: its {count} message(s) are counted "
                             f"once, on the {queues[0]} row)")
        for title, counts in (("topic", self.topics), ("bus", self.buses)):
            if counts:
                lines.append(f"{title:<34} {'published' if title == 'topic' else 'events':>8}")
                lines.extend(f"{name:<34} {n:>8}" for name, n in counts.items())
        lines.append(f"(counts from the {self.counted_from})")
        return "\n".join(lines)


#: The queue table's columns: name | visible | in flight | DLQ | the counts in words. Fractions share
#: whatever width the output area has (JupyterLab at 1400 px beside the file browser: ~850-900 px);
#: the minimums add up to about 480 px, so nothing is cut off at the right edge of a narrow notebook.
QUEUE_COLUMNS = "minmax(7em, 1.3fr) repeat(3, minmax(4em, 1fr)) minmax(11em, 2.2fr)"
#: Topics and buses: name | count.
COUNT_COLUMNS = "minmax(7em, 1.3fr) minmax(5em, 9em)"
#: Text in a cell wraps instead of running past the cell (an HTML widget does not wrap by itself).
_WRAP = "white-space: normal; overflow-wrap: anywhere; line-height: 1.3"


def _bar(style: str) -> widgets.IntProgress:
    """A progress bar filling its grid cell; the column heading says what it counts."""
    return widgets.IntProgress(value=0, min=0, max=10, bar_style=style,
                               layout=widgets.Layout(width="100%", min_width="0", margin="0"))


def _text(value: str = "") -> widgets.HTML:
    """A table cell of text that wraps within its column."""
    return widgets.HTML(value=_wrapped(value), layout=widgets.Layout(width="100%", min_width="0", margin="0"))


def _wrapped(value: str) -> str:
    return f"<div style='{_WRAP}'>{value}</div>"


def _grid(children: list[widgets.Widget], columns: str) -> widgets.GridBox:
    return widgets.GridBox(children, layout=widgets.Layout(width="100%", grid_template_columns=columns,
                                                           grid_gap="2px 10px", align_items="center"))


def widget_frontend() -> bool:
    """Is there a Jupyter kernel whose front end can render widgets? ``LABS_WIDGETS=plain``
    forces the plain table (e.g. for nbval runs, where widget output is not comparable)."""
    if os.environ.get("LABS_WIDGETS", "").lower() in ("plain", "0", "off", "no"):
        return False
    try:
        from IPython import get_ipython
    except ImportError:
        return False
    shell = get_ipython()
    return shell is not None and type(shell).__name__ == "ZMQInteractiveShell" and \
        getattr(shell, "kernel", None) is not None


class _PublishCounter:
    """Counts Publish/PublishBatch per topic and PutEvents entries per bus on the lab's own
    clients, for labs without a flow trace (no CloudWatch needed). Counts calls made after the
    dashboard was created."""

    def __init__(self, lab: Any) -> None:
        self.topics: dict[str, int] = {}
        self.buses: dict[str, int] = {}
        self._lock = threading.Lock()
        for service, ops in (("sns", ("Publish", "PublishBatch")), ("events", ("PutEvents",))):
            client = lab.client(service)
            for op in ops:
                client.meta.events.register(f"before-parameter-build.{service}.{op}", self._remember)
                client.meta.events.register(f"after-call.{service}.{op}", self._count)

    @classmethod
    def for_lab(cls, lab: Any) -> _PublishCounter:
        """One counter per lab, however many dashboards it shows (each would count again)."""
        counter = getattr(lab, "_dashboard_counter", None)
        if counter is None:
            counter = cls(lab)
            lab._dashboard_counter = counter
        return counter

    @staticmethod
    def _remember(params: dict[str, Any], context: dict[str, Any], **_: Any) -> None:
        context["labs_dashboard_params"] = dict(params)

    def _count(self, parsed: dict[str, Any], context: dict[str, Any], model: Any, http_response: Any = None,
               **_: Any) -> None:
        params = context.get("labs_dashboard_params") or {}
        if parsed.get("Error") or getattr(http_response, "status_code", 200) >= 300:
            return
        with self._lock:
            if model.name == "Publish" and params.get("TopicArn"):
                topic = arn_name(params["TopicArn"])
                self.topics[topic] = self.topics.get(topic, 0) + 1
            elif model.name == "PublishBatch" and params.get("TopicArn"):
                topic = arn_name(params["TopicArn"])
                self.topics[topic] = self.topics.get(topic, 0) + len(parsed.get("Successful", []))
            elif model.name == "PutEvents":
                for entry, result in zip(params.get("Entries", []), parsed.get("Entries", [])):
                    if result.get("EventId"):
                        bus = arn_name(entry.get("EventBusName") or "default")
                        self.buses[bus] = self.buses.get(bus, 0) + 1


@dataclass
class _Redrive:
    """A move task this dashboard started: from which queue's DLQ, when, and where it can go."""

    queue: WatchedQueue
    started: float
    sources: list[str]
    announced: bool = False


def _per_bus(put_events: Any, buses: list[str]) -> dict[str, int]:
    """Events put per bus from PutEvents rows. The trace writes one row per call with the buses
    joined by commas; a call to several buses is shared evenly between them (labs put to one)."""
    counts = dict.fromkeys(buses, 0)
    for target, count in zip(put_events["target"], put_events["count"]):
        named = str(target).split(",")
        for i, bus in enumerate(named):
            if bus in counts:
                counts[bus] += int(count) // len(named) + (1 if i < int(count) % len(named) else 0)
    return counts


class Dashboard:
    """Live queue depths and publish counts for a lab, with optional controls.

    ``controls`` is ``True`` (default send-orders and poison buttons on the first queue, and
    redrive if a queue has a DLQ)
    or a dict with any of: ``"send_orders"`` (a callable ``f(n)``, a queue name, or ``True``),
    ``"poison"`` (a callable, a queue name, or ``True``), ``"consumer"`` (a ``(start, stop)`` pair
    of callables), ``"redrive"`` (a queue name whose DLQ to redrive, or ``True``).
    """

    def __init__(self, lab: Any, queues: list[str] | None = None, topics: list[str] | None = None,
                 buses: list[str] | None = None, refresh: float = 1.0,
                 controls: bool | dict[str, Any] | None = None) -> None:
        if refresh <= 0:
            raise LabError(f"refresh={refresh} must be a positive number of seconds.", "Use e.g. refresh=1.0.")
        self.lab = lab
        self.interval = refresh
        self._sqs = lab.backend.client("sqs")  # monitoring reads stay out of the flow trace
        self.queues: list[WatchedQueue] = [watch(self._sqs, lab, q) for q in (queues or [])]
        self.topics = [self._full(t) for t in (topics or [])]
        self.buses = [b if b == "default" else self._full(b) for b in (buses or [])]
        self._counter = _PublishCounter.for_lab(lab)
        self._stop = threading.Event()
        self._thread: threading.Thread | None = None
        self._refresh_lock = threading.RLock()  # a refresh may add a row (a redrive's destination)
        self._redrives: list[_Redrive] = []  # move tasks started here and not reported as finished
        self.last: Snapshot | None = None
        self._next_order = 0
        self.errors: list[str] = []
        self._deleted: dict[str, str] = {}  # queue or DLQ name -> why it is shown as deleted
        #: Why the dashboard stopped refreshing, e.g. "stopped by stop()" (None while live or before it started).
        self.stopped_because: str | None = None
        self._build_widgets()
        self._controls(True if controls is True else dict(controls or {}))
        self.refresh()
        self._replace_older()
        if hasattr(lab, "on_teardown"):
            lab.on_teardown(self._after_teardown)

    def _replace_older(self) -> None:
        """Re-running a notebook cell makes a new dashboard: stop the lab's older ones, so their
        threads do not keep polling behind the student's back."""
        older = [d for d in getattr(self.lab, "_dashboards", []) if d is not self]
        for dashboard in older:
            if dashboard.running:
                dashboard._halt("stopped: replaced by a newer dashboard of this lab")
        self.lab._dashboards = [self]

    def _after_teardown(self, report: Any) -> None:
        """``lab.teardown()`` deleted queues this dashboard shows: show them as deleted (even when
        it is stopped, as lab notebooks stop it before the teardown) and say so."""
        gone = {r.name for r in [*report.deleted, *report.already_gone] if r.kind == "sqs-queue"}
        shown = list(dict.fromkeys(n for q in self.queues for n in (q.name, q.dlq_name) if n in gone))
        if not shown:
            return
        for name in shown:  # also where a refresh meanwhile found them gone: now we know who did it
            self._deleted[name] = BY_TEARDOWN
        self._say(f"lab.teardown() deleted {', '.join(self._short(n) for n in shown)}: shown as deleted")
        if self.stopped_because == GONE_STOP:
            self.stopped_because = TEARDOWN_STOP
        self.refresh()

    def _full(self, name: str) -> str:
        name = arn_name(name) if name.startswith("arn:") else name
        return name if name.startswith(self.lab.prefix) else self.lab.name(name)

    # ------------------------------------------------------------------ widgets
    def _build_widgets(self) -> None:
        """One grid for every queue (columns line up whether a queue has a DLQ or not), one for
        topics and buses, the controls (wrapping onto a second line when narrow), a status line
        for the last action and the log; all of it as wide as the output area, never wider."""
        self.header = _text(f"<b>{self.lab.info.name}</b>")
        self.header.layout.margin = "0 0 4px 0"
        self.queue_widgets: dict[str, dict[str, Any]] = {}
        heads = ["queue", "visible", "in flight", "DLQ", ""]
        self.queue_grid = _grid([_text(f"<b>{h}</b>") for h in heads], QUEUE_COLUMNS)
        for q in self.queues:
            self._add_row(q)
        self.topic_widgets = {t: self._count_widget() for t in self.topics}
        self.bus_widgets = {b: self._count_widget() for b in self.buses}
        counts: list[widgets.Widget] = []
        for title, shown in (("published per topic", self.topic_widgets), ("events per bus", self.bus_widgets)):
            if shown:
                cells: list[widgets.Widget] = [_text(f"<b>{title}</b>"), _text("")]
                for name, widget in shown.items():
                    cells += [_text(html.escape(self._short(name))), widget]
                counts.append(_grid(cells, COUNT_COLUMNS))
        self.buttons: dict[str, widgets.Button] = {}
        self.controls_box = widgets.HBox([], layout=widgets.Layout(width="100%", flex_flow="row wrap",
                                                                    align_items="center"))
        self.note = _text("")  # what the last action did (e.g. where a redrive moved the messages)
        self.log = widgets.Output(layout=widgets.Layout(width="100%", max_height="120px", overflow="auto"))
        rows = [self.header, *([self.queue_grid] if self.queues else []), *counts, self.controls_box, self.note,
                self.log]
        self.widget = widgets.VBox(rows, layout=widgets.Layout(width="100%", max_width="100%", overflow="hidden"))

    @staticmethod
    def _count_widget() -> widgets.IntText:
        return widgets.IntText(value=0, disabled=True, layout=widgets.Layout(width="100%", min_width="0"))

    def _add_row(self, q: WatchedQueue) -> None:
        """The grid row of one queue: name, three bars, the counts in words."""
        cells: dict[str, Any] = {
            "name": _text(html.escape(self._short(q.name))),
            "visible": _bar("info"),
            "in_flight": _bar("warning"),
            "dlq": _bar("danger"),
            "dlq_note": _text("no DLQ"),
            "numbers": _text(""),
        }
        cells["dlq_cell"] = widgets.Box([cells["dlq"], cells["dlq_note"]],
                                        layout=widgets.Layout(width="100%", min_width="0"))
        self._show_dlq(cells, bar=bool(q.dlq_url), note="no DLQ")
        self.queue_widgets[q.name] = cells
        self.queue_grid.children = (*self.queue_grid.children, cells["name"], cells["visible"], cells["in_flight"],
                                    cells["dlq_cell"], cells["numbers"])

    @staticmethod
    def _show_dlq(cells: dict[str, Any], *, bar: bool, note: str = "") -> None:
        """The DLQ cell shows the DLQ's bar, or (no DLQ, counted on another row, deleted) a note."""
        cells["dlq"].layout.display = None if bar else "none"
        cells["dlq_note"].layout.display = "none" if bar else None
        if not bar:
            cells["dlq_note"].value = _wrapped(f"<span style='color:#666666'>{html.escape(note)}</span>")

    def _short(self, name: str) -> str:
        return name.removeprefix(self.lab.prefix)

    def _say(self, text: str) -> None:
        """A line in the dashboard's log (thread-safe: ``append_stdout``, never ``print``)."""
        self.log.append_stdout(text.rstrip("\n") + "\n")

    # ------------------------------------------------------------------ controls
    def _controls(self, spec: bool | dict[str, Any]) -> None:
        if spec is True:  # every default that applies: redrive only where there is a DLQ
            spec = {"send_orders": True, "poison": True, "redrive": any(q.dlq_url for q in self.queues)}
        assert isinstance(spec, dict)
        unknown = set(spec) - {"send_orders", "poison", "consumer", "redrive"}
        if unknown:
            raise LabError(f"Unknown dashboard control(s): {', '.join(sorted(unknown))}.",
                           "Use send_orders, poison, consumer=(start, stop) or redrive.")
        children: list[widgets.Widget] = []
        if spec.get("send_orders"):
            self.orders_count = widgets.BoundedIntText(value=10, min=1, max=500, description="orders",
                                                       style={"description_width": "initial"},
                                                       layout=widgets.Layout(width="9em", margin="2px 4px"))
            send = self._callable_or_default(spec["send_orders"], self._default_send_orders, takes_n=True)
            children += [self.orders_count, self._button("send_orders", "Send orders", "primary",
                                                         lambda: self._act(lambda: send(self.orders_count.value),
                                                                           f"sent {self.orders_count.value} orders"))]
        if spec.get("poison"):
            poison = self._callable_or_default(spec["poison"], self._default_poison)
            children.append(self._button("poison", "Send poison message", "danger",
                                         lambda: self._act(poison, "sent a poison message")))
        if spec.get("consumer"):
            pair = spec["consumer"]
            if not (isinstance(pair, tuple | list) and len(pair) == 2 and all(callable(f) for f in pair)):
                raise LabError("controls['consumer'] must be a (start, stop) pair of functions.",
                               "Pass consumer=(consumer.start, consumer.stop).")
            start, stop = pair
            children.append(self._button("stop_consumer", "Stop consumer", "warning",
                                         lambda: self._consumer(stop, running=False)))
            children.append(self._button("start_consumer", "Start consumer", "success",
                                         lambda: self._consumer(start, running=True)))
        if spec.get("redrive"):
            source = self._redrive_queue(spec["redrive"])
            children.append(self._button("redrive", "Redrive DLQ", "info",
                                         lambda: self._act(lambda: self._redrive(source), None)))
        self.controls_box.children = tuple(children)

    def _button(self, key: str, text: str, style: str, action: Action) -> widgets.Button:
        # as wide as its text (the default 148 px cut "Send poison message" short), wrapping to the next line
        button = widgets.Button(description=text, button_style=style,
                                layout=widgets.Layout(width="auto", margin="2px 4px"))
        button.on_click(lambda _button: action())
        self.buttons[key] = button
        return button

    def _act(self, action: Action, done: str | None) -> Any:
        """Run a control; report what happened or what went wrong in the log, never raise into
        the widget callback (an exception there is invisible to the student)."""
        try:
            result = action()
        except (LabError, ClientError, BotoCoreError) as err:
            self._say(f"failed: {err}")
            return None
        if done:
            self._say(done)
        self.refresh()
        return result

    def _consumer(self, action: Action, *, running: bool) -> None:
        self._act(action, "consumer started" if running else "consumer stopped")
        self.buttons["start_consumer"].disabled = running
        self.buttons["stop_consumer"].disabled = not running

    def _callable_or_default(self, value: Any, default: Callable[..., Any], takes_n: bool = False) -> Callable[..., Any]:
        if callable(value):
            return value
        queue = self._first_queue() if value is True else watch(self._sqs, self.lab, str(value))
        return (lambda n: default(queue, n)) if takes_n else (lambda: default(queue))

    def _first_queue(self) -> WatchedQueue:
        if not self.queues:
            raise LabError("The default controls send to the dashboard's first queue, but it watches none.",
                           "Pass queues=['orders'] or give the control its own function.")
        return self.queues[0]

    def _redrive_queue(self, value: Any) -> WatchedQueue:
        candidates = self.queues if value is True else [watch(self._sqs, self.lab, str(value))]
        for q in candidates:
            if q.dlq_url:
                return q
        raise LabError("There is no dead-letter queue to redrive: none of the queues has a redrive policy.",
                       "Give the queue a RedrivePolicy (deadLetterTargetArn, maxReceiveCount) first.")

    def _default_send_orders(self, queue: WatchedQueue, n: int) -> None:
        """Send the next ``n`` seeded SecureCart orders (``labs.helpers.data``), in batches of 10;
        every click continues the sequence, so order ids never repeat within a dashboard."""
        sqs = self.lab.client("sqs")  # the student's client: these sends belong in the flow trace
        first, self._next_order = self._next_order, self._next_order + n
        for start in range(first, first + n, 10):
            entries = []
            for i in range(start, min(first + n, start + 10)):
                body = data.order(i)
                entry = {"Id": str(i), "MessageBody": json.dumps(body)}
                if queue.name.endswith(".fifo"):
                    entry |= {"MessageGroupId": body["customer_id"], "MessageDeduplicationId": body["order_id"]}
                entries.append(entry)
            failed = sqs.send_message_batch(QueueUrl=queue.url, Entries=entries).get("Failed", [])
            if failed:
                raise LabError(f"{len(failed)} orders were not accepted: {failed[0].get('Message')}",
                               "Check the queue's settings (FIFO queues need group ids).")

    def _default_poison(self, queue: WatchedQueue) -> None:
        """A truncated order (the seeded data's "bad-json" kind): no consumer can parse it, so
        it is received, fails, and after maxReceiveCount lands in the DLQ."""
        body = data.orders(len(data.MALFORMED_KINDS), malformed=len(data.MALFORMED_KINDS))[
            data.MALFORMED_KINDS.index("bad-json")]
        extra = {"MessageGroupId": "poison", "MessageDeduplicationId": f"poison-{time.time_ns()}"} \
            if queue.name.endswith(".fifo") else {}
        self.lab.client("sqs").send_message(QueueUrl=queue.url, MessageBody=body, **extra)

    def _redrive(self, queue: WatchedQueue) -> str:
        """Start a move task on the queue's DLQ; where the messages went is reported (and each
        destination not shown yet added to the dashboard) as soon as the task has finished: at
        once on the embedded emulator, after a few refreshes on AWS, where the move is asynchronous."""
        started = time.time()
        # the DLQ's ARN is the queue's redrive policy's deadLetterTargetArn, read once by watch()
        handle = str(self.lab.client("sqs").start_message_move_task(SourceArn=queue.dlq_arn)["TaskHandle"])
        dlq = queue.dlq_name or ""
        self._say(f"redrive of {self._short(dlq)} started")
        with self._refresh_lock:
            self._redrives.append(_Redrive(queue, started, self._dlq_sources(queue)))
            self._follow_redrives()
        return handle

    def _dlq_sources(self, queue: WatchedQueue) -> list[str]:
        """The queues whose DLQ this is: where a redrive without DestinationArn sends messages."""
        try:
            urls = self._sqs.list_dead_letter_source_queues(QueueUrl=queue.dlq_url)["queueUrls"]
        except (ClientError, BotoCoreError, KeyError):
            return [queue.name]
        return sorted(arn_name(url) for url in urls) or [queue.name]

    def _follow_redrives(self) -> None:
        """Report each redrive whose task has finished: how many messages it moved, and to which
        queues (from the flow trace's redrive moves where there is one, else the DLQ's sources)."""
        for redrive in list(self._redrives):
            dlq = redrive.queue.dlq_name or ""
            try:
                tasks = self._sqs.list_message_move_tasks(SourceArn=redrive.queue.dlq_arn, MaxResults=1)["Results"]
            except (ClientError, BotoCoreError) as err:
                self._redrives.remove(redrive)
                self._tell(f"redrive of {self._short(dlq)} started; its progress cannot be read: {_one_line(err)}")
                continue
            task = tasks[0] if tasks else {}
            if task.get("Status") == "RUNNING":
                if not redrive.announced:  # asynchronous (AWS): show where they are going meanwhile
                    redrive.announced = True
                    added = self._show_queues(redrive.sources)
                    self._tell(f"redrive of {self._short(dlq)} running: {task.get('ApproximateNumberOfMessagesToMove', '?')} "
                               f"message(s) go back to {self._names(redrive.sources)}" + self._added(added))
                continue
            self._redrives.remove(redrive)
            moved = int(task.get("ApproximateNumberOfMessagesMoved", 0))
            where = self._redrive_targets(redrive)
            added = self._show_queues(list(where) or redrive.sources) if moved else []
            to = (": " + ", ".join(f"{n} to {self._short(q)}" for q, n in where.items())) if where else \
                f" back to {self._names(redrive.sources)}" if moved else ""
            text = f"moved {moved} message{'' if moved == 1 else 's'} from {self._short(dlq)}{to}"
            if task.get("Status") not in (None, "COMPLETED"):
                text += f"; the task ended {task['Status']}" + (f" ({task['FailureReason']})" if task.get("FailureReason") else "")
            self._tell(text + self._added(added))

    def _redrive_targets(self, redrive: _Redrive) -> dict[str, int]:
        """Messages moved per destination queue since the redrive started, from the flow trace."""
        flow = self._flow()
        if flow is None or not hasattr(flow, "deliveries"):
            return {}
        moves = flow.deliveries("sqs", ("redrive",))
        moves = moves[(moves["source"] == redrive.queue.dlq_name) & (moves["time"] >= redrive.started)]
        return {str(target): int(n) for target, n in moves.groupby("target", sort=False)["count"].sum().items()}

    def _show_queues(self, names: list[str]) -> list[str]:
        """Add the queues of ``names`` not shown yet as rows; returns those added."""
        added = []
        for name in names:
            if name in self.queue_widgets or name in self._deleted:
                continue
            try:
                q = watch(self._sqs, self.lab, name)
            except LabError:  # gone meanwhile
                continue
            self.queues.append(q)
            self._add_row(q)
            added.append(name)
        if added and self.queue_grid not in self.widget.children:
            self.widget.children = (self.widget.children[0], self.queue_grid, *self.widget.children[1:])
        return added

    def _names(self, names: list[str]) -> str:
        return ", ".join(self._short(n) for n in names)

    def _added(self, added: list[str]) -> str:
        return f" ({self._names(added)} added to the dashboard)" if added else ""

    def _tell(self, text: str) -> None:
        """The status line under the controls (what the last action did) and the log."""
        self.note.value = _wrapped(html.escape(text))
        self._say(text)

    # ------------------------------------------------------------------ reading
    def _flow(self) -> Any:
        """The lab's flow trace, or None when the lab has none or it is paused (``LABS_TRACE=0``,
        ``flow.enabled = False``): then the dashboard counts by itself."""
        flow = getattr(self.lab, "flow", None)
        if flow is None or not getattr(flow, "enabled", True) or not hasattr(flow, "calls"):
            return None
        return flow

    def read(self) -> Snapshot:
        """The current numbers, without touching the widgets. A queue that no longer exists is
        reported as deleted (and not asked about again); each DLQ is read once."""
        snap = Snapshot(time=time.time())
        owners: dict[str, str] = {}  # DLQ -> the first live queue using it: its row counts the DLQ
        for q in self.queues:
            depth = None if q.name in self._deleted else self._read_depth(q.name, q.url)
            if depth is None:
                snap.deleted[q.name] = self._deleted[q.name]
                continue
            dlq = None
            if q.dlq_name and q.dlq_url:
                snap.dlq_of[q.name] = q.dlq_name
                if q.dlq_name not in snap.dlqs:
                    found = None if q.dlq_name in self._deleted else self._read_depth(q.dlq_name, q.dlq_url)
                    snap.dlqs[q.dlq_name] = None if found is None else found[0]
                    if found is None:
                        snap.deleted[q.dlq_name] = self._deleted[q.dlq_name]
                owner = owners.setdefault(q.dlq_name, q.name)
                if owner == q.name:
                    dlq = snap.dlqs[q.dlq_name]
                else:
                    snap.shared[q.name] = owner
            snap.queues[q.name] = (*depth, dlq)
        for q in self.queues:  # the DLQ of a deleted queue, deleted too
            if q.dlq_name in self._deleted:
                snap.deleted.setdefault(q.dlq_name, self._deleted[q.dlq_name])
        flow = self._flow()
        if flow is not None:
            sns = flow.calls("sns", ("Publish", "PublishBatch"))
            snap.topics = {t: int(sns.loc[sns["target"] == t, "count"].sum()) for t in self.topics}
            snap.buses = _per_bus(flow.calls("events", ("PutEvents",)), self.buses)
        else:
            with self._counter._lock:
                snap.topics = {t: self._counter.topics.get(t, 0) for t in self.topics}
                snap.buses = {b: self._counter.buses.get(b, 0) for b in self.buses}
            snap.counted_from = "dashboard's own counters (calls since it was created)"
        return snap

    def _read_depth(self, name: str, url: str) -> tuple[int, int] | None:
        """(visible, in flight) of a queue, or None once it no longer exists (remembered)."""
        try:
            return _depth(self._sqs, url)
        except ClientError as err:
            if error_code(err) not in QUEUE_GONE:
                raise
            self._deleted.setdefault(name, "deleted (the queue no longer exists)")
            return None

    def refresh(self) -> Snapshot:
        """Read the numbers and put them into the widgets; returns them. A button's refresh and
        the thread's never interleave (one lock), so a bar never shows half of two readings."""
        with self._refresh_lock:
            return self._refresh()

    def _refresh(self) -> Snapshot:
        if self._redrives:
            self._follow_redrives()
        snap = self.read()
        for name, cells in self.queue_widgets.items():
            if name in snap.deleted:
                self._show_deleted(cells, snap.deleted[name])
                continue
            visible, in_flight, dlq = snap.queues[name]
            for key, value in (("visible", visible), ("in_flight", in_flight), ("dlq", dlq or 0)):
                bar = cells[key]
                if value > bar.max or bar.max > 10 and value < bar.max // 4:  # rescale, never below 10
                    bar.max = max(10, value * 2)
                bar.value = value
            q = self._queue(name)
            if q.dlq_name is None:
                self._show_dlq(cells, bar=False, note="no DLQ")
            elif q.dlq_name in snap.deleted:
                self._show_dlq(cells, bar=False, note="deleted")
            elif name in snap.shared:
                self._show_dlq(cells, bar=False, note=f"shared: counted on the {self._short(snap.shared[name])} row")
            else:
                self._show_dlq(cells, bar=True)
            cells["numbers"].value = _wrapped(html.escape(self._numbers(snap, name)))
        for name, n in snap.topics.items():
            self.topic_widgets[name].value = n
        for name, n in snap.buses.items():
            self.bus_widgets[name].value = n
        self.last = snap
        for key in ("send_orders", "poison", "redrive"):  # their queues are gone: nothing to press
            if key in self.buttons:
                self.buttons[key].disabled = bool(self.queues) and not snap.queues
        if self.queues and not snap.queues and self.status == "live" and not self.topics and not self.buses:
            by_teardown = all(why == BY_TEARDOWN for why in snap.deleted.values())
            self._halt(TEARDOWN_STOP if by_teardown else GONE_STOP, join=False)
        self._show_status()
        return snap

    def _show_deleted(self, cells: dict[str, Any], why: str) -> None:
        cells["name"].value = _wrapped(f"<s>{html.escape(re.sub(r'<[^>]+>', '', cells['name'].value))}</s>")
        for key in ("visible", "in_flight"):  # hidden, not removed: a grid cell taken out shifts the row
            cells[key].value = 0
            cells[key].layout.visibility = "hidden"
        self._show_dlq(cells, bar=False, note="")
        cells["numbers"].value = _wrapped(f"<span style='color:#b00020'>{html.escape(why)}</span>")

    def _numbers(self, snap: Snapshot, name: str) -> str:
        """A queue's counts in words (the row's last column); a shared DLQ is counted on one row."""
        visible, in_flight, dlq = snap.queues[name]
        text = f"{visible} visible, {in_flight} in flight"
        dlq_name = snap.dlq_of.get(name)
        if dlq_name is None:
            return text + ", no DLQ"
        short = self._short(dlq_name)
        if dlq_name in snap.deleted:
            return text + f", DLQ {short} deleted"
        if name in snap.shared:
            return text + f", DLQ {short} shared with {self._short(snap.shared[name])} (counted on its row)"
        others = [self._short(q) for q in snap.sharing(dlq_name) if q != name]
        return text + f", {dlq} in DLQ {short}" + (f" (shared with {', '.join(others)})" if others else "")

    def _queue(self, name: str) -> WatchedQueue:
        return next(q for q in self.queues if q.name == name)

    @property
    def status(self) -> str:
        """``"live"`` while the thread refreshes, ``"stopped: <why>"`` once it stopped (by
        ``stop()``, a newer dashboard, failed refreshes), ``"not refreshing"`` before it started
        (``stopped_because`` keeps the reason)."""
        if self._thread is not None and self._thread.is_alive() and not self._stop.is_set():
            return "live"
        return self.stopped_because or "not refreshing"

    def _show_status(self) -> None:
        """The header: lab, time of the last refresh, and whether it is live (or why not)."""
        stamp = time.strftime("%H:%M:%S", time.gmtime(self.last.time)) if self.last else "-"
        status = self.status
        colour = "#2e7d32" if status == "live" else "#b00020" if status.startswith("stopped") else "#666666"
        self.header.value = _wrapped(f"<b>{self.lab.info.name}</b> &middot; refreshed {stamp} UTC &middot; "
                                     f"<span style='color:{colour}'>{html.escape(status)}</span>")

    # ------------------------------------------------------------------ running
    def start(self) -> Dashboard:
        """Refresh every ``refresh`` seconds in a daemon thread (idempotent)."""
        if self.running:
            return self
        self._stop.clear()
        self.stopped_because = None
        self._thread = threading.Thread(target=self._run, name="labs-dashboard", daemon=True)
        self._thread.start()
        self._show_status()
        return self

    def _run(self) -> None:
        failures = 0
        while not self._stop.wait(self.interval):
            try:
                self.refresh()
                failures = 0
            except Exception as err:  # noqa: BLE001 - any error: a thread that dies silently still looks live
                failures += 1
                self.errors.append(str(err) if isinstance(err, (ClientError, BotoCoreError, LabError))
                                   else f"{type(err).__name__}: {err}")
                if failures == 1:
                    self._say(f"refresh failed: {self.errors[-1]}")
                if failures >= MAX_FAILURES:  # the backend is gone or refuses: stop, and say why
                    why = _one_line(err) if isinstance(err, (ClientError, BotoCoreError, LabError)) else self.errors[-1]
                    self._halt(f"stopped after {failures} failed refreshes: {why}", join=False)
                    return

    def _halt(self, why: str, *, join: bool = True) -> None:
        """Stop refreshing, remember why (``"stopped ..."``; the first reason wins), and show it in
        the header and the log."""
        live = self.status == "live"
        self._stop.set()
        if join and self._thread is not None and self._thread is not threading.current_thread():
            self._thread.join(timeout=max(5.0, 3 * self.interval))
            self._thread = None
        if live or self.stopped_because is None:
            self.stopped_because = why
            self._say(why)
        self._show_status()

    def stop(self) -> Dashboard:
        """Stop refreshing and wait for the thread to end; the header then says it stopped."""
        self._halt("stopped by stop()")
        return self

    @property
    def running(self) -> bool:
        return bool(self._thread and self._thread.is_alive())

    def show(self) -> Snapshot:
        """Display the widgets and start refreshing, or print a plain table without a front end."""
        if widget_frontend():
            from IPython.display import display

            display(self.widget)
            self.start()
            return self.refresh()
        snap = self.refresh()
        print(snap.table())
        return snap

    def _ipython_display_(self) -> None:
        self.show()

    def __repr__(self) -> str:
        return f"<Dashboard of {self.lab.info.name!r}: {len(self.queues)} queues, {self.status}>"
