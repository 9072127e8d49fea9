"""SQS queue attributes: AWS's value ranges, and RedriveAllowPolicy.

AWS rejects out-of-range attribute values with ``InvalidAttributeValue`` (SetQueueAttributes API
reference: DelaySeconds 0-900, MaximumMessageSize 1,024-1,048,576 bytes, MessageRetentionPeriod
60-1,209,600 seconds, ReceiveMessageWaitTimeSeconds 0-20, VisibilityTimeout 0-43,200), and supports
``RedriveAllowPolicy`` on a dead-letter queue (which source queues may use it). moto 5.2.5 accepts
any number, and stores RedriveAllowPolicy but refuses to return it (``InvalidAttributeName``), so a
student's mistake would pass silently and a correct DLQ set-up would fail.
"""

from __future__ import annotations

import functools
import json
from typing import Any

from ..patching import Patch

#: (minimum, maximum) per integer attribute, from the SetQueueAttributes API reference.
RANGES: dict[str, tuple[int, int]] = {
    "DelaySeconds": (0, 900),
    "MaximumMessageSize": (1024, 1_048_576),
    "MessageRetentionPeriod": (60, 1_209_600),
    "ReceiveMessageWaitTimeSeconds": (0, 20),
    "VisibilityTimeout": (0, 43_200),
    "KmsDataKeyReusePeriodSeconds": (60, 86_400),
}


def _validate(attributes: dict[str, Any]) -> None:
    from moto.sqs.exceptions import SQSException

    for key, (low, high) in RANGES.items():
        if key not in attributes:
            continue
        try:
            value = int(attributes[key])
        except (TypeError, ValueError):
            value = None
        if value is None or not low <= value <= high:
            raise SQSException("InvalidAttributeValue", f"Invalid value for the parameter {key}.")
    allow = attributes.get("RedriveAllowPolicy")
    if allow:
        try:
            policy = json.loads(allow)
        except ValueError:
            policy = None
        if not isinstance(policy, dict) or policy.get("redrivePermission") not in {"allowAll", "denyAll", "byQueue"}:
            raise SQSException("InvalidAttributeValue", "Invalid value for the parameter RedriveAllowPolicy.")


def _apply() -> None:
    from moto.sqs.models import Queue

    set_attributes = Queue._set_attributes

    @functools.wraps(set_attributes)
    def validated(self: Queue, attributes: dict[str, Any], now: float | None = None) -> None:
        _validate(attributes)
        set_attributes(self, attributes, now)

    Queue._set_attributes = validated  # type: ignore[method-assign]

    if "RedriveAllowPolicy" not in Queue.BASE_ATTRIBUTES:
        Queue.BASE_ATTRIBUTES = [*Queue.BASE_ATTRIBUTES, "RedriveAllowPolicy"]
        Queue.redrive_allow_policy = None  # type: ignore[attr-defined]
        attributes_of = Queue.attributes.fget

        @functools.wraps(attributes_of)
        def without_unset(self: Queue) -> dict[str, Any]:
            result = attributes_of(self)
            if result.get("RedriveAllowPolicy") is None:
                result.pop("RedriveAllowPolicy", None)
            return result

        Queue.attributes = property(without_unset)  # type: ignore[method-assign,assignment]


PATCH = Patch(
    name="sqs_queue_attributes",
    restores="SetQueueAttributes/CreateQueue reject out-of-range values with InvalidAttributeValue; "
             "RedriveAllowPolicy is stored and returned",
    plain_moto="accepts any VisibilityTimeout, DelaySeconds, retention or wait time; "
               "GetQueueAttributes(RedriveAllowPolicy) fails with InvalidAttributeName",
    apply=_apply,
    targets={
        "moto.sqs.models:Queue._set_attributes": "4b7aaf3f4636",
        "moto.sqs.models:Queue.attributes.fget": "40cb990b1216",
    },
)
