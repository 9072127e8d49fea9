"""Say which element of a resource policy keeps a service out (or lets too much in), for hints.

Whether a delivery *is* allowed is decided by the backend (AWS, or the emulator's evaluator) and seen
in behaviour: the check's test message arrives or it does not. This module only explains *why*, from
the policy document, in the words of the policy's elements (Principal, Action, Resource, Condition),
so the hint can name the element to fix without showing the answer.
"""

from __future__ import annotations

import fnmatch
import json
from dataclasses import dataclass, field
from typing import Any

from ..emulator.policies import load  # the same reading of a policy document the emulator's evaluator uses


@dataclass
class StatementReview:
    """What one Allow statement gets wrong for the wanted delivery, and whether it is too broad."""

    label: str
    problems: list[str] = field(default_factory=list)
    open_to_any_source: bool = False  #: no aws:SourceArn/SourceAccount condition: any topic/rule could use it


def _list(value: Any) -> list[Any]:
    return value if isinstance(value, list) else [value]


def _matches(patterns: list[Any], value: str) -> bool:
    return any(isinstance(p, str) and fnmatch.fnmatchcase(value.lower(), p.lower()) for p in patterns)


def _principal_problem(statement: dict[str, Any], service: str) -> str | None:
    principal = statement.get("Principal")
    if principal == "*":
        return None
    if not isinstance(principal, dict):
        return f"its Principal is {json.dumps(principal)}, not the service {service}"
    if "*" in _list(principal.get("AWS", [])):
        return None
    services = _list(principal.get("Service", []))
    if service in services:
        return None
    shown = json.dumps(principal)
    return f"its Principal is {shown}: {service.split('.')[0].upper()} delivers as the service principal {service}"


def _source_conditions(statement: dict[str, Any]) -> list[tuple[str, str, list[str]]]:
    """(operator, key, values) of the statement's aws:SourceArn / aws:SourceAccount conditions."""
    found = []
    for operator, block in (statement.get("Condition") or {}).items():
        if not isinstance(block, dict):
            continue
        for key, values in block.items():
            if key.lower() in ("aws:sourcearn", "aws:sourceaccount"):
                found.append((operator, key, [str(v) for v in _list(values)]))
    return found


def review(policy: Any, *, service: str, action: str, resource: str, source_arn: str) -> list[StatementReview]:
    """One review per Allow statement of ``policy`` (best first: fewest problems)."""
    document = load(policy)
    if document is None:
        return []
    reviews = []
    for index, statement in enumerate(_list(document.get("Statement", []))):
        if not isinstance(statement, dict) or statement.get("Effect") != "Allow":
            continue
        label = f"statement '{statement['Sid']}'" if statement.get("Sid") else f"statement {index + 1}"
        r = StatementReview(label)
        principal = _principal_problem(statement, service)
        if principal:
            r.problems.append(principal)
        actions = _list(statement.get("Action", []))
        if not _matches(actions, action):
            r.problems.append(f"its Action {json.dumps(statement.get('Action'))} does not include {action}")
        resources = _list(statement.get("Resource", []))
        if not _matches(resources, resource):
            r.problems.append(f"its Resource {json.dumps(statement.get('Resource'))} is not {resource.rsplit(':', 1)[-1]}'s ARN")
        conditions = _source_conditions(statement)
        if not conditions:
            r.open_to_any_source = True
        for operator, key, values in conditions:
            wanted = source_arn if key.lower() == "aws:sourcearn" else source_arn.split(":")[4]
            if operator.startswith(("ArnLike", "StringLike")):
                ok = any(fnmatch.fnmatchcase(wanted, v) for v in values)
            else:
                ok = wanted in values
            if not ok:
                r.problems.append(f"its condition {operator} {key} is {values[0] if len(values) == 1 else values}, "
                                  f"not this {'source' if key.lower() == 'aws:sourcearn' else 'account'}")
        reviews.append(r)
    return sorted(reviews, key=lambda r: len(r.problems))
