"""Schema discovery on a custom bus (schemas_discovery).

EventBridge user guide, "Schema discovery": schemas of events sent to a bus with discovery on "are
automatically generated and added to the registry. If the schema of an event changes, schema discovery
will automatically create a new version"; Schema Registry API reference, Discoverers (CreateDiscoverer
201 with State STARTED, Start/StopDiscoverer); discovered schemas live in ``discovered-schemas`` as
OpenApi3, named ``<source>@<DetailType>``. Plain moto 5.2.5 has no schemas service; the registry
layer alone does not answer discoverer calls.
"""

from __future__ import annotations

import json

import pytest
from botocore.exceptions import ClientError

from labs.helpers import Lab

pytestmark = pytest.mark.usefixtures("emulator")


def _bus(lab: Lab) -> tuple[str, str]:
    events = lab.client("events")
    name = lab.name("securecart")
    return name, events.create_event_bus(Name=name)["EventBusArn"]


def _put(lab: Lab, bus: str, detail: dict[str, object], detail_type: str = "Order Placed") -> None:
    result = lab.client("events").put_events(Entries=[{"Source": "securecart.orders", "DetailType": detail_type,
                                                       "Detail": json.dumps(detail), "EventBusName": bus}])
    assert result["FailedEntryCount"] == 0


def test_discoverer_lifecycle(lab: Lab) -> None:
    schemas = lab.client("schemas")
    _, bus_arn = _bus(lab)
    created = schemas.create_discoverer(SourceArn=bus_arn, Description="orders bus")
    assert created["ResponseMetadata"]["HTTPStatusCode"] == 201
    assert created["State"] == "STARTED" and created["SourceArn"] == bus_arn and created["CrossAccount"] is True
    discoverer_id = created["DiscovererId"]
    assert schemas.describe_discoverer(DiscovererId=discoverer_id)["Description"] == "orders bus"
    assert [d["DiscovererId"] for d in schemas.list_discoverers(SourceArnPrefix=bus_arn)["Discoverers"]] == \
        [discoverer_id]
    assert schemas.stop_discoverer(DiscovererId=discoverer_id)["State"] == "STOPPED"
    assert schemas.start_discoverer(DiscovererId=discoverer_id)["State"] == "STARTED"
    schemas.delete_discoverer(DiscovererId=discoverer_id)
    with pytest.raises(ClientError) as err:
        schemas.describe_discoverer(DiscovererId=discoverer_id)
    assert err.value.response["Error"]["Code"] == "NotFoundException"


def test_events_become_versioned_openapi_schemas(lab: Lab) -> None:
    schemas = lab.client("schemas")
    bus, bus_arn = _bus(lab)
    discoverer_id = schemas.create_discoverer(SourceArn=bus_arn)["DiscovererId"]
    _put(lab, bus, {"orderId": "o-1", "total": 59.9, "customer": {"id": "c-1"}})
    _put(lab, bus, {"orderId": "o-2", "total": 12.0, "customer": {"id": "c-2"}})  # same shape: no new version

    [listed] = schemas.list_schemas(RegistryName="discovered-schemas")["Schemas"]
    assert listed["SchemaName"] == "securecart.orders@OrderPlaced" and listed["VersionCount"] == 1
    first = schemas.describe_schema(RegistryName="discovered-schemas", SchemaName="securecart.orders@OrderPlaced")
    assert (first["Type"], first["SchemaVersion"]) == ("OpenApi3", "1")
    document = json.loads(first["Content"])
    assert document["openapi"].startswith("3")
    envelope = document["components"]["schemas"]["AWSEvent"]
    assert envelope["x-amazon-events-source"] == "securecart.orders"
    assert envelope["x-amazon-events-detail-type"] == "Order Placed"
    assert envelope["properties"]["detail"] == {"$ref": "#/components/schemas/OrderPlaced"}
    detail = document["components"]["schemas"]["OrderPlaced"]
    assert detail["properties"]["total"] == {"type": "number"}
    assert detail["properties"]["customer"] == {"$ref": "#/components/schemas/Customer"}

    _put(lab, bus, {"orderId": "o-3", "total": 5.0, "customer": {"id": "c-3"}, "coupon": "SPRING"})
    versions = schemas.list_schema_versions(RegistryName="discovered-schemas", SchemaName="securecart.orders@OrderPlaced")
    assert [v["SchemaVersion"] for v in versions["SchemaVersions"]] == ["1", "2"]
    latest = json.loads(schemas.describe_schema(RegistryName="discovered-schemas",
                                                SchemaName="securecart.orders@OrderPlaced")["Content"])
    assert "coupon" in latest["components"]["schemas"]["OrderPlaced"]["properties"]
    old = schemas.describe_schema(RegistryName="discovered-schemas", SchemaName="securecart.orders@OrderPlaced",
                                  SchemaVersion="1")
    assert "coupon" not in json.loads(old["Content"])["components"]["schemas"]["OrderPlaced"]["properties"]

    schemas.stop_discoverer(DiscovererId=discoverer_id)
    _put(lab, bus, {"paymentId": "p-1"}, detail_type="PaymentCaptured")
    names = [s["SchemaName"] for s in schemas.list_schemas(RegistryName="discovered-schemas")["Schemas"]]
    assert names == ["securecart.orders@OrderPlaced"]  # a stopped discoverer discovers nothing


def test_a_bus_without_discoverer_discovers_nothing(lab: Lab) -> None:
    bus, _ = _bus(lab)
    _put(lab, bus, {"orderId": "o-1"})
    with pytest.raises(ClientError) as err:
        lab.client("schemas").list_schemas(RegistryName="discovered-schemas")
    assert err.value.response["Error"]["Code"] == "NotFoundException"
