"""EventBridge rule targets: SNS, Step Functions and Lambda deliver; retry policy; target DLQs; trace.

Why one module for four gaps: moto builds the target input, dispatches on the target kind and lets
errors escape all inside one method, ``Rule.send_to_targets``. Four wrappers around that one method
would each have to undo the others' work, so this module replaces it once and keeps each concern in
its own function (input text: :mod:`events_input`; delivery per kind; retry and DLQ; reporting).

What AWS documents, and what the emulator does:

* Targets (user guide, "Amazon EventBridge targets"): SNS topics, Step Functions state machines,
  Lambda functions, SQS queues, event buses in other accounts, log groups, API destinations. moto
  5.2.5 raises ``NotImplementedError`` from ``put_events`` for SNS, Step Functions, Lambda and Kinesis. Here:
  SNS publishes the target input through moto's SNS backend (so the topic's subscriptions fan out);
  Step Functions starts an execution with the input, named with a fresh UUID (a name is unique per
  state machine); Lambda is invoked with ``InvocationType=Event`` through moto's Lambda backend (real
  handlers run when the local Lambda runtime layer is on; without it moto echoes the payload); a
  Kinesis stream gets one record, partitioned by KinesisParameters.PartitionKeyPath or the event id.
  EventBridge invokes Lambda asynchronously, so an error *raised by the handler* is Lambda's
  asynchronous retry's business, not EventBridge's: only failing to hand the event to Lambda (say,
  the function was deleted) counts as a failed target delivery, as on AWS.
* SQS: the input is the message body; a FIFO queue gets ``SqsParameters.MessageGroupId``. AWS
  delivers the whole matched event (with ``account``) when the target has no Input/InputPath/
  InputTransformer; moto dropped ``account``.
* Disabled rules (API reference, DisableRule: "A disabled rule won't match any events"): moto still
  delivered to their targets.
* Retry policy (user guide, "Event retry policy and using dead-letter queues"): "When an event isn't
  successfully delivered to a target because of retriable errors, EventBridge retries sending the
  event"; "for errors that result from missing permissions to a target, or a target resource that no
  longer exists ... Rather than retrying, EventBridge sends these events directly to the DLQ".
  Emulator: retries are **immediate** (no back-off or jitter), at most ``MaximumRetryAttempts`` and
  never more than :data:`EMULATOR_MAX_RETRIES`; ``MaximumEventAgeInSeconds`` is checked against the
  event's ingestion time before each retry.
* Dead-letter queue (same page): "Each message in your DLQ will include the following custom
  attributes: RULE_ARN, TARGET_ARN, ERROR_CODE, ERROR_MESSAGE, EXHAUSTED_RETRY_CONDITION,
  RETRY_ATTEMPTS". The body is the matched event. A non-retried error carries no
  EXHAUSTED_RETRY_CONDITION.
* Reporting: every target of every matching rule gives one ``Delivery(service="events",
  action="rule-match")`` per attempt outcome: "retrying" for each failed attempt that is retried,
  then "delivered", "dead-lettered" or "failed" (no DLQ, or the DLQ itself failed). Rules AWS
  manages for archives are not reported (they are not the student's).
"""

from __future__ import annotations

import copy
import functools
import json
import time
import uuid
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from ...observe import Delivery, emit
from ..arns import Arn
from ..awslambda.local_runtime import invoked_by
from ..patching import Patch
from .input import delivered_event, json_path, target_input

NAME = "events_targets"
#: AWS's default RetryPolicy is 185 attempts over 24 hours; immediate retries in-process stop here.
EMULATOR_MAX_RETRIES = 5
DEFAULT_MAX_RETRIES = 185
DEFAULT_MAX_AGE_SECONDS = 86_400
#: Error codes (moto exception codes) meaning "the target resource no longer exists".
_NOT_FOUND_CODES = {
    "AWS.SimpleQueueService.NonExistentQueue", "QueueDoesNotExist", "NotFound", "ResourceNotFound",
    "ResourceNotFoundException", "StateMachineDoesNotExist", "TopicNotFound",
}
_PERMISSION_CODES = {"AccessDenied", "AccessDeniedException", "AuthorizationError", "KMS.AccessDeniedException"}
_THROTTLING_CODES = {"Throttling", "ThrottlingException", "TooManyRequestsException", "RequestThrottled"}
_INVALID_INPUT_CODES = {"InvalidExecutionInput", "InvalidRequestContentException", "InvalidParameterValue"}


