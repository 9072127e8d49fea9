"""Checks of Lab 4 (Step Functions fulfilment saga): one per exercise, judging what the learner's role and
state machines *do*.

The role is judged by evaluating its trust and permissions policies (the emulator's evaluator, as IAM
would: what may assume it, which actions on which ARNs it allows) - Step Functions on the emulator does not
refuse a task its role does not allow, so the policy is where that mistake shows. Every state machine is
judged by running it: the check starts executions of the learner's machine with its own test orders
(order ids ``chk-<run>-...``, SKUs ``CHK-<run>-...`` of its own in the lab's ``stock`` table), then reads
the executions' outcomes and histories, the stock left on the shelf and the payment provider's ledger
(attempts, charges, refunds per order), and removes its items afterwards. Never the definition's text.

Numbers the lab's text names (retry at most ~20 s in all, 2 items at a time, heartbeat every hour, a
2-day timeout) are constants here so the notebook and its checks agree.
"""

from __future__ import annotations

import json
import time
import uuid
from typing import Any

from botocore.exceptions import ClientError

from ..emulator.policies import evaluate, evaluate_identity
from ..waiting import poll, wait_for_execution
from . import Feedback, checker
from .probe import Probe

LAB = "stepfunctions-fulfilment"
STATES = "states.amazonaws.com"
GOOD, DECLINED, FLAKY = "4242424242424242", "4000000000000002", "4000000000000119"
FUNCTIONS = {"validate": "validate-order", "charge": "charge-payment", "refund": "refund-payment", "ship": "ship-order"}
MAX_RETRY_SECONDS = 20  #: the flaky provider's retries, all together, on the execution's clock
MAX_CONCURRENCY = 2
HEARTBEAT, TIMEOUT = 3600, 2 * 24 * 3600


# ---------------------------------------------------------------------------- lookups
def _machine(lab: Any, base: str) -> dict[str, Any] | None:
    sfn = lab.client("stepfunctions")
    for page in sfn.get_paginator("list_state_machines").paginate():
        for machine in page["stateMachines"]:
            if machine["name"] == lab.name(base):
                return dict(sfn.describe_state_machine(stateMachineArn=machine["stateMachineArn"]))
    return None


def _function_arn(lab: Any, key: str) -> str:
    return str(lab.client("lambda").get_function(FunctionName=lab.name(FUNCTIONS[key]))["Configuration"]["FunctionArn"])


def _table_arn(lab: Any, base: str) -> str:
    return str(lab.client("dynamodb").describe_table(TableName=lab.name(base))["Table"]["TableArn"])


def _topic_arn(lab: Any) -> str:
    return f"arn:aws:sns:{lab.region}:{lab.account_id}:{lab.name('order-updates')}"


class Shop:
    """The check's own SKUs and orders in the lab's stock table and ledger, removed at the end."""

    def __init__(self, lab: Any) -> None:
        self.lab, self.ddb = lab, lab.client("dynamodb")
        self.run = uuid.uuid4().hex[:6]
        self.stock, self.ledger = lab.name("stock"), lab.name("payments")
        self.skus: list[str] = []
        self.orders: list[str] = []

    def __enter__(self) -> Shop:  # noqa: PYI034 - a plain class, not subclassed
        return self

    def __exit__(self, *_: object) -> None:
        for sku in self.skus:
            self._forget(self.stock, "sku", sku)
        for order in self.orders:
            self._forget(self.ledger, "order_id", order)

    def _forget(self, table: str, key: str, value: str) -> None:
        try:
            self.ddb.delete_item(TableName=table, Key={key: {"S": value}})
        except ClientError:
            pass

    def sku(self, name: str, available: int) -> str:
        sku = f"CHK-{self.run}-{name}"
        self.ddb.put_item(TableName=self.stock, Item={"sku": {"S": sku}, "available": {"N": str(available)}})
        self.skus.append(sku)
        return sku

    def shelf(self, sku: str) -> int | None:
        item = self.ddb.get_item(TableName=self.stock, Key={"sku": {"S": sku}}, ConsistentRead=True).get("Item")
        return int(item["available"]["N"]) if item and "available" in item else None

    def order(self, name: str, sku: str, quantity: int, card: str = GOOD, country: str = "GB") -> dict[str, Any]:
        order_id = f"chk-{self.run}-{name}"
        self.orders.append(order_id)
        return {"order_id": order_id, "sku": sku, "quantity": quantity, "total": 10.0 * max(quantity, 1),
                "card": card, "country": country}

    def money(self, order_id: str) -> dict[str, int]:
        item = self.ddb.get_item(TableName=self.ledger, Key={"order_id": {"S": order_id}}, ConsistentRead=True).get("Item", {})
        return {k: int(item[k]["N"]) if k in item else 0 for k in ("attempts", "charges", "refunds")}


