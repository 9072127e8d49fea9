"""SQS receive at AWS-like speed: draining a queue costs O(N), not O(N^2).

Where plain moto 5.2.5 spends the time (cProfile, draining a 300-message queue in batches of 10:
3.3 s, 89 % of it in ``unix_time``): for *every message it hands out*, ``receive_message`` calls
``is_message_valid_based_on_retention_period``, which calls ``get_queue_attributes``, which builds
``Queue.attributes`` three times, and each build counts ApproximateNumberOfMessages, ...NotVisible
and ...Delayed by reading the wall clock (a ``datetime`` round trip) once or twice per message in the
queue. On top of that each pass first copies the whole list of visible messages (``Queue.messages``)
before it stops at ``MaxNumberOfMessages``. One receive of 10 messages from a 1,000-message queue
therefore reads the clock about 100,000 times.

What this patch does, keeping every observable behaviour of the receive path:

* ``is_message_valid_based_on_retention_period`` reads the queue's retention period directly.
* the three counts and ``Queue.messages`` read the clock once per call, not once per message.
* ``SQSBackend.receive_message`` reads the clock once per pass and stops scanning as soon as it has
  ``MaxNumberOfMessages`` messages. Kept as moto does it: visibility timeout, DelaySeconds, FIFO
  order and group locking (a group with a message in flight yields nothing until that message is
  deleted or visible again; one call may return several messages of one group), receive counts,
  attribute filtering on a copy, and the **dead-letter move through the same calls moto makes**:
  ``queue._messages.remove(message)`` then ``queue.dead_letter_queue.add_message(message)`` (so a
  wrapper of ``Queue.add_message`` sees every DLQ move), and each move is reported on the observe
  bus as a ``Delivery(service="sqs", action="dlq-move", status="dlq")`` for the flow trace.
* Long polling waits on the queue's condition and wakes on a send, a delete (it may unlock a FIFO
  group), a visibility change, or when the next message's visibility timeout or delay ends; plain
  moto busy-loops for the whole wait when only locked FIFO groups hold visible messages.
* Retention, as AWS documents it ("Amazon SQS automatically deletes messages that have been in a
  queue for more than the maximum message retention period"): an expired message is deleted.
  Plain moto marks it received and stops the whole receive, so it returns nothing, ever, for the
  fresh messages queued behind it.
* ``Queue.delete_message`` finds the receipt handle in one pass and wakes long pollers.

Order: this module *replaces* ``receive_message`` and ``delete_message``, so it must come before
any module that wraps them in ``PATCH_MODULES``; wrappers installed after it wrap this version.
How many of the receivable messages one pass hands out is left to :data:`batch_size`, which
``sqs.receive_partial`` sets (AWS may return fewer messages than requested); unset, a pass returns
up to ``MaxNumberOfMessages``, as moto does.

``LABS_EMULATOR_DISABLE=sqs_receive_fast`` (read by ``emulator.install()``) leaves plain moto in
place, used to run the semantic tests and the benchmark against plain moto.
"""

from __future__ import annotations

import functools
import time
from collections.abc import Callable
from copy import deepcopy
from typing import Any

from ..patching import Patch

NAME = "sqs_receive_fast"
#: Longest single wait while long polling, a safety net for changes made without notifying.
_MAX_WAIT_SLICE = 1.0
#: Extension point for the next gap, ``sqs.receive_partial`` (its own patch): when a pass finds more
#: receivable messages than requested, ``batch_size(queue, requested)`` says how many to hand out
#: (1..requested). None (that patch not applied): as many as requested, moto's behaviour.
batch_size: Callable[[Any, int], int] | None = None


def now_ms() -> float:
    """moto's SQS clock, in milliseconds (shared by every module that reads message timings).

    Looked up on moto's module each time so that anything that fakes moto's clock still works.
    """
    from moto.sqs import models

    return models.unix_time_millis()


def receivable(message: Any, now: float) -> bool:
    """moto's rule for a message ReceiveMessage may hand out at ``now``: visible and not delayed."""
    return now > message.visible_at and not now < message.delayed_until


# ---------------------------------------------------------------------------- counts
def _messages(self: Any) -> list[Any]:
    """Visible, not delayed messages (moto's definition), with one clock read."""
    now = now_ms()
    return [m for m in self._messages if receivable(m, now)]


def _approximate_number_of_messages(self: Any) -> int:
    now = now_ms()
    return sum(1 for m in self._messages if receivable(m, now))


def _approximate_number_of_messages_not_visible(self: Any) -> int:
    now = now_ms()
    return sum(1 for m in self._messages if not now > m.visible_at)


def _approximate_number_of_messages_delayed(self: Any) -> int:
    now = now_ms()
    return sum(1 for m in self._messages if now < m.delayed_until)


