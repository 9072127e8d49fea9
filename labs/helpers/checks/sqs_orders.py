"""Checks of Lab 1 (SQS order processing): one per exercise, judging what the learner's code does.

Configuration is read from the backend (queue attributes, redrive policies, mappings); behaviour
is tested by running the learner's own functions on scratch queues with test traffic and injected
faults (:mod:`.probe`): a crash in the middle of a batch, a receive that returns fewer messages
than asked, a batch whose entries fail once, a duplicate delivery, a provider that times out, a
redrive that takes time. Each check cites the AWS behaviour it relies on.

Numbers the lab's text asks for (21 orders, 9 payments, the 12 orders of step 7) are constants
here so the notebook and its checks agree.
"""

from __future__ import annotations

import json
import time
import uuid
from collections import Counter
from typing import Any

from .. import data
from ..backend import BackendKind
from ..chaos import flaky_batches
from ..errors import LabError
from ..fakes import PaymentProvider, ProviderError
from ..notebook_errors import last_failure
from . import Feedback, checker
from ._sqs import attributes, counts, find_queue, lab_queues, peek_all, redrive_policy, short
from .probe import Faults, Probe

ORDERS_SENT = 21  #: step 2: one send_message plus two batches of 10
PAYMENTS_SENT = 9  #: step 5: nine payment events, then one of them again (the duplicate)
CLICKS_SENT = 1000  #: step 6
ORDERS_RETENTION = 86_400  #: step 2: one day
MAX_RECEIVE = range(2, 11)  #: step 4: how many receives before the DLQ (the lab uses 3)
#: step 3: the race's consumer B long-polls this long while A works; a heartbeat must outlast it.
RACE_WAIT = 2
MIN_HEARTBEAT = RACE_WAIT + 1
MAX_HEARTBEAT = 900  #: beyond 15 min a crashed consumer's message stays hidden needlessly long
LAMBDA_ORDERS = {"n": 12, "seed": 21, "malformed": 2}  #: step 7: data.orders(**LAMBDA_ORDERS)

_RECREATE = ("create_queue with other attributes fails with QueueAlreadyExists: change the existing queue "
             "with set_queue_attributes")


def _short_wait(lab: Any) -> int:
    """How long a probe lets a long poll wait: 0 in-process (the emulator answers a short poll with every
    visible message), 1 s elsewhere (AWS's short polls sample servers and may miss messages)."""
    return 0 if lab.backend.kind is BackendKind.EMBEDDED else 1


def _probe_orders(n: int) -> list[str]:
    """``n`` valid order bodies with ids of their own (CHK-...), so a probe never collides with
    the learner's real orders or with an earlier run of the same check."""
    run = uuid.uuid4().hex[:6]
    return [json.dumps({**json.loads(body), "order_id": f"CHK-{run}-{i:02d}"}) for i, body in enumerate(data.orders(n, seed=5))]


# ============================================================== step 2: the queue
def _orders(lab: Any, fb: Feedback) -> tuple[str, dict[str, str]]:
    url = find_queue(lab, "orders")
    if url is None:
        for name, other in lab_queues(lab, "orders"):
            if attributes(lab, other).get("FifoQueue") == "true":
                fb.wrong(f"There is no standard 'orders' queue, but a FIFO queue '{short(name, lab)}'.",
                         "Step 2 asks for a standard queue named lab.name('orders'). A queue's type cannot be "
                         "changed: delete the FIFO one (delete_queue) and create 'orders' without FifoQueue.")
                fb.stop()
    url = fb.require(url, "There is no 'orders' queue yet.",
                     "Do step 2: create the orders queue with create_queue and lab.name('orders').", after=("CreateQueue",))
    return url, attributes(lab, url)


@checker("sqs-orders.orders-queue")
def orders_queue(lab: Any, fb: Feedback) -> None:
    _, attrs = _orders(lab, fb)
    fb.check(attrs.get("FifoQueue") != "true", "'orders' is a standard queue (high throughput, at-least-once).",
             "'orders' is a FIFO queue.", "Orders need no strict order: delete it and create a standard queue "
             "(no FifoQueue); a queue's type cannot be changed.")
    visibility = int(attrs["VisibilityTimeout"])
    fb.check(visibility >= 10, f"VisibilityTimeout is {visibility} s, longer than processing an order takes.",
             f"VisibilityTimeout is {visibility} s: a slow consumer's message reappears and is processed twice.",
             f"Set VisibilityTimeout well above the time one order takes (the lab uses 30 s); {_RECREATE}.")
    wait = int(attrs["ReceiveMessageWaitTimeSeconds"])
    fb.check(wait >= 1, f"Long polling is on (ReceiveMessageWaitTimeSeconds = {wait}).",
             "Short polling: ReceiveMessageWaitTimeSeconds is 0, so empty receives return at once and cost a request each.",
             f"Turn on long polling with the queue attribute ReceiveMessageWaitTimeSeconds (1-20 s; the lab uses 20); "
             f"{_RECREATE}.")
    retention = int(attrs["MessageRetentionPeriod"])
    fb.check(retention == ORDERS_RETENTION, "MessageRetentionPeriod is one day (86400 s), as chosen.",
             f"MessageRetentionPeriod is {retention} s, not the one day (86400 s) the step asks for.",
             f"Set MessageRetentionPeriod deliberately: one day, in seconds; {_RECREATE}.")
    fb.check(attrs.get("SqsManagedSseEnabled") == "true" or bool(attrs.get("KmsMasterKeyId")),
             "Messages are encrypted at rest.", "Encryption at rest is off.",
             f"Set SqsManagedSseEnabled to 'true' (or use a KMS key); {_RECREATE}.")


