"""The SecureCart order consumer handler (labs/handlers/order_consumer.py), called directly.

Lambda developer guide, "Handling errors for an SQS event source in Lambda": to report partial
batch failures the function returns ``{"batchItemFailures": [{"itemIdentifier": "<messageId>"}]}``;
"Lambda treats a batch as a complete success if your function returns ... an empty
batchItemFailures list". Idempotency: SQS standard queues deliver "at least once", so a repeated
order id must not be processed twice.
"""

from __future__ import annotations

import importlib
import json

import pytest

from labs.helpers import Lab


@pytest.fixture
def consumer(monkeypatch: pytest.MonkeyPatch):
    monkeypatch.delenv("ORDERS_TABLE", raising=False)
    import labs.handlers.order_consumer as module

    return importlib.reload(module)  # a fresh execution environment


def _records(*bodies: object) -> dict:
    return {"Records": [{"messageId": f"m-{i}", "body": b if isinstance(b, str) else json.dumps(b)}
                        for i, b in enumerate(bodies)]}


def test_malformed_orders_are_reported_as_batch_item_failures(consumer) -> None:
    event = _records({"order_id": "o-1", "total": 10}, {"total": 5}, {"order_id": "o-3", "total": "ten"},
                     "not json", {"order_id": "o-5", "total": "12.50"}, {"order_id": "o-6", "total": True})
    assert consumer.handler(event, None) == {"batchItemFailures": [
        {"itemIdentifier": "m-1"}, {"itemIdentifier": "m-2"}, {"itemIdentifier": "m-3"}, {"itemIdentifier": "m-5"}]}


def test_duplicate_order_is_processed_once_in_memory(consumer, capsys) -> None:
    order = {"order_id": "o-1", "total": 10}
    assert consumer.handler(_records(order, order), None) == {"batchItemFailures": []}
    out = capsys.readouterr().out
    assert out.count("accepted") == 1 and out.count("duplicate") == 1


def test_duplicate_order_is_a_failed_condition_with_a_table(lab: Lab, consumer, monkeypatch, capsys) -> None:
    ddb = lab.client("dynamodb")
    table = lab.name("orders")
    ddb.create_table(TableName=table, BillingMode="PAY_PER_REQUEST",
                     AttributeDefinitions=[{"AttributeName": "order_id", "AttributeType": "S"}],
                     KeySchema=[{"AttributeName": "order_id", "KeyType": "HASH"}])
    monkeypatch.setenv("ORDERS_TABLE", table)
    monkeypatch.setenv("AWS_DEFAULT_REGION", "us-east-1")  # Lambda sets it for every function
    consumer.handler(_records({"order_id": "o-1", "total": 10}), None)
    consumer._seen_in_memory.clear()  # a different execution environment: memory does not help
    consumer.handler(_records({"order_id": "o-1", "total": 10}), None)
    assert ddb.scan(TableName=table)["Count"] == 1
    assert "duplicate delivery skipped" in capsys.readouterr().out
