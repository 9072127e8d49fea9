"""Another account's event bus takes events only if its resource policy allows the sender (events_cross_account).

User guide, "Permissions for event buses in Amazon EventBridge": a bus "only allows events from one
account" until a resource-based policy grants others; API reference, PutPermission (Principal "*" or an
account id; organization grants need a RoleArn on the sender's target), PutEventsResultEntry
(``AccessDeniedException``, ``NotAuthorizedForSourceException``); "Sending and receiving events between
AWS accounts in Amazon EventBridge". LocalStack's AWS-recorded snapshots ``test_put_events[custom-account]``
(delivered with the sender's ``account``) and ``test_put_permission`` (``"Principal": "*"``).
Plain moto 5.2.5 puts an ARN-addressed event on the caller's own bus and never reads bus policies.
"""

from __future__ import annotations

import json
from typing import Any

import pytest

from labs.helpers import Lab
from labs.helpers.emulator import status
from labs.helpers.observe import Delivery
from tests.emulator.events_helpers import drain, queue_policy, rule
from tests.emulator.lambda_helpers import queue

pytestmark = pytest.mark.usefixtures("emulator")

SECURITY = "security"
ORDER = {"Source": "securecart.orders", "DetailType": "OrderPlaced", "Detail": json.dumps({"orderId": "o-1"})}


def _central(lab: Lab) -> tuple[str, str]:
    """(bus ARN, audit queue URL) in the security account: every event on the bus lands in the queue."""
    events, sqs = lab.client("events", account=SECURITY), lab.client("sqs", account=SECURITY)
    bus_arn = events.create_event_bus(Name=lab.name("central"))["EventBusArn"]
    url = sqs.create_queue(QueueName=lab.name("security-audit"))["QueueUrl"]
    queue_arn = sqs.get_queue_attributes(QueueUrl=url, AttributeNames=["QueueArn"])["Attributes"]["QueueArn"]
    rule_arn = events.put_rule(Name=lab.name("all"), EventBusName=lab.name("central"),
                               EventPattern=json.dumps({"source": [{"prefix": ""}]}))["RuleArn"]
    sqs.set_queue_attributes(QueueUrl=url, Attributes={"Policy": queue_policy(queue_arn, rule_arn)})
    events.put_targets(Rule=lab.name("all"), EventBusName=lab.name("central"), Targets=[{"Id": "q", "Arn": queue_arn}])
    return bus_arn, url


def _received(lab: Lab, url: str) -> list[dict[str, Any]]:
    messages = lab.client("sqs", account=SECURITY).receive_message(QueueUrl=url, MaxNumberOfMessages=10)
    return [json.loads(m["Body"]) for m in messages.get("Messages", [])]


def _allow(lab: Lab, statement: dict[str, Any]) -> None:
    bus = lab.name("central")
    arn = lab.client("events", account=SECURITY).describe_event_bus(Name=bus)["Arn"]
    lab.client("events", account=SECURITY).put_permission(EventBusName=bus, Policy=json.dumps({
        "Version": "2012-10-17", "Statement": [{"Sid": "in", "Effect": "Allow", "Action": "events:PutEvents",
                                                "Resource": arn, **statement}]}))


def test_layer_is_applied() -> None:
    assert status()["events_cross_account"].applied, status()["events_cross_account"].reason


def test_the_security_account_client(lab: Lab) -> None:
    assert lab.client("sts", account=SECURITY).get_caller_identity()["Account"] == "222222222222"
    assert lab.client("sts").get_caller_identity()["Account"] == lab.account_id


def test_put_permission_stores_what_aws_stores(lab: Lab) -> None:
    events = lab.client("events")
    events.create_event_bus(Name=lab.name("bus"))
    events.put_permission(EventBusName=lab.name("bus"), Action="events:PutEvents", Principal="*", StatementId="all")
    [statement] = json.loads(events.describe_event_bus(Name=lab.name("bus"))["Policy"])["Statement"]
    assert statement["Principal"] == "*"
    events.put_permission(EventBusName=lab.name("bus"), Action="events:PutEvents", Principal="111122223333",
                          StatementId="one")
    events.put_permission(EventBusName=lab.name("bus"), Policy=json.dumps({"Version": "2012-10-17", "Statement": [
        {"Sid": "only", "Effect": "Allow", "Principal": {"Service": "events.amazonaws.com"},
         "Action": "events:ListRules", "Resource": "*"}]}))
    statements = json.loads(events.describe_event_bus(Name=lab.name("bus"))["Policy"])["Statement"]
    assert [s["Sid"] for s in statements] == ["only"]  # Policy= is the whole new policy


def test_put_events_into_another_accounts_bus_needs_its_policy(lab: Lab) -> None:
    bus_arn, url = _central(lab)
    events = lab.client("events")
    events.create_event_bus(Name=lab.name("local"))
    result = events.put_events(Entries=[dict(ORDER, EventBusName=lab.name("local")), dict(ORDER, EventBusName=bus_arn)])
    assert result["FailedEntryCount"] == 1
    assert "EventId" in result["Entries"][0]  # entries keep their order; the local one is fine
    assert result["Entries"][1]["ErrorCode"] == "AccessDeniedException"
    assert _received(lab, url) == []

    lab.client("events", account=SECURITY).put_permission(
        EventBusName=lab.name("central"), Action="events:PutEvents", Principal=lab.account_id, StatementId="shop")
    result = events.put_events(Entries=[dict(ORDER, EventBusName=bus_arn)])
    assert result["FailedEntryCount"] == 0
    [body] = _received(lab, url)
    assert body["account"] == lab.account_id and body["detail"] == {"orderId": "o-1"}  # the sender's account