def _is_message_valid_based_on_retention_period(self: Any, queue_name: str, message: Any) -> bool:
    queue = self.get_queue(queue_name)
    return not _expired(queue, message, now_ms())


def _expired(queue: Any, message: Any, now_ms: float) -> bool:
    """moto's retention rule: retained while sent + MessageRetentionPeriod is in the future."""
    return int(queue.message_retention_period) * 1000 + message.sent_timestamp <= now_ms


# ---------------------------------------------------------------------------- receive
def _scan(queue: Any, count: int, visibility_timeout: int, attribute_names: list[str]) -> tuple[list[Any], list[Any], float | None]:
    """One pass over the queue: (messages received, messages for the DLQ, ms until the next change).

    Must be called with ``queue._messages_lock`` held.
    """
    from moto.sqs.models import _filter_message_attributes

    now = now_ms()
    pending = queue.pending_messages
    # A pending message whose visibility timeout ran out is no longer in flight (moto removes it
    # from pending when it meets it; doing it first gives the same groups without re-deriving them).
    for message in [m for m in pending if now > m.visible_at]:
        pending.discard(message)
    locked_groups = {m.group_id for m in pending if m.group_id is not None} if queue.fifo_queue else set()
    policy, dlq = queue.redrive_policy, queue.dead_letter_queue
    max_receives = policy["maxReceiveCount"] if dlq is not None and policy else None

    sizer = batch_size
    # With a sizer, look one message further: it only decides when more than `count` are receivable.
    wanted = count + 1 if sizer is not None else count
    candidates: list[Any] = []
    to_dlq: list[Any] = []
    expired: list[Any] = []
    next_change: float | None = None
    for message in queue._messages:
        if _expired(queue, message, now):
            expired.append(message)
            continue
        if not receivable(message, now):
            wake = max(message.visible_at, message.delayed_until)
            next_change = wake if next_change is None else min(next_change, wake)
            continue
        if locked_groups and message.group_id in locked_groups:
            continue
        if max_receives is not None and message.approximate_receive_count >= max_receives:
            if len(candidates) < count:  # met before the batch was full, as moto meets it
                to_dlq.append(message)
            continue
        candidates.append(message)
        if len(candidates) >= wanted:
            break
    take = min(len(candidates), count)
    if sizer is not None and len(candidates) > count:
        take = max(1, min(count, int(sizer(queue, count))))
    received: list[Any] = []
    for message in candidates[:take]:
        pending.add(message)
        message.mark_received(visibility_timeout=visibility_timeout)
        # A copy, as moto does: attribute filtering must not change the stored message.
        copy = deepcopy(message)
        _filter_message_attributes(copy, attribute_names)
        received.append(copy)
    if expired:
        # AWS: "messages that are in the queue longer than the retention period are deleted".
        gone = set(map(id, expired))
        queue._messages = [m for m in queue._messages if id(m) not in gone]
        for message in expired:
            pending.discard(message)
    return received, to_dlq, None if next_change is None else max(0.0, next_change - now)


def _receive_message(
    self: Any,
    queue_name: str,
    count: int,
    wait_seconds_timeout: int,
    visibility_timeout: int,
    message_attribute_names: list[str] | None = None,
) -> list[Any]:
    """moto's ``SQSBackend.receive_message`` with the same contract, in O(messages scanned)."""
    names = message_attribute_names or []
    queue = self.get_queue(queue_name)
    deadline = time.monotonic() + (wait_seconds_timeout or 0)
    while True:
        with queue._messages_lock:
            received, to_dlq, next_change_ms = _scan(queue, count, visibility_timeout, names)
            remaining = deadline - time.monotonic()
            if not received and not to_dlq and wait_seconds_timeout and remaining > 0:
                # Long polling: sleep until something may have changed, then look again.
                slice_s = min(remaining, _MAX_WAIT_SLICE)
                if next_change_ms is not None:
                    slice_s = min(slice_s, next_change_ms / 1000 + 0.001)
                queue._messages_lock.wait(timeout=slice_s)
                continue
        # The dead-letter move, exactly as moto makes it (outside the lock: the DLQ has its own).
        for message in to_dlq:
            queue._messages.remove(message)
            queue.dead_letter_queue.add_message(message)
            _report_dlq_move(queue, message)
        if received or not wait_seconds_timeout or deadline - time.monotonic() <= 0:
            return received
        # Only DLQ moves happened and there is time left: look again.


