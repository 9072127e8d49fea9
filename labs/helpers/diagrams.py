"""Static architecture pictures for a lab's introduction, drawn by code (no image files to keep in sync).

Each function returns a matplotlib Figure; the notebooks show them as a cell's value.
"""

from __future__ import annotations

from collections.abc import Sequence

import matplotlib.pyplot as plt
from matplotlib.axes import Axes
from matplotlib.figure import Figure
from matplotlib.patches import FancyBboxPatch

_FILL = {"service": "#e8f0fe", "queue": "#fff4d6", "client": "#eeeeee", "down": "#fde2e1", "topic": "#e6f4ea"}


def _box(ax: Axes, x: float, y: float, text: str, kind: str, w: float = 1.3, h: float = 0.7) -> None:
    ax.add_patch(FancyBboxPatch((x - w / 2, y - h / 2), w, h, boxstyle="round,pad=0.05",
                                facecolor=_FILL[kind], edgecolor="#555555"))
    ax.text(x, y, text, ha="center", va="center", fontsize=8.5)


def _arrow(ax: Axes, start: tuple[float, float], end: tuple[float, float], label: str = "", dashed: bool = False) -> None:
    ax.annotate("", xy=end, xytext=start, arrowprops={"arrowstyle": "->", "color": "#333333",
                                                        "linestyle": "--" if dashed else "-"})
    if label:
        ax.text((start[0] + end[0]) / 2, (start[1] + end[1]) / 2 + 0.12, label, ha="center", fontsize=7.5,
                color="#333333")


def _chain(ax: Axes, names: Sequence[tuple[str, str]], y: float, gap: float = 2.2) -> list[float]:
    xs = [0.8 + i * gap for i in range(len(names))]
    for x, (name, kind) in zip(xs, names):
        _box(ax, x, y, name, kind)
    return xs


def why_queues() -> Figure:
    """Left: a monolith's checkout calls payment, inventory and e-mail in one synchronous chain, so
    the slowest or broken step fails the order. Right: checkout only enqueues the order; the
    order service consumes it when it can, retries, and sets poison orders aside."""
    fig, (top, bottom) = plt.subplots(2, 1, figsize=(10, 3.8))
    for ax in (top, bottom):
        ax.set_xlim(0, 10.4)
        ax.set_ylim(-0.2, 1.6)
        ax.axis("off")
    xs = _chain(top, [("customer", "client"), ("checkout", "service"), ("payment", "service"),
                      ("inventory", "service"), ("e-mail (down)", "down")], 0.7)
    for a, b, label in zip(xs, xs[1:], ["POST /order", "charge()", "reserve()", "send()"]):
        _arrow(top, (a + 0.7, 0.7), (b - 0.7, 0.7), label)
    top.set_title("Synchronous chain: the customer waits for every step; one step down = order lost",
                  fontsize=9.5, loc="left")
    xs = _chain(bottom, [("customer", "client"), ("checkout", "service"), ("orders queue", "queue"),
                         ("order service\n(consumers)", "service"), ("orders-dlq", "queue")], 0.7)
    _arrow(bottom, (xs[0] + 0.7, 0.7), (xs[1] - 0.7, 0.7), "POST /order")
    _arrow(bottom, (xs[1] + 0.7, 0.7), (xs[2] - 0.7, 0.7), "SendMessage")
    _arrow(bottom, (xs[2] + 0.7, 0.7), (xs[3] - 0.7, 0.7), "Receive,\nDelete")
    _arrow(bottom, (xs[3] + 0.7, 0.7), (xs[4] - 0.7, 0.7), "N failed\nreceives", dashed=True)
    bottom.set_title("Queued: checkout answers once SQS stored the order; consumers catch up, retry, set poison aside",
                     fontsize=9.5, loc="left")
    fig.tight_layout()
    plt.close(fig)  # shown once, as the cell's value, not again by the inline backend
    return fig


