"""The flow trace on an AWS-compatible endpoint (a moto server in another process, as LocalStack
would be): calls are traced by the same botocore hooks, queue URLs of the endpoint are shown as
short names and the account id in them is not shown. Deliveries happen in the server's process
and are not seen here (the trace says only what it can know)."""

from __future__ import annotations

import json
import subprocess
import sys
from collections.abc import Iterator

import pytest

from labs.helpers import BackendKind, start_lab


@pytest.fixture
def moto_server_process() -> Iterator[str]:
    proc = subprocess.Popen(
        [sys.executable, "-c", ("from labs.helpers.emulator.server import start_server\n"
                                "import time; s = start_server(); print(s.url, flush=True); time.sleep(600)")],
        stdout=subprocess.PIPE, text=True)
    try:
        assert proc.stdout is not None
        yield proc.stdout.readline().strip()
    finally:
        proc.terminate()
        proc.wait(timeout=10)


def test_trace_over_an_endpoint(emulator: None, moto_server_process: str, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("AWS_ENDPOINT_URL", moto_server_process)
    lab = start_lab("sandbox")
    assert lab.backend.kind is BackendKind.ENDPOINT
    sqs = lab.client("sqs")
    url = sqs.create_queue(QueueName=lab.name("orders"))["QueueUrl"]
    assert url.startswith(moto_server_process)
    sent = sqs.send_message(QueueUrl=url, MessageBody=json.dumps({"order_id": "o-1", "reply_to": url}))
    message = sqs.receive_message(QueueUrl=url)["Messages"][0]
    sqs.delete_message(QueueUrl=url, ReceiptHandle=message["ReceiptHandle"])

    df = lab.flow.follow("o-1")
    assert list(df["operation"]) == ["SendMessage", "ReceiveMessage", "DeleteMessage"]
    assert set(df["message_ids"]) == {(sent["MessageId"],)}
    assert list(df["target"]) == [lab.name("orders"), "client", lab.name("orders")]
    shown = df.to_string() + repr(lab.flow)
    assert lab.account_id not in shown and message["ReceiptHandle"] not in shown
