"""SNS FIFO topics deduplicate at the topic, number their messages and deliver only to SQS queues.

AWS (SNS developer guide, "Message deduplication for FIFO topics"): "If a message with a particular
message deduplication ID is published successfully, any messages published with the same message
deduplication ID, within the five-minute deduplication interval, are accepted but not delivered";
with ``ContentBasedDeduplication`` "Amazon SNS uses a SHA-256 hash to generate the message
deduplication ID using the body of the message". "Message ordering details for FIFO topics":
messages of one message group reach each subscribed queue in the order they were published; the
subscribers are Amazon SQS queues (FIFO, and since 2023 standard queues too; AWS re:Post "while
trying to create an sns subscription after choosing a topic all protocols except sqs disappear":
a FIFO topic offers only SQS). Publish API reference: for FIFO topics the response has
``SequenceNumber``, "a large, non-consecutive number that Amazon SNS assigns to each message", and
PublishBatch's ``Successful`` entries carry one too.

LocalStack's snapshot tests recorded against AWS (``tests/aws/services/sns/test_sns.py``,
``TestSNSSubscriptionSQSFifo``): a FIFO queue subscribed to a content-based-deduplication topic gets
``MessageDeduplicationId`` = the SHA-256 hex of the message (``532eaabd...`` for ``Test``) even
though the *queue* has no content-based deduplication; a standard queue subscribed to a FIFO topic
gets a published message once however often it is republished with the same deduplication id
(``test_publish_to_fifo_topic_deduplication_on_topic_level``); the notification envelope of a FIFO
topic has ``SequenceNumber`` and no ``Signature``/``SignatureVersion``/``SigningCertURL``;
``test_validations_for_fifo``: "Invalid parameter: The MessageGroupId parameter is required for FIFO
topics" and "Invalid parameter: The topic should either have ContentBasedDeduplication enabled or
MessageDeduplicationId provided explicitly" (both ``InvalidParameter``).

What plain moto 5.2.5 does (measured): a FIFO queue still cannot be subscribed to a standard topic
(AWS's text, kept) and a standard queue can be subscribed to a FIFO topic (as AWS); but publishing
without MessageGroupId is ``MissingParameter`` "The request must contain the parameter
MessageGroupId."; the no-deduplication error lacks the "Invalid parameter: " prefix; a
content-based-deduplication topic passes no deduplication id, so a FIFO queue without its own
content-based deduplication *refuses the delivery*; the topic deduplicates nothing (a standard
queue gets every duplicate; a FIFO queue only dedups by its own rules); no SequenceNumber anywhere;
email, sms and lambda subscriptions to a FIFO topic are accepted. Message group order is kept
(deliveries are synchronous), so it is left alone.

How the emulator does it: a wrapper around ``SNSBackend.publish`` validates FIFO publishes with
AWS's texts, derives the deduplication id (given, or SHA-256 of the message), drops a duplicate
within five minutes (scope: the topic, or the message group with ``FifoThroughputScope=
MessageGroup``) without delivering it (the response repeats the first message's id and sequence
number: AWS "accepts" it; what id it answers is not documented), and assigns increasing 20-digit
sequence numbers that ``Publish``/``PublishBatch`` return and the envelope carries. Subscribe
refuses protocols other than ``sqs`` on a FIFO topic with ``InvalidParameter`` (AWS's exact text for
that is not recorded anywhere we found; the emulator's says what is wrong).
"""

from __future__ import annotations

import functools
import hashlib
import threading
import time
from typing import Any

from ..patching import Patch

NAME = "sns_fifo_delivery"
WINDOW_SECONDS = 300.0
_lock = threading.Lock()
_seen: dict[tuple[str, str, str], tuple[float, str, str]] = {}  #: (topic, scope, dedup id) -> (time, id, seq)
_sequence: dict[str, str] = {}  #: message id -> sequence number
_counter = [10_000_000_000_000_000_000]
_current = threading.local()  #: the sequence number of the publish running on this thread


def clear() -> None:
    with _lock:
        _seen.clear()
        _sequence.clear()


def sequence_number(message_id: str) -> str | None:
    """The SequenceNumber SNS assigned to a FIFO topic's message (None for standard topics)."""
    with _lock:
        return _sequence.get(message_id)


def derive_deduplication_id(message: str, given: str | None) -> str:
    """The id SNS deduplicates on: the one given, else the SHA-256 hex of the message body."""
    return given or hashlib.sha256(message.encode("utf-8")).hexdigest()


def _next_sequence() -> str:
    _counter[0] += 1 + int(time.time_ns() % 7)  # increasing, not consecutive ("non-consecutive")
    return str(_counter[0])


def _check(topic: Any, group_id: str | None, dedup_id: str | None) -> None:
    from moto.sns.exceptions import SNSInvalidParameter

    if not group_id:
        raise SNSInvalidParameter("Invalid parameter: The MessageGroupId parameter is required for FIFO topics")
    if not dedup_id and not topic.content_based_deduplication:
        raise SNSInvalidParameter("Invalid parameter: The topic should either have ContentBasedDeduplication enabled "
                                  "or MessageDeduplicationId provided explicitly")


