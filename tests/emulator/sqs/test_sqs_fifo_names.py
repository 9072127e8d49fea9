"""The .fifo suffix and FifoQueue go together, as CreateQueue's reference says.

CreateQueue API reference: "A FIFO queue name must end with the .fifo suffix"; "If you don't specify
the FifoQueue attribute, Amazon SQS creates a standard queue". A standard queue named ``*.fifo`` is
refused with InvalidParameterValue "Can only include alphanumeric characters, hyphens, or
underscores. 1 to 80 in length" (boto/botocore#3058); FifoQueue=true on a name without the suffix
with "The name of a FIFO queue can only include alphanumeric characters, hyphens, or underscores,
must end with .fifo suffix and be 1 to 80 in length." LocalStack's AWS-recorded tests
test_standard_queue_cannot_have_fifo_suffix / test_fifo_queue_requires_suffix check the code.
Plain moto 5.2.5 creates the standard ``*.fifo`` queue, and words the other refusal its own way.
"""

from __future__ import annotations

import pytest
from botocore.exceptions import ClientError

from labs.helpers import Lab


def test_a_standard_queue_cannot_be_named_fifo(lab: Lab) -> None:
    sqs = lab.client("sqs")
    with pytest.raises(ClientError) as info:
        sqs.create_queue(QueueName=lab.name("payments.fifo"))
    error = info.value.response["Error"]
    assert error["Code"] == "InvalidParameterValue"
    assert error["Message"] == "Can only include alphanumeric characters, hyphens, or underscores. 1 to 80 in length"
    assert sqs.list_queues().get("QueueUrls", []) == []  # nothing was created


def test_a_fifo_queue_needs_the_suffix(lab: Lab) -> None:
    sqs = lab.client("sqs")
    with pytest.raises(ClientError) as info:
        sqs.create_queue(QueueName=lab.name("payments"), Attributes={"FifoQueue": "true"})
    error = info.value.response["Error"]
    assert error["Code"] == "InvalidParameterValue"
    assert error["Message"] == ("The name of a FIFO queue can only include alphanumeric characters, hyphens, or "
                                "underscores, must end with .fifo suffix and be 1 to 80 in length.")


def test_matching_names_are_created(lab: Lab) -> None:
    sqs = lab.client("sqs")
    fifo = sqs.create_queue(QueueName=lab.name("payments.fifo"), Attributes={"FifoQueue": "true"})["QueueUrl"]
    standard = sqs.create_queue(QueueName=lab.name("orders"))["QueueUrl"]
    got = sqs.get_queue_attributes(QueueUrl=fifo, AttributeNames=["FifoQueue"])["Attributes"]
    assert got["FifoQueue"] == "true" and fifo.endswith(".fifo") and not standard.endswith(".fifo")
