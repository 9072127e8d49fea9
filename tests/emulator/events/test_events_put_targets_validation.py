"""PutTargets validation (module ``events_put_targets_validation``).

API reference, PutTargets: "Input, InputPath, and InputTransformer are mutually exclusive and
optional parameters of a target"; Target.Input: "Valid JSON text passed to the target";
RetryPolicy.MaximumRetryAttempts "Maximum value of 185", MaximumEventAgeInSeconds "Maximum value of
86400"; DeadLetterConfig.Arn: "The ARN of the SQS queue"; user guide, "Amazon EventBridge targets": "For
EC2 instances, Kinesis data streams, and Step Functions state machines, EventBridge uses IAM roles that
you specify in the RoleARN parameter in PutTargets" (AWS: "RoleArn is required for target <arn>."). Plain moto 5.2.5 accepts all of these
(``LABS_EMULATOR_DISABLE=events_put_targets_validation``: the rejection tests fail there); botocore
only checks the minimums. The valid-target test guards that nothing correct is refused.
"""

from __future__ import annotations

from typing import Any

import pytest
from botocore.exceptions import ClientError

from labs.helpers import Lab

pytestmark = pytest.mark.usefixtures("emulator")

QUEUE = "arn:aws:sqs:us-east-1:123456789012:orders"


@pytest.mark.parametrize(("extra", "expected"), [
    ({"Input": "{}", "InputPath": "$.detail"}, "mutually exclusive"),
    ({"Input": "not json"}, "Input must be valid JSON"),
    ({"RetryPolicy": {"MaximumRetryAttempts": 186}}, "less than or equal to 185"),
    ({"RetryPolicy": {"MaximumEventAgeInSeconds": 90_000}}, "less than or equal to 86400"),
    ({"DeadLetterConfig": {"Arn": "arn:aws:sns:us-east-1:123456789012:alerts"}}, "must be an SQS queue"),
], ids=["two-inputs", "input-not-json", "too-many-retries", "too-old", "dlq-not-sqs"])
def test_rejected(lab: Lab, extra: dict[str, Any], expected: str) -> None:
    events = lab.client("events")
    events.put_rule(Name=lab.name("orders-rule"), EventPattern='{"source": ["securecart.orders"]}')
    with pytest.raises(ClientError) as info:
        events.put_targets(Rule=lab.name("orders-rule"), Targets=[{"Id": "q", "Arn": QUEUE, **extra}])
    assert info.value.response["Error"]["Code"] == "ValidationException"
    assert expected in info.value.response["Error"]["Message"]
    assert events.list_targets_by_rule(Rule=lab.name("orders-rule"))["Targets"] == []


def test_valid_target_is_stored(lab: Lab) -> None:
    events = lab.client("events")
    events.put_rule(Name=lab.name("orders-rule"), EventPattern='{"source": ["securecart.orders"]}')
    target = {"Id": "q", "Arn": QUEUE, "InputPath": "$.detail", "DeadLetterConfig": {"Arn": QUEUE + "-dlq"},
              "RetryPolicy": {"MaximumRetryAttempts": 185, "MaximumEventAgeInSeconds": 86_400}}
    assert events.put_targets(Rule=lab.name("orders-rule"), Targets=[target])["FailedEntryCount"] == 0
    [stored] = events.list_targets_by_rule(Rule=lab.name("orders-rule"))["Targets"]
    assert stored["RetryPolicy"] == target["RetryPolicy"]


MACHINE = "arn:aws:states:us-east-1:123456789012:stateMachine:fulfil"
STREAM = "arn:aws:kinesis:us-east-1:123456789012:stream/clicks"


@pytest.mark.parametrize("arn", [MACHINE, STREAM], ids=["state-machine", "kinesis-stream"])
def test_role_arn_is_required_for_targets_eventbridge_reaches_through_a_role(lab: Lab, arn: str) -> None:
    events = lab.client("events")
    events.put_rule(Name=lab.name("orders-rule"), EventPattern='{"source": ["securecart.orders"]}')
    with pytest.raises(ClientError) as info:
        events.put_targets(Rule=lab.name("orders-rule"), Targets=[{"Id": "t", "Arn": arn}])
    assert info.value.response["Error"]["Code"] == "ValidationException"
    assert f"RoleArn is required for target {arn}." in info.value.response["Error"]["Message"]
    role = "arn:aws:iam::123456789012:role/events-invoke"
    assert events.put_targets(Rule=lab.name("orders-rule"),
                              Targets=[{"Id": "t", "Arn": arn, "RoleArn": role}])["FailedEntryCount"] == 0
