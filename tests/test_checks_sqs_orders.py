"""Lab 1's checks catch plausible wrong answers, pass the right one, and say "not attempted" at first.

Every state is built with plain boto3 on the emulator, the way a student's code would build it;
the checks only see the backend's state. AWS behaviours relied on are quoted in
labs/helpers/checks/sqs_orders.py.
"""

from __future__ import annotations

import json
import time
import uuid

import pytest

from labs.helpers import Lab, data, start_lab
from labs.helpers.checks import run
from labs.helpers.checks.sqs_orders import ORDERS_SENT, PAYMENTS_SENT

GOOD_ORDERS = {"VisibilityTimeout": "30", "ReceiveMessageWaitTimeSeconds": "20", "MessageRetentionPeriod": "86400",
               "SqsManagedSseEnabled": "true"}


@pytest.fixture(scope="module")
def _shared_lab() -> Lab:
    """One lab for the module: creating boto3 clients is the slow part of a test, not the emulator."""
    from labs.helpers.backend import start_embedded_emulator

    start_embedded_emulator()
    return start_lab("sqs-orders")


@pytest.fixture
def lab1(emulator: None, _shared_lab: Lab) -> Lab:
    """Lab 1 on an empty emulator, with an empty flow trace."""
    _shared_lab.flow.clear()
    _shared_lab.registry.clear()
    return _shared_lab


def _orders(lab: Lab, **overrides: str) -> str:
    return lab.client("sqs").create_queue(QueueName=lab.name("orders"), Attributes={**GOOD_ORDERS, **overrides})["QueueUrl"]


def _send(lab: Lab, url: str, n: int) -> None:
    sqs = lab.client("sqs")
    bodies = data.orders(n)
    for start in range(0, n, 10):
        sqs.send_message_batch(QueueUrl=url, Entries=[{"Id": str(i), "MessageBody": b}
                                                      for i, b in enumerate(bodies[start:start + 10])])


def _drain(lab: Lab, url: str, *, delete: bool = True) -> int:
    sqs, seen = lab.client("sqs"), 0
    while True:
        messages = sqs.receive_message(QueueUrl=url, MaxNumberOfMessages=10, WaitTimeSeconds=0).get("Messages", [])
        if not messages:
            return seen
        seen += len(messages)
        if delete:
            sqs.delete_message_batch(QueueUrl=url, Entries=[{"Id": str(i), "ReceiptHandle": m["ReceiptHandle"]}
                                                            for i, m in enumerate(messages)])


ALL_STEPS = ["orders-queue", "send", "consume", "dlq", "redrive", "fifo-payments", "throughput", "lambda-consumer"]


@pytest.mark.parametrize("step", ALL_STEPS)
def test_an_empty_account_is_not_attempted(lab1: Lab, step: str) -> None:
    result = run(f"sqs-orders.{step}", lab1)
    assert result.status == "not-attempted", result.text()
    assert result.hint


# ---------------------------------------------------------------- step 2: the queue
def test_orders_queue_correct(lab1: Lab) -> None:
    _orders(lab1)
    result = run("sqs-orders.orders-queue", lab1)
    assert result.status == "correct", result.text()


@pytest.mark.parametrize("attrs, hint_word", [
    ({"VisibilityTimeout": "1"}, "VisibilityTimeout"),
    ({"ReceiveMessageWaitTimeSeconds": "0"}, "long polling"),
    ({"MessageRetentionPeriod": "345600"}, "MessageRetentionPeriod"),
    ({"SqsManagedSseEnabled": "false"}, "SqsManagedSseEnabled"),
])
def test_orders_queue_wrong_attributes(lab1: Lab, attrs: dict[str, str], hint_word: str) -> None:
    _orders(lab1, **attrs)
    result = run("sqs-orders.orders-queue", lab1)
    assert result.status == "incorrect" and hint_word in (result.hint or ""), result.text()


def test_orders_queue_with_default_attributes_is_incorrect(lab1: Lab) -> None:
    """The likely slip: create_queue without Attributes. SQS defaults: short polling
    (ReceiveMessageWaitTimeSeconds 0) and 4 days' retention (345600 s)."""
    lab1.client("sqs").create_queue(QueueName=lab1.name("orders"))
    result = run("sqs-orders.orders-queue", lab1)
    assert result.status == "incorrect"
    assert "long polling" in (result.hint or "")
    assert any("MessageRetentionPeriod is 345600 s" in w for w in result.wrong), result.text()


