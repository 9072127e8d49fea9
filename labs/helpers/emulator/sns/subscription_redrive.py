"""SNS subscriptions keep a RedrivePolicy, and messages SNS cannot deliver land in its dead-letter queue.

AWS (SNS developer guide, "Amazon SNS dead-letter queues (DLQs)"): "A dead-letter queue is an Amazon
SQS queue that an Amazon SNS subscription can target for messages that can't be delivered to
subscribers successfully"; client-side errors ("the subscribed endpoint was deleted", "an owner
changes the policy attached to the subscribed endpoint in a way that prevents Amazon SNS from
delivering messages") are not retried and go to the DLQ at once; "The Amazon SNS subscription and
Amazon SQS queue must be under the same AWS account and Region"; "FIFO topic subscriptions use FIFO
queues, and standard topic subscriptions use standard queues". "Configuring an Amazon SNS
dead-letter queue for a subscription": the DLQ is named by ``RedrivePolicy``
``{"deadLetterTargetArn": <queue ARN>}``, and "To give Amazon SNS principal access to the Amazon SQS
API action, set the following queue policy" on the DLQ: ``sns.amazonaws.com`` may
``SQS:SendMessage`` with ``ArnEquals aws:SourceArn`` = the topic. Without it SNS cannot write there
and the message is lost.

What the DLQ message looks like (LocalStack's snapshot tests recorded against AWS,
``tests/aws/services/sns/test_sns.py::test_redrive_policy_sqs_queue_subscription`` and
``::test_redrive_policy_lambda_subscription``): exactly what the endpoint would have received. The
body is the SNS notification JSON (``Type``, ``MessageId``, ``TopicArn``, ``Message``,
``MessageAttributes`` ...); with ``RawMessageDelivery`` the body is the raw message and the message
attributes become SQS message attributes. AWS adds **no** error attributes (the recorded DLQ
messages have no ``MessageAttributes`` besides the published ones): the *reason* is only in
CloudWatch metrics/logs, which the emulator shows as the trace's ``dead-letter`` delivery instead.
A FIFO subscription's DLQ message keeps its ``MessageGroupId`` and ``MessageDeduplicationId``
(``::test_publish_fifo_messages_to_dlq``).

Validation (same recordings, ``::test_validate_set_sub_attributes`` and
``::test_validations_for_fifo``): ``RedrivePolicy: failed to parse JSON.``, ``RedrivePolicy:
deadLetterTargetArn is an invalid arn``, ``RedrivePolicy: must use a FIFO queue as DLQ for a FIFO
Subscription to a FIFO Topic.``; an unknown key: ``RedrivePolicy: invalid JSON. Attribute
maxReceiveCount is unknown.`` (AWS's answer quoted in ministryofjustice/cloud-platform-environments
PR #11520). Prefix ``Invalid parameter: `` for SetSubscriptionAttributes and ``Invalid parameter:
Attributes Reason: `` for Subscribe. An ARN that parses but is not an SQS queue ARN (a topic, a
function) gets the "invalid arn" text too: AWS accepts only a queue there, and its exact text for
that case is not recorded anywhere we found.

What plain moto 5.2.5 does instead: stores any RedrivePolicy string unvalidated (no JSON, a topic
ARN, anything) and never uses it: an undeliverable message just disappears.

How the emulator does it: ``Subscribe`` and ``SetSubscriptionAttributes`` validate the policy first.
The ``sns_delivery_policies`` patch hands every refused delivery (deleted endpoint, refusing
resource policy) to :data:`~labs.helpers.emulator.sns.delivery_policies.UNDELIVERABLE_HANDLERS`;
this patch's handler writes the message to the subscription's DLQ if the DLQ exists and its queue
policy lets ``sns.amazonaws.com`` in for this topic, and reports
``Delivery(service="sns", action="dead-letter", source=<subscription ARN>, target=<DLQ ARN>,
status="dead-lettered" | "failed", detail={"error_code", "reason", "topic", ...})``. A Lambda
handler that raises is *not* an SNS delivery failure (SNS invokes asynchronously and Lambda accepted
the event; its retries and on-failure destinations are Lambda's, "Fanout to Lambda functions"), so
it does not reach the subscription's DLQ, as on AWS.
"""

