"""Shared fixtures: every test gets a fresh embedded emulator and a lab on it.

Tests never touch real AWS: the environment is scrubbed of endpoint and backend variables, and
the helpers' real-AWS guard would refuse any request that tried.
"""

from __future__ import annotations

import os
from collections.abc import Iterator

import pytest

# Scrub before anything imports boto3, so a developer's own AWS settings can not leak into tests.
for _var in [v for v in os.environ if v.startswith("AWS_ENDPOINT_URL")] + ["LABS_BACKEND", "AWS_PROFILE"]:
    os.environ.pop(_var, None)
os.environ["LABS_USER"] = "tester"
os.environ.setdefault("AWS_REGION", "us-east-1")
os.environ.setdefault("MPLBACKEND", "Agg")

from labs.helpers import Lab, start_lab  # noqa: E402
from labs.helpers.backend import reset_embedded_emulator, start_embedded_emulator  # noqa: E402


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
