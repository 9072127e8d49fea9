"""Exercise the learner's own code on scratch resources, with injected faults, and watch what it does.

Many mistakes only show in behaviour: a consumer that deletes a batch *before* processing it is
configured exactly like one that deletes after, until it crashes halfway. A :class:`Probe` lets a
check run the learner's function the way production would stress it and judge the outcome:

* **scratch queues and topics** of the lab (``lab.name("check-...")`` with a random suffix, because on AWS a
  deleted queue's name cannot be reused for 60 s), deleted when the probe ends;
* **faults injected on the client** the learner's code uses (``lab.client("sqs")``), through
  botocore's event system, so they behave the same on every backend, real AWS included: the first
  receive returns fewer messages than asked (AWS documents that it may), a long poll is shortened
  (so a check never waits 20 s), a redrive moves at a finite rate (as it does on AWS);
* **a record** of every call the learner's code made during the probe (operation, parameters,
  messages received, receipt handles deleted), so a check can say "you asked for one message per
  receive" or "you deleted a message you had not processed";
* **a time limit**: the learner's function runs in a thread; if it has not returned in time, its
  next AWS call raises :class:`ProbeTimeout` (a ``BaseException``, so ``except Exception`` in the
  learner's loop does not swallow it) and the check reports the endless loop instead of hanging.

The flow trace is paused meanwhile, so ``lab.flow`` keeps showing the learner's own story.
"""

from __future__ import annotations

import copy
import threading
import time
import uuid
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any, ClassVar

from botocore.exceptions import ClientError

from ..aws_errors import explain
from ..backend import BackendKind
from . import Feedback


class ProbeTimeout(BaseException):
    """Raised inside the learner's code when the probe's time limit has passed."""


@dataclass
class Outcome:
    """What one call of the learner's function did: its return value or the exception it raised."""

    value: Any = None
    error: BaseException | None = None
    timed_out: bool = False
    seconds: float = 0.0

    @property
    def ok(self) -> bool:
        return self.error is None and not self.timed_out


@dataclass
class Call:
    """One AWS call the learner's code made during the probe."""

    operation: str
    params: dict[str, Any]
    response: dict[str, Any] | None = None
    error: str | None = None  #: the AWS error code, if the call failed


@dataclass
class Faults:
    """What the probe does to the learner's calls (see the module docstring)."""

    short_receive: int | None = None  #: each thread's first ReceiveMessage returns at most this many
    max_wait: int | None = None  #: WaitTimeSeconds is capped to this
    move_rate: int | None = None  #: StartMessageMoveTask gets MaxNumberOfMessagesPerSecond unless given


