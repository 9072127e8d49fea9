"""Lambda writes every invocation's log to CloudWatch Logs, where learners debug from.

Lambda developer guide, "Log and monitor Python Lambda functions": "Your Lambda function comes with a
CloudWatch Logs log group and a log stream for each instance of your function. The Lambda runtime
environment sends details about each invocation and other output from your function's code to the
log stream"; the example log shows ``START RequestId: ... Version: $LATEST``, the printed lines,
``END RequestId``, ``REPORT RequestId ... Duration ... Billed Duration ... Memory Size ... Init
Duration``, and ``AWS_LAMBDA_LOG_STREAM_NAME`` like ``2025/08/31/[$LATEST]3893xmpl7fac4485b47bb75b671a283c``;
``logging`` records are written ``[INFO]\\t<time>Z\\t<request id>\\t<message>`` by the runtime's root
handler. Plain moto 5.2.5 with the layer's runtime (``LABS_EMULATOR_DISABLE=lambda_cloudwatch_logs``):
``/aws/lambda/<function>`` never exists.
"""

from __future__ import annotations

import json
import re
import time
from typing import Any

import pytest
from tests.emulator.lambda_helpers import deploy, zip_source

from labs.helpers import Lab, start_lab

#: As AWS's Python examples log: the root logger at INFO, set once in the module.
CHATTY = """
import logging, os
logger = logging.getLogger()
logger.setLevel(logging.INFO)
def handler(event, context):
    print("processing", event["orderId"])
    logger.info("order %s accepted", event["orderId"])
    if event.get("fail"):
        raise ValueError("no such product")
    return {"stream": os.environ["AWS_LAMBDA_LOG_STREAM_NAME"], "group": os.environ["AWS_LAMBDA_LOG_GROUP_NAME"]}
"""
STREAM = re.compile(r"^\d{4}/\d{2}/\d{2}/\[\$LATEST\][0-9a-f]{32}$")


def _invoke(lab: Lab, name: str, payload: dict[str, Any]) -> Any:
    return json.loads(lab.client("lambda").invoke(FunctionName=name, Payload=json.dumps(payload))["Payload"].read())


def _events(lab: Lab, name: str) -> list[dict[str, Any]]:
    return lab.client("logs").filter_log_events(logGroupName=f"/aws/lambda/{name}")["events"]


def test_invocations_land_in_the_functions_log_group(lab: Lab) -> None:
    name = lab.name("chatty")
    deploy(lab, "chatty", CHATTY)
    seen = _invoke(lab, name, {"orderId": "o-1"})
    assert seen["group"] == f"/aws/lambda/{name}" and STREAM.match(seen["stream"]), seen
    streams = lab.client("logs").describe_log_streams(logGroupName=f"/aws/lambda/{name}")["logStreams"]
    assert [s["logStreamName"] for s in streams] == [seen["stream"]]
    messages = [e["message"] for e in _events(lab, name)]
    assert all(m.endswith("\n") for m in messages)
    assert re.match(r"START RequestId: [0-9a-f-]{36} Version: \$LATEST\n$", messages[0])
    assert messages[1] == "processing o-1\n"
    assert re.match(r"\[INFO\]\t\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z\t[0-9a-f-]{36}\torder o-1 accepted\n$", messages[2])
    assert messages[3].startswith("END RequestId: ")
    assert re.match(r"REPORT RequestId: [0-9a-f-]{36}\tDuration: [\d.]+ ms\tBilled Duration: \d+ ms\t"
                    r"Memory Size: 128 MB\tInit Duration: [\d.]+ ms\n$", messages[4]), messages[4]
    request_id = messages[0].split()[2]
    assert request_id in messages[2] and request_id in messages[3] and request_id in messages[4]


def test_a_warm_environment_keeps_its_stream_and_new_code_gets_a_new_one(lab: Lab) -> None:
    name = lab.name("chatty")
    deploy(lab, "chatty", CHATTY)
    first = _invoke(lab, name, {"orderId": "o-1"})["stream"]
    assert _invoke(lab, name, {"orderId": "o-2"})["stream"] == first
    reports = [e["message"] for e in _events(lab, name) if e["message"].startswith("REPORT")]
    assert "Init Duration" in reports[0] and "Init Duration" not in reports[1]  # cold, then warm
    lab.client("lambda").update_function_code(FunctionName=name, ZipFile=zip_source({"app.py": CHATTY + "\n# v2\n"}))
    assert _invoke(lab, name, {"orderId": "o-3"})["stream"] != first
    streams = lab.client("logs").describe_log_streams(logGroupName=f"/aws/lambda/{name}")["logStreams"]
    assert len(streams) == 2


def test_a_failure_is_logged_with_its_traceback(lab: Lab) -> None:
    name = lab.name("chatty")
    deploy(lab, "chatty", CHATTY)
    _invoke(lab, name, {"orderId": "o-9", "fail": True})
    [error] = [e["message"] for e in _events(lab, name) if e["message"].startswith("[ERROR]")]
    assert error.startswith("[ERROR] ValueError: no such product\nTraceback (most recent call last):\n")
    assert "app.py" in error


def test_asynchronous_invocations_are_logged_too(lab: Lab) -> None:
    name = lab.name("chatty")
    deploy(lab, "chatty", CHATTY)
    lab.client("lambda").invoke(FunctionName=name, InvocationType="Event", Payload=json.dumps({"orderId": "o-5"}))
    assert "processing o-5\n" in [e["message"] for e in _events(lab, name)]


def test_logs_on_the_shared_emulator(emulator: None, emulator_server: str, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("AWS_ENDPOINT_URL", emulator_server)
    lab = start_lab("sandbox")
    name = lab.name("chatty")
    deploy(lab, "chatty", CHATTY)
    _invoke(lab, name, {"orderId": "o-7"})
    deadline = time.monotonic() + 5
    messages: list[str] = []
    while "processing o-7\n" not in messages and time.monotonic() < deadline:
        messages = [e["message"] for e in _events(lab, name)]
    assert "processing o-7\n" in messages and any("\torder o-7 accepted\n" in m for m in messages)
