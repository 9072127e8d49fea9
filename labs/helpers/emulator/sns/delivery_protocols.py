"""SNS delivers to Lambda, email, email-json and SMS subscriptions, and reports every fan-out.

AWS (SNS developer guide, "Fanout to Lambda functions"): "Amazon SNS invokes your function
asynchronously with an event that contains a message", ``Records[0].Sns`` with ``Type``,
``MessageId``, ``TopicArn``, ``Subject``, ``Message``, ``Timestamp`` and ``MessageAttributes``
(``{"Type": ..., "Value": ...}``). "Amazon SNS subscription filter policies": a subscriber "receives
only the messages that match its filter policy", for every protocol, on message attributes or (with
``FilterPolicyScope=MessageBody``) on the message body. Email, email-json and SMS deliver the
message to a mailbox or phone.

What plain moto 5.2.5 does instead: a ``lambda`` subscription invokes the function with a fixed
sample event (MessageId ``95df01b4-...``, TopicArn ``arn:aws:sns:EXAMPLE``, made-up attributes),
not the published message; ``email``, ``email-json`` and ``sms`` subscriptions accept the publish and
record nothing anyone can read; a subscriber queue that was deleted makes ``publish`` itself fail
(AWS accepts the publish and the delivery fails).

How the emulator does it (one wrapper around ``Subscription.publish``, the per-subscription step of
every publish, so EventBridge SNS targets fan out the same way):

* The subscription's filter policy is checked first, with moto's own matcher (the one SQS
  subscriptions already use), for every protocol. A rejected message is reported as
  ``Delivery(service="sns", action="filtered", status="filtered")``.
* ``lambda``: the function is invoked with ``InvocationType=Event`` and the event AWS sends.
* ``email`` / ``email-json`` / ``sms``: the delivery is appended to an **outbox** that labs read with
  :func:`sent` (or ``labs.helpers.functions.outbox(lab)``): dicts with ``protocol``, ``endpoint``,
  ``subject``, ``message``, ``message_id``, ``topic_arn`` (and ``body``: what the recipient gets;
  for email-json the JSON notification document).
* Everything else (``sqs``, ``http``/``https``, ...) is moto's own delivery.
* Every subscription of every publish is reported: ``Delivery(service="sns", action="fanout",
  source=topic_arn, target=<queue ARN, function ARN or endpoint>, cause_id=MessageId,
  detail={"protocol": ...})``, status ``delivered`` or ``failed``.

Email confirmation: on AWS an email/email-json subscription stays ``PendingConfirmation`` until
the recipient follows the link in a confirmation email, and receives nothing before. The
``sns_email_confirmation`` patch (``sns/email_confirmation.py``) does that here: the confirmation
message with its token lands in the same outbox, and ``confirm_subscription`` confirms.
"""

from __future__ import annotations

import functools
import json
import threading
from typing import Any

from ...observe import Delivery, emit
from ..awslambda.local_runtime import invoked_by
from ..patching import Patch

NAME = "sns_delivery_protocols"
OUTBOX_PROTOCOLS = ("email", "email-json", "sms")
_outbox: list[dict[str, Any]] = []
_outbox_lock = threading.Lock()


def sent(protocol: str | None = None, *, topic_arn: str | None = None, endpoint: str | None = None) -> list[dict[str, Any]]:
    """Email, email-json and SMS deliveries so far (oldest first), optionally only one protocol,
    topic or endpoint. Each is a dict: protocol, endpoint, subject, message, message_id,
    topic_arn, subscription_arn, body."""
    with _outbox_lock:
        entries = [dict(e) for e in _outbox]
    return [e for e in entries
            if (protocol is None or e["protocol"] == protocol)
            and (topic_arn is None or e["topic_arn"] == topic_arn)
            and (endpoint is None or e["endpoint"] == endpoint)]


def clear() -> None:
    """Empty the outbox (the embedded emulator is being reset)."""
    with _outbox_lock:
        _outbox.clear()


def _lambda_event(subscription: Any, message: str, message_id: str, subject: str | None,
                  message_attributes: dict[str, Any] | None) -> dict[str, Any]:
    from moto.core.utils import iso_8601_datetime_with_milliseconds

    return {"Records": [{
        "EventSource": "aws:sns",
        "EventVersion": "1.0",
        "EventSubscriptionArn": subscription.arn,
        "Sns": {
            "Type": "Notification",
            "MessageId": message_id,
            "TopicArn": subscription.topic.arn,
            "Subject": subject,
            "Message": message,
            "Timestamp": iso_8601_datetime_with_milliseconds(),
            "SignatureVersion": "1",
            "Signature": "EXAMPLE",
            "SigningCertUrl": "EXAMPLE",
            "UnsubscribeUrl": "EXAMPLE",
            "MessageAttributes": {name: {"Type": value.get("Type"), "Value": value.get("Value")}
                                  for name, value in (message_attributes or {}).items()},
        },
    }]}


