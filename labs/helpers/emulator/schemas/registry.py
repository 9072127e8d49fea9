"""EventBridge Schema Registry (the ``schemas`` client) as a moto-style backend.

AWS (Schema Registry API reference, "Welcome"): "The Amazon EventBridge Schema Registry allows you
to discover, create, and manage OpenAPI schemas for events on EventBridge." Registries are
containers of schemas; a schema has type ``OpenApi3`` or ``JSONSchemaDraft4`` and versions
("1", "2", ...): updating its content publishes a new version and keeps the old ones. moto 5.2.5 has
no backend for the service at all and answers every call ``404 Not yet implemented``, so the lab
step "publish the OrderPlaced contract and validate events against it" could not run.

How it is wired into moto, so that BOTH the in-process ``mock_aws`` and a moto server route
``schemas`` requests here:

* moto finds a service's backend by name: ``moto.backends.get_backend("schemas")`` imports the
  module ``moto.schemas`` and reads its ``schemas_backends`` attribute. We register a small module
  object under that name in ``sys.modules`` (nothing is written into moto's installed files).
* moto maps request URLs to service names through ``moto.backend_index.backend_url_patterns``; the
  botocore stubber (in-process) and the server's host dispatcher (which turns the SigV4 signing
  name ``schemas`` into the host ``schemas.<region>.amazonaws.com``) both read that same list, so
  one appended pattern routes both.
* The backend lives in a :class:`~moto.core.base_backend.BackendDict`, so ``mock_aws`` resets, the
  server's ``/moto-api/reset`` and :func:`labs.helpers.backend.reset_embedded_emulator` forget it
  with every other service.
* Requests are parsed and responses serialized by moto's own machinery from botocore's service
  model (``automated_parameter_parsing`` and ``ActionResult``), so shapes, status codes (201, 204)
  and JSON names (``tags``) are exactly what the model says.

Errors are the modelled ones: ``NotFoundException`` (404) for an unknown registry, schema or version,
``ConflictException`` (409) for a name that already exists, ``BadRequestException`` (400) for content
that is not valid JSON or not a schema of the declared type.

Emulator choices where AWS does not document the detail: deleting a registry also deletes its
schemas; ``UpdateSchema`` with the same content and type as the latest version changes only the
description (no new version); version numbers are never reused after ``DeleteSchemaVersion``.
"""

from __future__ import annotations

import functools
import json
import re
import sys
import types
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any

from moto.core.base_backend import BackendDict, BaseBackend

from ..patching import Patch
from ..routes import add_host

NAME = "schemas_registry"
SERVICE = "schemas"
URL_BASE = r"https?://schemas\.(.+)\.amazonaws\.com"
SCHEMA_TYPES = ("OpenApi3", "JSONSchemaDraft4")
#: AWS's built-in registries start with "aws." (aws.events); those names are reserved.
RESERVED_PREFIX = "aws."
NAME_PATTERN = re.compile(r"^[.\-_A-Za-z0-9]{1,64}$")
DEFAULT_PAGE = 100


# ---------------------------------------------------------------------------- errors
def _error_class(code: str) -> type[Exception]:
    from moto.core.exceptions import ServiceException

    return type(code, (ServiceException,), {"code": code})


def not_found(message: str) -> Exception:
    return _error_class("NotFoundException")(message)


def conflict(message: str) -> Exception:
    return _error_class("ConflictException")(message)


def bad_request(message: str) -> Exception:
    return _error_class("BadRequestException")(message)


# ---------------------------------------------------------------------------- model
def _now() -> datetime:
    return datetime.now(UTC)


@dataclass
class SchemaVersion:
    version: str
    type: str
    content: str
    created: datetime


@dataclass
class Schema:
    """One schema and all its versions (oldest first)."""

    registry: str
    name: str
    arn: str
    description: str | None
    tags: dict[str, str]
    versions: list[SchemaVersion] = field(default_factory=list)
    last_modified: datetime = field(default_factory=_now)
    next_version: int = 1

    def add_version(self, schema_type: str, content: str) -> SchemaVersion:
        version = SchemaVersion(str(self.next_version), schema_type, content, _now())
        self.next_version += 1
        self.versions.append(version)
        self.last_modified = version.created
        return version

    @property
    def latest(self) -> SchemaVersion:
        return self.versions[-1]

    def version(self, wanted: str | None) -> SchemaVersion:
        if wanted in (None, "", "latest"):
            return self.latest
        for version in self.versions:
            if version.version == wanted:
                return version
        raise not_found(f"Schema version {wanted} of schema {self.name} does not exist in registry {self.registry}.")

    def describe(self, version: SchemaVersion) -> dict[str, Any]:
        out: dict[str, Any] = {
            "Content": version.content,
            "LastModified": self.last_modified,
            "SchemaArn": self.arn,
            "SchemaName": self.name,
            "SchemaVersion": version.version,
            "Tags": dict(self.tags),
            "Type": version.type,
            "VersionCreatedDate": version.created,
        }
        if self.description is not None:
            out["Description"] = self.description
        return out


