"""Reading SQS state for checks: find a lab's queue by base name, read its attributes.

Checks look queues up by name (``lab.name("orders")``) rather than by a URL the student stored,
so they work whichever way the queue was created, and say "not attempted" when it is missing.
"""

from __future__ import annotations

import json
from typing import Any

from botocore.exceptions import ClientError

from ..errors import error_code
from ..inventory import QUEUE_GONE
from ..trace.mask import short_name


def find_queue(lab: Any, base: str) -> str | None:
    """The URL of the lab's queue ``base`` (e.g. "orders", "payments.fifo"), or None."""
    try:
        return lab.client("sqs").get_queue_url(QueueName=lab.name(base))["QueueUrl"]
    except ClientError as err:
        if error_code(err) in QUEUE_GONE:
            return None
        raise


def lab_queues(lab: Any, base: str) -> list[tuple[str, str]]:
    """(name, URL) of the lab's queues whose name starts with ``lab.name(base)`` (e.g. ``orders.fifo``
    next to a missing ``orders``): what a check looks at before it says "not attempted"."""
    urls = lab.client("sqs").list_queues(QueueNamePrefix=lab.name(base)).get("QueueUrls", [])
    return [(url.rsplit("/", 1)[-1], url) for url in urls]


def peek_all(lab: Any, url: str, *, rounds: int = 30) -> list[dict[str, Any]]:
    """The messages of a learner's queue, read without taking them: received with VisibilityTimeout 0
    (they stay visible) until three receives in a row bring nothing new (bounded by ``rounds``)."""
    sqs, found, quiet = lab.client("sqs"), {}, 0
    for _ in range(rounds):
        new = 0
        for message in sqs.receive_message(QueueUrl=url, MaxNumberOfMessages=10, VisibilityTimeout=0,
                                           WaitTimeSeconds=0).get("Messages", []):
            new += message["MessageId"] not in found
            found[message["MessageId"]] = message
        quiet = 0 if new else quiet + 1
        if quiet >= 3:
            break
    return list(found.values())


def attributes(lab: Any, url: str) -> dict[str, str]:
    """Every attribute of the queue at ``url`` (strings, as SQS returns them)."""
    return lab.client("sqs").get_queue_attributes(QueueUrl=url, AttributeNames=["All"])["Attributes"]


def counts(attrs: dict[str, str]) -> tuple[int, int, int]:
    """(visible, in flight, delayed) message counts from a queue's attributes."""
    return (int(attrs.get("ApproximateNumberOfMessages", 0)), int(attrs.get("ApproximateNumberOfMessagesNotVisible", 0)),
            int(attrs.get("ApproximateNumberOfMessagesDelayed", 0)))


def redrive_policy(attrs: dict[str, str]) -> dict[str, Any] | None:
    """The queue's RedrivePolicy as a dict (maxReceiveCount as int), or None if it has none."""
    raw = attrs.get("RedrivePolicy")
    if not raw:
        return None
    try:
        policy = json.loads(raw) if isinstance(raw, str) else dict(raw)
    except ValueError:
        return {"unreadable": raw}
    if not isinstance(policy, dict):
        return {"unreadable": raw}
    try:
        policy["maxReceiveCount"] = int(policy["maxReceiveCount"])
    except (KeyError, TypeError, ValueError):
        pass
    return policy


def short(name_or_arn: str, lab: Any) -> str:
    """A resource's name (from its name, ARN or queue URL) without the learner's prefix, for
    deterministic messages; the ARN is read as the flow trace reads it (a qualified function ARN
    gives the function's name, not its version)."""
    return short_name(name_or_arn).removeprefix(lab.prefix)
