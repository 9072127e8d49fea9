"""Otter-style solution markers: turn one solution cell's source into the student's version.

Why Otter's markers (see /work/shared/courseware-notes.md): a removed block becomes ``...``, which
is valid Python, so the student notebook still runs top to bottom and the self-checks report
"not attempted" instead of the notebook stopping at the first exercise (nbgrader's
``raise NotImplementedError()``).

The forms, in code cells only:

* a block between a ``# BEGIN SOLUTION`` line and an ``# END SOLUTION`` line becomes one line
  ``...  # YOUR CODE HERE`` at the indentation of the ``# BEGIN SOLUTION`` line (``pass  # YOUR
  CODE HERE`` when it is the cell's last line at top level, where IPython would print ``Ellipsis``);
* ``name = expr  # SOLUTION`` becomes ``name = ...  # YOUR CODE HERE`` (the student still sees
  which name the later cells use);
* any other line ending in ``# SOLUTION`` is dropped.

Anything unbalanced or misplaced is a :class:`MarkerError` naming the notebook, the cell index and
the line, because a silently mis-built notebook would hand students the answer.
"""

from __future__ import annotations

import ast
import re
from dataclasses import dataclass

PLACEHOLDER = "...  # YOUR CODE HERE"
#: A placeholder that would be the cell's last statement at top level: IPython would show ``...``'s
#: value, the word ``Ellipsis``, as the cell's output, which tells a learner nothing. ``pass`` is
#: just as valid there and shows nothing.
LAST_PLACEHOLDER = "pass  # YOUR CODE HERE"

_BEGIN = re.compile(r"^(?P<indent>[ \t]*)#+\s*BEGIN SOLUTION\s*$")
_END = re.compile(r"^(?P<indent>[ \t]*)#+\s*END SOLUTION\s*$")
# A marker word anywhere else on a line (after code, misspelt case, inside a string): misplaced.
_ANY_BLOCK_MARKER = re.compile(r"#+\s*(BEGIN|END) SOLUTION\b", re.IGNORECASE)
_LINE_MARKER = re.compile(r"\s*#\s*SOLUTION\s*$")
# ``target = expr`` where target is a name, attribute, subscript or a tuple of those (with an
# optional annotation); ``==``, ``<=`` etc. are not assignments.
_ASSIGN = re.compile(
    r"^(?P<indent>[ \t]*)(?P<target>[A-Za-z_][\w.\[\]'\", ]*?(?:\s*:\s*[^=]+?)?)\s*(?P<op>[-+*/%|&^@]?=)(?!=)\s*(?P<expr>\S.*)$"
)
# IPython syntax that ``ast`` cannot parse; masked before the validity check.
_MAGIC = re.compile(r"^[ \t]*(%|!|\?)")


class MarkerError(ValueError):
    """A solution marker is unbalanced or in the wrong place; says where and how to fix it."""

    def __init__(self, notebook: str, cell: int, line: int | None, problem: str, fix: str) -> None:
        where = f"{notebook}, cell {cell}" + (f", line {line}" if line is not None else "")
        super().__init__(f"{where}: {problem} {fix}")
        self.notebook, self.cell, self.line = notebook, cell, line
        self.problem, self.fix = problem, fix


@dataclass(frozen=True)
class Where:
    """Which cell is being transformed, for error messages."""

    notebook: str = "<notebook>"
    cell: int = 0

    def error(self, line: int | None, problem: str, fix: str) -> MarkerError:
        return MarkerError(self.notebook, self.cell, line, problem, fix)


def _indent_width(text: str) -> int:
    return len(text.expandtabs(4)) - len(text.expandtabs(4).lstrip())


