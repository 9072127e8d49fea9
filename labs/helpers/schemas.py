"""Validate an event against a schema in the EventBridge Schema Registry, before sending it.

AWS recommends exactly this (EventBridge user guide, "Amazon EventBridge schemas"): "consider using
JSONSchema format to implement client-side validation so that you can ensure that events sent to
EventBridge conform to the schema ... and then use a JSON schema validator before sending the
associated events." EventBridge itself never rejects an event for not matching a schema, so a
producer that wants a contract has to check it; Lab 3 makes students do that.

``validate_event(lab, registry, schema, event)`` fetches the schema (latest or a given version) with
the ordinary ``schemas`` API, so it works on every backend, and returns a :class:`SchemaCheck` that
lists **every** violation with the JSON path of the offending value, not just the first.

Why the ``jsonschema`` library: it is the reference Python implementation, well maintained, already
a dependency of the notebook tooling (nbformat), and it implements Draft 4, the draft EventBridge's
``JSONSchemaDraft4`` type names, with ``iter_errors`` to report all violations at once.

Schema shapes:

* ``JSONSchemaDraft4``: the document is the schema.
* ``OpenApi3``: EventBridge's AWS and discovered schemas are OpenAPI 3 documents whose
  ``components.schemas`` holds the event's schemas: ``AWSEvent`` (the envelope: ``detail-type``,
  ``source``, ``detail``, ...) referring with ``$ref: "#/components/schemas/<Detail>"`` to the detail
  schema. The root is the only component schema, else ``AWSEvent``, else the one no other component
  refers to. OpenAPI 3.0's ``nullable: true`` becomes a ``"null"`` alternative of the type (it is the
  one OpenAPI keyword that changes what validates).

The event may be a whole EventBridge event (``{"source": ..., "detail-type": ..., "detail": {...}}``),
a ``put_events`` entry (``{"Source", "DetailType", "Detail": "<json>"}``) or a JSON string of either.
A ``put_events`` entry is checked as the event EventBridge would build from it (it fills in ``id``,
``time``, ``account``, ``region``, ``version`` and ``resources``), or, when the schema describes only
the detail, its parsed ``Detail``.
"""

from __future__ import annotations

import copy
import json
import uuid
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any

from botocore.exceptions import ClientError

from .backend import EMULATOR_ACCOUNT
from .errors import LabError, did_you_mean, error_code

ENVELOPE_NAME = "AWSEvent"


@dataclass(frozen=True)
class Violation:
    """One way the event breaks the schema."""

    path: str  #: JSON path of the offending value, e.g. ``$.detail.items[0].qty``
    message: str  #: jsonschema's sentence, e.g. ``'3' is not of type 'integer'``
    keyword: str  #: the schema keyword that failed: ``required``, ``type``, ``enum``, ...

    def __str__(self) -> str:
        return f"{self.path}: {self.message}"


@dataclass
class SchemaCheck:
    """The outcome of :func:`validate_event`: truthy when the event is valid."""

    registry: str
    schema: str
    version: str
    schema_type: str
    violations: list[Violation] = field(default_factory=list)

    @property
    def valid(self) -> bool:
        return not self.violations

    def __bool__(self) -> bool:
        return self.valid

    def __str__(self) -> str:
        head = f"{self.schema} v{self.version} ({self.registry})"
        if self.valid:
            return f"valid: the event matches {head}"
        lines = [f"invalid: {len(self.violations)} problem(s) against {head}"]
        lines += [f"  - {v}" for v in self.violations]
        return "\n".join(lines)


# ---------------------------------------------------------------------------- fetching
def _schemas_client(lab_or_client: Any) -> Any:
    """A ``schemas`` client from a :class:`~labs.helpers.Lab` or a ready boto3 client."""
    if hasattr(lab_or_client, "describe_schema"):
        return lab_or_client
    if hasattr(lab_or_client, "client"):
        return lab_or_client.client("schemas")
    raise LabError(f"validate_event needs a lab or a boto3 'schemas' client, not {type(lab_or_client).__name__}.",
                   "Pass the lab from start_lab(...) or boto3.client('schemas').")


