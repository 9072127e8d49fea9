"""The fidelity layer: extensions of moto that make the embedded emulator behave like AWS.

Students must learn AWS, not moto. Each module in this package's service folders closes one gap listed in
``shared/moto-fidelity.md`` and exposes one :class:`~labs.helpers.emulator.patching.Patch` named
``PATCH``. ``install()`` applies them all, once, in this process; it is called when the embedded
backend starts and by ``python -m labs emulator`` (a moto server with the same layer), and never for
real AWS or a foreign endpoint (those run in other processes, which this layer cannot touch).

Version guard: every patch records a fingerprint of the moto/botocore code it replaces or wraps.
If a pin moves and that code changes, the patch is *not* applied and :func:`status` says which
patch, which target and why, instead of the lab failing mysteriously later.
"""

from __future__ import annotations

import importlib
import os
import threading
import warnings
from collections.abc import Callable

from .patching import Patch, PatchStatus

#: One module per gap, grouped by service as moto groups its own code (``moto/<service>/``), applied
#: in this order. A module listed here must define ``PATCH``; its ``PATCH.name`` (e.g.
#: ``sqs_receive_fast``) is what ``LABS_EMULATOR_DISABLE`` and the fidelity table use.
PATCH_MODULES: list[str] = [
    "sqs.queue_attributes",
    "sqs.redrive_policy",
    "sqs.fifo_names",
    "sqs.receive_fast",
    "sqs.receive_partial",
    "sqs.move_tasks",
    "sqs.fifo_sequence",
    "sqs.batch_entry_ids",
    "dynamodb.partiql_parameters",
    "dynamodb.ttl_expiry",
    "dynamodb.stream_reenable",
    "dynamodbstreams.endpoint",
    "dynamodbstreams.record_fields",
    "kinesis.create_tags",
    "kinesis.records_fast",
    "kinesis.write_limits",
    "kinesis.resharding",
    "iam.managed_policies",
    "awslambda.local_runtime",
    "awslambda.mapping_states",
    "awslambda.execution_role",
    "awslambda.cloudwatch_logs",
    "awslambda.event_source_mappings",
    "awslambda.mapping_conflict",
    "awslambda.permission_conflict",
    "awslambda.filter_criteria",
    "awslambda.stream_batching",
    "awslambda.stream_parallelization",
    "sns.delivery_protocols",
    "sns.delivery_policies",
    "sns.email_confirmation",
    "sns.fifo_throughput_scope",
    "sns.create_conflicts",
    "sns.subscription_redrive",
    "sns.publish_batch",
    "sns.fifo_delivery",
    "sns.sms_sandbox",
    "events.targets",
    "events.target_policies",
    "events.cross_account",
    "events.pattern_tester",
    "events.pattern_arrays",
    "events.pattern_validation",
    "events.replay",
    "events.put_targets_validation",
    "events.schedules",
    "stepfunctions.execution_name",
    "stepfunctions.quiet_logging",
    "stepfunctions.deliveries",
    "stepfunctions.time_warp",
    "stepfunctions.describe_output",
    "stepfunctions.history_pages",
    "stepfunctions.server_tasks",
    "stepfunctions.no_choice_matched",
    "stepfunctions.branch_errors",
    "stepfunctions.stop_execution",
    "stepfunctions.wait_timestamp",
    "stepfunctions.sync_execution",
    "stepfunctions.activities",
    "stepfunctions.role_trust",
    "stepfunctions.task_clock",
    "schemas.registry",
    "schemas.discovery",
]

DISABLE_ENV = "LABS_EMULATOR_DISABLE"


class PatchNotApplied(UserWarning):
    """A fidelity patch refused to apply because moto/botocore code it targets changed (version drift)."""


_lock = threading.Lock()
_status: dict[str, PatchStatus] = {}
_reset_hooks: list[Callable[[], None]] = []


def on_reset(hook: Callable[[], None]) -> None:
    """Run ``hook`` whenever the embedded emulator is reset (idempotent per hook).

    Why: patches that keep state outside moto's backends (event source mapping poller threads,
    loaded Lambda handler modules) must forget it when moto forgets its resources, or a poller of
    a deleted world keeps running into the next test or lab.
    """
    if hook not in _reset_hooks:
        _reset_hooks.append(hook)


def reset() -> None:
    """Called by ``backend.reset_embedded_emulator()`` before moto's own reset."""
    for hook in _reset_hooks[:]:  # a copy: a hook may register another
        hook()


def patches() -> list[Patch]:
    """The patches of every module in :data:`PATCH_MODULES`."""
    return [importlib.import_module(f"{__name__}.{name}").PATCH for name in PATCH_MODULES]


def disabled_by_environment() -> set[str]:
    """Patch names listed in ``LABS_EMULATOR_DISABLE`` (comma-separated): left out of ``install()``
    so that a benchmark or a test can run plain moto for comparison."""
    return {name.strip() for name in os.environ.get(DISABLE_ENV, "").split(",") if name.strip()}


def install() -> dict[str, PatchStatus]:
    """Apply every patch whose targets are still what it was written against (idempotent)."""
    with _lock:
        off = disabled_by_environment()
        for patch in patches():
            if patch.name in _status:
                continue
            if patch.name in off:
                _status[patch.name] = PatchStatus(False, f"disabled by {DISABLE_ENV}")
                continue
            _status[patch.name] = result = patch.install()
            if not result.applied:
                # Said at install time, naming patch and target, so drift is not discovered later
                # as a lab that mysteriously behaves like plain moto.
                warnings.warn(f"emulator patch {patch.name} was NOT applied: {result.reason}. "
                              f"Until it is updated the emulator behaves like plain moto here: {patch.plain_moto}.",
                              PatchNotApplied, stacklevel=2)
        return dict(_status)


def status() -> dict[str, PatchStatus]:
    """What :func:`install` did, patch by patch (empty before the embedded backend starts)."""
    return dict(_status)
