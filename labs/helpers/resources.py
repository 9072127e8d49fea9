"""Idempotent "ensure" helpers for the supporting cast of the labs.

A lab teaches one thing; the queues, subscriptions, buses, roles, streams and tables around it are
made here, so that re-running a cell never duplicates or fails: each helper creates what is
missing and updates what differs. The thing being taught is always the student's own boto3 call,
so these helpers are for what a lab *needs but does not teach* (lab 2's subscriber queues, lab 3's
audit bus, the extension labs' tables and streams).

Every call goes through the lab's own clients, so everything made here is tagged, registered and
removed by ``lab.teardown()``; every AWS error comes back as a :class:`LabError` with a fix.
"""

from __future__ import annotations

import json
import time
from dataclasses import dataclass
from typing import Any

from botocore.exceptions import ClientError

from .backend import BackendKind
from .context import Lab
from .errors import LabError, error_code, explained
from .naming import validate_queue_name

FIFO_ONLY_ATTRIBUTES = {"FifoQueue", "ContentBasedDeduplication", "DeduplicationScope", "FifoThroughputLimit"}
#: Attributes SQS fixes at creation; everything else can be changed with set_queue_attributes.
IMMUTABLE_QUEUE_ATTRIBUTES = {"FifoQueue"}


@dataclass(frozen=True)
class QueueRef:
    name: str
    url: str
    arn: str
    dlq: QueueRef | None = None


@dataclass(frozen=True)
class TableRef:
    name: str
    arn: str
    stream_arn: str | None


def _attribute_strings(attributes: dict[str, Any] | None) -> dict[str, str]:
    """SQS and SNS take every attribute value as a string; accept Python ints, bools and dicts too."""
    out: dict[str, str] = {}
    for key, value in (attributes or {}).items():
        if isinstance(value, bool):
            out[key] = "true" if value else "false"
        elif isinstance(value, (dict, list)):
            out[key] = json.dumps(value)
        else:
            out[key] = str(value)
    return out


# --------------------------------------------------------------------------- SQS
def ensure_queue(
    lab: Lab,
    base: str,
    *,
    fifo: bool = False,
    attributes: dict[str, Any] | None = None,
    dlq: bool = False,
    max_receive_count: int = 3,
) -> QueueRef:
    """A queue called ``lab.name(base)`` with ``attributes``, and optionally its dead-letter queue.

    With ``dlq=True`` a queue ``<base>-dlq`` (FIFO if the source is) is ensured first and the
    source gets a RedrivePolicy with ``max_receive_count``; the DLQ's RedriveAllowPolicy allows only
    that source, as AWS recommends.
    """
    attrs = _attribute_strings(attributes)
    fifo = fifo or attrs.get("FifoQueue") == "true"
    name = lab.name(base)
    validate_queue_name(name, fifo=fifo)
    if not fifo and FIFO_ONLY_ATTRIBUTES & attrs.keys():
        wrong = ", ".join(sorted(FIFO_ONLY_ATTRIBUTES & attrs.keys()))
        raise LabError(
            f"{wrong} only apply to FIFO queues, but '{name}' is a standard queue.",
            "Remove those attributes, or make a FIFO queue: fifo=True and a name ending in .fifo.",
        )
    if not 1 <= max_receive_count <= 1000:
        raise LabError(f"max_receive_count={max_receive_count} is out of range.",
                       "SQS accepts a maxReceiveCount from 1 to 1000; 3-5 is typical for a lab.")
    if fifo:
        attrs["FifoQueue"] = "true"
    dead_letter = None
    if dlq:
        dlq_base = f"{base[:-5]}-dlq.fifo" if fifo else f"{base}-dlq"
        dead_letter = ensure_queue(lab, dlq_base, fifo=fifo)
        attrs["RedrivePolicy"] = json.dumps(
            {"deadLetterTargetArn": dead_letter.arn, "maxReceiveCount": str(max_receive_count)})
    sqs = lab.client("sqs")
    with explained(f"create queue '{name}'"):
        try:
            url = sqs.create_queue(QueueName=name, Attributes=attrs)["QueueUrl"]
        except ClientError as err:
            if error_code(err) not in {"QueueAlreadyExists", "QueueNameExists"}:
                raise
            # Same name, other attributes: update in place, as a re-run cell with new settings expects.
            url = sqs.get_queue_url(QueueName=name)["QueueUrl"]
            mutable = {k: v for k, v in attrs.items() if k not in IMMUTABLE_QUEUE_ATTRIBUTES}
            if mutable:
                sqs.set_queue_attributes(QueueUrl=url, Attributes=mutable)
        arn = sqs.get_queue_attributes(QueueUrl=url, AttributeNames=["QueueArn"])["Attributes"]["QueueArn"]
        if dead_letter is not None:
            sqs.set_queue_attributes(QueueUrl=dead_letter.url, Attributes={"RedriveAllowPolicy": json.dumps(
                {"redrivePermission": "byQueue", "sourceQueueArns": [arn]})})
    return QueueRef(name, url, arn, dead_letter)


