"""One Step Functions execution drawn on its state machine's graph, like the console's graph view.

The graph comes from the ASL definition (``describe_state_machine``): Next, Choices, Default,
Catch, End, with Parallel branches and Map iterators drawn inside a labelled box. The path comes
from ``get_execution_history``: each state is coloured by what happened to it - succeeded green,
failed red, failed-but-caught orange, not visited grey - and the transitions the execution
actually took are drawn bold. Students see at a glance which Catch fired.
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from typing import Any

import matplotlib.pyplot as plt
import networkx as nx
from botocore.exceptions import BotoCoreError, ClientError
from matplotlib.figure import Figure
from matplotlib.lines import Line2D
from matplotlib.patches import FancyArrowPatch, FancyBboxPatch, Patch

from ..errors import LabError, explained
from .figure import subplots
from .layout import positions
from .style import OUTCOMES

START, END = "Start", "End"
#: edge kind -> (colour, linestyle, legend label)
EDGE_STYLES: dict[str, tuple[str, str, str]] = {
    "next": ("#555555", "-", "Next / Default / Choice"),
    "catch": ("#ff7f0e", "--", "Catch"),
    "branch": ("#17becf", ":", "Parallel branch / Map iterator"),
}
_SEVERITY = {"failed": 4, "caught": 3, "running": 2, "succeeded": 1, "not-visited": 0}


# --------------------------------------------------------------------------- graph from ASL
def nested_machines(state: dict[str, Any]) -> list[dict[str, Any]]:
    """The state machines inside one state: a Parallel's ``Branches``, a Map's ``Iterator`` (or
    ``ItemProcessor``, its newer name); none for any other state."""
    nested = state.get("Branches") or [state.get("Iterator") or state.get("ItemProcessor") or {}]
    return [machine for machine in nested if machine.get("StartAt")]


def definition_graph(definition: dict[str, Any] | str) -> nx.DiGraph:
    """The states of an ASL definition as a graph (nodes: ``type``, ``group``; edges: ``kind``, ``label``)."""
    if isinstance(definition, str):
        definition = json.loads(definition)
    graph = nx.DiGraph()
    graph.add_node(START, type="Start", group=None)
    _add_states(graph, definition, group=None, after=None)
    graph.add_edge(START, definition["StartAt"], kind="next", label="")
    if END not in graph:
        graph.add_node(END, type="End", group=None)
    return graph


def _add_states(graph: nx.DiGraph, machine: dict[str, Any], group: str | None, after: str | None) -> None:
    """Add ``machine``'s states; its terminal states lead to ``after`` (the enclosing state's
    Next) or to End at the top level."""
    finish = after or END
    for name, state in machine.get("States", {}).items():
        graph.add_node(name, type=state.get("Type", "?"), group=group)
    for name, state in machine.get("States", {}).items():
        kind = state.get("Type")
        nested = nested_machines(state)
        for branch in nested:
            graph.add_edge(name, branch["StartAt"], kind="branch", label="")
            inner_after = state.get("Next") or (finish if state.get("End") else None) or finish
            _add_states(graph, branch, group=name, after=inner_after)
        if state.get("Next") and not nested:
            graph.add_edge(name, state["Next"], kind="next", label="")
        for choice in state.get("Choices", []):
            graph.add_edge(name, choice["Next"], kind="next", label=_condition(choice))
        if state.get("Default"):
            graph.add_edge(name, state["Default"], kind="next", label="default")
        for catch in state.get("Catch", []):
            errors = ",".join(catch.get("ErrorEquals", []))
            graph.add_edge(name, catch["Next"], kind="catch", label=f"catch {errors}")
        if (state.get("End") or kind in ("Succeed", "Fail")) and not nested:
            if END not in graph and finish == END:
                graph.add_node(END, type="End", group=None)
            graph.add_edge(name, finish, kind="next", label="")


def _condition(choice: dict[str, Any]) -> str:
    """A short label for a Choice rule: ``$.total > 100``."""
    ops = {"NumericGreaterThan": ">", "NumericLessThan": "<", "NumericEquals": "==", "StringEquals": "==",
           "BooleanEquals": "==", "NumericGreaterThanEquals": ">=", "NumericLessThanEquals": "<="}
    for key, value in choice.items():
        if key in ops:
            return f"{choice.get('Variable', '')} {ops[key]} {value}"[:28]
    if "Condition" in choice:
        return str(choice["Condition"])[:28]
    return next((k for k in choice if k not in ("Next", "Variable")), "")[:28]


# --------------------------------------------------------------------------- path from history
def execution_outcomes(events: list[dict[str, Any]], status: str) -> tuple[dict[str, str], list[tuple[str, str]]]:
    """Per visited state its outcome, and the transitions taken, from an execution's history.

    A state whose task failed and then exited was caught (AWS writes ``...StateExited`` only when
    a Catch takes over); one that failed without exiting, or a Fail state, failed the execution. A
    success event after a failure (a Retry that worked) clears the failure. With ``status``
    RUNNING, a state not yet exited is in progress.
    """
    by_id = {e["id"]: e for e in events}
    open_states: list[tuple[str, str]] = []  # (name, state type), innermost last
    failed: set[str] = set()
    outcome: dict[str, str] = {}
    taken: list[tuple[str, str]] = []

    def worst(name: str, result: str) -> None:
        if _SEVERITY[result] >= _SEVERITY.get(outcome.get(name, "not-visited"), 0):
            outcome[name] = result

    def owner(kind: str) -> str | None:
        """The open state a Failed/Succeeded event is about: a MapStateFailed is the Map's, a
        TaskFailed the innermost Task's (Parallel branches and Map iterations interleave)."""
        wanted = next((t for t in ("Map", "Parallel") if kind.startswith(t)), "Task")
        for name, state_type in reversed(open_states):
            if state_type == wanted:
                return name
        return open_states[-1][0] if open_states else None

    for event in events:
        kind = event["type"]
        if kind.endswith("StateEntered"):
            name = event["stateEnteredEventDetails"]["name"]
            open_states.append((name, kind.removesuffix("StateEntered")))
            failed.discard(name)
            taken.append((_came_from(event, by_id), name))
            if kind == "FailStateEntered":
                worst(name, "failed")
        elif kind.endswith("StateExited"):
            name = event["stateExitedEventDetails"]["name"]
            open_states = [s for s in open_states if s[0] != name]
            worst(name, "caught" if name in failed else "succeeded")
        elif kind.startswith(("Execution", "MapIteration", "ParallelIteration")):
            pass  # the execution's own end, or one iteration's: not a state's outcome
        elif kind.endswith(("Failed", "TimedOut")):
            name = owner(kind)
            if name:
                failed.add(name)
        elif kind.endswith("Succeeded"):
            name = owner(kind)
            if name:
                failed.discard(name)
        if kind in ("ExecutionSucceeded", "ExecutionFailed"):
            taken.append((_came_from(event, by_id), END))
    for name, _ in open_states:
        if name not in outcome or outcome[name] != "failed":
            worst(name, "running" if status == "RUNNING" else "failed")
    return outcome, taken


