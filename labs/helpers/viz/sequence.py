"""The sequence diagram: who sent what to whom, in order.

Lanes are the client (the student's code) and every resource a message touched; time runs down
the page, one arrow per call or delivery, so a fan-out reads as one publish followed by arrows
from the topic to each subscriber, and a poison message as receives followed by a red dash-dot
move into the DLQ. Above ``max_messages`` rows a per-message drawing is unreadable, so arrows are
aggregated per (source, target, operation, outcome) with counts, and the title says so: a
student must never mistake a summary for the whole story.
"""

from __future__ import annotations

import math
from typing import Any

import pandas as pd
from matplotlib.axes import Axes
from matplotlib.figure import Figure
from matplotlib.lines import Line2D

from .figure import subplots
from .frame import account_kinds, categories, label_prefix, lane_kinds, normalise, reroute_calls
from .style import ARROWS, kind_colour, kind_label, kind_marker


def sequence(df: Any, *, title: str | None = None, max_messages: int = 60, ax: Axes | None = None,
             hide_empty_receives: bool = True, strip_prefix: bool = True, lab: Any = None) -> Figure:
    """Draw ``df`` (``lab.flow.df`` or ``lab.flow``) as a sequence diagram; returns the Figure.

    ``max_messages`` is the number of rows drawn one arrow each; above it rows are aggregated.
    Empty ``ReceiveMessage`` polls (count 0) are left out by default (a polling consumer makes
    hundreds) and the subtitle says how many. With ``lab`` (``lab.flow.sequence()`` passes it)
    each lane's kind is read from the account, so a rule's target queue is drawn as a queue.
    """
    frame = normalise(df)
    notes: list[str] = []
    if hide_empty_receives and len(frame):
        empty = (frame["operation"] == "ReceiveMessage") & (frame["count"] == 0)
        if empty.any():
            notes.append(f"{int(empty.sum())} empty ReceiveMessage polls not shown")
            frame = frame[~empty].reset_index(drop=True)
    frame["category"] = categories(frame)
    reroute_calls(frame)
    rows = len(frame)
    if rows > max_messages:
        steps = _aggregate(frame)
        notes.insert(0, f"{rows} calls/deliveries > max_messages={max_messages}: AGGREGATED into {len(steps)} "
                        "arrows, one per source \u2192 target, operation and outcome (\u00d7 = messages)")
        if len(steps) > max_messages:
            notes.insert(1, f"showing the first {max_messages} of {len(steps)} aggregated arrows")
            steps = steps[:max_messages]
    else:
        steps = [_single(r) for r in frame.to_dict("records")]

    kinds = lane_kinds(frame, account_kinds(lab) if lab is not None else None)
    lanes = _lanes(steps)
    prefix = label_prefix(lab, [lane for lane in lanes if lane != "client"]) if strip_prefix else ""
    if prefix:
        notes.append(f"resource names shown without the prefix {prefix!r}")

    if ax is None:
        width = max(6.5, 1.9 * len(lanes) + 2.5)
        height = min(28.0, max(3.8, 1.6 + 0.42 * max(len(steps), 1)))
        fig, ax = subplots(figsize=(width, height))
    else:
        fig = ax.figure
    _draw_lanes(ax, lanes, kinds, prefix, len(steps))
    x_of = {lane: i for i, lane in enumerate(lanes)}
    for y, step in enumerate(steps, start=1):
        _draw_step(ax, step, x_of, y)
    if not steps:
        ax.text((len(lanes) - 1) / 2, 1, "no messages recorded yet", ha="center", va="center",
                color="#777777", style="italic")

    heading = title or "Message flow"
    messages = int(frame["count"].sum()) if rows else 0
    heading += f" \u2014 {rows} calls/deliveries, {messages} messages"
    ax.set_title("\n".join([heading, *notes]), fontsize=10, loc="left")
    _legend(ax, steps, lanes, kinds)
    return fig


# --------------------------------------------------------------------------- steps
def _single(row: dict[str, Any]) -> dict[str, Any]:
    """One arrow's label: what happened, how many, to which order (or message), and why it failed."""
    count = int(row.get("count") or 0)
    detail = row.get("detail") or {}
    label = str(row.get("operation") or "")
    if detail.get("state") and row.get("service") == "stepfunctions":
        label += f" {detail['state']}"  # state-entered Check
    elif detail.get("rule"):
        label += f" ({str(detail['rule']).rsplit('/', 1)[-1]})"
    if count > 1 or (count == 0 and _returns_messages(label)):
        label += f" \u00d7{count}"
    orders = tuple(row.get("order_ids") or ())
    if orders:
        label += f" [{orders[0]}" + (f" +{len(orders) - 1}" if len(orders) > 1 else "") + "]"
    elif row.get("message_ids") and row.get("service") != "stepfunctions":
        label += f" ({str(next(iter(row['message_ids']))).rsplit(':', 1)[-1][:8]})"
    if row.get("error"):
        label += f": {str(row['error'])[:40]}"
    if row.get("via"):
        label += f" (\u2192 {row['via']})"
    return {"source": row["source"], "target": row["target"], "category": row["category"], "label": label,
            "weight": 1.0}


def _returns_messages(operation: str) -> bool:
    """Calls whose result is messages: for them 'x0' says something (an empty poll)."""
    return "Receive" in operation or "GetRecords" in operation


