"""Malformed content filters are refused (module ``events_pattern_validation``).

User guide, "Content filtering in Amazon EventBridge event patterns": numeric matching works with
JSON numbers and operator/number pairs; exists takes true or false. AWS refuses
``{"numeric": ["<", "10"]}`` with InvalidEventPatternException ("Value of < must be numeric") in
PutRule and TestEventPattern alike. Plain moto 5.2.5 accepts it, and matching then raises a Python
TypeError (``LABS_EMULATOR_DISABLE=events_pattern_validation``): these tests fail on plain moto.
"""

from __future__ import annotations

import json
from typing import Any

import pytest
from botocore.exceptions import ClientError

from labs.helpers import start_lab
from labs.helpers.backend import start_embedded_emulator

EVENT = json.dumps({"version": "0", "id": "1", "detail-type": "InventoryLevelChanged", "source": "securecart.inventory",
                    "account": "123456789012", "time": "2026-11-02T09:00:00Z", "region": "us-east-1", "resources": [],
                    "detail": {"quantity": 3, "sku": "SKU-MUG"}})


@pytest.fixture(scope="module")
def events() -> Any:
    start_embedded_emulator()
    return start_lab("sandbox").client("events")


@pytest.mark.parametrize("pattern, reason", [
    ({"detail": {"quantity": [{"numeric": ["<", "10"]}]}}, "Value of < must be numeric"),
    ({"detail": {"quantity": [{"numeric": ["<"]}]}}, "operator/number pairs"),
    ({"detail": {"quantity": [{"numeric": ["below", 10]}]}}, "Unrecognized numeric range operator"),
    ({"detail": {"sku": [{"exists": "yes"}]}}, "either true or false"),
    ({"detail": {"$or": [{"quantity": [{"numeric": ["<", "10"]}]}, {"sku": ["SKU-MUG"]}]}}, "must be numeric"),
])
def test_test_event_pattern_refuses_a_malformed_filter(events: Any, pattern: dict[str, Any], reason: str) -> None:
    with pytest.raises(ClientError) as caught:
        events.test_event_pattern(EventPattern=json.dumps(pattern), Event=EVENT)
    assert caught.value.response["Error"]["Code"] == "InvalidEventPatternException"
    assert reason in caught.value.response["Error"]["Message"]


def test_put_rule_refuses_a_quoted_number(events: Any) -> None:
    with pytest.raises(ClientError) as caught:
        events.put_rule(Name="sc-check-quoted", EventPattern=json.dumps({"detail": {"quantity": [{"numeric": ["<", "10"]}]}}))
    assert caught.value.response["Error"]["Code"] == "InvalidEventPatternException"


def test_well_formed_filters_still_match(events: Any) -> None:
    pattern = {"detail": {"quantity": [{"numeric": [">=", 0, "<", 10]}], "sku": [{"prefix": "SKU-"}, {"exists": True}]}}
    assert events.test_event_pattern(EventPattern=json.dumps(pattern), Event=EVENT)["Result"] is True
