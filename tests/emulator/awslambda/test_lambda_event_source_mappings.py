"""Event source mappings deliver SQS, Kinesis and DynamoDB Streams records to a real handler.

Lambda developer guide, "Using Lambda with Amazon SQS": "Lambda polls the queue and invokes your
Lambda function synchronously with an event that contains queue messages. Lambda reads messages in
batches and invokes your function once for each batch. When your function successfully processes a
batch, Lambda deletes its messages from the queue." "If your function returns an error ... the
messages become visible again after the visibility timeout", and a redrive policy moves them to the
DLQ after maxReceiveCount. "Implementing partial batch responses": with ReportBatchItemFailures only
the messages listed in batchItemFailures return to the queue. FIFO: "Lambda ... processes messages in
order within each message group". Kinesis / DynamoDB Streams: Lambda reads records from
StartingPosition (TRIM_HORIZON: the oldest record; LATEST: only new records) and retries a failing
batch up to MaximumRetryAttempts. Plain moto invokes inside send_message one message at a time (no
batches, no partial failures, failed messages visible at once) and never polls Kinesis.
"""

from __future__ import annotations

import json
import threading

import pytest

import tests.emulator.lambda_helpers as lh
from labs.helpers import Lab, LabError
from labs.helpers.emulator import status
from labs.helpers.functions import handler_name, package_handler, settle
from labs.helpers.observe import Delivery


def test_layer_is_applied(emulator: None) -> None:
    assert status()["lambda_event_source_mappings"].applied, status()["lambda_event_source_mappings"].reason


def test_sqs_batches_respect_batch_size_and_successful_batches_are_deleted(lab: Lab, deliveries: list[Delivery]) -> None:
    out_url, _ = lh.queue(lab, "seen")
    url, arn = lh.queue(lab, "orders")
    fn = lh.deploy(lab, "consumer", lh.FORWARD, env={"OUT": out_url})
    lam = lab.client("lambda")
    mapping = lam.create_event_source_mapping(EventSourceArn=arn, FunctionName=fn, BatchSize=3, Enabled=False)
    for i in range(7):
        lab.client("sqs").send_message(QueueUrl=url, MessageBody=f"order-{i}")
    lam.update_event_source_mapping(UUID=mapping["UUID"], Enabled=True)
    settle(lab)
    batches = lh.batches(lab, out_url)
    assert sorted(len(b) for b in batches) == [1, 3, 3]  # plain moto: seven invocations of one
    assert sorted(r["body"] for b in batches for r in b) == [f"order-{i}" for i in range(7)]
    assert batches[0][0]["attributes"]["ApproximateReceiveCount"] == "1"
    assert lh.counts(lab, url) == (0, 0)  # deleted after success
    calls = lh.invocations(deliveries)
    assert [c.detail["batch_size"] for c in calls] == [3, 3, 1]
    assert all(c.source == arn and c.target == fn and c.detail["failed_ids"] == [] for c in calls)


def test_partial_batch_failures_return_only_listed_messages_and_reach_the_dlq(lab: Lab, deliveries: list[Delivery]) -> None:
    dlq_url, dlq_arn = lh.queue(lab, "orders-dlq")
    url, arn = lh.queue(lab, "orders", VisibilityTimeout="0",
                      RedrivePolicy=json.dumps({"deadLetterTargetArn": dlq_arn, "maxReceiveCount": 2}))
    lam = lab.client("lambda")
    lam.create_function(FunctionName=lab.name("consumer"), Runtime="python3.12", Role=lh.role_arn(lab),
                        Handler=handler_name("labs.handlers.order_consumer"),
                        Code={"ZipFile": package_handler("labs.handlers.order_consumer")})
    mapping = lam.create_event_source_mapping(EventSourceArn=arn, FunctionName=lab.name("consumer"), BatchSize=10,
                                              FunctionResponseTypes=["ReportBatchItemFailures"], Enabled=False)
    bodies = [{"order_id": "o-1", "total": 10}, {"total": 3}, {"order_id": "o-3", "total": "lots"},
              {"order_id": "o-4", "total": "4.50"}]
    sent = [lab.client("sqs").send_message(QueueUrl=url, MessageBody=json.dumps(b))["MessageId"] for b in bodies]
    lam.update_event_source_mapping(UUID=mapping["UUID"], Enabled=True)
    settle(lab)
    assert lh.counts(lab, url) == (0, 0)
    dead = lab.client("sqs").receive_message(QueueUrl=dlq_url, MaxNumberOfMessages=10)["Messages"]
    assert sorted(m["MessageId"] for m in dead) == sorted([sent[1], sent[2]])  # only the malformed ones
    first = lh.invocations(deliveries)[0]
    assert first.detail["batch_size"] == 4 and sorted(first.detail["failed_ids"]) == sorted([sent[1], sent[2]])
    assert first.status == "partial"


