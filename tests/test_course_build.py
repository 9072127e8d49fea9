"""The course build: solution notebooks -> student notebooks (Otter-style markers).

Marker semantics follow Otter-Grader's ``otter assign`` (see courseware-notes.md): a
``# BEGIN SOLUTION`` / ``# END SOLUTION`` block "is replaced by ``...``", a line
``name = expr  # SOLUTION`` keeps its left-hand side, any other ``# SOLUTION`` line is removed.
Our placeholder carries a ``# YOUR CODE HERE`` comment so students see where to write.
"""

from __future__ import annotations

import ast
import re
import subprocess
import sys
from pathlib import Path

import nbformat
import pytest

from labs.course.build import ANSWER_HERE, build, main, read, student_notebook, to_bytes
from labs.course.markers import LAST_PLACEHOLDER, PLACEHOLDER, MarkerError, Where, student_code

ROOT = Path(__file__).resolve().parents[1]


def _nb(*cells: nbformat.NotebookNode) -> nbformat.NotebookNode:
    nb = nbformat.v4.new_notebook(cells=list(cells))
    nb.metadata = {"kernelspec": {"name": "weird", "display_name": "venv (/home/alice/.venv)", "language": "python"},
                   "widgets": {"application/vnd.jupyter.widget-state+json": {"state": {}}},
                   "vscode": {"interpreter": {"hash": "abc"}}}
    return nb


def _code(source: str, **metadata: object) -> nbformat.NotebookNode:
    cell = nbformat.v4.new_code_cell(source, metadata=metadata)
    return cell


# --- marker forms ---------------------------------------------------------------------------------

def test_a_cell_ending_in_a_top_level_placeholder_shows_no_ellipsis() -> None:
    """IPython shows the value of a cell's last expression: ``...`` would print ``Ellipsis``."""
    import io
    from contextlib import redirect_stdout

    from IPython.core.interactiveshell import InteractiveShell

    student = student_code("x = 1\n# BEGIN SOLUTION\nsqs.create_queue(QueueName='q')\n# END SOLUTION")
    assert student == f"x = 1\n{LAST_PLACEHOLDER}"
    shell = InteractiveShell.instance()
    shown = io.StringIO()
    with redirect_stdout(shown):
        result = shell.run_cell(student, store_history=False)
    assert result.success and result.result is None and "Ellipsis" not in shown.getvalue()
    # inside a function, or followed by code, the Otter placeholder stays
    assert student_code("def f():\n    # BEGIN SOLUTION\n    return 1\n    # END SOLUTION") == f"def f():\n    {PLACEHOLDER}"


def test_block_becomes_placeholder_at_its_indentation() -> None:
    source = "url = lab.name('orders')\n# BEGIN SOLUTION\nsqs.create_queue(QueueName=url)\nprint('made')\n# END SOLUTION\nprint(url)"
    assert student_code(source) == f"url = lab.name('orders')\n{PLACEHOLDER}\nprint(url)"


def test_nested_block_keeps_the_indentation_so_the_cell_is_still_python() -> None:
    source = (
        "def handle(batch):\n"
        "    failures = []\n"
        "    for record in batch:\n"
        "        # BEGIN SOLUTION\n"
        "        try:\n"
        "            process(record)\n"
        "        except ValueError:\n"
        "            failures.append(record['messageId'])\n"
        "        # END SOLUTION\n"
        "    return failures\n"
    )
    student = student_code(source)
    assert student == (
        "def handle(batch):\n    failures = []\n    for record in batch:\n"
        f"        {PLACEHOLDER}\n    return failures\n"
    )
    ast.parse(student)  # still valid Python: the student notebook runs top to bottom


def test_solution_assignment_keeps_the_name() -> None:
    source = ('queue_url = sqs.create_queue(QueueName=lab.name("orders"))["QueueUrl"]  # SOLUTION\n'
              "    attrs: dict = {'a': 1}  # SOLUTION\n"
              "count += 1 # SOLUTION\n"
              "first, second = pair  # SOLUTION")
    assert student_code(source).split("\n") == [
        f"queue_url = {PLACEHOLDER}",
        f"    attrs: dict = {PLACEHOLDER}",
        f"count += {PLACEHOLDER}",
        f"first, second = {PLACEHOLDER}",
    ]


def test_other_solution_lines_are_dropped() -> None:
    source = ('print("start")\nsqs.delete_message(QueueUrl=url, ReceiptHandle=handle)  # SOLUTION\n'
              'assert total == 3  # SOLUTION\nprint("done")')
    assert student_code(source) == 'print("start")\nprint("done")'


def test_cells_without_markers_are_unchanged() -> None:
    source = "# SOLUTIONS are discussed below\nx = 1  # not a solution\n%time y = 2\n!ls"
    assert student_code(source) == source


