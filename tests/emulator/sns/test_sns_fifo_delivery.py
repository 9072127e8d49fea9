"""SNS FIFO topics: topic-level deduplication, sequence numbers, ordering, AWS's errors, SQS-only subscribers.

SNS developer guide, "Message deduplication for FIFO topics" and "Message ordering details for FIFO
topics"; Publish API reference (SequenceNumber). The delivered message's deduplication id and the
error texts are AWS's as recorded by LocalStack's snapshot tests against AWS
(TestSNSSubscriptionSQSFifo). Plain moto 5.2.5 does not deduplicate at the topic, breaks
content-based deduplication into FIFO queues and answers other errors.
"""

from __future__ import annotations

import hashlib
import json

import pytest
from botocore.exceptions import ClientError

import tests.emulator.lambda_helpers as lh
from labs.helpers import Lab
from labs.helpers.emulator import status
from tests.emulator.events_helpers import queue_policy

SNS = "sns.amazonaws.com"


def _fifo_topic(lab: Lab, base: str = "orders.fifo", **attributes: str) -> str:
    return lab.client("sns").create_topic(Name=lab.name(base), Attributes={"FifoTopic": "true", **attributes})["TopicArn"]


def _subscribed(lab: Lab, topic: str, base: str, raw: bool = False, **attributes: str) -> str:
    url, arn = lh.queue(lab, base, **attributes)
    lab.client("sqs").set_queue_attributes(QueueUrl=url, Attributes={"Policy": queue_policy(arn, topic, SNS)})
    lab.client("sns").subscribe(TopicArn=topic, Protocol="sqs", Endpoint=arn,
                                Attributes={"RawMessageDelivery": "true"} if raw else {})
    return url


def _receive(lab: Lab, url: str) -> list[dict]:
    out: list[dict] = []
    while True:
        got = lab.client("sqs").receive_message(QueueUrl=url, MaxNumberOfMessages=10, AttributeNames=["All"],
                                                VisibilityTimeout=60).get("Messages", [])
        if not got:
            return out
        out += got


def _error(err: pytest.ExceptionInfo[ClientError]) -> tuple[str, str]:
    return err.value.response["Error"]["Code"], err.value.response["Error"]["Message"]


def test_layer_is_applied(emulator: None) -> None:
    assert status()["sns_fifo_delivery"].applied, status()["sns_fifo_delivery"].reason


def test_content_based_deduplication_gives_the_queue_the_sha256_of_the_body(lab: Lab) -> None:
    topic = _fifo_topic(lab, ContentBasedDeduplication="true")
    url = _subscribed(lab, topic, "orders.fifo", raw=True, FifoQueue="true")  # the queue itself has no CBD
    lab.client("sns").publish(TopicArn=topic, Message="Test", MessageGroupId="customer-1")
    [message] = _receive(lab, url)
    assert message["Attributes"]["MessageDeduplicationId"] == hashlib.sha256(b"Test").hexdigest()
    assert message["Attributes"]["MessageGroupId"] == "customer-1"


def test_the_topic_deduplicates_for_a_standard_queue_too(lab: Lab) -> None:
    topic = _fifo_topic(lab)
    url = _subscribed(lab, topic, "audit")
    sns = lab.client("sns")
    first = sns.publish(TopicArn=topic, Message="order o-1", MessageGroupId="g", MessageDeduplicationId="o-1")
    again = sns.publish(TopicArn=topic, Message="order o-1 again", MessageGroupId="g", MessageDeduplicationId="o-1")
    assert again["MessageId"] == first["MessageId"]  # accepted, not delivered
    [message] = _receive(lab, url)
    body = json.loads(message["Body"])
    assert body["Message"] == "order o-1" and body["SequenceNumber"] == first["SequenceNumber"]
    assert "Signature" not in body and "SigningCertURL" not in body


def test_message_group_deduplication_scope(lab: Lab) -> None:
    topic = _fifo_topic(lab, FifoThroughputScope="MessageGroup")
    url = _subscribed(lab, topic, "audit")
    for group in ("a", "b", "a"):
        lab.client("sns").publish(TopicArn=topic, Message=f"m-{group}", MessageGroupId=group, MessageDeduplicationId="d")
    assert sorted(json.loads(m["Body"])["Message"] for m in _receive(lab, url)) == ["m-a", "m-b"]


def test_sequence_numbers_increase_and_group_order_is_kept(lab: Lab) -> None:
    topic = _fifo_topic(lab, ContentBasedDeduplication="true")
    url = _subscribed(lab, topic, "orders.fifo", raw=True, FifoQueue="true")
    numbers = [int(lab.client("sns").publish(TopicArn=topic, Message=f"step {i}", MessageGroupId="order-7")
                   ["SequenceNumber"]) for i in range(5)]
    assert numbers == sorted(numbers) and len(set(numbers)) == 5 and all(len(str(n)) == 20 for n in numbers)
    assert [m["Body"] for m in _receive(lab, url)] == [f"step {i}" for i in range(5)]
    batch = lab.client("sns").publish_batch(TopicArn=topic, PublishBatchRequestEntries=[
        {"Id": "1", "Message": "x", "MessageGroupId": "g"}, {"Id": "2", "Message": "y", "MessageGroupId": "g"}])
    assert all(entry["SequenceNumber"] for entry in batch["Successful"])


def test_publish_errors_are_awss(lab: Lab) -> None:
    topic, sns = _fifo_topic(lab), lab.client("sns")
    with pytest.raises(ClientError) as err:
        sns.publish(TopicArn=topic, Message="m", MessageDeduplicationId="d")
    assert _error(err) == ("InvalidParameter", "Invalid parameter: The MessageGroupId parameter is required for FIFO topics")
    with pytest.raises(ClientError) as err:
        sns.publish(TopicArn=topic, Message="m", MessageGroupId="g")
    assert _error(err) == ("InvalidParameter", ("Invalid parameter: The topic should either have ContentBasedDeduplication "
                                                "enabled or MessageDeduplicationId provided explicitly"))


def test_a_fifo_queue_cannot_subscribe_to_a_standard_topic(lab: Lab) -> None:
    topic = lab.client("sns").create_topic(Name=lab.name("orders"))["TopicArn"]
    _, arn = lh.queue(lab, "orders.fifo", FifoQueue="true")
    with pytest.raises(ClientError) as err:
        lab.client("sns").subscribe(TopicArn=topic, Protocol="sqs", Endpoint=arn)
    assert _error(err) == ("InvalidParameter", ("Invalid parameter: Invalid parameter: Endpoint Reason: FIFO SQS Queues "
                                                "can not be subscribed to standard SNS topics"))


@pytest.mark.parametrize(("protocol", "endpoint"), [("email", "ops@example.com"), ("sms", "+15555550100")])
def test_a_fifo_topic_delivers_only_to_sqs(lab: Lab, protocol: str, endpoint: str) -> None:
    with pytest.raises(ClientError) as err:
        lab.client("sns").subscribe(TopicArn=_fifo_topic(lab), Protocol=protocol, Endpoint=endpoint)
    assert err.value.response["Error"]["Code"] == "InvalidParameter"
