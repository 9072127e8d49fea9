"""Let a notebook cell that depends on an earlier exercise run before that exercise is done.

The student notebook must run top to bottom with every exercise unanswered (``...``). A cell that
uses the orders queue therefore looks it up by name instead of trusting a variable the exercise
would have set, and prints which step to finish instead of crashing::

    orders_url = queue_url(lab, "orders", step=2)
    if orders_url:
        ...
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from .checks._events import find_bus, find_rule
from .checks._sns import find_topic
from .checks._sqs import find_queue


class _Failed:
    """What :func:`attempt` returns when the learner's function raised: falsy, and not an answer."""

    def __bool__(self) -> bool:
        return False

    def __repr__(self) -> str:
        return "<the answer raised an error (explained above)>"


FAILED = _Failed()


def not_done(step: int | str, what: str) -> None:
    """Print the one-line "come back later" note (deterministic, so nbval can compare it)."""
    print(f"Step {step} is not done yet ({what}) - come back here after it.")


def queue_url(lab: Any, base: str, *, step: int | str) -> str | None:
    """The URL of the lab's queue ``base``, or None after saying which step creates it."""
    url = find_queue(lab, base)
    if url is None:
        not_done(step, f"there is no queue '{base}'")
    return url


def topic_arn(lab: Any, base: str, *, step: int | str) -> str | None:
    """The ARN of the lab's topic ``base``, or None after saying which step creates it."""
    arn = find_topic(lab, base)
    if arn is None:
        not_done(step, f"there is no topic '{base}'")
    return arn


def bus_arn(lab: Any, base: str, *, step: int | str, account: str | None = None) -> str | None:
    """The ARN of the lab's event bus ``base`` (in ``account``), or None after saying which step creates it."""
    arn = find_bus(lab, base, account=account)
    if arn is None:
        not_done(step, f"there is no event bus '{base}'")
    return arn


def rule_arn(lab: Any, base: str, *, bus: str, step: int | str, account: str | None = None) -> str | None:
    """The ARN of the lab's rule ``base`` on the lab's bus ``bus``, or None after saying which step creates it."""
    rule = find_rule(lab, base, bus=bus, account=account) if bus == "default" or find_bus(lab, bus, account=account) else None
    if rule is None:
        not_done(step, f"there is no rule '{base}' on the bus '{bus}'")
        return None
    return str(rule["Arn"])


def stream_name(lab: Any, base: str, *, step: int | str, provisioned: bool = False) -> str | None:
    """The name of the lab's ACTIVE Kinesis stream ``base``, or None after saying which step creates it
    (with ``provisioned``: also None, said, when the stream is on-demand, which cannot be resharded)."""
    name = lab.name(base)
    try:
        summary = lab.client("kinesis").describe_stream_summary(StreamName=name)["StreamDescriptionSummary"]
    except Exception:  # noqa: BLE001 - not there (ResourceNotFoundException) or not reachable
        summary = {}
    if summary.get("StreamStatus") not in ("ACTIVE", "UPDATING"):
        not_done(step, f"there is no active stream '{base}'")
        return None
    if provisioned and (summary.get("StreamModeDetails") or {}).get("StreamMode") == "ON_DEMAND":
        not_done(step, f"the stream '{base}' is on-demand: only a provisioned stream is resharded")
        return None
    return name


def ready(value: Any, *, step: int | str, what: str) -> bool:
    """Is ``value`` an answer? ``...`` and None (an unanswered exercise) are not: say so.
    :data:`FAILED` is not either, and was already explained by :func:`attempt`."""
    if value is FAILED:
        return False
    if value is None or value is Ellipsis:
        not_done(step, what)
        return False
    return True


def attempt(step: int | str, fn: Callable[..., Any], *args: Any, **kwargs: Any) -> Any:
    """Call the learner's ``fn`` from a given cell; if it raises, explain and return :data:`FAILED`.

    A wrong answer to one exercise must not end in a traceback in a later cell that only uses it:
    the cell says what went wrong (AWS's error explained, or the exception) and which exercise to fix.
    """
    from .aws_errors import explain
    from .notebook_errors import remember

    try:
        return fn(*args, **kwargs)
    except Exception as err:  # noqa: BLE001 - the learner's error becomes feedback, not a traceback
        remember(err)
        explained = explain(err)
        name = getattr(fn, "__name__", "your function")
        if explained is not None:
            print(f"Exercise {step}: {name} failed with {explained.code}: {explained.message}\n"
                  f"  {explained.means} {explained.fix}")
        else:
            print(f"Exercise {step}: {name} raised {type(err).__name__}: {err}\n"
                  f"  Fix {name} in exercise {step}, run its cell again, then this one.")
        return FAILED


def existing_queues(lab: Any, bases: list[str]) -> list[str]:
    """Those of the lab's queues ``bases`` that exist now (silently: for a dashboard or a picture)."""
    return [base for base in bases if find_queue(lab, base) is not None]


def table_stream(lab: Any, base: str, *, step: int | str) -> str | None:
    """The stream ARN of the lab's DynamoDB table ``base``, or None after saying which step makes it."""
    from .checks._ddb import find_table, stream_arn

    table = find_table(lab, base)
    if table is None:
        not_done(step, f"there is no table '{base}'")
        return None
    arn = stream_arn(table)
    if arn is None:
        not_done(step, f"the table '{base}' has no stream")
    return arn
