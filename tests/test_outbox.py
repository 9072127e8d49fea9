"""outbox: what SNS sent to people, read back on every backend (in-process, over HTTP, not on AWS)."""

from __future__ import annotations

import pytest

from labs.helpers import BackendKind, Lab, LabError, outbox, start_lab


def _subscribe_email(lab: Lab, address: str) -> str:
    sns = lab.client("sns")
    topic = sns.create_topic(Name=lab.name("order-events"))["TopicArn"]
    sns.subscribe(TopicArn=topic, Protocol="email", Endpoint=address)
    return topic


def test_the_confirmation_token_confirms_the_subscription(lab: Lab) -> None:
    topic = _subscribe_email(lab, "invoices@securecart.example")
    token = outbox.confirmation_token(lab, "invoices@securecart.example")
    arn = lab.client("sns").confirm_subscription(TopicArn=topic, Token=token)["SubscriptionArn"]
    assert arn.startswith(topic + ":")


def test_no_confirmation_names_the_call_that_sends_one(lab: Lab) -> None:
    with pytest.raises(LabError, match="Subscribe invoices@securecart.example"):
        outbox.confirmation_token(lab, "invoices@securecart.example")


def test_the_outbox_is_read_over_http_on_the_shared_emulator(
        emulator: None, emulator_server: str, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("AWS_ENDPOINT_URL", emulator_server)
    lab = start_lab("sns-notifications")
    assert lab.backend.kind is BackendKind.ENDPOINT
    try:
        topic = _subscribe_email(lab, "tickets@securecart.example")
        token = outbox.confirmation_token(lab, "tickets@securecart.example")
        lab.client("sns").confirm_subscription(TopicArn=topic, Token=token)
        assert [m["endpoint"] for m in outbox.messages(lab, "email")][-1] == "tickets@securecart.example"
    finally:
        lab.teardown()
