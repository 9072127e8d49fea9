"""Wait until a Timestamp: the right instant in any local time zone, offsets allowed.

ASL, Wait state: "Timestamp - An absolute time to wait until ... Timestamps must conform to the
RFC3339 profile of ISO 8601, with the further restrictions that an uppercase T must separate the date
and time portions, and an uppercase Z must denote that a numeric time zone offset is not present".
Plain moto 5.2.5 compares the UTC timestamp with the machine's local time (off by the UTC offset:
5 hours in New York) and rejects numeric offsets (``LABS_EMULATOR_DISABLE=sfn_wait_timestamp``).
Timing is read from the history (the time warp keeps it; see test_stepfunctions_time_warp).
"""

from __future__ import annotations

import datetime
import os
import time
from collections.abc import Iterator
from typing import Any

import pytest

from labs.helpers import Lab
from tests.emulator.sfn_helpers import fast_clock_fixture, history, machine, run  # noqa: F401 - fixture


@pytest.fixture
def new_york() -> Iterator[None]:
    """The process's local time zone is New York (UTC-5/-4) for the test."""
    before = os.environ.get("TZ")
    os.environ["TZ"] = "America/New_York"
    time.tzset()
    yield
    if before is None:
        os.environ.pop("TZ", None)
    else:
        os.environ["TZ"] = before
    time.tzset()


def _at(event: dict[str, Any]) -> datetime.datetime:
    return event["timestamp"]


def _waited(lab: Lab, execution_arn: str) -> float:
    events = history(lab, execution_arn)
    entered = next(e for e in events if e["type"] == "WaitStateEntered")
    exited = next(e for e in events if e["type"] == "WaitStateExited")
    return (_at(exited) - _at(entered)).total_seconds()


def _in(seconds: int, offset_hours: int = 0) -> str:
    zone = datetime.timezone(datetime.timedelta(hours=offset_hours))
    at = (datetime.datetime.now(datetime.UTC) + datetime.timedelta(seconds=seconds)).astimezone(zone)
    text = at.replace(microsecond=0).isoformat()
    return text.replace("+00:00", "Z") if offset_hours == 0 else text


def test_timestamp_path_in_another_time_zone(lab: Lab, fast_clock: None, new_york: None) -> None:
    definition = {"StartAt": "Slot", "States": {"Slot": {"Type": "Wait", "TimestampPath": "$.slot", "End": True}}}
    out = run(lab, machine(lab, definition), {"slot": _in(20)})
    assert out["status"] == "SUCCEEDED"
    assert 17 <= _waited(lab, out["executionArn"]) <= 21  # not 5 hours more


def test_literal_timestamp_with_numeric_offset(lab: Lab, fast_clock: None) -> None:
    definition = {"StartAt": "Slot", "States": {"Slot": {"Type": "Wait", "Timestamp": _in(20, offset_hours=2),
                                                         "End": True}}}
    out = run(lab, machine(lab, definition))
    assert out["status"] == "SUCCEEDED", out
    assert 17 <= _waited(lab, out["executionArn"]) <= 21


def test_timestamp_in_the_past_does_not_wait(lab: Lab) -> None:
    definition = {"StartAt": "Slot", "States": {"Slot": {"Type": "Wait", "TimestampPath": "$.slot", "End": True}}}
    out = run(lab, machine(lab, definition), {"slot": "2020-01-01T00:00:00Z"})
    assert out["status"] == "SUCCEEDED" and _waited(lab, out["executionArn"]) < 1


def test_not_a_timestamp_fails_the_execution(lab: Lab) -> None:
    definition = {"StartAt": "Slot", "States": {"Slot": {"Type": "Wait", "TimestampPath": "$.slot", "End": True}}}
    out = run(lab, machine(lab, definition), {"slot": "tomorrow"})
    assert out["status"] == "FAILED" and out["error"] == "States.Runtime"