def _run(lab: Any, machine_arn: str, order: dict[str, Any], timeout: float = 5.0) -> dict[str, Any]:
    sfn = lab.client("stepfunctions")
    arn = sfn.start_execution(stateMachineArn=machine_arn, name=f"{order['order_id']}-{uuid.uuid4().hex[:4]}",
                              input=json.dumps(order))["executionArn"]
    return _settled(lab, arn, timeout)


def _settled(lab: Any, execution_arn: str, timeout: float) -> dict[str, Any]:
    """The execution's description once it stopped, or as it is (RUNNING) after ``timeout`` seconds."""
    sfn = lab.client("stepfunctions")
    description, _stopped = poll(lambda: sfn.describe_execution(executionArn=execution_arn),
                                 lambda d: d.get("status") != "RUNNING", timeout)
    return dict(description)


def history(lab: Any, execution_arn: str) -> list[dict[str, Any]]:
    sfn = lab.client("stepfunctions")
    found: list[dict[str, Any]] = []
    for page in sfn.get_paginator("get_execution_history").paginate(executionArn=execution_arn):
        found += page["events"]
    return found


def _scheduled(events: list[dict[str, Any]]) -> list[tuple[str, str, dict[str, Any]]]:
    """(resourceType, resource, parameters) of every task the execution scheduled, in order."""
    tasks = []
    for event in events:
        details = event.get("taskScheduledEventDetails")
        if details:
            try:
                params = json.loads(details.get("parameters") or "{}")
            except ValueError:
                params = {}
            tasks.append((details.get("resourceType", ""), details.get("resource", ""), params))
    return tasks


def _invoked(events: list[dict[str, Any]], function_arn: str) -> list[int]:
    """Positions (among scheduled tasks) of the Lambda invocations of ``function_arn``."""
    name = function_arn.rsplit(":", 1)[-1]
    return [i for i, (kind, _r, params) in enumerate(_scheduled(events))
            if kind == "lambda" and str(params.get("FunctionName", "")).rsplit(":", 1)[-1] == name]


def _updates(events: list[dict[str, Any]]) -> list[int]:
    return [i for i, (kind, resource, _p) in enumerate(_scheduled(events)) if kind == "dynamodb" and resource == "updateItem"]


def _failure(done: dict[str, Any]) -> str:
    error, cause = done.get("error"), (done.get("cause") or "")[:160]
    return f"{done['status']} ({error}: {cause})" if error else str(done["status"])


def _need_machine(lab: Any, fb: Feedback, base: str, step: str, what: str) -> dict[str, Any]:
    return fb.require(_machine(lab, base), f"There is no state machine '{lab.name(base)}' yet.",
                      f"Do exercise {step}: write {what}, then run the cell after it that deploys it.",
                      after=("CreateStateMachine", "UpdateStateMachine"))


def _need_shop(lab: Any, fb: Feedback) -> None:
    try:
        lab.client("dynamodb").describe_table(TableName=lab.name("stock"))
        _function_arn(lab, "charge")
    except ClientError:
        fb.give_up("The lab's stock table and functions are missing.",
                   "Run the notebook's cells from the top (the cell that creates the stock table and functions).")


