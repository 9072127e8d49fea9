"""Resource-based policy evaluation for service-to-service deliveries (not a patch on its own).

Used by the patches that make SNS and EventBridge deliveries obey the receiving resource's policy
(queue policy, topic policy, Lambda function policy). It evaluates what those policies say about
one request: *principal* (a service such as ``sns.amazonaws.com``, or an account/ARN), *action*
(``sqs:SendMessage``), *resource* (the queue's ARN) and request context (``aws:SourceArn``,
``aws:SourceAccount``), following the IAM policy evaluation logic (IAM User Guide, "Policy
evaluation logic" / "Determining whether a request is allowed or denied within an account"):
"An explicit deny in any of these policies overrides the allow"; without an explicit allow the
request is implicitly denied. A service principal has no identity policy, so the resource policy
alone decides.

Elements evaluated (IAM User Guide, "IAM JSON policy elements reference"):

* ``Effect`` Allow / Deny (Deny wins).
* ``Principal`` / ``NotPrincipal``: ``"*"`` and ``{"AWS": "*"}`` ("everyone": the policy
  examples for SNS -> SQS in the SNS and SQS guides use ``{"AWS": "*"}`` with an
  ``aws:SourceArn`` condition, and that lets SNS in), ``{"Service": ...}``, ``{"AWS": account id |
  arn:aws:iam::<account>:root | ARN}``.
* ``Action`` / ``NotAction``: case-insensitive, with ``*`` and ``?`` wildcards ("Action element":
  "the prefix and the action name are case insensitive").
* ``Resource`` / ``NotResource`` with wildcards.
* ``Condition``: ``StringEquals``, ``StringNotEquals``, ``StringEqualsIgnoreCase``, ``StringLike``,
  ``StringNotLike``, ``ArnEquals``, ``ArnLike``, ``ArnNotEquals``, ``ArnNotLike``, each also with the
  ``IfExists`` suffix, and ``Null``. Condition keys are case-insensitive ("Condition element":
  "Condition key names are not case-sensitive"); several keys in one operator, and several operators,
  are ANDed; several values for one key are ORed. A key missing from the request: "the values do
  not match and the condition is false. If the policy condition requires that the key is not
  matched, such as StringNotLike or ArnNotLike, and the right key is not present, the condition is
  true" ("IAM JSON policy elements: Condition operators"); ``...IfExists`` holds without the key. An
  operator this module does not know makes an Allow statement not apply (a Deny one applies), and
  the reason says so, rather than guessing.
* The set-operator prefixes ``ForAllValues:`` and ``ForAnyValue:`` ("Multivalued context keys") on
  the single-valued keys this module is given: ``ForAnyValue`` holds when the value matches one of the
  listed values; ``ForAllValues`` also holds when the key is missing ("If the key is not present in the
  request ... ForAllValues returns true"). The EventBridge example policy "Send events to a custom bus
  in a different account" uses ``ForAllValues:StringEquals`` on ``events:source``.
* Identity-based policies (a role's inline and attached policies: no ``Principal`` element) with
  :func:`evaluate_identity`.

Why not moto's own evaluator: ``moto.iam.access_control.IAMPolicyStatement`` (the one moto uses for
IAM-authenticated requests and S3 bucket policies) checks only ``Principal.AWS`` (a service
principal is an "unknown principal" it ignores), evaluates only ``StringEquals`` conditions
(``moto.iam.policy_conditions``: unsupported operators are *ignored*, i.e. treated as satisfied), and
returns DENIED when an Allow statement names another principal - three differences that would let
a wrong queue policy through or block a right one. moto's Lambda ``Policy`` only stores statements
(it turns ``add_permission``'s ``SourceArn`` into ``ArnLike aws:SourceArn``, which this module reads).
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass
from functools import lru_cache
from typing import Any


@dataclass(frozen=True)
class Decision:
    allowed: bool
    #: Why, in a sentence a student can act on ("no statement allows ...", "statement 'X' denies ...").
    reason: str


def _as_list(value: Any) -> list[Any]:
    if value is None:
        return []
    return list(value) if isinstance(value, (list, tuple)) else [value]


@lru_cache(maxsize=512)
def _wildcard(pattern: str, ignore_case: bool) -> re.Pattern[str]:
    """``*`` any run of characters, ``?`` any one character, everything else literal."""
    body = "".join(".*" if ch == "*" else "." if ch == "?" else re.escape(ch) for ch in pattern)
    return re.compile(f"^{body}$", re.IGNORECASE | re.DOTALL if ignore_case else re.DOTALL)


def like(pattern: str, value: str, *, ignore_case: bool = False) -> bool:
    return bool(_wildcard(str(pattern), ignore_case).match(str(value)))


def arn_like(pattern: str, value: str) -> bool:
    """ArnLike/ArnEquals: "Each of the six colon-delimited components of the ARN is checked separately
    and each can include multi-character match wildcards (*) or single-character match wildcards (?)"."""
    want, got = str(pattern).split(":", 5), str(value).split(":", 5)
    if len(want) != 6 or len(got) != 6:
        return False
    return all(like(w, g) for w, g in zip(want, got, strict=True))


