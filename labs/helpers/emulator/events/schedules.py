"""Scheduled EventBridge rules and EventBridge Scheduler schedules fire, on the emulator's clock.

AWS (EventBridge user guide, "Creating a rule that runs on a schedule"): "EventBridge runs these rules
at regular intervals; for example, every 20 minutes" (``rate(value unit)``: "A rate expression starts
when you create the scheduled event rule", unit minute | minutes | hour | hours | day | days, singular
exactly when the value is 1) or "at specific times and dates" (``cron(Minutes Hours Day-of-month Month
Day-of-week Year)``, Day-of-week "1-7 or SUN-SAT", wildcards ``, - * ? / L W #``, "You can't specify
the Day-of-month and Day-of-week fields in the same cron expression ... you must use a ? in the
other"); "All scheduled events use UTC+0 time zone and the minimum precision for a schedule is one
minute". Each run sends the rule's targets the event ``{"version": "0", "id", "detail-type":
"Scheduled Event", "source": "aws.events", "account", "time", "region", "resources": [<rule ARN>],
"detail": {}}``. EventBridge Scheduler (user guide, "Schedule types"): ``rate()``, ``cron()`` in the
schedule's ``ScheduleExpressionTimezone``, one-time ``at(yyyy-mm-ddThh:mm:ss)``, between
``StartDate`` and ``EndDate``, ``State`` ENABLED/DISABLED, ``ActionAfterCompletion`` DELETE; the
target gets the schedule's ``Input``. moto 5.2.5 stores scheduled rules and schedules (accepting any
``cron(...)`` text) and never runs them.

**Design: an emulator clock, advanced explicitly; deterministic in notebooks.** The clock is the real
clock plus an offset. Nothing fires on its own in the embedded emulator: :func:`advance` (in a notebook
``labs.helpers.functions.advance(lab, minutes=5)``) moves the clock forward and, before it returns,
fires every run that became due, across all rules and schedules, in time order (each run once, at
most :data:`MAX_RUNS` per rule and call; beyond that the runs are skipped). So "create a ``rate(5 minutes)`` rule, advance 15 minutes"
is always exactly 3 runs, with event times 5, 10 and 15 minutes after the rule's creation, and no
notebook waits. A rule's runs start from its creation on the emulator clock (``PutRule`` again
restarts them, as a new rule); a disabled rule skips the runs that fall due while it is disabled.
The shared emulator (a moto server in this process: ``python -m labs emulator``) is a long-running
service that the AWS CLI and other processes use in real time, so there a background thread also
fires due runs every second; ``advance`` reaches it over HTTP (``POST /moto-api/labs/clock``).
``LABS_EVENTS_SCHEDULER=on|off`` overrides that choice in either kind of process.

Cron expressions are parsed with croniter (moto brings no cron parser; croniter is maintained and pure
Python): AWS's six fields become croniter's seven (Day-of-week numbers shifted from AWS's 1=SUN to
0=SUN, ``?`` to ``*``, AWS's ``5L`` "last Thursday" to croniter's ``L4``, seconds 0, the year as the
seventh field). Invalid expressions fail ``PutRule``/``CreateSchedule`` with ValidationException, as
on AWS. Scheduler targets: SQS, SNS, Lambda, Step Functions and EventBridge event buses (Scheduler's
templated targets), delivered once (no retry policy or dead-letter queue); a schedule without
``Input`` sends ``{}``.
"""

from __future__ import annotations

import datetime
import functools
import json
import os
import re
import threading
import time
import uuid
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from ...observe import Delivery, emit
from ..arns import Arn
from ..patching import Patch

NAME = "events_schedules"
#: At most this many runs of one rule or schedule per advance (a year of rate(1 minute) would be 525,600).
MAX_RUNS = 1000
#: How often the background thread (shared emulator) looks for due runs, in seconds.
TICK_SECONDS = 1.0
SCHEDULER_ENV = "LABS_EVENTS_SCHEDULER"
_offset = 0.0
_lock = threading.RLock()
_NEXT = "_labs_next_run"  #: attribute on a moto Rule / Schedule: (expression it was computed for, next run)
_RATE = re.compile(r"^rate\((\d+) (minute|minutes|hour|hours|day|days)\)$")
_CRON = re.compile(r"^cron\((.*)\)$")
_AT = re.compile(r"^at\((\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d)\)$")
_UNIT_SECONDS = {"minute": 60, "hour": 3600, "day": 86400}
_DOW_ITEM = re.compile(r"^(\d)(?:-(\d))?(?:/(\d+))?$")


