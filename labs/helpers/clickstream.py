"""SecureCart's clickstream for Lab 5 (Kinesis): the clicks, replaying peak traffic, reading shards back.

* :func:`peak_traffic` - ``seconds`` lists of clicks (page views, searches, add-to-carts), one list
  per second of peak, deterministic (a seed), from shoppers whose sessions browse related products.
* :func:`bot_burst` - one bot session's clicks, far more than one shard accepts in a second.
* :func:`replay` - hands each second's clicks to the learner's producer, then lets one second pass:
  on the emulator by advancing its clock (``functions.advance``: Kinesis's per-shard write limits are
  measured on it, so the limits are AWS's and the notebook does not wait for them), on real AWS by
  waiting for the rest of the second.
* :func:`align_to_window` - on the emulator, moves the clock to the start of the next minute, so
  one replay falls into one tumbling window whatever the time of day (on AWS it does nothing).
* :func:`shard_seconds` / :func:`read_all` - what each shard holds, per second of arrival, read
  back with the plain Kinesis API (a picture's input, and the checks').
"""

from __future__ import annotations

import contextlib
import json
import math
import random
import time
from collections.abc import Callable, Iterator
from typing import Any

from .backend import BackendKind
from .errors import LabError

#: Related products: a shopper's session browses mostly inside one group (that is what makes
#: "customers also viewed" worth computing).
PRODUCT_GROUPS = [
    ["mug-classic", "mug-travel", "coffee-beans", "milk-frother"],
    ["tent-2p", "sleeping-bag", "camping-stove", "headlamp"],
    ["yoga-mat", "yoga-blocks", "water-bottle", "gym-towel"],
    ["laptop-stand", "usb-c-hub", "wireless-mouse", "keyboard-tkl"],
    ["sneakers-run", "running-socks", "sports-watch", "water-bottle"],
]
ACTIONS = ["view", "view", "view", "search", "add_to_cart"]


def peak_traffic(seconds: int = 10, per_second: int = 1050, *, sessions: int = 700,
                 seed: int = 5, prefix: str = "s-") -> list[list[dict[str, Any]]]:
    """``seconds`` lists of ``per_second`` clicks; each click ``{"session", "product", "action", "n"}``
    where ``n`` counts the session's clicks (1, 2, ...: the order the shopper made them)."""
    if not 1 <= seconds <= 120 or not 1 <= per_second <= 5000:
        raise LabError("peak_traffic takes 1-120 seconds of 1-5000 clicks a second.", "Use the lab's defaults.")
    rng = random.Random(seed)
    groups = {f"{prefix}{i:04d}": rng.randrange(len(PRODUCT_GROUPS)) for i in range(sessions)}
    names = list(groups)
    counter: dict[str, int] = {}
    traffic = []
    for _second in range(seconds):
        clicks = []
        for _ in range(per_second):
            session = rng.choice(names)
            group = PRODUCT_GROUPS[groups[session]] if rng.random() < 0.9 else rng.choice(PRODUCT_GROUPS)
            counter[session] = counter.get(session, 0) + 1
            clicks.append({"session": session, "product": rng.choice(group), "action": rng.choice(ACTIONS),
                           "n": counter[session]})
        traffic.append(clicks)
    return traffic


def bot_burst(n: int = 1500, session: str = "bot-7f3a") -> list[dict[str, Any]]:
    """One scraper session clicking through the catalogue ``n`` times within a second."""
    products = [p for group in PRODUCT_GROUPS for p in group]
    return [{"session": session, "product": products[i % len(products)], "action": "view", "n": i + 1}
            for i in range(n)]


def _embedded(lab: Any) -> bool:
    return lab.backend.kind is not BackendKind.AWS


def replay(lab: Any, put: Callable[[str, list[dict[str, Any]]], Any], stream: str,
           traffic: list[list[dict[str, Any]]]) -> list[Any]:
    """Give each second of ``traffic`` to ``put(stream, clicks)``, one second apart; return what
    ``put`` returned for each second."""
    from .functions import advance

    results = []
    for clicks in traffic:
        started = time.monotonic()
        results.append(put(stream, clicks))
        if _embedded(lab):
            advance(lab, seconds=1)
        else:
            time.sleep(max(0.0, 1.0 - (time.monotonic() - started)))
    return results