# ============================================================== step 2: the producer
@checker("sqs-orders.send")
def send(lab: Any, fb: Feedback, send_order: Any = None, send_orders: Any = None) -> None:
    """AWS, SendMessageBatch: "check for batch errors even when the call returns an HTTP status code
    of 200"; at most 10 entries, Ids unique within the request."""
    _orders(lab, fb)
    send_order = fb.answer(send_order, "send_order", "2b")
    send_orders = fb.answer(send_orders, "send_orders", "2b")
    with Probe(lab, fb) as probe:
        _probe_send_order(probe, fb, send_order)
        _probe_send_orders(lab, probe, fb, send_orders)
    if fb.wrong_items:
        return
    _sent_in_the_lab(lab, fb)


def _probe_send_order(probe: Probe, fb: Feedback, send_order: Any) -> None:
    url, _ = probe.queue("send-one")
    body = _probe_orders(1)[0]
    outcome = probe.run(send_order, url, body)
    if probe.explain_error(outcome, "send_order"):
        return
    arrived = probe.drain_all(url)
    if not fb.check(len(arrived) == 1 and arrived[0]["Body"] == body, "send_order sends exactly the one order it is given.",
                    f"send_order(queue_url, body) put {len(arrived)} message(s) into the queue it was given.",
                    "Send the body it is given, once, to the queue_url it is given (send_message)."):
        return
    fb.check(outcome.value == arrived[0]["MessageId"], "send_order returns the MessageId SQS assigned.",
             f"send_order returned {_shown(outcome.value)}, not the message's MessageId.",
             "Return the 'MessageId' of send_message's response.")


def _probe_send_orders(lab: Any, probe: Probe, fb: Feedback, send_orders: Any) -> None:
    url, _ = probe.queue("send-many")
    bodies = _probe_orders(23)
    with flaky_batches(lab.client("sqs"), every=4) as failed_once:
        outcome = probe.run(send_orders, url, bodies)
    if probe.explain_error(outcome, "send_orders"):
        return
    batches = probe.made("SendMessageBatch")
    got = Counter(m["Body"] for m in probe.drain_all(url))
    missing = [b for b in bodies if b not in got]
    extra = sum(n - 1 for n in got.values() if n > 1)
    if not batches and not probe.made("SendMessage"):
        fb.wrong("send_orders sent nothing.", "Send every body with send_message_batch, 10 entries per call.")
        return
    fb.check(bool(batches), "send_orders uses send_message_batch.",
             f"send_orders sent {len(bodies)} orders one request at a time.",
             "Use send_message_batch with up to 10 entries per call: a tenth of the requests (and of the cost).")
    if batches:
        biggest = max(len(c.params.get("Entries", [])) for c in batches)
        fb.check(biggest == 10, "Batches are full: 10 entries per call.",
                 f"The largest batch had {biggest} entries.", "Send 10 entries per call, SQS's maximum.")
    if missing:
        fb.wrong(f"{len(missing)} of {len(bodies)} orders never arrived when {len(failed_once)} batch entries "
                 "failed once.", "send_message_batch answers HTTP 200 even when entries fail: resend every entry "
                 "listed under 'Failed' (match them by Id) until none is left.")
    elif extra:
        fb.wrong(f"{extra} orders arrived twice when some batch entries failed: the retry resent entries that had "
                 "succeeded.", "Resend only the entries listed under 'Failed' (match them by Id), not the whole batch.")
    else:
        fb.right(f"All {len(bodies)} orders arrived exactly once although {len(failed_once)} entries failed once.")
    fb.check(outcome.value == len(bodies) - len(missing), "send_orders returns how many orders were sent.",
             f"send_orders returned {_shown(outcome.value)}; {len(bodies) - len(missing)} orders were sent.",
             "Count the entries listed under 'Successful' of every response and return the sum.")


def _sent_in_the_lab(lab: Any, fb: Feedback) -> None:
    """The notebook's own run: the 21 orders in 'orders' (or, once consumed, in the flow trace)."""
    _, attrs = _orders(lab, fb)
    visible, in_flight, delayed = counts(attrs)
    traced = _traced(lab, "orders", ("SendMessage", "SendMessageBatch"))
    total = max(visible + in_flight + delayed, traced or 0)
    if total == 0:
        fb.give_up("The orders queue is empty: the notebook's orders were not sent yet.",
                   "Run the cell after exercise 2b that sends the 21 orders.")
    fb.check(total >= ORDERS_SENT, f"All {ORDERS_SENT} of the notebook's orders arrived in 'orders'.",
             f"{total} of the notebook's {ORDERS_SENT} orders arrived in 'orders'.",
             "Re-run the cell that defines send_orders, then the cell that sends the orders.")


# ============================================================== step 3: the consumer
class ConsumerCrash(RuntimeError):
    """What the probe's handler raises to simulate a consumer crashing in the middle of a batch."""


@checker("sqs-orders.consume")
def consume(lab: Any, fb: Feedback, consume_fn: Any = None) -> None:
    """AWS: a received message stays in the queue, hidden for the visibility timeout, until it is
    deleted; "Amazon SQS doesn't automatically delete the message" after a receive. A receive may
    return fewer messages than MaxNumberOfMessages even when more are waiting (short polling samples
    a subset of servers; a long poll returns as soon as one message is available)."""
    _orders(lab, fb)
    fn = fb.answer(consume_fn, "consume", "3a")
    with Probe(lab, fb, Faults(short_receive=3, max_wait=_short_wait(lab))) as probe:
        if _probe_consume_drains(probe, fb, fn):
            with Probe(lab, fb, Faults(max_wait=_short_wait(lab))) as crash_probe:
                _probe_consume_crash(crash_probe, fb, fn)
    if fb.wrong_items:
        return
    _, attrs = _orders(lab, fb)
    visible, in_flight, delayed = counts(attrs)
    fb.check(in_flight == 0 and visible + delayed == 0, "The notebook's orders queue is drained.",
             f"'orders' still holds {visible + delayed} waiting and {in_flight} received-but-undeleted messages.",
             "Re-run the cell that defines consume, then the cell that consumes the orders.")


