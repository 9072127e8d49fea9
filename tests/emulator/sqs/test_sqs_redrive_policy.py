"""A RedrivePolicy SQS refuses is refused as AWS refuses it, and the refused call stores nothing.

SetQueueAttributes API reference: RedrivePolicy's ``deadLetterTargetArn`` is "The Amazon Resource
Name (ARN) of the dead-letter queue to which Amazon SQS moves messages after the value of
maxReceiveCount is exceeded". For a target that is not an existing queue AWS answers
InvalidParameterValue, "Value {...} for parameter RedrivePolicy is invalid. Reason: Dead letter
target does not exist." (serverless/serverless#5215 quotes it); maxReceiveCount runs from 1 to 1,000.
An error response means the request was not carried out: none of its attributes is applied.
Plain moto 5.2.5 stores the policy (and the request's other attributes) before it finds out that
the dead-letter queue is missing, so GetQueueAttributes shows the broken policy afterwards.
"""

from __future__ import annotations

import json
from typing import Any

import pytest
from botocore.exceptions import ClientError

from labs.helpers import Lab


def _attrs(sqs: Any, url: str) -> dict[str, str]:
    return sqs.get_queue_attributes(QueueUrl=url, AttributeNames=["All"])["Attributes"]


def _policy(target: str, count: Any = 3) -> str:
    return json.dumps({"deadLetterTargetArn": target, "maxReceiveCount": count})


@pytest.fixture
def queues(lab: Lab) -> tuple[Any, str, str, str]:
    """(sqs client, orders URL, DLQ URL, DLQ ARN)."""
    sqs = lab.client("sqs")
    dlq_url = sqs.create_queue(QueueName=lab.name("orders-dlq"))["QueueUrl"]
    url = sqs.create_queue(QueueName=lab.name("orders"))["QueueUrl"]
    return sqs, url, dlq_url, _attrs(sqs, dlq_url)["QueueArn"]


def test_the_dlq_url_instead_of_its_arn_is_rejected_and_nothing_is_stored(queues: tuple[Any, str, str, str]) -> None:
    sqs, url, dlq_url, _ = queues
    before = _attrs(sqs, url)
    with pytest.raises(ClientError) as info:
        sqs.set_queue_attributes(QueueUrl=url, Attributes={"RedrivePolicy": _policy(dlq_url), "VisibilityTimeout": "5"})
    error = info.value.response["Error"]
    assert error["Code"] == "InvalidParameterValue"
    assert "for parameter RedrivePolicy is invalid" in error["Message"]
    after = _attrs(sqs, url)
    assert "RedrivePolicy" not in after  # plain moto: the broken policy is stored
    assert after["VisibilityTimeout"] == before["VisibilityTimeout"] == "30"  # no partial update either


def test_a_dlq_that_does_not_exist_is_rejected_with_aws_message(lab: Lab, queues: tuple[Any, str, str, str]) -> None:
    sqs, url, _, dlq_arn = queues
    missing = dlq_arn.replace(lab.name("orders-dlq"), lab.name("no-such-dlq"))
    with pytest.raises(ClientError) as info:
        sqs.set_queue_attributes(QueueUrl=url, Attributes={"RedrivePolicy": _policy(missing)})
    error = info.value.response["Error"]
    assert error["Code"] == "InvalidParameterValue"  # plain moto: AWS.SimpleQueueService.NonExistentQueue
    assert error["Message"].endswith("for parameter RedrivePolicy is invalid. Reason: Dead letter target does not exist.")
    assert "RedrivePolicy" not in _attrs(sqs, url)


def test_a_rejected_change_keeps_the_previous_policy(queues: tuple[Any, str, str, str]) -> None:
    sqs, url, dlq_url, dlq_arn = queues
    sqs.set_queue_attributes(QueueUrl=url, Attributes={"RedrivePolicy": _policy(dlq_arn, 3)})
    with pytest.raises(ClientError):
        sqs.set_queue_attributes(QueueUrl=url, Attributes={"RedrivePolicy": _policy(dlq_url, 5), "DelaySeconds": "7"})
    after = _attrs(sqs, url)
    assert json.loads(after["RedrivePolicy"]) == {"deadLetterTargetArn": dlq_arn, "maxReceiveCount": 3}
    assert after["DelaySeconds"] == "0"


@pytest.mark.parametrize("count", [0, 1001, "three"])
def test_max_receive_count_outside_1_to_1000_is_rejected(queues: tuple[Any, str, str, str], count: Any) -> None:
    sqs, url, _, dlq_arn = queues
    with pytest.raises(ClientError) as info:
        sqs.set_queue_attributes(QueueUrl=url, Attributes={"RedrivePolicy": _policy(dlq_arn, count)})
    error = info.value.response["Error"]
    assert error["Code"] == "InvalidParameterValue"
    assert f"Invalid value for maxReceiveCount: {count}, valid values are from 1 to 1000" in error["Message"]
    assert "RedrivePolicy" not in _attrs(sqs, url)


def test_create_queue_with_a_broken_policy_creates_no_queue(lab: Lab, queues: tuple[Any, str, str, str]) -> None:
    sqs, _, dlq_url, _ = queues
    with pytest.raises(ClientError) as info:
        sqs.create_queue(QueueName=lab.name("payments"), Attributes={"RedrivePolicy": _policy(dlq_url)})
    assert info.value.response["Error"]["Code"] == "InvalidParameterValue"
    with pytest.raises(ClientError) as gone:
        sqs.get_queue_url(QueueName=lab.name("payments"))
    assert gone.value.response["Error"]["Code"] == "AWS.SimpleQueueService.NonExistentQueue"


def test_a_valid_policy_and_its_removal_still_work(queues: tuple[Any, str, str, str]) -> None:
    sqs, url, _, dlq_arn = queues
    sqs.set_queue_attributes(QueueUrl=url, Attributes={"RedrivePolicy": _policy(dlq_arn, 1000)})
    assert json.loads(_attrs(sqs, url)["RedrivePolicy"])["maxReceiveCount"] == 1000
    sqs.set_queue_attributes(QueueUrl=url, Attributes={"RedrivePolicy": ""})
    assert "RedrivePolicy" not in _attrs(sqs, url)
