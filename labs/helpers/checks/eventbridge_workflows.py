"""Checks of Lab 3 (EventBridge workflows): one per step, judging what the learner's bus, rules,
targets, policies, schemas, archive and replay do.

Configuration is read from the backend (rules, targets, queue/function/bus policies, roles, the
schema registry, the archive and replay); behaviour is tested with the check's own events on scratch
copies (:mod:`.probe`): a scratch bus with a listener queue for the learner's ``put_all`` (with
``flaky_batches`` failing entries) and ``publish_order``, the learner's pattern through
``test_event_pattern`` with the boundary cases, the learner's input transformer on a scratch rule.
Where the notebook's own traffic is the evidence (what the rule delivered, what the DLQ holds, what
reached the audit log), the flow trace and the queues are read without taking messages.

Numbers the lab's text names (reorder point 10, 4 retries within 3600 s, 30 days) are constants here
so the notebook and its checks agree. No finding names an account id.
"""

from __future__ import annotations

import fnmatch
import json
import uuid
from collections import Counter
from typing import Any

from botocore.exceptions import ClientError

from ..chaos import flaky_batches
from ..errors import error_code
from . import Feedback, checker
from ._events import envelope, find_bus, find_rule, pattern, rule_anywhere, target_to, targets
from ._policy import load, review
from ._sqs import attributes, find_queue, peek_all
from .probe import Probe

LAB = "eventbridge-workflows"
EVENTS = "events.amazonaws.com"
REORDER_POINT = 10
RETRIES, MAX_AGE = 4, 3600
RETENTION_DAYS = 30
REQUIRED = ["order_id", "customer_id", "items", "total", "currency"]
BUG_FROM, BUG_TO = "2026-11-02T09:30:00", "2026-11-02T09:45:00"
DAY_ORDERS = 20

_KEEP_TARGET = ("put_targets replaces a target with the same Id entirely: start from list_targets_by_rule "
                "and add to each target, so it keeps its InputTransformer or RoleArn")


def _shown(value: Any) -> str:
    text = json.dumps(value) if not isinstance(value, str) else repr(value)
    return text if len(text) <= 70 else text[:67] + "..."


def _bus(lab: Any, fb: Feedback) -> str:
    arn = find_bus(lab, "securecart")
    if arn is None:
        near = [b["Name"] for b in lab.client("events").list_event_buses().get("EventBuses", [])
                if "securecart" in b["Name"].lower() and b["Name"] != lab.name("securecart")]
        if near:
            fb.wrong(f"There is a bus '{near[0].replace(lab.prefix, '')}', but none called lab.name('securecart'): "
                     "the lab's cells and rules use that name.",
                     "Name the bus BUS (that is lab.name('securecart')), as exercise 2 says; delete the other one.")
            fb.stop()
    return fb.require(arn, "There is no 'securecart' event bus yet.",
                      "Do exercise 2: create the bus with create_event_bus(Name=BUS).", after=("CreateEventBus",))


def _rule(lab: Any, fb: Feedback, base: str, step: str) -> dict[str, Any]:
    found = rule_anywhere(lab, base, ("securecart", "default"))
    if found is not None and found[0] == "default":
        fb.wrong(f"The rule '{base}' is on the default bus: it sees only the events put on the default bus, "
                 "and SecureCart's go to securecart.",
                 f"Create the rule with EventBusName=BUS (and its targets too); delete the one on the default bus.")
        fb.stop()
    return fb.require(found[1] if found else None, f"There is no rule '{base}' on the securecart bus yet.",
                      f"Do exercise {step}: put_rule with Name=lab.name('{base}') and EventBusName=BUS.",
                      after=("PutRule",))


def _deliveries(lab: Any, target_suffix: str, rule: str | None = None) -> Counter[str]:
    """status -> count of the trace's rule-match deliveries to the target named ``...target_suffix``."""
    try:
        df = lab.flow.df
    except Exception:  # noqa: BLE001 - no trace (a test double): nothing to count
        return Counter()
    if not len(df):
        return Counter()
    rows = df[(df["operation"] == "rule-match") & df["target"].astype(str).str.endswith(target_suffix)]
    if rule is not None:
        rows = rows[[isinstance(d, dict) and d.get("rule") == rule for d in rows["detail"]]]
    return Counter(rows["status"])


def _errors(lab: Any, target_suffix: str) -> list[str]:
    try:
        df = lab.flow.df
    except Exception:  # noqa: BLE001
        return []
    if not len(df):
        return []
    rows = df[(df["operation"] == "rule-match") & df["target"].astype(str).str.endswith(target_suffix)
              & df["status"].isin(["failed", "dead-lettered"])]
    return [str(e).replace(lab.account_id, "<account>").replace(lab.prefix, "") for e in rows["error"] if e]


def _policy_findings(fb: Feedback, what: str, policy: Any, *, action: str, resource: str, rule_arn: str,
                     how: str) -> bool:
    """Judge a resource policy that must let ``rule_arn`` (as events.amazonaws.com) do ``action``."""
    if not load(policy):
        fb.wrong(f"{what} has no resource policy, so EventBridge's deliveries are refused.", how)
        return False
    reviews = review(policy, service=EVENTS, action=action, resource=resource, source_arn=rule_arn)
    if not reviews:
        fb.wrong(f"{what}'s policy has no Allow statement.", how)
        return False
    best = reviews[0]
    if best.problems:
        fb.wrong(f"{what}'s policy does not let the rule in: {best.label}: {'; '.join(best.problems)}.", how)
        return False
    if best.open_to_any_source:
        fb.wrong(f"{what}'s policy lets events.amazonaws.com in for any rule of any account.",
                 "Scope the statement to the rule: Condition ArnEquals aws:SourceArn = the rule's ARN.")
        return False
    fb.right(f"{what}'s policy lets this rule, and only it, deliver ({action}).")
    return True


