"""SNS delivers to a queue or a function only if the endpoint's resource policy allows it.

SNS developer guide, "Subscribing an Amazon SQS queue to an Amazon SNS topic": "you must set a policy
on the queue that allows the Amazon SNS topic to perform the sqs:SendMessage action" (principal
``sns.amazonaws.com``, ``aws:SourceArn`` = the topic); Lambda developer guide, "Granting function
access to AWS services": the function policy must allow ``lambda:InvokeFunction`` to
``sns.amazonaws.com``. A delivery the policy refuses is a client-side error ("Amazon SNS dead-letter
queues"): not delivered, not retried; the publish succeeds. Plain moto 5.2.5 never reads the policies.
"""

from __future__ import annotations

import json
from typing import Any

import tests.emulator.lambda_helpers as lh
from labs.helpers import Lab
from labs.helpers import resources as res
from labs.helpers.emulator import status
from labs.helpers.observe import Delivery
from tests.emulator.events_helpers import ECHO, drain

SNS = "sns.amazonaws.com"


def _topic(lab: Lab, base: str = "order-events") -> str:
    return lab.client("sns").create_topic(Name=lab.name(base))["TopicArn"]


def _policy(*statements: dict[str, Any]) -> str:
    return json.dumps({"Version": "2012-10-17", "Statement": list(statements)})


def _send(queue_arn: str, condition: dict[str, Any] | None = None, effect: str = "Allow",
          principal: Any = None) -> dict[str, Any]:
    statement: dict[str, Any] = {"Effect": effect, "Principal": principal or {"Service": SNS},
                                 "Action": "sqs:SendMessage", "Resource": queue_arn}
    if condition:
        statement["Condition"] = condition
    return statement


def _subscribed_queue(lab: Lab, topic: str, base: str = "analytics", policy: str | None = None) -> tuple[str, str]:
    url, arn = lh.queue(lab, base)
    if policy is not None:
        lab.client("sqs").set_queue_attributes(QueueUrl=url, Attributes={"Policy": policy})
    lab.client("sns").subscribe(TopicArn=topic, Protocol="sqs", Endpoint=arn)
    return url, arn


def _fanouts(deliveries: list[Delivery]) -> list[Delivery]:
    return [d for d in deliveries if d.service == "sns" and d.action == "fanout"]


def test_layer_is_applied(emulator: None) -> None:
    assert status()["sns_delivery_policies"].applied, status()["sns_delivery_policies"].reason


def test_a_queue_without_a_policy_gets_nothing_and_the_trace_says_why(lab: Lab, deliveries: list[Delivery]) -> None:
    topic = _topic(lab)
    url, arn = _subscribed_queue(lab, topic)
    assert lab.client("sns").publish(TopicArn=topic, Message="order o-1")["MessageId"]  # the publish succeeds
    assert drain(lab, url) == []
    [fanout] = _fanouts(deliveries)
    assert (fanout.status, fanout.target, fanout.detail["error_code"]) == ("failed", arn, "AccessDenied")
    assert fanout.detail["error"].startswith(
        f"queue policy of {lab.name('analytics')} does not allow sns.amazonaws.com from topic {lab.name('order-events')}")


def test_the_policy_ensure_queue_subscription_writes_lets_the_topic_in(lab: Lab) -> None:
    topic = _topic(lab)
    queue = res.ensure_queue(lab, "analytics")
    res.ensure_queue_subscription(lab, topic, queue, raw=True)
    lab.client("sns").publish(TopicArn=topic, Message="order o-1")
    assert [m["Body"] for m in drain(lab, queue.url)] == ["order o-1"]


def test_source_arn_must_name_this_topic(lab: Lab, deliveries: list[Delivery]) -> None:
    topic, other = _topic(lab), _topic(lab, "payment-events")
    _, arn = lh.queue(lab, "analytics")
    url, _ = _subscribed_queue(lab, topic, "analytics", _policy(_send(arn, {"ArnEquals": {"aws:SourceArn": other}})))
    lab.client("sns").publish(TopicArn=topic, Message="order o-1")
    assert drain(lab, url) == []
    assert _fanouts(deliveries)[0].status == "failed"


