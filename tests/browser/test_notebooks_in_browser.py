"""The labs as a learner sees them: JupyterLab in headless Chromium, Run > Run All Cells.

nbval (tests/test_notebooks.py) proves the notebooks run and reproduce their outputs, but with
``LABS_WIDGETS=plain`` and without a front end. These tests open copies of the student and the
solution notebooks in a real JupyterLab and assert on what the page shows:

* every code cell ran (a count in its prompt) and no output is a traceback;
* every widget rendered as a widget: no "Error displaying widget", no ``VBox(children=...`` text,
  no plain-table fallback, and the cells whose stored outputs are widgets show one;
* lab 1's dashboard refreshes by itself: its "refreshed HH:MM:SS" advances, and orders sent from
  a new cell appear in its numbers; after ``dashboard.stop()`` it stands still;
* a wrong answer's check shows its feedback on screen: "Not yet right" and a hint naming lab.name.
"""

from __future__ import annotations

import re
import time
from pathlib import Path
from typing import Any

import ipywidgets
import nbformat
import pytest

pytestmark = [pytest.mark.browser, pytest.mark.notebooks]  # `-m "not notebooks"` skips them too

ROOT = Path(__file__).resolve().parents[2]
NOTEBOOKS = sorted((ROOT / "solutions").glob("*.ipynb")) + sorted((ROOT / "notebooks").glob("*.ipynb"))
WIDGET_MIME = "application/vnd.jupyter.widget-view+json"
#: The text repr of any ipywidgets widget (what a front end without the widget manager shows).
WIDGET_REPR = re.compile(r"\b(?:%s)\((?:children|value|layout|description|outputs|min|max)=" % "|".join(
    sorted(name for name, obj in vars(ipywidgets).items()
           if isinstance(obj, type) and issubclass(obj, ipywidgets.Widget) and obj is not ipywidgets.Widget)))
TRACEBACK = re.compile(r"Traceback \(most recent call last\)|^\s*\w+(?:Error|Exception)\b.*$", re.M)
#: The dashboard's header: "<lab> · refreshed 12:34:56 UTC · live".
REFRESHED = re.compile(r"refreshed (\d\d:\d\d:\d\d) UTC")
RUN_TIMEOUT = 150  # seconds for one notebook's Run All (lab 1's solution takes ~15 s in a kernel)


def _widget_cells(notebook: Path) -> set[int]:
    """The cells of ``notebook`` where a widget must appear: those whose source is that of a solution
    cell with a stored widget output (the student notebook has the same cell, at another index).
    From the files, not the page: the editor draws only the lines it shows."""
    solution = nbformat.read(ROOT / "solutions" / notebook.name, as_version=4)
    sources = {cell.source.strip() for cell in solution.cells if cell.cell_type == "code"
               and any(WIDGET_MIME in output.get("data", {}) for output in cell.get("outputs", []))}
    return {i for i, cell in enumerate(nbformat.read(notebook, as_version=4).cells)
            if cell.cell_type == "code" and cell.source.strip() in sources}


def _index(notebook: Path, needle: str) -> int:
    """The index of the first code cell of ``notebook`` whose source contains ``needle``."""
    cells = nbformat.read(notebook, as_version=4).cells
    found = [i for i, c in enumerate(cells) if c.cell_type == "code" and needle in c.source]
    assert found, f"no code cell of {notebook.name} contains {needle!r}"
    return found[0]


def _describe(cell: Any) -> str:
    text = " | ".join(o.text.strip()[:400] for o in cell.outputs)
    return f"cell {cell.index} {cell.prompt or '(no prompt)'} {cell.source.strip()[:80]!r}: {text or '(no output)'}"


def _open(lab_page: Any, lab_server: Any, notebook: Path) -> str:
    path = lab_server.copy(notebook)
    lab_page.open(path, workspace=re.sub(r"\W+", "-", path))
    if notebook.parent.name == "solutions":
        lab_page.clear_all_outputs()  # stored outputs must not pass for fresh ones
    return path