# ============================================================== 2: the bus and put_all
def _check_entries(n: int, run: str) -> list[dict[str, Any]]:
    return [{"Source": "securecart.check", "DetailType": "CheckEvent", "Detail": json.dumps({"run": run, "n": i})}
            for i in range(n)]


@checker(f"{LAB}.publish")
def publish(lab: Any, fb: Feedback, put_all: Any = None) -> None:
    """AWS, PutEvents: at most 10 entries; "The successful and unsuccessful entries are returned in
    the order that they were in the request"; "FailedEntryCount: The number of failed entries";
    without EventBusName "the default event bus is used"."""
    _bus(lab, fb)
    fb.right("The securecart bus exists.")
    fn = fb.answer(put_all, "put_all", "2")
    run = uuid.uuid4().hex[:6]
    n = 23
    with Probe(lab, fb) as probe:
        name, _arn = probe.bus("publish")
        url = probe.bus_listener(name, {"source": ["securecart.check"]})
        with flaky_batches(probe.events, every=4) as failed_once:
            outcome = probe.run(fn, name, _check_entries(n, run))
        if probe.explain_error(outcome, "put_all"):
            return
        calls = probe.require_calls("put_all", "PutEvents", "Call events.put_events(Entries=[...]) in put_all.")
        sent = [e for c in calls for e in c.params.get("Entries", [])]
        elsewhere = [e for e in sent if e.get("EventBusName") not in (name, _arn)]
        if elsewhere:
            fb.wrong(f"{len(elsewhere)} entries were put without EventBusName = the bus put_all was given: "
                     "they went to the default bus, where no rule of SecureCart listens.",
                     "Set EventBusName on every entry to the bus put_all is given.")
            return
        arrived = Counter()
        for message in probe.drain_all(url):
            try:
                arrived[json.loads(message["Body"])["detail"]["n"]] += 1
            except (ValueError, KeyError, TypeError):
                continue
        missing = n - len(arrived)
        twice = sum(1 for c in arrived.values() if c > 1)
        if twice:
            fb.wrong(f"{twice} of {n} events arrived more than once: entries that were put were sent again.",
                     "Resend only the entries whose result in Entries has an ErrorCode; the others were put already "
                     "(results come in the order of the request).")
        if missing:
            fb.wrong(f"{missing} of {n} events never arrived: PutEvents reported them failed "
                     f"({len(failed_once)} entries had an ErrorCode) and they were not sent again.",
                     "Read the response: FailedEntryCount says how many failed, and each result in Entries with an "
                     "ErrorCode is the entry at the same position; resend those (at most 5 attempts).")
        if not twice and not missing:
            fb.right(f"All {n} events arrived once, though {len(failed_once)} entries failed at first: the failed "
                     "entries were sent again, and only they.")
        fb.check(max((len(c.params.get("Entries", [])) for c in calls), default=0) <= 10,
                 "Every call put at most 10 entries.", "A call put more than 10 entries.",
                 "PutEvents takes at most 10 entries: put them in slices of 10.")
        fb.check(outcome.value == n, "put_all returns the number of events put.",
                 f"put_all returned {_shown(outcome.value)} for {n} events put.",
                 "Return how many entries were put: count the results that have an EventId.")


# ============================================================== 3: the pattern
_BASE = {"event_id": "CHK-1", "sku": "SKU-MUG", "warehouse": "WH-LEEDS", "quantity": 3, "reorder_point": REORDER_POINT,
         "backorders": 0, "environment": "prod", "at": "2026-11-02T09:00:00Z"}
#: (what the event is, its detail changes, detail-type, should match, hint when the pattern gets it wrong)
_CASES = [
    ("low stock (3 left)", {}, "InventoryLevelChanged", True, None),
    ("none left (0)", {"quantity": 0}, "InventoryLevelChanged", True,
     "Compare quantity with numeric ['<', 10]: every number below 10 matches, 0 too."),
    ("9.5 left (a number, not an integer)", {"quantity": 9.5}, "InventoryLevelChanged", True,
     "Compare quantity with a numeric range (numeric ['<', 10]), not a list of values."),
    ("exactly at the reorder point (10)", {"quantity": 10}, "InventoryLevelChanged", False,
     "Below the reorder point means numeric ['<', 10]: 10 itself is not low."),
    ("plenty (30), customers waiting", {"quantity": 30, "backorders": 2}, "InventoryLevelChanged", True,
     "Use $or: quantity below 10 OR backorders above 0 (numeric ['>', 0])."),
    ("plenty (30), nobody waiting", {"quantity": 30}, "InventoryLevelChanged", False,
     "A well-stocked SKU with no backorders is no restock: check the $or's two conditions."),
    ("load-test traffic", {"environment": "test"}, "InventoryLevelChanged", False,
     "Leave out test traffic with anything-but on environment ('test')."),
    ("a gift card (GC-50)", {"sku": "GC-50"}, "InventoryLevelChanged", False,
     "Match physical SKUs only: a prefix 'SKU-' on sku."),
    ("a manual correction (no warehouse)", {"warehouse": None}, "InventoryLevelChanged", False,
     "Require a warehouse: exists true on warehouse."),
    ("another detail-type (InventoryCounted)", {}, "InventoryCounted", False,
     "Match detail-type 'InventoryLevelChanged' exactly."),
]