def test_arn_like_wildcards_and_source_account(lab: Lab) -> None:
    topic = _topic(lab)
    _, arn = lh.queue(lab, "analytics")
    wildcard = topic.rsplit(":", 1)[0] + ":" + lab.name("order-*")
    policy = _policy(_send(arn, {"ArnLike": {"aws:SourceArn": wildcard},
                                 "StringEquals": {"aws:SourceAccount": lab.account_id}}))
    url, _ = _subscribed_queue(lab, topic, "analytics", policy)
    lab.client("sns").publish(TopicArn=topic, Message="order o-1")
    assert len(drain(lab, url)) == 1


def test_source_account_of_another_account_refuses(lab: Lab) -> None:
    topic = _topic(lab)
    _, arn = lh.queue(lab, "analytics")
    url, _ = _subscribed_queue(lab, topic, "analytics",
                               _policy(_send(arn, {"StringEquals": {"aws:SourceAccount": "111122223333"}})))
    lab.client("sns").publish(TopicArn=topic, Message="order o-1")
    assert drain(lab, url) == []


def test_an_explicit_deny_wins_over_an_allow(lab: Lab, deliveries: list[Delivery]) -> None:
    topic = _topic(lab)
    _, arn = lh.queue(lab, "analytics")
    policy = _policy(_send(arn, {"ArnEquals": {"aws:SourceArn": topic}}),
                     {**_send(arn, effect="Deny", principal="*"), "Sid": "NoSns", "Action": "sqs:Send*"})
    url, _ = _subscribed_queue(lab, topic, "analytics", policy)
    lab.client("sns").publish(TopicArn=topic, Message="order o-1")
    assert drain(lab, url) == []
    assert "statement 'NoSns' denies sqs:SendMessage" in _fanouts(deliveries)[0].detail["error"]


def test_aws_star_principal_with_a_source_arn_condition_is_enough(lab: Lab) -> None:
    """The policy the SQS console writes ("Principal": {"AWS": "*"} and a StringLike/ArnEquals on the topic)."""
    topic = _topic(lab)
    _, arn = lh.queue(lab, "analytics")
    url, _ = _subscribed_queue(lab, topic, "analytics", _policy(
        _send(arn, {"StringLike": {"aws:SourceArn": topic}}, principal={"AWS": "*"})))
    lab.client("sns").publish(TopicArn=topic, Message="order o-1")
    assert len(drain(lab, url)) == 1


def test_a_policy_for_another_service_does_not_let_sns_in(lab: Lab) -> None:
    topic = _topic(lab)
    _, arn = lh.queue(lab, "analytics")
    url, _ = _subscribed_queue(lab, topic, "analytics", _policy(_send(arn, principal={"Service": "events.amazonaws.com"})))
    lab.client("sns").publish(TopicArn=topic, Message="order o-1")
    assert drain(lab, url) == []


def test_lambda_subscriber_needs_the_function_policy(lab: Lab, deliveries: list[Delivery]) -> None:
    topic = _topic(lab)
    fn = lh.deploy(lab, "notifier", ECHO)
    lab.client("sns").subscribe(TopicArn=topic, Protocol="lambda", Endpoint=fn)
    lab.client("sns").publish(TopicArn=topic, Message="order o-1")
    [refused] = _fanouts(deliveries)
    assert refused.status == "failed" and refused.detail["error"].startswith(
        f"function policy of {lab.name('notifier')} does not allow sns.amazonaws.com from topic")
    lab.client("lambda").add_permission(FunctionName=fn, StatementId="sns", Action="lambda:InvokeFunction",
                                        Principal=SNS, SourceArn=topic)
    lab.client("sns").publish(TopicArn=topic, Message="order o-2")
    assert _fanouts(deliveries)[-1].status == "delivered"


def test_a_deleted_queue_is_reported_as_a_missing_endpoint(lab: Lab, deliveries: list[Delivery]) -> None:
    topic = _topic(lab)
    queue = res.ensure_queue(lab, "analytics")
    res.ensure_queue_subscription(lab, topic, queue)
    lab.client("sqs").delete_queue(QueueUrl=queue.url)
    assert lab.client("sns").publish(TopicArn=topic, Message="order o-1")["MessageId"]
    [fanout] = _fanouts(deliveries)
    assert (fanout.status, fanout.detail.get("error_code")) == ("failed", "NoSuchEndpoint")
