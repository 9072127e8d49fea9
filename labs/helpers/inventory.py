"""What lab resources exist in an account, and how to delete each kind.

One table of resource kinds, in safe deletion order, serves both a lab's ``teardown()`` (match: the
lab's name prefix or its registry) and the account-wide sweep (match: the course's name root, then
the course tag). Every kind lists through the real AWS API, so it finds resources whoever created
them: the helpers, the student's own boto3 calls, or a previous kernel.
"""

from __future__ import annotations

from collections import Counter, defaultdict
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass, field
from typing import Any

from botocore.client import BaseClient
from botocore.exceptions import BotoCoreError, ClientError

from .errors import error_code

ClientFor = Callable[[str], BaseClient]
NameMatch = Callable[[str, str], bool]  # (kind, name) -> belongs to us?

#: SQS's error code for a queue that does not exist: the query protocol's and the JSON protocol's.
QUEUE_GONE = {"AWS.SimpleQueueService.NonExistentQueue", "QueueDoesNotExist"}
#: Error codes that mean "already gone": teardown tolerates them.
GONE = QUEUE_GONE | {
    "NotFound",
    "NotFoundException",
    "ResourceNotFoundException",
    "StateMachineDoesNotExist",
    "NoSuchEntity",
    "EntityNotFound",
}


@dataclass(frozen=True)
class Resource:
    """One lab resource: ``ref`` is what its delete call needs (URL, ARN, UUID, bus|rule, name)."""

    kind: str
    name: str
    ref: str


@dataclass
class Kind:
    """A kind of resource: how to list the ones that match, delete one, and read its tags."""

    name: str
    service: str
    list_all: Callable[[ClientFor], Iterable[Resource]]
    delete: Callable[[ClientFor, Resource], Any]
    tags: Callable[[ClientFor, Resource], dict[str, str]] | None = None


def _pages(client: BaseClient, op: str, key: str, **kwargs: Any) -> Iterator[Any]:
    """Items under ``key`` across every page, with or without a botocore paginator."""
    if client.can_paginate(op):
        for page in client.get_paginator(op).paginate(**kwargs):
            yield from page.get(key, [])
        return
    method = getattr(client, op)
    while True:
        page = method(**kwargs)
        yield from page.get(key, [])
        token = page.get("NextToken")
        if not token:
            return
        kwargs["NextToken"] = token


def _tags(response: dict[str, Any], key: str = "Tags", k: str = "Key", v: str = "Value") -> dict[str, str]:
    """The tags in a tag-listing response, whichever shape the service answers in: a map
    (SQS, Lambda, Schemas) or a list of ``{Key, Value}`` pairs (``key``/``k``/``v`` name them)."""
    tags = response.get(key) or {}
    return dict(tags) if isinstance(tags, dict) else {item[k]: item[v] for item in tags}


# --------------------------------------------------------------------------- SQS
def _sqs_list(c: ClientFor) -> Iterator[Resource]:
    for url in _pages(c("sqs"), "list_queues", "QueueUrls"):
        yield Resource("sqs-queue", url.rsplit("/", 1)[-1], url)


# --------------------------------------------------------------------------- SNS
def _sns_list(c: ClientFor) -> Iterator[Resource]:
    for topic in _pages(c("sns"), "list_topics", "Topics"):
        yield Resource("sns-topic", topic["TopicArn"].rsplit(":", 1)[-1], topic["TopicArn"])


# --------------------------------------------------------------------------- EventBridge
def _buses(c: ClientFor) -> list[str]:
    return [bus["Name"] for bus in _pages(c("events"), "list_event_buses", "EventBuses")]


def rule_name(bus: str, rule: str) -> str:
    """The name a rule is listed (and registered) under: ``<bus>/<rule>`` on a custom bus, because a
    rule on a lab's own bus belongs to the lab even if its own name does not say so; ``bus`` may be
    the bus's name or its ARN, as EventBusName accepts both."""
    if bus.startswith("arn:"):
        bus = bus.split(":event-bus/", 1)[-1]
    return rule if bus == "default" else f"{bus}/{rule}"


def _rules_list(c: ClientFor) -> Iterator[Resource]:
    for bus in _buses(c):
        for rule in _pages(c("events"), "list_rules", "Rules", EventBusName=bus):
            yield Resource("events-rule", rule_name(bus, rule["Name"]), f"{bus}|{rule['Name']}")


def _rule_delete(c: ClientFor, r: Resource) -> None:
    bus, rule = r.ref.split("|", 1)
    events = c("events")
    ids = [t["Id"] for t in _pages(events, "list_targets_by_rule", "Targets", Rule=rule, EventBusName=bus)]
    if ids:
        events.remove_targets(Rule=rule, EventBusName=bus, Ids=ids, Force=True)
    events.delete_rule(Name=rule, EventBusName=bus, Force=True)


