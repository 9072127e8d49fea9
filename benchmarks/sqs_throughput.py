"""SQS throughput on the embedded emulator: plain moto against moto with the fidelity layer.

Why a script and not a test: timings depend on the machine, so tests assert behaviour only and
this prints the figures. Each mode runs in its own subprocess, because the layer patches moto
for the whole process and cannot be taken out again:

* ``plain``: ``moto.mock_aws()`` exactly as moto 5.2.5 ships it, no layer installed;
* ``layer``: the labs' embedded backend (``start_embedded_emulator``, which installs the layer).

Workload, per queue type (standard and FIFO): send N orders in batches of 10, then drain the
queue with ``receive_message(MaxNumberOfMessages=10, WaitTimeSeconds=1)`` and
``delete_message_batch``. "End to end" is the two together: N orders in, N orders processed.

    .venv/bin/python benchmarks/sqs_throughput.py              # both modes, 1,000 orders
    .venv/bin/python benchmarks/sqs_throughput.py --orders 300 # quicker
"""

from __future__ import annotations

import argparse
import json
import os
import subprocess
import time
from typing import Any

from _modes import MODES, client_factory, run_child


def _run_orders(sqs: Any, orders: int, fifo: bool) -> dict[str, float]:
    name = f"bench-orders-{'fifo' if fifo else 'std'}" + (".fifo" if fifo else "")
    attributes = {"FifoQueue": "true", "ContentBasedDeduplication": "true"} if fifo else {}
    url = sqs.create_queue(QueueName=name, Attributes=attributes)["QueueUrl"]

    started = time.perf_counter()
    for first in range(0, orders, 10):
        entries = []
        for n in range(first, min(first + 10, orders)):
            entry: dict[str, Any] = {"Id": str(n), "MessageBody": json.dumps({"order_id": n, "total": n % 97})}
            if fifo:
                entry["MessageGroupId"] = f"customer-{n % 20}"
            entries.append(entry)
        sqs.send_message_batch(QueueUrl=url, Entries=entries)
    sent = time.perf_counter()

    processed = 0
    while processed < orders:
        batch = sqs.receive_message(QueueUrl=url, MaxNumberOfMessages=10, WaitTimeSeconds=1).get("Messages", [])
        if not batch:
            break
        sqs.delete_message_batch(QueueUrl=url, Entries=[
            {"Id": str(i), "ReceiptHandle": m["ReceiptHandle"]} for i, m in enumerate(batch)])
        processed += len(batch)
    done = time.perf_counter()
    if processed != orders:
        raise SystemExit(f"only {processed} of {orders} orders came back")
    return {
        "send_per_s": orders / (sent - started),
        "receive_delete_per_s": orders / (done - sent),
        "end_to_end_s": done - started,
    }


def child(mode: str, orders: int) -> dict[str, Any]:
    """Run the workload in this process and return the figures (used by the subprocesses)."""
    sqs = client_factory(mode)("sqs")
    return {"mode": mode, "orders": orders,
            "standard": _run_orders(sqs, orders, fifo=False), "fifo": _run_orders(sqs, orders, fifo=True)}


def _measure(mode: str, orders: int, timeout: float) -> dict[str, Any] | None:
    try:
        return run_child([__file__, "--child", mode, "--orders", str(orders)], timeout=timeout)
    except subprocess.TimeoutExpired:
        print(f"{mode}: gave up after {timeout:.0f} s")
    except subprocess.CalledProcessError as err:
        print(f"{mode}: failed\n{err.stderr[-2000:]}")
    return None


def main(argv: list[str] | None = None) -> None:
    """Print messages/s for send and receive+delete, and the end-to-end seconds, per mode."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--orders", type=int, default=1000)
    parser.add_argument("--modes", default=",".join(MODES), help="plain,layer (default both)")
    parser.add_argument("--timeout", type=float, default=600.0, help="per mode, seconds")
    parser.add_argument("--child", choices=MODES, help=argparse.SUPPRESS)
    args = parser.parse_args(argv)
    if args.child:
        print(json.dumps(child(args.child, args.orders)))
        return

    print(f"SQS throughput, {args.orders} orders, embedded emulator, {os.cpu_count()} CPUs")
    print(f"{'mode':6} {'queue':9} {'send msg/s':>11} {'recv+del msg/s':>15} {'end to end s':>13}")
    for mode in args.modes.split(","):
        result = _measure(mode, args.orders, args.timeout)
        if result is None:
            continue
        for kind in ("standard", "fifo"):
            r = result[kind]
            print(f"{mode:6} {kind:9} {r['send_per_s']:11.0f} {r['receive_delete_per_s']:15.0f} {r['end_to_end_s']:13.2f}")


if __name__ == "__main__":
    main()