def _report_dlq_move(queue: Any, message: Any) -> None:
    """Tell the observe bus (the flow trace listens) that the backend moved a message to the DLQ.

    Nobody calls an API for this move, so without it a trace would show a message that was
    received a few times and then vanished. AWS keeps the MessageId when it moves a message to a
    dead-letter queue, so ``message_id`` and ``cause_id`` are both the original MessageId.
    """
    from ...observe import Delivery, emit

    emit(Delivery(service="sqs", action="dlq-move", source=queue.queue_arn, target=queue.dead_letter_queue.queue_arn,
                  message_id=message.id, cause_id=message.id, status="dlq", payload=message.body,
                  detail={"receive_count": message.approximate_receive_count,
                          "max_receive_count": (queue.redrive_policy or {}).get("maxReceiveCount")}))


# ---------------------------------------------------------------------------- delete / visibility
def _notify(queue: Any) -> None:
    with queue._messages_lock:
        queue._messages_lock.notify_all()


def _delete_message(self: Any, receipt_handle: str) -> None:
    """moto's ``Queue.delete_message`` in one pass; wakes long pollers (a FIFO group may unlock)."""
    from moto.sqs.models import ReceiptHandleIsInvalid

    # Under the queue's lock (as moto's add_message and this module's receive are): the list is
    # rebuilt and reassigned, so two unlocked deletes from consumer threads could each write back
    # the message the other one deleted, and a deleted message would be delivered again.
    with self._messages_lock:
        if receipt_handle in self.deleted_messages:
            return  # already deleted: AWS accepts deleting twice
        kept, hit = [], False
        for message in self._messages:
            if message.receipt_handle == receipt_handle or receipt_handle in message._old_receipt_handles:
                hit = True
                self.pending_messages.discard(message)
                self.deleted_messages.update(message.all_receipt_handles)
            else:
                kept.append(message)
        if not hit:
            raise ReceiptHandleIsInvalid()
        self._messages = kept
        self._messages_lock.notify_all()


def _wake_after(change_visibility: Any) -> Any:
    @functools.wraps(change_visibility)
    def change_message_visibility(self: Any, queue_name: str, receipt_handle: str, visibility_timeout: int) -> None:
        change_visibility(self, queue_name, receipt_handle, visibility_timeout)
        _notify(self.get_queue(queue_name))

    return change_message_visibility


# ---------------------------------------------------------------------------- apply
def _apply() -> None:
    from moto.sqs.models import Queue, SQSBackend

    replacements: list[tuple[type, str, Any]] = [
        (Queue, "messages", property(_messages)),
        (Queue, "approximate_number_of_messages", property(_approximate_number_of_messages)),
        (Queue, "approximate_number_of_messages_not_visible", property(_approximate_number_of_messages_not_visible)),
        (Queue, "approximate_number_of_messages_delayed", property(_approximate_number_of_messages_delayed)),
        (Queue, "delete_message", _delete_message),
        (SQSBackend, "is_message_valid_based_on_retention_period", _is_message_valid_based_on_retention_period),
        (SQSBackend, "change_message_visibility", _wake_after(SQSBackend.change_message_visibility)),
        (SQSBackend, "receive_message", _receive_message),
    ]
    for owner, attribute, value in replacements:
        current = owner.__dict__[attribute]
        function = value.fget if isinstance(value, property) else value
        if not hasattr(function, "__wrapped__"):  # replacements (not functools.wraps wrappers)
            # Keeps other patches' fingerprints of moto's code valid: inspect follows __wrapped__.
            function.__wrapped__ = current.fget if isinstance(current, property) else current
        setattr(owner, attribute, value)


PATCH = Patch(
    name=NAME,
    restores="ReceiveMessage costs the same on a deep queue as on a shallow one; messages past "
             "MessageRetentionPeriod are deleted; long polling returns as soon as a message can be received",
    plain_moto="every received message recounts the whole queue (draining N messages is O(N^2), about "
               "30 messages/s at 1,000); an expired message blocks every message behind it; long polling "
               "busy-waits while FIFO groups are locked",
    apply=_apply,
    targets={
        "moto.sqs.models:SQSBackend.receive_message": "065f3e5e7d21",
        "moto.sqs.models:SQSBackend.is_message_valid_based_on_retention_period": "cca23b94a5f3",
        "moto.sqs.models:SQSBackend.change_message_visibility": "f0e9df5f6662",
        "moto.sqs.models:Queue.delete_message": "fa6fd5b9bd2c",
        "moto.sqs.models:Queue.messages.fget": "03a531dbcbcf",
        "moto.sqs.models:Queue.approximate_number_of_messages.fget": "d357a9506a56",
        "moto.sqs.models:Queue.approximate_number_of_messages_not_visible.fget": "5dbecc4dda17",
        "moto.sqs.models:Queue.approximate_number_of_messages_delayed.fget": "c3c1dadb0c42",
        "moto.sqs.models:Queue.add_message": "f27c9231c1f2",
        "moto.sqs.models:Message.mark_received": "98e7ec115c7f",
    },
)
