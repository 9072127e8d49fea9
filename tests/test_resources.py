"""Ensure helpers: idempotent re-runs, the policies AWS needs, and clear errors for bad input."""

from __future__ import annotations

import json

import pytest

from labs.helpers import Lab, LabError
from labs.helpers import resources as res


def _queue_count(lab: Lab) -> int:
    return len(lab.client("sqs").list_queues().get("QueueUrls", []))


def test_queue_with_dlq_is_created_once_and_redrives(lab: Lab) -> None:
    first = res.ensure_queue(lab, "orders", dlq=True, max_receive_count=2, attributes={"VisibilityTimeout": 1})
    again = res.ensure_queue(lab, "orders", dlq=True, max_receive_count=2, attributes={"VisibilityTimeout": 1})
    assert first == again
    assert _queue_count(lab) == 2
    attrs = lab.client("sqs").get_queue_attributes(QueueUrl=first.url, AttributeNames=["All"])["Attributes"]
    policy = json.loads(attrs["RedrivePolicy"])
    assert policy["deadLetterTargetArn"] == first.dlq.arn and int(policy["maxReceiveCount"]) == 2
    allow = json.loads(lab.client("sqs").get_queue_attributes(
        QueueUrl=first.dlq.url, AttributeNames=["RedriveAllowPolicy"])["Attributes"]["RedriveAllowPolicy"])
    assert allow == {"redrivePermission": "byQueue", "sourceQueueArns": [first.arn]}


def test_rerun_with_changed_attributes_updates_instead_of_failing(lab: Lab) -> None:
    q = res.ensure_queue(lab, "orders", attributes={"VisibilityTimeout": 5})
    res.ensure_queue(lab, "orders", attributes={"VisibilityTimeout": 9})
    attrs = lab.client("sqs").get_queue_attributes(QueueUrl=q.url, AttributeNames=["VisibilityTimeout"])
    assert attrs["Attributes"]["VisibilityTimeout"] == "9"
    assert _queue_count(lab) == 1


def test_fifo_queue_gets_a_fifo_dlq(lab: Lab) -> None:
    q = res.ensure_queue(lab, "payments.fifo", fifo=True, dlq=True,
                         attributes={"ContentBasedDeduplication": True})
    assert q.name.endswith("payments.fifo") and q.dlq.name.endswith("payments-dlq.fifo")


def test_subscription_is_unique_and_policy_names_only_its_topic(lab: Lab) -> None:
    topic = res.ensure_topic(lab, "order-events")
    queue = res.ensure_queue(lab, "billing")
    sub1 = res.ensure_queue_subscription(lab, topic, queue, raw=True, filter_policy={"type": ["placed"]})
    sub2 = res.ensure_queue_subscription(lab, topic, queue, raw=True, filter_policy={"type": ["paid"]})
    sns = lab.client("sns")
    assert sub1 == sub2
    assert len(sns.list_subscriptions_by_topic(TopicArn=topic)["Subscriptions"]) == 1
    assert json.loads(sns.get_subscription_attributes(SubscriptionArn=sub1)["Attributes"]["FilterPolicy"]) == {
        "type": ["paid"]}
    policy = json.loads(lab.client("sqs").get_queue_attributes(
        QueueUrl=queue.url, AttributeNames=["Policy"])["Attributes"]["Policy"])
    assert len(policy["Statement"]) == 1
    assert policy["Statement"][0]["Condition"] == {"ArnEquals": {"aws:SourceArn": topic}}
    # and the subscription really delivers
    sns.publish(TopicArn=topic, Message="hello", MessageAttributes={
        "type": {"DataType": "String", "StringValue": "paid"}})
    got = lab.client("sqs").receive_message(QueueUrl=queue.url, WaitTimeSeconds=0)["Messages"]
    assert got[0]["Body"] == "hello"


def test_rule_targets_follow_the_cell(lab: Lab) -> None:
    bus = res.ensure_event_bus(lab, "orders")
    assert res.ensure_event_bus(lab, "orders") == bus
    audit = res.ensure_queue(lab, "audit")
    other = res.ensure_queue(lab, "other")
    pattern = {"source": ["securecart.orders"]}
    res.ensure_rule(lab, "all-orders", bus=lab.name("orders"), pattern=pattern,
                    targets=[{"Id": "audit", "Arn": audit.arn}, {"Id": "other", "Arn": other.arn}])
    res.ensure_rule(lab, "all-orders", bus=lab.name("orders"), pattern=pattern,
                    targets=[{"Id": "audit", "Arn": audit.arn}])
    events = lab.client("events")
    targets = events.list_targets_by_rule(Rule=lab.name("all-orders"), EventBusName=lab.name("orders"))["Targets"]
    assert [t["Id"] for t in targets] == ["audit"]
    events.put_events(Entries=[{"Source": "securecart.orders", "DetailType": "OrderPlaced",
                                "Detail": json.dumps({"orderId": "o-1"}), "EventBusName": lab.name("orders")}])
    body = json.loads(lab.client("sqs").receive_message(QueueUrl=audit.url)["Messages"][0]["Body"])
    assert body["detail"] == {"orderId": "o-1"}


