"""A moto server with the fidelity layer, on loopback, for other processes to share.

``python -m labs emulator --port 5000`` starts it; then the AWS CLI, a second notebook or a worker
process reach the same emulated account with ``AWS_ENDPOINT_URL=http://127.0.0.1:5000``. Tests
start it on a free port with :func:`start_server`.

How it serves HTTP, and why not exactly as moto's ``ThreadedMotoServer`` does (profiled: a client
sending SQS batches reached under half the embedded emulator's request rate):

* werkzeug's development server closes the connection after every response ("Connection: close":
  a TCP connect and a new thread per request), then waits up to 10 ms per request for leftover body
  bytes, and writes headers and body in separate small sends. The emulator's handler
  (:class:`_KeepAliveHandler`) keeps HTTP/1.1 connections open (botocore reuses them), reads exactly
  the request's ``Content-Length`` (draining what the application left unread, so the next request
  on the connection starts where it should), writes each response in one send with ``TCP_NODELAY``,
  and answers with ``Content-Length``. Requests it cannot frame exactly (a chunked request body) are
  served by werkzeug's own code and the connection is closed, as before.
* moto's dispatcher lists moto's package directory (``os.listdir`` of ~180 folders) twice per
  request, under a process-wide lock, to find the service for a host; the answer never changes for
  a host while the routes do not, so it is cached (:data:`SERVER_PATCHES`, version-guarded like the
  fidelity patches).
* Once started, the server freezes the objects it loaded (``gc.freeze``: moto, botocore, the layer),
  so collecting each request's garbage no longer walks them all: 20% less server CPU per request.
* Profiled again (issue 15: the SQS rate had fallen back to 66-69% of the embedded emulator's):
  outside moto's own dispatch (~0.95 ms per SQS call, the same in both emulators) the server spent
  ~0.45 ms per request, a third of its CPU. The largest parts went:

  - Flask's per-request machinery around moto's view (request and application contexts, signals,
    hooks, flask-cors): ~0.15 ms. :data:`SERVER_PATCHES` ``server_lean_dispatch`` answers a plain
    API call (no ``Origin``, not ``OPTIONS``, a URL rule that matches) with the same view callback,
    Response and CORS header, without them; everything else still goes through Flask. The test
    ``test_the_lean_dispatch_answers_as_moto_s_flask_app_does`` compares the two answers.
  - the standard library's header parsing (the email package's feed parser), ~0.05 ms: plain
    ``Name: value`` lines are parsed directly (:func:`_parse_header_lines`), any other goes to that parser;
  - writing the response header by header (``send_header``, a Date formatted per request) and
    reading the body through several small reads: formatted at once, the Date once a second, a body
    up to 1 MiB read in one call.
"""

from __future__ import annotations

import errno
import functools
import io
import logging
import re
import socket
import threading
import time
import warnings
from dataclasses import dataclass
from typing import Any

from .patching import Patch

_serving: list[str] = []  #: URLs of the servers this process runs, latest last
_serving_lock = threading.Lock()


def serving_url() -> str | None:
    """The URL of the emulator server this process runs (the latest one), or None."""
    with _serving_lock:
        return _serving[-1] if _serving else None


@dataclass
class RunningServer:
    """A moto server this process started: where to reach it, and how to stop it."""

    url: str
    server: Any  #: moto.server.ThreadedMotoServer (imported on start: ``--help`` stays fast)

    def stop(self) -> None:
        """Stop serving and close the listening socket, so the port is free at once.

        ``ThreadedMotoServer.stop`` only shuts the serve loop down; its socket stays open until
        garbage collection, and a restart on the same port would fail meanwhile."""
        with _serving_lock:
            if self.url in _serving:
                _serving.remove(self.url)
        self.server.stop()
        wsgi = getattr(self.server, "_server", None)
        if wsgi is not None:
            wsgi.server_close()


def _check_port_free(host: str, port: int) -> None:
    """Fail with a fix instead of hanging: ThreadedMotoServer waits forever if it cannot bind."""
    if port == 0:
        return
    from ..errors import LabError

    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as probe:
        probe.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        try:
            probe.bind((host, port))
        except OSError as err:
            if err.errno != errno.EADDRINUSE:
                raise
            raise LabError(f"Port {port} on {host} is already in use (another emulator, or another program).",
                           f"Use the emulator that is running (AWS_ENDPOINT_URL=http://{host}:{port}), stop it, "
                           "or start this one with --port 0 (any free port).") from None