def test_organization_grant_and_source_condition(lab: Lab) -> None:
    bus_arn, url = _central(lab)
    org_id = lab.client("organizations").create_organization(FeatureSet="ALL")["Organization"]["Id"]
    events = lab.client("events")
    _allow(lab, {"Principal": "*", "Condition": {"StringEquals": {"aws:PrincipalOrgID": "o-someoneelse"}}})
    assert events.put_events(Entries=[dict(ORDER, EventBusName=bus_arn)])["Entries"][0]["ErrorCode"] == \
        "AccessDeniedException"
    _allow(lab, {"Principal": "*", "Condition": {"StringEquals": {"aws:PrincipalOrgID": org_id}}})
    assert events.put_events(Entries=[dict(ORDER, EventBusName=bus_arn)])["FailedEntryCount"] == 0
    _allow(lab, {"Principal": {"AWS": f"arn:aws:iam::{lab.account_id}:root"},
                 "Condition": {"ForAllValues:StringEquals": {"events:source": "securecart.payments"}}})
    [entry] = events.put_events(Entries=[dict(ORDER, EventBusName=bus_arn)])["Entries"]
    assert entry["ErrorCode"] == "NotAuthorizedForSourceException"
    assert len(_received(lab, url)) == 1


def _forward(lab: Lab, bus_arn: str, **target: Any) -> str:
    """A rule in the shop account forwarding every order to ``bus_arn``; returns the shop bus name."""
    return rule(lab, [{"Id": "central", "Arn": bus_arn, **target}], name="forward")


def _role(lab: Lab, name: str, allow_put_events: bool = True) -> str:
    iam = lab.client("iam")
    arn = iam.create_role(RoleName=lab.name(name), AssumeRolePolicyDocument=json.dumps({
        "Version": "2012-10-17", "Statement": [{"Effect": "Allow", "Principal": {"Service": "events.amazonaws.com"},
                                                "Action": "sts:AssumeRole"}]}))["Role"]["Arn"]
    if allow_put_events:
        iam.put_role_policy(RoleName=lab.name(name), PolicyName="put", PolicyDocument=json.dumps({
            "Version": "2012-10-17", "Statement": [{"Effect": "Allow", "Action": "events:PutEvents",
                                                    "Resource": "arn:aws:events:*:*:event-bus/*"}]}))
    return str(arn)


def _forwards(deliveries: list[Delivery]) -> list[Delivery]:
    return [d for d in deliveries if d.action == "rule-match" and d.detail.get("rule", "").endswith("forward")]


def test_rule_target_in_another_account_refused_without_bus_policy(lab: Lab, deliveries: list[Delivery]) -> None:
    bus_arn, url = _central(lab)
    dlq_url, dlq_arn = queue(lab, "forward-dlq")
    bus = _forward(lab, bus_arn, DeadLetterConfig={"Arn": dlq_arn})
    lab.client("events").put_events(Entries=[dict(ORDER, EventBusName=bus)])
    assert _received(lab, url) == []
    [refused] = _forwards(deliveries)
    assert refused.status == "dead-lettered" and refused.detail["error_code"] == "NO_PERMISSIONS"
    assert "event bus policy of" in refused.detail["error"] and lab.account_id in refused.detail["error"]
    [dead] = drain(lab, dlq_url)
    assert dead["MessageAttributes"]["ERROR_CODE"]["StringValue"] == "NO_PERMISSIONS"


def test_organization_grant_needs_a_role_that_may_put_events(lab: Lab, deliveries: list[Delivery]) -> None:
    bus_arn, url = _central(lab)
    org_id = lab.client("organizations").create_organization(FeatureSet="ALL")["Organization"]["Id"]
    _allow(lab, {"Principal": "*", "Condition": {"StringEquals": {"aws:PrincipalOrgID": org_id}}})
    bus = _forward(lab, bus_arn)
    lab.client("events").put_events(Entries=[dict(ORDER, EventBusName=bus)])
    [no_role] = _forwards(deliveries)
    assert no_role.status == "failed" and "needs a RoleArn" in no_role.detail["error"]

    weak = _role(lab, "forward-weak", allow_put_events=False)
    lab.client("events").put_targets(Rule=lab.name("forward"), EventBusName=bus,
                                     Targets=[{"Id": "central", "Arn": bus_arn, "RoleArn": weak}])
    lab.client("events").put_events(Entries=[dict(ORDER, EventBusName=bus)])
    assert "may not events:PutEvents" in _forwards(deliveries)[-1].detail["error"]
    assert _received(lab, url) == []

    strong = _role(lab, "forward")
    lab.client("events").put_targets(Rule=lab.name("forward"), EventBusName=bus,
                                     Targets=[{"Id": "central", "Arn": bus_arn, "RoleArn": strong}])
    lab.client("events").put_events(Entries=[dict(ORDER, EventBusName=bus)])
    assert _forwards(deliveries)[-1].status == "delivered"
    [body] = _received(lab, url)
    assert body["account"] == lab.account_id
