"""``.waitForTaskToken`` timeouts and heartbeats on the emulator clock (``LABS_EMULATOR_DISABLE=sfn_task_clock``).

Step Functions developer guide, "Wait for a Callback with Task Token": the task waits for
SendTaskSuccess/SendTaskFailure; ``TimeoutSeconds`` fails it with ``States.Timeout`` and
``HeartbeatSeconds`` without a SendTaskHeartbeat with ``States.HeartbeatTimeout``. ``advance()`` lets
that time pass on the emulator (real AWS would simply take the hour).
"""

from __future__ import annotations

import json
import time

from labs.helpers import Lab
from labs.helpers.functions import advance
from labs.helpers.waiting import wait_for_execution
from tests.emulator.sfn_helpers import machine


def _warehouse(lab: Lab, **timing: int) -> tuple[str, str]:
    sqs = lab.client("sqs")
    url = sqs.create_queue(QueueName=lab.name("warehouse"))["QueueUrl"]
    arn = machine(lab, {"StartAt": "Ship", "States": {"Ship": {
        "Type": "Task", "Resource": "arn:aws:states:::sqs:sendMessage.waitForTaskToken", **timing,
        "Parameters": {"QueueUrl": url, "MessageBody": {"order.$": "$.order", "token.$": "$$.Task.Token"}},
        "End": True}}})
    return arn, url


def _token(lab: Lab, url: str) -> str:
    sqs = lab.client("sqs")
    for _ in range(50):
        messages = sqs.receive_message(QueueUrl=url, MaxNumberOfMessages=1).get("Messages", [])
        if messages:
            return str(json.loads(messages[0]["Body"])["token"])
        time.sleep(0.02)
    raise AssertionError("the task sent no message")


def _start(lab: Lab, arn: str, name: str) -> str:
    return lab.client("stepfunctions").start_execution(stateMachineArn=arn, name=name,
                                                       input=json.dumps({"order": name}))["executionArn"]


def test_timeout_expires_when_the_clock_is_advanced(lab: Lab) -> None:
    arn, url = _warehouse(lab, TimeoutSeconds=3600)
    execution = _start(lab, arn, "o-1")
    _token(lab, url)
    assert lab.client("stepfunctions").describe_execution(executionArn=execution)["status"] == "RUNNING"
    advance(lab, hours=2)
    done = wait_for_execution(lab, execution, timeout=3)
    assert (done["status"], done.get("error")) == ("FAILED", "States.Timeout")


def test_missing_heartbeat_times_the_task_out(lab: Lab) -> None:
    """ASL error names: States.Timeout "A Task state either ran longer than the TimeoutSeconds value, or
    failed to send a heartbeat for a period longer than the HeartbeatSeconds value" (LocalStack's
    AWS-recorded test_heartbeat_timeout snapshot shows the same)."""
    arn, url = _warehouse(lab, TimeoutSeconds=86400, HeartbeatSeconds=600)
    execution = _start(lab, arn, "o-2")
    _token(lab, url)
    advance(lab, minutes=15)  # within the day's timeout, but no heartbeat for 10 minutes
    done = wait_for_execution(lab, execution, timeout=3)
    assert (done["status"], done.get("error")) == ("FAILED", "States.Timeout")


def test_heartbeats_keep_it_alive_and_success_ends_it(lab: Lab) -> None:
    sfn = lab.client("stepfunctions")
    arn, url = _warehouse(lab, TimeoutSeconds=86400, HeartbeatSeconds=600)
    execution = _start(lab, arn, "o-3")
    token = _token(lab, url)
    for _ in range(3):
        advance(lab, minutes=8)
        sfn.send_task_heartbeat(taskToken=token)
        time.sleep(SLICE)
    assert sfn.describe_execution(executionArn=execution)["status"] == "RUNNING"
    sfn.send_task_success(taskToken=token, output=json.dumps({"tracking": "T-1"}))
    done = wait_for_execution(lab, execution, timeout=3)
    assert (done["status"], json.loads(done["output"])) == ("SUCCEEDED", {"tracking": "T-1"})


def test_an_answer_in_time_is_not_timed_out(lab: Lab) -> None:
    sfn = lab.client("stepfunctions")
    arn, url = _warehouse(lab, TimeoutSeconds=3600)
    execution = _start(lab, arn, "o-4")
    sfn.send_task_failure(taskToken=_token(lab, url), error="CourierLost", cause="no van")
    done = wait_for_execution(lab, execution, timeout=3)
    assert (done["status"], done.get("error"), done.get("cause")) == ("FAILED", "CourierLost", "no van")


SLICE = 0.1