@dataclass
class Registry:
    name: str
    arn: str
    description: str | None
    tags: dict[str, str]
    schemas: dict[str, Schema] = field(default_factory=dict)

    def describe(self) -> dict[str, Any]:
        out: dict[str, Any] = {"RegistryArn": self.arn, "RegistryName": self.name, "Tags": dict(self.tags)}
        if self.description is not None:
            out["Description"] = self.description
        return out


def check_content(schema_type: str | None, content: str | None) -> None:
    """Refuse content AWS would refuse: not JSON, or not a schema of the declared type.

    ``jsonschema`` checks Draft 4 documents against the Draft 4 meta-schema; an OpenAPI 3 document
    must say ``"openapi": "3..."`` (the shape of EventBridge's own AWS and discovered schemas).
    """
    if schema_type not in SCHEMA_TYPES:
        raise bad_request(f"Type must be one of {', '.join(SCHEMA_TYPES)}, not {schema_type!r}.")
    try:
        document = json.loads(content or "")
    except ValueError as err:
        raise bad_request(f"Content is not valid JSON: {err}.") from None
    if not isinstance(document, dict):
        raise bad_request("Content must be a JSON object.")
    if schema_type == "JSONSchemaDraft4":
        from jsonschema import Draft4Validator
        from jsonschema.exceptions import SchemaError

        try:
            Draft4Validator.check_schema(document)
        except SchemaError as err:
            raise bad_request(f"Content is not a valid JSON Schema Draft 4 document: {err.message}.") from None
    elif not str(document.get("openapi", "")).startswith("3"):
        raise bad_request('Content of type OpenApi3 must be an OpenAPI 3 document ("openapi": "3.0.0").')


def _page(items: list[Any], limit: int | None, token: str | None) -> tuple[list[Any], str | None]:
    """Slice ``items`` for Limit/NextToken pagination (the token is the next start index)."""
    try:
        start = int(token) if token else 0
    except ValueError:
        raise bad_request("The NextToken is not valid.") from None
    size = limit if limit and limit > 0 else DEFAULT_PAGE
    end = start + size
    return items[start:end], (str(end) if end < len(items) else None)


class SchemasBackend(BaseBackend):
    """Registries and schemas of one account in one region."""

    def __init__(self, region_name: str, account_id: str) -> None:
        super().__init__(region_name, account_id)
        self.registries: dict[str, Registry] = {}

    @property
    def _url_module(self) -> Any:
        """moto derives ``<package>.urls`` from the class's module; ours keeps them here."""
        return types.SimpleNamespace(url_bases=[URL_BASE], url_paths=url_paths())

    def _arn(self, resource: str) -> str:
        return f"arn:{self.partition}:schemas:{self.region_name}:{self.account_id}:{resource}"

    # ------------------------------------------------------------------ registries
    def registry(self, name: str) -> Registry:
        if name not in self.registries:
            raise not_found(f"Registry with name {name} does not exist.")
        return self.registries[name]

    def create_registry(self, name: str, description: str | None, tags: dict[str, str] | None) -> Registry:
        if not NAME_PATTERN.match(name or "") or name.startswith(RESERVED_PREFIX):
            raise bad_request(f"Registry name {name!r} is not valid: use up to 64 letters, digits, '.', '-' "
                              f"or '_', not starting with '{RESERVED_PREFIX}'.")
        if name in self.registries:
            raise conflict(f"Registry with name {name} already exists.")
        registry = Registry(name, self._arn(f"registry/{name}"), description, dict(tags or {}))
        self.registries[name] = registry
        return registry

    def update_registry(self, name: str, description: str | None) -> Registry:
        registry = self.registry(name)
        registry.description = description
        return registry

    def delete_registry(self, name: str) -> None:
        self.registry(name)
        del self.registries[name]

    def list_registries(self, prefix: str | None, scope: str | None) -> list[Registry]:
        if scope == "AWS":  # the built-in aws.events registry is not emulated
            return []
        return [r for name, r in sorted(self.registries.items()) if name.startswith(prefix or "")]

    # ------------------------------------------------------------------ schemas
    def schema(self, registry: str, name: str) -> Schema:
        schemas = self.registry(registry).schemas
        if name not in schemas:
            raise not_found(f"Schema with name {name} does not exist in registry {registry}.")
        return schemas[name]

    def create_schema(self, registry: str, name: str, schema_type: str, content: str,
                      description: str | None, tags: dict[str, str] | None) -> tuple[Schema, SchemaVersion]:
        reg = self.registry(registry)
        if not NAME_PATTERN.match(name or ""):
            raise bad_request(f"Schema name {name!r} is not valid: use up to 64 letters, digits, '.', '-' or '_'.")
        if name in reg.schemas:
            raise conflict(f"Schema with name {name} already exists in registry {registry}.")
        check_content(schema_type, content)
        schema = Schema(registry, name, self._arn(f"schema/{registry}/{name}"), description, dict(tags or {}))
        version = schema.add_version(schema_type, content)
        reg.schemas[name] = schema
        return schema, version

    def update_schema(self, registry: str, name: str, schema_type: str | None, content: str | None,
                      description: str | None) -> tuple[Schema, SchemaVersion]:
        schema = self.schema(registry, name)
        latest = schema.latest
        new_type, new_content = schema_type or latest.type, content if content is not None else latest.content
        if description is not None:
            schema.description = description
            schema.last_modified = _now()
        if (new_type, new_content) == (latest.type, latest.content):
            return schema, latest
        check_content(new_type, new_content)
        return schema, schema.add_version(new_type, new_content)

    def delete_schema(self, registry: str, name: str) -> None:
        self.schema(registry, name)
        del self.registries[registry].schemas[name]

    def delete_schema_version(self, registry: str, name: str, version: str) -> None:
        schema = self.schema(registry, name)
        schema.versions.remove(schema.version(version))
        if not schema.versions:  # nothing left to describe: the schema is gone with its last version
            del self.registries[registry].schemas[name]

    def list_schemas(self, registry: str, prefix: str | None) -> list[Schema]:
        schemas = self.registry(registry).schemas
        return [s for name, s in sorted(schemas.items()) if name.startswith(prefix or "")]

    # ------------------------------------------------------------------ tags
    def tagged(self, arn: str) -> Registry | Schema:
        for registry in self.registries.values():
            if registry.arn == arn:
                return registry
            for schema in registry.schemas.values():
                if schema.arn == arn:
                    return schema
        raise not_found(f"Resource {arn} does not exist.")


