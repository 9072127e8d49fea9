"""The flow trace on an AWS-compatible endpoint (a moto server in another process, as LocalStack
would be): calls are traced by the same botocore hooks, queue URLs of the endpoint are shown as
short names and the account id in them is not shown. Deliveries happen in the server's process
and are not seen here (the trace says only what it can know)."""

from __future__ import annotations

import json

import pytest

from labs.helpers import BackendKind, start_lab


def test_trace_over_an_endpoint(emulator: None, emulator_server: str, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("AWS_ENDPOINT_URL", emulator_server)
    lab = start_lab("sandbox")
    assert lab.backend.kind is BackendKind.ENDPOINT
    sqs = lab.client("sqs")
    url = sqs.create_queue(QueueName=lab.name("orders"))["QueueUrl"]
    assert url.startswith(emulator_server)
    sent = sqs.send_message(QueueUrl=url, MessageBody=json.dumps({"order_id": "o-1", "reply_to": url}))
    message = sqs.receive_message(QueueUrl=url)["Messages"][0]
    sqs.delete_message(QueueUrl=url, ReceiptHandle=message["ReceiptHandle"])

    df = lab.flow.follow("o-1")
    assert list(df["operation"]) == ["SendMessage", "ReceiveMessage", "DeleteMessage"]
    assert set(df["message_ids"]) == {(sent["MessageId"],)}
    assert list(df["target"]) == [lab.name("orders"), "client", lab.name("orders")]
    shown = df.to_string() + repr(lab.flow)
    assert lab.account_id not in shown and message["ReceiptHandle"] not in shown
