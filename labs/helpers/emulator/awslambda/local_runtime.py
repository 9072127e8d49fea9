"""Lambda runs Python handlers for real, in-process, without Docker.

AWS (Lambda developer guide, "Define Lambda function handler in Python"): "The Lambda function
handler is the method in your function code that processes events. When your function is invoked,
Lambda runs the handler method." Invoke with ``RequestResponse`` "Invoke the function synchronously
... The API response includes the function response"; with ``Event`` "Invoke the function
asynchronously ... The API response only includes a status code" (202). A handler that raises gives
``FunctionError: "Unhandled"`` and a payload ``{"errorMessage", "errorType", "requestId",
"stackTrace"}``. moto 5.2.5 without Docker (``lambda: use_docker False``, the only mode these
machines have) never runs the code: ``invoke`` echoes the request payload back.

How the emulator runs a handler:

* The deployment package (the zip the student uploaded) is extracted once per function and code
  version (SHA-256) into a temporary directory and the handler module is loaded from there under a
  private module name, so two functions that both ship an ``app.py`` do not clash, and a redeployed
  function (new code) gets a fresh module. Modules the handler imports from its own zip are loaded
  the same way and removed from ``sys.modules`` afterwards.
* The loaded module is kept between invocations, like a warm Lambda execution environment: module
  level state (a cache, a client created outside the handler) survives between invocations, exactly
  the behaviour AWS documents and the reason to create clients outside the handler.
* While the handler runs, the function's ``Environment.Variables`` and Lambda's reserved variables
  (``AWS_LAMBDA_FUNCTION_NAME``, ``AWS_REGION``, ...) are set in ``os.environ`` and restored after.
  Because ``os.environ`` is process-wide, invocations run one at a time (a re-entrant lock: a
  handler may itself invoke another function).
* The context object has Lambda's attributes (``function_name``, ``aws_request_id``,
  ``invoked_function_arn``, ``memory_limit_in_mb``, ``get_remaining_time_in_millis()``, ...). A
  handler that runs longer than the function's ``Timeout`` cannot be stopped in-process; its result
  is replaced by Lambda's timeout error, so the student still sees "Task timed out".
* ``Event`` invocations run immediately, before ``invoke`` returns 202, but their result and errors
  are never part of the response (deterministic for notebooks; AWS would run them a moment later).
  Lambda's asynchronous retries of a failing handler are not emulated.
* Each function's code runs in one warm **execution environment** (Lambda: an instance of the
  function) until the code changes or the emulator is reset: its loaded module, its log stream
  (``AWS_LAMBDA_LOG_STREAM_NAME``, ``YYYY/MM/DD/[$LATEST]<32 hex>``, the same for every warm
  invocation) and the root logger level its code set.
* The log is Lambda's (developer guide, "Log and monitor Python Lambda functions"): START, every line
  the handler prints, every ``logging`` record (the Python runtime puts a handler on the root
  logger that writes ``[LEVEL]\t<UTC time>Z\t<request id>\t<message>``; the root level is Python's
  default WARNING until the code sets another, as on Lambda), an ``[ERROR]`` line with the traceback
  for a failure, END and REPORT (``Duration``, ``Billed Duration``, ``Memory Size``, ``Init Duration``
  on a cold start; no ``Max Memory Used``, which an in-process handler cannot measure). Printed
  output and records also appear in the notebook as usual. ``LogType="Tail"`` returns the last 4 KB
  (base64) in ``LogResult``; the events go to whoever is in :data:`LOG_SINKS` (CloudWatch Logs).
* Every invocation is reported as ``Delivery(service="lambda", action="invoke")`` unless the caller
  (an event source mapping, an SNS subscription) reports the delivery itself.

moto's own custom-response queue (``/moto-api/static/lambda-simple/response``) keeps working: when a
test has queued a canned response, that response is returned instead of running the code.
"""

from __future__ import annotations

import base64
import contextlib
import importlib.util
import io
import json
import logging
import math
import os
import re
import shutil
import sys
import tempfile
import threading
import time
import traceback
import uuid
import zipfile
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from types import ModuleType
from typing import Any

