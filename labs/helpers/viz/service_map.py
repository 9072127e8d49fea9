"""The service map: the lab's resources and what flows between them, discovered from the account.

Nothing here is declared by the notebook: SNS subscriptions, EventBridge rules and their targets,
Lambda event source mappings, queues' redrive policies (DLQ edges) and the services a state
machine's tasks call are all read back with boto3, so the map shows what the student actually
built, including the subscription they forgot. With a flow DataFrame, each edge's width and label
show how many messages took it.
"""

from __future__ import annotations

import json
import math
from collections.abc import Iterator
from typing import Any

import networkx as nx
from botocore.exceptions import BotoCoreError, ClientError
from matplotlib.figure import Figure
from matplotlib.lines import Line2D
from matplotlib.patches import FancyArrowPatch

from .execution import nested_machines
from .figure import subplots
from .frame import INVENTORY_KINDS, arn_kind, arn_name, label_prefix, normalise, reroute_calls
from .layout import positions
from .style import KINDS, kind_colour, kind_label, kind_marker

#: edge kind -> (colour, linestyle, legend label)
EDGES: dict[str, tuple[str, str, str]] = {
    "call": ("#222222", "-", "your API calls"),
    "subscription": ("#ff7f0e", "-", "SNS subscription"),
    "rule": ("#9467bd", "-", "EventBridge rule / target"),
    "esm": ("#bcbd22", "-", "Lambda event source mapping"),
    "dlq": ("#d62728", "--", "redrive policy \u2192 DLQ"),
    "task": ("#17becf", "-", "state machine task"),
    "flow": ("#1f77b4", ":", "observed flow (not configured)"),
}


def discover(lab: Any) -> nx.DiGraph:
    """The lab's resources as nodes (``kind``, ``arn``) and configured routes as edges (``kind``, ``label``).

    Node ids are the short names the flow DataFrame uses (queue, topic, bus, function names);
    rules are ``rule/<name>`` so a rule never collides with a queue of the same name.
    """
    graph = nx.DiGraph()
    listing = lab.resources().resources
    by_kind: dict[str, list[Any]] = {}
    for resource in listing:
        by_kind.setdefault(resource.kind, []).append(resource)
    for inventory_kind, kind in INVENTORY_KINDS.items():
        for r in by_kind.get(inventory_kind, []):
            graph.add_node(r.name, kind=kind, arn=r.ref)

    _queues(lab, graph, by_kind.get("sqs-queue", []))
    _subscriptions(lab, graph, by_kind.get("sns-topic", []))
    _rules(lab, graph, by_kind.get("events-rule", []))
    _mappings(lab, graph, by_kind.get("lambda-event-source-mapping", []))
    _state_machines(lab, graph, by_kind.get("sfn-state-machine", []))
    return graph


def _endpoint(graph: nx.DiGraph, arn: str, fallback: str = "other") -> str:
    """The node for an ARN/URL at the far end of an edge, added as 'other' if outside the lab."""
    name = arn_name(arn)  # anything neither an ARN nor a URL is already a name: unchanged
    if name not in graph:
        kind = arn_kind(arn) if arn.startswith("arn:") else fallback
        graph.add_node(name, kind=kind, arn=arn, external=True)
    return name


def _quiet(call: Any, *args: Any, **kwargs: Any) -> Any:
    """A read that may fail on a backend or for a resource deleted meanwhile: None instead."""
    try:
        return call(*args, **kwargs)
    except (ClientError, BotoCoreError, KeyError):
        return None


def _queues(lab: Any, graph: nx.DiGraph, queues: list[Any]) -> None:
    sqs = lab.client("sqs")
    for r in queues:
        attrs = _quiet(sqs.get_queue_attributes, QueueUrl=r.ref, AttributeNames=["QueueArn", "RedrivePolicy"])
        attrs = (attrs or {}).get("Attributes", {})
        if "QueueArn" in attrs:
            graph.nodes[r.name]["arn"] = attrs["QueueArn"]
        if attrs.get("RedrivePolicy"):
            policy = json.loads(attrs["RedrivePolicy"])
            dlq = _endpoint(graph, policy["deadLetterTargetArn"], "sqs")
            graph.nodes[dlq]["kind"] = "dlq"
            graph.add_edge(r.name, dlq, kind="dlq", label=f"after {policy.get('maxReceiveCount')} receives")