def why_topics() -> Figure:
    """Top: point to point, a queue's messages go to one consumer group, so the order service would
    have to send a copy to every team's queue itself (and know them all). Bottom: publish/subscribe,
    the order service publishes once to a topic, and SNS hands a copy to every subscriber: queues,
    e-mail, SMS, a Lambda function, and a subscriber that only wants some of the events."""
    fig, (top, bottom) = plt.subplots(2, 1, figsize=(10, 5.2), gridspec_kw={"height_ratios": [1, 2.1]})
    top.set_xlim(0, 10.4)
    top.set_ylim(-0.2, 1.6)
    bottom.set_xlim(0, 10.4)
    bottom.set_ylim(-1.0, 4.0)
    for ax in (top, bottom):
        ax.axis("off")
    xs = _chain(top, [("order service", "service"), ("orders queue", "queue"), ("payments\n(one consumer)", "service")],
                0.7, gap=3.2)
    _arrow(top, (xs[0] + 0.7, 0.7), (xs[1] - 0.7, 0.7), "SendMessage")
    _arrow(top, (xs[1] + 0.7, 0.7), (xs[2] - 0.9, 0.7), "Receive, Delete")
    top.set_title("Point to point (lab 1): each message is processed by one consumer group", fontsize=9.5, loc="left")
    _box(bottom, 0.8, 1.8, "order service", "service")
    _box(bottom, 3.6, 1.8, "order-events\ntopic", "topic")
    _arrow(bottom, (1.5, 1.8), (2.9, 1.8), "Publish (once)")
    subscribers = [("analytics queue", "queue", "every event, raw"), ("support queue", "queue", "every event, envelope"),
                   ("e-mail: invoices", "client", "confirmed address"), ("SMS: customer", "client", "verified number"),
                   ("notifier Lambda", "service", "formats the text"), ("security queue", "queue", "payment_failed only")]
    for i, (name, kind, label) in enumerate(subscribers):
        y = 3.5 - i * 0.72
        _box(bottom, 8.4, y, name, kind, w=1.9, h=0.55)
        _arrow(bottom, (4.3, 1.8), (7.4, y), "", dashed=name.startswith("security"))
        bottom.text(9.5, y, label, fontsize=7.5, va="center", color="#333333")
    bottom.text(5.2, -0.8, "SNS delivers a copy to every subscriber; a filter policy (dashed) lets a subscriber "
                "receive only the events it wants", fontsize=8, ha="center", color="#333333")
    bottom.set_title("Publish/subscribe (this lab): the publisher does not know its subscribers", fontsize=9.5, loc="left")
    fig.tight_layout()
    plt.close(fig)
    return fig


def why_event_bus() -> Figure:
    """Producers put facts on one bus without knowing who listens; rules on the bus match events by
    content and hand each match to their targets (a queue, a function, a state machine, another
    account's bus); an archive keeps what the bus saw, for replay."""
    fig, ax = plt.subplots(figsize=(10, 4.6))
    ax.set_xlim(0, 10.6)
    ax.set_ylim(-0.6, 4.4)
    ax.axis("off")
    producers = [("inventory", "InventoryLevelChanged"), ("orders", "OrderPlaced"), ("payments", "PaymentFailed")]
    for i, (name, fact) in enumerate(producers):
        y = 3.4 - i * 1.3
        _box(ax, 0.8, y, f"{name}\nservice", "service", w=1.3, h=0.65)
        _arrow(ax, (1.45, y), (3.0, 1.95), fact)
    _box(ax, 3.8, 1.95, "securecart\nevent bus", "topic", w=1.5, h=1.0)
    rules = [("rule: low stock", 3.0, [("restock-requests\nqueue", "queue"), ("supplier-notifier\nLambda", "service"),
                                        ("restock\nstate machine", "service")]),
             ("rule: every event", 0.4, [("audit bus\n(security account)", "topic")])]
    x_target = 9.3
    for label, y, targets in rules:
        _box(ax, 6.1, y, label, "client", w=1.6, h=0.55)
        _arrow(ax, (4.55, 1.95), (5.3, y), "")
        for j, (name, kind) in enumerate(targets):
            ty = y + 0.0 - (j - (len(targets) - 1) / 2) * 0.8 if len(targets) > 1 else y
            _box(ax, x_target, ty, name, kind, w=1.8, h=0.6)
            _arrow(ax, (6.9, y), (8.4, ty), "")
    _box(ax, 3.8, -0.25, "archive\n(replay later)", "queue", w=1.5, h=0.55)
    _arrow(ax, (3.8, 1.45), (3.8, 0.05), "", dashed=True)
    ax.set_title("Producers publish facts to a bus; rules match them by content and route copies to targets",
                 fontsize=9.5, loc="left")
    fig.tight_layout()
    plt.close(fig)
    return fig


def why_change_data_capture() -> Figure:
    """Top: the order service writes the table and then publishes; a crash between the two loses the
    notification (or a failed write sends a false one): the dual-write problem. Bottom: the service
    writes only the table; DynamoDB Streams captures every committed change and Lambda turns status
    changes into notifications, retrying until it succeeds."""
    fig, (top, bottom) = plt.subplots(2, 1, figsize=(10, 3.8))
    for ax in (top, bottom):
        ax.set_xlim(0, 10.4)
        ax.set_ylim(-0.2, 1.6)
        ax.axis("off")
    _box(top, 0.9, 0.7, "order\nservice", "service")
    _box(top, 3.6, 1.2, "orders\ntable", "queue")
    _box(top, 3.6, 0.2, "topic", "topic")
    _arrow(top, (1.55, 0.85), (2.95, 1.2), "1. UpdateItem")
    _arrow(top, (1.55, 0.55), (2.95, 0.2), "2. Publish (crash here?)", dashed=True)
    _box(top, 7.2, 0.7, "two writes, no transaction:\none can happen without the other", "down", w=3.4)
    top.set_title("Dual write: the service writes the table, then publishes; a crash in between loses the "
                  "notification", fontsize=9.5, loc="left")
    xs = _chain(bottom, [("order\nservice", "service"), ("orders\ntable", "queue"), ("table's\nstream", "queue"),
                         ("notifier\nLambda", "service"), ("topic:\ne-mail / SMS", "topic")], 0.7)
    for a, b, label in zip(xs, xs[1:], ["UpdateItem\n(one write)", "every change,\nin order", "mapping:\nfilter, batch",
                                        "Publish"]):
        _arrow(bottom, (a + 0.7, 0.7), (b - 0.7, 0.7), label)
    bottom.set_title("Change data capture: one write; the stream delivers each committed change at least once, "
                     "and Lambda retries", fontsize=9.5, loc="left")
    fig.tight_layout()
    plt.close(fig)
    return fig