def _probe_consume_drains(probe: Probe, fb: Feedback, fn: Any) -> bool:
    url, _ = probe.queue("consume", {"VisibilityTimeout": "30"})
    bodies = _probe_orders(23)
    probe.fill(url, bodies)
    handled: list[str] = []
    outcome = probe.run(fn, url, handled.append)
    if probe.explain_error(outcome, "consume"):
        return False
    receives = probe.require_calls("consume", "ReceiveMessage", "Receive with receive_message, then handle and delete.")
    asked = max(int(c.params.get("MaxNumberOfMessages", 1)) for c in receives)
    fb.check(asked > 1, f"It receives up to {asked} messages per call.",
             "It receives one message per call (MaxNumberOfMessages defaults to 1).",
             "Pass MaxNumberOfMessages=10: one request for up to 10 messages.")
    waiting, in_flight = probe.depth(url)
    short_then_stopped = waiting and any(0 < len((c.response or {}).get("Messages", [])) < int(c.params.get(
        "MaxNumberOfMessages", 1)) for c in receives[-1:])
    if short_then_stopped:
        fb.wrong(f"consume stopped with {waiting} of {len(bodies)} orders still waiting, right after a receive "
                 "returned fewer messages than it asked for.",
                 "A receive may return fewer messages than are waiting (SQS samples its servers): stop only when "
                 "a receive returns no messages at all.")
    elif waiting:
        fb.wrong(f"consume returned with {waiting} of {len(bodies)} orders still waiting.",
                 "Keep receiving until a receive returns no messages.")
    if in_flight:
        fb.wrong(f"{in_flight} messages were received but never deleted: they come back after the visibility "
                 "timeout and are processed again.",
                 "After handling a message, delete it with its ReceiptHandle (delete_message_batch with one entry per "
                 "message is cheapest).")
    repeats = len(handled) - len(set(handled))
    if repeats:
        fb.wrong(f"handle was called {repeats} extra time(s) for the same message.", "Call handle once per message received.")
    if waiting or in_flight or repeats:
        return False
    fb.right(f"It handled and deleted all {len(bodies)} orders, although one receive returned fewer than asked.")
    fb.check(outcome.value == len(handled), "It returns the number of messages handled.",
             f"It returned {_shown(outcome.value)}; it handled {len(handled)}.", "Count each handled message and return the count.")
    return True


def _probe_consume_crash(probe: Probe, fb: Feedback, fn: Any) -> None:
    """The handler crashes on the 2nd message of a batch: no message that was not handled may be gone."""
    url, _ = probe.queue("consume-crash", {"VisibilityTimeout": "30"})
    bodies = _probe_orders(5)
    probe.fill(url, bodies)
    done: list[str] = []

    def crashing_handle(body: str) -> None:
        if len(done) == 1:
            done.append("")  # crash once only
            raise ConsumerCrash("the consumer crashed while processing this order")
        done.append(body)

    outcome = probe.run(fn, url, crashing_handle)
    if probe.explain_error(outcome, "consume", expected=(ConsumerCrash,)):
        return
    handled = {b for b in done if b}
    lost = [b for b in probe.deleted_bodies() if b not in handled]
    fb.check(not lost, "When handle crashed in the middle of a batch, no unprocessed order was deleted.",
             f"When handle crashed on the 2nd order of a batch, {len(lost)} order(s) that were never processed had "
             "already been deleted: a crash loses them.",
             "Delete a message only after handle(body) has returned for it (collect the handled ones, then "
             "delete_message_batch): a crash must leave unprocessed messages in the queue for a retry.")


# ============================================================== step 3: heartbeat and idempotency
@checker("sqs-orders.heartbeat")
def heartbeat(lab: Any, fb: Feedback, heartbeat_fn: Any = None) -> None:
    """AWS, ChangeMessageVisibility: "changes the visibility timeout of a specified message in a queue
    to a new value"; the new timeout counts from the call, 0 makes the message visible at once."""
    fn = fb.answer(heartbeat_fn, "heartbeat", "3b")
    with Probe(lab, fb) as probe:
        url, _ = probe.queue("heartbeat", {"VisibilityTimeout": "30"})
        probe.fill(url, _probe_orders(1))
        message = probe.sqs.receive_message(QueueUrl=url, VisibilityTimeout=1, WaitTimeSeconds=_short_wait(lab) or 1
                                            )["Messages"][0]
        received_at = time.monotonic()
        outcome = probe.run(fn, url, message)
        if probe.explain_error(outcome, "heartbeat"):
            return
        calls = probe.require_calls("heartbeat", "ChangeMessageVisibility", "Call change_message_visibility with "
                                    "the queue_url, the message's ReceiptHandle and a new VisibilityTimeout.",
                                    "ChangeMessageVisibilityBatch")
        params = calls[-1].params
        value = params.get("VisibilityTimeout", (params.get("Entries") or [{}])[0].get("VisibilityTimeout"))
        value = int(value) if value is not None else None
        if value == 0:
            fb.wrong("heartbeat sets the visibility timeout to 0 s: the message is visible again at once and "
                     "another consumer gets it.", "A heartbeat extends: pass the time the work still needs (the lab "
                     "uses 10 s), not 0.")
        elif value is not None and value < MIN_HEARTBEAT:
            fb.wrong(f"heartbeat sets the visibility timeout to {value} s: hardly more than the message already "
                     f"had, so in the race consumer B (who waits {RACE_WAIT} s) still gets it.",
                     "Extend the visibility to longer than the work still needs (the lab uses 10 s).")
        elif value is not None and value > MAX_HEARTBEAT:
            fb.wrong(f"heartbeat hides the message for {value} s: if the consumer crashes, the order waits that "
                     "long before anyone retries it.",
                     "Extend in small steps (the lab uses 10 s) and call the heartbeat again while the work goes on.")
        if fb.wrong_items:
            return
        # Behaviour: is the message really still hidden after its original 1 s?
        if _visible_again(probe, url, received_at + 1.3):
            fb.wrong("After the heartbeat the message was visible again after its original 1 s.",
                     "Call change_message_visibility on the queue the message came from (the queue_url argument) "
                     "with its ReceiptHandle.")
            return
    fb.right(f"heartbeat extends the message's visibility to {value} s: it stays hidden while the work goes on.")


