"""A moto server with the fidelity layer, on loopback, for other processes to share.

``python -m labs emulator --port 5000`` starts it; then the AWS CLI, a second notebook or a worker
process reach the same emulated account with ``AWS_ENDPOINT_URL=http://127.0.0.1:5000``. Tests
start it on a free port with :func:`start_server`.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass

from moto.server import ThreadedMotoServer


@dataclass
class RunningServer:
    url: str
    server: ThreadedMotoServer

    def stop(self) -> None:
        self.server.stop()


def start_server(port: int = 0, *, host: str = "127.0.0.1", with_layer: bool = True) -> RunningServer:
    """Start a threaded moto server on ``host:port`` (0: a free port) and return its URL.

    ``with_layer`` applies the fidelity layer in this process first, so the server behaves like the
    embedded backend. Only loopback is offered by default: the emulator has no authentication.
    """
    if with_layer:
        from . import install
        from ..backend import MOTO_CONFIG
        from moto.core.config import default_user_config

        for section, values in MOTO_CONFIG.items():  # Step Functions execute, Lambda without Docker
            default_user_config.setdefault(section, {}).update(values)  # type: ignore[misc]
        install()
    logging.getLogger("werkzeug").setLevel(logging.WARNING)  # no line per request in a notebook
    server = ThreadedMotoServer(ip_address=host, port=port, verbose=False)
    server.start()
    bound_host, bound_port = server.get_host_and_port()
    return RunningServer(f"http://{bound_host}:{bound_port}", server)
