"""SecureCart supplier notifier: a Lambda target of lab 3's ``restock`` rule.

Deploy (any backend, the same file)::

    lam.create_function(FunctionName=..., Runtime="python3.12", Role=role_arn,
                        Handler="supplier_notifier.handler",
                        Code={"ZipFile": package_handler("labs.handlers.supplier_notifier")})
    lam.add_permission(FunctionName=..., StatementId="restock-rule", Action="lambda:InvokeFunction",
                       Principal="events.amazonaws.com", SourceArn=rule_arn)
    events.put_targets(Rule=..., EventBusName=..., Targets=[{"Id": "supplier-notifier", "Arn": function_arn}])

EventBridge invokes the function asynchronously with the matched event itself (no ``Records``
wrapper, unlike SNS and SQS): ``source``, ``detail-type``, ``id``, ``time`` and ``detail``, as the
EventBridge user guide ("Amazon EventBridge events") documents it. For an ``InventoryLevelChanged``
event the notifier writes the message a supplier gets and logs it as one JSON line
(``{"supplier_notified": ..., "sku": ..., "warehouse": ...}``), which lands in the function's log
group ``/aws/lambda/<function>``. An event it cannot read is logged as ``{"skipped": ...}`` and not
raised: Lambda would retry an asynchronous invocation twice for nothing.

Stdlib only, one file: ``package_handler`` deploys it unchanged to every backend, real Lambda included.
"""

from __future__ import annotations

import json
from typing import Any

#: Who restocks which SKU family (the part of the SKU after "SKU-"); anything else goes to the default.
SUPPLIERS = {"HOODIE": "Threadworks Ltd", "MUG": "Potters & Co", "KEYBOARD": "Clacky GmbH", "CABLE": "Wired BV"}
DEFAULT_SUPPLIER = "SecureCart Sourcing"


def message(detail: dict[str, Any]) -> dict[str, Any]:
    """The notification for one low-stock detail (sku, warehouse, quantity, backorders)."""
    sku = str(detail["sku"])
    supplier = SUPPLIERS.get(sku.removeprefix("SKU-"), DEFAULT_SUPPLIER)
    waiting = int(detail.get("backorders") or 0)
    text = (f"{supplier}: please restock {sku} at {detail.get('warehouse', 'the central warehouse')} "
            f"({detail.get('quantity')} left" + (f", {waiting} customers waiting)." if waiting else ")."))
    return {"supplier_notified": supplier, "sku": sku, "warehouse": detail.get("warehouse"), "text": text}


def handler(event: dict[str, Any], context: Any = None) -> dict[str, Any]:
    try:
        detail = event["detail"]
        note = message(detail)
    except (KeyError, TypeError, ValueError) as err:
        print(json.dumps({"skipped": f"not an inventory event ({type(err).__name__}: {err})"}))
        return {"notified": 0}
    print(json.dumps({**note, "event_id": event.get("id")}))
    return {"notified": 1}
