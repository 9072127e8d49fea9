"""Hand-made flow DataFrames with exactly the columns of contract 2 (``lab.flow.df``), and
helpers that read back what a picture drew.

The pictures are tested against the documented shape, independent of how the trace builds it:
``flow_df(rows)`` fills every documented column, so a test states only what matters to it.
"""

from __future__ import annotations

from typing import Any

import pandas as pd

from labs.helpers.viz.sequence import arrows

DEFAULTS: dict[str, Any] = {
    "kind": "call", "service": "", "operation": "", "source": "client", "target": "", "message_ids": (),
    "cause_id": None, "order_ids": (), "count": 1, "payload": "", "status": "ok", "error": None, "detail": {},
}


def flow_df(rows: list[dict[str, Any]]) -> pd.DataFrame:
    """A DataFrame with the documented columns, ``seq`` 1..n and times 10 ms apart."""
    start = pd.Timestamp("2026-11-25T10:00:00Z")
    records = []
    for i, row in enumerate(rows, start=1):
        record = {"seq": i, "time": start + pd.Timedelta(milliseconds=10 * i), **DEFAULTS, **row}
        if record["status"] == "ok" and record["kind"] == "delivery":
            record["status"] = "delivered"
        records.append(record)
    return pd.DataFrame(records, columns=["seq", "time", *DEFAULTS])


def call(service: str, operation: str, source: str, target: str, **extra: Any) -> dict[str, Any]:
    return {"kind": "call", "service": service, "operation": operation, "source": source, "target": target, **extra}


def delivery(service: str, action: str, source: str, target: str, **extra: Any) -> dict[str, Any]:
    return {"kind": "delivery", "service": service, "operation": action, "source": source, "target": target, **extra}


# --------------------------------------------------------------------------- reading figures
def lane_labels(fig) -> list[str]:
    return [t.get_text() for t in fig.axes[0].get_xticklabels()]


def legend_texts(fig) -> list[str]:
    legend = fig.axes[0].get_legend()
    assert legend is not None, "every picture has a legend"
    return [t.get_text() for t in legend.get_texts()]


def title(fig) -> str:
    return fig.axes[0].get_title(loc="left")


def map_edges(fig) -> dict[tuple[str, str], dict]:
    return {(a, b): d for a, b, d in fig.graph.edges(data=True)}


def arrow_kinds(fig) -> list[str]:
    return [a.get_gid().split(":", 1)[1] for a in arrows(fig)]
