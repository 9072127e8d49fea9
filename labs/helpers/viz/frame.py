"""Reading the flow DataFrame (contract 2 of the design) the way every picture needs it.

The trace engineer owns the DataFrame; this module only *reads* it: which columns exist, what
kind of resource each short name is (a lane's colour), and which arrow style each row gets. The
functions tolerate missing optional columns, so a hand-made DataFrame with just ``source``,
``target`` and ``operation`` is enough to draw a picture.
"""

from __future__ import annotations

import math
import os
from typing import Any

import pandas as pd

from ..errors import LabError
from ..trace.mask import short_name

#: The documented columns of ``lab.flow.df`` (contract 2), with a default for rows that lack one.
COLUMNS: dict[str, Any] = {
    "seq": 0,
    "time": None,
    "kind": "call",
    "service": "",
    "operation": "",
    "source": "",
    "target": "",
    "message_ids": (),
    "cause_id": None,
    "order_ids": (),
    "count": 1,
    "payload": "",
    "status": "ok",
    "error": None,
    "detail": None,
}

#: Delivery actions whose *target* is known to be a given kind of resource.
_TARGET_KIND_BY_ACTION = {"dlq-move": "dlq", "dead-letter": "dlq", "esm-invoke": "lambda", "invoke": "lambda"}
#: SNS subscription protocols / Step Functions integrations -> kind of the target.
_PROTOCOL_KIND = {"sqs": "sqs", "lambda": "lambda", "firehose": "other", "http": "other", "https": "other",
                  "email": "other", "sms": "other", "sns": "sns", "dynamodb": "dynamodb", "events": "events",
                  "states": "stepfunctions", "kinesis": "kinesis"}


def normalise(df: Any) -> pd.DataFrame:
    """A copy of ``df`` with every documented column present, rows in ``seq`` (else time) order.

    Accepts a DataFrame or anything with a ``.df`` (a ``Flow``) so pictures take either.
    """
    if hasattr(df, "df") and not isinstance(df, pd.DataFrame):
        df = df.df
    if not isinstance(df, pd.DataFrame):
        raise LabError(f"Expected the flow DataFrame, got {type(df).__name__}.",
                       "Pass lab.flow.df (or lab.flow itself).")
    missing = {"source", "target"} - set(df.columns)
    if missing:
        raise LabError(f"The DataFrame has no {', '.join(sorted(missing))} column.",
                       "Pass lab.flow.df, which has source/target/operation per row.")
    out = df.copy()
    def objects(values: list[Any]) -> pd.Series:
        # dtype=object: a column of None must stay None (pandas would infer NaN floats)
        return pd.Series(values, index=out.index, dtype=object)

    for column, default in COLUMNS.items():
        if column not in out.columns:
            out[column] = objects([default] * len(out))
    out["detail"] = objects([d if isinstance(d, dict) else {} for d in out["detail"]])
    for column in ("message_ids", "order_ids"):
        out[column] = objects([_as_tuple(v) for v in out[column]])
    for column in ("error", "cause_id"):
        out[column] = objects([None if v is None or (isinstance(v, float) and math.isnan(v)) else v
                               for v in out[column]])
    out["count"] = pd.to_numeric(out["count"], errors="coerce").fillna(1).astype(int)
    out["source"] = out["source"].fillna("?").astype(str)
    out["target"] = out["target"].fillna("?").astype(str)
    order = "seq" if out["seq"].notna().all() and out["seq"].astype(bool).any() else None
    if order is None and out["time"].notna().all():
        order = "time"
    if order:
        out = out.sort_values(order, kind="stable")
    return out.reset_index(drop=True)


def _as_tuple(value: Any) -> tuple[str, ...]:
    if isinstance(value, (tuple, list)):
        return tuple(str(v) for v in value)
    if isinstance(value, str) and value:
        return (value,)
    return ()


def reroute_calls(frame: pd.DataFrame) -> None:
    """A call that starts a movement between two resources (StartMessageMoveTask: DLQ -> its
    sources) is still the student's call: draw it from the client to the first resource and keep
    the second in a ``via`` column; the movement itself follows as the backend's deliveries.
    Changes ``frame`` in place (the sequence diagram and the service map both draw it so)."""
    reroute = (frame["kind"] == "call") & (frame["source"] != "client") & (frame["target"] != "client")
    frame["via"] = frame["target"].where(reroute, "")
    frame.loc[reroute, "target"] = frame.loc[reroute, "source"]
    frame.loc[reroute, "source"] = "client"


def common_prefix(names: list[str]) -> str:
    """The shared ``sc-<learner>-<code>-`` style prefix of resource names, to shorten labels."""
    if len(names) < 2:
        return ""
    prefix = os.path.commonprefix(names)
    prefix = prefix[: prefix.rfind("-") + 1] if "-" in prefix else ""
    return prefix if len(prefix) >= 4 and all(len(n) > len(prefix) for n in names) else ""


def label_prefix(lab: Any, names: list[str]) -> str:
    """The prefix a picture leaves out of its labels (and names in a note): the lab's own, else
    the names' common one; none if no name carries it."""
    prefix = getattr(lab, "prefix", "") or common_prefix(names)
    return prefix if any(n.startswith(prefix) for n in names) else ""


def category(row: Any) -> str:
    """The arrow category (a key of :data:`style.ARROWS`) of one flow row."""
    status = str(row.get("status") or "").lower()
    op = str(row.get("operation") or "").lower()
    if row.get("error") or status in {"error", "failed"} or "fail" in op:
        return "failed"
    if status == "filtered" or op == "filtered":
        return "filtered"
    if status in {"dlq", "dead-lettered"} or op == "dlq-move":
        return "dlq"
    if op in {"redrive", "startmessagemovetask"} or status == "redriven":
        return "redrive"
    if status == "retrying":
        return "retrying"
    return "delivery" if row.get("kind") == "delivery" else "call"