# ---------------------------------------------------------------- step 2: sending (the learner's functions, exercised)
def _producer(lab: Lab, *, retry: str = "failed", batch: int = 10):
    sqs = lab.client("sqs")

    def send_order(queue_url: str, body: str) -> str:
        return sqs.send_message(QueueUrl=queue_url, MessageBody=body)["MessageId"]

    def send_orders(queue_url: str, bodies: list[str]) -> int:
        sent = 0
        for start in range(0, len(bodies), batch):
            entries = [{"Id": str(i), "MessageBody": b} for i, b in enumerate(bodies[start:start + batch])]
            for _ in range(5):
                response = sqs.send_message_batch(QueueUrl=queue_url, Entries=entries)
                sent += len(response.get("Successful", []))
                failed = {f["Id"] for f in response.get("Failed", [])}
                if retry == "none" or not failed:
                    break
                entries = entries if retry == "all" else [e for e in entries if e["Id"] in failed]
        return sent

    return send_order, send_orders


def test_send_correct_after_the_notebook_sent_its_orders(lab1: Lab) -> None:
    _send(lab1, _orders(lab1), ORDERS_SENT)
    result = run("sqs-orders.send", lab1, *_producer(lab1))
    assert result.status == "correct", result.text()


@pytest.mark.parametrize("retry, hint_word", [("none", "Failed"), ("all", "only the entries")])
def test_send_under_failing_entries(lab1: Lab, retry: str, hint_word: str) -> None:
    """SendMessageBatch: "check for batch errors even when the call returns an HTTP status code of 200"."""
    _send(lab1, _orders(lab1), ORDERS_SENT)
    result = run("sqs-orders.send", lab1, *_producer(lab1, retry=retry))
    assert result.status == "incorrect" and hint_word in (result.hint or ""), result.text()


def test_send_with_oversized_batches_names_the_aws_error(lab1: Lab) -> None:
    _send(lab1, _orders(lab1), ORDERS_SENT)
    result = run("sqs-orders.send", lab1, *_producer(lab1, batch=25))
    assert result.status == "incorrect", result.text()
    assert "TooManyEntriesInBatchRequest" in " ".join(result.wrong) and "at most 10" in (result.hint or "")


def test_send_unwritten_is_not_attempted(lab1: Lab) -> None:
    _orders(lab1)

    def send_orders(queue_url: str, bodies: list[str]) -> int:
        """Send every body in batches of 10."""
        ...  # YOUR CODE HERE

    result = run("sqs-orders.send", lab1, _producer(lab1)[0], send_orders)
    assert result.status == "not-attempted" and "exercise 2b" in (result.hint or ""), result.text()


def test_send_probe_leaves_no_scratch_queue_and_no_trace_rows(lab1: Lab) -> None:
    _send(lab1, _orders(lab1), ORDERS_SENT)
    rows = len(lab1.flow.df)
    run("sqs-orders.send", lab1, *_producer(lab1))
    names = [u.rsplit("/", 1)[-1] for u in lab1.client("sqs").list_queues().get("QueueUrls", [])]
    assert names == [lab1.name("orders")], names
    assert len(lab1.flow.df) == rows, "the check's own traffic must not show in the learner's flow"


# ---------------------------------------------------------------- step 3: consuming
def _consumer(lab: Lab, *, order: str = "handle-then-delete", stop_on_short: bool = False):
    sqs = lab.client("sqs")

    def consume(queue_url: str, handle) -> int:  # noqa: ANN001
        handled = 0
        while True:
            messages = sqs.receive_message(QueueUrl=queue_url, MaxNumberOfMessages=10, WaitTimeSeconds=1).get("Messages", [])
            if not messages:
                return handled
            entries = [{"Id": str(i), "ReceiptHandle": m["ReceiptHandle"]} for i, m in enumerate(messages)]
            if order == "delete-then-handle":
                sqs.delete_message_batch(QueueUrl=queue_url, Entries=entries)
            for message in messages:
                handle(message["Body"])
                handled += 1
            if order == "handle-then-delete":
                sqs.delete_message_batch(QueueUrl=queue_url, Entries=entries)
            if stop_on_short and len(messages) < 10:
                return handled

    return consume


def test_consume_correct(lab1: Lab) -> None:
    url = _orders(lab1)
    _send(lab1, url, ORDERS_SENT)
    _drain(lab1, url)
    result = run("sqs-orders.consume", lab1, _consumer(lab1))
    assert result.status == "correct", result.text()