def _with_statement(policy_text: str | None, statement: dict[str, Any]) -> str:
    """``policy_text`` (a resource policy, or None for none yet) with ``statement`` in it: a statement
    with the same Sid is replaced, so a re-run cell never duplicates it, and every other is kept."""
    policy = json.loads(policy_text or '{"Version": "2012-10-17", "Statement": []}')
    policy["Statement"] = [s for s in policy.get("Statement", []) if s.get("Sid") != statement["Sid"]] + [statement]
    return json.dumps(policy)


def _sid(source_arn: str) -> str:
    """A statement id derived from the source it allows (one statement per source)."""
    return "Allow-" + "".join(ch if ch.isalnum() else "-" for ch in source_arn.split(":", 5)[-1])[:90]


def _allowed_from(service: str, action: str, resource: str, source_arn: str) -> dict[str, Any]:
    return {"Sid": _sid(source_arn), "Effect": "Allow", "Principal": {"Service": service}, "Action": action,
            "Resource": resource, "Condition": {"ArnEquals": {"aws:SourceArn": source_arn}}}


def allow_service_to_send(lab: Lab, queue: QueueRef, service: str, source_arn: str) -> None:
    """Let ``service`` (e.g. ``sns.amazonaws.com``) send to ``queue`` only on behalf of ``source_arn``.

    The queue policy keeps one statement per source (its Sid derives from the source), so calling
    this again for the same source replaces rather than duplicates, and other sources are kept.
    """
    sqs = lab.client("sqs")
    statement = _allowed_from(service, "sqs:SendMessage", queue.arn, source_arn)
    with explained(f"set the access policy of queue '{queue.name}'"):
        current = sqs.get_queue_attributes(QueueUrl=queue.url, AttributeNames=["Policy"]).get("Attributes", {})
        sqs.set_queue_attributes(QueueUrl=queue.url, Attributes={"Policy": _with_statement(current.get("Policy"), statement)})


def allow_service_to_publish(lab: Lab, topic_arn: str, service: str, source_arn: str) -> None:
    """Let ``service`` (e.g. ``events.amazonaws.com``) publish to the topic only on behalf of ``source_arn``.

    Why: an EventBridge rule delivers to an SNS topic only if the topic's access policy allows it
    (EventBridge user guide, "Using resource-based policies": "Amazon SNS permissions"); the default
    topic policy allows only the owner's account. One statement per source, as for queues.
    """
    sns = lab.client("sns")
    statement = _allowed_from(service, "sns:Publish", topic_arn, source_arn)
    with explained(f"set the access policy of topic '{topic_arn.rsplit(':', 1)[-1]}'"):
        current = sns.get_topic_attributes(TopicArn=topic_arn)["Attributes"].get("Policy")
        sns.set_topic_attributes(TopicArn=topic_arn, AttributeName="Policy",
                                 AttributeValue=_with_statement(current, statement))


def allow_service_to_invoke(lab: Lab, function_arn: str, service: str, source_arn: str) -> None:
    """Let ``service`` invoke the function only on behalf of ``source_arn`` (its resource-based policy).

    Why: EventBridge (and SNS) invoke a Lambda target only if the function's policy allows them
    (Lambda developer guide, "Granting function access to AWS services"). Re-running keeps one statement.
    """
    lam = lab.client("lambda")
    with explained(f"allow {service} to invoke '{function_arn.rsplit(':', 1)[-1]}'"):
        try:
            lam.remove_permission(FunctionName=function_arn, StatementId=_sid(source_arn))
        except ClientError as err:
            if error_code(err) != "ResourceNotFoundException":
                raise
        lam.add_permission(FunctionName=function_arn, StatementId=_sid(source_arn), Action="lambda:InvokeFunction",
                           Principal=service, SourceArn=source_arn)


