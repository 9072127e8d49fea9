"""Step Functions Wait states and Retry intervals keep AWS's timing without stalling a notebook.

AWS (Amazon States Language, Wait state): "A Wait state ("Type": "Wait") delays the state machine
from continuing for a specified time", e.g. ``"Seconds": 10``; (error handling, Retry):
"IntervalSeconds - the number of seconds before the first retry attempt", each next interval
multiplied by "BackoffRate". moto 5.2.5's interpreter really sleeps for all of it: a fulfilment
machine that waits 30 s for a courier, or retries a payment 3 times with backoff 2, blocks the lab
(and the test suite) for that long.

**Emulator choice: a per-execution time warp.** A wait or retry interval sleeps for real up to
:data:`MAX_REAL_SECONDS` (default 1 s, env ``LABS_SFN_MAX_REAL_WAIT``), so short waits behave as
they do on AWS and a learner still sees an execution be RUNNING for a moment; beyond that the
execution's own clock jumps ahead. Everything the learner can read keeps AWS's timing: history
event ``timestamp``s after a ``Wait`` of 30 s are 30 s later than ``WaitStateEntered``, retries are
``IntervalSeconds * BackoffRate**n`` apart, and ``describe_execution``'s ``stopDate`` is
``startDate`` plus the whole simulated duration. Only wall-clock time is saved. Concurrent branches
(Parallel, Map) that wait at the same time advance the clock once, not once each, since the clock
moves to the latest "wake-up" time rather than by the sum of waits. A ``Wait`` with ``Timestamp``
computes its delay from the real clock, as moto does. The state machine's ``TimeoutSeconds`` is
measured on the execution's clock too: a 30 s Wait in a machine with ``"TimeoutSeconds": 10`` ends
as TIMED_OUT (``ExecutionTimedOut``) 10 s into the execution, as on AWS.

How: one offset per execution, kept on its ``EventManager`` (shared by its branches); ``add_event``
stamps events with real time + offset; ``WaitFunction._wait_interval`` and ``RetrierDecl``'s
interval sleep go through :func:`warped_wait`; the execution's ``stop_date`` gets the offset added.
"""

from __future__ import annotations

import datetime
import functools
import os
import threading
import time
from typing import Any

from ..patching import Patch

NAME = "sfn_time_warp"
#: Longest real sleep of one Wait state or retry interval, in seconds.
MAX_REAL_SECONDS = float(os.environ.get("LABS_SFN_MAX_REAL_WAIT", "1.0"))
#: Longest real sleep of one Retry interval, in seconds: nobody watches a retry wait, and a saga that
#: retries a payment provider three times should not keep a notebook (or a check) waiting seconds.
MAX_REAL_RETRY_SECONDS = float(os.environ.get("LABS_SFN_MAX_REAL_RETRY_WAIT", "0.05"))
_OFFSET = "_labs_clock_offset"
_DEADLINE, _ROOT = "_labs_deadline", "_labs_root_env"  #: the execution's TimeoutSeconds, on its clock
_lock = threading.Lock()
_current = threading.local()  #: the Environment of the retrier running on this thread


def offset_of(event_manager: Any) -> float:
    """Seconds the execution's clock is ahead of the real clock."""
    return float(getattr(event_manager, _OFFSET, 0.0))


def execution_now(event_manager: Any) -> datetime.datetime:
    """The execution's clock: real UTC time plus the time its waits skipped."""
    return datetime.datetime.now(tz=datetime.UTC) + datetime.timedelta(seconds=offset_of(event_manager))


def warped_wait(env: Any, seconds: float, interruptible: bool, cap: float | None = None) -> None:
    """Let ``seconds`` pass on the execution's clock, sleeping at most ``MAX_REAL_SECONDS`` for real.

    The clock moves to ``start + seconds`` (never backwards), so two branches waiting 10 s side by side
    end 10 s later, not 20.
    """
    manager = env.event_manager
    wake_up = time.time() + offset_of(manager) + max(0.0, float(seconds))
    deadline, root = getattr(manager, _DEADLINE, None), getattr(manager, _ROOT, None)
    if deadline is not None and root is not None and wake_up > deadline:
        _time_out(manager, root, deadline)  # the execution's TimeoutSeconds comes first
        return
    real = min(max(0.0, float(seconds)), MAX_REAL_SECONDS if cap is None else cap)
    if real > 0:
        if interruptible:
            env.program_state_event.wait(real)  # StopExecution interrupts the wait, as in moto
        else:
            time.sleep(real)
    if interruptible and not env.is_running():
        return  # stopped: the rest of the wait never happens
    with _lock:
        setattr(manager, _OFFSET, max(offset_of(manager), wake_up - time.time()))


