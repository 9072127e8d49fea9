"""Event source mappings go through Lambda's states: Creating, Enabling, Updating, Disabling, Deleting.

Lambda API reference, EventSourceMappingConfiguration State: "Creating, Enabling, Enabled, Disabling,
Disabled, Updating, or Deleting". What each call answers, as recorded against AWS in LocalStack's
snapshot tests (test_lambda_integration_sqs / _dynamodbstreams): CreateEventSourceMapping "Creating"
(HTTP 202; "Disabled" when created with Enabled=false), UpdateEventSourceMapping "Updating", with
Enabled=true on a disabled mapping "Enabling", with Enabled=false "Disabling", DeleteEventSourceMapping
"Deleting"; GetEventSourceMapping then reaches "Enabled" (or "Disabled"). StateTransitionReason is
"USER_INITIATED" for SQS, "User action" for streams. Plain moto 5.2.5 says Enabled/Disabled at once.
"""

from __future__ import annotations

import pytest

import tests.emulator.lambda_helpers as lh
from labs.helpers import Lab, LabError
from labs.helpers.emulator.awslambda import mapping_states
from labs.helpers.functions import settle, wait_for_mapping
from labs.helpers.observe import Delivery


@pytest.fixture
def slow_settle(monkeypatch: pytest.MonkeyPatch) -> None:
    """Transitional states last 2 s, so a Get right after the call is sure to see them."""
    monkeypatch.setattr(mapping_states, "SETTLE_SECONDS", 2.0)


def test_create_answers_creating_then_the_mapping_is_enabled(lab: Lab) -> None:
    _, arn = lh.queue(lab, "orders")
    fn = lh.deploy(lab, "consumer", lh.FORWARD, env={"OUT": "unused"})
    created = lab.client("lambda").create_event_source_mapping(EventSourceArn=arn, FunctionName=fn)
    assert created["State"] == "Creating"  # plain moto: Enabled
    assert created["ResponseMetadata"]["HTTPStatusCode"] == 202
    assert created["StateTransitionReason"] == "USER_INITIATED"
    enabled = wait_for_mapping(lab, created["UUID"])
    assert enabled["State"] == "Enabled" and enabled["UUID"] == created["UUID"]


def test_get_and_list_show_the_transitional_state_until_it_takes_effect(lab: Lab, slow_settle: None,
                                                                        deliveries: list[Delivery]) -> None:
    out_url, _ = lh.queue(lab, "seen")
    url, arn = lh.queue(lab, "orders")
    fn = lh.deploy(lab, "consumer", lh.FORWARD, env={"OUT": out_url})
    lam = lab.client("lambda")
    uuid = lam.create_event_source_mapping(EventSourceArn=arn, FunctionName=fn)["UUID"]
    lab.client("sqs").send_message(QueueUrl=url, MessageBody="order-1")
    assert lam.get_event_source_mapping(UUID=uuid)["State"] == "Creating"
    assert [m["State"] for m in lam.list_event_source_mappings(EventSourceArn=arn)["EventSourceMappings"]] == ["Creating"]
    assert lh.invocations(deliveries) == []  # Lambda polls once the mapping is enabled
    assert wait_for_mapping(lab, uuid, timeout=10)["State"] == "Enabled"
    settle(lab)  # the message sent while Creating is delivered once Enabled
    assert [r["body"] for b in lh.batches(lab, out_url) for r in b] == ["order-1"]
    assert lh.counts(lab, url) == (0, 0)


def test_enabling_disabling_and_updating(lab: Lab) -> None:
    _, arn = lh.queue(lab, "orders")
    fn = lh.deploy(lab, "consumer", lh.FORWARD, env={"OUT": "unused"})
    lam = lab.client("lambda")
    created = lam.create_event_source_mapping(EventSourceArn=arn, FunctionName=fn, Enabled=False)
    assert created["State"] == "Disabled"
    uuid = created["UUID"]
    enabling = lam.update_event_source_mapping(UUID=uuid, Enabled=True)
    assert enabling["State"] == "Enabling" and enabling["ResponseMetadata"]["HTTPStatusCode"] == 202
    wait_for_mapping(lab, uuid)
    assert lam.update_event_source_mapping(UUID=uuid, BatchSize=5)["State"] == "Updating"
    assert wait_for_mapping(lab, uuid)["BatchSize"] == 5
    assert lam.update_event_source_mapping(UUID=uuid, Enabled=False)["State"] == "Disabling"
    assert wait_for_mapping(lab, uuid, state="Disabled")["State"] == "Disabled"
    assert lam.delete_event_source_mapping(UUID=uuid)["State"] == "Deleting"


def test_waiting_for_enabled_on_a_disabled_mapping_says_why_at_once(lab: Lab) -> None:
    _, arn = lh.queue(lab, "orders")
    fn = lh.deploy(lab, "consumer", lh.FORWARD, env={"OUT": "unused"})
    uuid = lab.client("lambda").create_event_source_mapping(EventSourceArn=arn, FunctionName=fn, Enabled=False)["UUID"]
    with pytest.raises(LabError, match="is Disabled, not Enabled") as info:
        wait_for_mapping(lab, uuid, timeout=30)
    assert "Enabled=True" in info.value.fix


def test_waiting_for_an_unknown_mapping_names_the_aws_error(lab: Lab) -> None:
    with pytest.raises(LabError, match="ResourceNotFoundException"):
        wait_for_mapping(lab, "00000000-0000-0000-0000-000000000000")


def test_a_stream_mapping_reports_lambdas_stream_reason(lab: Lab) -> None:
    kinesis = lab.client("kinesis")
    kinesis.create_stream(StreamName=lab.name("clicks"), ShardCount=1)
    stream_arn = kinesis.describe_stream(StreamName=lab.name("clicks"))["StreamDescription"]["StreamARN"]
    fn = lh.deploy(lab, "consumer", lh.FORWARD, env={"OUT": "unused"})
    created = lab.client("lambda").create_event_source_mapping(EventSourceArn=stream_arn, FunctionName=fn,
                                                               StartingPosition="LATEST")
    assert (created["State"], created["StateTransitionReason"]) == ("Creating", "User action")
