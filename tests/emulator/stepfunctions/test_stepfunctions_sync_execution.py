"""StartSyncExecution: an Express workflow answers its caller with the outcome.

API reference, StartSyncExecution: "Starts a Synchronous Express state machine execution.
StartSyncExecution is not available for STANDARD workflows" (``StateMachineTypeNotSupported``); the
response has ``status`` ("SUCCEEDED | FAILED | TIMED_OUT"), ``output``, ``error``, ``cause``,
``startDate``, ``stopDate``. Plain moto 5.2.5 answers 404 Not yet implemented
(``LABS_EMULATOR_DISABLE=sfn_sync_execution``): every test here fails there.
"""

from __future__ import annotations

import json

import pytest

from labs.helpers import Lab
from labs.helpers import resources as res
from tests.emulator.sfn_helpers import machine

VALIDATE = {"StartAt": "Valid?", "States": {
    "Valid?": {"Type": "Choice", "Choices": [{"Variable": "$.total", "NumericGreaterThan": 0, "Next": "Accept"}],
               "Default": "Reject"},
    "Accept": {"Type": "Pass", "Parameters": {"orderId.$": "$.orderId", "accepted": True}, "End": True},
    "Reject": {"Type": "Fail", "Error": "InvalidOrder", "Cause": "total must be positive"}}}


def _express(lab: Lab) -> str:
    return res.ensure_state_machine(lab, "validate", VALIDATE, machine_type="EXPRESS")


def test_sync_execution_returns_the_output(lab: Lab) -> None:
    out = lab.client("stepfunctions").start_sync_execution(
        stateMachineArn=_express(lab), input=json.dumps({"orderId": "o-1", "total": 12}))
    assert out["status"] == "SUCCEEDED"
    assert json.loads(out["output"]) == {"orderId": "o-1", "accepted": True}
    assert out["stopDate"] >= out["startDate"]
    assert ":express:" in out["executionArn"] and out["stateMachineArn"].endswith(lab.name("validate"))


def test_sync_execution_reports_a_failure(lab: Lab) -> None:
    out = lab.client("stepfunctions").start_sync_execution(
        stateMachineArn=_express(lab), input=json.dumps({"orderId": "o-2", "total": -1}))
    assert (out["status"], out["error"], out["cause"]) == ("FAILED", "InvalidOrder", "total must be positive")
    assert "output" not in out


def test_unnamed_sync_executions_are_distinct(lab: Lab) -> None:
    sfn = lab.client("stepfunctions")
    arn = _express(lab)
    first = sfn.start_sync_execution(stateMachineArn=arn, input=json.dumps({"total": 1}))["executionArn"]
    second = sfn.start_sync_execution(stateMachineArn=arn, input=json.dumps({"total": 1}))["executionArn"]
    assert first != second


def test_standard_machine_is_refused(lab: Lab) -> None:
    sfn = lab.client("stepfunctions")
    with pytest.raises(sfn.exceptions.StateMachineTypeNotSupported):
        sfn.start_sync_execution(stateMachineArn=machine(lab, VALIDATE), input="{}")


def test_flow_records_the_sync_outcome(lab: Lab) -> None:
    arn = _express(lab)
    lab.flow.clear()
    lab.client("stepfunctions").start_sync_execution(stateMachineArn=arn, input=json.dumps({"orderId": "o-3", "total": -5}))
    df = lab.flow.df
    call = df[(df["kind"] == "call") & (df["operation"] == "StartSyncExecution")].iloc[0]
    assert call["status"] == "error" and "InvalidOrder" in call["error"]
    steps = df[(df["kind"] == "delivery") & (df["service"] == "stepfunctions")]
    assert list(steps["operation"])[-1] == "execution-failed"