def _principal_matches(element: Any, service: str | None, account: str | None, arn: str | None) -> bool:
    if element == "*":
        return True
    if not isinstance(element, dict):
        return False
    for kind, values in element.items():
        for value in _as_list(values):
            value = str(value)
            if kind == "AWS":
                if value == "*":
                    return True
                if account and value in {account, f"arn:aws:iam::{account}:root"}:
                    return True
                if arn and value == arn:
                    return True
            elif kind == "Service" and service and value.lower() == service.lower():
                return True
    return False


_STRING_OPS = {
    "StringEquals": lambda want, got: want == got,
    "StringNotEquals": lambda want, got: want != got,
    "StringEqualsIgnoreCase": lambda want, got: want.lower() == got.lower(),
    "StringNotEqualsIgnoreCase": lambda want, got: want.lower() != got.lower(),
    "StringLike": lambda want, got: like(want, got),
    "StringNotLike": lambda want, got: not like(want, got),
    "ArnEquals": arn_like,
    "ArnLike": arn_like,
    "ArnNotEquals": lambda want, got: not arn_like(want, got),
    "ArnNotLike": lambda want, got: not arn_like(want, got),
}
_NEGATED = {"StringNotEquals", "StringNotEqualsIgnoreCase", "StringNotLike", "ArnNotEquals", "ArnNotLike"}


class UnsupportedCondition(Exception):
    pass


def _conditions_hold(conditions: dict[str, Any], context: dict[str, str]) -> bool:
    lowered = {key.lower(): value for key, value in context.items()}
    for operator, pairs in (conditions or {}).items():
        qualifier, _, operator = operator.rpartition(":")
        if qualifier not in {"", "ForAllValues", "ForAnyValue"}:
            raise UnsupportedCondition(f"{qualifier}:{operator}")
        if qualifier == "ForAllValues" and not any(k.lower() in lowered for k in (pairs or {})):
            continue  # ForAllValues over an absent key holds
        if_exists = operator.endswith("IfExists")
        base = operator[: -len("IfExists")] if if_exists else operator
        for key, wanted in (pairs or {}).items():
            present = key.lower() in lowered
            if base == "Null":  # "true": the key must be absent; "false": present
                if any(str(w).lower() == "true" for w in _as_list(wanted)) == present:
                    return False
                continue
            test = _STRING_OPS.get(base)
            if test is None:
                raise UnsupportedCondition(operator)
            if not present:
                if if_exists or base in _NEGATED:
                    continue
                return False
            got = str(lowered[key.lower()])
            values = [str(w) for w in _as_list(wanted)]
            # Negated operators hold when the value matches none of the listed values.
            ok = all(test(w, got) for w in values) if base in _NEGATED else any(test(w, got) for w in values)
            if not ok:
                return False
    return True


