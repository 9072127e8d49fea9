"""StartSyncExecution runs an Express state machine and answers with its outcome.

AWS (Step Functions API reference, StartSyncExecution): "Starts a Synchronous Express state machine
execution. StartSyncExecution is not available for STANDARD workflows" (error
``StateMachineTypeNotSupported``); the response carries ``status`` (SUCCEEDED | FAILED | TIMED_OUT),
``output``, ``error``, ``cause``, ``startDate`` and ``stopDate``. Express workflows are how a lab
shows a short, synchronous orchestration (validate an order, answer the caller). moto 5.2.5 has the
interpreter's synchronous execution (``SyncExecution``) but no API for it: StartSyncExecution
answers ``404 Not yet implemented``.

Fix: route botocore's ``sync-states.<region>`` host to Step Functions (:func:`.routes.add_host`, as
``dynamodb_streams_endpoint`` does for its host) and add ``StepFunctionResponse.start_sync_execution``
for the executing backend: check the machine is EXPRESS, run a ``SyncExecution`` to its end on the
request's thread (state transitions are reported like any execution's), and return its
``to_start_sync_execution_output()``. The execution ARN has AWS's Express form
``arn:aws:states:<region>:<account>:express:<machine>:<name>:<uuid>``.
"""

from __future__ import annotations

import copy
import datetime
import json
import uuid
from typing import Any

from ..patching import Patch
from ..routes import add_host

NAME = "sfn_sync_execution"
#: botocore sends StartSyncExecution to the ``sync-`` host (the operation's endpoint hostPrefix).
SYNC_HOST = r"https?://sync-states\.(.+)\.amazonaws\.com"


def _error(code: str, message: str) -> Exception:
    from moto.core.exceptions import AWSError

    return AWSError(message, exception_type=code)


def start_sync_execution(backend: Any, machine_arn: str, name: str | None, text: str | None,
                         trace_header: str | None) -> Any:
    """Run the Express machine ``machine_arn`` with input ``text`` and return the finished execution."""
    from moto.stepfunctions.parser.api import StateMachineType
    from moto.stepfunctions.parser.backend.execution import SyncExecution

    machine = backend.describe_state_machine(machine_arn)  # StateMachineDoesNotExist as for StartExecution
    if str(getattr(machine, "type", "STANDARD")).upper() != "EXPRESS":
        raise _error("StateMachineTypeNotSupported", "This operation is not supported by this type of state machine")
    text = "{}" if text is None else text
    try:
        json.loads(text)
    except ValueError as err:
        raise _error("InvalidExecutionInput", f"Invalid State Machine Execution Input: '{err}'") from None
    snapshot = copy.deepcopy(machine, {id(machine.executions): [], id(machine.backend): machine.backend})
    name = name or str(uuid.uuid4())
    arn = (f"arn:{backend.partition}:states:{backend.region_name}:{backend.account_id}:express:"
           f"{machine.name}:{name}:{uuid.uuid4()}")
    execution = SyncExecution(
        name=name, sm_type=StateMachineType.EXPRESS, role_arn=snapshot.roleArn, exec_arn=arn,
        account_id=backend.account_id, region_name=backend.region_name, state_machine=snapshot,
        start_date=datetime.datetime.now(tz=datetime.UTC), cloud_watch_logging_session=None,
        input_data=text, trace_header=trace_header, activity_store={})
    execution.start()  # SyncExecutionWorker runs the program to its end before returning
    return execution


def _apply() -> None:
    from moto.core.responses import ActionResult
    from moto.stepfunctions import urls
    from moto.stepfunctions.parser.models import StepFunctionsParserBackend
    from moto.stepfunctions.responses import StepFunctionResponse

    add_host("stepfunctions", SYNC_HOST, urls.url_bases)
    if "start_sync_execution" in StepFunctionResponse.__dict__:
        return

    def start_sync(self: Any) -> Any:
        backend = self.stepfunction_backend
        if not isinstance(backend, StepFunctionsParserBackend):
            raise NotImplementedError("StartSyncExecution needs moto's executing Step Functions backend: run the "
                                      "emulator with moto config stepfunctions.execute_state_machine = True (the "
                                      "embedded backend and `python -m labs emulator` set it)")
        execution = start_sync_execution(backend, self._get_param("stateMachineArn"), self._get_param("name"),
                                         self._get_param("input"), self._get_param("traceHeader"))
        return ActionResult(execution.to_start_sync_execution_output())

    StepFunctionResponse.start_sync_execution = start_sync  # type: ignore[attr-defined]


PATCH = Patch(
    name=NAME,
    restores="StartSyncExecution runs an Express state machine to its end and returns status, output, error and "
             "cause (StateMachineTypeNotSupported for STANDARD machines)",
    plain_moto="StartSyncExecution answers 404 Not yet implemented",
    apply=_apply,
    targets={
        "moto.stepfunctions.parser.backend.execution:SyncExecution": "847e69464a25",
        "moto.stepfunctions.parser.backend.execution_worker:SyncExecutionWorker.start": "e952ea1928c1",
        "moto.stepfunctions.parser.models:StepFunctionsParserBackend.start_execution": "0f8d9dd57baf",
    },
)
