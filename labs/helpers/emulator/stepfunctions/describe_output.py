"""DescribeExecution returns ``output`` as JSON, whatever JSON value the execution produced.

AWS (Step Functions API reference, DescribeExecution): ``output`` is "The JSON output data of the
execution", and ``stopDate`` is set "If the execution ended". An execution's result can be any JSON
value: a Pass state with ``"Result": "approved"`` ends with the JSON string ``"approved"`` (quotes
included), exactly as the ``ExecutionSucceeded`` history event shows it. moto 5.2.5 returns a result
that is a string *without* its quotes (``approved``), so ``json.loads(output)`` -- the way every lab
reads it -- raises; and a TIMED_OUT execution has no ``stopDate``.

Fix: wrap ``StepFunctionResponse.describe_execution``; for executions of moto's executing backend
(``moto.stepfunctions.parser``), encode a string result as JSON and add ``stopDate`` to TIMED_OUT.
Every other field is moto's.
"""

from __future__ import annotations

import functools
import json
from typing import Any

from ..patching import Patch

NAME = "sfn_describe_output"


def _apply() -> None:
    from moto.core.responses import ActionResult
    from moto.stepfunctions.parser.backend.execution import Execution as ParserExecution
    from moto.stepfunctions.responses import StepFunctionResponse

    describe = StepFunctionResponse.describe_execution

    @functools.wraps(describe)
    def describe_with_json_output(self: Any) -> Any:
        result = describe(self)
        response = getattr(result, "result", None)
        if not isinstance(response, dict):
            return result
        execution = self.stepfunction_backend.describe_execution(self._get_param("executionArn"))
        if not isinstance(execution, ParserExecution):
            return result
        status = getattr(execution.exec_status, "value", execution.exec_status)
        if status == "SUCCEEDED" and isinstance(execution.output, str):
            response = {**response, "output": json.dumps(execution.output)}
        if status == "TIMED_OUT" and execution.stop_date is not None:
            response = {**response, "stopDate": execution.stop_date}
        return ActionResult(response)

    StepFunctionResponse.describe_execution = describe_with_json_output  # type: ignore[method-assign]


PATCH = Patch(
    name=NAME,
    restores="DescribeExecution output is the execution's JSON output (a string result keeps its quotes); "
             "an execution that timed out has a stopDate",
    plain_moto="a string result is returned without its JSON quotes (json.loads fails); TIMED_OUT has no stopDate",
    apply=_apply,
    targets={"moto.stepfunctions.responses:StepFunctionResponse.describe_execution": "c3953bdc9ce2"},
)
