"""StopExecution: the execution is ABORTED, with the error and cause given, when the call returns.

API reference, StopExecution: "Stops an execution"; ``error`` - "The error code of the failure";
``cause`` - "A more detailed explanation of the cause of the failure"; response ``stopDate`` - "The
date the execution is stopped". The history ends with ``ExecutionAborted``
(``executionAbortedEventDetails``: error, cause). Plain moto 5.2.5 ignores error and cause and returns
before the execution stopped: no stopDate, and status/history can still show it running
(``LABS_EMULATOR_DISABLE=sfn_stop_execution``).
"""

from __future__ import annotations

import json

import pytest

from labs.helpers import Lab
from labs.helpers.observe import Delivery
from tests.emulator.sfn_helpers import history, machine, run

COURIER = {"StartAt": "Courier", "States": {"Courier": {"Type": "Wait", "Seconds": 30, "Next": "Done"},
                                             "Done": {"Type": "Succeed"}}}


@pytest.mark.parametrize("at_once", [True, False], ids=["right-after-start", "during-the-wait"])
def test_stop_aborts_with_error_and_cause(lab: Lab, deliveries: list[Delivery], at_once: bool) -> None:
    sfn = lab.client("stepfunctions")
    started = sfn.start_execution(stateMachineArn=machine(lab, COURIER), input=json.dumps({"orderId": "o-9"}))
    arn = started["executionArn"]
    if not at_once:
        sfn.get_execution_history(executionArn=arn)  # a moment later, the Wait has begun
    stopped = sfn.stop_execution(executionArn=arn, error="OrderCancelled", cause="customer cancelled o-9")
    assert stopped["stopDate"] >= started["startDate"]
    out = sfn.describe_execution(executionArn=arn)  # no waiting: stopped when StopExecution returned
    assert out["status"] == "ABORTED"
    events = history(lab, arn)
    assert events[-1]["type"] == "ExecutionAborted", [(e["id"], e["type"], e["previousEventId"]) for e in events]
    assert events[-1]["executionAbortedEventDetails"] == {"error": "OrderCancelled", "cause": "customer cancelled o-9"}
    assert "Done" not in [e.get("stateEnteredEventDetails", {}).get("name") for e in events]
    last = [d for d in deliveries if d.target == arn][-1]
    assert (last.action, last.status, last.detail["status"]) == ("execution-failed", "failed", "ABORTED")
    assert last.detail["error"] == "OrderCancelled: customer cancelled o-9"


def test_stopping_a_finished_execution_changes_nothing(lab: Lab) -> None:
    out = run(lab, machine(lab, {"StartAt": "Ok", "States": {"Ok": {"Type": "Succeed"}}}))
    lab.client("stepfunctions").stop_execution(executionArn=out["executionArn"], error="Late")
    assert lab.client("stepfunctions").describe_execution(executionArn=out["executionArn"])["status"] == "SUCCEEDED"
