"""What each traced API call means as a movement of messages: from where, to where, which ids.

One small function per operation reads the request parameters and the parsed response (or the
error) and fills in a :class:`~.rows.Row`. They only read dicts the SDK already built: no extra
API calls, no ``json.loads`` (order ids are found with one regular expression pass over the text),
nothing that consumes a streaming body. Each works on an error response too, where ``parsed``
holds only ``Error``.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterable
from typing import Any, Protocol

from .mask import short_handle, short_id, short_name
from .rows import Row, clip, set_message_orders

#: The keys that carry a SecureCart order id, in any JSON (also escaped inside another JSON string,
#: as in an SNS envelope delivered to SQS).
ORDER_KEYS = ("order_id", "orderId", "OrderId")
_ORDER_RE = re.compile(r'\\*"(?:order_id|orderId|OrderId)\\*"\s*:\s*\\*"?([A-Za-z0-9_.:#@+-]+)')


class State(Protocol):
    """What extractors may remember across calls (owned by the Flow, bounded there)."""

    def remember_handle(self, handle: str, message_id: str, order_ids: tuple[str, ...]) -> None: ...
    def handle(self, handle: str) -> tuple[str, tuple[str, ...]] | None: ...
    def remember_iterator(self, iterator: str, stream: str) -> None: ...
    def iterator(self, iterator: str) -> str | None: ...


# ---------------------------------------------------------------------------- order ids
def order_ids(*values: Any) -> tuple[str, ...]:
    """Every order id in ``values`` (JSON text, bytes, dicts incl. DynamoDB JSON), first-seen order."""
    found: list[str] = []
    for value in values:
        _collect(value, found, 0)
    return tuple(dict.fromkeys(found)) if found else ()


def _collect(value: Any, found: list[str], depth: int) -> None:
    if value is None or depth > 8:
        return
    if isinstance(value, str):
        if "rder" in value:  # cheap pre-check: most bodies have no order id at all
            found.extend(_ORDER_RE.findall(value))
    elif isinstance(value, (bytes, bytearray)):
        if b"rder" in value:
            found.extend(_ORDER_RE.findall(bytes(value).decode("utf-8", "replace")))
    elif isinstance(value, dict):
        for key, item in value.items():
            if key in ORDER_KEYS and not isinstance(item, (list, tuple)):
                scalar = _ddb_scalar(item)
                if scalar is not None:
                    found.append(str(scalar))
                    continue
            _collect(item, found, depth + 1)
    elif isinstance(value, (list, tuple)):
        for item in value:
            _collect(item, found, depth + 1)


def _ddb_scalar(item: Any) -> Any:
    """``"o-1"`` -> ``"o-1"``; DynamoDB's ``{"S": "o-1"}`` / ``{"N": "7"}`` -> the value."""
    if isinstance(item, dict):
        if len(item) == 1:
            (kind, value), = item.items()
            if kind in ("S", "N") and isinstance(value, str):
                return value
        return None
    return item if isinstance(item, (str, int, float)) else None


def plain_item(item: Any) -> Any:
    """DynamoDB JSON one level deep (``{"sku": {"S": "A"}}`` -> ``{"sku": "A"}``), for a readable summary."""
    if not isinstance(item, dict):
        return item
    out = {}
    for key, value in item.items():
        if isinstance(value, dict) and len(value) == 1:
            out[key] = next(iter(value.values()))
        else:
            out[key] = value
    return out


# ---------------------------------------------------------------------------- helpers
def _name(value: Any, default: str = "") -> str:
    return short_name(str(value)) if value else default


def _failures(row: Row, total: int, failed: Iterable[dict[str, Any]], id_key: str = "Id",
              code_key: str = "Code", message_key: str = "Message") -> None:
    """Mark a batch call's partial failure: status "partial" (or "error" if all failed)."""
    failed = list(failed)
    if not failed:
        return
    row.status = "error" if len(failed) >= total else "partial"
    first = failed[0]
    row.error = (f"{len(failed)} of {total} failed: {first.get(id_key, '?')}: {first.get(code_key, '')} "
                 f"{first.get(message_key, '')}".rstrip())
    row.detail = {**(row.detail or {}),
                  "failed": [{"id": f.get(id_key), "code": f.get(code_key)} for f in failed[:20]]}