def _first_miss_hint(given: dict[str, Any]) -> str:
    if given.get("source") != ["securecart.inventory"]:
        return "Match source 'securecart.inventory' exactly: source: ['securecart.inventory']."
    if given.get("detail-type") != ["InventoryLevelChanged"]:
        return ("Match detail-type exactly, spelled as the events spell it: 'InventoryLevelChanged' (case matters; "
                "the key is 'detail-type').")
    quantity = json.dumps((given.get("detail") or {}).get("quantity", ""))
    if '"' in quantity.replace('"numeric"', "").replace('"<"', "").replace('"<="', ""):
        return ("quantity is a number in the event; a string in the pattern never matches a number: compare with "
                "numeric ['<', 10].")
    return "Check each condition under detail against the event: every one must match."


@checker(f"{LAB}.pattern")
def pattern_check(lab: Any, fb: Feedback, low_stock_pattern: Any = None) -> None:
    """AWS, "Content filtering in Amazon EventBridge event patterns": numeric, prefix, anything-but,
    exists, $or; "EventBridge ignores the fields in the event that aren't included in the event pattern";
    TestEventPattern "Tests whether the specified event pattern matches the provided event"."""
    given = fb.answer(low_stock_pattern, "low_stock_pattern", "3")
    if not isinstance(given, dict):
        fb.wrong(f"low_stock_pattern is {type(given).__name__}, not a dict.",
                 "Write the pattern as a Python dict (the notebook passes it through json.dumps).")
        return
    events = lab.client("events")
    ok_cases = 0
    for what, change, detail_type, should, hint in _CASES:
        detail = {**_BASE, **change}
        detail = {k: v for k, v in detail.items() if v is not None}
        try:
            matched = events.test_event_pattern(EventPattern=json.dumps(given), Event=envelope(
                lab, "securecart.inventory", detail_type, detail))["Result"]
        except ClientError as err:
            fb.wrong(f"EventBridge refused the pattern: {err.response.get('Error', {}).get('Message', err)}",
                     "Fix the pattern's syntax: each value is a list; numeric takes JSON numbers (10, not '10'), "
                     "e.g. {'numeric': ['<', 10]}.")
            return
        if matched == should:
            ok_cases += 1
            continue
        if should:
            fb.wrong(f"The pattern does not match {what}, which needs a restock.", hint or _first_miss_hint(given))
        else:
            fb.wrong(f"The pattern matches {what}, which needs no restock.", hint or "")
    if ok_cases == len(_CASES):
        fb.right(f"The pattern matches low stock (below {REORDER_POINT}, or backorders) of physical SKUs in a real "
                 "warehouse, and leaves out test traffic, gift cards, corrections and other detail-types "
                 f"({len(_CASES)} cases).")


# ============================================================== 4a: rule, queue policy, input transformer
def _order_events(lab: Any, given: dict[str, Any] | None) -> tuple[bool, bool] | None:
    if not given:
        return None
    events = lab.client("events")
    low = envelope(lab, "securecart.inventory", "InventoryLevelChanged", _BASE)
    plenty = envelope(lab, "securecart.inventory", "InventoryLevelChanged", {**_BASE, "quantity": 30})
    try:
        return (events.test_event_pattern(EventPattern=json.dumps(given), Event=low)["Result"],
                events.test_event_pattern(EventPattern=json.dumps(given), Event=plenty)["Result"])
    except ClientError:
        return None


@checker(f"{LAB}.restock-queue")
def restock_queue(lab: Any, fb: Feedback) -> None:
    """AWS, "Using resource-based policies for Amazon EventBridge": SQS targets need a queue policy
    allowing events.amazonaws.com sqs:SendMessage (with aws:SourceArn = the rule); "Transforming
    target input": InputPathsMap and InputTemplate, placeholders in quotes are strings."""
    _bus(lab, fb)
    rule = _rule(lab, fb, "restock", "4a")
    fb.right("The restock rule is on the securecart bus.")
    behaves = _order_events(lab, pattern(rule))
    fb.check(behaves == (True, False), "The rule matches low stock and not a well-stocked SKU.",
             "The rule's pattern does not behave like the low-stock pattern.",
             "Give put_rule EventPattern=json.dumps(low_stock_pattern) (step 3's pattern).")
    found = targets(lab, rule)
    queue = fb.require(target_to(found, f":{lab.name('restock-requests')}"), "The rule has no restock-requests target.",
                       "put_targets with the queue's ARN (requests_arn; EventBridge takes ARNs, not URLs), Id "
                       "'restock-requests'.", after=("PutTargets",))
    url = find_queue(lab, "restock-requests")
    attrs = attributes(lab, url) if url else {}
    _policy_findings(fb, "restock-requests", attrs.get("Policy"), action="sqs:SendMessage", resource=queue["Arn"],
                     rule_arn=rule["Arn"], how="Set the queue's Policy: Allow the Service events.amazonaws.com "
                     "sqs:SendMessage on the queue's ARN, Condition ArnEquals aws:SourceArn = the rule's ARN.")
    refused = _errors(lab, lab.name("restock-requests"))
    if refused and not _deliveries(lab, lab.name("restock-requests"))["delivered"]:
        fb.wrong(f"EventBridge's deliveries to restock-requests failed: {refused[-1]}",
                 "Fix the queue policy, then run the afternoon's cell again.")
    _transformer(lab, fb, queue)


