"""SNS email and email-json subscriptions stay PendingConfirmation until ConfirmSubscription.

AWS (SNS developer guide, "Subscribing an email address to an Amazon SNS topic"): "Amazon SNS sends
a subscription confirmation email to the address"; "the subscription ... status is Pending
confirmation" until the recipient follows the link, and a pending subscription receives no
messages. API reference, Subscribe: "If the endpoint type is HTTP/S or email, or if the endpoint
and the topic are not in the same Amazon Web Services account, the endpoint owner must run the
ConfirmSubscription action to confirm the subscription"; ``SubscriptionArn`` in the response is
"pending confirmation" unless ``ReturnSubscriptionArn`` is true ("The ARN is returned if the
subscription is confirmed, or if ReturnSubscriptionArn is true; otherwise pending confirmation").
ListSubscriptions / ListSubscriptionsByTopic list such a subscription with ``SubscriptionArn``
``PendingConfirmation``; GetSubscriptionAttributes: ``PendingConfirmation`` - "true if the
subscription confirmation request was sent but the subscriber did not yet confirm". ConfirmSubscription
takes ``TopicArn`` and ``Token`` ("Short-lived token sent to an endpoint during the Subscribe action")
and returns the subscription's ARN. SMS subscriptions need no confirmation.

What plain moto 5.2.5 does instead: every subscription is confirmed at once (PendingConfirmation
false) and delivers; ConfirmSubscription ignores the token and answers a made-up ARN
(``<topic>:68762e72-...``).

How the emulator does it: a new email/email-json subscription is pending; the confirmation message
(``type="SubscriptionConfirmation"``, with ``token`` and ``subscribe_url``) lands in the emulator's
outbox (:func:`labs.helpers.emulator.sns.delivery_protocols.sent`, ``functions.outbox(lab)``), and
:func:`confirm` (or ``confirm_subscription(TopicArn=..., Token=...)``) confirms it. Publishes skip
pending subscriptions. An unknown token is ``InvalidParameter`` ("Invalid token").
"""

from __future__ import annotations

import functools
import secrets
import threading
from typing import Any

from ..patching import Patch

NAME = "sns_email_confirmation"
CONFIRMED_BY_OWNER = ("email", "email-json")
_tokens: dict[str, str] = {}  #: token -> subscription ARN
_lock = threading.Lock()


def _pending(subscription: Any) -> bool:
    return subscription.protocol in CONFIRMED_BY_OWNER and not subscription.confirmed


def clear() -> None:
    with _lock:
        _tokens.clear()


def _send_confirmation(subscription: Any) -> None:
    from .delivery_protocols import _outbox, _outbox_lock

    token = secrets.token_hex(64)
    with _lock:
        _tokens[token] = subscription.arn
    region = subscription.topic.arn.split(":")[3]
    url = (f"https://sns.{region}.amazonaws.com/?Action=ConfirmSubscription&TopicArn={subscription.topic.arn}"
           f"&Token={token}")
    text = (f"You have chosen to subscribe to the topic: {subscription.topic.arn}\n"
            f"To confirm this subscription, click or visit the link below (If this was in error no action is "
            f"necessary):\n{url}")
    with _outbox_lock:
        _outbox.append({
            "protocol": subscription.protocol, "endpoint": subscription.endpoint,
            "subject": "AWS Notification - Subscription Confirmation", "message": text, "message_id": None,
            "topic_arn": subscription.topic.arn, "subscription_arn": subscription.arn, "body": text,
            "type": "SubscriptionConfirmation", "token": token, "subscribe_url": url,
        })


def confirm(backend: Any, topic_arn: str, token: str) -> Any:
    """Confirm the subscription ``token`` was sent for; returns it (InvalidParameter for a bad token)."""
    from moto.sns.exceptions import SNSInvalidParameter

    with _lock:
        arn = _tokens.get(token)
    subscription = backend.subscriptions.get(arn) if arn else None
    if subscription is None or subscription.topic.arn != topic_arn:
        raise SNSInvalidParameter("Invalid token")
    subscription.confirmed = True
    subscription.attributes["PendingConfirmation"] = "false"
    subscription.attributes["ConfirmationWasAuthenticated"] = "false"
    return subscription


