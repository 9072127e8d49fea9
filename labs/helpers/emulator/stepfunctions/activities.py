"""Step Functions activities: a Task state with an activity ARN waits for a worker's GetActivityTask and answer.

AWS (Step Functions developer guide, "Learn about Activities in Step Functions"): "Activities are an
AWS Step Functions feature that enables you to have a task in your state machine where the work is
performed by a worker that can be hosted on Amazon EC2, Amazon ECS, mobile devices -- basically
anywhere"; a Task state whose ``Resource`` is the activity's ARN schedules a task and waits. API
reference: GetActivityTask "Used by workers to retrieve a task (with the specified activity ARN)
which has been scheduled for execution by a running state machine. This initiates a long poll ...
responds as soon as a task becomes available ... The maximum time the service holds on to the request
before responding is 60 seconds. If no task is available within 60 seconds, the poll returns a
taskToken with a null string" (errors ActivityDoesNotExist, InvalidArn); the worker answers with
SendTaskSuccess (``output``), SendTaskFailure (``error``, ``cause``) and SendTaskHeartbeat ("resets the
Heartbeat clock ... The Timeout of a task ... is its maximum allowed duration, regardless of the number
of SendTaskHeartbeat requests"); a state past ``TimeoutSeconds`` or without a heartbeat for
``HeartbeatSeconds`` fails ``States.Timeout`` (history ``ActivityTimedOut``), and an answer for it
then is ``TaskTimedOut``. AWS's own getting-started scenario (aws-doc-sdk-examples,
``python/example_code/stepfunctions``) is exactly this loop. moto 5.2.5 has the interpreter's activity
task (ported from LocalStack) but never gives it moto's activities (``activity_store={}``: every
activity task fails ``States.Runtime`` "The activity activity_arn does not exist."), has no
GetActivityTask (NotImplemented; a 500 on the server), drops SendTaskFailure's ``cause``, crashes
(AttributeError) when a task times out before a worker takes it, keeps answering for timed-out tasks,
and refuses a heartbeat for a task without HeartbeatSeconds (InvalidToken).

The emulator: each backend's activities (``create_activity``) get a task queue the executions of
that backend schedule into; GetActivityTask hands out the oldest task of a running execution at once
(recording ``ActivityStarted`` with the ``workerName``), or holds the request until one is scheduled,
at most :data:`POLL_SECONDS` (AWS's 60 s; ``LABS_SFN_ACTIVITY_POLL_SECONDS`` shortens it), then
answers without a ``taskToken``. Timeouts and heartbeats run on the real clock (a worker answers in
real time), not the Wait-state time warp. As AWS advises, a worker on the shared emulator sets its
client read timeout above 60 s (``Config(read_timeout=65)``) or the poll may be retried mid-wait.
"""

from __future__ import annotations

import functools
import os
import threading
import weakref
from collections.abc import Iterator
from typing import Any

from ..patching import Patch

NAME = "sfn_activities"
#: Longest hold of a GetActivityTask long poll with no task, in seconds (AWS: 60).
POLL_SECONDS = 60.0
_STORE = "_labs_activity_store"
_lock = threading.Lock()
#: task token -> the interpreter frame its Task state runs in (it ends when the state ends, on time or not)
_frames: weakref.WeakValueDictionary[str, Any] = weakref.WeakValueDictionary()
_evaluating = threading.local()  #: the frame an activity Task state is being evaluated in, on this thread


def is_closed(token: str) -> bool:
    """Whether the activity task ``token`` belongs to a Task state that has ended (answered, timed out,
    stopped): AWS answers TaskTimedOut "the task associated with the token has already been closed"."""
    frame = _frames.get(token)
    return frame is not None and not frame.is_running()


def poll_seconds() -> float:
    return float(os.environ.get("LABS_SFN_ACTIVITY_POLL_SECONDS", POLL_SECONDS))


def _task_queue_class() -> type:
    from moto.stepfunctions.parser.backend.activity import Activity

    class TaskQueue(Activity):  # type: ignore[misc, valid-type]
        """moto's interpreter-side activity with a condition a long poll waits on."""

        def __init__(self, arn: str, name: str) -> None:
            super().__init__(arn=arn, name=name)
            self.ready = threading.Condition()

        def add_task(self, task: Any) -> None:
            with self.ready:
                super().add_task(task)
                self.ready.notify_all()

    return TaskQueue


_TaskQueue: type | None = None