from __future__ import annotations

import functools
import json
from typing import Any

from ...observe import Delivery, emit
from ..arns import Arn
from ..patching import Patch
from ..policies import evaluate

NAME = "sns_subscription_redrive"
ATTRIBUTE = "RedrivePolicy"
KEY = "deadLetterTargetArn"
PRINCIPAL = "sns.amazonaws.com"


def validate(value: Any, topic_arn: str, endpoint: str, *, in_subscribe: bool = False) -> None:
    """Raise SNS's InvalidParameter unless ``value`` is a RedrivePolicy AWS accepts ("" clears it)."""
    from moto.sns.exceptions import SNSInvalidParameter

    prefix = "Invalid parameter: Attributes Reason: " if in_subscribe else "Invalid parameter: "
    if value in (None, ""):
        return
    try:
        policy = json.loads(value)
    except (TypeError, ValueError) as err:
        raise SNSInvalidParameter(f"{prefix}{ATTRIBUTE}: failed to parse JSON. {err}") from None
    if not isinstance(policy, dict):
        raise SNSInvalidParameter(f"{prefix}{ATTRIBUTE}: failed to parse JSON.")
    for key in policy:
        if key != KEY:
            raise SNSInvalidParameter(f"{prefix}{ATTRIBUTE}: invalid JSON. Attribute {key} is unknown.")
    arn = Arn.parse(str(policy.get(KEY, "")))
    if not str(policy.get(KEY, "")).startswith("arn:") or arn.service != "sqs" or not arn.resource or not arn.account:
        raise SNSInvalidParameter(f"{prefix}{ATTRIBUTE}: {KEY} is an invalid arn")
    if topic_arn.endswith(".fifo") and endpoint.endswith(".fifo") and not arn.resource.endswith(".fifo"):
        raise SNSInvalidParameter(f"{prefix}{ATTRIBUTE}: must use a FIFO queue as DLQ for a FIFO Subscription "
                                  f"to a FIFO Topic.")


def dead_letter_arn(subscription: Any) -> str | None:
    """The DLQ ARN of the subscription's RedrivePolicy, or None."""
    value = subscription.attributes.get(ATTRIBUTE)
    if not value:
        return None
    try:
        return str(json.loads(value).get(KEY)) or None
    except (TypeError, ValueError, AttributeError):
        return None


def _dlq_message(subscription: Any, message: str, message_id: str, subject: str | None,
                 message_attributes: dict[str, Any] | None, message_structure: str | None) -> tuple[str, dict[str, Any]]:
    """(body, SQS message attributes): what the endpoint would have received, as AWS writes it to the DLQ."""
    if message_structure == "json":
        message = subscription._parse_message_structure(message, subscription.protocol)
    raw = str(subscription.attributes.get("RawMessageDelivery", "")).lower() == "true"
    if not raw:
        envelope = subscription.get_post_data(message, message_id, subject, message_attributes=message_attributes)
        return json.dumps(envelope, sort_keys=True, indent=2, separators=(",", ": ")), {}
    attributes = {}
    for name, value in (message_attributes or {}).items():
        field = "BinaryValue" if str(value["Type"]).startswith("Binary") else "StringValue"
        attributes[name] = {"DataType": value["Type"], field: str(value["Value"])}
    return message, attributes


def _refusal(subscription: Any, dlq: Arn) -> str | None:
    """Why SNS cannot write to this DLQ (missing, elsewhere, or its policy refuses), or None."""
    from moto.sqs.models import sqs_backends

    topic = Arn.parse(subscription.topic.arn)
    if (dlq.account, dlq.region) != (topic.account, topic.region):
        return f"dead-letter queue {dlq.resource} is not in the topic's account and region"
    queue = sqs_backends[dlq.account][dlq.region].queues.get(dlq.resource)
    if queue is None:
        return f"dead-letter queue {dlq.resource} does not exist"
    from .delivery_policies import source_context

    decision = evaluate(queue.policy, action="sqs:SendMessage", resource=queue.queue_arn, service=PRINCIPAL,
                        context=source_context(subscription.topic))
    if decision.allowed:
        return None
    return (f"queue policy of dead-letter queue {queue.name} does not allow {PRINCIPAL} from topic "
            f"{subscription.topic.name}: {decision.reason}")