def _transformer(lab: Any, fb: Feedback, queue: dict[str, Any]) -> None:
    transformer = queue.get("InputTransformer")
    if not transformer:
        fb.wrong("The restock-requests target gets the whole event, not a purchase order.",
                 "Give the target an InputTransformer: InputPathsMap (sku, warehouse, quantity, the event id) and an "
                 "InputTemplate.")
        return
    detail = {**_BASE, "sku": "SKU-CHECK", "warehouse": "WH-CHECK", "quantity": 3}
    with Probe(lab, fb) as probe:
        name, _arn = probe.bus("transformer")
        url = probe.bus_listener(name, {"source": ["securecart.check"]}, InputTransformer=transformer)
        put = probe.events.put_events(Entries=[{"Source": "securecart.check", "DetailType": "InventoryLevelChanged",
                                                 "Detail": json.dumps(detail), "EventBusName": name}])
        event_id = put["Entries"][0].get("EventId")
        bodies = [m["Body"] for m in probe.drain_all(url)]
    if not bodies:
        fb.wrong("A test event through your input transformer delivered nothing.",
                 "Check InputPathsMap: each value is a JSON path into the event, like '$.detail.sku' or '$.id'.")
        return
    try:
        order = json.loads(bodies[0])
    except ValueError:
        fb.wrong(f"The purchase order is not valid JSON: {_shown(bodies[0])}",
                 "In InputTemplate put string placeholders in quotes (\"<sku>\"), numbers without (<quantity>), and "
                 "check its braces and commas.")
        return
    if not isinstance(order, dict):
        fb.wrong(f"The purchase order is {_shown(order)}, not a JSON object.", "Make InputTemplate a JSON object {...}.")
        return
    wanted = {"sku": "SKU-CHECK", "warehouse": "WH-CHECK", "on_hand": 3,
              "note": "restock SKU-CHECK at WH-CHECK", "source_event": event_id}
    ok = True
    for key, value in wanted.items():
        got = order.get(key)
        if key not in order:
            fb.wrong(f"The purchase order has no '{key}'.",
                     f"Add '{key}' to InputTemplate (and what it needs to InputPathsMap).")
            ok = False
        elif key == "on_hand" and got == str(value):
            fb.wrong("on_hand arrives as the string \"3\", not the number 3.",
                     "Put the quantity placeholder in the template without quotes (<quantity>): it is a number.")
            ok = False
        elif got != value:
            fb.wrong(f"'{key}' is {_shown(got)} for an event whose value is {_shown(value)}.",
                     f"Map '{key}' from the event: sku, warehouse and quantity from $.detail, source_event from $.id; "
                     "note is the text 'restock <sku> at <warehouse>'.")
            ok = False
    if ok:
        fb.right("The input transformer turns a low-stock event into a purchase order (valid JSON, every field).")


# ============================================================== 4b: function and state machine targets
@checker(f"{LAB}.restock-targets")
def restock_targets(lab: Any, fb: Feedback) -> None:
    """AWS: Lambda targets need a function policy allowing events.amazonaws.com lambda:InvokeFunction
    (SourceArn = the rule); Step Functions targets need RoleArn, a role EventBridge assumes with
    states:StartExecution ("Permissions for targets": "EventBridge needs permission to ... start
    Step Functions state machines: an IAM role")."""
    _bus(lab, fb)
    rule = _rule(lab, fb, "restock", "4a")
    found = targets(lab, rule)
    notifier = lab.name("supplier-notifier")
    function = target_to(found, f":function:{notifier}")
    machine = target_to(found, f":stateMachine:{lab.name('restock')}")
    if function is None and machine is None:
        fb.require(None, "The rule has no function or state machine target yet.",
                   "Do exercise 4b: put_targets with the function's and the state machine's ARNs.", after=("PutTargets",))
    if function is None:
        fb.wrong("The rule has no supplier-notifier target.",
                 "put_targets with the function's ARN (notifier_arn), Id 'supplier-notifier'.")
    else:
        _function_policy(lab, fb, notifier, function["Arn"], rule["Arn"])
    if machine is None:
        fb.wrong("The rule has no restock state machine target.",
                 "put_targets with the state machine's ARN (machine_arn), Id 'restock-workflow', and RoleArn.")
    else:
        _starter_role(lab, fb, machine, rule)
    for label, suffix in (("supplier-notifier", notifier), ("the restock state machine", lab.name("restock"))):
        refused = _errors(lab, suffix)
        if refused and not _deliveries(lab, suffix)["delivered"]:
            fb.wrong(f"EventBridge could not deliver to {label}: {refused[-1]}",
                     "Fix the permission or role, then run the evening's cell again.")
    try:
        runs = lab.client("stepfunctions").list_executions(stateMachineArn=machine["Arn"])["executions"] if machine else []
    except ClientError:
        runs = []
    if machine is not None and not fb.wrong_items:
        fb.check(bool(runs), "The rule started restock executions.", "The rule started no restock execution.",
                 "Run the evening's cell after the exercise: its low-stock events start executions.")


def _function_policy(lab: Any, fb: Feedback, name: str, arn: str, rule_arn: str) -> None:
    how = ("add_permission on the function: Action lambda:InvokeFunction, Principal events.amazonaws.com, SourceArn = "
           "the rule's ARN.")
    try:
        policy = lab.client("lambda").get_policy(FunctionName=name)["Policy"]
    except ClientError as err:
        if error_code(err) != "ResourceNotFoundException":
            raise
        policy = None
    _policy_findings(fb, "supplier-notifier", policy, action="lambda:InvokeFunction", resource=arn, rule_arn=rule_arn,
                     how=how)