def _came_from(event: dict[str, Any], by_id: dict[int, dict[str, Any]]) -> str:
    """The state an event followed: walk back to the previous state exit (or the entering of the
    Parallel/Map that started a branch)."""
    seen = 0
    current = by_id.get(event.get("previousEventId", 0))
    while current is not None and seen < 10_000:
        kind = current["type"]
        if kind.endswith("StateExited"):
            return current["stateExitedEventDetails"]["name"]
        if kind.endswith("StateEntered"):
            return current["stateEnteredEventDetails"]["name"]
        if kind == "ExecutionStarted":
            return START
        current = by_id.get(current.get("previousEventId", 0))
        seen += 1
    return START


def _definition_for(sfn: Any, execution: dict[str, Any]) -> dict[str, Any]:
    """The definition the execution ran with (AWS keeps it per execution, so a machine updated
    since still draws the path on the graph it took); the machine's current one as a fallback."""
    try:
        return dict(sfn.describe_state_machine_for_execution(executionArn=execution["executionArn"]))
    except (ClientError, BotoCoreError, NotImplementedError):
        return dict(sfn.describe_state_machine(stateMachineArn=execution["stateMachineArn"]))


def _history(sfn: Any, execution_arn: str) -> Iterator[dict[str, Any]]:
    kwargs: dict[str, Any] = {"executionArn": execution_arn, "maxResults": 1000}
    while True:
        page = sfn.get_execution_history(**kwargs)
        yield from page["events"]
        if not page.get("nextToken"):
            return
        kwargs["nextToken"] = page["nextToken"]


