"""Version guard: the fidelity layer is written against pinned moto/botocore code and says so loudly.

Every patch records a fingerprint of each upstream object it replaces or wraps (see
``labs/helpers/emulator/patching.py``). On the pinned versions all of them apply; when upstream code
changes (a pin moved, a stray ``pip install -U``), ``install()`` must refuse that patch and report
WHICH patch and WHICH target no longer match, at install time, instead of a lab failing later in
some unrelated-looking way.
"""

from __future__ import annotations

import json
import os
import re
import subprocess
import sys
from importlib.metadata import version
from pathlib import Path
from typing import Any

import pytest

from labs.helpers import emulator
from labs.helpers.backend import start_embedded_emulator
from labs.helpers.emulator.patching import Patch, PatchStatus

CONSTRAINTS = Path(__file__).resolve().parents[2] / "constraints.txt"


def _pins() -> dict[str, str]:
    pins = {}
    for line in CONSTRAINTS.read_text().splitlines():
        match = re.match(r"^([A-Za-z0-9_.\-]+)==([^\s;#]+)", line.strip())
        if match:
            pins[match.group(1).lower()] = match.group(2)
    return pins


@pytest.mark.parametrize("package", ["moto", "botocore", "boto3"])
def test_installed_versions_are_the_pinned_ones(package: str) -> None:
    pinned, installed = _pins().get(package), version(package)
    assert pinned, f"constraints.txt has no pin for {package}"
    assert installed == pinned, (
        f"{package} {installed} is installed but constraints.txt pins {pinned}. The emulator layer is "
        f"written against the pinned code. Reinstall with `.venv/bin/pip install -c constraints.txt -e .`; "
        f"if you moved the pin on purpose, run `python -m labs.helpers.emulator.patching`, re-check every "
        f"patch whose fingerprint changed against the new upstream code, and update its targets.")


def test_every_patch_is_applied_on_the_pinned_versions(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv(emulator.DISABLE_ENV, raising=False)
    start_embedded_emulator()
    status = emulator.install()  # idempotent: returns what was done when the emulator started
    names = [p.name for p in emulator.patches()]
    assert sorted(status) == sorted(names), "every module in PATCH_MODULES is installed"
    not_applied = {name: s.reason for name, s in status.items() if not s.applied}
    assert not_applied == {}, f"patches not applied on the pinned versions: {not_applied}"


def test_a_patch_is_applied_once_however_often_it_is_installed() -> None:
    """A second ``apply`` would wrap the patch's own wrappers (every delivery reported twice, every
    FIFO message numbered twice), so ``Patch.install`` applies once and then only says it did."""
    calls: list[str] = []
    patch = Patch("once", "restores", "plain moto", apply=lambda: calls.append("applied"))
    assert [patch.install(), patch.install()] == [PatchStatus(True), PatchStatus(True)]
    assert calls == ["applied"]


# The drift scenarios run in a fresh interpreter: once a patch is applied, its target IS the patch
# (e.g. a wrapper without functools.wraps), so fingerprints taken afterwards no longer describe upstream.
# ``install()`` is run over copies of the real patches whose ``apply`` only records the name.
DRIFT_SCRIPT = r"""
import dataclasses, json, os, warnings
import labs.helpers.emulator as emulator
from labs.helpers.emulator.patching import fingerprint, resolve

real = emulator.patches()
out = {"fingerprints": {p.name: {d: [exp, fingerprint(d)] for d, exp in p.targets.items()} for p in real},
       "texts": {p.name: [p.restores, p.plain_moto] for p in real}}

def dry(disabled=""):
    applied = []
    emulator._status.clear()
    copies = [dataclasses.replace(p, apply=lambda n=p.name: applied.append(n)) for p in real]
    emulator.patches = lambda: copies
    os.environ[emulator.DISABLE_ENV] = disabled
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        status = emulator.install()
    return {"applied": applied, "status": {n: [s.applied, s.reason] for n, s in status.items()},
            "warnings": [str(w.message) for w in caught if issubclass(w.category, emulator.PatchNotApplied)]}

def owner_of(dotted):
    module, _, attrs = dotted.partition(":")
    head, _, last = attrs.rpartition(".")
    return resolve(f"{module}:{head}") if head else resolve(module), last

out["baseline"] = dry()
out["drift"], out["vanish"] = {}, {}
for patch in real:
    for dotted in patch.targets:
        owner, attr = owner_of(dotted)
        if attr not in vars(owner):
            continue
        original = vars(owner)[attr]
        def drifted(*args, **kwargs):  # "upstream" rewrote it
            return original(*args, **kwargs)
        setattr(owner, attr, drifted)
        out["drift"][patch.name] = [dotted, dry()]
        delattr(owner, attr)
        out["vanish"][patch.name] = [dotted, dry()]
        setattr(owner, attr, original)
        break
out["disabled"] = [real[0].name, dry(real[0].name)]
print(json.dumps(out))
"""


@pytest.fixture(scope="module")
def guard(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Any]:
    script = tmp_path_factory.mktemp("guard") / "drift.py"  # a file: inspect.getsource needs one
    script.write_text(DRIFT_SCRIPT)
    env = dict(os.environ, PYTHONPATH=os.getcwd())
    env.pop(emulator.DISABLE_ENV, None)
    out = subprocess.run([sys.executable, str(script)], check=False, capture_output=True, text=True, env=env, timeout=120)
    assert out.returncode == 0, out.stderr
    return json.loads(out.stdout.strip().splitlines()[-1])


def test_every_patch_names_its_targets_and_documents_itself(guard: dict[str, Any]) -> None:
    for name, (restores, plain) in guard["texts"].items():
        assert restores.strip() and plain.strip(), f"{name}: the fidelity table texts are missing"
    for name, targets in guard["fingerprints"].items():
        for dotted, (expected, actual) in targets.items():
            assert re.fullmatch(r"[0-9a-f]{12}", expected), f"{name}: malformed fingerprint for {dotted}"
            assert actual == expected, f"{name}: {dotted} is {actual} upstream, patch written against {expected}"
    baseline = guard["baseline"]
    assert sorted(baseline["applied"]) == sorted(guard["texts"]) and baseline["warnings"] == []


def test_upstream_change_is_reported_with_patch_and_target(guard: dict[str, Any]) -> None:
    assert guard["drift"], "at least one patch has a target that can be replaced"
    for name, (dotted, run) in guard["drift"].items():
        applied, reason = run["status"][name]
        assert applied is False and name not in run["applied"], f"{name} applied over changed upstream code"
        assert f"target {dotted} changed upstream" in reason
        assert any(name in w and dotted in w for w in run["warnings"]), run["warnings"]
        # the other patches still apply (unless they share that very target)
        for other, (ok, why) in run["status"].items():
            assert ok or dotted in why, f"{other} was refused although only {dotted} drifted: {why}"


def test_a_vanished_target_is_reported(guard: dict[str, Any]) -> None:
    gone = 0
    for name, (dotted, run) in guard["vanish"].items():
        applied, reason = run["status"][name]
        # without its own definition a method may fall back to an inherited one: "changed upstream"
        assert applied is False and (f"target {dotted} is gone" in reason or f"target {dotted} changed" in reason)
        assert any(name in w and dotted in w for w in run["warnings"])
        gone += f"target {dotted} is gone" in reason
    assert gone, "at least one vanished target is reported as gone"


def test_disabled_patches_are_reported_but_do_not_warn(guard: dict[str, Any]) -> None:
    name, run = guard["disabled"]
    assert run["status"][name] == [False, f"disabled by {emulator.DISABLE_ENV}"]
    assert name not in run["applied"] and run["warnings"] == []
