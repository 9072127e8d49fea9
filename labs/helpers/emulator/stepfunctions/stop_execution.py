"""StopExecution records its error and cause, and the execution is ABORTED when the call returns.

AWS (Step Functions API reference, StopExecution): "Stops an execution"; request ``error`` ("The
error code of the failure") and ``cause`` ("A more detailed explanation of the cause of the
failure"); response ``stopDate`` ("The date the execution is stopped"). The history then ends with
``ExecutionAborted`` whose ``executionAbortedEventDetails`` carry that error and cause. moto 5.2.5
ignores ``error`` and ``cause``, and only *signals* the execution's thread: StopExecution returns
before the execution has stopped (no ``stopDate``; DescribeExecution may still say RUNNING, and the
history may lack ``ExecutionAborted``) -- a lab cancelling an order and then checking it sees a
flaky answer.

Fix: wrap ``StepFunctionResponse.stop_execution`` for executions of moto's executing backend: stop
the execution with the request's error and cause, wait (briefly, bounded) until its thread has
recorded the end (adding the ``ExecutionAborted`` event moto skips when the stop comes before the
program's first step), and answer with its ``stopDate``. A closed execution is left as it is (AWS stops
only running executions).
"""

from __future__ import annotations

import datetime
import functools
import time
from typing import Any

from ..patching import Patch

NAME = "sfn_stop_execution"
#: Longest wait for the execution's thread to finish after the stop signal, in seconds.
SETTLE_SECONDS = 5.0


def _status(execution: Any) -> str:
    """The execution's status as text (RUNNING, ABORTED, ...)."""
    return str(getattr(execution.exec_status, "value", execution.exec_status))


def _running(execution: Any) -> bool:
    return _status(execution) == "RUNNING"


def stop_and_settle(execution: Any, error: str | None, cause: str | None) -> Any:
    """Stop a running parser execution and wait until its thread has recorded the end."""
    deadline = time.monotonic() + SETTLE_SECONDS
    worker = execution.exec_worker
    while worker is not None and worker.env is None and time.monotonic() < deadline:
        time.sleep(0.005)  # the execution's thread has not built its environment yet
    if worker is not None and worker.env is not None and _running(execution):
        execution.stop(stop_date=datetime.datetime.now(tz=datetime.UTC), error=error, cause=cause)
    while _running(execution) and time.monotonic() < deadline:
        time.sleep(0.005)
    _record_abort(execution, error, cause)
    return execution.stop_date or datetime.datetime.now(tz=datetime.UTC)


def _record_abort(execution: Any, error: str | None, cause: str | None) -> None:
    """Add ``ExecutionAborted`` if the stop came before the program's first step.

    moto's program skips its whole body -- including the closing ``ExecutionAborted`` event -- when it
    finds itself already stopped, so a stop right after StartExecution would leave a history that ends
    with ``ExecutionStarted``.
    """
    from moto.stepfunctions.parser.api import ExecutionAbortedEventDetails, HistoryEventType
    from moto.stepfunctions.parser.asl.eval.event.event_detail import EventDetails

    env = execution.exec_worker.env if execution.exec_worker is not None else None
    if env is None or _status(execution) != "ABORTED":
        return
    events = env.event_manager.get_event_history()
    if events and str(getattr(events[-1]["type"], "value", events[-1]["type"])) == "ExecutionAborted":
        return
    details = ExecutionAbortedEventDetails()
    if error:
        details["error"] = error
    if cause:
        details["cause"] = cause
    env.event_history_context.source_event_id = 0  # as moto's own ExecutionAborted
    env.event_manager.add_event(context=env.event_history_context, event_type=HistoryEventType.ExecutionAborted,
                                event_details=EventDetails(executionAbortedEventDetails=details))


def _apply() -> None:
    from moto.core.responses import ActionResult
    from moto.stepfunctions.parser.backend.execution import Execution as ParserExecution
    from moto.stepfunctions.responses import StepFunctionResponse

    stop = StepFunctionResponse.stop_execution

    @functools.wraps(stop)
    def stop_with_error_and_cause(self: Any) -> Any:
        arn = self._get_param("executionArn")
        execution = self.stepfunction_backend.describe_execution(arn)  # ExecutionDoesNotExist as before
        if not isinstance(execution, ParserExecution):
            return stop(self)
        stop_date = stop_and_settle(execution, self._get_param("error"), self._get_param("cause"))
        return ActionResult({"stopDate": stop_date})

    StepFunctionResponse.stop_execution = stop_with_error_and_cause  # type: ignore[method-assign]


PATCH = Patch(
    name=NAME,
    restores="StopExecution aborts the execution with the given error and cause (ExecutionAborted) and returns "
             "its stopDate",
    plain_moto="StopExecution ignores error and cause and returns before the execution stopped (no stopDate; "
               "status and history may still show it running)",
    apply=_apply,
    targets={
        "moto.stepfunctions.responses:StepFunctionResponse.stop_execution": "633c8a544aac",
        "moto.stepfunctions.parser.backend.execution:Execution.stop": "16663c65db9a",
    },
)
