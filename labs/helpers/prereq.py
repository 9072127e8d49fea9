"""Let a notebook cell that depends on an earlier exercise run before that exercise is done.

The student notebook must run top to bottom with every exercise unanswered (``...``). A cell that
uses the orders queue therefore looks it up by name instead of trusting a variable the exercise
would have set, and prints which step to finish instead of crashing::

    orders_url = queue_url(lab, "orders", step=2)
    if orders_url:
        ...
"""

from __future__ import annotations

from typing import Any

from .checks._sqs import find_queue


def not_done(step: int | str, what: str) -> None:
    """Print the one-line "come back later" note (deterministic, so nbval can compare it)."""
    print(f"Step {step} is not done yet ({what}) - come back here after it.")


def queue_url(lab: Any, base: str, *, step: int | str) -> str | None:
    """The URL of the lab's queue ``base``, or None after saying which step creates it."""
    url = find_queue(lab, base)
    if url is None:
        not_done(step, f"there is no queue '{base}'")
    return url


def ready(value: Any, *, step: int | str, what: str) -> bool:
    """Is ``value`` an answer? ``...`` and None (an unanswered exercise) are not: say so."""
    if value is None or value is Ellipsis:
        not_done(step, what)
        return False
    return True


def existing_queues(lab: Any, bases: list[str]) -> list[str]:
    """Those of the lab's queues ``bases`` that exist now (silently: for a dashboard or a picture)."""
    return [base for base in bases if find_queue(lab, base) is not None]
