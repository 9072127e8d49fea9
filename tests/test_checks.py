"""The self-check framework (contract 5): three outcomes, deterministic text, never a traceback.

Checks exercised here are registered on the sandbox lab for the test only; the real checks of
a lab are tested in ``tests/test_checks_<lab>.py``.
"""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from labs.helpers import CheckResult, Lab, LabError, check, checks
from labs.helpers.checks import Feedback, checker, run
from labs.helpers.checks._sqs import find_queue


@pytest.fixture
def registry() -> Iterator[None]:
    """Register demo checks on the sandbox lab and remove them afterwards."""
    checks.steps("sandbox")  # load the sandbox's real checks first, so that restoring keeps them
    saved = dict(checks._CHECKERS)

    @checker("sandbox.queue")
    def _queue(lab: Lab, fb: Feedback) -> None:
        url = fb.require(find_queue(lab, "demo"), "There is no demo queue yet.", "Create it with create_queue.")
        attrs = lab.client("sqs").get_queue_attributes(QueueUrl=url, AttributeNames=["VisibilityTimeout"])["Attributes"]
        fb.right("The demo queue exists.")
        fb.check(int(attrs["VisibilityTimeout"]) >= 10, "VisibilityTimeout is at least 10 s.",
                 f"VisibilityTimeout is {attrs['VisibilityTimeout']} s.", "Raise VisibilityTimeout above the processing time.")
        fb.check(False, "never", "A second problem.", "A second hint that must not win.")

    @checker("sandbox.boom")
    def _boom(lab: Lab, fb: Feedback) -> None:
        lab.client("sqs").get_queue_attributes(QueueUrl="https://sqs.us-east-1.amazonaws.com/123456789012/nope",
                                               AttributeNames=["All"])

    @checker("sandbox.explained")
    def _explained(lab: Lab, fb: Feedback) -> None:
        raise LabError("The orders queue is FIFO.", "Use a standard queue.")

    @checker("sandbox.silent")
    def _silent(lab: Lab, fb: Feedback) -> None:
        pass

    yield
    checks._CHECKERS.clear()
    checks._CHECKERS.update(saved)


def test_missing_resource_is_not_attempted_with_a_hint(lab: Lab, registry: None) -> None:
    result = run("sandbox.queue", lab)
    assert result.status == "not-attempted" and not result.passed and not result
    assert result.wrong == ["There is no demo queue yet."]
    assert result.hint == "Create it with create_queue."


def test_wrong_state_is_incorrect_and_the_first_hint_wins(lab: Lab, registry: None) -> None:
    lab.client("sqs").create_queue(QueueName=lab.name("demo"), Attributes={"VisibilityTimeout": "2"})
    result = run("sandbox.queue", lab)
    assert result.status == "incorrect"
    assert result.right == ["The demo queue exists."]
    assert result.wrong == ["VisibilityTimeout is 2 s.", "A second problem."]
    assert result.hint == "Raise VisibilityTimeout above the processing time."


def test_text_is_compact_and_deterministic(lab: Lab, registry: None) -> None:
    lab.client("sqs").create_queue(QueueName=lab.name("demo"), Attributes={"VisibilityTimeout": "2"})
    first, second = run("sandbox.queue", lab), run("sandbox.queue", lab)
    assert first.text() == second.text() == (
        "[Not yet right] sandbox.queue\n"
        "  + The demo queue exists.\n"
        "  - VisibilityTimeout is 2 s.\n"
        "  - A second problem.\n"
        "  Hint: Raise VisibilityTimeout above the processing time.")
    bundle = first._mimebundle()
    assert bundle["text/plain"] == first.text()
    assert "VisibilityTimeout is 2 s." in bundle["text/html"] and "**Not yet right**" in bundle["text/markdown"]


def test_correct_result_has_no_hint(registry: None) -> None:
    fb = Feedback()
    fb.right("All good.")
    result = fb.result("sandbox.queue")
    assert result.status == "correct" and result.passed and result.hint is None
    assert result.text() == "[Correct] sandbox.queue\n  + All good."


def test_an_aws_error_inside_a_checker_becomes_incorrect_not_a_traceback(lab: Lab, registry: None) -> None:
    result = run("sandbox.boom", lab)
    assert result.status == "incorrect"
    assert result.wrong[0].startswith("The check stopped: AWS said QueueDoesNotExist: ")
    assert "no queue with this URL or name" in (result.hint or ""), "the hint explains the error, not just names it"


def test_a_lab_error_inside_a_checker_shows_its_problem_and_fix(lab: Lab, registry: None) -> None:
    result = run("sandbox.explained", lab)
    assert (result.status, result.wrong, result.hint) == (
        "incorrect", ["The check stopped: The orders queue is FIFO."], "Use a standard queue.")


def test_a_checker_that_verifies_nothing_does_not_pass(lab: Lab, registry: None) -> None:
    assert run("sandbox.silent", lab).status == "incorrect"


def test_unknown_step_raises_with_did_you_mean(lab: Lab, registry: None) -> None:
    with pytest.raises(LabError, match="Did you mean 'sandbox.queue'"):
        run("sandbox.queeu", lab)
    with pytest.raises(LabError, match="Did you mean 'sqs-orders'"):
        run("sqs-order.orders-queue", lab)


def test_check_prints_outside_a_notebook_and_returns_the_result(lab: Lab, registry: None,
                                                               capsys: pytest.CaptureFixture[str]) -> None:
    result = check("sandbox.queue", lab)
    assert isinstance(result, CheckResult)
    assert capsys.readouterr().out == result.text() + "\n"


def test_check_is_exported_from_helpers() -> None:
    import labs.helpers

    assert labs.helpers.check is check and "check" in labs.helpers.__all__


def test_feedback_reads_well_without_an_emoji_font(registry: None) -> None:
    """Emoji render as empty boxes where no emoji font is installed: the feedback uses words."""
    fb = Feedback()
    fb.right("One thing is right.")
    fb.wrong("Another is not.", hint="Fix it.")
    bundle = fb.result("sandbox.queue")._mimebundle()
    text = "".join(bundle.values())
    assert not [ch for ch in text if ord(ch) > 0x2FFF], "no emoji or symbols outside common fonts"
    assert "to fix:" in bundle["text/html"] and "Hint:" in bundle["text/html"]


def test_an_unwritten_answer_is_not_attempted(lab: Lab, registry: None) -> None:
    """The student notebook's ``def f(...): ...  # YOUR CODE HERE`` (and ``...`` itself) is not an answer."""
    from labs.helpers.checks import _unanswered, checker

    def unwritten(queue_url: str) -> None:
        """A docstring, then the placeholder."""
        ...  # YOUR CODE HERE

    def written(queue_url: str) -> str:
        return queue_url

    assert _unanswered(unwritten) and not _unanswered(written) and not _unanswered(len)

    @checker("sandbox.answer")
    def _answer(lab: Lab, fb: Feedback, fn: object = None) -> None:
        fb.answer(fn, "f", "1")
        fb.right("answered")

    assert run("sandbox.answer", lab, unwritten).status == "not-attempted"
    assert run("sandbox.answer", lab, ...).status == "not-attempted"
    assert run("sandbox.answer", lab, written).status == "correct"