# ---------------------------------------------------------------------------- the clock
def now() -> float:
    """The emulator clock: seconds since the epoch, real time plus every :func:`advance` so far."""
    return time.time() + _offset


def advance(seconds: float) -> list[dict[str, Any]]:
    """Move the emulator clock ``seconds`` forward and fire every run that became due, in time order.

    Returns what fired: ``{"kind": "rule" | "schedule", "arn", "time"}`` per run, oldest first.
    """
    global _offset
    if seconds < 0:
        raise ValueError("the emulator clock only moves forward")
    with _lock:
        _offset += float(seconds)
        return fire_due(now())


def iso(stamp: float) -> str:
    return datetime.datetime.fromtimestamp(stamp, tz=datetime.UTC).strftime("%Y-%m-%dT%H:%M:%SZ")


# ---------------------------------------------------------------------------- expressions
def _shift_day_of_week(field: str) -> str:
    """AWS Day-of-week (1=SUN ... 7=SAT, ``nL``, ``n#k``) as croniter's (0=SUN ... 6=SAT, ``Ln``, ``n#k``)."""
    if field in ("*", "?"):
        return "*"
    items = []
    for item in field.split(","):
        upper = item.upper()
        if upper == "L":
            items.append("6")  # the last day of the week: Saturday
        elif re.fullmatch(r"\dL", upper):
            items.append(f"L{int(upper[0]) - 1}")
        elif re.fullmatch(r"\d#\d", upper):
            items.append(f"{int(upper[0]) - 1}#{upper[2]}")
        elif (found := _DOW_ITEM.match(upper)) is not None:
            first, last, step = found.groups()
            shifted = str(int(first) - 1) + (f"-{int(last) - 1}" if last else "") + (f"/{step}" if step else "")
            items.append(shifted)
        else:
            items.append(upper)  # names (MON-FRI, SUN#1, ...) mean the same in both
    return ",".join(items)


def croniter_expression(fields: str) -> str:
    """AWS's six cron fields as croniter's seven; ValueError if AWS would not accept them."""
    parts = fields.split()
    if len(parts) != 6:
        raise ValueError("cron expressions have six fields")
    minute, hour, day_of_month, month, day_of_week, year = parts
    if (day_of_month == "?") == (day_of_week == "?"):
        raise ValueError("exactly one of Day-of-month and Day-of-week must be ?")
    day_of_month = "*" if day_of_month == "?" else day_of_month
    return f"{minute} {hour} {day_of_month} {month} {_shift_day_of_week(day_of_week)} 0 {year}"