def status_timelines(changes: Sequence[tuple[str, str | None, str | None]],
                     notifications: Sequence[tuple[str, str]]) -> Figure:
    """Each order's status timeline (one row per order, the statuses in stream order) next to the
    notifications it produced (``(order_id, status)``, marked on the status they announce)."""
    orders: list[str] = []
    for order_id, _, _ in changes:
        if order_id not in orders:
            orders.append(order_id)
    fig, ax = plt.subplots(figsize=(10, 0.55 * max(len(orders), 1) + 1.3))
    notified = {(o, s) for o, s in notifications}
    counts: dict[tuple[str, str], int] = {}
    for o, s in notifications:
        counts[(o, s)] = counts.get((o, s), 0) + 1
    for row, order_id in enumerate(orders):
        y = len(orders) - 1 - row
        statuses = [new for o, _, new in changes if o == order_id and new]
        ax.plot(range(len(statuses)), [y] * len(statuses), color="#999999", zorder=1)
        for x, status in enumerate(statuses):
            hit = (order_id, status) in notified
            ax.scatter([x], [y], s=260, zorder=2, color="#2b8a3e" if hit else "#ced4da", edgecolor="#333333")
            label = status + (f" x{counts[(order_id, status)]}" if counts.get((order_id, status), 0) > 1 else "")
            ax.annotate(label, (x, y), xytext=(0, 11), textcoords="offset points", ha="center", fontsize=8)
    ax.set_yticks(range(len(orders)))
    ax.set_yticklabels(list(reversed(orders)), fontsize=9)
    ax.set_xlabel("status changes in stream order (green: the customer was notified)", fontsize=9)
    ax.set_ylim(-0.7, max(len(orders), 1) - 0.1 + 0.5)
    ax.set_xlim(-0.6, max([sum(1 for o, _, n in changes if o == oid and n) for oid in orders] or [1]) - 0.4)
    ax.spines[["top", "right", "left"]].set_visible(False)
    ax.set_title("Each order's statuses and the notifications they produced", fontsize=9.5, loc="left")
    fig.tight_layout()
    plt.close(fig)
    return fig


def choreography_vs_orchestration() -> Figure:
    """The same order two ways. Top (choreography, lab 3): every service reacts to the previous one's
    event on the bus; nobody owns the whole order, and undoing a charge needs yet more events. Bottom
    (orchestration, lab 4): one state machine calls each service in turn, retries, and on a failure
    runs the compensating steps itself (refund, release stock), with the order's whole history in one place."""
    fig, (top, bottom) = plt.subplots(2, 1, figsize=(10, 4.4))
    for ax in (top, bottom):
        ax.set_xlim(0, 10.4)
        ax.set_ylim(-0.4, 1.7)
        ax.axis("off")
    xs = _chain(top, [("orders", "service"), ("event bus", "topic"), ("inventory", "service"),
                      ("payments", "service"), ("shipping", "service")], 0.7)
    for a, b, label in zip(xs, xs[1:], ["OrderPlaced", "OrderPlaced", "StockReserved", "PaymentTaken"]):
        _arrow(top, (a + 0.7, 0.7), (b - 0.7, 0.7), label)
    top.set_title("Choreography: each service reacts to the last one's event; the order's progress is spread over all",
                  fontsize=9.5, loc="left")
    _box(bottom, 0.8, 0.7, "fulfilment\nstate machine", "queue", w=1.4, h=0.9)
    steps = [("validate", 2.6), ("reserve\nstock", 4.3), ("charge", 6.0), ("ship +\nnotify", 7.7), ("refund,\nrelease", 9.4)]
    for name, x in steps:
        kind = "down" if name.startswith("refund") else "service"
        _box(bottom, x, 1.25, name, kind, w=1.2, h=0.55)
        _arrow(bottom, (1.5, 0.8), (x - 0.6, 1.1), "", dashed=kind == "down")
    bottom.text(5.2, 0.15, "one execution: calls each step in order, retries the flaky ones, compensates on failure, "
                "keeps the history", ha="center", fontsize=8)
    bottom.set_title("Orchestration: one workflow owns the order; each service only answers its call",
                     fontsize=9.5, loc="left")
    fig.tight_layout()
    plt.close(fig)
    return fig