# --- errors ---------------------------------------------------------------------------------------

@pytest.mark.parametrize(("source", "line", "words"), [
    ("x = 1\n# BEGIN SOLUTION\ny = 2", 2, "never closed"),
    ("x = 1\n# END SOLUTION", 2, "without a '# BEGIN SOLUTION'"),
    ("# BEGIN SOLUTION\n# BEGIN SOLUTION\nx = 1\n# END SOLUTION", 2, "inside the block opened on line 1"),
    ("x = 1  # BEGIN SOLUTION\ny = 2\n# END SOLUTION", 1, "alone on its line"),
    ("if x:\n    # BEGIN SOLUTION\n    y = 1\n# END SOLUTION", 4, "indented differently"),
    ("if x:\n    # BEGIN SOLUTION\n    y = 1\nz = 2\n    # END SOLUTION", 4, "indented less"),
    ("# BEGIN SOLUTION\nx = 1  # SOLUTION\n# END SOLUTION", 2, "inside a BEGIN/END SOLUTION block"),
    ("if ready:\n    go()  # SOLUTION\nprint(1)", 3, "not valid Python"),
])
def test_misplaced_markers_name_the_notebook_cell_and_line(source: str, line: int, words: str) -> None:
    with pytest.raises(MarkerError) as caught:
        student_code(source, Where("01-sqs-orders.ipynb", 7))
    error = caught.value
    assert (error.notebook, error.cell, error.line) == ("01-sqs-orders.ipynb", 7, line)
    assert words in str(error) and str(error).startswith(f"01-sqs-orders.ipynb, cell 7, line {line}:")


def test_markers_in_markdown_are_an_error() -> None:
    nb = _nb(nbformat.v4.new_markdown_cell("Intro"), nbformat.v4.new_markdown_cell("text\n# BEGIN SOLUTION\nanswer"))
    with pytest.raises(MarkerError, match=r"^lab.ipynb, cell 1, line 2: a solution marker in a non-code cell"):
        student_notebook(nb, "lab.ipynb")


# --- whole notebooks ------------------------------------------------------------------------------

def _solution() -> nbformat.NotebookNode:
    run = _code("# BEGIN SOLUTION\nprint('secret')\n# END SOLUTION", scrolled=True,
                execution={"iopub.status.busy": "2026-11-25T10:00:00Z"}, tags=["exercise"])
    run.outputs = [nbformat.v4.new_output("stream", text="secret\n")]
    run.execution_count = 3
    return _nb(
        nbformat.v4.new_markdown_cell("# Lab\n<details><summary>Hint</summary>Use create_queue.</details>"),
        run,
        _code("print('instructor only')", tags=["solution-only"]),
        nbformat.v4.new_markdown_cell("Because the queue buffers.", metadata={"tags": ["solution"]}),
    )


def test_student_notebook_drops_answers_and_normalises() -> None:
    solution = _solution()
    before = to_bytes(solution)
    student = student_notebook(solution, "lab.ipynb")
    assert to_bytes(solution) == before, "the solution must not be modified"

    assert [c.cell_type for c in student.cells] == ["markdown", "code", "markdown"]
    hint, exercise, answer = student.cells
    assert "<summary>Hint</summary>Use create_queue." in hint.source  # hints are kept
    assert exercise.source == LAST_PLACEHOLDER and exercise.outputs == [] and exercise.execution_count is None
    assert exercise.metadata == {"tags": ["exercise"]}  # no timings, no scroll state
    assert answer.source == ANSWER_HERE and "tags" not in answer.metadata
    assert [c.id for c in student.cells] == [solution.cells[i].id for i in (0, 1, 3)]
    assert student.metadata == {"kernelspec": {"display_name": "Python 3 (ipykernel)", "language": "python",
                                               "name": "python3"},
                                "language_info": {"name": "python", "pygments_lexer": "ipython3"}}
    assert (student.nbformat, student.nbformat_minor) == (4, 5)
    assert b"/home/" not in to_bytes(student) and b"widget" not in to_bytes(student)


def test_cell_ids_are_derived_when_the_solution_has_none() -> None:
    solution = _solution()
    for cell in solution.cells:
        del cell["id"]
    ids = [c.id for c in student_notebook(solution, "lab.ipynb").cells]
    assert ids == [c.id for c in student_notebook(solution, "lab.ipynb").cells]
    assert len(set(ids)) == len(ids) and all(re.fullmatch(r"[0-9a-f]{8}", i) for i in ids)


