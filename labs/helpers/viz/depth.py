"""Queue depth over time: what is waiting, what is being worked on, what has given up.

``ApproximateNumberOfMessages`` (visible) and ``ApproximateNumberOfMessagesNotVisible`` (in
flight: received, not yet deleted) are what the SQS console graphs; the DLQ's visible count is
the third line, because a DLQ filling up is the failure mode a lab wants students to see. A
recorder samples them on demand, from a daemon thread, and after the lab's own SQS calls on the
recorded queues, so a notebook cell can run a producer and consumers and then draw what happened
meanwhile.

Why the calls, and not the thread alone: on the embedded emulator every request is Python code
in the kernel's own process, holding the GIL. While a producer sends 1,000 messages in batches
(about 0.25 s) the sampling thread often does not get the GIL back when its wait ends (the main
thread releases and retakes it around system calls faster than the waiting thread wakes), so it
took 0 to 5 samples of that send and the plot jumped from 0 to 1,000. A sample taken in the
calling thread right after a send, receive or delete does not depend on thread scheduling; at
most one is taken every ``min_gap`` seconds, which bounds what sampling costs
(``benchmarks/depth_sampling.py``: the figures). On real AWS the counts are approximate and lag
by design; the samples are taken all the same.
"""

from __future__ import annotations

import json
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any, Self

import pandas as pd
from botocore.exceptions import BotoCoreError, ClientError
from matplotlib.figure import Figure

from ..errors import LabError
from .figure import subplots
from .frame import arn_name, common_prefix
from .style import ARROWS

DEPTH_COLUMNS = ["t", "time", "queue", "visible", "in_flight", "dlq", "dlq_visible"]
_DEPTH_ATTRIBUTES = ["ApproximateNumberOfMessages", "ApproximateNumberOfMessagesNotVisible"]
#: The SQS calls that change a queue's depth; a recorder samples after the lab's own ones.
CHANGING_CALLS = ("SendMessage", "SendMessageBatch", "ReceiveMessage", "DeleteMessage", "DeleteMessageBatch",
                  "ChangeMessageVisibility", "ChangeMessageVisibilityBatch", "PurgeQueue", "StartMessageMoveTask")
#: Calls that can change a DLQ's depth too (a receive moves messages over maxReceiveCount to it).
_DLQ_CALLS = frozenset({"ReceiveMessage", "StartMessageMoveTask", "PurgeQueue"})
#: Call-driven samples are at most this far apart by default (or ``interval``, if smaller).
MIN_GAP = 0.02


@dataclass(frozen=True)
class WatchedQueue:
    """A queue being sampled, and its DLQ (from the redrive policy) if it has one."""

    name: str
    url: str
    dlq_name: str | None = None
    dlq_url: str | None = None
    dlq_arn: str | None = None  #: the redrive policy's deadLetterTargetArn (what a redrive starts from)

    def depths(self, sqs: Any) -> tuple[int, int, int | None]:
        """(visible, in flight, DLQ visible or None) now: what the recorder samples and the
        dashboard shows."""
        visible, in_flight = _depth(sqs, self.url)
        return visible, in_flight, _depth(sqs, self.dlq_url)[0] if self.dlq_url else None

    @property
    def names(self) -> frozenset[str]:
        """The queue's name and its DLQ's: what a call's QueueUrl or SourceArn ends in."""
        return frozenset(n for n in (self.name, self.dlq_name) if n)


def _depth(sqs: Any, url: str) -> tuple[int, int]:
    attrs = sqs.get_queue_attributes(QueueUrl=url, AttributeNames=_DEPTH_ATTRIBUTES)["Attributes"]
    return int(attrs.get("ApproximateNumberOfMessages", 0)), int(attrs.get("ApproximateNumberOfMessagesNotVisible", 0))


def resolve_queue(sqs: Any, lab: Any, queue: str) -> str:
    """The URL of ``queue``: a URL, a full name, or a lab base name (``"orders"``)."""
    if queue.startswith("http"):
        return queue
    candidates = [queue] + ([lab.name(queue)] if lab is not None and not queue.startswith(lab.prefix) else [])
    for name in candidates:
        try:
            return str(sqs.get_queue_url(QueueName=name)["QueueUrl"])
        except ClientError:
            continue
    raise LabError(f"There is no queue called {' or '.join(repr(c) for c in candidates)}.",
                   "Create the queue first (run the cell that creates it), or pass its URL.")


def watch(sqs: Any, lab: Any, queue: str) -> WatchedQueue:
    """Find ``queue`` and its dead-letter queue."""
    url = resolve_queue(sqs, lab, queue)
    attrs = sqs.get_queue_attributes(QueueUrl=url, AttributeNames=["RedrivePolicy"]).get("Attributes", {})
    dlq_name = dlq_url = dlq_arn = None
    if attrs.get("RedrivePolicy"):
        dlq_arn = json.loads(attrs["RedrivePolicy"])["deadLetterTargetArn"]
        dlq_name = arn_name(dlq_arn)
        try:
            dlq_url = str(sqs.get_queue_url(QueueName=dlq_name)["QueueUrl"])
        except ClientError:  # the DLQ was deleted: sample the queue alone
            dlq_name = dlq_arn = None
    return WatchedQueue(arn_name(url), url, dlq_name, dlq_url, dlq_arn)


