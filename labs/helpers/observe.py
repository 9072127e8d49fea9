"""A tiny in-process publish/subscribe point for message movements nobody called directly.

The student's own calls are seen on their boto3 clients. Deliveries that happen *inside* the
backend (SNS fan-out to a subscriber, an EventBridge rule delivering to a target, a message moved
to a DLQ, a Lambda invoked by an event source mapping, a Step Functions state transition) are
reported here by the emulator layer, and the flow trace subscribes. Keeping this a separate
module means the emulator never imports the trace, and either works without the other.
"""

from __future__ import annotations

import threading
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any


@dataclass(frozen=True)
class Delivery:
    """One movement of a message or event performed by the backend itself.

    ``source`` and ``target`` are resource ARNs (or URLs for SQS); ``cause_id`` links back to the
    message/event id of the call that caused it (a publish, a put_events, a send).
    """

    service: str  #: the service doing the delivering: "sns", "events", "sqs", "lambda", "stepfunctions", ...
    action: str  #: e.g. "fanout", "filtered", "rule-match", "dlq-move", "esm-invoke", "state-entered"
    source: str
    target: str
    message_id: str | None = None
    cause_id: str | None = None
    status: str = "delivered"  #: "delivered", "filtered", "failed", "retrying", ...
    payload: Any = None
    detail: dict[str, Any] = field(default_factory=dict)
    time: float = field(default_factory=time.time)


Listener = Callable[[Delivery], None]
_listeners: list[Listener] = []
_lock = threading.Lock()


def subscribe(listener: Listener) -> Callable[[], None]:
    """Call ``listener`` for every delivery from now on; returns a function that unsubscribes."""
    with _lock:
        _listeners.append(listener)

    def unsubscribe() -> None:
        with _lock:
            if listener in _listeners:
                _listeners.remove(listener)

    return unsubscribe


def emit(delivery: Delivery) -> None:
    """Report a delivery. Cheap when nobody listens; a failing listener never breaks delivery."""
    with _lock:
        listeners = list(_listeners)
    for listener in listeners:
        try:
            listener(delivery)
        except Exception:  # noqa: BLE001, S110 - observing must never change what is observed
            pass
