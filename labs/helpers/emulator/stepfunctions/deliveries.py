"""Step Functions state transitions and task calls are reported on the observe bus, for the flow trace.

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
  the failure came from (followed back through ``previousEventId``, as the console does);
* ``TaskSucceeded`` / ``TaskFailed`` (and the ``LambdaFunction...`` events of a function ARN used as
  ``Resource``) -> ``action="task"``, ``target`` = the ARN of what the integration touched (the queue,
  topic, table, function or event bus), ``message_id`` = the ``MessageId`` SQS/SNS returned (the
  ``EventId`` for ``events:putEvents``, so the rule matches it causes link back), payload = the message
  body / item / Lambda payload / event detail, ``detail["integration"]`` = e.g. ``"sqs:sendMessage"``, status
  ``"failed"`` with ``detail["error"]`` when the task failed -- so the trace shows where the
  execution's messages went, and links them to what consumed them;

all with ``source`` = state machine ARN and ``cause_id`` = execution ARN (the id the trace recorded
for the StartExecution call); the transitions with ``target`` = execution ARN; ``detail`` always has
``{"state", "execution", "type", "event_id", "previous_event_id"}``. Which execution an event manager belongs to is noted on it when
the execution's environment is created (``ExecutionWorker._get_evaluation_environment``).
"""

from __future__ import annotations

import functools
import itertools
import json
from collections.abc import Iterator
from typing import Any

from ...observe import Delivery, emit
from ..patching import Patch

NAME = "sfn_deliveries"
_ARNS = "_labs_arns"  #: attribute set on an EventManager: (state machine ARN, execution ARN, execution name)
_END_EVENTS = {"ExecutionSucceeded": "SUCCEEDED", "ExecutionFailed": "FAILED",
               "ExecutionAborted": "ABORTED", "ExecutionTimedOut": "TIMED_OUT"}
_TASK_OUTCOMES = {"TaskSucceeded", "TaskFailed", "TaskTimedOut", "LambdaFunctionSucceeded", "LambdaFunctionFailed",
                  "LambdaFunctionTimedOut"}


def _payload(text: Any) -> Any:
    """A state's input/output as the Python value it holds (the trace masks and clips it)."""
    if isinstance(text, str):
        try:
            return json.loads(text)
        except ValueError:
            return text
    return text


def _back_from(history: list[dict[str, Any]], event: dict[str, Any]) -> Iterator[dict[str, Any]]:
    """``event``, then the events it follows from through ``previousEventId``, nearest first (bounded:
    a malformed history cannot loop)."""
    by_id = {e.get("id"): e for e in history}
    current: dict[str, Any] | None = event
    for _ in range(len(history) + 1):
        if current is None:
            return
        yield current
        current = by_id.get(current.get("previousEventId"))


def _failing_state(history: list[dict[str, Any]], event: dict[str, Any]) -> str | None:
    """Follow ``previousEventId`` back from ``event`` to the state it happened in."""
    for current in _back_from(history, event):
        details = current.get("stateEnteredEventDetails") or current.get("stateExitedEventDetails")
        if details and details.get("name"):
            return str(details["name"])
    return None


def _kind(event: dict[str, Any]) -> str:
    return str(getattr(event.get("type"), "value", event.get("type") or ""))  # moto stores HistoryEventType


def _scheduled(history: list[dict[str, Any]], event: dict[str, Any]) -> dict[str, Any] | None:
    """The TaskScheduled / LambdaFunctionScheduled event a task's outcome follows from (at most 10 back)."""
    earlier = itertools.islice(_back_from(history, event), 1, 11)
    return next((e for e in earlier if _kind(e).endswith("Scheduled")), None)


def _resource_arn(kind: str, action: str, parameters: dict[str, Any], machine_arn: str, region: str) -> str:
    """The ARN of what a task integration touched (the queue, topic, table or function)."""
    parts = machine_arn.split(":")
    partition, account = (parts[1], parts[4]) if len(parts) > 4 else ("aws", "")
    region = region or (parts[3] if len(parts) > 3 else "")
    if kind == "sqs" and parameters.get("QueueUrl"):
        return f"arn:{partition}:sqs:{region}:{account}:{str(parameters['QueueUrl']).rstrip('/').rsplit('/', 1)[-1]}"
    if kind == "sns" and (parameters.get("TopicArn") or parameters.get("TargetArn")):
        return str(parameters.get("TopicArn") or parameters.get("TargetArn"))
    if kind == "dynamodb" and parameters.get("TableName"):
        name = str(parameters["TableName"])
        return name if name.startswith("arn:") else f"arn:{partition}:dynamodb:{region}:{account}:table/{name}"
    if kind == "lambda" and parameters.get("FunctionName"):
        name = str(parameters["FunctionName"])
        return name if name.startswith("arn:") else f"arn:{partition}:lambda:{region}:{account}:function:{name}"
    entries = parameters.get("Entries")
    if kind == "events" and isinstance(entries, list) and entries and isinstance(entries[0], dict):
        bus = str(entries[0].get("EventBusName") or "default")
        return bus if bus.startswith("arn:") else f"arn:{partition}:events:{region}:{account}:event-bus/{bus}"
    return f"arn:{partition}:states:::{kind}:{action}"