class ActivityStore:
    """The interpreter's ``activity_store`` for one backend: a task queue for each activity the backend
    has (by ARN), created on first use; a deleted activity has none (ActivityDoesNotExist)."""

    def __init__(self, backend: Any) -> None:
        self._backend = backend
        self._queues: dict[str, tuple[Any, Any]] = {}  # arn -> (moto's Activity, its task queue)

    def get(self, arn: str, default: Any = None) -> Any:
        global _TaskQueue
        activity = self._backend.activities.get(arn)
        if activity is None:
            return default
        with _lock:
            owner, queue = self._queues.get(arn, (None, None))
            if owner is not activity:  # new, or deleted and created again: a new, empty queue
                _TaskQueue = _TaskQueue or _task_queue_class()
                queue = _TaskQueue(arn, activity.name)
                self._queues[arn] = (activity, queue)
            return queue

    def __contains__(self, arn: object) -> bool:
        return isinstance(arn, str) and arn in self._backend.activities


def store_of(backend: Any) -> ActivityStore:
    with _lock:
        store = getattr(backend, _STORE, None)
        if store is None:
            store = ActivityStore(backend)
            setattr(backend, _STORE, store)
        return store


def _running_endpoints(backend: Any) -> Iterator[tuple[Any, Any]]:
    from moto.stepfunctions.parser.api import ExecutionStatus

    for execution in backend._get_executions(ExecutionStatus.RUNNING):
        worker = execution.exec_worker
        if worker is not None and worker.env is not None:
            yield execution, worker.env.callback_pool_manager


def _claim(backend: Any, queue: Any, worker_name: str | None) -> Any:
    """The oldest task of ``queue`` whose execution still waits for it, marked started; or None."""
    from moto.stepfunctions.parser.asl.eval.callback.callback import ActivityCallbackEndpoint

    while True:
        try:
            task = queue.get_task()
        except IndexError:
            return None
        if is_closed(task.task_token):
            continue  # timed out before anyone took it: AWS would not hand it out either
        for _, pool in _running_endpoints(backend):
            endpoint = pool.get(task.task_token)
            if isinstance(endpoint, ActivityCallbackEndpoint):
                endpoint.notify_activity_task_start(worker_name=worker_name)
                return task
        # the execution stopped: its task is not handed out


def get_activity_task(backend: Any, activity_arn: str, worker_name: str | None) -> dict[str, Any]:
    """GetActivityTask: ``{"taskToken", "input"}`` of a scheduled task, or ``{}`` after the long poll."""
    import time

    backend.describe_activity(activity_arn)  # InvalidArn, ActivityDoesNotExist as moto raises them
    queue = store_of(backend).get(activity_arn)
    deadline = time.monotonic() + poll_seconds()
    with queue.ready:
        while True:
            task = _claim(backend, queue, worker_name)
            if task is not None:
                return {"taskToken": task.task_token, "input": task.task_input}
            left = deadline - time.monotonic()
            if left <= 0:
                return {}
            queue.ready.wait(min(left, 0.5))  # re-check: a stopped execution wakes nobody


def _refusing_closed_tasks(method: Any) -> Any:
    @functools.wraps(method)
    def answer(self: Any, task_token: str, *args: Any, **kwargs: Any) -> Any:
        if is_closed(task_token):
            from moto.core.exceptions import AWSError

            raise AWSError("The task token has either expired or the task associated with the token has "
                           "already been closed.", exception_type="TaskTimedOut")
        return method(self, task_token, *args, **kwargs)

    return answer