def _failed_in_place(results: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """PutEvents and PutRecords report a failed entry in place (the result at the entry's index
    has ErrorCode/ErrorMessage) instead of in a separate Failed list: as :func:`_failures` reads them."""
    return [{"Id": i, "Code": e.get("ErrorCode"), "Message": e.get("ErrorMessage")}
            for i, e in enumerate(results) if e.get("ErrorCode")]


def _batch_summary(bodies: list[Any]) -> str | None:
    if not bodies:
        return None
    first = clip(bodies[0]) or ""
    return first if len(bodies) == 1 else f"[{len(bodies)}] {first}"


def _batch_orders(row: Row, entries: list[dict[str, Any]], bodies: list[Any], successful: list[dict[str, Any]]) -> None:
    """A send/publish batch: every entry's orders (``order_ids``: the batch named them, sent or
    not), the ``MessageId`` of each entry that was accepted, and which orders each message carries
    (a result names its entry by ``Id``)."""
    found = {e.get("Id"): order_ids(body) for e, body in zip(entries, bodies)}
    row.order_ids = tuple(dict.fromkeys(o for orders in found.values() for o in orders))
    ok = [e for e in successful if "MessageId" in e]
    row.message_ids = tuple(e["MessageId"] for e in ok)
    row.count = len(row.message_ids)
    set_message_orders(row, [found.get(e.get("Id"), ()) for e in ok])


# ---------------------------------------------------------------------------- SQS
def sqs_send(row: Row, p: dict[str, Any], r: dict[str, Any], s: State) -> None:
    row.target = _name(p.get("QueueUrl"))
    body = p.get("MessageBody")
    row.payload = clip(body)
    row.order_ids = order_ids(body)
    if "MessageId" in r:
        row.message_ids = (r["MessageId"],)
        row.count = 1
    if r.get("SequenceNumber"):
        row.detail = {"sequence_number": r["SequenceNumber"]}


def sqs_send_batch(row: Row, p: dict[str, Any], r: dict[str, Any], s: State) -> None:
    row.target = _name(p.get("QueueUrl"))
    entries = p.get("Entries") or []
    bodies = [e.get("MessageBody") for e in entries]
    row.payload = _batch_summary(bodies)
    _batch_orders(row, entries, bodies, r.get("Successful") or [])
    _failures(row, len(entries), r.get("Failed") or [])


def sqs_receive(row: Row, p: dict[str, Any], r: dict[str, Any], s: State) -> None:
    row.source, row.target = _name(p.get("QueueUrl")), "client"
    messages = r.get("Messages") or []
    ids, orders = [], []
    for message in messages:
        mid, body = message.get("MessageId", ""), message.get("Body")
        found = order_ids(body)
        ids.append(mid)
        orders.append(found)
        if message.get("ReceiptHandle"):
            s.remember_handle(message["ReceiptHandle"], mid, found)
    row.message_ids = tuple(ids)
    row.order_ids = tuple(dict.fromkeys(o for found in orders for o in found))
    set_message_orders(row, orders)
    row.count = len(messages)
    row.payload = _batch_summary([m.get("Body") for m in messages])
    if messages:
        receives = [m.get("Attributes", {}).get("ApproximateReceiveCount") for m in messages]
        if any(receives):
            row.detail = {"receive_counts": receives}


def _by_handles(row: Row, handles: list[str], s: State) -> None:
    ids, orders = [], []
    for handle in handles:
        known = s.handle(handle) if handle else None
        if known:
            ids.append(known[0])
            orders.append(known[1])
    row.message_ids = tuple(ids)
    row.order_ids = tuple(dict.fromkeys(o for found in orders for o in found))
    set_message_orders(row, orders)
    # Kept shortened only: a receipt handle is a capability (it deletes the message).
    row.payload = " ".join(f"receipt {short_handle(h)}" for h in handles[:3] if h)


def sqs_delete(row: Row, p: dict[str, Any], r: dict[str, Any], s: State) -> None:
    row.target = _name(p.get("QueueUrl"))
    _by_handles(row, [p.get("ReceiptHandle", "")], s)
    row.count = 1 if row.status == "ok" else 0


def sqs_delete_batch(row: Row, p: dict[str, Any], r: dict[str, Any], s: State) -> None:
    row.target = _name(p.get("QueueUrl"))
    entries = p.get("Entries") or []
    _by_handles(row, [e.get("ReceiptHandle", "") for e in entries], s)
    row.count = len(r.get("Successful") or [])
    _failures(row, len(entries), r.get("Failed") or [])


def sqs_visibility(row: Row, p: dict[str, Any], r: dict[str, Any], s: State) -> None:
    sqs_delete(row, p, r, s)
    row.count = 0  # nothing moved, a message's clock changed
    row.detail = {"visibility_timeout": p.get("VisibilityTimeout")}


def sqs_visibility_batch(row: Row, p: dict[str, Any], r: dict[str, Any], s: State) -> None:
    sqs_delete_batch(row, p, r, s)
    row.count = 0
    row.detail = {**(row.detail or {}),
                  "visibility_timeouts": [e.get("VisibilityTimeout") for e in (p.get("Entries") or [])][:20]}


def sqs_move_task(row: Row, p: dict[str, Any], r: dict[str, Any], s: State) -> None:
    row.source = _name(p.get("SourceArn"))
    row.target = _name(p.get("DestinationArn"), "original sources")
    row.detail = {"task_handle": short_id(r.get("TaskHandle"))} if r.get("TaskHandle") else None


# ---------------------------------------------------------------------------- SNS
def sns_publish(row: Row, p: dict[str, Any], r: dict[str, Any], s: State) -> None:
    row.target = _name(p.get("TopicArn") or p.get("TargetArn"), "sms" if p.get("PhoneNumber") else "")
    row.payload = clip(p.get("Message"))
    row.order_ids = order_ids(p.get("Message"))
    if "MessageId" in r:
        row.message_ids = (r["MessageId"],)
        row.count = 1
    if p.get("MessageGroupId"):
        row.detail = {"group": p["MessageGroupId"]}


def sns_publish_batch(row: Row, p: dict[str, Any], r: dict[str, Any], s: State) -> None:
    row.target = _name(p.get("TopicArn"))
    entries = p.get("PublishBatchRequestEntries") or []
    bodies = [e.get("Message") for e in entries]
    row.payload = _batch_summary(bodies)
    _batch_orders(row, entries, bodies, r.get("Successful") or [])
    _failures(row, len(entries), r.get("Failed") or [])


# ---------------------------------------------------------------------------- EventBridge
def events_put(row: Row, p: dict[str, Any], r: dict[str, Any], s: State) -> None:
    entries = p.get("Entries") or []
    buses = dict.fromkeys(_name(e.get("EventBusName"), "default") for e in entries) or {"default": None}
    row.target = ",".join(buses)
    details = [e.get("Detail") for e in entries]
    row.order_ids = order_ids(*details)
    first = entries[0] if entries else {}
    head = f"{first.get('Source', '')} {first.get('DetailType', '')}: {clip(first.get('Detail')) or ''}"
    row.payload = head if len(entries) <= 1 else f"[{len(entries)}] {head}"
    results = r.get("Entries") or []
    row.message_ids = tuple(e["EventId"] for e in results if e.get("EventId"))
    row.count = len(row.message_ids)
    if row.count > 1 and row.order_ids:  # result i is entry i's
        set_message_orders(row, [order_ids(d) for d, e in zip(details, results) if e.get("EventId")])
    _failures(row, len(entries), _failed_in_place(results))


# ---------------------------------------------------------------------------- Step Functions
def sfn_start(row: Row, p: dict[str, Any], r: dict[str, Any], s: State) -> None:
    row.target = _name(p.get("stateMachineArn"))
    row.payload = clip(p.get("input"))
    row.order_ids = order_ids(p.get("input"))
    if r.get("executionArn"):
        row.message_ids = (short_id(r["executionArn"]) or "",)
        row.count = 1
    if r.get("status"):  # StartSyncExecution returns the outcome
        row.detail = {"execution_status": r["status"]}
        if r["status"] != "SUCCEEDED":
            row.status, row.error = "error", f"{r.get('error', r['status'])}: {r.get('cause', '')}".rstrip(": ")


# ---------------------------------------------------------------------------- Kinesis
def _stream(p: dict[str, Any]) -> str:
    return _name(p.get("StreamName") or p.get("StreamARN"))


def kinesis_put(row: Row, p: dict[str, Any], r: dict[str, Any], s: State) -> None:
    row.target = _stream(p)
    row.payload = clip(p.get("Data"))
    row.order_ids = order_ids(p.get("Data"))
    if r.get("SequenceNumber"):
        row.message_ids = (r["SequenceNumber"],)
        row.count = 1
        row.detail = {"shard": r.get("ShardId"), "partition_key": p.get("PartitionKey")}


def kinesis_put_many(row: Row, p: dict[str, Any], r: dict[str, Any], s: State) -> None:
    row.target = _stream(p)
    records = p.get("Records") or []
    data = [e.get("Data") for e in records]
    row.payload = _batch_summary(data)
    row.order_ids = order_ids(*data)
    results = r.get("Records") or []
    row.message_ids = tuple(e["SequenceNumber"] for e in results if e.get("SequenceNumber"))
    row.count = len(row.message_ids)
    if row.count > 1 and row.order_ids:  # result i is record i's
        set_message_orders(row, [order_ids(d) for d, e in zip(data, results) if e.get("SequenceNumber")])
    _failures(row, len(records), _failed_in_place(results))


def _from_iterator(row: Row, p: dict[str, Any], r: dict[str, Any], s: State) -> None:
    iterator = p.get("ShardIterator") or ""
    stream = _name(p.get("StreamARN")) or s.iterator(iterator) or "?"
    row.source, row.target = stream, "client"
    if r.get("NextShardIterator"):
        s.remember_iterator(r["NextShardIterator"], stream)


def kinesis_get(row: Row, p: dict[str, Any], r: dict[str, Any], s: State) -> None:
    _from_iterator(row, p, r, s)
    records = r.get("Records") or []
    row.message_ids = tuple(e.get("SequenceNumber", "") for e in records)
    data = [e.get("Data") for e in records]
    row.order_ids = order_ids(*data)
    if len(records) > 1 and row.order_ids:
        set_message_orders(row, [order_ids(d) for d in data])
    row.payload = _batch_summary(data)
    row.count = len(records)


def shard_iterator(p: dict[str, Any], r: dict[str, Any], s: State) -> None:
    """GetShardIterator is not a movement, but it tells which stream later GetRecords read."""
    stream = p.get("StreamName") or p.get("StreamARN") or p.get("StreamArn")
    if stream and r.get("ShardIterator"):
        s.remember_iterator(r["ShardIterator"], _name(stream))


# ---------------------------------------------------------------------------- DynamoDB (+ Streams)
def ddb_write(row: Row, p: dict[str, Any], r: dict[str, Any], s: State) -> None:
    row.target = _name(p.get("TableName"))
    item = p.get("Item") or p.get("Key")
    row.order_ids = order_ids(item)
    row.payload = clip(plain_item(item))
    if p.get("UpdateExpression"):
        row.detail = {"update": p["UpdateExpression"][:80]}
    row.count = 1 if row.status == "ok" else 0


def ddb_batch_write(row: Row, p: dict[str, Any], r: dict[str, Any], s: State) -> None:
    requests = p.get("RequestItems") or {}
    row.target = ",".join(_name(t) for t in requests)
    items: list[Any] = []
    for writes in requests.values():
        for write in writes:
            body = write.get("PutRequest", {}).get("Item") or write.get("DeleteRequest", {}).get("Key")
            items.append(body)
    row.order_ids = order_ids(*items)
    row.payload = _batch_summary([plain_item(i) for i in items])
    unprocessed = r.get("UnprocessedItems") or {}
    failed = [{"Id": _name(t), "Code": "Unprocessed", "Message": ""} for t, ws in unprocessed.items() for _ in ws]
    row.count = len(items) - len(failed) if row.status == "ok" else 0
    _failures(row, len(items), failed)


def streams_get(row: Row, p: dict[str, Any], r: dict[str, Any], s: State) -> None:
    _from_iterator(row, p, r, s)
    records = r.get("Records") or []
    row.message_ids = tuple(e.get("eventID", "") for e in records)
    images = [e.get("dynamodb", {}) for e in records]
    row.order_ids = order_ids(*images)
    if len(records) > 1 and row.order_ids:
        set_message_orders(row, [order_ids(i) for i in images])
    row.payload = _batch_summary([f"{e.get('eventName', '')} {plain_item(e.get('dynamodb', {}).get('Keys'))}"
                                  for e in records])
    row.count = len(records)


# ---------------------------------------------------------------------------- Lambda
def lambda_invoke(row: Row, p: dict[str, Any], r: dict[str, Any], s: State) -> None:
    row.target = _name(p.get("FunctionName"))
    payload = p.get("Payload")
    if isinstance(payload, (str, bytes, bytearray)):  # never read a file-like payload
        row.payload = clip(payload)
        row.order_ids = order_ids(payload)
    request_id = (r.get("ResponseMetadata") or {}).get("RequestId")
    if request_id and row.status == "ok":
        row.message_ids = (request_id,)
        row.count = 1
    row.detail = {"invocation_type": p.get("InvocationType", "RequestResponse")}
    if r.get("FunctionError"):
        row.status, row.error = "error", f"FunctionError: {r['FunctionError']}"


Extractor = Callable[[Row, dict[str, Any], dict[str, Any], State], None]

#: service name (botocore's ``service_name``) -> operation -> extractor: every traced call.
EXTRACTORS: dict[str, dict[str, Extractor]] = {
    "sqs": {"SendMessage": sqs_send, "SendMessageBatch": sqs_send_batch, "ReceiveMessage": sqs_receive,
            "DeleteMessage": sqs_delete, "DeleteMessageBatch": sqs_delete_batch,
            "ChangeMessageVisibility": sqs_visibility, "ChangeMessageVisibilityBatch": sqs_visibility_batch,
            "StartMessageMoveTask": sqs_move_task},
    "sns": {"Publish": sns_publish, "PublishBatch": sns_publish_batch},
    "events": {"PutEvents": events_put},
    "stepfunctions": {"StartExecution": sfn_start, "StartSyncExecution": sfn_start},
    "kinesis": {"PutRecord": kinesis_put, "PutRecords": kinesis_put_many, "GetRecords": kinesis_get},
    "dynamodb": {"PutItem": ddb_write, "UpdateItem": ddb_write, "DeleteItem": ddb_write,
                 "BatchWriteItem": ddb_batch_write},
    "dynamodbstreams": {"GetRecords": streams_get},
    "lambda": {"Invoke": lambda_invoke},
}

#: Calls observed silently (no row) because later rows need what they return.
OBSERVERS: dict[str, dict[str, Callable[[dict[str, Any], dict[str, Any], State], None]]] = {
    "kinesis": {"GetShardIterator": shard_iterator},
    "dynamodbstreams": {"GetShardIterator": shard_iterator},
}
