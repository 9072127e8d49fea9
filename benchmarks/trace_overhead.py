"""What the flow trace costs: wall time of a message loop with tracing off and on, and memory.

Why a script and not a test: timings depend on the machine, so tests assert behaviour only and
this prints the figures. Everything runs in ONE process on the embedded emulator, side by side:

* **off**: the lab's own SQS client with ``lab.flow.enabled = False`` (handlers registered,
  returning at once: what a student gets with ``LABS_TRACE=0``);
* **on**: the same client with tracing on;
* **bare**: a client made by the backend directly, with no lab hooks at all (the floor).

Workload per repetition and mode: 500 ``send_message`` of a small order JSON and 500
``receive_message`` + ``delete_message``, in turns of 50 (send 50, then receive+delete 50). The
modes alternate turn by turn (the order rotates, so none gains from a warmer process or loses to a
burst of load); the figure per mode is the median over the repetitions. Target: tracing on costs
at most 10 % over off.

Recording alone: the send/receive/delete handlers run 10,000 times each without the emulator,
minus the same loop with recording off, in microseconds per call (steady under machine load).

Memory: ``tracemalloc`` around a Flow filled through the real recording path (the SendMessage
handlers with realistic parameters and response) with 100,000 and then 200,000 calls: the second
figure equals the first because the ring buffer keeps 100,000 rows.

    .venv/bin/python benchmarks/trace_overhead.py            # 500 messages, 5 repetitions
    .venv/bin/python benchmarks/trace_overhead.py --messages 200 --repeat 3
"""

from __future__ import annotations

import argparse
import gc
import json
import statistics
import sys
import time
import tracemalloc
import uuid
from typing import Any

from _modes import ROOT, use_embedded

sys.path.insert(0, str(ROOT))
use_embedded()  # the embedded emulator only, LABS_USER "bench"

from labs.helpers import start_lab
from labs.helpers.backend import start_embedded_emulator
from labs.helpers.trace import Flow
from labs.helpers.trace.extract import sqs_delete, sqs_receive, sqs_send
from labs.helpers.trace.recorder import _Tracer


def _loop(sqs: Any, url: str, n: int) -> float:
    """Seconds for n sends, then n receive+delete."""
    started = time.perf_counter()
    for i in range(n):
        sqs.send_message(QueueUrl=url, MessageBody=json.dumps({"order_id": f"o-{i}", "sku": "SKU-1", "qty": 1}))
    for _ in range(n):
        for message in sqs.receive_message(QueueUrl=url, MaxNumberOfMessages=1).get("Messages", []):
            sqs.delete_message(QueueUrl=url, ReceiptHandle=message["ReceiptHandle"])
    return time.perf_counter() - started


