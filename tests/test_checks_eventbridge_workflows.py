"""Lab 3's checks on plain states: the wrong states a learner leaves, and the hint each must get.

The checks' behaviour on real wrong answers is asserted by the wrong-answer suite
(``tests/wrong_answers/eventbridge_workflows.py``: every exercise, at least six mistakes and two right
answers unlike the solution, each through the whole notebook). These tests are the fast version:
states built with plain boto3 calls, one check each.
"""

from __future__ import annotations

import json

import pytest

from labs.helpers import Lab
from labs.helpers.checks import run

PATTERN = {"source": ["securecart.inventory"], "detail-type": ["InventoryLevelChanged"],
           "detail": {"sku": [{"prefix": "SKU-"}], "warehouse": [{"exists": True}],
                      "environment": [{"anything-but": "test"}],
                      "$or": [{"quantity": [{"numeric": ["<", 10]}]}, {"backorders": [{"numeric": [">", 0]}]}]}}


def _bus(lab: Lab) -> str:
    return lab.client("events").create_event_bus(Name=lab.name("securecart"))["EventBusArn"]


# ------------------------------------------------------------------ publish
def test_publish_without_a_bus_is_not_attempted(lab: Lab) -> None:
    result = run("eventbridge-workflows.publish", lab, None)
    assert result.status == "not-attempted" and "create_event_bus" in (result.hint or "")


def test_publish_names_a_bus_without_the_lab_prefix(lab: Lab) -> None:
    lab.client("events").create_event_bus(Name="securecart")
    result = run("eventbridge-workflows.publish", lab, None)
    assert result.status == "incorrect" and "lab.name('securecart')" in (result.hint or "")


def test_publish_catches_a_function_that_ignores_failed_entries(lab: Lab) -> None:
    _bus(lab)
    events = lab.client("events")

    def put_all(bus: str, entries: list[dict]) -> int:
        for start in range(0, len(entries), 10):
            events.put_events(Entries=[{**e, "EventBusName": bus} for e in entries[start:start + 10]])
        return len(entries)

    result = run("eventbridge-workflows.publish", lab, put_all)
    assert result.status == "incorrect" and "ErrorCode" in (result.hint or "")


def test_publish_catches_entries_sent_to_the_default_bus(lab: Lab) -> None:
    _bus(lab)
    events = lab.client("events")

    def put_all(bus: str, entries: list[dict]) -> int:
        return sum("EventId" in r for s in range(0, len(entries), 10)
                   for r in events.put_events(Entries=entries[s:s + 10])["Entries"])

    result = run("eventbridge-workflows.publish", lab, put_all)
    assert result.status == "incorrect" and "EventBusName" in (result.hint or "")


# ------------------------------------------------------------------ pattern
@pytest.mark.parametrize(("change", "word"), [
    (lambda p: p.update({"detail-type": ["InventoryLevelchanged"]}), "detail-type"),
    (lambda p: p["detail"].pop("environment"), "anything-but"),
    (lambda p: p["detail"].pop("sku"), "prefix"),
    (lambda p: p["detail"].pop("warehouse"), "exists"),
    (lambda p: p["detail"].update({"$or": [{"quantity": [{"numeric": ["<=", 10]}]}, {"backorders": [{"numeric": [">", 0]}]}]}),
     "10 itself"),
    (lambda p: p["detail"].update({"$or": [{"quantity": [{"numeric": ["<", "10"]}]}, {"backorders": [{"numeric": [">", 0]}]}]}),
     "10, not '10'"),
])
def test_pattern_names_the_condition_to_fix(lab: Lab, change, word: str) -> None:  # noqa: ANN001 - a lambda
    pattern = json.loads(json.dumps(PATTERN))
    change(pattern)
    result = run("eventbridge-workflows.pattern", lab, pattern)
    assert result.status == "incorrect" and word in (result.hint or ""), result.text()


def test_the_lab_pattern_is_correct(lab: Lab) -> None:
    assert run("eventbridge-workflows.pattern", lab, PATTERN).passed


# ------------------------------------------------------------------ restock rule
def test_a_rule_on_the_default_bus_is_named(lab: Lab) -> None:
    _bus(lab)
    lab.client("events").put_rule(Name=lab.name("restock"), EventPattern=json.dumps(PATTERN))
    result = run("eventbridge-workflows.restock-queue", lab)
    assert result.status == "incorrect" and "EventBusName" in (result.hint or "")


def test_a_queue_target_without_a_policy_is_named(lab: Lab) -> None:
    _bus(lab)
    events, sqs = lab.client("events"), lab.client("sqs")
    url = sqs.create_queue(QueueName=lab.name("restock-requests"))["QueueUrl"]
    arn = sqs.get_queue_attributes(QueueUrl=url, AttributeNames=["QueueArn"])["Attributes"]["QueueArn"]
    events.put_rule(Name=lab.name("restock"), EventBusName=lab.name("securecart"), EventPattern=json.dumps(PATTERN))
    events.put_targets(Rule=lab.name("restock"), EventBusName=lab.name("securecart"), Targets=[{"Id": "q", "Arn": arn}])
    result = run("eventbridge-workflows.restock-queue", lab)
    assert result.status == "incorrect" and "events.amazonaws.com" in (result.hint or "")


# ------------------------------------------------------------------ audit
def _audit_bus(lab: Lab, **permission: str) -> None:
    security = lab.client("events", account="security")
    security.create_event_bus(Name=lab.name("audit"))
    if permission:
        security.put_permission(EventBusName=lab.name("audit"), StatementId="s", Action="events:PutEvents", **permission)


@pytest.mark.parametrize(("principal", "word"), [("*", "aws:PrincipalAccount"), ("111122223333", "lab.account_id")])
def test_an_audit_bus_open_to_others_is_named(lab: Lab, principal: str, word: str) -> None:
    _bus(lab)
    _audit_bus(lab, Principal=principal)
    result = run("eventbridge-workflows.audit", lab)
    assert result.status == "incorrect" and word in (result.hint or "")
    assert lab.account_id not in result.text() and "111122223333" not in result.text(), "no account id in a finding"
    lab.teardown()


def test_an_audit_bus_without_policy_and_no_forwarding_is_not_attempted(lab: Lab) -> None:
    _bus(lab)
    _audit_bus(lab)
    result = run("eventbridge-workflows.audit", lab)
    assert result.status == "not-attempted" and "put_permission" in (result.hint or "")
    lab.teardown()


def test_forwarding_without_a_role_is_named(lab: Lab) -> None:
    _bus(lab)
    _audit_bus(lab, Principal=lab.account_id)
    events = lab.client("events")
    audit_arn = lab.client("events", account="security").describe_event_bus(Name=lab.name("audit"))["Arn"]
    events.put_rule(Name=lab.name("audit-forward"), EventBusName=lab.name("securecart"),
                    EventPattern=json.dumps({"source": [{"prefix": "securecart."}]}))
    events.put_targets(Rule=lab.name("audit-forward"), EventBusName=lab.name("securecart"),
                       Targets=[{"Id": "audit", "Arn": audit_arn}])
    result = run("eventbridge-workflows.audit", lab)
    assert result.status == "incorrect" and "RoleArn" in (result.hint or "")
    lab.teardown()