def _events_tags(c: ClientFor, arn: str) -> dict[str, str]:
    return _tags(c("events").list_tags_for_resource(ResourceARN=arn))


def _rule_tags(c: ClientFor, r: Resource) -> dict[str, str]:
    bus, rule = r.ref.split("|", 1)
    return _events_tags(c, c("events").describe_rule(Name=rule, EventBusName=bus)["Arn"])


def _archives_list(c: ClientFor) -> Iterator[Resource]:
    for archive in _pages(c("events"), "list_archives", "Archives"):
        yield Resource("events-archive", archive["ArchiveName"], archive["ArchiveName"])


def _bus_list(c: ClientFor) -> Iterator[Resource]:
    for bus in _pages(c("events"), "list_event_buses", "EventBuses"):
        if bus["Name"] != "default":
            yield Resource("events-bus", bus["Name"], bus["Arn"])


# --------------------------------------------------------------------------- Step Functions
def _sfn_list(c: ClientFor) -> Iterator[Resource]:
    for sm in _pages(c("stepfunctions"), "list_state_machines", "stateMachines"):
        yield Resource("sfn-state-machine", sm["name"], sm["stateMachineArn"])


# --------------------------------------------------------------------------- Lambda
def _esm_list(c: ClientFor) -> Iterator[Resource]:
    for esm in _pages(c("lambda"), "list_event_source_mappings", "EventSourceMappings"):
        function = esm.get("FunctionArn", "").rsplit(":", 1)[-1]
        yield Resource("lambda-event-source-mapping", function, esm["UUID"])


def _function_list(c: ClientFor) -> Iterator[Resource]:
    for fn in _pages(c("lambda"), "list_functions", "Functions"):
        yield Resource("lambda-function", fn["FunctionName"], fn["FunctionArn"])


# --------------------------------------------------------------------------- streams and tables
def _stream_list(c: ClientFor) -> Iterator[Resource]:
    kinesis = c("kinesis")
    for summary in _pages(kinesis, "list_streams", "StreamSummaries"):
        yield Resource("kinesis-stream", summary["StreamName"], summary["StreamARN"])


def _table_list(c: ClientFor) -> Iterator[Resource]:
    for table in _pages(c("dynamodb"), "list_tables", "TableNames"):
        yield Resource("dynamodb-table", table, table)


def _table_tags(c: ClientFor, r: Resource) -> dict[str, str]:
    arn = c("dynamodb").describe_table(TableName=r.ref)["Table"]["TableArn"]
    return _tags(c("dynamodb").list_tags_of_resource(ResourceArn=arn))


# --------------------------------------------------------------------------- schema registry
def _registry_list(c: ClientFor) -> Iterator[Resource]:
    for reg in _pages(c("schemas"), "list_registries", "Registries"):
        if not reg["RegistryName"].startswith("aws."):
            yield Resource("schemas-registry", reg["RegistryName"], reg["RegistryName"])


def _registry_delete(c: ClientFor, r: Resource) -> None:
    schemas = c("schemas")
    for schema in list(_pages(schemas, "list_schemas", "Schemas", RegistryName=r.ref)):
        schemas.delete_schema(RegistryName=r.ref, SchemaName=schema["SchemaName"])
    schemas.delete_registry(RegistryName=r.ref)


def _discoverer_list(c: ClientFor) -> Iterator[Resource]:
    for found in _pages(c("schemas"), "list_discoverers", "Discoverers"):
        bus = str(found.get("SourceArn", "")).rsplit("/", 1)[-1]  # named after the bus it watches
        yield Resource("schemas-discoverer", bus, found["DiscovererId"])


#: The course's event sources all start with this; their discovered schemas are named "<source>@<DetailType>".
COURSE_SOURCES = "securecart."


def _discoverer_delete(c: ClientFor, r: Resource) -> None:
    """The discoverer, the schemas it wrote for the course's sources into the ``discovered-schemas``
    registry, and that registry if nothing else is left in it (AWS makes it again when a discoverer
    next needs it; another team's discovered schemas keep it alive)."""
    schemas = c("schemas")
    schemas.delete_discoverer(DiscovererId=r.ref)
    try:
        for schema in list(_pages(schemas, "list_schemas", "Schemas", RegistryName="discovered-schemas")):
            if schema["SchemaName"].startswith(COURSE_SOURCES):
                schemas.delete_schema(RegistryName="discovered-schemas", SchemaName=schema["SchemaName"])
        if not list(_pages(schemas, "list_schemas", "Schemas", RegistryName="discovered-schemas")):
            schemas.delete_registry(RegistryName="discovered-schemas")
    except ClientError as err:
        if error_code(err) not in GONE:
            raise


