"""Step Functions tasks on a moto server call that server, whatever port it listens on.

AWS: a Task state's service integration (``arn:aws:states:::sqs:sendMessage``, ``dynamodb:putItem``,
``lambda:invoke``, ...) calls the service in the state machine's own account and Region (developer
guide, "Integrating services with Step Functions"). moto 5.2.5's interpreter makes those calls with
a boto3 client; inside ``mock_aws`` they are intercepted in-process, but on a moto server they go to
``http://localhost:$MOTO_PORT`` (default 5000) -- not to the server actually running. ``python -m
labs emulator --port 0`` (or any port but 5000), and every test server on a free port, therefore
fails every integration task with ``States.Runtime: Could not connect to the endpoint URL:
"http://localhost:5000/"``.

Fix: the moto server(s) started in this process are remembered (``ThreadedMotoServer.start`` is
wrapped), and the interpreter's client factory (``asl.utils.boto_client``) asks for the port of the
one running -- falling back to ``MOTO_PORT``/5000 as before when there is none.
"""

from __future__ import annotations

import functools
import os
import threading
from typing import Any

from ..patching import Patch

NAME = "sfn_server_tasks"
_servers: list[Any] = []
_lock = threading.Lock()


def serving_port() -> str:
    """Port of the latest moto server running in this process, else moto's own rule (MOTO_PORT or 5000)."""
    with _lock:
        running = [s for s in _servers if getattr(s, "_server", None) is not None and s._server_ready_event.is_set()]
    if running:
        return str(running[-1].get_host_and_port()[1])
    return os.environ.get("MOTO_PORT") or "5000"


def _apply() -> None:
    from moto.moto_server.threaded_moto_server import ThreadedMotoServer
    from moto.stepfunctions.parser.asl.utils import boto_client

    start = ThreadedMotoServer.start

    @functools.wraps(start)
    def start_and_remember(self: ThreadedMotoServer) -> None:
        start(self)
        with _lock:
            _servers.append(self)

    ThreadedMotoServer.start = start_and_remember  # type: ignore[method-assign]
    boto_client.moto_server_port = serving_port  # type: ignore[attr-defined]


PATCH = Patch(
    name=NAME,
    restores="Task integrations of an execution on the emulator server call the services of that server",
    plain_moto="on a moto server, Task integrations call http://localhost:5000 whatever port the server uses, "
               "so they fail with States.Runtime 'Could not connect to the endpoint URL'",
    apply=_apply,
    targets={
        "moto.stepfunctions.parser.asl.utils.boto_client:boto_client_for": "1f44dc2ac8aa",
        "moto.moto_server.threaded_moto_server:ThreadedMotoServer.start": "1cbbc8072bb9",
    },
)