def dead_letter(subscription: Any, failure: Any, message: str, message_id: str, subject: str | None,
                message_attributes: dict[str, Any] | None, group_id: str | None, deduplication_id: str | None,
                message_structure: str | None) -> None:
    """Write an undeliverable message to the subscription's DLQ (an UNDELIVERABLE_HANDLERS handler)."""
    from moto.sqs.models import sqs_backends

    dlq_arn = dead_letter_arn(subscription)
    if dlq_arn is None:
        return
    dlq = Arn.parse(dlq_arn)
    detail: dict[str, Any] = {"subscription": subscription.arn, "topic": subscription.topic.arn,
                              "endpoint": subscription.endpoint, "protocol": subscription.protocol,
                              "error_code": failure.code, "reason": failure.reason}
    refused = _refusal(subscription, dlq)
    dlq_message_id: str | None = None
    if refused is None:
        body, attributes = _dlq_message(subscription, message, message_id, subject, message_attributes,
                                        message_structure)
        try:
            sent = sqs_backends[dlq.account][dlq.region].send_message(
                dlq.resource, body, message_attributes=attributes, deduplication_id=deduplication_id,
                group_id=group_id)
            dlq_message_id = str(sent.id)
        except Exception as err:  # noqa: BLE001 - the message is lost, as when the DLQ refuses
            refused = f"{type(err).__name__}: {err}"
    if refused is not None:
        detail["error"] = f"message lost: {refused}"
    emit(Delivery(service="sns", action="dead-letter", source=subscription.arn, target=dlq_arn,
                  message_id=dlq_message_id, cause_id=message_id, status="failed" if refused else "dead-lettered",
                  payload=message, detail=detail))


def _apply() -> None:
    from moto.sns.models import SNSBackend
    from moto.sns.responses import SNSResponse

    from .delivery_policies import UNDELIVERABLE_HANDLERS

    set_attributes = SNSBackend.set_subscription_attributes

    @functools.wraps(set_attributes)
    def set_checked(self: Any, arn: str, name: str, value: Any) -> None:
        subscription = self.subscriptions.get(arn)
        if name == ATTRIBUTE and subscription is not None:
            validate(value, subscription.topic.arn, subscription.endpoint)
        set_attributes(self, arn, name, value)

    subscribe = SNSResponse.subscribe

    @functools.wraps(subscribe)
    def subscribe_checked(self: Any) -> Any:
        attributes = self._get_param("Attributes", {}) or {}
        if ATTRIBUTE in attributes:
            validate(attributes[ATTRIBUTE], self._get_param("TopicArn") or "", self._get_param("Endpoint") or "",
                     in_subscribe=True)
        return subscribe(self)

    SNSBackend.set_subscription_attributes = set_checked  # type: ignore[method-assign]
    SNSResponse.subscribe = subscribe_checked  # type: ignore[method-assign]
    if dead_letter not in UNDELIVERABLE_HANDLERS:
        UNDELIVERABLE_HANDLERS.append(dead_letter)


PATCH = Patch(
    name=NAME,
    restores="a subscription's RedrivePolicy ({\"deadLetterTargetArn\": <SQS queue ARN>}) is validated as AWS does, "
             "and a message SNS cannot deliver (deleted endpoint, refusing resource policy) is written to that "
             "dead-letter queue as the endpoint would have received it, if the DLQ's queue policy allows "
             "sns.amazonaws.com for the topic; otherwise it is lost",
    plain_moto="any RedrivePolicy string is stored unvalidated and never used: undeliverable messages disappear",
    apply=_apply,
    targets={
        "moto.sns.models:SNSBackend.set_subscription_attributes": "bc6e69c534e1",
        "moto.sns.responses:SNSResponse.subscribe": "ad34d209fb2b",
    },
)