@dataclass
class Probe:
    """Scratch resources, injected faults and a record of the learner's calls, for one check."""

    lab: Any
    fb: Feedback
    faults: Faults = field(default_factory=Faults)
    calls: list[Call] = field(default_factory=list)
    _queues: list[str] = field(default_factory=list)
    _topics: list[str] = field(default_factory=list)
    _buses: list[str] = field(default_factory=list)
    _armed: bool = False
    _deadline_passed: bool = False
    _pending: threading.local = field(default_factory=threading.local)
    _lock: threading.Lock = field(default_factory=threading.Lock)
    _short_done: set[str] = field(default_factory=set)

    # ------------------------------------------------------------------ lifecycle
    #: The clients whose calls a probe records (the learner's code reaches AWS through these), and
    #: the batch operation of each that ``chaos.flaky_batches`` may change before it is sent.
    _WATCHED: ClassVar[dict[str, str]] = {"sqs": "SendMessageBatch", "sns": "PublishBatch", "events": "PutEvents",
                                          "kinesis": "PutRecords", "dynamodb": "BatchWriteItem",
                                          "dynamodbstreams": "GetRecords"}

    def __enter__(self) -> Probe:
        self.sqs = self.lab.client("sqs")
        self.sns = self.lab.client("sns")
        self.events = self.lab.client("events")
        self._tag = uuid.uuid4().hex[:8]
        for service, batch in self._WATCHED.items():
            events = self.lab.client(service).meta.events
            events.register(f"before-parameter-build.{service}", self._before,
                            unique_id=f"labs-probe-before-{self._tag}")
            # botocore calls handlers of the more specific event first: to see a batch as the learner's
            # code built it (before chaos.flaky_batches drops entries), record the batch call there too.
            events.register_first(f"before-parameter-build.{service}.{batch}", self._before,
                                  unique_id=f"labs-probe-batch-{self._tag}")
            events.register_first(f"after-call.{service}", self._after, unique_id=f"labs-probe-after-{self._tag}")
        flow = self._flow()
        self._flow_was = getattr(flow, "enabled", None)
        if flow is not None:
            flow.enabled = False
        return self

    def __exit__(self, *_: Any) -> None:
        for service, batch in self._WATCHED.items():
            events = self.lab.client(service).meta.events
            events.unregister(f"before-parameter-build.{service}", unique_id=f"labs-probe-before-{self._tag}")
            events.unregister(f"before-parameter-build.{service}.{batch}", unique_id=f"labs-probe-batch-{self._tag}")
            events.unregister(f"after-call.{service}", unique_id=f"labs-probe-after-{self._tag}")
        for bus in self._buses:  # its rules (and their targets) first: a bus with rules cannot be deleted
            try:
                for rule in self.events.list_rules(EventBusName=bus).get("Rules", []):
                    ids = [t["Id"] for t in self.events.list_targets_by_rule(Rule=rule["Name"], EventBusName=bus)["Targets"]]
                    if ids:
                        self.events.remove_targets(Rule=rule["Name"], EventBusName=bus, Ids=ids)
                    self.events.delete_rule(Name=rule["Name"], EventBusName=bus)
                self.events.delete_event_bus(Name=bus)
            except ClientError:
                pass
        for arn in self._topics:
            try:
                self.sns.delete_topic(TopicArn=arn)  # its subscriptions go with it
            except ClientError:
                pass
        for url in self._queues:
            try:
                self.sqs.delete_queue(QueueUrl=url)
            except ClientError:
                pass  # already gone; the lab's teardown would find a leftover by its prefix anyway
        flow = self._flow()
        if flow is not None and self._flow_was is not None:
            flow.enabled = self._flow_was

    def _flow(self) -> Any:
        try:
            return self.lab.flow
        except Exception:  # noqa: BLE001 - a lab without a trace (a test double) has nothing to pause
            return None

    # ------------------------------------------------------------------ scratch resources
    def queue(self, base: str, attributes: dict[str, str] | None = None) -> tuple[str, str]:
        """A scratch queue (URL, ARN), deleted when the probe ends. ``base`` ending .fifo makes a FIFO name."""
        fifo = base.endswith(".fifo")
        stem = base.removesuffix(".fifo")
        name = self.lab.name(f"check-{stem}-{uuid.uuid4().hex[:6]}") + (".fifo" if fifo else "")
        attrs = {**({"FifoQueue": "true"} if fifo else {}), **(attributes or {})}
        url = self.sqs.create_queue(QueueName=name, Attributes=attrs)["QueueUrl"]
        self._queues.append(url)
        arn = self.sqs.get_queue_attributes(QueueUrl=url, AttributeNames=["QueueArn"])["Attributes"]["QueueArn"]
        return url, arn

    def topic(self, base: str, attributes: dict[str, str] | None = None) -> str:
        """A scratch SNS topic (ARN), deleted with its subscriptions when the probe ends; ``base``
        ending .fifo makes a FIFO topic."""
        fifo = base.endswith(".fifo")
        name = self.lab.name(f"check-{base.removesuffix('.fifo')}-{uuid.uuid4().hex[:6]}") + (".fifo" if fifo else "")
        attrs = {**({"FifoTopic": "true"} if fifo else {}), **(attributes or {})}
        arn = self.sns.create_topic(Name=name, Attributes=attrs)["TopicArn"]
        self._topics.append(arn)
        return arn

    def bus(self, base: str) -> tuple[str, str]:
        """A scratch event bus (name, ARN), deleted with its rules when the probe ends."""
        name = self.lab.name(f"check-{base}-{uuid.uuid4().hex[:6]}")
        arn = self.events.create_event_bus(Name=name)["EventBusArn"]
        self._buses.append(name)
        return name, arn

    def bus_listener(self, bus: str, pattern: dict[str, Any] | None = None, base: str = "listener",
                     **target: Any) -> str:
        """A scratch queue that a scratch rule on ``bus`` (``pattern``, or every event of the account)
        delivers to, with the queue policy that lets that rule send; returns the queue URL. ``target``
        are more target fields (InputTransformer, ...)."""
        import json

        url, arn = self.queue(base)
        rule = self.lab.name(f"check-{base}-{uuid.uuid4().hex[:6]}")
        rule_arn = self.events.put_rule(Name=rule, EventBusName=bus, EventPattern=json.dumps(
            pattern or {"account": [self.lab.account_id]}))["RuleArn"]
        self.sqs.set_queue_attributes(QueueUrl=url, Attributes={"Policy": json.dumps({
            "Version": "2012-10-17", "Statement": [{
                "Effect": "Allow", "Principal": {"Service": "events.amazonaws.com"}, "Action": "sqs:SendMessage",
                "Resource": arn, "Condition": {"ArnEquals": {"aws:SourceArn": rule_arn}}}]})})
        self.events.put_targets(Rule=rule, EventBusName=bus, Targets=[{"Id": "listener", "Arn": arn, **target}])
        return url

    def listener(self, topic_arn: str, base: str = "listener", **subscription: str) -> str:
        """A scratch queue subscribed to ``topic_arn`` (raw delivery unless told otherwise), with the
        queue policy that lets that topic send; returns the queue URL. ``subscription`` are more
        subscription attributes (FilterPolicy, FilterPolicyScope, ...)."""
        fifo = topic_arn.endswith(".fifo")
        url, arn = self.queue(base + (".fifo" if fifo else ""))
        self.allow_topic(url, arn, topic_arn)
        attributes = {"RawMessageDelivery": "true", **subscription}
        self.sns.subscribe(TopicArn=topic_arn, Protocol="sqs", Endpoint=arn, Attributes=attributes)
        return url

    def allow_topic(self, url: str, queue_arn: str, topic_arn: str) -> None:
        """The documented queue policy statement that lets ``topic_arn`` send to the queue."""
        import json

        self.sqs.set_queue_attributes(QueueUrl=url, Attributes={"Policy": json.dumps({
            "Version": "2012-10-17", "Statement": [{
                "Effect": "Allow", "Principal": {"Service": "sns.amazonaws.com"}, "Action": "sqs:SendMessage",
                "Resource": queue_arn, "Condition": {"ArnEquals": {"aws:SourceArn": topic_arn}}}]})})

    def fill(self, url: str, bodies: list[str], **extra: Any) -> None:
        """Send ``bodies`` (the probe's own traffic, not recorded as the learner's)."""
        for start in range(0, len(bodies), 10):
            entries = [{"Id": str(i), "MessageBody": body, **extra} for i, body in enumerate(bodies[start:start + 10])]
            self.sqs.send_message_batch(QueueUrl=url, Entries=entries)

    def depth(self, url: str) -> tuple[int, int]:
        """(visible + delayed, in flight) of a queue."""
        attrs = self.sqs.get_queue_attributes(QueueUrl=url, AttributeNames=[
            "ApproximateNumberOfMessages", "ApproximateNumberOfMessagesNotVisible",
            "ApproximateNumberOfMessagesDelayed"])["Attributes"]
        return (int(attrs["ApproximateNumberOfMessages"]) + int(attrs["ApproximateNumberOfMessagesDelayed"]),
                int(attrs["ApproximateNumberOfMessagesNotVisible"]))

    def drain_all(self, url: str, *, attribute_names: list[str] | None = None) -> list[dict[str, Any]]:
        """Every message now visible in the scratch queue ``url``, received and deleted (deleting is
        what lets a FIFO queue hand out the rest of a message group)."""
        found: dict[str, dict[str, Any]] = {}
        for _ in range(200):
            messages = self.sqs.receive_message(QueueUrl=url, MaxNumberOfMessages=10, VisibilityTimeout=30,
                                                WaitTimeSeconds=0 if self._embedded else 1,
                                                MessageSystemAttributeNames=attribute_names or ["All"]
                                                ).get("Messages", [])
            if not messages:
                break
            for message in messages:
                found[message["MessageId"]] = message
            self.sqs.delete_message_batch(QueueUrl=url, Entries=[
                {"Id": str(i), "ReceiptHandle": m["ReceiptHandle"]} for i, m in enumerate(messages)])
        return list(found.values())

    @property
    def _embedded(self) -> bool:
        return self.lab.backend.kind is BackendKind.EMBEDDED

    # ------------------------------------------------------------------ running the learner's code
    def run(self, fn: Callable[..., Any], *args: Any, timeout: float = 10.0, threads: int = 1) -> Outcome:
        """Call ``fn(*args)`` (``threads`` times at once) with the faults armed and a time limit."""
        results: list[Outcome] = [Outcome() for _ in range(threads)]

        def target(slot: int) -> None:
            start = time.perf_counter()
            try:
                results[slot].value = fn(*args)
            except ProbeTimeout:
                results[slot].timed_out = True
            except BaseException as err:  # noqa: BLE001 - the learner's error is what the check judges
                results[slot].error = err
            results[slot].seconds = time.perf_counter() - start

        self._armed, self._deadline_passed = True, False
        self._runs = getattr(self, "_runs", 0) + 1
        workers = [threading.Thread(target=target, args=(i,), daemon=True, name=f"labs-probe-{self._runs}-{i}")
                   for i in range(threads)]
        for worker in workers:
            worker.start()
        for worker in workers:
            worker.join(timeout)
        if any(w.is_alive() for w in workers):
            self._deadline_passed = True  # the next AWS call of a looping thread raises ProbeTimeout
            for worker in workers:
                worker.join(2.0)
            for slot, worker in enumerate(workers):
                if worker.is_alive():
                    results[slot].timed_out = True
        self._armed = False
        first_error = next((r for r in results if r.error is not None or r.timed_out), None)
        return first_error or results[0]

    def explain_error(self, outcome: Outcome, name: str, *, expected: tuple[type[BaseException], ...] = ()) -> bool:
        """Report an unexpected error of the learner's function; True when there was one."""
        if outcome.timed_out:
            self.fb.wrong(f"{name} did not return within the time limit: it seems to loop forever.",
                          "End the loop: stop when a receive returns no messages (an empty 'Messages' list).")
            return True
        err = outcome.error
        if err is None or isinstance(err, expected):
            return False
        explained = explain(err)
        if explained is not None:
            self.fb.wrong(f"{name} failed: AWS said {explained.code}: {explained.message}",
                          f"{explained.means} {explained.fix}")
        else:
            self.fb.wrong(f"{name} raised {type(err).__name__}: {err}",
                          f"Fix the {type(err).__name__} in {name} (the error names the value or key), run the cell "
                          "that defines it again, then this check.")
        return True

    # ------------------------------------------------------------------ what the learner's code did
    def require_calls(self, name: str, operation: str, hint: str, *also: str) -> list[Call]:
        """The learner's calls of ``operation`` (or ``also``); none at all ends the check: the
        function was written, so it is "incorrect", not "not attempted"."""
        calls = self.made(operation, *also)
        if not calls:
            api = "".join("_" + ch.lower() if ch.isupper() else ch for ch in operation).lstrip("_")
            self.fb.wrong(f"{name} made no {api} call.", hint)
            self.fb.stop()
        return calls

    def made(self, *operations: str) -> list[Call]:
        """The learner's calls of ``operations`` during the probe (all calls if none is named)."""
        return [c for c in self.calls if not operations or c.operation in operations]

    def received(self) -> dict[str, dict[str, Any]]:
        """ReceiptHandle -> message, for every message the learner's code received."""
        found: dict[str, dict[str, Any]] = {}
        for call in self.made("ReceiveMessage"):
            for message in (call.response or {}).get("Messages", []):
                found[message["ReceiptHandle"]] = message
        return found

    def deleted_bodies(self) -> list[str]:
        """Bodies of the messages the learner's code deleted successfully (a batch entry that failed is not)."""
        by_handle = self.received()
        handles: list[str] = []
        for call in self.made("DeleteMessage", "DeleteMessageBatch"):
            if call.error:
                continue
            if call.operation == "DeleteMessage":
                handles.append(str(call.params.get("ReceiptHandle")))
            else:
                failed = {f.get("Id") for f in (call.response or {}).get("Failed", [])}
                handles += [str(e.get("ReceiptHandle")) for e in call.params.get("Entries", []) if e.get("Id") not in failed]
        return [by_handle[h]["Body"] for h in handles if h in by_handle]

    # ------------------------------------------------------------------ botocore event handlers
    def _before(self, params: dict[str, Any], model: Any, event_name: str = "", **_: Any) -> None:
        if not self._armed or not threading.current_thread().name.startswith("labs-probe"):
            return  # the check's own calls (or another thread's) are neither faulted nor recorded
        if model.name in self._WATCHED.values() and not event_name.endswith(f".{model.name}"):
            return  # already recorded by the specific handler, before any entry was dropped
        if self._deadline_passed:
            raise ProbeTimeout()
        operation, faults = model.name, self.faults
        call = Call(operation, copy.deepcopy(params))  # as the learner's code asked, before any fault
        if operation == "ReceiveMessage":
            if faults.max_wait is not None and "WaitTimeSeconds" in params:
                params["WaitTimeSeconds"] = min(int(params["WaitTimeSeconds"]), faults.max_wait)
            with self._lock:  # the first receive of each of the learner's threads is short
                me = threading.current_thread().name  # unique per thread of this run (idents get reused)
                first = me not in self._short_done
                self._short_done.add(me)
            if faults.short_receive is not None and first:
                asked = int(params.get("MaxNumberOfMessages", 1))
                params["MaxNumberOfMessages"] = max(1, min(asked, faults.short_receive))
        if operation == "StartMessageMoveTask" and faults.move_rate is not None:
            params.setdefault("MaxNumberOfMessagesPerSecond", faults.move_rate)
        with self._lock:
            self.calls.append(call)
        self._pending.call = call

    def _after(self, parsed: dict[str, Any], model: Any, **_: Any) -> None:
        call = getattr(self._pending, "call", None)
        if call is None or call.operation != model.name:
            return
        self._pending.call = None
        code = (parsed or {}).get("Error", {}).get("Code")
        if code:
            call.error = str(code)
        else:
            call.response = parsed


__all__ = ["Call", "Faults", "Outcome", "Probe", "ProbeTimeout"]
