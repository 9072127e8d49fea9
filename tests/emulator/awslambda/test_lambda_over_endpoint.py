"""The Lambda layer on a moto server (``python -m labs emulator``) and settle() through the API.

The same handler zip that deploys to real Lambda runs on the server, its SQS event source mapping
polls there, and ``settle(lab)`` in the notebook's process waits by watching the queue through the
SQS API (ApproximateNumberOfMessages, ...NotVisible, ...Delayed), as it would on real AWS.
"""

from __future__ import annotations

import json

import pytest

from labs.helpers import BackendKind, start_lab
from labs.helpers.functions import handler_name, package_handler, settle
from tests.emulator.lambda_helpers import role_arn


def test_mapping_runs_on_the_server_and_settle_waits_through_the_api(
        emulator: None, emulator_server: str, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("AWS_ENDPOINT_URL", emulator_server)
    lab = start_lab("sandbox")
    assert lab.backend.kind is BackendKind.ENDPOINT
    sqs, lam = lab.client("sqs"), lab.client("lambda")
    dlq = sqs.create_queue(QueueName=lab.name("orders-dlq"))["QueueUrl"]
    dlq_arn = sqs.get_queue_attributes(QueueUrl=dlq, AttributeNames=["QueueArn"])["Attributes"]["QueueArn"]
    url = sqs.create_queue(QueueName=lab.name("orders"), Attributes={
        "VisibilityTimeout": "0",
        "RedrivePolicy": json.dumps({"deadLetterTargetArn": dlq_arn, "maxReceiveCount": 1})})["QueueUrl"]
    arn = sqs.get_queue_attributes(QueueUrl=url, AttributeNames=["QueueArn"])["Attributes"]["QueueArn"]
    lam.create_function(FunctionName=lab.name("consumer"), Runtime="python3.12", Role=role_arn(lab),
                        Handler=handler_name("labs.handlers.order_consumer"),
                        Code={"ZipFile": package_handler("labs.handlers.order_consumer")})
    lam.create_event_source_mapping(EventSourceArn=arn, FunctionName=lab.name("consumer"),
                                    FunctionResponseTypes=["ReportBatchItemFailures"])
    for body in ({"order_id": "o-1", "total": 5}, {"order_id": "o-2"}, {"order_id": "o-3", "total": 7}):
        sqs.send_message(QueueUrl=url, MessageBody=json.dumps(body))
    settle(lab, timeout=10)
    counts = sqs.get_queue_attributes(QueueUrl=url, AttributeNames=["All"])["Attributes"]
    assert counts["ApproximateNumberOfMessages"] == counts["ApproximateNumberOfMessagesNotVisible"] == "0"
    [dead] = sqs.receive_message(QueueUrl=dlq, MaxNumberOfMessages=10)["Messages"]
    assert json.loads(dead["Body"]) == {"order_id": "o-2"}  # only the malformed order was returned
