"""SecureCart status notifier: a Lambda handler behind a DynamoDB Streams event source mapping on ``orders``.

Deploy (any backend, the same file)::

    lam.create_function(FunctionName=..., Runtime="python3.12", Role=role_arn,
                        Handler="status_notifier.handler",
                        Code={"ZipFile": package_handler("labs.handlers.status_notifier")},
                        Environment={"Variables": {"TOPIC_ARN": <order-updates topic>,
                                                   "IDEMPOTENCY_TABLE": <notified table>}})
    lam.create_event_source_mapping(EventSourceArn=<orders stream ARN>, FunctionName=...,
                                    FunctionResponseTypes=["ReportBatchItemFailures"], ...)

Lambda invokes it synchronously with ``{"Records": [...]}``, each record as the DynamoDB Streams
developer guide documents it: ``eventID``, ``eventName`` (INSERT | MODIFY | REMOVE), ``dynamodb``
with ``Keys``, ``NewImage`` / ``OldImage`` (typed attribute values, as the stream's
``StreamViewType`` provides them), ``SequenceNumber``; a TTL deletion also carries ``userIdentity``
``{"type": "Service", "principalId": "dynamodb.amazonaws.com"}``.

For each record it:

1. ignores what is not a customer-visible status change: anything but MODIFY (so TTL and other
   removals never notify), a MODIFY whose ``status`` did not change (the event source mapping's
   FilterCriteria cannot compare two fields, so this comparison is the handler's);
2. claims the notification once per **(order id, status)** with a conditional put into
   ``IDEMPOTENCY_TABLE`` (``attribute_not_exists``): a retried batch, a duplicate record or a
   re-applied transition finds the claim and notifies nobody a second time;
3. publishes the customer's text to ``TOPIC_ARN`` with the message attribute ``customer_id``: each
   customer's subscription (e-mail or SMS, their preference) filters on it.

The claim is written before the publish: if the publish then fails (SNS throttled, the function timed
out in between), that one notification is lost rather than sent twice. Production code that prefers a
rare duplicate to a lost text would delete the claim when the publish fails (and need
``dynamodb:DeleteItem``); the lab keeps the simpler order and says so.

A record that cannot be processed (no customer on the order) is reported in ``batchItemFailures``
(the mapping needs ``FunctionResponseTypes=["ReportBatchItemFailures"]``): Lambda retries from that
record, then sends the batch's description to the mapping's on-failure destination.

Why a conditional put and not Powertools' idempotency utility: the key is a business key, (order id,
status), that must never expire while the order lives, and the claim must not depend on the payload
(a re-applied transition has a new eventID and a new SequenceNumber); Powertools' ``@idempotent``
keys on (a JMESPath into) the payload, stores an in-progress record and expires it after an hour by
default - more state and a window after which duplicates notify again. Why no Powertools batch
processor: the partial batch response is six lines here, and the file deploys to Lambda with boto3
only (in every Python runtime), no Powertools layer to attach.
"""

from __future__ import annotations

import json
import os
from typing import Any

import boto3
from boto3.dynamodb.types import TypeDeserializer
from botocore.exceptions import ClientError

#: What the customer reads for each status. Which statuses reach customers at all is the mapping's
#: FilterCriteria's decision (the function is not even invoked for the others); any other status
#: that gets here is sent with a neutral text.
TEMPLATES = {
    "PAID": "Payment received for order {order_id}. Thank you!",
    "SHIPPED": "Good news: order {order_id} has shipped.",
    "DELIVERED": "Order {order_id} was delivered. Enjoy!",
    "CANCELLED": "Order {order_id} was cancelled. Any payment will be refunded.",
}
_deserialize = TypeDeserializer().deserialize
_clients: dict[str, Any] = {}


def _client(name: str) -> Any:
    if name not in _clients:
        _clients[name] = boto3.client(name)
    return _clients[name]


def image(typed: dict[str, Any] | None) -> dict[str, Any]:
    """A stream image's typed attribute values (``{"status": {"S": "PAID"}}``) as plain Python values."""
    return {name: _deserialize(value) for name, value in (typed or {}).items()}


def status_change(record: dict[str, Any]) -> tuple[str, str | None, str, dict[str, Any]] | None:
    """(order id, old status, new status, new image) of a MODIFY that changed the status, else None."""
    if record.get("eventName") != "MODIFY":
        return None  # INSERT: the checkout page confirms a new order; REMOVE: a deletion (or TTL expiry)
    change = record.get("dynamodb", {})
    old, new = image(change.get("OldImage")), image(change.get("NewImage"))
    if not new or old.get("status") == new.get("status"):
        return None
    return str(new["order_id"]), old.get("status"), str(new["status"]), new


def claim(order_id: str, status: str) -> bool:
    """Record that (order id, status) is notified; False if it already was (conditional put)."""
    try:
        _client("dynamodb").put_item(
            TableName=os.environ["IDEMPOTENCY_TABLE"],
            Item={"key": {"S": f"{order_id}#{status}"}, "order_id": {"S": order_id}, "status": {"S": status}},
            ConditionExpression="attribute_not_exists(#k)", ExpressionAttributeNames={"#k": "key"})
        return True
    except ClientError as err:
        if err.response["Error"]["Code"] == "ConditionalCheckFailedException":
            return False
        raise


def notify(order_id: str, status: str, order: dict[str, Any]) -> None:
    """Publish the customer's text; their subscription (e-mail or SMS) filters on customer_id."""
    customer = order.get("customer_id")
    if not customer:
        raise ValueError(f"order {order_id} has no customer_id")
    text = TEMPLATES.get(status, "Order {order_id}: {status}.").format(order_id=order_id, status=status)
    _client("sns").publish(TopicArn=os.environ["TOPIC_ARN"], Message=text, Subject=f"SecureCart order {order_id}",
                           MessageAttributes={"customer_id": {"DataType": "String", "StringValue": str(customer)},
                                              "status": {"DataType": "String", "StringValue": status}})


def handler(event: dict[str, Any], context: Any = None) -> dict[str, Any]:
    """Notify each status change once; report the records that failed (partial batch response)."""
    failures = []
    for record in event.get("Records", []):
        sequence = record.get("dynamodb", {}).get("SequenceNumber")
        try:
            change = status_change(record)
            if change is None:
                continue
            order_id, old, new, order = change
            if order.get("customer_id") and not claim(order_id, new):
                print(json.dumps({"duplicate": order_id, "status": new}))
                continue
            notify(order_id, new, order)
            print(json.dumps({"notified": order_id, "old": old, "status": new}))
        except Exception as err:  # noqa: BLE001 - one bad record must not fail the records before it
            print(json.dumps({"failed": sequence, "error": f"{type(err).__name__}: {err}"}))
            failures.append({"itemIdentifier": sequence})
            break  # Lambda retries from the first failure; later records come again with it
    return {"batchItemFailures": failures}
