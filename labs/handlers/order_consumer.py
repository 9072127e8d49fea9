"""SecureCart order consumer: a Lambda handler for an SQS event source mapping.

Deploy (any backend, the same file)::

    lam.create_function(FunctionName=..., Runtime="python3.12", Role=role_arn,
                        Handler="order_consumer.handler",
                        Code={"ZipFile": package_handler("labs.handlers.order_consumer")},
                        Environment={"Variables": {"ORDERS_TABLE": table_name}})   # optional
    lam.create_event_source_mapping(EventSourceArn=queue_arn, FunctionName=...,
                                    BatchSize=10, FunctionResponseTypes=["ReportBatchItemFailures"])

What it does with each SQS record (``event["Records"]``):

* **Malformed orders are reported, not raised.** A body that is not a JSON object, has no
  ``order_id`` or a ``total`` that is not a number is listed in ``batchItemFailures``. With
  ``ReportBatchItemFailures`` on the mapping, Lambda deletes the rest of the batch and only those
  messages return to the queue; after the queue's ``maxReceiveCount`` they go to its dead-letter
  queue. (Raising instead would return the *whole* batch, good orders too.)
* **Idempotent by order id.** SQS delivers at least once, so the same order can arrive twice. With
  ``ORDERS_TABLE`` set, recording an order is a DynamoDB conditional write
  (``attribute_not_exists(order_id)``): the first delivery wins, a repeat fails the condition and is
  skipped as a duplicate. That is how it is done on real AWS, where many execution environments run
  at once and any of them may be recycled. Without ``ORDERS_TABLE`` the handler falls back to a set
  kept in the module, which only remembers orders seen by *this* warm execution environment: fine
  for a first lab step, not a guarantee (say so to students, then switch on the table).

Returns ``{"batchItemFailures": [{"itemIdentifier": <messageId>}, ...]}``, the response shape
Lambda documents for partial batch responses (an empty list means the whole batch succeeded).
"""

from __future__ import annotations

import json
import os
from decimal import Decimal, InvalidOperation
from typing import Any

#: Orders recorded by this execution environment when no table is configured (see module docstring).
_seen_in_memory: set[str] = set()
_table: Any = None


class MalformedOrder(ValueError):
    """The message cannot ever be processed as it is: retrying will not help."""


def parse_order(body: str) -> dict[str, Any]:
    """The order in an SQS message body, validated; raises :class:`MalformedOrder` with the reason."""
    try:
        order = json.loads(body)
    except (TypeError, ValueError):
        raise MalformedOrder("body is not JSON") from None
    if not isinstance(order, dict):
        raise MalformedOrder("body is not a JSON object")
    order_id = order.get("order_id")
    if not isinstance(order_id, str) or not order_id.strip():
        raise MalformedOrder("missing order_id")
    total = order.get("total")
    if isinstance(total, bool) or not isinstance(total, (int, float, str)):
        raise MalformedOrder(f"total is not a number: {total!r}")
    try:
        amount = Decimal(str(total))
    except InvalidOperation:
        raise MalformedOrder(f"total is not a number: {total!r}") from None
    if not amount.is_finite():
        raise MalformedOrder(f"total is not a number: {total!r}")
    return {**order, "total": amount}


def _orders_table() -> Any:
    """The DynamoDB table named by ORDERS_TABLE (created once per execution environment), or None."""
    global _table
    name = os.environ.get("ORDERS_TABLE")
    if not name:
        return None
    if _table is None or _table.name != name:
        import boto3

        _table = boto3.resource("dynamodb").Table(name)
    return _table


def record_once(order: dict[str, Any], message_id: str) -> bool:
    """Record ``order``; False when it was already recorded (a duplicate delivery)."""
    table = _orders_table()
    if table is None:
        if order["order_id"] in _seen_in_memory:
            return False
        _seen_in_memory.add(order["order_id"])
        return True
    try:
        table.put_item(
            Item={"order_id": order["order_id"], "total": order["total"], "message_id": message_id,
                  "customer_id": str(order.get("customer_id", ""))},
            ConditionExpression="attribute_not_exists(order_id)",
        )
        return True
    except table.meta.client.exceptions.ConditionalCheckFailedException:
        return False


def handler(event: dict[str, Any], context: Any) -> dict[str, list[dict[str, str]]]:
    """Process a batch of SQS records; report the malformed ones as batch item failures."""
    failures: list[dict[str, str]] = []
    for record in event.get("Records", []):
        message_id = record["messageId"]
        try:
            order = parse_order(record.get("body", ""))
        except MalformedOrder as reason:
            print(f"order message {message_id} rejected: {reason}")
            failures.append({"itemIdentifier": message_id})
            continue
        if record_once(order, message_id):
            print(f"order {order['order_id']} accepted, total {order['total']}")
        else:
            print(f"order {order['order_id']} already processed: duplicate delivery skipped")
    return {"batchItemFailures": failures}
