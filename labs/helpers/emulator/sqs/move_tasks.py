"""SQS dead-letter queue redrive: StartMessageMoveTask, ListMessageMoveTasks, CancelMessageMoveTask.

AWS (API reference, StartMessageMoveTask): "Starts an asynchronous task to move messages from a
specified source queue to a specified destination queue ... limited to ... queues that are
configured as dead-letter queues (DLQs) of other Amazon SQS queues"; without DestinationArn "the
messages will be redriven back to their respective original source queues"; "Only one active message
movement task is supported per queue at any given time". moto 5.2.5 raises NotImplementedError for
all three actions, so Lab 1's "redrive the DLQ" step could not run on the emulator.

How the emulator does it:

* Where a message came from: moto does not record it, so this module wraps ``Queue.add_message``
  and stamps each message with the first queue it entered (``labs_source_queue_arn``). moto's DLQ
  move hands the *same* Message object to the DLQ's ``add_message``, so the stamp survives the move.
* Without ``MaxNumberOfMessagesPerSecond`` the move is **synchronous**: when StartMessageMoveTask
  returns, the messages are in their destinations and ListMessageMoveTasks says COMPLETED (the
  behaviour notebooks want: deterministic output). With a rate, a daemon thread moves that many
  messages per second; the task is RUNNING (cancellable) until done, then COMPLETED.
* A moved message keeps MessageId, body, message attributes and (FIFO) group and deduplication ids,
  and starts afresh in the destination: receive count 0, visible now, new SentTimestamp.
* Each move is reported as ``Delivery(service="sqs", action="redrive")`` on the observe bus.
* Errors are the ones AWS returns (recorded against AWS in LocalStack's snapshot tests):
  ``ResourceNotFoundException`` for an unknown queue or task, ``InvalidParameterValue`` for a source
  that is not a DLQ, a second active task, a bad rate or a malformed TaskHandle.
* A DestinationArn that is the DLQ itself is refused (``InvalidParameterValue``). AWS defines the task
  as moving messages "to another queue" (SourceArn: "The ARN of the queue that contains the messages to
  be moved to another queue"; developer guide, "Configure a dead-letter queue redrive": "move unconsumed
  messages from a dead-letter queue to another destination"). No recorded AWS response to this request
  was found, so the wording of the message is the emulator's. Without the check the task "moved" every
  message from the DLQ back into the DLQ and reported COMPLETED: a learner who passed the DLQ's ARN
  twice saw a successful redrive that left every message where it was.
* Emulator choice: a message that never came from another queue (sent straight to the DLQ) cannot be
  redriven "to its source"; the task then stops as FAILED with FailureReason
  ``AWS.SimpleQueueService.NonExistentQueue``, as AWS reports a destination that disappeared.
"""

from __future__ import annotations

import base64
import binascii
import functools
import json
import threading
import uuid
from copy import deepcopy
from dataclasses import dataclass, field
from typing import Any

from ...observe import Delivery, emit
from ..arns import Arn
from ..patching import Patch
from .receive_fast import now_ms, receivable

NAME = "sqs_move_tasks"
SOURCE_ATTRIBUTE = "labs_source_queue_arn"
#: ListMessageMoveTasks returns "the most recent message movement tasks (up to 10)".
MAX_LISTED = 10
MAX_RATE = 500
#: Guards status transitions between a task's thread and CancelMessageMoveTask.
_status_lock = threading.Lock()


def _error(code: str, message: str) -> Exception:
    from moto.sqs.exceptions import SQSException

    return SQSException(code, message)


def _not_found(parameter: str) -> Exception:
    return _error("ResourceNotFoundException", f"The resource that you specified for the {parameter} parameter doesn't exist.")


@dataclass
class MoveTask:
    """One message movement task and its progress, as ListMessageMoveTasks reports it."""

    task_id: str
    source_arn: str
    destination_arn: str | None
    rate: int | None
    started_ms: int
    to_move: int = 0
    moved: int = 0
    status: str = "RUNNING"
    failure_reason: str | None = None
    cancel: threading.Event = field(default_factory=threading.Event)

    @property
    def handle(self) -> str:
        """Base64 of ``{"taskId": ..., "sourceArn": ...}``, the shape AWS's handles decode to."""
        raw = json.dumps({"taskId": self.task_id, "sourceArn": self.source_arn})
        return base64.b64encode(raw.encode()).decode()

    def as_entry(self) -> dict[str, Any]:
        entry: dict[str, Any] = {
            "Status": self.status,
            "SourceArn": self.source_arn,
            "ApproximateNumberOfMessagesMoved": self.moved,
            "ApproximateNumberOfMessagesToMove": self.to_move,
            "StartedTimestamp": self.started_ms,
        }
        if self.status == "RUNNING":
            entry["TaskHandle"] = self.handle
        if self.destination_arn:
            entry["DestinationArn"] = self.destination_arn
        if self.rate is not None:
            entry["MaxNumberOfMessagesPerSecond"] = self.rate
        if self.status == "FAILED" and self.failure_reason:
            entry["FailureReason"] = self.failure_reason
        return entry