def _clock() -> float:
    """Seconds since the epoch (a function, so tests can age an event without sleeping)."""
    return time.time()


@dataclass(frozen=True)
class TargetFailure:
    """Why one delivery attempt failed, in the DLQ's vocabulary."""

    code: str  #: ERROR_CODE as AWS writes it to the DLQ (NO_RESOURCE, THROTTLING, ...)
    message: str
    retryable: bool


class DeliveryError(Exception):
    """Raised by a deliverer when the target answered with a failure instead of an exception."""

    def __init__(self, code: str, message: str) -> None:
        super().__init__(message)
        self.code = code
        self.message = message


def classify(err: BaseException) -> TargetFailure:
    """Map an exception from a moto backend to AWS's DLQ error code and whether AWS would retry."""
    if isinstance(err, DeliveryError):  # the layer's own verdict: a target AWS would refuse outright
        return TargetFailure(err.code, err.message, retryable=False)
    raw = getattr(err, "error_type", None) or getattr(err, "TYPE", None) or getattr(err, "code", None)
    code = raw if isinstance(raw, str) else type(err).__name__
    message = str(getattr(err, "message", "") or err)
    if code in _NOT_FOUND_CODES or type(err).__name__ in {"QueueDoesNotExist", "UnknownFunctionException"}:
        return TargetFailure("NO_RESOURCE", message, retryable=False)
    if code in _PERMISSION_CODES:
        return TargetFailure("NO_PERMISSIONS", message, retryable=False)
    if code in _THROTTLING_CODES:
        return TargetFailure("THROTTLING", message, retryable=True)
    if code in _INVALID_INPUT_CODES:
        return TargetFailure("INVALID_PARAMETER", message, retryable=False)
    if isinstance(raw, str):  # a service error code the maps above do not name
        return TargetFailure("ERROR_FROM_TARGET", message, retryable=False)
    return TargetFailure("INTERNAL_ERROR", f"{type(err).__name__}: {message}", retryable=True)


def bus_arn(rule: Any) -> str:
    from moto.utilities.utils import get_partition

    return f"arn:{get_partition(rule.region_name)}:events:{rule.region_name}:{rule.account_id}:event-bus/{rule.event_bus_name}"


# ---------------------------------------------------------------------------- deliverers
#: What a deliverer returns: the downstream id (MessageId, execution ARN, ...), optionally with details.
Outcome = str | tuple[str, dict[str, Any]] | None

def _sqs(rule: Any, target: dict[str, Any], arn: Arn, text: str, event: dict[str, Any]) -> str:
    from moto.sqs.models import sqs_backends

    backend = sqs_backends[arn.account or rule.account_id][arn.region or rule.region_name]
    group_id = (target.get("SqsParameters") or {}).get("MessageGroupId")
    queue = backend.get_queue(arn.resource)
    if queue.fifo_queue and str(queue.content_based_deduplication).lower() != "true":
        # API reference, Target.SqsParameters: "If you specify an SQS FIFO queue as a target, the queue
        # must have content-based deduplication enabled." (moto warned and dropped the event silently.)
        raise DeliveryError("INVALID_PARAMETER",
                            "The SQS FIFO queue target must have content-based deduplication enabled.")
    message = backend.send_message(queue_name=arn.resource, message_body=text, group_id=group_id)
    return str(message.id)


def _sns(rule: Any, target: dict[str, Any], arn: Arn, text: str, event: dict[str, Any]) -> str:
    from moto.sns.models import sns_backends

    backend = sns_backends[arn.account or rule.account_id][arn.region or rule.region_name]
    backend.get_topic(target["Arn"])  # raises NotFound for a deleted topic (publish would try endpoints)
    return str(backend.publish(message=text, arn=target["Arn"]))


