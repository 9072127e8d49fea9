"""Email and email-json subscriptions stay PendingConfirmation until ConfirmSubscription with the token.

SNS API reference, Subscribe: for email "the endpoint owner must run the ConfirmSubscription action to
confirm the subscription"; the response's SubscriptionArn is "pending confirmation" unless
ReturnSubscriptionArn is true; ListSubscriptions shows ``PendingConfirmation``; a pending subscription
receives nothing. SMS needs no confirmation. Plain moto 5.2.5 confirms every subscription at once.
"""

from __future__ import annotations

import pytest
from botocore.exceptions import ClientError

from labs.helpers import Lab
from labs.helpers.emulator import status
from labs.helpers.functions import outbox
from tests.emulator.events_helpers import notifications, verify_phone


def _topic(lab: Lab) -> str:
    return lab.client("sns").create_topic(Name=lab.name("order-events"))["TopicArn"]


def _confirmations(lab: Lab) -> list[dict[str, object]]:
    return [m for m in outbox(lab, "email") + outbox(lab, "email-json") if m.get("type") == "SubscriptionConfirmation"]


def _notifications(lab: Lab, protocol: str) -> list[dict[str, object]]:
    return [m for m in outbox(lab, protocol) if m.get("type") != "SubscriptionConfirmation"]


def test_layer_is_applied(emulator: None) -> None:
    assert status()["sns_email_confirmation"].applied, status()["sns_email_confirmation"].reason


def test_email_subscription_is_pending_and_receives_nothing(lab: Lab) -> None:
    sns = lab.client("sns")
    topic = _topic(lab)
    assert sns.subscribe(TopicArn=topic, Protocol="email", Endpoint="ops@securecart.example")["SubscriptionArn"] == \
        "pending confirmation"
    [listed] = sns.list_subscriptions_by_topic(TopicArn=topic)["Subscriptions"]
    assert listed["SubscriptionArn"] == "PendingConfirmation"
    assert [s["SubscriptionArn"] for s in sns.list_subscriptions()["Subscriptions"]] == ["PendingConfirmation"]
    sns.publish(TopicArn=topic, Message="order o-1")
    assert _notifications(lab, "email") == []


def test_the_confirmation_message_carries_the_token_that_confirms(lab: Lab) -> None:
    sns = lab.client("sns")
    topic = _topic(lab)
    arn = sns.subscribe(TopicArn=topic, Protocol="email-json", Endpoint="audit@securecart.example",
                        ReturnSubscriptionArn=True)["SubscriptionArn"]
    assert sns.get_subscription_attributes(SubscriptionArn=arn)["Attributes"]["PendingConfirmation"] == "true"
    [confirmation] = _confirmations(lab)
    assert confirmation["endpoint"] == "audit@securecart.example" and confirmation["topic_arn"] == topic
    confirmed = sns.confirm_subscription(TopicArn=topic, Token=str(confirmation["token"]))["SubscriptionArn"]
    assert confirmed == arn
    assert sns.get_subscription_attributes(SubscriptionArn=arn)["Attributes"]["PendingConfirmation"] == "false"
    assert sns.list_subscriptions_by_topic(TopicArn=topic)["Subscriptions"][0]["SubscriptionArn"] == arn
    sns.publish(TopicArn=topic, Message="order o-1")
    assert [m["message"] for m in _notifications(lab, "email-json")] == ["order o-1"]


def test_an_unknown_token_is_refused(lab: Lab) -> None:
    topic = _topic(lab)
    lab.client("sns").subscribe(TopicArn=topic, Protocol="email", Endpoint="ops@securecart.example")
    with pytest.raises(ClientError) as err:
        lab.client("sns").confirm_subscription(TopicArn=topic, Token="not-the-token")
    assert err.value.response["Error"]["Code"] == "InvalidParameter"


def test_sms_needs_no_confirmation(lab: Lab) -> None:
    sns = lab.client("sns")
    topic = _topic(lab)
    arn = sns.subscribe(TopicArn=topic, Protocol="sms", Endpoint="+15555550100")["SubscriptionArn"]
    assert arn.startswith(topic + ":")
    verify_phone(lab, "+15555550100")  # the SMS sandbox, not a subscription confirmation (sns_sms_sandbox)
    sns.publish(TopicArn=topic, Message="order o-1")
    assert [m["endpoint"] for m in notifications(lab, "sms")] == ["+15555550100"]
