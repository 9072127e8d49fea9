"""EventBridge PutTargets rejects target settings AWS rejects, instead of storing them silently.

AWS (API reference, PutTargets): "Input, InputPath, and InputTransformer are mutually exclusive and
optional parameters of a target"; Target.Input is "Valid JSON text passed to the target";
RetryPolicy.MaximumRetryAttempts has "Valid Range: Minimum value of 0. Maximum value of 185" and
MaximumEventAgeInSeconds "Minimum value of 60. Maximum value of 86400"; DeadLetterConfig.Arn is "The
ARN of the SQS queue specified as the target for the dead-letter queue"; and (user guide, "Amazon
EventBridge targets") "For EC2 instances, Kinesis data streams, and Step Functions state machines,
EventBridge uses IAM roles that you specify in the RoleARN parameter in PutTargets": without one AWS
answers "RoleArn is required for target <arn>." (so do Firehose and CodePipeline targets). moto 5.2.5 stores any of
these, so a lab's typo surfaced only later as a delivery that behaved oddly (botocore itself only
checks the minimums). Errors are ``ValidationException`` with AWS's constraint wording.
"""

from __future__ import annotations

import functools
import json
from typing import Any

from ..arns import Arn
from ..patching import Patch

NAME = "events_put_targets_validation"
RANGES = {"MaximumRetryAttempts": (0, 185), "MaximumEventAgeInSeconds": (60, 86_400)}
#: Services whose targets EventBridge reaches by assuming the target's RoleArn (PutTargets requires it).
NEEDS_ROLE = {"states", "kinesis", "firehose", "codepipeline"}
_MEMBER_NAMES = {"MaximumRetryAttempts": "maximumRetryAttempts", "MaximumEventAgeInSeconds": "maximumEventAgeInSeconds"}


def problems(targets: list[dict[str, Any]]) -> list[str]:
    """What AWS would reject in ``targets`` (empty when all is well)."""
    found: list[str] = []
    for index, target in enumerate(targets, start=1):
        ident = target.get("Id", "?")
        given = [key for key in ("Input", "InputPath", "InputTransformer") if target.get(key) is not None]
        if len(given) > 1:
            found.append(f"Input, InputPath, and InputTransformer are mutually exclusive (target {ident} sets "
                         f"{', '.join(given)}).")
        if target.get("Input") is not None:
            try:
                json.loads(target["Input"])
            except ValueError:
                found.append(f"Parameter Input is not valid for target {ident}. Reason: Input must be valid JSON text.")
        for key, (low, high) in RANGES.items():
            value = (target.get("RetryPolicy") or {}).get(key)
            if value is None:
                continue
            member = f"targets.{index}.member.retryPolicy.{_MEMBER_NAMES[key]}"
            if int(value) < low:
                found.append(f"Value '{value}' at '{member}' failed to satisfy constraint: "
                             f"Member must have value greater than or equal to {low}")
            elif int(value) > high:
                found.append(f"Value '{value}' at '{member}' failed to satisfy constraint: "
                             f"Member must have value less than or equal to {high}")
        arn = str(target.get("Arn", ""))
        if Arn.parse(arn).service in NEEDS_ROLE and not target.get("RoleArn"):
            found.append(f"RoleArn is required for target {arn}.")
        dlq = (target.get("DeadLetterConfig") or {}).get("Arn")
        parts = str(dlq).split(":")
        if dlq is not None and (len(parts) < 6 or parts[0] != "arn" or parts[2] != "sqs"):
            found.append(f"Parameter DeadLetterConfig.Arn is not valid for target {ident}. "
                         "Reason: the dead-letter queue must be an SQS queue ARN.")
    return found


def _apply() -> None:
    from moto.events.exceptions import ValidationException
    from moto.events.models import EventsBackend

    original = EventsBackend.put_targets

    @functools.wraps(original)
    def put_targets(self: EventsBackend, name: str, event_bus_arn: str | None, targets: list[dict[str, Any]]) -> None:
        found = problems(targets)
        if found:
            count = len(found)
            raise ValidationException(f"{count} validation error{'s' if count > 1 else ''} detected: " + "; ".join(found))
        original(self, name, event_bus_arn, targets)

    EventsBackend.put_targets = put_targets  # type: ignore[method-assign]


PATCH = Patch(
    name=NAME,
    restores="PutTargets rejects more than one of Input/InputPath/InputTransformer, an Input that is not JSON, "
             "RetryPolicy values out of range, a dead-letter queue that is not an SQS queue, and a Step Functions, "
             "Kinesis, Firehose or CodePipeline target without RoleArn",
    plain_moto="PutTargets stores all of these and the rule misbehaves later",
    apply=_apply,
    targets={"moto.events.models:EventsBackend.put_targets": "5c3742b61a68"},
)