def _statement_applies(statement: dict[str, Any], *, action: str, resource: str, service: str | None,
                       account: str | None, principal_arn: str | None, context: dict[str, str],
                       identity: bool = False) -> bool:
    if identity:  # an identity policy applies to the identity it is attached to: no Principal element
        pass
    elif "NotPrincipal" in statement:
        if _principal_matches(statement["NotPrincipal"], service, account, principal_arn):
            return False
    elif not _principal_matches(statement.get("Principal"), service, account, principal_arn):
        return False
    if "NotAction" in statement:
        if any(like(a, action, ignore_case=True) for a in _as_list(statement["NotAction"])):
            return False
    elif not any(like(a, action, ignore_case=True) for a in _as_list(statement.get("Action"))):
        return False
    if "NotResource" in statement:
        if any(like(r, resource) for r in _as_list(statement["NotResource"])):
            return False
    elif "Resource" in statement and not any(like(r, resource) for r in _as_list(statement["Resource"])):
        return False
    return _conditions_hold(statement.get("Condition") or {}, context)


def load(policy: Any) -> dict[str, Any] | None:
    """A policy document from a JSON string, a dict, or None/"" (no policy)."""
    if policy is None or policy == "":
        return None
    if isinstance(policy, dict):
        return policy
    try:
        parsed = json.loads(policy)
    except (TypeError, ValueError):
        return None
    return parsed if isinstance(parsed, dict) else None


def evaluate(policy: Any, *, action: str, resource: str, service: str | None = None, account: str | None = None,
             principal_arn: str | None = None, context: dict[str, str] | None = None) -> Decision:
    """Whether ``policy`` lets the principal perform ``action`` on ``resource`` in ``context``."""
    return _evaluate([policy], action=action, resource=resource, service=service, account=account,
                     principal_arn=principal_arn, context=context, identity=False)


def evaluate_identity(policies: list[Any], *, action: str, resource: str, who: str,
                      context: dict[str, str] | None = None) -> Decision:
    """Whether the identity policies ``policies`` (of one role or user, named ``who``) allow ``action`` on
    ``resource``: any explicit Deny wins, otherwise one Allow is needed (IAM User Guide, "Policy
    evaluation logic")."""
    return _evaluate(policies, action=action, resource=resource, principal_arn=who, context=context, identity=True)


def _evaluate(policies: list[Any], *, action: str, resource: str, service: str | None = None,
              account: str | None = None, principal_arn: str | None = None,
              context: dict[str, str] | None = None, identity: bool) -> Decision:
    documents = [d for d in (load(p) for p in policies) if d is not None]
    who = service or principal_arn or account or "the caller"
    if not documents:
        return Decision(False, "it has no policy")
    statements = [s for d in documents for s in _as_list(d.get("Statement"))]
    allowed_by = None
    for index, statement in enumerate(statements):
        if not isinstance(statement, dict):
            continue
        label = f"statement '{statement.get('Sid')}'" if statement.get("Sid") else f"statement {index + 1}"
        try:
            applies = _statement_applies(statement, action=action, resource=resource, service=service,
                                         account=account, principal_arn=principal_arn, context=context or {},
                                         identity=identity)
        except UnsupportedCondition as err:
            # Not evaluated: an Allow we cannot check does not allow; a Deny we cannot check is reported.
            if statement.get("Effect") == "Deny":
                return Decision(False, f"{label} denies with condition operator {err}, which the emulator "
                                       "does not evaluate (it treats the Deny as applying)")
            continue
        if not applies:
            continue
        if statement.get("Effect") == "Deny":
            return Decision(False, f"{label} denies {action} to {who}")
        if statement.get("Effect") == "Allow" and allowed_by is None:
            allowed_by = label
    if allowed_by:
        return Decision(True, f"{allowed_by} allows {action} to {who}")
    return Decision(False, f"no statement allows {action} to {who}")
