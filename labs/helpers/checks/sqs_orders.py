"""Checks of Lab 1 (SQS order processing), one per exercise, reading only the backend's state.

Each check cites the AWS behaviour it relies on. Numbers the lab's text asks for (21 orders, 9
payments, 1,000 user actions) are constants here so the notebook and its checks agree.
"""

from __future__ import annotations

import json
from typing import Any

from . import Feedback, checker
from ._sqs import attributes, counts, find_queue, redrive_policy, short

ORDERS_SENT = 21  #: step 2: one send_message plus two batches of 10
PAYMENTS_SENT = 9  #: step 5: nine payment events, then one of them again (the duplicate)
CLICKS_SENT = 1000  #: step 6
ORDERS_RETENTION = 86_400  #: step 2: one day
MAX_RECEIVE = range(2, 11)  #: step 4: how many receives before the DLQ (the lab uses 3)


def _orders(lab: Any, fb: Feedback) -> tuple[str, dict[str, str]]:
    url = fb.require(find_queue(lab, "orders"), "There is no 'orders' queue yet.",
                     "Do step 2: create the orders queue with create_queue and lab.name('orders').")
    return url, attributes(lab, url)


@checker("sqs-orders.orders-queue")
def orders_queue(lab: Any, fb: Feedback) -> None:
    _, attrs = _orders(lab, fb)
    fb.check(attrs.get("FifoQueue") != "true", "'orders' is a standard queue (high throughput, at-least-once).",
             "'orders' is a FIFO queue.", "Orders need no strict order: create a standard queue (no FifoQueue).")
    visibility = int(attrs["VisibilityTimeout"])
    fb.check(visibility >= 10, f"VisibilityTimeout is {visibility} s, longer than processing an order takes.",
             f"VisibilityTimeout is {visibility} s: a slow consumer's message reappears and is processed twice.",
             "Set VisibilityTimeout well above the time one order takes to process (the lab uses 30 s).")
    wait = int(attrs["ReceiveMessageWaitTimeSeconds"])
    fb.check(wait >= 1, f"Long polling is on (ReceiveMessageWaitTimeSeconds = {wait}).",
             "Short polling: ReceiveMessageWaitTimeSeconds is 0, so empty receives return at once and cost a request each.",
             "Turn on long polling with the queue attribute ReceiveMessageWaitTimeSeconds (1-20 s; the lab uses 20).")
    retention = int(attrs["MessageRetentionPeriod"])
    fb.check(retention == ORDERS_RETENTION, "MessageRetentionPeriod is one day (86400 s), as chosen.",
             f"MessageRetentionPeriod is {retention} s, not the one day (86400 s) the step asks for.",
             "Set MessageRetentionPeriod deliberately: one day, in seconds.")
    fb.check(attrs.get("SqsManagedSseEnabled") == "true" or bool(attrs.get("KmsMasterKeyId")),
             "Messages are encrypted at rest.", "Encryption at rest is off.",
             "Set SqsManagedSseEnabled to 'true' (or use a KMS key).")


@checker("sqs-orders.send")
def send(lab: Any, fb: Feedback) -> None:
    _, attrs = _orders(lab, fb)
    visible, in_flight, delayed = counts(attrs)
    queued = visible + in_flight + delayed
    traced = _traced(lab, "orders", ("SendMessage", "SendMessageBatch"))
    # What arrived: the queue's count, or (once a consumer has emptied it) what the flow trace saw sent.
    total = max(queued, traced or 0)
    if total == 0:
        fb.give_up("The orders queue is empty: no order was sent yet.",
                   "Send the single order with send_message, then the rest with send_message_batch.")
    if total < ORDERS_SENT:
        fb.wrong(f"{total} of the {ORDERS_SENT} orders arrived: {ORDERS_SENT - total} never did.",
                 "send_message_batch answers HTTP 200 even when entries fail: resend every entry listed "
                 "under 'Failed' until the list is empty.")
    else:
        fb.right(f"All {ORDERS_SENT} orders arrived in the queue.")


