"""Seeded SecureCart data: customers, orders, payments, order events and clicks, the same for the same seed.

Why seeded: notebook outputs are compared between runs (nbval), checks expect known counts, and
two students comparing notes see the same orders. Why malformed orders: a real queue receives
messages its consumer can not process (a producer bug, a truncated body), and the labs teach what
happens to them (retries, a dead-letter queue) and how a consumer rejects them deliberately.

Orders are returned as **message bodies** (JSON text), the way they arrive on a queue, because a
malformed one may not even be JSON. :func:`parse_order` is the validation a consumer applies.
"""

from __future__ import annotations

import json
import random
from datetime import UTC, datetime, timedelta
from decimal import Decimal, InvalidOperation
from typing import Any

#: The kinds of malformed order :func:`orders` mixes in, in this rotation.
MALFORMED_KINDS = ("missing-order-id", "bad-total", "bad-json")

_START = datetime(2026, 11, 2, 9, 0, tzinfo=UTC)
_FIRST = ["Ada", "Grace", "Alan", "Edsger", "Barbara", "Ken", "Margaret", "Linus", "Radia", "Tim",
          "Frances", "Donald", "Hedy", "John", "Katherine", "Dennis"]
_LAST = ["Lovelace", "Hopper", "Turing", "Dijkstra", "Liskov", "Thompson", "Hamilton", "Torvalds",
         "Perlman", "Berners-Lee", "Allen", "Knuth", "Lamarr", "Backus", "Johnson", "Ritchie"]
_COUNTRIES = [("GB", "GBP"), ("DE", "EUR"), ("FR", "EUR"), ("NL", "EUR"), ("US", "USD"), ("IE", "EUR")]
_PRODUCTS = [("SKU-HOODIE", "19.90"), ("SKU-MUG", "8.50"), ("SKU-STICKERS", "3.00"), ("SKU-KEYBOARD", "89.00"),
             ("SKU-CABLE", "12.40"), ("SKU-BACKPACK", "45.00"), ("SKU-LAMP", "27.75"), ("SKU-NOTEBOOK", "6.20")]
#: What happens to an order after it was placed: the lifecycles :func:`order_events` walks.
_LIFECYCLES = [("placed", "paid", "shipped"), ("placed", "payment_failed"), ("placed", "paid", "shipped", "refunded"),
               ("placed", "paid")]
_REGIONS = ["eu-west", "us-east", "ap-south"]
_ACTIONS = ["view", "view", "view", "search", "add_to_cart", "remove_from_cart", "checkout"]


class InvalidOrder(ValueError):
    """A message body that is not a valid order; ``reason`` says why (for logs and the DLQ story)."""

    def __init__(self, reason: str) -> None:
        self.reason = reason
        super().__init__(reason)


def _iso(moment: datetime) -> str:
    return moment.strftime("%Y-%m-%dT%H:%M:%SZ")


def customers(n: int = 12, *, seed: int = 7) -> list[dict[str, Any]]:
    """``n`` customers: customer_id ("CUST-001"...), name, email, country, currency."""
    rng = random.Random(f"customers/{seed}")
    out = []
    for i in range(n):
        first, last = rng.choice(_FIRST), rng.choice(_LAST)
        country, currency = rng.choice(_COUNTRIES)
        out.append({"customer_id": f"CUST-{i + 1:03d}", "name": f"{first} {last}",
                    "email": f"{first.lower()}.{last.lower()}@example.com", "country": country, "currency": currency})
    return out


def order(i: int, *, seed: int = 42, customer_list: list[dict[str, Any]] | None = None) -> dict[str, Any]:
    """The ``i``-th valid order of ``seed`` (0-based) as a dict; ``orders()`` is made of these."""
    people = customer_list or customers()
    rng = random.Random(f"order/{seed}/{i}")
    who = people[rng.randrange(len(people))]
    items = []
    for sku, price in rng.sample(_PRODUCTS, rng.randint(1, 3)):
        items.append({"sku": sku, "qty": rng.randint(1, 3), "unit_price": price})
    total = sum(Decimal(item["unit_price"]) * item["qty"] for item in items)
    created = _START + timedelta(minutes=i * 3 + rng.randint(0, 2), seconds=rng.randint(0, 59))
    return {"order_id": f"ORD-{seed}-{i + 1:04d}", "customer_id": who["customer_id"], "items": items,
            "total": float(total), "currency": who["currency"], "created_at": _iso(created)}


