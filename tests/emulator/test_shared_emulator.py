"""``python -m labs emulator`` shared by separate processes, the way a course uses it.

One process runs the emulator, a second one writes (a python script, and the AWS CLI when it is
installed), a third one reads back: they meet only through ``AWS_ENDPOINT_URL``, as boto3 documents
("AWS_ENDPOINT_URL: the endpoint URL used for all service clients"). The server carries the fidelity
layer, so behaviour that only the layer gives (FIFO SequenceNumber with content-based deduplication,
the Schema Registry, DLQ redrive) must work over it too. Contract of the command: the URL is the first
stdout line and stdout carries nothing else (instructions go to stderr); SIGTERM or Ctrl+C (SIGINT)
stops it with exit status 0 and frees the port.
"""

from __future__ import annotations

import json
import os
import selectors
import shutil
import signal
import socket
import subprocess
import sys
import textwrap
from collections.abc import Iterator
from typing import Any
from urllib.parse import urlparse

import pytest

START_TIMEOUT = 60


def _env(url: str | None = None) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith("AWS_ENDPOINT_URL")}
    env.update(PYTHONPATH=os.getcwd(), AWS_ACCESS_KEY_ID="testing", AWS_SECRET_ACCESS_KEY="testing",
               AWS_REGION="us-east-1", AWS_DEFAULT_REGION="us-east-1", LABS_BACKEND="")
    if url:
        env["AWS_ENDPOINT_URL"] = url
    return env


def _launch() -> subprocess.Popen[str]:
    return subprocess.Popen([sys.executable, "-m", "labs", "emulator", "--port", "0"], env=_env(),
                            stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)


def _first_line(proc: subprocess.Popen[str]) -> str:
    """The emulator's first stdout line, waiting at most START_TIMEOUT seconds for it."""
    assert proc.stdout is not None
    with selectors.DefaultSelector() as sel:
        sel.register(proc.stdout, selectors.EVENT_READ)
        if not sel.select(START_TIMEOUT):
            proc.kill()
            pytest.fail(f"the emulator printed nothing within {START_TIMEOUT} s")
    return proc.stdout.readline().rstrip("\n")


def _stop(proc: subprocess.Popen[str], sig: int) -> int:
    proc.send_signal(sig)
    try:
        return proc.wait(timeout=15)
    except subprocess.TimeoutExpired:
        proc.kill()
        proc.wait()
        pytest.fail(f"the emulator did not stop on signal {sig}")


def _port_is_free(port: int) -> bool:
    """Can a new server listen on ``port``? Probed the way servers bind (SO_REUSEADDR): connections the
    old server closed may linger in TIME_WAIT, which does not stop a restart; a live listener does."""
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as probe:
        probe.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        try:
            probe.bind(("127.0.0.1", port))
        except OSError:
            return False
    return True


@pytest.fixture(scope="module")
def emulators() -> Iterator[list[tuple[subprocess.Popen[str], str]]]:
    """Two emulator processes, started in parallel (start-up is the slow part): the first is shared
    by the writer/reader tests and stopped with SIGTERM at the end, the second is stopped with SIGINT."""
    procs = [_launch(), _launch()]
    try:
        yield [(proc, _first_line(proc)) for proc in procs]
    finally:
        for proc in procs:
            if proc.poll() is None:
                proc.kill()
                proc.wait()


@pytest.fixture
def shared(emulators: list[tuple[subprocess.Popen[str], str]]) -> str:
    return emulators[0][1]


def _python(url: str, script: str) -> str:
    out = subprocess.run([sys.executable, "-c", textwrap.dedent(script)], env=_env(url),
                         check=False, capture_output=True, text=True, timeout=60)
    assert out.returncode == 0, out.stderr
    return out.stdout


WRITER = """
    import json, boto3
    sqs, sns = boto3.client("sqs"), boto3.client("sns")
    orders = sqs.create_queue(QueueName="orders")["QueueUrl"]
    orders_arn = sqs.get_queue_attributes(QueueUrl=orders, AttributeNames=["QueueArn"])["Attributes"]["QueueArn"]
    topic = sns.create_topic(Name="order-events")["TopicArn"]
    sqs.set_queue_attributes(QueueUrl=orders, Attributes={"Policy": json.dumps({"Statement": [{
        "Effect": "Allow", "Principal": {"Service": "sns.amazonaws.com"}, "Action": "sqs:SendMessage",
        "Resource": orders_arn, "Condition": {"ArnEquals": {"aws:SourceArn": topic}}}]})})
    sns.subscribe(TopicArn=topic, Protocol="sqs", Endpoint=orders_arn, Attributes={"RawMessageDelivery": "true"})
    sns.publish(TopicArn=topic, Message=json.dumps({"orderId": "o-1"}))
    payments = sqs.create_queue(QueueName="payments.fifo",
                                Attributes={"FifoQueue": "true", "ContentBasedDeduplication": "true"})["QueueUrl"]
    for i in range(3):
        sqs.send_message(QueueUrl=payments, MessageBody=f"payment-{i}", MessageGroupId="customer-1")
    boto3.client("schemas").create_registry(RegistryName="securecart")
    print("WROTE")
"""

