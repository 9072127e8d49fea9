"""Lambda helpers for notebooks: package a handler for ``create_function``; wait for pollers.

``package_handler`` builds exactly the zip real Lambda expects (the handler file at the root of the
archive), so ``Code={"ZipFile": package_handler("labs.handlers.order_consumer")}`` with
``Handler="order_consumer.handler"`` deploys unchanged to the embedded emulator, a moto server or
real AWS. ``settle`` replaces blind ``time.sleep`` in notebooks: it returns as soon as every event
source mapping poller of the embedded emulator has nothing left to deliver. ``wait_for_mapping``
waits for a new or changed event source mapping to be ``Enabled`` (boto3 has no waiter for that).
``advance`` moves the emulator's clock, so scheduled rules and schedules run without waiting for them.
"""

from __future__ import annotations

import importlib.util
import io
import json
import os
import time
import urllib.error
import urllib.request
import zipfile
from pathlib import Path
from typing import Any

from .backend import BackendKind
from .context import Lab
from .emulator.arns import Arn
from .errors import LabError, explained
from .waiting import poll

#: A fixed timestamp for every zip entry: the same source gives the same bytes (and CodeSha256), so
#: re-running a notebook cell does not look like a code change.
_ZIP_DATE = (2020, 1, 1, 0, 0, 0)


def _resolve_source(module_or_path: str | os.PathLike[str]) -> Path:
    """A handler file from a dotted module name (``labs.handlers.order_consumer``) or a path."""
    text = os.fspath(module_or_path)
    candidate = Path(text)
    if candidate.suffix == ".py" or os.sep in text or "/" in text:
        if candidate.is_file():
            return candidate
        raise LabError(f"The handler file '{text}' does not exist.",
                       "Pass the path of a .py file, or a module name such as 'labs.handlers.order_consumer'.")
    try:
        spec = importlib.util.find_spec(text)
    except (ImportError, ValueError):
        spec = None
    if spec is None or not spec.origin or not spec.origin.endswith(".py"):
        raise LabError(f"No Python module named '{text}' was found.",
                       "Use the dotted module name of a handler file (e.g. 'labs.handlers.order_consumer') "
                       "or the path of a .py file.")
    return Path(spec.origin)


def package_handler(module_or_path: str | os.PathLike[str], *, extra_files: dict[str, str | bytes] | None = None) -> bytes:
    """Zip one handler module so Lambda can run it: ``<file>.py`` at the root of the archive.

    The handler string is then ``"<file>.<function>"`` (e.g. ``"order_consumer.handler"``). Extra
    files (``{"name_in_zip": content}``) are added as given, for handlers that ship helpers.
    """
    source = _resolve_source(module_or_path)
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        entries: dict[str, bytes] = {source.name: source.read_bytes()}
        for name, content in (extra_files or {}).items():
            entries[name] = content.encode() if isinstance(content, str) else content
        for name in sorted(entries):
            info = zipfile.ZipInfo(name, date_time=_ZIP_DATE)
            info.external_attr = 0o644 << 16  # readable by Lambda's sandbox user
            info.compress_type = zipfile.ZIP_DEFLATED
            archive.writestr(info, entries[name])
    return buffer.getvalue()


def handler_name(module_or_path: str | os.PathLike[str], function: str = "handler") -> str:
    """The ``Handler`` string matching :func:`package_handler`'s zip, e.g. ``"order_consumer.handler"``."""
    return f"{_resolve_source(module_or_path).stem}.{function}"


