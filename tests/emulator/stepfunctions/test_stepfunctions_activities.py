"""Step Functions activities: a worker takes the task with GetActivityTask and answers it.

Step Functions API reference, GetActivityTask: "Used by workers to retrieve a task (with the specified
activity ARN) which has been scheduled for execution by a running state machine. This initiates a long
poll ... The maximum time the service holds on to the request before responding is 60 seconds. If no
task is available within 60 seconds, the poll returns a taskToken with a null string."
SendTaskSuccess / SendTaskFailure (error, cause) / SendTaskHeartbeat ("resets the Heartbeat clock")
answer it; TimeoutSeconds and HeartbeatSeconds end the state with States.Timeout (history
ActivityTimedOut), after which an answer is TaskTimedOut ("the task associated with the token has
already been closed"). The first test is AWS's getting-started scenario (aws-doc-sdk-examples,
python/example_code/stepfunctions, with resources/sample_files/chat_sfn_state_machine.json). Plain
moto 5.2.5 (``LABS_EMULATOR_DISABLE=sfn_activities``): the activity task fails at once with
States.Runtime, GetActivityTask is not implemented.
"""

from __future__ import annotations

import json
import threading
import time
from collections.abc import Iterator
from typing import Any

import pytest
from botocore.config import Config
from botocore.exceptions import ClientError
from tests.emulator.sfn_helpers import history, types

from labs.helpers import Lab, start_lab
from labs.helpers.resources import ensure_state_machine
from labs.helpers.waiting import wait_for_execution

#: AWS's chat_sfn_state_machine.json, as the scenario loads it (the activity ARN filled in).
CHAT = {
    "Comment": "A non-AI simplistic chat simulator", "StartAt": "Greeting",
    "States": {
        "Greeting": {"Type": "Pass", "Parameters": {"message.$": "States.Format('Hello, {}!', $.name)"},
                     "Next": "GetInput"},
        "GetInput": {"Type": "Task", "Resource": "{{DOC_EXAMPLE_ACTIVITY_ARN}}",
                     "Parameters": {"message.$": "$.message",
                                    "actions.$": "States.Array('song', 'poem', 'story', 'done')"},
                     "TimeoutSeconds": 300, "Next": "Choice"},
        "Choice": {"Type": "Choice", "Choices": [
            {"Variable": "$.action", "StringEquals": "song", "Next": "Song"},
            {"Variable": "$.action", "StringEquals": "poem", "Next": "Poem"},
            {"Variable": "$.action", "StringEquals": "story", "Next": "Story"},
            {"Variable": "$.action", "StringEquals": "done", "Next": "Done"}]},
        "Song": {"Type": "Pass", "Result": {"message": "My song has no tune but you can still dance to it."},
                 "Next": "GetInput"},
        "Poem": {"Type": "Pass", "Result": {"message": "This is my poem but it doesn't rhyme."}, "Next": "GetInput"},
        "Story": {"Type": "Pass", "Result": {"message": "This story has neither beginning, middle, nor end."},
                  "Next": "GetInput"},
        "Done": {"Type": "Pass", "End": True, "Result": {"message": "Thanks for chatting."}},
    },
}


@pytest.fixture(params=["embedded", "shared"])
def any_lab(request: pytest.FixtureRequest, emulator: None, monkeypatch: pytest.MonkeyPatch) -> Iterator[Lab]:
    if request.param == "shared":
        monkeypatch.setenv("AWS_ENDPOINT_URL", request.getfixturevalue("emulator_server"))
    yield start_lab("sandbox")


def _sfn(lab: Lab) -> Any:
    # AWS: "Workers should set their client side socket timeout to at least 65 seconds".
    return lab.backend.client("stepfunctions", config=Config(read_timeout=65))


def _activity_machine(lab: Lab, **task: Any) -> tuple[str, str]:
    """(activity ARN, machine ARN) of a one-Task machine on a new activity."""
    activity = _sfn(lab).create_activity(name=lab.name("pack"))["activityArn"]
    machine = ensure_state_machine(lab, "packing", {"StartAt": "Pack", "States": {
        "Pack": {"Type": "Task", "Resource": activity, "End": True, **task}}})
    return activity, machine


def _start(lab: Lab, machine: str, payload: Any) -> str:
    return _sfn(lab).start_execution(stateMachineArn=machine, input=json.dumps(payload))["executionArn"]


def test_the_getting_started_chat_scenario(any_lab: Lab) -> None:
    lab = any_lab
    sfn = _sfn(lab)
    activity = sfn.create_activity(name=lab.name("chat"))["activityArn"]
    definition = json.dumps(CHAT).replace("{{DOC_EXAMPLE_ACTIVITY_ARN}}", activity)
    machine = ensure_state_machine(lab, "chat", definition)
    run = _start(lab, machine, {"name": "Ana"})
    said = []
    for action in ("song", "story", "done"):
        task = sfn.get_activity_task(activityArn=activity)
        task_input = json.loads(task["input"])
        said.append(task_input["message"])
        assert task_input["actions"] == ["song", "poem", "story", "done"]
        sfn.send_task_success(taskToken=task["taskToken"], output=json.dumps({"action": action}))
    done = wait_for_execution(lab, run)
    assert said == ["Hello, Ana!", "My song has no tune but you can still dance to it.",
                    "This story has neither beginning, middle, nor end."]
    assert (done["status"], json.loads(done["output"])) == ("SUCCEEDED", {"message": "Thanks for chatting."})


