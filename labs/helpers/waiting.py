"""Wait for a Step Functions execution to finish, so notebooks never sleep blindly.

``start_execution`` returns at once and the execution runs on its own (on AWS and on the embedded
emulator alike). A notebook cell that reads the outcome straight after starting it would see
``RUNNING``; one that sleeps a fixed time is either slow or flaky. :func:`wait_for_execution` polls
``describe_execution`` with short, growing pauses until the status is no longer ``RUNNING`` and
returns the description, so the student reads ``status``, ``output``, ``error`` and ``cause``
themselves (a FAILED execution is an outcome to inspect, not an exception).
"""

from __future__ import annotations

import time
from collections.abc import Callable
from typing import Any, TypeVar

from .context import Lab
from .errors import LabError, explained

#: First and longest pause between two ``describe_execution`` calls, in seconds.
FIRST_POLL, LONGEST_POLL = 0.02, 0.5

T = TypeVar("T")


def poll(fetch: Callable[[], T], settled: Callable[[T], bool], timeout: float, first: float = FIRST_POLL,
         longest: float = LONGEST_POLL) -> tuple[T, bool]:
    """Call ``fetch()`` with short, growing pauses (``first`` doubling up to ``longest``) until
    ``settled(value)`` or ``timeout`` seconds have passed; return the last value and whether it
    settled. The one polling loop of the helpers: no blind sleep, and a deadline that holds.
    """
    deadline = time.monotonic() + timeout
    pause = first
    while True:
        value = fetch()
        if settled(value):
            return value, True
        if time.monotonic() >= deadline:
            return value, False
        time.sleep(min(pause, max(0.0, deadline - time.monotonic())))
        pause = min(pause * 2, longest)


def _current_state(sfn: Any, execution_arn: str) -> str | None:
    """The name of the state the execution entered last (for the timeout message)."""
    try:
        events = sfn.get_execution_history(executionArn=execution_arn, reverseOrder=True, maxResults=50)["events"]
    except Exception:  # noqa: BLE001 - only used to make a message more helpful
        return None
    for event in events:
        details = event.get("stateEnteredEventDetails")
        if details:
            return str(details.get("name"))
    return None


def wait_for_execution(lab: Lab, execution_arn: str, timeout: float = 10) -> dict[str, Any]:
    """``describe_execution`` of ``execution_arn`` once it has stopped running.

    Returns the description whatever the outcome (SUCCEEDED, FAILED, TIMED_OUT, ABORTED). Raises
    :class:`LabError` if it is still RUNNING after ``timeout`` seconds, naming the state it is in.
    """
    sfn = lab.client("stepfunctions")
    with explained(f"describe execution {str(execution_arn).rsplit(':', 1)[-1]!r}",
                   "Pass the executionArn that start_execution returned."):
        description, stopped = poll(lambda: sfn.describe_execution(executionArn=execution_arn),
                                    lambda d: d.get("status") != "RUNNING", timeout)
    if stopped:
        description.pop("ResponseMetadata", None)
        return description
    state = _current_state(sfn, execution_arn)
    where = f" in state '{state}'" if state else ""
    raise LabError(f"The execution is still RUNNING{where} after {timeout:g} s.",
                   "Wait longer (timeout=...), or read get_execution_history to see what it is waiting for "
                   "(a Wait state, a retry, a task that never answers).")
