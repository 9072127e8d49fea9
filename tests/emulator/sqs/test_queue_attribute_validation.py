"""SQS attribute ranges and RedriveAllowPolicy behave as the SetQueueAttributes reference says.

https://docs.aws.amazon.com/AWSSimpleQueueService/latest/APIReference/API_SetQueueAttributes.html
"VisibilityTimeout - ... An integer from 0 to 43,200 (12 hours)"; "DelaySeconds - ... from 0 to 900";
"ReceiveMessageWaitTimeSeconds - ... from 0 to 20"; "RedriveAllowPolicy - The string that includes
the parameters for the permissions for the dead-letter queue redrive permission".
Plain moto 5.2.5 accepts every one of the values below and cannot return RedriveAllowPolicy.
"""

from __future__ import annotations

import json

import pytest
from botocore.exceptions import ClientError

from labs.helpers import Lab


@pytest.mark.parametrize(("name", "value"), [
    ("VisibilityTimeout", "43201"), ("VisibilityTimeout", "-1"), ("DelaySeconds", "901"),
    ("ReceiveMessageWaitTimeSeconds", "21"), ("MessageRetentionPeriod", "59"), ("VisibilityTimeout", "soon"),
])
def test_out_of_range_attribute_is_rejected(lab: Lab, name: str, value: str) -> None:
    sqs = lab.client("sqs")
    with pytest.raises(ClientError) as info:
        sqs.create_queue(QueueName=lab.name("orders"), Attributes={name: value})
    assert info.value.response["Error"]["Code"] == "InvalidAttributeValue"
    url = sqs.create_queue(QueueName=lab.name("orders"))["QueueUrl"]
    with pytest.raises(ClientError) as info:
        sqs.set_queue_attributes(QueueUrl=url, Attributes={name: value})
    assert info.value.response["Error"]["Code"] == "InvalidAttributeValue"


def test_boundary_values_are_accepted(lab: Lab) -> None:
    sqs = lab.client("sqs")
    sqs.create_queue(QueueName=lab.name("orders"), Attributes={
        "VisibilityTimeout": "43200", "DelaySeconds": "0", "ReceiveMessageWaitTimeSeconds": "20"})


def test_redrive_allow_policy_round_trips(lab: Lab) -> None:
    sqs = lab.client("sqs")
    url = sqs.create_queue(QueueName=lab.name("orders-dlq"))["QueueUrl"]
    assert "RedriveAllowPolicy" not in sqs.get_queue_attributes(QueueUrl=url, AttributeNames=["All"])["Attributes"]
    policy = {"redrivePermission": "byQueue", "sourceQueueArns": ["arn:aws:sqs:us-east-1:123456789012:x"]}
    sqs.set_queue_attributes(QueueUrl=url, Attributes={"RedriveAllowPolicy": json.dumps(policy)})
    got = sqs.get_queue_attributes(QueueUrl=url, AttributeNames=["RedriveAllowPolicy"])["Attributes"]
    assert json.loads(got["RedriveAllowPolicy"]) == policy
    with pytest.raises(ClientError):
        sqs.set_queue_attributes(QueueUrl=url, Attributes={"RedriveAllowPolicy": '{"redrivePermission": "maybe"}'})
