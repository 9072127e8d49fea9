"""Where calls go: embedded by default, an endpoint when boto3's variables say so, real AWS never
without the explicit two-step opt-in."""

from __future__ import annotations

import os
import subprocess
import sys
import textwrap

import boto3
import pytest

from labs.helpers import BackendKind, LabError, start_lab
from labs.helpers.backend import get_backend
from labs.helpers.naming import lab_prefix, learner_id

REAL_LOOKING = {
    "AWS_ACCESS_KEY_ID": "AKIAIOSFODNN7EXAMPLE",
    "AWS_SECRET_ACCESS_KEY": "wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY",
}


def _run(code: str, **env: str) -> subprocess.CompletedProcess[str]:
    """Run ``code`` in a fresh interpreter (so no mock or opt-in leaks between cases)."""
    clean = {k: v for k, v in os.environ.items() if not k.startswith(("AWS_", "LABS_", "MOTO_"))}
    return subprocess.run([sys.executable, "-c", textwrap.dedent(code)], env={**clean, **env},
                          capture_output=True, text=True, timeout=120, check=False)


# A probe that records every DNS lookup and TCP connect the process attempts.
NETWORK_PROBE = """
import socket
attempts = []
_getaddrinfo, _connect = socket.getaddrinfo, socket.create_connection
def getaddrinfo(host, *a, **k):
    attempts.append(str(host)); return _getaddrinfo(host, *a, **k)
def create_connection(address, *a, **k):
    attempts.append(str(address[0])); return _connect(address, *a, **k)
socket.getaddrinfo, socket.create_connection = getaddrinfo, create_connection
def aws_attempts():
    return [h for h in attempts if "amazonaws" in h or h.endswith("api.aws")]
"""


def test_default_is_the_embedded_emulator_and_plain_boto3_is_mocked_too(emulator: None) -> None:
    lab = start_lab("sandbox")
    assert lab.backend.kind is BackendKind.EMBEDDED
    lab.client("sqs").create_queue(QueueName=lab.name("orders"))
    # The student's own boto3 client sees the same emulated account.
    plain = boto3.client("sqs", region_name=lab.region)
    assert [u.rsplit("/", 1)[-1] for u in plain.list_queues()["QueueUrls"]] == [lab.name("orders")]


def test_embedded_sends_nothing_to_aws_even_with_real_looking_credentials() -> None:
    result = _run(NETWORK_PROBE + """
from labs.helpers import start_lab
lab = start_lab("sandbox")
sqs = lab.client("sqs")
url = sqs.create_queue(QueueName=lab.name("orders"))["QueueUrl"]
sqs.send_message(QueueUrl=url, MessageBody="x")
lab.client("sns").create_topic(Name=lab.name("t"))
lab.teardown()
print("ATTEMPTS", aws_attempts())
""", **REAL_LOOKING)
    assert result.returncode == 0, result.stderr
    assert "ATTEMPTS []" in result.stdout


def test_guard_stops_a_request_that_no_mock_answers() -> None:
    """Without the emulator running, a request to AWS is refused before any network activity."""
    result = _run(NETWORK_PROBE + """
import boto3
import labs.helpers  # installs the guard
from labs.helpers import RealAwsBlockedError
for call in (lambda: boto3.client("sqs", region_name="us-east-1").list_queues(),
             lambda: boto3.client("sts", region_name="eu-west-1").get_caller_identity()):
    try:
        call()
        print("LEFT THE MACHINE")
    except RealAwsBlockedError as err:
        print("BLOCKED", str(err).splitlines()[0])
print("ATTEMPTS", aws_attempts())
""", **REAL_LOOKING)
    assert result.returncode == 0, result.stderr
    assert result.stdout.count("BLOCKED") == 2 and "LEFT THE MACHINE" not in result.stdout
    assert "ATTEMPTS []" in result.stdout


def test_endpoint_backend_for_one_service_does_not_open_aws_for_the_others() -> None:
    result = _run(NETWORK_PROBE + """
from labs.helpers import start_lab, RealAwsBlockedError
from labs.helpers.emulator.server import start_server
server = start_server()
import os; os.environ["AWS_ENDPOINT_URL_SQS"] = server.url
lab = start_lab("sandbox")
print("KIND", lab.backend.kind.value)
print("QUEUE", lab.client("sqs").create_queue(QueueName=lab.name("q"))["QueueUrl"].startswith(server.url))
try:
    lab.client("sns").list_topics()
except RealAwsBlockedError:
    print("SNS BLOCKED")
print("ATTEMPTS", aws_attempts())
""", **REAL_LOOKING)
    assert result.returncode == 0, result.stderr
    assert "KIND endpoint" in result.stdout and "QUEUE True" in result.stdout
    assert "SNS BLOCKED" in result.stdout and "ATTEMPTS []" in result.stdout


