"""A Choice state with no matching rule and no Default fails with ``States.NoChoiceMatched``.

Amazon States Language specification, Choice State: "The interpreter will throw a runtime
States.NoChoiceMatched error if a Choice State fails to match a Choice Rule and no "Default"
transition was specified." (The developer guide lists ``States.NoChoiceMatched`` among the
predefined error names.) moto 5.2.5 raises a Python ``RuntimeError`` instead: the execution fails
with ``States.Runtime`` and a cause of ``RuntimeError(('No branching option reached in state %s',
'C'))``, and the interpreter logs "Stepfunctions computation ended with exception" -- so a lab that
teaches "always give a Choice a Default" cannot show the error students would see on AWS.

Fix: wrap ``StateChoice._eval_state`` and turn exactly that RuntimeError into the interpreter's own
failure (a ``FailureEventException`` with error ``States.NoChoiceMatched``), which then ends the
execution through moto's normal path (``ExecutionFailed`` in the history, FAILED in
DescribeExecution, and catchable by an enclosing Parallel's Catch). The cause text is the
emulator's: it names the state.
"""

from __future__ import annotations

import functools
from typing import Any

from ..patching import Patch

NAME = "sfn_no_choice_matched"
ERROR = "States.NoChoiceMatched"
_MOTO_MESSAGE = "No branching option reached in state %s"


def _apply() -> None:
    from moto.stepfunctions.parser.api import HistoryEventType, TaskFailedEventDetails
    from moto.stepfunctions.parser.asl.component.common.error_name.failure_event import (
        FailureEvent,
        FailureEventException,
    )
    from moto.stepfunctions.parser.asl.component.common.error_name.states_error_name import StatesErrorName
    from moto.stepfunctions.parser.asl.component.common.error_name.states_error_name_type import (
        StatesErrorNameType,
    )
    from moto.stepfunctions.parser.asl.component.state.choice.state_choice import StateChoice
    from moto.stepfunctions.parser.asl.eval.event.event_detail import EventDetails

    evaluate = StateChoice._eval_state

    @functools.wraps(evaluate)
    def eval_state(self: Any, env: Any) -> None:
        try:
            evaluate(self, env)
        except RuntimeError as err:
            if not err.args or err.args[0] != _MOTO_MESSAGE:
                raise
            cause = f"No Choice Rule of state '{self.name}' matched the input and the state has no Default."
            raise FailureEventException(FailureEvent(
                env=env,
                error_name=StatesErrorName(typ=StatesErrorNameType.StatesNoChoiceMatched),
                event_type=HistoryEventType.TaskFailed,
                event_details=EventDetails(taskFailedEventDetails=TaskFailedEventDetails(error=ERROR, cause=cause)),
            )) from None

    StateChoice._eval_state = eval_state  # type: ignore[method-assign]


PATCH = Patch(
    name=NAME,
    restores="a Choice state that matches no rule and has no Default fails with States.NoChoiceMatched",
    plain_moto="the execution fails with States.Runtime and a Python RuntimeError as cause, logged as an "
               "interpreter crash",
    apply=_apply,
    targets={"moto.stepfunctions.parser.asl.component.state.choice.state_choice:StateChoice._eval_state": "47c01743c893"},
)
