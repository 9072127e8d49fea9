"""wait_for_execution, and state machines with running executions in ensure/teardown.

StartExecution returns while the execution runs on (API reference: "Starts a state machine
execution"; DescribeExecution reports ``status`` RUNNING until it is SUCCEEDED, FAILED, TIMED_OUT or
ABORTED). ``wait_for_execution`` polls until it is not RUNNING and returns the description, failed or
not. DeleteStateMachine: "Deletes a state machine. This is an asynchronous operation ... sets the
state machine's status to DELETING and begins the deletion process" -- a machine with a running
execution can be deleted, so teardown must not trip over one; UpdateStateMachine: "Executions
already running will continue to use the previous definition".
"""

from __future__ import annotations

import json

import pytest

from labs.helpers import Lab, LabError
from labs.helpers import resources as res
from labs.helpers.waiting import wait_for_execution
from tests.emulator.sfn_helpers import machine

SLOW = {"StartAt": "Courier", "States": {"Courier": {"Type": "Wait", "Seconds": 30, "Next": "Done"},
                                          "Done": {"Type": "Pass", "Result": {"v": 1}, "End": True}}}


def test_wait_returns_the_final_description(lab: Lab) -> None:
    sfn = lab.client("stepfunctions")
    arn = machine(lab, {"StartAt": "Ok", "States": {"Ok": {"Type": "Pass", "Result": {"ok": True}, "End": True}}})
    started = sfn.start_execution(stateMachineArn=arn, input="{}")
    out = wait_for_execution(lab, started["executionArn"])
    assert out["status"] == "SUCCEEDED" and json.loads(out["output"]) == {"ok": True}
    assert "ResponseMetadata" not in out


def test_wait_returns_a_failed_execution_without_raising(lab: Lab) -> None:
    arn = machine(lab, {"StartAt": "F", "States": {"F": {"Type": "Fail", "Error": "PaymentDeclined", "Cause": "card"}}})
    started = lab.client("stepfunctions").start_execution(stateMachineArn=arn)
    out = res.wait_for_execution(lab, started["executionArn"])  # also reachable from resources
    assert (out["status"], out["error"], out["cause"]) == ("FAILED", "PaymentDeclined", "card")


def test_wait_times_out_naming_the_state(lab: Lab) -> None:
    started = lab.client("stepfunctions").start_execution(stateMachineArn=machine(lab, SLOW))
    with pytest.raises(LabError, match="still RUNNING in state 'Courier'"):
        wait_for_execution(lab, started["executionArn"], timeout=0.1)


def test_wait_for_unknown_execution_is_explained(lab: Lab) -> None:
    arn = machine(lab, SLOW)
    bogus = arn.replace(":stateMachine:", ":execution:") + ":nope"
    with pytest.raises(LabError, match="ExecutionDoesNotExist"):
        wait_for_execution(lab, bogus)


def test_update_while_running_keeps_the_running_definition(lab: Lab) -> None:
    sfn = lab.client("stepfunctions")
    arn = machine(lab, SLOW)
    running = sfn.start_execution(stateMachineArn=arn)["executionArn"]
    v2 = {**SLOW, "States": {**SLOW["States"], "Done": {"Type": "Pass", "Result": {"v": 2}, "End": True}}}
    assert res.ensure_state_machine(lab, "flow", v2) == arn  # updated in place, same ARN
    assert sfn.describe_execution(executionArn=running)["status"] == "RUNNING"
    assert json.loads(wait_for_execution(lab, running)["output"]) == {"v": 1}
    assert json.loads(json.dumps(json.loads(sfn.describe_state_machine(stateMachineArn=arn)["definition"]))) == v2


def test_teardown_with_a_running_execution(lab: Lab) -> None:
    sfn = lab.client("stepfunctions")
    arn = machine(lab, SLOW)
    running = sfn.start_execution(stateMachineArn=arn)["executionArn"]
    assert sfn.describe_execution(executionArn=running)["status"] == "RUNNING"
    kinds = set(lab.resources().by_kind())
    assert "sfn-state-machine" in kinds
    report = lab.teardown()
    assert not report.failed and not report.left
    assert [m for m in sfn.list_state_machines()["stateMachines"] if m["name"].startswith(lab.prefix)] == []
