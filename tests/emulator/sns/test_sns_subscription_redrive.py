"""A subscription's RedrivePolicy: validated, and undeliverable messages land in its dead-letter queue.

SNS developer guide, "Amazon SNS dead-letter queues (DLQs)" and "Configuring an Amazon SNS dead-letter
queue for a subscription" (the DLQ's queue policy must let sns.amazonaws.com send for the topic);
the DLQ message is what the endpoint would have received and the validation texts are AWS's, as
recorded by LocalStack's snapshot tests against AWS (test_redrive_policy_sqs_queue_subscription,
test_validate_set_sub_attributes, test_validations_for_fifo). Plain moto 5.2.5 stores any
RedrivePolicy and never uses it.
"""

from __future__ import annotations

import json

import pytest
from botocore.exceptions import ClientError

import tests.emulator.lambda_helpers as lh
from labs.helpers import Lab
from labs.helpers.emulator import status
from labs.helpers.observe import Delivery
from tests.emulator.events_helpers import ECHO, drain, queue_policy

SNS = "sns.amazonaws.com"


def _topic(lab: Lab, base: str = "order-events", **attributes: str) -> str:
    return lab.client("sns").create_topic(Name=lab.name(base), Attributes=attributes)["TopicArn"]


def _dlq(lab: Lab, topic: str, base: str = "order-events-dlq", allow: bool = True, **attributes: str) -> tuple[str, str]:
    url, arn = lh.queue(lab, base, **attributes)
    if allow:
        lab.client("sqs").set_queue_attributes(QueueUrl=url, Attributes={"Policy": queue_policy(arn, topic, SNS)})
    return url, arn


def _redrive(dlq_arn: str) -> str:
    return json.dumps({"deadLetterTargetArn": dlq_arn})


def _dead_letters(deliveries: list[Delivery]) -> list[Delivery]:
    return [d for d in deliveries if d.service == "sns" and d.action == "dead-letter"]


def _error(err: pytest.ExceptionInfo[ClientError]) -> tuple[str, str]:
    return err.value.response["Error"]["Code"], err.value.response["Error"]["Message"]


def test_layer_is_applied(emulator: None) -> None:
    assert status()["sns_subscription_redrive"].applied, status()["sns_subscription_redrive"].reason


def test_a_message_for_a_refusing_queue_lands_in_the_dlq_as_the_envelope(lab: Lab, deliveries: list[Delivery]) -> None:
    topic = _topic(lab)
    _, queue_arn = lh.queue(lab, "analytics")  # no queue policy: SNS may not send (AccessDenied)
    dlq_url, dlq_arn = _dlq(lab, topic)
    sub = lab.client("sns").subscribe(TopicArn=topic, Protocol="sqs", Endpoint=queue_arn,
                                      Attributes={"RedrivePolicy": _redrive(dlq_arn)})["SubscriptionArn"]
    message_id = lab.client("sns").publish(TopicArn=topic, Message="order o-1", MessageAttributes={
        "kind": {"DataType": "String", "StringValue": "order"}})["MessageId"]
    [received] = drain(lab, dlq_url)
    body = json.loads(received["Body"])
    assert (body["Type"], body["MessageId"], body["TopicArn"], body["Message"]) == \
        ("Notification", message_id, topic, "order o-1")
    assert body["MessageAttributes"] == {"kind": {"Type": "String", "Value": "order"}}
    assert "MessageAttributes" not in received  # AWS adds no error attributes
    [dead] = _dead_letters(deliveries)
    assert (dead.status, dead.source, dead.target, dead.cause_id) == ("dead-lettered", sub, dlq_arn, message_id)
    assert dead.detail["error_code"] == "AccessDenied"
    assert dead.detail["reason"].startswith(f"queue policy of {lab.name('analytics')} does not allow")