# --------------------------------------------------------------------------- serving HTTP
class _Body(io.RawIOBase):
    """The request body: exactly ``length`` bytes of the connection, the rest drained after the response."""

    def __init__(self, stream: Any, length: int) -> None:
        self._stream, self._left = stream, length

    def readable(self) -> bool:
        return True

    def readinto(self, buffer: Any) -> int:
        if self._left <= 0:
            return 0
        view = memoryview(buffer)[: self._left]
        count = self._stream.readinto(view) or 0
        self._left -= count
        return count

    def drain(self) -> None:
        while self._left > 0 and self.read(min(self._left, 65536)):
            pass


#: A header line the standard library's parser (``http.client.parse_headers``: the email package's
#: feed parser, compat32 policy) stores unchanged as ``(name, value)``: a name of the characters its
#: header pattern accepts, a colon, blanks, then a value without any character that parser splits
#: lines on. Any other line (folded, without a colon, with a stray CR) goes to that parser.
_PLAIN_HEADER = re.compile(rb"([\x21-\x39\x3b-\x7e]+):[ \t]*([^\r\n\x0b\x0c\x1c-\x1e\x85]*)\r?\n")
_MAX_HEADER_LINE = 65536  # http.client's limits (_MAXLINE, _MAXHEADERS)
_MAX_HEADERS = 100
#: Request bodies up to this size are read in one call before the application runs; larger ones are streamed.
_READ_AHEAD = 1 << 20


class _HeaderError(Exception):
    """A request's header block is too large (answered 431, as the standard library does)."""


def _read_header_lines(rfile: Any) -> list[bytes]:
    """``http.client._read_headers``: the header lines up to and including the blank line."""
    lines = []
    while True:
        line = rfile.readline(_MAX_HEADER_LINE + 1)
        if len(line) > _MAX_HEADER_LINE:
            raise _HeaderError("Line too long", "header line")
        lines.append(line)
        if len(lines) > _MAX_HEADERS:
            raise _HeaderError("Too many headers", f"got more than {_MAX_HEADERS} headers")
        if line in (b"\r\n", b"\n", b""):
            return lines


def _parse_header_lines(lines: list[bytes], message_class: type) -> Any:
    """The message ``http.client.parse_headers`` would build from ``lines``, without the email parser
    when every line is a plain ``Name: value`` line (a request from botocore, the CLI, a browser)."""
    message = message_class()
    for line in lines[:-1]:
        match = _PLAIN_HEADER.fullmatch(line)
        if match is None:
            import email.parser

            return email.parser.Parser(_class=message_class).parsestr(b"".join(lines).decode("iso-8859-1"))
        message.set_raw(match[1].decode("iso-8859-1"), match[2].decode("iso-8859-1"))
    return message


_date_cache: tuple[int, str] = (0, "")


def _http_date() -> str:
    """``BaseHTTPRequestHandler.date_time_string()``, formatted once per second."""
    global _date_cache
    now = int(time.time())
    if _date_cache[0] != now:
        import email.utils

        _date_cache = (now, email.utils.formatdate(now, usegmt=True))
    return _date_cache[1]