@pytest.mark.parametrize("kwargs, hint_word", [
    ({"order": "delete-then-handle"}, "only after"),
    ({"stop_on_short": True}, "fewer messages"),
    ({"order": "never-delete"}, "ReceiptHandle"),
])
def test_consume_mistakes_show_in_behaviour(lab1: Lab, kwargs: dict, hint_word: str) -> None:
    """Each of these passes a configuration-only check: only a crash, a short receive or time shows them."""
    _orders(lab1)
    result = run("sqs-orders.consume", lab1, _consumer(lab1, **kwargs))
    assert result.status == "incorrect" and hint_word in (result.hint or ""), result.text()


def test_a_consumer_that_loops_forever_is_stopped_and_reported(lab1: Lab) -> None:
    _orders(lab1)
    sqs = lab1.client("sqs")

    def consume(queue_url: str, handle) -> int:  # noqa: ANN001 - never stops
        while True:
            try:
                sqs.receive_message(QueueUrl=queue_url, WaitTimeSeconds=0)
            except Exception:  # noqa: BLE001 - a learner's catch-all must not swallow the time limit
                pass

    from labs.helpers.checks import probe

    real = probe.Probe.run

    def quick(self, fn, *args, timeout: float = 10.0, threads: int = 1):  # noqa: ANN001, ANN202
        return real(self, fn, *args, timeout=0.5, threads=threads)

    probe.Probe.run = quick
    try:
        result = run("sqs-orders.consume", lab1, consume)
    finally:
        probe.Probe.run = real
    assert result.status == "incorrect" and "loop forever" in " ".join(result.wrong), result.text()


# ---------------------------------------------------------------- step 4: DLQ and redrive
def _dlq(lab: Lab, *, max_receive: int = 3, retention: str = "1209600", poison: bool = True) -> tuple[str, str]:
    sqs = lab.client("sqs")
    url = _orders(lab)
    dlq_url = sqs.create_queue(QueueName=lab.name("orders-dlq"), Attributes={"MessageRetentionPeriod": retention})["QueueUrl"]
    arn = sqs.get_queue_attributes(QueueUrl=dlq_url, AttributeNames=["QueueArn"])["Attributes"]["QueueArn"]
    sqs.set_queue_attributes(QueueUrl=url, Attributes={"RedrivePolicy": json.dumps(
        {"deadLetterTargetArn": arn, "maxReceiveCount": str(max_receive)})})
    if poison:
        sqs.send_message(QueueUrl=url, MessageBody='{"order_id": "ORD-BAD", "total": "abc"')
        for _ in range(max_receive + 1):  # the strict consumer fails each time and releases it at once
            for m in sqs.receive_message(QueueUrl=url, MaxNumberOfMessages=10, WaitTimeSeconds=0).get("Messages", []):
                sqs.change_message_visibility(QueueUrl=url, ReceiptHandle=m["ReceiptHandle"], VisibilityTimeout=0)
    return url, dlq_url


def test_dlq_correct(lab1: Lab) -> None:
    _dlq(lab1)
    result = run("sqs-orders.dlq", lab1)
    assert result.status == "correct", result.text()


def test_queue_without_dlq_is_incorrect(lab1: Lab) -> None:
    _orders(lab1)
    lab1.client("sqs").create_queue(QueueName=lab1.name("orders-dlq"))
    result = run("sqs-orders.dlq", lab1)
    assert result.status == "incorrect" and "RedrivePolicy" in (result.hint or ""), result.text()


@pytest.mark.parametrize("count", [1, 100])
def test_dlq_max_receive_count_wrong(lab1: Lab, count: int) -> None:
    _dlq(lab1, max_receive=count, poison=False)
    result = run("sqs-orders.dlq", lab1)
    assert result.status == "incorrect" and "maxReceiveCount" in (result.hint or ""), result.text()


def test_dlq_retention_not_longer_than_source_is_incorrect(lab1: Lab) -> None:
    """AWS (SQS developer guide, dead-letter queues): "we recommend that you set the retention
    period of a dead-letter queue to be longer than the retention period of the original queue"."""
    _dlq(lab1, retention="86400")
    result = run("sqs-orders.dlq", lab1)
    assert result.status == "incorrect" and "MessageRetentionPeriod" in (result.hint or ""), result.text()


def test_dlq_configured_but_nothing_dead_lettered_is_incorrect(lab1: Lab) -> None:
    _dlq(lab1, poison=False)
    result = run("sqs-orders.dlq", lab1)
    assert result.status == "incorrect" and "strict consumer" in (result.hint or ""), result.text()


def _redrive(lab: Lab, *, wait: bool = True):
    sqs = lab.client("sqs")

    def redrive(dlq_arn: str) -> dict:
        sqs.start_message_move_task(SourceArn=dlq_arn)
        for _ in range(100):
            task = sqs.list_message_move_tasks(SourceArn=dlq_arn, MaxResults=1)["Results"][0]
            if not wait or task["Status"] != "RUNNING":
                return task
            time.sleep(0.05)
        return task

    return redrive