def _fifo_topic(backend: Any, arn: str | None) -> Any:
    topic = backend.topics.get(arn) if arn else None
    return topic if topic is not None and topic.fifo_topic else None


def _apply() -> None:
    from moto.sns.exceptions import SNSInvalidParameter
    from moto.sns.models import SNSBackend, Subscription
    from moto.sns.responses import SNSResponse

    from .. import on_reset

    publish_model = SNSBackend.publish

    @functools.wraps(publish_model)
    def publish(self: Any, message: str, arn: str | None, phone_number: str | None = None,
                subject: str | None = None, message_attributes: dict[str, Any] | None = None,
                group_id: str | None = None, deduplication_id: str | None = None,
                message_structure: str | None = None) -> str:
        topic = None if phone_number else _fifo_topic(self, arn)
        if topic is None:
            return publish_model(self, message, arn, phone_number, subject, message_attributes, group_id,
                                 deduplication_id, message_structure)
        _check(topic, group_id, deduplication_id)
        dedup = derive_deduplication_id(message, deduplication_id)
        scope = group_id if getattr(topic, "fifo_throughput_scope", "Topic") == "MessageGroup" else ""
        key, now = (topic.arn, scope or "", dedup), time.monotonic()
        with _lock:
            for old in [k for k, (at, _, _) in _seen.items() if now - at >= WINDOW_SECONDS]:
                del _seen[old]
            if key in _seen:
                return _seen[key][1]  # "accepted but not delivered"
            sequence = _next_sequence()
        _current.value = sequence
        try:
            message_id = publish_model(self, message, arn, phone_number, subject, message_attributes, group_id,
                                       dedup, message_structure)
        finally:
            _current.value = None
        with _lock:
            _seen[key] = (now, message_id, sequence)
            _sequence[message_id] = sequence
        return message_id

    post_data = Subscription.get_post_data

    @functools.wraps(post_data)
    def fifo_post_data(self: Any, *args: Any, **kwargs: Any) -> dict[str, Any]:
        data = post_data(self, *args, **kwargs)
        sequence = getattr(_current, "value", None)
        if self.topic.fifo_topic and sequence:
            for key in ("Signature", "SignatureVersion", "SigningCertURL"):
                data.pop(key, None)
            data["SequenceNumber"] = sequence
        return data

    subscribe_model = SNSBackend.subscribe

    @functools.wraps(subscribe_model)
    def subscribe(self: Any, topic_arn: str, endpoint: str, protocol: str) -> Any:
        if protocol != "sqs" and _fifo_topic(self, topic_arn) is not None:
            raise SNSInvalidParameter(f"Invalid parameter: Protocol Reason: a FIFO topic delivers only to Amazon SQS "
                                      f"queues, not {protocol}")
        return subscribe_model(self, topic_arn, endpoint, protocol)

    publish_response = SNSResponse.publish

    @functools.wraps(publish_response)
    def publish_call(self: Any) -> Any:
        result = publish_response(self)
        sequence = sequence_number(result.result["MessageId"])
        if sequence:
            result.result["SequenceNumber"] = sequence
        return result

    batch_response = SNSResponse.publish_batch

    @functools.wraps(batch_response)
    def batch_call(self: Any) -> Any:
        result = batch_response(self)
        for entry in result.result.get("Successful", []):
            sequence = sequence_number(entry["MessageId"])
            if sequence:
                entry["SequenceNumber"] = sequence
        return result

    SNSBackend.publish = publish  # type: ignore[method-assign]
    SNSBackend.subscribe = subscribe  # type: ignore[method-assign]
    Subscription.get_post_data = fifo_post_data  # type: ignore[method-assign]
    SNSResponse.publish = publish_call  # type: ignore[method-assign]
    SNSResponse.publish_batch = batch_call  # type: ignore[method-assign]
    on_reset(clear)


PATCH = Patch(
    name=NAME,
    restores="FIFO topics deduplicate at the topic for 5 minutes (MessageDeduplicationId, or SHA-256 of the body with "
             "ContentBasedDeduplication, passed on to the subscribed queues), return SequenceNumber from Publish and "
             "PublishBatch and in the notification, refuse a publish without MessageGroupId or deduplication with "
             "AWS's InvalidParameter texts, and deliver only to SQS queues",
    plain_moto="no topic-level deduplication (a standard queue gets every duplicate), content-based deduplication "
               "makes deliveries to FIFO queues fail, no SequenceNumber, MissingParameter for a missing "
               "MessageGroupId, and email/sms/lambda subscriptions on FIFO topics",
    apply=_apply,
    targets={
        "moto.sns.models:SNSBackend.publish": "6356a2b5b79e",
        "moto.sns.models:SNSBackend.subscribe": "56ded2dae9fa",
        "moto.sns.models:Subscription.get_post_data": "dc591399b4d0",
        "moto.sns.responses:SNSResponse.publish": "ef4aff34c3bc",
        "moto.sns.responses:SNSResponse.publish_batch": "f061a941e603",
    },
)
