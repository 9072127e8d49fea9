"""A ``States.*`` error inside a Parallel branch or a Map iteration reaches the enclosing Catch.

AWS (developer guide, Parallel state): "If any branch fails, because of an unhandled error or by
transitioning to a Fail state, the entire Parallel state is considered to have failed" -- with that
branch's error, which the Parallel state's ``Retry``/``Catch`` see; the same holds for a Map state's
iterations. Predefined error names start with ``States.`` (``States.NoChoiceMatched``,
``States.Timeout``, ``States.TaskFailed``, ``States.Runtime``, ...). moto 5.2.5 re-raises a branch's
or iteration's error as a *custom* error name, and custom names must not start with ``States.``: the
interpreter itself crashes with ``ValueError: Custom Error Names MUST NOT begin with the prefix
'States.'``, so the Parallel/Map fails with ``States.Runtime`` and a ``Catch`` for the real error
never matches.

Fix: in those two modules only (``state_parallel.branches_decl`` and
``state_map.iteration.iteration_worker``) the name ``CustomErrorName`` is replaced by a factory
that gives the predefined ``StatesErrorName`` for a ``States.*`` name and moto's ``CustomErrorName``
for anything else, so the error travels on under its own name.
"""

from __future__ import annotations

from typing import Any

from ..patching import Patch

NAME = "sfn_branch_errors"


def error_name_for(error_name: str | None) -> Any:
    """The ErrorName a propagated error should carry: predefined for ``States.*``, custom otherwise."""
    from moto.stepfunctions.parser.asl.component.common.error_name.custom_error_name import CustomErrorName
    from moto.stepfunctions.parser.asl.component.common.error_name.error_name import ErrorName
    from moto.stepfunctions.parser.asl.component.common.error_name.states_error_name import StatesErrorName
    from moto.stepfunctions.parser.asl.component.common.error_name.states_error_name_type import (
        StatesErrorNameType,
    )

    if isinstance(error_name, str) and error_name.startswith("States."):
        try:
            return StatesErrorName(typ=StatesErrorNameType.from_name(error_name))
        except (ValueError, KeyError, TypeError):
            return type("PropagatedErrorName", (ErrorName,), {})(error_name)  # an unknown States.* name, as is
    return CustomErrorName(error_name=error_name)


def _apply() -> None:
    from moto.stepfunctions.parser.asl.component.state.exec.state_map.iteration import iteration_worker
    from moto.stepfunctions.parser.asl.component.state.exec.state_parallel import branches_decl

    for module in (branches_decl, iteration_worker):
        module.CustomErrorName = error_name_for  # type: ignore[attr-defined]


PATCH = Patch(
    name=NAME,
    restores="an error named States.* in a Parallel branch or Map iteration fails the Parallel/Map state with "
             "that error, which its Retry and Catch match",
    plain_moto="the interpreter crashes re-raising it (custom error names must not start with 'States.'): the "
               "state fails with States.Runtime and a Catch for the real error never matches",
    apply=_apply,
    targets={
        "moto.stepfunctions.parser.asl.component.state.exec.state_parallel.branches_decl:BranchesDecl._eval_body": "eec2efa5fe00",
        "moto.stepfunctions.parser.asl.component.state.exec.state_map.iteration.iteration_worker:"
        "IterationWorker._eval_job": "5f736d9451fe",
        "moto.stepfunctions.parser.asl.component.common.error_name.states_error_name_type:"
        "StatesErrorNameType.from_name": "f25ea6c4bcb9",
    },
)
