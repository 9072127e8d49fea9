"""The extension lab's workflows run end to end on the embedded emulator, as on AWS.

Amazon States Language (developer guide, "State machine structure" and the state pages):
Choice "adds conditional logic"; Pass "passes its input to its output ... Result"; Parallel
"executes each branch concurrently" and its output is "an array with one element for each branch";
Map "ItemsPath", "ItemSelector", "MaxConcurrency ... an upper bound on the number of Map state
iterations that can run in parallel", output "an array ... in the same order as the input";
Retry "ErrorEquals", "MaxAttempts"; Catch "ResultPath - A path that determines what input the catcher
sends to the state specified in the Next field", the error output being an object with "Error" and
"Cause". Optimized integrations (service integration pages): ``sqs:sendMessage``, ``sns:publish``,
``dynamodb:putItem``/``updateItem``/``getItem``, ``lambda:invoke`` (result in ``Payload``) and a
Lambda function ARN as ``Resource`` (the function's result is the state's result). Service errors
are named ``<Service>.<Exception>`` (e.g. ``DynamoDB.ResourceNotFoundException``).

These pass on plain moto too (they pin what the labs rely on); the unnamed executions they start
need ``sfn_execution_name`` there. Lambda handlers return their event, so the tests hold whether
moto echoes the payload (plain) or the local runtime runs the handler.
"""

from __future__ import annotations

import io
import json
import zipfile
from typing import Any

import pytest

from labs.helpers import Lab
from labs.helpers import resources as res
from tests.emulator.sfn_helpers import entered, fast_clock_fixture, history, machine, run, types  # noqa: F401 - fixture

ORDER = {"orderId": "o-2001", "customer": "c-17", "total": 59.5,
         "items": [{"sku": "sku-1", "qty": 2}, {"sku": "sku-2", "qty": 1}, {"sku": "sku-3", "qty": 4}]}


def _echo_function(lab: Lab, base: str = "echo") -> str:
    """A Python function that returns its event (what plain moto's invoke does anyway)."""
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w") as z:
        z.writestr("echo.py", "def handler(event, context):\n    return event\n")
    role = res.ensure_role(lab, f"{base}-role", "lambda.amazonaws.com",
                           [{"Effect": "Allow", "Action": "logs:*", "Resource": "*"}])
    return str(lab.client("lambda").create_function(
        FunctionName=lab.name(base), Runtime="python3.12", Role=role, Handler="echo.handler",
        Code={"ZipFile": buf.getvalue()})["FunctionArn"])


def _messages(lab: Lab, url: str) -> list[dict[str, Any]]:
    return lab.client("sqs").receive_message(QueueUrl=url, MaxNumberOfMessages=10, VisibilityTimeout=30).get(
        "Messages", [])


@pytest.fixture
def shop(lab: Lab) -> dict[str, Any]:
    """The supporting cast: orders table, shipping queue, order-events topic with a queue subscribed."""
    table = res.ensure_table(lab, "orders", key="pk", stream_view=None)
    shipping = res.ensure_queue(lab, "shipping")
    audit = res.ensure_queue(lab, "audit")
    topic = res.ensure_topic(lab, "order-events")
    res.ensure_queue_subscription(lab, topic, audit, raw=True)
    return {"table": table.name, "shipping": shipping.url, "audit": audit.url, "topic": topic}


