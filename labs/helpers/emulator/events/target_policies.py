"""EventBridge delivers to an SQS, SNS or Lambda target only if the target's resource policy allows it.

AWS (EventBridge user guide, "Using resource-based policies for Amazon EventBridge"): "To make API
calls against the resources you own, EventBridge needs the appropriate permissions. For Lambda,
Amazon SNS, Amazon SQS, and Amazon CloudWatch Logs resources, EventBridge uses resource-based
policies." The documented statements: the Lambda function policy allows ``lambda:InvokeFunction``
for principal ``events.amazonaws.com`` with ``ArnLike aws:SourceArn`` = the rule; the topic policy
allows ``sns:Publish`` ("Amazon SNS permissions"); the queue policy allows ``sqs:SendMessage`` with
``ArnEquals aws:SourceArn`` = the rule ("Amazon SQS permissions"). A target reached with a role
(``RoleArn``) is authorised by that role instead ("If no execution role is configured, EventBridge
uses resource-based policies on the target resource"). A refused delivery is not retried ("Event
retry policy and using dead-letter queues": "for errors that result from missing permissions to a
target ... Rather than retrying, EventBridge sends these events directly to the DLQ"), counts in
the rule's ``FailedInvocations`` metric, and the DLQ message has ``ERROR_CODE`` ``NO_PERMISSIONS``.

What plain moto 5.2.5 does instead: stores queue, topic and function policies and never reads them;
a rule delivers to every target whatever the target's policy says.

How the emulator does it: the EventBridge targets layer (``events_targets``) picks one deliverer per
target kind (:func:`labs.helpers.emulator.events.targets.deliverer_for`); this patch wraps that choice
so that an SQS, SNS or Lambda deliverer first evaluates the target's policy with
:mod:`labs.helpers.emulator.policies` (principal ``events.amazonaws.com``, ``aws:SourceArn`` = the
rule ARN, ``aws:SourceAccount`` = the rule's account) and raises the layer's ``DeliveryError
("NO_PERMISSIONS", reason)`` when it does not allow the delivery. The targets layer then does what
AWS does with such an error: no retry, the target's dead-letter queue if it has one, and a
``rule-match`` delivery reported ``failed`` or ``dead-lettered`` with the reason. A target with a
``RoleArn`` is not checked (the emulator does not evaluate IAM roles; see "Differences that remain").
A target that no longer exists keeps failing as before (NO_RESOURCE).

The dead-letter queue is a resource too (user guide, "Using dead-letter queues to process undelivered
events in EventBridge", "Granting permissions to the dead-letter queue": "To successfully deliver
events to the queue, EventBridge must have permission to do so"; the console adds the statement, an
API/SDK user must add it: principal ``events.amazonaws.com``, ``sqs:SendMessage`` on the DLQ,
``ArnEquals aws:SourceArn`` = the rule). Without it the event is not written to the DLQ and is lost
(the rule's ``InvocationsFailedToBeSentToDLQ`` metric). Here: this patch wraps the targets layer's
DLQ writer with the same check, so a refusing DLQ makes the ``rule-match`` delivery ``failed`` with
``dead_letter_error`` saying why.
"""

from __future__ import annotations

import functools
from typing import Any

from ..arns import Arn
from ..patching import Patch
from ..policies import evaluate

NAME = "events_target_policies"
PRINCIPAL = "events.amazonaws.com"


def _context(rule: Any) -> dict[str, str]:
    return {"aws:SourceArn": rule.arn, "aws:SourceAccount": str(rule.account_id)}


