"""Lab 4's checks on plain states: the wrong states a learner leaves, and the hint each must get.

The checks' behaviour on real wrong answers through the whole notebook is asserted by the wrong-answer
suite (``tests/wrong_answers/stepfunctions_fulfilment.py``); these are the fast version: the lab's
functions and tables made with plain boto3 calls, one learner state per test, one check each.
"""

from __future__ import annotations

import copy
import json
from typing import Any

import pytest

from labs.helpers import Lab
from labs.helpers.checks import run
from labs.helpers.functions import handler_name, package_handler
from labs.helpers.resources import ensure_role, ensure_table, ensure_topic

LAB = "stepfunctions-fulfilment"
Q = {":q": {"N.$": "States.Format('{}', $.quantity)"}}


@pytest.fixture(name="shop")
def shop_fixture(lab: Lab) -> dict[str, Any]:
    """The notebook's given resources: tables, topic, the four functions."""
    lam = lab.client("lambda")
    stock = ensure_table(lab, "stock", key="sku", stream_view=None)
    payments = ensure_table(lab, "payments", key="order_id", stream_view=None)
    topic = ensure_topic(lab, "order-updates")
    role = ensure_role(lab, "fns", "lambda.amazonaws.com", [{"Effect": "Allow", "Action": "dynamodb:UpdateItem",
                                                              "Resource": payments.arn}])
    fns = {}
    for base, handler in (("validate-order", "validate"), ("charge-payment", "charge"),
                          ("refund-payment", "refund"), ("ship-order", "ship")):
        fns[handler] = lam.create_function(
            FunctionName=lab.name(base), Runtime="python3.12", Role=role,
            Handler=handler_name("labs.handlers.fulfilment", handler),
            Code={"ZipFile": package_handler("labs.handlers.fulfilment")},
            Environment={"Variables": {"PAYMENTS_TABLE": payments.name}})["FunctionArn"]
    return {"stock": stock, "payments": payments, "topic": topic, "fns": fns}


def _role(lab: Lab, shop: dict[str, Any], statements: list[dict[str, Any]] | None = None,
          service: Any = "states.amazonaws.com") -> str:
    statements = statements if statements is not None else [
        {"Effect": "Allow", "Action": "lambda:InvokeFunction", "Resource": list(shop["fns"].values())},
        {"Effect": "Allow", "Action": "dynamodb:UpdateItem", "Resource": shop["stock"].arn},
        {"Effect": "Allow", "Action": "sns:Publish", "Resource": shop["topic"]}]
    iam = lab.client("iam")
    trust = {"Version": "2012-10-17", "Statement": [{"Effect": "Allow", "Principal": {"Service": service},
                                                     "Action": "sts:AssumeRole"}]}
    arn = iam.create_role(RoleName=lab.name("fulfilment-role"), AssumeRolePolicyDocument=json.dumps(trust))["Role"]["Arn"]
    iam.put_role_policy(RoleName=lab.name("fulfilment-role"), PolicyName="p",
                        PolicyDocument=json.dumps({"Version": "2012-10-17", "Statement": statements}))
    return str(arn)


def _invoke(fn: str, nxt: str | None, **extra: Any) -> dict[str, Any]:
    state = {"Type": "Task", "Resource": "arn:aws:states:::lambda:invoke",
             "Parameters": {"FunctionName": fn, "Payload.$": "$"}, **extra}
    state.update({"Next": nxt} if nxt else {"End": True})
    return state


def _update(table: str, expression: str, nxt: str, condition: bool = True, **extra: Any) -> dict[str, Any]:
    params = {"TableName": table, "Key": {"sku": {"S.$": "$.sku"}}, "UpdateExpression": expression,
              "ExpressionAttributeValues": Q}
    if condition:
        params["ConditionExpression"] = "available >= :q"
    return {"Type": "Task", "Resource": "arn:aws:states:::dynamodb:updateItem", "Parameters": params,
            "ResultPath": None, "Next": nxt, **extra}


def fulfilment(shop: dict[str, Any]) -> dict[str, Any]:
    fns, table = shop["fns"], shop["stock"].name
    return {"StartAt": "ValidateOrder", "States": {
        "ValidateOrder": _invoke(fns["validate"], "ReserveStock", OutputPath="$.Payload"),
        "ReserveStock": _update(table, "SET available = available - :q", "ChargePayment"),
        "ChargePayment": _invoke(fns["charge"], "ShipAndNotify", ResultSelector={"payment_id.$": "$.Payload.payment_id"},
                                 ResultPath="$.payment"),
        "ShipAndNotify": {"Type": "Parallel", "ResultPath": None, "Next": "Done", "Branches": [
            {"StartAt": "Ship", "States": {"Ship": _invoke(fns["ship"], None)}},
            {"StartAt": "Notify", "States": {"Notify": {
                "Type": "Task", "Resource": "arn:aws:states:::sns:publish", "End": True,
                "Parameters": {"TopicArn": shop["topic"], "Message.$": "$.order_id"}}}}]},
        "Done": {"Type": "Succeed"}}}


