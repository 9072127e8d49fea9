"""Lambda event source mappings: one per event source and function (a second is a ResourceConflictException).

AWS (CreateEventSourceMapping API reference, Errors): "ResourceConflictException - The resource already
exists, or another operation is in progress", HTTP 409. For a second mapping of the same source and
function Lambda answers, for SQS, "An event source mapping with SQS arn (" <queue ARN> ") and function
(" <function name> ") already exists. Please update or delete the existing mapping with UUID <uuid>",
and for Kinesis and DynamoDB Streams "The event source arn (" <stream ARN> ") and function
(" <function name> ") provided mapping already exists. Please update or delete the existing mapping
with UUID <uuid>" (the odd spacing is AWS's: LocalStack's snapshot tests
``test_duplicate_event_source_mappings``, recorded against AWS, and e.g. aws/chalice#2146,
hashicorp/terraform-provider-aws#15539 quote it). This is why a notebook cell that may run twice must
*create or update*: list_event_source_mappings first, then update_event_source_mapping if one exists.

What plain moto 5.2.5 does: it means to refuse a duplicate SQS mapping, but looks the function up
under the literal key ``"func.function_arn"``, so every create succeeds; a re-run cell silently adds
a second mapping (two pollers on one queue in the emulator, each delivering part of the messages).

Fix: before moto creates a mapping, look for one with the same EventSourceArn and FunctionArn (the
function resolved as moto resolves it, so a name and its ARN are the same function) and raise AWS's
error naming the existing mapping's UUID.
"""

from __future__ import annotations

import functools
from typing import Any

from ..arns import Arn
from ..patching import Patch

NAME = "lambda_mapping_conflict"


@functools.cache
def _conflict_type() -> type:
    from moto.awslambda.exceptions import LambdaClientError

    class MappingConflict(LambdaClientError):  # as moto's FunctionAlreadyExists: 409 ResourceConflictException
        code = 409

    return MappingConflict


def _conflict(message: str) -> Exception:
    return _conflict_type()("ResourceConflictException", message)


def message(source_arn: str, function_name: str, uuid: str) -> str:
    """AWS's wording, which differs between SQS and the streams."""
    if Arn.parse(source_arn).service == "sqs":
        return (f'An event source mapping with SQS arn (" {source_arn} ") and function (" {function_name} ") '
                f"already exists. Please update or delete the existing mapping with UUID {uuid}")
    return (f'The event source arn (" {source_arn} ") and function (" {function_name} ") provided mapping '
            f"already exists. Please update or delete the existing mapping with UUID {uuid}")


def existing(backend: Any, source_arn: str, function_arn: str) -> Any | None:
    """The mapping of ``source_arn`` to ``function_arn`` already in ``backend``, or None."""
    for esm in list(backend._event_source_mappings.values()):
        if esm.event_source_arn == source_arn and esm.function_arn == function_arn:
            return esm
    return None


def _wrap_create(original: Any) -> Any:
    @functools.wraps(original)
    def create_event_source_mapping(self: Any, spec: dict[str, Any]) -> Any:
        source_arn, name = spec.get("EventSourceArn"), spec.get("FunctionName")
        if source_arn and name:
            try:
                function = self._lambdas.get_function_by_name_or_arn_with_qualifier(name)
            except Exception:  # noqa: BLE001 - an unknown function: moto's own error, raised below
                function = None
            found = existing(self, source_arn, function.function_arn) if function is not None else None
            if found is not None:
                raise _conflict(message(source_arn, function.function_name, found.uuid))
        return original(self, spec)

    return create_event_source_mapping


def _apply() -> None:
    from moto.awslambda.models import LambdaBackend

    LambdaBackend.create_event_source_mapping = _wrap_create(LambdaBackend.create_event_source_mapping)  # type: ignore[method-assign]


PATCH = Patch(
    name=NAME,
    restores="a second event source mapping for the same source and function is refused with "
             "ResourceConflictException (409) \"An event source mapping with SQS arn (...) and function (...) already "
             "exists. Please update or delete the existing mapping with UUID ...\"",
    plain_moto="creates any number of mappings for one source and function (its duplicate check looks up a "
               "literal key and never matches)",
    apply=_apply,
    targets={
        "moto.awslambda.models:LambdaBackend.create_event_source_mapping": "19f8125cabf7",
    },
)