def align_to_window(lab: Any, seconds: int = 60) -> None:
    """On the emulator: advance the clock to the next multiple of ``seconds`` (a tumbling window's start)."""
    if not _embedded(lab):
        return
    from .emulator.events.schedules import now
    from .functions import advance

    if lab.backend.kind is BackendKind.EMBEDDED:
        current = now()
        advance(lab, seconds=math.ceil(current / seconds) * seconds - current + 0.001)
    else:  # the shared emulator: advance by a whole window (its clock is not readable from here)
        advance(lab, seconds=seconds)


def shard_label(shard_id: str) -> str:
    """``shardId-000000000003`` as ``shard 3`` (the padded number reads like an account id)."""
    try:
        return f"shard {int(shard_id.rsplit('-', 1)[1])}"
    except (IndexError, ValueError):
        return shard_id


def wait_for_items(lab: Any, table: str, timeout: float = 30.0) -> list[dict[str, Any]]:
    """The items of ``table`` once it has any (polled, at most ``timeout`` s): on the shared emulator and
    on AWS a stream mapping's final window invocation happens in another process, which ``settle`` cannot see."""
    ddb = lab.client("dynamodb")
    deadline = time.monotonic() + timeout
    while True:
        with _untraced(lab):
            items = ddb.scan(TableName=table)["Items"]
        if items or time.monotonic() >= deadline or lab.backend.kind is BackendKind.EMBEDDED:
            return items
        time.sleep(0.5)


def open_shards(lab: Any, stream: str) -> list[dict[str, Any]]:
    """The stream's shards that are still open (no EndingSequenceNumber)."""
    shards = lab.client("kinesis").list_shards(StreamName=stream)["Shards"]
    return [s for s in shards if "EndingSequenceNumber" not in s["SequenceNumberRange"]]


@contextlib.contextmanager
def _untraced(lab: Any) -> Iterator[None]:
    """The helpers' own reads are not the learner's story: keep them out of ``lab.flow``."""
    try:
        flow = lab.flow
    except Exception:  # noqa: BLE001 - a lab without a trace
        flow = None
    was = getattr(flow, "enabled", None)
    if flow is not None:
        flow.enabled = False
    try:
        yield
    finally:
        if flow is not None and was is not None:
            flow.enabled = was


def read_all(lab: Any, stream: str, *, client: Any = None) -> list[dict[str, Any]]:
    """Every record of ``stream``, shard by shard (parents first), as dicts with ``shard``,
    ``sequence``, ``key``, ``arrival`` (a datetime) and ``click`` (the decoded JSON, or None)."""
    with _untraced(lab):
        return _read_all(client or lab.client("kinesis"), stream)


def _read_all(kinesis: Any, stream: str) -> list[dict[str, Any]]:
    out = []
    for shard in kinesis.list_shards(StreamName=stream)["Shards"]:
        iterator = kinesis.get_shard_iterator(StreamName=stream, ShardId=shard["ShardId"],
                                              ShardIteratorType="TRIM_HORIZON")["ShardIterator"]
        while iterator:
            page = kinesis.get_records(ShardIterator=iterator, Limit=10000)
            for record in page["Records"]:
                try:
                    click = json.loads(record["Data"])
                except ValueError:
                    click = None
                out.append({"shard": shard["ShardId"], "sequence": record["SequenceNumber"],
                            "key": record["PartitionKey"], "arrival": record["ApproximateArrivalTimestamp"],
                            "click": click})
            if not page["Records"] or page.get("MillisBehindLatest", 0) == 0:
                break
            iterator = page.get("NextShardIterator")
    return out


def shard_seconds(lab: Any, stream: str, rows: list[dict[str, Any]] | None = None) -> Any:
    """A DataFrame: records per shard (columns) per second of arrival (rows); ``rows`` from :func:`read_all`."""
    import pandas as pd

    rows = read_all(lab, stream) if rows is None else rows
    if not rows:
        return pd.DataFrame()
    df = pd.DataFrame(rows)
    df["second"] = pd.to_datetime(df["arrival"]).dt.floor("s")
    df["shard"] = df["shard"].map(shard_label)
    table = df.pivot_table(index="second", columns="shard", values="sequence", aggfunc="count", fill_value=0)
    start = table.index.min()
    table.index = [int((t - start).total_seconds()) for t in table.index]
    table.index.name = "second"
    return table


