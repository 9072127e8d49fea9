"""The Step Functions execution path (labs.helpers.viz.execution_path): the definition's graph
with one execution's path coloured by outcome, checked state by state against what AWS documents
for Choice, Catch, Fail, Parallel and Map."""

from __future__ import annotations

import json
import time

import matplotlib.colors
import pytest

from labs.helpers import Lab, LabError
from labs.helpers import resources as res
from labs.helpers.viz import execution_path
from labs.helpers.viz.execution import definition_graph, execution_outcomes
from labs.helpers.viz.style import OUTCOMES
from tests.viz_frames import arrow_kinds, lane_labels, legend_texts, title

# --------------------------------------------------------------------------- execution path
FULFIL = {"StartAt": "Check", "States": {
    "Check": {"Type": "Choice", "Choices": [{"Variable": "$.total", "NumericGreaterThan": 100, "Next": "Charge"}],
              "Default": "Pack"},
    "Charge": {"Type": "Task", "Resource": "arn:aws:states:::sqs:sendMessage",
               "Parameters": {"QueueUrl": "https://sqs.us-east-1.amazonaws.com/123456789012/missing",
                              "MessageBody.$": "$"},
               "Catch": [{"ErrorEquals": ["States.ALL"], "Next": "Refund"}], "Next": "Done"},
    "Pack": {"Type": "Parallel", "Next": "Done", "Branches": [
        {"StartAt": "Label", "States": {"Label": {"Type": "Pass", "End": True}}},
        {"StartAt": "Box", "States": {"Box": {"Type": "Pass", "End": True}}}]},
    "Refund": {"Type": "Pass", "Next": "Declined"},
    "Declined": {"Type": "Fail", "Error": "PaymentDeclined", "Cause": "charge failed"},
    "Done": {"Type": "Succeed"}}}


def _run(lab: Lab, arn: str, name: str, total: int) -> str:
    sfn = lab.client("stepfunctions")
    execution = sfn.start_execution(stateMachineArn=arn, name=name, input=json.dumps({"total": total}))["executionArn"]
    deadline = time.time() + 5
    while sfn.describe_execution(executionArn=execution)["status"] == "RUNNING" and time.time() < deadline:
        time.sleep(0.02)
    return execution


def _state_colours(fig) -> dict[str, str]:
    return {p.get_gid().split(":", 1)[1]: matplotlib.colors.to_hex(p.get_facecolor())
            for p in fig.axes[0].patches if str(p.get_gid()).startswith("state:")}


def test_execution_path_failure_caught_then_failed(lab: Lab) -> None:
    """AWS: a Catch "causes the state machine to transition to the state named in Next" when the
    error matches; a Fail state "stops the execution ... and marks it as a failure"."""
    arn = res.ensure_state_machine(lab, "fulfil", FULFIL)
    fig = execution_path(lab, _run(lab, arn, "big-order", 500))
    assert fig.outcomes == {"Check": "succeeded", "Charge": "caught", "Refund": "succeeded", "Declined": "failed",
                            "Pack": "not-visited", "Label": "not-visited", "Box": "not-visited",
                            "Done": "not-visited"}
    colours = _state_colours(fig)
    assert colours["Check"] == OUTCOMES["succeeded"][0] and colours["Charge"] == OUTCOMES["caught"][0]
    assert colours["Declined"] == OUTCOMES["failed"][0] and colours["Pack"] == OUTCOMES["not-visited"][0]
    taken = {p.get_gid() for p in fig.axes[0].patches if str(p.get_gid()).endswith(":taken")}
    assert taken == {"edge:Start->Check:taken", "edge:Check->Charge:taken", "edge:Charge->Refund:taken",
                     "edge:Refund->Declined:taken", "edge:Declined->End:taken"}
    assert fig.graph.edges["Charge", "Refund"]["kind"] == "catch"
    legend = legend_texts(fig)
    assert {"succeeded", "failed", "failed, caught by Catch", "not visited", "Catch", "transition taken"} <= set(legend)
    assert "FAILED" in title(fig)


def test_execution_path_success_through_parallel_branches(lab: Lab) -> None:
    arn = res.ensure_state_machine(lab, "fulfil", FULFIL)
    fig = execution_path(lab, _run(lab, arn, "small-order", 5))
    assert {k for k, v in fig.outcomes.items() if v == "succeeded"} == {"Check", "Pack", "Label", "Box", "Done"}
    assert set(_state_colours(fig).values()) == {OUTCOMES["succeeded"][0], OUTCOMES["not-visited"][0]}
    assert fig.graph.nodes["Label"]["group"] == "Pack"  # branches drawn inside the Parallel's box
    assert any(p.get_gid() == "group:Pack" for p in fig.axes[0].patches)
    taken = {p.get_gid() for p in fig.axes[0].patches if str(p.get_gid()).endswith(":taken")}
    assert {"edge:Pack->Label:taken", "edge:Label->Done:taken", "edge:Box->Done:taken", "edge:Done->End:taken"} <= taken
    assert "failed" not in legend_texts(fig)


def test_execution_path_of_an_unknown_execution_explains(lab: Lab) -> None:
    with pytest.raises(LabError, match="executionArn"):
        execution_path(lab, "arn:aws:states:us-east-1:123456789012:execution:nope:nope")


def test_definition_graph_reads_choices_defaults_catches_and_ends() -> None:
    graph = definition_graph(json.dumps(FULFIL))
    assert graph.edges["Check", "Charge"]["label"] == "$.total > 100"
    assert graph.edges["Check", "Pack"]["label"] == "default"
    assert graph.has_edge("Declined", "End") and graph.has_edge("Done", "End")
    assert not graph.has_edge("Pack", "Done")  # the Parallel is left through its branches
    assert graph.edges["Pack", "Box"]["kind"] == "branch"


