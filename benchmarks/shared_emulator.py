"""The shared emulator (``python -m labs emulator``) against the embedded one: what going over HTTP costs.

Why a script and not a test: timings depend on the machine; tests assert behaviour only. Prints:

* start-up: seconds from launching ``python -m labs emulator --port 0`` to its URL line (moto import
  plus the fidelity layer), and from SIGTERM to exit;
* the same workloads on the shared emulator (over HTTP, from another process) and on the embedded
  emulator (in-process), in alternating order, each in a fresh client process, and the ratio
  shared / embedded of the medians of ``--runs`` runs (and the median of each back-to-back pair's ratio):

  - ``sqs``: 1,000 orders sent in batches of 10, then received (10 at a time) and deleted in batches
    of 10: requests/s and the time for the 1,000 orders;
  - ``sns``: publishes to a topic with three SQS subscriptions (fan-out), publishes/s;
  - ``events``: PutEvents in batches of 10 on a bus whose rule targets an SQS queue, events/s;
  - ``sfn``: Step Functions executions of a three-state machine (Pass, Choice, Pass), started and
    waited for, executions/s;

* per-call latency of ``schemas.describe_schema`` and the ``validate_event`` rate, both ways.

    .venv/bin/python benchmarks/shared_emulator.py                 # 3 alternating runs
    .venv/bin/python benchmarks/shared_emulator.py --runs 5 --orders 1000
"""

from __future__ import annotations

import argparse
import json
import os
import signal
import statistics
import subprocess
import sys
import time

from _modes import ROOT, child_env, run_child

SCHEMA = {"$schema": "http://json-schema.org/draft-04/schema#", "type": "object", "required": ["orderId"],
          "properties": {"orderId": {"type": "string"}, "total": {"type": "number"}}}

WORKLOAD = r"""
import json, sys, time, uuid, boto3
from botocore.config import Config
orders, publishes, events_n, executions, calls = (int(a) for a in sys.argv[1:6])
schema = json.loads(sys.argv[6])
run = uuid.uuid4().hex[:8]
if sys.argv[7] == "embedded":
    from labs.helpers.backend import get_backend
    client = get_backend("embedded").client
else:
    config = Config(retries={"mode": "standard", "max_attempts": 5})
    client = lambda service: boto3.client(service, config=config)
sqs, sns, events, sfn, iam = (client(s) for s in ("sqs", "sns", "events", "stepfunctions", "iam"))
out = {}

def queue(name):
    url = sqs.create_queue(QueueName=f"{name}-{run}")["QueueUrl"]
    return url, sqs.get_queue_attributes(QueueUrl=url, AttributeNames=["QueueArn"])["Attributes"]["QueueArn"]

# SQS: the 1,000 orders
url, _ = queue("bench-orders")
requests = 0
started = time.perf_counter()
for first in range(0, orders, 10):
    sqs.send_message_batch(QueueUrl=url, Entries=[
        {"Id": str(n), "MessageBody": json.dumps({"order_id": n, "total": n % 97})} for n in range(first, min(first + 10, orders))])
    requests += 1
done = 0
while done < orders:
    batch = sqs.receive_message(QueueUrl=url, MaxNumberOfMessages=10, WaitTimeSeconds=1).get("Messages", [])
    requests += 1
    if not batch:
        break
    sqs.delete_message_batch(QueueUrl=url, Entries=[{"Id": str(i), "ReceiptHandle": m["ReceiptHandle"]} for i, m in enumerate(batch)])
    requests += 1
    done += len(batch)
elapsed = time.perf_counter() - started
assert done == orders, f"only {done} of {orders} orders came back"
out["sqs_orders_s"], out["sqs_requests_per_s"] = elapsed, requests / elapsed

# SNS fan-out to three queues
topic = sns.create_topic(Name=f"bench-topic-{run}")["TopicArn"]
for name in ("bench-a", "bench-b", "bench-c"):
    sns.subscribe(TopicArn=topic, Protocol="sqs", Endpoint=queue(name)[1], Attributes={"RawMessageDelivery": "true"})
started = time.perf_counter()
for n in range(publishes):
    sns.publish(TopicArn=topic, Message=json.dumps({"orderId": n}))
out["sns_publish_per_s"] = publishes / (time.perf_counter() - started)

# EventBridge routing to SQS
bus = f"bench-bus-{run}"
events.create_event_bus(Name=bus)
_, target = queue("bench-routed")
events.put_rule(Name="to-sqs", EventBusName=bus, EventPattern=json.dumps({"source": ["bench.orders"]}))
events.put_targets(Rule="to-sqs", EventBusName=bus, Targets=[{"Id": "q", "Arn": target}])
started = time.perf_counter()
for first in range(0, events_n, 10):
    events.put_events(Entries=[{"Source": "bench.orders", "DetailType": "OrderPlaced", "EventBusName": bus,
                                "Detail": json.dumps({"orderId": n})} for n in range(first, min(first + 10, events_n))])
out["events_per_s"] = events_n / (time.perf_counter() - started)

# Step Functions executions
role = iam.create_role(RoleName=f"bench-sfn-{run}", AssumeRolePolicyDocument="{}")["Role"]["Arn"]
definition = {"StartAt": "Price", "States": {
    "Price": {"Type": "Pass", "Result": {"total": 12}, "ResultPath": "$.price", "Next": "Big?"},
    "Big?": {"Type": "Choice", "Choices": [{"Variable": "$.price.total", "NumericGreaterThan": 10, "Next": "Done"}],
             "Default": "Done"},
    "Done": {"Type": "Pass", "End": True}}}
machine = sfn.create_state_machine(name=f"bench-{run}", roleArn=role, definition=json.dumps(definition))["stateMachineArn"]
started = time.perf_counter()
arns = [sfn.start_execution(stateMachineArn=machine, input=json.dumps({"n": n}))["executionArn"] for n in range(executions)]
for arn in arns:
    while sfn.describe_execution(executionArn=arn)["status"] == "RUNNING":
        time.sleep(0.005)
out["sfn_executions_per_s"] = executions / (time.perf_counter() - started)

# Schema registry and validate_event
schemas = client("schemas")
schemas.create_registry(RegistryName=f"bench-{run}")
schemas.create_schema(RegistryName=f"bench-{run}", SchemaName="Order", Type="JSONSchemaDraft4", Content=json.dumps(schema))
from labs.helpers.schemas import validate_event
started = time.perf_counter()
for i in range(calls):
    schemas.describe_schema(RegistryName=f"bench-{run}", SchemaName="Order")
out["describe_schema_ms"] = (time.perf_counter() - started) / calls * 1000
started = time.perf_counter()
for i in range(calls):
    validate_event(schemas, f"bench-{run}", "Order", {"orderId": str(i), "total": i})
out["validate_event_per_s"] = calls / (time.perf_counter() - started)
print(json.dumps(out))
"""

