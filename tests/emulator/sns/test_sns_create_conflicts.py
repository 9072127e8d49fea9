"""CreateTopic and Subscribe are idempotent for the same attributes and fail for different ones.

AWS: "Invalid parameter: Attributes Reason: Topic already exists with different attributes" and
"... Subscription already exists with different attributes" (InvalidParameter); only attributes
present in the request are compared. Plain moto 5.2.5 (``LABS_EMULATOR_DISABLE=sns_create_conflicts``)
ignores the new topic attributes and overwrites the subscription's.
"""

from __future__ import annotations

import pytest
from botocore.exceptions import ClientError

from labs.helpers import Lab
from tests.emulator.events_helpers import queue_policy


def _code_and_message(err: pytest.ExceptionInfo[ClientError]) -> tuple[str, str]:
    return err.value.response["Error"]["Code"], err.value.response["Error"]["Message"]


def test_create_topic_again_with_the_same_attributes_returns_the_same_topic(lab: Lab) -> None:
    sns = lab.client("sns")
    first = sns.create_topic(Name=lab.name("events"), Attributes={"DisplayName": "Shop"})["TopicArn"]
    assert sns.create_topic(Name=lab.name("events"), Attributes={"DisplayName": "Shop"})["TopicArn"] == first
    assert sns.create_topic(Name=lab.name("events"))["TopicArn"] == first  # fewer attributes: no conflict


def test_create_topic_with_other_attributes_is_refused_and_changes_nothing(lab: Lab) -> None:
    sns = lab.client("sns")
    arn = sns.create_topic(Name=lab.name("events"), Attributes={"DisplayName": "Shop"})["TopicArn"]
    with pytest.raises(ClientError) as err:
        sns.create_topic(Name=lab.name("events"), Attributes={"DisplayName": "Other"})
    assert _code_and_message(err) == ("InvalidParameter",
                                      "Invalid parameter: Attributes Reason: Topic already exists with different attributes")
    assert sns.get_topic_attributes(TopicArn=arn)["Attributes"]["DisplayName"] == "Shop"
    sns.set_topic_attributes(TopicArn=arn, AttributeName="DisplayName", AttributeValue="Other")  # AWS's way to change it
    assert sns.create_topic(Name=lab.name("events"), Attributes={"DisplayName": "Other"})["TopicArn"] == arn


def _queue(lab: Lab, topic_arn: str) -> str:
    sqs = lab.client("sqs")
    url = sqs.create_queue(QueueName=lab.name("listener"))["QueueUrl"]
    arn = sqs.get_queue_attributes(QueueUrl=url, AttributeNames=["QueueArn"])["Attributes"]["QueueArn"]
    sqs.set_queue_attributes(QueueUrl=url, Attributes={"Policy": queue_policy(arn, topic_arn, "sns.amazonaws.com")})
    return arn


def test_subscribe_again_with_the_same_attributes_is_idempotent(lab: Lab) -> None:
    sns = lab.client("sns")
    topic = sns.create_topic(Name=lab.name("events"))["TopicArn"]
    queue = _queue(lab, topic)
    first = sns.subscribe(TopicArn=topic, Protocol="sqs", Endpoint=queue, Attributes={"RawMessageDelivery": "true"},
                          ReturnSubscriptionArn=True)["SubscriptionArn"]
    again = sns.subscribe(TopicArn=topic, Protocol="sqs", Endpoint=queue, Attributes={"RawMessageDelivery": "true"},
                          ReturnSubscriptionArn=True)["SubscriptionArn"]
    assert again == first
    assert sns.subscribe(TopicArn=topic, Protocol="sqs", Endpoint=queue, ReturnSubscriptionArn=True)["SubscriptionArn"] == first


def test_subscribe_with_other_attributes_is_refused_and_keeps_the_subscription(lab: Lab) -> None:
    sns = lab.client("sns")
    topic = sns.create_topic(Name=lab.name("events"))["TopicArn"]
    queue = _queue(lab, topic)
    arn = sns.subscribe(TopicArn=topic, Protocol="sqs", Endpoint=queue, Attributes={"RawMessageDelivery": "true"},
                        ReturnSubscriptionArn=True)["SubscriptionArn"]
    with pytest.raises(ClientError) as err:
        sns.subscribe(TopicArn=topic, Protocol="sqs", Endpoint=queue, Attributes={"RawMessageDelivery": "false"})
    assert _code_and_message(err) == ("InvalidParameter", "Invalid parameter: Attributes Reason: "
                                                          "Subscription already exists with different attributes")
    assert sns.get_subscription_attributes(SubscriptionArn=arn)["Attributes"]["RawMessageDelivery"] == "true"
    with pytest.raises(ClientError):
        sns.subscribe(TopicArn=topic, Protocol="sqs", Endpoint=queue,
                      Attributes={"RawMessageDelivery": "true", "FilterPolicy": '{"event_type": ["paid"]}'})
