"""The SQS receive path behaves as the SQS Developer Guide and API reference say.

These tests pass on plain moto 5.2.5 *and* with ``sqs_receive_fast``: they prove the fast receive
path keeps every semantic a lab relies on. Run them against plain moto with
``LABS_EMULATOR_DISABLE=sqs_receive_fast .venv/bin/python -m pytest -q tests/emulator/test_sqs_receive_semantics.py``.
No timing assertions: sleeps are only there to let a 1-second timeout pass.
"""

from __future__ import annotations

import json
import time
from typing import Any

import pytest

from labs.helpers import Lab


def _counts(sqs: Any, url: str) -> dict[str, int]:
    names = ["ApproximateNumberOfMessages", "ApproximateNumberOfMessagesNotVisible", "ApproximateNumberOfMessagesDelayed"]
    attributes = sqs.get_queue_attributes(QueueUrl=url, AttributeNames=names)["Attributes"]
    return {name.removeprefix("ApproximateNumberOfMessages") or "Visible": int(attributes[name]) for name in names}


def _receive(sqs: Any, url: str, **kwargs: Any) -> list[dict[str, Any]]:
    kwargs.setdefault("MaxNumberOfMessages", 10)
    return sqs.receive_message(QueueUrl=url, **kwargs).get("Messages", [])


def test_visibility_timeout_hides_then_redelivers(lab: Lab) -> None:
    """"Immediately after a message is received, it remains in the queue. To prevent other consumers
    from processing the message again, Amazon SQS sets a visibility timeout ... After the visibility
    timeout expires, the message becomes visible to other consumers" (Developer Guide, visibility
    timeout); ApproximateReceiveCount counts the receives."""
    sqs = lab.client("sqs")
    url = sqs.create_queue(QueueName=lab.name("orders"))["QueueUrl"]
    sqs.send_message(QueueUrl=url, MessageBody="order-1")
    first = _receive(sqs, url, VisibilityTimeout=1, MessageSystemAttributeNames=["ApproximateReceiveCount"])
    assert [m["Body"] for m in first] == ["order-1"]
    assert first[0]["Attributes"]["ApproximateReceiveCount"] == "1"
    assert _receive(sqs, url) == []
    assert _counts(sqs, url) == {"Visible": 0, "NotVisible": 1, "Delayed": 0}
    time.sleep(1.1)
    again = _receive(sqs, url, MessageSystemAttributeNames=["ApproximateReceiveCount"])
    assert [m["Body"] for m in again] == ["order-1"]
    assert again[0]["Attributes"]["ApproximateReceiveCount"] == "2"
    assert again[0]["ReceiptHandle"] != first[0]["ReceiptHandle"]


def test_change_visibility_to_zero_and_delete(lab: Lab) -> None:
    """"ChangeMessageVisibility ... VisibilityTimeout 0 ... the message is immediately visible";
    DeleteMessage removes it for good, and deleting with an old receipt handle is accepted."""
    sqs = lab.client("sqs")
    url = sqs.create_queue(QueueName=lab.name("orders"))["QueueUrl"]
    sqs.send_message(QueueUrl=url, MessageBody="order-1")
    handle = _receive(sqs, url, VisibilityTimeout=30)[0]["ReceiptHandle"]
    sqs.change_message_visibility(QueueUrl=url, ReceiptHandle=handle, VisibilityTimeout=0)
    newer = _receive(sqs, url, VisibilityTimeout=30)
    assert [m["Body"] for m in newer] == ["order-1"]
    sqs.delete_message(QueueUrl=url, ReceiptHandle=newer[0]["ReceiptHandle"])
    sqs.delete_message(QueueUrl=url, ReceiptHandle=newer[0]["ReceiptHandle"])  # twice is fine
    assert _receive(sqs, url) == []
    assert _counts(sqs, url) == {"Visible": 0, "NotVisible": 0, "Delayed": 0}


def test_delay_seconds_and_long_poll_delivers_when_delay_ends(lab: Lab) -> None:
    """"Delay queues let you postpone the delivery of new messages ... messages remain invisible to
    consumers for the duration of the delay period"; with WaitTimeSeconds "the call waits ... for a
    message to arrive in the queue before returning" (ReceiveMessage)."""
    sqs = lab.client("sqs")
    url = sqs.create_queue(QueueName=lab.name("orders"))["QueueUrl"]
    sqs.send_message(QueueUrl=url, MessageBody="later", DelaySeconds=1)
    assert _receive(sqs, url) == []
    assert _counts(sqs, url) == {"Visible": 0, "NotVisible": 0, "Delayed": 1}
    got = _receive(sqs, url, WaitTimeSeconds=3)
    assert [m["Body"] for m in got] == ["later"]


