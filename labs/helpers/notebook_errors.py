"""AWS errors from the learner's own calls, shown as a short explanation in the notebook.

Without this a wrong ``create_queue`` ends in 25 lines of botocore internals with the one line
that matters at the bottom. IPython's hook for exactly this is ``InteractiveShell.set_custom_exc``:
for the exception types it is given, IPython calls our handler instead of printing its traceback.
The handler shows

* the error code as AWS (or boto3) named it and AWS's own message (learners must learn to read them),
* what it means in the lab and what to do next (from :mod:`labs.helpers.aws_errors`),
* the full traceback folded away (an HTML ``<details>``: one click; ``%tb`` prints it in a terminal),

then a one-line error output, so the cell still counts as failed (Run All stops there, nbval sees
an error) exactly as it would without us. :class:`~labs.helpers.errors.LabError` from a helper gets
the same short form: its message already states the problem and the fix.

:func:`install` is called by ``start_lab()`` and does nothing outside an IPython kernel.
"""

from __future__ import annotations

import contextlib
import html
import traceback
from collections.abc import Iterator
from typing import Any

from botocore.exceptions import BotoCoreError, ClientError

from .aws_errors import Explanation, explain
from .errors import LabError

HANDLED = (ClientError, BotoCoreError, LabError)


def render(err: BaseException, tb_text: str) -> dict[str, str]:
    """The explanation of ``err`` as a MIME bundle (plain text for nbval and terminals, HTML for JupyterLab)."""
    if isinstance(err, LabError):
        title, lines = type(err).__name__, [err.problem, f"What to do: {err.fix}"]
    else:
        explained = explain(err)
        assert explained is not None  # HANDLED holds only error types explain() knows
        title = f"AWS said no: {explained.code}"
        lines = [explained.message or "(no message)", f"In this lab: {explained.means}", f"What to do: {explained.fix}"]
    plain = "\n".join([title, *(f"  {line}" for line in lines),
                       "  (Full traceback: click 'Full traceback' in JupyterLab, or run %tb.)"])
    body = "".join(f"<div>{html.escape(line)}</div>" for line in lines)
    rich = ('<div class="labs-aws-error" style="border-left:4px solid #b3261e;padding:2px 8px">'
            f'<strong style="color:#b3261e">{html.escape(title)}</strong>{body}'
            '<details><summary>Full traceback</summary>'
            f'<pre style="font-size:85%;white-space:pre-wrap">{html.escape(tb_text)}</pre></details></div>')
    return {"text/plain": plain, "text/html": rich}


# ---------------------------------------------------------------- what the learner's calls last said
#: operation (e.g. "CreateQueue") -> the explanation of the learner's last failed call of it.
#: A check that finds no queue asks here first: "your create_queue failed with ..." names the real
#: problem, where "there is no queue yet" would only restate the step.
_failed: dict[str, Explanation] = {}
_quiet = {"depth": 0}  # not thread-local: a check runs the learner's code in threads of its own


def operation_of(err: BaseException) -> str | None:
    """The API operation an AWS/boto3 error came from: ClientError names it; a parameter validation
    error is raised inside botocore's ``_make_api_call(self, operation_name, ...)``, so its frame knows."""
    name = getattr(err, "operation_name", None)
    if name:
        return str(name)
    tb = err.__traceback__
    while tb is not None:
        if tb.tb_frame.f_code.co_name == "_make_api_call":
            return str(tb.tb_frame.f_locals.get("operation_name") or "") or None
        tb = tb.tb_next
    return None


def remember(err: BaseException) -> None:
    """Note a failed call of the learner's (shown in a cell, or met by a given cell)."""
    operation, explained = operation_of(err), explain(err)
    if operation and explained is not None:
        _failed[operation] = explained


def succeeded(operation: str) -> None:
    """A later call of ``operation`` by the learner worked: its old failure no longer explains anything."""
    if not _quiet["depth"]:
        _failed.pop(operation, None)


def last_failure(*operations: str) -> tuple[str, Explanation] | None:
    """The learner's most recent remembered failure among ``operations``, if any."""
    for operation in reversed(list(_failed)):
        if operation in operations:
            return operation, _failed[operation]
    return None


@contextlib.contextmanager
def checks_calling() -> Iterator[None]:
    """Calls made inside (a check's own, or the learner's code run by a check) do not clear failures."""
    _quiet["depth"] += 1
    try:
        yield
    finally:
        _quiet["depth"] -= 1


def watch_client(client: Any, _lab: Any) -> None:
    """The client hook (``context.register_client_hook``): a successful call clears its operation's failure."""
    def after(parsed: Any, model: Any, **_: Any) -> None:
        if not (isinstance(parsed, dict) and parsed.get("Error")):
            succeeded(model.name)

    client.meta.events.register("after-call", after, unique_id="labs-learner-errors")


def _handler(shell: Any, etype: type[BaseException], value: BaseException, tb: Any,
             tb_offset: int | None = None) -> list[str]:
    """IPython's custom exception handler: show the explanation, return a one-line traceback."""
    import sys

    from IPython.display import display

    sys.last_type, sys.last_value, sys.last_traceback = etype, value, tb  # what %tb prints
    remember(value)
    full = "".join(traceback.format_exception(etype, value, tb))
    display(render(value, full), raw=True)
    first = str(value).strip().splitlines()[0] if str(value).strip() else ""
    stb = [f"{etype.__name__}: {first}"]
    # IPython discards a custom handler's return value when the error comes from a cell (run_code
    # calls the handler directly), so send the one-line error output ourselves: the cell shows as
    # failed in the front end, as it would without us.
    shell._showtraceback(etype, value, stb)
    return stb


def install(shell: Any | None = None) -> bool:
    """Show AWS errors of this kernel's cells as explanations (idempotent). False outside a kernel."""
    if shell is None:
        from .checks import _kernel_shell

        shell = _kernel_shell()
    if shell is None:
        return False
    if getattr(shell, "_labs_errors_installed", False):
        return True
    shell.set_custom_exc(HANDLED, _handler)
    shell._labs_errors_installed = True
    return True


__all__ = ["HANDLED", "checks_calling", "install", "last_failure", "remember", "render", "watch_client"]