def saga(shop: dict[str, Any], retry: list[str] | None = None, attempts: int = 3, end: str = "Fail",
         release: bool = True, refund_first: bool = True) -> dict[str, Any]:
    d = copy.deepcopy(fulfilment(shop))
    s = d["States"]
    s["ReserveStock"]["Catch"] = [{"ErrorEquals": ["DynamoDB.ConditionalCheckFailedException"], "Next": "OutOfStock"}]
    s["ChargePayment"]["Retry"] = [{"ErrorEquals": retry or ["ProviderUnavailable"], "IntervalSeconds": 1,
                                    "BackoffRate": 2, "MaxAttempts": attempts}]
    s["ChargePayment"]["Catch"] = [{"ErrorEquals": ["States.ALL"], "ResultPath": "$.error",
                                    "Next": "ReleaseStock" if release else "OrderFailed"}]
    s["ShipAndNotify"]["Catch"] = [{"ErrorEquals": ["States.ALL"], "ResultPath": "$.error",
                                    "Next": "RefundPayment" if refund_first else "ReleaseStock"}]
    s["RefundPayment"] = _invoke(shop["fns"]["refund"], ("ReleaseStock" if release else "OrderFailed") if refund_first
                                 else "OrderFailed", ResultPath="$.refund")
    s["ReleaseStock"] = _update(shop["stock"].name, "SET available = available + :q",
                                "OrderFailed" if refund_first else "RefundPayment", condition=False)
    s["OrderFailed"] = ({"Type": "Fail", "ErrorPath": "$.error.Error", "CausePath": "$.error.Cause"} if end == "Fail"
                        else {"Type": "Succeed"})
    s["OutOfStock"] = {"Type": "Fail", "Error": "OutOfStock", "Cause": "sold out"}
    return d


def _deploy(lab: Lab, base: str, definition: dict[str, Any], role: str, kind: str = "STANDARD") -> str:
    return str(lab.client("stepfunctions").create_state_machine(
        name=lab.name(base), definition=json.dumps(definition), roleArn=role, type=kind)["stateMachineArn"])


def _result(step: str, lab: Lab, *answers: Any) -> Any:
    return run(f"{LAB}.{step}", lab, *answers)


# ------------------------------------------------------------------ role
def test_role_missing_is_not_attempted(lab: Lab, shop: dict[str, Any]) -> None:
    result = _result("role", lab)
    assert result.status == "not-attempted" and "create_role" in (result.hint or "")


@pytest.mark.parametrize(("service", "statements", "words"), [
    ("lambda.amazonaws.com", None, "states.amazonaws.com"),
    (["states.amazonaws.com", "events.amazonaws.com"], None, "Trust only"),
    ("states.amazonaws.com", [{"Effect": "Allow", "Action": "*", "Resource": "*"}], "no '*'"),
    ("states.amazonaws.com", [{"Effect": "Allow", "Action": ["lambda:InvokeFunction", "dynamodb:UpdateItem"], "Resource": "*"}],
     "sns:Publish"),
    ("states.amazonaws.com", [{"Effect": "Allow", "Action": ["lambda:*", "dynamodb:UpdateItem", "sns:Publish"],
                               "Resource": "*"}], "Least privilege"),
])
def test_role_wrong_states(lab: Lab, shop: dict[str, Any], service: Any, statements: Any, words: str) -> None:
    _role(lab, shop, statements, service)
    result = _result("role", lab)
    assert result.status == "incorrect" and words in (result.hint or ""), result.text()


def test_role_with_a_regional_principal_and_version_arns_passes(lab: Lab, shop: dict[str, Any]) -> None:
    fns = [f + s for f in shop["fns"].values() for s in ("", ":*")]
    _role(lab, shop, [{"Effect": "Allow", "Action": ["lambda:InvokeFunction"], "Resource": fns},
                      {"Effect": "Allow", "Action": ["dynamodb:UpdateItem", "sns:Publish"],
                       "Resource": [shop["stock"].arn, shop["topic"]]}], service=f"states.{lab.region}.amazonaws.com")
    assert _result("role", lab).status == "correct"