def _assert_ran_cleanly(cells: list[Any]) -> None:
    code = [c for c in cells if c.code]
    unrun = [c for c in code if not c.executed]
    assert not unrun, ("Run All stopped: these cells did not run (the one before the first usually "
                       "raised):\n" + "\n".join(_describe(c) for c in unrun[:3]) + "\nbefore them: " +
                       _describe(cells[max(0, unrun[0].index - 1)]))
    tracebacks = [c for c in code for o in c.outputs
                  if o.mime == "application/vnd.jupyter.stderr" and TRACEBACK.search(o.text)]
    assert not tracebacks, "a cell shows a traceback:\n" + "\n".join(_describe(c) for c in tracebacks)


def _assert_widgets_render(cells: list[Any], expected: set[int]) -> None:
    problems = []
    for cell in cells:
        for output in cell.outputs:
            if "Loading widget..." in output.text:
                problems.append(f"a widget that never rendered (still 'Loading widget...') in {_describe(cell)}")
            elif "Error displaying widget" in output.text:
                problems.append(f"'Error displaying widget' in {_describe(cell)}")
            elif not output.widget and WIDGET_REPR.search(output.text):
                problems.append(f"a widget shown as its text repr in {_describe(cell)}")
            elif "(counts from the " in output.text:
                problems.append(f"the dashboard fell back to its plain table in {_describe(cell)}")
    for cell in cells:
        if cell.index in expected and not any(o.widget for o in cell.outputs):
            problems.append(f"no widget where the solution shows one: {_describe(cell)}")
    assert not problems, "\n".join(problems)


@pytest.mark.parametrize("notebook", NOTEBOOKS, ids=lambda p: f"{p.parent.name}/{p.name}")
def test_notebook_runs_in_the_browser(notebook: Path, lab_page: Any, lab_server: Any) -> None:
    """Run > Run All Cells: every cell runs, none shows a traceback, every widget renders."""
    _open(lab_page, lab_server, notebook)
    cells = lab_page.run_all(timeout=RUN_TIMEOUT)
    _assert_ran_cleanly(cells)
    _assert_widgets_render(cells, _widget_cells(notebook))
    errors = [line for line in lab_page.console if line.startswith("pageerror")]
    assert not errors, "JupyterLab's page raised:\n" + "\n".join(errors)
    # the widgets that did render have a size on screen (a zero-height box is not "rendered")
    for index in [c.index for c in cells if any(o.widget for o in c.outputs)]:
        widget = lab_page.cell(index).locator(".jupyter-widgets").first
        widget.scroll_into_view_if_needed()
        box = widget.bounding_box()
        assert box and box["width"] > 50 and box["height"] > 10, f"cell {index}'s widget has no size: {box}"
        widget.screenshot(path=str(lab_page.artefacts / f"widget-cell-{index}.png"))


def _dashboard_text(lab_page: Any, index: int) -> str:
    return lab_page.cell(index).locator(".jp-OutputArea-output").first.inner_text()


def _wait_for_text(lab_page: Any, index: int, predicate: Any, timeout: float, what: str) -> str:
    """Poll one cell's output text until ``predicate(text)``; bounded, and names what it waited for."""
    deadline = time.monotonic() + timeout
    text = _dashboard_text(lab_page, index)
    while not predicate(text):
        assert time.monotonic() < deadline, f"waited {timeout} s for {what}; the dashboard shows:\n{text}"
        lab_page.page.wait_for_timeout(250)  # a poll interval, not a blind wait: the loop checks again
        text = _dashboard_text(lab_page, index)
    return text


def _queue_numbers(lab_page: Any, index: int, queue: str) -> str | None:
    """The numbers the dashboard shows for one queue ("3 visible, 0 in flight, ..."): the first
    numbers line after the line that is the queue's short name (the grid reads row by row)."""
    text = _dashboard_text(lab_page, index)
    match = re.search(rf"(?ms)^{re.escape(queue)}[ \t]*$.*?^(\d+ visible, \d+ in flight[^\n]*)", text)
    return match.group(1) if match else None


def _visible(numbers: str | None) -> int:
    match = re.match(r"(\d+) visible", numbers or "")
    assert match, f"not a queue's numbers: {numbers!r}"
    return int(match.group(1))


