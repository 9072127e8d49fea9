"""An event bus takes events from another account only if its resource policy allows that account.

What AWS documents:

* User guide, "Permissions for event buses in Amazon EventBridge": "The default event bus in your
  AWS account only allows events from one account. You can grant additional permissions to an event
  bus by attaching a resource-based policy to it"; the example policies allow ``events:PutEvents``
  to ``{"AWS": "arn:aws:iam::111122223333:root"}``, or to ``"*"`` with ``aws:PrincipalOrgID``.
* API reference, PutPermission: Principal is "The 12-digit AWS account ID that you are permitting to
  put events to your default event bus. Specify "*" to permit any account"; "If you grant permissions
  using an organization, then accounts in that organization must specify a RoleArn with proper
  permissions when they use PutTarget to add your account's event bus as a target". A ``Policy``
  parameter is "A JSON string that describes the permission policy statement": it is the bus's new
  policy (LocalStack's snapshot ``TestEventBus::test_put_permission``, recorded against AWS, shows
  the earlier statements gone; the same snapshot shows ``Principal="*"`` stored as ``"Principal": "*"``).
* PutEvents straight into another account's bus (``EventBusName`` = the bus ARN) works once the bus
  policy allows the sender (LocalStack snapshot ``TestEventsCrossAccountRegion::test_put_events``,
  recorded against AWS: the receiver's queue gets the event with ``account`` = the *sender*). An
  entry the policy refuses fails on its own (API reference, PutEventsResultEntry, non-retryable
  ErrorCode ``AccessDeniedException`` "You do not have sufficient access to perform this action";
  ``NotAuthorizedForSourceException`` / ``NotAuthorizedForDetailTypeException`` when the policy's
  ``events:source`` / ``events:detail-type`` condition is what refuses), ``FailedEntryCount`` counts it.
* A rule whose target is another account's bus (user guide, "Sending and receiving events between
  AWS accounts in Amazon EventBridge"): the receiver's bus policy must allow the sender; "If the
  sender account's permissions to send events are inherited from an AWS organization, the sender
  account also must have an IAM role with policies that enable it to send events to the receiver
  account". The role (``RoleArn``) must trust ``events.amazonaws.com`` and allow ``events:PutEvents``
  on the receiving bus ("Example policy: Send events to an event bus in a different account": the
  re:Post "centralized bus to bus" article gives the same permission and trust policies). A delivery
  refused for missing permissions is not retried, counts as a FailedInvocation and goes to the
  target's DLQ with ERROR_CODE NO_PERMISSIONS ("Event retry policy and using dead-letter queues").

What plain moto 5.2.5 does instead: ``put_events`` keeps only the name of an ARN and puts the event on
the *caller's* bus of that name (or fails with ResourceNotFoundException); bus policies are stored and
never read, so any account's rule reaches any bus; ``put_permission(Principal="*")`` stores
``{"AWS": "arn:aws:iam::*:root"}`` and ``put_permission(Policy=...)`` merges into the old policy.

How the emulator does it:

* ``EventsBackend.put_events`` is wrapped: an entry whose ``EventBusName`` is the ARN of a bus in
  another account is evaluated against that bus's policy with :mod:`labs.helpers.emulator.policies`
  (principal = the caller's account; context ``aws:PrincipalAccount``, ``aws:PrincipalOrgID`` from
  moto's Organizations backend, ``events:source``, ``events:detail-type``) and then either fails
  with AWS's error code or is put on the receiving bus by moto's own code, with ``account`` = sender.
* The EventBridge targets layer's deliverer choice (:func:`targets.deliverer_for`) is wrapped, as
  ``events_target_policies`` does for queues, topics and functions: a bus target in another account
  is refused with ``DeliveryError("NO_PERMISSIONS", reason)`` when the role is missing, does not
  trust EventBridge or lacks ``events:PutEvents`` on the bus, or when the bus policy does not allow
  the sender (or allows it only through its organization and the target has no RoleArn). The
  targets layer then reports the ``rule-match`` delivery ``failed`` (or ``dead-lettered``) with the
  reason, which is where the trace reads FailedInvocations from.
* ``put_permission``: ``Principal="*"`` is stored as ``"*"`` and ``Policy`` replaces the policy.

Emulator choices: a cross-Region bus in the *same* account is not checked (the role is not evaluated
there either); a missing role is reported as such rather than as AWS's generic assume-role failure.
"""