#: moto's per-account, per-region container; reset with every other moto backend.
schemas_backends: Any = BackendDict(SchemasBackend, SERVICE)


# ---------------------------------------------------------------------------- HTTP layer
def _response_class() -> type:
    from moto.core.responses import ActionResult, BaseResponse, EmptyResult

    class SchemasResponse(BaseResponse):
        """One method per API action; moto parses the request from botocore's model."""

        def __init__(self) -> None:
            super().__init__(service_name=SERVICE)
            self.automated_parameter_parsing = True

        @property
        def backend(self) -> SchemasBackend:
            return schemas_backends[self.current_account][self.region]

        def _int(self, name: str) -> int | None:
            value = self._get_param(name)
            return int(value) if value not in (None, "") else None

        # registries
        def create_registry(self) -> Any:
            reg = self.backend.create_registry(self._get_param("RegistryName"), self._get_param("Description"),
                                               self._get_param("Tags"))
            return ActionResult(reg.describe())

        def describe_registry(self) -> Any:
            return ActionResult(self.backend.registry(self._get_param("RegistryName")).describe())

        def update_registry(self) -> Any:
            reg = self.backend.update_registry(self._get_param("RegistryName"), self._get_param("Description"))
            return ActionResult(reg.describe())

        def delete_registry(self) -> Any:
            self.backend.delete_registry(self._get_param("RegistryName"))
            return EmptyResult()

        def list_registries(self) -> Any:
            found = self.backend.list_registries(self._get_param("RegistryNamePrefix"), self._get_param("Scope"))
            page, token = _page(found, self._int("Limit"), self._get_param("NextToken"))
            result: dict[str, Any] = {"Registries": [
                {"RegistryArn": r.arn, "RegistryName": r.name, "Tags": dict(r.tags)} for r in page]}
            if token:
                result["NextToken"] = token
            return ActionResult(result)

        # schemas
        def create_schema(self) -> Any:
            schema, version = self.backend.create_schema(
                self._get_param("RegistryName"), self._get_param("SchemaName"), self._get_param("Type"),
                self._get_param("Content"), self._get_param("Description"), self._get_param("Tags"))
            out = schema.describe(version)
            out.pop("Content")
            return ActionResult(out)

        def describe_schema(self) -> Any:
            schema = self.backend.schema(self._get_param("RegistryName"), self._get_param("SchemaName"))
            return ActionResult(schema.describe(schema.version(self._get_param("SchemaVersion"))))

        def update_schema(self) -> Any:
            schema, version = self.backend.update_schema(
                self._get_param("RegistryName"), self._get_param("SchemaName"), self._get_param("Type"),
                self._get_param("Content"), self._get_param("Description"))
            out = schema.describe(version)
            out.pop("Content")
            return ActionResult(out)

        def delete_schema(self) -> Any:
            self.backend.delete_schema(self._get_param("RegistryName"), self._get_param("SchemaName"))
            return EmptyResult()

        def delete_schema_version(self) -> Any:
            self.backend.delete_schema_version(self._get_param("RegistryName"), self._get_param("SchemaName"),
                                               self._get_param("SchemaVersion"))
            return EmptyResult()

        def list_schemas(self) -> Any:
            found = self.backend.list_schemas(self._get_param("RegistryName"), self._get_param("SchemaNamePrefix"))
            page, token = _page(found, self._int("Limit"), self._get_param("NextToken"))
            result: dict[str, Any] = {"Schemas": [
                {"LastModified": s.last_modified, "SchemaArn": s.arn, "SchemaName": s.name,
                 "Tags": dict(s.tags), "VersionCount": len(s.versions)} for s in page]}
            if token:
                result["NextToken"] = token
            return ActionResult(result)

        def list_schema_versions(self) -> Any:
            schema = self.backend.schema(self._get_param("RegistryName"), self._get_param("SchemaName"))
            page, token = _page(schema.versions, self._int("Limit"), self._get_param("NextToken"))
            result: dict[str, Any] = {"SchemaVersions": [
                {"SchemaArn": schema.arn, "SchemaName": schema.name, "SchemaVersion": v.version, "Type": v.type}
                for v in page]}
            if token:
                result["NextToken"] = token
            return ActionResult(result)

        # tags
        def tag_resource(self) -> Any:
            self.backend.tagged(self._get_param("ResourceArn")).tags.update(self._get_param("Tags") or {})
            return EmptyResult()

        def untag_resource(self) -> Any:
            tags = self.backend.tagged(self._get_param("ResourceArn")).tags
            for key in self._get_param("TagKeys") or []:
                tags.pop(key, None)
            return EmptyResult()

        def list_tags_for_resource(self) -> Any:
            return ActionResult({"Tags": dict(self.backend.tagged(self._get_param("ResourceArn")).tags)})

    return SchemasResponse