from ...observe import Delivery, emit
from ..patching import Patch

NAME = "lambda_local_runtime"
#: Lambda returns "the last 4 KB of the execution log" for LogType Tail.
LOG_TAIL_BYTES = 4096
#: The Python runtime's format for ``logging`` records (aws-lambda-python-runtime-interface-client,
#: bootstrap.py: the root logger's LambdaLoggerHandler), timestamps in UTC.
LOG_FORMAT = "[%(levelname)s]\t%(asctime)s.%(msecs)03dZ\t%(aws_request_id)s\t%(message)s\n"
LOG_DATE_FORMAT = "%Y-%m-%dT%H:%M:%S"
_run_lock = threading.RLock()
_modules_lock = threading.Lock()
_workdirs: list[str] = []
_caller = threading.local()
#: Context managers entered around every invocation, inside the function's environment (``hook(fn,
#: environment, context)``): how other patches give the handler more of Lambda's execution
#: environment (its role's credentials, the emulator's endpoint).
INVOCATION_HOOKS: list[Callable[[Any, ExecutionEnvironment, LambdaContext], contextlib.AbstractContextManager[Any]]] = []
#: Called after every invocation with ``(fn, environment, invocation)``: where its log goes (CloudWatch Logs).
LOG_SINKS: list[Callable[[Any, ExecutionEnvironment, Invocation], None]] = []
#: Access keys of the invocations running now (see :func:`running_as`).
_running_keys: set[str] = set()


# ---------------------------------------------------------------------------- context
@dataclass
class LambdaContext:
    """The ``context`` argument of a Python handler, with the attributes AWS documents."""

    function_name: str
    function_version: str
    invoked_function_arn: str
    memory_limit_in_mb: int
    aws_request_id: str
    log_group_name: str
    log_stream_name: str
    timeout_s: float
    identity: Any = None
    client_context: Any = None
    _started: float = field(default_factory=time.monotonic)

    def get_remaining_time_in_millis(self) -> int:
        """Milliseconds left before the function's Timeout (never negative)."""
        left = self.timeout_s - (time.monotonic() - self._started)
        return max(0, int(left * 1000))


@dataclass
class Invocation:
    """What one run of a handler produced."""

    request_id: str
    payload: bytes
    error: dict[str, Any] | None
    logs: str
    duration_ms: float
    #: The log as Lambda sends it to CloudWatch Logs: (milliseconds since the epoch, message) per event.
    events: list[tuple[int, str]] = field(default_factory=list)

    @property
    def failed(self) -> bool:
        return self.error is not None

    def result(self) -> Any:
        """The handler's return value as JSON-decoded data (None for an empty payload)."""
        return json.loads(self.payload) if self.payload else None


# ---------------------------------------------------------------------------- who is calling
@contextlib.contextmanager
def invoked_by(source: str, cause_id: str | None = None, *, reported: bool = True) -> Iterator[None]:
    """Declare, for invocations on this thread, which resource caused them.

    ``reported=True`` means the caller emits its own delivery (``esm-invoke``, SNS ``fanout``), so
    the runtime does not add an ``invoke`` delivery for the same hop.
    """
    previous = getattr(_caller, "value", None)
    _caller.value = (source, cause_id, reported)
    try:
        yield
    finally:
        _caller.value = previous


#: Step Functions reports its task calls itself ("task" deliveries read from the history). moto's
#: interpreter calls Lambda from its own execution thread through boto3, with no hook where the
#: caller could be declared with :func:`invoked_by`, so the stack is what tells.
_SELF_REPORTING = ("moto.stepfunctions", "labs.helpers.emulator.sfn")


def _current_caller() -> tuple[str, str | None, bool]:
    """(source, cause id, already reported) of the invocation running on this thread.

    Declared callers (event source mappings, SNS) say so with :func:`invoked_by`. Otherwise the
    stack tells: an invocation that comes from a layer reporting its own deliveries counts as
    reported; anything else is the student's own ``invoke`` call ("client").
    """
    declared = getattr(_caller, "value", None)
    if declared:
        return declared
    frame = sys._getframe(1)
    while frame is not None:
        module = frame.f_globals.get("__name__", "")
        if module.startswith(_SELF_REPORTING):
            return ("", None, True)
        frame = frame.f_back  # type: ignore[assignment]
    return ("client", None, False)


