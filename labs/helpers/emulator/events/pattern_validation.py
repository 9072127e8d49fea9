"""EventBridge refuses an event pattern whose content filters are malformed, as AWS does.

AWS (user guide, "Content filtering in Amazon EventBridge event patterns"): numeric matching "works
with values that are JSON numbers" and takes operator/number pairs (``{"numeric": [">", 0, "<=", 5]}``);
exists matching takes ``true`` or ``false``; prefix and suffix take a string (or
``{"equals-ignore-case": ...}``). A pattern that breaks these rules is refused by PutRule,
TestEventPattern and CreateArchive with ``InvalidEventPatternException`` ("Event pattern is not
valid. Reason: ..."): for ``{"numeric": ["<", "10"]}`` AWS answers "Value of < must be numeric",
the mistake of quoting the number.

What plain moto 5.2.5 does instead: its parser checks only that every value is an object or a
non-empty array, so ``{"numeric": ["<", "10"]}`` is accepted; matching it then raises a Python
``TypeError`` (int < str) from inside ``put_events`` or ``test_event_pattern``: the embedded
emulator hands the learner a raw traceback, the server a 500.

How the emulator does it: ``EventPatternParser._validate_event_pattern`` is wrapped to walk the
pattern's filter lists (inside ``$or`` too) and raise moto's ``InvalidEventPatternException`` with
the reason AWS gives for the filters above. Emulator choice: other malformed filters (unknown
filter names, anything-but shapes) are left to moto, which matches them as it always did.
"""

from __future__ import annotations

import functools
from typing import Any

from ..patching import Patch

NAME = "events_pattern_validation"
OPERATORS = {"<", "<=", "=", ">=", ">"}


def problem(pattern: Any) -> str | None:
    """AWS's reason for refusing ``pattern`` (a parsed pattern), or None when its filters are well formed."""
    if isinstance(pattern, dict):
        for key, value in pattern.items():
            if key == "$or":
                if not isinstance(value, list):
                    return "$or must be an array of objects"
                for alternative in value:
                    found = problem(alternative)
                    if found:
                        return found
            elif isinstance(value, dict):
                found = problem(value)
                if found:
                    return found
            elif isinstance(value, list):
                for item in value:
                    found = _filter_problem(item) if isinstance(item, dict) else None
                    if found:
                        return found
    return None


def _number(value: Any) -> bool:
    return isinstance(value, (int, float)) and not isinstance(value, bool)


def _filter_problem(item: dict[str, Any]) -> str | None:
    for name, value in item.items():
        if name == "numeric":
            if not isinstance(value, list) or not value or len(value) % 2 or len(value) > 4:
                return "Value of numeric must be an array of operator/number pairs, at most two"
            for operator, number in zip(value[::2], value[1::2], strict=True):
                if operator not in OPERATORS:
                    return f"Unrecognized numeric range operator: {operator}"
                if not _number(number):
                    return f"Value of {operator} must be numeric"
        elif name == "exists" and not isinstance(value, bool):
            return "exists match pattern must be either true or false."
        elif name in ("prefix", "suffix") and not isinstance(value, (str, dict)):
            return f"{name} match pattern must be a string, or an object with equals-ignore-case"
    return None


def _apply() -> None:
    from moto.events.exceptions import InvalidEventPatternException
    from moto.events.models import EventPatternParser

    original = EventPatternParser._validate_event_pattern

    @functools.wraps(original)
    def validate(self: EventPatternParser, pattern: dict[str, Any]) -> None:
        original(self, pattern)
        found = problem(pattern)
        if found:
            raise InvalidEventPatternException(reason=found)

    EventPatternParser._validate_event_pattern = validate  # type: ignore[method-assign]


PATCH = Patch(
    name=NAME,
    restores="Malformed content filters (a quoted number in numeric, a non-boolean exists, a prefix that is not a string) "
             "are refused with InvalidEventPatternException, as on AWS",
    plain_moto="Accepted; matching them later raises a Python TypeError from put_events / test_event_pattern",
    apply=_apply,
    targets={"moto.events.models:EventPatternParser._validate_event_pattern": "0c540f64aeaa"},
)