# --------------------------------------------------------------------------- IAM and logs
def _role_list(c: ClientFor) -> Iterator[Resource]:
    for role in _pages(c("iam"), "list_roles", "Roles"):
        yield Resource("iam-role", role["RoleName"], role["RoleName"])


def _role_delete(c: ClientFor, r: Resource) -> None:
    iam = c("iam")
    for policy in list(_pages(iam, "list_attached_role_policies", "AttachedPolicies", RoleName=r.ref)):
        iam.detach_role_policy(RoleName=r.ref, PolicyArn=policy["PolicyArn"])
    for name in list(_pages(iam, "list_role_policies", "PolicyNames", RoleName=r.ref)):
        iam.delete_role_policy(RoleName=r.ref, PolicyName=name)
    iam.delete_role(RoleName=r.ref)


def _log_group_list(c: ClientFor) -> Iterator[Resource]:
    for prefix in ("/aws/lambda/", "/aws/vendedlogs/states/", "/aws/events/"):
        for group in _pages(c("logs"), "describe_log_groups", "logGroups", logGroupNamePrefix=prefix):
            name = group["logGroupName"]
            yield Resource("logs-group", name[len(prefix):], name)


#: Deletion order: what refers to something comes before what it refers to.
KINDS: list[Kind] = [
    Kind("lambda-event-source-mapping", "lambda", _esm_list,
         lambda c, r: c("lambda").delete_event_source_mapping(UUID=r.ref)),
    Kind("events-rule", "events", _rules_list, _rule_delete, _rule_tags),
    Kind("events-archive", "events", _archives_list,
         lambda c, r: c("events").delete_archive(ArchiveName=r.ref)),
    Kind("events-bus", "events", _bus_list,
         lambda c, r: c("events").delete_event_bus(Name=r.name),
         lambda c, r: _events_tags(c, r.ref)),
    Kind("sfn-state-machine", "stepfunctions", _sfn_list,
         lambda c, r: c("stepfunctions").delete_state_machine(stateMachineArn=r.ref),
         lambda c, r: _tags(c("stepfunctions").list_tags_for_resource(resourceArn=r.ref), "tags", "key", "value")),
    Kind("lambda-function", "lambda", _function_list,
         lambda c, r: c("lambda").delete_function(FunctionName=r.ref),
         lambda c, r: _tags(c("lambda").list_tags(Resource=r.ref))),
    Kind("logs-group", "logs", _log_group_list,
         lambda c, r: c("logs").delete_log_group(logGroupName=r.ref)),
    Kind("sns-topic", "sns", _sns_list,
         lambda c, r: c("sns").delete_topic(TopicArn=r.ref),
         lambda c, r: _tags(c("sns").list_tags_for_resource(ResourceArn=r.ref))),
    Kind("sqs-queue", "sqs", _sqs_list,
         lambda c, r: c("sqs").delete_queue(QueueUrl=r.ref),
         lambda c, r: _tags(c("sqs").list_queue_tags(QueueUrl=r.ref))),
    Kind("kinesis-stream", "kinesis", _stream_list,
         lambda c, r: c("kinesis").delete_stream(StreamName=r.name, EnforceConsumerDeletion=True),
         lambda c, r: _tags(c("kinesis").list_tags_for_stream(StreamName=r.name))),
    Kind("dynamodb-table", "dynamodb", _table_list,
         lambda c, r: c("dynamodb").delete_table(TableName=r.ref), _table_tags),
    Kind("schemas-discoverer", "schemas", _discoverer_list, _discoverer_delete),
    Kind("schemas-registry", "schemas", _registry_list, _registry_delete,
         lambda c, r: _tags(c("schemas").list_tags_for_resource(
             ResourceArn=c("schemas").describe_registry(RegistryName=r.ref)["RegistryArn"]))),
    Kind("iam-role", "iam", _role_list, _role_delete,
         lambda c, r: _tags(c("iam").list_role_tags(RoleName=r.ref))),
]
KIND_NAMES = [k.name for k in KINDS]
#: Each kind by its name, for what arrives as a :class:`Resource` (whose ``kind`` is the name).
KIND_BY_NAME = {k.name: k for k in KINDS}


def _unavailable(err: ClientError) -> bool:
    """The backend does not offer this service at all (an emulator without it), as opposed to an
    AWS error about the request: moto answers 404 "Not yet implemented", a moto server or
    LocalStack an unparsable 500/501 page (botocore then reports the status as the error code)."""
    error = err.response.get("Error", {})
    code, message = str(error.get("Code", "")), str(error.get("Message", "")).lower()
    status = err.response.get("ResponseMetadata", {}).get("HTTPStatusCode")
    return (status in (404, 501) and "not yet implemented" in message) or \
        code in {"NotImplemented", "InternalFailure", "500", "501"}