@checker("sqs-orders.consume")
def consume(lab: Any, fb: Feedback) -> None:
    _, attrs = _orders(lab, fb)
    visible, in_flight, delayed = counts(attrs)
    if visible >= ORDERS_SENT and in_flight == 0:
        fb.give_up(f"All {visible} orders are still waiting in the queue.",
                   "Write the consumer: receive_message (long poll, up to 10), process, delete_message.")
    fb.check(in_flight == 0, "No message is left in flight.",
             f"{in_flight} messages were received but never deleted: they will be delivered again.",
             "After processing a message, delete it with its ReceiptHandle (delete_message or delete_message_batch).")
    fb.check(visible + delayed == 0, "The orders queue is drained.",
             f"{visible + delayed} messages are still waiting in the queue.",
             "Keep receiving until a long poll returns no messages.")


def _dlq(lab: Any, fb: Feedback) -> tuple[dict[str, str], dict[str, Any] | None, dict[str, str]]:
    """The attributes of 'orders', its redrive policy (None if it has none) and the attributes of
    'orders-dlq'; gives up (not attempted) while neither the DLQ nor the policy exists."""
    _, attrs = _orders(lab, fb)
    dlq_url = find_queue(lab, "orders-dlq")
    policy = redrive_policy(attrs)
    if dlq_url is None and policy is None:
        fb.give_up("There is no 'orders-dlq' queue and 'orders' has no redrive policy.",
                   "Do step 4: create the dead-letter queue, then give 'orders' a RedrivePolicy.")
    dlq_url = fb.require(dlq_url, "There is no 'orders-dlq' queue.", "Create the dead-letter queue lab.name('orders-dlq').")
    return attrs, policy, attributes(lab, dlq_url)


@checker("sqs-orders.dlq")
def dlq(lab: Any, fb: Feedback) -> None:
    attrs, policy, dlq_attrs = _dlq(lab, fb)
    if not fb.check(policy is not None, "'orders' has a redrive policy.", "'orders' has no RedrivePolicy: "
                    "a poison order is received again and again, forever (until retention deletes it).",
                    "Set the queue attribute RedrivePolicy of 'orders' (set_queue_attributes): deadLetterTargetArn "
                    "and maxReceiveCount."):
        return
    assert policy is not None
    target = str(policy.get("deadLetterTargetArn", ""))
    fb.check(target == dlq_attrs["QueueArn"], "Its dead-letter target is 'orders-dlq'.",
             f"Its dead-letter target is '{short(target, lab)}', not 'orders-dlq'.",
             "deadLetterTargetArn takes the QueueArn attribute of orders-dlq (an ARN, not the URL).")
    count = policy.get("maxReceiveCount")
    fb.check(count in MAX_RECEIVE, f"maxReceiveCount is {count}: a few retries, then the DLQ.",
             f"maxReceiveCount is {count}: " + ("one failed receive already dead-letters a message that a retry "
                                                "would have processed." if count == 1 else
                                                "a poison order is retried far too often before it is set aside."),
             "Choose maxReceiveCount between 2 and 10 (the lab uses 3).")
    fb.check(dlq_attrs.get("FifoQueue") != "true", "'orders-dlq' is a standard queue, like its source.",
             "'orders-dlq' is FIFO.", "The DLQ of a standard queue must be a standard queue.")
    retention = int(dlq_attrs["MessageRetentionPeriod"])
    fb.check(retention > int(attrs["MessageRetentionPeriod"]),
             "'orders-dlq' keeps messages longer than 'orders' does.",
             f"'orders-dlq' keeps messages {retention} s, not longer than 'orders' "
             f"({attrs['MessageRetentionPeriod']} s): a dead-lettered order keeps its original enqueue time "
             "and would expire soon after it arrives.",
             "Give orders-dlq a longer MessageRetentionPeriod than orders (the lab uses 14 days, 1209600 s).")
    visible, in_flight, _ = counts(dlq_attrs)
    moved = visible + in_flight > 0 or bool(_move_tasks(lab, dlq_attrs["QueueArn"]))
    fb.check(moved, "The poison orders reached the dead-letter queue.",
             "No message has reached 'orders-dlq' yet.",
             "Keep running the strict consumer: a message moves to the DLQ on the receive after maxReceiveCount "
             "failed ones (a failed message must become visible again: don't delete it).")


def _move_tasks(lab: Any, dlq_arn: str) -> list[dict[str, Any]]:
    return lab.client("sqs").list_message_move_tasks(SourceArn=dlq_arn, MaxResults=10).get("Results", [])


