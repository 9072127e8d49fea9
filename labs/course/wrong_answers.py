"""The wrong-answer suite: plausible mistakes typed into a lab, run through the whole notebook.

A check is only as good as the mistakes it catches. For every exercise, ``tests/wrong_answers/
<lab>.py`` lists plausible wrong answers (and correct ones unlike the solution) as
:class:`Variant` s. Each variant is run the way a learner meets it: the solution notebook with that
exercise's answer replaced, every code cell executed top to bottom in a fresh kernel. It passes
when

* the exercise's check says what the variant expects ("incorrect" for a mistake, "correct" for a
  right answer unlike the solution) and its hint contains the variant's words (the hint names
  *that* mistake, not another one),
* no cell other than the exercise cell itself ends in an error (a wrong answer to one exercise
  must not make a later cell raise a traceback).

``python -m labs wrong-answers`` runs the suite and prints, per exercise and in total, how many
wrong answers were caught with the right hint; the tests in ``tests/wrong_answers/`` assert each
variant. Both use :func:`run_variant`.
"""

from __future__ import annotations

import argparse
import importlib.util
import re
import sys
import textwrap
import time
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from pathlib import Path

import nbformat
from nbclient.exceptions import CellExecutionError

from .build import ROOT, SOLUTIONS
from .execute import kernel

SUITES = ROOT / "tests" / "wrong_answers"
_BEGIN = re.compile(r"^(?P<indent>[ \t]*)#+\s*BEGIN SOLUTION\s*$")
_END = re.compile(r"^[ \t]*#+\s*END SOLUTION\s*$")
_LINE = re.compile(r"^(?P<indent>[ \t]*).*#\s*SOLUTION\s*$")  # a one-line answer (``name = expr  # SOLUTION``)
_RESULT = re.compile(r"^\[(?P<status>Correct|Not yet right|Not attempted)\] (?P<step>\S+)")
_STATUS = {"Correct": "correct", "Not yet right": "incorrect", "Not attempted": "not-attempted"}


@dataclass(frozen=True)
class Variant:
    """One answer to one exercise, and what its check must say about it."""

    exercise: str  #: the exercise cell's tag is ``exercise-<exercise>`` (e.g. "2b")
    name: str  #: what the learner did, in a few words
    blocks: dict[int, str]  #: solution block number (0-based, in the cell) -> the learner's code instead
    step: str  #: the check that judges it, e.g. "sqs-orders.send"
    expect: str = "incorrect"  #: "incorrect" for a mistake, "correct" for a right answer
    hint: tuple[str, ...] = ()  #: words the hint must contain (case-insensitive), naming the mistake
    raises: bool = False  #: the exercise cell itself may end in an error (AWS or boto3 said no)

    @property
    def id(self) -> str:
        return f"{self.exercise}:{self.name}"


@dataclass
class Outcome:
    """What the notebook showed for one variant."""

    variant: Variant
    status: str | None = None
    hint: str = ""
    findings: list[str] = field(default_factory=list)
    errors: list[str] = field(default_factory=list)  #: "cell N: Ename" of cells that ended in an error
    seconds: float = 0.0

    @property
    def hint_ok(self) -> bool:
        return all(word.lower() in self.hint.lower() for word in self.variant.hint)

    @property
    def passed(self) -> bool:
        return self.status == self.variant.expect and self.hint_ok and not self.errors

    def explain(self) -> str:
        lines = [f"{self.variant.id}: expected {self.variant.expect} with hint words {list(self.variant.hint)}, "
                 f"got {self.status} with hint {self.hint!r}"]
        lines += [f"  finding: {f}" for f in self.findings]
        lines += [f"  error in {e}" for e in self.errors]
        return "\n".join(lines)


def load(lab: str) -> list[Variant]:
    """The variants of ``lab`` (``tests/wrong_answers/<lab with underscores>.py``, list ``VARIANTS``)."""
    path = SUITES / f"{lab.replace('-', '_')}.py"
    spec = importlib.util.spec_from_file_location(f"wrong_answers_{path.stem}", path)
    if spec is None or spec.loader is None:
        raise FileNotFoundError(f"no wrong-answer suite at {path}")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return list(module.VARIANTS)


def notebook_of(lab: str) -> Path:
    from ..helpers.catalog import lab_info

    return SOLUTIONS / lab_info(lab).notebook


def with_answer(source: str, blocks: dict[int, str]) -> str:
    """``source`` (a solution cell) with its answers (BEGIN/END SOLUTION blocks and ``# SOLUTION``
    lines, numbered in order): the ones numbered in ``blocks`` replaced by that code (at the answer's
    indentation), the others kept as solved."""
    out: list[str] = []
    number, indent, replacing = -1, "", False
    for line in source.split("\n"):
        one_line = _LINE.match(line) if not replacing and not _BEGIN.match(line) and not _END.match(line) else None
        if one_line:
            number += 1
            if number in blocks:
                out += [one_line["indent"] + code if code else code
                        for code in textwrap.dedent(blocks[number]).strip("\n").split("\n")]
            else:
                out.append(re.sub(r"\s*#\s*SOLUTION\s*$", "", line))
            continue
        begin = _BEGIN.match(line)
        if begin:
            number, indent = number + 1, begin["indent"]
            replacing = number in blocks
            if replacing:
                out += [indent + code if code else code for code in textwrap.dedent(blocks[number]).strip("\n").split("\n")]
            continue
        if _END.match(line):
            replacing = False
            continue
        if not replacing:
            out.append(line)
    unknown = sorted(set(blocks) - set(range(number + 1)))
    if unknown:
        raise ValueError(f"the exercise cell has {number + 1} solution block(s); there is no block {unknown}")
    return "\n".join(out)


