"""`python -m labs build --execute` runs solution notebooks the way the notebook tests do.

One tiny notebook, one kernel: the kernel must run in the repository (cwd), import ``labs`` from
it, use the embedded emulator as the fixed learner, and the stored notebook must carry the outputs
and execution counts (nbval's reference) without timing metadata or machine-specific kernelspecs.
"""

from __future__ import annotations

from pathlib import Path

import nbformat
import pytest

from labs.course.build import ROOT
from labs.course.execute import LEARNER, execute_solutions

PROBE = """import os, labs
print(os.getcwd() == {root!r}, os.path.dirname(os.path.dirname(labs.__file__)) == {root!r})
print(os.environ["LABS_USER"], "AWS_ENDPOINT_URL" in os.environ, os.environ.get("LABS_BACKEND"))"""


@pytest.mark.notebooks
def test_execute_stores_outputs_run_in_the_repository(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("AWS_ENDPOINT_URL", "http://127.0.0.1:1")  # a developer's setting must not leak in
    nb = nbformat.v4.new_notebook(cells=[nbformat.v4.new_markdown_cell("# Demo"),
                                         nbformat.v4.new_code_cell(PROBE.format(root=str(ROOT)))])
    nb.metadata["kernelspec"] = {"name": "python3", "display_name": "/home/alice/venv", "language": "python"}
    nbformat.write(nb, tmp_path / "00-demo.ipynb")

    [(path, seconds)] = list(execute_solutions(tmp_path))
    assert path == tmp_path / "00-demo.ipynb" and seconds > 0
    stored = nbformat.read(path, as_version=4)
    cell = stored.cells[1]
    assert cell.execution_count == 1
    assert "".join(o["text"] for o in cell.outputs) == f"True True\n{LEARNER} False None\n"
    assert "execution" not in cell.metadata and "/home/" not in path.read_text()


def test_execute_names_an_unknown_notebook(tmp_path: Path) -> None:
    nbformat.write(nbformat.v4.new_notebook(), tmp_path / "00-demo.ipynb")
    with pytest.raises(ValueError, match="no solution notebook called 07-nope .*use one of: 00-demo"):
        list(execute_solutions(tmp_path, ["07-nope"]))
