"""Lab 1's checks catch plausible wrong answers, pass the right one, and say "not attempted" at first.

Every state is built with plain boto3 on the emulator, the way a student's code would build it;
the checks only see the backend's state. AWS behaviours relied on are quoted in
labs/helpers/checks/sqs_orders.py.
"""

from __future__ import annotations

import json

import pytest

from labs.helpers import Lab, data, start_lab
from labs.helpers.checks import run
from labs.helpers.checks.sqs_orders import CLICKS_SENT, ORDERS_SENT

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


# ---------------------------------------------------------------- step 2: sending
def test_send_all_orders_correct(lab1: Lab) -> None:
    _send(lab1, _orders(lab1), ORDERS_SENT)
    assert run("sqs-orders.send", lab1).status == "correct"


def test_send_without_retrying_failed_entries_is_incorrect(lab1: Lab) -> None:
    from labs.helpers.chaos import flaky_batches

    url, sqs = _orders(lab1), lab1.client("sqs")
    with flaky_batches(sqs):  # the student ignores 'Failed'
        _send(lab1, url, ORDERS_SENT)
    result = run("sqs-orders.send", lab1)
    assert result.status == "incorrect" and "Failed" in (result.hint or ""), result.text()


def test_send_stays_correct_after_the_consumer_emptied_the_queue(lab1: Lab) -> None:
    """The queue is empty again after step 3; the flow trace still shows the 21 orders sent."""
    url = _orders(lab1)
    _send(lab1, url, ORDERS_SENT)
    _drain(lab1, url)
    result = run("sqs-orders.send", lab1)
    assert result.status == "correct", result.text()


def test_send_without_retries_stays_incorrect_after_consuming(lab1: Lab) -> None:
    from labs.helpers.chaos import flaky_batches

    url = _orders(lab1)
    with flaky_batches(lab1.client("sqs")):
        _send(lab1, url, ORDERS_SENT)
    _drain(lab1, url)
    assert run("sqs-orders.send", lab1).status == "incorrect"


# ---------------------------------------------------------------- step 3: consuming
def test_consume_correct(lab1: Lab) -> None:
    url = _orders(lab1)
    _send(lab1, url, ORDERS_SENT)
    _drain(lab1, url)
    assert run("sqs-orders.consume", lab1).status == "correct"


def test_consume_without_delete_is_incorrect(lab1: Lab) -> None:
    url = _orders(lab1)
    _send(lab1, url, ORDERS_SENT)
    _drain(lab1, url, delete=False)
    result = run("sqs-orders.consume", lab1)
    assert result.status == "incorrect" and "delete" in (result.hint or ""), result.text()


def test_consume_stopping_early_is_incorrect(lab1: Lab) -> None:
    url, sqs = _orders(lab1), lab1.client("sqs")
    _send(lab1, url, ORDERS_SENT)
    messages = sqs.receive_message(QueueUrl=url, MaxNumberOfMessages=10, WaitTimeSeconds=0)["Messages"]
    for m in messages:
        sqs.delete_message(QueueUrl=url, ReceiptHandle=m["ReceiptHandle"])
    result = run("sqs-orders.consume", lab1)
    assert result.status == "incorrect" and "long poll returns no messages" in (result.hint or ""), result.text()


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


def test_redrive_correct_and_incomplete_states(lab1: Lab) -> None:
    url, dlq_url = _dlq(lab1)
    assert run("sqs-orders.redrive", lab1).status == "not-attempted"
    sqs = lab1.client("sqs")
    arn = sqs.get_queue_attributes(QueueUrl=dlq_url, AttributeNames=["QueueArn"])["Attributes"]["QueueArn"]
    sqs.start_message_move_task(SourceArn=arn)
    waiting = run("sqs-orders.redrive", lab1)  # moved back, but the fixed consumer has not run
    assert waiting.status == "incorrect" and "fixed consumer" in (waiting.hint or ""), waiting.text()
    _drain(lab1, url)
    assert run("sqs-orders.redrive", lab1).status == "correct"


