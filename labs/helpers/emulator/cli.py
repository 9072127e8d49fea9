"""``python -m labs emulator``: run the shared emulator until interrupted."""

from __future__ import annotations

import argparse
import threading

from .server import start_server


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m labs emulator", description=__doc__)
    parser.add_argument("--port", type=int, default=5000, help="TCP port on 127.0.0.1 (0: any free port)")
    args = parser.parse_args(argv)
    running = start_server(args.port)
    print(f"SecureCart emulator listening on {running.url}\n"
          f"In another shell or notebook:  export AWS_ENDPOINT_URL={running.url}\n"
          "Stop with Ctrl+C.", flush=True)
    try:
        threading.Event().wait()
    except KeyboardInterrupt:
        running.stop()
    return 0
