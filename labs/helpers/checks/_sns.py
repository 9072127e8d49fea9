"""Reading SNS state for checks: find a lab's topic by base name, its subscriptions and their attributes.

As with queues (:mod:`._sqs`), checks look topics up by name (``lab.name("order-events")``), not by an
ARN the learner stored, so any way of creating them passes and a missing one is "not attempted".
"""

from __future__ import annotations

import json
from typing import Any

from botocore.exceptions import ClientError

from ..errors import error_code


def topic_arns(lab: Any) -> dict[str, str]:
    """Name -> ARN of every topic of the account (paginated), so a check can find the lab's."""
    found: dict[str, str] = {}
    for page in lab.client("sns").get_paginator("list_topics").paginate():
        for topic in page.get("Topics", []):
            found[topic["TopicArn"].rsplit(":", 1)[-1]] = topic["TopicArn"]
    return found


def find_topic(lab: Any, base: str) -> str | None:
    """The ARN of the lab's topic ``base`` (e.g. "order-events", "order-status.fifo"), or None."""
    return topic_arns(lab).get(lab.name(base))


def topic_attributes(lab: Any, arn: str) -> dict[str, str]:
    return lab.client("sns").get_topic_attributes(TopicArn=arn)["Attributes"]


def subscriptions(lab: Any, topic_arn: str) -> list[dict[str, Any]]:
    """The topic's subscriptions, each with its ``Attributes`` (None while it is pending confirmation:
    SNS gives a pending subscription no ARN to read them by)."""
    sns = lab.client("sns")
    found = []
    for page in sns.get_paginator("list_subscriptions_by_topic").paginate(TopicArn=topic_arn):
        for sub in page.get("Subscriptions", []):
            arn = sub["SubscriptionArn"]
            attributes = None
            if arn.startswith("arn:"):
                try:
                    attributes = sns.get_subscription_attributes(SubscriptionArn=arn)["Attributes"]
                except ClientError as err:
                    if error_code(err) != "NotFound":
                        raise
            found.append({**sub, "Attributes": attributes})
    return found


def subscription_to(lab: Any, topic_arn: str, endpoint: str, protocol: str | None = None) -> dict[str, Any] | None:
    """The topic's subscription of ``endpoint`` (a queue ARN, an address, a function ARN), or None."""
    for sub in subscriptions(lab, topic_arn):
        if sub["Endpoint"] == endpoint and (protocol is None or sub["Protocol"] == protocol):
            return sub
    return None


def json_attribute(attributes: dict[str, Any] | None, name: str) -> Any:
    """A JSON-valued attribute (FilterPolicy, RedrivePolicy, DeliveryPolicy) parsed; None if unset,
    the raw text if it is not JSON."""
    raw = (attributes or {}).get(name)
    if not raw:
        return None
    try:
        return json.loads(raw)
    except ValueError:
        return raw


def queue_arn(lab: Any, url: str) -> str:
    return lab.client("sqs").get_queue_attributes(QueueUrl=url, AttributeNames=["QueueArn"])["Attributes"]["QueueArn"]