# --------------------------------------------------------------------------- drawing
def execution_path(lab: Any, execution_arn: str, *, title: str | None = None) -> Figure:
    """Draw the state machine of ``execution_arn`` with that execution's path coloured by outcome.

    The Figure carries ``fig.graph`` (the definition graph) and ``fig.outcomes`` (state ->
    "succeeded" | "failed" | "caught" | "running" | "not-visited") for notebooks and tests.
    """
    sfn = lab.client("stepfunctions")
    with explained(f"read execution {execution_arn.rsplit(':', 1)[-1]!r}",
                   "Pass the executionArn that start_execution returned."):
        execution = sfn.describe_execution(executionArn=execution_arn)
        machine = _definition_for(sfn, execution)
        events = list(_history(sfn, execution_arn))
    try:
        graph = definition_graph(machine["definition"])
    except (KeyError, ValueError, TypeError) as err:
        raise LabError(f"The state machine's definition could not be read as ASL ({err}).",
                       "Check the definition with describe_state_machine; it must have StartAt and States.") from err
    visited, taken = execution_outcomes(events, execution["status"])
    outcomes = {n: visited.get(n, "not-visited") for n in graph.nodes if n not in (START, END)}

    pos = _separate_groups(graph, positions(graph, direction="TB", roots=[START], spacing=(1.25, 2.6)), 2.6)
    xs = [p[0] for p in pos.values()]
    ys = [p[1] for p in pos.values()]
    fig, ax = subplots(figsize=(max(6.0, 1.9 * (max(xs) - min(xs)) / 2.6 + 4.5),
                                    max(4.0, 0.95 * (max(ys) - min(ys)) / 1.25 + 2.2)))
    ax.set_xlim(min(xs) - 1.8, max(xs) + 1.8)
    ax.set_ylim(min(ys) - 0.8, max(ys) + 0.8)
    ax.set_axis_off()
    _groups(ax, graph, pos)
    taken_set = _on_graph(graph, taken)
    for a, b, data in graph.edges(data=True):
        colour, style, _ = EDGE_STYLES[data["kind"]]
        walked = (a, b) in taken_set
        ax.add_patch(FancyArrowPatch(pos[a], pos[b], arrowstyle="-|>", mutation_scale=12, shrinkA=14, shrinkB=14,
                                     color="#111111" if walked else colour, linestyle=style,
                                     linewidth=2.6 if walked else 1.0, alpha=1.0 if walked else 0.6,
                                     connectionstyle="arc3,rad=0.15" if data["kind"] == "catch" else "arc3,rad=0",
                                     zorder=2, gid=f"edge:{a}->{b}" + (":taken" if walked else "")))
        if data.get("label"):
            ax.text((pos[a][0] + pos[b][0]) / 2, (pos[a][1] + pos[b][1]) / 2, data["label"], fontsize=7,
                    color=colour, ha="center", va="center", zorder=3,
                    bbox={"boxstyle": "round,pad=0.1", "fc": "white", "ec": "none", "alpha": 0.85})
    for node, (x, y) in pos.items():
        if node in (START, END):
            ax.add_patch(plt.Circle((x, y), 0.22, color="#333333", zorder=3, gid=f"terminal:{node}"))
            ax.text(x + 0.32, y, node, fontsize=8, va="center", zorder=4)
            continue
        colour = OUTCOMES[outcomes[node]][0]
        ax.add_patch(FancyBboxPatch((x - 1.0, y - 0.28), 2.0, 0.56, boxstyle="round,pad=0.04,rounding_size=0.15",
                                    facecolor=colour, edgecolor="#333333", linewidth=1.0, zorder=3,
                                    gid=f"state:{node}"))
        ax.text(x, y + 0.06, node, ha="center", va="center", fontsize=8.5, fontweight="bold", zorder=4)
        ax.text(x, y - 0.17, graph.nodes[node]["type"], ha="center", va="center", fontsize=6.5, color="#333333",
                zorder=4)
    name = execution.get("name") or execution_arn.rsplit(":", 1)[-1]
    heading = title or f"Execution {name!r} of {machine.get('name', '?')}"
    ax.set_title(f"{heading}\nstatus {execution['status']}; bold arrows = the path taken", fontsize=10, loc="left")
    present = dict.fromkeys(outcomes.values())
    handles: list[Any] = [Patch(facecolor=OUTCOMES[o][0], edgecolor="#333333", label=OUTCOMES[o][1])
                          for o in OUTCOMES if o in present]
    kinds = {d["kind"] for _, _, d in graph.edges(data=True)}
    handles += [Line2D([], [], color=EDGE_STYLES[k][0], linestyle=EDGE_STYLES[k][1], label=EDGE_STYLES[k][2])
                for k in EDGE_STYLES if k in kinds]
    handles.append(Line2D([], [], color="#111111", linewidth=2.6, label="transition taken"))
    ax.legend(handles=handles, loc="upper left", bbox_to_anchor=(1.0, 1.0), fontsize=8, frameon=False)
    fig.graph = graph  # type: ignore[attr-defined]
    fig.outcomes = outcomes  # type: ignore[attr-defined]
    return fig