def test_endpoint_backend_talks_to_a_local_moto_server(
        emulator: None, emulator_server: str, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("AWS_ENDPOINT_URL", emulator_server)
    lab = start_lab("sandbox")
    assert lab.backend.kind is BackendKind.ENDPOINT
    url = lab.client("sqs").create_queue(QueueName=lab.name("orders"))["QueueUrl"]
    assert url.startswith(emulator_server)
    # It is on the server, not in this process's embedded emulator ...
    embedded = start_lab("sandbox", backend="embedded")
    assert embedded.client("sqs").list_queues().get("QueueUrls", []) == []
    # ... and teardown over the endpoint removes it.
    assert len(lab.teardown().deleted) == 1
    assert lab.resources().resources == []


def test_real_aws_needs_both_the_variable_and_the_confirmed_account() -> None:
    base = """
from labs.helpers import start_lab, RealAwsBlockedError
try:
    lab = start_lab("sandbox", backend="aws"{arg})
    print("KIND", lab.backend.kind.value)
except RealAwsBlockedError as err:
    print("REFUSED", str(err).splitlines()[0])
"""
    no_env = _run(base.format(arg=", aws_account='123456789012'"), **REAL_LOOKING)
    assert "REFUSED Real AWS was requested but LABS_BACKEND=aws is not set." in no_env.stdout
    no_account = _run(base.format(arg=""), LABS_BACKEND="aws", **REAL_LOOKING)
    assert "REFUSED Real AWS needs the account id confirmed" in no_account.stdout
    # The account check itself, answered by moto's STS (so nothing leaves the machine here).
    mocked = "from moto import mock_aws\nmock_aws().start()\n"
    wrong = _run(mocked + base.format(arg=", aws_account='999999999999'"), LABS_BACKEND="aws", **REAL_LOOKING)
    assert "REFUSED The credentials belong to a different AWS account" in wrong.stdout
    right = _run(mocked + base.format(arg=", aws_account='123456789012'"), LABS_BACKEND="aws", **REAL_LOOKING)
    assert "KIND aws" in right.stdout, right.stderr


@pytest.mark.parametrize(("kwargs", "expected"), [
    ({"name": "sqs-order"}, "Did you mean 'sqs-orders'?"),
    ({"name": "sandbox", "region": "us-eats-1"}, "Region 'us-eats-1' does not exist. Did you mean 'us-east-1'?"),
    ({"name": "sandbox", "backend": "localstak"}, "Unknown backend"),
    ({"name": "sandbox", "backend": "endpoint"}, "no endpoint is configured"),
])
def test_bad_start_lab_input_names_the_fix(emulator: None, kwargs: dict[str, str], expected: str) -> None:
    with pytest.raises(LabError) as info:
        start_lab(**kwargs)
    assert expected in str(info.value) and "How to fix:" in str(info.value)


def test_prefixes_differ_per_lab_and_per_learner(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("LABS_USER", "alice")
    alice = learner_id()
    monkeypatch.setenv("LABS_USER", "bob")
    bob = learner_id()
    assert len({lab_prefix("sqs", alice), lab_prefix("sqs", bob), lab_prefix("sns", alice)}) == 3
    monkeypatch.setenv("LABS_USER", "Alice Smith")
    with pytest.raises(LabError, match="LABS_USER=alicesmith"):
        learner_id()


def test_shared_logins_get_a_host_specific_learner_id(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("LABS_USER")
    monkeypatch.setattr("getpass.getuser", lambda: "jovyan")
    monkeypatch.setattr("socket.gethostname", lambda: "binder-a")
    first = learner_id()
    monkeypatch.setattr("socket.gethostname", lambda: "binder-b")
    assert first.startswith("jovyan") and first != learner_id()


def test_region_comes_from_boto3_variables(emulator: None, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("AWS_REGION", "eu-west-1")
    lab = start_lab("sandbox")
    assert lab.region == "eu-west-1"
    url = lab.client("sqs").create_queue(QueueName=lab.name("q"))["QueueUrl"]
    assert "eu-west-1" in url
    assert get_backend(region="ap-south-1").region == "ap-south-1"
