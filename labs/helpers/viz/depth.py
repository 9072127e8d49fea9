"""Queue depth over time: what is waiting, what is being worked on, what has given up.

``ApproximateNumberOfMessages`` (visible) and ``ApproximateNumberOfMessagesNotVisible`` (in
flight: received, not yet deleted) are what the SQS console graphs; the DLQ's visible count is
the third line, because a DLQ filling up is the failure mode a lab wants students to see. A
recorder samples them on demand or from a daemon thread, so a notebook cell can run a consumer
and then draw what happened meanwhile.
"""

from __future__ import annotations

import json
import threading
import time
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

    ``sample()`` takes one sample now; ``start()`` samples every ``interval`` seconds in a daemon
    thread until ``stop()`` (which joins it). ``.df`` has one row per queue per sample with the
    columns of :data:`DEPTH_COLUMNS` (``t`` = seconds since the first sample). The recorder reads
    through its own client, so its polling never appears in the lab's flow trace.
    """

    def __init__(self, lab: Any, queues: list[str] | str, interval: float = 0.2) -> None:
        if isinstance(queues, str):
            queues = [queues]
        if not queues:
            raise LabError("QueueDepthRecorder needs at least one queue.", "Pass queues=['orders'] (names or URLs).")
        if interval <= 0:
            raise LabError(f"interval={interval} must be a positive number of seconds.", "Use e.g. interval=0.2.")
        self.lab = lab
        self.interval = interval
        self._sqs = lab.backend.client("sqs") if hasattr(lab, "backend") else lab.client("sqs")
        self.queues = [watch(self._sqs, lab, q) for q in queues]
        self._rows: list[dict[str, Any]] = []
        self._lock = threading.Lock()
        self._stop = threading.Event()
        self._thread: threading.Thread | None = None
        self._t0: float | None = None
        self.errors: list[str] = []

    # ------------------------------------------------------------------ sampling
    def sample(self) -> list[dict[str, Any]]:
        """Take one sample of every queue now; returns the new rows."""
        now = time.time()
        if self._t0 is None:
            self._t0 = now
        rows = []
        for q in self.queues:
            visible, in_flight, dlq_visible = q.depths(self._sqs)
            rows.append({"t": round(now - self._t0, 3), "time": pd.Timestamp(now, unit="s", tz="UTC"),
                         "queue": q.name, "visible": visible, "in_flight": in_flight, "dlq": q.dlq_name,
                         "dlq_visible": dlq_visible})
        with self._lock:
            self._rows.extend(rows)
        return rows

    def start(self) -> QueueDepthRecorder:
        """Sample every ``interval`` seconds in a daemon thread (idempotent)."""
        if self._thread and self._thread.is_alive():
            return self
        self._stop.clear()
        self._thread = threading.Thread(target=self._run, name="queue-depth-recorder", daemon=True)
        self._thread.start()
        return self

    def _run(self) -> None:
        while not self._stop.is_set():
            try:
                self.sample()
            except (ClientError, BotoCoreError) as err:  # a queue deleted mid-run: record why, stop
                self.errors.append(str(err))
                return
            self._stop.wait(self.interval)

    def stop(self) -> QueueDepthRecorder:
        """Stop the sampling thread and wait for it to finish."""
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