READER = """
    import json, boto3
    sqs = boto3.client("sqs")
    def drain(name):
        url = sqs.get_queue_url(QueueName=name)["QueueUrl"]
        return sqs.receive_message(QueueUrl=url, MaxNumberOfMessages=10, WaitTimeSeconds=1,
                                   MessageSystemAttributeNames=["All"]).get("Messages", [])
    print(json.dumps({
        "orders": [m["Body"] for m in drain("orders")],
        "payments": [[m["Body"], m["Attributes"].get("SequenceNumber")] for m in drain("payments.fifo")],
        "registries": [r["RegistryName"] for r in boto3.client("schemas").list_registries()["Registries"]],
    }))
"""


def test_first_line_is_the_url(shared: str) -> None:
    parsed = urlparse(shared)
    assert parsed.scheme == "http" and parsed.hostname == "127.0.0.1" and parsed.port, shared
    assert shared == f"http://127.0.0.1:{parsed.port}"


def test_one_process_writes_another_reads_with_the_layer_active(shared: str) -> None:
    assert "WROTE" in _python(shared, WRITER)
    seen: dict[str, Any] = json.loads(_python(shared, READER))
    assert [json.loads(body) for body in seen["orders"]] == [{"orderId": "o-1"}]  # SNS -> SQS fan-out
    bodies = [body for body, _ in seen["payments"]]
    numbers = [number for _, number in seen["payments"]]
    assert bodies == ["payment-0", "payment-1", "payment-2"]
    # the layer's sqs_fifo_sequence: plain moto gives no SequenceNumber with content-based deduplication
    assert all(numbers) and [int(n) for n in numbers] == sorted(int(n) for n in numbers)
    assert "securecart" in seen["registries"]  # the layer's Schema Registry, over HTTP


def test_aws_cli_writes_python_reads(shared: str) -> None:
    aws = shutil.which("aws")
    if aws is None or subprocess.run([aws, "--version"], check=False, capture_output=True, timeout=30).returncode != 0:
        pytest.skip("the AWS CLI is not installed (the python writer covers the same path)")
    env = _env(shared)

    def cli(*args: str) -> dict[str, Any]:
        out = subprocess.run([aws, "--endpoint-url", shared, "--output", "json", *args], env=env,
                             check=False, capture_output=True, text=True, timeout=60)
        assert out.returncode == 0, out.stderr
        return json.loads(out.stdout or "{}")

    url = cli("sqs", "create-queue", "--queue-name", "cli-orders")["QueueUrl"]
    sent = cli("sqs", "send-message", "--queue-url", url, "--message-body", "from the cli")
    read = _python(shared, """
        import boto3
        sqs = boto3.client("sqs")
        url = sqs.get_queue_url(QueueName="cli-orders")["QueueUrl"]
        m = sqs.receive_message(QueueUrl=url, WaitTimeSeconds=1)["Messages"][0]
        print(m["MessageId"], m["Body"])
    """)
    assert read.strip() == f"{sent['MessageId']} from the cli"


def test_sigint_stops_cleanly_and_frees_the_port(emulators: list[tuple[subprocess.Popen[str], str]]) -> None:
    proc, url = emulators[1]
    port = urlparse(url).port
    assert port is not None and not _port_is_free(port)
    assert _stop(proc, signal.SIGINT) == 0
    assert _port_is_free(port)
    assert proc.stdout is not None and proc.stderr is not None
    # stdout is the URL line alone (already read); the instructions for a person went to stderr
    assert proc.stdout.read() == ""
    stderr = proc.stderr.read()
    assert f"export AWS_ENDPOINT_URL={url}" in stderr and "stopped" in stderr


def test_a_busy_port_is_an_error_with_a_fix_not_a_hang() -> None:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as holder:
        holder.bind(("127.0.0.1", 0))
        holder.listen()
        port = holder.getsockname()[1]
        out = subprocess.run([sys.executable, "-m", "labs", "emulator", "--port", str(port)], env=_env(),
                             check=False, capture_output=True, text=True, timeout=60)
    assert out.returncode == 2 and out.stdout == ""
    assert f"Port {port}" in out.stderr and "--port 0" in out.stderr


def test_sigterm_stops_cleanly_and_frees_the_port(emulators: list[tuple[subprocess.Popen[str], str]]) -> None:
    """Last in the file: it stops the shared emulator the other tests used."""
    proc, url = emulators[0]
    port = urlparse(url).port
    assert port is not None and not _port_is_free(port)
    assert _stop(proc, signal.SIGTERM) == 0
    assert proc.stderr is not None
    stderr = proc.stderr.read()
    assert "Traceback" not in stderr, stderr
    assert _port_is_free(port)