# ---------------------------------------------------------------------------- 2a: the role
@checker(f"{LAB}.role")
def role(lab: Any, fb: Feedback) -> None:
    """IAM: a role's trust policy names who may assume it; Step Functions checks that states.amazonaws.com
    may (AccessDeniedException otherwise). Least privilege: "grant only the permissions required"."""
    iam = lab.client("iam")
    name = lab.name("fulfilment-role")
    try:
        found = iam.get_role(RoleName=name)["Role"]
    except ClientError:
        found = None
    found = fb.require(found, f"There is no role '{name}' yet.",
                       "Do exercise 2a: iam.create_role(RoleName=ROLE, AssumeRolePolicyDocument=...), then put_role_policy.",
                       after=("CreateRole", "PutRolePolicy"))
    arn, trust = found["Arn"], found.get("AssumeRolePolicyDocument")
    if not any(evaluate(trust, action="sts:AssumeRole", resource=arn, service=who).allowed
               for who in (STATES, f"states.{lab.region}.amazonaws.com")):
        fb.wrong("Its trust policy does not let Step Functions assume it: creating the machine is refused "
                 "(AccessDeniedException).",
                 "In the trust policy (AssumeRolePolicyDocument) allow sts:AssumeRole to the Principal "
                 "{'Service': 'states.amazonaws.com'}.")
        return
    strangers = [who for who in ("lambda.amazonaws.com", "events.amazonaws.com")
                 if evaluate(trust, action="sts:AssumeRole", resource=arn, service=who).allowed]
    if strangers or evaluate(trust, action="sts:AssumeRole", resource=arn, principal_arn="arn:aws:iam::999999999999:root",
                             account="999999999999").allowed:
        fb.wrong(f"Its trust policy lets {', '.join(strangers) or 'any AWS account'} assume it too.",
                 "Trust only the Principal {'Service': 'states.amazonaws.com'}: whoever may assume the role "
                 "gets all its permissions.")
        return
    fb.right("Only Step Functions may assume it.")
    documents = [iam.get_role_policy(RoleName=name, PolicyName=p)["PolicyDocument"]
                 for p in iam.list_role_policies(RoleName=name)["PolicyNames"]]
    attached = [p["PolicyName"] for p in iam.list_attached_role_policies(RoleName=name)["AttachedPolicies"]]
    if attached:
        fb.wrong(f"It has the managed polic{'ies' if len(attached) > 1 else 'y'} {', '.join(attached)} attached.",
                 "Detach managed policies (detach_role_policy): least privilege means an inline policy naming "
                 "exactly the actions and ARNs the machine uses.")
        return
    fb.require(documents or None, "It has no permissions policy.",
               "Give it an inline policy with put_role_policy: lambda:InvokeFunction, dynamodb:UpdateItem, sns:Publish.")
    who = f"role {name}"
    needs = [("lambda:InvokeFunction", _function_arn(lab, key), f"function {FUNCTIONS[key]}") for key in FUNCTIONS]
    needs += [("dynamodb:UpdateItem", _table_arn(lab, "stock"), "the stock table"),
              ("sns:Publish", _topic_arn(lab), "the order-updates topic")]
    missing = [(action, what) for action, resource, what in needs
               if not evaluate_identity(documents, action=action, resource=resource, who=who).allowed]
    if missing:
        fb.wrong("It does not allow " + "; ".join(f"{a} on {w}" for a, w in missing) + ": those tasks would fail "
                 "with an AccessDenied error.",
                 f"Allow {', '.join(sorted({a for a, _w in missing}))} on the ARNs it is used on (FUNCTIONS' values, "
                 "stock.arn, topic_arn).")
        return
    fb.right("It allows what the saga calls: the four functions, the stock table, the topic.")
    other = f"arn:aws:lambda:{lab.region}:{lab.account_id}:function:someone-elses-function"
    too_much = [(a, w) for a, r, w in (
        ("dynamodb:UpdateItem", _table_arn(lab, "payments"), "the payments ledger"),
        ("dynamodb:DeleteTable", _table_arn(lab, "stock"), "the stock table"),
        ("lambda:InvokeFunction", other, "any other function"),
        ("sns:Publish", f"arn:aws:sns:{lab.region}:{lab.account_id}:any-other-topic", "any other topic"),
        ("iam:PassRole", f"arn:aws:iam::{lab.account_id}:role/admin", "any role"),
        ("s3:GetObject", "arn:aws:s3:::any-bucket/any-object", "any S3 object"))
        if evaluate_identity(documents, action=a, resource=r, who=who).allowed]
    if too_much:
        fb.wrong("It also allows " + "; ".join(f"{a} on {w}" for a, w in too_much) + ".",
                 "Least privilege: name exact actions (no '*' in Action) and the exact ARNs (no '*' in Resource).")
        return
    fb.right("It allows nothing else (least privilege).")


