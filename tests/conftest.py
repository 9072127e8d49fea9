"""Shared fixtures: every test gets a fresh embedded emulator and a lab on it.

Tests never touch real AWS: the environment is scrubbed of endpoint and backend variables, and
the helpers' real-AWS guard would refuse any request that tried.
"""

from __future__ import annotations

import os
import subprocess
import sys
from collections.abc import Iterator

import pytest

# Scrub before anything imports boto3, so a developer's own AWS settings can not leak into tests.
for _var in [v for v in os.environ if v.startswith("AWS_ENDPOINT_URL")] + ["LABS_BACKEND", "AWS_PROFILE"]:
    os.environ.pop(_var, None)
os.environ["LABS_USER"] = "tester"
os.environ.setdefault("AWS_REGION", "us-east-1")
os.environ.setdefault("MPLBACKEND", "Agg")

from labs.helpers import Lab, start_lab
from labs.helpers.backend import reset_embedded_emulator, start_embedded_emulator
from labs.helpers.observe import Delivery, subscribe


@pytest.fixture(autouse=True)
def _close_figures() -> Iterator[None]:
    """Close every matplotlib figure a test opened (pyplot keeps them alive otherwise)."""
    yield
    if "matplotlib.pyplot" in sys.modules:
        sys.modules["matplotlib.pyplot"].close("all")


@pytest.fixture
def emulator() -> Iterator[None]:
    """A running embedded emulator with no resources in it (reset after the test)."""
    start_embedded_emulator()
    reset_embedded_emulator()
    yield
    reset_embedded_emulator()


@pytest.fixture
def lab(emulator: None) -> Lab:
    """The sandbox lab on a clean embedded emulator."""
    return start_lab("sandbox")


@pytest.fixture
def deliveries() -> Iterator[list[Delivery]]:
    """Every Delivery the emulator layer reports while the test runs (the flow trace's input)."""
    seen: list[Delivery] = []
    unsubscribe = subscribe(seen.append)
    yield seen
    unsubscribe()


@pytest.fixture
def emulator_server() -> Iterator[str]:
    """The URL of an emulator server (moto + the layer) in another process, on a free port (never
    5000, so port-dependent bugs show): its state is separate from this process's emulator.
    ``LABS_EMULATOR_DISABLE`` passes through, so the plain-moto proof reaches the server too."""
    env = {k: v for k, v in os.environ.items() if not k.startswith(("AWS_ENDPOINT_URL", "MOTO_"))}
    proc = subprocess.Popen([sys.executable, "-c", ("from labs.helpers.emulator.server import start_server\n"
                             "import time; s = start_server(); print(s.url, flush=True); time.sleep(600)")],
                            stdout=subprocess.PIPE, text=True, env=env)
    try:
        assert proc.stdout is not None
        url = proc.stdout.readline().strip()
        assert url.startswith("http://127.0.0.1:") and not url.endswith(":5000"), url
        yield url
    finally:
        proc.terminate()
        proc.wait(timeout=10)
