"""What the queue-depth recorder sees of a burst, and what recording costs: lab 1, step 6.

Why a script and not a test: timings and thread scheduling depend on the machine, so the tests
assert behaviour only (tests/test_viz.py) and this prints the figures. One process on the embedded
emulator, the workload of lab 1's step 6: 1,000 user actions sent in batches of 10 by the main
thread, then drained by 4 consumer threads (receive 10, delete them in one batch; WaitTimeSeconds=0,
so only work is timed). Modes, taking turns repetition by repetition (the order rotates):

* **none**: no recorder (the floor);
* **thread**: the recorder's thread alone, ``interval=0.05`` (``on_calls=False``: the recorder as
  it was before it sampled after calls, what lab 1 step 6 drew from);
* **calls**: the default, ``interval=0.05``: the thread, plus a sample after the lab's own calls on
  the queue, at most one every ``min(interval, 0.02)`` s;
* **every call**: ``min_gap=0``: a sample after every call (the most a recorder can cost).

Per mode: samples taken *during the send* (min / median / max over the repetitions; fewer than 2
means the plot jumps from 0 to about 1,000), the fastest send + drain against **none**'s fastest
(wall times on a shared machine vary by more than the recorder costs, so the fastest runs are the
comparable ones), and the cost of the samples themselves: one sample (a GetQueueAttributes through
the recorder's own client) timed alone, times the samples a mode took, over **none**'s time.

    .venv/bin/python benchmarks/depth_sampling.py              # 7 repetitions
    .venv/bin/python benchmarks/depth_sampling.py --repeat 15
"""

from __future__ import annotations

import argparse
import gc
import json
import statistics
import sys
import threading
import time
from typing import Any

from _modes import ROOT, use_embedded

sys.path.insert(0, str(ROOT))
use_embedded()  # the embedded emulator only, LABS_USER "bench"

from labs.helpers import data, start_lab
from labs.helpers.backend import start_embedded_emulator
from labs.helpers.viz import QueueDepthRecorder

MODES: dict[str, dict[str, Any] | None] = {
    "none": None,
    "thread": {"interval": 0.05, "on_calls": False},
    "calls": {"interval": 0.05},
    "every call": {"interval": 0.05, "min_gap": 0},
}


def _send(sqs: Any, url: str, bodies: list[str]) -> None:
    for start in range(0, len(bodies), 10):
        sqs.send_message_batch(QueueUrl=url, Entries=[{"Id": str(i), "MessageBody": body}
                                                      for i, body in enumerate(bodies[start:start + 10])])


def _drain(sqs: Any, url: str, consumers: int = 4) -> None:
    def worker() -> None:
        while messages := sqs.receive_message(QueueUrl=url, MaxNumberOfMessages=10,
                                              WaitTimeSeconds=0).get("Messages", []):
            sqs.delete_message_batch(QueueUrl=url, Entries=[{"Id": str(i), "ReceiptHandle": m["ReceiptHandle"]}
                                                            for i, m in enumerate(messages)])

    threads = [threading.Thread(target=worker) for _ in range(consumers)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()


def run(lab: Any, url: str, bodies: list[str], options: dict[str, Any] | None) -> tuple[float, float, int, int]:
    """(send s, drain s, samples during the send, samples in all) of one pass in one mode."""
    sqs = lab.client("sqs")
    recorder = QueueDepthRecorder(lab, [url], **options) if options is not None else None
    if recorder is not None:
        recorder.__enter__()
    started = time.perf_counter()
    wall_start = time.time()
    _send(sqs, url, bodies)
    sent, wall_sent = time.perf_counter(), time.time()
    _drain(sqs, url)
    drained = time.perf_counter()
    if recorder is None:
        return sent - started, drained - sent, 0, 0
    recorder.__exit__()
    seconds = recorder.df["time"].astype("int64") / 1e9
    during = int(((seconds > wall_start) & (seconds <= wall_sent)).sum())
    return sent - started, drained - sent, during, len(recorder.df)


def sample_cost(lab: Any, url: str, n: int = 200) -> float:
    """Seconds one sample of one queue takes (median of ``n``)."""
    recorder = QueueDepthRecorder(lab, [url])
    times = []
    for _ in range(n):
        started = time.perf_counter()
        recorder.sample()
        times.append(time.perf_counter() - started)
    return statistics.median(times)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--repeat", type=int, default=7)
    parser.add_argument("--messages", type=int, default=1000)
    args = parser.parse_args()

    start_embedded_emulator()
    lab = start_lab("sqs-orders")
    url = lab.client("sqs").create_queue(QueueName=lab.name("bench-depth"))["QueueUrl"]
    bodies = [json.dumps(c) for c in data.clicks(args.messages, seed=11)]
    run(lab, url, bodies[:100], None)  # warm up: imports, moto's first-call costs
    lab.flow.enabled = False  # the trace is measured by trace_overhead.py; here only the recorder
    results: dict[str, list[tuple[float, float, int, int]]] = {mode: [] for mode in MODES}
    order = list(MODES)
    for rep in range(args.repeat):
        shift = rep % len(order)
        for mode in order[shift:] + order[:shift]:
            gc.collect()
            results[mode].append(run(lab, url, bodies, MODES[mode]))
    cost = sample_cost(lab, url)
    lab.teardown(verify=False)

    fastest = min(r[0] + r[1] for r in results["none"])
    typical = statistics.median(r[0] + r[1] for r in results["none"])
    print(f"{args.messages} messages sent in batches of 10, drained by 4 threads, embedded emulator, "
          f"{args.repeat} repetitions per mode (modes take turns); one sample alone: {cost * 1e3:.2f} ms")
    print(f"  {'mode':<11} {'samples during the send':>27} {'samples':>8} {'send+drain':>11} "
          f"{'fastest':>8} {'vs none':>8} {'samples cost':>13}")
    for mode, runs in results.items():
        total = statistics.median(r[0] + r[1] for r in runs)
        best = min(r[0] + r[1] for r in runs)
        during = sorted(r[2] for r in runs)
        samples = statistics.median(r[3] for r in runs)
        if MODES[mode] is None:
            print(f"  {mode:<11} {'-':>27} {'-':>8} {total * 1e3:9.0f}ms {best * 1e3:6.0f}ms")
            continue
        print(f"  {mode:<11} {f'{during[0]} / {statistics.median(during):g} / {during[-1]} (min/med/max)':>27} "
              f"{samples:8g} {total * 1e3:9.0f}ms {best * 1e3:6.0f}ms {best / fastest - 1:+8.1%} "
              f"{samples * cost / typical:+13.1%}")
    print("  (fewer than 2 samples during the send: the plot jumps from 0 to the whole backlog)")


if __name__ == "__main__":
    main()