def _invoke_lambda(subscription: Any, event: dict[str, Any], message_id: str) -> str | None:
    """Invoke asynchronously; an error string when Lambda would not accept the invocation."""
    from moto.awslambda.utils import get_backend

    parts = subscription.endpoint.split(":")
    region, account = parts[3], parts[4]
    qualifier = parts[7] if len(parts) == 8 else None
    function = ":".join(parts[:7])
    try:
        backend = get_backend(account, region)
        backend.get_function(function, qualifier)
        with invoked_by(subscription.topic.arn, cause_id=message_id, reported=True):
            backend.invoke(function, qualifier, json.dumps(event), {"x-amz-invocation-type": "Event"}, {})
    except Exception as err:  # noqa: BLE001 - a delivery failure, not a publish failure
        return f"{type(err).__name__}: {err}"
    return None


def _record(subscription: Any, message: str, message_id: str, subject: str | None,
            message_attributes: dict[str, Any] | None) -> None:
    body = message
    if subscription.protocol == "email-json":
        body = json.dumps(subscription.get_post_data(message, message_id, subject, message_attributes=message_attributes))
    with _outbox_lock:
        _outbox.append({
            "protocol": subscription.protocol, "endpoint": subscription.endpoint, "subject": subject,
            "message": message, "message_id": message_id, "topic_arn": subscription.topic.arn,
            "subscription_arn": subscription.arn, "body": body,
        })


def _wrap_publish(original: Any) -> Any:
    @functools.wraps(original)
    def publish(self: Any, message: str, message_id: str, subject: str | None = None,
                message_attributes: dict[str, Any] | None = None, group_id: str | None = None,
                deduplication_id: str | None = None, message_structure: str | None = None) -> None:
        base = {"service": "sns", "source": self.topic.arn, "target": self.endpoint, "message_id": message_id,
                "cause_id": message_id, "detail": {"protocol": self.protocol, "subscription": self.arn}}
        matcher = self._filter_policy_matcher
        if matcher is not None and not matcher.matches(message_attributes, message):
            emit(Delivery(action="filtered", status="filtered", payload=message, **base))
            return
        error: str | None = None
        if self.protocol == "lambda" or self.protocol in OUTBOX_PROTOCOLS:
            text = self._parse_message_structure(message, self.protocol) if message_structure == "json" else message
            if self.protocol == "lambda":
                error = _invoke_lambda(self, _lambda_event(self, text, message_id, subject, message_attributes), message_id)
            else:
                _record(self, text, message_id, subject, message_attributes)
        else:
            try:
                original(self, message, message_id, subject=subject, message_attributes=message_attributes,
                         group_id=group_id, deduplication_id=deduplication_id, message_structure=message_structure)
            except Exception as err:  # noqa: BLE001 - AWS accepts the publish; this delivery fails
                error = f"{type(err).__name__}: {err}"
        if error:
            base["detail"]["error"] = error
        emit(Delivery(action="fanout", status="failed" if error else "delivered", payload=message, **base))

    return publish


def outbox_response(request: Any, full_url: str, headers: Any) -> tuple[int, dict[str, str], str]:
    """``GET /moto-api/labs/outbox`` on the shared emulator: the outbox as JSON (``{"sent": [...]}``),
    so a notebook on ``python -m labs emulator`` reads confirmation tokens as the embedded one does."""
    return 200, {"Content-Type": "application/json"}, json.dumps({"sent": sent()}, default=str)


def _apply() -> None:
    from moto.moto_api._internal import urls as moto_api_urls
    from moto.sns.models import Subscription

    from .. import on_reset

    Subscription.publish = _wrap_publish(Subscription.publish)  # type: ignore[method-assign]
    on_reset(clear)
    moto_api_urls.url_paths["{0}/moto-api/labs/outbox"] = outbox_response


PATCH = Patch(
    name=NAME,
    restores="SNS invokes lambda subscriptions with the published message (Records[0].Sns), delivers email, "
             "email-json and sms subscriptions (readable from the emulator's outbox), applies filter policies "
             "to every protocol, and accepts a publish even when one subscriber's delivery fails",
    plain_moto="lambda subscriptions get a fixed sample event instead of the message; email, email-json and sms "
               "deliveries are not recorded anywhere; a deleted subscriber queue makes publish fail",
    apply=_apply,
    targets={"moto.sns.models:Subscription.publish": "fd07bd0bb87f"},
)