def _separate_groups(graph: nx.DiGraph, pos: dict[str, tuple[float, float]],
                     gap: float) -> dict[str, tuple[float, float]]:
    """Move states that are not inside a Parallel/Map out of its box: in each row the box spans,
    outsiders left of the box's centre go left of it, the others right, keeping their order."""
    pos = dict(pos)

    def inside(node: str, group: str) -> bool:
        while node:
            if node == group:
                return True
            node = graph.nodes[node].get("group") if node in graph else None
        return False

    for group in _group_members(graph):
        members = [n for n in graph.nodes if inside(n, group) and n != group]  # nested groups too
        xs = [pos[n][0] for n in members]
        ys = {pos[n][1] for n in members}
        low, high, centre = min(xs), max(xs), sum(xs) / len(xs)
        for y in ys:
            row = sorted((n for n in graph.nodes if pos[n][1] == y and not inside(n, group)),
                         key=lambda n: pos[n][0])
            left = [n for n in row if pos[n][0] < centre]
            right = [n for n in row if pos[n][0] >= centre]
            for i, node in enumerate(reversed(left)):
                pos[node] = (min(pos[node][0], low - gap * (i + 1)), y)
            for i, node in enumerate(right):
                pos[node] = (max(pos[node][0], high + gap * (i + 1)), y)
    return pos


def _group_members(graph: nx.DiGraph) -> dict[str, list[str]]:
    """Parallel/Map state -> the states directly inside it, in definition order."""
    members: dict[str, list[str]] = {}
    for node, data in graph.nodes(data=True):
        if data.get("group"):
            members.setdefault(data["group"], []).append(node)
    return members


def _on_graph(graph: nx.DiGraph, taken: list[tuple[str, str]]) -> set[tuple[str, str]]:
    """The taken transitions as drawn edges: leaving a Parallel/Map is drawn from its inner
    terminal states, so (Parallel, Next) becomes those states' edges to Next."""
    edges = set()
    for a, b in taken:
        if graph.has_edge(a, b):
            edges.add((a, b))
            continue
        for inner, data in graph.nodes(data=True):
            if data.get("group") == a and graph.has_edge(inner, b):
                edges.add((inner, b))
    return edges


def _groups(ax: Any, graph: nx.DiGraph, pos: dict[str, tuple[float, float]]) -> None:
    """A labelled box around the states of each Parallel branch set / Map iterator."""
    for group, nodes in _group_members(graph).items():
        xs = [pos[n][0] for n in nodes]
        ys = [pos[n][1] for n in nodes]
        x0, y0 = min(xs) - 1.25, min(ys) - 0.5
        ax.add_patch(FancyBboxPatch((x0, y0), max(xs) - min(xs) + 2.5, max(ys) - min(ys) + 0.95,
                                    boxstyle="round,pad=0.02,rounding_size=0.2", facecolor="#f4f9fb",
                                    edgecolor="#17becf", linestyle="--", zorder=1, gid=f"group:{group}"))
        ax.text(x0 + 0.08, max(ys) + 0.38, group, fontsize=7, color="#17becf", va="bottom", zorder=1)