def _fetch(client: Any, registry: str, schema: str, version: str | None) -> dict[str, Any]:
    kwargs = {"RegistryName": registry, "SchemaName": schema}
    if version is not None:
        kwargs["SchemaVersion"] = str(version)
    try:
        return client.describe_schema(**kwargs)
    except ClientError as err:
        if error_code(err) != "NotFoundException":
            raise
    raise _not_found(client, registry, schema, version) from None


def _not_found(client: Any, registry: str, schema: str, version: str | None) -> LabError:
    """Say precisely which of registry, schema or version is missing, and what exists instead."""
    try:
        registries = [r["RegistryName"] for p in client.get_paginator("list_registries").paginate()
                      for r in p["Registries"]]
    except ClientError:
        registries = []
    if registry not in registries:
        return LabError(f"There is no schema registry called '{registry}'.{did_you_mean(registry, registries)}",
                        "Create it first with schemas.create_registry(RegistryName=...), or use one of: "
                        f"{', '.join(registries) or '(none yet)'}.")
    names = [s["SchemaName"] for p in client.get_paginator("list_schemas").paginate(RegistryName=registry)
             for s in p["Schemas"]]
    if schema not in names:
        return LabError(f"Registry '{registry}' has no schema called '{schema}'.{did_you_mean(schema, names)}",
                        "Create it with schemas.create_schema(RegistryName=..., SchemaName=..., "
                        f"Type=..., Content=...); schemas in this registry: {', '.join(names) or '(none yet)'}.")
    versions = [v["SchemaVersion"] for v in client.list_schema_versions(
        RegistryName=registry, SchemaName=schema)["SchemaVersions"]]
    return LabError(f"Schema '{schema}' in '{registry}' has no version {version}.",
                    f"Use one of its versions: {', '.join(versions)} (or leave version=None for the latest).")


# ---------------------------------------------------------------------------- schema shapes
def _refs(node: Any) -> set[str]:
    """Component names referred to as ``#/components/schemas/<name>`` anywhere in ``node``."""
    found: set[str] = set()
    if isinstance(node, dict):
        ref = node.get("$ref")
        if isinstance(ref, str) and ref.startswith("#/components/schemas/"):
            found.add(ref.rsplit("/", 1)[1])
        for value in node.values():
            found |= _refs(value)
    elif isinstance(node, list):
        for value in node:
            found |= _refs(value)
    return found


def _nullable_to_type(node: Any) -> Any:
    """OpenAPI 3.0 ``nullable: true`` as JSON Schema: ``"null"`` added to ``type``."""
    if isinstance(node, list):
        return [_nullable_to_type(v) for v in node]
    if not isinstance(node, dict):
        return node
    out = {k: _nullable_to_type(v) for k, v in node.items() if k != "nullable"}
    if node.get("nullable") is True and "type" in out:
        types = out["type"] if isinstance(out["type"], list) else [out["type"]]
        out["type"] = types + (["null"] if "null" not in types else [])
    return out


def openapi_root(document: dict[str, Any], schema_name: str = "") -> dict[str, Any]:
    """A Draft 4 schema for an OpenAPI 3 event schema: a ``$ref`` to its root component, with the
    components alongside so every ``#/components/schemas/...`` reference resolves."""
    components = (document.get("components") or {}).get("schemas") or {}
    if not components:
        raise LabError("This OpenApi3 schema has no components.schemas, so there is nothing to validate against.",
                       "Put the event's JSON schema under components.schemas.<EventName> (the shape EventBridge's "
                       "discovered schemas use).")
    if len(components) == 1:
        root = next(iter(components))
    elif ENVELOPE_NAME in components:
        root = ENVELOPE_NAME
    else:
        referenced = _refs(components)
        unreferenced = [name for name in components if name not in referenced]
        root = schema_name if schema_name in unreferenced else (unreferenced[0] if len(unreferenced) == 1 else "")
        if not root:
            raise LabError(f"Cannot tell which of {', '.join(components)} describes the whole event.",
                           f"Name the event's own schema '{ENVELOPE_NAME}' or after the schema, and refer to the "
                           "others with $ref.")
    return {"$ref": f"#/components/schemas/{root}",
            "components": {"schemas": _nullable_to_type(copy.deepcopy(components))}}


