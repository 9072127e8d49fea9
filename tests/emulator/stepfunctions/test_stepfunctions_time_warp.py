"""Wait states and Retry intervals: AWS timing in what the learner reads, little real waiting.

Amazon States Language, Wait state: it "delays the state machine from continuing for a specified
time" (``Seconds``). Retry: "IntervalSeconds ... the number of seconds before the first retry
attempt", "BackoffRate - The multiplier by which the retry interval denoted by IntervalSeconds
increases after each retry attempt", "MaxAttempts ... the maximum number of retry attempts".
Emulator speed-up (``sfn_time_warp``): at most ``MAX_REAL_SECONDS`` of each wait is slept for
real (the ``fast_clock`` fixture sets 0.05 s); the execution's clock (history timestamps,
``stopDate``) moves by the full time. Plain moto sleeps for real (``LABS_EMULATOR_DISABLE=
sfn_time_warp``): the assertions hold there too, but the file takes minutes instead of seconds.
Wall-clock figures are in ``benchmarks/sfn_workflows.py``, not asserted here.
"""

from __future__ import annotations

import datetime
import time
from typing import Any

import pytest

from labs.helpers import Lab
from labs.helpers.emulator.stepfunctions import time_warp as sfn_time_warp
from tests.emulator.sfn_helpers import fast_clock_fixture, history, machine, run  # noqa: F401 - fixture


def _at(event: dict[str, Any]) -> datetime.datetime:
    stamp = event["timestamp"]
    return stamp if isinstance(stamp, datetime.datetime) else datetime.datetime.fromisoformat(str(stamp))


def _gap(events: list[dict[str, Any]], first: str, then: str) -> float:
    a = next(e for e in events if e["type"] == first)
    b = next(e for e in events if e["type"] == then and e["id"] > a["id"])
    return (_at(b) - _at(a)).total_seconds()


def test_wait_seconds_in_history_and_stop_date(lab: Lab, fast_clock: None) -> None:
    definition = {"StartAt": "Courier", "States": {"Courier": {"Type": "Wait", "Seconds": 30, "Next": "Done"},
                                                    "Done": {"Type": "Succeed"}}}
    out = run(lab, machine(lab, definition))
    events = history(lab, out["executionArn"])
    assert 30 <= _gap(events, "WaitStateEntered", "WaitStateExited") < 33
    assert 30 <= (out["stopDate"] - out["startDate"]).total_seconds() < 33


def test_wait_seconds_path_and_sequential_waits_add_up(lab: Lab, fast_clock: None) -> None:
    definition = {"StartAt": "A", "States": {"A": {"Type": "Wait", "SecondsPath": "$.delay", "Next": "B"},
                                              "B": {"Type": "Wait", "Seconds": 20, "End": True}}}
    out = run(lab, machine(lab, definition), {"delay": 10})
    events = history(lab, out["executionArn"])
    assert 30 <= _gap(events, "ExecutionStarted", "ExecutionSucceeded") < 33


def test_parallel_waits_overlap(lab: Lab, fast_clock: None) -> None:
    """Parallel branches run at the same time: two 10 s waits side by side take 10 s, not 20."""
    branch = {"StartAt": "W", "States": {"W": {"Type": "Wait", "Seconds": 10, "End": True}}}
    definition = {"StartAt": "Both", "States": {"Both": {"Type": "Parallel", "Branches": [branch, branch], "End": True}}}
    out = run(lab, machine(lab, definition))
    gap = _gap(history(lab, out["executionArn"]), "ParallelStateEntered", "ParallelStateExited")
    assert 10 <= gap < 13  # not 20


def test_parallel_branch_started_late_still_starts_with_its_sibling(
        lab: Lab, fast_clock: None, monkeypatch: pytest.MonkeyPatch) -> None:
    """On a busy machine a branch's thread may start after its sibling's (short, real) wait is over.

    On AWS both branches begin when the Parallel state does, so the late one still ends 10 s in.
    """
    from moto.stepfunctions.parser.asl.component.state.exec.state_parallel.branch_worker import BranchWorker

    routine, started = BranchWorker._thread_routine, []

    def late_second_branch(self: BranchWorker) -> None:
        started.append(self)
        if len(started) == 2:
            time.sleep(0.4)  # well after the first branch's 0.05 s of real waiting
        routine(self)

    monkeypatch.setattr(BranchWorker, "_thread_routine", late_second_branch)
    branch = {"StartAt": "W", "States": {"W": {"Type": "Wait", "Seconds": 10, "End": True}}}
    definition = {"StartAt": "Both", "States": {"Both": {"Type": "Parallel", "Branches": [branch, branch], "End": True}}}
    out = run(lab, machine(lab, definition))
    events = history(lab, out["executionArn"])
    assert len(started) == 2
    assert 10 <= _gap(events, "ParallelStateEntered", "ParallelStateExited") < 13  # not 20
    waits_entered = [_at(e) for e in events if e["type"] == "WaitStateEntered"]
    assert abs((waits_entered[1] - waits_entered[0]).total_seconds()) < 2  # both began at the start


