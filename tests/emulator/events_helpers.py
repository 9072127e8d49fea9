"""Small builders shared by the EventBridge emulator tests (a bus, a rule, an event, a function; queues come
from :func:`lambda_helpers.queue`)."""

from __future__ import annotations

import json
from typing import Any

from labs.helpers import Lab
from tests.emulator.lambda_helpers import deploy

#: The handler of :func:`function`: returns the event it was given.
ECHO = "def handler(event, context):\n    return event\n"


def drain(lab: Lab, url: str) -> list[dict[str, Any]]:
    return lab.client("sqs").receive_message(QueueUrl=url, MaxNumberOfMessages=10, VisibilityTimeout=30,
                                              MessageAttributeNames=["All"]).get("Messages", [])


def rule(lab: Lab, targets: list[dict[str, Any]], pattern: dict[str, Any] | None = None,
         bus: str = "orders-bus", name: str = "orders-rule", allow: bool = True, allow_dlq: bool = True) -> str:
    """A rule on a custom bus (created if needed) with ``targets``; returns the bus name.

    With ``allow`` (the default) every SQS, SNS and Lambda target without a RoleArn gets the resource policy
    statement that lets this rule deliver, as AWS requires (tests about policies pass ``allow=False``); with
    ``allow_dlq`` (the default) every target's DeadLetterConfig queue gets the statement that lets the rule
    write to it (AWS: "Granting permissions to the dead-letter queue")."""
    events = lab.client("events")
    bus_name = lab.name(bus)
    if bus_name not in {b["Name"] for b in events.list_event_buses()["EventBuses"]}:
        events.create_event_bus(Name=bus_name)
    rule_arn = events.put_rule(Name=lab.name(name), EventBusName=bus_name,
                               EventPattern=json.dumps(pattern or {"source": ["securecart.orders"]}))["RuleArn"]
    for target in targets if allow else []:
        if not target.get("RoleArn"):
            grant(lab, str(target["Arn"]), rule_arn)
    for target in targets if allow_dlq else []:
        if (target.get("DeadLetterConfig") or {}).get("Arn"):
            grant(lab, str(target["DeadLetterConfig"]["Arn"]), rule_arn)
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


def function(lab: Lab, base: str) -> str:
    """A Python Lambda function (:data:`ECHO`); returns its ARN."""
    return str(deploy(lab, base, ECHO, file="handler"))


def queue_policy(queue_arn: str, source_arn: str, service: str = "events.amazonaws.com") -> str:
    """A queue policy that lets ``service`` send to ``queue_arn`` on behalf of ``source_arn`` only."""
    return json.dumps({"Version": "2012-10-17", "Statement": [{
        "Effect": "Allow", "Principal": {"Service": service}, "Action": "sqs:SendMessage", "Resource": queue_arn,
        "Condition": {"ArnEquals": {"aws:SourceArn": source_arn}}}]})


def grant(lab: Lab, target_arn: str, source_arn: str, service: str = "events.amazonaws.com") -> None:
    """Give ``service`` the resource-policy statement AWS requires to deliver from ``source_arn`` to an SQS,
    SNS or Lambda target in the lab's account (what ``resources.ensure_rule`` writes); others: nothing."""
    from labs.helpers import resources as res

    parts = target_arn.split(":")
    if len(parts) < 6 or parts[4] != lab.account_id:
        return
    if parts[2] == "sqs":
        url = lab.client("sqs").get_queue_url(QueueName=parts[5])["QueueUrl"]
        res.allow_service_to_send(lab, res.QueueRef(parts[5], url, target_arn), service, source_arn)
    elif parts[2] == "sns":
        res.allow_service_to_publish(lab, target_arn, service, source_arn)
    elif parts[2] == "lambda":
        res.allow_service_to_invoke(lab, target_arn, service, source_arn)


def confirm_emails(lab: Lab) -> None:
    """Confirm every pending email/email-json subscription of the lab with the token of its confirmation
    message in the emulator's outbox, as the recipient would by following the link (sns_email_confirmation)."""
    from labs.helpers.functions import outbox

    sns = lab.client("sns")
    for message in outbox(lab):
        if message.get("type") == "SubscriptionConfirmation":
            try:
                sns.confirm_subscription(TopicArn=str(message["topic_arn"]), Token=str(message["token"]))
            except Exception:  # noqa: BLE001, S112 - already confirmed or unsubscribed since
                continue


def notifications(lab: Lab, protocol: str) -> list[dict[str, Any]]:
    """The lab's outbox for ``protocol`` without subscription confirmation and SMS sandbox verification messages."""
    from labs.helpers.functions import outbox

    return [m for m in outbox(lab, protocol) if m.get("type") not in ("SubscriptionConfirmation", "SandboxVerification")]


def verify_phone(lab: Lab, number: str) -> None:
    """Verify ``number`` in the SMS sandbox with the OTP the emulator's outbox received (sns_sms_sandbox), as a
    learner would with the code texted to the phone."""
    from labs.helpers.functions import outbox

    sns = lab.client("sns")
    sns.create_sms_sandbox_phone_number(PhoneNumber=number)
    [*_, code] = [m["otp"] for m in outbox(lab, "sms") if m.get("type") == "SandboxVerification" and m["endpoint"] == number]
    sns.verify_sms_sandbox_phone_number(PhoneNumber=number, OneTimePassword=code)
