"""ReceiveMessage may return fewer messages than requested: only an empty receive means "drained".

ReceiveMessage API reference, MaxNumberOfMessages: "Amazon SQS never returns more messages than this
value (however, fewer messages might be returned)"; on short polling: "If the number of messages in
the queue is small (less than 1000), it is likely you will get fewer messages than you requested per
ReceiveMessage call"; long polling "lets you consume messages ... as soon as they become available".
So a consumer that stops on a short batch leaves messages behind, and one that receives
until a receive returns nothing drains the queue. Plain moto 5.2.5 always returns a full batch while
messages remain, so the first consumer looks correct.

The emulator's rule (see labs/helpers/emulator/sqs/receive_partial.py): a receive on a queue holding
more receivable messages than requested returns 1..MaxNumberOfMessages, from a per-queue seeded
sequence (receive_partial.sizes), the first one short; never an empty response while a message is
receivable; a queue holding no more than requested returns everything.
"""

from __future__ import annotations

import json
from typing import Any

import tests.emulator.lambda_helpers as lh
from labs.helpers import Lab
from labs.helpers.emulator.sqs.receive_partial import sizes
from labs.helpers.functions import settle
from labs.helpers.observe import Delivery


def _queue_with(lab: Lab, count: int, base: str = "orders") -> tuple[Any, str]:
    sqs = lab.client("sqs")
    url = sqs.create_queue(QueueName=lab.name(base))["QueueUrl"]
    for first in range(0, count, 10):
        sqs.send_message_batch(QueueUrl=url, Entries=[
            {"Id": str(n), "MessageBody": f"order-{n}"} for n in range(first, min(first + 10, count))])
    return sqs, url


def _visible(sqs: Any, url: str) -> int:
    return int(sqs.get_queue_attributes(QueueUrl=url, AttributeNames=["ApproximateNumberOfMessages"])
               ["Attributes"]["ApproximateNumberOfMessages"])


def test_a_consumer_that_stops_on_a_short_batch_leaves_messages_behind(lab: Lab) -> None:
    sqs, url = _queue_with(lab, 25)
    handled = 0
    while True:  # the bug: "fewer than 10 means the queue is empty"
        messages = sqs.receive_message(QueueUrl=url, MaxNumberOfMessages=10).get("Messages", [])
        for message in messages:
            handled += 1
            sqs.delete_message(QueueUrl=url, ReceiptHandle=message["ReceiptHandle"])
        if len(messages) < 10:
            break
    assert handled < 25 and _visible(sqs, url) == 25 - handled  # plain moto: 25 handled, none left


def test_a_consumer_that_receives_until_an_empty_receive_drains_everything_once(lab: Lab) -> None:
    sqs, url = _queue_with(lab, 25)
    bodies: list[str] = []
    batch_sizes: list[int] = []
    while messages := sqs.receive_message(QueueUrl=url, MaxNumberOfMessages=10, WaitTimeSeconds=0).get("Messages"):
        batch_sizes.append(len(messages))
        bodies += [m["Body"] for m in messages]
        sqs.delete_message_batch(QueueUrl=url, Entries=[
            {"Id": str(i), "ReceiptHandle": m["ReceiptHandle"]} for i, m in enumerate(messages)])
    assert sorted(bodies) == sorted(f"order-{n}" for n in range(25))
    assert batch_sizes[0] < 10 and len(batch_sizes) > 3  # plain moto: [10, 10, 5]
    assert _visible(sqs, url) == 0


def test_batch_sizes_follow_the_seeded_sequence_and_never_come_back_empty_early(lab: Lab) -> None:
    """While more than 10 messages are receivable the sizes are receive_partial.sizes(10, n); once 10
    or fewer are left a receive returns all of them; no receive is empty before the queue is."""
    sqs, url = _queue_with(lab, 40)
    got = []
    while messages := sqs.receive_message(QueueUrl=url, MaxNumberOfMessages=10, VisibilityTimeout=300).get("Messages"):
        got.append(len(messages))
    expected, left, plan = [], 40, iter(sizes(10, 40))
    while left:
        expected.append(next(plan) if left > 10 else left)
        left -= expected[-1]
    assert got == expected and sum(got) == 40
    assert all(1 <= n <= 10 for n in got) and got[0] < 10