#: (key, label, unit, higher is better)
FIGURES = [
    ("sqs_requests_per_s", "SQS requests/s (1,000 orders)", "req/s", True),
    ("sqs_orders_s", "SQS 1,000 orders: time", "s", False),
    ("sns_publish_per_s", "SNS publish, 3-queue fan-out", "msg/s", True),
    ("events_per_s", "EventBridge PutEvents to SQS", "ev/s", True),
    ("sfn_executions_per_s", "Step Functions executions", "exec/s", True),
    ("describe_schema_ms", "schemas.describe_schema", "ms", False),
    ("validate_event_per_s", "validate_event", "ev/s", True),
]


def _env(url: str | None = None) -> dict[str, str]:
    env = child_env(AWS_ACCESS_KEY_ID="testing", AWS_SECRET_ACCESS_KEY="testing", AWS_REGION="us-east-1",
                    AWS_DEFAULT_REGION="us-east-1", LABS_USER="bench")
    if url:
        env["AWS_ENDPOINT_URL"] = url
    return env


def _workload(args: argparse.Namespace, url: str | None) -> dict[str, float]:
    argv = ["-c", WORKLOAD, str(args.orders), str(args.publishes), str(args.events), str(args.executions),
            str(args.calls), json.dumps(SCHEMA), "shared" if url else "embedded"]
    return run_child(argv, env=_env(url), timeout=900)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=3, help="alternating runs per emulator (medians are printed)")
    parser.add_argument("--orders", type=int, default=1000)
    parser.add_argument("--publishes", type=int, default=200)
    parser.add_argument("--events", type=int, default=500)
    parser.add_argument("--executions", type=int, default=30)
    parser.add_argument("--calls", type=int, default=100)
    args = parser.parse_args(argv)

    launched = time.perf_counter()
    proc = subprocess.Popen([sys.executable, "-m", "labs", "emulator", "--port", "0"], env=_env(), cwd=ROOT,
                            stdout=subprocess.PIPE, stderr=subprocess.DEVNULL, text=True)
    assert proc.stdout is not None
    url = proc.stdout.readline().strip()
    ready = time.perf_counter() - launched
    results: dict[str, list[dict[str, float]]] = {"shared": [], "embedded": []}
    try:
        for run in range(args.runs):
            order = ("shared", "embedded") if run % 2 == 0 else ("embedded", "shared")
            for kind in order:
                results[kind].append(_workload(args, url if kind == "shared" else None))
    finally:
        stopping = time.perf_counter()
        proc.send_signal(signal.SIGTERM)
        code = proc.wait(timeout=30)
        stopped = time.perf_counter() - stopping

    load = " ".join(f"{x:.2f}" for x in os.getloadavg())
    print(f"shared emulator: URL after {ready:.2f} s; SIGTERM -> exit {code} in {stopped:.2f} s")
    print(f"medians of {args.runs} alternating runs, {os.cpu_count()} CPUs, load average now {load}")
    print(f"{'':34} {'shared':>10} {'embedded':>10} {'ratio':>7} {'per run':>8}")
    for key, label, unit, higher in FIGURES:
        shared = statistics.median(r[key] for r in results["shared"])
        embedded = statistics.median(r[key] for r in results["embedded"])

        def speed(s: float, e: float) -> float:
            return s / e if higher else e / s  # the shared emulator's speed as a share of the embedded one's

        per_run = statistics.median(speed(s[key], e[key]) for s, e in zip(results["shared"], results["embedded"]))
        print(f"{label + ' (' + unit + ')':34} {shared:10.2f} {embedded:10.2f} {speed(shared, embedded):7.0%} "
              f"{per_run:8.0%}")
    print("ratio: the shared emulator's speed as a share of the embedded one's (100% = as fast), from the "
          "medians;\nper run: the median of the ratios of the runs made back to back (steadier on a busy machine)")
    return 0


if __name__ == "__main__":
    sys.exit(main())
