"""Event source mapping lifecycle: disabled, deleted, reset, torn down; settle() explains a stuck mapping.

Lambda API reference, UpdateEventSourceMapping: "Enabled – When true, the event source mapping is
active. When false, Lambda pauses polling"; DeleteEventSourceMapping removes it (Lambda stops
polling). The emulator's pollers are threads: these tests check that each of these, and the lab's
teardown and the emulator's reset, really stop them.
"""

from __future__ import annotations

import pytest

import tests.emulator.lambda_helpers as lh
from labs.helpers import Lab, LabError
from labs.helpers.backend import reset_embedded_emulator
from labs.helpers.emulator.awslambda import event_source_mappings as esm_layer
from labs.helpers.functions import settle


def test_deleting_the_mapping_or_resetting_stops_the_poller(lab: Lab) -> None:
    _, arn = lh.queue(lab, "orders")
    fn = lh.deploy(lab, "consumer", lh.FORWARD, env={"OUT": "unused"})
    lam = lab.client("lambda")
    one = lam.create_event_source_mapping(EventSourceArn=arn, FunctionName=fn)
    poller = next(p for p in esm_layer.pollers() if p.esm.uuid == one["UUID"])
    lam.delete_event_source_mapping(UUID=one["UUID"])
    poller.join(timeout=2)
    assert not poller.is_alive()
    lam.create_event_source_mapping(EventSourceArn=arn, FunctionName=fn)
    [poller] = esm_layer.pollers()
    reset_embedded_emulator()
    poller.join(timeout=2)
    assert not poller.is_alive() and esm_layer.pollers() == []

def test_teardown_removes_function_and_mapping_and_stops_the_poller(lab: Lab) -> None:
    _, arn = lh.queue(lab, "orders")
    fn = lh.deploy(lab, "consumer", lh.FORWARD, env={"OUT": "unused"})
    lab.client("lambda").create_event_source_mapping(EventSourceArn=arn, FunctionName=fn)
    [poller] = esm_layer.pollers()
    lab.teardown()
    poller.join(timeout=2)
    assert not poller.is_alive()
    lam = lab.client("lambda")
    assert lam.list_event_source_mappings()["EventSourceMappings"] == []
    assert lam.list_functions()["Functions"] == []


def test_settle_names_the_handlers_error_when_it_gives_up(lab: Lab) -> None:
    url, arn = lh.queue(lab, "orders", VisibilityTimeout="30")
    fn = lh.deploy(lab, "broken", "def handler(event, context):\n    raise KeyError('order_id')\n")
    lab.client("lambda").create_event_source_mapping(EventSourceArn=arn, FunctionName=fn)
    lab.client("sqs").send_message(QueueUrl=url, MessageBody="{}")
    with pytest.raises(LabError, match="KeyError: 'order_id'"):
        settle(lab, timeout=0.5)


def test_settle_counts_a_delayed_message_once(lab: Lab) -> None:
    """A message sent with DelaySeconds is not yet receivable: settle() says it is delayed, and does
    not also count it as waiting to be delivered."""
    url, arn = lh.queue(lab, "orders")
    fn = lh.deploy(lab, "consumer", lh.FORWARD, env={"OUT": "unused"})
    lab.client("lambda").create_event_source_mapping(EventSourceArn=arn, FunctionName=fn)
    lab.client("sqs").send_message(QueueUrl=url, MessageBody="{}", DelaySeconds=30)
    with pytest.raises(LabError) as info:
        settle(lab, timeout=0.1)
    assert "1 delayed message(s)" in str(info.value) and "waiting" not in str(info.value)


def test_disabled_mapping_does_not_deliver(lab: Lab) -> None:
    out_url, _ = lh.queue(lab, "seen")
    url, arn = lh.queue(lab, "orders")
    fn = lh.deploy(lab, "consumer", lh.FORWARD, env={"OUT": out_url})
    lab.client("lambda").create_event_source_mapping(EventSourceArn=arn, FunctionName=fn, Enabled=False)
    lab.client("sqs").send_message(QueueUrl=url, MessageBody="order-1")
    settle(lab)  # nothing is polling: nothing in flight
    assert lh.batches(lab, out_url) == [] and lh.counts(lab, url) == (1, 0)
