"""SNS delivers to an SQS queue or a Lambda function only if the endpoint's resource policy allows it.

AWS (SNS developer guide, "Fanout to Amazon SQS queues" / "Subscribing an Amazon SQS queue to an
Amazon SNS topic"): "For an Amazon SNS topic to be able to send messages to a queue, you must set a
policy on the queue that allows the Amazon SNS topic to perform the sqs:SendMessage action", the
documented statement being ``{"Effect": "Allow", "Principal": {"Service": "sns.amazonaws.com"},
"Action": "sqs:SendMessage", "Resource": <queue ARN>, "Condition": {"ArnEquals": {"aws:SourceArn":
<topic ARN>}}}`` (the same statement "Configuring an Amazon SNS dead-letter queue for a
subscription" gives). Lambda ("Invoking Lambda functions using Amazon SNS notifications" and the
Lambda developer guide, "Granting function access to AWS services"): the function's resource-based
policy must allow ``lambda:InvokeFunction`` for principal ``sns.amazonaws.com`` (``aws lambda
add-permission --principal sns.amazonaws.com --source-arn <topic ARN>``). A delivery the policy
does not allow fails: "Client-side errors can happen when ... an owner changes the policy attached
to the subscribed endpoint in a way that prevents Amazon SNS from delivering messages to the
endpoint. Amazon SNS doesn't retry the message delivery that fails as a result of a client-side
error" (SNS developer guide, "Amazon SNS dead-letter queues (DLQs)"); the same page names a deleted
endpoint as the other client-side error. The publish itself succeeds.

What plain moto 5.2.5 does instead: stores queue and function policies and never reads them: every
subscribed queue and function gets every message, whatever its policy says.

How the emulator does it: a wrapper around ``Subscription.publish`` (outside the delivery-protocol
layer's) checks, after the subscription's filter policy accepted the message, that an ``sqs`` or
``lambda`` endpoint exists and that its policy allows the delivery, with the shared evaluator in
:mod:`labs.helpers.emulator.policies` (principal ``sns.amazonaws.com``, ``aws:SourceArn`` = the
topic, ``aws:SourceAccount`` = the topic's account). A delivery that is not allowed is not made
and is reported as ``Delivery(service="sns", action="fanout", status="failed")`` whose
``detail["error"]`` says why ("queue policy of analytics does not allow sns.amazonaws.com from
topic order-events: no statement allows ..."), then handed to :data:`UNDELIVERABLE_HANDLERS` (the
subscription dead-letter queue patch registers there).
"""

from __future__ import annotations

import functools
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from ...observe import Delivery, emit
from ..arns import Arn
from ..patching import Patch
from ..policies import evaluate

NAME = "sns_delivery_policies"
PRINCIPAL = "sns.amazonaws.com"


@dataclass(frozen=True)
class Undeliverable:
    """Why SNS could not hand a message to a subscription's endpoint (an AWS client-side error)."""

    code: str  #: "NoSuchEndpoint" (deleted queue/function) or "AccessDenied" (its policy refuses)
    reason: str


#: Called as ``handler(subscription, failure, message, message_id, subject, message_attributes,
#: group_id, deduplication_id, message_structure)`` for every delivery this patch refused.
UNDELIVERABLE_HANDLERS: list[Callable[..., None]] = []


def _name(arn: str) -> str:
    return arn.rsplit(":", 1)[-1]


def _queue_failure(subscription: Any) -> Undeliverable | None:
    from moto.sqs.models import sqs_backends

    arn = Arn.parse(subscription.endpoint)
    queue = sqs_backends[arn.account or subscription.account_id][arn.region].queues.get(arn.resource)
    if queue is None:
        return Undeliverable("NoSuchEndpoint", f"queue {arn.resource} does not exist")
    decision = evaluate(queue.policy, action="sqs:SendMessage", resource=queue.queue_arn, service=PRINCIPAL,
                        context=source_context(subscription.topic))
    if decision.allowed:
        return None
    return Undeliverable("AccessDenied", f"queue policy of {queue.name} does not allow {PRINCIPAL} from topic "
                                         f"{subscription.topic.name}: {decision.reason}")