def fulfilment(shop: dict[str, Any]) -> dict[str, Any]:
    key = {"pk": {"S.$": "$.orderId"}}
    return {"StartAt": "Record", "States": {
        "Record": {"Type": "Task", "Resource": "arn:aws:states:::dynamodb:putItem", "ResultPath": None,
                   "Parameters": {"TableName": shop["table"], "Item": {**key, "status": {"S": "NEW"}}},
                   "Next": "ReserveItems"},
        "ReserveItems": {"Type": "Map", "ItemsPath": "$.items", "MaxConcurrency": 1, "ResultPath": "$.reservations",
                         "ItemSelector": {"orderId.$": "$.orderId", "sku.$": "$$.Map.Item.Value.sku",
                                          "line.$": "$$.Map.Item.Index"},
                         "ItemProcessor": {"ProcessorConfig": {"Mode": "INLINE"}, "StartAt": "Reserve", "States": {
                             "Reserve": {"Type": "Pass", "Parameters": {"sku.$": "$.sku", "line.$": "$.line",
                                                                        "reserved": True}, "End": True}}},
                         "Next": "Notify"},
        "Notify": {"Type": "Parallel", "ResultPath": "$.notified", "Next": "MarkShipping", "Branches": [
            {"StartAt": "Ship", "States": {"Ship": {
                "Type": "Task", "Resource": "arn:aws:states:::sqs:sendMessage",
                "Parameters": {"QueueUrl": shop["shipping"], "MessageBody.$": "$"},
                "ResultSelector": {"messageId.$": "$.MessageId"}, "End": True}}},
            {"StartAt": "Announce", "States": {"Announce": {
                "Type": "Task", "Resource": "arn:aws:states:::sns:publish",
                "Parameters": {"TopicArn": shop["topic"], "Message.$": "$.orderId"},
                "ResultSelector": {"messageId.$": "$.MessageId"}, "End": True}}}]},
        "MarkShipping": {"Type": "Task", "Resource": "arn:aws:states:::dynamodb:updateItem", "ResultPath": None,
                         "Parameters": {"TableName": shop["table"], "Key": key, "UpdateExpression": "SET #s = :s",
                                        "ExpressionAttributeNames": {"#s": "status"},
                                        "ExpressionAttributeValues": {":s": {"S": "SHIPPING"}}},
                         "Next": "Load"},
        "Load": {"Type": "Task", "Resource": "arn:aws:states:::dynamodb:getItem",
                 "Parameters": {"TableName": shop["table"], "Key": key},
                 "ResultSelector": {"status.$": "$.Item.status.S"}, "ResultPath": "$.record", "Next": "Shipped?"},
        "Shipped?": {"Type": "Choice", "Default": "Lost",
                     "Choices": [{"Variable": "$.record.status", "StringEquals": "SHIPPING", "Next": "Done"}]},
        "Lost": {"Type": "Fail", "Error": "OrderLost", "Cause": "status is not SHIPPING"},
        "Done": {"Type": "Succeed"}}}


def test_order_fulfilment_end_to_end(lab: Lab, shop: dict[str, Any]) -> None:
    out = run(lab, machine(lab, fulfilment(shop), "fulfil"), ORDER)
    assert out["status"] == "SUCCEEDED", out
    result = json.loads(out["output"])
    assert result["reservations"] == [{"sku": "sku-1", "line": 0, "reserved": True},
                                      {"sku": "sku-2", "line": 1, "reserved": True},
                                      {"sku": "sku-3", "line": 2, "reserved": True}]  # in input order
    assert [set(branch) for branch in result["notified"]] == [{"messageId"}, {"messageId"}]  # one per branch, in order
    assert result["record"] == {"status": "SHIPPING"}
    item = lab.client("dynamodb").get_item(TableName=shop["table"], Key={"pk": {"S": "o-2001"}})["Item"]
    assert item["status"] == {"S": "SHIPPING"}
    shipped = _messages(lab, shop["shipping"])
    assert len(shipped) == 1 and json.loads(shipped[0]["Body"])["orderId"] == "o-2001"  # the object as JSON
    assert shipped[0]["MessageId"] == result["notified"][0]["messageId"]
    assert [m["Body"] for m in _messages(lab, shop["audit"])] == ["o-2001"]

    events = history(lab, out["executionArn"])
    assert entered(events)[:2] == ["Record", "ReserveItems"] and entered(events)[-2:] == ["Shipped?", "Done"]
    for kind in ("MapStateStarted", "MapIterationStarted", "MapIterationSucceeded", "ParallelStateStarted",
                 "ParallelStateSucceeded", "TaskScheduled", "TaskSucceeded", "ChoiceStateEntered"):
        assert kind in types(events), kind


def test_map_max_concurrency_one_runs_iterations_one_at_a_time(lab: Lab, shop: dict[str, Any]) -> None:
    out = run(lab, machine(lab, fulfilment(shop), "fulfil"), ORDER)
    iterations = [t for t in types(history(lab, out["executionArn"])) if t.startswith("MapIteration")]
    assert iterations == ["MapIterationStarted", "MapIterationSucceeded"] * 3


def test_map_with_iterator_and_parameters(lab: Lab) -> None:
    """The older field names (Iterator, Parameters) still run."""
    definition = {"StartAt": "Each", "States": {"Each": {
        "Type": "Map", "ItemsPath": "$.items", "Parameters": {"sku.$": "$$.Map.Item.Value.sku"},
        "Iterator": {"StartAt": "Echo", "States": {"Echo": {"Type": "Pass", "End": True}}}, "End": True}}}
    out = run(lab, machine(lab, definition), ORDER)
    assert json.loads(out["output"]) == [{"sku": "sku-1"}, {"sku": "sku-2"}, {"sku": "sku-3"}]


