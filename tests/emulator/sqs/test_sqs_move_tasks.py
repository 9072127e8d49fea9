"""DLQ redrive with StartMessageMoveTask / ListMessageMoveTasks / CancelMessageMoveTask.

API reference, StartMessageMoveTask: "Starts an asynchronous task to move messages from a specified
source queue to a specified destination queue"; DestinationArn: "If this field is left blank, the
messages will be redriven back to their respective original source queues"; SourceArn: "only ARNs
of dead-letter queues (DLQs) whose sources are other Amazon SQS queues are accepted"; "Only one
active message movement task is supported per queue at any given time". ListMessageMoveTasks:
"Gets the most recent message movement tasks (up to 10)"; TaskHandle "is only populated for tasks
that are in RUNNING status". CancelMessageMoveTask: "A message movement can only be cancelled when
the current status is RUNNING". Plain moto 5.2.5 raises NotImplementedError for all three.
Error codes and messages are those AWS returned in LocalStack's recorded snapshot tests.
"""

from __future__ import annotations

import json
import time
from typing import Any

import pytest
from botocore.exceptions import ClientError

from labs.helpers import Lab
from labs.helpers.observe import Delivery


def _arn(sqs: Any, url: str) -> str:
    return sqs.get_queue_attributes(QueueUrl=url, AttributeNames=["QueueArn"])["Attributes"]["QueueArn"]


def _pipe(lab: Lab, sqs: Any, name: str, dlq_url: str) -> str:
    """A source queue whose messages go to ``dlq_url`` after one receive."""
    policy = {"deadLetterTargetArn": _arn(sqs, dlq_url), "maxReceiveCount": 1}
    return sqs.create_queue(QueueName=lab.name(name), Attributes={"RedrivePolicy": json.dumps(policy)})["QueueUrl"]


def _fail_into_dlq(sqs: Any, url: str, bodies: list[str]) -> None:
    """Send ``bodies`` and let each be received maxReceiveCount (1) times, so they land in the DLQ."""
    for body in bodies:
        sqs.send_message(QueueUrl=url, MessageBody=body,
                         MessageAttributes={"order": {"DataType": "String", "StringValue": body}})
    for _ in range(2):
        sqs.receive_message(QueueUrl=url, MaxNumberOfMessages=10, VisibilityTimeout=0)


def _drain(sqs: Any, url: str) -> list[dict[str, Any]]:
    return sqs.receive_message(QueueUrl=url, MaxNumberOfMessages=10, VisibilityTimeout=30,
                               MessageAttributeNames=["All"], MessageSystemAttributeNames=["All"]).get("Messages", [])


def test_redrive_to_original_sources_by_default(lab: Lab, deliveries: list[Delivery]) -> None:
    sqs = lab.client("sqs")
    dlq = sqs.create_queue(QueueName=lab.name("orders-dlq"))["QueueUrl"]
    orders, payments = _pipe(lab, sqs, "orders", dlq), _pipe(lab, sqs, "payments", dlq)
    _fail_into_dlq(sqs, orders, ["o1", "o2"])
    _fail_into_dlq(sqs, payments, ["p1"])
    assert len(sqs.receive_message(QueueUrl=dlq, MaxNumberOfMessages=10, VisibilityTimeout=0)["Messages"]) == 3

    handle = sqs.start_message_move_task(SourceArn=_arn(sqs, dlq))["TaskHandle"]
    assert handle
    [task] = sqs.list_message_move_tasks(SourceArn=_arn(sqs, dlq))["Results"]
    assert task["Status"] == "COMPLETED"  # moved synchronously when no rate is given
    assert (task["ApproximateNumberOfMessagesMoved"], task["ApproximateNumberOfMessagesToMove"]) == (3, 3)
    assert "DestinationArn" not in task and "TaskHandle" not in task

    back_in_orders = _drain(sqs, orders)
    assert sorted(m["Body"] for m in back_in_orders) == ["o1", "o2"]
    assert [m["Body"] for m in _drain(sqs, payments)] == ["p1"]
    assert _drain(sqs, dlq) == []
    # Body and message attributes kept; a fresh receive count in the source queue.
    assert {m["MessageAttributes"]["order"]["StringValue"] for m in back_in_orders} == {"o1", "o2"}
    assert {m["Attributes"]["ApproximateReceiveCount"] for m in back_in_orders} == {"1"}
    redrives = [d for d in deliveries if d.action == "redrive"]
    assert len(redrives) == 3 and {d.service for d in redrives} == {"sqs"}
    assert {d.target for d in redrives} == {_arn(sqs, orders), _arn(sqs, payments)}


