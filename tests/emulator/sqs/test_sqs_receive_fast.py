"""Gaps closed by ``sqs_receive_fast``; each test fails on plain moto 5.2.5.

Cost is asserted by counting reads of moto's clock (deterministic), never by timing: plain moto reads
it once or twice per message *in the queue* for every message it hands out.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest

from labs.helpers import Lab
from labs.helpers.backend import EMULATOR_ACCOUNT
from labs.helpers.emulator import status


@pytest.fixture
def clock_reads(monkeypatch: pytest.MonkeyPatch) -> Iterator[list[int]]:
    """Counts calls of moto's SQS clock (``moto.sqs.models.unix_time_millis``)."""
    from moto.sqs import models

    calls = [0]
    clock = models.unix_time_millis

    def counting(*args: Any) -> float:
        calls[0] += 1
        return clock(*args)

    monkeypatch.setattr(models, "unix_time_millis", counting)
    yield calls


def _moto_queue(name: str) -> Any:
    from moto.sqs.models import sqs_backends

    return sqs_backends[EMULATOR_ACCOUNT]["us-east-1"].queues[name]


def test_patch_is_applied(lab: Lab) -> None:
    from moto.sqs.models import SQSBackend

    from labs.helpers.emulator.sqs.receive_fast import _receive_message

    assert status()["sqs_receive_fast"].applied
    assert SQSBackend.receive_message is _receive_message  # the patch's own receive, not moto's


def test_receive_cost_does_not_grow_with_queue_depth(lab: Lab, clock_reads: list[int]) -> None:
    """ReceiveMessage "retrieves one or more messages (up to 10)"; its cost should not depend on the
    messages it does not return. Plain moto reads the clock >1,000 times for 10 of 500 messages."""
    sqs = lab.client("sqs")
    url = sqs.create_queue(QueueName=lab.name("orders"))["QueueUrl"]
    for first in range(0, 500, 10):
        sqs.send_message_batch(QueueUrl=url, Entries=[{"Id": str(n), "MessageBody": str(first + n)} for n in range(10)])
    clock_reads[0] = 0
    # "up to 10": fewer may come back (sqs_receive_partial), never none while messages are waiting
    assert 1 <= len(sqs.receive_message(QueueUrl=url, MaxNumberOfMessages=10)["Messages"]) <= 10
    assert clock_reads[0] < 100


def test_long_poll_on_locked_fifo_group_waits_instead_of_spinning(lab: Lab, clock_reads: list[int]) -> None:
    """Long polling "reduces the number of empty responses ... and false empty responses"; while the
    only group is locked by an in-flight message, the wait should sleep, not re-scan the queue
    continuously (plain moto re-scans for the whole WaitTimeSeconds: tens of thousands of clock reads)."""
    sqs = lab.client("sqs")
    url = sqs.create_queue(QueueName=lab.name("pay.fifo"), Attributes={
        "FifoQueue": "true", "ContentBasedDeduplication": "true"})["QueueUrl"]
    for body in ("a1", "a2"):
        sqs.send_message(QueueUrl=url, MessageBody=body, MessageGroupId="A")
    sqs.receive_message(QueueUrl=url, MaxNumberOfMessages=1, VisibilityTimeout=30)
    clock_reads[0] = 0
    assert "Messages" not in sqs.receive_message(QueueUrl=url, WaitTimeSeconds=1)
    assert clock_reads[0] < 100


def test_messages_past_retention_period_are_deleted_not_blocking(lab: Lab) -> None:
    """"Amazon SQS automatically deletes messages that have been in a queue for more than the maximum
    message retention period" (Developer Guide, message retention). Plain moto marks the expired
    message received and stops: the fresh message behind it is never returned."""
    sqs = lab.client("sqs")
    name = lab.name("orders")
    url = sqs.create_queue(QueueName=name, Attributes={"MessageRetentionPeriod": "60"})["QueueUrl"]
    sqs.send_message(QueueUrl=url, MessageBody="stale")
    sqs.send_message(QueueUrl=url, MessageBody="fresh")
    stale = next(m for m in _moto_queue(name)._messages if m.body == "stale")
    stale.sent_timestamp -= 61_000  # sent 61 s ago: past the 60 s retention period
    got = sqs.receive_message(QueueUrl=url, MaxNumberOfMessages=10, VisibilityTimeout=30).get("Messages", [])
    assert [m["Body"] for m in got] == ["fresh"]
    attributes = sqs.get_queue_attributes(QueueUrl=url, AttributeNames=["All"])["Attributes"]
    assert (attributes["ApproximateNumberOfMessages"], attributes["ApproximateNumberOfMessagesNotVisible"]) == ("0", "1")
