"""The shared emulator (``python -m labs emulator``) and the Schema Registry: what they cost.

Why a script and not a test: timings depend on the machine; tests assert behaviour only. Prints:

* start-up: seconds from launching ``python -m labs emulator --port 0`` to its URL line (moto import
  plus the fidelity layer), and from SIGTERM to exit;
* per-call latency of ``sqs.send_message`` and ``schemas.describe_schema``, in-process (embedded
  emulator) against over HTTP from another process (the shared emulator);
* ``validate_event`` rate: events validated per second (each call fetches the schema once).

    .venv/bin/python benchmarks/shared_emulator.py            # 200 calls per figure
    .venv/bin/python benchmarks/shared_emulator.py --calls 50
"""

from __future__ import annotations

import argparse
import json
import signal
import subprocess
import sys
import time

from _modes import ROOT, child_env, run_child

SCHEMA = {"$schema": "http://json-schema.org/draft-04/schema#", "type": "object", "required": ["orderId"],
          "properties": {"orderId": {"type": "string"}, "total": {"type": "number"}}}

WORKLOAD = r"""
import json, sys, time, boto3
calls = int(sys.argv[1])
schema = json.loads(sys.argv[2])
if len(sys.argv) > 3 and sys.argv[3] == "embedded":
    from labs.helpers.backend import get_backend
    backend = get_backend("embedded")
    sqs, schemas = backend.client("sqs"), backend.client("schemas")
else:
    sqs, schemas = boto3.client("sqs"), boto3.client("schemas")
url = sqs.create_queue(QueueName="bench-shared")["QueueUrl"]
schemas.create_registry(RegistryName="bench")
schemas.create_schema(RegistryName="bench", SchemaName="Order", Type="JSONSchemaDraft4", Content=json.dumps(schema))
from labs.helpers.schemas import validate_event
out = {}
for name, call in [
    ("sqs.send_message", lambda i: sqs.send_message(QueueUrl=url, MessageBody=str(i))),
    ("schemas.describe_schema", lambda i: schemas.describe_schema(RegistryName="bench", SchemaName="Order")),
    ("validate_event", lambda i: validate_event(schemas, "bench", "Order", {"orderId": str(i), "total": i})),
]:
    started = time.perf_counter()
    for i in range(calls):
        call(i)
    out[name] = (time.perf_counter() - started) / calls
print(json.dumps(out))
"""


def _env(url: str | None = None) -> dict[str, str]:
    env = child_env(AWS_ACCESS_KEY_ID="testing", AWS_SECRET_ACCESS_KEY="testing", AWS_REGION="us-east-1",
                    AWS_DEFAULT_REGION="us-east-1", LABS_USER="bench")
    if url:
        env["AWS_ENDPOINT_URL"] = url
    return env


def _workload(calls: int, url: str | None) -> dict[str, float]:
    args = ["-c", WORKLOAD, str(calls), json.dumps(SCHEMA)] + ([] if url else ["embedded"])
    return run_child(args, env=_env(url))


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--calls", type=int, default=200)
    args = parser.parse_args(argv)

    launched = time.perf_counter()
    proc = subprocess.Popen([sys.executable, "-m", "labs", "emulator", "--port", "0"], env=_env(), cwd=ROOT,
                            stdout=subprocess.PIPE, stderr=subprocess.DEVNULL, text=True)
    assert proc.stdout is not None
    url = proc.stdout.readline().strip()
    ready = time.perf_counter() - launched
    try:
        over_http = _workload(args.calls, url)
    finally:
        stopping = time.perf_counter()
        proc.send_signal(signal.SIGTERM)
        code = proc.wait(timeout=30)
        stopped = time.perf_counter() - stopping
    embedded = _workload(args.calls, None)

    print(f"shared emulator: URL after {ready:.2f} s; SIGTERM -> exit {code} in {stopped:.2f} s")
    print(f"{'per call (ms)':28} {'embedded':>10} {'over HTTP':>10}   ({args.calls} calls each)")
    for name in embedded:
        print(f"{name:28} {embedded[name] * 1000:10.2f} {over_http[name] * 1000:10.2f}")
    print(f"validate_event: {1 / embedded['validate_event']:.0f} events/s embedded, "
          f"{1 / over_http['validate_event']:.0f} events/s over HTTP")
    return 0


if __name__ == "__main__":
    sys.exit(main())
