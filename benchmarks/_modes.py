"""What the benchmark scripts share: the two emulator modes, and running one mode in a child process.

Why one module: most scripts compare moto as it ships ("plain") with moto plus the labs' fidelity
layer ("layer"), and each mode has to run in a process of its own, because the layer patches moto
for the whole process and cannot be taken out again. ``python benchmarks/<script>.py`` puts
``benchmarks/`` on ``sys.path``, so the scripts ``import _modes``.

* ``plain``: ``moto.mock_aws()`` exactly as moto 5.2.5 ships it, no layer installed;
* ``layer``: the labs' embedded backend (``get_backend("embedded")``, which installs the layer).
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
from collections.abc import Callable, MutableMapping
from pathlib import Path
from typing import Any

MODES = ("plain", "layer")
ROOT = Path(__file__).resolve().parents[1]


def use_embedded(env: MutableMapping[str, str] = os.environ) -> MutableMapping[str, str]:
    """Drop from ``env`` what would send calls anywhere but the embedded emulator (boto3's
    ``AWS_ENDPOINT_URL*``, ``LABS_BACKEND``); ``LABS_USER`` defaults to "bench". Returns ``env``."""
    for variable in [v for v in env if v.startswith("AWS_ENDPOINT_URL") or v == "LABS_BACKEND"]:
        del env[variable]
    env.setdefault("LABS_USER", "bench")
    return env


def client_factory(mode: str, moto_config: dict[str, Any] | None = None) -> Callable[[str], Any]:
    """``client(service)``: boto3 clients on the embedded emulator, without or with the layer.

    ``moto_config`` is ``mock_aws``'s ``config`` for plain moto; the layer's backend always uses
    the labs' own (``labs.helpers.backend.MOTO_CONFIG``).
    """
    use_embedded()
    if mode == "plain":
        import boto3
        from moto import mock_aws

        mock_aws(config=moto_config).start()  # type: ignore[arg-type]

        def client(service: str) -> Any:
            return boto3.client(service, region_name="us-east-1", aws_access_key_id="testing",
                                aws_secret_access_key="testing")

        return client
    from labs.helpers.backend import get_backend

    return get_backend("embedded").client


def child_env(**extra: str) -> dict[str, str]:
    """The environment of a child process: this one's, on the embedded emulator, with this
    checkout's ``labs`` first on ``PYTHONPATH`` (not whichever one is installed), plus ``extra``."""
    env = dict(use_embedded(dict(os.environ)))
    env["PYTHONPATH"] = os.pathsep.join([str(ROOT)] + [p for p in env.get("PYTHONPATH", "").split(os.pathsep) if p])
    env.update(extra)
    return env


def run_child(args: list[str], *, env: dict[str, str] | None = None, timeout: float | None = None) -> Any:
    """Run ``python <args>`` from the repository root and return the JSON its last output line holds.

    Raises ``subprocess.TimeoutExpired`` or ``subprocess.CalledProcessError`` (with the child's
    stderr) like :func:`subprocess.run`.
    """
    done = subprocess.run([sys.executable, *args], env=child_env() if env is None else env, cwd=ROOT,
                          capture_output=True, text=True, timeout=timeout, check=True)
    return json.loads(done.stdout.strip().splitlines()[-1])