def _time_out(manager: Any, root: Any, deadline: float) -> None:
    """Sleep (capped) until the execution's deadline on its own clock, then time the execution out."""
    remaining = max(0.0, deadline - (time.time() + offset_of(manager)))
    root.program_state_event.wait(min(remaining, MAX_REAL_SECONDS))
    with _lock:
        setattr(manager, _OFFSET, max(offset_of(manager), deadline - time.time()))
    if root.is_running():
        root.set_timed_out()  # what moto's Program.eval does when its real-time join expires


class _WarpedTime:
    """Stands in for the ``time`` module inside moto's retrier: ``sleep`` is warped, the rest is real."""

    def __getattr__(self, name: str) -> Any:
        return getattr(time, name)

    @staticmethod
    def sleep(seconds: float) -> None:
        env = getattr(_current, "env", None)
        if env is None:
            time.sleep(seconds)
        else:
            warped_wait(env, seconds, interruptible=False, cap=MAX_REAL_RETRY_SECONDS)


def _apply() -> None:
    from moto.stepfunctions.parser.asl.component.common.retry import retrier_decl
    from moto.stepfunctions.parser.asl.component.program.program import Program
    from moto.stepfunctions.parser.asl.component.state.wait.wait_function.wait_function import WaitFunction
    from moto.stepfunctions.parser.asl.eval.event.event_manager import EventManager
    from moto.stepfunctions.parser.backend.execution import BaseExecutionWorkerCommunication

    program_eval = Program.eval

    @functools.wraps(program_eval)
    def eval_with_deadline(self: Any, env: Any) -> None:
        timeout = self.timeout_seconds.timeout_seconds if self.timeout_seconds else None
        if timeout and not env.is_frame():  # the execution's own TimeoutSeconds, not a branch's
            manager = env.event_manager
            setattr(manager, _DEADLINE, time.time() + offset_of(manager) + float(timeout))
            setattr(manager, _ROOT, env)
        program_eval(self, env)

    Program.eval = eval_with_deadline  # type: ignore[method-assign]

    def wait_interval(self: Any, env: Any, wait_seconds: int) -> None:
        warped_wait(env, wait_seconds, interruptible=True)

    WaitFunction._wait_interval = wait_interval  # type: ignore[method-assign]

    retry_body = retrier_decl.RetrierDecl._eval_body

    @functools.wraps(retry_body)
    def retry_on_execution_clock(self: Any, env: Any) -> None:
        _current.env = env
        try:
            retry_body(self, env)
        finally:
            _current.env = None

    retrier_decl.RetrierDecl._eval_body = retry_on_execution_clock  # type: ignore[method-assign]
    retrier_decl.time = _WarpedTime()  # type: ignore[attr-defined]

    add_event = EventManager.add_event

    @functools.wraps(add_event)
    def add_event_on_execution_clock(self: Any, context: Any, event_type: Any, event_details: Any = None,
                                     timestamp: Any = None, update_source_event_id: bool = True) -> int:
        if timestamp is None and offset_of(self):
            timestamp = execution_now(self)
        return add_event(self, context, event_type, event_details, timestamp, update_source_event_id)

    EventManager.add_event = add_event_on_execution_clock  # type: ignore[method-assign]

    reflect = BaseExecutionWorkerCommunication._reflect_execution_status

    @functools.wraps(reflect)
    def reflect_on_execution_clock(self: Any) -> None:
        reflect(self)
        worker = self.execution.exec_worker
        offset = offset_of(worker.env.event_manager) if worker is not None and worker.env is not None else 0.0
        if offset and self.execution.stop_date is not None:
            self.execution.stop_date += datetime.timedelta(seconds=offset)

    BaseExecutionWorkerCommunication._reflect_execution_status = reflect_on_execution_clock  # type: ignore[method-assign]


PATCH = Patch(
    name=NAME,
    restores="Wait states and Retry intervals (IntervalSeconds, BackoffRate) take their full time in the "
             "execution's history and stopDate; emulator speed-up (time warp): at most "
             f"{MAX_REAL_SECONDS:g} s of each is slept for real",
    plain_moto="every Wait and retry interval blocks for its full length in real time",
    apply=_apply,
    targets={
        "moto.stepfunctions.parser.asl.component.state.wait.wait_function.wait_function:WaitFunction._wait_interval": "8f954dee8037",
        "moto.stepfunctions.parser.asl.component.common.retry.retrier_decl:RetrierDecl._eval_body": "48463fff19ce",
        "moto.stepfunctions.parser.asl.eval.event.event_manager:EventManager.add_event": "cb430fa2e3fe",
        "moto.stepfunctions.parser.backend.execution:BaseExecutionWorkerCommunication._reflect_execution_status": "038a396107af",
        "moto.stepfunctions.parser.asl.component.program.program:Program.eval": "6d701880064a",
    },
)