def _root_properties(schema: dict[str, Any]) -> set[str]:
    node = schema
    ref = schema.get("$ref", "")
    if ref.startswith("#/components/schemas/"):
        node = schema["components"]["schemas"].get(ref.rsplit("/", 1)[1], {})
    return set((node.get("properties") or {}).keys())


# ---------------------------------------------------------------------------- events
def _as_document(event: Any) -> Any:
    if isinstance(event, (str, bytes)):
        try:
            return json.loads(event)
        except ValueError as err:
            raise LabError(f"The event is not valid JSON: {err}.",
                           "Pass a dict, or json.dumps(...) of one.") from None
    return event


def _is_put_events_entry(event: Any) -> bool:
    return isinstance(event, dict) and "Detail" in event and ("DetailType" in event or "Source" in event)


def _parse_detail(entry: dict[str, Any]) -> Any:
    detail = entry.get("Detail")
    if isinstance(detail, str):
        try:
            return json.loads(detail)
        except ValueError as err:
            raise LabError(f"The entry's Detail is not valid JSON: {err}.",
                           "Detail must be a JSON object string: Detail=json.dumps({...}).") from None
    return detail


def envelope_from_entry(entry: dict[str, Any], account: str, region: str) -> dict[str, Any]:
    """The event EventBridge builds from a ``put_events`` entry (AWS "Events Reference", event
    structure: version, id, detail-type, source, account, time, region, resources, detail)."""
    return {
        "version": "0",
        "id": str(uuid.uuid4()),
        "detail-type": entry.get("DetailType"),
        "source": entry.get("Source"),
        "account": account,
        "time": datetime.now(UTC).strftime("%Y-%m-%dT%H:%M:%SZ"),
        "region": region,
        "resources": list(entry.get("Resources", [])),
        "detail": _parse_detail(entry),
    }


def _json_path(parts: Any) -> str:
    path = "$"
    for part in parts:
        path += f"[{part}]" if isinstance(part, int) else f".{part}"
    return path


def check_against(schema: dict[str, Any], document: Any) -> list[Violation]:
    """Every violation of ``schema`` (Draft 4) by ``document``, in path order."""
    from jsonschema import Draft4Validator

    errors = Draft4Validator(schema).iter_errors(document)
    found = [Violation(_json_path(e.absolute_path), e.message, str(e.validator)) for e in errors]
    return sorted(found, key=lambda v: (v.path, v.keyword, v.message))


def validate_event(lab_or_client: Any, registry: str, schema: str, event: Any,
                   version: str | int | None = None) -> SchemaCheck:
    """Check ``event`` against schema ``schema`` of ``registry`` (latest version, or ``version``).

    Raises :class:`LabError` for an unknown registry, schema or version; never for an invalid
    event: the violations are the result.
    """
    client = _schemas_client(lab_or_client)
    described = _fetch(client, registry, schema, None if version is None else str(version))
    try:
        document = json.loads(described["Content"])
    except ValueError as err:  # a registry elsewhere may hold content this emulator would refuse
        raise LabError(f"Schema '{schema}' does not contain valid JSON ({err}).",
                       "Fix the schema with schemas.update_schema(..., Content=json.dumps(...)).") from None
    draft4 = openapi_root(document, schema) if described["Type"] == "OpenApi3" else document

    event = _as_document(event)
    if _is_put_events_entry(event):
        if {"detail", "detail-type"} <= _root_properties(draft4):
            account = getattr(lab_or_client, "account_id", EMULATOR_ACCOUNT)
            region = getattr(lab_or_client, "region", None) or client.meta.region_name
            event = envelope_from_entry(event, account, region)
        else:
            event = _parse_detail(event)
    return SchemaCheck(registry, schema, described["SchemaVersion"], described["Type"],
                       check_against(draft4, event))
