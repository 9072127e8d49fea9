"""AWS managed IAM policies exist and can be attached (created lazily, one policy at a time).

AWS (IAM user guide, "Managed policies and inline policies"): "An AWS managed policy is a
standalone policy that is created and administered by AWS", with ARNs such as
``arn:aws:iam::aws:policy/service-role/AWSLambdaBasicExecutionRole`` (AWS managed policy reference:
"You can attach AWSLambdaBasicExecutionRole to your users, groups, and roles"). The Lambda
developer guide ("Defining Lambda function permissions with an execution role") has learners attach
exactly these: AWSLambdaBasicExecutionRole, AWSLambdaSQSQueueExecutionRole,
AWSLambdaKinesisExecutionRole, AWSLambdaDynamoDBExecutionRole; AWS's own example code
(aws-doc-sdk-examples, Lambda and Step Functions scenarios) does the same. moto 5.2.5 ships the
whole catalogue (``moto/iam/aws_managed_policies.py``, ~1,600 policies) but only loads it when the
config ``iam: load_aws_managed_policies`` (or ``MOTO_IAM_LOAD_MANAGED_POLICIES``) is true, which
it is not by default; then ``attach_role_policy`` with such an ARN fails ``NoSuchEntity: Policy
... does not exist or is not attachable``, and ``get_policy`` likewise.

Why not just switch that setting on: moto then builds every policy for every IAM backend it
creates, one per partition (six), each time the emulator is reset -- about half a second on the
first IAM call of every lab and every test (measured: 0.50 s against 0.02 s).

**Lazily, one policy at a time.** The first call that names an AWS managed policy indexes moto's
catalogue text once per process (~10 ms) and decodes only that policy's entry; the policy a call names (attach/detach to a role, user or
group, GetPolicy -- and so GetPolicyVersion, ListPolicyVersions, policy tags) is then created in that
account's IAM backend the first time it is asked for, exactly as moto would have loaded it
(``AWSManagedPolicy.from_data``: same path, default version, document and dates). ``ListPolicies``
with ``Scope`` ``All`` or ``AWS`` (the default is ``All``) creates the rest first, so it lists what
AWS lists. An ARN that names no AWS managed policy still fails as on AWS.
"""

from __future__ import annotations

import functools
import gc
import json
import re
import threading
from collections.abc import Callable
from typing import Any

from ..patching import Patch

NAME = "iam_aws_managed_policies"
#: ``arn:<partition>:iam::aws:policy<path><name>`` (the path is ``/`` or ``/a/b/``).
_AWS_POLICY_ARN = re.compile(r"^arn:[\w-]+:iam::aws:policy(/(?:[^/]+/)*)([^/]+)$")
_lock = threading.Lock()
#: IAM methods whose first argument (``policy_arn``) may name an AWS managed policy.
_BY_ARN = ("attach_role_policy", "detach_role_policy", "attach_user_policy", "detach_user_policy",
           "attach_group_policy", "detach_group_policy", "get_policy")


#: A top-level entry of moto's catalogue: ``\n "<PolicyName>":{`` (nested keys are indented further, and
#: JSON strings cannot hold a raw newline, so the pattern only matches policy names).
_ENTRY = re.compile(r'\n "([^"\n]+)":\{')


@functools.cache
def _index() -> dict[str, int]:
    """Where each policy's JSON object starts in moto's catalogue text (one regex scan, ~10 ms)."""
    from moto.iam.aws_managed_policies import aws_managed_policies_data

    return {m.group(1): m.end() - 1 for m in _ENTRY.finditer(aws_managed_policies_data)}


def policy_data(name: str) -> dict[str, Any] | None:
    """moto's copy of the AWS managed policy ``name`` (decoded alone: parsing the whole 4.7 MB catalogue
    costs 40 ms in a fresh process and several times that in a lab's, where the garbage collector
    walks every object the parse creates), or None."""
    from moto.iam.aws_managed_policies import aws_managed_policies_data

    start = _index().get(name)
    if start is None:
        return None
    data, _ = json.JSONDecoder().raw_decode(aws_managed_policies_data, start)
    return data if isinstance(data, dict) else None


