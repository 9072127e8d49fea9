"""EventBridge delivers to SQS, SNS and Lambda targets only if the target's resource policy allows it.

EventBridge user guide, "Using resource-based policies for Amazon EventBridge": "For Lambda, Amazon
SNS, Amazon SQS, and Amazon CloudWatch Logs resources, EventBridge uses resource-based policies"
(principal ``events.amazonaws.com``, ``aws:SourceArn`` = the rule). "Event retry policy and using
dead-letter queues": for "errors that result from missing permissions to a target ... Rather than
retrying, EventBridge sends these events directly to the DLQ". Plain moto 5.2.5 never reads the policies.
"""

from __future__ import annotations

import json

from labs.helpers import Lab
from labs.helpers import resources as res
from labs.helpers.emulator import status
from labs.helpers.observe import Delivery
from tests.emulator.events_helpers import drain, function, put_order, rule
from tests.emulator.lambda_helpers import queue

EVENTS = "events.amazonaws.com"


def _matches(deliveries: list[Delivery]) -> list[Delivery]:
    return [d for d in deliveries if d.service == "events" and d.action == "rule-match"]


def _rule_arn(lab: Lab, name: str = "orders-rule", bus: str = "orders-bus") -> str:
    return lab.client("events").describe_rule(Name=lab.name(name), EventBusName=lab.name(bus))["Arn"]


def test_layer_is_applied(emulator: None) -> None:
    assert status()["events_target_policies"].applied, status()["events_target_policies"].reason


def test_sqs_target_without_a_queue_policy_fails_without_retry(lab: Lab, deliveries: list[Delivery]) -> None:
    url, arn = queue(lab, "audit")
    bus = rule(lab, [{"Id": "q", "Arn": arn, "RetryPolicy": {"MaximumRetryAttempts": 3}}], allow=False)
    put_order(lab, bus)
    assert drain(lab, url) == []
    [failed] = _matches(deliveries)  # one outcome: no "retrying" rows
    assert (failed.status, failed.detail["error_code"], failed.detail["retries"]) == ("failed", "NO_PERMISSIONS", 0)
    assert failed.detail["error"].startswith(
        f"queue policy of {lab.name('audit')} does not allow events.amazonaws.com from rule {lab.name('orders-rule')}")


def test_refused_event_goes_to_the_targets_dlq_with_no_permissions(lab: Lab, deliveries: list[Delivery]) -> None:
    url, arn = queue(lab, "audit")
    dlq_url, dlq_arn = queue(lab, "audit-dlq")
    bus = rule(lab, [{"Id": "q", "Arn": arn, "DeadLetterConfig": {"Arn": dlq_arn}}], allow=False)
    event_id = put_order(lab, bus)
    assert drain(lab, url) == []
    [dead] = drain(lab, dlq_url)
    attributes = {k: v["StringValue"] for k, v in dead["MessageAttributes"].items()}
    assert attributes["ERROR_CODE"] == "NO_PERMISSIONS" and attributes["RETRY_ATTEMPTS"] == "0"
    assert "EXHAUSTED_RETRY_CONDITION" not in attributes and json.loads(dead["Body"])["id"] == event_id
    assert _matches(deliveries)[-1].status == "dead-lettered"


def test_a_dlq_whose_own_policy_refuses_loses_the_event(lab: Lab, deliveries: list[Delivery]) -> None:
    """"Granting permissions to the dead-letter queue": EventBridge needs sqs:SendMessage on the DLQ too."""
    url, arn = queue(lab, "audit")
    dlq_url, dlq_arn = queue(lab, "audit-dlq")
    lab.client("sqs").delete_queue(QueueUrl=url)  # a target that no longer exists: straight to the DLQ
    bus = rule(lab, [{"Id": "q", "Arn": arn, "DeadLetterConfig": {"Arn": dlq_arn}}], allow=False, allow_dlq=False)
    put_order(lab, bus)
    assert drain(lab, dlq_url) == []
    [match] = _matches(deliveries)
    assert match.status == "failed" and match.detail["dead_letter_queue"] == dlq_arn
    assert match.detail["dead_letter_error"].startswith(
        f"queue policy of dead-letter queue {lab.name('audit-dlq')} does not allow events.amazonaws.com from rule "
        f"{lab.name('orders-rule')}")