def test_long_poll_on_empty_queue_returns_empty(lab: Lab) -> None:
    """"If no messages are available and the wait time expires, the call does not return a message
    list" (ReceiveMessage, WaitTimeSeconds)."""
    sqs = lab.client("sqs")
    url = sqs.create_queue(QueueName=lab.name("orders"))["QueueUrl"]
    assert _receive(sqs, url, WaitTimeSeconds=1) == []


def test_max_number_of_messages_and_every_message_once(lab: Lab) -> None:
    """"MaxNumberOfMessages - The maximum number of messages to return. Amazon SQS never returns more
    messages than this value"; each sent message is received (and deleted) once."""
    sqs = lab.client("sqs")
    url = sqs.create_queue(QueueName=lab.name("orders"))["QueueUrl"]
    for first in (0, 10):
        sqs.send_message_batch(QueueUrl=url, Entries=[
            {"Id": str(n), "MessageBody": f"order-{n}"} for n in range(first, min(first + 10, 15))])
    assert len(_receive(sqs, url, MaxNumberOfMessages=3, VisibilityTimeout=0)) <= 3
    seen: list[str] = []
    for _ in range(10):
        batch = _receive(sqs, url, MaxNumberOfMessages=10, VisibilityTimeout=30)
        if not batch:
            break
        assert len(batch) <= 10
        seen += [m["Body"] for m in batch]
        sqs.delete_message_batch(QueueUrl=url, Entries=[
            {"Id": str(i), "ReceiptHandle": m["ReceiptHandle"]} for i, m in enumerate(batch)])
    assert sorted(seen) == sorted(f"order-{n}" for n in range(15))


def _fifo(lab: Lab, sqs: Any) -> str:
    return sqs.create_queue(QueueName=lab.name("payments.fifo"), Attributes={
        "FifoQueue": "true", "ContentBasedDeduplication": "true"})["QueueUrl"]


def test_fifo_order_within_group_and_group_lock(lab: Lab) -> None:
    """"Messages that belong to the same message group are always processed one by one, in a strict
    order relative to the message group"; "you can't receive messages from the same message group
    while a message from that group is in flight" (FIFO queue delivery logic: "If a message group
    has in-flight messages, no more messages from that group are returned until they are deleted or
    become visible")."""
    sqs = lab.client("sqs")
    url = _fifo(lab, sqs)
    for body, group in [("a1", "A"), ("a2", "A"), ("b1", "B"), ("a3", "A")]:
        sqs.send_message(QueueUrl=url, MessageBody=body, MessageGroupId=group)
    first = _receive(sqs, url, MaxNumberOfMessages=1, VisibilityTimeout=30)
    assert [m["Body"] for m in first] == ["a1"]
    # Group A is locked by a1 in flight: only group B is available.
    second = _receive(sqs, url, VisibilityTimeout=30)
    assert [m["Body"] for m in second] == ["b1"]
    assert _receive(sqs, url) == []
    sqs.delete_message(QueueUrl=url, ReceiptHandle=first[0]["ReceiptHandle"])
    # a1 done, group B still locked by b1: the rest of group A, in order.
    assert [m["Body"] for m in _receive(sqs, url, VisibilityTimeout=30)] == ["a2", "a3"]


def test_fifo_group_unlocks_when_in_flight_message_becomes_visible(lab: Lab) -> None:
    """A FIFO message whose visibility timeout expires is the next one of its group again (order
    kept): "the message becomes visible ... and is received again" before later messages."""
    sqs = lab.client("sqs")
    url = _fifo(lab, sqs)
    for body in ("a1", "a2"):
        sqs.send_message(QueueUrl=url, MessageBody=body, MessageGroupId="A")
    assert [m["Body"] for m in _receive(sqs, url, MaxNumberOfMessages=1, VisibilityTimeout=1)] == ["a1"]
    assert _receive(sqs, url) == []
    time.sleep(1.1)
    assert [m["Body"] for m in _receive(sqs, url, MaxNumberOfMessages=1, VisibilityTimeout=30)] == ["a1"]


def test_fifo_long_poll_returns_when_group_unlocks(lab: Lab) -> None:
    """Long polling on a FIFO queue whose only group is locked returns the next message of the group
    once the in-flight one becomes visible within the wait."""
    sqs = lab.client("sqs")
    url = _fifo(lab, sqs)
    for body in ("a1", "a2"):
        sqs.send_message(QueueUrl=url, MessageBody=body, MessageGroupId="A")
    _receive(sqs, url, MaxNumberOfMessages=1, VisibilityTimeout=1)
    got = _receive(sqs, url, MaxNumberOfMessages=1, WaitTimeSeconds=3, VisibilityTimeout=30)
    assert [m["Body"] for m in got] == ["a1"]