@functools.cache
def catalogue() -> dict[str, dict[str, Any]]:
    """moto's whole catalogue, by name (parsed once per process, for listing every policy)."""
    from moto.iam.aws_managed_policies import aws_managed_policies_data

    enabled = gc.isenabled()
    gc.disable()  # a million new objects: no collections while they are made
    try:
        return json.loads(aws_managed_policies_data)
    finally:
        if enabled:
            gc.enable()


def _add(backend: Any, name: str, data: dict[str, Any]) -> Any:
    from moto.iam.models import AWSManagedPolicy

    policy = AWSManagedPolicy.from_data(name, backend.account_id, backend.region_name, data)
    backend.aws_managed_policies.append(policy)
    backend.managed_policies[policy.arn] = policy
    return policy


def materialise(backend: Any, arn: Any) -> None:
    """Make sure the AWS managed policy ``arn`` exists in ``backend`` (no-op for any other ARN)."""
    if not isinstance(arn, str) or arn in backend.managed_policies:
        return
    match = _AWS_POLICY_ARN.match(arn)
    if match is None:
        return
    path, name = match.groups()
    data = policy_data(name)
    if data is None or data.get("Path", "/") != path:
        return
    with _lock:
        if arn in backend.managed_policies:
            return
        policy = _add(backend, name, data)
        if policy.arn != arn:  # another partition's ARN: not this backend's policy
            backend.aws_managed_policies.remove(policy)
            del backend.managed_policies[policy.arn]


def materialise_all(backend: Any) -> None:
    """Create every AWS managed policy ``backend`` does not have yet (for listing them)."""
    with _lock:
        have = {p.name for p in backend.aws_managed_policies}
        for name, data in catalogue().items():
            if name not in have:
                _add(backend, name, data)


def _naming_a_policy(method: Callable[..., Any]) -> Callable[..., Any]:
    @functools.wraps(method)
    def wrapper(self: Any, *args: Any, **kwargs: Any) -> Any:
        materialise(self, kwargs.get("policy_arn", args[0] if args else None))
        return method(self, *args, **kwargs)

    return wrapper


def _apply() -> None:
    from moto.iam.models import IAMBackend

    for name in _BY_ARN:
        setattr(IAMBackend, name, _naming_a_policy(getattr(IAMBackend, name)))

    list_policies = IAMBackend.list_policies

    @functools.wraps(list_policies)
    def list_with_aws_policies(self: Any, marker: Any, max_items: int, only_attached: bool, path_prefix: str,
                               scope: str) -> Any:
        if (scope or "All") in ("All", "AWS") and not only_attached:
            materialise_all(self)
        return list_policies(self, marker, max_items, only_attached, path_prefix, scope)

    IAMBackend.list_policies = list_with_aws_policies  # type: ignore[method-assign]


PATCH = Patch(
    name=NAME,
    restores="AWS managed policies (arn:aws:iam::aws:policy/..., e.g. service-role/AWSLambdaBasicExecutionRole) "
             "exist in every account: they can be attached to roles, users and groups, read with GetPolicy and "
             "GetPolicyVersion, and ListPolicies lists them",
    plain_moto="AWS managed policies are not loaded (config iam.load_aws_managed_policies is off): attaching one "
               "fails with NoSuchEntity 'does not exist or is not attachable'",
    apply=_apply,
    targets={
        "moto.iam.models:IAMBackend._init_aws_policies": "b3f2c8c3a9c6",
        "moto.iam.models:AWSManagedPolicy.from_data": "9474574f120e",
        "moto.iam.models:IAMBackend.attach_role_policy": "e8207b104371",
        "moto.iam.models:IAMBackend.detach_role_policy": "2dd0d7012707",
        "moto.iam.models:IAMBackend.attach_user_policy": "79961b49037b",
        "moto.iam.models:IAMBackend.detach_user_policy": "1b1907290a17",
        "moto.iam.models:IAMBackend.attach_group_policy": "5ffcedbe4257",
        "moto.iam.models:IAMBackend.detach_group_policy": "d23af9b695f9",
        "moto.iam.models:IAMBackend.get_policy": "1a91d19a957f",
        "moto.iam.models:IAMBackend.list_policies": "09429e2ad7e0",
    },
)
