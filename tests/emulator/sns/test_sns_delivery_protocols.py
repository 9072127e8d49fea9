"""SNS delivers to lambda, email, email-json and sms subscriptions and reports every fan-out.

SNS developer guide, "Fanout to Lambda functions": "Amazon SNS invokes your function asynchronously
with an event that contains a message", ``Records[0].Sns`` carrying ``Message``, ``MessageId``,
``TopicArn``, ``Subject`` and ``MessageAttributes``. "Amazon SNS message filtering": "a subscriber
receives only the messages that match its filter policy" (attributes by default, the body with
``FilterPolicyScope=MessageBody``). Plain moto 5.2.5 invokes a lambda subscriber with a fixed sample
event (MessageId 95df01b4-..., TopicArn arn:aws:sns:EXAMPLE) and records email/sms deliveries nowhere.
"""

from __future__ import annotations

import json

import tests.emulator.lambda_helpers as lh
from labs.helpers import Lab, start_lab
from labs.helpers.emulator import status
from labs.helpers.functions import outbox
from labs.helpers.observe import Delivery
from tests.emulator.events_helpers import confirm_emails, grant, notifications, verify_phone

STATUS = {"DataType": "String", "StringValue": "PAID"}


def _topic(lab: Lab, base: str = "order-events") -> str:
    return lab.client("sns").create_topic(Name=lab.name(base))["TopicArn"]


def test_layer_is_applied(emulator: None) -> None:
    assert status()["sns_delivery_protocols"].applied, status()["sns_delivery_protocols"].reason


def test_lambda_subscriber_gets_the_published_message(lab: Lab) -> None:
    out_url, _ = lh.queue(lab, "seen")
    source = """
import json, os, boto3
def handler(event, context):
    sns = event["Records"][0]["Sns"]
    boto3.client("sqs").send_message(QueueUrl=os.environ["OUT"], MessageBody=json.dumps(
        {"source": event["Records"][0]["EventSource"], "sns": sns}))
"""
    fn = lh.deploy(lab, "notifier", source, env={"OUT": out_url})
    sns = lab.client("sns")
    topic = _topic(lab)
    grant(lab, fn, topic, "sns.amazonaws.com")  # the function policy SNS needs (sns_delivery_policies)
    sns.subscribe(TopicArn=topic, Protocol="lambda", Endpoint=fn)
    message_id = sns.publish(TopicArn=topic, Message='{"order_id": "o-1"}', Subject="order paid",
                             MessageAttributes={"status": {"DataType": "String", "StringValue": "PAID"}})["MessageId"]
    [seen] = [r for batch in lh.batches(lab, out_url) for r in [batch]]
    assert seen["source"] == "aws:sns"
    assert seen["sns"]["Message"] == '{"order_id": "o-1"}' and seen["sns"]["MessageId"] == message_id
    assert seen["sns"]["TopicArn"] == topic and seen["sns"]["Subject"] == "order paid"
    assert seen["sns"]["MessageAttributes"] == {"status": {"Type": "String", "Value": "PAID"}}


def test_email_email_json_and_sms_are_recorded_in_the_outbox(lab: Lab) -> None:
    sns = lab.client("sns")
    topic = _topic(lab)
    sns.subscribe(TopicArn=topic, Protocol="email", Endpoint="ops@securecart.example")
    sns.subscribe(TopicArn=topic, Protocol="email-json", Endpoint="audit@securecart.example")
    sns.subscribe(TopicArn=topic, Protocol="sms", Endpoint="+15555550100")
    verify_phone(lab, "+15555550100")  # the account is in the SMS sandbox (sns_sms_sandbox)
    confirm_emails(lab)  # email subscriptions deliver once confirmed (sns_email_confirmation)
    message_id = sns.publish(TopicArn=topic, Message="Order o-1 shipped", Subject="Shipped")["MessageId"]
    mails = notifications(lab, "email")
    assert [(m["endpoint"], m["subject"], m["message"], m["message_id"], m["topic_arn"]) for m in mails] == [
        ("ops@securecart.example", "Shipped", "Order o-1 shipped", message_id, topic)]
    [document] = notifications(lab, "email-json")
    assert json.loads(document["body"])["Message"] == "Order o-1 shipped"
    assert json.loads(document["body"])["Type"] == "Notification"
    assert [m["endpoint"] for m in notifications(lab, "sms")] == ["+15555550100"]