def _statements(document: Any) -> list[dict[str, Any]]:
    parsed = load(document) or {}
    found = parsed.get("Statement", [])
    return [s for s in (found if isinstance(found, list) else [found]) if isinstance(s, dict)]


def _listed(value: Any) -> list[Any]:
    return value if isinstance(value, list) else [value]


def _starter_role(lab: Any, fb: Feedback, machine: dict[str, Any], rule: dict[str, Any]) -> None:
    role_arn = machine.get("RoleArn")
    if not role_arn:
        fb.wrong("The state machine target has no RoleArn.",
                 "Give the target RoleArn: a role that trusts events.amazonaws.com and allows states:StartExecution.")
        return
    iam = lab.client("iam")
    name = role_arn.rsplit("/", 1)[-1]
    try:
        role = iam.get_role(RoleName=name)["Role"]
    except ClientError:
        fb.wrong("The state machine target's RoleArn names no role.", "Use the ARN that ensure_role returned.")
        return
    trusted = [p for s in _statements(role.get("AssumeRolePolicyDocument")) if s.get("Effect") == "Allow"
               for p in _listed((s.get("Principal") or {}).get("Service", []) if isinstance(s.get("Principal"), dict) else [])]
    if EVENTS not in trusted:
        fb.wrong(f"The role trusts {', '.join(map(str, trusted)) or 'no service'}, not EventBridge.",
                 "EventBridge assumes the role: make it with the service events.amazonaws.com.")
        return
    allowed = False
    for policy_name in iam.list_role_policies(RoleName=name)["PolicyNames"]:
        document = iam.get_role_policy(RoleName=name, PolicyName=policy_name)["PolicyDocument"]
        for s in _statements(document):
            actions = [str(a).lower() for a in _listed(s.get("Action", []))]
            resources = [str(r) for r in _listed(s.get("Resource", []))]
            if s.get("Effect") == "Allow" and any(fnmatch.fnmatchcase("states:startexecution", a) for a in actions) \
                    and any(fnmatch.fnmatchcase(machine["Arn"], r) for r in resources):
                allowed = True
    fb.check(allowed, "The role trusts EventBridge and allows states:StartExecution on the restock state machine.",
             "The role does not allow states:StartExecution on the restock state machine.",
             "Give the role a statement allowing states:StartExecution with Resource = machine_arn.")


# ============================================================== 4c: retry policy and DLQ
@checker(f"{LAB}.restock-dlq")
def restock_dlq(lab: Any, fb: Feedback) -> None:
    """AWS, "Event retry policy and using dead-letter queues": RetryPolicy (MaximumRetryAttempts,
    MaximumEventAgeInSeconds) and DeadLetterConfig per target; the DLQ's policy must allow
    events.amazonaws.com; dead-lettered messages carry RULE_ARN, TARGET_ARN, ERROR_CODE, ERROR_MESSAGE."""
    _bus(lab, fb)
    rule = _rule(lab, fb, "restock", "4a")
    found = targets(lab, rule)
    dlq_url = fb.require(find_queue(lab, "restock-dlq"), "There is no restock-dlq queue.",
                         "Run the cell of step 4 that makes the queues, then exercise 4c.")
    dlq_arn = attributes(lab, dlq_url)["QueueArn"]
    with_dlq = [t for t in found if (t.get("DeadLetterConfig") or {}).get("Arn")]
    if not with_dlq:
        fb.require(None, "No target of the restock rule has a dead-letter queue yet.",
                   "Do exercise 4c: DeadLetterConfig {'Arn': dlq_arn} and RetryPolicy on every target.",
                   after=("PutTargets",))
    queue = target_to(found, f":{lab.name('restock-requests')}")
    machine = target_to(found, f":stateMachine:{lab.name('restock')}")
    if len(found) < 3:
        fb.wrong(f"The rule has {len(found)} target(s), not the queue, the function and the state machine.",
                 "Keep all three targets of 4a and 4b: " + _KEEP_TARGET + ".")
    if queue is not None and not queue.get("InputTransformer"):
        fb.wrong("The restock-requests target lost its input transformer.", _KEEP_TARGET[0].upper() + _KEEP_TARGET[1:] + ".")
    if machine is not None and not machine.get("RoleArn"):
        fb.wrong("The state machine target lost its RoleArn.", _KEEP_TARGET[0].upper() + _KEEP_TARGET[1:] + ".")
    for target in found:
        label = target["Id"]
        dlq = (target.get("DeadLetterConfig") or {}).get("Arn")
        if dlq != dlq_arn:
            fb.wrong(f"Target {label} has {'no dead-letter queue' if not dlq else 'another dead-letter queue'}.",
                     "Give every target DeadLetterConfig {'Arn': restock-dlq's ARN}.")
        retry = target.get("RetryPolicy") or {}
        if retry.get("MaximumRetryAttempts") != RETRIES or retry.get("MaximumEventAgeInSeconds") != MAX_AGE:
            fb.wrong(f"Target {label}'s RetryPolicy is {_shown(retry) if retry else 'the default (24 hours, 185 attempts)'}.",
                     f"Give every target RetryPolicy MaximumRetryAttempts {RETRIES} and MaximumEventAgeInSeconds {MAX_AGE}.")
    if not fb.wrong_items:
        fb.right(f"Every target has restock-dlq as its dead-letter queue and retries at most {RETRIES} times within an hour.")
    _policy_findings(fb, "restock-dlq", attributes(lab, dlq_url).get("Policy"), action="sqs:SendMessage",
                     resource=dlq_arn, rule_arn=rule["Arn"],
                     how="A DLQ is a queue like any other: set its Policy allowing events.amazonaws.com sqs:SendMessage, "
                         "with aws:SourceArn = the rule's ARN.")
    dead = peek_all(lab, dlq_url)
    if fb.check(bool(dead), "The notifier's undeliverable event is in restock-dlq.",
                "restock-dlq holds nothing: the night's event for the removed notifier was lost.",
                "Run the night's cell after the exercise; if it ran, the DLQ policy refused the dead letter."):
        fb.right("EventBridge put it there with its error attributes (ERROR_CODE, ERROR_MESSAGE, TARGET_ARN).")


