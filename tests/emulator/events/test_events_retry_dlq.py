"""Target retry policy and dead-letter queues (module ``events_targets``).

User guide, "Event retry policy and using dead-letter queues": "When an event isn't successfully
delivered to a target because of retriable errors, EventBridge retries sending the event. You set
the length of time it tries, and number of retry attempts in the Retry policy settings"; "for errors
that result from missing permissions to a target, or a target resource that no longer exists ...
Rather than retrying, EventBridge sends these events directly to the DLQ"; "Each message in your DLQ
will include the following custom attributes: RULE_ARN, TARGET_ARN, ERROR_CODE, ERROR_MESSAGE,
EXHAUSTED_RETRY_CONDITION, RETRY_ATTEMPTS". Plain moto 5.2.5 ignores RetryPolicy and
DeadLetterConfig: a deleted queue makes put_events itself fail, so every test here fails on plain
moto (``LABS_EMULATOR_DISABLE=events_targets``). Emulator: retries are immediate and bounded.
"""

from __future__ import annotations

import json
from typing import Any

import pytest

from labs.helpers import Lab
from labs.helpers.emulator.events import targets as events_targets
from labs.helpers.observe import Delivery
from tests.emulator.events_helpers import drain, function, put_order, rule
from tests.emulator.lambda_helpers import queue

pytestmark = pytest.mark.usefixtures("emulator")


def _attributes(message: dict[str, Any]) -> dict[str, str]:
    return {name: value["StringValue"] for name, value in message["MessageAttributes"].items()}


def _flaky_queue(monkeypatch: pytest.MonkeyPatch, flaky: str, failures: int) -> list[int]:
    """Make sends to queue ``flaky`` fail ``failures`` times with a transient error; returns a call log."""
    from moto.sqs.models import SQSBackend

    calls: list[int] = []
    real_send = SQSBackend.send_message

    def send(self: Any, queue_name: str, *args: Any, **kwargs: Any) -> Any:
        if queue_name == flaky:
            calls.append(1)
            if len(calls) <= failures:
                raise ConnectionError("target endpoint unavailable")
        return real_send(self, queue_name, *args, **kwargs)

    monkeypatch.setattr(SQSBackend, "send_message", send)
    return calls


def test_deleted_queue_goes_straight_to_the_dlq_with_aws_attributes(lab: Lab, deliveries: list[Delivery]) -> None:
    url, arn = queue(lab, "orders")
    dlq_url, dlq_arn = queue(lab, "orders-rule-dlq")
    bus = rule(lab, [{"Id": "q", "Arn": arn, "DeadLetterConfig": {"Arn": dlq_arn},
                      "RetryPolicy": {"MaximumRetryAttempts": 3, "MaximumEventAgeInSeconds": 60}}])
    lab.client("sqs").delete_queue(QueueUrl=url)
    event_id = put_order(lab, bus)  # put_events itself succeeds: delivery is EventBridge's problem

    [message] = drain(lab, dlq_url)
    assert json.loads(message["Body"])["id"] == event_id  # the event itself
    attributes = _attributes(message)
    rule_arn = lab.client("events").describe_rule(Name=lab.name("orders-rule"), EventBusName=bus)["Arn"]
    assert attributes["RULE_ARN"] == rule_arn and attributes["TARGET_ARN"] == arn
    assert attributes["ERROR_CODE"] == "NO_RESOURCE" and attributes["ERROR_MESSAGE"]
    assert attributes["RETRY_ATTEMPTS"] == "0"  # a resource that no longer exists is not retried
    assert "EXHAUSTED_RETRY_CONDITION" not in attributes
    [match] = [d for d in deliveries if d.action == "rule-match"]
    assert (match.status, match.cause_id, match.detail["dead_letter_queue"]) == ("dead-lettered", event_id, dlq_arn)


def test_deleted_topic_and_function_are_dead_lettered(lab: Lab) -> None:
    topic = lab.client("sns").create_topic(Name=lab.name("gone"))["TopicArn"]
    fn = function(lab, "gone-fn")
    dlq_url, dlq_arn = queue(lab, "dlq")
    bus = rule(lab, [{"Id": "topic", "Arn": topic, "DeadLetterConfig": {"Arn": dlq_arn}},
                     {"Id": "fn", "Arn": fn, "DeadLetterConfig": {"Arn": dlq_arn}}])
    lab.client("sns").delete_topic(TopicArn=topic)
    lab.client("lambda").delete_function(FunctionName=fn)
    put_order(lab, bus)
    failures = {_attributes(m)["TARGET_ARN"]: _attributes(m)["ERROR_CODE"] for m in drain(lab, dlq_url)}
    assert failures == {topic: "NO_RESOURCE", fn: "NO_RESOURCE"}