def settle(lab: Lab | None = None, timeout: float = 5.0) -> None:
    """Return when every event source mapping poller has nothing in flight.

    Nothing in flight means: no batch is being delivered, the source has nothing a poller could
    deliver now (SQS: no visible or delayed message; streams: every record read), and no message a
    poller received is waiting out its visibility timeout after a failed batch.

    Where the pollers run: on the embedded emulator they are threads in this process and are asked
    directly. On another backend (a moto server started by ``python -m labs emulator``, LocalStack,
    real AWS) the lab's SQS mappings are watched through the API instead: settled when each enabled
    mapping's queue has no visible, in-flight or delayed message. Stream positions are not visible
    through the API, so stream mappings there are not waited for.

    Raises :class:`LabError` after ``timeout`` seconds, naming what is still in flight.
    """
    in_process = _embedded(lab)
    deadline = time.monotonic() + timeout
    while True:
        busy = _in_flight_here() if in_process else _in_flight_through_api(lab)
        if not busy:
            return
        if time.monotonic() >= deadline:
            raise LabError(
                f"Event source mappings still had work in flight after {timeout:g} s: " + "; ".join(busy) + ".",
                "If a handler keeps failing, its messages return after the queue's VisibilityTimeout: fix "
                "the handler, lower the queue's VisibilityTimeout, or call settle(lab, timeout=...) with a "
                "longer timeout.",
            )
        time.sleep(0.02 if in_process else 0.5)


#: First and longest pause between two ``get_event_source_mapping`` calls, in seconds.
MAPPING_FIRST_POLL, MAPPING_LONGEST_POLL = 0.05, 2.0
#: States a mapping passes through on its way to a settled one (Lambda API reference, State).
_TRANSITIONAL = ("Creating", "Enabling", "Updating", "Disabling")


def wait_for_mapping(lab: Lab, uuid: str, state: str = "Enabled", timeout: float = 120.0) -> dict[str, Any]:
    """``get_event_source_mapping(UUID=uuid)`` once the mapping's State is ``state`` (default Enabled).

    create_event_source_mapping answers ``Creating`` and update_event_source_mapping ``Updating``,
    ``Enabling`` or ``Disabling``; the mapping reaches ``Enabled`` (or ``Disabled``) a little later:
    on the embedded emulator within a fraction of a second, on AWS within seconds to a minute or two.
    This polls with short, growing pauses (no blind sleep) and returns the description as soon as
    the state is reached. Raises :class:`LabError` when the mapping settles in another state (e.g.
    Disabled while waiting for Enabled: it will not enable itself) or after ``timeout`` seconds.
    """
    lam = lab.client("lambda")
    with explained(f"read event source mapping {uuid!r}",
                   "Pass the UUID that create_event_source_mapping (or list_event_source_mappings) returned."):
        mapping, settled = poll(lambda: lam.get_event_source_mapping(UUID=uuid),
                                lambda m: m.get("State") == state or m.get("State") not in _TRANSITIONAL,
                                timeout, MAPPING_FIRST_POLL, MAPPING_LONGEST_POLL)
    current = mapping.get("State")
    if current == state:
        mapping.pop("ResponseMetadata", None)
        return mapping
    if settled:  # settled in another state: it will not change by itself
        hint = ("Enable it: update_event_source_mapping(UUID=..., Enabled=True)." if state == "Enabled"
                else f"It will not become {state} by itself; change it with update_event_source_mapping.")
        reason = mapping.get("StateTransitionReason")
        raise LabError(f"The event source mapping is {current}, not {state}"
                       + (f" ({reason})." if reason else "."), hint)
    raise LabError(f"The event source mapping is still {current} after {timeout:g} s, not {state}.",
                   "Wait longer (timeout=...); on AWS a mapping can take a minute or two to be enabled.")


def _embedded(lab: Lab | None) -> bool:
    """No lab, or a lab on the embedded emulator: the pollers are threads of this process."""
    return lab is None or lab.backend.kind is BackendKind.EMBEDDED


def _in_flight_here() -> list[str]:
    from .emulator.awslambda import event_source_mappings as esm

    return esm.in_flight()