def test_raw_delivery_dead_letters_the_raw_message_with_its_attributes(lab: Lab) -> None:
    topic = _topic(lab)
    queue_url, queue_arn = lh.queue(lab, "analytics")
    dlq_url, dlq_arn = _dlq(lab, topic)
    sns = lab.client("sns")
    sub = sns.subscribe(TopicArn=topic, Protocol="sqs", Endpoint=queue_arn, ReturnSubscriptionArn=True)["SubscriptionArn"]
    sns.set_subscription_attributes(SubscriptionArn=sub, AttributeName="RawMessageDelivery", AttributeValue="true")
    sns.set_subscription_attributes(SubscriptionArn=sub, AttributeName="RedrivePolicy", AttributeValue=_redrive(dlq_arn))
    assert json.loads(sns.get_subscription_attributes(SubscriptionArn=sub)["Attributes"]["RedrivePolicy"]) == \
        {"deadLetterTargetArn": dlq_arn}
    lab.client("sqs").delete_queue(QueueUrl=queue_url)  # a deleted endpoint: a client-side error
    sns.publish(TopicArn=topic, Message="order o-2", MessageAttributes={"n": {"DataType": "Number", "StringValue": "7"}})
    [received] = drain(lab, dlq_url)
    assert received["Body"] == "order o-2"
    assert received["MessageAttributes"] == {"n": {"DataType": "Number", "StringValue": "7"}}


def test_a_deleted_function_dead_letters_too(lab: Lab, deliveries: list[Delivery]) -> None:
    topic = _topic(lab)
    fn = lh.deploy(lab, "notifier", ECHO, file="handler")
    dlq_url, dlq_arn = _dlq(lab, topic)
    lab.client("sns").subscribe(TopicArn=topic, Protocol="lambda", Endpoint=fn,
                                Attributes={"RedrivePolicy": _redrive(dlq_arn)})
    lab.client("lambda").delete_function(FunctionName=fn)
    lab.client("sns").publish(TopicArn=topic, Message="order o-3")
    assert [json.loads(m["Body"])["Message"] for m in drain(lab, dlq_url)] == ["order o-3"]
    [dead] = _dead_letters(deliveries)
    assert dead.detail["error_code"] == "NoSuchEndpoint"


def test_without_the_dlq_policy_the_message_is_lost_and_the_trace_says_so(lab: Lab, deliveries: list[Delivery]) -> None:
    topic = _topic(lab)
    _, queue_arn = lh.queue(lab, "analytics")
    dlq_url, dlq_arn = _dlq(lab, topic, allow=False)
    lab.client("sns").subscribe(TopicArn=topic, Protocol="sqs", Endpoint=queue_arn,
                                Attributes={"RedrivePolicy": _redrive(dlq_arn)})
    lab.client("sns").publish(TopicArn=topic, Message="order o-4")
    assert drain(lab, dlq_url) == []
    [dead] = _dead_letters(deliveries)
    assert dead.status == "failed"
    assert dead.detail["error"].startswith(
        f"message lost: queue policy of dead-letter queue {lab.name('order-events-dlq')} does not allow "
        f"sns.amazonaws.com from topic {lab.name('order-events')}")


def test_a_dlq_policy_for_another_topic_does_not_let_this_topic_in(lab: Lab) -> None:
    topic, other = _topic(lab), _topic(lab, "payment-events")
    _, queue_arn = lh.queue(lab, "analytics")
    dlq_url, dlq_arn = _dlq(lab, other)
    lab.client("sns").subscribe(TopicArn=topic, Protocol="sqs", Endpoint=queue_arn,
                                Attributes={"RedrivePolicy": _redrive(dlq_arn)})
    lab.client("sns").publish(TopicArn=topic, Message="order o-5")
    assert drain(lab, dlq_url) == []


