"""Step Functions state transitions are reported on the observe bus, so the flow trace shows them.

What AWS records (Step Functions API reference, GetExecutionHistory / HistoryEvent): every state
an execution enters and leaves is an event (``TaskStateEntered``, ``ChoiceStateExited``, ...) with
``stateEnteredEventDetails`` / ``stateExitedEventDetails`` naming the state, and the execution ends
with ``ExecutionSucceeded`` or ``ExecutionFailed`` (``error``, ``cause``). moto's interpreter records
those events too, but nothing outside the execution learns about them as they happen: the flow
trace (``lab.flow``) saw a ``StartExecution`` call and then nothing, though the execution went on to
send messages, write items and invoke functions.

Fix: the single point where moto's interpreter appends a history event is
``EventManager.add_event`` (one manager per execution, shared by its Parallel branches and Map
iterations). After it appends, this module reports

* ``*StateEntered`` -> ``Delivery(service="stepfunctions", action="state-entered")``, payload: the input;
* ``*StateExited``  -> ``action="state-exited"``, payload: the output;
* ``ExecutionSucceeded`` -> ``action="execution-succeeded"``, payload: the output;
* ``ExecutionFailed`` / ``ExecutionAborted`` / ``ExecutionTimedOut`` -> ``action="execution-failed"``,
  ``status="failed"``, ``detail["error"]`` = ``"<error>: <cause>"``, ``detail["state"]`` = the state
  the failure came from (followed back through ``previousEventId``, as the console does),

each with ``source`` = state machine ARN, ``target`` = execution ARN, ``cause_id`` = execution ARN (the
id the trace recorded for the StartExecution call) and ``detail`` = ``{"state", "execution", "type",
"event_id", "previous_event_id"}``. Which execution an event manager belongs to is noted on it when
the execution's environment is created (``ExecutionWorker._get_evaluation_environment``).
"""

from __future__ import annotations

import functools
import json
from typing import Any

from ..observe import Delivery, emit
from .patching import Patch

NAME = "sfn_deliveries"
_ARNS = "_labs_arns"  #: attribute set on an EventManager: (state machine ARN, execution ARN, execution name)
_END_EVENTS = {"ExecutionSucceeded": "SUCCEEDED", "ExecutionFailed": "FAILED",
               "ExecutionAborted": "ABORTED", "ExecutionTimedOut": "TIMED_OUT"}


def _payload(text: Any) -> Any:
    """A state's input/output as the Python value it holds (the trace masks and clips it)."""
    if isinstance(text, str):
        try:
            return json.loads(text)
        except ValueError:
            return text
    return text


def _failing_state(history: list[dict[str, Any]], event: dict[str, Any]) -> str | None:
    """Follow ``previousEventId`` back from ``event`` to the state it happened in."""
    by_id = {e.get("id"): e for e in history}
    current, steps = event, 0
    while current is not None and steps < len(history) + 1:
        details = current.get("stateEnteredEventDetails") or current.get("stateExitedEventDetails")
        if details and details.get("name"):
            return str(details["name"])
        current, steps = by_id.get(current.get("previousEventId")), steps + 1
    return None


def delivery_for(event: dict[str, Any], machine_arn: str, execution_arn: str, execution_name: str,
                 history: list[dict[str, Any]]) -> Delivery | None:
    """The delivery that reports one history event, or None for events that are not transitions."""
    kind = str(getattr(event.get("type"), "value", event.get("type") or ""))  # moto stores HistoryEventType
    detail: dict[str, Any] = {"execution": execution_name, "event_id": event.get("id"),
                              "previous_event_id": event.get("previousEventId")}
    common = {"service": "stepfunctions", "source": machine_arn, "target": execution_arn, "cause_id": execution_arn}
    for suffix, action, key, value in (("StateEntered", "state-entered", "stateEnteredEventDetails", "input"),
                                       ("StateExited", "state-exited", "stateExitedEventDetails", "output")):
        if kind.endswith(suffix):
            details = event.get(key) or {}
            detail.update(state=details.get("name"), type=kind[: -len(suffix)])
            return Delivery(action=action, payload=_payload(details.get(value)), detail=detail, **common)
    if kind == "ExecutionSucceeded":
        details = event.get("executionSucceededEventDetails") or {}
        detail.update(state=_failing_state(history, event), type="Execution", status="SUCCEEDED")
        return Delivery(action="execution-succeeded", payload=_payload(details.get("output")), detail=detail, **common)
    if kind in _END_EVENTS:
        details = next((v for k, v in event.items() if k.endswith("EventDetails") and isinstance(v, dict)), {})
        error, cause = details.get("error"), details.get("cause")
        detail.update(state=_failing_state(history, event), type="Execution", status=_END_EVENTS[kind],
                      error=": ".join(str(p) for p in (error or _END_EVENTS[kind], cause) if p))
        return Delivery(action="execution-failed", status="failed", payload=None, detail=detail, **common)
    return None


def _apply() -> None:
    from moto.stepfunctions.parser.asl.eval.event.event_manager import EventManager
    from moto.stepfunctions.parser.backend.execution_worker import ExecutionWorker

    make_environment = ExecutionWorker._get_evaluation_environment
    if not getattr(make_environment, "_labs_notes_arns", False):

        @functools.wraps(make_environment)
        def environment_knowing_its_execution(self: Any) -> Any:
            env = make_environment(self)
            details = self._evaluation_details
            setattr(env.event_manager, _ARNS, (details.state_machine_details.arn,
                                               details.execution_details.arn, details.execution_details.name))
            return env

        environment_knowing_its_execution._labs_notes_arns = True  # type: ignore[attr-defined]
        ExecutionWorker._get_evaluation_environment = environment_knowing_its_execution  # type: ignore[method-assign]

    add_event = EventManager.add_event
    if getattr(add_event, "_labs_reports_transitions", False):
        return

    @functools.wraps(add_event)
    def add_and_report(self: Any, *args: Any, **kwargs: Any) -> int:
        event_id = add_event(self, *args, **kwargs)
        arns = getattr(self, _ARNS, None)
        if arns is not None:
            try:
                history = self._history_event_list
                event = next((e for e in reversed(history) if e.get("id") == event_id), None)
                delivery = None if event is None else delivery_for(event, *arns, history)
            except Exception:  # noqa: BLE001 - reporting must never break an execution
                delivery = None
            if delivery is not None:
                emit(delivery)
        return event_id

    add_and_report._labs_reports_transitions = True  # type: ignore[attr-defined]
    EventManager.add_event = add_and_report  # type: ignore[method-assign]


PATCH = Patch(
    name=NAME,
    restores="each state an execution enters and exits, and how the execution ends, is visible as it happens "
             "(reported to the flow trace like the HistoryEvents GetExecutionHistory returns)",
    plain_moto="state transitions are only in the execution history; nothing reports them to the labs' flow trace",
    apply=_apply,
    targets={
        "moto.stepfunctions.parser.asl.eval.event.event_manager:EventManager.add_event": "cb430fa2e3fe",
        "moto.stepfunctions.parser.backend.execution_worker:ExecutionWorker._get_evaluation_environment": "ce8421b71dab",
    },
)
