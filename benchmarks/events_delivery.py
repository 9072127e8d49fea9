"""EventBridge delivery cost on the embedded emulator: plain moto against moto with the fidelity layer.

Why a script and not a test: timings depend on the machine, so tests assert behaviour only and this
prints the figures. Each mode runs in its own subprocess (the layer patches moto for the process):

* ``plain``: ``moto.mock_aws()`` as moto 5.2.5 ships it (SQS targets only: it cannot deliver to SNS,
  Step Functions or Lambda);
* ``layer``: the labs' embedded backend with ``events_targets`` and friends installed.

Workloads: N OrderPlaced events put in batches of 10 on a custom bus whose rule targets one SQS queue
("sqs"); with the layer also a rule with three targets, an SNS topic fanning out to two queues, a
Step Functions state machine and a target whose queue was deleted, with a DLQ ("fan-out+dlq").

    .venv/bin/python benchmarks/events_delivery.py              # both modes, 500 events
    .venv/bin/python benchmarks/events_delivery.py --events 200 # quicker
"""

from __future__ import annotations

import argparse
import json
import time
from typing import Any

from _modes import MODES, client_factory, run_child


def _queue(client: Any, name: str) -> tuple[str, str]:
    sqs = client("sqs")
    url = sqs.create_queue(QueueName=name)["QueueUrl"]
    return url, sqs.get_queue_attributes(QueueUrl=url, AttributeNames=["QueueArn"])["Attributes"]["QueueArn"]


def _allow(client: Any, url: str, arn: str, service: str, source_arn: str) -> None:
    """The queue policy AWS requires before ``service`` may deliver from ``source_arn`` (the layer enforces it)."""
    client("sqs").set_queue_attributes(QueueUrl=url, Attributes={"Policy": json.dumps({"Statement": [{
        "Effect": "Allow", "Principal": {"Service": service}, "Action": "sqs:SendMessage", "Resource": arn,
        "Condition": {"ArnEquals": {"aws:SourceArn": source_arn}}}]})})


def _put(client: Any, bus: str, count: int, source: str) -> float:
    events = client("events")
    started = time.perf_counter()
    for first in range(0, count, 10):
        entries = [{"Source": source, "DetailType": "OrderPlaced", "EventBusName": bus,
                    "Detail": json.dumps({"orderId": f"o-{n}", "total": n % 97})}
                   for n in range(first, min(first + 10, count))]
        events.put_events(Entries=entries)
    return time.perf_counter() - started


def _run(mode: str, count: int) -> dict[str, float]:
    client = client_factory(mode, moto_config={"stepfunctions": {"execute_state_machine": True}})
    events = client("events")
    events.create_event_bus(Name="bench-bus")
    results: dict[str, float] = {}

    queue_url, queue_arn = _queue(client, "bench-orders")
    to_sqs = events.put_rule(Name="to-sqs", EventBusName="bench-bus", EventPattern='{"source": ["bench.sqs"]}')["RuleArn"]
    _allow(client, queue_url, queue_arn, "events.amazonaws.com", to_sqs)
    events.put_targets(Rule="to-sqs", EventBusName="bench-bus", Targets=[{"Id": "q", "Arn": queue_arn}])
    results["sqs"] = count / _put(client, "bench-bus", count, "bench.sqs")

    if mode == "layer":
        sns, sfn = client("sns"), client("stepfunctions")
        topic = sns.create_topic(Name="bench-topic")["TopicArn"]
        for name in ("bench-a", "bench-b"):
            url, arn = _queue(client, name)
            _allow(client, url, arn, "sns.amazonaws.com", topic)
            sns.subscribe(TopicArn=topic, Protocol="sqs", Endpoint=arn)
        machine = sfn.create_state_machine(
            name="bench-sm", roleArn="arn:aws:iam::123456789012:role/sfn",
            definition=json.dumps({"StartAt": "P", "States": {"P": {"Type": "Pass", "End": True}}}))["stateMachineArn"]
        gone_url, gone_arn = _queue(client, "bench-gone")
        _, dlq_arn = _queue(client, "bench-dlq")
        client("sqs").delete_queue(QueueUrl=gone_url)
        fan = events.put_rule(Name="fan", EventBusName="bench-bus", EventPattern='{"source": ["bench.fan"]}')["RuleArn"]
        sns.set_topic_attributes(TopicArn=topic, AttributeName="Policy", AttributeValue=json.dumps({"Statement": [{
            "Effect": "Allow", "Principal": {"Service": "events.amazonaws.com"}, "Action": "sns:Publish",
            "Resource": topic, "Condition": {"ArnEquals": {"aws:SourceArn": fan}}}]}))
        events.put_targets(Rule="fan", EventBusName="bench-bus", Targets=[
            {"Id": "t", "Arn": topic}, {"Id": "sm", "Arn": machine, "RoleArn": "arn:aws:iam::123456789012:role/events"},
            {"Id": "gone", "Arn": gone_arn, "DeadLetterConfig": {"Arn": dlq_arn}}])
        results["fan-out+dlq"] = count / _put(client, "bench-bus", count, "bench.fan")
    return results


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--events", type=int, default=500)
    parser.add_argument("--mode", choices=MODES, help=argparse.SUPPRESS)  # one mode, in a subprocess
    args = parser.parse_args()
    if args.mode:
        print(json.dumps(_run(args.mode, args.events)))
        return
    print(f"EventBridge put_events, {args.events} events in batches of 10 (events per second)")
    for mode in MODES:
        figures = run_child([__file__, "--mode", mode, "--events", str(args.events)])
        print(f"  {mode:6} " + "  ".join(f"{name}: {rate:7.1f}/s" for name, rate in figures.items()))


if __name__ == "__main__":
    main()