def test_redrive_correct_once_the_notebook_redrove_and_consumed(lab1: Lab) -> None:
    url, dlq_url = _dlq(lab1)
    redrive = _redrive(lab1)
    waiting = run("sqs-orders.redrive", lab1, redrive)  # the probe passes; the notebook's DLQ was not redriven
    assert waiting.status == "not-attempted" and "4b" in (waiting.hint or ""), waiting.text()
    arn = lab1.client("sqs").get_queue_attributes(QueueUrl=dlq_url, AttributeNames=["QueueArn"])["Attributes"]["QueueArn"]
    redrive(arn)
    unconsumed = run("sqs-orders.redrive", lab1, redrive)
    assert unconsumed.status == "incorrect" and "fixed consumer" in (unconsumed.hint or ""), unconsumed.text()
    _drain(lab1, url)
    assert run("sqs-orders.redrive", lab1, redrive).status == "correct"


def test_a_redrive_that_is_started_but_not_awaited_is_caught(lab1: Lab) -> None:
    """On AWS a move task takes time; the probe gives it a finite rate, so "not awaited" shows."""
    _dlq(lab1)
    result = run("sqs-orders.redrive", lab1, _redrive(lab1, wait=False))
    assert result.status == "incorrect" and "RUNNING" in (result.hint or ""), result.text()


# ---------------------------------------------------------------- step 5: FIFO payments
def _fifo_sender(lab: Lab, *, group: str | None = None, dedup: str | None = None):
    sqs = lab.client("sqs")

    def send_payment(queue_url: str, event: dict) -> None:
        params = {"QueueUrl": queue_url, "MessageBody": json.dumps(event), "MessageGroupId": group or event["customer_id"]}
        if dedup == "event":
            params["MessageDeduplicationId"] = f"{event['order_id']}-{event['event']}"
        elif dedup == "random":
            params["MessageDeduplicationId"] = uuid.uuid4().hex
        sqs.send_message(**params)

    return send_payment


def _payments_queue(lab: Lab, *, content_dedup: bool = True, send: bool = True) -> str:
    sqs = lab.client("sqs")
    url = sqs.create_queue(QueueName=lab.name("payments.fifo"), Attributes={
        "FifoQueue": "true", "ContentBasedDeduplication": "true" if content_dedup else "false"})["QueueUrl"]
    if send:
        events = data.payments(PAYMENTS_SENT, seed=3, n_customers=3)
        for event in [*events, events[0]]:
            sqs.send_message(QueueUrl=url, MessageBody=json.dumps(event), MessageGroupId=event["customer_id"],
                             MessageDeduplicationId=f"{event['order_id']}-{event['event']}")
    return url


def test_fifo_correct_with_content_dedup(lab1: Lab) -> None:
    _payments_queue(lab1)
    result = run("sqs-orders.fifo-payments", lab1, _fifo_sender(lab1))
    assert result.status == "correct", result.text()


def test_fifo_correct_with_dedup_ids_derived_from_the_event(lab1: Lab) -> None:
    _payments_queue(lab1, content_dedup=False)
    assert run("sqs-orders.fifo-payments", lab1, _fifo_sender(lab1, dedup="event")).status == "correct"


def test_standard_queue_where_fifo_is_needed(lab1: Lab) -> None:
    lab1.client("sqs").create_queue(QueueName=lab1.name("payments"))
    result = run("sqs-orders.fifo-payments", lab1, _fifo_sender(lab1))
    assert result.status == "incorrect" and "FIFO" in (result.hint or ""), result.text()


@pytest.mark.parametrize("content_dedup, sender, hint_word", [
    (False, {}, "MessageDeduplicationId"),            # AWS refuses: InvalidParameterValue
    (False, {"dedup": "random"}, "same MessageDeduplicationId"),
    (True, {"group": "all"}, "customer_id as MessageGroupId"),
])
def test_fifo_mistakes(lab1: Lab, content_dedup: bool, sender: dict, hint_word: str) -> None:
    _payments_queue(lab1, content_dedup=content_dedup, send=False)
    result = run("sqs-orders.fifo-payments", lab1, _fifo_sender(lab1, **sender))
    assert result.status == "incorrect" and hint_word in (result.hint or ""), result.text()


