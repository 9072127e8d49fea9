"""Lambda handlers call AWS with their execution role's credentials, on the emulator that runs them.

AWS (Lambda developer guide, "Defined runtime environment variables"): "AWS_ACCESS_KEY_ID,
AWS_SECRET_ACCESS_KEY, AWS_SESSION_TOKEN - The access keys obtained from the function's execution
role", and "AWS_REGION, AWS_DEFAULT_REGION"; ("Defining Lambda function permissions with an
execution role"): "Lambda automatically assumes your execution role when you invoke your function".
A handler's ``boto3.client("dynamodb")`` therefore just works, and ``sts.get_caller_identity()`` names
``arn:aws:sts::<account>:assumed-role/<role>/<function>``. On the embedded emulator moto's in-process
mock answered the handler's calls anyway, with moto's default identity. On the shared emulator
(``python -m labs emulator``) the handler runs inside the server process, where nothing is mocked:
its boto3 calls failed with ``NoCredentialsError``, or, with credentials in the server's environment,
were addressed to real AWS (and stopped by the labs' guard) -- so a Step Functions Lambda task or an
event-source-mapped handler that writes to DynamoDB worked in a notebook and failed on the server.

How, for every invocation (a hook of the layer's runtime, ``lambda_local_runtime``):

* Credentials: the execution role (the function's ``Role``) is assumed through moto's STS, session
  name = function name, once per execution environment (Lambda refreshes them; here they live as long
  as the warm environment), and set as ``AWS_ACCESS_KEY_ID``, ``AWS_SECRET_ACCESS_KEY``,
  ``AWS_SESSION_TOKEN``. moto attributes requests signed with them to the role's account.
* Endpoint: in-process (moto's mock active) calls to AWS hosts are answered in-process, so
  ``AWS_ENDPOINT_URL*`` variables of the notebook are hidden from the handler; on a server started by
  :func:`labs.helpers.emulator.server.start_server` (``python -m labs emulator``, the tests' server)
  ``AWS_ENDPOINT_URL`` is that server's own URL, so the handler reaches the emulator that runs it (a
  function's own ``Environment`` setting for these variables wins).
* ``boto3.DEFAULT_SESSION`` is the execution environment's own while the handler runs (Lambda runs
  each environment in a process of its own): ``boto3.client(...)`` resolves the role's credentials
  and endpoint instead of reusing what the notebook's or server's default session cached.
* A handler that invokes another function synchronously on the server waits for it on another server
  thread; that invocation is recognised by the role's access key and runs at once (see
  ``local_runtime.running_as``), as a nested invocation does in-process.
"""

from __future__ import annotations

import contextlib
import os
import threading
from collections.abc import Iterator
from typing import Any

from ..patching import Patch
from . import local_runtime

NAME = "lambda_execution_role"
#: Lambda's credentials from an assumed execution role last up to 12 hours on AWS.
SESSION_SECONDS = 43_200
_lock = threading.Lock()


def role_credentials(fn: Any, env: local_runtime.ExecutionEnvironment) -> dict[str, str]:
    """The environment's credentials for ``fn``'s execution role (assumed through moto's STS once per
    execution environment, and again if moto no longer knows them, e.g. after a reset)."""
    from moto.sts.models import sts_backends
    from moto.utilities.utils import get_partition

    partition = get_partition(fn.region)
    with _lock:
        cached = env.state.get("credentials")
        if cached and cached["role"] == fn.role:
            backend = sts_backends[cached["account"]][partition]
            if backend.get_assumed_role_from_access_key(cached["AWS_ACCESS_KEY_ID"]) is not None:
                return cached
        role = sts_backends[fn.account_id][partition].assume_role(
            region_name=fn.region, role_session_name=fn.function_name[:64], role_arn=fn.role, policy="",
            duration=SESSION_SECONDS, external_id="")
        cached = env.state["credentials"] = {
            "role": fn.role, "account": role.account_id, "AWS_ACCESS_KEY_ID": role.access_key_id,
            "AWS_SECRET_ACCESS_KEY": role.secret_access_key, "AWS_SESSION_TOKEN": role.session_token}
        env.state.pop("boto3_session", None)  # new credentials: the default session resolves them afresh
        return cached


def _in_process() -> bool:
    """Whether moto's in-process mock answers AWS calls made in this process (the embedded emulator)."""
    from moto.core.models import botocore_stubber

    return bool(botocore_stubber.enabled)


def endpoint_variables(fn: Any) -> dict[str, str | None]:
    """``AWS_ENDPOINT_URL*`` values for the handler (None: unset while it runs)."""
    own = set((fn.environment_vars or {}))
    if _in_process():
        return {k: None for k in os.environ if k.startswith("AWS_ENDPOINT_URL") and k not in own}
    from ..server import serving_url

    url = serving_url()
    if url is None or "AWS_ENDPOINT_URL" in own:
        return {}
    return {"AWS_ENDPOINT_URL": url}


@contextlib.contextmanager
def execution_role(fn: Any, env: local_runtime.ExecutionEnvironment, context: Any) -> Iterator[None]:
    """The invocation hook: the role's credentials, the emulator's endpoint, the environment's session."""
    import boto3

    credentials = role_credentials(fn, env)
    values: dict[str, str | None] = {k: v for k, v in credentials.items() if k.startswith("AWS_")}
    values.update(endpoint_variables(fn))
    saved = {k: os.environ.get(k) for k in values}
    for key, value in values.items():
        if value is None:
            os.environ.pop(key, None)
        else:
            os.environ[key] = value
    saved_session = boto3.DEFAULT_SESSION
    boto3.DEFAULT_SESSION = env.state.get("boto3_session")
    try:
        with local_runtime.running_as(credentials["AWS_ACCESS_KEY_ID"]):
            yield
    finally:
        if boto3.DEFAULT_SESSION is not None:
            env.state["boto3_session"] = boto3.DEFAULT_SESSION
        boto3.DEFAULT_SESSION = saved_session
        for key, value in saved.items():
            if value is None:
                os.environ.pop(key, None)
            else:
                os.environ[key] = value


def _apply() -> None:
    if execution_role not in local_runtime.INVOCATION_HOOKS:
        local_runtime.INVOCATION_HOOKS.append(execution_role)


PATCH = Patch(
    name=NAME,
    restores="a handler runs with its execution role's credentials (AWS_ACCESS_KEY_ID, AWS_SECRET_ACCESS_KEY, "
             "AWS_SESSION_TOKEN; get_caller_identity names the assumed role) and its AWS calls reach the emulator "
             "running it, embedded or shared (python -m labs emulator)",
    plain_moto="a handler has no credentials of its own; on a moto server its boto3 calls fail with "
               "NoCredentialsError or go to real AWS",
    apply=_apply,
    targets={
        "moto.sts.models:STSBackend.assume_role": "f32a21bb2eb0",
        "moto.sts.models:STSBackend.get_assumed_role_from_access_key": "349bd002b7f7",
        "moto.sts.models:STSBackend.get_caller_identity": "1f058458cb04",
        "moto.core.botocore_stubber:BotocoreStubber.__call__": "6cbb7bf98afe",
    },
)
