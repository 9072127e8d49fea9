"""Step Functions StartExecution without ``name`` gets a generated, unique execution name.

AWS (Step Functions API reference, StartExecution, ``name``): "If you don't provide a name for the
execution, Step Functions automatically generates a universally unique identifier (UUID) as the
execution name." moto 5.2.5's executing backend (``moto.stepfunctions.parser``, used when
``execute_state_machine`` is on, as the labs configure it) formats the ARN with the missing name,
so every unnamed execution is ``...:execution:<machine>:None``. The second unnamed start with the
same input silently returns the *first* execution (StartExecution's idempotency rule), and one with
a different input fails with ``ExecutionAlreadyExists`` -- a lab starting one execution per order
would break on the second order.

Fix: wrap the parser backend's ``start_execution`` and give an unnamed start a fresh UUID before
moto sees it (moto's non-executing backend already does exactly this).
"""

from __future__ import annotations

import functools
import uuid
from typing import Any

from ..patching import Patch

NAME = "sfn_execution_name"


def _apply() -> None:
    from moto.stepfunctions.parser.models import StepFunctionsParserBackend

    start_execution = StepFunctionsParserBackend.start_execution

    @functools.wraps(start_execution)
    def start_named_execution(self: Any, state_machine_arn: str, name: Any = None, *args: Any, **kwargs: Any) -> Any:
        return start_execution(self, state_machine_arn, name or str(uuid.uuid4()), *args, **kwargs)

    StepFunctionsParserBackend.start_execution = start_named_execution  # type: ignore[method-assign]


PATCH = Patch(
    name=NAME,
    restores="StartExecution without a name generates a universally unique identifier (UUID) as the execution name",
    plain_moto="an unnamed execution is stored as '<machine>:None', so a second unnamed start returns the first "
               "execution or fails with ExecutionAlreadyExists",
    apply=_apply,
    targets={
        "moto.stepfunctions.parser.models:StepFunctionsParserBackend.start_execution": "0f8d9dd57baf",
    },
)
