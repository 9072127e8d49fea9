"""Seeded SecureCart data: deterministic per seed, and malformed orders a consumer must reject."""

from __future__ import annotations

import json
from decimal import Decimal

import pytest

from labs.helpers import data


def test_orders_are_deterministic_for_a_seed_and_differ_between_seeds() -> None:
    assert data.orders(20, seed=3, malformed=2) == data.orders(20, seed=3, malformed=2)
    assert data.orders(20, seed=3) != data.orders(20, seed=4)


def test_valid_orders_have_every_field_and_a_total_that_adds_up() -> None:
    bodies = data.orders(50, seed=1)
    parsed = [data.parse_order(b) for b in bodies]
    assert len({o["order_id"] for o in parsed}) == 50
    for o in parsed:
        assert set(o) == {"order_id", "customer_id", "items", "total", "currency", "created_at"}
        assert o["total"] == sum(Decimal(i["unit_price"]) * i["qty"] for i in o["items"])
        assert o["currency"] in {"EUR", "GBP", "USD"} and o["created_at"].endswith("Z")


def test_malformed_orders_are_exactly_the_ones_parse_order_rejects() -> None:
    bodies = data.orders(30, seed=9, malformed=6)
    reasons = []
    for body in bodies:
        try:
            data.parse_order(body)
        except data.InvalidOrder as err:
            reasons.append(err.reason)
    assert len(reasons) == 6
    assert reasons.count("missing order_id") == 2
    assert reasons.count("total 'abc' is not a number") == 2
    assert reasons.count("body is not valid JSON") == 2


def test_malformed_orders_keep_the_valid_ones_order_ids() -> None:
    """Mixing in malformed orders does not renumber the valid ones (the lab refers to them)."""
    clean = [json.loads(b)["order_id"] for b in data.orders(10, seed=2)]
    mixed = data.orders(10, seed=2, malformed=3)
    kept = [data.parse_order(b)["order_id"] for b in mixed if _valid(b)]
    assert len(kept) == 7 and set(kept) <= set(clean)


def _valid(body: str) -> bool:
    try:
        data.parse_order(body)
        return True
    except data.InvalidOrder:
        return False


@pytest.mark.parametrize("body, reason", [
    ('{"order_id": "A", "customer_id": "C", "total": true, "currency": "EUR"}', "total is not a number"),
    ('{"order_id": "A", "customer_id": "C", "total": -1, "currency": "EUR"}', "total -1 is not a positive amount"),
    ('[1, 2]', "body is not a JSON object"),
])
def test_parse_order_rejects_other_bad_values(body: str, reason: str) -> None:
    with pytest.raises(data.InvalidOrder, match=reason):
        data.parse_order(body)


def test_malformed_count_is_validated() -> None:
    with pytest.raises(ValueError):
        data.orders(3, malformed=4)


def test_payments_keep_each_customers_order_lifecycle_in_order() -> None:
    events = data.payments(40, seed=5, n_customers=3)
    assert events == data.payments(40, seed=5, n_customers=3)
    assert len({e["customer_id"] for e in events}) == 3
    seen: dict[str, list[str]] = {}
    for e in events:
        seen.setdefault(e["order_id"], []).append(e["event"])
    for lifecycle in seen.values():
        assert lifecycle[0] == "authorised"
        assert lifecycle in (["authorised"], ["authorised", "captured"], ["authorised", "captured", "refunded"])


def test_customers_and_clicks_are_seeded() -> None:
    assert data.customers(5) == data.customers(5)
    assert [c["customer_id"] for c in data.customers(3)] == ["CUST-001", "CUST-002", "CUST-003"]
    clicks = data.clicks(100, seed=1)
    assert clicks == data.clicks(100, seed=1) and len({c["click_id"] for c in clicks}) == 100
    assert [c["at"] for c in clicks] == sorted(c["at"] for c in clicks)
