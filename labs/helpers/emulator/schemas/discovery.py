"""Schema discovery: a started discoverer on a bus turns the events put there into OpenAPI 3 schemas.

What AWS documents (EventBridge user guide, "Schema discovery" / "Starting or stopping schema
discovery on event buses"; Schema Registry API reference, Discoverers): "When you turn on schema
discovery for an event bus, the schemas of events sent to the event bus are automatically generated
and added to the registry. If the schema of an event changes, schema discovery will automatically
create a new version of the schema in the registry"; discovered schemas go to the registry
``discovered-schemas`` as type ``OpenApi3``. ``CreateDiscoverer(SourceArn=<bus ARN>)`` answers 201
with ``State`` STARTED; ``StartDiscoverer``/``StopDiscoverer`` switch it; ``CrossAccount`` "Support
discovery of schemas in events sent to the bus from another account" (default true). Discovered
schemas are named ``<source>@<DetailType>`` (the EventBridge event "Schema Version Created" in the
events reference names ``mystore@ReviewCreated`` in ``discovered-schemas``; a detail-type ``userCreated``
from source ``users`` gives ``users@UserCreated``): the detail-type's words joined, each capitalised,
as in AWS's own ``aws.ec2@EC2InstanceStateChangeNotification`` for "EC2 Instance State-change
Notification". The content is the shape AWS generates ("Schema discovery" example): an
``AWSEvent`` envelope with ``x-amazon-events-source`` / ``x-amazon-events-detail-type`` whose
``detail`` refers to a component named like the schema title, nested objects as their own components.

What plain moto 5.2.5 does instead: it has no Schema Registry at all (every schemas call is 404 "Not
yet implemented"); with ``schemas_registry`` alone the discoverer calls are still unanswered.

How the emulator does it: the discoverer calls are added to the registry's HTTP layer and backend;
``EventsBackend.put_events`` is wrapped: each accepted entry (after ``events_cross_account`` decided
which account's bus it reached) is given to the STARTED discoverer of that bus, which writes the
inferred schema into ``discovered-schemas`` (created when first needed) as version 1, and a new
version only when the inferred content differs from the latest one. Discovery is synchronous (AWS
takes minutes); events forwarded by a rule from another bus are not discovered.

Emulator choices where AWS does not document the detail: numbers are ``"type": "number"``, ``null``
values give an empty schema, ``required`` lists a detail object's keys sorted, array items take the
first element's shape; DiscovererId is ``events-event-bus-<bus name>``, one discoverer per bus
(a second is a ConflictException).
"""

from __future__ import annotations

import functools
import json
import re
from dataclasses import dataclass, field
from typing import Any

from ..arns import Arn
from ..patching import Patch

NAME = "schemas_discovery"
REGISTRY = "discovered-schemas"
#: The envelope AWS puts around a discovered detail (its "Schema discovery" example).
ENVELOPE_REQUIRED = ["detail-type", "resources", "detail", "id", "source", "time", "region", "version", "account"]


# ---------------------------------------------------------------------------- inference
def pascal(text: str) -> str:
    """``"Order Placed"`` / ``"order-placed"`` / ``"orderPlaced"`` -> ``OrderPlaced`` (words joined, each
    capitalised, the rest of each word kept as written)."""
    return "".join(word[:1].upper() + word[1:] for word in re.split(r"[^A-Za-z0-9]+", text) if word)


def schema_name(source: str, detail_type: str) -> str:
    return f"{source}@{pascal(detail_type)}"


def _infer(value: Any, name: str, components: dict[str, Any]) -> dict[str, Any]:
    if isinstance(value, bool):
        return {"type": "boolean"}
    if isinstance(value, (int, float)):
        return {"type": "number"}
    if isinstance(value, str):
        return {"type": "string"}
    if isinstance(value, list):
        items = _infer(value[0], name, components) if value else {}
        return {"type": "array", "items": items}
    if isinstance(value, dict):
        component = pascal(name) or "Object"
        properties = {key: _infer(item, key, components) for key, item in value.items()}
        body: dict[str, Any] = {"type": "object"}
        if value:
            body["required"] = sorted(value)
            body["properties"] = dict(sorted(properties.items()))
        components[component] = body
        return {"$ref": f"#/components/schemas/{component}"}
    return {}  # null: nothing to infer


