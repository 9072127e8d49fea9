"""GetExecutionHistory and DescribeExecution as AWS returns them.

API reference, GetExecutionHistory: "maxResults ... The default is 100 and the maximum allowed page
size is 1000"; "If nextToken is returned, there are more results available"; "reverseOrder - Lists
events in descending order of their timeStamp"; "includeExecutionData - You can select whether
execution data (input or output of a history event) is returned. The default is true."
HistoryEvent: "id - The id of the event. Events are numbered sequentially, starting at one";
"previousEventId - The id of the previous event". DescribeExecution: "output - The JSON output data
of the execution", "error - The error string if the state machine execution failed", "cause - The
cause string if the state machine execution failed".
Plain moto 5.2.5 ignores the four history parameters and returns a string result without its JSON
quotes (``LABS_EMULATOR_DISABLE=sfn_history_pages,sfn_describe_output``): the paging, reverse,
data and string-output tests fail there; the event-shape tests pass on plain moto and guard it.
"""

from __future__ import annotations

import itertools
import json

import pytest

from labs.helpers import Lab
from tests.emulator.sfn_helpers import history, machine, run, types

LONG = {"StartAt": "P0", "States": {f"P{i}": ({"Type": "Pass", "Next": f"P{i + 1}"} if i < 59 else
                                              {"Type": "Pass", "End": True}) for i in range(60)}}
CHECKOUT = {"StartAt": "Paid?", "States": {
    "Paid?": {"Type": "Choice", "Choices": [{"Variable": "$.paid", "BooleanEquals": True, "Next": "Reserve"}],
              "Default": "Declined"},
    "Reserve": {"Type": "Pass", "Result": "reserved", "ResultPath": "$.stock", "Next": "Done"},
    "Declined": {"Type": "Fail", "Error": "PaymentDeclined", "Cause": "card was declined"},
    "Done": {"Type": "Succeed"}}}


def test_events_are_numbered_and_linked(lab: Lab) -> None:
    out = run(lab, machine(lab, CHECKOUT), {"orderId": "o-7", "paid": True})
    events = history(lab, out["executionArn"])
    assert types(events) == ["ExecutionStarted", "ChoiceStateEntered", "ChoiceStateExited", "PassStateEntered",
                             "PassStateExited", "SucceedStateEntered", "SucceedStateExited", "ExecutionSucceeded"]
    assert [e["id"] for e in events] == list(range(1, len(events) + 1))
    for previous, event in itertools.pairwise(events[1:]):
        assert event["previousEventId"] == previous["id"]  # one linear path
    assert events[1]["stateEnteredEventDetails"]["name"] == "Paid?"
    assert json.loads(events[-1]["executionSucceededEventDetails"]["output"]) == {
        "orderId": "o-7", "paid": True, "stock": "reserved"}


def test_failed_execution_describe_and_history(lab: Lab) -> None:
    out = run(lab, machine(lab, CHECKOUT), {"orderId": "o-8", "paid": False})
    assert (out["status"], out["error"], out["cause"]) == ("FAILED", "PaymentDeclined", "card was declined")
    assert "output" not in out and out["stopDate"] >= out["startDate"]
    events = history(lab, out["executionArn"])
    assert types(events)[-2:] == ["FailStateEntered", "ExecutionFailed"]
    assert events[-1]["executionFailedEventDetails"] == {"error": "PaymentDeclined", "cause": "card was declined"}


def test_string_result_is_json_in_describe(lab: Lab) -> None:
    definition = {"StartAt": "Decide", "States": {"Decide": {"Type": "Pass", "Result": "approved", "End": True}}}
    out = run(lab, machine(lab, definition))
    assert out["output"] == '"approved"' and json.loads(out["output"]) == "approved"


def test_history_pages_with_next_token(lab: Lab) -> None:
    out = run(lab, machine(lab, LONG))
    sfn = lab.client("stepfunctions")
    first = sfn.get_execution_history(executionArn=out["executionArn"])
    assert len(first["events"]) == 100 and "nextToken" in first  # 1 + 60*2 + 1 = 122 events
    rest = sfn.get_execution_history(executionArn=out["executionArn"], nextToken=first["nextToken"])
    assert "nextToken" not in rest
    ids = [e["id"] for e in first["events"] + rest["events"]]
    assert ids == list(range(1, 123))
    paged = [e["id"] for page in sfn.get_paginator("get_execution_history").paginate(
        executionArn=out["executionArn"], PaginationConfig={"PageSize": 50}) for e in page["events"]]
    assert paged == ids


def test_history_reverse_order_starts_with_the_latest(lab: Lab) -> None:
    out = run(lab, machine(lab, CHECKOUT), {"paid": True})
    latest = lab.client("stepfunctions").get_execution_history(
        executionArn=out["executionArn"], reverseOrder=True, maxResults=2)["events"]
    assert types(latest) == ["ExecutionSucceeded", "SucceedStateExited"]


def test_history_without_execution_data(lab: Lab) -> None:
    out = run(lab, machine(lab, CHECKOUT), {"orderId": "o-9", "paid": True})
    events = lab.client("stepfunctions").get_execution_history(
        executionArn=out["executionArn"], includeExecutionData=False)["events"]
    entered = next(e for e in events if e["type"] == "ChoiceStateEntered")
    assert entered["stateEnteredEventDetails"] == {"name": "Paid?"}
    assert "output" not in events[-1].get("executionSucceededEventDetails", {})


def test_bad_next_token_is_invalid_token(lab: Lab) -> None:
    out = run(lab, machine(lab, CHECKOUT), {"paid": True})
    sfn = lab.client("stepfunctions")
    with pytest.raises(sfn.exceptions.InvalidToken):
        sfn.get_execution_history(executionArn=out["executionArn"], nextToken="not-a-token")