def test_fifo_check_leaves_the_notebooks_messages_receivable(lab1: Lab) -> None:
    url = _payments_queue(lab1)
    run("sqs-orders.fifo-payments", lab1, _fifo_sender(lab1))
    assert _drain(lab1, url) == PAYMENTS_SENT


# ---------------------------------------------------------------- step 6: throughput
def _drain_worker(lab: Lab, *, stop_on_short: bool = False, batch_delete: bool = True):
    sqs = lab.client("sqs")

    def drain_worker(queue_url: str, done: list) -> None:
        while True:
            messages = sqs.receive_message(QueueUrl=queue_url, MaxNumberOfMessages=10, WaitTimeSeconds=1).get("Messages", [])
            if not messages:
                return
            if batch_delete:
                sqs.delete_message_batch(QueueUrl=queue_url, Entries=[
                    {"Id": str(i), "ReceiptHandle": m["ReceiptHandle"]} for i, m in enumerate(messages)])
            else:
                for m in messages:
                    sqs.delete_message(QueueUrl=queue_url, ReceiptHandle=m["ReceiptHandle"])
            done.append(len(messages))
            if stop_on_short and len(messages) < 10:
                return

    return drain_worker


def test_throughput_correct(lab1: Lab) -> None:
    result = run("sqs-orders.throughput", lab1, _drain_worker(lab1))
    assert result.status == "correct", result.text()


@pytest.mark.parametrize("kwargs, hint_word", [({"stop_on_short": True}, "fewer than asked"),
                                               ({"batch_delete": False}, "delete_message_batch")])
def test_throughput_mistakes(lab1: Lab, kwargs: dict, hint_word: str) -> None:
    result = run("sqs-orders.throughput", lab1, _drain_worker(lab1, **kwargs))
    assert result.status == "incorrect" and hint_word in (result.hint or ""), result.text()


# ---------------------------------------------------------------- step 7: Lambda consumer
def _lambda(lab: Lab, *, mapping: dict | None = None, send: int = 0) -> str:
    from labs.helpers.functions import handler_name, package_handler, settle

    sqs, lam = lab.client("sqs"), lab.client("lambda")
    url = sqs.create_queue(QueueName=lab.name("orders-lambda"), Attributes={"VisibilityTimeout": "1"})["QueueUrl"]
    arn = sqs.get_queue_attributes(QueueUrl=url, AttributeNames=["QueueArn"])["Attributes"]["QueueArn"]
    role = lab.client("iam").create_role(RoleName=lab.name("role"), AssumeRolePolicyDocument=json.dumps(
        {"Version": "2012-10-17", "Statement": [{"Effect": "Allow", "Principal": {"Service": "lambda.amazonaws.com"},
                                                 "Action": "sts:AssumeRole"}]}))["Role"]["Arn"]
    lam.create_function(FunctionName=lab.name("order-consumer"), Runtime="python3.12", Role=role,
                        Handler=handler_name("labs.handlers.order_consumer"),
                        Code={"ZipFile": package_handler("labs.handlers.order_consumer")})
    if mapping is not None:
        lam.create_event_source_mapping(EventSourceArn=arn, FunctionName=lab.name("order-consumer"), **mapping)
    for body in data.orders(send, seed=3):
        sqs.send_message(QueueUrl=url, MessageBody=body)
    settle(lab)
    return url


def test_lambda_consumer_correct(lab1: Lab) -> None:
    _lambda(lab1, mapping={"BatchSize": 10, "FunctionResponseTypes": ["ReportBatchItemFailures"]}, send=3)
    result = run("sqs-orders.lambda-consumer", lab1)
    assert result.status == "correct", result.text()


def test_lambda_consumer_without_mapping_is_not_attempted(lab1: Lab) -> None:
    _lambda(lab1)
    result = run("sqs-orders.lambda-consumer", lab1)
    assert result.status == "not-attempted" and "create_event_source_mapping" in (result.hint or "")


def test_lambda_consumer_without_partial_batch_responses(lab1: Lab) -> None:
    _lambda(lab1, mapping={"BatchSize": 10})
    result = run("sqs-orders.lambda-consumer", lab1)
    assert result.status == "incorrect" and "ReportBatchItemFailures" in (result.hint or ""), result.text()


def test_lambda_consumer_disabled_mapping_leaves_orders_waiting(lab1: Lab) -> None:
    _lambda(lab1, mapping={"BatchSize": 10, "FunctionResponseTypes": ["ReportBatchItemFailures"], "Enabled": False},
            send=2)
    result = run("sqs-orders.lambda-consumer", lab1)
    assert result.status == "incorrect" and "Enable" in (result.hint or ""), result.text()
    assert "The mapping is Disabled." in result.wrong
