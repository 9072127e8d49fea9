"""Every plausible wrong answer of the labs' exercises is caught with a hint that names it, run
through the whole notebook as a learner would run it (see :mod:`labs.course.wrong_answers`).

The suite is slow (one notebook run per answer), so it is marked ``notebooks`` and
``wrong_answers``: ``make test PYTEST_ARGS='-m "not wrong_answers"'`` leaves it out while working on
the helpers; ``python -m labs wrong-answers`` runs the same answers and prints the figure.
"""

from __future__ import annotations

import ast
from collections import Counter

import pytest

from labs.course.wrong_answers import SUITES, load, run_variant, variant_notebook

LABS = sorted(p.stem.replace("_", "-") for p in SUITES.glob("*.py") if not p.name.startswith("test_"))
CASES = [(lab, v) for lab in LABS for v in load(lab)]


@pytest.mark.parametrize("lab", LABS)
def test_every_exercise_has_six_mistakes_and_two_right_answers(lab: str) -> None:
    variants = load(lab)
    wrong = Counter(v.exercise for v in variants if v.expect != "correct")
    right = Counter(v.exercise for v in variants if v.expect == "correct")
    exercises = {v.exercise for v in variants}
    assert exercises, f"{lab} has no wrong-answer suite"
    assert all(wrong[e] >= 6 and right[e] >= 2 for e in exercises), (dict(wrong), dict(right))
    assert len({v.id for v in variants}) == len(variants), "two variants share an id"
    assert all(v.hint for v in variants if v.expect == "incorrect"), "a mistake must name the words its hint needs"


@pytest.mark.parametrize("lab", LABS)
def test_every_exercise_of_the_notebook_is_in_the_suite(lab: str) -> None:
    """An exercise cell (tagged ``exercise-N``) without wrong answers would be an untested check."""
    import nbformat

    from labs.course.wrong_answers import notebook_of

    tagged = {tag.removeprefix("exercise-") for cell in nbformat.read(notebook_of(lab), as_version=4).cells
              for tag in cell.metadata.get("tags", []) if tag.startswith("exercise-")}
    assert tagged == {v.exercise for v in load(lab)}


@pytest.mark.parametrize("lab, variant", CASES, ids=[f"{lab}:{v.id}" for lab, v in CASES])
def test_the_answer_is_valid_python_in_its_cell(lab: str, variant) -> None:  # noqa: ANN001 - a Variant
    nb, exercise = variant_notebook(lab, variant)
    ast.parse(nb.cells[exercise].source)


@pytest.mark.notebooks
@pytest.mark.wrong_answers
@pytest.mark.parametrize("lab, variant", CASES, ids=[f"{lab}:{v.id}" for lab, v in CASES])
def test_the_check_says_what_the_answer_deserves(lab: str, variant) -> None:  # noqa: ANN001 - a Variant
    outcome = run_variant(lab, variant)
    assert outcome.passed, outcome.explain()