# ------------------------------------------------------------------ workflow
def _any_role(lab: Lab, shop: dict[str, Any]) -> str:
    try:
        return str(lab.client("iam").get_role(RoleName=lab.name("fulfilment-role"))["Role"]["Arn"])
    except lab.client("iam").exceptions.NoSuchEntityException:
        return _role(lab, shop)


def test_workflow_without_machine_is_not_attempted(lab: Lab, shop: dict[str, Any]) -> None:
    assert _result("workflow", lab).status == "not-attempted"


def _broken(shop: dict[str, Any], change: str) -> dict[str, Any]:
    d = fulfilment(shop)
    s = d["States"]
    if change == "no condition":
        s["ReserveStock"]["Parameters"].pop("ConditionExpression")
    elif change == "no validate":
        d["StartAt"] = "ReserveStock"
    elif change == "no notify":
        s["ShipAndNotify"]["Branches"] = s["ShipAndNotify"]["Branches"][:1]
    elif change == "adds stock":
        s["ReserveStock"]["Parameters"]["UpdateExpression"] = "SET available = available + :q"
    return d


@pytest.mark.parametrize(("change", "words"), [("no condition", "ConditionExpression"), ("no validate", "ValidateOrder"),
                                               ("no notify", "sns:publish"), ("adds stock", "decrement")])
def test_workflow_wrong_states(lab: Lab, shop: dict[str, Any], change: str, words: str) -> None:
    _deploy(lab, "fulfilment", _broken(shop, change), _any_role(lab, shop))
    result = _result("workflow", lab)
    assert result.status == "incorrect" and words in (result.hint or ""), result.text()


def test_workflow_express_is_wrong(lab: Lab, shop: dict[str, Any]) -> None:
    _deploy(lab, "fulfilment", fulfilment(shop), _any_role(lab, shop), "EXPRESS")
    result = _result("workflow", lab)
    assert result.status == "incorrect" and "STANDARD" in (result.hint or "")


def test_workflow_with_the_saga_passes(lab: Lab, shop: dict[str, Any]) -> None:
    _deploy(lab, "fulfilment", saga(shop), _any_role(lab, shop))
    assert _result("workflow", lab).status == "correct"


# ------------------------------------------------------------------ saga
@pytest.mark.parametrize(("kwargs", "words"), [
    ({"retry": ["States.ALL"]}, "ProviderUnavailable"),
    ({"attempts": 0}, "MaxAttempts"),
    ({"end": "Succeed"}, "Fail state"),
    ({"release": False}, "ReleaseStock"),
    ({"refund_first": False}, "newest first"),
])
def test_saga_wrong_states(lab: Lab, shop: dict[str, Any], kwargs: dict[str, Any], words: str) -> None:
    _deploy(lab, "fulfilment", saga(shop, **kwargs), _any_role(lab, shop))
    result = _result("saga", lab)
    assert result.status == "incorrect" and words in (result.hint or ""), result.text()


def test_saga_catches_the_plain_fulfilment(lab: Lab, shop: dict[str, Any]) -> None:
    _deploy(lab, "fulfilment", fulfilment(shop), _any_role(lab, shop))
    result = _result("saga", lab)
    assert result.status == "incorrect" and "ReleaseStock" in (result.hint or "")


def test_saga_with_a_fixed_error_and_more_attempts_passes(lab: Lab, shop: dict[str, Any]) -> None:
    d = saga(shop, attempts=5)
    d["States"]["OrderFailed"] = {"Type": "Fail", "Error": "OrderFailed", "Cause": "compensated"}
    _deploy(lab, "fulfilment", d, _any_role(lab, shop))
    assert _result("saga", lab).status == "correct"


# ------------------------------------------------------------------ idempotent
def _start_orders(lab: Lab) -> dict[str, Any]:
    sfn = lab.client("stepfunctions")

    def by_name(machine_arn: str, order: dict) -> str:
        try:
            return sfn.start_execution(stateMachineArn=machine_arn, name=order["order_id"],
                                       input=json.dumps(order))["executionArn"]
        except sfn.exceptions.ExecutionAlreadyExists:
            return machine_arn.replace(":stateMachine:", ":execution:") + ":" + order["order_id"]

    def unnamed(machine_arn: str, order: dict) -> str:
        return sfn.start_execution(stateMachineArn=machine_arn, input=json.dumps(order))["executionArn"]

    def uncaught(machine_arn: str, order: dict) -> str:
        return sfn.start_execution(stateMachineArn=machine_arn, name=order["order_id"], input=json.dumps(order))["executionArn"]

    def returns_none(machine_arn: str, order: dict) -> Any:
        try:
            return uncaught(machine_arn, order)
        except sfn.exceptions.ExecutionAlreadyExists:
            return None

    def renamed(machine_arn: str, order: dict) -> str:
        try:
            return uncaught(machine_arn, order)
        except sfn.exceptions.ExecutionAlreadyExists:
            return sfn.start_execution(stateMachineArn=machine_arn, name=order["order_id"] + "-2",
                                       input=json.dumps(order))["executionArn"]

    return {"ok": by_name, "unnamed": unnamed, "uncaught": uncaught, "none": returns_none, "renamed": renamed}


