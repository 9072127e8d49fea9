"""Self-checks: ``check("sqs-orders.dlq", lab)`` says whether a lab step is done right.

Why it looks like this (models: Kaggle learntools' Correct / Incorrect / NotAttempted, Otter's
``grader.check``):

* A check inspects the **backend's state** through ``lab.client(...)`` (queue attributes, redrive
  policies, counters, the flow trace), never the student's code, so any correct approach passes
  and a wrong one is caught whatever it looks like.
* It has three outcomes. "not-attempted" is separate from "incorrect" because the student
  notebook runs top to bottom with every exercise unanswered, and a wall of "incorrect" would be
  noise; "not-attempted" names the step to do.
* It never raises for the student's mistakes: an exception inside a checker (an AWS error, a
  ``LabError``, a bug) becomes an "incorrect" result carrying the error's message, so a check cell
  never shows a traceback. Only asking for a step that does not exist raises (a typo in the
  notebook, with a did-you-mean).
* Its text is deterministic (no ids, no timestamps, no account numbers), so nbval can compare a
  check cell's output between runs.
* The hint names the fix (the parameter, the API call, the concept) and never shows the code.

* A check may be handed the learner's own functions (``check("sqs-orders.consume", lab, consume)``)
  and then judges what they *do*: it runs them on scratch resources with test traffic and injected
  faults (a crash mid-batch, a short receive, a duplicate delivery; see :mod:`.probe`). A missing
  answer (``...``, or a function that still only says ``...``) is "not attempted".

Checkers live in one module per lab, ``labs/helpers/checks/<lab_name_with_underscores>.py``,
imported the first time a step of that lab is checked, and register with ``@checker``::

    @checker("sqs-orders.orders-queue")
    def _orders_queue(lab: Lab, fb: Feedback) -> None:     # answers, if any, follow fb
        url = fb.require(find_queue(lab, "orders"), "There is no orders queue yet.", "Do step 2 first.")
        ...
        fb.right("The queue is a standard queue.")
        fb.wrong("VisibilityTimeout is 1 s.", hint="Raise VisibilityTimeout above the processing time.")
"""

from __future__ import annotations

import html
import importlib
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any, Literal, NoReturn, TypeVar

from ..aws_errors import explain
from ..catalog import LABS
from ..errors import LabError, did_you_mean

T = TypeVar("T")
Status = Literal["correct", "incorrect", "not-attempted"]
_ICON = {"correct": "Correct", "incorrect": "Not yet right", "not-attempted": "Not attempted"}
#: Words, not emoji: an emoji renders as an empty box where the machine has no emoji font.
_MARK = {"right": "right", "wrong": "to fix"}


@dataclass
class CheckResult:
    """The outcome of one check: what is right, what is wrong, and the one fix to make next."""

    step: str
    status: Status
    right: list[str] = field(default_factory=list)
    wrong: list[str] = field(default_factory=list)
    hint: str | None = None
    #: Set by :func:`check` after it has shown the result, so that the same object left as the
    #: cell's value is not shown a second time (see :meth:`_ipython_display_`).
    _shown: bool = field(default=False, repr=False, compare=False)

    @property
    def passed(self) -> bool:
        return self.status == "correct"

    # ------------------------------------------------------------------ text
    def text(self) -> str:
        """Compact plain text, the same on every run for the same state."""
        lines = [f"[{_ICON[self.status]}] {self.step}"]
        lines += [f"  + {item}" for item in self.right]
        lines += [f"  - {item}" for item in self.wrong]
        if self.hint:
            lines.append(f"  Hint: {self.hint}")
        return "\n".join(lines)

    def __str__(self) -> str:
        return self.text()

    def __repr__(self) -> str:
        return self.text()

    def __bool__(self) -> bool:
        return self.passed

    # ------------------------------------------------------------------ rich
    def _repr_markdown_(self) -> str:
        lines = [f"**{_ICON[self.status]}** - `{self.step}`", ""]
        lines += [f"- *{_MARK['right']}:* {item}" for item in self.right]
        lines += [f"- **{_MARK['wrong']}:** {item}" for item in self.wrong]
        if self.hint:
            lines += ["", f"**Hint:** {self.hint}"]
        return "\n".join(lines)

    def _repr_html_(self) -> str:
        colour = {"correct": "#1b7f3b", "incorrect": "#b3261e", "not-attempted": "#6b6b6b"}[self.status]
        items = [f'<li><span style="color:#1b7f3b">{_MARK["right"]}:</span> {html.escape(i)}</li>' for i in self.right]
        items += [f'<li><strong style="color:#b3261e">{_MARK["wrong"]}:</strong> {html.escape(i)}</li>' for i in self.wrong]
        hint = f"<div><strong>Hint:</strong> {html.escape(self.hint)}</div>" if self.hint else ""
        return (f'<div style="border-left:4px solid {colour};padding:2px 8px">'
                f'<strong style="color:{colour}">{_ICON[self.status]}</strong> '
                f"<code>{html.escape(self.step)}</code>"
                f'<ul style="margin:2px 0">{"".join(items)}</ul>{hint}</div>')

    def _mimebundle(self) -> dict[str, str]:
        return {"text/plain": self.text(), "text/html": self._repr_html_(), "text/markdown": self._repr_markdown_()}

    def _ipython_display_(self) -> None:
        """Show the result, unless :func:`check` just showed this very object.

        ``check(...)`` must show its result even when it is not the last line of a cell, and it
        returns the result so code can use ``.passed``; without this guard a check on the last
        line would be shown twice.
        """
        if self._shown:
            self._shown = False
            return
        from IPython.display import display

        display(self._mimebundle(), raw=True)