def _aggregate(frame: pd.DataFrame) -> list[dict[str, Any]]:
    keys = ["source", "target", "operation", "category"]
    grouped = frame.groupby(keys, sort=False).agg(rows=("count", "size"), messages=("count", "sum"))
    biggest = max(int(grouped["messages"].max()), 1)
    steps = []
    for (source, target, operation, cat), agg in grouped.iterrows():
        messages, n_rows = int(agg["messages"]), int(agg["rows"])
        label = f"{operation} \u00d7{messages}" + (f" ({n_rows} calls)" if n_rows != messages else "")
        steps.append({"source": source, "target": target, "category": cat, "label": label,
                      "weight": 1.0 + 2.5 * math.log1p(messages) / math.log1p(biggest)})
    return steps


def _lanes(steps: list[dict[str, Any]]) -> list[str]:
    """Client first, then resources in order of first appearance."""
    seen: dict[str, None] = {"client": None}
    for step in steps:
        seen.setdefault(step["source"])
        seen.setdefault(step["target"])
    return list(seen)


# --------------------------------------------------------------------------- drawing
def _draw_lanes(ax: Axes, lanes: list[str], kinds: dict[str, str], prefix: str, n_steps: int) -> None:
    bottom = n_steps + 1
    for x, lane in enumerate(lanes):
        kind = kinds.get(lane, "other")
        ax.plot([x, x], [0.3, bottom + 0.2], color=kind_colour(kind), linewidth=1, linestyle=(0, (4, 4)),
                alpha=0.6, zorder=1)
        ax.scatter([x], [0.1], marker=kind_marker(kind), s=140, color=kind_colour(kind), zorder=3,
                   edgecolors="black", linewidths=0.6)
    ax.set_xticks(range(len(lanes)))
    ax.set_xticklabels([lane.removeprefix(prefix) for lane in lanes],
                       fontsize=9, fontweight="bold")
    ax.xaxis.tick_top()
    for tick, lane in zip(ax.xaxis.get_major_ticks(), lanes):
        for label in (tick.label1, tick.label2):
            label.set_color(kind_colour(kinds.get(lane, "other")) if lane != "client" else "black")
    ax.set_xlim(-0.7, len(lanes) - 0.3)
    ax.set_ylim(bottom + 0.5, -0.5)  # time runs down
    ax.set_yticks([])
    ax.set_ylabel("time \u2192", fontsize=9)
    for spine in ax.spines.values():
        spine.set_visible(False)


def _draw_step(ax: Axes, step: dict[str, Any], x_of: dict[str, int], y: int) -> None:
    """One arrow (a loop when a resource acts on itself), its label, and an x where it did not arrive."""
    style = ARROWS[step["category"]]
    x0, x1 = x_of[step["source"]], x_of[step["target"]]
    props = {"arrowstyle": "-|>", "color": style.colour, "linestyle": style.linestyle,
             "linewidth": style.linewidth * step["weight"], "shrinkA": 2, "shrinkB": 2, "mutation_scale": 12}
    if x0 == x1:  # a resource acting on itself (a state transition): a small loop
        arrow = ax.annotate("", xy=(x1, y + 0.3), xytext=(x0, y - 0.3),
                            arrowprops={**props, "connectionstyle": "arc3,rad=-1.2"}, zorder=4)
        ax.text(x0 + 0.18, y, step["label"], fontsize=7.5, va="center", ha="left", color=style.colour, gid="label")
    else:
        arrow = ax.annotate("", xy=(x1, y), xytext=(x0, y), arrowprops=props, zorder=4)
        ax.text((x0 + x1) / 2, y - 0.12, step["label"], fontsize=7.5, ha="center", va="bottom",
                color=style.colour, gid="label")
    arrow.set_gid(f"arrow:{step['category']}")
    if style.end_marker:
        ax.plot([x1], [y], marker=style.end_marker, color=style.colour, markersize=9, mew=2, zorder=5)


def _legend(ax: Axes, steps: list[dict[str, Any]], lanes: list[str], kinds: dict[str, str]) -> None:
    present = {s["category"] for s in steps} or {"call"}
    handles: list[Any] = [Line2D([], [], color=ARROWS[c].colour, linestyle=ARROWS[c].linestyle,
                                 linewidth=ARROWS[c].linewidth, marker=ARROWS[c].end_marker or "",
                                 label=ARROWS[c].label) for c in ARROWS if c in present]
    for kind in dict.fromkeys(kinds.get(lane, "other") for lane in lanes):
        handles.append(Line2D([], [], linestyle="", marker=kind_marker(kind), color=kind_colour(kind),
                              markeredgecolor="black", markersize=8, label=kind_label(kind)))
    ax.legend(handles=handles, loc="upper left", bbox_to_anchor=(1.0, 1.0), fontsize=8, frameon=False)


def arrows(fig_or_ax: Figure | Axes) -> list[Any]:
    """The arrow annotations of a sequence diagram (for tests and for counting)."""
    axes = fig_or_ax.axes if isinstance(fig_or_ax, Figure) else [fig_or_ax]
    return [t for ax in axes for t in ax.texts if str(t.get_gid() or "").startswith("arrow:")]