def why(err: BaseException) -> str:
    """``"Code: message"`` of an AWS error answer, ``"ErrorType: message"`` of anything else."""
    if isinstance(err, ClientError):
        error = err.response.get("Error", {})
        return f"{error_code(err) or 'Error'}: {error.get('Message', '')}".rstrip(": ")
    return f"{type(err).__name__}: {err}".rstrip(": ")


@dataclass
class Listing:
    """The matching resources of each kind, the kinds this backend does not offer (``skipped``)
    and the kinds whose listing failed (``failed``), each with why."""

    resources: list[Resource] = field(default_factory=list)
    skipped: dict[str, str] = field(default_factory=dict)
    failed: dict[str, str] = field(default_factory=dict)

    def by_kind(self) -> dict[str, int]:
        return _count_kinds(self.resources)


def _count_kinds(resources: Iterable[Resource]) -> dict[str, int]:
    """How many resources of each kind, kinds in the order they first appear (deletion order)."""
    return dict(Counter(r.kind for r in resources))


#: What a listing or a deletion can raise that must not stop the others: an error answer, a
#: botocore failure (unreachable endpoint, unparsable response), a moto gap, or a response missing
#: a key the listing reads (an emulator answering in a shape of its own).
_TOLERATED = (ClientError, BotoCoreError, NotImplementedError, KeyError, TypeError, ValueError)


def find(client_for: ClientFor, match: NameMatch) -> Listing:
    """List, kind by kind in deletion order, every resource whose name ``match`` accepts.

    A kind whose listing fails is recorded in ``failed`` (with why) and the next kind is listed:
    one service answering with an error must not hide every other service's resources. What a
    listing yielded before it failed (a later page failed) is kept.
    """
    listing = Listing()
    for kind in KINDS:
        try:
            for resource in kind.list_all(client_for):
                if match(kind.name, resource.name):
                    listing.resources.append(resource)
        except ClientError as err:
            if _unavailable(err):
                listing.skipped[kind.name] = "not offered by this backend"
            else:
                listing.failed[kind.name] = why(err)
        except NotImplementedError:
            listing.skipped[kind.name] = "not offered by this backend"
        except _TOLERATED as err:
            listing.failed[kind.name] = why(err)
    return listing


@dataclass
class DeleteReport:
    """What a teardown or sweep did, resource by resource: ``failed`` are deletions that raised
    (with why), ``unlisted`` the kinds that could not even be listed (with why: nothing of them
    could be deleted), ``left`` what a listing after the deletions still found."""

    deleted: list[Resource] = field(default_factory=list)
    already_gone: list[Resource] = field(default_factory=list)
    failed: list[tuple[Resource, str]] = field(default_factory=list)
    left: list[Resource] = field(default_factory=list)
    unlisted: dict[str, str] = field(default_factory=dict)

    @property
    def complete(self) -> bool:
        """Everything found was deleted, every kind could be listed, and nothing is left."""
        return not (self.failed or self.unlisted or self.left)

    def problems(self) -> dict[str, list[str]]:
        """Per service (in deletion order), what could not be listed or deleted, and why."""
        out: dict[str, list[str]] = defaultdict(list)
        for kind in KINDS:
            if kind.name in self.unlisted:
                out[kind.service].append(f"could not list {kind.name}: {self.unlisted[kind.name]}")
            out[kind.service].extend(f"{r.kind} {r.name}: {reason}" for r, reason in self.failed if r.kind == kind.name)
        return {service: lines for service, lines in out.items() if lines}

    def summary(self) -> str:
        parts = ", ".join(f"{n} {kind}" for kind, n in _count_kinds(self.deleted).items()) or "nothing to delete"
        text = f"Deleted {len(self.deleted)} resource(s): {parts}."
        if self.complete:
            return text + " Nothing of this lab is left."
        problems = self.problems()
        if problems:
            text += "\nNot deleted, per service:" + "".join(
                f"\n  {service}: " + "; ".join(lines) for service, lines in problems.items())
        if self.left:
            text += f"\nStill present: {', '.join(r.kind + ' ' + r.name for r in self.left)}."
        return text

    def __repr__(self) -> str:
        return self.summary()


def delete_all(client_for: ClientFor, resources: Iterable[Resource]) -> DeleteReport:
    """Delete in the given order (``find`` yields deletion order), tolerating what is already gone.

    A deletion that fails is recorded (with why) and the next resource is deleted: whatever one
    service answers, every other resource is still tried.
    """
    report = DeleteReport()
    for resource in resources:
        try:
            KIND_BY_NAME[resource.kind].delete(client_for, resource)
            report.deleted.append(resource)
        except ClientError as err:
            if error_code(err) in GONE:
                report.already_gone.append(resource)
            else:
                report.failed.append((resource, why(err)))
        except _TOLERATED as err:
            report.failed.append((resource, why(err)))
    return report