def student_code(source: str, where: Where = Where()) -> str:
    """The student's version of one code cell's source (markers applied, see the module doc)."""
    out: list[str] = []
    origin: list[int] = []  # the solution line number each student line came from, for errors
    open_block: tuple[int, str] | None = None  # (line number, indentation) of the open BEGIN
    for number, line in enumerate(source.split("\n"), start=1):
        begin, end = _BEGIN.match(line), _END.match(line)
        if begin:
            if open_block:
                raise where.error(number, f"'# BEGIN SOLUTION' inside the block opened on line {open_block[0]}.",
                                  "Close the first block with '# END SOLUTION' before opening another.")
            open_block = (number, begin["indent"])
            continue
        if end:
            if not open_block:
                raise where.error(number, "'# END SOLUTION' without a '# BEGIN SOLUTION' before it.",
                                  "Add the '# BEGIN SOLUTION' line above the solution, or remove this line.")
            if _indent_width(end["indent"]) != _indent_width(open_block[1]):
                raise where.error(number, f"'# END SOLUTION' is indented differently from its '# BEGIN SOLUTION' "
                                          f"(line {open_block[0]}).", "Indent both markers like the block's code.")
            out.append(open_block[1] + PLACEHOLDER)
            origin.append(open_block[0])
            open_block = None
            continue
        if _ANY_BLOCK_MARKER.search(line):
            raise where.error(number, f"a solution block marker must be alone on its line: {line.strip()!r}.",
                              "Write '# BEGIN SOLUTION' / '# END SOLUTION' on lines of their own.")
        if open_block:
            if line.strip() and _indent_width(line) < _indent_width(open_block[1]):
                raise where.error(number, f"this line is indented less than the '# BEGIN SOLUTION' on line "
                                          f"{open_block[0]}, so the block would not be replaceable by one line.",
                                  "Indent '# BEGIN SOLUTION' / '# END SOLUTION' like the outermost line of the block.")
            if _LINE_MARKER.search(line):
                raise where.error(number, "a '# SOLUTION' line inside a BEGIN/END SOLUTION block.",
                                  "Remove the '# SOLUTION' marker: the whole block is already removed.")
            continue
        if _LINE_MARKER.search(line):
            code = _LINE_MARKER.sub("", line)
            assign = _ASSIGN.match(code)
            if assign and "(" not in assign["target"]:
                out.append(f"{assign['indent']}{assign['target']} {assign['op']} {PLACEHOLDER}")
                origin.append(number)
            # any other '# SOLUTION' line is dropped
            continue
        out.append(line)
        origin.append(number)
    if open_block:
        raise where.error(open_block[0], "'# BEGIN SOLUTION' is never closed.",
                          "Add an '# END SOLUTION' line after the solution.")
    last = max((i for i, line in enumerate(out) if line.strip()), default=None)
    if last is not None and out[last] == PLACEHOLDER:
        out[last] = LAST_PLACEHOLDER
    student = "\n".join(out)
    _check_still_python(source, student, origin, where)
    return student


def _check_still_python(solution: str, student: str, origin: list[int], where: Where) -> None:
    """A cell that was valid Python must stay valid, or the student notebook stops with a SyntaxError."""
    def parse(text: str) -> SyntaxError | None:
        masked = "\n".join("pass" if _MAGIC.match(line) else line for line in text.split("\n"))
        try:
            ast.parse(masked)
        except SyntaxError as error:
            return error
        return None

    if parse(solution) is None and (error := parse(student)) is not None:
        line = origin[min(error.lineno or 1, len(origin)) - 1] if origin else None
        raise where.error(line, f"the student version of this cell is not valid Python ({error.msg}).",
                          "Removing the marked lines left an empty block: mark the whole block with "
                          "'# BEGIN SOLUTION' / '# END SOLUTION' instead of '# SOLUTION' lines.")


def check_no_markers(source: str, where: Where) -> None:
    """Markers only work in code cells; in a markdown or raw cell they would be shown to students."""
    for number, line in enumerate(source.split("\n"), start=1):
        if _BEGIN.match(line) or _END.match(line):
            raise where.error(number, f"a solution marker in a non-code cell: {line.strip()!r}.",
                              "Tag the markdown cell 'solution' (its text is replaced) or 'solution-only' "
                              "(the cell is dropped) instead.")
