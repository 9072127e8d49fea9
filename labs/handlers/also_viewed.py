"""SecureCart "customers also viewed": a tumbling-window aggregation of a Kinesis clickstream.

Deploy with a Kinesis event source mapping that has ``TumblingWindowInSeconds`` (e.g. 60) and the
table's name in ``ALSO_VIEWED_TABLE`` (partition key ``product``, sort key ``other``, both strings).

How a tumbling window works (Lambda developer guide, "Using tumbling windows"): Lambda groups a
shard's records into fixed windows by their arrival time; every invocation of a window receives the
``state`` the previous invocation of that window returned; when the window ends, one last invocation
has ``isFinalInvokeForWindow: true``. So this handler:

* while the window is open, keeps each session's distinct products in ``state`` (``{"sessions":
  {session: [product, ...]}}``) and returns it (``{"state": ...}``), writing nothing;
* on the final invocation, counts each pair of products viewed in the same session (pairs seen in
  fewer than ``MIN_SESSIONS`` sessions of the window are dropped as noise) and adds the
  counts to DynamoDB in both directions (``update_item ... ADD #views :n``; ``views`` is a DynamoDB reserved word), so the storefront reads
  "customers who viewed A also viewed B" with one query on ``product = A``.

The state travels with the invocations (at most 1 MB, as AWS documents), so the function keeps no
memory between invocations and any execution environment can run any of them. Only page views
count (``action == "view"``).
"""

from __future__ import annotations

import base64
import itertools
import json
import os
from collections import Counter
from typing import Any

_table: Any = None


def _also_viewed() -> Any:
    global _table
    name = os.environ["ALSO_VIEWED_TABLE"]
    if _table is None or _table.name != name:
        import boto3

        _table = boto3.resource("dynamodb").Table(name)
    return _table


#: A pair viewed together in fewer sessions than this within one window is noise, not a recommendation
#: (and not worth a write).
MIN_SESSIONS = 2


def pairs(sessions: dict[str, list[str]]) -> Counter[tuple[str, str]]:
    """(product, other) -> number of sessions that viewed both (at least MIN_SESSIONS), in both directions."""
    counts: Counter[tuple[str, str]] = Counter()
    for products in sessions.values():
        for a, b in itertools.permutations(sorted(set(products)), 2):
            counts[(a, b)] += 1
    return Counter({pair: n for pair, n in counts.items() if n >= MIN_SESSIONS})


def handler(event: dict[str, Any], context: Any) -> dict[str, Any]:
    state = event.get("state") or {}
    sessions: dict[str, list[str]] = {k: list(v) for k, v in (state.get("sessions") or {}).items()}
    for record in event.get("Records", []):
        try:
            click = json.loads(base64.b64decode(record["kinesis"]["data"]))
        except (ValueError, KeyError, TypeError):
            continue  # not a click: the auditor reports those; recommendations just ignore them
        if not isinstance(click, dict) or click.get("action") != "view" or not click.get("session"):
            continue
        seen = sessions.setdefault(str(click["session"]), [])
        if click.get("product") and click["product"] not in seen:
            seen.append(str(click["product"]))
    if event.get("isFinalInvokeForWindow"):
        table = _also_viewed()
        for (product, other), n in pairs(sessions).items():
            table.update_item(Key={"product": product, "other": other}, UpdateExpression="ADD #views :n",
                              ExpressionAttributeNames={"#views": "views"},  # VIEWS is a reserved word
                              ExpressionAttributeValues={":n": n})
        return {}
    return {"state": {"sessions": sessions}}
