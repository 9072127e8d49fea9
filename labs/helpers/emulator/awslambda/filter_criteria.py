"""Lambda refuses an event source mapping whose FilterCriteria is not a valid event pattern.

AWS (Lambda developer guide, "Control which events Lambda sends to your function"): a filter's
``Pattern`` is a JSON object in the event pattern syntax of EventBridge ("Lambda event filtering
uses the same syntax"): every value is an array of match values or filters, or an object nesting
further keys (``{"dynamodb": {"NewImage": {"status": {"S": ["SHIPPED"]}}}}``); a mapping has at most 5
filters (default quota) and a pattern at most 4096 characters. CreateEventSourceMapping and
UpdateEventSourceMapping refuse anything else with ``InvalidParameterValueException`` "Invalid
filter pattern definition." (the error serverless/serverless#12131 quotes for ``eventName: INSERT``
written without the array).

What plain moto 5.2.5 does instead: it stores any text as a pattern. The emulator's poller
(``awslambda.event_source_mappings``) then cannot match a malformed one, so the mapping silently
drops every record - where AWS would have refused the call and said why.

How the emulator does it: both operations are wrapped to parse each pattern with moto's
EventBridge pattern parser (with the layer's EventBridge validation: the same syntax the
EventBridge rules of Lab 3 are held to) before the mapping is created or changed.
"""

from __future__ import annotations

import functools
import json
from typing import Any

from ..patching import Patch

NAME = "lambda_filter_criteria"
MAX_FILTERS = 5
MAX_PATTERN = 4096


def _invalid(detail: str) -> Exception:
    from moto.awslambda.exceptions import InvalidParameterValueException

    return InvalidParameterValueException(f"Invalid filter pattern definition. {detail}".strip())


def validate(filter_criteria: Any) -> None:
    """Raise InvalidParameterValueException unless ``filter_criteria`` holds valid event patterns."""
    if not filter_criteria:
        return
    filters = filter_criteria.get("Filters") if isinstance(filter_criteria, dict) else None
    if filters is None:
        return
    if len(filters) > MAX_FILTERS:
        from moto.awslambda.exceptions import InvalidParameterValueException

        raise InvalidParameterValueException(f"A mapping can have at most {MAX_FILTERS} filters, got {len(filters)}.")
    from moto.events.models import EventPatternParser

    for entry in filters:
        raw = entry.get("Pattern") if isinstance(entry, dict) else None
        if not isinstance(raw, str) or not raw.strip():
            raise _invalid("A filter needs a Pattern (a JSON object).")
        if len(raw) > MAX_PATTERN:
            raise _invalid(f"A pattern is at most {MAX_PATTERN} characters.")
        try:
            parsed = json.loads(raw)
        except ValueError:
            raise _invalid("The pattern is not JSON.") from None
        if not isinstance(parsed, dict):
            raise _invalid("The pattern must be a JSON object.")
        try:
            EventPatternParser(raw).parse()
        except Exception as err:  # noqa: BLE001 - moto's InvalidEventPatternException: say what EventBridge said
            reason = getattr(err, "message", None) or str(err)
            raise _invalid(str(reason)) from None


def _wrap_create(original: Any) -> Any:
    @functools.wraps(original)
    def create_event_source_mapping(self: Any, spec: dict[str, Any]) -> Any:
        validate(spec.get("FilterCriteria"))
        return original(self, spec)

    return create_event_source_mapping


def _wrap_update(original: Any) -> Any:
    @functools.wraps(original)
    def update_event_source_mapping(self: Any, uuid: str, spec: dict[str, Any]) -> Any:
        validate(spec.get("FilterCriteria"))
        return original(self, uuid, spec)

    return update_event_source_mapping


def _apply() -> None:
    from moto.awslambda.models import LambdaBackend

    LambdaBackend.create_event_source_mapping = _wrap_create(LambdaBackend.create_event_source_mapping)  # type: ignore[method-assign]
    LambdaBackend.update_event_source_mapping = _wrap_update(LambdaBackend.update_event_source_mapping)  # type: ignore[method-assign]


PATCH = Patch(
    name=NAME,
    restores="CreateEventSourceMapping and UpdateEventSourceMapping refuse FilterCriteria that are not valid event "
             "patterns (EventBridge syntax: values are arrays or nested objects; at most 5 filters) with "
             "InvalidParameterValueException 'Invalid filter pattern definition.'",
    plain_moto="stores any text as a filter pattern; the mapping then matches nothing and silently drops every record",
    apply=_apply,
    targets={
        "moto.awslambda.models:LambdaBackend.update_event_source_mapping": "7ec08b40f6d0",
        "moto.events.models:EventPatternParser.parse": "2681906d428c",
    },
)
