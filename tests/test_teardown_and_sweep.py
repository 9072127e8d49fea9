"""Teardown leaves zero resources of every kind; the sweep finds what any lab left behind."""

from __future__ import annotations

import io
import json
from contextlib import redirect_stdout

import pytest

from labs.helpers import Lab, start_lab
from labs.helpers import resources as res
from labs.helpers.inventory import KIND_NAMES
from labs.helpers.sweep import find_leftovers
from labs.helpers.sweep import main as sweep_main


def _build_one_of_everything(lab: Lab) -> None:
    """Every kind the inventory knows, made partly by helpers and partly by plain boto3 calls."""
    queue = res.ensure_queue(lab, "orders", dlq=True)
    topic = res.ensure_topic(lab, "order-events")
    res.ensure_queue_subscription(lab, topic, queue)
    bus_arn = res.ensure_event_bus(lab, "orders")
    res.ensure_rule(lab, "audit", bus=lab.name("orders"), pattern={"source": ["securecart"]},
                    targets=[{"Id": "q", "Arn": queue.arn}])
    events = lab.client("events")
    events.create_archive(ArchiveName=lab.name("orders-archive"), EventSourceArn=bus_arn)
    res.ensure_state_machine(lab, "fulfil", {"StartAt": "A", "States": {"A": {"Type": "Succeed"}}})
    res.ensure_stream(lab, "clicks")
    res.ensure_table(lab, "orders")
    lam = lab.client("lambda")
    role = res.ensure_role(lab, "fn-role", "lambda.amazonaws.com", [{"Effect": "Allow", "Action": "sqs:*", "Resource": "*"}])
    lam.create_function(FunctionName=lab.name("consumer"), Runtime="python3.12", Role=role,
                        Handler="app.handler", Code={"ZipFile": _tiny_zip()})
    lam.create_event_source_mapping(EventSourceArn=queue.arn, FunctionName=lab.name("consumer"), BatchSize=5)
    lab.client("logs").create_log_group(logGroupName=f"/aws/lambda/{lab.name('consumer')}")
    schemas = lab.client("schemas")
    schemas.create_registry(RegistryName=lab.name("events"))  # the emulator layer's Schema Registry
    schemas.create_schema(RegistryName=lab.name("events"), SchemaName="OrderPlaced", Type="JSONSchemaDraft4",
                          Content=json.dumps({"$schema": "http://json-schema.org/draft-04/schema#", "type": "object"}))
    schemas.create_discoverer(SourceArn=bus_arn)  # with what it discovers, in the discovered-schemas registry
    events.put_events(Entries=[{"Source": "securecart.orders", "DetailType": "OrderPlaced", "Detail": "{}",
                                "EventBusName": lab.name("orders")}])


def _tiny_zip() -> bytes:
    import zipfile
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w") as z:
        z.writestr("app.py", "def handler(event, context):\n    return {}\n")
    return buf.getvalue()


def test_teardown_leaves_zero_resources_of_every_kind(lab: Lab) -> None:
    _build_one_of_everything(lab)
    before = lab.resources()
    made = set(before.by_kind())
    expected = set(KIND_NAMES) - set(before.skipped)
    assert made == expected, f"the scenario should make every kind: missing {expected - made}"
    report = lab.teardown()
    assert not report.failed and not report.left
    assert lab.resources().resources == []
    registries = [r["RegistryName"] for r in lab.client("schemas").list_registries()["Registries"]]
    assert "discovered-schemas" not in registries, "the discoverer's registry goes once nothing is left in it"
    assert "Nothing of this lab is left" in report.summary()
    # a second teardown (re-run of the last cell) is harmless
    assert lab.teardown().deleted == []


def test_teardown_only_touches_its_own_lab(lab: Lab) -> None:
    neighbour = start_lab("sqs-orders")
    mine = res.ensure_queue(lab, "orders")
    theirs = res.ensure_queue(neighbour, "orders")
    lab.teardown()
    urls = lab.client("sqs").list_queues().get("QueueUrls", [])
    assert urls == [theirs.url] and mine.url not in urls


def test_teardown_tolerates_resources_already_gone(lab: Lab) -> None:
    q = res.ensure_queue(lab, "orders")
    listing = lab.resources()
    lab.client("sqs").delete_queue(QueueUrl=q.url)
    from labs.helpers.inventory import delete_all
    report = delete_all(lab.client, listing.resources)
    assert not report.failed and len(report.already_gone) == 1


def test_sweep_lists_every_lab_and_deletes_only_after_confirmation(lab: Lab, monkeypatch: pytest.MonkeyPatch) -> None:
    other = start_lab("sns-notifications")
    res.ensure_queue(lab, "orders")
    res.ensure_topic(other, "alerts")
    lab.client("sqs").create_queue(QueueName="not-a-lab-queue")
    found, _ = find_leftovers(lab.backend)
    assert {(f.resource.kind, f.lab, f.matched_by) for f in found} == {
        ("sqs-queue", "sandbox", "tag"), ("sns-topic", "sns-notifications", "tag")}
    monkeypatch.setattr("sys.stdin", io.StringIO(""))  # not a terminal: list only
    out = io.StringIO()
    with redirect_stdout(out):
        assert sweep_main([]) == 0
    assert "Nothing deleted" in out.getvalue() and len(find_leftovers(lab.backend)[0]) == 2
    with redirect_stdout(io.StringIO()):
        assert sweep_main(["--yes", "--learner", "tester"]) == 0
    assert find_leftovers(lab.backend)[0] == []
    assert lab.client("sqs").list_queues()["QueueUrls"][0].endswith("/not-a-lab-queue")