# --------------------------------------------------------------------------- SNS
def ensure_topic(lab: Lab, base: str, *, fifo: bool = False, attributes: dict[str, Any] | None = None) -> str:
    """A topic called ``lab.name(base)``; returns its ARN. FIFO topics need a ``.fifo`` name."""
    name = lab.name(base)
    if fifo != name.endswith(".fifo"):
        raise LabError(f"Topic '{name}': FIFO topics, and only they, must end in '.fifo'.",
                       "Use fifo=True with a name ending in .fifo, or neither.")
    attrs = _attribute_strings(attributes)
    sns = lab.client("sns")
    with explained(f"create topic '{name}'"):
        create_attrs = {"FifoTopic": "true"} if fifo else {}
        arn = sns.create_topic(Name=name, Attributes=create_attrs)["TopicArn"]
        for key, value in attrs.items():
            sns.set_topic_attributes(TopicArn=arn, AttributeName=key, AttributeValue=value)
    return arn


def ensure_queue_subscription(
    lab: Lab,
    topic_arn: str,
    queue: QueueRef,
    *,
    raw: bool = False,
    filter_policy: dict[str, Any] | None = None,
    filter_scope: str = "MessageAttributes",
) -> str:
    """Subscribe ``queue`` to ``topic_arn`` (once) with a queue policy that lets only that topic send.

    Re-running updates RawMessageDelivery and the filter policy of the existing subscription.
    """
    if filter_scope not in {"MessageAttributes", "MessageBody"}:
        raise LabError(f"filter_scope='{filter_scope}' is not an SNS filter policy scope.",
                       "Use 'MessageAttributes' (the default) or 'MessageBody'.")
    allow_service_to_send(lab, queue, "sns.amazonaws.com", topic_arn)
    sns = lab.client("sns")
    wanted = {"RawMessageDelivery": "true" if raw else "false"}
    if filter_policy is not None:
        wanted["FilterPolicy"] = json.dumps(filter_policy)
        wanted["FilterPolicyScope"] = filter_scope
    with explained(f"subscribe queue '{queue.name}' to the topic"):
        existing = [s["SubscriptionArn"] for s in sns.list_subscriptions_by_topic(TopicArn=topic_arn)["Subscriptions"]
                    if s["Protocol"] == "sqs" and s["Endpoint"] == queue.arn]
        if existing:
            arn = existing[0]
            for key, value in wanted.items():
                sns.set_subscription_attributes(SubscriptionArn=arn, AttributeName=key, AttributeValue=value)
        else:
            arn = sns.subscribe(TopicArn=topic_arn, Protocol="sqs", Endpoint=queue.arn,
                                Attributes=wanted, ReturnSubscriptionArn=True)["SubscriptionArn"]
    return arn


# --------------------------------------------------------------------------- EventBridge
def ensure_event_bus(lab: Lab, base: str) -> str:
    """A custom event bus called ``lab.name(base)``; returns its ARN."""
    name = lab.name(base)
    events = lab.client("events")
    with explained(f"create event bus '{name}'"):
        try:
            return events.create_event_bus(Name=name)["EventBusArn"]
        except ClientError as err:
            if error_code(err) != "ResourceAlreadyExistsException":
                raise
            return events.describe_event_bus(Name=name)["Arn"]


def ensure_rule(
    lab: Lab,
    base: str,
    *,
    pattern: dict[str, Any],
    targets: list[dict[str, Any]],
    bus: str = "default",
) -> str:
    """A rule with ``pattern`` on ``bus`` whose targets are exactly ``targets``; returns its ARN.

    SQS, SNS and Lambda targets get the resource policy statement that lets only this rule deliver
    (AWS checks them; the emulator does not, so without this a lab would work here and fail on AWS).
    Step Functions and Kinesis targets need a ``RoleArn`` in the target instead (see ``ensure_role``).
    Targets no longer listed are removed, so the rule always matches what the cell says.
    """
    if not isinstance(pattern, dict) or not pattern:
        raise LabError("An event pattern must be a non-empty dict, e.g. {'source': ['securecart.orders']}.",
                       "Pass pattern= as a Python dict; the helper turns it into JSON.")
    name = lab.name(base)
    events = lab.client("events")
    with explained(f"create rule '{name}' on bus '{bus}'"):
        arn = events.put_rule(Name=name, EventBusName=bus, EventPattern=json.dumps(pattern), State="ENABLED")["RuleArn"]
        for target in targets:  # the access each target's own policy must give the rule, as on AWS
            target_arn = str(target.get("Arn", ""))
            service = target_arn.split(":", 3)[2] if target_arn.count(":") >= 3 else ""
            if service == "sqs":
                queue_name = target_arn.rsplit(":", 1)[-1]
                url = lab.client("sqs").get_queue_url(QueueName=queue_name)["QueueUrl"]
                allow_service_to_send(lab, QueueRef(queue_name, url, target_arn), "events.amazonaws.com", arn)
            elif service == "sns":
                allow_service_to_publish(lab, target_arn, "events.amazonaws.com", arn)
            elif service == "lambda":
                allow_service_to_invoke(lab, target_arn, "events.amazonaws.com", arn)
        current = {t["Id"] for t in events.list_targets_by_rule(Rule=name, EventBusName=bus)["Targets"]}
        stale = current - {t["Id"] for t in targets}
        if stale:
            events.remove_targets(Rule=name, EventBusName=bus, Ids=sorted(stale))
        if targets:
            failed = events.put_targets(Rule=name, EventBusName=bus, Targets=targets).get("FailedEntries", [])
            if failed:
                raise LabError(f"EventBridge did not accept {len(failed)} target(s): {failed}",
                               "Check each target's Arn and Id (Ids must be unique within the rule).")
    return arn