@pytest.mark.parametrize(("answer", "words"), [("unnamed", "order id as the execution's name"), ("uncaught", "ExecutionAlreadyExists"),
                                               ("none", "existing execution's ARN"), ("renamed", "existing execution")])
def test_idempotent_wrong_answers(lab: Lab, shop: dict[str, Any], answer: str, words: str) -> None:
    _deploy(lab, "fulfilment", saga(shop), _any_role(lab, shop))
    result = _result("idempotent", lab, _start_orders(lab)[answer])
    assert result.status == "incorrect" and words in (result.hint or ""), result.text()


def test_idempotent_unanswered_and_right(lab: Lab, shop: dict[str, Any]) -> None:
    _deploy(lab, "fulfilment", saga(shop), _any_role(lab, shop))
    assert _result("idempotent", lab, ...).status == "not-attempted"
    assert _result("idempotent", lab, _start_orders(lab)["ok"]).status == "correct"


# ------------------------------------------------------------------ map
def _basket(shop: dict[str, Any], concurrency: int | None = 2, catch: bool = True, condition: bool = True,
            backorder: dict[str, Any] | None = None) -> dict[str, Any]:
    item = _update(shop["stock"].name, "SET available = available - :q", "Reserved", condition=condition)
    if catch:
        item["Catch"] = [{"ErrorEquals": ["DynamoDB.ConditionalCheckFailedException"], "ResultPath": None, "Next": "Backorder"}]
    state: dict[str, Any] = {"Type": "Map", "ItemsPath": "$.items", "End": True, "ItemProcessor": {
        "StartAt": "ReserveItem", "States": {
            "ReserveItem": item,
            "Reserved": {"Type": "Pass", "Parameters": {"sku.$": "$.sku", "reserved": True}, "End": True},
            "Backorder": {"Type": "Pass", "Parameters": backorder or {"sku.$": "$.sku", "backordered": True}, "End": True}}}}
    if concurrency is not None:
        state["MaxConcurrency"] = concurrency
    return {"StartAt": "ReserveItems", "States": {"ReserveItems": state}}


@pytest.mark.parametrize(("kwargs", "words"), [
    ({"concurrency": None}, "MaxConcurrency"), ({"concurrency": 6}, "MaxConcurrency 2"),
    ({"catch": False}, "inside the ItemProcessor"), ({"condition": False}, "ConditionExpression"),
    ({"backorder": {"sku.$": "$.sku", "reserved": False}}, "backordered"),
])
def test_map_wrong_states(lab: Lab, shop: dict[str, Any], kwargs: dict[str, Any], words: str) -> None:
    _deploy(lab, "reserve-items", _basket(shop, **kwargs), _any_role(lab, shop))
    result = _result("map", lab)
    assert result.status == "incorrect" and words in (result.hint or ""), result.text()


def test_map_one_at_a_time_passes(lab: Lab, shop: dict[str, Any]) -> None:
    assert _result("map", lab).status == "not-attempted"
    _deploy(lab, "reserve-items", _basket(shop, concurrency=1), _any_role(lab, shop))
    assert _result("map", lab).status == "correct"


# ------------------------------------------------------------------ callback
def _warehouse(lab: Lab, timing: dict[str, int], token: bool = True) -> tuple[str, Any]:
    sqs, sfn = lab.client("sqs"), lab.client("stepfunctions")
    url = sqs.create_queue(QueueName=lab.name("warehouse"))["QueueUrl"]
    role = ensure_role(lab, "shipment-role", "states.amazonaws.com", [{"Effect": "Allow", "Action": "sqs:SendMessage",
                                                                        "Resource": "*"}])
    body = {"order_id.$": "$.order_id", **({"token.$": "$$.Task.Token"} if token else {})}
    _deploy(lab, "shipment", {"StartAt": "Await", "States": {"Await": {
        "Type": "Task", "Resource": "arn:aws:states:::sqs:sendMessage.waitForTaskToken", "End": True, **timing,
        "Parameters": {"QueueUrl": url, "MessageBody": body}}}}, role)

    def answers(results: dict, fail: bool = True) -> int:
        n = 0
        for m in sqs.receive_message(QueueUrl=url, MaxNumberOfMessages=10).get("Messages", []):
            b = json.loads(m["Body"])
            if b["order_id"] not in results:
                continue
            if results[b["order_id"]] is None and fail:
                sfn.send_task_failure(taskToken=b["token"], error="ShipmentFailed")
            else:
                sfn.send_task_success(taskToken=b["token"], output=json.dumps({"tracking": results[b["order_id"]]}))
            sqs.delete_message(QueueUrl=url, ReceiptHandle=m["ReceiptHandle"])
            n += 1
        return n

    return url, answers


