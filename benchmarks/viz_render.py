"""How long the pictures take to draw, from a handful of rows to a full trace.

Why a script and not a test: timings depend on the machine, so tests assert what a picture
contains and this prints the figures. Each figure is drawn AND rendered to PNG in memory (what
Jupyter does to show it), median of ``--repeat`` runs, on the embedded emulator:

* ``sequence`` on synthetic flow DataFrames (contract 2 columns) of 5, 60 (one arrow per row),
  500, 5,000 and 100,000 rows (aggregated: one arrow per source -> target, operation, outcome);
* ``service_map`` of a lab with N queues + DLQs subscribed to one topic (discovery included);
* ``queue_depth`` of 1,000 samples of 3 queues;
* ``Dashboard.refresh()`` for 10 queues with DLQs (what the refresh thread does each tick), and
  again with a topic counted from a 100,000-row flow trace (read from the raw rows, not ``df``).

Target: every picture under 2 s, so a notebook cell never feels stuck, at any trace size.

    .venv/bin/python benchmarks/viz_render.py
    .venv/bin/python benchmarks/viz_render.py --repeat 5
"""

from __future__ import annotations

import argparse
import io
import os
import statistics
import sys
import time
from collections.abc import Callable
from typing import Any

from _modes import ROOT, use_embedded

sys.path.insert(0, str(ROOT))
use_embedded()  # the embedded emulator only, LABS_USER "bench"
os.environ["MPLBACKEND"] = "Agg"

import matplotlib.pyplot as plt
import pandas as pd

from labs.helpers import resources as res
from labs.helpers import start_lab
from labs.helpers.backend import reset_embedded_emulator, start_embedded_emulator
from labs.helpers.dashboard import Dashboard
from labs.helpers.trace import Row
from labs.helpers.viz import queue_depth, sequence, service_map


def synthetic_flow(rows: int) -> pd.DataFrame:
    """An order pipeline's trace: send, fan-out, receive, an occasional DLQ move and redrive."""
    pattern = [
        ("call", "sns", "Publish", "client", "orders-topic", "ok"),
        ("delivery", "sns", "fanout", "orders-topic", "billing", "delivered"),
        ("delivery", "sns", "fanout", "orders-topic", "shipping", "delivered"),
        ("delivery", "sns", "filtered", "orders-topic", "fraud", "filtered"),
        ("call", "sqs", "ReceiveMessage", "billing", "client", "ok"),
        ("call", "sqs", "DeleteMessage", "client", "billing", "ok"),
        ("delivery", "sqs", "dlq-move", "shipping", "shipping-dlq", "dlq"),
        ("delivery", "sqs", "redrive", "shipping-dlq", "shipping", "delivered"),
    ]
    start = pd.Timestamp("2026-11-25T10:00:00Z")
    records = []
    for i in range(rows):
        kind, service, op, source, target, status = pattern[i % len(pattern)]
        records.append({"seq": i + 1, "time": start + pd.Timedelta(milliseconds=i), "kind": kind,
                        "service": service, "operation": op, "source": source, "target": target,
                        "message_ids": (f"m-{i}",), "cause_id": None, "order_ids": (f"o-{i // 8}",), "count": 1,
                        "payload": "", "status": status, "error": None, "detail": {}})
    return pd.DataFrame(records)


def timed(make: Callable[[], Any], repeat: int) -> float:
    """Median seconds to build the figure and render it to PNG."""
    times = []
    for _ in range(repeat):
        started = time.perf_counter()
        fig = make()
        fig.savefig(io.BytesIO(), format="png")
        times.append(time.perf_counter() - started)
        plt.close(fig)
    return statistics.median(times)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--repeat", type=int, default=3)
    args = parser.parse_args()
    start_embedded_emulator()
    reset_embedded_emulator()

    print("sequence (draw + PNG):")
    for rows in (5, 60, 500, 5_000, 100_000):
        df = synthetic_flow(rows)
        print(f"  {rows:>7,} rows  {timed(lambda df=df: sequence(df), args.repeat):6.2f} s")

    lab = start_lab("sandbox")
    topic = res.ensure_topic(lab, "orders")
    queues = []
    print("service_map (discovery + draw + PNG):")
    for n in (3, 10, 30):
        while len(queues) < n:
            queue = res.ensure_queue(lab, f"q{len(queues)}", dlq=True)
            res.ensure_queue_subscription(lab, topic, queue)
            queues.append(queue)
        print(f"  {n:>3} queues + DLQs  {timed(lambda: service_map(lab), args.repeat):6.2f} s")

    samples = pd.DataFrame([{"t": i * 0.2, "time": None, "queue": f"q{q}", "visible": i % 50, "in_flight": i % 7,
                             "dlq": f"q{q}-dlq", "dlq_visible": i // 100} for i in range(1000) for q in range(3)])
    print(f"queue_depth, 1,000 samples x 3 queues  {timed(lambda: queue_depth(samples), args.repeat):6.2f} s")

    dash = Dashboard(lab, queues=[q.name for q in queues[:10]])
    times = []
    for _ in range(max(args.repeat, 5)):
        started = time.perf_counter()
        dash.refresh()
        times.append(time.perf_counter() - started)
    print(f"Dashboard.refresh(), 10 queues with DLQs  {statistics.median(times) * 1000:6.1f} ms")

    flow, topic_name = lab.flow, topic.rsplit(":", 1)[-1]
    for i in range(100_000):
        flow.add(Row(seq=flow.next_seq(), time=float(i), kind="call", service="sns", operation="Publish",
                     target=topic_name, count=1))
    dash = Dashboard(lab, queues=[q.name for q in queues[:10]], topics=[topic_name])
    times = []
    for _ in range(max(args.repeat, 5)):
        started = time.perf_counter()
        dash.refresh()
        times.append(time.perf_counter() - started)
    print(f"  same, + a topic counted from a 100,000-row trace  {statistics.median(times) * 1000:6.1f} ms "
          f"({dash.last.topics[topic_name] if dash.last else 0:,} publishes)")
    lab.teardown()


if __name__ == "__main__":
    main()