def categories(frame: pd.DataFrame) -> list[str]:
    """:func:`category` for every row, computed once per distinct (status, operation, kind,
    has error): a 100,000-row trace has a handful of those."""
    keys = list(zip(frame["status"].astype(str), frame["operation"].astype(str), frame["kind"].astype(str),
                    frame["error"].notna()))
    known: dict[tuple[str, str, str, bool], str] = {}
    for key in dict.fromkeys(keys):
        status, operation, kind, error = key
        known[key] = category({"status": status, "operation": operation, "kind": kind, "error": error})
    return [known[key] for key in keys]


#: inventory kind -> lane/node kind. The order is the order the service map adds its nodes in
#: (the layout's first tie-breaker), so queues come before topics, buses, functions, ...
INVENTORY_KINDS = {"sqs-queue": "sqs", "sns-topic": "sns", "events-bus": "events", "lambda-function": "lambda",
                   "sfn-state-machine": "stepfunctions", "kinesis-stream": "kinesis", "dynamodb-table": "dynamodb"}


def account_kinds(lab: Any) -> dict[str, str]:
    """Kind of each of the lab's resources by short name, read from the account: what a rule
    delivered to is only an ARN in the backend, and the trace keeps the short name alone."""
    kinds: dict[str, str] = {}
    for resource in lab.resources().resources:
        if resource.kind in INVENTORY_KINDS:
            kinds[resource.name] = INVENTORY_KINDS[resource.kind]
    return kinds


def lane_kinds(df: pd.DataFrame, known: dict[str, str] | None = None) -> dict[str, str]:
    """What kind of resource each short name in ``source``/``target`` is (for colours).

    The service of a call row is the service of its non-client end (a SendMessage's queue); for
    deliveries the source is the delivering service's resource and the target follows from the
    action (a DLQ move lands in a DLQ) or the SNS protocol. Names mentioning "dlq" are DLQs.
    """
    kinds: dict[str, str] = {"client": "client", **(known or {})}

    def put(name: str, kind: str, *, strong: bool = False) -> None:
        if name and name not in ("?", "client") and (strong or name not in kinds):
            kinds[name] = kind

    # one pass per distinct (kind, service, operation, source, target, protocol), not per row
    # the subscriber's protocol (SNS) or the task's integration ("sqs:sendMessage") names the target's service
    protocols = [(d.get("protocol") or str(d.get("integration") or "").split(":")[0] or None)
                 if isinstance(d, dict) else None for d in df["detail"]] if "detail" in df else [None] * len(df)
    distinct = dict.fromkeys(zip(df["kind"].astype(str), df["service"].astype(str), df["operation"].astype(str),
                                 df["source"].astype(str), df["target"].astype(str), protocols))
    for row_kind, raw_service, op, source, target, protocol in distinct:
        service = _service_kind(raw_service)
        if row_kind == "delivery":
            put(source, service)
            if service == "stepfunctions" and ":" in target:  # "<machine>:<execution>"
                put(target, "execution", strong=True)
            elif op in _TARGET_KIND_BY_ACTION:
                put(target, _TARGET_KIND_BY_ACTION[op], strong=True)
            elif service in ("sns", "stepfunctions") and protocol in _PROTOCOL_KIND:
                put(target, _PROTOCOL_KIND[protocol])
        else:
            put(source, service)
            put(target, service)
    for _, _, _, source, target, _ in distinct:  # ends we could not classify: guess from the name
        for end in (source, target):
            put(end, guess_kind(end))
    for name in list(kinds):
        if "dlq" in name.lower() or "dead-letter" in name.lower():
            kinds[name] = "dlq"
    return kinds


def _service_kind(service: str) -> str:
    service = service.lower()
    return {"states": "stepfunctions", "sfn": "stepfunctions", "eventbridge": "events",
            "dynamodbstreams": "dynamodb"}.get(service, service if service in
                                                ("sqs", "sns", "events", "lambda", "stepfunctions",
                                                 "kinesis", "dynamodb") else "other")


def guess_kind(name: str) -> str:
    """A kind from a name alone (last resort): ``...-dlq`` is a DLQ, ARNs say their service."""
    lowered = name.lower()
    if "dlq" in lowered or "dead-letter" in lowered:
        return "dlq"
    if lowered.startswith("arn:"):
        return arn_kind(name)
    if lowered.startswith("https://") and "sqs" in lowered:
        return "sqs"
    return "other"


def arn_kind(arn: str) -> str:
    """The node kind of an ARN (``arn:aws:sqs:...`` -> ``sqs``)."""
    parts = arn.split(":")
    if len(parts) < 6:
        return "other"
    service = parts[2]
    if service == "events":
        return "rule" if parts[5].startswith("rule/") else "events"
    if service == "states":
        return "stepfunctions"
    return _service_kind(service)


def arn_name(arn: str) -> str:
    """The short resource name in an ARN or SQS URL, as the flow DataFrame spells it: the trace's
    own :func:`~labs.helpers.trace.mask.short_name`, so a node the service map discovers and a row
    the trace recorded name a resource alike (a log group target is one node, not two).

    Anything starting with ``http`` is a URL, also the service map's ``"https:<endpoint URL>"`` for
    an SNS http/https subscription: its last path segment, as the trace names that delivery's target.
    """
    if arn.startswith("http"):
        return arn.rstrip("/").rsplit("/", 1)[-1]
    return short_name(arn)