def _visible_again(probe: Probe, url: str, until: float) -> bool:
    """Does a message of ``url`` become receivable before ``until`` (monotonic)? Polled, not slept."""
    while True:
        peek = probe.sqs.receive_message(QueueUrl=url, VisibilityTimeout=0, WaitTimeSeconds=0).get("Messages", [])
        if peek:
            return True
        if time.monotonic() >= until:
            return False
        time.sleep(min(0.1, max(0.0, until - time.monotonic())))


@checker("sqs-orders.idempotent")
def idempotent(lab: Any, fb: Feedback, handle_once: Any = None, provider: Any = None) -> None:
    """At-least-once delivery (AWS: "you might occasionally receive a message more than once") means
    the side effect must be keyed by the business id: the same order, delivered again or resent
    with a different body, is charged once; a failed charge is retried, not forgotten."""
    fn = fb.answer(handle_once, "handle_order_once", "3b")
    if not isinstance(provider, PaymentProvider):
        raise LabError("check('sqs-orders.idempotent', ...) needs the notebook's payment provider.",
                       "Use the check cell as the notebook wrote it: check(..., lab, handle_order_once, provider).")
    a, b, c = (json.loads(body) for body in _probe_orders(3))
    b["customer_id"] = a["customer_id"]  # a second order of the same customer
    resent_a = json.dumps({**a, "resent": True}, sort_keys=True)  # the same order, another message body

    def attempt(body: str) -> BaseException | None:
        try:
            fn(body)
        except Exception as err:  # noqa: BLE001 - what the learner's code raises is part of the verdict
            return err
        return None

    def n(order: dict[str, Any]) -> int:
        return provider.charges[order["order_id"]]

    errors = [attempt(json.dumps(a))]
    if errors[0] is None and n(a) == 0:
        fb.give_up("handle_order_once charged nothing for a new order.",
                   "Parse the order, charge it with provider.charge(order) unless its order id was charged before.")
    errors.append(attempt(json.dumps(a)))  # the same message delivered again
    after_duplicate = n(a)
    errors += [attempt(resent_a), attempt(json.dumps(b))]  # the same order in another body; another order
    unexpected = next((e for e in errors if e is not None), None)
    if unexpected is not None:
        fb.wrong(f"handle_order_once raised {type(unexpected).__name__}: {unexpected} for a valid order.",
                 "A valid order must be charged (once) without an error.")
        return
    if after_duplicate > 1:
        fb.wrong("A duplicate delivery of the same order charged the customer again.",
                 "Record each order id once its charge succeeded, and skip an order whose id is recorded.")
    elif n(a) > 1:
        fb.wrong("The same order, resent with a different message body, was charged again: the guard keys on the "
                 "message, not on the order.", "Key the guard on the order's order_id.")
    if n(b) == 0:
        fb.wrong("A second, different order of the same customer was not charged: the guard keys on the customer "
                 "(or on something all orders share).", "Key the guard on the order's order_id.")
    provider.fail_next()
    first = attempt(json.dumps(c))
    if first is None and n(c) == 0:
        fb.wrong("When the payment provider failed, handle_order_once returned as if the order were done: its "
                 "consumer then deletes the message and the order is never charged.",
                 "Let the provider's error propagate (do not catch it), so the message stays in the queue for a retry.")
    retry = attempt(json.dumps(c))
    if first is not None and not isinstance(first, ProviderError):
        fb.wrong(f"When the provider failed, handle_order_once raised {type(first).__name__} instead of letting "
                 "the provider's error through.", "Let the provider's error propagate unchanged.")
    elif first is not None and retry is None and n(c) == 0:
        fb.wrong("After the provider failed once, the retry did not charge the order: it was recorded as charged "
                 "before the charge succeeded.", "Record the order id only after provider.charge(order) has returned.")
    bad = attempt('{"order_id": "CHK-bad", "total": "abc"')
    fb.check(isinstance(bad, data.InvalidOrder), "A malformed order raises InvalidOrder (the step 4 consumer relies on it).",
             "A malformed order did not raise data.InvalidOrder: the strict consumer of step 4 cannot tell it apart.",
             "Let data.parse_order's InvalidOrder propagate; only skip orders already charged.")
    if not fb.wrong_items:
        fb.right("Each order is charged exactly once: duplicates and resends are skipped, a failed charge is retried.")


# ============================================================== step 4: dead-letter queue
def _dlq(lab: Any, fb: Feedback) -> tuple[dict[str, str], dict[str, Any] | None, str, dict[str, str]]:
    """'orders' attributes, its redrive policy (None if none), and the URL and attributes of
    'orders-dlq'; not attempted while neither the DLQ nor the policy exists."""
    _, attrs = _orders(lab, fb)
    dlq_url = find_queue(lab, "orders-dlq")
    policy = redrive_policy(attrs)
    if dlq_url is None and policy is None:
        fb.give_up("There is no 'orders-dlq' queue and 'orders' has no redrive policy.",
                   "Do step 4: create the dead-letter queue, then give 'orders' a RedrivePolicy.")
    dlq_url = fb.require(dlq_url, "There is no 'orders-dlq' queue.", "Create the dead-letter queue lab.name('orders-dlq').",
                         after=("CreateQueue",))
    return attrs, policy, dlq_url, attributes(lab, dlq_url)