# ---------------------------------------------------------------------------- 2b: the workflow
@checker(f"{LAB}.workflow")
def workflow(lab: Any, fb: Feedback) -> None:
    """Service integrations (lambda:invoke, dynamodb:updateItem, sns:publish); DynamoDB's
    ConditionExpression refuses an update whose condition is false (ConditionalCheckFailedException)."""
    _need_shop(lab, fb)
    machine = _need_machine(lab, fb, "fulfilment", "2b", "fulfilment")
    if machine.get("type") != "STANDARD":
        fb.wrong("The fulfilment machine is an EXPRESS machine.",
                 "Make it STANDARD (deploy's default): it waits for days for the warehouse and its 90-day history is "
                 "the order's audit trail; Express keeps no history and runs at most 5 minutes.")
        return
    arn = machine["stateMachineArn"]
    ship = _function_arn(lab, "ship")
    with Shop(lab) as shop:
        sku = shop.sku("MUG", 3)
        happy = shop.order("happy", sku, 2)
        done = _run(lab, arn, happy)
        events = history(lab, done["executionArn"])
        if done["status"] != "SUCCEEDED":
            fb.wrong(f"A valid order for 2 of 3 in stock ended {_failure(done)}.",
                     "Read that execution's history (get_execution_history): the failed state and its error say "
                     "which Parameters to fix.")
            return
        left, money = shop.shelf(sku), shop.money(happy["order_id"])
        if left != 1:
            fb.wrong(f"After an order for 2 of 3, the shelf shows {left}.",
                     "ReserveStock must decrement 'available' of the order's sku by its quantity "
                     "(UpdateExpression SET available = available - :q).")
            return
        if money["charges"] != 1:
            fb.wrong(f"The order was charged {money['charges']} times.",
                     "ChargePayment must invoke FUNCTIONS['charge'] once with the order as Payload.")
            return
        sent = [r for kind, r, _p in _scheduled(events) if kind == "sns"]
        if not sent or not _invoked(events, ship):
            fb.wrong("The order was charged, but " + ("no notification was published" if not sent else
                     "the ship-order function was not invoked") + ".",
                     "ShipAndNotify: a Parallel with a Ship branch (lambda:invoke FUNCTIONS['ship']) and a Notify branch "
                     "(arn:aws:states:::sns:publish to topic_arn).")
            return
        fb.right("A valid order reserves its stock, is charged once, shipped and notified, and succeeds.")
        greedy = shop.order("greedy", sku, 5)
        done = _run(lab, arn, greedy)
        left, money = shop.shelf(sku), shop.money(greedy["order_id"])
        if left is not None and left < 0:
            fb.wrong(f"An order for 5 with 1 on the shelf left the stock at {left}.",
                     "Add a ConditionExpression to ReserveStock (available >= :q): DynamoDB then refuses the update "
                     "with ConditionalCheckFailedException.")
            return
        if done["status"] == "SUCCEEDED" or money["charges"]:
            fb.wrong(f"An order for more than the shelf holds ended {done['status']} and was charged "
                     f"{money['charges']} times.",
                     "The order must stop at ReserveStock when the ConditionExpression fails, before ChargePayment.")
            return
        fb.right("An order for more than the shelf holds fails at ReserveStock: no negative stock, no charge.")
        invalid = shop.order("empty", sku, 0)
        done = _run(lab, arn, invalid)
        if done["status"] == "SUCCEEDED" or shop.money(invalid["order_id"])["attempts"]:
            fb.wrong("An order for 0 items went on to be charged.",
                     "Start with ValidateOrder (invoke FUNCTIONS['validate']): it raises InvalidOrder and stops the "
                     "execution before anything is reserved or charged.")
            return
        fb.right("An invalid order is stopped by ValidateOrder.")
    fb.right("The fulfilment machine is STANDARD.")