def test_transient_failure_is_retried_then_delivered(lab: Lab, monkeypatch: pytest.MonkeyPatch,
                                                     deliveries: list[Delivery]) -> None:
    url, arn = queue(lab, "orders")
    calls = _flaky_queue(monkeypatch, lab.name("orders"), failures=2)
    bus = rule(lab, [{"Id": "q", "Arn": arn, "RetryPolicy": {"MaximumRetryAttempts": 3}}])
    put_order(lab, bus)
    assert len(calls) == 3 and len(drain(lab, url)) == 1
    assert [d.status for d in deliveries if d.action == "rule-match"] == ["retrying", "retrying", "delivered"]


def test_retries_exhausted_by_maximum_retry_attempts(lab: Lab, monkeypatch: pytest.MonkeyPatch,
                                                     deliveries: list[Delivery]) -> None:
    _, arn = queue(lab, "orders")
    dlq_url, dlq_arn = queue(lab, "dlq")
    calls = _flaky_queue(monkeypatch, lab.name("orders"), failures=100)
    bus = rule(lab, [{"Id": "q", "Arn": arn, "DeadLetterConfig": {"Arn": dlq_arn},
                      "RetryPolicy": {"MaximumRetryAttempts": 2}}])
    put_order(lab, bus)
    assert len(calls) == 3  # the first attempt and two retries
    [message] = drain(lab, dlq_url)
    attributes = _attributes(message)
    assert attributes["RETRY_ATTEMPTS"] == "2" and attributes["EXHAUSTED_RETRY_CONDITION"] == "MaximumRetryAttempts"
    assert "unavailable" in attributes["ERROR_MESSAGE"]
    statuses = [d.status for d in deliveries if d.action == "rule-match"]
    assert statuses == ["retrying", "retrying", "dead-lettered"]


def test_retries_stop_at_maximum_event_age(lab: Lab, monkeypatch: pytest.MonkeyPatch) -> None:
    _, arn = queue(lab, "orders")
    dlq_url, dlq_arn = queue(lab, "dlq")
    _flaky_queue(monkeypatch, lab.name("orders"), failures=100)
    real_clock = events_targets._clock
    monkeypatch.setattr(events_targets, "_clock", lambda: real_clock() + 61)  # the event is 61 s old
    bus = rule(lab, [{"Id": "q", "Arn": arn, "DeadLetterConfig": {"Arn": dlq_arn},
                      "RetryPolicy": {"MaximumRetryAttempts": 10, "MaximumEventAgeInSeconds": 60}}])
    put_order(lab, bus)
    attributes = _attributes(drain(lab, dlq_url)[0])
    assert attributes["EXHAUSTED_RETRY_CONDITION"] == "MaximumEventAgeInSeconds" and attributes["RETRY_ATTEMPTS"] == "0"


def test_without_a_dlq_the_event_is_dropped_and_reported_failed(lab: Lab, deliveries: list[Delivery]) -> None:
    """"If an event isn't delivered after all retry attempts are exhausted, the event is dropped"."""
    url, arn = queue(lab, "orders")
    other_url, other_arn = queue(lab, "audit")
    bus = rule(lab, [{"Id": "q", "Arn": arn}, {"Id": "audit", "Arn": other_arn}])
    lab.client("sqs").delete_queue(QueueUrl=url)
    put_order(lab, bus)
    assert len(drain(lab, other_url)) == 1  # one failing target does not stop the others
    statuses = {d.target: d.status for d in deliveries if d.action == "rule-match"}
    assert statuses == {arn: "failed", other_arn: "delivered"}


def test_lambda_handler_error_is_not_an_eventbridge_failure(lab: Lab, monkeypatch: pytest.MonkeyPatch,
                                                            deliveries: list[Delivery]) -> None:
    """EventBridge invokes Lambda asynchronously: once Lambda accepts the event, "If the function returns
    an error, by default Lambda attempts to run it two more times" (Lambda developer guide) - the
    rule's target DLQ is for events EventBridge could not hand over (here: a deleted function)."""
    from moto.awslambda.utils import get_backend

    def failing_handler(*args: Any, **kwargs: Any) -> Any:
        raise RuntimeError("payment service down")  # what a handler raising looks like to the caller

    fn = function(lab, "charge")
    dlq_url, dlq_arn = queue(lab, "dlq")
    monkeypatch.setattr(type(get_backend(fn.split(":")[4], fn.split(":")[3])), "invoke", failing_handler)
    bus = rule(lab, [{"Id": "fn", "Arn": fn, "DeadLetterConfig": {"Arn": dlq_arn}}])
    put_order(lab, bus)
    assert drain(lab, dlq_url) == []
    [match] = [d for d in deliveries if d.action == "rule-match"]
    assert match.status == "delivered" and "payment service down" in match.detail["function_error"]
