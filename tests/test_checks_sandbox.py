"""The sandbox's one check: a queue named with lab.name("first-queue"), made through the lab's client."""

from __future__ import annotations

import boto3

from labs.helpers import Lab
from labs.helpers.checks import run


def test_not_attempted_on_an_empty_account(lab: Lab) -> None:
    result = run("sandbox.first-queue", lab)
    assert result.status == "not-attempted"
    assert "lab.name('first-queue')" in (result.hint or "")


def test_the_lab_clients_queue_is_correct(lab: Lab) -> None:
    lab.client("sqs").create_queue(QueueName=lab.name("first-queue"))
    result = run("sandbox.first-queue", lab)
    assert result.status == "correct", result.text()
    assert result.hint is None and len(result.right) == 2


def test_a_queue_without_the_prefix_is_named_in_the_hint(lab: Lab) -> None:
    lab.client("sqs").create_queue(QueueName="first-queue")
    result = run("sandbox.first-queue", lab)
    assert result.status == "incorrect"
    assert "without the lab's prefix" in result.wrong[0] and "lab.name" in (result.hint or "")


def test_a_queue_made_with_a_bare_boto3_client_lacks_the_lab_tags(lab: Lab) -> None:
    """CreateQueue "tags: ... Add cost allocation tags to the specified Amazon SQS queue": only the
    lab's client adds the lab's; a bare client's queue has none, and the sweep cannot find it by tag."""
    boto3.client("sqs", region_name=lab.region).create_queue(QueueName=lab.name("first-queue"))
    result = run("sandbox.first-queue", lab)
    assert result.status == "incorrect"
    assert "lab.client('sqs')" in (result.hint or "")
    lab.teardown()
