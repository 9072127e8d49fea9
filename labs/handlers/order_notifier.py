"""SecureCart order notifier: a Lambda handler subscribed to the ``order-events`` SNS topic.

Deploy (any backend, the same file)::

    lam.create_function(FunctionName=..., Runtime="python3.12", Role=role_arn,
                        Handler="order_notifier.handler",
                        Code={"ZipFile": package_handler("labs.handlers.order_notifier")})
    lam.add_permission(FunctionName=..., StatementId="sns-order-events", Action="lambda:InvokeFunction",
                       Principal="sns.amazonaws.com", SourceArn=topic_arn)
    sns.subscribe(TopicArn=topic_arn, Protocol="lambda", Endpoint=function_arn)

SNS invokes the function asynchronously with one record per event: ``event["Records"][0]["Sns"]``
holds ``Message`` (the published text), ``MessageId``, ``TopicArn``, ``Subject`` and
``MessageAttributes`` (``{"event_type": {"Type": "String", "Value": "paid"}, ...}``), as the SNS
developer guide ("Fanout to Lambda functions") documents it.

It turns an order event into the text a customer reads and logs one JSON line per notification
(``{"notification": ..., "order_id": ..., "event_type": ...}``), which lands in the function's
CloudWatch Logs group ``/aws/lambda/<function>`` on AWS and on the emulator alike. A message it
cannot read (not JSON, no ``order_id``) is logged as ``{"skipped": ...}`` and *not* raised: raising
would make Lambda retry an asynchronous invocation twice, and the same unreadable message would
fail three times for nothing.

Why no Powertools here (``aws_lambda_powertools.utilities.data_classes.SNSEvent`` would type the
event): the handler stays one file with no dependency, so ``package_handler`` deploys it to every
backend as it is; the event it reads is three keys deep, which a typed class would not shorten.
"""

from __future__ import annotations

import json
from typing import Any

#: What the customer reads for each event type; an unknown type gets a neutral text.
TEMPLATES = {
    "placed": "Thanks! We received order {order_id} ({amount} {currency}).",
    "paid": "Payment received for order {order_id}: {amount} {currency}. Your invoice is on its way.",
    "payment_failed": "Your payment for order {order_id} did not go through. Please check your card.",
    "shipped": "Good news: order {order_id} has shipped.",
    "refunded": "We refunded {amount} {currency} for order {order_id}.",
}


def notification(event: dict[str, Any]) -> str:
    """The customer's text for one order event (a dict with order_id, event_type, amount, currency)."""
    template = TEMPLATES.get(str(event.get("event_type")), "Order {order_id}: status {event_type}.")
    return template.format(**{"amount": "", "currency": "", "event_type": "", **event})


def handler(event: dict[str, Any], context: Any = None) -> dict[str, Any]:
    """Format and log a notification for every SNS record; return what was sent and skipped."""
    sent, skipped = [], []
    for record in event.get("Records", []):
        sns = record.get("Sns", {})
        try:
            order_event = json.loads(sns.get("Message", ""))
            order_id = order_event["order_id"]
        except (TypeError, ValueError, KeyError):
            skipped.append(sns.get("MessageId"))
            print(json.dumps({"skipped": sns.get("MessageId"), "reason": "not an order event"}))
            continue
        attributes = {name: value.get("Value") for name, value in (sns.get("MessageAttributes") or {}).items()}
        event_type = attributes.get("event_type") or order_event.get("event_type")
        text = notification({**order_event, "event_type": event_type})
        print(json.dumps({"notification": text, "order_id": order_id, "event_type": event_type}))
        sent.append(order_id)
    return {"sent": sent, "skipped": skipped}