# ---------------------------------------------------------------------------- loading code
class _RuntimeError(Exception):
    """An error Lambda's runtime itself reports (handler not found, import error, ...)."""

    def __init__(self, error_type: str, message: str):
        super().__init__(message)
        self.error_type = error_type


def _split_handler(handler: str) -> tuple[str, str]:
    """``"app.handler"`` / ``"src/app.handler"`` / ``"pkg.app.handler"`` -> (relative file stem, function)."""
    module, _, func = (handler or "").rpartition(".")
    if not module or not func:
        raise _RuntimeError(
            "Runtime.HandlerNotFound",
            f"Bad handler '{handler}': not enough values to unpack (expected 2, got 1)",
        )
    return module.replace(".", "/"), func


@dataclass
class ExecutionEnvironment:
    """One warm execution environment of a function's code version (Lambda's "instance" of it).

    It lives from the first invocation of that code until the code changes or the emulator is reset,
    and keeps what Lambda keeps between invocations: the loaded handler (module state), the log
    stream its output goes to, the root logger's level as the code set it, and ``state`` for what
    other patches keep per environment (credentials, a boto3 default session).
    """

    key: tuple[str, str]
    log_stream_name: str
    handler: Callable[..., Any] | None = None
    log_level: int = logging.WARNING
    state: dict[str, Any] = field(default_factory=dict)


_environments: dict[tuple[str, str], ExecutionEnvironment] = {}


def _environment(fn: Any) -> ExecutionEnvironment:
    """The execution environment of ``fn``'s current code (a new one, cold, on first use)."""
    base_arn = fn.function_arn.split(":function:")[0] + ":function:" + fn.function_name
    key = (base_arn, f"{getattr(fn, 'code_digest', '')}:{fn.handler}")
    with _modules_lock:
        env = _environments.get(key)
        if env is None:
            # Lambda's stream name: "YYYY/MM/DD/[version]<32 hex digits>", one per execution environment.
            stream = f"{time.strftime('%Y/%m/%d', time.gmtime())}/[$LATEST]{uuid.uuid4().hex}"
            env = _environments[key] = ExecutionEnvironment(key, stream)
        return env


def _load_handler(fn: Any, env: ExecutionEnvironment) -> Callable[..., Any]:
    """The handler function of ``fn``'s current code, loaded once per execution environment."""
    if env.handler is not None:
        return env.handler
    code = getattr(fn, "code_bytes", b"") or b""
    if not code:
        raise _RuntimeError("Runtime.InvalidEntrypoint",
                            "The function has no deployment package the emulator can run "
                            "(upload a zip with Code={'ZipFile': ...})")
    rel, func_name = _split_handler(fn.handler)
    workdir = tempfile.mkdtemp(prefix=f"labs-lambda-{fn.function_name[:40]}-")
    _workdirs.append(workdir)
    try:
        with zipfile.ZipFile(io.BytesIO(code)) as archive:
            archive.extractall(workdir)
    except zipfile.BadZipFile:
        raise _RuntimeError("Runtime.InvalidEntrypoint", "The deployment package is not a zip file") from None
    path = os.path.join(workdir, rel + ".py")
    if not os.path.exists(path):
        path = os.path.join(workdir, rel, "__init__.py")
    if not os.path.exists(path):
        raise _RuntimeError("Runtime.ImportModuleError",
                            f"Unable to import module '{rel.replace('/', '.')}': No module named "
                            f"'{rel.replace('/', '.')}'")
    module = _import_isolated(path, workdir, f"_labs_lambda_{uuid.uuid4().hex}")
    handler = getattr(module, func_name, None)
    if not callable(handler):
        raise _RuntimeError("Runtime.HandlerNotFound",
                            f"Handler '{func_name}' missing on module '{rel.replace('/', '.')}'")
    env.handler = handler
    return handler


