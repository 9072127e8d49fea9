"""Step Functions state transitions reach the observe bus and the flow trace.

What AWS records for an execution (API reference, GetExecutionHistory / HistoryEvent): each state
entered and exited (``stateEnteredEventDetails`` / ``stateExitedEventDetails`` with the state's
``name``, its ``input`` / ``output``) and how it ended (``ExecutionSucceeded`` with ``output``,
``ExecutionFailed`` with ``error`` and ``cause``). The layer reports the same transitions as they
happen (contract: ``Delivery(service="stepfunctions", action="state-entered" | "state-exited" |
"execution-succeeded" | "execution-failed", source=<state machine ARN>, target=<execution ARN>,
detail={"state", "execution", "type"})``). Plain moto reports nothing
(``LABS_EMULATOR_DISABLE=sfn_deliveries``): every test here fails there.
"""

from __future__ import annotations

import json

from labs.helpers import Lab
from labs.helpers import resources as res
from labs.helpers.observe import Delivery
from tests.emulator.sfn_helpers import history, machine, run

ORDER = {"orderId": "o-1001", "total": 42}
CHOICE = {"StartAt": "Big?", "States": {
    "Big?": {"Type": "Choice", "Choices": [{"Variable": "$.total", "NumericGreaterThan": 100, "Next": "Review"}],
             "Default": "Ship"},
    "Review": {"Type": "Pass", "End": True},
    "Ship": {"Type": "Pass", "Result": {"shipped": True}, "ResultPath": "$.shipment", "End": True}}}


def _mine(deliveries: list[Delivery], execution_arn: str) -> list[Delivery]:
    return [d for d in deliveries if d.service == "stepfunctions" and d.target == execution_arn]


def test_each_transition_is_reported_in_order(lab: Lab, deliveries: list[Delivery]) -> None:
    arn = machine(lab, CHOICE)
    out = run(lab, arn, ORDER)
    mine = _mine(deliveries, out["executionArn"])
    steps = [(d.action, d.detail["state"], d.detail["type"]) for d in mine]
    assert steps == [("state-entered", "Big?", "Choice"), ("state-exited", "Big?", "Choice"),
                     ("state-entered", "Ship", "Pass"), ("state-exited", "Ship", "Pass"),
                     ("execution-succeeded", "Ship", "Execution")]
    for d in mine:
        assert (d.source, d.target, d.cause_id) == (arn, out["executionArn"], out["executionArn"])
        assert d.detail["execution"] == out["name"]
        assert d.status == "delivered"
    assert mine[0].payload == ORDER  # a state's input as it entered
    assert mine[3].payload == {**ORDER, "shipment": {"shipped": True}}  # ... and its output as it left
    assert mine[-1].payload == json.loads(out["output"])


def test_reported_ids_match_the_history(lab: Lab, deliveries: list[Delivery]) -> None:
    """Each report carries the id/previousEventId of the HistoryEvent it mirrors."""
    out = run(lab, machine(lab, CHOICE), ORDER)
    events = {e["id"]: e for e in history(lab, out["executionArn"])}
    for d in _mine(deliveries, out["executionArn"]):
        event = events[d.detail["event_id"]]
        assert event["previousEventId"] == d.detail["previous_event_id"]
        assert event["type"].endswith(("StateEntered", "StateExited", "Succeeded"))


def test_failed_execution_names_the_state_and_error(lab: Lab, deliveries: list[Delivery]) -> None:
    definition = {"StartAt": "Reserve", "States": {
        "Reserve": {"Type": "Pass", "Next": "NoStock"},
        "NoStock": {"Type": "Fail", "Error": "OutOfStock", "Cause": "sku-9 sold out"}}}
    out = run(lab, machine(lab, definition), ORDER)
    last = _mine(deliveries, out["executionArn"])[-1]
    assert last.action == "execution-failed" and last.status == "failed"
    assert last.detail["state"] == "NoStock"
    assert last.detail["error"] == "OutOfStock: sku-9 sold out"


