"""The AWS CLI's own commands for what the layer adds, against the shared emulator.

The CLI is how AWS's documentation shows these steps (Lambda developer guide: ``aws iam
attach-role-policy --policy-arn arn:aws:iam::aws:policy/service-role/AWSLambdaBasicExecutionRole``;
DynamoDB developer guide: ``aws dynamodb execute-statement --statement ... --parameters ...``; SNS:
``aws sns create-topic --attributes ...``; Step Functions: ``aws stepfunctions get-activity-task``).
Each must work on ``python -m labs emulator`` as on AWS. Skipped when no AWS CLI is installed.
"""

from __future__ import annotations

import json
import os
import shutil
import subprocess
from typing import Any

import pytest


@pytest.fixture
def cli(emulator_server: str) -> Any:
    aws = shutil.which("aws")
    if aws is None or subprocess.run([aws, "--version"], check=False, capture_output=True, timeout=30).returncode:
        pytest.skip("the AWS CLI is not installed")
    env = {k: v for k, v in os.environ.items() if not k.startswith("AWS_")}
    env.update(AWS_ACCESS_KEY_ID="testing", AWS_SECRET_ACCESS_KEY="testing", AWS_DEFAULT_REGION="us-east-1")

    def run(*args: str) -> Any:
        out = subprocess.run([aws, "--endpoint-url", emulator_server, "--output", "json", *args], env=env,
                             check=False, capture_output=True, text=True, timeout=90)
        assert out.returncode == 0, out.stderr
        return json.loads(out.stdout or "{}")

    return run


def test_attach_an_aws_managed_policy(cli: Any) -> None:
    trust = json.dumps({"Version": "2012-10-17", "Statement": [{"Effect": "Allow", "Action": "sts:AssumeRole",
                                                                "Principal": {"Service": "lambda.amazonaws.com"}}]})
    cli("iam", "create-role", "--role-name", "cli-fn", "--assume-role-policy-document", trust)
    cli("iam", "attach-role-policy", "--role-name", "cli-fn",
        "--policy-arn", "arn:aws:iam::aws:policy/service-role/AWSLambdaBasicExecutionRole")
    attached = cli("iam", "list-attached-role-policies", "--role-name", "cli-fn")["AttachedPolicies"]
    assert [p["PolicyName"] for p in attached] == ["AWSLambdaBasicExecutionRole"]


def test_partiql_with_parameters(cli: Any) -> None:
    cli("dynamodb", "create-table", "--table-name", "cli-orders", "--billing-mode", "PAY_PER_REQUEST",
        "--attribute-definitions", "AttributeName=id,AttributeType=S", "--key-schema", "AttributeName=id,KeyType=HASH")
    cli("dynamodb", "execute-statement", "--statement", "INSERT INTO \"cli-orders\" VALUE {'id': ?, 'total': ?}",
        "--parameters", json.dumps([{"S": "o-1"}, {"N": "12"}]))
    items = cli("dynamodb", "execute-statement", "--statement", "SELECT * FROM \"cli-orders\" WHERE id=?",
                "--parameters", json.dumps([{"S": "o-1"}]))["Items"]
    assert items == [{"id": {"S": "o-1"}, "total": {"N": "12"}}]


def test_fifo_topic_throughput_scope(cli: Any) -> None:
    arn = cli("sns", "create-topic", "--name", "cli-prices.fifo",
              "--attributes", "FifoTopic=true,FifoThroughputScope=MessageGroup")["TopicArn"]
    attributes = cli("sns", "get-topic-attributes", "--topic-arn", arn)["Attributes"]
    assert attributes["FifoThroughputScope"] == "MessageGroup"


def test_an_activity_worker(cli: Any) -> None:
    activity = cli("stepfunctions", "create-activity", "--name", "cli-pack")["activityArn"]
    trust = json.dumps({"Version": "2012-10-17", "Statement": [{"Effect": "Allow", "Action": "sts:AssumeRole",
                                                                "Principal": {"Service": "states.amazonaws.com"}}]})
    role = cli("iam", "create-role", "--role-name", "cli-sfn", "--assume-role-policy-document", trust)["Role"]["Arn"]
    definition = json.dumps({"StartAt": "Pack", "States": {"Pack": {"Type": "Task", "Resource": activity, "End": True}}})
    machine = cli("stepfunctions", "create-state-machine", "--name", "cli-pack", "--role-arn", role,
                  "--definition", definition)["stateMachineArn"]
    run = cli("stepfunctions", "start-execution", "--state-machine-arn", machine, "--input", '{"box": 1}')["executionArn"]
    task = cli("stepfunctions", "get-activity-task", "--activity-arn", activity, "--worker-name", "cli")
    assert json.loads(task["input"]) == {"box": 1}
    cli("stepfunctions", "send-task-success", "--task-token", task["taskToken"], "--task-output", '{"packed": true}')
    import time

    for _ in range(100):
        described = cli("stepfunctions", "describe-execution", "--execution-arn", run)
        if described["status"] != "RUNNING":
            break
        time.sleep(0.1)
    assert described["status"] == "SUCCEEDED" and json.loads(described["output"]) == {"packed": True}
