"""Predefined error names the labs teach: States.NoChoiceMatched, and States.* errors out of branches.

Amazon States Language specification, Choice State: "The interpreter will throw a runtime
States.NoChoiceMatched error if a Choice State fails to match a Choice Rule and no "Default"
transition was specified." Developer guide, Parallel state: "If any branch fails, because of an
unhandled error or by transitioning to a Fail state, the entire Parallel state is considered to have
failed" (with that error, which its Catch matches; Map iterations likewise). Plain moto 5.2.5 fails
with ``States.Runtime`` and a Python ``RuntimeError`` as cause (logged as an interpreter crash), and
cannot re-raise any ``States.*`` error out of a branch or iteration
(``LABS_EMULATOR_DISABLE=sfn_no_choice_matched,sfn_branch_errors``).
"""

from __future__ import annotations

import json
import logging

import pytest

from labs.helpers import Lab
from tests.emulator.sfn_helpers import history, machine, run, types

ROUTE = {"StartAt": "Route", "States": {
    "Route": {"Type": "Choice", "Choices": [{"Variable": "$.country", "StringEquals": "DE", "Next": "EU"}]},
    "EU": {"Type": "Succeed"}}}


def test_no_choice_matched_fails_the_execution(lab: Lab, caplog: pytest.LogCaptureFixture) -> None:
    caplog.set_level(logging.INFO)
    out = run(lab, machine(lab, ROUTE), {"country": "BR"})
    assert out["status"] == "FAILED" and out["error"] == "States.NoChoiceMatched"
    assert "Route" in out["cause"]
    events = history(lab, out["executionArn"])
    assert types(events)[-2:] == ["ChoiceStateEntered", "ExecutionFailed"]
    assert events[-1]["executionFailedEventDetails"]["error"] == "States.NoChoiceMatched"
    assert not [r for r in caplog.records if "computation ended with exception" in r.getMessage()]


def test_matching_rule_is_unaffected(lab: Lab) -> None:
    assert run(lab, machine(lab, ROUTE), {"country": "DE"})["status"] == "SUCCEEDED"


def test_no_choice_matched_can_be_caught(lab: Lab) -> None:
    definition = {"StartAt": "Try", "States": {
        "Try": {"Type": "Parallel", "Branches": [ROUTE], "End": True,
                "Catch": [{"ErrorEquals": ["States.NoChoiceMatched"], "ResultPath": "$.error", "Next": "Manual"}]},
        "Manual": {"Type": "Pass", "End": True}}}
    out = run(lab, machine(lab, definition), {"country": "BR"})
    assert out["status"] == "SUCCEEDED", out
    assert json.loads(out["output"])["error"]["Error"] == "States.NoChoiceMatched"


def test_states_error_in_a_map_iteration_reaches_the_map_catch(lab: Lab) -> None:
    """A Map iteration failing with a predefined error fails the Map with that error (plain moto:
    States.Runtime from 'Custom Error Names MUST NOT begin with the prefix States.')."""
    definition = {"StartAt": "Each", "States": {
        "Each": {"Type": "Map", "ItemsPath": "$.orders", "ItemProcessor": ROUTE | {"ProcessorConfig": {"Mode": "INLINE"}},
                 "Catch": [{"ErrorEquals": ["States.NoChoiceMatched"], "ResultPath": "$.error", "Next": "Manual"}],
                 "End": True},
        "Manual": {"Type": "Pass", "End": True}}}
    out = run(lab, machine(lab, definition), {"orders": [{"country": "DE"}, {"country": "BR"}]})
    assert out["status"] == "SUCCEEDED", out
    assert json.loads(out["output"])["error"]["Error"] == "States.NoChoiceMatched"


def test_uncaught_branch_error_fails_the_execution_with_that_error(lab: Lab) -> None:
    definition = {"StartAt": "Try", "States": {"Try": {"Type": "Parallel", "Branches": [ROUTE], "End": True}}}
    out = run(lab, machine(lab, definition), {"country": "BR"})
    assert (out["status"], out["error"]) == ("FAILED", "States.NoChoiceMatched")
