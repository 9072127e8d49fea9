"""Run notebooks headless with nbclient in the environment the course tests use.

Why one place for this: ``build --execute`` (which stores the reference outputs nbval compares
against), the notebook tests and the benchmark must run notebooks the same way, or stored outputs
differ from test runs for reasons that have nothing to do with the lab (learner name, region,
a developer's ``AWS_ENDPOINT_URL``).
"""

from __future__ import annotations

import os
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from nbclient import NotebookClient
from nbformat import NotebookNode

from .build import ROOT, SOLUTIONS, normalise_metadata, read, to_bytes

#: The learner id notebooks run as, so that stored outputs do not carry anyone's login name.
LEARNER = "tester"
CELL_TIMEOUT = 120


def notebook_env(base: dict[str, str] | None = None) -> dict[str, str]:
    """Environment for a kernel: embedded emulator, fixed learner and region, ``labs`` importable."""
    env = dict(os.environ if base is None else base)
    for variable in [v for v in env if v.startswith("AWS_ENDPOINT_URL")] + ["LABS_BACKEND", "AWS_PROFILE"]:
        env.pop(variable, None)
    env.update(LABS_USER=LEARNER, AWS_REGION="us-east-1", AWS_DEFAULT_REGION="us-east-1",
               MPLBACKEND="module://matplotlib_inline.backend_inline", PYDEVD_DISABLE_FILE_VALIDATION="1")
    paths = [str(ROOT)] + [p for p in env.get("PYTHONPATH", "").split(os.pathsep) if p and p != str(ROOT)]
    env["PYTHONPATH"] = os.pathsep.join(paths)
    return env


def _client(nb: NotebookNode, cwd: Path, timeout: int) -> NotebookClient:
    """An nbclient for ``nb`` on the python3 kernel, ``cwd`` as the notebook's directory."""
    return NotebookClient(nb, timeout=timeout, kernel_name="python3", record_timing=False,
                          resources={"metadata": {"path": str(cwd)}})


def run_notebook(nb: NotebookNode, *, cwd: Path = ROOT, timeout: int = CELL_TIMEOUT,
                 extra_env: dict[str, str] | None = None) -> NotebookNode:
    """Execute ``nb`` in place in a fresh python3 kernel (stops at the first error, which is raised).
    ``extra_env`` is added after :func:`notebook_env` (e.g. ``AWS_ENDPOINT_URL`` for the endpoint backend)."""
    _client(nb, cwd, timeout).execute(cwd=str(cwd), env={**notebook_env(), **(extra_env or {})})
    return nb


@contextmanager
def kernel(nb: NotebookNode, *, cwd: Path = ROOT, timeout: int = CELL_TIMEOUT) -> Iterator[NotebookClient]:
    """A started kernel for running ``nb``'s cells one by one (``client.execute_cell(cell, index)``).

    For tests that need more than "run it once": running a notebook twice in one kernel, or
    asking the kernel about the emulator's state between cells.
    """
    client = _client(nb, cwd, timeout)
    with client.setup_kernel(cwd=str(cwd), env=notebook_env()):
        yield client


def execute_solutions(solutions: Path = SOLUTIONS, names: list[str] | None = None) -> Iterator[tuple[Path, float]]:
    """Re-run each solution notebook and store its outputs in place; yields (path, seconds)."""
    paths = sorted(solutions.glob("*.ipynb"))
    if names:
        unknown = sorted(set(names) - {p.name for p in paths} - {p.stem for p in paths})
        if unknown:
            raise ValueError(f"there is no solution notebook called {', '.join(unknown)} in {solutions.name}/; "
                             f"use one of: {', '.join(p.stem for p in paths) or '(none yet)'}.")
        paths = [p for p in paths if p.name in names or p.stem in names]
    for path in paths:
        nb = read(path)
        started = time.perf_counter()
        run_notebook(nb)
        normalise_metadata(nb)
        for cell in nb.cells:
            cell.metadata.pop("execution", None)
        path.write_bytes(to_bytes(nb))
        yield path, time.perf_counter() - started