def _apply() -> None:
    from moto.core.responses import ActionResult, EmptyResult
    from moto.stepfunctions.parser.asl.component.state.exec.state_task.state_task_activitiy import StateTaskActivity
    from moto.stepfunctions.parser.asl.eval.callback.callback import (
        ActivityTaskStartEndpoint,
        CallbackEndpoint,
        CallbackPoolManager,
    )
    from moto.stepfunctions.parser.backend.execution import Execution
    from moto.stepfunctions.parser.models import StepFunctionsParserBackend
    from moto.stepfunctions.responses import StepFunctionResponse, get_backend

    execution_init = Execution.__init__

    @functools.wraps(execution_init)
    def init_with_activities(self: Any, *args: Any, **kwargs: Any) -> None:
        if kwargs.get("activity_store") == {}:  # moto's start_execution passes a fresh, empty dict
            backend = get_backend(kwargs["account_id"], kwargs["region_name"])
            kwargs["activity_store"] = store_of(backend)
        execution_init(self, *args, **kwargs)

    Execution.__init__ = init_with_activities  # type: ignore[method-assign]

    start_init = ActivityTaskStartEndpoint.__init__

    @functools.wraps(start_init)
    def start_init_with_outcome(self: Any) -> None:
        start_init(self)
        self._outcome = None  # read by wait() when nobody took the task in time (moto: AttributeError)

    ActivityTaskStartEndpoint.__init__ = start_init_with_outcome  # type: ignore[method-assign]

    eval_execution = StateTaskActivity._eval_execution

    @functools.wraps(eval_execution)
    def eval_in_frame(self: Any, env: Any) -> None:
        _evaluating.frame = env  # the frame moto evaluates the state in, on a thread of its own
        try:
            eval_execution(self, env)
        finally:
            _evaluating.frame = None

    StateTaskActivity._eval_execution = eval_in_frame  # type: ignore[method-assign]

    add_task = CallbackPoolManager.add_activity_task

    @functools.wraps(add_task)
    def add_task_in_frame(self: Any, callback_id: str, activity_arn: str, activity_input: str) -> Any:
        endpoint = add_task(self, callback_id, activity_arn, activity_input)
        frame = getattr(_evaluating, "frame", None)
        if frame is not None:
            _frames[callback_id] = frame
        return endpoint

    CallbackPoolManager.add_activity_task = add_task_in_frame  # type: ignore[method-assign]

    for name in ("send_task_success", "send_task_failure", "send_task_heartbeat"):
        setattr(StepFunctionsParserBackend, name, _refusing_closed_tasks(getattr(StepFunctionsParserBackend, name)))

    notify_heartbeat = CallbackEndpoint.notify_heartbeat

    @functools.wraps(notify_heartbeat)
    def heartbeat_accepted(self: Any) -> bool:
        # A task without HeartbeatSeconds still accepts SendTaskHeartbeat (there is no clock to reset).
        return bool(notify_heartbeat(self)) or self._outcome is None

    CallbackEndpoint.notify_heartbeat = heartbeat_accepted  # type: ignore[method-assign]

    def get_task(self: Any) -> Any:
        backend = self.stepfunction_backend
        if not isinstance(backend, StepFunctionsParserBackend):
            raise NotImplementedError("GetActivityTask needs moto's executing Step Functions backend "
                                      "(moto config stepfunctions.execute_state_machine = True)")
        return ActionResult(get_activity_task(backend, self._get_param("activityArn"), self._get_param("workerName")))

    StepFunctionResponse.get_activity_task = get_task  # type: ignore[attr-defined]

    send_failure = StepFunctionResponse.send_task_failure

    @functools.wraps(send_failure)
    def send_failure_with_cause(self: Any) -> Any:
        backend = self.stepfunction_backend
        if not isinstance(backend, StepFunctionsParserBackend):
            return send_failure(self)
        backend.send_task_failure(self._get_param("taskToken"), error=self._get_param("error"),
                                  cause=self._get_param("cause"))
        return EmptyResult()

    StepFunctionResponse.send_task_failure = send_failure_with_cause  # type: ignore[method-assign]


PATCH = Patch(
    name=NAME,
    restores="a Task state with an activity ARN schedules a task; GetActivityTask long-polls (up to 60 s) and hands "
             "it to a worker (ActivityStarted with workerName), SendTaskSuccess/SendTaskFailure (error, cause)/"
             "SendTaskHeartbeat answer it; TimeoutSeconds and HeartbeatSeconds end it with States.Timeout, and a "
             "late answer is TaskTimedOut",
    plain_moto="activity tasks fail at once with States.Runtime 'The activity activity_arn does not exist.'; "
               "GetActivityTask is not implemented (500 on the server); SendTaskFailure drops cause",
    apply=_apply,
    targets={
        "moto.stepfunctions.parser.backend.execution:Execution.__init__": "072ed5928123",
        "moto.stepfunctions.parser.models:StepFunctionsParserBackend.start_execution": "0f8d9dd57baf",
        "moto.stepfunctions.parser.models:StepFunctionsParserBackend.send_task_success": "2e95c66f0d67",
        "moto.stepfunctions.parser.models:StepFunctionsParserBackend.send_task_failure": "2d5a9597cf1d",
        "moto.stepfunctions.parser.models:StepFunctionsParserBackend.send_task_heartbeat": "279ad79cd7a2",
        "moto.stepfunctions.parser.backend.activity:Activity": "df76c3f2da7f",
        "moto.stepfunctions.parser.asl.eval.callback.callback:CallbackPoolManager.add_activity_task": "64f0bb8a8891",
        "moto.stepfunctions.parser.asl.eval.callback.callback:ActivityTaskStartEndpoint": "8b85f2cf2efd",
        "moto.stepfunctions.parser.asl.eval.callback.callback:CallbackEndpoint.notify_heartbeat": "838bf10119e4",
        "moto.stepfunctions.parser.asl.component.state.exec.state_task.state_task_activitiy:StateTaskActivity._eval_execution": "19e00cc3f757",
        "moto.stepfunctions.responses:StepFunctionResponse.send_task_failure": "f0fed5e80576",
        "moto.stepfunctions.models:StepFunctionBackend.describe_activity": "28b73e56019e",
    },
)