def test_redrive_to_explicit_destination(lab: Lab) -> None:
    sqs = lab.client("sqs")
    dlq = sqs.create_queue(QueueName=lab.name("orders-dlq"))["QueueUrl"]
    orders = _pipe(lab, sqs, "orders", dlq)
    retry = sqs.create_queue(QueueName=lab.name("orders-retry"))["QueueUrl"]
    _fail_into_dlq(sqs, orders, ["o1"])
    sqs.start_message_move_task(SourceArn=_arn(sqs, dlq), DestinationArn=_arn(sqs, retry))
    [task] = sqs.list_message_move_tasks(SourceArn=_arn(sqs, dlq), MaxResults=10)["Results"]
    assert task["DestinationArn"] == _arn(sqs, retry) and task["Status"] == "COMPLETED"
    assert [m["Body"] for m in _drain(sqs, retry)] == ["o1"]
    assert _drain(sqs, orders) == []


def test_the_destination_must_be_another_queue_than_the_dlq(lab: Lab) -> None:
    """SourceArn: "the queue that contains the messages to be moved to another queue"; the developer
    guide: redrive moves messages "from a dead-letter queue to another destination". Passing the DLQ as
    its own destination is refused and moves nothing (the wording of the message is the emulator's)."""
    sqs = lab.client("sqs")
    dlq = sqs.create_queue(QueueName=lab.name("orders-dlq"))["QueueUrl"]
    orders = _pipe(lab, sqs, "orders", dlq)
    _fail_into_dlq(sqs, orders, ["o1", "o2"])
    with pytest.raises(ClientError) as info:
        sqs.start_message_move_task(SourceArn=_arn(sqs, dlq), DestinationArn=_arn(sqs, dlq))
    assert info.value.response["Error"]["Code"] == "InvalidParameterValue"
    assert "parameter DestinationArn is invalid" in info.value.response["Error"]["Message"]
    assert sqs.list_message_move_tasks(SourceArn=_arn(sqs, dlq))["Results"] == []  # no task was started
    in_dlq = _drain(sqs, dlq)
    assert sorted(m["Body"] for m in in_dlq) == ["o1", "o2"]
    assert {m["Attributes"]["ApproximateReceiveCount"] for m in in_dlq} == {"2"}  # not reset by a "move"


def test_source_must_be_a_dead_letter_queue(lab: Lab) -> None:
    sqs = lab.client("sqs")
    plain = sqs.create_queue(QueueName=lab.name("plain"))["QueueUrl"]
    with pytest.raises(ClientError) as info:
        sqs.start_message_move_task(SourceArn=_arn(sqs, plain))
    assert info.value.response["Error"]["Code"] == "InvalidParameterValue"
    assert info.value.response["Error"]["Message"] == "Source queue must be configured as a Dead Letter Queue."


def test_unknown_queues_are_resource_not_found(lab: Lab) -> None:
    sqs = lab.client("sqs")
    dlq = sqs.create_queue(QueueName=lab.name("orders-dlq"))["QueueUrl"]
    _pipe(lab, sqs, "orders", dlq)
    missing = _arn(sqs, dlq).replace("orders-dlq", "nope")
    for kwargs in ({"SourceArn": missing}, {"SourceArn": _arn(sqs, dlq), "DestinationArn": missing}):
        with pytest.raises(ClientError) as info:
            sqs.start_message_move_task(**kwargs)
        assert info.value.response["Error"]["Code"] == "ResourceNotFoundException"
        assert "doesn't exist" in info.value.response["Error"]["Message"]