def _subscriptions(lab: Any, graph: nx.DiGraph, topics: list[Any]) -> None:
    sns = lab.client("sns")
    for r in topics:
        subs = _quiet(sns.list_subscriptions_by_topic, TopicArn=r.ref) or {}
        for sub in subs.get("Subscriptions", []):
            protocol, endpoint = sub.get("Protocol", ""), sub.get("Endpoint", "")
            target = _endpoint(graph, endpoint)  # named as the trace names the delivery's target
            if not endpoint.startswith("arn:"):  # an address (email, sms, http): say which kind
                graph.nodes[target].setdefault("display", f"{protocol}:{endpoint}")
            label = protocol
            attrs = _quiet(sns.get_subscription_attributes, SubscriptionArn=sub["SubscriptionArn"]) or {}
            if attrs.get("Attributes", {}).get("FilterPolicy"):
                label += " + filter"
            graph.add_edge(r.name, target, kind="subscription", label=label)


def _rules(lab: Any, graph: nx.DiGraph, rules: list[Any]) -> None:
    events = lab.client("events")
    for r in rules:
        bus, rule = r.ref.split("|", 1)
        if bus not in graph:
            graph.add_node(bus, kind="events", arn=bus, external=bus == "default")
        node = f"rule/{rule}"
        graph.add_node(node, kind="rule", arn=r.ref, display=rule)
        graph.add_edge(bus, node, kind="rule", label="pattern")
        targets = _quiet(events.list_targets_by_rule, Rule=rule, EventBusName=bus) or {}
        for target in targets.get("Targets", []):
            graph.add_edge(node, _endpoint(graph, target["Arn"]), kind="rule", label=target.get("Id", ""))


def _mappings(lab: Any, graph: nx.DiGraph, mappings: list[Any]) -> None:
    client = lab.client("lambda")
    for r in mappings:
        esm = _quiet(client.get_event_source_mapping, UUID=r.ref)
        if not esm:
            continue
        source = _endpoint(graph, esm.get("EventSourceArn", "?"))
        function = _endpoint(graph, esm.get("FunctionArn", r.name))
        graph.add_edge(source, function, kind="esm", label=f"batch {esm.get('BatchSize', '?')}")


def _state_machines(lab: Any, graph: nx.DiGraph, machines: list[Any]) -> None:
    sfn = lab.client("stepfunctions")
    for r in machines:
        described = _quiet(sfn.describe_state_machine, stateMachineArn=r.ref)
        if not described:
            continue
        try:
            definition = json.loads(described["definition"])
        except (KeyError, ValueError):
            continue
        for resource, label in _task_targets(definition):
            graph.add_edge(r.name, _endpoint(graph, resource), kind="task", label=label)


def _task_targets(definition: dict[str, Any]) -> Iterator[tuple[str, str]]:
    """(target ARN/URL/name, integration) for every Task in an ASL definition, nested ones too."""
    for state in definition.get("States", {}).values():
        for nested in nested_machines(state):
            yield from _task_targets(nested)
        resource = state.get("Resource", "")
        if state.get("Type") != "Task" or not resource:
            continue
        params = state.get("Parameters") or state.get("Arguments") or {}
        integration = resource.split(":::")[-1] if ":::" in resource else "lambda"
        if resource.startswith("arn:aws:lambda:"):
            yield resource, "invoke"
        for key in ("FunctionName", "QueueUrl", "TopicArn", "TableName", "StateMachineArn", "StreamName"):
            value = params.get(key)
            if isinstance(value, str):
                yield value, integration
        for entry in params.get("Entries", []) if isinstance(params.get("Entries"), list) else []:
            if isinstance(entry, dict) and isinstance(entry.get("EventBusName"), str):
                yield entry["EventBusName"], integration


#: deliveries that are an execution's own progress, not a message between resources
_NOT_ROUTES = {"state-entered", "state-exited", "execution-succeeded", "execution-failed", "execution-started"}