# ---------------------------------------------------------------------------- 3: the saga
@checker(f"{LAB}.saga")
def saga(lab: Any, fb: Feedback) -> None:
    """ASL error handling: Retry (ErrorEquals, IntervalSeconds, BackoffRate, MaxAttempts, MaxDelaySeconds,
    JitterStrategy), Catch (ErrorEquals, ResultPath, Next); a Fail state's Error and Cause."""
    _need_shop(lab, fb)
    machine = _need_machine(lab, fb, "fulfilment", "2b", "fulfilment")
    arn = machine["stateMachineArn"]
    refund_fn = _function_arn(lab, "refund")
    with Shop(lab) as shop:
        sku = shop.sku("SAGA", 10)
        declined = shop.order("declined", sku, 1, card=DECLINED)
        done = _run(lab, arn, declined)
        money = shop.money(declined["order_id"])
        if money["attempts"] > 1:
            fb.wrong(f"A declined card was sent to the payment provider {money['attempts']} times (retried).",
                     "Retry only the transient error: ErrorEquals ['ProviderUnavailable'] in ChargePayment's Retry, "
                     "not States.ALL or PaymentDeclined - a declined card stays declined.")
            return
        if done["status"] == "SUCCEEDED":
            fb.wrong("A declined order ended SUCCEEDED: the Catch swallowed the error.",
                     "After compensating, go to a Fail state (Error/Cause, or ErrorPath/CausePath from the caught "
                     "error): the order was not fulfilled.")
            return
        if shop.shelf(sku) != 10:
            fb.wrong(f"After a declined card the shelf shows {shop.shelf(sku)} of 10: the reserved mug was not put back.",
                     "Catch ChargePayment's errors (States.ALL, ResultPath '$.error') and go to ReleaseStock, which "
                     "adds the quantity back (SET available = available + :q).")
            return
        if not done.get("error") or not done.get("cause"):
            fb.wrong(f"The declined order failed with error {done.get('error')!r} and cause {done.get('cause')!r}.",
                     "Give the Fail state an Error and a Cause - ErrorPath '$.error.Error' and CausePath "
                     "'$.error.Cause' pass on the caught error.")
            return
        fb.right(f"A declined card is charged once, its stock released, and the execution fails ({done['error']}).")

        flaky = shop.order("flaky", sku, 1, card=FLAKY)
        done = _run(lab, arn, flaky)
        money = shop.money(flaky["order_id"])
        if done["status"] != "SUCCEEDED":
            fb.wrong(f"An order whose provider was unavailable twice ended {_failure(done)} after "
                     f"{money['attempts']} attempt(s).",
                     "Retry ProviderUnavailable on ChargePayment: MaxAttempts 3 (0 means never retry), "
                     "IntervalSeconds 1, BackoffRate 2.")
            return
        events = history(lab, done["executionArn"])
        stamps = [e["timestamp"] for e in events if e["type"] in ("TaskScheduled", "TaskFailed")]
        waited = (max(stamps) - min(stamps)).total_seconds() if stamps else 0.0
        if waited > MAX_RETRY_SECONDS:
            fb.wrong(f"Its retries took {waited:.0f} s of the execution's time before the charge went through.",
                     f"Keep retries short: IntervalSeconds 1, BackoffRate 2, MaxDelaySeconds 10 (about "
                     f"{MAX_RETRY_SECONDS} s in all at most); an order should not hang for minutes.")
            return
        if money["charges"] != 1:
            fb.wrong(f"The flaky order was charged {money['charges']} times.", "Charge once: retry only ChargePayment.")
            return
        fb.right(f"A flaky provider is retried ({money['attempts']} attempts) and the order succeeds, charged once.")

        far = shop.order("far", sku, 2, country="AQ")
        done = _run(lab, arn, far)
        money, events = shop.money(far["order_id"]), history(lab, done["executionArn"])
        refunds, updates = _invoked(events, refund_fn), _updates(events)
        if done["status"] == "SUCCEEDED":
            fb.wrong("An undeliverable order ended SUCCEEDED.",
                     "Catch ShipAndNotify's errors and compensate, then end in a Fail state.")
            return
        if money["refunds"] != money["charges"]:
            fb.wrong(f"An undeliverable order was charged {money['charges']} and refunded {money['refunds']} times.",
                     "Catch ShipAndNotify's errors (States.ALL, ResultPath '$.error') to RefundPayment "
                     "(invoke FUNCTIONS['refund']), then ReleaseStock.")
            return
        if shop.shelf(sku) != 9:
            fb.wrong(f"After it the shelf shows {shop.shelf(sku)} (expected 9: 10, -1 for the flaky order).",
                     "After RefundPayment go to ReleaseStock, which puts the order's quantity back.")
            return
        if refunds and len(updates) > 1 and refunds[0] > updates[-1]:
            fb.wrong("The stock was released before the payment was refunded.",
                     "Compensate newest first: RefundPayment (undoes the charge) then ReleaseStock (undoes the "
                     "reservation).")
            return
        fb.right("An undeliverable order is refunded, then its stock released, and it fails.")

        greedy = shop.order("greedy", sku, 50)
        done = _run(lab, arn, greedy)
        if shop.shelf(sku) != 9 or shop.money(greedy["order_id"])["attempts"] or done["status"] == "SUCCEEDED":
            fb.wrong(f"An order for 50 of 9 ended {done['status']}, left the shelf at {shop.shelf(sku)} and reached the "
                     f"provider {shop.money(greedy['order_id'])['attempts']} times.",
                     "Catch DynamoDB.ConditionalCheckFailedException on ReserveStock straight to the Fail state "
                     "OutOfStock: nothing was reserved, so nothing is released.")
            return
        fb.right("An out-of-stock order fails without touching the shelf or the card.")