# ---------------------------------------------------------------------------- lookups
def _queue_by_arn(arn: str | None, parameter: str) -> Any:
    from moto.sqs.models import sqs_backends

    parsed = Arn.parse(arn or "")
    if parsed.service != "sqs":
        raise _not_found(parameter)
    try:
        queue = sqs_backends[parsed.account][parsed.region].queues.get(parsed.resource)
    except (KeyError, ValueError):
        queue = None
    if queue is None or queue.queue_arn != arn:
        raise _not_found(parameter)
    return queue


def _tasks(backend: Any) -> list[MoveTask]:
    """The backend's tasks, newest last (kept on the backend, so a moto reset forgets them)."""
    tasks = backend.__dict__.get("_labs_move_tasks")
    if tasks is None:
        tasks = backend.__dict__["_labs_move_tasks"] = []
    return tasks


def _backend_of(queue: Any) -> Any:
    from moto.sqs.models import sqs_backends

    return sqs_backends[queue.account_id][queue.region]


def _require_dead_letter_queue(queue: Any) -> None:
    sources = [q for q in _backend_of(queue).queues.values() if q.dead_letter_queue is queue]
    if not sources:
        raise _error("InvalidParameterValue", "Source queue must be configured as a Dead Letter Queue.")


# ---------------------------------------------------------------------------- moving
def _take_next(source: Any) -> Any | None:
    """Remove and return the next visible message of ``source`` (None when there is none)."""
    with source._messages_lock:
        now = now_ms()
        for message in source._messages:
            if receivable(message, now):
                source._messages.remove(message)
                source.pending_messages.discard(message)
                return message
    return None


def _fresh_copy(message: Any, origin_arn: str) -> Any:
    """The message as a new arrival: same id, body, attributes, group; no receive history."""
    moved = deepcopy(message)
    moved.receipt_handle = None
    moved._old_receipt_handles = []
    moved.approximate_receive_count = 0
    moved.approximate_first_receive_timestamp = None
    moved.visible_at = 0.0
    moved.delayed_until = 0.0
    moved.mark_sent()
    setattr(moved, SOURCE_ATTRIBUTE, origin_arn)
    return moved


def _move_one(task: MoveTask, source: Any, explicit_destination: Any | None) -> bool:
    """Move one message; False when there is nothing left or the task failed."""
    from moto.sqs.exceptions import QueueDoesNotExist, SQSException

    message = _take_next(source)
    if message is None:
        return False
    try:
        if explicit_destination is not None:
            destination = _backend_of(explicit_destination).get_queue(explicit_destination.name)
        else:
            origin = getattr(message, SOURCE_ATTRIBUTE, None)
            if origin is None or origin == source.queue_arn:
                raise QueueDoesNotExist()
            destination = _queue_by_arn(origin, "DestinationArn")
    except SQSException:  # the destination is gone: the task fails, as AWS reports it
        with source._messages_lock:
            source._messages.insert(0, message)  # not moved: it stays in the DLQ
        task.status, task.failure_reason = "FAILED", "AWS.SimpleQueueService.NonExistentQueue"
        return False
    destination.add_message(_fresh_copy(message, destination.queue_arn))
    task.moved += 1
    emit(Delivery(service="sqs", action="redrive", source=source.queue_arn, target=destination.queue_arn,
                  message_id=message.id, payload=message.body, detail={"task_handle": task.handle}))
    return True


def _run(task: MoveTask, source: Any, destination: Any | None) -> None:
    """Move up to ``task.to_move`` messages, at ``task.rate`` per second when one was given."""
    interval = 1.0 / task.rate if task.rate else 0.0
    while task.moved < task.to_move and task.status == "RUNNING":
        if task.cancel.is_set():
            break
        if not _move_one(task, source, destination):
            break
        if interval and task.moved < task.to_move and task.cancel.wait(interval):
            break
    with _status_lock:
        if task.status in ("RUNNING", "CANCELLING"):
            task.status = "CANCELLED" if task.cancel.is_set() else "COMPLETED"