def add_flow(graph: nx.DiGraph, df: Any) -> None:
    """Put message counts from a flow DataFrame on the edges (``count``, and the operations seen
    in ``label``); unconfigured flows get their own edges (the client's calls, or a route the
    discovery could not see). Rows are grouped first, so a 100,000-row trace costs a groupby."""
    frame = normalise(df)
    frame = frame[~frame["operation"].isin(_NOT_ROUTES) & (frame["status"] != "filtered")
                  & (frame["source"] != frame["target"])].copy()
    if frame.empty:
        return
    reroute_calls(frame)  # a StartMessageMoveTask is the client's call, to the DLQ
    frame["rule"] = [str((d or {}).get("rule") or "") for d in frame["detail"]]
    frame["count"] = frame["count"].clip(lower=0)
    grouped = frame.groupby(["source", "target", "rule", "operation"], sort=False)["count"].sum()
    for (source, target, rule, operation), count in grouped.items():
        hops = [(source, target)]
        if rule:
            node = f"rule/{arn_name(rule).rsplit('/', 1)[-1]}"
            if node in graph:
                hops = [(source, node), (node, target)]
        for a, b in hops:
            for end in (a, b):
                if end not in graph:
                    graph.add_node(end, kind="client" if end == "client" else "other", external=True)
            if not graph.has_edge(a, b):
                graph.add_edge(a, b, kind="call" if "client" in (a, b) else "flow", label="")
            edge = graph.edges[a, b]
            edge["count"] = edge.get("count", 0) + int(count)
            if edge["kind"] in ("call", "flow"):  # configured routes keep their own label
                ops = edge.setdefault("operations", [])
                if operation not in ops:
                    ops.append(operation)
                edge["label"] = ", ".join(ops)


_LAYER = 2.4  #: distance between layers (producers left, consumers right)


def edge_width(count: int) -> float:
    """Line width for an edge that carried ``count`` messages (1.2 when none were traced)."""
    return round(1.2 + min(6.0, 1.2 * math.log2(1 + count)), 2) if count > 0 else 1.2