def test_rule_targets_get_the_resource_policies_aws_checks(lab: Lab) -> None:
    """EventBridge user guide, "Using resource-based policies for Amazon EventBridge": SQS queues,
    SNS topics and Lambda functions must allow events.amazonaws.com for the rule. The emulator does
    not check, so the helper must write them for the same cell to work on AWS; a re-run keeps one each."""
    from tests.emulator.lambda_helpers import deploy

    queue = res.ensure_queue(lab, "audit")
    topic = res.ensure_topic(lab, "alerts")
    function = deploy(lab, "notify", "def handler(event, context):\n    return None\n")
    targets = [{"Id": "q", "Arn": queue.arn}, {"Id": "t", "Arn": topic}, {"Id": "f", "Arn": function}]
    for _ in range(2):
        rule = res.ensure_rule(lab, "alerts", pattern={"source": ["securecart.orders"]}, targets=targets)

    def from_rule(policy: str) -> list[dict]:
        return [s for s in json.loads(policy)["Statement"]
                if s["Principal"] == {"Service": "events.amazonaws.com"}  # Lambda writes ArnLike/AWS:SourceArn
                and [rule] == [v for test in s["Condition"].values() for k, v in test.items()
                               if k.lower() == "aws:sourcearn"]]

    queue_policy = lab.client("sqs").get_queue_attributes(QueueUrl=queue.url, AttributeNames=["Policy"])
    topic_policy = lab.client("sns").get_topic_attributes(TopicArn=topic)["Attributes"]["Policy"]
    function_policy = lab.client("lambda").get_policy(FunctionName=function)["Policy"]
    assert [s["Action"] for s in from_rule(queue_policy["Attributes"]["Policy"])] == ["sqs:SendMessage"]
    assert [s["Action"] for s in from_rule(topic_policy)] == ["sns:Publish"]
    assert [s["Action"] for s in from_rule(function_policy)] == ["lambda:InvokeFunction"]


def test_state_machine_is_updated_in_place(lab: Lab) -> None:
    definition = {"StartAt": "Done", "States": {"Done": {"Type": "Succeed"}}}
    arn = res.ensure_state_machine(lab, "fulfil", definition)
    definition["Comment"] = "v2"
    assert res.ensure_state_machine(lab, "fulfil", definition) == arn
    sfn = lab.client("stepfunctions")
    assert len(sfn.list_state_machines()["stateMachines"]) == 1
    assert json.loads(sfn.describe_state_machine(stateMachineArn=arn)["definition"])["Comment"] == "v2"
    role = lab.client("iam").get_role(RoleName=lab.name("fulfil-role"))["Role"]
    assert role["Path"] == "/securecart/"


def test_stream_and_table_are_active_and_unique(lab: Lab) -> None:
    arn = res.ensure_stream(lab, "clicks", shards=2)
    assert res.ensure_stream(lab, "clicks", shards=2) == arn
    table = res.ensure_table(lab, "orders")
    assert res.ensure_table(lab, "orders") == table
    assert table.stream_arn and ":table/" in table.stream_arn
    assert len(lab.client("dynamodb").list_tables()["TableNames"]) == 1


@pytest.mark.parametrize(
    ("call", "expected"),
    [
        (lambda lab: res.ensure_queue(lab, "orders with spaces"), "not a valid SQS queue name"),
        (lambda lab: res.ensure_queue(lab, "x" * 90), "not a valid SQS queue name"),
        (lambda lab: res.ensure_queue(lab, "orders", attributes={"ContentBasedDeduplication": True}),
         "only apply to FIFO queues"),
        (lambda lab: res.ensure_queue(lab, "payments", fifo=True), "end in '.fifo'"),
        (lambda lab: res.ensure_queue(lab, "orders.fifo"), "is not FIFO"),
        (lambda lab: res.ensure_queue(lab, "orders", dlq=True, max_receive_count=0), "out of range"),
        (lambda lab: res.ensure_queue(lab, "orders", attributes={"VisibilityTimeout": 99999}),
         "AWS refused to create queue"),
        (lambda lab: res.ensure_topic(lab, "alerts", fifo=True), "must end in '.fifo'"),
        (lambda lab: res.ensure_rule(lab, "r", pattern={}, targets=[]), "non-empty dict"),
        (lambda lab: res.ensure_state_machine(lab, "sm", "{not json"), "not valid JSON"),
        (lambda lab: res.ensure_table(lab, "t", stream_view="EVERYTHING"), "not a DynamoDB stream view"),
        (lambda lab: res.ensure_stream(lab, "s", shards=0), "outside what a lab needs"),
    ],
)
def test_bad_input_gets_one_clear_error_with_a_fix(lab: Lab, call, expected: str) -> None:
    with pytest.raises(LabError) as info:
        call(lab)
    assert expected in str(info.value)
    assert "How to fix:" in str(info.value)
    assert info.value.__cause__ is None  # no botocore stack trace chained into the notebook
