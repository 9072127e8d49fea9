"""``python -m labs emulator``: run the shared emulator until stopped.

Contract with the processes that start it (tests, notebooks, course scripts): stdout carries the
URL and nothing else, one line flushed at once, so a caller can read one line and connect, even with
``--port 0``. Everything meant for a person (how to connect, that it stopped, errors) goes to
stderr. Ctrl+C (SIGINT) and SIGTERM stop it cleanly: the listening socket is closed, so the port is
free again, and the exit status is 0.
"""

from __future__ import annotations

import argparse
import signal
import sys
import threading
from types import FrameType

from ..errors import LabError
from .server import start_server


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m labs emulator", description=__doc__.splitlines()[0])
    parser.add_argument("--port", type=int, default=5000, help="TCP port on 127.0.0.1 (0: any free port)")
    args = parser.parse_args(argv)
    stop = threading.Event()

    def request_stop(signum: int, frame: FrameType | None) -> None:
        stop.set()

    # Installed before the server starts: a signal that arrives while it starts still stops it.
    previous = {sig: signal.signal(sig, request_stop) for sig in (signal.SIGTERM, signal.SIGINT)}
    try:
        try:
            running = start_server(args.port)
        except LabError as err:
            print(err, file=sys.stderr, flush=True)
            return 2
        print(running.url, flush=True)
        print(f"SecureCart emulator listening on {running.url}\n"
              f"In another shell or notebook:  export AWS_ENDPOINT_URL={running.url}\n"
              "For the AWS CLI or a bare boto3 client also set a region and any credentials (the emulator\n"
              "does not check them): export AWS_DEFAULT_REGION=us-east-1 AWS_ACCESS_KEY_ID=testing "
              "AWS_SECRET_ACCESS_KEY=testing\n"
              "Stop with Ctrl+C.", file=sys.stderr, flush=True)
        while not stop.wait(0.5):  # short waits: the signal handler runs between them at the latest
            pass
        running.stop()
        print("SecureCart emulator stopped.", file=sys.stderr, flush=True)
        return 0
    finally:
        for sig, handler in previous.items():
            signal.signal(sig, handler)