def discovered_schema(source: str, detail_type: str, detail: Any, resources: list[Any]) -> dict[str, Any]:
    """The OpenAPI 3 document schema discovery generates for one event."""
    title = pascal(detail_type) or "Event"
    components: dict[str, Any] = {}
    root = _infer(detail if isinstance(detail, dict) else {}, title, components)
    envelope = {
        "type": "object",
        "required": ENVELOPE_REQUIRED,
        "x-amazon-events-detail-type": detail_type,
        "x-amazon-events-source": source,
        "properties": {
            "detail": root,
            "account": {"type": "string"},
            "detail-type": {"type": "string"},
            "id": {"type": "string"},
            "region": {"type": "string"},
            "resources": {"type": "array", "items": {"type": "string" if resources else "object"}},
            "source": {"type": "string"},
            "time": {"type": "string", "format": "date-time"},
            "version": {"type": "string"},
        },
    }
    return {"openapi": "3.0.0", "info": {"version": "1.0.0", "title": title}, "paths": {},
            "components": {"schemas": {"AWSEvent": envelope, **components}}}


# ---------------------------------------------------------------------------- discoverers
@dataclass
class Discoverer:
    id: str
    arn: str
    source_arn: str
    description: str | None
    cross_account: bool
    tags: dict[str, str] = field(default_factory=dict)
    state: str = "STARTED"

    def describe(self) -> dict[str, Any]:
        out: dict[str, Any] = {"DiscovererArn": self.arn, "DiscovererId": self.id, "SourceArn": self.source_arn,
                               "State": self.state, "CrossAccount": self.cross_account, "Tags": dict(self.tags)}
        if self.description is not None:
            out["Description"] = self.description
        return out


def discoverers(backend: Any) -> dict[str, Discoverer]:
    """The discoverers of one schemas backend (kept on it, so moto's reset forgets them with it)."""
    return backend.__dict__.setdefault("discoverers", {})  # type: ignore[no-any-return]


def create_discoverer(backend: Any, source_arn: str, description: str | None, cross_account: bool | None,
                      tags: dict[str, str] | None) -> Discoverer:
    from .registry import bad_request, conflict

    arn = Arn.parse(source_arn or "")
    if arn.service != "events" or arn.resource_type != "event-bus":
        raise bad_request(f"SourceArn {source_arn!r} is not an event bus ARN.")
    discoverer_id = f"events-event-bus-{arn.resource_name}"
    if discoverer_id in discoverers(backend):
        raise conflict(f"Discoverer for {source_arn} already exists.")
    found = Discoverer(discoverer_id, backend._arn(f"discoverer/{discoverer_id}"), source_arn, description,
                       True if cross_account is None else bool(cross_account), dict(tags or {}))
    discoverers(backend)[discoverer_id] = found
    return found


def discoverer(backend: Any, discoverer_id: str) -> Discoverer:
    from .registry import not_found

    if discoverer_id not in discoverers(backend):
        raise not_found(f"Discoverer {discoverer_id} does not exist.")
    return discoverers(backend)[discoverer_id]


def discover(backend: Any, found: Discoverer, entry: dict[str, Any]) -> None:
    """Write the schema of ``entry`` into ``discovered-schemas``: a new schema, or a new version when
    the shape differs from the latest version."""
    from .registry import Registry, Schema

    try:
        detail = json.loads(entry.get("Detail") or "{}")
    except ValueError:
        return
    source, detail_type = str(entry.get("Source")), str(entry.get("DetailType"))
    content = json.dumps(discovered_schema(source, detail_type, detail, list(entry.get("Resources") or [])))
    registry = backend.registries.get(REGISTRY)
    if registry is None:
        registry = backend.registries[REGISTRY] = Registry(REGISTRY, backend._arn(f"registry/{REGISTRY}"),
                                                           "Auto-discovered event schemas", {})
    name = schema_name(source, detail_type)
    schema = registry.schemas.get(name)
    if schema is None:
        schema = registry.schemas[name] = Schema(REGISTRY, name, backend._arn(f"schema/{REGISTRY}/{name}"), None, {})
    elif schema.latest.content == content:
        return
    schema.add_version("OpenApi3", content)


