"""Other services invoking Lambda get the real handler, and each hop is reported once.

Step Functions developer guide, "Invoke a Lambda function": a Task state calls the function and
uses its result. The flow trace should show each hop once: the layer that performs a delivery
(Step Functions' task, an EventBridge rule, an event source mapping, SNS) reports it, and the
Lambda runtime reports only invocations nobody else does (the student's own ``invoke``).
"""

from __future__ import annotations

import json

from labs.helpers import Lab
from labs.helpers.observe import Delivery
from tests.emulator.lambda_helpers import deploy, role_arn


def test_step_functions_lambda_tasks_get_the_handlers_result(lab: Lab) -> None:
    """Step Functions developer guide, "Invoke a Lambda function": the optimized integration
    ``arn:aws:states:::lambda:invoke`` returns ``{"StatusCode", "ExecutedVersion", "Payload": <result>}``;
    a Task whose Resource is the function ARN returns the function's result itself."""
    import time

    fn = deploy(lab, "pricer", "def handler(event, context):\n    return {'total': sum(event['prices'])}\n")
    sfn = lab.client("stepfunctions")
    outputs = []
    for i, state in enumerate([
            {"Type": "Task", "Resource": "arn:aws:states:::lambda:invoke", "End": True,
             "Parameters": {"FunctionName": fn, "Payload.$": "$"}, "ResultSelector": {"total.$": "$.Payload.total"}},
            {"Type": "Task", "Resource": fn, "End": True}]):
        machine = sfn.create_state_machine(name=lab.name(f"price-{i}"), roleArn=role_arn(lab),
                                           definition=json.dumps({"StartAt": "Price", "States": {"Price": state}}))
        execution = sfn.start_execution(stateMachineArn=machine["stateMachineArn"], name=f"order-{i}",
                                        input=json.dumps({"prices": [10, 20, 12]}))["executionArn"]
        for _ in range(200):  # bounded wait for moto's execution thread
            described = sfn.describe_execution(executionArn=execution)
            if described["status"] != "RUNNING":
                break
            time.sleep(0.02)
        outputs.append((described["status"], json.loads(described.get("output", "null"))))
    assert outputs == [("SUCCEEDED", {"total": 42}), ("SUCCEEDED", {"total": 42})]


def test_invoke_deliveries_only_for_hops_nobody_else_reports(lab: Lab, deliveries: list[Delivery]) -> None:
    """The student's own asynchronous invoke is reported (its handler's outcome is not in the call's
    response); a Step Functions task reports its own delivery, so the runtime adds no second row."""
    import time

    fn = deploy(lab, "broken", "def handler(event, context):\n    raise ValueError('nope')\n")
    lab.client("lambda").invoke(FunctionName=fn, InvocationType="Event", Payload=b"{}")
    [own] = [d for d in deliveries if d.action == "invoke"]
    assert own.source == "client" and own.status == "failed" and own.detail["error"] == "ValueError"
    sfn = lab.client("stepfunctions")
    machine = sfn.create_state_machine(
        name=lab.name("caller"), roleArn=role_arn(lab),
        definition=json.dumps({"StartAt": "Call", "States": {"Call": {"Type": "Task", "Resource": fn, "End": True}}}))
    execution = sfn.start_execution(stateMachineArn=machine["stateMachineArn"], name="one")["executionArn"]
    for _ in range(200):
        if sfn.describe_execution(executionArn=execution)["status"] != "RUNNING":
            break
        time.sleep(0.02)
    assert [d for d in deliveries if d.action == "invoke"] == [own]


def test_an_eventbridge_lambda_target_is_one_rule_match_hop(lab: Lab, deliveries: list[Delivery]) -> None:
    """An EventBridge rule invoking its Lambda target is reported once, as the rule's delivery."""
    fn = deploy(lab, "listener", "def handler(event, context):\n    return event['detail']\n")
    events = lab.client("events")
    events.put_rule(Name=lab.name("orders"), EventPattern=json.dumps({"source": ["securecart.orders"]}))
    events.put_targets(Rule=lab.name("orders"), Targets=[{"Id": "fn", "Arn": fn}])
    events.put_events(Entries=[{"Source": "securecart.orders", "DetailType": "OrderPlaced", "Detail": "{}"}])
    hops = [d for d in deliveries if d.target == fn]
    assert [d.action for d in hops] == ["rule-match"], hops