from __future__ import annotations

import functools
import json
from typing import Any

from ..arns import Arn
from ..patching import Patch
from ..policies import Decision, evaluate, evaluate_identity

NAME = "events_cross_account"
ACTION = "events:PutEvents"
EVENTS_PRINCIPAL = "events.amazonaws.com"
ACCESS_DENIED = "AccessDeniedException"


# ---------------------------------------------------------------------------- who is asking
def org_id_of(account: str) -> str | None:
    """The id of the AWS Organization ``account`` belongs to in moto's Organizations backend, if any."""
    try:
        from moto.organizations.models import organizations_backends
    except ImportError:  # pragma: no cover - moto always ships organizations
        return None
    # A member account is listed with its management account; a management account is not listed.
    master, partition = organizations_backends.master_accounts.get(account, (account, "aws"))
    try:
        org = organizations_backends[master][partition].org
    except KeyError:
        return None
    return str(org.id) if org is not None else None


def principal_context(account: str, *, with_org: bool = True) -> dict[str, str]:
    """IAM global condition keys of a request made by ``account`` (IAM User Guide, "AWS global
    condition context keys": aws:PrincipalAccount, aws:PrincipalOrgID)."""
    context = {"aws:PrincipalAccount": account}
    org = org_id_of(account) if with_org else None
    if org:
        context["aws:PrincipalOrgID"] = org
    return context


def _without_condition_key(policy: Any, key: str) -> dict[str, Any] | None:
    """``policy`` with every condition on ``key`` removed (to tell which condition refused)."""
    from ..policies import load

    document = load(policy)
    if document is None:
        return None
    document = json.loads(json.dumps(document))
    statements = document.get("Statement")
    for statement in statements if isinstance(statements, list) else [statements]:
        if isinstance(statement, dict):
            for pairs in (statement.get("Condition") or {}).values():
                for name in [n for n in pairs if n.lower() == key.lower()]:
                    del pairs[name]
    return document


# ---------------------------------------------------------------------------- PutEvents into another account
class _AsSender:
    """The receiving account's backend seen as the sender: moto's ``put_events`` writes ``account``
    from ``self.account_id`` and finds the bus with ``self``'s methods, so running it with this
    object puts the event on the receiver's bus with the sender's account, as AWS does."""

    def __init__(self, backend: Any, account_id: str) -> None:
        self._backend = backend
        self.account_id = account_id

    def __getattr__(self, name: str) -> Any:
        return getattr(self._backend, name)


def foreign_bus(backend: Any, bus_name: str | None) -> Any | None:
    """The bus an entry names by ARN when it lives in another account, else None (moto's own case)."""
    if not bus_name or not str(bus_name).startswith("arn:"):
        return None
    arn = Arn.parse(str(bus_name))
    if arn.service != "events" or not arn.account or arn.account == backend.account_id:
        return None
    from moto.events.models import events_backends

    return events_backends[arn.account][arn.region or backend.region_name].describe_event_bus(arn.resource_name)


def entry_refusal(bus: Any, sender: str, entry: dict[str, Any]) -> dict[str, str] | None:
    """The PutEventsResultEntry error for ``entry`` from ``sender`` onto ``bus``, or None if allowed."""
    context = {**principal_context(sender), "events:source": str(entry.get("Source", "")),
               "events:detail-type": str(entry.get("DetailType", ""))}
    decision = evaluate(bus.policy, action=ACTION, resource=bus.arn, account=sender, context=context)
    if decision.allowed:
        return None
    code = ACCESS_DENIED
    for key, specific in (("events:source", "NotAuthorizedForSourceException"),
                          ("events:detail-type", "NotAuthorizedForDetailTypeException")):
        if evaluate(_without_condition_key(bus.policy, key), action=ACTION, resource=bus.arn, account=sender,
                    context=context).allowed:
            code = specific
            break
    return {"ErrorCode": code,
            "ErrorMessage": f"User: arn:aws:iam::{sender}:root is not authorized to perform: {ACTION} on "
                            f"resource: {bus.arn} because no resource-based policy allows the {ACTION} action"}