def test_history_records_the_worker(lab: Lab) -> None:
    sfn = _sfn(lab)
    activity, machine = _activity_machine(lab)
    run = _start(lab, machine, {"orderId": "o-1"})
    task = sfn.get_activity_task(activityArn=activity, workerName="packer-1")
    assert json.loads(task["input"]) == {"orderId": "o-1"}
    sfn.send_task_success(taskToken=task["taskToken"], output=json.dumps({"packed": True}))
    assert json.loads(wait_for_execution(lab, run)["output"]) == {"packed": True}
    events = history(lab, run)
    assert [t for t in types(events) if t.startswith("Activity")] == ["ActivityScheduled", "ActivityStarted",
                                                                      "ActivitySucceeded"]
    scheduled = next(e for e in events if e["type"] == "ActivityScheduled")["activityScheduledEventDetails"]
    assert scheduled["resource"] == activity
    started = next(e for e in events if e["type"] == "ActivityStarted")
    assert started["activityStartedEventDetails"]["workerName"] == "packer-1"


def test_a_failure_carries_error_and_cause(lab: Lab) -> None:
    sfn = _sfn(lab)
    activity, machine = _activity_machine(lab)
    run = _start(lab, machine, {})
    task = sfn.get_activity_task(activityArn=activity)
    sfn.send_task_failure(taskToken=task["taskToken"], error="OutOfBoxes", cause="no boxes left in aisle 3")
    done = wait_for_execution(lab, run)
    assert (done["status"], done["error"], done["cause"]) == ("FAILED", "OutOfBoxes", "no boxes left in aisle 3")
    failed = next(e for e in history(lab, run) if e["type"] == "ActivityFailed")["activityFailedEventDetails"]
    assert failed == {"error": "OutOfBoxes", "cause": "no boxes left in aisle 3"}


def test_the_poll_waits_for_a_task_scheduled_later(lab: Lab) -> None:
    sfn = _sfn(lab)
    activity, machine = _activity_machine(lab)
    got: list[dict[str, Any]] = []
    worker = threading.Thread(target=lambda: got.append(sfn.get_activity_task(activityArn=activity)))
    worker.start()
    time.sleep(0.3)  # the worker is polling before any execution exists
    run = _start(lab, machine, {"late": True})
    worker.join(timeout=10)
    assert got and json.loads(got[0]["input"]) == {"late": True}
    sfn.send_task_success(taskToken=got[0]["taskToken"], output="{}")
    assert wait_for_execution(lab, run)["status"] == "SUCCEEDED"


def test_no_task_within_the_poll_is_an_answer_without_a_token(lab: Lab, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("LABS_SFN_ACTIVITY_POLL_SECONDS", "0.3")
    activity = _sfn(lab).create_activity(name=lab.name("idle"))["activityArn"]
    started = time.monotonic()
    answer = _sfn(lab).get_activity_task(activityArn=activity)
    assert "taskToken" not in answer or not answer["taskToken"]
    assert 0.25 <= time.monotonic() - started < 5


def test_timeout_seconds_without_a_worker_is_states_timeout(lab: Lab, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("LABS_SFN_ACTIVITY_POLL_SECONDS", "0.3")
    activity, machine = _activity_machine(lab, TimeoutSeconds=1)
    run = _start(lab, machine, {})
    done = wait_for_execution(lab, run, timeout=10)
    assert (done["status"], done["error"]) == ("FAILED", "States.Timeout")
    assert "ActivityTimedOut" in types(history(lab, run))
    answer = _sfn(lab).get_activity_task(activityArn=activity)  # the closed task is not handed out
    assert not answer.get("taskToken")


def test_heartbeats_keep_a_task_alive_and_their_absence_times_it_out(lab: Lab) -> None:
    sfn = _sfn(lab)
    activity, machine = _activity_machine(lab, HeartbeatSeconds=1, TimeoutSeconds=30)
    alive = _start(lab, machine, {"n": 1})
    task = sfn.get_activity_task(activityArn=activity)
    for _ in range(4):  # 2 s of work, a heartbeat every 0.5 s
        time.sleep(0.5)
        sfn.send_task_heartbeat(taskToken=task["taskToken"])
    sfn.send_task_success(taskToken=task["taskToken"], output=json.dumps({"ok": 1}))
    assert wait_for_execution(lab, alive)["status"] == "SUCCEEDED"

    silent = _start(lab, machine, {"n": 2})
    task = sfn.get_activity_task(activityArn=activity)
    done = wait_for_execution(lab, silent, timeout=10)
    assert (done["status"], done["error"]) == ("FAILED", "States.Timeout")
    with pytest.raises(ClientError) as late:
        sfn.send_task_success(taskToken=task["taskToken"], output="{}")
    assert late.value.response["Error"]["Code"] == "TaskTimedOut"


def test_a_heartbeat_without_heartbeat_seconds_is_accepted(lab: Lab) -> None:
    sfn = _sfn(lab)
    activity, machine = _activity_machine(lab)
    run = _start(lab, machine, {})
    task = sfn.get_activity_task(activityArn=activity)
    sfn.send_task_heartbeat(taskToken=task["taskToken"])
    sfn.send_task_success(taskToken=task["taskToken"], output="{}")
    assert wait_for_execution(lab, run)["status"] == "SUCCEEDED"


def test_errors_for_unknown_activities_and_tokens(lab: Lab) -> None:
    sfn = _sfn(lab)
    missing = f"arn:aws:states:{lab.region}:{lab.account_id}:activity:{lab.name('nope')}"
    with pytest.raises(ClientError) as raised:
        sfn.get_activity_task(activityArn=missing)
    assert raised.value.response["Error"]["Code"] == "ActivityDoesNotExist"
    with pytest.raises(ClientError) as raised:
        sfn.get_activity_task(activityArn="not-an-arn")
    assert raised.value.response["Error"]["Code"] == "InvalidArn"
    with pytest.raises(ClientError) as raised:
        sfn.send_task_success(taskToken="no-such-token", output="{}")
    assert raised.value.response["Error"]["Code"] == "InvalidToken"