# ============================================================== 5: the schema and publish_order
def _probe_orders() -> list[dict[str, Any]]:
    from .. import data

    # fixed ids (the probe's bus is its own): the learner's function may print them, and nbval compares the output
    return [{**o, "event_id": f"CHK-OP-{i + 1}", "order_id": f"CHK-ORDER-{i + 1}"} for i, o in enumerate(data.placed_orders(2, seed=77))]


@checker(f"{LAB}.schema")
def schema(lab: Any, fb: Feedback, publish_order: Any = None) -> None:
    """AWS, Schema Registry: CreateSchema Type OpenApi3 | JSONSchemaDraft4, a schema's versions;
    EventBridge does not validate events against schemas: the producer does."""
    from ..schemas import validate_event

    client = lab.client("schemas")
    registry = lab.name("securecart")
    try:
        client.describe_registry(RegistryName=registry)
    except ClientError:
        fb.require(None, "There is no 'securecart' schema registry yet.",
                   "Do exercise 5: create_registry(RegistryName=lab.name('securecart')).", after=("CreateRegistry",))
    try:
        described = client.describe_schema(RegistryName=registry, SchemaName="OrderPlaced")
    except ClientError:
        fb.require(None, "The registry has no 'OrderPlaced' schema yet.",
                   "Do exercise 5: create_schema(... SchemaName='OrderPlaced', Type='JSONSchemaDraft4', Content=json.dumps(...)).",
                   after=("CreateSchema",))
    fb.right(f"The registry holds OrderPlaced ({described['Type']}).")
    good = _probe_orders()[0]

    def valid(document: dict[str, Any]) -> bool:
        return validate_event(lab, registry, "OrderPlaced", document).valid

    if not valid(good):
        fb.wrong("A valid order fails your schema.",
                 "Describe the order's detail itself (an object with order_id, customer_id, items, total, currency, "
                 "created_at): check the property names and types.")
        return
    missing = [f for f in REQUIRED if valid({k: v for k, v in good.items() if k != f})]
    fb.check(not missing, "Each of order_id, customer_id, items, total and currency is required.",
             f"An order without {', '.join(missing)} passes the schema.",
             "List every field consumers rely on in 'required': order_id, customer_id, items, total, currency.")
    optional = valid({k: v for k, v in good.items() if k != "created_at"})
    fb.check(optional, "created_at is optional.", "An order without created_at fails the schema.",
             "Only the five fields are required: leave created_at out of 'required'.")
    typed = not valid({**good, "total": "twelve"}) and not valid({**good, "items": "SKU-MUG"})
    fb.check(typed, "total must be a number and items an array.", "An order with total 'twelve' or items as text passes.",
             "Give the properties types: total 'number', items 'array', the ids and currency 'string'.")
    fb.check(not valid({**good, "currency": "euro"}), "currency must be 3 capital letters.",
             "An order with currency 'euro' passes.", "Give currency a pattern of 3 capital letters: '^[A-Z]{3}$'.")
    if fb.wrong_items:
        return
    fn = fb.answer(publish_order, "publish_order", "5")
    first, second = _probe_orders()
    bad = {k: v for k, v in second.items() if k != "total"}
    with Probe(lab, fb) as probe:
        name, _arn = probe.bus("orders")
        url = probe.bus_listener(name, {"source": ["securecart.orders"]})
        outcome = probe.run(fn, name, dict(first))
        if probe.explain_error(outcome, "publish_order"):
            return
        refused = probe.run(fn, name, dict(bad))
        if probe.explain_error(refused, "publish_order", expected=(Exception,)):
            return
        arrived = [json.loads(m["Body"]) for m in probe.drain_all(url)]
    ids = {e.get("detail", {}).get("order_id"): e for e in arrived if isinstance(e.get("detail"), dict)}
    if bad["order_id"] in ids:
        fb.wrong("publish_order put an order that fails the schema (no total) on the bus.",
                 "Put the order only if it is valid: when validation fails, return None before put_events.")
        return
    if first["order_id"] not in ids:
        fb.wrong("A valid order put with publish_order did not arrive on the bus publish_order was given.",
                 "Put the order with Source 'securecart.orders', DetailType 'OrderPlaced', Detail json.dumps(order) and "
                 "EventBusName = the bus given.")
        return
    event = ids[first["order_id"]]
    fb.check(event.get("source") == "securecart.orders" and event.get("detail-type") == "OrderPlaced",
             "Orders go out as securecart.orders / OrderPlaced.",
             f"The order went out as {event.get('source')} / {event.get('detail-type')}.",
             "Use Source 'securecart.orders' and DetailType 'OrderPlaced': the rules and the archive match on them.")
    fb.check(str(event.get("time", "")).startswith(first["created_at"][:16]),
             "Its time is the order's created_at.", "The event's time is not the order's created_at.",
             "Set Time to the order's created_at (a datetime): a replay picks events by their time.")
    fb.check(refused.ok and refused.value is None, "An invalid order is not put, and publish_order returns None.",
             "publish_order does not return None for an invalid order.", "Return None when the order is invalid.")
    fb.check(isinstance(outcome.value, str) and outcome.value == event.get("id"),
             "A valid order is put and publish_order returns its EventId.",
             f"publish_order returned {_shown(outcome.value)}, not the event's EventId.",
             "Return the EventId of the entry's result: put_events(...)['Entries'][0]['EventId'].")


