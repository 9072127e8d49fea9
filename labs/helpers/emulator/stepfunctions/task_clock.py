"""Task timeouts and heartbeats of ``.waitForTaskToken`` steps run on the emulator clock, which ``advance`` moves.

AWS (Step Functions developer guide, "Wait for a Callback with Task Token"): a Task state with
``.waitForTaskToken`` pauses until ``SendTaskSuccess`` or ``SendTaskFailure`` comes back with the token;
"you should specify a timeout ... TimeoutSeconds", else the execution can wait for up to a year (the
execution's maximum duration) for an answer that never comes, and "HeartbeatSeconds" fails the task
when no ``SendTaskHeartbeat`` arrives in time. The errors are ``States.Timeout`` (the task ran longer
than ``TimeoutSeconds``, "or failed to send a heartbeat for a period longer than the HeartbeatSeconds
value"), which ``Retry``/``Catch`` match like any error (ASL, "Error names"; moto's interpreter, ported
from LocalStack whose AWS-recorded heartbeat snapshot shows it, already raises it).

moto 5.2.5 waits for those on the real clock (``threading.Event.wait(timeout)``): a warehouse step
with a one-hour timeout stays RUNNING for an hour, so a lab or a check could never see the timeout.

The emulator: the three waits involved (a state's ``TimeoutSeconds`` in ``ExecutionState``, the
callback's and the heartbeat's) count the real time that passed **plus** every
:func:`labs.helpers.functions.advance` (the emulator clock of :mod:`..events.schedules`, also moved by
``POST /moto-api/labs/clock`` on the shared emulator) made since they began; they wake up at least
every :data:`SLICE_SECONDS` to look. So ``advance(lab, hours=2)`` is "two hours pass": a task whose
timeout or heartbeat fell due times out with AWS's error, and one that was answered in time is not
affected. Short timeouts still expire in real time, as on AWS.
"""

from __future__ import annotations

import functools
import threading
import time
from typing import Any

from ..patching import Patch

NAME = "sfn_task_clock"
SLICE_SECONDS = 0.05  #: how often a waiting task looks at the emulator clock


def _offset() -> float:
    from ..events import schedules

    return schedules.now() - time.time()


def clock_wait(event: threading.Event, timeout: float | None) -> bool:
    """``event.wait(timeout)`` with the emulator clock's advances counted as time passing."""
    if timeout is None:
        return event.wait()
    started_real, started_offset = time.monotonic(), _offset()
    while True:
        passed = (time.monotonic() - started_real) + (_offset() - started_offset)
        remaining = float(timeout) - passed
        if remaining <= 0:
            return event.is_set()
        if event.wait(min(remaining, SLICE_SECONDS)):
            return True


class ClockEvent(threading.Event):
    """A ``threading.Event`` whose ``wait(timeout)`` is :func:`clock_wait`."""

    def wait(self, timeout: float | None = None) -> bool:
        return clock_wait(super(), timeout) if timeout is not None else super().wait()  # type: ignore[arg-type]


class _Threading:
    """Stands in for ``threading`` in moto's execute_state module: its Events are ClockEvents."""

    Event = ClockEvent

    def __getattr__(self, name: str) -> Any:
        return getattr(threading, name)


def _apply() -> None:
    from moto.stepfunctions.parser.asl.component.state.exec import execute_state
    from moto.stepfunctions.parser.asl.eval.callback.callback import CallbackEndpoint, HeartbeatEndpoint

    execute_state.threading = _Threading()  # type: ignore[attr-defined]

    @functools.wraps(HeartbeatEndpoint.clear_and_wait)
    def clear_and_wait(self: Any) -> bool:
        with self._mutex:
            if self._next_heartbeat_event.is_set():
                self._next_heartbeat_event.clear()
                return True
        return clock_wait(self._next_heartbeat_event, self._heartbeat_seconds)

    @functools.wraps(CallbackEndpoint.wait)
    def callback_wait(self: Any, timeout: float | None = None) -> Any:
        clock_wait(self._notify_event, timeout)
        return self._outcome

    HeartbeatEndpoint.clear_and_wait = clear_and_wait  # type: ignore[method-assign]
    CallbackEndpoint.wait = callback_wait  # type: ignore[method-assign]


PATCH = Patch(
    name=NAME,
    restores="a task's TimeoutSeconds and HeartbeatSeconds (States.Timeout) expire on "
             "the emulator clock: advance() lets the hours pass without waiting for them",
    plain_moto="they run on the real clock only: a .waitForTaskToken step with a one-hour timeout stays RUNNING "
               "for an hour",
    apply=_apply,
    targets={
        "moto.stepfunctions.parser.asl.component.state.exec.execute_state:ExecutionState._evaluate_with_timeout": "c56deda08a42",
        "moto.stepfunctions.parser.asl.eval.callback.callback:HeartbeatEndpoint.clear_and_wait": "2037f07deefe",
        "moto.stepfunctions.parser.asl.eval.callback.callback:CallbackEndpoint.wait": "85d0fa6224f1",
    },
)
