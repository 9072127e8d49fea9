"""TestEventPattern and the pattern operators the labs use (modules ``events_test_event_pattern`` and
``events_pattern_arrays``).

API reference, TestEventPattern: "Tests whether the specified event pattern matches the provided
event"; response ``{"Result": boolean}``; Event fields "id, account, source, time, region,
resources, detail-type" are mandatory. User guide, "Event patterns" / "Content filtering": prefix,
anything-but, numeric, exists ("Exists matching only works on leaf nodes"), several values in one
array (match any), ``$or``; "If the value in the event is an array, then the event pattern matches if
the intersection of the event pattern array and the event array is non-empty".

Plain moto 5.2.5 returns no ``Result`` and never matches fields inside arrays of objects
(``LABS_EMULATOR_DISABLE=events_test_event_pattern,events_pattern_arrays``): every test here fails
on plain moto.
"""

from __future__ import annotations

import json
from typing import Any

import pytest
from botocore.exceptions import ClientError

from labs.helpers import Lab, start_lab
from labs.helpers.backend import start_embedded_emulator
from tests.emulator.events_helpers import drain, put_order, rule
from tests.emulator.lambda_helpers import queue


@pytest.fixture(scope="module")
def events() -> Any:
    """One events client for the stateless TestEventPattern cases (no per-case emulator reset)."""
    start_embedded_emulator()
    return start_lab("sandbox").client("events")

ORDER = {
    "version": "0", "id": "6a7e8feb-b491-4cf7-a9f1-bf3703467718", "detail-type": "OrderPlaced",
    "source": "securecart.orders", "account": "123456789012", "time": "2026-11-25T09:30:00Z",
    "region": "us-east-1", "resources": [],
    "detail": {"orderId": "o-1001", "total": 120.5, "country": "US", "status": "PAID", "tags": ["vip", "new"],
               "items": [{"sku": "SKU-1", "qty": 2}, {"sku": "BOOK-2", "qty": 1}]},
}

CASES: list[tuple[str, dict[str, Any], bool]] = [
    ("exact source", {"source": ["securecart.orders"]}, True),
    ("other source", {"source": ["securecart.payments"]}, False),
    ("prefix", {"detail": {"orderId": [{"prefix": "o-"}]}}, True),
    ("prefix miss", {"detail": {"orderId": [{"prefix": "x-"}]}}, False),
    ("anything-but list", {"detail": {"status": [{"anything-but": ["CANCELLED", "REFUNDED"]}]}}, True),
    ("anything-but hit", {"detail": {"status": [{"anything-but": "PAID"}]}}, False),
    ("numeric range", {"detail": {"total": [{"numeric": [">", 100, "<=", 500]}]}}, True),
    ("numeric miss", {"detail": {"total": [{"numeric": ["<", 100]}]}}, False),
    ("exists", {"detail": {"orderId": [{"exists": True}]}}, True),
    ("exists false", {"detail": {"refundId": [{"exists": False}]}}, True),
    ("exists false on present", {"detail": {"orderId": [{"exists": False}]}}, False),
    ("several values", {"detail": {"country": ["CA", "US"]}}, True),
    ("array intersection", {"detail": {"tags": ["vip"]}}, True),
    ("$or", {"$or": [{"detail": {"country": ["FR"]}}, {"detail": {"total": [{"numeric": [">", 100]}]}}]}, True),
    ("field inside array of objects", {"detail": {"items": {"sku": ["BOOK-2"]}}}, True),
    ("prefix inside array of objects", {"detail": {"items": {"sku": [{"prefix": "BOOK"}]}}}, True),
    ("miss inside array of objects", {"detail": {"items": {"sku": ["DVD-9"]}}}, False),
]


@pytest.mark.parametrize(("label", "pattern", "expected"), CASES, ids=[c[0] for c in CASES])
def test_test_event_pattern_result(events: Any, label: str, pattern: dict[str, Any], expected: bool) -> None:
    response = events.test_event_pattern(EventPattern=json.dumps(pattern), Event=json.dumps(ORDER))
    assert response["Result"] is expected


def test_rules_route_on_fields_inside_arrays(lab: Lab) -> None:
    """What TestEventPattern says is what a rule does."""
    url, arn = queue(lab, "books")
    bus = rule(lab, [{"Id": "q", "Arn": arn}], pattern={"detail": {"items": {"sku": [{"prefix": "BOOK"}]}}})
    put_order(lab, bus, {"orderId": "o-1", "items": [{"sku": "SKU-1"}]})
    put_order(lab, bus, {"orderId": "o-2", "items": [{"sku": "SKU-1"}, {"sku": "BOOK-2"}]})
    assert [json.loads(m["Body"])["detail"]["orderId"] for m in drain(lab, url)] == ["o-2"]


def test_event_missing_a_mandatory_field_is_rejected(lab: Lab) -> None:
    event = {k: v for k, v in ORDER.items() if k != "account"}
    with pytest.raises(ClientError) as info:
        lab.client("events").test_event_pattern(EventPattern='{"source": ["securecart.orders"]}', Event=json.dumps(event))
    assert "account" in info.value.response["Error"]["Message"]


def test_malformed_pattern_is_rejected(lab: Lab) -> None:
    with pytest.raises(ClientError) as info:
        lab.client("events").test_event_pattern(EventPattern='{"source": "not-an-array"}', Event=json.dumps(ORDER))
    assert info.value.response["Error"]["Code"] == "InvalidEventPatternException"