def test_choice_default_leads_to_fail(lab: Lab, shop: dict[str, Any]) -> None:
    definition = fulfilment(shop)
    definition["States"]["Shipped?"]["Choices"][0]["StringEquals"] = "DELIVERED"
    out = run(lab, machine(lab, definition, "fulfil"), ORDER)
    assert (out["status"], out["error"], out["cause"]) == ("FAILED", "OrderLost", "status is not SHIPPING")
    assert entered(history(lab, out["executionArn"]))[-1] == "Lost"


def refund(lab: Lab, shop: dict[str, Any], function_arn: str) -> dict[str, Any]:
    return {"StartAt": "Approve", "States": {
        "Approve": {"Type": "Task", "Resource": "arn:aws:states:::lambda:invoke", "OutputPath": "$.Payload",
                    "Parameters": {"FunctionName": function_arn, "Payload": {"orderId.$": "$.orderId",
                                                                             "amount.$": "$.total"}},
                    "Next": "Audit"},
        "Audit": {"Type": "Task", "Resource": function_arn, "ResultPath": "$.audit", "Next": "Refund"},
        "Refund": {"Type": "Task", "Resource": "arn:aws:states:::dynamodb:getItem",
                   "Parameters": {"TableName": lab.name("payments-gone"), "Key": {"pk": {"S.$": "$.orderId"}}},
                   "Retry": [{"ErrorEquals": ["DynamoDB.ResourceNotFoundException"], "IntervalSeconds": 1,
                              "MaxAttempts": 2, "BackoffRate": 2.0}],
                   "Catch": [{"ErrorEquals": ["States.Timeout"], "Next": "Done"},
                             {"ErrorEquals": ["States.ALL"], "ResultPath": "$.error", "Next": "TellOps"}],
                   "Next": "Done"},
        "TellOps": {"Type": "Task", "Resource": "arn:aws:states:::sqs:sendMessage",
                    "Parameters": {"QueueUrl": shop["shipping"], "MessageBody.$": "$"}, "ResultPath": None,
                    "Next": "Done"},
        "Done": {"Type": "Succeed"}}}


def test_refund_with_lambda_retry_and_catch(lab: Lab, shop: dict[str, Any], fast_clock: None) -> None:
    arn = machine(lab, refund(lab, shop, _echo_function(lab)), "refund")
    out = run(lab, arn, {"orderId": "o-3001", "total": 20})
    assert out["status"] == "SUCCEEDED", out
    result = json.loads(out["output"])
    assert result["orderId"] == "o-3001" and result["amount"] == 20  # lambda:invoke Payload via OutputPath
    assert result["audit"] == {"orderId": "o-3001", "amount": 20}  # a function ARN as Resource: its result
    assert result["error"]["Error"] == "DynamoDB.ResourceNotFoundException"  # Catch ResultPath keeps the input
    assert result["error"]["Cause"]
    told = _messages(lab, shop["shipping"])
    assert len(told) == 1 and json.loads(told[0]["Body"])["error"]["Error"] == "DynamoDB.ResourceNotFoundException"

    events = history(lab, out["executionArn"])
    assert {"LambdaFunctionScheduled", "LambdaFunctionSucceeded"} <= set(types(events))
    refund_failures = [e for e in events if e["type"] == "TaskFailed"]
    assert len(refund_failures) == 3  # the first attempt + MaxAttempts (2) retries, then the catcher
    assert entered(events) == ["Approve", "Audit", "Refund", "TellOps", "Done"]


def test_uncaught_task_error_fails_the_execution(lab: Lab, shop: dict[str, Any]) -> None:
    definition = {"StartAt": "Ship", "States": {"Ship": {
        "Type": "Task", "Resource": "arn:aws:states:::sqs:sendMessage",
        "Parameters": {"QueueUrl": shop["shipping"] + "-missing", "MessageBody": "x"}, "End": True}}}
    out = run(lab, machine(lab, definition), ORDER)
    assert out["status"] == "FAILED" and out["error"].startswith("SQS.") and out["cause"]
    events = history(lab, out["executionArn"])
    assert types(events)[-2:] == ["TaskFailed", "ExecutionFailed"]
    assert events[-2]["taskFailedEventDetails"]["error"] == out["error"]