@functools.cache
def _handler_class() -> type:
    """The request handler (built on first use: importing moto's server module costs a second)."""
    from moto.moto_server.werkzeug_app import MotoRequestHandler

    class _KeepAliveHandler(MotoRequestHandler):  # type: ignore[misc, valid-type]
        protocol_version = "HTTP/1.1"
        disable_nagle_algorithm = True  # socketserver: TCP_NODELAY on the connection
        wbufsize = 64 * 1024  # a buffered writer: status line, headers and body leave in one send
        timeout = 300  # an idle keep-alive connection is closed after 5 minutes

        def log_request(self, code: Any = "-", size: Any = "-") -> None:
            if logging.getLogger("werkzeug").isEnabledFor(logging.INFO):
                super().log_request(code, size)

        def make_environ(self) -> dict[str, Any]:
            """moto's ``make_environ``, which only adds the original spelling of headers whose name has
            an underscore: with none, werkzeug's environ and an empty record of them, without its passes."""
            if any("_" in name for name in self.headers.keys()):
                return super().make_environ()  # type: ignore[no-any-return]
            from moto.core.request import PRESERVED_HEADER_NAMES_ENVIRON_KEY
            from werkzeug.serving import WSGIRequestHandler

            environ = WSGIRequestHandler.make_environ(self)
            environ[PRESERVED_HEADER_NAMES_ENVIRON_KEY] = {}
            return environ

        def parse_request(self) -> bool:
            """``BaseHTTPRequestHandler.parse_request`` for an HTTP/1.0 or 1.1 request line, with the
            headers parsed by :func:`_parse_header_lines`; any other request line goes to it unchanged."""
            requestline = str(self.raw_requestline, "iso-8859-1").rstrip("\r\n")
            words = requestline.split()
            if len(words) != 3 or words[2] not in ("HTTP/1.1", "HTTP/1.0"):
                return bool(super().parse_request())
            self.requestline = requestline
            self.command, path, self.request_version = words
            self.path = "/" + path.lstrip("/") if path.startswith("//") else path
            self.close_connection = self.request_version != "HTTP/1.1"
            try:
                self.headers = _parse_header_lines(_read_header_lines(self.rfile), self.MessageClass)
            except _HeaderError as err:
                self.send_error(431, *err.args)
                return False
            conntype = self.headers.get("Connection", "").lower()
            if conntype == "close":
                self.close_connection = True
            elif conntype == "keep-alive":
                self.close_connection = False
            if self.headers.get("Expect", "").lower() == "100-continue" and self.request_version == "HTTP/1.1":
                return bool(self.handle_expect_100())
            return True

        def run_wsgi(self) -> None:
            if "chunked" in self.headers.get("Transfer-Encoding", "").lower() or self.request_version == "HTTP/0.9":
                self.close_connection = True
                super().run_wsgi()  # werkzeug's own framing, then close
                return
            if self.headers.get("Expect", "").lower().strip(" \t") == "100-continue":
                self.wfile.write(b"HTTP/1.1 100 Continue\r\n\r\n")
                self.wfile.flush()
            self.environ = environ = self.make_environ()
            length = int(environ.get("CONTENT_LENGTH") or 0)
            body = _Body(self.rfile, length)
            if length <= _READ_AHEAD:  # one read instead of the application's many small ones
                environ["wsgi.input"] = io.BytesIO(body.read(length) if length else b"")
            else:
                environ["wsgi.input"] = body
            started: list[Any] = []
            chunks: list[bytes] = []

            def start_response(status: str, headers: list[tuple[str, str]], exc_info: Any = None) -> Any:
                started[:] = [status, headers]
                return chunks.append

            try:
                result = self.server.app(environ, start_response)
                try:
                    chunks.extend(result)
                finally:
                    if hasattr(result, "close"):
                        result.close()
            except Exception:  # noqa: BLE001 - as werkzeug does: log, answer 500, keep serving
                from werkzeug.exceptions import InternalServerError

                logging.getLogger("werkzeug").exception("Error on request")
                self.close_connection = True
                chunks.clear()
                result = InternalServerError()(environ, start_response)
                chunks.extend(result)
            status, headers = started
            code_text, _, message = status.partition(" ")
            code = int(code_text)
            self.log_request(code)
            payload = b"".join(chunks)
            no_body = self.command == "HEAD" or 100 <= code < 200 or code in (204, 304)
            # What send_response, send_header and end_headers write, formatted at once.
            lines = [f"{self.protocol_version} {code} {message}", f"Server: {self.version_string()}",
                     f"Date: {_http_date()}"]
            for key, value in headers:
                lower = key.lower()
                if lower == "content-length" and not no_body:
                    continue  # framed below, from the body actually sent
                if lower not in ("connection", "transfer-encoding"):
                    lines.append(f"{key}: {value}")  # a HEAD answer keeps the length of what GET would send
            if not no_body:
                lines.append(f"Content-Length: {len(payload)}")
            if self.close_connection:
                lines.append("Connection: close")
            lines.append("\r\n")
            self.wfile.write("\r\n".join(lines).encode("latin-1", "strict"))
            if not no_body:
                self.wfile.write(payload)
            self.wfile.flush()
            body.drain()

    return _KeepAliveHandler


def _serve_with_keep_alive(self: Any) -> None:
    """``ThreadedMotoServer._server_entry`` with the emulator's request handler."""
    from moto.moto_server.werkzeug_app import DomainDispatcherApplication, create_backend_app
    from werkzeug.serving import make_server

    app = DomainDispatcherApplication(create_backend_app)
    self._server = make_server(self._ip_address, self._port, app, True, request_handler=_handler_class())
    self._server_ready_event.set()
    self._server.serve_forever()