def timing(messages: int, repeat: int, chunk: int = 50) -> dict[str, list[float]]:
    """Per mode, one wall time per repetition. Inside a repetition the modes take turns every
    ``chunk`` messages (send ``chunk``, then receive+delete them), so a burst of load from
    elsewhere on the machine lands on all modes alike instead of on whichever ran at the time."""
    start_embedded_emulator()
    lab = start_lab("sandbox")
    traced = lab.client("sqs")
    bare = lab.backend.client("sqs")
    url = traced.create_queue(QueueName=lab.name("bench-trace"))["QueueUrl"]
    modes = {"off": traced, "on": traced, "bare": bare}
    _loop(traced, url, 50)  # warm up: imports, moto's first-call costs
    times: dict[str, list[float]] = {mode: [] for mode in modes}
    order = list(modes)
    for rep in range(repeat):
        spent = dict.fromkeys(modes, 0.0)
        lab.flow.clear()
        gc.collect()
        for turn in range(max(1, messages // chunk)):
            shift = (rep + turn) % len(order)
            for mode in order[shift:] + order[:shift]:
                lab.flow.enabled = mode == "on"
                spent[mode] += _loop(modes[mode], url, chunk)
        for mode in modes:
            times[mode].append(spent[mode])
    lab.flow.enabled = True
    lab.teardown(verify=False)
    return times


def _fill(flow: Flow, calls: int) -> None:
    tracer = _Tracer(flow, "sqs", "SendMessage", sqs_send)
    url = "https://sqs.us-east-1.amazonaws.com/123456789012/sc-bench-box-orders"
    for i in range(calls):
        context: dict[str, Any] = {}
        params = {"QueueUrl": url, "MessageBody": json.dumps({"order_id": f"o-{i}", "sku": "SKU-1", "qty": 1,
                                                              "note": "x" * 200})}
        tracer.before(params, context)
        tracer.after(parsed={"MessageId": str(uuid.uuid4()), "MD5OfMessageBody": "0" * 32}, context=context)


def _cycle(flow: Flow, calls: int) -> None:
    """``calls`` send + receive + delete through the real handlers, with realistic SQS answers."""
    url = "https://sqs.us-east-1.amazonaws.com/123456789012/sc-bench-box-orders"
    tracers = [_Tracer(flow, "sqs", op, fn) for op, fn in
               (("SendMessage", sqs_send), ("ReceiveMessage", sqs_receive), ("DeleteMessage", sqs_delete))]
    for i in range(calls):
        body = json.dumps({"order_id": f"o-{i}", "sku": "SKU-1", "qty": 1})
        message_id, handle = str(uuid.uuid4()), "AQEB" + "x" * 180
        received = {"Messages": [{"MessageId": message_id, "ReceiptHandle": handle, "Body": body,
                                  "MD5OfBody": "0" * 32}]}
        for tracer, params, parsed in (
                (tracers[0], {"QueueUrl": url, "MessageBody": body}, {"MessageId": message_id}),
                (tracers[1], {"QueueUrl": url, "MaxNumberOfMessages": 1}, received),
                (tracers[2], {"QueueUrl": url, "ReceiptHandle": handle}, {})):
            context: dict[str, Any] = {}
            tracer.before(params, context)
            tracer.after(parsed=parsed, context=context)


def recording_cost(calls: int = 10_000) -> float:
    """Microseconds the trace adds per call of the send/receive/delete loop (its handlers alone,
    no emulator): a figure machine load barely moves, unlike the wall times."""
    started = time.perf_counter()
    _cycle(Flow(None), calls)
    on = time.perf_counter() - started
    started = time.perf_counter()
    _cycle(Flow(None, enabled=False), calls)  # the same loop, recording off: the loop's own cost
    off = time.perf_counter() - started
    return (on - off) / (3 * calls) * 1e6


def memory() -> list[tuple[int, int, float]]:
    """(calls recorded, rows kept, MiB held by the flow) after 100,000 and 200,000 calls."""
    figures = []
    tracemalloc.start()
    base = tracemalloc.get_traced_memory()[0]
    flow = Flow(None)
    for total in (100_000, 200_000):
        _fill(flow, total - (figures[-1][0] if figures else 0))
        gc.collect()
        figures.append((total, len(flow), (tracemalloc.get_traced_memory()[0] - base) / 2**20))
    tracemalloc.stop()
    return figures


def display_cost(rows: int = 100_000) -> tuple[float, float]:
    """Seconds to build ``flow.df`` of ``rows`` rows: the first time (masking every row) and again."""
    flow = Flow(None)
    _fill(flow, rows)
    started = time.perf_counter()
    _ = flow.df
    first = time.perf_counter() - started
    started = time.perf_counter()
    _ = flow.df
    return first, time.perf_counter() - started


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--messages", type=int, default=500)
    parser.add_argument("--repeat", type=int, default=5)
    args = parser.parse_args()

    times = timing(args.messages, args.repeat)
    medians = {mode: statistics.median(values) for mode, values in times.items()}
    print(f"{args.messages} sends + {args.messages} receive/delete, embedded emulator, "
          f"median of {args.repeat} alternating repetitions:")
    for mode in ("bare", "off", "on"):
        per_call = medians[mode] / (3 * args.messages) * 1e3
        runs = ", ".join(f"{t:.2f}" for t in times[mode])
        print(f"  tracing {mode:<4} {medians[mode]:7.3f} s  ({per_call:.2f} ms/call; runs: {runs})")
    overhead = medians["on"] / medians["off"] - 1
    fastest = min(times["on"]) / min(times["off"]) - 1
    print(f"  overhead on vs off: {overhead:+.1%} median, {fastest:+.1%} fastest runs (target <= 10%); "
          f"on vs bare client: {medians['on'] / medians['bare'] - 1:+.1%}")
    spread = max(max(v) / min(v) for v in times.values())
    if spread > 1.5:
        print(f"  (runs of one mode differ by up to {spread:.1f}x: the machine is busy; trust the next line)")
    cost = recording_cost()
    call_ms = medians["off"] / (3 * args.messages) * 1e3
    print(f"  recording alone: {cost:.1f} us per traced call = {cost / (call_ms * 1e3):.1%} of an "
          f"emulator call ({call_ms:.2f} ms here)")
    print("memory of the trace (tracemalloc), SendMessage rows through the real recording path:")
    for calls, rows, mib in memory():
        print(f"  {calls:>7,} calls recorded -> {rows:>7,} rows kept, {mib:6.1f} MiB ({mib * 2**20 / rows:.0f} B/row)")
    first, again = display_cost()
    print(f"flow.df of 100,000 rows: {first:.2f} s the first time (masks every row), {again:.2f} s again")


if __name__ == "__main__":
    main()
