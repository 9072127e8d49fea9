"""A moto server with the fidelity layer, on loopback, for other processes to share.

``python -m labs emulator --port 5000`` starts it; then the AWS CLI, a second notebook or a worker
process reach the same emulated account with ``AWS_ENDPOINT_URL=http://127.0.0.1:5000``. Tests
start it on a free port with :func:`start_server`.
"""

from __future__ import annotations

import errno
import logging
import socket
import threading
from dataclasses import dataclass
from typing import Any

_serving: list[str] = []  #: URLs of the servers this process runs, latest last
_serving_lock = threading.Lock()


def serving_url() -> str | None:
    """The URL of the emulator server this process runs (the latest one), or None."""
    with _serving_lock:
        return _serving[-1] if _serving else None


@dataclass
class RunningServer:
    """A moto server this process started: where to reach it, and how to stop it."""

    url: str
    server: Any  #: moto.server.ThreadedMotoServer (imported on start: ``--help`` stays fast)

    def stop(self) -> None:
        """Stop serving and close the listening socket, so the port is free at once.

        ``ThreadedMotoServer.stop`` only shuts the serve loop down; its socket stays open until
        garbage collection, and a restart on the same port would fail meanwhile."""
        with _serving_lock:
            if self.url in _serving:
                _serving.remove(self.url)
        self.server.stop()
        wsgi = getattr(self.server, "_server", None)
        if wsgi is not None:
            wsgi.server_close()


def _check_port_free(host: str, port: int) -> None:
    """Fail with a fix instead of hanging: ThreadedMotoServer waits forever if it cannot bind."""
    if port == 0:
        return
    from ..errors import LabError

    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as probe:
        probe.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        try:
            probe.bind((host, port))
        except OSError as err:
            if err.errno != errno.EADDRINUSE:
                raise
            raise LabError(f"Port {port} on {host} is already in use (another emulator, or another program).",
                           f"Use the emulator that is running (AWS_ENDPOINT_URL=http://{host}:{port}), stop it, "
                           "or start this one with --port 0 (any free port).") from None


def start_server(port: int = 0, *, host: str = "127.0.0.1", with_layer: bool = True) -> RunningServer:
    """Start a threaded moto server on ``host:port`` (0: a free port); returns its URL and ``stop()``.

    ``with_layer`` applies the fidelity layer in this process first, so the server behaves like the
    embedded backend. Only loopback is offered by default: the emulator has no authentication.
    """
    _check_port_free(host, port)  # first: a busy port is reported before seconds of imports
    if with_layer:
        from moto.core.config import default_user_config

        from ..backend import MOTO_CONFIG
        from . import install

        for section, values in MOTO_CONFIG.items():  # Step Functions execute, Lambda without Docker
            default_user_config.setdefault(section, {}).update(values)  # type: ignore[misc]
        install()
    from moto.server import ThreadedMotoServer

    logging.getLogger("werkzeug").setLevel(logging.WARNING)  # no line per request in a notebook
    server = ThreadedMotoServer(ip_address=host, port=port, verbose=False)
    server.start()
    bound_host, bound_port = server.get_host_and_port()
    running = RunningServer(f"http://{bound_host}:{bound_port}", server)
    with _serving_lock:
        _serving.append(running.url)
    return running