def test_rate_limited_task_runs_then_can_be_cancelled_once(lab: Lab) -> None:
    sqs = lab.client("sqs")
    dlq = sqs.create_queue(QueueName=lab.name("orders-dlq"))["QueueUrl"]
    orders = _pipe(lab, sqs, "orders", dlq)
    _fail_into_dlq(sqs, orders, [f"o{n}" for n in range(5)])
    handle = sqs.start_message_move_task(SourceArn=_arn(sqs, dlq), MaxNumberOfMessagesPerSecond=1)["TaskHandle"]
    [running] = sqs.list_message_move_tasks(SourceArn=_arn(sqs, dlq))["Results"]
    assert running["Status"] == "RUNNING" and running["TaskHandle"] == handle
    assert running["MaxNumberOfMessagesPerSecond"] == 1 and running["ApproximateNumberOfMessagesToMove"] == 5
    with pytest.raises(ClientError) as info:  # one active task per source queue
        sqs.start_message_move_task(SourceArn=_arn(sqs, dlq))
    assert info.value.response["Error"]["Code"] == "InvalidParameterValue"

    moved_at_cancel = sqs.cancel_message_move_task(TaskHandle=handle)["ApproximateNumberOfMessagesMoved"]
    assert moved_at_cancel < 5
    for _ in range(50):
        [task] = sqs.list_message_move_tasks(SourceArn=_arn(sqs, dlq))["Results"]
        if task["Status"] == "CANCELLED":
            break
        time.sleep(0.02)
    assert task["Status"] == "CANCELLED" and "TaskHandle" not in task
    moved = task["ApproximateNumberOfMessagesMoved"]
    assert moved < 5
    assert len(_drain(sqs, dlq)) == 5 - moved  # cancelling does not revert, nor move the rest
    with pytest.raises(ClientError) as info:  # only a RUNNING task can be cancelled
        sqs.cancel_message_move_task(TaskHandle=handle)
    assert info.value.response["Error"]["Code"] == "ResourceNotFoundException"


def test_rate_limited_task_completes(lab: Lab) -> None:
    sqs = lab.client("sqs")
    dlq = sqs.create_queue(QueueName=lab.name("orders-dlq"))["QueueUrl"]
    orders = _pipe(lab, sqs, "orders", dlq)
    _fail_into_dlq(sqs, orders, ["o1", "o2"])
    sqs.start_message_move_task(SourceArn=_arn(sqs, dlq), MaxNumberOfMessagesPerSecond=50)
    for _ in range(100):
        [task] = sqs.list_message_move_tasks(SourceArn=_arn(sqs, dlq))["Results"]
        if task["Status"] != "RUNNING":
            break
        time.sleep(0.02)
    assert task["Status"] == "COMPLETED" and task["ApproximateNumberOfMessagesMoved"] == 2
    assert sorted(m["Body"] for m in _drain(sqs, orders)) == ["o1", "o2"]


def test_list_shows_most_recent_first_and_bad_handle_is_invalid(lab: Lab) -> None:
    sqs = lab.client("sqs")
    dlq = sqs.create_queue(QueueName=lab.name("orders-dlq"))["QueueUrl"]
    orders = _pipe(lab, sqs, "orders", dlq)
    for round_ in range(3):
        _fail_into_dlq(sqs, orders, [f"r{round_}"])
        sqs.start_message_move_task(SourceArn=_arn(sqs, dlq))
        _drain(sqs, orders)  # receive once more; stays in flight, not in the DLQ
    results = sqs.list_message_move_tasks(SourceArn=_arn(sqs, dlq), MaxResults=10)["Results"]
    assert len(results) == 3
    assert [r["StartedTimestamp"] for r in results] == sorted((r["StartedTimestamp"] for r in results), reverse=True)
    assert len(sqs.list_message_move_tasks(SourceArn=_arn(sqs, dlq))["Results"]) == 1  # default MaxResults 1
    with pytest.raises(ClientError) as info:
        sqs.cancel_message_move_task(TaskHandle="not-a-handle")
    assert info.value.response["Error"]["Code"] == "InvalidParameterValue"


def test_fifo_dead_letter_queue_redrive(lab: Lab) -> None:
    sqs = lab.client("sqs")
    fifo = {"FifoQueue": "true", "ContentBasedDeduplication": "true"}
    dlq = sqs.create_queue(QueueName=lab.name("pay-dlq.fifo"), Attributes=fifo)["QueueUrl"]
    policy = {"deadLetterTargetArn": _arn(sqs, dlq), "maxReceiveCount": 1}
    pay = sqs.create_queue(QueueName=lab.name("pay.fifo"), Attributes={**fifo, "RedrivePolicy": json.dumps(policy)})["QueueUrl"]
    for body in ("p1", "p2"):
        sqs.send_message(QueueUrl=pay, MessageBody=body, MessageGroupId="customer-1")
    for _ in range(2):  # received once (maxReceiveCount 1), then moved to the DLQ
        sqs.receive_message(QueueUrl=pay, MaxNumberOfMessages=10, VisibilityTimeout=0)
    assert _drain(sqs, pay) == []
    sqs.start_message_move_task(SourceArn=_arn(sqs, dlq))
    got = _drain(sqs, pay)
    assert [m["Body"] for m in got] == ["p1", "p2"]  # order within the group kept
    assert {m["Attributes"]["MessageGroupId"] for m in got} == {"customer-1"}