@checker("sqs-orders.redrive")
def redrive(lab: Any, fb: Feedback) -> None:
    attrs, _policy, dlq_attrs = _dlq(lab, fb)
    tasks = _move_tasks(lab, dlq_attrs["QueueArn"])
    fb.require(tasks, "No message move task was started on 'orders-dlq'.",
               "Redrive with start_message_move_task, SourceArn = the DLQ's ARN (no destination: back to the source).")
    latest = tasks[0]
    status = latest.get("Status")
    fb.check(status == "COMPLETED", "The redrive task completed.", f"The latest redrive task is {status}.",
             "Wait until list_message_move_tasks reports COMPLETED" if status == "RUNNING" else
             f"Read its FailureReason ({latest.get('FailureReason', 'none given')}) and start a new task.")
    visible, in_flight, _ = counts(dlq_attrs)
    fb.check(visible + in_flight == 0, "'orders-dlq' is empty: nothing was left behind.",
             f"{visible + in_flight} messages are still in 'orders-dlq'.",
             "Redrive again after fixing the consumer, so every dead-lettered order goes back.")
    o_visible, o_in_flight, o_delayed = counts(attrs)
    fb.check(o_visible + o_in_flight + o_delayed == 0, "The redriven orders were consumed: 'orders' is empty.",
             f"{o_visible + o_in_flight + o_delayed} redriven messages are still in 'orders'.",
             "Run the fixed consumer once more: it processes the valid orders and rejects (deletes and records) "
             "the malformed ones.")


@checker("sqs-orders.fifo-payments")
def fifo_payments(lab: Any, fb: Feedback) -> None:
    url = find_queue(lab, "payments.fifo")
    if url is None:
        plain = find_queue(lab, "payments")
        if plain is not None:
            fb.wrong("'payments' is a standard queue: it may reorder a customer's payment events and deliver "
                     "one twice.", "Create a FIFO queue: the name ends in .fifo and FifoQueue is 'true'.")
            return
        fb.give_up("There is no 'payments.fifo' queue yet.", "Do step 5: create the FIFO queue lab.name('payments.fifo').")
    attrs = attributes(lab, url)
    fb.right("'payments.fifo' is a FIFO queue.")
    content_dedup = attrs.get("ContentBasedDeduplication") == "true"
    visible, in_flight, delayed = counts(attrs)
    total = visible + in_flight + delayed
    if total == 0:
        fb.give_up("'payments.fifo' is empty: no payment was sent yet.",
                   "Send the payment events with a MessageGroupId per customer"
                   + ("." if content_dedup else " and a deduplication id (or turn on ContentBasedDeduplication)."))
    if total > PAYMENTS_SENT:
        fb.wrong(f"'payments.fifo' holds {total} messages for {PAYMENTS_SENT} payments: the duplicate was accepted.",
                 "A retried send must carry the same MessageDeduplicationId as the first one (or turn on "
                 "ContentBasedDeduplication and send the same body).")
    elif total < PAYMENTS_SENT:
        fb.wrong(f"'payments.fifo' holds {total} messages, {PAYMENTS_SENT} payments were sent.",
                 "Each payment event needs its own deduplication id; only the resend may share one.")
    else:
        fb.right(f"{PAYMENTS_SENT} payments, the duplicate send was dropped by deduplication.")
    _check_groups(lab, fb, url)


def _check_groups(lab: Any, fb: Feedback, url: str) -> None:
    """Peek (VisibilityTimeout 0: nothing stays locked) and compare MessageGroupId with the customer."""
    messages = lab.client("sqs").receive_message(QueueUrl=url, MaxNumberOfMessages=10, VisibilityTimeout=0,
                                                 MessageSystemAttributeNames=["MessageGroupId"]).get("Messages", [])
    groups, mismatched = set(), 0
    for message in messages:
        group = message.get("Attributes", {}).get("MessageGroupId")
        groups.add(group)
        try:
            customer = json.loads(message["Body"]).get("customer_id")
        except (ValueError, AttributeError):
            customer = None
        mismatched += customer is not None and group != customer
    if not messages:
        return
    if len(groups) == 1 and len(messages) > 1:
        fb.wrong("Every payment is in one message group: customers wait for each other, one at a time.",
                 "Use the customer_id as MessageGroupId: order is kept per customer, customers run in parallel.")
    elif mismatched:
        fb.wrong(f"{mismatched} payments are not grouped by their customer_id.",
                 "Use the customer_id as MessageGroupId, so one customer's events stay in order.")
    else:
        fb.right("One message group per customer: order within a customer, parallelism across customers.")