def _message_id(output: Any) -> str | None:
    """The id the service gave what the task sent: SQS/SNS MessageId, EventBridge's first EventId."""
    if not isinstance(output, dict):
        return None
    if output.get("MessageId"):
        return str(output["MessageId"])
    entries = output.get("Entries")
    if isinstance(entries, list) and entries and isinstance(entries[0], dict) and entries[0].get("EventId"):
        return str(entries[0]["EventId"])
    return None


#: The request field that is "the message" of each integration (shown as the delivery's payload).
_PAYLOAD_FIELDS = {"sqs": "MessageBody", "sns": "Message", "lambda": "Payload", "dynamodb": "Item"}


def task_delivery(event: dict[str, Any], kind: str, machine_arn: str, execution_arn: str, execution_name: str,
                  history: list[dict[str, Any]]) -> Delivery | None:
    """What a finished Task did: a message sent, an item written, a function invoked (or the error)."""
    scheduled = _scheduled(history, event)
    if scheduled is None:
        return None
    failed = kind.endswith("Failed")
    outcome = next((v for k, v in event.items() if k.endswith("EventDetails") and isinstance(v, dict)), {})
    if _kind(scheduled) == "LambdaFunctionScheduled":  # a function ARN as Resource
        details = scheduled.get("lambdaFunctionScheduledEventDetails") or {}
        integration, target, payload = "lambda", str(details.get("resource", "")), _payload(details.get("input"))
    else:
        details = scheduled.get("taskScheduledEventDetails") or {}
        service, action = str(details.get("resourceType", "")), str(details.get("resource", ""))
        parameters = _payload(details.get("parameters"))
        parameters = parameters if isinstance(parameters, dict) else {}
        integration = f"{service}:{action}"
        target = _resource_arn(service, action, parameters, machine_arn, str(details.get("region", "")))
        field = _PAYLOAD_FIELDS.get(service)
        payload = _payload(parameters.get(field, parameters.get("Key", parameters))) if field else parameters
        entries = parameters.get("Entries")
        if service == "events" and isinstance(entries, list) and entries and isinstance(entries[0], dict):
            payload = _payload(entries[0].get("Detail"))
    output = _payload(outcome.get("output"))
    message_id = _message_id(output)
    detail: dict[str, Any] = {"execution": execution_name, "state": _failing_state(history, event), "type": "Task",
                              "integration": integration, "event_id": event.get("id"),
                              "previous_event_id": event.get("previousEventId")}
    if failed:
        detail["error"] = ": ".join(str(p) for p in (outcome.get("error"), outcome.get("cause")) if p)
    return Delivery(service="stepfunctions", action="task", source=machine_arn, target=target,
                    message_id=str(message_id) if message_id else None, cause_id=execution_arn,
                    status="failed" if failed else "delivered", payload=payload, detail=detail)


def delivery_for(event: dict[str, Any], machine_arn: str, execution_arn: str, execution_name: str,
                 history: list[dict[str, Any]]) -> Delivery | None:
    """The delivery that reports one history event, or None for events that are not transitions."""
    kind = _kind(event)
    if kind in _TASK_OUTCOMES:
        return task_delivery(event, kind, machine_arn, execution_arn, execution_name, history)
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

    @functools.wraps(make_environment)
    def environment_knowing_its_execution(self: Any) -> Any:
        env = make_environment(self)
        details = self._evaluation_details
        setattr(env.event_manager, _ARNS, (details.state_machine_details.arn,
                                           details.execution_details.arn, details.execution_details.name))
        return env

    ExecutionWorker._get_evaluation_environment = environment_knowing_its_execution  # type: ignore[method-assign]

    add_event = EventManager.add_event

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

    EventManager.add_event = add_and_report  # type: ignore[method-assign]


PATCH = Patch(
    name=NAME,
    restores="each state an execution enters and exits, each task's call (to its queue, topic, table or function) "
             "and how the execution ends are visible as they happen (reported to the flow trace like the "
             "HistoryEvents GetExecutionHistory returns)",
    plain_moto="state transitions and task calls are only in the execution history; nothing reports them to the "
               "labs' flow trace",
    apply=_apply,
    targets={
        "moto.stepfunctions.parser.asl.eval.event.event_manager:EventManager.add_event": "cb430fa2e3fe",
        "moto.stepfunctions.parser.backend.execution_worker:ExecutionWorker._get_evaluation_environment": "ce8421b71dab",
    },
)