def reader_lag(lab: Any, stream: str, limit: int = 500, rows: list[dict[str, Any]] | None = None) -> Any:
    """A new reader catching up from TRIM_HORIZON: ``MillisBehindLatest`` after each GetRecords of
    ``limit`` records, per shard. With ``rows`` (from :func:`read_all`) it is computed from their arrival
    times the way the emulator computes it (the tip's arrival minus the last record read; 0 at the tip),
    without reading the stream again."""
    import pandas as pd

    if rows is None:
        with _untraced(lab):
            return _reader_lag(lab.client("kinesis"), stream, limit)
    out = []
    by_shard: dict[str, list[dict[str, Any]]] = {}
    for row in rows:
        by_shard.setdefault(row["shard"], []).append(row)
    for shard, records in by_shard.items():
        tip = records[-1]["arrival"]
        for page, end in enumerate(range(limit, len(records) + limit, limit), start=1):
            last = records[min(end, len(records)) - 1]
            behind = 0 if end >= len(records) else max(1, int((tip - last["arrival"]).total_seconds() * 1000))
            out.append({"shard": shard_label(shard), "page": page, "records": min(limit, len(records) - end + limit),
                        "millis_behind": behind})
    return pd.DataFrame(out, columns=["shard", "page", "records", "millis_behind"])


def _reader_lag(kinesis: Any, stream: str, limit: int) -> Any:
    import pandas as pd

    rows = []
    for shard in kinesis.list_shards(StreamName=stream)["Shards"]:
        iterator = kinesis.get_shard_iterator(StreamName=stream, ShardId=shard["ShardId"],
                                              ShardIteratorType="TRIM_HORIZON")["ShardIterator"]
        page_no = 0
        while iterator and page_no < 100:
            page = kinesis.get_records(ShardIterator=iterator, Limit=limit)
            page_no += 1
            rows.append({"shard": shard_label(shard["ShardId"]), "page": page_no, "records": len(page["Records"]),
                         "millis_behind": int(page.get("MillisBehindLatest", 0))})
            if not page["Records"] or page.get("MillisBehindLatest", 0) == 0:
                break
            iterator = page.get("NextShardIterator")
    return pd.DataFrame(rows, columns=["shard", "page", "records", "millis_behind"])


def picture(keys: list[str], *, shards: int = 2, readers: list[str] | None = None) -> Any:
    """Partition keys hash (MD5) onto shards; every reader reads every shard at its own position."""
    import hashlib

    import matplotlib.pyplot as plt

    readers = readers or ["reader"]
    fig, ax = plt.subplots(figsize=(10, 3.2))
    ax.set_xlim(0, 10)
    ax.set_ylim(0, max(len(keys), shards, len(readers)) + 1)
    ax.axis("off")
    top = ax.get_ylim()[1]
    span = 2 ** 128 // shards
    for i in range(shards):
        y = top - 1 - i * (top - 1) / shards
        ax.add_patch(plt.Rectangle((3.8, y - 0.35), 2.4, 0.7, color="#e8f0fe", ec="#1a73e8"))
        ax.text(5.0, y, f"shard {i}\nhash keys {i}/{shards} - {i + 1}/{shards}", ha="center", va="center", fontsize=8)
        for j, reader in enumerate(readers):
            ry = top - 1 - j * (top - 1) / max(1, len(readers))
            ax.annotate("", xy=(7.6, ry), xytext=(6.2, y), arrowprops={"arrowstyle": "->", "color": "#5f6368"})
    for j, reader in enumerate(readers):
        ry = top - 1 - j * (top - 1) / max(1, len(readers))
        ax.text(7.7, ry, reader, va="center", fontsize=9)
    for k, key in enumerate(keys):
        y = top - 1 - k * (top - 1) / max(1, len(keys))
        shard = min(shards - 1, int(hashlib.md5(key.encode()).hexdigest(), 16) // span)
        sy = top - 1 - shard * (top - 1) / shards
        ax.text(0.1, y, f"PartitionKey={key}", va="center", fontsize=9)
        ax.annotate("", xy=(3.8, sy), xytext=(2.6, y), arrowprops={"arrowstyle": "->", "color": "#1a73e8"})
    ax.set_title("producers -> partition key -> shard -> every reader", fontsize=10)
    plt.close(fig)  # returned, so Jupyter shows it once
    return fig
