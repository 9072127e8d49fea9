"""CreateTopic and Subscribe are idempotent only for the same attributes, as on AWS.

AWS (SNS API reference, CreateTopic: "This action is idempotent, so if the requester already owns a
topic with the specified name, that topic's ARN is returned without creating a new topic"; Subscribe
likewise returns the existing subscription). Called again with *different* attributes both fail:
``InvalidParameter`` "Invalid parameter: Attributes Reason: Topic already exists with different
attributes" and "Invalid parameter: Attributes Reason: Subscription already exists with different
attributes" (the messages AWS returns, recorded in LocalStack's AWS-validated SNS tests and quoted in
localstack/localstack#8816). Only the attributes present in the request are compared (LocalStack
#9167, validated against AWS): a second call that names fewer attributes, or none, still succeeds.
To change a topic or a subscription, AWS has ``set_topic_attributes`` / ``set_subscription_attributes``.

What plain moto 5.2.5 does instead: ``create_topic`` returns the existing topic and ignores the new
attributes; ``subscribe`` returns the existing subscription and silently *overwrites* its attributes
with the new ones. A learner who fixes an attribute by re-running a create cell would see it work
here and fail on AWS.

How the emulator does it: a wrapper around ``SNSBackend.create_topic`` compares each requested
attribute with the existing topic's (``FifoTopic`` "false" on a standard topic is no difference), and
one around ``SNSResponse.subscribe`` compares the requested subscription attributes with the
existing subscription's (booleans case-insensitively, JSON policies as parsed JSON) before moto
applies them.
"""

from __future__ import annotations

import functools
import json
from typing import Any

from ..patching import Patch

NAME = "sns_create_conflicts"
TOPIC_CONFLICT = "Invalid parameter: Attributes Reason: Topic already exists with different attributes"
SUBSCRIPTION_CONFLICT = "Invalid parameter: Attributes Reason: Subscription already exists with different attributes"


def same(wanted: Any, existing: Any) -> bool:
    """Do two attribute values mean the same (strings, booleans as text, JSON documents)?"""
    if existing is None:
        existing = ""
    a, b = str(wanted), existing if isinstance(existing, str) else json.dumps(existing) if isinstance(existing, dict) else str(existing)
    if a.lower() in ("true", "false") or b.lower() in ("true", "false"):
        return a.lower() == b.lower()
    if a == b:
        return True
    try:
        return json.loads(a) == json.loads(b)
    except (TypeError, ValueError):
        return False


def _topic_value(topic: Any, name: str) -> Any:
    from moto.core.utils import camelcase_to_underscores

    return getattr(topic, camelcase_to_underscores(name), None)


def _apply() -> None:
    from moto.sns.exceptions import SNSInvalidParameter
    from moto.sns.models import SNSBackend, Topic
    from moto.sns.responses import SNSResponse

    create_topic = SNSBackend.create_topic

    @functools.wraps(create_topic)
    def create_or_conflict(self: Any, name: str, attributes: dict[str, str] | None = None,
                           tags: dict[str, str] | None = None) -> Any:
        arn = Topic(name, self).arn if attributes else None
        existing = self.topics.get(arn) if arn else None
        if existing is not None:
            for key, value in (attributes or {}).items():
                current = _topic_value(existing, key)
                if key == "FifoTopic" and str(value).lower() == "false" and not existing.fifo_topic:
                    continue
                if not same(value, current):
                    raise SNSInvalidParameter(TOPIC_CONFLICT)
        return create_topic(self, name, attributes, tags)

    SNSBackend.create_topic = create_or_conflict  # type: ignore[method-assign]

    subscribe = SNSResponse.subscribe

    @functools.wraps(subscribe)
    def subscribe_or_conflict(self: Any) -> Any:
        attributes = self._get_attributes()
        if attributes:
            existing = self.backend._find_subscription(self._get_param("TopicArn"), self._get_param("Endpoint"),
                                                       self._get_param("Protocol"))
            if existing is not None:
                for key, value in attributes.items():
                    current = existing.attributes.get(key)
                    if key == "FilterPolicyScope" and current is None:
                        current = "MessageAttributes"
                    if key == "RawMessageDelivery" and current is None:
                        current = "false"
                    if not same(value, current):
                        raise SNSInvalidParameter(SUBSCRIPTION_CONFLICT)
        return subscribe(self)

    SNSResponse.subscribe = subscribe_or_conflict  # type: ignore[method-assign]


PATCH = Patch(
    name=NAME,
    restores="create_topic and subscribe called again with different attributes fail with InvalidParameter "
             "(\"... already exists with different attributes\"), as on AWS; with the same ones they stay idempotent",
    plain_moto="create_topic ignores the new attributes; subscribe silently overwrites the existing subscription's",
    apply=_apply,
    targets={"moto.sns.models:SNSBackend.create_topic": "ef1fc5a13b4d", "moto.sns.responses:SNSResponse.subscribe": "ad34d209fb2b"},
)