class QueueDepthRecorder:
    """Samples visible / in flight / DLQ counts of ``queues`` (names, lab base names or URLs).

    ``sample()`` takes one sample now. ``start()`` (or ``with recorder:``) records until
    ``stop()``: a daemon thread samples every ``interval`` seconds, and every SQS call of the
    lab's own client on a recorded queue or its DLQ that changes a depth (send, receive, delete,
    change visibility, purge, redrive) is followed by a sample in the calling thread, at most one
    every ``min_gap`` seconds (default: ``interval`` or 0.02 s, whichever is smaller; 0 samples
    after every call). The thread covers what no call of the lab shows (a visibility timeout
    running out, a Lambda poller); the calls make the build-up and the drain of a burst visible
    however busy the process is. ``.df`` has one row per queue per sample with the columns of
    :data:`DEPTH_COLUMNS` (``t`` = seconds since the first sample). The recorder reads through its
    own client, so its polling never appears in the lab's flow trace.
    """

    def __init__(self, lab: Any, queues: list[str] | str, interval: float = 0.2, *,
                 on_calls: bool = True, min_gap: float | None = None) -> None:
        if isinstance(queues, str):
            queues = [queues]
        if not queues:
            raise LabError("QueueDepthRecorder needs at least one queue.", "Pass queues=['orders'] (names or URLs).")
        if interval <= 0:
            raise LabError(f"interval={interval} must be a positive number of seconds.", "Use e.g. interval=0.2.")
        if min_gap is not None and min_gap < 0:
            raise LabError(f"min_gap={min_gap} must be 0 or more seconds.", "Use e.g. min_gap=0.02, or 0 for every call.")
        self.lab = lab
        self.interval = interval
        self.min_gap = min(interval, MIN_GAP) if min_gap is None else float(min_gap)
        self.on_calls = on_calls
        self._sqs = lab.backend.client("sqs") if hasattr(lab, "backend") else lab.client("sqs")
        self.queues = [watch(self._sqs, lab, q) for q in queues]
        self._names = frozenset().union(*(q.names for q in self.queues))
        self._rows: list[dict[str, Any]] = []
        self._lock = threading.Lock()
        self._sampling = threading.Lock()  # one call-driven sample at a time; the others skip
        self._stop = threading.Event()
        self._thread: threading.Thread | None = None
        self._t0: float | None = None
        self._last = float("-inf")  # time.monotonic() of the last sample
        self._dlqs: dict[str, int | None] = {}  # the last DLQ count per queue (kept between DLQ reads)
        self._hooks: list[tuple[Any, str, Callable[..., None]]] = []
        self.errors: list[str] = []

    # ------------------------------------------------------------------ sampling
    def sample(self, *, dlq: bool = True) -> list[dict[str, Any]]:
        """Take one sample of every queue now; returns the new rows. ``dlq=False`` keeps each
        DLQ's last count instead of reading it again (after a call that cannot change it)."""
        self._last = time.monotonic()
        now = time.time()
        if self._t0 is None:
            self._t0 = now
        rows = []
        for q in self.queues:
            if dlq or q.name not in self._dlqs:
                visible, in_flight, dlq_visible = q.depths(self._sqs)
                self._dlqs[q.name] = dlq_visible
            else:
                (visible, in_flight), dlq_visible = _depth(self._sqs, q.url), self._dlqs[q.name]
            rows.append({"t": round(now - self._t0, 3), "time": pd.Timestamp(now, unit="s", tz="UTC"),
                         "queue": q.name, "visible": visible, "in_flight": in_flight, "dlq": q.dlq_name,
                         "dlq_visible": dlq_visible})
        with self._lock:
            self._rows.extend(rows)
        return rows

    # ------------------------------------------------------------------ call-driven samples
    def _hook_calls(self) -> None:
        """Sample after the lab client's depth-changing calls on the recorded queues."""
        if not self.on_calls or self._hooks or not hasattr(self.lab, "client"):
            return
        events = self.lab.client("sqs").meta.events
        for op in CHANGING_CALLS:
            for event, handler in ((f"before-parameter-build.sqs.{op}", self._remember),
                                   (f"after-call.sqs.{op}", self._after_call)):
                events.register(event, handler)
                self._hooks.append((events, event, handler))

    def _unhook_calls(self) -> None:
        for events, event, handler in self._hooks:
            events.unregister(event, handler)
        self._hooks.clear()

    def _remember(self, params: dict[str, Any], context: dict[str, Any] | None = None, **_: Any) -> None:
        if context is not None:
            where = params.get("QueueUrl") or params.get("SourceArn") or ""
            context["labs_depth_queue"] = str(where).rsplit("/", 1)[-1].rsplit(":", 1)[-1]

    def _after_call(self, context: dict[str, Any] | None = None, model: Any = None, **_: Any) -> None:
        """Runs in the thread that made the call, right after it returned. Never raises: a
        picture must not break the student's call."""
        name = context.get("labs_depth_queue") if context else None
        if name not in self._names or time.monotonic() - self._last < self.min_gap:
            return
        if not self._sampling.acquire(blocking=False):  # another thread is sampling right now
            return
        try:
            self.sample(dlq=getattr(model, "name", "") in _DLQ_CALLS or name not in {q.name for q in self.queues})
        except Exception as err:  # noqa: BLE001 - e.g. the queue was deleted meanwhile
            self.errors.append(f"{type(err).__name__}: {err}")
        finally:
            self._sampling.release()

    def start(self) -> QueueDepthRecorder:
        """Record until ``stop()``: the thread samples every ``interval`` seconds and the lab's
        calls on the recorded queues are followed by samples (idempotent)."""
        self._hook_calls()
        if self._thread and self._thread.is_alive():
            return self
        self._stop.clear()
        self._thread = threading.Thread(target=self._run, name="queue-depth-recorder", daemon=True)
        self._thread.start()
        return self

    def _run(self) -> None:
        while not self._stop.is_set():
            if time.monotonic() - self._last >= self.interval:  # no call-driven sample meanwhile
                try:
                    self.sample()
                except (ClientError, BotoCoreError) as err:  # a queue deleted mid-run: record why, stop
                    self.errors.append(str(err))
                    return
            self._stop.wait(max(0.0, self.interval - (time.monotonic() - self._last)))

    def stop(self) -> QueueDepthRecorder:
        """Stop recording (the thread and the call-driven samples) and wait for the thread."""
        self._unhook_calls()
        self._stop.set()
        if self._thread is not None:
            self._thread.join(timeout=max(5.0, 5 * self.interval))
            self._thread = None
        return self

    @property
    def running(self) -> bool:
        return bool(self._thread and self._thread.is_alive())

    def __enter__(self) -> Self:
        self.sample()
        return self.start()

    def __exit__(self, *_: object) -> None:
        self.stop()
        self.sample()

    @property
    def df(self) -> pd.DataFrame:
        with self._lock:
            return pd.DataFrame(list(self._rows), columns=DEPTH_COLUMNS)

    def plot(self, **kwargs: Any) -> Figure:
        return queue_depth(self, **kwargs)


