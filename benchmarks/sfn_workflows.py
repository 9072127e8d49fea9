"""Step Functions on the embedded emulator: wall-clock time of typical lab executions, plain vs layer.

Why a script and not a test: timings depend on the machine, so tests assert behaviour only and this
prints the figures. Each mode runs in its own subprocess (the layer patches moto for the process):

* ``plain``: the labs' embedded backend with every ``sfn_*`` patch disabled (moto 5.2.5's interpreter
  as shipped: Wait and Retry sleep for real);
* ``layer``: with the ``sfn_*`` patches (time warp: at most ``LABS_SFN_MAX_REAL_WAIT`` s, default 1 s,
  of each wait is slept; the execution's clock still moves by the full time).

Workloads, each one execution: "pass-chain" (20 Pass states), "map-sqs" (a Map of N items, each an
``sqs:sendMessage`` task), "wait+retry" (a 5 s Wait, then a task failing 3 times with IntervalSeconds 1
and BackoffRate 2 before its Catch: 5 + 1 + 2 + 4 = 12 s of ASL time). Reported: wall seconds and the
execution's own duration (stopDate - startDate), which must be the same in both modes for wait+retry.

    .venv/bin/python benchmarks/sfn_workflows.py            # both modes, Map of 50
    .venv/bin/python benchmarks/sfn_workflows.py --items 200
"""

from __future__ import annotations

import argparse
import json
import time
from typing import Any

from _modes import MODES, child_env, run_child

SFN_PATCHES = ("sfn_execution_name,sfn_quiet_logging,sfn_deliveries,sfn_time_warp,sfn_describe_output,"
               "sfn_history_pages,sfn_server_tasks,sfn_no_choice_matched,sfn_branch_errors")


def _workloads(lab: Any, items: int) -> dict[str, tuple[dict[str, Any], dict[str, Any]]]:
    from labs.helpers import resources as res

    queue = res.ensure_queue(lab, "bench-shipping")
    chain = {"StartAt": "P0", "States": {f"P{i}": {"Type": "Pass", "Next": f"P{i + 1}"} for i in range(19)}}
    chain["States"]["P19"] = {"Type": "Pass", "End": True}
    map_sqs = {"StartAt": "Each", "States": {"Each": {
        "Type": "Map", "ItemsPath": "$.items", "MaxConcurrency": 10, "End": True,
        "ItemProcessor": {"StartAt": "Send", "States": {"Send": {
            "Type": "Task", "Resource": "arn:aws:states:::sqs:sendMessage", "End": True,
            "Parameters": {"QueueUrl": queue.url, "MessageBody.$": "States.JsonToString($)"}}}}}}}
    wait_retry = {"StartAt": "Courier", "States": {
        "Courier": {"Type": "Wait", "Seconds": 5, "Next": "Charge"},
        "Charge": {"Type": "Task", "Resource": "arn:aws:states:::dynamodb:getItem",
                   "Parameters": {"TableName": lab.name("bench-missing"), "Key": {"pk": {"S": "x"}}},
                   "Retry": [{"ErrorEquals": ["States.ALL"], "IntervalSeconds": 1, "MaxAttempts": 3,
                              "BackoffRate": 2.0}],
                   "Catch": [{"ErrorEquals": ["States.ALL"], "Next": "Done"}], "End": True},
        "Done": {"Type": "Succeed"}}}
    return {"pass-chain": (chain, {}), "map-sqs": (map_sqs, {"items": list(range(items))}),
            "wait+retry": (wait_retry, {})}


def run_mode(items: int) -> dict[str, Any]:
    """Run every workload once in this process and return the figures."""
    from labs.helpers import resources as res
    from labs.helpers import start_lab

    lab = start_lab("sandbox")
    sfn = lab.client("stepfunctions")
    figures: dict[str, Any] = {}
    try:
        for name, (definition, payload) in _workloads(lab, items).items():
            arn = res.ensure_state_machine(lab, f"bench-{name.replace('+', '-')}", definition)
            began = time.perf_counter()
            started = sfn.start_execution(stateMachineArn=arn, name=f"run-{time.time_ns()}", input=json.dumps(payload))
            out = res.wait_for_execution(lab, started["executionArn"], timeout=120)
            wall = time.perf_counter() - began
            figures[name] = {"status": out["status"], "wall_s": round(wall, 2),
                             "execution_s": round((out["stopDate"] - out["startDate"]).total_seconds(), 2)}
    finally:
        lab.teardown(verify=False)
    return figures


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--items", type=int, default=50, help="items of the map-sqs workload")
    parser.add_argument("--mode", choices=MODES, help=argparse.SUPPRESS)  # internal: one mode, in a child
    args = parser.parse_args()
    if args.mode:
        print(json.dumps(run_mode(args.items)))
        return
    results: dict[str, dict[str, Any]] = {}
    for mode in MODES:
        env = child_env(LABS_EMULATOR_DISABLE=SFN_PATCHES if mode == "plain" else "")
        results[mode] = run_child([__file__, "--mode", mode, "--items", str(args.items)], env=env)
    print(f"{'workload':12} {'mode':6} {'status':10} {'wall s':>8} {'execution s':>12}")
    for name in results["plain"]:
        for mode in MODES:
            f = results[mode][name]
            print(f"{name:12} {mode:6} {f['status']:10} {f['wall_s']:8.2f} {f['execution_s']:12.2f}")


if __name__ == "__main__":
    main()