class NotAttempted(Exception):
    """Raised by :meth:`Feedback.require` to end a check as "not-attempted"."""


class Feedback:
    """What a checker writes to: findings in order, and the first hint that names a fix.

    The first wrong finding's hint wins: checkers test prerequisites first, so the hint is about
    the earliest thing to fix, and a student fixes one thing at a time.
    """

    def __init__(self) -> None:
        self.right_items: list[str] = []
        self.wrong_items: list[str] = []
        self.hint: str | None = None
        self.not_attempted = False

    def right(self, finding: str) -> None:
        self.right_items.append(finding)

    def wrong(self, finding: str, hint: str) -> None:
        self.wrong_items.append(finding)
        if self.hint is None:
            self.hint = hint

    def check(self, ok: bool, right: str, wrong: str, hint: str) -> bool:
        """Record ``right`` if ``ok`` else ``wrong`` (with ``hint``); return ``ok``."""
        if ok:
            self.right(right)
        else:
            self.wrong(wrong, hint)
        return ok

    def require(self, value: T | None, missing: str, hint: str, *, after: tuple[str, ...] = ()) -> T:
        """Return ``value``; if it is None (or empty) the step was not attempted: stop here.

        ``after`` names the API operations that would have made it (e.g. ``("CreateQueue",)``): if the
        learner's last call of one failed, that failure is the finding and its fix the hint.
        """
        if value is None or value == [] or value == {}:
            from ..notebook_errors import last_failure

            failed = last_failure(*after)
            if failed is not None:
                operation, why = failed
                self.wrong(f"{missing} Your last {operation} call failed: {why.code}: {why.message}",
                           f"{why.means} {why.fix} Then run that cell again.")
                self.stop()
            self.give_up(missing, hint)
        return value  # type: ignore[return-value]

    def stop(self) -> NoReturn:
        """End the check here with what is wrong so far ("incorrect": the learner did try)."""
        raise NotAttempted("stopped")

    def answer(self, value: T, name: str, step: str) -> T:
        """The learner's answer ``name`` (a function or value); "not attempted" while it is ``...``/None."""
        if value is None or value is Ellipsis or _unanswered(value):
            self.give_up(f"{name} is not written yet.", f"Do exercise {step}: write {name}, run its cell, then this check.")
        return value

    def give_up(self, missing: str, hint: str) -> NoReturn:
        self.wrong_items.append(missing)
        self.hint = self.hint or hint
        self.not_attempted = True
        raise NotAttempted(missing)

    def result(self, step: str) -> CheckResult:
        if self.not_attempted:
            status: Status = "not-attempted"
        elif self.wrong_items:
            status = "incorrect"
        elif self.right_items:
            status = "correct"
        else:  # a checker that found nothing to say has not verified anything
            status = "incorrect"
            self.wrong_items.append("The check found nothing to verify.")
        return CheckResult(step, status, list(self.right_items), list(self.wrong_items),
                           None if status == "correct" else self.hint)


def _unanswered(value: Any) -> bool:
    """Is ``value`` a function whose body is still the student notebook's ``...`` (or ``pass``)?

    Its compiled code is read, not its source: such a body compiles to "return None" (Python drops
    the bare ``...``), and a function that does nothing cannot be told from a wrong answer that
    does nothing by any behaviour test.
    """
    code = getattr(value, "__code__", None)
    if code is None:
        return False
    import dis

    allowed = {"RESUME", "NOP", "LOAD_CONST", "RETURN_VALUE", "RETURN_CONST"}
    return all(ins.opname in allowed and (ins.opname != "LOAD_CONST" or ins.argval is None)
               for ins in dis.get_instructions(code))