def refusal(rule: Any, target: dict[str, Any], arn: Arn) -> str | None:
    """Why the target's policy refuses this rule's delivery, or None (allowed, not checked, or missing:
    a missing target is the deliverer's own NO_RESOURCE error)."""
    if target.get("RoleArn"):
        return None
    account, region = arn.account or rule.account_id, arn.region or rule.region_name
    source = f"rule {rule.name}"
    if arn.service == "sqs":
        from moto.sqs.models import sqs_backends

        queue = sqs_backends[account][region].queues.get(arn.resource)
        if queue is None:
            return None
        decision = evaluate(queue.policy, action="sqs:SendMessage", resource=queue.queue_arn, service=PRINCIPAL,
                            context=_context(rule))
        return None if decision.allowed else \
            f"queue policy of {queue.name} does not allow {PRINCIPAL} from {source}: {decision.reason}"
    if arn.service == "sns":
        from moto.sns.models import sns_backends

        topic = sns_backends[account][region].topics.get(target["Arn"])
        if topic is None:
            return None
        decision = evaluate(topic._policy_json, action="sns:Publish", resource=topic.arn, service=PRINCIPAL,
                            context=_context(rule))
        return None if decision.allowed else \
            f"topic policy of {topic.name} does not allow {PRINCIPAL} from {source}: {decision.reason}"
    if arn.service == "lambda":
        from ..sns.delivery_policies import lambda_failure

        failed = lambda_failure(target["Arn"], PRINCIPAL, source, _context(rule))
        return failed.reason if failed is not None and failed.code == "AccessDenied" else None
    return None


def dlq_refusal(rule: Any, dlq_arn: str) -> str | None:
    """Why the dead-letter queue's own policy refuses this rule's event, or None (allowed, or missing:
    a missing DLQ fails in the writer itself)."""
    from moto.sqs.models import sqs_backends

    arn = Arn.parse(dlq_arn)
    queue = sqs_backends[arn.account or rule.account_id][arn.region or rule.region_name].queues.get(arn.resource)
    if queue is None:
        return None
    decision = evaluate(queue.policy, action="sqs:SendMessage", resource=queue.queue_arn, service=PRINCIPAL,
                        context=_context(rule))
    return None if decision.allowed else \
        f"queue policy of dead-letter queue {queue.name} does not allow {PRINCIPAL} from rule {rule.name}: {decision.reason}"


def _apply() -> None:
    from . import targets

    write_dlq = targets._send_to_dead_letter_queue

    @functools.wraps(write_dlq)
    def send_to_dead_letter_queue(rule: Any, target: dict[str, Any], *args: Any, **kwargs: Any) -> str:
        reason = dlq_refusal(rule, target["DeadLetterConfig"]["Arn"])
        if reason:
            raise PermissionError(reason)
        return write_dlq(rule, target, *args, **kwargs)

    targets._send_to_dead_letter_queue = send_to_dead_letter_queue  # type: ignore[assignment]

    choose = targets.deliverer_for

    @functools.wraps(choose)
    def deliverer_for(arn: Arn) -> Any:
        deliver = choose(arn)
        if deliver is None or arn.service not in {"sqs", "sns", "lambda"}:
            return deliver

        def checked(rule: Any, target: dict[str, Any], target_arn: Arn, text: str, event: dict[str, Any]) -> Any:
            reason = refusal(rule, target, target_arn)
            if reason:
                raise targets.DeliveryError("NO_PERMISSIONS", reason)
            return deliver(rule, target, target_arn, text, event)

        return checked

    targets.deliverer_for = deliverer_for  # type: ignore[assignment]


PATCH = Patch(
    name=NAME,
    restores="an EventBridge rule delivers to an SQS queue, SNS topic or Lambda function only if its resource policy "
             "allows events.amazonaws.com (sqs:SendMessage, sns:Publish, lambda:InvokeFunction; typically with "
             "aws:SourceArn = the rule); a refused delivery is not retried, counts as a failed invocation and goes "
             "to the target's dead-letter queue with ERROR_CODE NO_PERMISSIONS",
    plain_moto="queue, topic and function policies are stored but never evaluated: a rule delivers to every target "
               "(and dead-letters to any queue)",
    apply=_apply,
    targets={"moto.events.models:Rule.send_to_targets": "472e002e2dab"},
)
