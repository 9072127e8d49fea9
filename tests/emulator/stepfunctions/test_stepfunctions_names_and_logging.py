"""StartExecution without a name, and failures that do not spill into the notebook.

Step Functions API reference, StartExecution ``name``: "If you don't provide a name for the
execution, Step Functions automatically generates a universally unique identifier (UUID) as the
execution name." Plain moto 5.2.5 (executing backend) names every unnamed execution ``None``:
the second unnamed start returns the first one (same input) or fails with ExecutionAlreadyExists
(``LABS_EMULATOR_DISABLE=sfn_execution_name``).

A failed execution is reported by DescribeExecution (``status`` FAILED, ``error``, ``cause``) and the
history; plain moto also logs an ERROR dump of the interpreter's component tree for every failure
(``LABS_EMULATOR_DISABLE=sfn_quiet_logging``), which the logging tests below catch.
"""

from __future__ import annotations

import json
import logging
import uuid

import pytest

from labs.helpers import Lab
from tests.emulator.sfn_helpers import machine, run

PASS = {"StartAt": "Done", "States": {"Done": {"Type": "Pass", "End": True}}}
FAIL = {"StartAt": "NoStock", "States": {"NoStock": {"Type": "Fail", "Error": "OutOfStock", "Cause": "sku-9 sold out"}}}


def test_unnamed_executions_get_distinct_uuid_names(lab: Lab) -> None:
    sfn = lab.client("stepfunctions")
    arn = machine(lab, PASS)
    first = sfn.start_execution(stateMachineArn=arn, input=json.dumps({"orderId": "o-1"}))["executionArn"]
    second = sfn.start_execution(stateMachineArn=arn, input=json.dumps({"orderId": "o-1"}))["executionArn"]
    third = sfn.start_execution(stateMachineArn=arn, input=json.dumps({"orderId": "o-2"}))["executionArn"]
    names = [a.rsplit(":", 1)[-1] for a in (first, second, third)]
    assert len(set(names)) == 3, names
    for name in names:
        assert str(uuid.UUID(name)) == name  # a UUID, as AWS generates
    listed = {e["name"] for e in sfn.list_executions(stateMachineArn=arn)["executions"]}
    assert set(names) <= listed
    assert sfn.describe_execution(executionArn=third)["name"] == names[2]


def test_named_execution_keeps_its_name_and_idempotency(lab: Lab) -> None:
    """Same name + same input while running returns the same execution; a closed one is ExecutionAlreadyExists."""
    sfn = lab.client("stepfunctions")
    arn = machine(lab, PASS)
    out = run(lab, arn, {"orderId": "o-1"}, name="order-o-1")
    assert out["executionArn"].endswith(":order-o-1") and out["name"] == "order-o-1"
    with pytest.raises(sfn.exceptions.ExecutionAlreadyExists):
        sfn.start_execution(stateMachineArn=arn, name="order-o-1", input=json.dumps({"orderId": "other"}))


def test_fail_state_logs_nothing_but_is_reported(lab: Lab, caplog: pytest.LogCaptureFixture,
                                                  capsys: pytest.CaptureFixture[str]) -> None:
    caplog.set_level(logging.INFO)
    out = run(lab, machine(lab, FAIL))
    assert (out["status"], out["error"], out["cause"]) == ("FAILED", "OutOfStock", "sku-9 sold out")
    dumps = [r for r in caplog.records if "FailureEventException" in r.getMessage()]
    assert dumps == []
    captured = capsys.readouterr()
    assert "FailureEventException" not in captured.err + captured.out


def test_task_error_logs_nothing(lab: Lab, caplog: pytest.LogCaptureFixture) -> None:
    caplog.set_level(logging.INFO)
    definition = {"StartAt": "Read", "States": {"Read": {
        "Type": "Task", "Resource": "arn:aws:states:::dynamodb:getItem",
        "Parameters": {"TableName": lab.name("missing"), "Key": {"pk": {"S": "o-1"}}}, "End": True}}}
    out = run(lab, machine(lab, definition))
    assert out["status"] == "FAILED" and out["error"] == "DynamoDB.ResourceNotFoundException"
    assert [r for r in caplog.records if r.getMessage().startswith("Exception=")] == []


def test_debug_logging_brings_the_dumps_back(lab: Lab, caplog: pytest.LogCaptureFixture) -> None:
    """Whoever debugs the emulator on purpose (DEBUG on that logger) still gets the interpreter's dumps."""
    caplog.set_level(logging.DEBUG, logger="moto.stepfunctions.parser.asl.component.eval_component")
    run(lab, machine(lab, FAIL))
    assert any("FailureEventException" in r.getMessage() for r in caplog.records)
