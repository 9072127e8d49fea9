"""One lab's context: its backend, names, tags, clients, registry of what it made, and teardown.

``start_lab("sqs-orders")`` is the first cell of every notebook. The clients it hands out are plain
boto3 clients (students call the real API) with two pieces of bookkeeping attached through
botocore's event system, so the student never writes them and real AWS behaves the same:

* every create call is tagged with the lab's tags (the student's own tags win), and
* every create call is recorded in the lab's registry, so ``teardown()`` removes it even when the
  student named it without the lab prefix.

Other parts of the helpers (the flow trace, for one) attach to new clients through
:func:`register_client_hook` instead of editing this module.
"""

from __future__ import annotations

import functools
import re
import threading
import weakref
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from botocore.client import BaseClient
from botocore.exceptions import BotoCoreError, ClientError

from . import inventory
from .backend import Backend, BackendKind, get_backend
from .catalog import LabInfo, lab_info
from .errors import IncompleteTeardown, LabError
from .naming import lab_prefix, lab_tags, learner_id

ClientHook = Callable[[BaseClient, "Lab"], None]
_client_hooks: list[ClientHook] = []


def register_client_hook(hook: ClientHook) -> None:
    """Run ``hook(client, lab)`` for every client a lab creates from now on (idempotent)."""
    if hook not in _client_hooks:
        _client_hooks.append(hook)


# How each create call carries tags, and which parameter names the created resource.
# (service, operation) -> (tag parameter, tag shape, name parameter, inventory kind)
_CREATES: dict[tuple[str, str], tuple[str | None, str, str, str]] = {
    ("sqs", "CreateQueue"): ("tags", "map", "QueueName", "sqs-queue"),
    ("sns", "CreateTopic"): ("Tags", "list", "Name", "sns-topic"),
    ("events", "CreateEventBus"): ("Tags", "list", "Name", "events-bus"),
    ("events", "PutRule"): ("Tags", "list", "Name", "events-rule"),
    ("events", "CreateArchive"): (None, "", "ArchiveName", "events-archive"),
    ("stepfunctions", "CreateStateMachine"): ("tags", "lower-list", "name", "sfn-state-machine"),
    ("lambda", "CreateFunction"): ("Tags", "map", "FunctionName", "lambda-function"),
    ("kinesis", "CreateStream"): ("Tags", "map", "StreamName", "kinesis-stream"),
    ("dynamodb", "CreateTable"): ("Tags", "list", "TableName", "dynamodb-table"),
    ("iam", "CreateRole"): ("Tags", "list", "RoleName", "iam-role"),
    ("schemas", "CreateRegistry"): ("Tags", "map", "RegistryName", "schemas-registry"),
}


def _merge_tags(existing: Any, ours: dict[str, str], shape: str) -> Any:
    """Add ``ours`` to the tags a create call already carries; the caller's own values win."""
    if shape == "map":
        return {**ours, **(existing or {})}
    key, value = ("key", "value") if shape == "lower-list" else ("Key", "Value")
    theirs = list(existing or [])
    present = {t[key] for t in theirs}
    return theirs + [{key: k, value: v} for k, v in ours.items() if k not in present]