def test_the_same_calls_give_the_same_batches_on_a_new_queue(lab: Lab) -> None:
    sqs, first = _queue_with(lab, 30, "orders-a")
    _, second = _queue_with(lab, 30, "orders-b")
    runs = [[len(sqs.receive_message(QueueUrl=url, MaxNumberOfMessages=10, VisibilityTimeout=300)["Messages"])
             for _ in range(3)] for url in (first, second)]
    assert runs[0] == runs[1] == sizes(10, 3)


def test_long_polling_returns_early_with_a_partial_batch_too(lab: Lab) -> None:
    sqs, url = _queue_with(lab, 20)
    messages = sqs.receive_message(QueueUrl=url, MaxNumberOfMessages=10, WaitTimeSeconds=5)["Messages"]
    assert 1 <= len(messages) < 10


def test_a_queue_with_no_more_than_requested_returns_them_all(lab: Lab) -> None:
    sqs, url = _queue_with(lab, 7)
    assert len(sqs.receive_message(QueueUrl=url, MaxNumberOfMessages=10, VisibilityTimeout=0)["Messages"]) == 7
    assert len(sqs.receive_message(QueueUrl=url, MaxNumberOfMessages=7, VisibilityTimeout=0)["Messages"]) == 7
    assert len(sqs.receive_message(QueueUrl=url)["Messages"]) == 1  # MaxNumberOfMessages defaults to 1


def test_fifo_order_within_each_group_is_kept(lab: Lab) -> None:
    sqs = lab.client("sqs")
    url = sqs.create_queue(QueueName=lab.name("payments.fifo"), Attributes={
        "FifoQueue": "true", "ContentBasedDeduplication": "true"})["QueueUrl"]
    sent = {g: [f"{g}-{n}" for n in range(6)] for g in ("A", "B", "C")}
    for n in range(6):
        for group, bodies in sent.items():
            sqs.send_message(QueueUrl=url, MessageBody=bodies[n], MessageGroupId=group)
    seen: dict[str, list[str]] = {g: [] for g in sent}
    batch_sizes = []
    while messages := sqs.receive_message(QueueUrl=url, MaxNumberOfMessages=10,
                                          MessageSystemAttributeNames=["MessageGroupId"]).get("Messages"):
        batch_sizes.append(len(messages))
        for m in messages:
            seen[m["Attributes"]["MessageGroupId"]].append(m["Body"])
            sqs.delete_message(QueueUrl=url, ReceiptHandle=m["ReceiptHandle"])
    assert seen == sent
    assert batch_sizes[0] < 10


def test_lambda_pollers_still_read_full_batches(lab: Lab, deliveries: list[Delivery]) -> None:
    """Lambda "reads messages in batches" of up to BatchSize: the emulator's own pollers are not API
    consumers and keep full batches, so the flow trace of a notebook does not change."""
    out_url, _ = lh.queue(lab, "seen")
    url, arn = lh.queue(lab, "orders")
    fn = lh.deploy(lab, "consumer", lh.FORWARD, env={"OUT": out_url})
    lam = lab.client("lambda")
    mapping = lam.create_event_source_mapping(EventSourceArn=arn, FunctionName=fn, BatchSize=10, Enabled=False)
    sqs = lab.client("sqs")
    for first in (0, 10, 20):
        sqs.send_message_batch(QueueUrl=url, Entries=[{"Id": str(n), "MessageBody": json.dumps(n)}
                                                      for n in range(first, first + 10)])
    lam.update_event_source_mapping(UUID=mapping["UUID"], Enabled=True)
    settle(lab)
    assert [c.detail["batch_size"] for c in lh.invocations(deliveries)] == [10, 10, 10]
