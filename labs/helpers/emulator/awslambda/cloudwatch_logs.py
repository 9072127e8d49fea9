"""Lambda sends every invocation's log to CloudWatch Logs, /aws/lambda/<function>.

AWS (Lambda developer guide, "Sending Lambda function logs to CloudWatch Logs" and "Log and monitor
Python Lambda functions"): "Lambda automatically monitors Lambda functions and sends log entries to
Amazon CloudWatch. Your Lambda function comes with a CloudWatch Logs log group and a log stream for
each instance of your function"; the log group is ``/aws/lambda/<function name>``, the stream
``YYYY/MM/DD/[$LATEST]<id>`` (the function's ``AWS_LAMBDA_LOG_GROUP_NAME`` /
``AWS_LAMBDA_LOG_STREAM_NAME``), and "The Lambda runtime environment sends details about each
invocation and other output from your function's code to the log stream": START, END and REPORT
lines, every line the function prints and every ``logging`` record. Learners debug from there
(``logs.filter_log_events(logGroupName="/aws/lambda/...")``, ``aws logs tail``). moto 5.2.5 runs no
code without Docker, and with the layer's in-process runtime nothing reached CloudWatch Logs: the
log group did not even exist.

How: the layer's runtime (``lambda_local_runtime``) keeps each invocation's log as Lambda's events;
this patch adds a sink that writes them to moto's CloudWatch Logs backend of the function's account
and Region after every invocation (any caller: Invoke, an event source mapping, SNS, EventBridge,
a Step Functions task). The group is created on first use, as Lambda does when the execution role
allows ``logs:CreateLogGroup`` (the emulator does not check IAM), with no retention; the stream is
the execution environment's (a new one after new code or a reset). Cost: one ``put_log_events`` per
invocation, in-process.
"""

from __future__ import annotations

from typing import Any

from ..patching import Patch
from . import local_runtime

NAME = "lambda_cloudwatch_logs"


def log_group_name(fn: Any) -> str:
    """Lambda's default log group of a function."""
    return f"/aws/lambda/{fn.function_name}"


def write(fn: Any, env: local_runtime.ExecutionEnvironment, invocation: local_runtime.Invocation) -> None:
    """Append ``invocation``'s log events to the function's log group and its environment's stream."""
    from moto.logs.models import logs_backends

    if not invocation.events:
        return
    backend = logs_backends[fn.account_id][fn.region]
    group_name = log_group_name(fn)
    group = backend.groups.get(group_name)
    if group is None:
        group = backend.create_log_group(group_name, tags={})
    if env.log_stream_name not in group.streams:
        backend.create_log_stream(group_name, env.log_stream_name)
    backend.put_log_events(group_name, env.log_stream_name,
                           [{"timestamp": stamp, "message": message} for stamp, message in invocation.events])


def _apply() -> None:
    if write not in local_runtime.LOG_SINKS:
        local_runtime.LOG_SINKS.append(write)


PATCH = Patch(
    name=NAME,
    restores="every invocation's log (START, each printed line, each logging record, END, REPORT) goes to the "
             "CloudWatch Logs group /aws/lambda/<function>, one log stream YYYY/MM/DD/[$LATEST]<id> per "
             "execution environment",
    plain_moto="without Docker no code runs and nothing is written to CloudWatch Logs: /aws/lambda/<function> "
               "does not exist",
    apply=_apply,
    targets={
        "moto.logs.models:LogsBackend.create_log_group": "7ec171fd0d55",
        "moto.logs.models:LogsBackend.create_log_stream": "6b57baaf253b",
        "moto.logs.models:LogsBackend.put_log_events": "9413dbc08c42",
    },
)