def _lean_kind(app: Any) -> str | None:
    """How the lean path answers a moto service app's requests: "cors" (moto's default ``CORS(app)``:
    the one after-request function is flask-cors's), "plain" (no CORS), or None (Flask answers them
    all). Decided once per app, and kept on the app."""
    kind = app.__dict__.get("_labs_lean", "?")
    if kind != "?":
        return kind  # type: ignore[no-any-return]
    from moto.core.utils import convert_to_flask_response

    after = {key: [getattr(f, "__name__", "") for f in funcs] for key, funcs in app.after_request_funcs.items() if funcs}
    simple = (getattr(app, "service", "moto_api") not in ("moto_api", "instance_metadata")
              and not any(app.before_request_funcs.values()) and not any(app.teardown_request_funcs.values())
              and not any(app.url_value_preprocessors.values()) and not any(app.url_default_functions.values())
              and not app.error_handler_spec and not app.subdomain_matching and app.config.get("SERVER_NAME") is None
              and app.response_class.__name__ == "Response" and app.response_class.__module__ == "flask.wrappers"
              and all(isinstance(view, convert_to_flask_response) for view in app.view_functions.values()))
    if simple and after == {None: ["cors_after_request"]}:
        kind = "cors"
    elif simple and not after:
        kind = "plain"
    else:
        kind = None
    app.__dict__["_labs_lean"] = kind
    return kind


def _lean_response(app: Any, environ: dict[str, Any]) -> Any:
    """What moto's Flask app answers to a plain AWS API call, without Flask's per-request machinery
    (request and application contexts, signals, hooks): the same URL rule, the same view callback,
    the same Response, and the header flask-cors adds to a request without ``Origin``. None (before
    anything has run) for every other request: Flask answers it as before."""
    kind = _lean_kind(app)
    if (kind is None or environ.get("REQUEST_METHOD") == "OPTIONS" or "HTTP_ORIGIN" in environ
            or "HTTP_ACCESS_CONTROL_REQUEST_PRIVATE_NETWORK" in environ):
        return None
    from moto.core.utils import convert_to_flask_response
    from werkzeug.exceptions import BadRequestKeyError, HTTPException

    try:
        rule, _ = app.url_map.bind_to_environ(environ).match(return_rule=True)
    except HTTPException:  # not found, method not allowed, a redirect: Flask's answers
        return None
    view = app.view_functions[rule.endpoint]
    if not isinstance(view, convert_to_flask_response):  # a view added after the app was judged
        return None
    request = app.request_class(environ)
    try:
        response = _respond(view, request, app.response_class)
    except BadRequestKeyError:
        raise  # Flask (debug mode, as moto runs it) lets it propagate: a 500
    except HTTPException as err:
        response = app.response_class.force_type(err, environ)  # as Flask's make_response does
    if kind == "cors" and not response.headers.get("Access-Control-Allow-Origin"):
        response.headers.add("Access-Control-Allow-Origin", "*")  # flask-cors, moto's options, no Origin
    return response


def _respond(view: Any, request: Any, response_class: type) -> Any:
    """``moto.core.utils.convert_to_flask_response.__call__`` for a request it is handed, not Flask's."""
    from botocore.exceptions import ClientError
    from moto.moto_api import recorder

    try:
        recorder._record_request(request)
        # dict(request.headers.items()): what dict(request.headers) builds (the same names, in order, each
        # with the value of its one environ entry) without looking every name up again
        result = view.callback(request, request.raw_url, dict(request.headers.items()))
    except ClientError as exc:
        result = 400, {}, exc.response["Error"]["Message"]
    if len(result) == 3:
        status, headers, content = result
    else:
        status, headers, content = 200, {}, result
    response = response_class(response=content, status=status, headers=headers)
    if request.method == "HEAD" and "content-length" in headers:
        response.headers["Content-Length"] = headers["content-length"]
    return response


def _apply_lean_dispatch() -> None:
    from moto.moto_server.werkzeug_app import DomainDispatcherApplication

    def __call__(self: Any, environ: dict[str, Any], start_response: Any) -> Any:
        backend_app = self.get_application(environ)
        response = _lean_response(backend_app, environ)
        if response is None:
            return backend_app(environ, start_response)
        return response(environ, start_response)

    DomainDispatcherApplication.__call__ = __call__  # type: ignore[method-assign]


def _apply_dispatch_cache() -> None:
    from moto.moto_server.werkzeug_app import DomainDispatcherApplication

    lookup = DomainDispatcherApplication.get_backend_for_host

    @functools.wraps(lookup)
    def cached(self: Any, host: str | None) -> Any:
        key = (host, len(self.backend_url_patterns))  # routes.add_host adds patterns: a new key
        cache = self.__dict__.setdefault("_labs_hosts", {})
        if key not in cache:
            cache[key] = lookup(self, host)
        return cache[key]

    DomainDispatcherApplication.get_backend_for_host = cached  # type: ignore[method-assign]