def test_real_flow_step_functions_start_and_execution_path(lab: Lab) -> None:
    """The emulator reports each state transition; the sequence shows them on the execution's
    lane, named by state, and the execution's failure as a failure."""
    arn = res.ensure_state_machine(lab, "fulfil", FULFIL)
    execution = _run(lab, arn, "via-trace", 500)
    deadline = time.time() + 5  # the last transition is reported as the execution ends
    while "execution-failed" not in set(lab.flow.df["operation"]) and time.time() < deadline:
        time.sleep(0.02)
    fig = lab.flow.sequence()
    # the Charge task's SendMessage to a queue that does not exist is its own (failed) arrow
    assert lane_labels(fig) == ["client", "fulfil", "fulfil:via-trace", "missing"]
    kinds = arrow_kinds(fig)
    assert kinds[0] == "call" and kinds[-1] == "failed" and kinds.count("failed") == 2
    assert set(kinds[1:-1]) == {"delivery", "failed"}
    assert any(t.get_text().startswith("task Charge: SQS.SdkClientException") for t in fig.axes[0].texts)
    ticks = {t.get_text(): matplotlib.colors.to_hex(t.get_color()) for t in fig.axes[0].get_xticklabels()}
    assert ticks["missing"] == "#e377c2"  # an SQS integration's target is drawn as a queue
    labels = [t.get_text() for t in fig.axes[0].texts if t.get_gid() == "label"]
    assert "state-entered Check" in labels and "state-entered Refund" in labels
    assert "Step Functions execution" in legend_texts(fig) and "failed / error" in legend_texts(fig)
    assert execution_path(lab, execution).outcomes["Charge"] == "caught"


STOCK = {"StartAt": "Each", "States": {
    "Each": {"Type": "Map", "ItemsPath": "$.items", "Next": "Done",
             "Catch": [{"ErrorEquals": ["States.ALL"], "Next": "Backorder"}],
             "ItemProcessor": {"ProcessorConfig": {"Mode": "INLINE"}, "StartAt": "Check", "States": {
                 "Check": {"Type": "Choice", "Choices": [{"Variable": "$.qty", "NumericGreaterThan": 5,
                                                          "Next": "TooMany"}], "Default": "Reserve"},
                 "Reserve": {"Type": "Pass", "End": True},
                 "TooMany": {"Type": "Fail", "Error": "OutOfStock"}}}},
    "Backorder": {"Type": "Pass", "End": True},
    "Done": {"Type": "Succeed"}}}


def test_execution_path_map_iteration_failure_caught_by_the_map(lab: Lab) -> None:
    """AWS: if an iteration fails, the Map state fails (States.ALL matches), and its Catch takes
    the execution to the fallback state."""
    arn = res.ensure_state_machine(lab, "stock", STOCK)
    sfn = lab.client("stepfunctions")
    execution = sfn.start_execution(stateMachineArn=arn, name="too-many",
                                    input=json.dumps({"items": [{"qty": 9}]}))["executionArn"]
    deadline = time.time() + 5
    while sfn.describe_execution(executionArn=execution)["status"] == "RUNNING" and time.time() < deadline:
        time.sleep(0.02)
    fig = execution_path(lab, execution)
    assert fig.outcomes == {"Each": "caught", "Check": "succeeded", "TooMany": "failed", "Reserve": "not-visited",
                            "Backorder": "succeeded", "Done": "not-visited"}
    box = next(p for p in fig.axes[0].patches if p.get_gid() == "group:Each")
    inside = {p.get_gid().split(":", 1)[1] for p in fig.axes[0].patches if str(p.get_gid()).startswith("state:")
              and box.get_extents().contains(*p.get_extents().get_points().mean(axis=0))}
    assert inside == {"Check", "Reserve", "TooMany"}  # the iterator's states, and only they, in the Map's box


def _event(i: int, kind: str, prev: int, name: str | None = None) -> dict:
    event = {"id": i, "previousEventId": prev, "type": kind}
    if name and kind.endswith("Entered"):
        event["stateEnteredEventDetails"] = {"name": name}
    elif name and kind.endswith("Exited"):
        event["stateExitedEventDetails"] = {"name": name}
    return event


def test_execution_outcomes_a_retry_that_worked_is_a_success() -> None:
    """AWS: a Retrier re-runs the state; a TaskFailed followed by TaskSucceeded is a success."""
    events = [_event(1, "ExecutionStarted", 0), _event(2, "TaskStateEntered", 1, "Charge"),
              _event(3, "TaskFailed", 2), _event(4, "TaskSucceeded", 3), _event(5, "TaskStateExited", 4, "Charge"),
              _event(6, "ExecutionSucceeded", 5)]
    outcomes, taken = execution_outcomes(events, "SUCCEEDED")
    assert outcomes == {"Charge": "succeeded"} and taken == [("Start", "Charge"), ("Charge", "End")]


def test_execution_outcomes_running_and_uncaught_failure() -> None:
    running = [_event(1, "ExecutionStarted", 0), _event(2, "TaskStateEntered", 1, "Wait")]
    assert execution_outcomes(running, "RUNNING")[0] == {"Wait": "running"}
    failed = running + [_event(3, "TaskFailed", 2), _event(4, "ExecutionFailed", 3)]
    assert execution_outcomes(failed, "FAILED")[0] == {"Wait": "failed"}
