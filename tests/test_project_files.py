"""The project's own set-up files agree with each other, and the run command really serves the labs."""

from __future__ import annotations

import json
import os
import re
import socket
import subprocess
import sys
import time
import tomllib
import urllib.request
from pathlib import Path

import pytest
import yaml
from packaging.requirements import Requirement

ROOT = Path(__file__).resolve().parents[1]


def _normalised(specs: list[str]) -> set[str]:
    out = set()
    for spec in specs:
        req = Requirement(spec)
        out.add(f"{req.name.lower()}[{','.join(sorted(req.extras))}]{req.specifier}")
    return out


def test_environment_yml_lists_the_same_packages_as_pyproject() -> None:
    project = tomllib.loads((ROOT / "pyproject.toml").read_text())["project"]
    wanted = _normalised(project["dependencies"] + project["optional-dependencies"]["test"])
    env = yaml.safe_load((ROOT / "environment.yml").read_text())
    pip_section = next(d["pip"] for d in env["dependencies"] if isinstance(d, dict))
    listed = _normalised([p for p in pip_section if not p.startswith("-")])
    assert listed == wanted, f"only in environment.yml: {listed - wanted}; only in pyproject: {wanted - listed}"
    python = next(d for d in env["dependencies"] if isinstance(d, str) and d.startswith("python"))
    assert Requirement(python.replace("=", ">=", 1)).specifier.contains("3.11") and project["requires-python"] == ">=3.11"


def test_constraints_pin_every_direct_dependency_exactly() -> None:
    pins = {}
    for line in (ROOT / "constraints.txt").read_text().splitlines():
        if line and not line.startswith("#"):
            name, _, version = line.partition("==")
            pins[name.lower().replace("_", "-")] = version
    project = tomllib.loads((ROOT / "pyproject.toml").read_text())["project"]
    for spec in project["dependencies"] + project["optional-dependencies"]["test"]:
        req = Requirement(spec)
        name = req.name.lower().replace("_", "-")
        assert name in pins, f"{name} is not pinned in constraints.txt"
        assert req.specifier.contains(pins[name]), f"{name}=={pins[name]} does not satisfy {req.specifier}"


def test_installed_versions_are_the_pinned_ones() -> None:
    """The moto/botocore pair is what the fidelity layer was written against."""
    from importlib.metadata import version
    pins = dict(line.split("==") for line in (ROOT / "constraints.txt").read_text().splitlines() if "==" in line)
    for package in ("moto", "botocore", "boto3"):
        assert version(package) == pins[package], f"{package} {version(package)} is installed, {pins[package]} pinned"


def test_ci_runs_the_readme_test_command_and_nothing_else() -> None:
    """The one test command is the README's; before it CI may only install the system packages the
    README names as the browser tests' prerequisite (Debian's Chromium and fonts)."""
    readme = (ROOT / "README.md").read_text()
    ci = [line.strip() for line in (ROOT / ".ci/run").read_text().splitlines()
          if line.strip() and not line.startswith("#") and not line.startswith(("set ", "cd "))]
    assert ci[-1] == "make test"
    assert "make test" in readme and "make lab" in readme
    prerequisites = ci[:-1]
    assert not [line for line in prerequisites if re.search(r"\b(make|pytest|python3?|pip)\b", line)], prerequisites
    packages = next(line for line in prerequisites if line.startswith("BROWSER_PACKAGES="))
    listed = packages.partition("=")[2].strip('"').split()
    assert f"apt-get install -y --no-install-recommends {' '.join(listed)}" in readme, listed


def test_command_line_lists_its_commands() -> None:
    out = subprocess.run([sys.executable, "-m", "labs", "--help"], capture_output=True, text=True, cwd=ROOT,
                         check=False)
    assert out.returncode == 0
    for command in ("emulator", "sweep", "build", "bench"):
        assert command in out.stdout


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


@pytest.mark.skipif(not (ROOT / ".venv/bin/jupyter").exists(), reason="needs the project's .venv (make test creates it)")
def test_run_command_serves_the_notebooks_headless() -> None:
    """`make lab HEADLESS=1` starts JupyterLab without a browser, serving notebooks/."""
    port = _free_port()
    env = {**os.environ, "HEADLESS": "1", "PORT": str(port), "JUPYTER_TOKEN": "ci-token"}
    proc = subprocess.Popen(["make", "--no-print-directory", "lab"], cwd=ROOT, env=env,
                            stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, start_new_session=True)
    try:
        deadline, listing = time.time() + 60, None
        while time.time() < deadline and listing is None:
            try:
                with urllib.request.urlopen(f"http://127.0.0.1:{port}/api/contents?token=ci-token", timeout=2) as r:
                    listing = json.load(r)
            except OSError:
                time.sleep(0.5)
        assert listing is not None, "JupyterLab did not answer within 60 s"
        served = {item["name"] for item in listing["content"]}
        expected = {p.name for p in (ROOT / "notebooks").iterdir() if not p.name.startswith(".")}
        assert served == expected
        with urllib.request.urlopen(f"http://127.0.0.1:{port}/lab?token=ci-token", timeout=5) as r:
            assert r.status == 200 and b"JupyterLab" in r.read()
    finally:
        os.killpg(proc.pid, 15)
        proc.wait(timeout=20)