def _listed(subscription: Any) -> dict[str, Any]:
    return {"SubscriptionArn": "PendingConfirmation" if _pending(subscription) else subscription.arn,
            "Owner": subscription.owner, "Protocol": subscription.protocol, "Endpoint": subscription.endpoint,
            "TopicArn": subscription.topic.arn}


def _apply() -> None:
    from moto.core.responses import ActionResult
    from moto.sns.models import SNSBackend, Subscription
    from moto.sns.responses import SNSResponse

    from .. import on_reset

    subscribe_model = SNSBackend.subscribe

    @functools.wraps(subscribe_model)
    def subscribe(self: Any, topic_arn: str, endpoint: str, protocol: str) -> Any:
        existing = self._find_subscription(topic_arn, endpoint, protocol)
        subscription = subscribe_model(self, topic_arn, endpoint, protocol)
        if existing is None and protocol in CONFIRMED_BY_OWNER:
            subscription.confirmed = False
            subscription.attributes["PendingConfirmation"] = "true"
            subscription.attributes["ConfirmationWasAuthenticated"] = "false"
            _send_confirmation(subscription)
        elif existing is None:
            subscription.confirmed = True
        return subscription

    SNSBackend.subscribe = subscribe  # type: ignore[method-assign]

    subscribe_response = SNSResponse.subscribe

    @functools.wraps(subscribe_response)
    def subscribe_call(self: Any) -> Any:
        result = subscribe_response(self)
        arn = result.result["SubscriptionArn"]
        subscription = self.backend.subscriptions.get(arn)
        wants_arn = str(self._get_param("ReturnSubscriptionArn") or "").lower() == "true"
        if subscription is not None and _pending(subscription) and not wants_arn:
            return ActionResult({"SubscriptionArn": "pending confirmation"})
        return result

    SNSResponse.subscribe = subscribe_call  # type: ignore[method-assign]

    for name in ("list_subscriptions", "list_subscriptions_by_topic"):
        original = getattr(SNSResponse, name)

        def listing(self: Any, _original: Any = original) -> Any:
            result = _original(self)
            payload = dict(result.result)
            payload["Subscriptions"] = [_listed(s) for s in payload["Subscriptions"]]
            return ActionResult(payload)

        setattr(SNSResponse, name, functools.wraps(original)(listing))

    def confirm_subscription(self: Any) -> Any:
        subscription = confirm(self.backend, self._get_param("TopicArn"), self._get_param("Token") or "")
        return ActionResult({"SubscriptionArn": subscription.arn})

    SNSResponse.confirm_subscription = confirm_subscription  # type: ignore[method-assign]

    publish = Subscription.publish

    @functools.wraps(publish)
    def publish_confirmed(self: Any, *args: Any, **kwargs: Any) -> None:
        if _pending(self):
            return  # "a pending subscription receives no messages"
        publish(self, *args, **kwargs)

    Subscription.publish = publish_confirmed  # type: ignore[method-assign]
    on_reset(clear)


PATCH = Patch(
    name=NAME,
    restores="email and email-json subscriptions stay PendingConfirmation (Subscribe answers \"pending "
             "confirmation\", listings show SubscriptionArn PendingConfirmation) and receive nothing until "
             "ConfirmSubscription with the token from the confirmation message; SMS needs no confirmation",
    plain_moto="every subscription is confirmed at once and delivers; ConfirmSubscription ignores the token and "
               "returns a made-up subscription ARN",
    apply=_apply,
    targets={
        "moto.sns.models:SNSBackend.subscribe": "56ded2dae9fa",
        "moto.sns.responses:SNSResponse.subscribe": "ad34d209fb2b",
        "moto.sns.responses:SNSResponse.list_subscriptions": "9f1b433677ff",
        "moto.sns.responses:SNSResponse.list_subscriptions_by_topic": "ece4c74be1fb",
        "moto.sns.responses:SNSResponse.confirm_subscription": "95625a3fb6fa",
        "moto.sns.models:Subscription.publish": "fd07bd0bb87f",
    },
)