# ---------------------------------------------------------------------------- 4: idempotent start
@checker(f"{LAB}.idempotent")
def idempotent(lab: Any, fb: Feedback, start_order: Any = None) -> None:
    """StartExecution: "Names must be unique for your AWS account, Region, and state machine for 90 days";
    a second start with the same name fails with ExecutionAlreadyExists."""
    fn = fb.answer(start_order, "start_order", "4")
    _need_shop(lab, fb)
    machine = _need_machine(lab, fb, "fulfilment", "2b", "fulfilment")
    arn = machine["stateMachineArn"]
    sfn = lab.client("stepfunctions")
    with Shop(lab) as shop, Probe(lab, fb) as probe:
        order = shop.order("twice", shop.sku("IDEM", 5), 1)
        first = probe.run(fn, arn, order)
        if probe.explain_error(first, "start_order"):
            return
        for page in sfn.get_paginator("list_executions").paginate(stateMachineArn=arn):
            for e in page["executions"]:  # the first start has finished before the duplicate comes
                if order["order_id"] in e["name"]:
                    _settled(lab, e["executionArn"], 5)
        second = probe.run(fn, arn, dict(order))  # a retried request: the same order, after it was fulfilled
        if probe.explain_error(second, "start_order", expected=()):
            if isinstance(second.error, ClientError) and \
                    second.error.response.get("Error", {}).get("Code") == "ExecutionAlreadyExists":
                fb.wrong("The second start of the same order raised ExecutionAlreadyExists.",
                         "Catch sfn.exceptions.ExecutionAlreadyExists and return the existing execution's ARN.")
            return
        runs = []
        for page in sfn.get_paginator("list_executions").paginate(stateMachineArn=arn):
            for e in page["executions"]:
                if e["name"].startswith(order["order_id"]) or order["order_id"] in e["name"]:
                    runs.append(e)
        if not runs:
            others = [e for e in sfn.list_executions(stateMachineArn=arn)["executions"]
                      if json.loads(sfn.describe_execution(executionArn=e["executionArn"]).get("input") or "{}")
                      .get("order_id") == order["order_id"]]
            fb.wrong(f"start_order started {len(others)} executions of one order, none named by its order id.",
                     "Give start_execution the order id as the execution's name: a name can be used only once, so a "
                     "second start fails.")
            return
        for e in runs:
            wait_for_execution(lab, e["executionArn"], timeout=5)
        money = shop.money(order["order_id"])
        if len(runs) > 1 or money["charges"] > 1:
            fb.wrong(f"Starting one order twice made {len(runs)} executions and {money['charges']} charges.",
                     "Name the execution by the order id alone and, on "
                     "ExecutionAlreadyExists, return the existing execution instead of starting another.")
            return
        if runs[0]["name"] != order["order_id"]:
            fb.wrong(f"The execution is named {runs[0]['name']!r}, not by the order id.",
                     "Use the order id itself as the execution's name, with nothing added to it.")
            return
        fb.right("Starting one order twice runs it once and charges it once.")
        if not (isinstance(first.value, str) and first.value == runs[0]["executionArn"]):
            fb.wrong(f"The first call returned {str(first.value)[:80]!r}, not the execution's ARN.",
                     "Return start_execution's executionArn.")
            return
        if second.value != first.value:
            fb.wrong(f"The second call returned {str(second.value)[:80]!r}, not the existing execution's ARN.",
                     "On ExecutionAlreadyExists return the existing execution's ARN (the machine's ARN with "
                     "':stateMachine:' replaced by ':execution:', then ':' and the name).")
            return
        fb.right("Both calls return the one execution's ARN.")


# ---------------------------------------------------------------------------- 5: Map
def _max_in_flight(events: list[dict[str, Any]]) -> int:
    running = most = 0
    for event in sorted(events, key=lambda e: e["id"]):
        if event["type"] == "MapIterationStarted":
            running += 1
            most = max(most, running)
        elif event["type"] in ("MapIterationSucceeded", "MapIterationFailed", "MapIterationAborted"):
            running -= 1
    return most


@checker(f"{LAB}.map")
def map_state(lab: Any, fb: Feedback) -> None:
    """ASL Map state: ItemsPath, ItemProcessor, MaxConcurrency ("0 ... as many as possible"); a failing
    iteration fails the Map unless caught inside the item processor."""
    _need_shop(lab, fb)
    machine = _need_machine(lab, fb, "reserve-items", "5", "reserve_items")
    with Shop(lab) as shop:
        skus = [shop.sku(f"ITEM{i}", 5) for i in range(5)]
        empty = shop.sku("EMPTY", 0)
        basket = {"order_id": f"chk-{shop.run}-basket",
                  "items": [{"sku": s, "quantity": 2} for s in skus[:3]] + [{"sku": empty, "quantity": 1}]
                  + [{"sku": s, "quantity": 2} for s in skus[3:]]}
        done = _run(lab, machine["stateMachineArn"], basket)
        shelves = [shop.shelf(s) for s in skus]
        if done["status"] != "SUCCEEDED":
            fb.wrong(f"A basket with one item out of stock ended {_failure(done)}.",
                     "Catch DynamoDB.ConditionalCheckFailedException inside the ItemProcessor (on ReserveItem) and go "
                     "to a Pass state Backorder, so one missing item does not fail the basket.")
            return
        if shop.shelf(empty) == 0 and any(s == 5 for s in shelves) and any(s == 3 for s in shelves):
            fb.wrong(f"After the basket the shelves show {shelves}: the items after the missing one were never "
                     "reserved (the Map stopped at the first failing item).",
                     "Catch DynamoDB.ConditionalCheckFailedException inside the ItemProcessor (on ReserveItem), not on "
                     "the Map state: each item handles its own failure and the others go on.")
            return
        if shop.shelf(empty) != 0 or any(s != 3 for s in shelves):
            fb.wrong(f"After the basket (2 of each, one SKU empty) the shelves show {shelves} and the empty one "
                     f"{shop.shelf(empty)} (expected 3 each, and 0).",
                     "ReserveItem: decrement the item's sku by its quantity with the ConditionExpression "
                     "available >= :q, as ReserveStock does.")
            return
        try:
            output = json.loads(done.get("output") or "null")
        except ValueError:
            output = None
        if not isinstance(output, list) or len(output) != len(basket["items"]):
            fb.wrong(f"The Map's output is {str(done.get('output'))[:120]}, not one result per item.",
                     "Catch inside the ItemProcessor (on ReserveItem), so that each item ends with its own result: "
                     "one entry per item (and no ResultPath: null on the Map).")
            return
        flags = [(o.get("sku"), bool(o.get("reserved")), bool(o.get("backordered"))) if isinstance(o, dict) else None
                 for o in output]
        wanted = [(i["sku"], i["sku"] != empty, i["sku"] == empty) for i in basket["items"]]
        if flags != wanted:
            fb.wrong(f"The items' results are {output[:3]}...: not {{sku, reserved: true}} / {{sku, backordered: true}}.",
                     "End ReserveItem in a Pass state with Parameters {'sku.$': '$.sku', 'reserved': True}, and "
                     "Backorder with {'sku.$': '$.sku', 'backordered': True}.")
            return
        fb.right("Each item is reserved or backordered; the basket succeeds and no shelf goes negative.")
        most = _max_in_flight(history(lab, done["executionArn"]))
        if most > MAX_CONCURRENCY:
            fb.wrong(f"{most} items were reserved at the same time.",
                     f"Set MaxConcurrency {MAX_CONCURRENCY} on the Map state (0, the default, means all at once).")
            return
        fb.right(f"At most {MAX_CONCURRENCY} items are reserved at a time.")