@checker("sqs-orders.dlq")
def dlq(lab: Any, fb: Feedback) -> None:
    """AWS, dead-letter queues: the DLQ of a standard queue is a standard queue; "set the retention
    period of a dead-letter queue to be longer than the retention period of the original queue"."""
    attrs, policy, _dlq_url, dlq_attrs = _dlq(lab, fb)
    if policy is None and last_failure("SetQueueAttributes"):  # the learner's call failed: that is the finding
        fb.require(None, "'orders' has no RedrivePolicy.", "", after=("SetQueueAttributes",))
    if not fb.check(policy is not None, "'orders' has a redrive policy.", "'orders' has no RedrivePolicy: "
                    "a poison order is received again and again, forever (until retention deletes it).",
                    "Set the queue attribute RedrivePolicy of 'orders' with set_queue_attributes: a JSON string with "
                    "deadLetterTargetArn and maxReceiveCount."):
        return
    assert policy is not None
    target = str(policy.get("deadLetterTargetArn", ""))
    fb.check(target == dlq_attrs["QueueArn"], "Its dead-letter target is 'orders-dlq'.",
             f"Its dead-letter target is '{short(target, lab)}', not 'orders-dlq'.",
             "deadLetterTargetArn takes the QueueArn attribute of orders-dlq (an ARN, not the URL); call "
             "set_queue_attributes again: the new RedrivePolicy replaces the old one.")
    count = policy.get("maxReceiveCount")
    fb.check(count in MAX_RECEIVE, f"maxReceiveCount is {count}: a few retries, then the DLQ.",
             f"maxReceiveCount is {count}: " + ("one failed receive already dead-letters a message that a retry "
                                                "would have processed." if count == 1 else
                                                "a poison order is retried far too often before it is set aside."),
             "Choose maxReceiveCount between 2 and 10 (the lab uses 3) and set the RedrivePolicy again.")
    fb.check(dlq_attrs.get("FifoQueue") != "true", "'orders-dlq' is a standard queue, like its source.",
             "'orders-dlq' is FIFO.", "The DLQ of a standard queue must be a standard queue: delete orders-dlq and "
             "create it again without FifoQueue (a queue's type cannot change).")
    retention = int(dlq_attrs["MessageRetentionPeriod"])
    fb.check(retention > int(attrs["MessageRetentionPeriod"]),
             "'orders-dlq' keeps messages longer than 'orders' does.",
             f"'orders-dlq' keeps messages {retention} s, not longer than 'orders' "
             f"({attrs['MessageRetentionPeriod']} s): a dead-lettered order keeps its original enqueue time "
             "and would expire soon after it arrives.",
             "Give orders-dlq a longer MessageRetentionPeriod with set_queue_attributes (the lab uses 14 days, 1209600 s).")
    if fb.wrong_items:
        return
    visible, in_flight, _ = counts(dlq_attrs)
    moved = visible + in_flight > 0 or bool(_move_tasks(lab, dlq_attrs["QueueArn"]))
    fb.check(moved, "The poison orders reached the dead-letter queue.",
             "No message has reached 'orders-dlq' yet.",
             "Run the strict consumer's cell again: a message moves to the DLQ on the receive after maxReceiveCount "
             "failed ones (a failed message must become visible again: don't delete it).")


def _move_tasks(lab: Any, dlq_arn: str) -> list[dict[str, Any]]:
    return lab.client("sqs").list_message_move_tasks(SourceArn=dlq_arn, MaxResults=10).get("Results", [])


# ============================================================== step 4: redrive
@checker("sqs-orders.redrive")
def redrive(lab: Any, fb: Feedback, redrive_fn: Any = None) -> None:
    """AWS, StartMessageMoveTask: "Starts an asynchronous task to move messages from a specified
    source queue to a specified destination queue"; without DestinationArn the messages go back to
    their original source queues; ListMessageMoveTasks reports RUNNING until it is COMPLETED."""
    _dlq(lab, fb)
    fn = fb.answer(redrive_fn, "redrive", "4b")
    with Probe(lab, fb, Faults(move_rate=10)) as probe:  # on AWS a move takes time too
        source_url, source_arn = probe.queue("redrive-src", {"VisibilityTimeout": "30"})
        dlq_url, dlq_arn = probe.queue("redrive-dlq", {"MessageRetentionPeriod": "1209600"})
        probe.sqs.set_queue_attributes(QueueUrl=source_url, Attributes={"RedrivePolicy": json.dumps(
            {"deadLetterTargetArn": dlq_arn, "maxReceiveCount": "1"})})
        bodies = _probe_orders(4)
        probe.fill(source_url, bodies)
        _dead_letter(probe, source_url, dlq_url, len(bodies))
        outcome = probe.run(fn, dlq_arn, timeout=15)
        if probe.explain_error(outcome, "redrive"):
            return
        starts = probe.require_calls("redrive", "StartMessageMoveTask",
                                     "Call start_message_move_task with SourceArn = the DLQ's ARN (the dlq_arn argument).")
        destination = starts[-1].params.get("DestinationArn")
        fb.check(destination in (None, source_arn), "The messages go back to the queue they came from.",
                 f"DestinationArn is '{short(str(destination), lab)}', not the orders' own queue.",
                 "Leave DestinationArn out: the messages then go back to their original source queue.")
        tasks = probe.sqs.list_message_move_tasks(SourceArn=dlq_arn, MaxResults=1).get("Results", [])
        status = tasks[0].get("Status") if tasks else None
        fb.check(status == "COMPLETED", "redrive returns only once the move task has COMPLETED.",
                 f"redrive returned while the move task was {status}: the next cell's consumer would start before "
                 "the orders are back.",
                 "Poll list_message_move_tasks(SourceArn=...) until the task's Status is no longer RUNNING "
                 "(every 0.2 s, with a deadline), then return it.")
        returned = outcome.value.get("Status") if isinstance(outcome.value, dict) else None
        fb.check(returned == "COMPLETED", "It returns the finished task.",
                 f"It returned {_shown(outcome.value)}, not the finished task.",
                 "Return the task dict from list_message_move_tasks once its Status is COMPLETED.")
        waiting, in_flight = probe.depth(source_url)
        fb.check(waiting + in_flight == len(bodies), f"All {len(bodies)} dead-lettered test orders are back.",
                 f"{waiting + in_flight} of {len(bodies)} dead-lettered test orders are back in their queue.",
                 "Redrive the whole DLQ (no filter, no limit) and wait for the task to finish.")
    if fb.wrong_items:
        return
    _redriven_in_the_lab(lab, fb)


