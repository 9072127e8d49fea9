"""Each solution notebook can be run twice in one kernel, and its teardown leaves nothing behind.

Students re-run notebooks all the time (Run All after a fix, a cell twice). The labs promise:

* re-running is safe: a second Run All in the same kernel raises no error and creates no
  duplicates (the set of resources before the teardown is the same both times);
* the teardown cell leaves **zero** resources: not only of this lab, but of any kind in the
  whole emulated account (the kernel's embedded emulator holds nothing but this notebook's work),
  so a resource made without the lab's name or client is caught too.

The state is read from inside the kernel, between cells, with the helpers' inventory (the same
listing ``python -m labs sweep`` uses), by cells this test adds; the notebook is not modified.

Also here: committed solution outputs carry no credentials, account ids or machine paths.
"""

from __future__ import annotations

import copy
import json
import re
from pathlib import Path

import nbformat
import pytest

from labs.course.execute import kernel

ROOT = Path(__file__).resolve().parents[1]
SOLUTIONS = sorted((ROOT / "solutions").glob("*.ipynb"))

#: Prints, as JSON, [lab resources, every resource in the account] (kind/name pairs).
PROBE = """
import json as _json
from labs.helpers import inventory as _inventory
print(_json.dumps([sorted([r.kind, r.name] for r in lab.resources().resources),
                   sorted([r.kind, r.name] for r in _inventory.find(lab.client, lambda kind, name: True).resources)]))
"""


def _teardown_index(nb: nbformat.NotebookNode) -> int:
    found = [i for i, c in enumerate(nb.cells) if c.cell_type == "code" and "lab.teardown(" in c.source]
    assert found, "the notebook has no teardown cell (a cell calling lab.teardown())"
    return found[-1]


def _probed(nb: nbformat.NotebookNode) -> tuple[nbformat.NotebookNode, int, int]:
    """A copy of ``nb``'s code cells with a probe before the teardown cell and one at the end."""
    teardown = _teardown_index(nb)
    cells = [copy.deepcopy(c) for c in nb.cells[:teardown] if c.cell_type == "code"]
    before = len(cells)
    cells.append(nbformat.v4.new_code_cell(PROBE))
    cells += [copy.deepcopy(c) for c in nb.cells[teardown:] if c.cell_type == "code"]
    cells.append(nbformat.v4.new_code_cell(PROBE))
    return nbformat.v4.new_notebook(cells=cells, metadata=nb.metadata), before, len(cells) - 1


def _read_probe(cell: nbformat.NotebookNode) -> tuple[list[list[str]], list[list[str]]]:
    text = "".join(o.get("text", "") for o in cell.outputs if o.get("output_type") == "stream")
    lab_resources, everything = json.loads(text.strip().splitlines()[-1])
    return lab_resources, everything


@pytest.mark.notebooks
@pytest.mark.parametrize("notebook", SOLUTIONS, ids=lambda p: p.name)
def test_runs_twice_in_one_kernel_and_leaves_nothing(notebook: Path) -> None:
    nb, probe_before, probe_after = _probed(nbformat.read(notebook, as_version=4))
    before: list[tuple[list[list[str]], list[list[str]]]] = []
    with kernel(nb) as client:
        for run in (1, 2):
            for index, cell in enumerate(nb.cells):
                cell.outputs = []
                # raises CellExecutionError naming the cell and showing the traceback on an error
                client.execute_cell(cell, index)
            before.append(_read_probe(nb.cells[probe_before]))
            lab_left, account_left = _read_probe(nb.cells[probe_after])
            assert lab_left == [], f"run {run}: the teardown left this lab's {lab_left}"
            assert account_left == [], f"run {run}: resources left in the emulated account: {account_left}"
    assert before[0][0], "the notebook created no lab resources before its teardown (is the probe looking?)"
    assert before[0] == before[1], f"the second run made a different set of resources:\n{before[0]}\n{before[1]}"


# --- what is committed ------------------------------------------------------------------------------

LEAKS = {
    "an AWS access key id": re.compile(r"\b(AKIA|ASIA)[A-Z0-9]{16}\b"),
    "an AWS secret key": re.compile(r"(?i)aws_secret_access_key|\b[A-Za-z0-9/+]{40}\b(?=.*secret)"),
    "a session token": re.compile(r"(?i)aws_session_token|x-amz-security-token"),
    "a 12-digit account id": re.compile(r"(?<![\d.])\d{12}(?![\d.])"),
    "a machine path": re.compile(r"(/home/|/work/|/tmp/|/Users/|/root/|[A-Z]:\\\\Users)"),
}


def _texts(nb: nbformat.NotebookNode) -> list[tuple[str, str]]:
    """(where, text) of every textual output and of the metadata; images are binary, not text."""
    found = [("notebook metadata", json.dumps(nb.metadata))]
    for index, cell in enumerate(nb.cells):
        found.append((f"cell {index} metadata", json.dumps(cell.metadata)))
        for output in cell.get("outputs", []):
            if "text" in output:
                found.append((f"cell {index}", output["text"]))
            for mime, data in output.get("data", {}).items():
                if not mime.startswith("image/"):
                    found.append((f"cell {index} {mime}", data if isinstance(data, str) else json.dumps(data)))
            if "traceback" in output:
                found.append((f"cell {index} traceback", "\n".join(output["traceback"])))
    return found


@pytest.mark.parametrize("notebook", SOLUTIONS, ids=lambda p: p.name)
def test_committed_outputs_hold_no_credentials_account_ids_or_paths(notebook: Path) -> None:
    nb = nbformat.read(notebook, as_version=4)
    problems = [f"{where}: {what} ({pattern.search(text)[0]!r})"
                for where, text in _texts(nb) for what, pattern in LEAKS.items() if pattern.search(text)]
    assert not problems, f"{notebook.name} outputs leak:\n" + "\n".join(problems)


def test_the_leak_patterns_catch_what_they_should() -> None:
    """The scan above is only as good as its patterns: each must flag a real example."""
    examples = {"an AWS access key id": "key AKIAIOSFODNN7EXAMPLE", "a session token": "AWS_SESSION_TOKEN=x",
                "a 12-digit account id": "arn:aws:sqs:us-east-1:123456789012:orders",
                "a machine path": "File /home/alice/labs/x.py", "an AWS secret key": "aws_secret_access_key = y"}
    for what, text in examples.items():
        assert LEAKS[what].search(text), what
    assert not LEAKS["a 12-digit account id"].search("took 0.123456789012 s; 1234567890123 items")