def service_map(lab: Any, df: Any = None, *, title: str | None = None, strip_prefix: bool = True) -> Figure:
    """Draw the lab's discovered resources and routes; with ``df`` edge widths show message counts.

    The returned Figure carries the graph as ``fig.graph`` (nodes: ``kind``; edges: ``kind``,
    ``label``, ``count``, ``width``) so a notebook or test can read what was drawn.
    """
    graph = discover(lab)
    if df is not None:
        add_flow(graph, df)
    for _, _, data in graph.edges(data=True):  # absolute scale: 1 msg 2.4, 10 msgs 5.3, >= 30 msgs 7.2
        data["width"] = edge_width(data.get("count", 0))

    roots = [n for n, d in graph.nodes(data=True) if d.get("kind") == "client"]
    pos = positions(graph, direction="LR", roots=roots, spacing=(_LAYER, 1.3))
    n_layers = len({x for x, _ in pos.values()}) or 1
    n_rows = max((sum(1 for p in pos.values() if p[0] == x) for x in {p[0] for p in pos.values()}), default=1)
    fig, ax = subplots(figsize=(max(7.0, 2.6 * n_layers + 3), max(3.5, 1.1 * n_rows + 1.5)))
    names = [n for n, d in graph.nodes(data=True) if d.get("kind") not in ("client", "rule")]
    prefix = label_prefix(lab, names) if strip_prefix else ""

    xs = [p[0] for p in pos.values()] or [0.0]
    ys = [p[1] for p in pos.values()] or [0.0]
    ax.set_xlim(min(xs) - 1.2, max(xs) + 1.2)
    ax.set_ylim(min(ys) - 0.9, max(ys) + (1.3 if any(pos[b][0] <= pos[a][0] for a, b in graph.edges) else 0.7))
    for (a, b), data in zip(graph.edges, graph.edges.values()):
        colour, style, _ = EDGES.get(data["kind"], EDGES["flow"])
        arrow = FancyArrowPatch(pos[a], pos[b], arrowstyle="-|>", mutation_scale=14, color=colour,
                                linestyle=style, linewidth=data["width"], shrinkA=16, shrinkB=16,
                                connectionstyle=f"arc3,rad={_bend(pos[a], pos[b], graph.has_edge(b, a))}",
                                zorder=2, gid=f"edge:{a}->{b}")
        ax.add_patch(arrow)
        label = data.get("label", "")
        if data.get("count"):
            label = f"{label} \u00d7{data['count']}".strip()
        if label:
            mid = _midpoint(ax, pos[a], pos[b], _bend(pos[a], pos[b], graph.has_edge(b, a)))
            ax.text(mid[0], mid[1] + 0.08, label, fontsize=7,
                    ha="center", color=colour, zorder=4, gid="edge-label",
                    bbox={"boxstyle": "round,pad=0.15", "fc": "white", "ec": "none", "alpha": 0.8})
    kinds_present = dict.fromkeys(d.get("kind", "other") for _, d in graph.nodes(data=True))
    for kind in kinds_present:
        nodes = [n for n, d in graph.nodes(data=True) if d.get("kind", "other") == kind]
        ax.scatter([pos[n][0] for n in nodes], [pos[n][1] for n in nodes], s=520, marker=kind_marker(kind),
                   color=kind_colour(kind), edgecolors="black", linewidths=0.8, zorder=3, label=kind_label(kind),
                   gid=f"nodes:{kind}")
        for n in nodes:
            shown = graph.nodes[n].get("display", n).removeprefix(prefix)
            ax.text(pos[n][0], pos[n][1] - 0.32, shown, ha="center", va="top", fontsize=8, zorder=4, gid="node-label")
    if not graph.nodes:
        ax.text(0.5, 0.5, "this lab has no resources yet", ha="center", va="center", transform=ax.transAxes,
                color="#777777", style="italic")
    ax.set_axis_off()
    heading = title or f"Service map of {getattr(getattr(lab, 'info', None), 'name', 'the lab')}"
    resources = sum(1 for _, d in graph.nodes(data=True) if d.get("kind") != "client")
    notes = [f"{resources} resources, {graph.number_of_edges()} routes"]
    notes.append("edge width = messages in the flow trace" if df is not None else "pass df=lab.flow.df for message counts")
    if prefix:
        notes.append(f"names without the prefix {prefix!r}")
    ax.set_title(heading + "\n" + "; ".join(notes), fontsize=10, loc="left")
    handles = [Line2D([], [], linestyle="", marker=kind_marker(k), color=kind_colour(k), markeredgecolor="black",
                      markersize=9, label=kind_label(k)) for k in KINDS if k in kinds_present]
    edge_kinds = dict.fromkeys(d["kind"] for _, _, d in graph.edges(data=True))
    handles += [Line2D([], [], color=EDGES[k][0], linestyle=EDGES[k][1], linewidth=2, label=EDGES[k][2])
                for k in EDGES if k in edge_kinds]
    if handles:
        ax.legend(handles=handles, loc="upper left", bbox_to_anchor=(1.0, 1.0), fontsize=8, frameon=False)
    fig.graph = graph  # type: ignore[attr-defined]
    return fig



def _bend(a: tuple[float, float], b: tuple[float, float], has_reverse: bool) -> float:
    """Curvature: edges going back (right to left) arc away from the forward ones, and an edge
    that skips a layer on the same row arcs below the node it would otherwise cross."""
    if b[0] <= a[0]:
        return 0.35
    if a[1] == b[1] and b[0] - a[0] > 1.5 * _LAYER:
        return 0.3
    return 0.12 if has_reverse else 0.0


def _midpoint(ax: Any, a: tuple[float, float], b: tuple[float, float], rad: float) -> tuple[float, float]:
    """Where an ``arc3`` edge with curvature ``rad`` passes half way. matplotlib bends arcs in
    display space, so the point is computed there (limits must be set) and mapped back."""
    (x1, y1), (x2, y2) = ax.transData.transform([a, b])
    mx, my = (x1 + x2) / 2, (y1 + y2) / 2
    point = (mx + rad * (y2 - y1) / 2, my - rad * (x2 - x1) / 2)
    x, y = ax.transData.inverted().transform(point)
    return float(x), float(y)