def queue_depth(recorder_or_df: QueueDepthRecorder | pd.DataFrame, *, title: str | None = None) -> Figure:
    """Visible, in-flight and DLQ counts per queue against seconds since the first sample.

    One panel per queue (shared time axis); lines are labelled ``visible``, ``in flight`` and
    ``DLQ <name>``.
    """
    df = recorder_or_df.df if isinstance(recorder_or_df, QueueDepthRecorder) else recorder_or_df
    missing = {"t", "queue", "visible", "in_flight"} - set(df.columns)
    if missing:
        raise LabError(f"The depth DataFrame has no {', '.join(sorted(missing))} column.",
                       "Pass a QueueDepthRecorder or its .df.")
    queues = list(dict.fromkeys(df["queue"])) or ["(no samples)"]
    fig, axes = subplots(len(queues), 1, sharex=True, figsize=(8, 1.2 + 2.2 * len(queues)), squeeze=False)
    dlqs = [d for d in df["dlq"].dropna().unique()] if "dlq" in df else []
    prefix = common_prefix(list(dict.fromkeys(queues + dlqs)))
    for ax, queue in zip(axes[:, 0], queues):
        rows = df[df["queue"] == queue].sort_values("t")
        ax.step(rows["t"], rows["visible"], where="post", color="#1f77b4", linewidth=2, label="visible")
        ax.step(rows["t"], rows["in_flight"], where="post", color="#ff7f0e", linewidth=2, linestyle="--",
                label="in flight")
        if "dlq_visible" in rows and rows["dlq_visible"].notna().any():
            dlq = rows["dlq"].dropna().iloc[0]
            ax.step(rows["t"], rows["dlq_visible"].astype(float), where="post", color=ARROWS["dlq"].colour,
                    linewidth=2, linestyle="-.", label=f"DLQ {dlq.removeprefix(prefix)}")
        ax.set_ylabel("messages")
        ax.set_title(queue.removeprefix(prefix), fontsize=9, loc="left")
        ax.set_ylim(bottom=0)
        ax.grid(alpha=0.3)
        ax.legend(loc="upper right", fontsize=8)
        if rows.empty:
            ax.text(0.5, 0.5, "no samples yet", transform=ax.transAxes, ha="center", color="#777777")
    axes[-1, 0].set_xlabel("seconds since the first sample")
    samples = df["t"].nunique()
    heading = title or "Queue depth over time"
    fig.suptitle(f"{heading} \u2014 {samples} samples" + (f"; names without {prefix!r}" if prefix else ""),
                 fontsize=10, x=0.02, ha="left")
    fig.tight_layout()
    return fig