# ============================================================== 6: archive and replay
@checker(f"{LAB}.replay")
def replay(lab: Any, fb: Feedback, ledger: Any = None) -> None:
    """AWS, CreateArchive ("EventPattern: An event pattern to use to filter events sent to the archive";
    without one every event is archived), StartReplay (EventStartTime/EventEndTime, Destination
    FilterArns "A list of ARNs for rules to replay events to")."""
    bus_arn = _bus(lab, fb)
    events = lab.client("events")
    try:
        archive = events.describe_archive(ArchiveName=lab.name("orders"))
    except ClientError:
        archive = None
    archive = fb.require(archive, "There is no 'orders' archive yet.",
                         "Do exercise 6a: create_archive(ArchiveName=lab.name('orders'), EventSourceArn=bus_arn, ...).",
                         after=("CreateArchive",))
    if archive.get("EventSourceArn") != bus_arn:
        fb.wrong("The archive keeps another bus's events.", "Give create_archive EventSourceArn = the securecart bus's ARN.")
    kept = pattern(archive)
    if kept is None:
        fb.wrong("The archive has no pattern: it keeps every event of the bus, stock changes too.",
                 "Give the archive EventPattern {'source': ['securecart.orders']}: only order events were asked for.")
    else:
        order = envelope(lab, "securecart.orders", "OrderPlaced", {"order_id": "CHK"})
        stock = envelope(lab, "securecart.inventory", "InventoryLevelChanged", _BASE)
        try:
            keeps = (events.test_event_pattern(EventPattern=json.dumps(kept), Event=order)["Result"],
                     events.test_event_pattern(EventPattern=json.dumps(kept), Event=stock)["Result"])
        except ClientError:
            keeps = (False, True)
        fb.check(keeps == (True, False), "The archive keeps order events and nothing else.",
                 "The archive's pattern does not keep exactly the order events.",
                 "Match source 'securecart.orders' in the archive's EventPattern.")
    fb.check(archive.get("RetentionDays") == RETENTION_DAYS, f"Events are kept {RETENTION_DAYS} days.",
             f"RetentionDays is {archive.get('RetentionDays') or 'not set (kept for ever)'}.",
             f"Give create_archive RetentionDays={RETENTION_DAYS}.")
    try:
        done = events.describe_replay(ReplayName=lab.name("ledger-fix"))
    except ClientError:
        done = None
    done = fb.require(done, "There is no replay 'ledger-fix' yet.",
                      "Do exercise 6b: start_replay(ReplayName=lab.name('ledger-fix'), ...).", after=("StartReplay",))
    ledger_rule = find_rule(lab, "order-ledger", bus="securecart")
    wanted = [ledger_rule["Arn"]] if ledger_rule else []
    filters = (done.get("Destination") or {}).get("FilterArns") or []
    fb.check(filters == wanted, "The replay went to the order-ledger rule only.",
             "The replay went to every rule of the bus: analytics got the window's orders a second time."
             if not filters else "The replay went to other rules than order-ledger.",
             "Give start_replay Destination {'Arn': bus_arn, 'FilterArns': [the order-ledger rule's ARN]}.")
    start, end = (str(done.get(k, ""))[:19].replace(" ", "T") for k in ("EventStartTime", "EventEndTime"))
    fb.check((start, end) == (BUG_FROM, BUG_TO), "The replay covers 09:30 to 09:45, the bug's window.",
             f"The replay covers {start[11:16] or '?'} to {end[11:16] or '?'}, not the bug's window.",
             "Replay from BUG_FROM to BUG_TO (EventStartTime, EventEndTime as datetimes).")
    fb.check(done.get("State") == "COMPLETED", "The replay is COMPLETED.", f"The replay is {done.get('State')}.",
             "Poll describe_replay until its State is COMPLETED.")
    analytics = find_queue(lab, "order-analytics")
    if analytics:
        depth = int(attributes(lab, analytics).get("ApproximateNumberOfMessages", 0))
        fb.check(depth <= DAY_ORDERS, "Analytics received each order once.",
                 f"Analytics holds {depth} order events for {DAY_ORDERS} orders: the replay duplicated them.",
                 "Replay to the order-ledger rule only (FilterArns).")
    if isinstance(ledger, dict):
        from .. import data

        day = {o["event_id"] for o in data.placed_orders(DAY_ORDERS, seed=42)}
        lost = len(day - set(ledger))
        fb.check(not lost, f"The ledger holds all {DAY_ORDERS} orders, each once.",
                 f"{lost} of the day's orders are still missing from the ledger.",
                 "Replay the bug's window to the ledger rule, then run the cell that consumes the ledger queue.")


# ============================================================== 7: the audit bus in the security account
def _account_of(principal: Any) -> list[str]:
    if principal == "*":
        return ["*"]
    values = principal.get("AWS", []) if isinstance(principal, dict) else []
    found = []
    for value in _listed(values):
        text = str(value)
        found.append("*" if text == "*" else (text.split(":")[4] if text.startswith("arn:") else text))
    return found