def _in_flight_through_api(lab: Lab) -> list[str]:
    """SQS mappings of the lab's functions whose queue still holds messages (visible, in flight, delayed)."""
    lam, sqs = lab.client("lambda"), lab.client("sqs")
    busy: list[str] = []
    for page in lam.get_paginator("list_event_source_mappings").paginate():
        for mapping in page.get("EventSourceMappings", []):
            source, function = Arn.parse(mapping.get("EventSourceArn", "")), mapping.get("FunctionArn", "")
            name = function.split(":function:", 1)[-1].split(":", 1)[0]
            if source.service != "sqs" or mapping.get("State") not in ("Enabled", "Creating", "Enabling", "Updating"):
                continue
            if not lab.owns("lambda-function", name):
                continue
            queue = source.resource
            url = sqs.get_queue_url(QueueName=queue, QueueOwnerAWSAccountId=source.account)["QueueUrl"]
            counts = sqs.get_queue_attributes(QueueUrl=url, AttributeNames=[
                "ApproximateNumberOfMessages", "ApproximateNumberOfMessagesNotVisible",
                "ApproximateNumberOfMessagesDelayed"])["Attributes"]
            total = sum(int(v) for v in counts.values())
            if total:
                busy.append(f"{name}: {total} message(s) still in queue {queue} (visible, in flight or delayed)")
    return busy


def outbox(lab: Lab | None = None, protocol: str | None = None) -> list[dict[str, Any]]:
    """Email, email-json and SMS messages SNS delivered on the embedded emulator, oldest first.

    With a lab, only deliveries from that lab's topics, plus the SMS that belong to no topic (a publish
    with ``PhoneNumber``, an SMS sandbox verification code: ``type="SandboxVerification"``, ``otp``).
    Each entry: ``protocol``, ``endpoint``, ``subject``, ``message``, ``message_id``, ``topic_arn``
    (and ``body``, what the recipient gets; SMS also ``sms_type``). On real AWS these go to real
    mailboxes and phones, so there is nothing to read here.
    """
    from .emulator.sns.delivery_protocols import sent

    entries = sent(protocol)
    if lab is not None:  # the lab's topics: its prefix, or created through it under another name
        entries = [e for e in entries
                   if not e["topic_arn"] or lab.owns("sns-topic", e["topic_arn"].rsplit(":", 1)[-1])]
    return entries


def advance(lab: Lab | None = None, *, days: float = 0, hours: float = 0, minutes: float = 0,
            seconds: float = 0) -> list[dict[str, Any]]:
    """Move the emulator's clock forward; every scheduled rule run and EventBridge Scheduler run that falls
    due meanwhile has happened when this returns, oldest first (see
    :mod:`labs.helpers.emulator.events.schedules`). Returns what ran: ``{"kind", "arn", "time"}`` each.

    On the embedded emulator nothing scheduled runs until the clock is advanced, so a notebook always
    sees the same runs; on the shared emulator (``python -m labs emulator``) schedules also run in real
    time, and this asks that server to advance its clock. Real AWS has no clock to advance.
    """
    total = ((days * 24 + hours) * 60 + minutes) * 60 + seconds
    if total < 0:
        raise LabError("The emulator's clock only moves forward.", "Pass a positive days/hours/minutes/seconds.")
    if _embedded(lab):
        from .backend import start_embedded_emulator
        from .emulator.events import schedules

        start_embedded_emulator()
        return schedules.advance(total)
    assert lab is not None
    if lab.backend.kind is BackendKind.AWS:
        raise LabError("Real AWS runs schedules on its own clock, which cannot be advanced.",
                       "Wait for the schedule (a rate(1 minute) rule runs within the minute), or use the emulator.")
    endpoint = os.environ.get("AWS_ENDPOINT_URL_EVENTS") or lab.backend.endpoint_url or ""
    request = urllib.request.Request(endpoint.rstrip("/") + "/moto-api/labs/clock", method="POST",
                                     data=json.dumps({"advance": total}).encode(),
                                     headers={"Content-Type": "application/json"})
    try:
        with urllib.request.urlopen(request, timeout=60) as response:  # noqa: S310 - the lab's own endpoint
            return list(json.loads(response.read())["fired"])
    except (urllib.error.URLError, ValueError, KeyError) as err:
        raise LabError(f"The endpoint {endpoint} has no emulator clock to advance ({err}).",
                       "advance() works on the embedded emulator and on `python -m labs emulator`; other "
                       "endpoints (LocalStack) run schedules in real time.") from None