def variant_notebook(lab: str, variant: Variant) -> tuple[nbformat.NotebookNode, int]:
    """The solution notebook with ``variant``'s answer, and the index of the exercise cell."""
    nb = nbformat.read(notebook_of(lab), as_version=4)
    tag = f"exercise-{variant.exercise}"
    cells = [i for i, c in enumerate(nb.cells) if tag in c.metadata.get("tags", [])]
    if len(cells) != 1:
        raise ValueError(f"{notebook_of(lab).name}: {len(cells)} cells are tagged {tag!r}; exactly one must be")
    nb.cells[cells[0]].source = with_answer(nb.cells[cells[0]].source, variant.blocks)
    for cell in nb.cells:
        if cell.cell_type == "code":
            cell.outputs, cell.execution_count = [], None
    return nb, cells[0]


def run_variant(lab: str, variant: Variant) -> Outcome:
    """Run the notebook with ``variant``'s answer, every code cell, and read what the check said."""
    nb, exercise = variant_notebook(lab, variant)
    outcome = Outcome(variant)
    started = time.perf_counter()
    with kernel(nb) as client:
        for index, cell in enumerate(nb.cells):
            if cell.cell_type != "code":
                continue
            try:
                client.execute_cell(cell, index)
            except CellExecutionError as err:
                if not (index == exercise and variant.raises):
                    outcome.errors.append(f"cell {index}: {err.ename}: {str(err.evalue)[:200]}")
            for output in cell.outputs:
                if output.get("output_type") == "stream" and output.get("name") == "stderr" and "Traceback" in output.get("text", ""):
                    outcome.errors.append(f"cell {index}: a traceback on stderr: {output['text'][-300:]}")
            _read_check(cell, variant.step, outcome)
    outcome.seconds = time.perf_counter() - started
    return outcome


def _read_check(cell: nbformat.NotebookNode, step: str, outcome: Outcome) -> None:
    for output in cell.get("outputs", []):
        text = output.get("data", {}).get("text/plain", "") if "data" in output else output.get("text", "")
        for block in re.split(r"\n(?=\[)", text):
            match = _RESULT.match(block)
            if not match or match["step"] != step:
                continue
            outcome.status = _STATUS[match["status"]]
            lines = block.split("\n")[1:]
            outcome.findings = [line.strip() for line in lines if line.startswith("  ") and not line.strip().startswith("Hint:")]
            outcome.hint = " ".join(line.strip()[len("Hint: "):] for line in lines if line.strip().startswith("Hint:"))


def run_all(lab: str, variants: list[Variant], jobs: int = 2) -> Iterator[Outcome]:
    """Run ``variants`` (``jobs`` kernels at a time), yielding each outcome as it finishes."""
    with ThreadPoolExecutor(max_workers=max(1, jobs)) as pool:
        yield from pool.map(lambda v: run_variant(lab, v), variants)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m labs wrong-answers", description=__doc__.splitlines()[0])
    parser.add_argument("labs", nargs="*", default=None, help="lab names (default: every lab with a suite)")
    parser.add_argument("-j", "--jobs", type=int, default=2, help="kernels at a time (default 2)")
    parser.add_argument("-k", dest="match", default="", help="only variants whose id contains this")
    args = parser.parse_args(argv)
    labs = args.labs or sorted(p.stem.replace("_", "-") for p in SUITES.glob("*.py") if not p.name.startswith("test_"))
    caught = total = right_ok = right_total = 0
    for lab in labs:
        variants = [v for v in load(lab) if args.match in v.id]
        per: dict[str, list[int]] = {}
        print(f"{lab}: {len(variants)} answers, run through {notebook_of(lab).name}", flush=True)
        for outcome in run_all(lab, variants, args.jobs):
            v = outcome.variant
            mark = "ok  " if outcome.passed else "MISS"
            print(f"  {mark} {v.exercise:>3} {v.expect:9} {v.name:45} -> {outcome.status} ({outcome.seconds:.0f} s)", flush=True)
            if not outcome.passed:
                print(textwrap.indent(outcome.explain(), "       "), flush=True)
            counts = per.setdefault(v.exercise, [0, 0, 0, 0])
            if v.expect == "correct":
                counts[2] += outcome.passed
                counts[3] += 1
            else:
                counts[0] += outcome.passed
                counts[1] += 1
        print(f"\n  {'exercise':8} {'wrong answers caught with the right hint':>42} {'right answers passed':>22}")
        for exercise, (c, t, r, rt) in per.items():
            print(f"  {exercise:8} {f'{c}/{t}':>42} {f'{r}/{rt}':>22}")
            caught, total, right_ok, right_total = caught + c, total + t, right_ok + r, right_total + rt
    share = f" ({100 * caught / total:.0f}%)" if total else ""
    print(f"\ncaught with the right hint: {caught}/{total}{share}; right answers unlike the solution passed: "
          f"{right_ok}/{right_total}")
    return 0 if caught == total and right_ok == right_total else 1


if __name__ == "__main__":
    sys.exit(main())
