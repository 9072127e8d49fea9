"""``python -m labs bench``: how long the labs take on the embedded emulator, against their budgets.

Why a command and not a test: timings depend on the machine (and on what else runs on it), so
tests assert behaviour only and this prints figures; it flags what is over budget but never fails.

Budgets (what a student can wait for without losing the thread):

* a whole solution notebook, Run All: <= 20 s (kernel start included);
* one cell: <= 3 s;
* 1,000 orders end to end on SQS (send in batches of 10, receive, delete): <= 10 s.

    python -m labs bench                        # every solution notebook + the 1,000 orders
    python -m labs bench 01-sqs-orders          # one notebook
    python -m labs bench --orders 0 --scripts   # skip the orders; run every benchmarks/*.py too
"""

from __future__ import annotations

import argparse
import json
import subprocess
import sys
import time
from dataclasses import dataclass, field
from pathlib import Path

from .build import ROOT, SOLUTIONS, read

NOTEBOOK_BUDGET_S = 20.0
CELL_BUDGET_S = 3.0
ORDERS_BUDGET_S = 10.0
BENCHMARKS = ROOT / "benchmarks"


@dataclass
class NotebookTiming:
    """Wall time of one notebook run and of each of its code cells (index, first line, seconds)."""

    name: str
    wall_s: float = 0.0
    kernel_start_s: float = 0.0
    cells: list[tuple[int, str, float]] = field(default_factory=list)
    error: str | None = None

    def slowest(self, n: int = 5) -> list[tuple[int, str, float]]:
        return sorted(self.cells, key=lambda cell: cell[2], reverse=True)[:n]


def _first_line(source: str) -> str:
    """The cell's first meaningful line (nbval markers and blank lines skipped), for the report."""
    for line in source.splitlines():
        text = line.strip()
        if text and not text.startswith("# NBVAL"):
            return text if len(text) <= 60 else text[:57] + "..."
    return "(empty)"


def time_notebook(path: Path) -> NotebookTiming:
    """Run one notebook cell by cell in a fresh kernel, timing each cell with a wall clock."""
    from nbclient.exceptions import CellExecutionError

    from .execute import kernel

    nb = read(path)
    timing = NotebookTiming(path.name)
    started = time.perf_counter()
    with kernel(nb) as client:
        timing.kernel_start_s = time.perf_counter() - started
        for index, cell in enumerate(nb.cells):
            if cell.cell_type != "code":
                continue
            cell_started = time.perf_counter()
            try:
                client.execute_cell(cell, index)
            except CellExecutionError as error:
                timing.error = f"cell {index} failed: {str(error).strip().splitlines()[-1]}"
                break
            finally:
                timing.cells.append((index, _first_line(cell.source), time.perf_counter() - cell_started))
        timing.wall_s = time.perf_counter() - started  # what a student waits for; kernel shutdown excluded
    return timing


def report_notebook(timing: NotebookTiming, slowest: int = 5) -> str:
    """The printed block for one notebook: wall time, budget flags, the slowest cells."""
    flag = "OVER BUDGET" if timing.wall_s > NOTEBOOK_BUDGET_S else "ok"
    head = (f"{timing.name}: {timing.wall_s:.1f} s wall (kernel start {timing.kernel_start_s:.1f} s, "
            f"{len(timing.cells)} code cells) - budget {NOTEBOOK_BUDGET_S:.0f} s: {flag}")
    lines = [head]
    if timing.error:
        lines.append(f"  ERROR: {timing.error}")
    for index, text, seconds in timing.slowest(slowest):
        mark = f"  <- over the {CELL_BUDGET_S:.0f} s cell budget" if seconds > CELL_BUDGET_S else ""
        lines.append(f"  cell {index:>3} {seconds:6.2f} s  {text}{mark}")
    return "\n".join(lines)


def time_orders(orders: int, timeout: float = 300.0) -> dict[str, dict[str, float]] | str:
    """``benchmarks/sqs_throughput.py``'s workload with the fidelity layer, in a subprocess
    (the layer patches moto for the whole process); the figures, or why there are none."""
    command = [sys.executable, str(BENCHMARKS / "sqs_throughput.py"), "--child", "layer", "--orders", str(orders)]
    try:
        done = subprocess.run(command, capture_output=True, text=True, timeout=timeout, cwd=ROOT, check=True)
        result = json.loads(done.stdout.strip().splitlines()[-1])
    except subprocess.TimeoutExpired:
        return f"gave up after {timeout:.0f} s"
    except (subprocess.CalledProcessError, ValueError, IndexError) as error:
        stderr = getattr(error, "stderr", "") or ""
        return f"failed: {stderr.strip().splitlines()[-1] if stderr.strip() else error}"
    return {kind: result[kind] for kind in ("standard", "fifo")}


def report_orders(orders: int, figures: dict[str, dict[str, float]] | str) -> str:
    if isinstance(figures, str):
        return f"{orders} orders end to end: {figures}"
    lines = [f"{orders} orders end to end (send in batches of 10, receive, delete), budget {ORDERS_BUDGET_S:.0f} s:"]
    for kind, figure in figures.items():
        seconds = figure["end_to_end_s"]
        flag = "OVER BUDGET" if seconds > ORDERS_BUDGET_S else "ok"
        lines.append(f"  {kind:9} {seconds:6.2f} s  (send {figure['send_per_s']:.0f} msg/s, "
                     f"receive+delete {figure['receive_delete_per_s']:.0f} msg/s) {flag}")
    return "\n".join(lines)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m labs bench", description=__doc__.split("\n\n")[0])
    parser.add_argument("notebooks", nargs="*", help="solution notebooks to time (names or stems; default all)")
    parser.add_argument("--orders", type=int, default=1000, help="orders for the SQS end-to-end run (0: skip)")
    parser.add_argument("--no-notebooks", action="store_true", help="skip the notebooks")
    parser.add_argument("--scripts", action="store_true", help="also run every script in benchmarks/")
    args = parser.parse_args(argv)

    paths = sorted(SOLUTIONS.glob("*.ipynb"))
    if args.notebooks:
        paths = [p for p in paths if p.name in args.notebooks or p.stem in args.notebooks]
        if not paths:
            parser.error(f"no solution notebook called {', '.join(args.notebooks)} in solutions/")
    if args.no_notebooks:
        paths = []
    for path in paths:
        print(report_notebook(time_notebook(path)), flush=True)
    if args.orders > 0:
        print(report_orders(args.orders, time_orders(args.orders)), flush=True)
    if args.scripts:
        for script in sorted(BENCHMARKS.glob("*.py")):
            print(f"\n$ python benchmarks/{script.name}", flush=True)
            subprocess.run([sys.executable, str(script)], cwd=ROOT, check=False)
    return 0


if __name__ == "__main__":  # pragma: no cover
    sys.exit(main())