# ---------------------------------------------------------------------------- 6: task token
def _tokens(lab: Any, url: str, order_ids: set[str], wait: float = 3.0) -> dict[str, tuple[str, str]]:
    """order id -> (task token, receipt handle) of the warehouse messages of ``order_ids`` (left in the queue)."""
    sqs = lab.client("sqs")
    found: dict[str, tuple[str, str]] = {}
    deadline = time.monotonic() + wait
    while time.monotonic() < deadline and set(found) != order_ids:
        for m in sqs.receive_message(QueueUrl=url, MaxNumberOfMessages=10, VisibilityTimeout=0).get("Messages", []):
            try:
                body = json.loads(m["Body"])
            except ValueError:
                continue
            if isinstance(body, dict) and body.get("order_id") in order_ids and "token" in body:
                found[body["order_id"]] = (str(body["token"]), m["ReceiptHandle"])
        time.sleep(0.01)
    return found


@checker(f"{LAB}.callback")
def callback(lab: Any, fb: Feedback, warehouse_answers: Any = None) -> None:
    """Wait for a Callback with Task Token: SendTaskSuccess / SendTaskFailure; TimeoutSeconds and
    HeartbeatSeconds fail the task with States.Timeout."""
    from ..functions import advance

    fn = fb.answer(warehouse_answers, "warehouse_answers", "6")
    machine = _need_machine(lab, fb, "shipment", "6", "shipment")
    sfn, sqs = lab.client("stepfunctions"), lab.client("sqs")
    url = fb.require(next(iter(sqs.list_queues(QueueNamePrefix=lab.name("warehouse")).get("QueueUrls", [])), None),
                     "There is no warehouse queue.", "Run the cell before exercise 6 that creates it.")
    run = uuid.uuid4().hex[:6]
    ids = {k: f"chk-{run}-{k}" for k in ("shipped", "lost", "quiet")}
    started = {k: sfn.start_execution(stateMachineArn=machine["stateMachineArn"], name=v,
                                      input=json.dumps({"order_id": v}))["executionArn"] for k, v in ids.items()}
    try:
        for arn in started.values():  # each task has sent its message and waits
            poll(lambda arn=arn: history(lab, arn), lambda events: any(e["type"] == "TaskSubmitted" for e in events), 3)
        tokens = _tokens(lab, url, set(ids.values()))
        if len(tokens) < 3:
            fb.wrong(f"Only {len(tokens)} of 3 shipments put a message with 'order_id' and 'token' on the warehouse queue.",
                     "AwaitWarehouse: Resource arn:aws:states:::sqs:sendMessage.waitForTaskToken, Parameters QueueUrl "
                     "warehouse_url and MessageBody {'order_id.$': '$.order_id', 'token.$': '$$.Task.Token'}.")
            return
        with Probe(lab, fb) as probe:
            outcome = probe.run(fn, {ids["shipped"]: "TRK-CHECK", ids["lost"]: None})
            if probe.explain_error(outcome, "warehouse_answers"):
                return
        shipped = _settled(lab, started["shipped"], timeout=2)
        lost = _settled(lab, started["lost"], timeout=2)
        if shipped["status"] != "SUCCEEDED" or "TRK-CHECK" not in (shipped.get("output") or ""):
            fb.wrong(f"A shipment the warehouse confirmed ended {_failure(shipped)} with output {shipped.get('output')}.",
                     "For a tracking number call send_task_success(taskToken=<the message's token>, "
                     "output=json.dumps({'tracking': ...})).")
            return
        if lost["status"] != "FAILED" or lost.get("error") != "ShipmentFailed":
            fb.wrong(f"A shipment the warehouse could not make ended {_failure(lost)}.",
                     "For None call send_task_failure(taskToken=..., error='ShipmentFailed', cause=...).")
            return
        fb.right("The warehouse's answers end the waiting tasks: success with the tracking number, failure as ShipmentFailed.")
        if _settled(lab, started["quiet"], timeout=0.3)["status"] != "RUNNING":  # an answer takes a moment to land
            fb.wrong("The shipment of an order warehouse_answers was not given was ended.",
                     "Only answer (and delete) the messages whose order_id is in results; leave the others in the queue.")
            return
        fb.right("Other orders' shipments are left waiting.")
        advance(lab, seconds=HEARTBEAT + 60)
        quiet = _settled(lab, started["quiet"], timeout=1.0)
        if quiet["status"] == "RUNNING":
            fb.wrong("A warehouse that went silent for over an hour was not noticed: the task is still waiting.",
                     "Set HeartbeatSeconds 3600 on AwaitWarehouse: without a heartbeat the task fails with States.Timeout.")
            return
        if quiet.get("error") != "States.Timeout":
            fb.wrong(f"A silent warehouse's shipment ended {_failure(quiet)}.", "Let it fail with States.Timeout.")
            return
        fb.right("A silent warehouse is noticed within the hour (States.Timeout).")
        scheduled = [e["taskScheduledEventDetails"] for e in history(lab, started["quiet"])
                     if e["type"] == "TaskScheduled"]
        limit = scheduled[0].get("timeoutInSeconds") if scheduled else None  # what the task was given, as AWS records it
        if limit is None:
            fb.wrong("The shipment task has no TimeoutSeconds: a warehouse that sends heartbeats but never finishes "
                     "keeps it waiting up to a year.",
                     "Set TimeoutSeconds on AwaitWarehouse: 2 days = 172800 (the whole wait; HeartbeatSeconds is the "
                     "gap between heartbeats).")
            return
        if not TIMEOUT - 3600 <= int(limit) <= TIMEOUT + 3600:
            fb.wrong(f"The shipment task times out after {int(limit) / 3600:g} h.",
                     "TimeoutSeconds is the whole wait: 2 days (172800); HeartbeatSeconds the gap between heartbeats (3600).")
            return
        fb.right("The shipment waits at most 2 days in all (TimeoutSeconds), heartbeats or not.")
    finally:
        for arn in list(started.values()):
            try:
                sfn.stop_execution(executionArn=arn)
            except ClientError:
                pass
        for _t, handle in _tokens(lab, url, set(ids.values()), wait=0.1).values():
            try:
                sqs.delete_message(QueueUrl=url, ReceiptHandle=handle)
            except ClientError:
                pass