def _apply_keep_alive() -> None:
    from moto.moto_server.threaded_moto_server import ThreadedMotoServer

    ThreadedMotoServer._server_entry = _serve_with_keep_alive  # type: ignore[method-assign]


#: How the shared emulator's HTTP serving departs from moto's, version-guarded like the fidelity layer
#: (not AWS behaviour, so not in docs/fidelity.md): applied by :func:`start_server`.
SERVER_PATCHES = [
    Patch(name="server_dispatch_cache", restores="the service of a host is looked up once, not per request",
          plain_moto="every request lists moto's package directory twice, under a process-wide lock",
          apply=_apply_dispatch_cache,
          targets={"moto.moto_server.werkzeug_app:DomainDispatcherApplication.get_backend_for_host": "1f41972c1e4e",
                   "moto.moto_server.werkzeug_app:DomainDispatcherApplication.get_application": "0ff6939685bd"}),
    Patch(name="server_keep_alive", restores="HTTP/1.1 keep-alive, one send per response, TCP_NODELAY",
          plain_moto="werkzeug's development server closes every connection and waits up to 10 ms per request",
          apply=_apply_keep_alive,
          targets={"moto.moto_server.threaded_moto_server:ThreadedMotoServer._server_entry": "ef744bd45e1e",
                   "werkzeug.serving:WSGIRequestHandler.run_wsgi": "774df60c75af",
                   "werkzeug.serving:WSGIRequestHandler.make_environ": "5aa026f5fa8c",
                   "moto.moto_server.werkzeug_app:MotoRequestHandler.make_environ": "42a8722acc21"}),
    Patch(name="server_lean_dispatch",
          restores="an AWS API call runs moto's view for its URL without Flask's per-request contexts and hooks",
          plain_moto="every request pushes Flask's request and application contexts and runs its signals and hooks",
          apply=_apply_lean_dispatch,
          targets={"moto.moto_server.werkzeug_app:DomainDispatcherApplication.__call__": "7b12179deced",
                   "moto.moto_server.werkzeug_app:create_backend_app": "a317751ebd1c",
                   "moto.core.utils:convert_to_flask_response.__call__": "2c82766d0590",
                   "flask.app:Flask.wsgi_app": "b813e40b29d1",
                   "flask.app:Flask.full_dispatch_request": "70d46cf2d53c",
                   "flask.app:Flask.dispatch_request": "62c7e9d15772",
                   "flask.app:Flask.handle_user_exception": "a0657e4e84d5",
                   "flask.app:Flask.make_response": "0988365afd60",
                   "flask_cors.extension:make_after_request_function": "3e1f12121eb3",
                   "flask_cors.core:get_cors_headers": "80f37277960e",
                   "flask_cors.core:get_cors_origins": "e209ef67b65f"}),
]


def tune_server() -> None:
    """Apply :data:`SERVER_PATCHES` (once; a patch whose moto/werkzeug code changed is skipped, with a warning)."""
    from . import PatchNotApplied, disabled_by_environment

    off = disabled_by_environment()
    for patch in SERVER_PATCHES:
        if patch.name in off or patch.applied:
            continue
        result = patch.install()
        if not result.applied:
            warnings.warn(f"server patch {patch.name} was NOT applied: {result.reason}", PatchNotApplied, stacklevel=2)


def start_server(port: int = 0, *, host: str = "127.0.0.1", with_layer: bool = True) -> RunningServer:
    """Start a threaded moto server on ``host:port`` (0: a free port); returns its URL and ``stop()``.

    ``with_layer`` applies the fidelity layer in this process first, so the server behaves like the
    embedded backend. Only loopback is offered by default: the emulator has no authentication.
    """
    _check_port_free(host, port)  # first: a busy port is reported before seconds of imports
    if with_layer:
        from moto.core.config import default_user_config

        from ..backend import MOTO_CONFIG
        from . import install

        for section, values in MOTO_CONFIG.items():  # Step Functions execute, Lambda without Docker
            default_user_config.setdefault(section, {}).update(values)  # type: ignore[misc]
        install()
    tune_server()
    from moto.server import ThreadedMotoServer

    logging.getLogger("werkzeug").setLevel(logging.WARNING)  # no line per request in a notebook
    server = ThreadedMotoServer(ip_address=host, port=port, verbose=False)
    server.start()
    import gc

    gc.freeze()  # moto, botocore and the layer, loaded once: not re-scanned by every collection of requests' garbage
    bound_host, bound_port = server.get_host_and_port()
    running = RunningServer(f"http://{bound_host}:{bound_port}", server)
    with _serving_lock:
        _serving.append(running.url)
    return running