def test_a_dlq_policy_for_another_rule_refuses_too(lab: Lab) -> None:
    _, arn = queue(lab, "audit")
    dlq_url, dlq_arn = queue(lab, "audit-dlq")
    bus = rule(lab, [{"Id": "q", "Arn": arn, "DeadLetterConfig": {"Arn": dlq_arn}}], allow=False, allow_dlq=False)
    other = _rule_arn(lab).replace(lab.name("orders-rule"), lab.name("other-rule"))
    res.allow_service_to_send(lab, res.QueueRef(lab.name("audit-dlq"), dlq_url, dlq_arn), EVENTS, other)
    put_order(lab, bus)
    assert drain(lab, dlq_url) == []


def test_the_policy_ensure_rule_writes_lets_the_rule_in(lab: Lab) -> None:
    audit = res.ensure_queue(lab, "audit")
    bus = res.ensure_event_bus(lab, "orders-bus").rsplit("/", 1)[-1]
    res.ensure_rule(lab, "orders-rule", bus=bus, pattern={"source": ["securecart.orders"]},
                    targets=[{"Id": "q", "Arn": audit.arn}])
    put_order(lab, bus)
    assert len(drain(lab, audit.url)) == 1


def test_a_queue_policy_for_another_rule_refuses(lab: Lab, deliveries: list[Delivery]) -> None:
    url, arn = queue(lab, "audit")
    bus = rule(lab, [{"Id": "q", "Arn": arn}], allow=False)
    other = _rule_arn(lab).replace(lab.name("orders-rule"), lab.name("other-rule"))
    res.allow_service_to_send(lab, res.QueueRef(lab.name("audit"), url, arn), EVENTS, other)
    put_order(lab, bus)
    assert drain(lab, url) == [] and _matches(deliveries)[0].detail["error_code"] == "NO_PERMISSIONS"


def test_sns_target_needs_the_topic_policy(lab: Lab, deliveries: list[Delivery]) -> None:
    """The default topic policy allows the owner account (AWS:SourceOwner), not EventBridge."""
    topic = lab.client("sns").create_topic(Name=lab.name("order-events"))["TopicArn"]
    bus = rule(lab, [{"Id": "topic", "Arn": topic}], allow=False)
    put_order(lab, bus)
    [refused] = _matches(deliveries)
    assert refused.status == "failed" and refused.detail["error"].startswith(
        f"topic policy of {lab.name('order-events')} does not allow events.amazonaws.com")
    res.allow_service_to_publish(lab, topic, EVENTS, _rule_arn(lab))
    put_order(lab, bus)
    assert _matches(deliveries)[-1].status == "delivered"


def test_lambda_target_needs_the_function_policy(lab: Lab, deliveries: list[Delivery]) -> None:
    fn = function(lab, "audit-fn")
    bus = rule(lab, [{"Id": "fn", "Arn": fn}], allow=False)
    put_order(lab, bus)
    assert _matches(deliveries)[0].detail["error_code"] == "NO_PERMISSIONS"
    lab.client("lambda").add_permission(FunctionName=fn, StatementId="events", Action="lambda:InvokeFunction",
                                        Principal=EVENTS, SourceArn=_rule_arn(lab))
    put_order(lab, bus)
    assert _matches(deliveries)[-1].status == "delivered"


def test_a_target_with_a_role_is_not_checked_against_the_resource_policy(lab: Lab) -> None:
    """"If no execution role is configured, EventBridge uses resource-based policies on the target resource"."""
    url, arn = queue(lab, "audit")
    bus = rule(lab, [{"Id": "q", "Arn": arn, "RoleArn": f"arn:aws:iam::{lab.account_id}:role/events"}], allow=False)
    put_order(lab, bus)
    assert len(drain(lab, url)) == 1
