"""Every notebook runs, and the solutions still produce the outputs stored in them (nbval).

Each notebook is checked by nbval in its own pytest subprocess, because nbval decides per session
how strict it is, and the two kinds of notebook need different strictness:

* ``solutions/`` with ``--nbval``: every output is compared with the stored one (after
  ``tests/nbval-sanitize.cfg`` masks ids, timestamps, durations, account ids), except cells marked
  tagged ``nbval-ignore-output`` (pictures, live widgets, timings). Stored outputs come from
  ``python -m labs build --execute``, which runs notebooks with the same environment
  (:func:`labs.course.execute.notebook_env`) as this test.
* ``notebooks/`` with ``--nbval-lax``: the student version, every exercise unanswered, must run top
  to bottom without an error (its check cells say "not attempted" instead of failing).

A failure shows nbval's own report (the cell, the expected and the actual output).
"""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest

from labs.course.execute import notebook_env

ROOT = Path(__file__).resolve().parents[1]
SANITIZE = ROOT / "tests" / "nbval-sanitize.cfg"
SOLUTIONS = sorted((ROOT / "solutions").glob("*.ipynb"))
STUDENT = sorted((ROOT / "notebooks").glob("*.ipynb"))

pytestmark = pytest.mark.notebooks


def _nbval(mode: str, notebook: Path) -> subprocess.CompletedProcess[str]:
    command = [sys.executable, "-m", "pytest", "-q", "-p", "no:cacheprovider", mode,
               "--nbval-current-env", "--nbval-sanitize-with", str(SANITIZE), "--nbval-cell-timeout", "120",
               "-o", "addopts=", "-o", "testpaths=", str(notebook.relative_to(ROOT))]
    return subprocess.run(command, cwd=ROOT, env=notebook_env(), capture_output=True, text=True, timeout=900,
                          check=False)


def _report(out: subprocess.CompletedProcess[str]) -> str:
    return f"nbval failed (exit {out.returncode}):\n{out.stdout[-12000:]}\n{out.stderr[-3000:]}"


@pytest.mark.parametrize("notebook", SOLUTIONS, ids=lambda p: p.name)
def test_solution_notebook_reproduces_its_stored_outputs(notebook: Path) -> None:
    out = _nbval("--nbval", notebook)
    assert out.returncode == 0, _report(out)
    assert " passed" in out.stdout, _report(out)  # at least one cell was really run and compared


@pytest.mark.parametrize("notebook", STUDENT, ids=lambda p: p.name)
def test_student_notebook_runs_top_to_bottom(notebook: Path) -> None:
    out = _nbval("--nbval-lax", notebook)
    assert out.returncode == 0, _report(out)
    assert " passed" in out.stdout, _report(out)


def test_every_solution_has_a_student_notebook_and_outputs() -> None:
    """A solution without stored outputs would make nbval compare nothing."""
    assert SOLUTIONS, "no solution notebooks found"
    assert [p.name for p in SOLUTIONS] == [p.name for p in STUDENT]
    import nbformat

    for path in SOLUTIONS:
        nb = nbformat.read(path, as_version=4)
        code = [c for c in nb.cells if c.cell_type == "code"]
        unrun = [i for i, c in enumerate(nb.cells) if c.cell_type == "code" and c.execution_count is None]
        assert not unrun, f"{path.name}: cells {unrun} were never run; use `python -m labs build --execute`"
        assert any(c.outputs for c in code), f"{path.name} has no stored outputs"


@pytest.mark.parametrize("notebook", STUDENT, ids=lambda p: p.name)
def test_an_unanswered_student_notebook_shows_only_meaningful_output(notebook: Path) -> None:
    """Before any answer: every check says "Not attempted" (never "Not yet right" for work not
    begun), and no cell shows an empty table, ``Ellipsis`` or an error; cells waiting for an
    exercise say which one."""
    import nbformat

    from labs.course.execute import run_notebook

    nb = run_notebook(nbformat.read(notebook, as_version=4))
    texts = [(i, o.get("text", "") or o.get("data", {}).get("text/plain", ""))
             for i, c in enumerate(nb.cells) if c.cell_type == "code" for o in c.outputs]
    problems = [f"cell {i}: {text[:80]!r}" for i, text in texts
                if text.strip() == "Ellipsis" or "Empty DataFrame" in text or "[Not yet right]" in text
                or "Traceback" in text]
    assert not problems, "\n".join(problems)
    checks = [text for _, text in texts if text.startswith("[Not attempted]")]
    assert len(checks) == sum(c.source.count("check(") for c in nb.cells if c.cell_type == "code"), checks