def test_a_rule_is_registered_under_the_name_the_inventory_lists_it_by(lab: Lab) -> None:
    """PutRule's EventBusName takes "The name or ARN of the event bus" (EventBridge API reference):
    either way the registry entry must be the rule's listed name, or teardown's registry match misses it."""
    events = lab.client("events")
    default_arn = events.describe_event_bus(Name="default")["Arn"]
    custom_arn = res.ensure_event_bus(lab, "orders")
    events.put_rule(Name="audit", EventBusName=default_arn, EventPattern='{"source": ["securecart"]}')
    events.put_rule(Name="audit", EventBusName=custom_arn, EventPattern='{"source": ["securecart"]}')
    registered = {name for kind, name in lab.registry if kind == "events-rule"}
    assert registered == {"audit", f"{lab.name('orders')}/audit"}
    listed = {r.name for r in lab.resources().resources if r.kind == "events-rule"}
    assert registered == listed


# --------------------------------------------------------------------------- a backend that fails in places
def test_one_failing_service_does_not_stop_the_teardown(lab: Lab) -> None:
    """On an AWS-compatible endpoint one service may answer with an error (here: SNS ListTopics
    answers HTTP 500 InternalError, and the events endpoint is unreachable when a bus is deleted).
    Teardown still deletes everything else, SQS included, and the report says per service what it
    could not delete and why."""
    from botocore.exceptions import EndpointConnectionError
    from botocore.stub import Stubber

    from labs.helpers.errors import IncompleteTeardown

    orders = res.ensure_queue(lab, "orders", dlq=True)
    res.ensure_topic(lab, "order-events")
    res.ensure_event_bus(lab, "orders")
    stub = Stubber(lab.client("sns"))
    for _ in range(2):  # the deletion's listing and the verifying one
        stub.add_client_error("list_topics", service_error_code="InternalError",
                              service_message="We encountered an internal error.", http_status_code=500)
    stub.activate()

    def unreachable(**_: object) -> None:
        raise EndpointConnectionError(endpoint_url="http://127.0.0.1:4599/")

    lab.client("events").meta.events.register("before-call.events.DeleteEventBus", unreachable)
    with pytest.raises(IncompleteTeardown, match="Teardown was incomplete") as raised:
        lab.teardown()
    report = raised.value.report
    urls = lab.client("sqs").list_queues().get("QueueUrls", [])
    assert orders.url not in urls and urls == []  # both queues deleted although SNS and events failed
    assert {r.kind for r in report.deleted} == {"sqs-queue"} and len(report.deleted) == 2
    assert report.unlisted == {"sns-topic": "InternalError: We encountered an internal error."}
    assert [(r.kind, r.name) for r, _ in report.failed] == [("events-bus", lab.name("orders"))]
    problems = report.problems()
    assert set(problems) == {"sns", "events"}
    assert problems["sns"] == ["could not list sns-topic: InternalError: We encountered an internal error."]
    assert "EndpointConnectionError" in problems["events"][0] and "127.0.0.1:4599" in problems["events"][0]
    summary = report.summary()
    assert summary.startswith("Deleted 2 resource(s): 2 sqs-queue.")
    assert "sns: could not list sns-topic: InternalError" in summary
    assert f"events: events-bus {lab.name('orders')}: EndpointConnectionError" in summary
    assert str(raised.value).count(summary.splitlines()[0]) == 1  # the error shows the report
    stub.deactivate()
    # the registry keeps what was not deleted, so the teardown the error asks for finds it again
    lab.client("events").meta.events.unregister("before-call.events.DeleteEventBus", unreachable)
    again = lab.teardown()
    assert {(r.kind, r.name) for r in again.deleted} == {("sns-topic", lab.name("order-events")),
                                                         ("events-bus", lab.name("orders"))}
    assert "Nothing of this lab is left" in again.summary()


def test_find_lists_every_other_kind_when_one_kind_fails(lab: Lab, monkeypatch: pytest.MonkeyPatch) -> None:
    """A listing that raises anything (an error answer, an unreachable endpoint, a response the
    client cannot parse) is recorded for its kind; every other kind is still listed."""
    from botocore.exceptions import EndpointConnectionError

    from labs.helpers import inventory

    res.ensure_queue(lab, "orders")
    res.ensure_topic(lab, "order-events")

    real = lab.backend.client

    def client_for(service: str):
        if service == "lambda":
            raise EndpointConnectionError(endpoint_url="http://127.0.0.1:4599/")
        return real(service)

    listing = inventory.find(client_for, lab.owns)
    assert {r.kind for r in listing.resources} == {"sqs-queue", "sns-topic"}
    assert set(listing.failed) == {"lambda-event-source-mapping", "lambda-function"}
    assert all(why.startswith("EndpointConnectionError: Could not connect") for why in listing.failed.values())
    # the sweep lists the rest and says what it could not check
    monkeypatch.setattr(lab.backend, "client", client_for)
    found, not_checked = find_leftovers(lab.backend)
    assert {f.resource.kind for f in found} == {"sqs-queue", "sns-topic"}
    assert not_checked["lambda-function"].startswith("could not list: EndpointConnectionError")