def _malformed(kind: str, good: dict[str, Any]) -> str:
    if kind == "missing-order-id":
        return json.dumps({k: v for k, v in good.items() if k != "order_id"})
    if kind == "bad-total":
        return json.dumps({**good, "total": "abc"})
    return json.dumps(good)[: 40]  # bad-json: a body cut off mid-way, as a truncating producer sends it


def orders(n: int, *, seed: int = 42, malformed: int = 0) -> list[str]:
    """``n`` order message bodies (JSON text), ``malformed`` of them invalid, the same for a seed.

    Malformed ones rotate through :data:`MALFORMED_KINDS` (missing order_id, total "abc",
    truncated JSON) and sit at seeded positions among the valid ones; :func:`parse_order`
    rejects exactly those.
    """
    if not 0 <= malformed <= n:
        raise ValueError(f"malformed={malformed} must be between 0 and n={n}")
    rng = random.Random(f"orders/{seed}/{n}/{malformed}")
    bad_positions = sorted(rng.sample(range(n), malformed))
    people = customers()
    bodies = []
    for i in range(n):
        good = order(i, seed=seed, customer_list=people)
        if i in bad_positions:
            bodies.append(_malformed(MALFORMED_KINDS[bad_positions.index(i) % len(MALFORMED_KINDS)], good))
        else:
            bodies.append(json.dumps(good))
    return bodies


def parse_order(body: str | bytes) -> dict[str, Any]:
    """The order in a message body, or :class:`InvalidOrder` saying what is wrong with it.

    ``total`` comes back as a :class:`~decimal.Decimal` (money is never a float in a ledger).
    """
    try:
        value = json.loads(body)
    except (TypeError, ValueError):
        raise InvalidOrder("body is not valid JSON") from None
    if not isinstance(value, dict):
        raise InvalidOrder("body is not a JSON object")
    for key in ("order_id", "customer_id", "total", "currency"):
        if key not in value:
            raise InvalidOrder(f"missing {key}")
    if isinstance(value["total"], bool):
        raise InvalidOrder("total is not a number")
    try:
        total = Decimal(str(value["total"]))
    except InvalidOperation:
        raise InvalidOrder(f"total {value['total']!r} is not a number") from None
    if not total.is_finite() or total < 0:
        raise InvalidOrder(f"total {value['total']!r} is not a positive amount")
    return {**value, "total": total}


def payments(n: int, *, seed: int = 5, n_customers: int = 3) -> list[dict[str, Any]]:
    """``n`` payment events of ``n_customers`` customers, in the order each customer made them.

    Each order goes through "authorised" then "captured" (sometimes "refunded"): the order within
    one customer matters (a capture before its authorisation is a bug), which is what a FIFO
    queue with one message group per customer preserves.
    """
    rng = random.Random(f"payments/{seed}")
    people = customers()[:n_customers]
    open_orders: dict[str, list[tuple[str, str, str]]] = {p["customer_id"]: [] for p in people}
    out: list[dict[str, Any]] = []
    counter = 0
    while len(out) < n:
        who = people[rng.randrange(len(people))]
        cid = who["customer_id"]
        pending = open_orders[cid]
        if pending and rng.random() < 0.6:
            order_id, amount, stage = pending.pop(0)
            kind = "captured" if stage == "authorised" else "refunded"
            if kind == "captured" and rng.random() < 0.2:
                pending.append((order_id, amount, "captured"))
        else:
            counter += 1
            order_id = f"ORD-P{seed}-{counter:03d}"
            amount = f"{rng.randint(500, 9000) / 100:.2f}"
            kind = "authorised"
            pending.append((order_id, amount, "authorised"))
        out.append({"payment_id": f"PAY-{seed}-{len(out) + 1:04d}", "customer_id": cid, "order_id": order_id,
                    "event": kind, "amount": amount, "currency": who["currency"]})
    return out