@dataclass
class Lab:
    """Everything one lab needs to know about where it runs and what it created."""

    info: LabInfo
    backend: Backend
    learner: str
    prefix: str
    tags: dict[str, str]
    #: (inventory kind, resource name) of everything created through this lab's clients.
    registry: set[tuple[str, str]] = field(default_factory=set)
    _clients: dict[tuple[str, str | None], BaseClient] = field(default_factory=dict, repr=False)
    _accounts: dict[str, Backend] = field(default_factory=dict, repr=False)
    _lock: threading.Lock = field(default_factory=threading.Lock, repr=False)
    _flow: Any = field(default=None, repr=False)
    _teardown_listeners: list[Callable[[], Any]] = field(default_factory=list, repr=False)

    # ------------------------------------------------------------------ naming
    @property
    def region(self) -> str:
        return self.backend.region

    @property
    def account_id(self) -> str:
        return self.backend.account_id

    def name(self, base: str) -> str:
        """The full name for a resource of this lab: ``name("orders")`` -> ``sc-<you>-sqs-orders``."""
        if not base or base != base.strip():
            raise LabError(f"Resource base name {base!r} is empty or has spaces.", "Use e.g. lab.name('orders').")
        return base if base.startswith(self.prefix) else f"{self.prefix}{base}"

    def owns(self, kind: str, name: str) -> bool:
        """Does a resource of ``kind`` called ``name`` belong to this lab?"""
        return name.startswith(self.prefix) or (kind, name) in self.registry

    # ------------------------------------------------------------------ clients
    def client(self, service: str, account: str | None = None) -> BaseClient:
        """A plain boto3 client on this lab's backend, one per service, with tagging and tracing.

        ``account`` names another account (``"security"``, or a 12-digit id) for the cross-account
        steps: see :meth:`Backend.for_account` for how each backend reaches it. Resources made there are
        tagged and recorded too, and ``teardown()`` deletes them in that account."""
        key = (service, account)
        with self._lock:
            if key not in self._clients:
                backend = self._account_backend(account) if account else self.backend
                client = backend.client(service)
                client.meta.events.register("before-parameter-build", self._tag_and_record)
                for hook in _client_hooks:
                    hook(client, self)
                self._clients[key] = client
            return self._clients[key]

    def _account_backend(self, account: str) -> Backend:
        if account not in self._accounts:
            self._accounts[account] = self.backend.for_account(account)
        return self._accounts[account]

    def _tag_and_record(self, params: dict[str, Any], model: Any, **_: Any) -> None:
        key = (model.service_model.service_name, model.name)
        if key not in _CREATES:
            return
        tag_param, shape, name_param, kind = _CREATES[key]
        if tag_param:
            params[tag_param] = _merge_tags(params.get(tag_param), self.tags, shape)
        name = params.get(name_param)
        if isinstance(name, str):
            if kind == "events-rule":  # registered under the name the inventory lists it by
                name = inventory.rule_name(str(params.get("EventBusName", "default")), name)
            self.registry.add((kind, name))

    @property
    def flow(self) -> Any:
        """This lab's flow trace (:class:`labs.helpers.trace.Flow`): ``lab.flow.df``,
        ``lab.flow.follow(order_id)``, ``lab.flow.summary()``, ``lab.flow.clear()``."""
        from .trace import flow_of  # imported here: the trace imports this module

        return flow_of(self)

    # ------------------------------------------------------------------ resources
    def resources(self) -> inventory.Listing:
        """Every resource of this lab that exists now, in deletion order.

        A resource is the lab's if its name has the lab prefix, if it was created through this
        lab's clients (the registry), or if it carries this lab's and learner's tags (which finds
        what a previous kernel created under another name).
        """
        tagged = self._tagged_names()
        return inventory.find(self.client, lambda kind, name: self.owns(kind, name) or
                              (kind.split("-", 1)[0], name.rsplit("/", 1)[-1]) in tagged)

    def _tagged_names(self) -> set[tuple[str, str]]:
        """(service, name) of every resource tagged as this lab's, from the Resource Groups
        Tagging API: one paginated call instead of reading each resource's tags."""
        filters = [{"Key": key, "Values": [value]} for key, value in self.tags.items()]
        found: set[tuple[str, str]] = set()
        try:
            pages = self.client("resourcegroupstaggingapi").get_paginator("get_resources").paginate(TagFilters=filters)
            for page in pages:
                for mapping in page["ResourceTagMappingList"]:
                    arn = mapping["ResourceARN"]
                    service = {"states": "sfn"}.get(arn.split(":")[2], arn.split(":")[2])
                    found.add((service, re.split(r"[:/]", arn)[-1]))
        except (ClientError, BotoCoreError):  # an endpoint without the tagging API: names only
            pass
        return found

    def teardown(self, *, verify: bool = True) -> inventory.DeleteReport:
        """Delete everything this lab created, in dependency order, tolerating what is gone.

        Service by service: a kind that cannot be listed, or a resource whose deletion fails (an
        endpoint that answers one service with an error, or not at all), is reported and the rest
        is still deleted; ``report.summary()`` says per service what was not deleted and why.
        Safe to call twice: what was not deleted stays in the registry, so a second teardown finds
        it again. On real AWS some deletions finish asynchronously (a queue can show in listings
        for up to 60 s), so there ``verify`` only reports what is still listed.
        """
        for account in list(self._accounts):  # the other accounts' resources first: they may point here
            other = functools.partial(self._other_account_client, account=account)
            found = inventory.find(other, self.owns)
            inventory.delete_all(other, found.resources)
        listing = self.resources()
        report = inventory.delete_all(self.client, listing.resources)
        report.unlisted.update(listing.failed)
        if verify:
            again = self.resources()
            report.left = again.resources
            for kind, why in again.failed.items():
                report.unlisted.setdefault(kind, why)
        kept = {(r.kind, r.name) for r in report.left} | {(r.kind, r.name) for r, _ in report.failed}
        self.registry = {(kind, name) for kind, name in self.registry
                         if (kind, name) in kept or kind in report.unlisted}
        self._tell_teardown(report)
        if not report.complete and self.backend.kind is not BackendKind.AWS:
            raise IncompleteTeardown(f"Teardown was incomplete. {report.summary()}",
                                     "Run lab.teardown() again; if it persists, restart the kernel (the emulator "
                                     "forgets everything) or run 'python -m labs sweep'.", report)
        return report

    def _other_account_client(self, service: str, *, account: str) -> BaseClient:
        return self.client(service, account=account)

    def on_teardown(self, listener: Callable[[inventory.DeleteReport], Any]) -> None:
        """Call ``listener(report)`` after every teardown of this lab, e.g. a dashboard marking the
        queues it shows as deleted. Held weakly: a dashboard nobody shows any more is not kept alive."""
        ref: Callable[[], Any] = weakref.WeakMethod(listener) if hasattr(listener, "__self__") else \
            weakref.ref(listener)  # type: ignore[arg-type]
        self._teardown_listeners.append(ref)

    def _tell_teardown(self, report: inventory.DeleteReport) -> None:
        alive = []
        for ref in self._teardown_listeners:
            listener = ref()
            if listener is None:
                continue
            alive.append(ref)
            try:
                listener(report)
            except Exception:  # noqa: BLE001 - a picture that cannot update must not fail the teardown
                pass
        self._teardown_listeners = alive

    # ------------------------------------------------------------------ pictures
    def dashboard(self, queues: list[str] | None = None, **options: Any) -> Any:
        """A live :class:`~labs.helpers.dashboard.Dashboard` of this lab's queues (names, base
        names or URLs), topics and buses; a notebook shows it by leaving it as a cell's value."""
        from .dashboard import Dashboard  # widgets load only when a lab asks for them

        return Dashboard(self, queues=queues, **options)

    def __repr__(self) -> str:
        return f"<Lab {self.info.name!r}: {self.backend.describe()}; resource prefix {self.prefix!r}>"


def start_lab(
    name: str,
    *,
    backend: str | BackendKind | None = None,
    region: str | None = None,
    aws_account: str | None = None,
) -> Lab:
    """Start (or restart) a lab: the first cell of every notebook.

    ``backend`` overrides ``LABS_BACKEND``; see :mod:`labs.helpers.backend` for how the default
    is chosen and how real AWS is confirmed. Calling it again in the same kernel is safe: names
    are deterministic and every helper is idempotent, so nothing is duplicated.
    """
    info = lab_info(name)
    from . import notebook_errors

    notebook_errors.install()  # in a kernel: AWS errors of the learner's cells become explanations
    register_client_hook(notebook_errors.watch_client)
    chosen = get_backend(backend, region=region, aws_account=aws_account)
    learner = learner_id()
    return Lab(info=info, backend=chosen, learner=learner, prefix=lab_prefix(info.code, learner),
               tags=lab_tags(info.name, learner))