def test_flow_trace_shows_the_execution(lab: Lab) -> None:
    """The lab's flow has the StartExecution call and, linked by cause_id, its transitions."""
    arn = machine(lab, CHOICE)
    lab.flow.clear()
    out = run(lab, arn, ORDER)
    df = lab.flow.df
    start = df[(df["kind"] == "call") & (df["operation"] == "StartExecution")]
    assert len(start) == 1
    execution_id = start.iloc[0]["message_ids"][0]
    rows = df[(df["kind"] == "delivery") & (df["service"] == "stepfunctions")]
    assert list(rows["operation"]) == ["state-entered", "state-exited", "state-entered", "state-exited",
                                       "execution-succeeded"]
    assert set(rows["cause_id"]) == {execution_id}
    assert "o-1001" in set(lab.flow.follow("o-1001")["order_ids"].sum())
    assert out["status"] == "SUCCEEDED"


def test_tasks_report_where_their_messages_went(lab: Lab, deliveries: list[Delivery]) -> None:
    """A task's call is a delivery to the queue/topic/table it touched, with the MessageId AWS returned."""
    queue = res.ensure_queue(lab, "shipping")
    table = res.ensure_table(lab, "orders", key="pk", stream_view=None)
    definition = {"StartAt": "Ship", "States": {
        "Ship": {"Type": "Task", "Resource": "arn:aws:states:::sqs:sendMessage", "ResultPath": "$.sent",
                 "Parameters": {"QueueUrl": queue.url, "MessageBody.$": "$.orderId"}, "Next": "Save"},
        "Save": {"Type": "Task", "Resource": "arn:aws:states:::dynamodb:putItem", "ResultPath": None,
                 "Parameters": {"TableName": table.name, "Item": {"pk": {"S.$": "$.orderId"}}}, "Next": "Lost"},
        "Lost": {"Type": "Task", "Resource": "arn:aws:states:::dynamodb:getItem",
                 "Parameters": {"TableName": lab.name("missing"), "Key": {"pk": {"S": "x"}}}, "End": True}}}
    out = run(lab, machine(lab, definition), ORDER)
    tasks = [d for d in deliveries if d.action == "task" and d.cause_id == out["executionArn"]]
    assert [(d.detail["state"], d.detail["integration"], d.status) for d in tasks] == [
        ("Ship", "sqs:sendMessage", "delivered"), ("Save", "dynamodb:putItem", "delivered"),
        ("Lost", "dynamodb:getItem", "failed")]
    ship, save, lost = tasks
    assert ship.target == queue.arn and ship.payload == "o-1001"
    received = lab.client("sqs").receive_message(QueueUrl=queue.url)["Messages"][0]
    assert ship.message_id == received["MessageId"]
    assert save.target.endswith(f":table/{table.name}") and save.payload == {"pk": {"S": "o-1001"}}
    assert lost.detail["error"].startswith("DynamoDB.ResourceNotFoundException")
    assert all(d.source.endswith(":stateMachine:" + lab.name("flow")) for d in tasks)


def test_put_events_task_links_to_the_rule_delivery(lab: Lab, deliveries: list[Delivery]) -> None:
    """``events:putEvents`` (service integration page: "Send custom events to EventBridge"): the task's
    delivery targets the bus, carries the EventId, and the rule's delivery names it as its cause."""
    audit = res.ensure_queue(lab, "audit")
    bus_arn = res.ensure_event_bus(lab, "orders")
    res.ensure_rule(lab, "shipped", bus=lab.name("orders"), pattern={"source": ["securecart.fulfilment"]},
                    targets=[{"Id": "audit", "Arn": audit.arn}])
    definition = {"StartAt": "Announce", "States": {"Announce": {
        "Type": "Task", "Resource": "arn:aws:states:::events:putEvents", "End": True,
        "Parameters": {"Entries": [{"EventBusName": lab.name("orders"), "Source": "securecart.fulfilment",
                                    "DetailType": "OrderShipped", "Detail": {"orderId.$": "$.orderId"}}]}}}}
    out = run(lab, machine(lab, definition), ORDER)
    assert out["status"] == "SUCCEEDED"
    task = next(d for d in deliveries if d.action == "task" and d.cause_id == out["executionArn"])
    assert task.target == bus_arn and task.detail["integration"] == "events:putEvents"
    assert task.payload == {"orderId": "o-1001"}
    event_id = json.loads(out["output"])["Entries"][0]["EventId"]
    assert task.message_id == event_id
    body = json.loads(lab.client("sqs").receive_message(QueueUrl=audit.url)["Messages"][0]["Body"])
    assert body["id"] == event_id and body["detail"] == {"orderId": "o-1001"}
    assert any(d.action == "rule-match" and d.cause_id == event_id for d in deliveries)
