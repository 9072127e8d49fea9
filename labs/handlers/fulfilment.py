"""SecureCart's order, payment and shipping services, as the Lambda tasks of lab 4's fulfilment saga.

Deploy (any backend, the same file; one handler per function)::

    lam.create_function(FunctionName=..., Runtime="python3.12", Role=role_arn,
                        Handler="fulfilment.validate" | "fulfilment.charge" | "fulfilment.refund" | "fulfilment.ship",
                        Code={"ZipFile": package_handler("labs.handlers.fulfilment")},
                        Environment={"Variables": {"PAYMENTS_TABLE": <the payments table>}})

Step Functions' ``arn:aws:states:::lambda:invoke`` integration calls a handler synchronously with the
state's input (``Payload``); a handler that raises fails the task with the exception's class name as the
error (``PaymentDeclined``, ``ProviderUnavailable``): that is what ``Retry`` and ``Catch`` match with
``ErrorEquals`` (Step Functions developer guide, "Handling errors in Step Functions workflows").

The payment "provider" keeps a ledger in DynamoDB (one item per order: ``charges``, ``refunds``,
``attempts``), so what a saga did to the customer's money can be read afterwards: a card whose number
ends in ``0002`` is declined (never worth retrying); ``0119`` makes the provider unavailable for the
first two attempts of each order (worth retrying). Every other card is charged. The courier
(``ship``) delivers to the countries in :data:`DELIVERS_TO` and raises ``UndeliverableAddress`` for any
other: a failure *after* the charge, which the saga must compensate (refund, then release the stock).

Stdlib and boto3 only (boto3 is part of the Lambda Python runtime).
"""

from __future__ import annotations

import os
from decimal import Decimal
from typing import Any

import boto3

DECLINED_SUFFIX, FLAKY_SUFFIX = "0002", "0119"
FLAKY_FAILURES = 2  #: attempts per order the provider is unavailable for a flaky card
DELIVERS_TO = {"GB", "IE", "DE", "FR", "NL"}

_table = None


class InvalidOrder(Exception):
    """The order is malformed: nothing to fulfil."""


class PaymentDeclined(Exception):
    """The card issuer said no: retrying gives the same answer."""


class ProviderUnavailable(Exception):
    """The payment provider did not answer this time: a retry a moment later usually works."""


class UndeliverableAddress(Exception):
    """The courier does not deliver there."""


def _ledger() -> Any:
    global _table  # a client made once per execution environment, reused while the function is warm
    if _table is None:
        _table = boto3.resource("dynamodb").Table(os.environ["PAYMENTS_TABLE"])
    return _table


def _count(order_id: str, field: str) -> int:
    result = _ledger().update_item(Key={"order_id": order_id}, UpdateExpression="ADD #f :one",
                                   ExpressionAttributeNames={"#f": field},
                                   ExpressionAttributeValues={":one": Decimal(1)}, ReturnValues="UPDATED_NEW")
    return int(result["Attributes"][field])


def validate(event: dict[str, Any], context: Any = None) -> dict[str, Any]:
    """Check the order: an id, a customer, a card, a positive quantity; return what the saga needs."""
    try:
        order_id, quantity, total = str(event["order_id"]), int(event["quantity"]), float(event["total"])
        card, sku = str(event["card"]), str(event["sku"])
    except (KeyError, TypeError, ValueError) as err:
        raise InvalidOrder(f"order is missing or has a bad field: {err}") from None
    if quantity <= 0 or total <= 0:
        raise InvalidOrder(f"order {order_id}: quantity and total must be positive")
    return {"order_id": order_id, "sku": sku, "quantity": quantity, "total": total, "card": card,
            "customer": event.get("customer", "guest"), "country": str(event.get("country", "GB"))}


def charge(event: dict[str, Any], context: Any = None) -> dict[str, Any]:
    """Charge the order's card; raise PaymentDeclined or ProviderUnavailable as the provider answers."""
    order_id, card = str(event["order_id"]), str(event.get("card", ""))
    attempt = _count(order_id, "attempts")
    if card.endswith(DECLINED_SUFFIX):
        raise PaymentDeclined(f"card ending {card[-4:]} was declined for order {order_id}")
    if card.endswith(FLAKY_SUFFIX) and attempt <= FLAKY_FAILURES:
        raise ProviderUnavailable(f"payment provider timed out (attempt {attempt}) for order {order_id}")
    charges = _count(order_id, "charges")
    return {"payment_id": f"pay-{order_id}-{charges}", "amount": event.get("total"), "charges": charges}


def refund(event: dict[str, Any], context: Any = None) -> dict[str, Any]:
    """Refund the order's charge (compensation): count it in the ledger."""
    order_id = str(event["order_id"])
    refunds = _count(order_id, "refunds")
    return {"refund_id": f"ref-{order_id}-{refunds}", "refunds": refunds}


def ship(event: dict[str, Any], context: Any = None) -> dict[str, Any]:
    """Book the courier for the order; raise UndeliverableAddress outside the countries served."""
    order_id, country = str(event["order_id"]), str(event.get("country", "GB"))
    if country not in DELIVERS_TO:
        raise UndeliverableAddress(f"no courier delivers order {order_id} to {country}")
    return {"carrier": "DPD", "tracking": f"DPD-{order_id}"}