def order_events(n: int, *, seed: int = 8, big_every: int = 4) -> list[dict[str, Any]]:
    """``n`` order status events, each order's events in lifecycle order (placed, then paid or
    payment_failed, then shipped, sometimes refunded), interleaved across orders as a day's traffic is.

    Each: event_id, order_id, customer_id, event_type, amount (a number, in the order's currency),
    currency, region, phone (E.164, from the fictional +1 206 555-01xx range), email, at. Every
    ``big_every``-th order is over 1000, so fraud rules ("payment_failed AND amount > 1000") have
    something to find; the first two orders always fail payment, one of them big.
    """
    rng = random.Random(f"order-events/{seed}")
    people = customers()
    lives: list[list[dict[str, Any]]] = []
    count, moment = 0, _START
    while count < n:
        k = len(lives)
        who = people[rng.randrange(len(people))]
        steps = _LIFECYCLES[1] if k < 2 else rng.choice(_LIFECYCLES)
        amount = round(rng.uniform(1000.5, 4000), 2) if k % big_every == 0 else round(rng.uniform(5, 400), 2)
        order_id = f"ORD-E{seed}-{k + 1:03d}"
        region = rng.choice(_REGIONS)
        life = [{"order_id": order_id, "customer_id": who["customer_id"], "event_type": step, "amount": amount,
                 "currency": who["currency"], "region": region, "phone": f"+120655501{k % 100:02d}",
                 "email": who["email"]} for step in steps]
        count += len(life)
        lives.append(life)
    out: list[dict[str, Any]] = []
    while len(out) < n:  # interleave: take the next event of a random order still in progress
        open_lives = [life for life in lives if life]
        event = rng.choice(open_lives).pop(0)
        moment += timedelta(seconds=rng.randint(5, 90))
        out.append({"event_id": f"EVT-{seed}-{len(out) + 1:04d}", **event, "at": _iso(moment)})
    return out


#: The warehouses :func:`inventory_levels` reports from.
_WAREHOUSES = ["WH-LEEDS", "WH-ROTTERDAM", "WH-RENO"]
#: Stock at or below this many units is low: the restock workflow of lab 3 starts below it.
REORDER_POINT = 10


def inventory_levels(n: int, *, seed: int = 3) -> list[dict[str, Any]]:
    """``n`` "InventoryLevelChanged" details, as the inventory service publishes them to lab 3's bus.

    Each: event_id, sku (``SKU-...``, and now and then a gift card ``GC-...``), warehouse, quantity
    (an int), reorder_point (:data:`REORDER_POINT`), backorders (customers waiting), environment
    ("prod", every fifth one "test": the load tests' traffic shares the bus), at. Some quantities are
    below the reorder point, one exactly at it; a few events carry no warehouse (a manual correction).
    """
    rng = random.Random(f"inventory/{seed}")
    moment = _START
    out = []
    for i in range(n):
        sku = rng.choice(_PRODUCTS)[0] if i % 7 != 6 else f"GC-{rng.choice([25, 50, 100])}"
        quantity = rng.choice([0, 2, 4, 7, 9]) if i % 3 == 0 else (REORDER_POINT if i % 8 == 4 else rng.randint(11, 80))
        moment += timedelta(seconds=rng.randint(20, 200))
        event = {"event_id": f"INV-{seed}-{i + 1:04d}", "sku": sku, "warehouse": _WAREHOUSES[i % 3],
                 "quantity": quantity, "reorder_point": REORDER_POINT,
                 "backorders": rng.choice([0, 0, 0, 2, 5]) if i % 4 == 1 else 0,
                 "environment": "test" if i % 5 == 2 else "prod", "at": _iso(moment)}
        if i % 9 == 8:
            del event["warehouse"]
        out.append(event)
    return out


def placed_orders(n: int, *, seed: int = 42) -> list[dict[str, Any]]:
    """``n`` "OrderPlaced" details (:func:`order` with an event_id), three minutes apart from 09:00."""
    return [{"event_id": f"OP-{seed}-{i + 1:04d}", **order(i, seed=seed)} for i in range(n)]


def clicks(n: int, *, seed: int = 11, sessions: int = 25) -> list[dict[str, Any]]:
    """``n`` user actions (the analytics log): session_id, customer_id, action, sku, at."""
    rng = random.Random(f"clicks/{seed}")
    people = customers()
    out = []
    moment = _START
    for i in range(n):
        session = rng.randrange(sessions)
        moment += timedelta(milliseconds=rng.randint(50, 4000))
        out.append({"click_id": f"CLK-{seed}-{i + 1:05d}", "session_id": f"S-{seed}-{session:03d}",
                    "customer_id": people[session % len(people)]["customer_id"], "action": rng.choice(_ACTIONS),
                    "sku": rng.choice(_PRODUCTS)[0], "at": _iso(moment)})
    return out


__all__ = ["MALFORMED_KINDS", "InvalidOrder", "clicks", "customers", "order", "order_events", "orders", "parse_order", "payments"]
