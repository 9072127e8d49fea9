"""Lab 2's checks: the policy review that names the element to fix, and the checks on plain states.

The checks' behaviour on real wrong answers is asserted by the wrong-answer suite
(``tests/wrong_answers/sns_notifications.py``: every exercise, at least six mistakes and two right
answers unlike the solution, each through the whole notebook). These tests pin the pieces the hints
are built from, fast.
"""

from __future__ import annotations

import json

import pytest

from labs.helpers import Lab
from labs.helpers.checks import run
from labs.helpers.checks._policy import review

QUEUE = "arn:aws:sqs:us-east-1:123456789012:analytics"
TOPIC = "arn:aws:sns:us-east-1:123456789012:order-events"


def _policy(**statement: object) -> str:
    good = {"Effect": "Allow", "Principal": {"Service": "sns.amazonaws.com"}, "Action": "sqs:SendMessage",
            "Resource": QUEUE, "Condition": {"ArnEquals": {"aws:SourceArn": TOPIC}}}
    good.update(statement)
    return json.dumps({"Version": "2012-10-17", "Statement": [{k: v for k, v in good.items() if v is not None}]})


def _problems(policy: str) -> list[str]:
    reviews = review(policy, service="sns.amazonaws.com", action="sqs:SendMessage", resource=QUEUE, source_arn=TOPIC)
    return reviews[0].problems if reviews else ["no statement"]


def test_the_documented_statement_has_no_problem_and_is_scoped() -> None:
    [only] = review(_policy(), service="sns.amazonaws.com", action="sqs:SendMessage", resource=QUEUE, source_arn=TOPIC)
    assert only.problems == [] and not only.open_to_any_source


@pytest.mark.parametrize(("statement", "named"), [
    ({"Principal": {"AWS": "123456789012"}}, "Principal"),
    ({"Principal": {"Service": "sqs.amazonaws.com"}}, "sns.amazonaws.com"),
    ({"Action": "sqs:ReceiveMessage"}, "sqs:SendMessage"),
    ({"Resource": "https://sqs.us-east-1.amazonaws.com/123456789012/analytics"}, "analytics's ARN"),
    ({"Condition": {"ArnEquals": {"aws:SourceArn": TOPIC + "-other"}}}, "aws:SourceArn"),
])
def test_a_wrong_element_is_named(statement: dict[str, object], named: str) -> None:
    problems = _problems(_policy(**statement))
    assert len(problems) == 1 and named in problems[0]


def test_wildcards_and_lists_match_as_aws_matches_them() -> None:
    assert _problems(_policy(Action=["sqs:*"], Resource="arn:aws:sqs:*:123456789012:*",
                             Condition={"ArnLike": {"aws:SourceArn": "arn:aws:sns:*:123456789012:order-*"}})) == []


def test_a_statement_without_a_source_condition_is_open_to_any_topic() -> None:
    [only] = review(_policy(Condition=None), service="sns.amazonaws.com", action="sqs:SendMessage", resource=QUEUE,
                    source_arn=TOPIC)
    assert only.problems == [] and only.open_to_any_source


def test_no_policy_or_only_denies_gives_no_review() -> None:
    assert review(None, service="sns.amazonaws.com", action="sqs:SendMessage", resource=QUEUE, source_arn=TOPIC) == []
    assert _problems(_policy(Effect="Deny")) == ["no statement"]


@pytest.mark.parametrize("step", ["topic", "fan-out", "email", "filters", "subscription-dlq", "fifo"])
def test_every_check_says_not_attempted_on_an_empty_account(lab: Lab, step: str) -> None:
    result = run(f"sns-notifications.{step}", lab, *([None] if step == "fifo" else []))
    assert result.status == "not-attempted", result.text()
    assert result.hint and ("exercise" in result.hint.lower() or "step" in result.hint.lower())


def test_a_fifo_topic_where_a_standard_one_is_asked_for_is_incorrect(lab: Lab) -> None:
    lab.client("sns").create_topic(Name=lab.name("order-events.fifo"), Attributes={"FifoTopic": "true"})
    result = run("sns-notifications.topic", lab)
    assert result.status == "incorrect" and "standard" in (result.hint or "")
