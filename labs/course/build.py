"""``python -m labs build``: write the student notebooks in ``notebooks/`` from ``solutions/``.

The solution notebooks are the only source of a lab. The student notebook is derived, never
edited: solution markers are applied (:mod:`labs.course.markers`), outputs and execution counts
cleared, metadata normalised, and the bytes made deterministic (nbformat 4.5, cell ids taken from
the solution), so rebuilding an unchanged course writes nothing and ``--check`` can act as the
drift guard in tests and CI (Otter/nbgrader keep the two in step the same way).

    python -m labs build            # rewrite notebooks/ (only files whose bytes change)
    python -m labs build --check    # exit 1 listing notebooks that are out of date
    python -m labs build --execute  # re-run solutions/ headless, store outputs, then build

Cell tags: ``solution-only`` drops the cell from the student notebook; on a markdown cell,
``solution`` replaces its text with "*Your answer here.*". Hints (any other markdown, e.g. a
``<details><summary>Hint</summary>`` block) are kept as written.
"""

from __future__ import annotations

import argparse
import copy
import hashlib
import os
import re
import sys
from pathlib import Path

import nbformat
from nbformat import NotebookNode

from .markers import Where, check_no_markers, student_code

ROOT = Path(__file__).resolve().parents[2]
SOLUTIONS = ROOT / "solutions"
NOTEBOOKS = ROOT / "notebooks"

ANSWER_HERE = "*Your answer here.*"
#: Tags that steer the build; they are not copied into the student notebook.
BUILD_TAGS = {"solution", "solution-only"}
#: Cell metadata worth keeping (nbval/JupyterLab behaviour); everything else (execution timings,
#: collapsed/scrolled state, editor leftovers) is noise in a diff.
KEEP_CELL_METADATA = ("tags", "editable", "deletable")
KERNELSPEC = {"display_name": "Python 3 (ipykernel)", "language": "python", "name": "python3"}
LANGUAGE_INFO = {"name": "python", "pygments_lexer": "ipython3"}
_CELL_ID = re.compile(r"^[a-zA-Z0-9-_]{1,64}$")


def normalise_metadata(nb: NotebookNode) -> None:
    """Notebook-level metadata every notebook of the course has: no widget state, no machine paths."""
    metadata = nbformat.from_dict({"kernelspec": KERNELSPEC, "language_info": LANGUAGE_INFO})
    if "title" in nb.metadata:
        metadata["title"] = nb.metadata["title"]
    nb.metadata = metadata
    nb.nbformat, nb.nbformat_minor = 4, 5


def _cell_id(cell: NotebookNode, notebook: str, index: int, used: set[str]) -> str:
    """The solution's id if it has a valid one, else one derived from the notebook and position."""
    wanted = cell.get("id") if isinstance(cell.get("id"), str) and _CELL_ID.match(cell.get("id", "")) else None
    candidate = wanted or hashlib.sha1(f"{notebook}:{index}".encode()).hexdigest()[:8]
    salt = 0
    while candidate in used:  # duplicate ids in a hand-merged solution
        salt += 1
        candidate = hashlib.sha1(f"{notebook}:{index}:{salt}".encode()).hexdigest()[:8]
    used.add(candidate)
    return candidate


def _clean_cell_metadata(cell: NotebookNode) -> NotebookNode:
    kept = {key: copy.deepcopy(cell.metadata[key]) for key in KEEP_CELL_METADATA if key in cell.metadata}
    tags = [tag for tag in kept.get("tags", []) if tag not in BUILD_TAGS]
    if tags:
        kept["tags"] = tags
    else:
        kept.pop("tags", None)
    return nbformat.from_dict(kept)