def _states(rule: Any, target: dict[str, Any], arn: Arn, text: str, event: dict[str, Any]) -> str:
    from moto.stepfunctions.responses import get_backend

    backend = get_backend(arn.account or rule.account_id, arn.region or rule.region_name)
    execution = backend.start_execution(target["Arn"], name=str(uuid.uuid4()), execution_input=text)
    return str(execution.execution_arn)


def _lambda(rule: Any, target: dict[str, Any], arn: Arn, text: str, event: dict[str, Any]) -> Outcome:
    """Invoke asynchronously. Only a missing function fails the *EventBridge* delivery: once Lambda has
    accepted an asynchronous invocation, a handler error is retried by Lambda ("If the function
    returns an error, by default Lambda attempts to run it two more times"), not by EventBridge."""
    from moto.awslambda.utils import get_backend

    try:
        json.loads(text)
        payload = text
    except ValueError:  # a plain-text template: Lambda payloads are JSON, so it arrives as a JSON string
        payload = json.dumps(text)
    # The backend the Lambda API itself uses (moto keeps functions in a separate "simple" backend when
    # Docker is off): the functions the student created live there.
    backend = get_backend(arn.account or rule.account_id, arn.region or rule.region_name)
    backend.get_function(target["Arn"], None)  # UnknownFunctionException: NO_RESOURCE
    request_id = str(uuid.uuid4())  # the asynchronous invocation's request id
    response_headers: dict[str, str] = {}
    try:  # the rule-match delivery reports this hop, so the Lambda runtime adds no "invoke" row
        with invoked_by(rule.arn, cause_id=event.get("id"), reported=True):
            backend.invoke(target["Arn"], None, payload, {"x-amz-invocation-type": "Event"}, response_headers)
    except Exception as err:  # noqa: BLE001 - the handler's failure, Lambda's to retry
        return request_id, {"function_error": f"{type(err).__name__}: {err}"}
    if response_headers.get("x-amz-function-error"):
        return request_id, {"function_error": response_headers["x-amz-function-error"]}
    return request_id


def _event_bus(rule: Any, target: dict[str, Any], arn: Arn, text: str, event: dict[str, Any]) -> str:
    """Send the event to another bus (often another account's: the "security account" pattern).

    The receiving bus's rules see the event as sent: its ``account`` stays the sender's (that is what
    a pattern like ``{"account": ["111122223333"]}`` on a central bus relies on), with a new id.
    moto re-put the event from the receiving account, so ``account`` named the receiver.
    """
    from moto.core.utils import unix_time
    from moto.events.models import events_backends

    backend = events_backends[arn.account or rule.account_id][arn.region or rule.region_name]
    bus = backend.describe_event_bus(arn.resource_name)  # ResourceNotFoundException: NO_RESOURCE
    forwarded: dict[str, Any] = copy.deepcopy({k: v for k, v in event.items() if k != "replay-name"})
    forwarded["id"] = str(uuid.uuid4())
    forwarded["ingestion-time"] = unix_time()
    for receiving_rule in list(bus.rules.values()):
        receiving_rule.send_to_targets(forwarded)
    return str(forwarded["id"])


def _kinesis(rule: Any, target: dict[str, Any], arn: Arn, text: str, event: dict[str, Any]) -> str:
    """Put the input as one record. Target.KinesisParameters.PartitionKeyPath: "The JSON path to be
    extracted from the event and used as the partition key"; without it "the default is to use the
    eventId as the partition key"."""
    import base64

    from moto.kinesis.models import kinesis_backends

    key = str(event.get("id"))
    path = (target.get("KinesisParameters") or {}).get("PartitionKeyPath")
    if path:
        found, value = json_path(path, event)
        if not found or value is None:
            raise DeliveryError("INVALID_PARAMETER", f"PartitionKeyPath {path} matches nothing in the event")
        key = value if isinstance(value, str) else json.dumps(value)
    backend = kinesis_backends[arn.account or rule.account_id][arn.region or rule.region_name]
    sequence_number, _shard = backend.put_record(target["Arn"], arn.resource_name, key, None,
                                                 base64.b64encode(text.encode()).decode())
    return str(sequence_number)