def on_put_events(backend: Any, events: list[dict[str, Any]], results: list[dict[str, Any]]) -> None:
    """Give every accepted entry to the started discoverer of the bus it reached."""
    from .registry import schemas_backends

    for entry, result in zip(events, results, strict=False):
        if "EventId" not in result:
            continue
        bus = str(entry.get("EventBusName") or "default")
        arn = Arn.parse(bus) if bus.startswith("arn:") else None
        account = (arn.account if arn else "") or backend.account_id
        region = (arn.region if arn else "") or backend.region_name
        name = arn.resource_name if arn else bus
        bus_arn = f"arn:aws:events:{region}:{account}:event-bus/{name}"
        schemas = schemas_backends[account][region]
        for found in discoverers(schemas).values():
            if found.source_arn == bus_arn and found.state == "STARTED" and \
                    (found.cross_account or account == backend.account_id):
                discover(schemas, found, entry)


# ---------------------------------------------------------------------------- HTTP layer
def _add_actions(response: type) -> None:
    from moto.core.responses import ActionResult, EmptyResult

    def create(self: Any) -> Any:
        found = create_discoverer(self.backend, self._get_param("SourceArn"), self._get_param("Description"),
                                  self._get_param("CrossAccount"), self._get_param("Tags"))
        return ActionResult(found.describe())

    def describe(self: Any) -> Any:
        return ActionResult(discoverer(self.backend, self._get_param("DiscovererId")).describe())

    def update(self: Any) -> Any:
        found = discoverer(self.backend, self._get_param("DiscovererId"))
        if self._get_param("Description") is not None:
            found.description = self._get_param("Description")
        if self._get_param("CrossAccount") is not None:
            found.cross_account = bool(self._get_param("CrossAccount"))
        return ActionResult(found.describe())

    def delete(self: Any) -> Any:
        discoverer(self.backend, self._get_param("DiscovererId"))
        del discoverers(self.backend)[self._get_param("DiscovererId")]
        return EmptyResult()

    def listing(self: Any) -> Any:
        from .registry import _page

        id_prefix, arn_prefix = self._get_param("DiscovererIdPrefix") or "", self._get_param("SourceArnPrefix") or ""
        found = [d for key, d in sorted(discoverers(self.backend).items())
                 if key.startswith(id_prefix) and d.source_arn.startswith(arn_prefix)]
        page, token = _page(found, self._int("Limit"), self._get_param("NextToken"))
        result: dict[str, Any] = {"Discoverers": [d.describe() for d in page]}
        for summary in result["Discoverers"]:
            summary.pop("Description", None)
        if token:
            result["NextToken"] = token
        return ActionResult(result)

    def switch(state: str) -> Any:
        def action(self: Any) -> Any:
            found = discoverer(self.backend, self._get_param("DiscovererId"))
            found.state = state
            return ActionResult({"DiscovererId": found.id, "State": found.state})

        return action

    response.create_discoverer = create  # type: ignore[attr-defined]
    response.describe_discoverer = describe  # type: ignore[attr-defined]
    response.update_discoverer = update  # type: ignore[attr-defined]
    response.delete_discoverer = delete  # type: ignore[attr-defined]
    response.list_discoverers = listing  # type: ignore[attr-defined]
    response.start_discoverer = switch("STARTED")  # type: ignore[attr-defined]
    response.stop_discoverer = switch("STOPPED")  # type: ignore[attr-defined]


def _apply() -> None:
    from moto.events.models import EventsBackend

    from . import registry

    discoverer_path = "{0}/v1/discoverers/id/(?P<discovererId>[^/]+)"
    for path in ("{0}/v1/discoverers$", discoverer_path + "$", discoverer_path + "/start$", discoverer_path + "/stop$"):
        if path not in registry.EXTRA_PATHS:
            registry.EXTRA_PATHS.append(path)
    _add_actions(registry.response_class())

    original = EventsBackend.put_events

    @functools.wraps(original)
    def put_events(self: Any, events: list[dict[str, Any]]) -> list[dict[str, Any]]:
        results = original(self, events)
        on_put_events(self, events, results)
        return results

    EventsBackend.put_events = put_events  # type: ignore[method-assign]


PATCH = Patch(
    name=NAME,
    restores="schema discovery: CreateDiscoverer(SourceArn=<bus ARN>) (STARTED), Describe/List/Update/Start/Stop/"
             "DeleteDiscoverer; events put on a bus with a started discoverer give OpenApi3 schemas "
             "<source>@<DetailType> in the discovered-schemas registry, a new version when the event's shape changes",
    plain_moto="no Schema Registry at all: every schemas call answers 404 'Not yet implemented'",
    apply=_apply,
    targets={
        "moto.events.models:EventsBackend.put_events": "c56f6ac1f932",
        "moto.core.responses:BaseResponse._get_action_from_method_and_request_uri": "2642f0e466dc",
    },
)