# ---------------------------------------------------------------------------- actions
def start_message_move_task(backend: Any, source_arn: str, destination_arn: str | None, rate: int | None) -> MoveTask:
    source = _queue_by_arn(source_arn, "SourceArn")
    _require_dead_letter_queue(source)
    destination = _queue_by_arn(destination_arn, "DestinationArn") if destination_arn else None
    if destination is source:
        raise _error("InvalidParameterValue", f"Value {destination_arn} for parameter DestinationArn is invalid. "
                                              "Reason: The destination queue must be another queue than the source queue.")
    if rate is not None and not 1 <= int(rate) <= MAX_RATE:
        raise _error("InvalidParameterValue", "Value for parameter MaxNumberOfMessagesPerSecond is invalid. "
                                              f"Reason: You must enter a number that's between 1 and {MAX_RATE}.")
    tasks = _tasks(_backend_of(source))
    if any(t.source_arn == source.queue_arn and t.status in ("RUNNING", "CANCELLING") for t in tasks):
        raise _error("InvalidParameterValue", "There is already a task running. Only one active task is "
                                              "allowed for a source queue arn at a given time.")
    task = MoveTask(str(uuid.uuid4()), source.queue_arn, destination_arn or None,
                    int(rate) if rate is not None else None, int(now_ms()))
    task.to_move = source.approximate_number_of_messages
    tasks.append(task)
    if task.rate is None:
        _run(task, source, destination)  # synchronous: COMPLETED when this call returns
    else:
        threading.Thread(target=_run, args=(task, source, destination), daemon=True,
                         name=f"sqs-move-task-{task.task_id[:8]}").start()
    return task


def list_message_move_tasks(source_arn: str, max_results: int | None) -> list[MoveTask]:
    source = _queue_by_arn(source_arn, "SourceArn")
    _require_dead_letter_queue(source)
    limit = 1 if max_results is None else int(max_results)
    if not 1 <= limit <= MAX_LISTED:
        raise _error("InvalidParameterValue", "Value for parameter MaxResults is invalid. "
                                              f"Reason: You must enter a number that's between 1 and {MAX_LISTED}.")
    mine = [t for t in _tasks(_backend_of(source)) if t.source_arn == source.queue_arn]
    return list(reversed(mine))[:limit]


def cancel_message_move_task(handle: str) -> MoveTask:
    try:
        decoded = json.loads(base64.b64decode(handle or "", validate=True))
        task_id, source_arn = decoded["taskId"], decoded["sourceArn"]
    except (ValueError, binascii.Error, KeyError, TypeError):
        raise _error("InvalidParameterValue", "Value for parameter TaskHandle is invalid.") from None
    source = _queue_by_arn(source_arn, "SourceArn")
    task = next((t for t in _tasks(_backend_of(source)) if t.task_id == task_id), None)
    with _status_lock:
        if task is None or task.status != "RUNNING":
            # AWS: "A message movement can only be cancelled when the current status is RUNNING."
            raise _error("ResourceNotFoundException", "Task does not exist.")
        task.status = "CANCELLING"
        task.cancel.set()
    return task


# ---------------------------------------------------------------------------- wiring into moto
def _response_methods() -> dict[str, Any]:
    from moto.core.responses import ActionResult

    def start(self: Any) -> Any:
        task = start_message_move_task(self.sqs_backend, self._get_param("SourceArn"), self._get_param("DestinationArn"),
                                       self._get_param("MaxNumberOfMessagesPerSecond"))
        return ActionResult({"TaskHandle": task.handle})

    def list_(self: Any) -> Any:
        tasks = list_message_move_tasks(self._get_param("SourceArn"), self._get_param("MaxResults"))
        return ActionResult({"Results": [t.as_entry() for t in tasks]})

    def cancel(self: Any) -> Any:
        task = cancel_message_move_task(self._get_param("TaskHandle"))
        return ActionResult({"ApproximateNumberOfMessagesMoved": task.moved})

    return {"start_message_move_task": start, "list_message_move_tasks": list_, "cancel_message_move_task": cancel}


def _apply() -> None:
    from moto.sqs.models import Queue
    from moto.sqs.responses import SQSResponse

    add_message = Queue.add_message

    @functools.wraps(add_message)
    def recording_source(self: Queue, message: Any) -> None:
        if getattr(message, SOURCE_ATTRIBUTE, None) is None:
            setattr(message, SOURCE_ATTRIBUTE, self.queue_arn)  # the first queue it entered
        add_message(self, message)

    Queue.add_message = recording_source  # type: ignore[method-assign]
    for name, method in _response_methods().items():
        if name not in SQSResponse.__dict__:
            setattr(SQSResponse, name, method)


PATCH = Patch(
    name=NAME,
    restores="StartMessageMoveTask redrives a dead-letter queue to each message's original source queue or "
             "to DestinationArn (another queue: the DLQ itself is refused); ListMessageMoveTasks and "
             "CancelMessageMoveTask report and stop tasks",
    plain_moto="StartMessageMoveTask, ListMessageMoveTasks and CancelMessageMoveTask raise NotImplementedError",
    apply=_apply,
    targets={
        "moto.sqs.models:Queue.add_message": "f27c9231c1f2",
        "moto.sqs.models:Message.__init__": "4ab16d5eb16e",
        "moto.sqs.responses:SQSResponse.list_dead_letter_source_queues": "cb0f14e821bc",
    },
)