def test_filter_policy_applies_to_every_protocol(lab: Lab, deliveries: list[Delivery]) -> None:
    sns = lab.client("sns")
    topic = _topic(lab)
    paid_only = json.dumps({"status": ["PAID"]})
    sns.subscribe(TopicArn=topic, Protocol="email", Endpoint="finance@securecart.example",
                  Attributes={"FilterPolicy": paid_only})
    big_orders = json.dumps({"total": [{"numeric": [">=", 100]}]})
    sns.subscribe(TopicArn=topic, Protocol="sms", Endpoint="+15555550100",
                  Attributes={"FilterPolicy": big_orders, "FilterPolicyScope": "MessageBody"})
    verify_phone(lab, "+15555550100")
    confirm_emails(lab)
    sns.publish(TopicArn=topic, Message=json.dumps({"total": 20}),
                MessageAttributes={"status": {"DataType": "String", "StringValue": "PENDING"}})
    sns.publish(TopicArn=topic, Message=json.dumps({"total": 250}), MessageAttributes={"status": STATUS})
    assert [json.loads(m["message"])["total"] for m in notifications(lab, "email")] == [250]
    assert [json.loads(m["message"])["total"] for m in notifications(lab, "sms")] == [250]
    actions = sorted((d.action, d.detail["protocol"]) for d in deliveries if d.service == "sns")
    assert actions == [("fanout", "email"), ("fanout", "sms"), ("filtered", "email"), ("filtered", "sms")]


def test_every_subscription_of_every_publish_is_reported(lab: Lab, deliveries: list[Delivery]) -> None:
    sns = lab.client("sns")
    topic = _topic(lab)
    _, queue_arn = lh.queue(lab, "warehouse")
    grant(lab, queue_arn, topic, "sns.amazonaws.com")
    sns.subscribe(TopicArn=topic, Protocol="sqs", Endpoint=queue_arn)
    sns.subscribe(TopicArn=topic, Protocol="email", Endpoint="ops@securecart.example")
    confirm_emails(lab)
    message_id = sns.publish(TopicArn=topic, Message="order o-1")["MessageId"]
    fanout = [d for d in deliveries if d.service == "sns" and d.action == "fanout"]
    assert sorted((d.target, d.detail["protocol"]) for d in fanout) == sorted(
        [(queue_arn, "sqs"), ("ops@securecart.example", "email")])
    assert all(d.source == topic and d.cause_id == message_id and d.status == "delivered" for d in fanout)


def test_publish_succeeds_when_a_subscriber_queue_is_gone(lab: Lab, deliveries: list[Delivery]) -> None:
    sns = lab.client("sns")
    topic = _topic(lab)
    url, queue_arn = lh.queue(lab, "gone")
    sns.subscribe(TopicArn=topic, Protocol="sqs", Endpoint=queue_arn)
    lab.client("sqs").delete_queue(QueueUrl=url)
    assert sns.publish(TopicArn=topic, Message="order o-1")["MessageId"]
    [fanout] = [d for d in deliveries if d.action == "fanout"]
    assert fanout.status == "failed"


def test_outbox_of_a_lab_holds_its_own_topics_only(lab: Lab) -> None:
    """A topic the lab created under an unprefixed name is the lab's (it is in its registry, and its
    teardown deletes it); a topic some other code created is not."""
    sns = lab.client("sns")
    mine = sns.create_topic(Name="securecart-alerts")["TopicArn"]  # the student's own name, no prefix
    other = start_lab("sqs-orders").client("sns").create_topic(Name="someone-elses")["TopicArn"]
    for topic, address in ((mine, "ops@securecart.example"), (other, "other@securecart.example")):
        sns.subscribe(TopicArn=topic, Protocol="email", Endpoint=address)
        sns.publish(TopicArn=topic, Message="hello")  # pending: only the confirmation message is in the outbox
    assert [m["endpoint"] for m in outbox(lab, "email")] == ["ops@securecart.example"]
    assert sorted(m["endpoint"] for m in outbox(None, "email")) == ["ops@securecart.example", "other@securecart.example"]