@functools.cache
def response_class() -> type:
    """The HTTP layer's class, built once (every URL path dispatches to it)."""
    return _response_class()


#: Path regexes other schemas patches answer through the same dispatcher (schemas_discovery's discoverers).
EXTRA_PATHS: list[str] = []


def url_paths() -> dict[str, Any]:
    """moto-style ``url_paths``: path regex (``{0}`` = the URL base) -> dispatcher."""
    dispatch = response_class().dispatch
    registry = "{0}/v1/registries/name/(?P<registryName>[^/]+)"
    schema = registry + "/schemas/name/(?P<schemaName>[^/]+)"
    return {
        "{0}/v1/registries$": dispatch,
        registry + "$": dispatch,
        registry + "/schemas$": dispatch,
        schema + "$": dispatch,
        schema + "/versions$": dispatch,
        schema + "/version/(?P<schemaVersion>[^/]+)$": dispatch,
        "{0}/tags/(?P<resourceArn>.+)$": dispatch,
        **{path: dispatch for path in EXTRA_PATHS},
    }


# ---------------------------------------------------------------------------- registration
MOTO_MODULE = f"moto.{SERVICE}"


def _apply() -> None:
    """Make ``schemas`` a moto service: a ``moto.schemas`` module and a URL pattern (idempotent)."""
    import moto

    if MOTO_MODULE not in sys.modules:
        module = types.ModuleType(MOTO_MODULE, __doc__)
        module.schemas_backends = schemas_backends  # type: ignore[attr-defined]
        sys.modules[MOTO_MODULE] = module
        setattr(moto, SERVICE, module)
    add_host(SERVICE, URL_BASE)


PATCH = Patch(
    name=NAME,
    restores="EventBridge Schema Registry: registries, JSONSchemaDraft4 and OpenApi3 schemas with versions "
             "(UpdateSchema publishes a new version), tags, NotFound/Conflict/BadRequest errors",
    plain_moto="every schemas call answers 404 'Not yet implemented' (moto has no backend for the service)",
    apply=_apply,
    targets={
        # moto finds a backend as module "moto.<service>", attribute "<service>_backends" ...
        "moto.backends:get_backend": "cbb3e97d7b1f",
        "moto.backends:_import_backend": "2e28baa6595a",
        # ... and routes both in-process and server requests by backend_index's URL patterns.
        "moto.core.botocore_stubber:BotocoreStubber.process_request": "f79a1a778c7e",
        "moto.moto_server.werkzeug_app:DomainDispatcherApplication.get_backend_for_host": "1f41972c1e4e",
    },
)
