"""One exception type for mistakes a learner (or instructor) can fix.

Why one type: notebooks show the last line of a traceback most prominently, so every helper
raises :class:`LabError` whose message states the problem *and* the fix, instead of letting a
raw ``botocore`` stack trace reach the student.
"""

from __future__ import annotations

import contextlib
import difflib
from collections.abc import Iterable, Iterator

from botocore.exceptions import BotoCoreError, ClientError


class LabError(Exception):
    """A problem with a clear fix. ``str(err)`` is ``problem`` followed by ``How to fix: ...``."""

    def __init__(self, problem: str, fix: str) -> None:
        self.problem = problem
        self.fix = fix
        self.aws_error: Exception | None = None
        super().__init__(f"{problem}\nHow to fix: {fix}")


class IncompleteTeardown(LabError):
    """``lab.teardown()`` could not delete everything (on a backend other than real AWS, where
    that is an error); ``report`` is the :class:`~labs.helpers.inventory.DeleteReport` saying what."""

    def __init__(self, problem: str, fix: str, report: object) -> None:
        super().__init__(problem, fix)
        self.report = report


class RealAwsBlockedError(LabError):
    """Raised before a request would leave for real AWS without the explicit opt-in."""


def error_code(err: ClientError) -> str:
    """The AWS error code of ``err`` (``""`` if the response has none): what the helpers branch on
    to tell "already exists" or "already gone" from a real failure."""
    return str(err.response.get("Error", {}).get("Code", ""))


def did_you_mean(word: str, choices: Iterable[str]) -> str:
    """Return ``" Did you mean 'x'?"`` for the closest choice, or an empty string."""
    close = difflib.get_close_matches(word, list(choices), n=1, cutoff=0.6)
    return f" Did you mean '{close[0]}'?" if close else ""


@contextlib.contextmanager
def explained(action: str, fix: str | None = None) -> Iterator[None]:
    """Turn an AWS error raised inside the block into a :class:`LabError` naming ``action``.

    The AWS error code and message are kept (students must learn to read them), but the
    traceback the notebook shows ends with one readable sentence and a fix.
    """
    try:
        yield
    except LabError:
        raise
    except ClientError as err:
        error = err.response.get("Error", {})
        code, message = error.get("Code", "Error"), error.get("Message", str(err))
        problem = LabError(
            f"AWS refused to {action}: {code}: {message}",
            fix or "Read the AWS message above; it names the parameter that is wrong.",
        )
        problem.aws_error = err  # kept for debugging; `from None` keeps the botocore stack out of view
        raise problem from None
    except BotoCoreError as err:
        problem = LabError(
            f"Could not {action}: {err}",
            fix or "Check the parameters and the backend (see README, 'Choosing a backend').",
        )
        problem.aws_error = err
        raise problem from None