def _dead_letter(probe: Probe, source_url: str, dlq_url: str, n: int) -> None:
    """Receive the probe's messages until maxReceiveCount (1) moves them to the DLQ (bounded)."""
    for _ in range(20):
        if probe.depth(dlq_url)[0] >= n:
            return
        for message in probe.sqs.receive_message(QueueUrl=source_url, MaxNumberOfMessages=10, VisibilityTimeout=0,
                                                 WaitTimeSeconds=0).get("Messages", []):
            del message  # received once and released at once: the next receive dead-letters it


def _redriven_in_the_lab(lab: Any, fb: Feedback) -> None:
    """The notebook's own run: its DLQ was redriven and the fixed consumer took the orders."""
    attrs, _policy, _url, dlq_attrs = _dlq(lab, fb)
    tasks = _move_tasks(lab, dlq_attrs["QueueArn"])
    fb.require(tasks, "The notebook's 'orders-dlq' was not redriven yet.",
               "Run the cell of exercise 4b again: it calls redrive(dlq_arn).")
    visible, in_flight, _ = counts(dlq_attrs)
    fb.check(visible + in_flight == 0, "'orders-dlq' is empty: nothing was left behind.",
             f"{visible + in_flight} messages are still in 'orders-dlq'.",
             "Redrive again after fixing the consumer, so every dead-lettered order goes back.")
    o_visible, o_in_flight, o_delayed = counts(attrs)
    fb.check(o_visible + o_in_flight + o_delayed == 0, "The redriven orders were consumed: 'orders' is empty.",
             f"{o_visible + o_in_flight + o_delayed} redriven messages are still in 'orders'.",
             "Run the fixed consumer once more: it processes the valid orders and rejects (deletes and records) "
             "the malformed ones.")


# ============================================================== step 5: FIFO payments
@checker("sqs-orders.fifo-payments")
def fifo_payments(lab: Any, fb: Feedback, send_payment: Any = None) -> None:
    """AWS, FIFO queues: order is kept within a message group; "Messages that belong to the same
    message group are processed in a FIFO manner"; a message with the deduplication id of one sent
    in the last 5 minutes is accepted but not delivered."""
    url = _payments_queue(lab, fb)
    attrs = attributes(lab, url)
    content_dedup = attrs.get("ContentBasedDeduplication") == "true"
    fn = fb.answer(send_payment, "send_payment", "5")
    with Probe(lab, fb) as probe:
        scratch, _ = probe.queue("payments.fifo", {"FifoQueue": "true",
                                                   "ContentBasedDeduplication": "true" if content_dedup else "false"})
        events = data.payments(6, seed=77, n_customers=2)
        for event in [*events, events[0]]:  # the last one is the producer's retry
            outcome = probe.run(fn, scratch, event)
            if probe.explain_error(outcome, "send_payment"):
                return
        arrived = probe.drain_all(scratch, attribute_names=["MessageGroupId"])
        _judge_payments(fb, events, arrived)
    if fb.wrong_items:
        return
    visible, in_flight, delayed = counts(attributes(lab, url))
    total = visible + in_flight + delayed
    if total == 0 and not _traced(lab, "payments.fifo", ("ReceiveMessage",)):
        fb.give_up("'payments.fifo' is empty: the notebook's payments were not sent yet.",
                   "Run the cell after exercise 5 that sends the nine payments and the retry.")
    if total:
        fb.check(total == PAYMENTS_SENT, f"The notebook's {PAYMENTS_SENT} payments are in 'payments.fifo', the "
                 "retry dropped.", f"'payments.fifo' holds {total} messages for {PAYMENTS_SENT} payments.",
                 "Re-run the cell that defines send_payment, then the cell that sends the payments.")


def _payments_queue(lab: Any, fb: Feedback) -> str:
    url = find_queue(lab, "payments.fifo")
    if url is None:
        plain = find_queue(lab, "payments")
        if plain is not None:
            fb.wrong("'payments' is a standard queue: it may reorder a customer's payment events and deliver "
                     "one twice.", "Create a FIFO queue: the name ends in .fifo and FifoQueue is 'true'.")
            fb.stop()
        url = fb.require(url, "There is no 'payments.fifo' queue yet.",
                         "Do step 5: create the FIFO queue lab.name('payments.fifo').", after=("CreateQueue",))
    if attributes(lab, url).get("FifoQueue") != "true":  # the attribute says it, not the name
        fb.wrong("'payments.fifo' is not a FIFO queue (FifoQueue is not 'true').",
                 "Delete it and create it with Attributes FifoQueue='true' (a queue's type cannot change).")
        fb.stop()
    fb.right("'payments.fifo' is a FIFO queue.")
    return url


