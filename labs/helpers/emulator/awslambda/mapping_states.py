"""Lambda event source mapping states: Creating, Enabling, Updating, Disabling before Enabled or Disabled.

AWS (CreateEventSourceMapping / GetEventSourceMapping API reference, State): "The state of the event
source mapping. It can be one of the following: Creating, Enabling, Enabled, Disabling, Disabled,
Updating, or Deleting." Responses recorded against AWS in LocalStack's snapshot tests
(``test_lambda_integration_sqs``, ``..._dynamodbstreams``) show what each call answers: create
``Creating`` (``Disabled`` when created with Enabled=false), update ``Updating``, update with
Enabled=true on a disabled mapping ``Enabling``, Enabled=false ``Disabling``, delete ``Deleting``
(all with HTTP 202); a GetEventSourceMapping a little later shows ``Enabled`` (or ``Disabled``).
StateTransitionReason is ``USER_INITIATED`` for SQS and ``User action`` for Kinesis and DynamoDB
Streams. Boto3 has no waiter for these states; ``labs.helpers.functions.wait_for_mapping`` polls
GetEventSourceMapping (on AWS too) until the mapping is Enabled.

What plain moto 5.2.5 does: every response and every Get says ``Enabled`` (or ``Disabled``) at once,
create answers HTTP 201, and StateTransitionReason is ``User initiated``. A notebook that prints
the state, or code that waits for ``Enabled`` before sending, never meets the states it will meet on
AWS.

How the emulator does it (deterministic and fast):

* The create/update call records the transitional state; its own response always shows it.
* GetEventSourceMapping and ListEventSourceMappings show it until :data:`SETTLE_SECONDS` have passed
  since the call, then the settled state (``Enabled`` if the mapping is enabled, else ``Disabled``).
* The mapping's poller does not deliver while the mapping is ``Creating`` or ``Enabling`` (Lambda
  starts polling once the mapping is enabled); it goes on delivering while ``Updating``. So a batch
  sent right after create_event_source_mapping is delivered within about SETTLE_SECONDS, and
  ``settle()`` waits for it (the poller reports the waiting messages as in flight meanwhile).
* Delete: moto already answers ``Deleting``; the mapping is then gone at once (a later Get is
  ResourceNotFoundException, where AWS shows ``Deleting`` for a while).
"""

from __future__ import annotations

import functools
import json
import threading
import time
from typing import Any

from ..arns import Arn
from ..patching import Patch
from . import event_source_mappings

NAME = "lambda_mapping_states"
#: How long GetEventSourceMapping shows a transitional state after the call that caused it.
SETTLE_SECONDS = 0.1
TRANSITIONAL = ("Creating", "Enabling", "Updating", "Disabling")
_ATTRIBUTE = "_labs_state"
_lock = threading.Lock()


def _record(esm: Any, state: str) -> None:
    with _lock:
        esm.__dict__[_ATTRIBUTE] = (state, time.monotonic())


def state(esm: Any) -> str:
    """The mapping's state now: the recorded transitional state, settled after SETTLE_SECONDS."""
    with _lock:
        recorded = esm.__dict__.get(_ATTRIBUTE)
        if recorded is not None and recorded[0] in TRANSITIONAL and time.monotonic() - recorded[1] < SETTLE_SECONDS:
            return recorded[0]
        return "Enabled" if esm.enabled else "Disabled"


def may_deliver(esm: Any) -> bool:
    """Whether the poller of an enabled mapping may deliver now (not while Creating or Enabling)."""
    return state(esm) not in ("Creating", "Enabling")


def _reason(esm: Any) -> str:
    return "USER_INITIATED" if Arn.parse(esm.event_source_arn).service == "sqs" else "User action"


# ---------------------------------------------------------------------------- backend
def _wrap_create(original: Any) -> Any:
    @functools.wraps(original)
    def create_event_source_mapping(self: Any, spec: dict[str, Any]) -> Any:
        # Wrapped by event_source_mappings (listed after this module), which starts the poller after
        # this returns: the state is recorded before the poller can look at it.
        esm = original(self, spec)
        _record(esm, "Creating" if esm.enabled else "Disabled")
        return esm

    return create_event_source_mapping