def test_a_delivered_message_does_not_go_to_the_dlq(lab: Lab, deliveries: list[Delivery]) -> None:
    topic = _topic(lab)
    queue_url, queue_arn = lh.queue(lab, "analytics")
    lab.client("sqs").set_queue_attributes(QueueUrl=queue_url,
                                           Attributes={"Policy": queue_policy(queue_arn, topic, SNS)})
    dlq_url, dlq_arn = _dlq(lab, topic)
    lab.client("sns").subscribe(TopicArn=topic, Protocol="sqs", Endpoint=queue_arn,
                                Attributes={"RedrivePolicy": _redrive(dlq_arn)})
    lab.client("sns").publish(TopicArn=topic, Message="order o-6")
    assert len(drain(lab, queue_url)) == 1
    assert drain(lab, dlq_url) == [] and _dead_letters(deliveries) == []


@pytest.mark.parametrize(("value", "message"), [
    ("{invalidjson}", "Invalid parameter: RedrivePolicy: failed to parse JSON."),
    (json.dumps({"deadLetterTargetArn": "fake-arn"}), "Invalid parameter: RedrivePolicy: deadLetterTargetArn is an invalid arn"),
    (json.dumps({"deadLetterTargetArn": "arn:aws:sns:us-east-1:123456789012:alerts"}),
     "Invalid parameter: RedrivePolicy: deadLetterTargetArn is an invalid arn"),
    (json.dumps({"deadLetterTargetArn": "arn:aws:sqs:us-east-1:123456789012:dlq", "maxReceiveCount": 5}),
     "Invalid parameter: RedrivePolicy: invalid JSON. Attribute maxReceiveCount is unknown."),
])
def test_set_subscription_attributes_validates_the_policy(lab: Lab, value: str, message: str) -> None:
    topic = _topic(lab)
    _, queue_arn = lh.queue(lab, "analytics")
    sub = lab.client("sns").subscribe(TopicArn=topic, Protocol="sqs", Endpoint=queue_arn,
                                      ReturnSubscriptionArn=True)["SubscriptionArn"]
    with pytest.raises(ClientError) as err:
        lab.client("sns").set_subscription_attributes(SubscriptionArn=sub, AttributeName="RedrivePolicy",
                                                      AttributeValue=value)
    code, text = _error(err)
    assert code == "InvalidParameter" and text.startswith(message)


def test_subscribe_validates_with_the_attributes_prefix_and_creates_nothing(lab: Lab) -> None:
    topic = _topic(lab)
    _, queue_arn = lh.queue(lab, "analytics")
    with pytest.raises(ClientError) as err:
        lab.client("sns").subscribe(TopicArn=topic, Protocol="sqs", Endpoint=queue_arn,
                                    Attributes={"RedrivePolicy": json.dumps({"deadLetterTargetArn": "fake-arn"})})
    assert _error(err) == ("InvalidParameter",
                           "Invalid parameter: Attributes Reason: RedrivePolicy: deadLetterTargetArn is an invalid arn")
    assert lab.client("sns").list_subscriptions_by_topic(TopicArn=topic)["Subscriptions"] == []


def test_a_fifo_subscription_needs_a_fifo_dlq(lab: Lab) -> None:
    topic = _topic(lab, "order-events.fifo", FifoTopic="true")
    _, queue_arn = lh.queue(lab, "analytics.fifo", FifoQueue="true")
    _, dlq_arn = lh.queue(lab, "analytics-dlq")
    sub = lab.client("sns").subscribe(TopicArn=topic, Protocol="sqs", Endpoint=queue_arn,
                                      ReturnSubscriptionArn=True)["SubscriptionArn"]
    with pytest.raises(ClientError) as err:
        lab.client("sns").set_subscription_attributes(SubscriptionArn=sub, AttributeName="RedrivePolicy",
                                                      AttributeValue=_redrive(dlq_arn))
    assert _error(err) == ("InvalidParameter", ("Invalid parameter: RedrivePolicy: must use a FIFO queue as DLQ for "
                                                "a FIFO Subscription to a FIFO Topic."))
