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

How: every evaluation frame (the execution, each Parallel branch, each Map worker and iteration)
keeps its own offset: a frame starts with its parent's offset at the moment it is opened, its
waits move only its own clock, and closing it moves the parent's clock to the later of the two.
So branches that start together start at the same instant on the execution's clock even when a
busy machine starts their threads a moment apart (one shared offset let a late branch begin after
its sibling's wait had already moved the clock: two 10 s waits side by side then took 20 s).
``add_event`` stamps an event with real time + the offset of the frame it belongs to;
``WaitFunction._wait_interval`` and ``RetrierDecl``'s interval sleep go through :func:`warped_wait`;
the ``EventManager`` keeps the latest offset of all, which the execution's ``stop_date`` gets added.
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
_FRAME = "_labs_clock_frame"  #: on an EventHistoryContext: the Environment whose events it records
_lock = threading.Lock()
_current = threading.local()  #: the Environment of the retrier running on this thread


def offset_of(event_manager: Any) -> float:
    """Seconds the execution's clock is ahead of the real clock: the latest of all its frames."""
    return float(getattr(event_manager, _OFFSET, 0.0))


def frame_offset(env: Any) -> float:
    """Seconds one frame's clock (the execution's, a branch's, an iteration's) is ahead of real time."""
    own = getattr(env, _OFFSET, None)
    return float(own) if own is not None else offset_of(env.event_manager)


def _real_now_plus(offset: float) -> datetime.datetime:
    return datetime.datetime.now(tz=datetime.UTC) + datetime.timedelta(seconds=offset)


def execution_now(env: Any) -> datetime.datetime:
    """A frame's clock: real UTC time plus the time its waits (and its finished children's) skipped."""
    return _real_now_plus(frame_offset(env))


def _move_clock(env: Any, offset: float) -> None:
    """Move a frame's clock (and the execution's latest) forward to ``offset``, never back."""
    with _lock:
        setattr(env, _OFFSET, max(frame_offset(env), offset))
        manager = env.event_manager
        setattr(manager, _OFFSET, max(offset_of(manager), offset))


def _own_clock(env: Any, offset: float) -> None:
    """Give a frame its own clock, starting at ``offset``, and let its events be stamped with it."""
    setattr(env, _OFFSET, offset)
    setattr(env.event_history_context, _FRAME, env)


def warped_wait(env: Any, seconds: float, interruptible: bool, cap: float | None = None) -> None:
    """Let ``seconds`` pass on the frame's clock, sleeping at most ``MAX_REAL_SECONDS`` for real.

    The clock moves to ``start + seconds`` (never backwards); sibling branches have clocks of their
    own, so two branches waiting 10 s side by side end 10 s later, not 20.
    """
    manager = env.event_manager
    wake_up = time.time() + frame_offset(env) + max(0.0, float(seconds))
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
    _move_clock(env, wake_up - time.time())


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
    from moto.stepfunctions.parser.asl.eval.environment import Environment
    from moto.stepfunctions.parser.asl.eval.event.event_manager import EventManager
    from moto.stepfunctions.parser.backend.execution import BaseExecutionWorkerCommunication

    program_eval = Program.eval

    @functools.wraps(program_eval)
    def eval_with_deadline(self: Any, env: Any) -> None:
        if getattr(env, _OFFSET, None) is None:
            _own_clock(env, offset_of(env.event_manager))  # the execution itself
        timeout = self.timeout_seconds.timeout_seconds if self.timeout_seconds else None
        if timeout and not env.is_frame():  # the execution's own TimeoutSeconds, not a branch's
            manager = env.event_manager
            setattr(manager, _DEADLINE, time.time() + offset_of(manager) + float(timeout))
            setattr(manager, _ROOT, env)
        program_eval(self, env)

    Program.eval = eval_with_deadline  # type: ignore[method-assign]

    inner_frame = Environment.as_inner_frame_of.__func__  # type: ignore[attr-defined]

    @functools.wraps(inner_frame)
    def frame_with_own_clock(cls: Any, env: Any, *args: Any, **kwargs: Any) -> Any:
        frame = inner_frame(cls, env, *args, **kwargs)
        _own_clock(frame, frame_offset(env))  # a branch starts when it is opened, on its parent's clock
        return frame

    Environment.as_inner_frame_of = classmethod(frame_with_own_clock)  # type: ignore[method-assign,assignment]
    close_frame = Environment.close_frame

    @functools.wraps(close_frame)
    def close_frame_and_catch_up(self: Any, frame: Any) -> None:
        close_frame(self, frame)
        _move_clock(self, frame_offset(frame))  # the parent goes on once its branch has finished

    Environment.close_frame = close_frame_and_catch_up  # type: ignore[method-assign]

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
        frame = getattr(context, _FRAME, None)
        offset = frame_offset(frame) if frame is not None else offset_of(self)
        if timestamp is None and offset:
            timestamp = _real_now_plus(offset)
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
        "moto.stepfunctions.parser.asl.eval.environment:Environment.as_inner_frame_of": "eb77183cac4a",
        "moto.stepfunctions.parser.asl.eval.environment:Environment.close_frame": "c7ee3303501d",
    },
)