def _judge_payments(fb: Feedback, events: list[dict[str, Any]], arrived: list[dict[str, Any]]) -> None:
    bodies = []
    for message in arrived:
        try:
            bodies.append(json.loads(message["Body"]))
        except ValueError:
            bodies.append(None)
    if not arrived:
        fb.wrong("send_payment sent nothing.", "Send the event as JSON with send_message and a MessageGroupId.")
        return
    if any(body not in events for body in bodies):
        fb.wrong("A message body is not the payment event as JSON: the payment workers cannot read it.",
                 "Send MessageBody=json.dumps(event).")
        return
    distinct = {json.dumps(e, sort_keys=True) for e in events}
    if len(arrived) > len(distinct):
        fb.wrong(f"The producer's retry of a payment arrived as a second message ({len(arrived)} messages for "
                 f"{len(distinct)} payments).", "A retried send must carry the same MessageDeduplicationId as the "
                 "first one: derive it from the event (or use ContentBasedDeduplication), never from a random id or the time.")
    elif len(arrived) < len(distinct):
        fb.wrong(f"Only {len(arrived)} of {len(distinct)} different payments arrived: distinct events were dropped "
                 "as duplicates.", "Each payment event needs its own deduplication id; only a resend may share one.")
    else:
        fb.right(f"{len(distinct)} payments arrived, the retried send was dropped by deduplication.")
    groups = {m["Attributes"].get("MessageGroupId") for m in arrived}
    wrong_group = [b for b, m in zip(bodies, arrived, strict=True) if m["Attributes"].get("MessageGroupId") != b["customer_id"]]
    if len(groups) == 1 and len({e["customer_id"] for e in events}) > 1:
        fb.wrong("Every payment is in one message group: customers wait for each other, one at a time.",
                 "Use the event's customer_id as MessageGroupId: order per customer, customers in parallel.")
    elif wrong_group:
        fb.wrong(f"{len(wrong_group)} payments are not grouped by their customer_id: one customer's events can be "
                 "processed out of order.", "Use the event's customer_id as MessageGroupId.")
    else:
        fb.right("One message group per customer: order within a customer, parallelism across customers.")


# ============================================================== step 6: throughput
@checker("sqs-orders.throughput")
def throughput(lab: Any, fb: Feedback, drain_worker: Any = None) -> None:
    fn = fb.answer(drain_worker, "drain_worker", "6")
    n = 95
    with Probe(lab, fb, Faults(short_receive=3, max_wait=_short_wait(lab))) as probe:
        url, _ = probe.queue("throughput", {"VisibilityTimeout": "30"})
        probe.fill(url, [json.dumps({"click": i}) for i in range(n)])
        done: list[Any] = []
        outcome = probe.run(fn, url, done, threads=3, timeout=15)
        if probe.explain_error(outcome, "drain_worker"):
            return
        receives = probe.require_calls("drain_worker", "ReceiveMessage", "Receive up to 10 messages, delete them "
                                       "with delete_message_batch, append the number, repeat.")
        waiting, in_flight = probe.depth(url)
    asked = max(int(c.params.get("MaxNumberOfMessages", 1)) for c in receives)
    fb.check(asked == 10, "Each receive asks for 10 messages.", f"Receives ask for at most {asked} message(s).",
             "Pass MaxNumberOfMessages=10.")
    if waiting:
        fb.wrong(f"Three drain_worker threads returned with {waiting} of {n} messages still waiting.",
                 "Return only when a receive returns no messages; a receive may return fewer than asked although more "
                 "are waiting.")
    if in_flight:
        fb.wrong(f"{in_flight} messages were received but not deleted.",
                 "Delete what each receive returned with one delete_message_batch.")
    singles, batches = probe.made("DeleteMessage"), probe.made("DeleteMessageBatch")
    if singles and not batches:
        fb.wrong(f"Messages were deleted one request each ({len(singles)} DeleteMessage calls).",
                 "Delete each received batch with one delete_message_batch call.")
    if not all(isinstance(x, int) and not isinstance(x, bool) for x in done):
        fb.wrong("drain_worker appended something other than numbers to done.",
                 "Append the number of messages deleted (an int) after each batch.")
    elif sum(done) != n - waiting - in_flight:
        fb.wrong(f"The numbers appended to done add up to {sum(done)}; {n - waiting - in_flight} messages were deleted.",
                 "Append, after each delete_message_batch, how many messages it deleted.")
    if not fb.wrong_items:
        fb.right(f"Three drain_worker threads drained {n} messages in batches of 10 and counted them.")


# ============================================================== step 7: Lambda consumer
@checker("sqs-orders.lambda-consumer")
def lambda_consumer(lab: Any, fb: Feedback) -> None:
    """AWS, "Using Lambda with Amazon SQS": with ReportBatchItemFailures in FunctionResponseTypes
    only the messages listed in batchItemFailures return to the queue; without it a successful
    invocation deletes the whole batch, so a handler that *reports* failures loses those messages."""
    url = fb.require(find_queue(lab, "orders-lambda"), "There is no 'orders-lambda' queue yet.",
                     "Run the cell of step 7 that creates the queue and deploys the function.")
    queue_attrs = attributes(lab, url)
    mappings = lab.client("lambda").list_event_source_mappings(EventSourceArn=queue_attrs["QueueArn"]
                                                               ).get("EventSourceMappings", [])
    if not mappings:
        _mapping_elsewhere(lab, fb)
    mapping = fb.require(mappings[0] if mappings else None, "'orders-lambda' has no event source mapping.",
                         "Connect the queue to the function with create_event_source_mapping.",
                         after=("CreateEventSourceMapping", "UpdateEventSourceMapping"))
    fb.check(len(mappings) == 1, "One event source mapping reads 'orders-lambda'.",
             f"{len(mappings)} event source mappings read 'orders-lambda': each batch goes to whichever polls first.",
             "Delete the extra ones (delete_event_source_mapping) and keep one: look for an existing mapping "
             "(list_event_source_mappings) before creating another.")
    function = str(mapping.get("FunctionArn", ""))
    fb.check(function.endswith(":" + lab.name("order-consumer")), "It invokes the order-consumer function.",
             f"It invokes '{short(function, lab)}'.", "FunctionName must be the order-consumer function.")
    types = mapping.get("FunctionResponseTypes") or []
    fb.check("ReportBatchItemFailures" in types, "Partial batch responses are on (ReportBatchItemFailures).",
             "Partial batch responses are off: the batchItemFailures the handler returns are ignored, the whole "
             "batch is deleted, and malformed orders vanish instead of reaching the DLQ.",
             "Pass FunctionResponseTypes=['ReportBatchItemFailures'] (update_event_source_mapping for the existing one).")
    size = int(mapping.get("BatchSize") or 0)
    fb.check(1 < size <= 10, f"BatchSize is {size}.", f"BatchSize is {size}.",
             "Use batches of up to 10 messages (BatchSize=10): fewer invocations than one per message.")
    state = mapping.get("State")
    fb.check(state in ("Enabled", "Enabling", "Creating", "Updating"), "The mapping is enabled (or becoming so).",
             f"The mapping is {state}.",
             "Enable it: update_event_source_mapping(UUID=..., Enabled=True).")
    if not fb.wrong_items:  # what the orders went through only means something with the mapping right
        _lambda_outcome(lab, fb, url)


