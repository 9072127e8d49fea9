"""DynamoDB and DynamoDB Streams lookups and scratch tables for Lab 6's checks (and its prereq helpers)."""

from __future__ import annotations

import contextlib
import uuid
from collections.abc import Callable, Iterator
from typing import Any

from botocore.exceptions import ClientError

from ..backend import BackendKind


def find_table(lab: Any, base: str) -> dict[str, Any] | None:
    """The lab's table ``base`` (its DescribeTable ``Table``), or None."""
    try:
        return dict(lab.client("dynamodb").describe_table(TableName=lab.name(base))["Table"])
    except ClientError as err:
        if err.response["Error"]["Code"] == "ResourceNotFoundException":
            return None
        raise


def stream_arn(table: dict[str, Any] | None) -> str | None:
    """The table's current stream ARN, if its stream is enabled."""
    if not table or not (table.get("StreamSpecification") or {}).get("StreamEnabled"):
        return None
    return table.get("LatestStreamArn")


def read_all(lab: Any, arn: str, limit: int = 1000) -> list[dict[str, Any]]:
    """Every record of the stream ``arn`` from TRIM_HORIZON, all shards, oldest first (the checks' reader)."""
    streams = lab.client("dynamodbstreams")
    records: list[dict[str, Any]] = []
    for shard in streams.describe_stream(StreamArn=arn)["StreamDescription"]["Shards"]:
        iterator = streams.get_shard_iterator(StreamArn=arn, ShardId=shard["ShardId"],
                                              ShardIteratorType="TRIM_HORIZON")["ShardIterator"]
        while iterator:
            page = streams.get_records(ShardIterator=iterator, Limit=limit)
            records += page["Records"]
            if not page["Records"]:
                break
            iterator = page.get("NextShardIterator")
    return records


@contextlib.contextmanager
def scratch_table(lab: Any, base: str, *, key: str = "order_id", key_type: str = "S",
                  stream: str | None = None, range_key: tuple[str, str] | None = None) -> Iterator[str]:
    """A scratch table of the lab (name ``<lab>-check-<base>-<random>``), deleted afterwards."""
    ddb = lab.client("dynamodb")
    name = lab.name(f"check-{base}-{uuid.uuid4().hex[:6]}")
    schema = [{"AttributeName": key, "KeyType": "HASH"}]
    attributes = [{"AttributeName": key, "AttributeType": key_type}]
    if range_key:
        schema.append({"AttributeName": range_key[0], "KeyType": "RANGE"})
        attributes.append({"AttributeName": range_key[0], "AttributeType": range_key[1]})
    extra: dict[str, Any] = {}
    if stream:
        extra["StreamSpecification"] = {"StreamEnabled": True, "StreamViewType": stream}
    ddb.create_table(TableName=name, BillingMode="PAY_PER_REQUEST", KeySchema=schema,
                     AttributeDefinitions=attributes, **extra)
    if lab.backend.kind is BackendKind.AWS:
        ddb.get_waiter("table_exists").wait(TableName=name, WaiterConfig={"Delay": 2, "MaxAttempts": 60})
    try:
        yield name
    finally:
        with contextlib.suppress(ClientError):
            ddb.delete_table(TableName=name)


def wait_until(condition: Callable[[], bool], timeout: float = 5.0) -> bool:
    """Poll ``condition`` (short, growing pauses) until true or ``timeout``; no blind sleep."""
    from ..waiting import poll

    _, ok = poll(condition, bool, timeout)
    return ok


@contextlib.contextmanager
def quiet_handlers(lab: Any) -> Iterator[None]:
    """While a check's test traffic runs, the lab's Lambda handlers print to their logs only, not into the
    check cell (on the embedded emulator a handler's output is also echoed to the notebook; a check's
    output must be the same on every run). Entered and left with no invocation in flight, so the local
    runtime's own stdout redirections nest inside it."""
    if lab.backend.kind is not BackendKind.EMBEDDED:
        yield
        return
    import io

    from ..errors import LabError
    from ..functions import settle

    with contextlib.suppress(LabError):
        settle(lab)
    sink = io.StringIO()
    with contextlib.redirect_stdout(sink), contextlib.redirect_stderr(sink):
        try:
            yield
        finally:
            with contextlib.suppress(LabError):
                settle(lab, timeout=8)