# --------------------------------------------------------------------------- IAM
def ensure_role(lab: Lab, base: str, service: str, statements: list[dict[str, Any]]) -> str:
    """A role that ``service`` (e.g. ``states.amazonaws.com``) can assume, with an inline policy.

    New roles live under the path ``/securecart/``, which groups the course's roles in IAM (the
    sweep and teardown find them by name, like everything else). On real AWS a new role takes a few
    seconds to be usable; the helpers that use one retry for that.
    """
    name = lab.name(base)
    iam = lab.client("iam")
    trust = {"Version": "2012-10-17", "Statement": [
        {"Effect": "Allow", "Principal": {"Service": service}, "Action": "sts:AssumeRole"}]}
    with explained(f"create role '{name}'"):
        try:
            arn = iam.get_role(RoleName=name)["Role"]["Arn"]
            iam.update_assume_role_policy(RoleName=name, PolicyDocument=json.dumps(trust))
        except ClientError as err:
            if error_code(err) != "NoSuchEntity":
                raise
            arn = iam.create_role(RoleName=name, Path="/securecart/",
                                  AssumeRolePolicyDocument=json.dumps(trust))["Role"]["Arn"]
        iam.put_role_policy(RoleName=name, PolicyName="lab-permissions", PolicyDocument=json.dumps(
            {"Version": "2012-10-17", "Statement": statements}))
    return arn


def lab_resource_arns(lab: Lab, service: str) -> str:
    """ARN pattern for every ``service`` resource of this lab (least privilege by name prefix)."""
    partition = "aws-cn" if lab.region.startswith("cn-") else "aws"
    kind = {"dynamodb": "table/", "lambda": "function:", "states": "stateMachine:"}.get(service, "")
    return f"arn:{partition}:{service}:{lab.region}:{lab.account_id}:{kind}{lab.prefix}*"


# --------------------------------------------------------------------------- Step Functions
def ensure_state_machine(
    lab: Lab,
    base: str,
    definition: dict[str, Any] | str,
    *,
    role_arn: str | None = None,
    machine_type: str = "STANDARD",
) -> str:
    """A state machine with ``definition`` (created, or updated in place); returns its ARN.

    Without ``role_arn`` a role is ensured that may use this lab's queues, topics, tables and
    functions, and nothing else.
    """
    text = definition if isinstance(definition, str) else json.dumps(definition)
    try:
        json.loads(text)
    except json.JSONDecodeError as err:
        raise LabError(f"The state machine definition is not valid JSON: {err}",
                       "Pass the definition as a Python dict (the helper turns it into JSON).") from None
    if role_arn is None:
        role_arn = ensure_role(lab, f"{base}-role", "states.amazonaws.com", [{
            "Effect": "Allow",
            "Action": ["sqs:SendMessage", "sns:Publish", "dynamodb:GetItem", "dynamodb:PutItem",
                       "dynamodb:UpdateItem", "dynamodb:DeleteItem", "lambda:InvokeFunction"],
            "Resource": [lab_resource_arns(lab, s) for s in ("sqs", "sns", "dynamodb", "lambda")],
        }])
    name = lab.name(base)
    sfn = lab.client("stepfunctions")
    with explained(f"create state machine '{name}'"):
        for machine in sfn.get_paginator("list_state_machines").paginate():
            for sm in machine["stateMachines"]:
                if sm["name"] == name:
                    sfn.update_state_machine(stateMachineArn=sm["stateMachineArn"], definition=text, roleArn=role_arn)
                    return str(sm["stateMachineArn"])
        return _while_role_propagates(lab, lambda: str(sfn.create_state_machine(
            name=name, definition=text, roleArn=role_arn, type=machine_type)["stateMachineArn"]))


