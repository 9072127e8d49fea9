"""One recorded row, kept small: a slotted object of plain values, turned into a DataFrame only
when someone looks (``Flow.df``). The trace can hold 100,000 of these without the kernel noticing."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

#: Raw payload kept per row: enough for an 80-character summary after masking (which shortens
#: ARNs and handles), never a whole body. 200 keeps a row near 720 bytes (benchmarks/trace_overhead.py: 726 B/row).
PAYLOAD_KEEP = 200

#: The columns of ``Flow.df``, in order (contract 2 in the project's shared contracts).
COLUMNS: tuple[str, ...] = ("seq", "time", "kind", "service", "operation", "source", "target", "message_ids",
                            "cause_id", "order_ids", "count", "payload", "status", "error", "detail")


@dataclass(slots=True)
class Row:
    """A call the student's client made, or a delivery the backend made by itself."""

    seq: int
    time: float  #: epoch seconds (UTC); a Timestamp only in the DataFrame
    kind: str  #: "call" | "delivery"
    service: str
    operation: str
    source: str = "client"
    target: str = ""
    message_ids: tuple[str, ...] = ()
    cause_id: str | None = None
    order_ids: tuple[str, ...] = ()
    count: int = 0
    payload: Any = None  #: raw, clipped to PAYLOAD_KEEP characters; masked and summarised on display
    status: str = "ok"
    error: str | None = None
    detail: dict[str, Any] | None = None
    #: For a row of several messages: each message's own order ids, in ``message_ids`` order
    #: (which order is in which message of a batch; ``Flow.follow`` needs it). None for a row of
    #: one message (its ``order_ids`` are that message's) or when no message names an order.
    message_orders: tuple[tuple[str, ...], ...] | None = None

    def per_message(self) -> tuple[tuple[str, tuple[str, ...]], ...]:
        """``(message id, its order ids)`` for each message of the row whose orders are known."""
        if self.message_orders is not None:
            return tuple(zip(self.message_ids, self.message_orders))
        if len(self.message_ids) == 1:
            return ((self.message_ids[0], self.order_ids),)
        return ()


def set_message_orders(row: Row, orders: list[tuple[str, ...]]) -> None:
    """Record each message's own order ids (``orders``, aligned with ``row.message_ids``) on a row
    of several messages; nothing for one message, a mismatch, or messages that name no order."""
    if len(orders) > 1 and len(orders) == len(row.message_ids) and any(orders):
        row.message_orders = tuple(orders)


def clip(value: Any) -> str | None:
    """The first PAYLOAD_KEEP characters of a payload as text (bytes decoded leniently)."""
    if value is None:
        return None
    if isinstance(value, (bytes, bytearray)):
        value = bytes(value[:PAYLOAD_KEEP]).decode("utf-8", "replace")
    elif not isinstance(value, str):
        value = str(value)
    return value[:PAYLOAD_KEEP]
