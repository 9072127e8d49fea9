"""Small builders shared by the EventBridge emulator tests (a bus, a rule, a queue to look into)."""

from __future__ import annotations

import io
import json
import zipfile
from typing import Any

from labs.helpers import Lab


def queue(lab: Lab, base: str, **attributes: str) -> tuple[str, str]:
    """(url, arn) of a new queue."""
    sqs = lab.client("sqs")
    url = sqs.create_queue(QueueName=lab.name(base), Attributes=attributes)["QueueUrl"]
    return url, sqs.get_queue_attributes(QueueUrl=url, AttributeNames=["QueueArn"])["Attributes"]["QueueArn"]


def drain(lab: Lab, url: str) -> list[dict[str, Any]]:
    return lab.client("sqs").receive_message(QueueUrl=url, MaxNumberOfMessages=10, VisibilityTimeout=30,
                                              MessageAttributeNames=["All"]).get("Messages", [])


def rule(lab: Lab, targets: list[dict[str, Any]], pattern: dict[str, Any] | None = None,
         bus: str = "orders-bus", name: str = "orders-rule") -> str:
    """A rule on a custom bus (created if needed) with ``targets``; returns the bus name."""
    events = lab.client("events")
    bus_name = lab.name(bus)
    if bus_name not in {b["Name"] for b in events.list_event_buses()["EventBuses"]}:
        events.create_event_bus(Name=bus_name)
    events.put_rule(Name=lab.name(name), EventBusName=bus_name,
                    EventPattern=json.dumps(pattern or {"source": ["securecart.orders"]}))
    events.put_targets(Rule=lab.name(name), EventBusName=bus_name, Targets=targets)
    return bus_name


def put_order(lab: Lab, bus_name: str, detail: dict[str, Any] | None = None) -> str:
    """Put one OrderPlaced event; returns its EventId."""
    detail = detail if detail is not None else {"orderId": "o-1001", "sku": "SKU-1", "quantity": 2, "total": 59.9}
    result = lab.client("events").put_events(Entries=[{
        "Source": "securecart.orders", "DetailType": "OrderPlaced", "Detail": json.dumps(detail),
        "EventBusName": bus_name}])
    assert result["FailedEntryCount"] == 0, result
    return str(result["Entries"][0]["EventId"])


def handler_zip(source: str = "def handler(event, context):\n    return event\n") -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        archive.writestr("handler.py", source)
    return buffer.getvalue()


def function(lab: Lab, base: str) -> str:
    """A Python Lambda function; returns its ARN."""
    iam = lab.client("iam")
    trust = {"Version": "2012-10-17", "Statement": [{"Effect": "Allow", "Principal": {"Service": "lambda.amazonaws.com"},
                                                     "Action": "sts:AssumeRole"}]}
    role = iam.create_role(RoleName=lab.name(f"{base}-role"), AssumeRolePolicyDocument=json.dumps(trust))["Role"]["Arn"]
    return str(lab.client("lambda").create_function(
        FunctionName=lab.name(base), Runtime="python3.11", Role=role, Handler="handler.handler",
        Code={"ZipFile": handler_zip()})["FunctionArn"])