Checker = Callable[..., None]
_CHECKERS: dict[str, Checker] = {}


def checker(step: str) -> Callable[[Checker], Checker]:
    """Register ``fn(lab, feedback, *answers)`` as the check of ``step`` ("<lab>.<step>")."""
    lab_name, _, name = step.partition(".")
    if lab_name not in LABS or not name:
        raise ValueError(f"check step {step!r} must be '<lab>.<step>' with a lab from the catalog")

    def register(fn: Checker) -> Checker:
        _CHECKERS[step] = fn
        return fn

    return register


def _load(lab_name: str) -> None:
    """Import the lab's checker module (once); a lab without checks simply has none."""
    module = f"{__name__}.{lab_name.replace('-', '_')}"
    try:
        importlib.import_module(module)
    except ModuleNotFoundError as err:
        if err.name != module:
            raise


def steps(lab_name: str) -> list[str]:
    """Every step of ``lab_name`` that has a check, in the order they were registered."""
    _load(lab_name)
    return [s for s in _CHECKERS if s.startswith(f"{lab_name}.")]


def _find(step: str) -> Checker:
    lab_name, _, _name = step.partition(".")
    if lab_name not in LABS:
        raise LabError(f"There is no lab called '{lab_name}' (in check step '{step}').{did_you_mean(lab_name, LABS)}",
                       "Steps are named '<lab>.<step>', e.g. 'sqs-orders.orders-queue'.")
    known = steps(lab_name)
    if step not in _CHECKERS:
        listing = ", ".join(known) if known else "none yet"
        raise LabError(f"There is no check called '{step}'.{did_you_mean(step, known)}",
                       f"Checks of lab '{lab_name}': {listing}.")
    return _CHECKERS[step]


def run(step: str, lab: Any, *answers: Any) -> CheckResult:
    """Evaluate ``step`` on ``lab`` (with the learner's ``answers``) and return the result unshown."""
    from ..notebook_errors import checks_calling

    fn = _find(step)
    fb = Feedback()
    try:
        with checks_calling():
            fn(lab, fb, *answers)
    except NotAttempted:
        pass
    except LabError as err:  # a helper explained the problem: show its words, not a traceback
        fb.wrong(f"The check stopped: {err.problem}", err.fix)
    except TypeError as err:
        if _wrong_arity(err, fn):
            raise LabError(f"check('{step}', lab, ...) was given {len(answers)} answer(s): {err}.",
                           "Use the check cell as the notebook wrote it.") from None
        fb.wrong(f"The check stopped: TypeError: {err}", "Read the error: it names the value of the wrong type.")
    except Exception as err:  # noqa: BLE001 - a check must never show a traceback
        explained = explain(err)
        if explained is not None:  # an AWS error reading the learner's resources: say what it means
            fb.wrong(f"The check stopped: AWS said {explained.code}: {explained.message}",
                     f"{explained.means} {explained.fix}")
        else:
            fb.wrong(f"The check stopped: {type(err).__name__}: {err}",
                     "Read the error above; it usually names the resource or parameter to fix.")
    return fb.result(step)


def _wrong_arity(err: TypeError, fn: Checker) -> bool:
    """Was ``err`` raised by calling the checker itself with the wrong number of answers?"""
    tb = err.__traceback__
    return tb is not None and tb.tb_next is None and fn.__name__ in str(err)


def _kernel_shell() -> Any:
    """The IPython kernel shell, or None in a terminal, a script or a test."""
    try:
        from IPython import get_ipython
    except ImportError:
        return None
    shell = get_ipython()
    return None if shell is None or shell.__class__.__name__ == "TerminalInteractiveShell" else shell


def check(step: str, lab: Any, *answers: Any) -> CheckResult:
    """Check one lab step (with the learner's ``answers``: the functions the step asked for), show
    the result and return it.

    In a notebook the result is shown rich (html/markdown with a plain-text fallback that nbval
    compares); elsewhere it is printed. Use ``.passed`` or ``.status`` to act on it.
    """
    result = run(step, lab, *answers)
    shell = _kernel_shell()
    if shell is not None:
        from IPython.display import display

        display(result._mimebundle(), raw=True)
        result._shown = True

        def _forget(*_: Any) -> None:  # shown once per cell; a later cell may show it again
            result._shown = False
            shell.events.unregister("post_run_cell", _forget)

        shell.events.register("post_run_cell", _forget)
    else:
        print(result.text())
    return result


__all__ = ["CheckResult", "Feedback", "NotAttempted", "check", "checker", "run", "steps"]