Deliverer = Callable[[Any, dict[str, Any], Arn, str, dict[str, Any]], Outcome]


def deliverer_for(arn: Arn) -> Deliverer | None:
    """The function that delivers to this kind of target, or None to let moto do it (logs, archives,
    API destinations: moto already handles those)."""
    if arn.service == "sqs":
        return _sqs
    if arn.service == "sns":
        return _sns
    if arn.service == "states":
        return _states
    if arn.service == "lambda":
        return _lambda
    if arn.service == "kinesis":
        return _kinesis
    if arn.service == "events" and arn.resource_type == "event-bus":
        return _event_bus
    return None


# ---------------------------------------------------------------------------- retry and DLQ
def _send_to_dead_letter_queue(rule: Any, target: dict[str, Any], event: dict[str, Any], failure: TargetFailure,
                               retries: int, condition: str | None) -> str:
    """Write the event to the target's DLQ with AWS's attributes; returns the DLQ message id."""
    from moto.sqs.models import sqs_backends

    dlq = Arn.parse(target["DeadLetterConfig"]["Arn"])
    attributes = {
        "RULE_ARN": {"DataType": "String", "StringValue": rule.arn},
        "TARGET_ARN": {"DataType": "String", "StringValue": target["Arn"]},
        "ERROR_CODE": {"DataType": "String", "StringValue": failure.code},
        "ERROR_MESSAGE": {"DataType": "String", "StringValue": failure.message[:1024] or failure.code},
        "RETRY_ATTEMPTS": {"DataType": "Number", "StringValue": str(retries)},
    }
    if condition:
        attributes["EXHAUSTED_RETRY_CONDITION"] = {"DataType": "String", "StringValue": condition}
    backend = sqs_backends[dlq.account or rule.account_id][dlq.region or rule.region_name]
    message = backend.send_message(queue_name=dlq.resource, message_body=json.dumps(event),
                                   message_attributes=attributes)
    return str(message.id)


def _report(rule: Any, target: dict[str, Any], moto_event: dict[str, Any], status: str, text: str,
            message_id: str | None = None, **detail: Any) -> None:
    if rule.managed_by:
        return
    emit(Delivery(service="events", action="rule-match", source=bus_arn(rule), target=target["Arn"],
                  message_id=message_id, cause_id=moto_event.get("id"), status=status, payload=text,
                  detail={"rule": rule.name, "bus": rule.event_bus_name, "target_id": target.get("Id"), **detail}))


def deliver_with_retries(rule: Any, target: dict[str, Any], moto_event: dict[str, Any],
                         attempt: Callable[[], Outcome], text: str) -> str:
    """Run ``attempt`` under the target's RetryPolicy; returns the final status reported."""
    policy = target.get("RetryPolicy") or {}
    max_retries = min(int(policy.get("MaximumRetryAttempts", DEFAULT_MAX_RETRIES)), EMULATOR_MAX_RETRIES)
    max_age = int(policy.get("MaximumEventAgeInSeconds", DEFAULT_MAX_AGE_SECONDS))
    ingested = float(moto_event.get("ingestion-time") or _clock())
    retries = 0
    while True:
        try:
            outcome = attempt()
        except Exception as err:  # noqa: BLE001 - every target failure is a delivery outcome, not a crash
            failure = classify(err)
        else:
            message_id, extra = outcome if isinstance(outcome, tuple) else (outcome, {})
            _report(rule, target, moto_event, "delivered", text, message_id, retries=retries, **extra)
            return "delivered"
        condition: str | None = None
        if not failure.retryable:
            break
        if retries >= max_retries:
            condition = "MaximumRetryAttempts"
            break
        if _clock() - ingested >= max_age:
            condition = "MaximumEventAgeInSeconds"
            break
        retries += 1
        _report(rule, target, moto_event, "retrying", text, None, retries=retries - 1,
                error_code=failure.code, error=failure.message)
    detail = {"retries": retries, "error_code": failure.code, "error": failure.message}
    if condition:
        detail["exhausted_retry_condition"] = condition
    dlq_arn = (target.get("DeadLetterConfig") or {}).get("Arn")
    if dlq_arn:
        try:
            dlq_id = _send_to_dead_letter_queue(rule, target, delivered_event(moto_event), failure, retries, condition)
        except Exception as err:  # noqa: BLE001 - AWS counts InvocationsFailedToBeSentToDLQ and drops
            _report(rule, target, moto_event, "failed", text, None, dead_letter_queue=dlq_arn,
                    dead_letter_error=str(err), **detail)
            return "failed"
        _report(rule, target, moto_event, "dead-lettered", text, dlq_id, dead_letter_queue=dlq_arn, **detail)
        return "dead-lettered"
    _report(rule, target, moto_event, "failed", text, None, **detail)
    return "failed"