def _import_isolated(path: str, workdir: str, name: str) -> ModuleType:
    """Import ``path`` as module ``name`` with ``workdir`` importable only during the import.

    Modules the handler imports from its own package directory are dropped from ``sys.modules``
    afterwards (the handler keeps its references), so another function's ``utils.py`` is not
    mistaken for this one's.
    """
    before = set(sys.modules)
    sys.path.insert(0, workdir)
    try:
        spec = importlib.util.spec_from_file_location(name, path)
        assert spec is not None and spec.loader is not None
        module = importlib.util.module_from_spec(spec)
        sys.modules[name] = module
        try:
            spec.loader.exec_module(module)
        except Exception as err:
            sys.modules.pop(name, None)
            raise _RuntimeError("Runtime.ImportModuleError",
                                f"Unable to import module '{os.path.basename(path)[:-3]}': {err}") from err
        return module
    finally:
        with contextlib.suppress(ValueError):
            sys.path.remove(workdir)
        for added in set(sys.modules) - before:
            file = getattr(sys.modules.get(added), "__file__", None) or ""
            if added == name or file.startswith(workdir):
                sys.modules.pop(added, None)


def forget_loaded_code() -> None:
    """Drop every execution environment, its loaded handler module and extracted files (a cold start
    for every function)."""
    with _modules_lock:
        _environments.clear()
        dirs = list(_workdirs)
        _workdirs.clear()
    for d in dirs:
        shutil.rmtree(d, ignore_errors=True)


# ---------------------------------------------------------------------------- running
@contextlib.contextmanager
def _function_environment(fn: Any, context: LambdaContext) -> Iterator[None]:
    """Set the function's environment variables (and Lambda's reserved ones) for one invocation."""
    values = {
        "AWS_LAMBDA_FUNCTION_NAME": fn.function_name,
        "AWS_LAMBDA_FUNCTION_VERSION": str(context.function_version),
        "AWS_LAMBDA_FUNCTION_MEMORY_SIZE": str(context.memory_limit_in_mb),
        "AWS_LAMBDA_LOG_GROUP_NAME": context.log_group_name,
        "AWS_LAMBDA_LOG_STREAM_NAME": context.log_stream_name,
        "AWS_REGION": fn.region,
        "AWS_DEFAULT_REGION": fn.region,
        "AWS_EXECUTION_ENV": f"AWS_Lambda_{fn.run_time or 'python3.12'}",
        "LAMBDA_TASK_ROOT": "/var/task",
        "_HANDLER": fn.handler or "",
    }
    values.update({k: str(v) for k, v in (fn.environment_vars or {}).items()})
    saved = {k: os.environ.get(k) for k in values}
    os.environ.update(values)
    try:
        yield
    finally:
        for k, v in saved.items():
            if v is None:
                os.environ.pop(k, None)
            else:
                os.environ[k] = v


def _now_ms() -> int:
    return int(time.time() * 1000)


class InvocationLog:
    """What one invocation wrote, kept two ways: the text (``LogType=Tail``) and CloudWatch Logs events.

    Lambda sends each line the function prints as one log event, each ``logging`` record as one event
    (however many lines), and its own START, END and REPORT lines as events; every message ends with
    a newline, as Lambda's do.
    """

    def __init__(self) -> None:
        self._text = io.StringIO()
        self.events: list[tuple[int, str]] = []
        self._partial = ""
        self._lock = threading.Lock()

    def write(self, text: str) -> None:
        """Printed output: one event per completed line."""
        with self._lock:
            self._text.write(text)
            *lines, self._partial = (self._partial + text).split("\n")
            stamp = _now_ms()
            self.events.extend((stamp, line + "\n") for line in lines)

    def record(self, text: str) -> None:
        """One whole event (a logging record, a runtime line), after any unfinished printed line."""
        text = text if text.endswith("\n") else text + "\n"
        with self._lock:
            stamp = _now_ms()
            if self._partial:
                self.events.append((stamp, self._partial + "\n"))
                self._text.write("\n")
                self._partial = ""
            self._text.write(text)
            self.events.append((stamp, text))

    def getvalue(self) -> str:
        return self._text.getvalue()