GOOD_TIMING = {"TimeoutSeconds": 172800, "HeartbeatSeconds": 3600}


@pytest.mark.parametrize(("timing", "words"), [
    ({"HeartbeatSeconds": 3600}, "TimeoutSeconds"), ({"TimeoutSeconds": 172800}, "HeartbeatSeconds"),
    ({"TimeoutSeconds": 7200, "HeartbeatSeconds": 3600}, "2 days"),
])
def test_callback_timing(lab: Lab, timing: dict[str, int], words: str) -> None:
    _url, answers = _warehouse(lab, timing)
    result = _result("callback", lab, answers)
    assert result.status == "incorrect" and words in (result.hint or ""), result.text()


def test_callback_failure_answered_as_success(lab: Lab) -> None:
    _url, answers = _warehouse(lab, GOOD_TIMING)
    result = _result("callback", lab, lambda results: answers(results, fail=False))
    assert result.status == "incorrect" and "send_task_failure" in (result.hint or "")


def test_callback_without_token(lab: Lab) -> None:
    _url, answers = _warehouse(lab, GOOD_TIMING, token=False)
    result = _result("callback", lab, answers)
    assert result.status == "incorrect" and "$$.Task.Token" in (result.hint or "")


def test_callback_right_and_unanswered(lab: Lab) -> None:
    _url, answers = _warehouse(lab, {"TimeoutSeconds": 170000, "HeartbeatSeconds": 900})
    assert _result("callback", lab, ...).status == "not-attempted"
    assert _result("callback", lab, answers).status == "correct"


# ------------------------------------------------------------------ express
def _refund_machine(lab: Lab, shop: dict[str, Any], kind: str = "EXPRESS", release: bool = True) -> str:
    states: dict[str, Any] = {"RefundPayment": _invoke(shop["fns"]["refund"], "ReleaseStock" if release else None,
                                                       ResultPath="$.refund")}
    if release:
        states["ReleaseStock"] = _update(shop["stock"].name, "SET available = available + :q", "Done", condition=False)
        states["Done"] = {"Type": "Succeed"}
    return _deploy(lab, "refund", {"StartAt": "RefundPayment", "States": states}, _any_role(lab, shop), kind)


def test_express_wrong_states(lab: Lab, shop: dict[str, Any]) -> None:
    sfn = lab.client("stepfunctions")
    arn = _refund_machine(lab, shop, kind="STANDARD")
    result = _result("express", lab, lambda order: sfn.start_execution(stateMachineArn=arn, input=json.dumps(order))["executionArn"])
    assert result.status == "incorrect" and "EXPRESS" in (result.hint or "")
    sfn.delete_state_machine(stateMachineArn=arn)
    arn = _refund_machine(lab, shop, release=False)
    sync = lambda order: sfn.start_sync_execution(stateMachineArn=arn, input=json.dumps(order))
    result = _result("express", lab, sync)
    assert result.status == "incorrect" and "'status'" in (result.hint or "")
    result = _result("express", lab, lambda order: sfn.start_execution(stateMachineArn=arn, input=json.dumps(order))["executionArn"])
    assert result.status == "incorrect" and "start_sync_execution" in (result.hint or "")
    result = _result("express", lab, lambda order: sync(order)["status"])
    assert result.status == "incorrect" and "ReleaseStock" in (result.hint or "")


def test_express_right_and_unanswered(lab: Lab, shop: dict[str, Any]) -> None:
    sfn = lab.client("stepfunctions")
    assert _result("express", lab, ...).status == "not-attempted"
    arn = _refund_machine(lab, shop)
    assert _result("express", lab, lambda order: sfn.start_sync_execution(
        stateMachineArn=arn, name=f"r-{order['order_id']}", input=json.dumps(order)).get("status")).status == "correct"