# ---------------------------------------------------------------------------- the patched method
def send_to_targets(original: Callable[..., None], rule: Any, moto_event: dict[str, Any],
                    transform_input: bool = True) -> None:
    """Deliver ``moto_event`` to every target of ``rule`` if the rule is enabled and matches."""
    if not str(rule.state).startswith("ENABLED"):
        return
    if not rule.event_pattern.matches_event(moto_event):
        return
    for target in list(rule.targets):
        attempt, text = _attempt_for(original, rule, target, moto_event, transform_input)
        deliver_with_retries(rule, target, moto_event, attempt, text)


def _attempt_for(original: Callable[..., None], rule: Any, target: dict[str, Any], moto_event: dict[str, Any],
                 transform_input: bool) -> tuple[Callable[[], Outcome], str]:
    """(one delivery attempt to ``target``, the input text it sends)."""
    arn = Arn.parse(target["Arn"])
    deliver = deliverer_for(arn)
    try:
        text = target_input(target, moto_event, rule.name, rule.arn)
    except Exception as err:  # noqa: BLE001 - a template that cannot be filled is a failed delivery
        if deliver is not None:
            problem = err

            def bad_input() -> str:
                raise DeliveryError("INVALID_JSON", f"Could not build the target input: {problem}")

            return bad_input, ""
        text = ""  # only used for reporting: moto builds its own input for the kinds it delivers
    if deliver is None:
        single = copy.copy(rule)
        single.targets = [target]

        def by_moto() -> None:
            original(single, moto_event, transform_input)

        return by_moto, text
    found = deliver

    def by_layer() -> Outcome:
        return found(rule, target, arn, text, delivered_event(moto_event))

    return by_layer, text


def _apply() -> None:
    from moto.events.models import Rule

    original = Rule.send_to_targets

    @functools.wraps(original)
    def patched(self: Any, event: Any, transform_input: bool = True) -> None:
        send_to_targets(original, self, event, transform_input)

    Rule.send_to_targets = patched  # type: ignore[method-assign]


PATCH = Patch(
    name=NAME,
    restores="EventBridge rules deliver to SNS topics, Step Functions state machines, Lambda functions and "
             "Kinesis streams; "
             "targets get the whole event, Input, InputPath or an InputTransformer's output (string values "
             "as JSON strings); failed deliveries are retried per RetryPolicy and then written to the "
             "target's DeadLetterConfig queue with RULE_ARN, TARGET_ARN, ERROR_CODE, ERROR_MESSAGE, "
             "EXHAUSTED_RETRY_CONDITION and RETRY_ATTEMPTS; disabled rules match nothing",
    plain_moto="put_events raises NotImplementedError for SNS, Step Functions, Lambda and Kinesis targets, inserts "
               "string placeholders unquoted, ignores Input/InputPath, RetryPolicy and DeadLetterConfig, "
               "drops the event's account field and delivers for disabled rules",
    apply=_apply,
    targets={
        "moto.events.models:Rule.send_to_targets": "472e002e2dab",
        "moto.events.models:EventsBackend.put_events": "c56f6ac1f932",
        "moto.events.utils:EventTemplateParser.parse": "40a5a46a3218",
    },
)
