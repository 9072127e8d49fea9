"""flaky_batches reports partial batch failures the way SQS does; prereq helpers say which step to do."""

from __future__ import annotations

import pytest

from labs.helpers import Lab
from labs.helpers.chaos import flaky_batches
from labs.helpers.prereq import queue_url, ready


def _count(lab: Lab, url: str) -> int:
    attrs = lab.client("sqs").get_queue_attributes(QueueUrl=url, AttributeNames=["ApproximateNumberOfMessages"])
    return int(attrs["Attributes"]["ApproximateNumberOfMessages"])


def test_failed_entries_are_reported_not_sent_and_succeed_when_retried(lab: Lab) -> None:
    """AWS, SendMessageBatch: "you should check for batch errors even when the call returns an HTTP
    status code of 200"; a BatchResultErrorEntry has Id, SenderFault, Code and Message."""
    sqs = lab.client("sqs")
    url = sqs.create_queue(QueueName=lab.name("flaky"))["QueueUrl"]
    entries = [{"Id": str(i), "MessageBody": f"m{i}"} for i in range(10)]
    with flaky_batches(sqs, every=4):
        first = sqs.send_message_batch(QueueUrl=url, Entries=entries)
        assert first["ResponseMetadata"]["HTTPStatusCode"] == 200
        assert [f["Id"] for f in first["Failed"]] == ["3", "7"]
        assert all(f["SenderFault"] is False and f["Code"] == "InternalError" for f in first["Failed"])
        assert len(first["Successful"]) == 8 and _count(lab, url) == 8
        retry = [e for e in entries if e["Id"] in {"3", "7"}]
        second = sqs.send_message_batch(QueueUrl=url, Entries=retry)
        assert not second.get("Failed") and len(second["Successful"]) == 2
    assert _count(lab, url) == 10
    after = sqs.send_message_batch(QueueUrl=url, Entries=[{"Id": "x", "MessageBody": "a"}, {"Id": "y", "MessageBody": "b"},
                                                          {"Id": "z", "MessageBody": "c"}, {"Id": "w", "MessageBody": "d"}])
    assert not after.get("Failed"), "outside the block the client is reliable again"


def test_publish_batch_entries_fail_the_same_way_on_an_sns_client(lab: Lab) -> None:
    """AWS, PublishBatch: "the result of each message is reported individually in the response";
    Failed entries carry Id, Code, Message and SenderFault, as SQS's do."""
    sns = lab.client("sns")
    topic = sns.create_topic(Name=lab.name("flaky-topic"))["TopicArn"]
    entries = [{"Id": str(i), "Message": f"m{i}"} for i in range(10)]
    with flaky_batches(sns, every=5) as failed_once:
        first = sns.publish_batch(TopicArn=topic, PublishBatchRequestEntries=entries)
        assert [f["Id"] for f in first["Failed"]] == ["4", "9"] and len(first["Successful"]) == 8
        again = sns.publish_batch(TopicArn=topic, PublishBatchRequestEntries=[e for e in entries if e["Id"] in {"4", "9"}])
        assert not again.get("Failed") and len(failed_once) == 2


def test_put_events_entries_fail_in_place_on_an_events_client(lab: Lab) -> None:
    """AWS, PutEvents: "The successful and unsuccessful entries are returned in the order that they
    were in the request"; a failed entry has ErrorCode and ErrorMessage instead of EventId, and
    FailedEntryCount counts them (InternalFailure is retryable)."""
    import json

    events = lab.client("events")
    bus = lab.name("flaky-bus")
    events.create_event_bus(Name=bus)
    entries = [{"Source": "securecart.check", "DetailType": "Check", "Detail": json.dumps({"n": i}), "EventBusName": bus}
               for i in range(10)]
    with flaky_batches(events, every=4) as failed_once:
        first = events.put_events(Entries=entries)
        assert first["FailedEntryCount"] == 2 and len(first["Entries"]) == 10
        assert [i for i, r in enumerate(first["Entries"]) if r.get("ErrorCode") == "InternalFailure"] == [3, 7]
        assert all("EventId" in r for i, r in enumerate(first["Entries"]) if i not in (3, 7))
        again = events.put_events(Entries=[entries[3], entries[7]])
        assert again["FailedEntryCount"] == 0 and len(failed_once) == 2
    events.delete_event_bus(Name=bus)


def test_flaky_batches_refuses_a_client_without_batches(lab: Lab) -> None:
    with pytest.raises(ValueError, match="SQS, SNS, EventBridge and Kinesis"), flaky_batches(lab.client("stepfunctions")):
        pass


def test_flaky_batches_needs_every_of_at_least_two(lab: Lab) -> None:
    with pytest.raises(ValueError), flaky_batches(lab.client("sqs"), every=1):
        pass


def test_queue_url_says_which_step_creates_a_missing_queue(lab: Lab, capsys: pytest.CaptureFixture[str]) -> None:
    assert queue_url(lab, "orders", step=2) is None
    assert capsys.readouterr().out == "Step 2 is not done yet (there is no queue 'orders') - come back here after it.\n"
    url = lab.client("sqs").create_queue(QueueName=lab.name("orders"))["QueueUrl"]
    assert queue_url(lab, "orders", step=2) == url and capsys.readouterr().out == ""


def test_ready_treats_ellipsis_and_none_as_unanswered(capsys: pytest.CaptureFixture[str]) -> None:
    assert not ready(..., step=3, what="consume() returns nothing")
    assert not ready(None, step=3, what="x")
    assert ready(0, step=3, what="x") and ready([], step=3, what="x")
    assert capsys.readouterr().out.count("Step 3 is not done yet") == 2