def _real(stream: Any) -> Any:
    """The notebook's own stream under any invocation's tee (a nested invocation writes there, not into
    the outer invocation's log: on Lambda each function has its own log)."""
    while isinstance(stream, _Tee):
        stream = stream._primary
    return stream


class _Tee(io.TextIOBase):
    """Write to the notebook's stream and keep a copy for the invocation's log."""

    def __init__(self, primary: Any, copy: InvocationLog):
        self._primary, self._copy = _real(primary), copy

    def write(self, text: str) -> int:
        self._copy.write(text)
        with contextlib.suppress(Exception):
            self._primary.write(text)
        return len(text)

    def flush(self) -> None:
        with contextlib.suppress(Exception):
            self._primary.flush()


_FORMATTER = logging.Formatter(LOG_FORMAT, LOG_DATE_FORMAT)
_FORMATTER.converter = time.gmtime  # type: ignore[assignment]


class _LambdaLogHandler(logging.Handler):
    """The root logger's handler while a handler runs, as the Python runtime installs one: records
    logged on the invocation's thread become log events in Lambda's format (and appear in the
    notebook, as printed output does)."""

    def __init__(self, log: InvocationLog, request_id: str) -> None:
        super().__init__()
        self._log, self._request_id, self._thread = log, request_id, threading.get_ident()
        self.setFormatter(_FORMATTER)

    def filter(self, record: logging.LogRecord) -> bool:
        # Only this invocation's thread, and only the innermost invocation on it (an invocation
        # nested in another's handler has its own handler).
        return record.thread == self._thread and _innermost_log() is self._log

    def emit(self, record: logging.LogRecord) -> None:
        record.aws_request_id = self._request_id
        try:
            text = self.format(record)
        except Exception:  # noqa: BLE001 - logging never breaks the handler (logging's own rule)
            self.handleError(record)
            return
        self._log.record(text)
        with contextlib.suppress(Exception):
            _real(sys.stderr).write(text)


_logs_by_thread = threading.local()


def _innermost_log() -> InvocationLog | None:
    stack = getattr(_logs_by_thread, "stack", None)
    return stack[-1] if stack else None


@contextlib.contextmanager
def _handler_logging(env: ExecutionEnvironment, log: InvocationLog, request_id: str) -> Iterator[None]:
    """Lambda's logging set-up for one invocation: a handler on the root logger, and the root level the
    function's own code chose in this environment (``logging.getLogger().setLevel(logging.INFO)`` in
    the handler module stays set between invocations, as on Lambda, without changing the notebook's)."""
    root = logging.getLogger()
    stack = getattr(_logs_by_thread, "stack", None)
    if stack is None:
        stack = _logs_by_thread.stack = []
    handler = _LambdaLogHandler(log, request_id)
    saved_level = root.level
    if env.log_level != saved_level:  # setLevel clears every logger's cache: only when it changes
        root.setLevel(env.log_level)
    root.addHandler(handler)
    stack.append(log)
    try:
        yield
    finally:
        stack.pop()
        env.log_level = root.level
        root.removeHandler(handler)
        if root.level != saved_level:
            root.setLevel(saved_level)


@contextlib.contextmanager
def running_as(access_key_id: str) -> Iterator[None]:
    """Declare that the invocation running on this thread signs its AWS requests with
    ``access_key_id`` (its execution role's credentials).

    On the shared emulator a handler's own calls arrive over HTTP, on another server thread; one that
    invokes a function synchronously waits for that invocation, which must not then wait for the
    handler's lock (it would wait forever). An invocation requested with a running invocation's key
    therefore runs at once, as a nested invocation does in-process.
    """
    _running_keys.add(access_key_id)
    try:
        yield
    finally:
        _running_keys.discard(access_key_id)


def _error_payload(error_type: str, message: str, request_id: str,
                   stack_trace: list[str] | None = None) -> dict[str, Any]:
    """Lambda's error document: ``{errorMessage, errorType, requestId, stackTrace}``."""
    return {"errorMessage": message, "errorType": error_type, "requestId": request_id, "stackTrace": stack_trace or []}


