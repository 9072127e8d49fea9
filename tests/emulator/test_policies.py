"""The shared resource-policy evaluator (labs.helpers.emulator.policies): IAM's evaluation logic for the
elements the labs' queue, topic and function policies use (IAM User Guide, "Policy evaluation logic",
"IAM JSON policy elements: Condition operators")."""

from __future__ import annotations

from labs.helpers.emulator.policies import arn_like, evaluate

QUEUE = "arn:aws:sqs:us-east-1:123456789012:sc-orders"
TOPIC = "arn:aws:sns:us-east-1:123456789012:sc-order-events"
SNS = {"action": "sqs:SendMessage", "resource": QUEUE, "service": "sns.amazonaws.com",
       "context": {"aws:SourceArn": TOPIC, "aws:SourceAccount": "123456789012"}}


def _allow(**extra: object) -> dict[str, object]:
    return {"Effect": "Allow", "Principal": {"Service": "sns.amazonaws.com"}, "Action": "sqs:SendMessage",
            "Resource": QUEUE, **extra}


def test_no_policy_and_no_matching_statement_are_implicit_denies() -> None:
    assert not evaluate(None, **SNS).allowed
    assert evaluate(None, **SNS).reason == "it has no policy"
    assert not evaluate({"Statement": [_allow(Action="sqs:ReceiveMessage")]}, **SNS).allowed


def test_actions_are_case_insensitive_with_wildcards() -> None:
    assert evaluate({"Statement": [_allow(Action="SQS:send*")]}, **SNS).allowed
    assert evaluate({"Statement": [_allow(Action=["sqs:*"])]}, **SNS).allowed
    assert not evaluate({"Statement": [_allow(Action="sqs:Send?")]}, **SNS).allowed


def test_condition_keys_are_case_insensitive_and_values_ored() -> None:
    condition = {"ArnLike": {"AWS:SourceArn": ["arn:aws:sns:*:*:other", "arn:aws:sns:us-east-1:*:sc-*"]}}
    assert evaluate({"Statement": [_allow(Condition=condition)]}, **SNS).allowed


def test_a_missing_condition_key_fails_unless_negated_or_if_exists() -> None:
    missing = {**SNS, "context": {}}
    assert not evaluate({"Statement": [_allow(Condition={"ArnEquals": {"aws:SourceArn": TOPIC}})]}, **missing).allowed
    assert evaluate({"Statement": [_allow(Condition={"ArnEqualsIfExists": {"aws:SourceArn": TOPIC}})]}, **missing).allowed
    assert evaluate({"Statement": [_allow(Condition={"StringNotEquals": {"aws:SourceAccount": "1"}})]}, **missing).allowed


def test_deny_wins_and_unknown_operators_do_not_allow() -> None:
    deny = {"Effect": "Deny", "Principal": "*", "Action": "sqs:*", "Resource": "*"}
    assert not evaluate({"Statement": [_allow(), deny]}, **SNS).allowed
    unknown = _allow(Condition={"DateLessThan": {"aws:CurrentTime": "2030-01-01T00:00:00Z"}})
    assert not evaluate({"Statement": [unknown]}, **SNS).allowed


def test_arn_matching_is_per_component() -> None:
    assert arn_like("arn:aws:sns:*:123456789012:*", TOPIC)
    assert not arn_like("arn:aws:sns:*:123456789012", TOPIC)
    assert not arn_like("arn:aws:sqs:*:*:*", TOPIC)


def test_set_operator_prefixes_on_single_valued_keys() -> None:
    """"Multivalued context keys": ForAnyValue needs a match; ForAllValues also holds without the key."""
    statement = _allow(Condition={"ForAllValues:StringEquals": {"events:source": ["a", "b"]}})
    assert evaluate({"Statement": [statement]}, **{**SNS, "context": {"events:source": "a"}}).allowed
    assert not evaluate({"Statement": [statement]}, **{**SNS, "context": {"events:source": "c"}}).allowed
    assert evaluate({"Statement": [statement]}, **SNS).allowed
    any_value = _allow(Condition={"ForAnyValue:StringEquals": {"events:source": ["a"]}})
    assert not evaluate({"Statement": [any_value]}, **SNS).allowed


def test_identity_policies_have_no_principal_and_deny_wins() -> None:
    from labs.helpers.emulator.policies import evaluate_identity

    allow = {"Statement": [{"Effect": "Allow", "Action": "events:PutEvents", "Resource": "arn:aws:events:*:*:event-bus/*"}]}
    deny = {"Statement": [{"Effect": "Deny", "Action": "events:*", "Resource": "*"}]}
    bus = "arn:aws:events:us-east-1:222222222222:event-bus/central"
    assert evaluate_identity([allow], action="events:PutEvents", resource=bus, who="role r").allowed
    assert not evaluate_identity([allow, deny], action="events:PutEvents", resource=bus, who="role r").allowed
    assert not evaluate_identity([], action="events:PutEvents", resource=bus, who="role r").allowed
