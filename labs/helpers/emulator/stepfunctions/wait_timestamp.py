"""A Wait state's ``Timestamp`` / ``TimestampPath`` waits until that instant, in any local time zone.

AWS (Amazon States Language, Wait state): "Timestamp - An absolute time to wait until beginning the
state specified in the Next field. Timestamps must conform to the RFC3339 profile of ISO 8601, with
the further restrictions that an uppercase T must separate the date and time portions, and an
uppercase Z must denote that a numeric time zone offset is not present, for example,
2024-08-18T17:33:00Z." moto 5.2.5 parses the timestamp as UTC but subtracts the machine's *local*
naive time: on a laptop whose clock is not UTC the wait is off by the UTC offset (in New York a
wait "until 30 s from now" lasts 5 hours; in Berlin it does not wait at all). It also rejects
timestamps with a numeric offset (``+01:00``), which RFC 3339 allows.

Fix: replace ``Timestamp._get_wait_seconds`` (``TimestampPath`` inherits it) and the pattern check
moto applies to a literal ``Timestamp`` when it reads the definition: parse with offsets,
compare in UTC, and against the execution's own clock (``sfn_time_warp``), so a Timestamp after an
earlier warped Wait ends at the right instant of the execution's history. An unparseable value
still fails the way moto reports it (``States.Runtime``).
"""

from __future__ import annotations

import datetime
import functools
import re
from typing import Any

from ..patching import Patch

NAME = "sfn_wait_timestamp"
#: RFC 3339 date-time with an uppercase T and either Z or a numeric offset.
RFC3339 = re.compile(r"^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(\.\d+)?(Z|[+-]\d{2}:\d{2})$")


def parse(text: str) -> datetime.datetime | None:
    """The UTC instant ``text`` names, or None when it is not an RFC 3339 timestamp."""
    if not isinstance(text, str) or not RFC3339.match(text):
        return None
    try:
        return datetime.datetime.fromisoformat(text).astimezone(datetime.UTC)
    except ValueError:
        return None


def _apply() -> None:
    from moto.stepfunctions.parser.asl.component.common.error_name.failure_event import FailureEventException
    from moto.stepfunctions.parser.asl.component.state.wait.wait_function.timestamp import Timestamp

    from .time_warp import execution_now

    original = Timestamp._get_wait_seconds

    @functools.wraps(original)
    def wait_seconds_in_utc(self: Any, env: Any) -> int:
        self.string.eval(env=env)
        text = env.stack.pop()
        instant = parse(text)
        if instant is None:
            raise FailureEventException(self._create_failure_event(env, text))
        return max(0, int((instant - execution_now(env)).total_seconds()))

    Timestamp._get_wait_seconds = wait_seconds_in_utc  # type: ignore[method-assign]
    # The same rule where moto checks a literal Timestamp while reading the definition.
    Timestamp._from_timestamp_string = staticmethod(parse)  # type: ignore[method-assign]


PATCH = Patch(
    name=NAME,
    restores="a Wait state's Timestamp (RFC 3339, Z or a numeric offset) waits until that instant, whatever the "
             "machine's time zone",
    plain_moto="the UTC timestamp is compared with the machine's local time, so the wait is off by the local UTC "
               "offset (hours); numeric offsets are rejected",
    apply=_apply,
    targets={
        "moto.stepfunctions.parser.asl.component.state.wait.wait_function.timestamp:Timestamp._get_wait_seconds": "611d040940ad",
        "moto.stepfunctions.parser.asl.component.state.wait.wait_function.timestamp:"
        "Timestamp._create_failure_event": "cf7e4723e43f",
        "moto.stepfunctions.parser.asl.component.state.wait.wait_function.timestamp:"
        "Timestamp._from_timestamp_string": "711ff48cd648",
    },
)
