"""The dashboard and the pictures inside a real IPython kernel (what a notebook gets).

The dashboard is shown as a live widget, refreshed by its thread and stopped cleanly; with
LABS_WIDGETS=plain (nbval runs) it prints a table. A picture is shown exactly once whether it is
the cell's value, drawn inside a block, or both (a pyplot Figure returned as the value would be
shown twice). One kernel runs everything, because starting a kernel is most of the cost.
"""

from __future__ import annotations

import os
from pathlib import Path
from typing import Any

import pytest

WIDGET = "application/vnd.jupyter.widget-view+json"


def _run_notebook(cells: list[str]) -> list[Any]:
    """Execute ``cells`` in a fresh IPython kernel (cwd = this repository) and return the cells."""
    nbformat = pytest.importorskip("nbformat")
    nbclient = pytest.importorskip("nbclient")
    repo = str(Path(__file__).resolve().parents[1])
    nb = nbformat.v4.new_notebook(cells=[nbformat.v4.new_code_cell(c) for c in cells])
    saved = dict(os.environ)
    os.environ["PYTHONPATH"] = repo  # the kernel imports this checkout's labs package
    os.environ.pop("MPLBACKEND", None)  # the tests' Agg: a notebook kernel uses the inline backend
    try:
        nbclient.NotebookClient(nb, timeout=90, kernel_name="python3",
                                resources={"metadata": {"path": repo}}).execute()
    finally:
        os.environ.clear()
        os.environ.update(saved)
    return nb.cells


def _text(cell: Any) -> str:
    return "".join(o.get("text", "") for o in cell.outputs)


@pytest.mark.notebooks
def test_in_a_kernel_dashboard_is_a_live_widget_and_pictures_show_once() -> None:
    cells = _run_notebook([
        ("import os\nfrom labs.helpers import start_lab, resources as res\n"
         "lab = start_lab('sandbox')\nq = res.ensure_queue(lab, 'orders', dlq=True)"),
        "dash = lab.dashboard(queues=['orders'], refresh=0.05)\ndash",
        ("import time\nlab.client('sqs').send_message(QueueUrl=q.url, MessageBody='hi')\n"
         "deadline = time.time() + 10\n"
         "while dash.queue_widgets[q.name]['visible'].value != 1 and time.time() < deadline:\n"
         "    time.sleep(0.05)\n"
         "print(dash.running, dash.queue_widgets[q.name]['visible'].value)\n"
         "dash.stop()\nprint(dash.running)"),
        "os.environ['LABS_WIDGETS'] = 'plain'\nlab.dashboard(queues=['orders'])",
        "from labs.helpers import viz\nviz.sequence(lab.flow.df)",
        "if True:\n    lab.flow.service_map()",
        "fig = lab.flow.sequence()",
    ])
    assert any(WIDGET in o.get("data", {}) for o in cells[1].outputs)  # displayed as a widget
    assert _text(cells[2]) == "True 1\nFalse\n"  # refreshed by its thread; stop() joined it
    plain = cells[3].outputs
    assert "sc-tester-box-orders" in _text(cells[3]) and "in flight" in _text(cells[3])
    assert not any(WIDGET in o.get("data", {}) for o in plain)
    for cell in cells[4:]:
        images = [o for o in cell.outputs if "image/png" in o.get("data", {})]
        assert len(images) == 1, cell.source  # shown once: as the value, from a block, or assigned