@pytest.mark.parametrize("fifo", [False, True])
def test_dead_letter_queue_after_max_receive_count(lab: Lab, fifo: bool) -> None:
    """"maxReceiveCount - The number of times a message is delivered to the source queue before
    being moved to the dead-letter queue. When the ReceiveCount for a message exceeds the
    maxReceiveCount for a queue, Amazon SQS moves the message to the dead-letter-queue"
    (SetQueueAttributes, RedrivePolicy). Body and message attributes travel with it."""
    sqs = lab.client("sqs")
    suffix = ".fifo" if fifo else ""
    extra = {"FifoQueue": "true", "ContentBasedDeduplication": "true"} if fifo else {}
    dlq_url = sqs.create_queue(QueueName=lab.name("orders-dlq" + suffix), Attributes=extra)["QueueUrl"]
    dlq_arn = sqs.get_queue_attributes(QueueUrl=dlq_url, AttributeNames=["QueueArn"])["Attributes"]["QueueArn"]
    url = sqs.create_queue(QueueName=lab.name("orders" + suffix), Attributes={
        **extra, "RedrivePolicy": json.dumps({"deadLetterTargetArn": dlq_arn, "maxReceiveCount": 2})})["QueueUrl"]
    send: dict[str, Any] = {"MessageGroupId": "A"} if fifo else {}
    sqs.send_message(QueueUrl=url, MessageBody="poison", MessageAttributes={
        "kind": {"DataType": "String", "StringValue": "order"}}, **send)
    for _ in range(2):
        assert [m["Body"] for m in _receive(sqs, url, VisibilityTimeout=0)] == ["poison"]
    sqs.send_message(QueueUrl=url, MessageBody="fine", **({"MessageGroupId": "B"} if fifo else {}))
    # Third receive: poison has been received maxReceiveCount times and moves to the DLQ.
    assert [m["Body"] for m in _receive(sqs, url, VisibilityTimeout=30)] == ["fine"]
    assert _counts(sqs, url) == {"Visible": 0, "NotVisible": 1, "Delayed": 0}
    moved = _receive(sqs, dlq_url, MessageAttributeNames=["All"])
    assert [m["Body"] for m in moved] == ["poison"]
    assert moved[0]["MessageAttributes"]["kind"]["StringValue"] == "order"


def test_message_attribute_names_filter(lab: Lab) -> None:
    """"MessageAttributeNames - The name of the message attribute ... You can also use all message
    attributes starting with a prefix, for example bar.*" ; "All" or ".*" returns all; without the
    parameter none are returned. The stored message keeps all of them."""
    sqs = lab.client("sqs")
    url = sqs.create_queue(QueueName=lab.name("orders"))["QueueUrl"]
    sqs.send_message(QueueUrl=url, MessageBody="o", MessageAttributes={
        "trace.id": {"DataType": "String", "StringValue": "t1"},
        "trace.parent": {"DataType": "String", "StringValue": "p1"},
        "customer": {"DataType": "String", "StringValue": "c1"}})
    none = _receive(sqs, url, VisibilityTimeout=0)
    assert "MessageAttributes" not in none[0]
    prefixed = _receive(sqs, url, VisibilityTimeout=0, MessageAttributeNames=["trace.*"])
    assert set(prefixed[0]["MessageAttributes"]) == {"trace.id", "trace.parent"}
    every = _receive(sqs, url, VisibilityTimeout=0, MessageAttributeNames=["All"])
    assert set(every[0]["MessageAttributes"]) == {"trace.id", "trace.parent", "customer"}


def test_dead_letter_move_goes_through_queue_add_message(lab: Lab, monkeypatch: pytest.MonkeyPatch) -> None:
    """Contract for other layer modules (flow trace, move tasks): the DLQ move is
    ``dead_letter_queue.add_message(message)`` called from ``SQSBackend.receive_message``, so a
    wrapper of ``Queue.add_message`` observes every move."""
    from moto.sqs.models import Queue

    seen: list[tuple[str, str]] = []
    add_message = Queue.add_message

    def spy(self: Queue, message: Any) -> None:
        seen.append((self.name, message.body))
        add_message(self, message)

    monkeypatch.setattr(Queue, "add_message", spy)
    sqs = lab.client("sqs")
    dlq_url = sqs.create_queue(QueueName=lab.name("dlq"))["QueueUrl"]
    dlq_arn = sqs.get_queue_attributes(QueueUrl=dlq_url, AttributeNames=["QueueArn"])["Attributes"]["QueueArn"]
    url = sqs.create_queue(QueueName=lab.name("orders"), Attributes={
        "RedrivePolicy": json.dumps({"deadLetterTargetArn": dlq_arn, "maxReceiveCount": 1})})["QueueUrl"]
    sqs.send_message(QueueUrl=url, MessageBody="poison")
    _receive(sqs, url, VisibilityTimeout=0)
    _receive(sqs, url, VisibilityTimeout=0)
    assert seen == [(lab.name("orders"), "poison"), (lab.name("dlq"), "poison")]
