"""Archives and replays on a custom bus (``events_replay``); a rule whose target is another account's
bus (``events_targets``).

API reference, StartReplay: "Only events that occurred between the EventStartTime and EventEndTime
are replayed"; ReplayDestination.FilterArns: "A list of ARNs for rules to replay events to"; replayed
events carry ``replay-name``. User guide, "Sending and receiving events between AWS accounts": a rule
can target an event bus in another account, whose own rules then match the event. Plain moto 5.2.5
replays every archived event to every rule, and re-puts a forwarded event as the *receiving* account
(so a central bus's ``{"account": [...]}`` pattern cannot tell senders apart). The archive-count and
plain forwarding assertions also hold on plain moto; the window, FilterArns, replay body and
``account`` ones fail there (``LABS_EMULATOR_DISABLE=events_replay,events_targets``).
"""

from __future__ import annotations

import json
from datetime import UTC, datetime, timedelta

import pytest

from labs.helpers import Lab
from tests.emulator.events_helpers import drain, put_order, queue_policy, rule
from tests.emulator.lambda_helpers import queue

pytestmark = pytest.mark.usefixtures("emulator")

SECURITY_ACCOUNT = "222222222222"


def _archive_with_two_rules(lab: Lab) -> tuple[str, str, str, str, str]:
    """(bus, archive ARN, fulfilment queue url, audit queue url, fulfilment rule ARN), one event archived."""
    fulfil_url, fulfil_arn = queue(lab, "fulfilment")
    audit_url, audit_arn = queue(lab, "audit")
    bus = rule(lab, [{"Id": "q", "Arn": fulfil_arn}], name="fulfil")
    rule(lab, [{"Id": "q", "Arn": audit_arn}], name="audit")
    events = lab.client("events")
    bus_arn = events.describe_event_bus(Name=bus)["Arn"]
    archive = events.create_archive(ArchiveName=lab.name("orders-archive"), EventSourceArn=bus_arn)["ArchiveArn"]
    put_order(lab, bus)
    drain(lab, fulfil_url), drain(lab, audit_url)
    lab.client("sqs").purge_queue(QueueUrl=fulfil_url)
    lab.client("sqs").purge_queue(QueueUrl=audit_url)
    fulfil_rule = events.describe_rule(Name=lab.name("fulfil"), EventBusName=bus)["Arn"]
    return bus, archive, fulfil_url, audit_url, fulfil_rule


def _replay(lab: Lab, archive: str, bus: str, name: str, start: datetime, end: datetime, **destination: object) -> None:
    events = lab.client("events")
    bus_arn = events.describe_event_bus(Name=bus)["Arn"]
    events.start_replay(ReplayName=lab.name(name), EventSourceArn=archive, EventStartTime=start, EventEndTime=end,
                        Destination={"Arn": bus_arn, **destination})
    assert events.describe_replay(ReplayName=lab.name(name))["State"] == "COMPLETED"


def test_replay_to_filtered_rules_only(lab: Lab) -> None:
    bus, archive, fulfil_url, audit_url, fulfil_rule = _archive_with_two_rules(lab)
    assert lab.client("events").describe_archive(ArchiveName=lab.name("orders-archive"))["EventCount"] == 1
    now = datetime.now(UTC)
    _replay(lab, archive, bus, "replay-1", now - timedelta(hours=1), now + timedelta(hours=1), FilterArns=[fulfil_rule])
    [message] = drain(lab, fulfil_url)
    body = json.loads(message["Body"])
    assert body["replay-name"] == lab.name("replay-1") and "ingestion-time" not in body
    assert body["detail"]["orderId"] == "o-1001"
    assert drain(lab, audit_url) == []  # not in FilterArns
    # Replayed events are not archived again.
    assert lab.client("events").describe_archive(ArchiveName=lab.name("orders-archive"))["EventCount"] == 1


def test_replay_window_excludes_older_and_newer_events(lab: Lab) -> None:
    bus, archive, fulfil_url, audit_url, _ = _archive_with_two_rules(lab)
    now = datetime.now(UTC)
    _replay(lab, archive, bus, "replay-old", now - timedelta(days=2), now - timedelta(days=1))
    assert drain(lab, fulfil_url) == [] and drain(lab, audit_url) == []
    _replay(lab, archive, bus, "replay-all", now - timedelta(hours=1), now + timedelta(hours=1))
    assert len(drain(lab, fulfil_url)) == 1 and len(drain(lab, audit_url)) == 1


def test_rule_forwards_to_another_accounts_bus(lab: Lab, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("MOTO_ACCOUNT_ID", SECURITY_ACCOUNT)
    events_b, sqs_b = lab.backend.client("events"), lab.backend.client("sqs")
    central = events_b.create_event_bus(Name="security-central")["EventBusArn"]
    audit = sqs_b.create_queue(QueueName="security-audit")["QueueUrl"]
    audit_arn = sqs_b.get_queue_attributes(QueueUrl=audit, AttributeNames=["QueueArn"])["Attributes"]["QueueArn"]
    monkeypatch.delenv("MOTO_ACCOUNT_ID")
    shop_account = lab.backend.client("sts").get_caller_identity()["Account"]
    monkeypatch.setenv("MOTO_ACCOUNT_ID", SECURITY_ACCOUNT)
    # The central bus only takes events that come from the shop's account.
    from_shop = events_b.put_rule(Name="from-shop", EventBusName="security-central", EventPattern=json.dumps(
        {"account": [shop_account], "source": ["securecart.orders"]}))["RuleArn"]
    sqs_b.set_queue_attributes(QueueUrl=audit, Attributes={"Policy": queue_policy(audit_arn, from_shop)})
    events_b.put_targets(Rule="from-shop", EventBusName="security-central", Targets=[{"Id": "q", "Arn": audit_arn}])
    # The receiver's bus policy lets the shop's account in (events_cross_account checks it).
    events_b.put_permission(EventBusName="security-central", Action="events:PutEvents", Principal=shop_account,
                            StatementId="from-shop")
    monkeypatch.delenv("MOTO_ACCOUNT_ID")

    bus = rule(lab, [{"Id": "central", "Arn": central}])
    put_order(lab, bus)

    monkeypatch.setenv("MOTO_ACCOUNT_ID", SECURITY_ACCOUNT)
    [message] = sqs_b.receive_message(QueueUrl=audit, MaxNumberOfMessages=10)["Messages"]
    body = json.loads(message["Body"])
    assert body["account"] == shop_account and body["detail"]["orderId"] == "o-1001"
