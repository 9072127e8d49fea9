"""SQS RedrivePolicy validation: a rejected SetQueueAttributes or CreateQueue stores nothing.

AWS (SetQueueAttributes API reference): ``RedrivePolicy`` holds ``deadLetterTargetArn`` - "The Amazon
Resource Name (ARN) of the dead-letter queue to which Amazon SQS moves messages after the value of
maxReceiveCount is exceeded" - and ``maxReceiveCount``. SQS refuses a policy whose target is not an
existing queue's ARN with ``InvalidParameterValue``: "Value {...} for parameter RedrivePolicy is
invalid. Reason: Dead letter target does not exist." (AWS's response as CloudFormation relays it in
serverless/serverless#5215; AWS-compatible implementations such as Eucalyptus's SQS use the same
text). For a target that is not an ARN at all, such as the queue's URL, the reason is worded
"Invalid value for deadLetterTargetArn." and for a ``maxReceiveCount`` outside 1-1,000 "Invalid value
for maxReceiveCount: ..., valid values are from 1 to 1000 both inclusive." (the wording of
Eucalyptus's and LocalStack's AWS-compatible SQS; no recorded AWS response was found for these two,
the error code is the same InvalidParameterValue). A call AWS rejects changes nothing: no attribute
of the same request is applied.

What plain moto 5.2.5 does: ``Queue._set_attributes`` first applies every other attribute of the
request, then stores the new RedrivePolicy, and only then looks for the dead-letter queue: when it
is missing (a URL, a typo, a queue not created yet) the call fails with
``AWS.SimpleQueueService.NonExistentQueue`` *after* the policy and the other attributes were
stored. GetQueueAttributes then shows the broken policy, although moto moves nothing to it, so a
learner's wrong answer looks accepted. A non-numeric maxReceiveCount is an internal error (500).

Fix: validate the policy as AWS does before anything is stored, with AWS's code and message; and
restore every attribute the request touched if moto still rejects it (an unknown attribute value,
a FIFO queue with a standard DLQ, ...). CreateQueue goes through the same code: a queue whose
attributes are rejected is not created (moto already drops it), now with AWS's error.
"""

from __future__ import annotations

import functools
import json
from typing import Any

from ..arns import Arn
from ..patching import Patch

NAME = "sqs_redrive_policy"
MAX_RECEIVE_COUNT = (1, 1000)
#: Queue attributes ``_set_attributes`` writes besides the request's own keys.
_ALWAYS_WRITTEN = ("redrive_policy", "dead_letter_queue", "policy", "last_modified_timestamp")
_MISSING = object()


def _invalid(raw: str, reason: str) -> Exception:
    from moto.sqs.exceptions import SQSException

    return SQSException("InvalidParameterValue", f"Value {raw} for parameter RedrivePolicy is invalid. Reason: {reason}")


def _dead_letter_queue(queue: Any, arn: str) -> Any | None:
    """The queue ``arn`` names, in the source queue's own account and Region (where SQS looks), or None."""
    from moto.sqs.models import sqs_backends

    found = sqs_backends[queue.account_id][queue.region].queues.get(Arn.parse(arn).resource)
    return found if found is not None and found.queue_arn == arn else None


def validate(queue: Any, policy: Any) -> None:
    """Raise AWS's InvalidParameterValue for a RedrivePolicy AWS refuses (before anything is stored)."""
    if policy is None or policy == "":
        return  # None: not in the request; "": removes the policy (AWS accepts both)
    raw = policy if isinstance(policy, str) else json.dumps(policy)
    try:
        parsed = json.loads(raw)
    except ValueError:
        return  # moto's own error ("Redrive policy is not a dict or valid json"); nothing is kept
    if not isinstance(parsed, dict) or not parsed:
        return  # {} removes the policy, as moto does; anything else is moto's error
    target, count = parsed.get("deadLetterTargetArn"), parsed.get("maxReceiveCount")
    if target is None or count is None:
        return  # moto: "Redrive policy does not contain deadLetterTargetArn / maxReceiveCount"
    try:
        number = int(str(count))
    except ValueError:
        number = None
    if number is None or not MAX_RECEIVE_COUNT[0] <= number <= MAX_RECEIVE_COUNT[1]:
        raise _invalid(raw, f"Invalid value for maxReceiveCount: {count}, valid values are from "
                            f"{MAX_RECEIVE_COUNT[0]} to {MAX_RECEIVE_COUNT[1]} both inclusive.")
    arn = Arn.parse(target) if isinstance(target, str) else None
    if arn is None or not target.startswith("arn:") or arn.service != "sqs" or not arn.resource:
        raise _invalid(raw, "Invalid value for deadLetterTargetArn.")
    if _dead_letter_queue(queue, target) is None:
        raise _invalid(raw, "Dead letter target does not exist.")


def _touched(attributes: dict[str, Any]) -> set[str]:
    from moto.core.utils import camelcase_to_underscores

    return {camelcase_to_underscores(key) for key in attributes} | set(_ALWAYS_WRITTEN)


def _apply() -> None:
    from moto.sqs.models import Queue

    set_attributes = Queue._set_attributes

    @functools.wraps(set_attributes)
    def all_or_nothing(self: Queue, attributes: dict[str, Any], now: float | None = None) -> None:
        validate(self, attributes.get("RedrivePolicy"))
        saved = {name: self.__dict__.get(name, _MISSING) for name in _touched(attributes)}
        try:
            set_attributes(self, attributes, now)
        except Exception:
            for name, value in saved.items():  # AWS applies nothing of a rejected request
                if value is _MISSING:
                    self.__dict__.pop(name, None)
                else:
                    self.__dict__[name] = value
            raise

    Queue._set_attributes = all_or_nothing  # type: ignore[method-assign]


PATCH = Patch(
    name=NAME,
    restores="SetQueueAttributes/CreateQueue reject a RedrivePolicy whose deadLetterTargetArn is not an existing "
             "queue's ARN (\"Dead letter target does not exist\") or whose maxReceiveCount is outside 1-1,000, with "
             "InvalidParameterValue, and a rejected call changes no attribute",
    plain_moto="stores the RedrivePolicy and the request's other attributes, then fails "
               "(AWS.SimpleQueueService.NonExistentQueue) when the dead-letter queue is missing, so the broken "
               "policy stays on the queue; accepts maxReceiveCount 0 and fails with a 500 on a non-number",
    apply=_apply,
    targets={
        "moto.sqs.models:Queue._set_attributes": "4b7aaf3f4636",
        "moto.sqs.models:Queue._setup_dlq": "764bb4a649bb",
    },
)
