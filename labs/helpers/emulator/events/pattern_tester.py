"""EventBridge TestEventPattern answers ``{"Result": true|false}``.

AWS (API reference, TestEventPattern): "Tests whether the specified event pattern matches the
provided event"; the response is ``{"Result": boolean}``; the Event "must follow the format specified
in AWS Events, and the following fields are mandatory: id, account, source, time, region,
resources, detail-type". moto 5.2.5 answers an empty body (``Result`` missing), so a lab's "test your
pattern before you create the rule" step printed nothing useful.

The answer comes from moto's own matcher, the one rules use to route events (with
:mod:`events_pattern_arrays` applied): what TestEventPattern says and what a rule then does agree.
A malformed pattern raises moto's ``InvalidEventPatternException`` as a rule would; an Event that is
not JSON or lacks a mandatory field raises ``InvalidEventPatternException`` too (emulator choice:
AWS's exact error text for a bad Event is not documented).
"""

from __future__ import annotations

import json
from typing import Any

from ..patching import Patch

NAME = "events_test_event_pattern"
#: "the following fields are mandatory" (API reference, TestEventPattern, Event).
MANDATORY_FIELDS = ("id", "account", "source", "time", "region", "resources", "detail-type")


def test_event_pattern(event_pattern: str | None, event: str | None) -> bool:
    """Whether ``event`` (JSON text) matches ``event_pattern`` (JSON text), as a rule would decide."""
    from moto.events.exceptions import InvalidEventPatternException
    from moto.events.models import EventPattern

    pattern = EventPattern.load(event_pattern)
    try:
        parsed: Any = json.loads(event or "")
    except ValueError:
        raise InvalidEventPatternException("Event is not valid JSON.") from None
    if not isinstance(parsed, dict):
        raise InvalidEventPatternException("Event must be a JSON object.")
    missing = [name for name in MANDATORY_FIELDS if name not in parsed]
    if missing:
        raise InvalidEventPatternException(f"Event is missing the mandatory field(s) {', '.join(missing)}.")
    return bool(pattern.matches_event(parsed))


def _apply() -> None:
    from moto.events.models import EventsBackend
    from moto.events.responses import EventsHandler

    def backend_method(self: EventsBackend, event_pattern: str | None = None, event: str | None = None) -> bool:
        return test_event_pattern(event_pattern, event)

    def response_method(self: EventsHandler) -> str:
        result = self.events_backend.test_event_pattern(self._get_param("EventPattern"), self._get_param("Event"))
        return json.dumps({"Result": result})

    EventsBackend.test_event_pattern = backend_method  # type: ignore[method-assign,assignment]
    EventsHandler.test_event_pattern = response_method  # type: ignore[method-assign,assignment]


PATCH = Patch(
    name=NAME,
    restores="TestEventPattern returns {\"Result\": true|false}, decided by the same matcher rules use; "
             "malformed patterns and events missing a mandatory field are rejected",
    plain_moto="TestEventPattern returns an empty response without Result",
    apply=_apply,
    targets={
        "moto.events.models:EventsBackend.test_event_pattern": "775cb55b6dde",
        "moto.events.responses:EventsHandler.test_event_pattern": "945d9dc74b3a",
    },
)