@dataclass(frozen=True)
class Schedule:
    """A parsed schedule expression: when it runs next."""

    expression: str
    timezone: str = "UTC"

    def __post_init__(self) -> None:
        self.next_after(time.time(), anchor=time.time())  # ValueError for an expression AWS rejects

    def next_after(self, after: float, *, anchor: float) -> float | None:
        """The first run strictly after ``after`` (rate runs count from ``anchor``); None: never again."""
        rate = _RATE.match(self.expression)
        if rate:
            value, unit = int(rate.group(1)), rate.group(2)
            if value < 1 or (value == 1) != (not unit.endswith("s")):
                raise ValueError("rate(1 unit) is singular, rate(n units) plural")
            period = value * _UNIT_SECONDS[unit.rstrip("s")]
            runs = max(0, int((after - anchor) // period)) + 1
            return anchor + runs * period
        cron = _CRON.match(self.expression)
        if cron:
            from zoneinfo import ZoneInfo

            from croniter import croniter

            expression = croniter_expression(cron.group(1))
            if not croniter.is_valid(expression):
                raise ValueError(f"not a valid cron expression: {cron.group(1)}")
            start = datetime.datetime.fromtimestamp(after, tz=ZoneInfo(self.timezone))
            try:
                return float(croniter(expression, start).get_next(float))
            except Exception:  # noqa: BLE001 - croniter's "no more runs" (a past year) has no common type
                return None
        at = _AT.match(self.expression)
        if at:
            from zoneinfo import ZoneInfo

            when = datetime.datetime.fromisoformat(at.group(1)).replace(tzinfo=ZoneInfo(self.timezone)).timestamp()
            return when if when > after else None
        raise ValueError(f"not a schedule expression: {self.expression}")


@functools.lru_cache(maxsize=256)
def parse(expression: str, timezone: str = "UTC") -> Schedule:
    return Schedule(expression.strip(), timezone or "UTC")


def _validation_error(message: str) -> Exception:
    from moto.events.exceptions import ValidationException

    return ValidationException(message)


# ---------------------------------------------------------------------------- what is scheduled
@dataclass
class _Due:
    stamp: float
    kind: str
    arn: str
    fire: Callable[[float], None]


def _next_run(obj: Any, expression: str, timezone: str, anchor: float, after: float) -> float | None:
    """The next run of ``obj`` after ``after``, kept on the object (recomputed if its expression changed)."""
    key, value = getattr(obj, _NEXT, (None, None))
    if key != (expression, timezone):
        value = parse(expression, timezone).next_after(anchor, anchor=anchor)
        setattr(obj, _NEXT, ((expression, timezone), value))
    return value


def _runs(obj: Any, expression: str, timezone: str, anchor: float, until: float) -> list[float]:
    """Every run of ``obj`` due by ``until``, oldest first, advancing its next run past ``until``. At most
    MAX_RUNS: after that the runs up to ``until`` are skipped (a long jump of a frequent schedule)."""
    schedule = parse(expression, timezone)
    due: list[float] = []
    stamp = _next_run(obj, expression, timezone, anchor, anchor)
    while stamp is not None and stamp <= until:
        if len(due) >= MAX_RUNS:
            stamp = schedule.next_after(until, anchor=anchor)
            break
        due.append(stamp)
        stamp = schedule.next_after(stamp, anchor=anchor)
    setattr(obj, _NEXT, ((expression, timezone), stamp))
    return due


def _rule_runs(until: float) -> list[_Due]:
    from moto.events.models import events_backends

    found: list[_Due] = []
    for account, regions in list(events_backends.items()):
        for region, backend in list(regions.items()):
            bus = backend.event_buses.get("default")
            for rule in list(bus.rules.values()) if bus is not None else []:
                if not rule.scheduled_expression or rule.managed_by:
                    continue
                anchor = getattr(rule, "_labs_created", None)
                if anchor is None:
                    anchor = rule._labs_created = now()  # a rule this layer did not see created: from now
                stamps = _runs(rule, rule.scheduled_expression, "UTC", anchor, until)
                if str(rule.state).startswith("ENABLED"):
                    found.extend(_Due(s, "rule", rule.arn, functools.partial(_fire_rule, rule)) for s in stamps)
    return found


def _fire_rule(rule: Any, stamp: float) -> None:
    from moto.core.utils import unix_time

    event = {"version": "0", "id": str(uuid.uuid4()), "detail-type": "Scheduled Event", "source": "aws.events",
             "account": rule.account_id, "time": stamp, "region": rule.region_name, "resources": [rule.arn],
             "detail": {}, "ingestion-time": unix_time()}
    rule.send_to_targets(event)


def _schedule_runs(until: float) -> list[_Due]:
    from moto.scheduler.models import scheduler_backends

    found: list[_Due] = []
    for account, regions in list(scheduler_backends.items()):
        for region, backend in list(regions.items()):
            for group in list(backend.schedule_groups.values()):
                for schedule in list(group.schedules.values()):
                    anchor = float(getattr(schedule, "_labs_created", None) or schedule.creation_date)
                    start = float(schedule.start_date) if schedule.start_date else None
                    if start is not None and start > anchor:
                        anchor = start
                    stamps = _runs(schedule, schedule.schedule_expression,
                                   schedule.schedule_expression_timezone or "UTC", anchor, until)
                    if schedule.end_date:
                        stamps = [s for s in stamps if s <= float(schedule.end_date)]
                    if schedule.state == "ENABLED":
                        found.extend(_Due(s, "schedule", schedule.arn,
                                          functools.partial(_fire_schedule, backend, group, schedule))
                                     for s in stamps)
    return found


@dataclass
class _ScheduleAsRule:
    """What the EventBridge target deliverers read from a rule, for a Scheduler schedule."""

    arn: str
    name: str
    account_id: str
    region_name: str
    managed_by: str | None = None


def _fire_schedule(backend: Any, group: Any, schedule: Any, stamp: float) -> None:
    from .targets import classify, deliverer_for

    target = dict(schedule.target)
    arn = Arn.parse(target["Arn"])
    text = target.get("Input") or "{}"
    event = {"id": str(uuid.uuid4()), "time": iso(stamp), "resources": [schedule.arn]}
    status, message_id, detail = "delivered", None, {}
    try:
        if arn.service == "events" and arn.resource_type == "event-bus":
            from moto.events.models import events_backends

            parameters = target.get("EventBridgeParameters") or {}
            entries = events_backends[arn.account or backend.account_id][arn.region or backend.region_name].put_events(
                [{"EventBusName": target["Arn"], "Source": parameters.get("Source", "aws.scheduler"),
                  "DetailType": parameters.get("DetailType", "Scheduled Event"), "Detail": text,
                  "Resources": [schedule.arn]}])
            message_id = entries[0].get("EventId")
        else:
            deliver = deliverer_for(arn)
            if deliver is None:
                raise NotImplementedError(f"the emulator's Scheduler does not deliver to {arn.service} targets")
            rule = _ScheduleAsRule(schedule.arn, schedule.name, backend.account_id, backend.region_name)
            outcome = deliver(rule, target, arn, text, event)  # type: ignore[arg-type]
            message_id, extra = outcome if isinstance(outcome, tuple) else (outcome, {})
            detail.update(extra)
    except Exception as err:  # noqa: BLE001 - a failed delivery is reported, not raised into the clock
        failure = classify(err)
        status, detail = "failed", {"error_code": failure.code, "error": failure.message}
    emit(Delivery(service="scheduler", action="schedule", source=schedule.arn, target=target["Arn"],
                  message_id=message_id, status=status, payload=text,
                  detail={"schedule": schedule.name, "group": group.name, "time": iso(stamp), **detail}))
    if _AT.match(schedule.schedule_expression) and schedule.action_after_completion == "DELETE":
        group.schedules.pop(schedule.name, None)


def fire_due(until: float) -> list[dict[str, Any]]:
    """Fire every run due by ``until`` (emulator clock), oldest first; returns what fired (nothing while
    this patch is not applied: plain moto runs no schedules)."""
    if not PATCH.applied:
        return []
    with _lock:
        due = sorted(_rule_runs(until) + _schedule_runs(until), key=lambda d: (d.stamp, d.arn))
        for run in due:
            run.fire(run.stamp)
        return [{"kind": d.kind, "arn": d.arn, "time": iso(d.stamp)} for d in due]


# ---------------------------------------------------------------------------- the shared emulator's thread
_thread: threading.Thread | None = None
_stop = threading.Event()


def background_wanted(default: bool) -> bool:
    value = os.environ.get(SCHEDULER_ENV, "").strip().lower()
    if value in ("on", "1", "true", "yes"):
        return True
    if value in ("off", "0", "false", "no"):
        return False
    return default


def start_background() -> None:
    """Fire due runs every TICK_SECONDS on a daemon thread (idempotent)."""
    global _thread
    with _lock:
        if _thread is not None and _thread.is_alive():
            return
        _stop.clear()

        def tick() -> None:
            while not _stop.wait(TICK_SECONDS):
                try:
                    fire_due(now())
                except Exception:  # noqa: BLE001 - the clock keeps ticking (one bad target must not stop it)
                    import logging

                    logging.getLogger(__name__).exception("scheduled run failed")

        _thread = threading.Thread(target=tick, name="labs-events-scheduler", daemon=True)
        _thread.start()


def clock_response(request: Any, full_url: str, headers: Any) -> tuple[int, dict[str, str], str]:
    """``/moto-api/labs/clock`` on the shared emulator: GET reads the clock, POST ``{"advance": seconds}``
    advances it and answers with what fired."""
    fired: list[dict[str, Any]] = []
    if getattr(request, "method", "GET") == "POST":
        raw = request.get_data() if hasattr(request, "get_data") else getattr(request, "body", b"")
        body = json.loads(raw or b"{}")
        try:
            fired = advance(float(body.get("advance", 0)))
        except (TypeError, ValueError) as err:
            return 400, {"Content-Type": "application/json"}, json.dumps({"message": str(err)})
    return 200, {"Content-Type": "application/json"}, json.dumps({"now": iso(now()), "epoch": now(), "fired": fired})


# ---------------------------------------------------------------------------- applying
def _apply() -> None:
    from moto.events.models import EventsBackend
    from moto.moto_api._internal import urls as moto_api_urls
    from moto.moto_server.threaded_moto_server import ThreadedMotoServer
    from moto.scheduler.models import EventBridgeSchedulerBackend

    put_rule = EventsBackend.put_rule

    @functools.wraps(put_rule)
    def put_rule_checked(self: Any, name: str, *args: Any, **kwargs: Any) -> Any:
        expression = kwargs.get("scheduled_expression")
        if expression:
            try:
                parse(expression)
            except ValueError:
                raise _validation_error("Parameter ScheduleExpression is not valid.") from None
        rule = put_rule(self, name, *args, **kwargs)
        rule._labs_created = now()  # "A rate expression starts when you create the scheduled event rule"
        return rule

    EventsBackend.put_rule = put_rule_checked  # type: ignore[method-assign]

    for method in ("create_schedule", "update_schedule"):
        original = getattr(EventBridgeSchedulerBackend, method)

        def checked(self: Any, *args: Any, _original: Any = original, **kwargs: Any) -> Any:
            expression = kwargs.get("schedule_expression")
            if expression:
                try:
                    parse(expression, kwargs.get("schedule_expression_timezone") or "UTC")
                except ValueError as err:
                    from moto.scheduler.exceptions import ValidationException

                    raise ValidationException(f"Invalid Schedule Expression {expression}. {err}") from None
            schedule = _original(self, *args, **kwargs)
            if schedule is not None:  # created or changed: its runs count from now
                schedule._labs_created = now()
                schedule.__dict__.pop(_NEXT, None)
            return schedule

        setattr(EventBridgeSchedulerBackend, method, functools.wraps(original)(checked))

    moto_api_urls.url_paths["{0}/moto-api/labs/clock"] = clock_response

    start = ThreadedMotoServer.start

    @functools.wraps(start)
    def start_with_clock(self: Any) -> None:
        start(self)
        if background_wanted(default=True):
            start_background()

    ThreadedMotoServer.start = start_with_clock  # type: ignore[method-assign]
    if background_wanted(default=False):
        start_background()


PATCH = Patch(
    name=NAME,
    restores="rules with a ScheduleExpression (rate(...), cron(...), UTC) send their targets a 'Scheduled Event' "
             "on every run, and EventBridge Scheduler schedules (rate, cron in their time zone, at) invoke their "
             "target with their Input; invalid expressions are ValidationException. Emulator clock: runs fire when "
             "it is advanced (functions.advance), and in real time on the shared emulator",
    plain_moto="scheduled rules and schedules are stored and never run; any cron(...) text is accepted",
    apply=_apply,
    targets={
        "moto.events.models:EventsBackend.put_rule": "28bf0ac76b1b",
        "moto.events.models:Rule.send_to_targets": "472e002e2dab",
        "moto.scheduler.models:EventBridgeSchedulerBackend.create_schedule": "513099380dbd",
        "moto.scheduler.models:EventBridgeSchedulerBackend.update_schedule": "15f9bd86f239",
        "moto.scheduler.models:Schedule.__init__": "f2a7a7e228fe",
        "moto.moto_server.threaded_moto_server:ThreadedMotoServer.start": "1cbbc8072bb9",
    },
)