def put_events(original: Any, backend: Any, events: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """moto's put_events, with entries for other accounts' buses checked and delivered there."""
    if len(events) > 10:  # moto's own validation error for the whole call
        return list(original(backend, events))
    results: list[dict[str, Any] | None] = [None] * len(events)
    local: list[int] = []
    for index, entry in enumerate(events):
        bus = foreign_bus(backend, entry.get("EventBusName"))
        if bus is None:
            local.append(index)
            continue
        refused = entry_refusal(bus, backend.account_id, entry)
        if refused:
            results[index] = refused
            continue
        from moto.events.models import events_backends

        receiver = events_backends[bus.account_id][bus.region]
        results[index] = original(_AsSender(receiver, backend.account_id), [entry])[0]
    if local:
        for index, result in zip(local, original(backend, [events[i] for i in local]), strict=True):
            results[index] = result
    return [r for r in results if r is not None]


# ---------------------------------------------------------------------------- rule target: another account's bus
def role_refusal(role_arn: str, resource: str) -> str | None:
    """Why EventBridge could not use ``role_arn`` to put events on ``resource``, or None."""
    from moto.iam.models import iam_backends

    arn = Arn.parse(role_arn)
    try:
        role = iam_backends[arn.account][arn.partition or "aws"].get_role_by_arn(role_arn)
    except Exception:  # noqa: BLE001 - moto's NotFound (and a malformed ARN): no such role
        return f"role {role_arn} does not exist"
    trust = evaluate(role.assume_role_policy_document, action="sts:AssumeRole", resource=role_arn,
                     service=EVENTS_PRINCIPAL)
    if not trust.allowed:
        return f"role {role.name} does not trust {EVENTS_PRINCIPAL} (its trust policy: {trust.reason})"
    documents: list[Any] = list(role.policies.values())
    for managed in role.managed_policies.values():
        documents += [v.document for v in managed.versions if v.is_default]
    allowed = evaluate_identity(documents, action=ACTION, resource=resource, who=f"role {role.name}")
    if not allowed.allowed:
        return f"role {role.name} may not {ACTION} on {resource}: {allowed.reason}"
    return None


def _bus_decision(bus: Any, rule: Any, *, with_org: bool, principal_arn: str | None) -> Decision:
    context = {"aws:SourceArn": rule.arn, "aws:SourceAccount": str(rule.account_id),
               **principal_context(str(rule.account_id), with_org=with_org)}
    return evaluate(bus.policy, action=ACTION, resource=bus.arn, account=str(rule.account_id),
                    principal_arn=principal_arn, context=context)


def target_refusal(rule: Any, target: dict[str, Any], arn: Arn) -> str | None:
    """Why the receiving bus (another account's) refuses this rule's delivery, or None."""
    receiver = arn.account or str(rule.account_id)
    if receiver == str(rule.account_id):
        return None
    from moto.events.models import events_backends

    bus = events_backends[receiver][arn.region or rule.region_name].event_buses.get(arn.resource_name)
    if bus is None:
        return None  # the deliverer's own NO_RESOURCE error
    role_arn = target.get("RoleArn")
    if role_arn:
        problem = role_refusal(str(role_arn), bus.arn)
        if problem:
            return problem
        decision = _bus_decision(bus, rule, with_org=True, principal_arn=str(role_arn))
    else:
        decision = _bus_decision(bus, rule, with_org=False, principal_arn=None)
        if not decision.allowed and _bus_decision(bus, rule, with_org=True, principal_arn=None).allowed:
            return (f"event bus {bus.name} in account {receiver} allows account {rule.account_id} only through its "
                    "organization: such a target needs a RoleArn (PutPermission: 'accounts in that organization "
                    "must specify a RoleArn')")
    if decision.allowed:
        return None
    return f"event bus policy of {bus.name} in account {receiver} does not allow account {rule.account_id}: " \
           f"{decision.reason}"


# ---------------------------------------------------------------------------- PutPermission as AWS stores it
def put_permission(original: Any, backend: Any, event_bus_name: str, action: str, principal: str,
                   statement_id: str, condition: dict[str, str], policy: str) -> None:
    bus = backend.describe_event_bus(event_bus_name or "default")
    if policy:
        before = dict(bus._statements)
        bus._statements.clear()  # AWS: the Policy parameter is the bus's whole new policy
        try:
            original(backend, event_bus_name, action, principal, statement_id, condition, policy)
        except Exception:
            bus._statements.update(before)
            raise
        return
    original(backend, event_bus_name, action, principal, statement_id, condition, policy)
    if principal == "*" and statement_id in bus._statements:
        bus._statements[statement_id].principal = "*"


def _apply() -> None:
    from moto.events.models import EventsBackend

    from . import targets

    original_put = EventsBackend.put_events

    @functools.wraps(original_put)
    def patched_put(self: Any, events: list[dict[str, Any]]) -> list[dict[str, Any]]:
        return put_events(original_put, self, events)

    EventsBackend.put_events = patched_put  # type: ignore[method-assign]

    original_permission = EventsBackend.put_permission

    @functools.wraps(original_permission)
    def patched_permission(self: Any, event_bus_name: str, action: str, principal: str, statement_id: str,
                           condition: dict[str, str], policy: str) -> None:
        put_permission(original_permission, self, event_bus_name, action, principal, statement_id, condition, policy)

    EventsBackend.put_permission = patched_permission  # type: ignore[method-assign]

    choose = targets.deliverer_for

    @functools.wraps(choose)
    def deliverer_for(arn: Arn) -> Any:
        deliver = choose(arn)
        if deliver is None or not (arn.service == "events" and arn.resource_type == "event-bus"):
            return deliver

        def checked(rule: Any, target: dict[str, Any], target_arn: Arn, text: str, event: dict[str, Any]) -> Any:
            reason = target_refusal(rule, target, target_arn)
            if reason:
                raise targets.DeliveryError("NO_PERMISSIONS", reason)
            return deliver(rule, target, target_arn, text, event)

        return checked

    targets.deliverer_for = deliverer_for  # type: ignore[assignment]


PATCH = Patch(
    name=NAME,
    restores="an event bus takes events from another account only if its resource policy allows that account "
             "(PutPermission or a Policy with Principal account/\"*\" and aws:PrincipalAccount/aws:PrincipalOrgID): "
             "PutEvents with another account's bus ARN fails per entry with AccessDeniedException otherwise, and is "
             "delivered there with the sender's account when allowed; a rule target that is another account's bus "
             "needs that policy (and, for organization grants, a RoleArn whose role may events:PutEvents on the "
             "bus), else the delivery fails with NO_PERMISSIONS",
    plain_moto="PutEvents with another account's bus ARN goes to the caller's own bus of that name; bus policies are "
               "stored, never evaluated; PutPermission(Principal='*') stores arn:aws:iam::*:root and Policy= merges",
    apply=_apply,
    targets={
        "moto.events.models:EventsBackend.put_events": "c56f6ac1f932",
        "moto.events.models:EventsBackend.put_permission": "c1c03d47918f",
        "moto.events.models:EventsBackend._put_permission_from_params": "5e735d9739b0",
        "moto.events.models:EventBus.add_policy": "c3ac92178110",
        "moto.events.models:EventsBackend._normalize_event_bus_arn": "bccdd124f592",
        "moto.events.models:Rule.send_to_targets": "472e002e2dab",
    },
)