def _wrap_update(original: Any) -> Any:
    @functools.wraps(original)
    def update_event_source_mapping(self: Any, uuid: str, spec: dict[str, Any]) -> Any:
        esm = self.get_event_source_mapping(uuid)
        if esm is None:
            return original(self, uuid, spec)  # moto's 404
        previous = esm.__dict__.get(_ATTRIBUTE)
        switching = "Enabled" in spec and bool(spec["Enabled"]) != bool(esm.enabled)
        # Recorded before moto flips `enabled`, so the poller never sees an enabled mapping that is
        # not yet Enabling (it would deliver at once).
        _record(esm, ("Enabling" if spec["Enabled"] else "Disabling") if switching else "Updating")
        try:
            return original(self, uuid, spec)
        except Exception:
            with _lock:  # a rejected update changes nothing, its state neither
                if previous is None:
                    esm.__dict__.pop(_ATTRIBUTE, None)
                else:
                    esm.__dict__[_ATTRIBUTE] = previous
            raise

    return update_event_source_mapping


def _wrap_configuration(original: Any) -> Any:
    @functools.wraps(original)
    def get_configuration(self: Any) -> dict[str, Any]:
        config = original(self)
        config["State"] = state(self)
        config["StateTransitionReason"] = _reason(self)
        return config

    return get_configuration


# ---------------------------------------------------------------------------- responses
def _as_called(original: Any, status: int) -> Any:
    """The create/update response shows the state the call recorded, whenever it is rendered."""

    @functools.wraps(original)
    def respond(self: Any) -> Any:
        code, headers, body = original(self)
        if code >= 300:
            return code, headers, body
        config = json.loads(body)
        esm = self.backend.get_event_source_mapping(config.get("UUID", ""))
        recorded = esm.__dict__.get(_ATTRIBUTE) if esm is not None else None
        if recorded is not None:
            config["State"] = recorded[0]
        return status, {**headers, "status": status}, json.dumps(config)

    return respond


def _apply() -> None:
    from moto.awslambda.models import EventSourceMapping, LambdaBackend
    from moto.awslambda.responses import LambdaResponse

    LambdaBackend.create_event_source_mapping = _wrap_create(LambdaBackend.create_event_source_mapping)  # type: ignore[method-assign]
    LambdaBackend.update_event_source_mapping = _wrap_update(LambdaBackend.update_event_source_mapping)  # type: ignore[method-assign]
    EventSourceMapping.get_configuration = _wrap_configuration(EventSourceMapping.get_configuration)  # type: ignore[method-assign]
    LambdaResponse.create_event_source_mapping = _as_called(LambdaResponse.create_event_source_mapping, 202)  # type: ignore[method-assign]
    LambdaResponse.update_event_source_mapping = _as_called(LambdaResponse.update_event_source_mapping, 202)  # type: ignore[method-assign]
    event_source_mappings.may_deliver = may_deliver


PATCH = Patch(
    name=NAME,
    restores="CreateEventSourceMapping answers State Creating (202), UpdateEventSourceMapping Updating, Enabling or "
             "Disabling, DeleteEventSourceMapping Deleting; GetEventSourceMapping shows Enabled or Disabled once the "
             "change has taken effect, and the mapping delivers once it is Enabled",
    plain_moto="every response and every Get says Enabled (or Disabled) at once; create answers 201; "
               "StateTransitionReason 'User initiated'",
    apply=_apply,
    targets={
        "moto.awslambda.models:LambdaBackend.create_event_source_mapping": "19f8125cabf7",
        "moto.awslambda.models:LambdaBackend.update_event_source_mapping": "7ec08b40f6d0",
        "moto.awslambda.models:EventSourceMapping.get_configuration": "b41577cbcbd7",
        "moto.awslambda.responses:LambdaResponse.create_event_source_mapping": "9b26bb2dc0c9",
        "moto.awslambda.responses:LambdaResponse.update_event_source_mapping": "474cddaf4835",
    },
)