def function_policy(fn: Any) -> dict[str, Any] | None:
    """A Lambda function's resource-based policy as a document (moto keeps only the statements)."""
    statements = list(getattr(getattr(fn, "policy", None), "statements", None) or [])
    return {"Version": "2012-10-17", "Statement": statements} if statements else None


def lambda_failure(endpoint: str, service: str, source: str, context: dict[str, str]) -> Undeliverable | None:
    """Whether ``service`` may invoke the function ``endpoint`` (ARN, optionally qualified) for ``source``."""
    from moto.awslambda.utils import get_backend

    parts = endpoint.split(":")
    qualifier = parts[7] if len(parts) == 8 else None
    try:
        fn = get_backend(parts[4], parts[3]).get_function(":".join(parts[:7]), qualifier)
    except Exception:  # noqa: BLE001 - moto's not-found error; AWS: the endpoint was deleted
        return Undeliverable("NoSuchEndpoint", f"function {parts[6] if len(parts) > 6 else endpoint} does not exist")
    decision = evaluate(function_policy(fn), action="lambda:InvokeFunction", resource=endpoint, service=service,
                        context=context)
    if decision.allowed:
        return None
    return Undeliverable("AccessDenied", f"function policy of {fn.function_name} does not allow {service} from "
                                         f"{source}: {decision.reason}")


def source_context(topic: Any) -> dict[str, str]:
    """The request context SNS's deliveries carry (global condition keys aws:SourceArn, aws:SourceAccount)."""
    return {"aws:SourceArn": topic.arn, "aws:SourceAccount": str(topic.account_id)}


def failure(subscription: Any) -> Undeliverable | None:
    """Why this subscription's endpoint would refuse SNS now, or None when a delivery may be made."""
    if subscription.protocol == "sqs":
        return _queue_failure(subscription)
    if subscription.protocol == "lambda":
        return lambda_failure(subscription.endpoint, PRINCIPAL, f"topic {subscription.topic.name}",
                              source_context(subscription.topic))
    return None


def _wrap_publish(original: Any) -> Any:
    @functools.wraps(original)
    def publish(self: Any, message: str, message_id: str, subject: str | None = None,
                message_attributes: dict[str, Any] | None = None, group_id: str | None = None,
                deduplication_id: str | None = None, message_structure: str | None = None) -> None:
        args = (message, message_id, subject, message_attributes, group_id, deduplication_id, message_structure)
        matcher = self._filter_policy_matcher
        refused = None if matcher is not None and not matcher.matches(message_attributes, message) else failure(self)
        if refused is None:  # filtered (reported by the layer below) or deliverable
            original(self, message, message_id, subject=subject, message_attributes=message_attributes,
                     group_id=group_id, deduplication_id=deduplication_id, message_structure=message_structure)
            return
        emit(Delivery(service="sns", action="fanout", source=self.topic.arn, target=self.endpoint,
                      message_id=message_id, cause_id=message_id, status="failed", payload=message,
                      detail={"protocol": self.protocol, "subscription": self.arn, "error": refused.reason,
                              "error_code": refused.code}))
        for handler in list(UNDELIVERABLE_HANDLERS):
            handler(self, refused, *args)

    return publish


def _apply() -> None:
    from moto.sns.models import Subscription

    Subscription.publish = _wrap_publish(Subscription.publish)  # type: ignore[method-assign]


PATCH = Patch(
    name=NAME,
    restores="SNS delivers to an SQS queue only if the queue policy allows sqs:SendMessage to sns.amazonaws.com "
             "(typically with aws:SourceArn = the topic), and to a Lambda function only if the function policy "
             "allows lambda:InvokeFunction to sns.amazonaws.com; a refused delivery (or a deleted endpoint) is a "
             "client-side error: not delivered, not retried, the publish still succeeds",
    plain_moto="queue and function policies are stored but never evaluated: every subscribed queue and function "
               "gets every message",
    apply=_apply,
    targets={"moto.sns.models:Subscription.publish": "fd07bd0bb87f"},
)