def test_raising_handler_returns_the_whole_batch(lab: Lab, deliveries: list[Delivery]) -> None:
    out_url, _ = lh.queue(lab, "seen")
    url, arn = lh.queue(lab, "orders", VisibilityTimeout="30")
    fn = lh.deploy(lab, "consumer", lh.FORWARD, env={"OUT": out_url})
    lam = lab.client("lambda")
    mapping = lam.create_event_source_mapping(EventSourceArn=arn, FunctionName=fn, BatchSize=10,
                                              FunctionResponseTypes=["ReportBatchItemFailures"], Enabled=False)
    for body in ("order-1", "poison", "order-3"):
        lab.client("sqs").send_message(QueueUrl=url, MessageBody=body)
    lam.update_event_source_mapping(UUID=mapping["UUID"], Enabled=True)
    calls = lh.wait_for(deliveries, 1)
    assert calls[0].status == "failed" and len(calls[0].detail["failed_ids"]) == 3
    # AWS: the messages (good ones too) stay in flight and return after the visibility timeout.
    assert lh.counts(lab, url) == (0, 3)
    with pytest.raises(LabError, match="VisibilityTimeout"):
        settle(lab, timeout=0.3)


def test_fifo_messages_arrive_in_order_within_each_group(lab: Lab) -> None:
    out_url, _ = lh.queue(lab, "seen")
    url, arn = lh.queue(lab, "payments.fifo", FifoQueue="true", ContentBasedDeduplication="true")
    fn = lh.deploy(lab, "consumer", lh.FORWARD, env={"OUT": out_url})
    lam = lab.client("lambda")
    mapping = lam.create_event_source_mapping(EventSourceArn=arn, FunctionName=fn, BatchSize=2, Enabled=False)
    sent = [(group, f"{group}-{i}") for i in range(4) for group in ("alice", "bob")]
    for group, body in sent:
        lab.client("sqs").send_message(QueueUrl=url, MessageBody=body, MessageGroupId=group)
    lam.update_event_source_mapping(UUID=mapping["UUID"], Enabled=True)
    settle(lab)
    seen = [r for batch in lh.batches(lab, out_url) for r in batch]
    for group in ("alice", "bob"):
        in_group = [r["body"] for r in seen if r["attributes"]["MessageGroupId"] == group]
        assert in_group == [f"{group}-{i}" for i in range(4)]
    assert all("SequenceNumber" in r["attributes"] for r in seen)


def test_batching_window_gathers_messages_sent_one_by_one(lab: Lab, deliveries: list[Delivery]) -> None:
    """Lambda developer guide, "Batching behavior": with MaximumBatchingWindowInSeconds "Lambda
    continues polling until ... the batching window reaches its maximum value" or the batch is full."""
    out_url, _ = lh.queue(lab, "seen")
    url, arn = lh.queue(lab, "orders")
    fn = lh.deploy(lab, "consumer", lh.FORWARD, env={"OUT": out_url})
    lab.client("lambda").create_event_source_mapping(EventSourceArn=arn, FunctionName=fn, BatchSize=3,
                                                     MaximumBatchingWindowInSeconds=1)
    pause = threading.Event()
    for i in range(3):  # 0.1 s apart: without a window the poller takes each as soon as it arrives
        lab.client("sqs").send_message(QueueUrl=url, MessageBody=f"order-{i}")
        pause.wait(0.1)
    settle(lab)
    assert [c.detail["batch_size"] for c in lh.invocations(deliveries)] == [3]


def test_filter_criteria_deliver_matching_messages_and_delete_the_rest(lab: Lab, deliveries: list[Delivery]) -> None:
    """Lambda developer guide, "Control which events Lambda sends to your function": with
    FilterCriteria "Lambda ... only invokes your function with events that match", a JSON body is
    filtered as JSON, and for SQS "Lambda automatically deletes messages that don't match"."""
    out_url, _ = lh.queue(lab, "seen")
    url, arn = lh.queue(lab, "orders")
    fn = lh.deploy(lab, "consumer", lh.FORWARD, env={"OUT": out_url})
    lam = lab.client("lambda")
    mapping = lam.create_event_source_mapping(
        EventSourceArn=arn, FunctionName=fn, Enabled=False,
        FilterCriteria={"Filters": [{"Pattern": json.dumps({"body": {"status": ["PAID"]}})}]})
    for status_ in ("PAID", "PENDING", "PAID"):
        lab.client("sqs").send_message(QueueUrl=url, MessageBody=json.dumps({"status": status_}))
    lab.client("sqs").send_message(QueueUrl=url, MessageBody="not json")
    lam.update_event_source_mapping(UUID=mapping["UUID"], Enabled=True)
    settle(lab)
    seen = [json.loads(r["body"])["status"] for batch in lh.batches(lab, out_url) for r in batch]
    assert seen == ["PAID", "PAID"]
    assert lh.counts(lab, url) == (0, 0)  # the others were deleted, not left in the queue
    assert sum(d.detail["batch_size"] for d in deliveries if d.action == "esm-filtered") == 2