def student_notebook(solution: NotebookNode, name: str = "<notebook>") -> NotebookNode:
    """The student version of one solution notebook (pure: the input is not modified)."""
    cells = []
    used: set[str] = set()
    for index, cell in enumerate(solution.cells):
        tags = set(cell.get("metadata", {}).get("tags", []))
        where = Where(name, index)
        source = cell.source if isinstance(cell.source, str) else "".join(cell.source)
        if "solution-only" in tags:
            continue
        if cell.cell_type == "code":
            new = nbformat.v4.new_code_cell(student_code(source, where))
        elif cell.cell_type == "markdown":
            check_no_markers(source, where)
            new = nbformat.v4.new_markdown_cell(ANSWER_HERE if "solution" in tags else source)
            if "attachments" in cell and "solution" not in tags:
                new["attachments"] = copy.deepcopy(cell["attachments"])
        else:
            check_no_markers(source, where)
            new = nbformat.v4.new_raw_cell(source)
        new.metadata = _clean_cell_metadata(cell)
        new["id"] = _cell_id(cell, name, index, used)
        cells.append(new)
    nb = nbformat.v4.new_notebook(cells=cells)
    normalise_metadata(nb)
    return nb


def to_bytes(nb: NotebookNode) -> bytes:
    """Deterministic serialisation (nbformat's sorted keys, one-space indent, trailing newline)."""
    nbformat.validate(nb)
    text = nbformat.writes(nb, version=4)
    return (text if text.endswith("\n") else text + "\n").encode("utf-8")


def read(path: Path) -> NotebookNode:
    return nbformat.read(path, as_version=4)


def planned(solutions: Path = SOLUTIONS, notebooks: Path = NOTEBOOKS) -> tuple[dict[Path, bytes], list[Path]]:
    """What notebooks/ should hold (path -> bytes) and the stale student notebooks to remove."""
    wanted: dict[Path, bytes] = {}
    for source in sorted(solutions.glob("*.ipynb")):
        wanted[notebooks / source.name] = to_bytes(student_notebook(read(source), source.name))
    stale = [p for p in sorted(notebooks.glob("*.ipynb")) if p not in wanted]
    return wanted, stale


def build(solutions: Path = SOLUTIONS, notebooks: Path = NOTEBOOKS, *, check: bool = False) -> list[str]:
    """Build (or with ``check`` only compare); returns the notebooks that differ(ed), as relative names."""
    wanted, stale = planned(solutions, notebooks)
    differ = [p for p, data in wanted.items() if not p.exists() or p.read_bytes() != data]
    if not check:
        notebooks.mkdir(parents=True, exist_ok=True)
        for path in differ:
            path.write_bytes(wanted[path])
        for path in stale:
            path.unlink()
    return [f"{notebooks.name}/{p.name}" for p in differ] + [f"{notebooks.name}/{p.name} (no solution)" for p in stale]


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m labs build", description=__doc__.split("\n\n")[0])
    parser.add_argument("--check", action="store_true", help="only compare; exit 1 listing notebooks that differ")
    parser.add_argument("--execute", action="store_true",
                        help="re-run the solution notebooks headless and store their outputs first")
    parser.add_argument("--solutions", type=Path, default=SOLUTIONS, help=argparse.SUPPRESS)
    parser.add_argument("--notebooks", type=Path, default=NOTEBOOKS, help=argparse.SUPPRESS)
    parser.add_argument("names", nargs="*", help="with --execute: only these solution notebooks (file names)")
    args = parser.parse_args(argv)
    if args.check and args.execute:
        parser.error("--check and --execute exclude each other")
    try:
        if args.execute:
            from .execute import execute_solutions

            for path, seconds in execute_solutions(args.solutions, args.names):
                print(f"executed {path.name} in {seconds:.1f} s")
        changed = build(args.solutions, args.notebooks, check=args.check)
    except ValueError as error:  # a MarkerError, or --execute given a notebook that does not exist
        print(f"build failed: {error}", file=sys.stderr)
        return 2
    if args.check:
        if changed:
            print("student notebooks out of date (run `python -m labs build`):")
            print("\n".join(f"  {name}" for name in changed))
            return 1
        print("student notebooks are up to date")
        return 0
    for name in changed:
        print(f"removed {name.removesuffix(' (no solution)')}" if name.endswith("(no solution)") else f"wrote {name}")
    if not changed:
        print("nothing to do: notebooks/ is up to date")
    return 0


if __name__ == "__main__":  # pragma: no cover
    os.chdir(ROOT)
    sys.exit(main())
