"""Reading EventBridge state for checks: a lab's bus, rules and targets by base name.

As with queues and topics, checks look resources up by name (``lab.name("securecart")``), never by
an ARN the learner stored, so any way of creating them passes and a missing one is "not attempted".
"""

from __future__ import annotations

import json
from typing import Any

from botocore.exceptions import ClientError

from ..errors import error_code


def find_bus(lab: Any, base: str, *, account: str | None = None) -> str | None:
    """The ARN of the lab's event bus ``base`` (in ``account``, e.g. "security"), or None."""
    try:
        return lab.client("events", account=account).describe_event_bus(Name=lab.name(base))["Arn"]
    except ClientError as err:
        if error_code(err) == "ResourceNotFoundException":
            return None
        raise


def find_rule(lab: Any, base: str, *, bus: str = "default", account: str | None = None) -> dict[str, Any] | None:
    """The rule ``lab.name(base)`` on ``bus`` (a base name of the lab's, or "default"), described, or None."""
    name = bus if bus == "default" else lab.name(bus)
    try:
        return lab.client("events", account=account).describe_rule(Name=lab.name(base), EventBusName=name)
    except ClientError as err:
        if error_code(err) == "ResourceNotFoundException":
            return None
        raise


def rule_anywhere(lab: Any, base: str, buses: tuple[str, ...]) -> tuple[str, dict[str, Any]] | None:
    """(bus, rule) for the first of ``buses`` (lab base names or "default") holding rule ``base``."""
    for bus in buses:
        if bus != "default" and find_bus(lab, bus) is None:
            continue
        rule = find_rule(lab, base, bus=bus)
        if rule is not None:
            return bus, rule
    return None


def targets(lab: Any, rule: dict[str, Any], *, account: str | None = None) -> list[dict[str, Any]]:
    return lab.client("events", account=account).list_targets_by_rule(
        Rule=rule["Name"], EventBusName=rule.get("EventBusName", "default"))["Targets"]


def pattern(rule: dict[str, Any]) -> dict[str, Any] | None:
    try:
        found = json.loads(rule.get("EventPattern") or "null")
    except ValueError:
        return None
    return found if isinstance(found, dict) else None


def target_to(found: list[dict[str, Any]], arn_suffix: str) -> dict[str, Any] | None:
    """The target whose Arn ends with ``arn_suffix`` (":<queue name>", ":function:<name>", ...)."""
    return next((t for t in found if str(t.get("Arn", "")).endswith(arn_suffix)), None)


def envelope(lab: Any, source: str, detail_type: str, detail: dict[str, Any], *, event_id: str = "check-1",
             time: str = "2026-11-02T09:00:00Z") -> str:
    """A whole EventBridge event as test_event_pattern takes it (JSON text)."""
    return json.dumps({"version": "0", "id": event_id, "detail-type": detail_type, "source": source,
                       "account": lab.account_id, "time": time, "region": lab.region, "resources": [],
                       "detail": detail})