# ---------------------------------------------------------------- step 5: FIFO payments
def _payments(lab: Lab, *, fifo: bool = True, content_dedup: bool = True, group: str | None = None,
              dedup_ids: str | None = None) -> None:
    sqs = lab.client("sqs")
    name = lab.name("payments.fifo" if fifo else "payments")
    attrs = {"FifoQueue": "true", "ContentBasedDeduplication": str(content_dedup).lower()} if fifo else {}
    url = sqs.create_queue(QueueName=name, Attributes=attrs)["QueueUrl"]
    events = data.payments(9)
    for n, event in enumerate(events + events[:1]):  # the last send is a retry of the first
        params = {"QueueUrl": url, "MessageBody": json.dumps(event)}
        if fifo:
            params["MessageGroupId"] = group or event["customer_id"]
        if dedup_ids == "payment":
            params["MessageDeduplicationId"] = event["payment_id"]
        elif dedup_ids == "random":
            params["MessageDeduplicationId"] = f"attempt-{n}"
        try:
            sqs.send_message(**params)
        except sqs.exceptions.ClientError:
            pass  # AWS refuses a FIFO send with no deduplication id and no content-based dedup


def test_fifo_correct_with_content_dedup(lab1: Lab) -> None:
    _payments(lab1)
    result = run("sqs-orders.fifo-payments", lab1)
    assert result.status == "correct", result.text()


def test_fifo_correct_with_dedup_ids(lab1: Lab) -> None:
    _payments(lab1, content_dedup=False, dedup_ids="payment")
    assert run("sqs-orders.fifo-payments", lab1).status == "correct"


def test_standard_queue_where_fifo_is_needed(lab1: Lab) -> None:
    _payments(lab1, fifo=False)
    result = run("sqs-orders.fifo-payments", lab1)
    assert result.status == "incorrect" and "FIFO" in (result.hint or ""), result.text()


def test_fifo_without_any_deduplication_sends_nothing(lab1: Lab) -> None:
    _payments(lab1, content_dedup=False)
    result = run("sqs-orders.fifo-payments", lab1)
    assert result.status == "not-attempted" and "ContentBasedDeduplication" in (result.hint or ""), result.text()


def test_fifo_with_a_new_dedup_id_per_attempt_accepts_the_duplicate(lab1: Lab) -> None:
    _payments(lab1, content_dedup=False, dedup_ids="random")
    result = run("sqs-orders.fifo-payments", lab1)
    assert result.status == "incorrect" and "same MessageDeduplicationId" in (result.hint or ""), result.text()


def test_fifo_with_one_group_for_everyone(lab1: Lab) -> None:
    _payments(lab1, group="all")
    result = run("sqs-orders.fifo-payments", lab1)
    assert result.status == "incorrect" and "customer_id as MessageGroupId" in (result.hint or ""), result.text()


def test_fifo_check_leaves_the_messages_receivable(lab1: Lab) -> None:
    _payments(lab1)
    run("sqs-orders.fifo-payments", lab1)
    url = lab1.client("sqs").get_queue_url(QueueName=lab1.name("payments.fifo"))["QueueUrl"]
    assert _drain(lab1, url) == 9


# ---------------------------------------------------------------- step 6: throughput
def _clicks(lab: Lab, *, consume: bool) -> None:
    sqs = lab.client("sqs")
    url = sqs.create_queue(QueueName=lab.name("user-actions"))["QueueUrl"]
    bodies = [json.dumps(c) for c in data.clicks(CLICKS_SENT)]
    for start in range(0, len(bodies), 10):
        sqs.send_message_batch(QueueUrl=url, Entries=[{"Id": str(i), "MessageBody": b}
                                                      for i, b in enumerate(bodies[start:start + 10])])
    if consume:
        _drain(lab, url)


def test_throughput_correct(lab1: Lab) -> None:
    _clicks(lab1, consume=True)
    result = run("sqs-orders.throughput", lab1)
    assert result.status == "correct", result.text()


def test_throughput_not_consumed(lab1: Lab) -> None:
    _clicks(lab1, consume=False)
    result = run("sqs-orders.throughput", lab1)
    assert result.status == "incorrect" and "delete" in (result.hint or ""), result.text()


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
    assert "2 messages are still in 'orders-lambda'." in result.wrong
