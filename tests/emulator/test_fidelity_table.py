"""docs/fidelity.md is generated from the patches themselves and never goes stale."""

from __future__ import annotations

import sys
import types
from pathlib import Path

import pytest

from labs.helpers import emulator
from labs.helpers.emulator import fidelity
from labs.helpers.emulator.patching import Patch

ROOT = Path(__file__).resolve().parents[2]


def test_docs_fidelity_md_is_what_the_generator_writes() -> None:
    assert fidelity.DOC_PATH == ROOT / "docs" / "fidelity.md"
    assert fidelity.DOC_PATH.exists(), "docs/fidelity.md is missing: run python -m labs.helpers.emulator.fidelity --write"
    assert fidelity.DOC_PATH.read_text(encoding="utf-8") == fidelity.render(), (
        "docs/fidelity.md is stale (a patch was added or its texts changed): "
        "run python -m labs.helpers.emulator.fidelity --write and commit the result")


def test_one_row_per_patch_with_its_texts() -> None:
    text = fidelity.render()
    header = "| feature | plain moto 5.2.5 | with our layer | real AWS |"
    assert header in text
    for patch in emulator.patches():
        rows = [line for line in text.splitlines() if f"(patch `{patch.name}`)" in line]
        assert len(rows) == 1, f"{patch.name}: expected one row, found {len(rows)}"
        cells = [c.strip() for c in rows[0].strip("|").split(" | ")]
        assert len(cells) == 4, rows[0]
        assert cells[1] == fidelity._escape(patch.plain_moto) and cells[3] == fidelity._escape(patch.restores)


def test_a_new_patch_module_appears_without_touching_the_generator(monkeypatch: pytest.MonkeyPatch) -> None:
    module = types.ModuleType("labs.helpers.emulator.zz_new_gap", "Widgets: frobnicate like AWS | exactly.\n\nMore.")
    module.PATCH = Patch("zz_new_gap", restores="AWS frobnicates", plain_moto="moto does not", apply=lambda: None)
    monkeypatch.setitem(sys.modules, module.__name__, module)
    monkeypatch.setattr(emulator, "PATCH_MODULES", [*emulator.PATCH_MODULES, "zz_new_gap"])
    text = fidelity.render()
    assert "| Widgets: frobnicate like AWS \\| exactly | moto does not | as AWS (patch `zz_new_gap`) | AWS frobnicates |" in text
    assert f"## Gaps the layer closes ({len(emulator.PATCH_MODULES)})" in text


def test_check_flag_fails_on_a_stale_file(monkeypatch: pytest.MonkeyPatch, tmp_path: Path,
                                          capsys: pytest.CaptureFixture[str]) -> None:
    monkeypatch.setattr(fidelity, "DOC_PATH", tmp_path / "fidelity.md")
    assert fidelity.main(["--check"]) == 1
    assert "--write" in capsys.readouterr().err
    assert fidelity.main(["--write"]) == 0
    assert fidelity.main(["--check"]) == 0
    (tmp_path / "fidelity.md").write_text("edited by hand\n")
    assert fidelity.main(["--check"]) == 1


def test_readme_links_the_table() -> None:
    assert "(docs/fidelity.md)" in (ROOT / "README.md").read_text(encoding="utf-8")


def test_every_patch_names_the_tests_that_prove_it() -> None:
    """``python -m labs.helpers.emulator.plain_moto`` runs these with the patch off: a patch added
    without naming its tests (or a renamed test file) fails here, not silently in the proof."""
    from labs.helpers.emulator.plain_moto import GAP_TESTS, TESTS

    assert list(GAP_TESTS) == [patch.name for patch in emulator.patches()]
    missing = [f"{name}: {file}" for name, files in GAP_TESTS.items() for file in files if not (TESTS / file).exists()]
    assert GAP_TESTS and all(GAP_TESTS.values()) and not missing, missing
