"""Kinesis throughput on the embedded emulator: plain moto against moto with the fidelity layer.

Why a script and not a test: timings depend on the machine, so tests assert behaviour only and
this prints the figures. Each mode runs in its own subprocess (see ``_modes``):

* ``plain``: ``moto.mock_aws()`` exactly as moto 5.2.5 ships it, no layer installed;
* ``layer``: the labs' embedded backend (with ``kinesis_records_fast`` and the write limits).

Workload (Lab 5's producer step): a 2-shard stream gets N click records (JSON, ~90 bytes, partition
key = one of 700 sessions) with ``put_records`` in calls of 500, spread over seconds of at most
``--rate`` records (on the layer the emulator's clock is advanced one second between them, as the
lab's replay does, so the per-shard write limit of 1,000 records/s is respected, not waited for;
plain moto has no limit and no clock). Then a full read of the stream: every shard from
TRIM_HORIZON with ``get_records(Limit=1000)`` until a page is empty.

    .venv/bin/python benchmarks/kinesis_clickstream.py                 # both modes, 10,000 records
    .venv/bin/python benchmarks/kinesis_clickstream.py --records 3000  # quicker
"""

from __future__ import annotations

import argparse
import json
import os
import subprocess
import time
from typing import Any

from _modes import MODES, client_factory, run_child


def _workload(kinesis: Any, records: int, rate: int, advance: Any) -> dict[str, float]:
    name = "bench-clickstream"
    kinesis.create_stream(StreamName=name, ShardCount=2)
    kinesis.get_waiter("stream_exists").wait(StreamName=name, WaiterConfig={"Delay": 0.05, "MaxAttempts": 40})
    clicks = [{"Data": json.dumps({"session": f"s-{i % 700:04d}", "product": f"p-{i % 20}", "action": "view",
                                   "n": i}).encode(), "PartitionKey": f"s-{i % 700:04d}"} for i in range(records)]
    failed = 0
    started = time.perf_counter()
    for second in range(0, records, rate):
        chunk = clicks[second:second + rate]
        for start in range(0, len(chunk), 500):
            failed += kinesis.put_records(StreamName=name, Records=chunk[start:start + 500])["FailedRecordCount"]
        advance()
    put = time.perf_counter()
    read = 0
    for shard in kinesis.list_shards(StreamName=name)["Shards"]:
        iterator = kinesis.get_shard_iterator(StreamName=name, ShardId=shard["ShardId"],
                                              ShardIteratorType="TRIM_HORIZON")["ShardIterator"]
        while iterator:
            page = kinesis.get_records(ShardIterator=iterator, Limit=1000)
            if not page["Records"]:
                break
            read += len(page["Records"])
            iterator = page.get("NextShardIterator")
    done = time.perf_counter()
    if read != records - failed:
        raise SystemExit(f"read {read} records, {records - failed} were written")
    return {"put_per_s": records / (put - started), "read_per_s": read / (done - put), "failed": failed,
            "total_s": done - started}


def child(mode: str, records: int, rate: int) -> dict[str, Any]:
    """Run the workload in this process and return the figures (used by the subprocesses)."""
    client = client_factory(mode)
    if mode == "layer":
        from labs.helpers.emulator.events.schedules import advance as clock_advance

        def advance() -> None:
            clock_advance(1.0)
    else:
        def advance() -> None:
            pass
    return {"mode": mode, "records": records, **_workload(client("kinesis"), records, rate, advance)}


def _measure(mode: str, records: int, rate: int, timeout: float) -> dict[str, Any] | None:
    try:
        return run_child([__file__, "--child", mode, "--records", str(records), "--rate", str(rate)], timeout=timeout)
    except subprocess.TimeoutExpired:
        print(f"{mode}: gave up after {timeout:.0f} s")
    except subprocess.CalledProcessError as err:
        print(f"{mode}: failed\n{err.stderr[-2000:]}")
    return None


def main(argv: list[str] | None = None) -> None:
    """Print records/s for put_records and for a full read of the stream, per mode."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--records", type=int, default=10000)
    parser.add_argument("--rate", type=int, default=1500, help="records per (emulator) second, 2 shards")
    parser.add_argument("--modes", default=",".join(MODES), help="plain,layer (default both)")
    parser.add_argument("--timeout", type=float, default=600.0, help="per mode, seconds")
    parser.add_argument("--child", choices=MODES, help=argparse.SUPPRESS)
    args = parser.parse_args(argv)
    if args.child:
        print(json.dumps(child(args.child, args.records, args.rate)))
        return

    print(f"Kinesis clickstream, {args.records} records on 2 shards, embedded emulator, {os.cpu_count()} CPUs")
    print(f"{'mode':6} {'put_records rec/s':>18} {'full read rec/s':>16} {'throttled':>10} {'total s':>8}")
    for mode in args.modes.split(","):
        result = _measure(mode, args.records, args.rate, args.timeout)
        if result is not None:
            print(f"{mode:6} {result['put_per_s']:18.0f} {result['read_per_s']:16.0f} {result['failed']:10d} "
                  f"{result['total_s']:8.2f}")


if __name__ == "__main__":
    main()