def _refreshed(lab_page: Any, index: int) -> str:
    """The dashboard's "refreshed HH:MM:SS" time, as shown now."""
    text = _dashboard_text(lab_page, index)
    match = REFRESHED.search(text)
    assert match, f"the dashboard shows no refresh time:\n{text}"
    return match.group(1)


def _unchanged_for(lab_page: Any, index: int, seconds: float) -> bool:
    """Does the refresh time stay the same for ``seconds`` (the dashboard refreshes every second)?"""
    stamp = _refreshed(lab_page, index)
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        lab_page.page.wait_for_timeout(250)
        if _refreshed(lab_page, index) != stamp:
            return False
    return True


def test_dashboard_refreshes_by_itself(lab_page: Any, lab_server: Any) -> None:
    """Lab 1's dashboard, run up to just before the teardown: its refresh time advances, orders sent
    from a new cell show up in its numbers, and after dashboard.stop() it stands still."""
    notebook = ROOT / "solutions" / "01-sqs-orders.ipynb"
    dashboard, teardown = _index(notebook, "lab.dashboard("), _index(notebook, "dashboard.stop()")
    _open(lab_page, lab_server, notebook)
    cells = lab_page.run_all_above(teardown, timeout=RUN_TIMEOUT)
    _assert_ran_cleanly(cells[:teardown])
    _assert_widgets_render(cells, {dashboard})

    stamp = _refreshed(lab_page, dashboard)
    assert "live" in _dashboard_text(lab_page, dashboard), "the dashboard does not say it is live"
    _wait_for_text(lab_page, dashboard, lambda t: (m := REFRESHED.search(t)) is not None and m.group(1) != stamp,
                   10, f"the refresh time to move on from {stamp}")

    before = _visible(_queue_numbers(lab_page, dashboard, "orders"))
    sender = lab_page.insert_cell_below(dashboard, 'for i in range(3):\n'
                                                   '    sqs.send_message(QueueUrl=orders_url, MessageBody=f"watch me {i}")')
    ran = lab_page.run_cell(sender)
    assert ran.executed and not any(TRACEBACK.search(o.text) for o in ran.outputs), _describe(ran)
    deadline = time.monotonic() + 10
    while _visible(_queue_numbers(lab_page, dashboard, "orders")) < before + 3:
        assert time.monotonic() < deadline, (f"the orders row still shows {_queue_numbers(lab_page, dashboard, 'orders')!r}"
                                             f" 10 s after 3 orders were sent (it showed {before} visible before)")
        lab_page.page.wait_for_timeout(250)
    lab_page.cell(dashboard).scroll_into_view_if_needed()
    lab_page.cell(dashboard).screenshot(path=str(lab_page.artefacts / "dashboard.png"))

    teardown += 1  # the new cell is above it now
    cells = lab_page.run_from(teardown, timeout=RUN_TIMEOUT)
    _assert_ran_cleanly(cells)
    assert _unchanged_for(lab_page, dashboard, 3), "the dashboard still refreshes after dashboard.stop()"


def _exercise_cell(notebook: Path, step: str) -> int:
    """The index of the exercise cell (its ``...  # YOUR CODE HERE``) that ``check(step, ...)`` checks:
    the last code cell with the marker before the first check of that step."""
    nb = nbformat.read(notebook, as_version=4)
    check = next(i for i, c in enumerate(nb.cells) if c.cell_type == "code" and f'check("{step}"' in c.source)
    exercise = [i for i, c in enumerate(nb.cells[:check]) if c.cell_type == "code" and "# YOUR CODE HERE" in c.source]
    assert exercise, f"no exercise cell before the check of {step} in {notebook.name}"
    return exercise[-1]