def _raised(err: BaseException, request_id: str) -> dict[str, Any]:
    """The error document for an exception from loading or running the handler."""
    if isinstance(err, _RuntimeError):
        return _error_payload(err.error_type, str(err), request_id)
    frames = traceback.extract_tb(err.__traceback__)[1:]  # drop this module's own frame
    return _error_payload(type(err).__name__, str(err), request_id, traceback.format_list(frames))


def _error_log_line(error: dict[str, Any]) -> str:
    """The runtime's log event for a failed invocation: ``[ERROR] Type: message`` and the traceback."""
    lines = [f"[ERROR] {error['errorType']}: {error['errorMessage']}"]
    if error.get("stackTrace"):
        lines.append("Traceback (most recent call last):")
        lines.extend(line for element in error["stackTrace"] for line in element.splitlines())
    return "\n".join(lines)


def run_handler(fn: Any, event: Any, *, caller_key: str | None = None) -> Invocation:
    """Run ``fn``'s handler on ``event`` (already decoded JSON) and return what happened.

    ``caller_key``: the access key the invoke request was signed with, if any (see :func:`running_as`).
    """
    request_id = str(uuid.uuid4())
    version = str(getattr(fn, "version", "$LATEST"))
    env = _environment(fn)
    context = LambdaContext(
        function_name=fn.function_name,
        function_version="$LATEST" if version in ("1", "$LATEST") else version,
        invoked_function_arn=fn.function_arn,
        memory_limit_in_mb=int(fn.memory_size or 128),
        aws_request_id=request_id,
        log_group_name=f"/aws/lambda/{fn.function_name}",
        log_stream_name=env.log_stream_name,
        timeout_s=float(fn.timeout or 3),
    )
    log = InvocationLog()
    log.record(f"START RequestId: {request_id} Version: {context.function_version}")
    error: dict[str, Any] | None = None
    payload = b""
    init_ms: float | None = None
    nested = caller_key is not None and caller_key in _running_keys
    started = time.monotonic()
    with contextlib.nullcontext() if nested else _run_lock:
        try:
            # The init phase (module import) sees the function's environment too, as on AWS.
            with _function_environment(fn, context), \
                    contextlib.redirect_stdout(_Tee(sys.stdout, log)), \
                    contextlib.redirect_stderr(_Tee(sys.stderr, log)), \
                    _handler_logging(env, log, request_id), \
                    contextlib.ExitStack() as hooks:
                for hook in list(INVOCATION_HOOKS):
                    hooks.enter_context(hook(fn, env, context))
                if env.handler is None:
                    init_started = time.monotonic()
                    handler = _load_handler(fn, env)
                    init_ms = (time.monotonic() - init_started) * 1000
                else:
                    handler = env.handler
                started = time.monotonic()
                result = handler(event, context)
            try:
                payload = json.dumps(result).encode()
            except (TypeError, ValueError) as err:
                error = _error_payload("Runtime.MarshalError", f"Unable to marshal response: {err}", request_id)
        except Exception as err:  # noqa: BLE001 - any handler failure is Lambda's "Unhandled"
            error = _raised(err, request_id)
            log.record(_error_log_line(error))
    duration_ms = (time.monotonic() - started) * 1000
    if error is None and duration_ms > context.timeout_s * 1000:
        stamp = time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime())
        error = _error_payload("Sandbox.Timedout",
                               f"{stamp} {request_id} Task timed out after {context.timeout_s:.2f} seconds", request_id)
    if error is not None:
        payload = json.dumps(error).encode()
    log.record(f"END RequestId: {request_id}")
    report = (f"REPORT RequestId: {request_id}\tDuration: {duration_ms:.2f} ms\t"
              f"Billed Duration: {max(1, math.ceil(duration_ms + (init_ms or 0)))} ms\t"
              f"Memory Size: {context.memory_limit_in_mb} MB")
    if init_ms is not None:
        report += f"\tInit Duration: {init_ms:.2f} ms"
    log.record(report)
    invocation = Invocation(request_id, payload, error, log.getvalue(), duration_ms, log.events)
    for sink in list(LOG_SINKS):
        sink(fn, env, invocation)
    return invocation


