"""The dead-letter move is reported on the observe bus (contract 1), so a trace can show it.

AWS, "Using dead-letter queues in Amazon SQS": "the source queue moves the message to the
dead-letter queue when the ReceiveCount for a message exceeds the maxReceiveCount for a queue",
and the message keeps its MessageId. No API call makes that move, so sqs_receive_fast reports it:
``Delivery(service="sqs", action="dlq-move", source=<queue ARN>, target=<DLQ ARN>,
message_id=<MessageId>, cause_id=<MessageId>, status="dlq")``. Plain moto moves the message too
(see test_sqs_receive_semantics) but reports nothing.
"""

from __future__ import annotations

import json
from typing import Any

from labs.helpers import Lab
from labs.helpers.observe import Delivery


def _arn(sqs: Any, url: str) -> str:
    return sqs.get_queue_attributes(QueueUrl=url, AttributeNames=["QueueArn"])["Attributes"]["QueueArn"]


def test_each_dlq_move_is_emitted_once_with_the_original_message_id(lab: Lab, deliveries: list[Delivery]) -> None:
    sqs = lab.client("sqs")
    dlq = sqs.create_queue(QueueName=lab.name("dlq"))["QueueUrl"]
    policy = {"deadLetterTargetArn": _arn(sqs, dlq), "maxReceiveCount": 2}
    url = sqs.create_queue(QueueName=lab.name("src"), Attributes={"RedrivePolicy": json.dumps(policy)})["QueueUrl"]
    ids = [sqs.send_message(QueueUrl=url, MessageBody=f"m{i}")["MessageId"] for i in range(3)]

    sqs.receive_message(QueueUrl=url, MaxNumberOfMessages=10, VisibilityTimeout=0)
    sqs.receive_message(QueueUrl=url, MaxNumberOfMessages=10, VisibilityTimeout=0)
    assert [d for d in deliveries if d.action == "dlq-move"] == []  # received twice: not yet over the limit
    assert sqs.receive_message(QueueUrl=url, MaxNumberOfMessages=10).get("Messages", []) == []

    moves = [d for d in deliveries if d.action == "dlq-move"]
    assert sorted(d.message_id for d in moves) == sorted(ids)
    for move in moves:
        assert (move.service, move.status, move.cause_id) == ("sqs", "dlq", move.message_id)
        assert (move.source, move.target) == (_arn(sqs, url), _arn(sqs, dlq))
        assert move.detail["max_receive_count"] == 2
    in_dlq = sqs.receive_message(QueueUrl=dlq, MaxNumberOfMessages=10)["Messages"]
    assert sorted(m["MessageId"] for m in in_dlq) == sorted(ids)