def test_a_wrong_answer_shows_its_check_feedback(lab_page: Any, lab_server: Any) -> None:
    """The sandbox's first exercise answered wrongly (a queue named plainly "first-queue", not
    lab.name("first-queue")): after Run All, the check's feedback is on screen, says it is not
    right, and its hint names lab.name."""
    notebook = ROOT / "notebooks" / "00-sandbox.ipynb"
    exercise = _exercise_cell(notebook, "sandbox.first-queue")
    _open(lab_page, lab_server, notebook)
    lab_page.cell(exercise).scroll_into_view_if_needed()
    assert "# YOUR CODE HERE" in lab_page.cells()[exercise].source, "the page's cells are not the file's"
    lab_page.replace_source(exercise, 'queue_url = sqs.create_queue(QueueName="first-queue")["QueueUrl"]')
    cells = lab_page.run_all(timeout=RUN_TIMEOUT)
    _assert_ran_cleanly(cells)

    check = _index(notebook, 'check("sandbox.first-queue"')
    feedback = lab_page.cell(check).locator(".jp-OutputArea-output").first
    feedback.scroll_into_view_if_needed()
    assert feedback.is_visible()
    text = feedback.inner_text()
    assert re.search(r"Not yet right|Incorrect", text), f"the check does not say the answer is wrong:\n{text}"
    assert "lab.name" in text, f"the check's hint does not mention lab.name:\n{text}"
    # on screen, whole: inside the viewport and not cut off at the right edge of the output area
    box, viewport = feedback.bounding_box(), lab_page.page.viewport_size
    assert box and 0 <= box["y"] and box["y"] + box["height"] <= viewport["height"], box
    overflow = feedback.evaluate("e => [...e.querySelectorAll('*')].filter(c => c.scrollWidth > c.clientWidth + 1"
                                 " && getComputedStyle(c).overflowX !== 'visible').map(c => c.textContent.slice(0, 60))")
    assert not overflow, f"the feedback is cut off: {overflow}"
    feedback.screenshot(path=str(lab_page.artefacts / "feedback.png"))
    lab_page.screenshot(lab_page.artefacts / "screen-feedback.png")


def test_lab2_wrong_then_right_queue_policy(lab_page: Any, lab_server: Any) -> None:
    """Lab 2 as a learner meets it: exercise 3a answered with a policy that forgets the aws:SourceArn
    condition, every cell run down to its check: the queue-policy check says not right and its hint names aws:SourceArn; the
    answer fixed and its cells run again: the check says Correct. Both screens are kept."""
    source = nbformat.read(ROOT / "solutions" / "02-sns-notifications.ipynb", as_version=4)
    solved = {tag: c.source for c in source.cells for tag in c.metadata.get("tags", []) if tag.startswith("exercise-")}
    student = nbformat.read(ROOT / "notebooks" / "02-sns-notifications.ipynb", as_version=4)
    cells = {tag: i for i, c in enumerate(student.cells) for tag in c.metadata.get("tags", []) if tag.startswith("exercise-")}
    for tag in ("exercise-2a", "exercise-2b"):  # the learner did the earlier exercises already (as the solution)
        student.cells[cells[tag]].source = solved[tag]
    notebook = ROOT / "notebooks" / "02-sns-notifications.ipynb"
    path = lab_server.copy(notebook)
    nbformat.write(student, lab_server.root / path)  # the server's copy, with the earlier answers in
    lab_page.open(path, workspace=re.sub(r"\W+", "-", path))
    too_open = solved["exercise-3a"].replace(', "Resource": queue_arn,\n        "Condition": {"ArnEquals": {"aws:SourceArn": topic_arn}}}]}',
                                             ', "Resource": queue_arn}]}')
    assert too_open != solved["exercise-3a"], "the solution's policy statement changed: update this test"
    lab_page.replace_source(cells["exercise-3a"], too_open)
    check = _index(notebook, 'check("sns-notifications.queue-policy"')
    ran = lab_page.run_all_above(check + 1, timeout=RUN_TIMEOUT)  # as a learner goes: down to this check
    _assert_ran_cleanly(ran[:check + 1])
    lab_page.cell(check).scroll_into_view_if_needed()
    text = "\n".join(o.text for o in next(c for c in ran if c.index == check).outputs)
    assert "Not yet right" in text and "aws:SourceArn" in text, text
    lab_page.screenshot(lab_page.artefacts / "lab2-wrong.png")

    lab_page.replace_source(cells["exercise-3a"], solved["exercise-3a"])
    lab_page.run_cell(cells["exercise-3a"])
    after = lab_page.run_cell(check)
    assert any("Correct" in o.text for o in after.outputs), _describe(after)
    lab_page.cell(check).scroll_into_view_if_needed()
    lab_page.screenshot(lab_page.artefacts / "lab2-right.png")
