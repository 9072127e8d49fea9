"""Small builders shared by the Step Functions emulator tests."""

from __future__ import annotations

import json
from collections.abc import Iterator
from typing import Any

import pytest

from labs.helpers import Lab
from labs.helpers.emulator.stepfunctions import time_warp as sfn_time_warp
from labs.helpers.resources import ensure_state_machine
from labs.helpers.waiting import wait_for_execution


@pytest.fixture(name="fast_clock")
def fast_clock_fixture(monkeypatch: pytest.MonkeyPatch) -> Iterator[None]:
    """Real sleeps of Wait/Retry capped at 0.05 s (the time warp keeps AWS timing in the history)."""
    monkeypatch.setattr(sfn_time_warp, "MAX_REAL_SECONDS", 0.05)
    yield


def machine(lab: Lab, definition: dict[str, Any], base: str = "flow") -> str:
    """ARN of a state machine with ``definition`` (role made by the lab helper)."""
    return ensure_state_machine(lab, base, definition)


def run(lab: Lab, machine_arn: str, payload: Any = None, timeout: float = 10, **kwargs: Any) -> dict[str, Any]:
    """Start an execution with ``payload`` as input and return its final description."""
    sfn = lab.client("stepfunctions")
    started = sfn.start_execution(stateMachineArn=machine_arn, input=json.dumps(payload or {}), **kwargs)
    return wait_for_execution(lab, started["executionArn"], timeout=timeout)


def history(lab: Lab, execution_arn: str) -> list[dict[str, Any]]:
    return lab.client("stepfunctions").get_execution_history(executionArn=execution_arn, maxResults=1000)["events"]


def types(events: list[dict[str, Any]]) -> list[str]:
    return [e["type"] for e in events]


def entered(events: list[dict[str, Any]]) -> list[str]:
    """Names of the states entered, in event order."""
    return [e["stateEnteredEventDetails"]["name"] for e in events if "stateEnteredEventDetails" in e]
