"""`python -m labs bench` reports figures against the budgets; it never asserts timings itself.

These tests feed it made-up timings (no notebook is run, nothing is timed) and check that what is
over budget is flagged and the slowest cells come first.
"""

from __future__ import annotations

from labs.course.bench import (
    CELL_BUDGET_S,
    NOTEBOOK_BUDGET_S,
    ORDERS_BUDGET_S,
    NotebookTiming,
    _first_line,
    report_notebook,
    report_orders,
)


def _timing(wall: float, cells: list[float]) -> NotebookTiming:
    return NotebookTiming("01-demo.ipynb", wall_s=wall, kernel_start_s=1.0,
                          cells=[(2 * i, f"cell_{i}()", s) for i, s in enumerate(cells)])


def test_slowest_cells_first_and_over_budget_cells_flagged() -> None:
    timing = _timing(12.0, [0.5, CELL_BUDGET_S + 1.5, 0.1, 2.0, 0.3, 0.2, 1.0])
    lines = report_notebook(timing).splitlines()
    assert lines[0].startswith("01-demo.ipynb: 12.0 s wall") and lines[0].endswith(": ok")
    assert [line.split()[2] for line in lines[1:]] == ["4.50", "2.00", "1.00", "0.50", "0.30"]
    assert "over the 3 s cell budget" in lines[1] and not any("over" in line for line in lines[2:])


def test_a_notebook_over_budget_and_a_failing_cell_are_reported() -> None:
    timing = _timing(NOTEBOOK_BUDGET_S + 0.5, [1.0])
    timing.error = "cell 0 failed: NameError: name 'x' is not defined"
    text = report_notebook(timing)
    assert "OVER BUDGET" in text.splitlines()[0] and "ERROR: cell 0 failed: NameError" in text


def test_orders_report_flags_the_end_to_end_budget() -> None:
    figures = {"standard": {"end_to_end_s": 4.0, "send_per_s": 500, "receive_delete_per_s": 400},
               "fifo": {"end_to_end_s": ORDERS_BUDGET_S + 1, "send_per_s": 90, "receive_delete_per_s": 120}}
    lines = report_orders(1000, figures).splitlines()
    assert lines[1].split()[:2] == ["standard", "4.00"] and lines[1].endswith("ok")
    assert lines[2].endswith("OVER BUDGET")
    assert report_orders(1000, "gave up after 300 s") == "1000 orders end to end: gave up after 300 s"


def test_first_line_skips_nbval_markers() -> None:
    assert _first_line("# NBVAL_IGNORE_OUTPUT\n\nlab = start_lab('sandbox')") == "lab = start_lab('sandbox')"
    assert _first_line("x = '" + "y" * 80 + "'").endswith("...")