def test_build_is_idempotent_and_check_reports_drift(tmp_path: Path) -> None:
    solutions, notebooks = tmp_path / "solutions", tmp_path / "notebooks"
    solutions.mkdir()
    nbformat.write(_solution(), solutions / "00-demo.ipynb")
    assert build(solutions, notebooks, check=True) == ["notebooks/00-demo.ipynb"]
    assert build(solutions, notebooks) == ["notebooks/00-demo.ipynb"]
    written = (notebooks / "00-demo.ipynb").read_bytes()
    assert build(solutions, notebooks) == [] and build(solutions, notebooks, check=True) == []
    assert (notebooks / "00-demo.ipynb").read_bytes() == written

    (notebooks / "00-demo.ipynb").write_bytes(written.replace(b"YOUR CODE HERE", b"print('edited')"))
    (notebooks / "99-old.ipynb").write_bytes(written)
    assert build(solutions, notebooks, check=True) == ["notebooks/00-demo.ipynb", "notebooks/99-old.ipynb (no solution)"]
    build(solutions, notebooks)
    assert (notebooks / "00-demo.ipynb").read_bytes() == written and not (notebooks / "99-old.ipynb").exists()


def test_command_line_check_exits_1_and_lists_files(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    solutions, notebooks = tmp_path / "solutions", tmp_path / "notebooks"
    solutions.mkdir()
    nbformat.write(_solution(), solutions / "00-demo.ipynb")
    paths = ["--solutions", str(solutions), "--notebooks", str(notebooks)]
    assert main([*paths, "--check"]) == 1 and "notebooks/00-demo.ipynb" in capsys.readouterr().out
    assert main(paths) == 0 and "wrote notebooks/00-demo.ipynb" in capsys.readouterr().out
    assert main([*paths, "--check"]) == 0, capsys.readouterr().out

    nbformat.write(_nb(_code("# BEGIN SOLUTION\nx = 1")), solutions / "01-bad.ipynb")
    assert main(paths) == 2
    assert "01-bad.ipynb, cell 0, line 1: '# BEGIN SOLUTION' is never closed" in capsys.readouterr().err


# --- the real course ------------------------------------------------------------------------------

def test_committed_student_notebooks_are_up_to_date() -> None:
    """The drift guard: notebooks/ is exactly what `python -m labs build` writes from solutions/."""
    out = subprocess.run([sys.executable, "-m", "labs", "build", "--check"],
                         check=False, capture_output=True, text=True, cwd=ROOT)
    assert out.returncode == 0, out.stdout + out.stderr


def _answer_lines(source: str) -> set[str]:
    """Lines of a cell that only a solution should contain (an independent, deliberately simple scan)."""
    lines, inside = set(), False
    for line in source.splitlines():
        text = line.strip()
        if re.fullmatch(r"#+\s*BEGIN SOLUTION", text):
            inside = True
        elif re.fullmatch(r"#+\s*END SOLUTION", text):
            inside = False
        elif inside and text:
            lines.add(text)
        elif text.endswith("# SOLUTION"):
            code = text[: -len("# SOLUTION")].strip()
            lines.add(code.split("=", 1)[1].strip() if re.match(r"^[\w.\[\]'\", :]+?[-+*/]?=[^=]", code) else code)
    return lines


@pytest.mark.parametrize("solution", sorted((ROOT / "solutions").glob("*.ipynb")), ids=lambda p: p.name)
def test_no_solution_line_leaks_into_the_student_notebook(solution: Path) -> None:
    nb = read(solution)
    answers: set[str] = set()
    shared: set[str] = set()  # lines the solution also shows outside any answer (fair to repeat)
    for cell in nb.cells:
        if cell.cell_type != "code" or "solution-only" in cell.metadata.get("tags", []):
            continue
        found = _answer_lines(cell.source)
        answers |= found
        shared |= {line.strip() for line in cell.source.splitlines()} - found
    student = read(ROOT / "notebooks" / solution.name)
    student_lines = {line.strip() for cell in student.cells for line in cell.source.splitlines()}
    leaked = {line for line in answers - shared if re.search(r"[A-Za-z0-9]", line)} & student_lines
    assert not leaked, f"solution lines in notebooks/{solution.name}: {sorted(leaked)}"
    hidden = [c.source for c in nb.cells if "solution-only" in c.metadata.get("tags", [])
              or (c.cell_type == "markdown" and "solution" in c.metadata.get("tags", []))]
    assert not any(text and text in cell.source for text in hidden for cell in student.cells)


def test_learners_see_no_test_plumbing() -> None:
    """nbval reads cell tags: a ``# NBVAL_...`` comment line would only show learners test machinery."""
    import nbformat

    root = Path(__file__).resolve().parents[1]
    shown = [f"{path.name} cell {i}" for folder in ("solutions", "notebooks") for path in sorted((root / folder).glob("*.ipynb"))
             for i, cell in enumerate(nbformat.read(path, as_version=4).cells)
             if cell.cell_type == "code" and "# NBVAL_" in cell.source]
    assert not shown, f"use the cell tag nbval-ignore-output (or another nbval tag) instead: {shown}"
