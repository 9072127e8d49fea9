"""SNS FIFO topics keep their FifoThroughputScope attribute.

AWS (SNS API reference, CreateTopic and SetTopicAttributes, attributes that "apply only to FIFO
topics"): "FifoThroughputScope - Enables higher throughput for your FIFO topic by adjusting the
scope of deduplication. This attribute has two possible values: Topic - The scope of message
deduplication is across the entire topic. This is the default value ... MessageGroup - The scope of
deduplication is within each individual message group". AWS's own example code
(aws-doc-sdk-examples, the Python SNS FIFO scenario) creates its topic with ``"FifoThroughputScope":
"MessageGroup"``. moto 5.2.5 stores the value it is given (any value, on any topic) but never
returns it: ``get_topic_attributes`` leaves it out, so a learner cannot see the setting took.

Fix: ``GetTopicAttributes`` of a topic whose scope was set (at CreateTopic or with
SetTopicAttributes) includes ``FifoThroughputScope``; a value other than ``Topic`` or
``MessageGroup``, or the attribute on a standard topic, fails ``InvalidParameter`` (SNS's form:
"Invalid parameter: Attributes Reason: ..."). What AWS returns for a FIFO topic created without the
attribute is not documented, so the emulator adds nothing then (AWS's recorded responses from before
the attribute existed have none). Deduplication itself is left to the subscribed SQS FIFO queues, as
moto does.
"""

from __future__ import annotations

import functools
from typing import Any

from ..patching import Patch

NAME = "sns_fifo_throughput_scope"
ATTRIBUTE = "FifoThroughputScope"
VALUES = ("Topic", "MessageGroup")
_STORED = "fifo_throughput_scope"  #: where moto's setattr(camelcase_to_underscores(name)) puts it


def _is_fifo(value: Any) -> bool:
    return str(value).lower() == "true"


def check(value: Any, fifo: bool) -> None:
    """Raise SNS's InvalidParameter unless ``value`` is a scope AWS accepts for this topic."""
    from moto.sns.exceptions import SNSInvalidParameter

    if not fifo:
        raise SNSInvalidParameter(f"Invalid parameter: Attributes Reason: {ATTRIBUTE} is only valid for FIFO topics")
    if value not in VALUES:
        raise SNSInvalidParameter(f"Invalid parameter: Attributes Reason: {ATTRIBUTE}: Invalid value [{value}]. "
                                  f"Must be {' or '.join(VALUES)}.")


def _apply() -> None:
    from moto.sns.models import SNSBackend
    from moto.sns.responses import SNSResponse

    create_topic = SNSBackend.create_topic

    @functools.wraps(create_topic)
    def create_checked(self: Any, name: str, attributes: dict[str, str] | None = None,
                       tags: dict[str, str] | None = None) -> Any:
        if attributes and ATTRIBUTE in attributes:
            check(attributes[ATTRIBUTE], _is_fifo(attributes.get("FifoTopic")))
        return create_topic(self, name, attributes, tags)

    set_attribute = SNSBackend.set_topic_attribute

    @functools.wraps(set_attribute)
    def set_checked(self: Any, topic_arn: str, attribute_name: str, attribute_value: str) -> None:
        if attribute_name == _STORED:
            check(attribute_value, _is_fifo(self.get_topic(topic_arn).fifo_topic))
        set_attribute(self, topic_arn, attribute_name, attribute_value)

    get_attributes = SNSResponse.get_topic_attributes

    @functools.wraps(get_attributes)
    def get_with_scope(self: Any) -> Any:
        result = get_attributes(self)
        scope = getattr(self.backend.get_topic(self._get_param("TopicArn")), _STORED, None)
        if scope:
            result.result["Attributes"][ATTRIBUTE] = scope
        return result

    SNSBackend.create_topic = create_checked  # type: ignore[method-assign]
    SNSBackend.set_topic_attribute = set_checked  # type: ignore[method-assign]
    SNSResponse.get_topic_attributes = get_with_scope  # type: ignore[method-assign]


PATCH = Patch(
    name=NAME,
    restores="FIFO topics keep FifoThroughputScope (Topic | MessageGroup) given to CreateTopic or SetTopicAttributes "
             "and GetTopicAttributes returns it; other values, or the attribute on a standard topic, are "
             "InvalidParameter",
    plain_moto="FifoThroughputScope is accepted with any value on any topic and never returned by GetTopicAttributes",
    apply=_apply,
    targets={
        "moto.sns.models:SNSBackend.create_topic": "ef1fc5a13b4d",
        "moto.sns.models:SNSBackend.set_topic_attribute": "298cc66f07dc",
        "moto.sns.responses:SNSResponse.get_topic_attributes": "988a1fe509ed",
        "moto.sns.responses:SNSResponse.set_topic_attributes": "088779ce737c",
    },
)
