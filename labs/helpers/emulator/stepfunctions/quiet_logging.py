"""Step Functions failures stay in the execution's history instead of spilling into notebooks.

AWS reports a failed state where the learner looks for it: ``describe_execution`` gives ``status``
FAILED with ``error`` and ``cause``, and ``get_execution_history`` has the ``TaskFailed`` /
``FailStateEntered`` / ``ExecutionFailed`` events (Step Functions developer guide, "Handling errors
in Step Functions workflows"); nothing is printed on the caller's console. moto 5.2.5's interpreter
(``moto.stepfunctions.parser``) also logs every failure at ERROR level, once per component the error
passes through on its way up, each with the full ``repr`` of the ASL component tree
(``Exception=FailureEventException, Error=OutOfStock, Details=... at '(StateFail| {...}}'``): a
Fail state or a Catch-ed task error in a notebook prints screens of internal dump in red.

Fix: a logging filter on exactly that logger (``...asl.component.eval_component``) that drops its
``Exception=...`` records -- the same error is in the execution's history, where the lab teaches
students to read it. Everything else the interpreter logs is kept (e.g. "Stepfunctions computation
ended with exception", an interpreter crash that is a real emulator problem). Whoever turns on DEBUG
for that logger to debug the emulator gets the dumps back.
"""

from __future__ import annotations

import logging

from ..patching import Patch

NAME = "sfn_quiet_logging"
#: The one logger whose records are filtered (the ASL component base class logs there).
LOGGER = "moto.stepfunctions.parser.asl.component.eval_component"
#: Prefix of the component dumps (``EvalComponent._log_failure_event_exception`` / ``_log_exception``).
NOISE_PREFIX = "Exception="


class ComponentDumpFilter(logging.Filter):
    """Drop the interpreter's per-component error dumps unless the logger is at DEBUG."""

    def filter(self, record: logging.LogRecord) -> bool:
        if not str(record.msg).startswith("%s at '%s'"):
            return True
        first = record.args[0] if isinstance(record.args, tuple) and record.args else ""
        if not str(first).startswith(NOISE_PREFIX):
            return True
        return logging.getLogger(record.name).isEnabledFor(logging.DEBUG)


def _apply() -> None:
    # Importing the module creates its logger; the filter must sit on that very logger.
    import moto.stepfunctions.parser.asl.component.eval_component  # noqa: F401

    logger = logging.getLogger(LOGGER)
    if not any(isinstance(f, ComponentDumpFilter) for f in logger.filters):
        logger.addFilter(ComponentDumpFilter())


PATCH = Patch(
    name=NAME,
    restores="a failed state is reported in the execution's status, error, cause and history, not on the "
             "caller's console",
    plain_moto="every state failure logs an ERROR with the interpreter's internal component dump, once per "
               "enclosing component, which prints into notebooks",
    apply=_apply,
    targets={
        "moto.stepfunctions.parser.asl.component.eval_component:EvalComponent._log_failure_event_exception": "7d7aa73b14ee",
        "moto.stepfunctions.parser.asl.component.eval_component:EvalComponent._log_exception": "2125c07bc2ee",
    },
)
