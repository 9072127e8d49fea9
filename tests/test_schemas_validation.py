"""validate_event: client-side validation of events against the Schema Registry.

AWS (EventBridge user guide, "Amazon EventBridge schemas"): "consider using JSONSchema format to
implement client-side validation so that you can ensure that events sent to EventBridge conform to
the schema". The OpenApi3 case uses the shape of EventBridge's discovered schemas (user guide,
"Creating a schema from event JSON"): ``components.schemas.AWSEvent`` is the envelope and its
``detail`` is ``{"$ref": "#/components/schemas/<DetailType>"}``.
"""

from __future__ import annotations

import json

import pytest

from labs.helpers import Lab, LabError
from labs.helpers.schemas import validate_event

ORDER_DRAFT4 = {
    "$schema": "http://json-schema.org/draft-04/schema#",
    "type": "object",
    "required": ["orderId", "customerId", "total", "items"],
    "properties": {
        "orderId": {"type": "string"},
        "customerId": {"type": "string"},
        "total": {"type": "number", "minimum": 0},
        "items": {"type": "array", "minItems": 1, "items": {
            "type": "object", "required": ["sku", "qty"],
            "properties": {"sku": {"type": "string"}, "qty": {"type": "integer", "minimum": 1}}}},
    },
}
GOOD_DETAIL = {"orderId": "o-1", "customerId": "c-1", "total": 12.5, "items": [{"sku": "SKU-1", "qty": 2}]}

DISCOVERED_OPENAPI3 = {
    "openapi": "3.0.0",
    "info": {"version": "1.0.0", "title": "OrderPlaced"},
    "paths": {},
    "components": {"schemas": {
        "AWSEvent": {
            "type": "object",
            "required": ["detail-type", "resources", "detail", "id", "source", "time", "region", "version", "account"],
            "x-amazon-events-detail-type": "OrderPlaced",
            "x-amazon-events-source": "securecart.orders",
            "properties": {
                "detail": {"$ref": "#/components/schemas/OrderPlaced"},
                "account": {"type": "string"}, "detail-type": {"type": "string"}, "id": {"type": "string"},
                "region": {"type": "string"}, "resources": {"type": "array", "items": {"type": "string"}},
                "source": {"type": "string"}, "time": {"type": "string", "format": "date-time"},
                "version": {"type": "string"},
            },
        },
        "OrderPlaced": {
            "type": "object", "required": ["orderId", "total"],
            "properties": {"orderId": {"type": "string"}, "total": {"type": "number"},
                           "coupon": {"type": "string", "nullable": True}},
        },
    }},
}


@pytest.fixture
def registry(lab: Lab) -> str:
    schemas = lab.client("schemas")
    name = lab.name("events")
    schemas.create_registry(RegistryName=name)
    schemas.create_schema(RegistryName=name, SchemaName="OrderDetail", Type="JSONSchemaDraft4",
                          Content=json.dumps(ORDER_DRAFT4))
    schemas.create_schema(RegistryName=name, SchemaName="OrderPlaced", Type="OpenApi3",
                          Content=json.dumps(DISCOVERED_OPENAPI3))
    return name


def test_draft4_valid_missing_field_and_wrong_types(lab: Lab, registry: str) -> None:
    ok = validate_event(lab, registry, "OrderDetail", GOOD_DETAIL)
    assert ok and ok.valid and ok.violations == [] and ok.version == "1"
    assert "valid" in str(ok)

    bad = dict(GOOD_DETAIL, total="12.50", items=[{"sku": "SKU-1", "qty": 1.5}])
    del bad["customerId"]
    result = validate_event(lab, registry, "OrderDetail", bad)
    assert not result
    found = {(v.path, v.keyword) for v in result.violations}
    # every violation, each with the JSON path of the offending value
    assert found == {("$", "required"), ("$.total", "type"), ("$.items[0].qty", "type")}
    assert "'customerId' is a required property" in str(result)


def test_put_events_entry_is_checked_by_its_detail(lab: Lab, registry: str) -> None:
    entry = {"Source": "securecart.orders", "DetailType": "OrderPlaced",
             "Detail": json.dumps(dict(GOOD_DETAIL, items=[]))}
    result = validate_event(lab.client("schemas"), registry, "OrderDetail", entry)
    assert [(v.path, v.keyword) for v in result.violations] == [("$.items", "minItems")]


def test_openapi3_discovered_shape_validates_the_envelope_and_the_referenced_detail(lab: Lab, registry: str) -> None:
    entry = {"Source": "securecart.orders", "DetailType": "OrderPlaced",
             "Detail": json.dumps({"orderId": "o-1", "total": 3, "coupon": None})}
    assert validate_event(lab, registry, "OrderPlaced", entry).valid  # nullable: true admits null
    envelope = {"version": "0", "id": "1", "detail-type": "OrderPlaced", "source": "securecart.orders",
                "account": "123456789012", "time": "2026-11-25T10:00:00Z", "region": "us-east-1",
                "resources": [], "detail": {"orderId": 7}}
    result = validate_event(lab, registry, "OrderPlaced", json.dumps(envelope))
    assert {(v.path, v.keyword) for v in result.violations} == {("$.detail", "required"),
                                                               ("$.detail.orderId", "type")}


def test_a_given_version_is_used(lab: Lab, registry: str) -> None:
    lab.client("schemas").update_schema(RegistryName=registry, SchemaName="OrderDetail",
                                        Content=json.dumps(dict(ORDER_DRAFT4, required=["orderId", "channel"])))
    detail = dict(GOOD_DETAIL)
    assert validate_event(lab, registry, "OrderDetail", detail, version=1).valid
    latest = validate_event(lab, registry, "OrderDetail", detail)
    assert latest.version == "2" and [v.keyword for v in latest.violations] == ["required"]


@pytest.mark.parametrize("args, expected", [
    (("sc-nowhere", "OrderDetail", None), "no schema registry called 'sc-nowhere'"),
    ((None, "OrderDetial", None), "Did you mean 'OrderDetail'?"),
    ((None, "OrderDetail", "9"), "has no version 9"),
])
def test_unknown_registry_schema_or_version_names_the_fix(lab: Lab, registry: str, args: tuple, expected: str) -> None:
    reg, schema, version = args
    with pytest.raises(LabError) as err:
        validate_event(lab, reg or registry, schema, GOOD_DETAIL, version=version)
    assert expected in str(err.value) and "How to fix" in str(err.value)
