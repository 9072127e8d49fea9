"""A layered ("producer to consumer") layout for small directed graphs, in plain Python (no numpy, no scipy).

networkx's force layouts place a topic anywhere; for message flow the reading direction matters
(producers left, consumers right; a state machine top to bottom like the console's graph view),
so nodes are put in layers by longest path from the sources, cycles (retries, loops in a state
machine, replies to the client) broken by leaving out depth-first back edges, and each layer ordered by its predecessors' positions to
keep crossings down.
"""

from __future__ import annotations

from collections.abc import Hashable

import networkx as nx


def acyclic(graph: nx.DiGraph, roots: list[Hashable] | None = None) -> nx.DiGraph:
    """``graph`` without its back edges (found by depth-first search from ``roots``, then from
    every other node in insertion order), so a retry loop or a reply to the client does not pull
    its source to the far end of the picture."""
    dag = nx.DiGraph()
    dag.add_nodes_from(graph.nodes)
    state: dict[Hashable, int] = {}  # 1 = on the stack, 2 = done
    starts = [r for r in roots or [] if r in graph] + list(graph.nodes)
    for start in starts:
        if start in state:
            continue
        state[start] = 1
        stack = [(start, iter(graph.successors(start)))]
        while stack:
            node, successors = stack[-1]
            child = next(successors, None)
            if child is None:
                state[node] = 2
                stack.pop()
            elif state.get(child) == 1:
                continue  # a back edge: leave it out
            else:
                dag.add_edge(node, child)
                if child not in state:
                    state[child] = 1
                    stack.append((child, iter(graph.successors(child))))
    return dag


def layers(graph: nx.DiGraph, roots: list[Hashable] | None = None) -> dict[Hashable, int]:
    """Layer of every node: 0 for sources, else 1 + the deepest predecessor (back edges ignored)."""
    dag = acyclic(graph, roots)
    depth: dict[Hashable, int] = {}
    for node in nx.topological_sort(dag):
        preds = list(dag.predecessors(node))
        depth[node] = 1 + max(depth[p] for p in preds) if preds else 0
    return depth


def positions(graph: nx.DiGraph, *, direction: str = "LR", roots: list[Hashable] | None = None,
              spacing: tuple[float, float] = (1.0, 1.0)) -> dict[Hashable, tuple[float, float]]:
    """(x, y) per node: ``LR`` puts layers left to right, ``TB`` top to bottom (y down = negative)."""
    if not graph.nodes:
        return {}
    layer_of = layers(graph, roots)
    by_layer: dict[int, list[Hashable]] = {}
    for node in graph.nodes:  # insertion order is the first tie-breaker
        by_layer.setdefault(layer_of[node], []).append(node)
    slot: dict[Hashable, float] = {}
    for layer in sorted(by_layer):
        nodes = by_layer[layer]
        if layer:  # barycentre of already-placed predecessors
            def key(n: Hashable) -> float:
                placed = [slot[p] for p in graph.predecessors(n) if p in slot]
                return sum(placed) / len(placed) if placed else float("inf")
            nodes = sorted(nodes, key=key)
        width = len(nodes)
        for i, node in enumerate(nodes):
            slot[node] = i - (width - 1) / 2
    along, across = spacing
    if direction == "TB":
        return {n: (slot[n] * across, -layer_of[n] * along) for n in graph.nodes}
    return {n: (layer_of[n] * along, -slot[n] * across) for n in graph.nodes}