def _condition_accounts(statement: dict[str, Any]) -> list[str]:
    found = []
    for block in (statement.get("Condition") or {}).values():
        if isinstance(block, dict):
            for key, values in block.items():
                if key.lower() in ("aws:principalaccount", "aws:sourceaccount"):
                    found += [str(v) for v in _listed(values)]
    return found


@checker(f"{LAB}.audit")
def audit(lab: Any, fb: Feedback) -> None:
    """AWS, "Permissions for event buses": a bus takes events from another account only if its policy
    allows it (PutPermission Principal: "The 12-digit AWS account ID ... Specify "*" to permit any
    account"); "Sending and receiving events between AWS accounts": the sending rule's target is the
    receiving bus's ARN, with a role allowed events:PutEvents on it."""
    bus_arn = _bus(lab, fb)
    security = lab.client("events", account="security")
    audit_arn = fb.require(find_bus(lab, "audit", account="security"), "There is no audit bus in the security account.",
                           "Run the cell before exercise 7 (it makes the audit bus).")
    policy = security.describe_event_bus(Name=lab.name("audit")).get("Policy")
    puts = [s for s in _statements(policy) if s.get("Effect") == "Allow"
            and any(fnmatch.fnmatchcase("events:putevents", str(a).lower()) for a in _listed(s.get("Action", [])))]
    if not puts:
        how = ("put_permission on the audit bus (the security client): Action events:PutEvents, Principal = "
               "SecureCart's account id (lab.account_id).")
        if not policy and find_rule(lab, "audit-forward", bus="securecart") is None:
            fb.require(None, "The audit bus has no policy yet, and there is no forwarding rule.", how,
                       after=("PutPermission", "PutRule", "PutTargets"))
        fb.wrong("The audit bus has no statement allowing events:PutEvents: it refuses SecureCart's events.", how)
        fb.stop()
    mine, others, open_ = False, False, False
    for statement in puts:
        accounts = _account_of(statement.get("Principal"))
        conditions = _condition_accounts(statement)
        effective = conditions if "*" in accounts and conditions else accounts
        for account in effective:
            if account == "*":
                open_ = True
            elif account == lab.account_id:
                mine = True
            else:
                others = True
    if open_:
        fb.wrong("The audit bus's policy lets every AWS account put events on it (Principal '*' without a condition).",
                 "Allow SecureCart's account only: Principal = lab.account_id (or '*' with a condition aws:PrincipalAccount "
                 "= that account).")
    if others:
        fb.wrong("The audit bus's policy allows an account that is not SecureCart's.",
                 "The Principal is SecureCart's own account id, lab.account_id; remove the other statement "
                 "(remove_permission).")
    if not mine:
        fb.wrong("The audit bus's policy does not allow SecureCart's account.",
                 "Allow lab.account_id (SecureCart's account) to events:PutEvents.")
    if fb.wrong_items:
        fb.stop()  # the bus policy first: the forwarding is judged once the bus would take the events
    fb.right("The audit bus takes events from SecureCart's account only.")
    rule = _rule(lab, fb, "audit-forward", "7")
    forward = next((t for t in targets(lab, rule) if t.get("Arn") == audit_arn), None)
    if forward is None:
        fb.wrong("The audit-forward rule does not target the audit bus.",
                 "put_targets with Arn = the audit bus's ARN (audit_arn, in the security account), Id 'audit'.")
        return
    fb.check(bool(forward.get("RoleArn")), "The forwarding target has a role.",
             "The forwarding target has no RoleArn: EventBridge cannot put events into another account's bus without one.",
             "Give the target RoleArn=forwarder_arn (a role allowed events:PutEvents on the audit bus).")
    behaves = rule_pattern_behaviour(lab, rule)
    fb.check(behaves == (True, True), "The rule forwards every securecart event (orders and stock alike).",
             "The rule does not forward every securecart.* event.",
             "Match every source that starts with 'securecart.': a prefix on source.")
    refused = _errors(lab, lab.name("audit"))
    delivered = _deliveries(lab, lab.name("audit"))["delivered"]
    if refused and not delivered:
        fb.wrong(f"EventBridge's forwarding was refused: {refused[-1]}",
                 "Fix the bus policy or the RoleArn, then run the cell after the exercise again.")
    sqs = lab.client("sqs", account="security")
    try:
        url = sqs.get_queue_url(QueueName=lab.name("audit-log"))["QueueUrl"]
        waiting = int(sqs.get_queue_attributes(QueueUrl=url, AttributeNames=["ApproximateNumberOfMessages"])
                      ["Attributes"]["ApproximateNumberOfMessages"])
    except ClientError:
        waiting = 0
    fb.check(waiting > 0, "Events reached the security account's audit log.",
             "Nothing reached the security account's audit log.",
             "Run the cell after the exercise; without the bus policy and the role the events do not arrive.")


def rule_pattern_behaviour(lab: Any, rule: dict[str, Any]) -> tuple[bool, bool] | None:
    given = pattern(rule)
    if not given:
        return None
    events = lab.client("events")
    try:
        return tuple(events.test_event_pattern(EventPattern=json.dumps(given), Event=envelope(lab, src, kind, detail))["Result"]
                     for src, kind, detail in (("securecart.orders", "OrderPlaced", {"order_id": "CHK"}),
                                               ("securecart.inventory", "InventoryLevelChanged", _BASE)))  # type: ignore[return-value]
    except ClientError:
        return None