def test_map_one_at_a_time_waits_add_up(lab: Lab, fast_clock: None) -> None:
    """MaxConcurrency 1: three iterations of a 10 s wait run one after the other, 30 s in all."""
    definition = {"StartAt": "Each", "States": {"Each": {
        "Type": "Map", "ItemsPath": "$.items", "MaxConcurrency": 1, "End": True,
        "Iterator": {"StartAt": "W", "States": {"W": {"Type": "Wait", "Seconds": 10, "End": True}}}}}}
    out = run(lab, machine(lab, definition), {"items": [1, 2, 3]})
    assert out["status"] == "SUCCEEDED"
    assert 30 <= _gap(history(lab, out["executionArn"]), "MapStateEntered", "MapStateExited") < 33


def test_retry_intervals_follow_backoff(lab: Lab, fast_clock: None) -> None:
    """IntervalSeconds 2, BackoffRate 3, MaxAttempts 2: retries 2 s and 6 s after the failures."""
    definition = {"StartAt": "Charge", "States": {"Charge": {
        "Type": "Task", "Resource": "arn:aws:states:::dynamodb:getItem",
        "Parameters": {"TableName": lab.name("payments-missing"), "Key": {"pk": {"S": "p-1"}}},
        "Retry": [{"ErrorEquals": ["States.ALL"], "IntervalSeconds": 2, "MaxAttempts": 2, "BackoffRate": 3.0}],
        "End": True}}}
    out = run(lab, machine(lab, definition))
    assert out["status"] == "FAILED"
    events = history(lab, out["executionArn"])
    failed = [_at(e) for e in events if e["type"] == "TaskFailed"]
    scheduled = [_at(e) for e in events if e["type"] == "TaskScheduled"]
    assert len(failed) == 3 and len(scheduled) == 3  # first try + MaxAttempts retries
    gaps = [(scheduled[i + 1] - failed[i]).total_seconds() for i in range(2)]
    assert 2 <= gaps[0] < 4 and 6 <= gaps[1] < 8, gaps


def test_short_waits_really_wait(lab: Lab) -> None:
    """Up to MAX_REAL_SECONDS a wait is real, so a learner sees RUNNING for that moment."""
    assert sfn_time_warp.MAX_REAL_SECONDS >= 0.5
    definition = {"StartAt": "W", "States": {"W": {"Type": "Wait", "Seconds": 1, "End": True}}}
    sfn = lab.client("stepfunctions")
    started = sfn.start_execution(stateMachineArn=machine(lab, definition))
    assert sfn.describe_execution(executionArn=started["executionArn"])["status"] == "RUNNING"
    out = run(lab, machine(lab, definition))
    assert 1 <= (out["stopDate"] - out["startDate"]).total_seconds() < 4


def test_execution_timeout_is_measured_on_the_execution_clock(lab: Lab, fast_clock: None) -> None:
    """ASL "TimeoutSeconds - The maximum number of seconds an execution of the state machine can run. If
    it runs longer than the specified time, the execution fails with a States.Timeout Error name."
    DescribeExecution then reports TIMED_OUT and the history ends with ExecutionTimedOut."""
    definition = {"TimeoutSeconds": 10, "StartAt": "Courier", "States": {
        "Courier": {"Type": "Wait", "Seconds": 30, "Next": "Done"}, "Done": {"Type": "Succeed"}}}
    out = run(lab, machine(lab, definition))
    assert out["status"] == "TIMED_OUT"
    assert 10 <= (out["stopDate"] - out["startDate"]).total_seconds() < 13
    events = history(lab, out["executionArn"])
    assert events[-1]["type"] == "ExecutionTimedOut"
    assert "Done" not in [e.get("stateEnteredEventDetails", {}).get("name") for e in events]


def test_waits_within_the_timeout_still_succeed(lab: Lab, fast_clock: None) -> None:
    definition = {"TimeoutSeconds": 60, "StartAt": "Courier", "States": {
        "Courier": {"Type": "Wait", "Seconds": 30, "End": True}}}
    assert run(lab, machine(lab, definition))["status"] == "SUCCEEDED"