@checker("sqs-orders.throughput")
def throughput(lab: Any, fb: Feedback) -> None:
    url = fb.require(find_queue(lab, "user-actions"), "There is no 'user-actions' queue yet.",
                     "Do step 6: create the user-actions queue.")
    visible, in_flight, delayed = counts(attributes(lab, url))
    deleted = _deleted_from(lab, "user-actions")
    if deleted == 0 and visible + in_flight + delayed == 0:
        fb.give_up("Nothing was sent through 'user-actions' yet.",
                   f"Send the {CLICKS_SENT} user actions in batches of 10, then consume them with several threads.")
    fb.check(visible + in_flight + delayed == 0, "'user-actions' is drained.",
             f"{visible + in_flight + delayed} user actions are still in 'user-actions'.",
             "Every consumer thread must delete what it received (delete_message_batch) and stop only on an empty "
             "long poll.")
    if deleted is not None:
        fb.check(deleted >= CLICKS_SENT, f"At least {CLICKS_SENT} user actions were deleted after processing.",
                 f"Only {deleted} user actions were deleted; {CLICKS_SENT} were to go through.",
                 f"Send all {CLICKS_SENT} user actions (retry failed batch entries) and consume them all.")


def _deleted_from(lab: Any, base: str) -> int | None:
    """Messages deleted from the lab's queue ``base``, from the flow trace (None if there is none)."""
    return _traced(lab, base, ("DeleteMessage", "DeleteMessageBatch"))


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


@checker("sqs-orders.lambda-consumer")
def lambda_consumer(lab: Any, fb: Feedback) -> None:
    """AWS, "Using Lambda with Amazon SQS": with ReportBatchItemFailures in FunctionResponseTypes
    only the messages listed in batchItemFailures return to the queue; without it a successful
    invocation deletes the whole batch, so a handler that *reports* failures loses those messages."""
    url = fb.require(find_queue(lab, "orders-lambda"), "There is no 'orders-lambda' queue yet.",
                     "Run the cell of step 7 that creates the queue and deploys the function.")
    arn = attributes(lab, url)["QueueArn"]
    mappings = lab.client("lambda").list_event_source_mappings(EventSourceArn=arn).get("EventSourceMappings", [])
    mapping = fb.require(mappings[0] if mappings else None, "'orders-lambda' has no event source mapping.",
                         "Connect the queue to the function with create_event_source_mapping.")
    fb.check(len(mappings) == 1, "One event source mapping reads 'orders-lambda'.",
             f"{len(mappings)} event source mappings read 'orders-lambda'.",
             "Keep one mapping: look for an existing one (list_event_source_mappings) before creating another.")
    function = str(mapping.get("FunctionArn", ""))
    fb.check(function.endswith(":" + lab.name("order-consumer")), "It invokes the order-consumer function.",
             f"It invokes '{short(function, lab)}'.", "FunctionName must be the order-consumer function.")
    types = mapping.get("FunctionResponseTypes") or []
    fb.check("ReportBatchItemFailures" in types, "Partial batch responses are on (ReportBatchItemFailures).",
             "Partial batch responses are off: the batchItemFailures the handler returns are ignored, the whole "
             "batch is deleted, and malformed orders vanish instead of reaching the DLQ.",
             "Pass FunctionResponseTypes=['ReportBatchItemFailures'] (update_event_source_mapping for an existing one).")
    size = int(mapping.get("BatchSize") or 0)
    fb.check(1 < size <= 10, f"BatchSize is {size}.", f"BatchSize is {size}.",
             "Use batches of up to 10 messages (BatchSize=10): fewer invocations than one per message.")
    state = mapping.get("State")
    fb.check(state in ("Enabled", "Enabling", "Creating"), "The mapping is enabled.", f"The mapping is {state}.",
             "Enable it: update_event_source_mapping(UUID=..., Enabled=True).")
    visible, in_flight, delayed = counts(attributes(lab, url))
    fb.check(visible + in_flight + delayed == 0, "'orders-lambda' is drained: every order was handled.",
             f"{visible + in_flight + delayed} messages are still in 'orders-lambda'.",
             "Wait for the pollers with settle(lab) after sending; a message the handler reports as failed comes "
             "back after the queue's VisibilityTimeout, until maxReceiveCount sends it to the DLQ.")
