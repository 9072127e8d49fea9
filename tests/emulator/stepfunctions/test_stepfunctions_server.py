"""Task integrations work on the emulator server (``python -m labs emulator``) on any port.

Developer guide, "Integrating services with Step Functions": a Task state calls the service in the
state machine's account and Region. On a moto server, plain moto 5.2.5 sends those calls to
``http://localhost:5000`` whatever port the server listens on, so on any other port the task fails
with ``States.Runtime`` "Could not connect to the endpoint URL" (``LABS_EMULATOR_DISABLE=
sfn_server_tasks`` in the server process).
"""

from __future__ import annotations

import json

import pytest

from labs.helpers import resources as res
from labs.helpers import start_lab


def test_sqs_task_on_a_server_with_a_free_port(emulator: None, emulator_server: str,
                                               monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("AWS_ENDPOINT_URL", emulator_server)
    lab = start_lab("sandbox")
    queue = res.ensure_queue(lab, "shipping")
    arn = res.ensure_state_machine(lab, "ship", {"StartAt": "Ship", "States": {"Ship": {
        "Type": "Task", "Resource": "arn:aws:states:::sqs:sendMessage",
        "Parameters": {"QueueUrl": queue.url, "MessageBody.$": "$.orderId"}, "End": True}}})
    started = lab.client("stepfunctions").start_execution(stateMachineArn=arn, input=json.dumps({"orderId": "o-5"}))
    out = res.wait_for_execution(lab, started["executionArn"], timeout=20)
    assert out["status"] == "SUCCEEDED", out.get("cause")
    bodies = [m["Body"] for m in lab.client("sqs").receive_message(QueueUrl=queue.url).get("Messages", [])]
    assert bodies == ["o-5"]


def test_sync_execution_on_a_server(emulator: None, emulator_server: str, monkeypatch: pytest.MonkeyPatch) -> None:
    """StartSyncExecution's host prefix ("sync-") is not put before an endpoint's host: the lab's
    clients reach ``http://127.0.0.1:<port>``, not the unresolvable ``sync-127.0.0.1``."""
    monkeypatch.setenv("AWS_ENDPOINT_URL", emulator_server)
    lab = start_lab("sandbox")
    arn = res.ensure_state_machine(lab, "echo", {"StartAt": "Echo", "States": {"Echo": {"Type": "Pass", "End": True}}},
                                   machine_type="EXPRESS")
    out = lab.client("stepfunctions").start_sync_execution(stateMachineArn=arn, input=json.dumps({"orderId": "o-6"}))
    assert (out["status"], json.loads(out["output"])) == ("SUCCEEDED", {"orderId": "o-6"})