def _while_role_propagates(lab: Lab, create: Any, attempts: int = 10) -> Any:
    """Retry ``create`` while a just-made IAM role is not yet assumable (real AWS only)."""
    for attempt in range(attempts):
        try:
            return create()
        except ClientError as err:
            propagating = error_code(err) in {"AccessDeniedException", "InvalidParameterValueException"} \
                and "role" in str(err).lower()
            if lab.backend.kind is not BackendKind.AWS or not propagating or attempt == attempts - 1:
                raise
            time.sleep(3)
    raise AssertionError("unreachable")


# --------------------------------------------------------------------------- Kinesis and DynamoDB
def _waiter_config(lab: Lab) -> dict[str, float]:
    """Real AWS takes seconds to activate a stream or table; the emulator is ready at once."""
    return {"Delay": 2, "MaxAttempts": 60} if lab.backend.kind is BackendKind.AWS else {"Delay": 0.05, "MaxAttempts": 40}


def ensure_stream(lab: Lab, base: str, *, shards: int = 1) -> str:
    """An ACTIVE Kinesis stream with ``shards`` shards (provisioned mode); returns its ARN."""
    if not 1 <= shards <= 16:
        raise LabError(f"shards={shards} is outside what a lab needs.", "Use 1 to 16 shards; each costs money on AWS.")
    name = lab.name(base)
    kinesis = lab.client("kinesis")
    with explained(f"create stream '{name}'"):
        try:
            kinesis.create_stream(StreamName=name, ShardCount=shards)
        except ClientError as err:
            if error_code(err) != "ResourceInUseException":
                raise
        kinesis.get_waiter("stream_exists").wait(StreamName=name, WaiterConfig=_waiter_config(lab))
        return str(kinesis.describe_stream_summary(StreamName=name)["StreamDescriptionSummary"]["StreamARN"])


def ensure_table(
    lab: Lab,
    base: str,
    *,
    key: str = "id",
    sort_key: str | None = None,
    stream_view: str | None = "NEW_AND_OLD_IMAGES",
) -> TableRef:
    """An on-demand DynamoDB table keyed by string ``key`` (and ``sort_key``), with a stream."""
    views = {None, "KEYS_ONLY", "NEW_IMAGE", "OLD_IMAGE", "NEW_AND_OLD_IMAGES"}
    if stream_view not in views:
        raise LabError(f"stream_view='{stream_view}' is not a DynamoDB stream view type.",
                       "Use NEW_AND_OLD_IMAGES (the default), NEW_IMAGE, OLD_IMAGE, KEYS_ONLY or None.")
    name = lab.name(base)
    ddb = lab.client("dynamodb")
    spec = {"StreamEnabled": True, "StreamViewType": stream_view} if stream_view else {"StreamEnabled": False}
    with explained(f"create table '{name}'"):
        try:
            table = ddb.describe_table(TableName=name)["Table"]
            current = table.get("StreamSpecification", {"StreamEnabled": False})
            if current.get("StreamEnabled", False) != spec["StreamEnabled"] or \
                    current.get("StreamViewType") != spec.get("StreamViewType"):
                if current.get("StreamEnabled"):  # AWS needs the stream off before a new view type
                    ddb.update_table(TableName=name, StreamSpecification={"StreamEnabled": False})
                if spec["StreamEnabled"]:
                    ddb.update_table(TableName=name, StreamSpecification=spec)
        except ClientError as err:
            if error_code(err) != "ResourceNotFoundException":
                raise
            keys = [(key, "HASH")] + ([(sort_key, "RANGE")] if sort_key else [])
            ddb.create_table(
                TableName=name, BillingMode="PAY_PER_REQUEST", StreamSpecification=spec,
                KeySchema=[{"AttributeName": k, "KeyType": t} for k, t in keys],
                AttributeDefinitions=[{"AttributeName": k, "AttributeType": "S"} for k, _ in keys])
        ddb.get_waiter("table_exists").wait(TableName=name, WaiterConfig=_waiter_config(lab))
        table = ddb.describe_table(TableName=name)["Table"]
    return TableRef(name, table["TableArn"], table.get("LatestStreamArn") if stream_view else None)


# --------------------------------------------------------------------------- waiting
from .waiting import wait_for_execution  # noqa: F401 - re-exported: resources.wait_for_execution(lab, arn)