# ---------------------------------------------------------------------------- 7: Express refund
@checker(f"{LAB}.express")
def express(lab: Any, fb: Feedback, refund: Any = None) -> None:
    """StartSyncExecution: "Starts a Synchronous Express state machine execution"; its response carries
    status, output, error, cause. Express: at most 5 minutes, no execution history kept."""
    fn = fb.answer(refund, "refund", "7")
    _need_shop(lab, fb)
    machine = _need_machine(lab, fb, "refund", "7", "refund_workflow")
    if machine.get("type") != "EXPRESS":
        fb.wrong(f"The refund machine is {machine.get('type')}.",
                 "Deploy it with machine_type='EXPRESS': a short, synchronous workflow the desk waits for.")
        return
    fb.right("The refund machine is EXPRESS.")
    with Shop(lab) as shop, Probe(lab, fb) as probe:
        sku = shop.sku("REFUND", 4)
        order = shop.order("refund", sku, 2)
        outcome = probe.run(fn, order)
        if probe.explain_error(outcome, "refund"):
            return
        money = shop.money(order["order_id"])
        if outcome.value != "SUCCEEDED":
            fb.wrong(f"refund returned {str(outcome.value)[:80]!r}, not the execution's status.",
                     "Run it with start_sync_execution(stateMachineArn=refund_arn, input=...) and return its 'status' "
                     "(start_execution does not wait for the result).")
            return
        if money["refunds"] != 1 or shop.shelf(sku) != 6:
            fb.wrong(f"A refund of 2 left {money['refunds']} refunds in the ledger and the shelf at {shop.shelf(sku)} of 4.",
                     "refund_workflow: RefundPayment (invoke FUNCTIONS['refund']) then ReleaseStock (add the quantity back).")
            return
        fb.right("refund runs the workflow synchronously: refunded once, stock back, SUCCEEDED.")
