"""Stand-ins for the services SecureCart calls that are not AWS: a payment provider, for now.

Why a class and not a counter in the notebook: a check that exercises the learner's idempotent
consumer must see every charge it causes and must be able to make the provider fail once, the way
a real provider times out now and then. The notebook and the check share one object.
"""

from __future__ import annotations

import threading
from collections import Counter
from typing import Any


class ProviderError(RuntimeError):
    """The payment provider failed (a timeout, a 503): nothing was charged; a retry may succeed."""


class PaymentProvider:
    """Charges customers for orders and counts every charge (each one costs the customer money)."""

    def __init__(self) -> None:
        self.charges: Counter[str] = Counter()  #: order_id -> how often it was charged
        self._fail = 0
        self._lock = threading.Lock()  # consumers call it from several threads

    def charge(self, order: dict[str, Any]) -> None:
        """Charge ``order`` (a parsed order with an ``order_id``); raises ProviderError while failing."""
        with self._lock:
            if self._fail:
                self._fail -= 1
                raise ProviderError("payment provider timed out; nothing was charged")
            self.charges[order["order_id"]] += 1

    def fail_next(self, times: int = 1) -> None:
        """Make the next ``times`` charges fail with :class:`ProviderError`."""
        with self._lock:
            self._fail = times

    def twice(self) -> list[str]:
        """Order ids charged more than once."""
        with self._lock:
            return sorted(order for order, n in self.charges.items() if n > 1)


__all__ = ["PaymentProvider", "ProviderError"]