def _mapping_elsewhere(lab: Any, fb: Feedback) -> None:
    """A mapping of the lab's function that reads another queue: the likely slip of pasting a URL/ARN."""
    function = lab.name("order-consumer")
    try:
        mappings = lab.client("lambda").list_event_source_mappings(FunctionName=function).get("EventSourceMappings", [])
    except Exception:  # noqa: BLE001 - no function yet: the not-attempted finding that follows says so
        return
    for other in mappings:
        fb.wrong(f"The order-consumer function reads '{short(other.get('EventSourceArn', ''), lab)}', not 'orders-lambda'.",
                 "EventSourceArn must be the QueueArn of orders-lambda (lambda_queue_arn); delete the wrong mapping "
                 "with delete_event_source_mapping.")
        fb.stop()


def _lambda_outcome(lab: Any, fb: Feedback, url: str) -> None:
    """What happened to the notebook's 12 orders: the valid ones processed, the malformed ones in the DLQ."""
    from ..functions import settle

    try:
        settle(lab, timeout=20)
    except LabError:
        pass  # still busy: the counts below say what is left
    visible, in_flight, delayed = counts(attributes(lab, url))
    sent = data.orders(**LAMBDA_ORDERS)
    malformed = {b for b in sent if not _valid(b)}
    dlq_url = find_queue(lab, "orders-dlq")
    in_dlq = {m["Body"] for m in peek_all(lab, dlq_url)} if dlq_url else set()
    valid_in_dlq = [b for b in sent if b in in_dlq and b not in malformed]
    if not _traced(lab, "orders-lambda", ("SendMessage", "SendMessageBatch")) and not visible + in_flight + delayed:
        fb.give_up("No order was sent to 'orders-lambda' yet.", "Run the cell that sends the 12 orders and settles"
                   + (" (it waits for orders-dlq: do step 4a first)." if dlq_url is None else "."))
    invoked = _invocations(lab)
    if invoked == 0 and lab.backend.kind is BackendKind.EMBEDDED:
        fb.wrong("The function never ran: no batch was delivered to it.",
                 "Check that the mapping names the order-consumer function and is Enabled, then send again.")
    if valid_in_dlq:
        fb.wrong(f"{len(valid_in_dlq)} valid orders reached 'orders-dlq': they failed as part of whole batches.",
                 "With FunctionResponseTypes=['ReportBatchItemFailures'] only the messages the handler reports as "
                 "failed are retried and dead-lettered.")
    fb.check(visible + in_flight + delayed == 0, "'orders-lambda' is drained: every order was handled.",
             f"{visible + in_flight + delayed} messages are still in 'orders-lambda'.",
             "Wait for the pollers with settle(lab) after sending; a message the handler reports as failed comes "
             "back after the queue's VisibilityTimeout, until maxReceiveCount sends it to the DLQ.")
    if dlq_url:
        arrived = len(malformed & in_dlq)
        fb.check(arrived == len(malformed), f"The {len(malformed)} malformed orders reached 'orders-dlq'.",
                 f"{arrived} of the {len(malformed)} malformed orders reached 'orders-dlq': the others vanished.",
                 "Turn on partial batch responses (ReportBatchItemFailures): without them a batch the handler "
                 "reports as partly failed is deleted whole.")


def _valid(body: str) -> bool:
    try:
        data.parse_order(body)
    except data.InvalidOrder:
        return False
    return True


def _invocations(lab: Any) -> int:
    try:
        df = lab.flow.df
    except Exception:  # noqa: BLE001 - the trace is optional
        return 0
    return 0 if df.empty else int((df["operation"] == "esm-invoke").sum())


# ============================================================== shared
def _shown(value: Any) -> str:
    """A value for a message: short and deterministic (no ids, no addresses)."""
    if value is None:
        return "nothing (None)"
    text = repr(value)
    return text if len(text) <= 40 and not isinstance(value, str) else f"a {type(value).__name__}"


def _traced(lab: Any, base: str, operations: tuple[str, ...]) -> int | None:
    """Messages the lab's own calls ``operations`` moved successfully on queue ``base``, from the
    flow trace; None when the lab has no trace (the checks then read the queue only)."""
    try:
        df = lab.flow.df
    except Exception:  # noqa: BLE001 - the trace is optional
        return None
    if df.empty:
        return 0
    rows = df[(df["kind"] == "call") & df["operation"].isin(list(operations))
              & (df["target"].astype(str) == lab.name(base)) & (df["status"] != "error")]
    return int(rows["count"].sum())


__all__ = ["ConsumerCrash"]
