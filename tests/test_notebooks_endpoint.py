"""Every solution notebook also runs on the endpoint backend (lab contract, "Running").

The same notebook, unchanged, against ``python -m labs emulator`` in another process (boto3's own
``AWS_ENDPOINT_URL``): what a lab does must not depend on living in the kernel's process. This is
where timing shortcuts show (a fixed sleep raced against a visibility timeout, a mapping that
answers ``Creating`` over HTTP as on AWS), and where the checks' probes run over HTTP. It ends with
the teardown leaving nothing in the server's account.
"""

from __future__ import annotations

from pathlib import Path

import nbformat
import pytest

from labs.course.execute import run_notebook

ROOT = Path(__file__).resolve().parents[1]
SOLUTIONS = sorted((ROOT / "solutions").glob("*.ipynb"))

PROBE = """
from labs.helpers import inventory as _inventory
_left = sorted(f"{r.kind}:{r.name}" for r in _inventory.find(lab.client, lambda kind, name: True).resources)
print("left after teardown:", _left)
"""


@pytest.mark.notebooks
@pytest.mark.parametrize("notebook", SOLUTIONS, ids=lambda p: p.name)
def test_solution_runs_on_the_endpoint_backend(notebook: Path, emulator_server: str) -> None:
    nb = nbformat.read(notebook, as_version=4)
    nb.cells = [c for c in nb.cells if c.cell_type == "code"] + [nbformat.v4.new_code_cell(PROBE)]
    for cell in nb.cells:
        cell.outputs = []
    run_notebook(nb, extra_env={"AWS_ENDPOINT_URL": emulator_server, "AWS_ACCESS_KEY_ID": "testing",
                                "AWS_SECRET_ACCESS_KEY": "testing"})  # raises, naming the cell, on any error
    texts = ["".join(o.get("text", "") or o.get("data", {}).get("text/plain", "") for o in c.outputs) for c in nb.cells]
    assert "endpoint" in texts[0].lower() or emulator_server in texts[0], f"not on the endpoint backend: {texts[0][:200]}"
    checks = [t for t in texts if t.startswith("[")]
    assert checks and not [t for t in checks if not t.startswith("[Correct]")], "\n".join(checks)
    assert texts[-1].strip() == "left after teardown: []", texts[-1]