def _header(headers: Any, name: str, default: str) -> str:
    for key, value in dict(headers or {}).items():
        if key.lower() == name.lower():
            return str(value)
    return default


def _signed_with(headers: Any) -> str | None:
    """The access key id of a SigV4-signed request (``Authorization: AWS4-HMAC-SHA256 Credential=<key>/...``)."""
    found = re.search(r"Credential=([^/,\s]+)/", _header(headers, "authorization", ""))
    return found.group(1) if found else None


def _decode(body: Any) -> Any:
    if body in (None, b"", ""):
        return {}
    if isinstance(body, bytes):
        body = body.decode()
    if isinstance(body, str):
        return json.loads(body)
    return body


def _invoke(self: Any, body: Any, request_headers: Any, response_headers: Any) -> bytes:
    """Replacement for ``LambdaFunction.invoke``: run the handler, answer as Lambda does."""
    invocation_type = _header(request_headers, "x-amz-invocation-type", "RequestResponse")
    if invocation_type == "DryRun":
        return b""
    try:
        event = _decode(body)
    except ValueError:
        response_headers["x-amz-function-error"] = "Unhandled"
        return json.dumps({"errorMessage": "Could not parse request body into json",
                           "errorType": "InvalidRequestContentException"}).encode()
    invocation = run_handler(self, event, caller_key=_signed_with(request_headers))
    source, cause_id, reported = _current_caller()
    if not reported:
        emit(Delivery(
            service="lambda", action="invoke", source=source, target=self.function_arn,
            message_id=invocation.request_id, cause_id=cause_id,
            status="failed" if invocation.failed else "delivered", payload=event,
            detail={"invocation_type": invocation_type, "duration_ms": round(invocation.duration_ms, 2),
                    **({"error": invocation.error["errorType"]} if invocation.error else {})},
        ))
    if invocation_type == "Event":
        return b""
    if invocation.failed:
        response_headers["x-amz-function-error"] = "Unhandled"
    tail = invocation.logs.encode()[-LOG_TAIL_BYTES:]
    response_headers["x-amz-log-result"] = base64.b64encode(tail).decode()
    response_headers["x-amz-executed-version"] = str(getattr(self, "version", "$LATEST"))
    return invocation.payload


def _simple_backend_invoke(original: Callable[..., Any]) -> Callable[..., Any]:
    def invoke(self: Any, function_name: str, qualifier: str | None, body: Any, headers: Any,
               response_headers: Any) -> Any:
        if self.lambda_simple_results_queue:  # a canned response queued through moto's API wins
            return original(self, function_name, qualifier, body, headers, response_headers)
        from moto.awslambda.models import LambdaBackend

        return LambdaBackend.invoke(self, function_name, qualifier, body, headers, response_headers)

    return invoke


def _apply() -> None:
    from moto.awslambda.models import LambdaFunction
    from moto.awslambda_simple.models import LambdaSimpleBackend

    from .. import on_reset

    on_reset(forget_loaded_code)  # a reset emulator has cold functions

    LambdaFunction.invoke = _invoke  # type: ignore[method-assign]
    LambdaSimpleBackend.invoke = _simple_backend_invoke(LambdaSimpleBackend.invoke)  # type: ignore[method-assign]


PATCH = Patch(
    name=NAME,
    restores="Invoke runs the function's Python handler: RequestResponse returns the handler's JSON result "
             "(an exception gives FunctionError 'Unhandled' and {errorMessage, errorType, stackTrace}), "
             "Event returns 202 without the result; the handler gets a context object and the function's "
             "environment variables; LogType Tail returns the log as Lambda writes it (START, printed lines, "
             "logging records as [LEVEL] time request-id message, END, REPORT)",
    plain_moto="without Docker, invoke never runs the code: it echoes the request payload",
    apply=_apply,
    targets={
        "moto.awslambda.models:LambdaFunction.invoke": "dadc324f30ae",
        "moto.awslambda_simple.models:LambdaSimpleBackend.invoke": "1b029265c71d",
        "moto.awslambda.models:LambdaBackend.invoke": "708fb4c92029",
    },
)
