"""A handler calls AWS with its execution role's credentials, on whichever emulator runs it.

Lambda developer guide, "Defined runtime environment variables": "AWS_ACCESS_KEY_ID,
AWS_SECRET_ACCESS_KEY, AWS_SESSION_TOKEN - The access keys obtained from the function's execution
role"; "Lambda automatically assumes your execution role when you invoke your function". So a
handler's own ``boto3`` clients work without configuration, and STS names the assumed role
(``arn:aws:sts::<account>:assumed-role/<role>/<function>``). The same handler must work in a
notebook (embedded emulator) and on the shared emulator (``python -m labs emulator``): a Step
Functions Lambda task and an SQS-mapped handler that write to DynamoDB, on both. Plain moto 5.2.5
with the layer's runtime (``LABS_EMULATOR_DISABLE=lambda_execution_role``): no role credentials (STS
answers with moto's default user), and on the server the handler's calls fail (no credentials, or
addressed to real AWS and stopped by the guard).
"""

from __future__ import annotations

import json
import time
from collections.abc import Iterator
from typing import Any

import pytest
from tests.emulator.lambda_helpers import deploy, role_arn

from labs.helpers import Lab, start_lab
from labs.helpers.waiting import wait_for_execution

WHO_AM_I = """
import os, boto3
def handler(event, context):
    identity = boto3.client("sts").get_caller_identity()
    return {"arn": identity["Arn"], "account": identity["Account"], "key": os.environ.get("AWS_ACCESS_KEY_ID"),
            "has_token": bool(os.environ.get("AWS_SESSION_TOKEN")), "endpoint": os.environ.get("AWS_ENDPOINT_URL")}
"""

#: AWS's advice: create clients outside the handler (once per execution environment).
RECORD_ORDER = """
import json, os, boto3
table = boto3.resource("dynamodb").Table(os.environ["TABLE"])
def handler(event, context):
    orders = [json.loads(r["body"]) for r in event["Records"]] if "Records" in event else [event]
    for order in orders:
        table.put_item(Item={"id": order["orderId"], "via": context.function_name})
    return {"recorded": len(orders)}
"""

CALL_ANOTHER = """
import json, boto3
from botocore.config import Config
lam = boto3.client("lambda", config=Config(read_timeout=20, retries={"max_attempts": 1}))
def handler(event, context):
    out = lam.invoke(FunctionName=event["other"], Payload=json.dumps({}))
    return {"inner": json.loads(out["Payload"].read())}
"""


@pytest.fixture(params=["embedded", "shared"])
def any_lab(request: pytest.FixtureRequest, emulator: None, monkeypatch: pytest.MonkeyPatch) -> Iterator[Lab]:
    """The sandbox lab on the embedded emulator, and on a shared emulator server in another process."""
    if request.param == "shared":
        monkeypatch.setenv("AWS_ENDPOINT_URL", request.getfixturevalue("emulator_server"))
    yield start_lab("sandbox")


def _invoke(lab: Lab, name: str, payload: Any) -> Any:
    response = lab.client("lambda").invoke(FunctionName=name, Payload=json.dumps(payload))
    result = json.loads(response["Payload"].read())
    assert "FunctionError" not in response, result
    return result


def _table(lab: Lab) -> str:
    name = lab.name("orders")
    lab.client("dynamodb").create_table(TableName=name, BillingMode="PAY_PER_REQUEST",
                                        KeySchema=[{"AttributeName": "id", "KeyType": "HASH"}],
                                        AttributeDefinitions=[{"AttributeName": "id", "AttributeType": "S"}])
    return name


def _items(lab: Lab, table: str) -> dict[str, str]:
    return {i["id"]["S"]: i["via"]["S"] for i in lab.client("dynamodb").scan(TableName=table)["Items"]}


def test_the_handler_runs_as_its_execution_role(any_lab: Lab) -> None:
    lab = any_lab
    deploy(lab, "whoami", WHO_AM_I)
    seen = _invoke(lab, lab.name("whoami"), {})
    role = role_arn(lab).split("/")[-1]
    assert seen["arn"] == f"arn:aws:sts::{lab.account_id}:assumed-role/{role}/{lab.name('whoami')}"
    assert seen["account"] == lab.account_id
    assert seen["key"].startswith("ASIA") and seen["has_token"]  # temporary credentials, as STS issues
    if lab.backend.endpoint_url:
        assert seen["endpoint"] == lab.backend.endpoint_url  # the emulator that runs the handler
    else:
        assert seen["endpoint"] is None


def test_a_step_functions_lambda_task_writes_to_dynamodb(any_lab: Lab) -> None:
    lab = any_lab
    table = _table(lab)
    fn = deploy(lab, "recorder", RECORD_ORDER, env={"TABLE": table})
    definition = {"StartAt": "Record", "States": {"Record": {
        "Type": "Task", "Resource": "arn:aws:states:::lambda:invoke", "End": True,
        "Parameters": {"FunctionName": fn, "Payload.$": "$"}, "ResultSelector": {"recorded.$": "$.Payload.recorded"}}}}
    sfn = lab.client("stepfunctions")
    machine = sfn.create_state_machine(name=lab.name("record"), roleArn=role_arn(lab), definition=json.dumps(definition))
    started = sfn.start_execution(stateMachineArn=machine["stateMachineArn"], input=json.dumps({"orderId": "o-1"}))
    done = wait_for_execution(lab, started["executionArn"], timeout=20)
    assert done["status"] == "SUCCEEDED", done
    assert json.loads(done["output"]) == {"recorded": 1}
    assert _items(lab, table) == {"o-1": lab.name("recorder")}


def test_an_sqs_mapped_handler_writes_to_dynamodb(any_lab: Lab) -> None:
    lab = any_lab
    table = _table(lab)
    deploy(lab, "recorder", RECORD_ORDER, env={"TABLE": table})
    sqs = lab.client("sqs")
    url = sqs.create_queue(QueueName=lab.name("orders"))["QueueUrl"]
    arn = sqs.get_queue_attributes(QueueUrl=url, AttributeNames=["QueueArn"])["Attributes"]["QueueArn"]
    lab.client("lambda").create_event_source_mapping(EventSourceArn=arn, FunctionName=lab.name("recorder"))
    for n in range(3):
        sqs.send_message(QueueUrl=url, MessageBody=json.dumps({"orderId": f"o-{n}"}))
    deadline = time.monotonic() + 15
    while len(_items(lab, table)) < 3 and time.monotonic() < deadline:
        time.sleep(0.1)
    assert _items(lab, table) == {f"o-{n}": lab.name("recorder") for n in range(3)}


def test_a_handler_can_invoke_another_function_synchronously(any_lab: Lab) -> None:
    lab = any_lab
    inner = deploy(lab, "inner", WHO_AM_I)
    deploy(lab, "outer", CALL_ANOTHER)
    started = time.monotonic()
    result = _invoke(lab, lab.name("outer"), {"other": inner})
    assert result["inner"]["arn"].endswith(f"/{lab.name('inner')}")
    assert time.monotonic() - started < 15  # no wait for the outer handler's lock


def test_credentials_stay_the_same_in_a_warm_environment(lab: Lab) -> None:
    deploy(lab, "whoami", WHO_AM_I)
    first, second = (_invoke(lab, lab.name("whoami"), {})["key"] for _ in range(2))
    assert first == second
