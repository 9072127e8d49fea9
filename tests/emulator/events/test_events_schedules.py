"""Scheduled rules and EventBridge Scheduler schedules run, on the emulator's clock.

EventBridge user guide, "Rate expressions reference": "A rate expression starts when you create the
scheduled event rule, and then it runs on a defined schedule"; rate(1 hours) and rate(5 hour) "aren't
valid". "Cron expressions reference": six fields, Day-of-week "1-7 or SUN-SAT", ``?`` in one of the
day fields, "All scheduled events use UTC+0 time zone". A run delivers ``{"detail-type": "Scheduled
Event", "source": "aws.events", "resources": [<rule ARN>], "detail": {}, ...}``. EventBridge Scheduler:
rate, cron (in ScheduleExpressionTimezone) and one-time at() schedules invoke their target with their
Input. Plain moto 5.2.5 (``LABS_EMULATOR_DISABLE=events_schedules``) never runs them and accepts any
cron(...) text. The emulator's runs happen when its clock is advanced (``functions.advance``), so
every count here is exact.
"""

from __future__ import annotations

import datetime
import json
from typing import Any

import pytest
from botocore.exceptions import ClientError

from labs.helpers import Lab, start_lab
from labs.helpers.emulator.events import schedules
from labs.helpers.functions import advance
from tests.emulator.events_helpers import grant


def _queue(lab: Lab, base: str = "ticks") -> tuple[str, str]:
    sqs = lab.client("sqs")
    url = sqs.create_queue(QueueName=lab.name(base))["QueueUrl"]
    return url, sqs.get_queue_attributes(QueueUrl=url, AttributeNames=["QueueArn"])["Attributes"]["QueueArn"]


def _scheduled_rule(lab: Lab, expression: str, queue_arn: str, base: str = "tick") -> str:
    events = lab.client("events")
    arn = events.put_rule(Name=lab.name(base), ScheduleExpression=expression)["RuleArn"]
    events.put_targets(Rule=lab.name(base), Targets=[{"Id": "q", "Arn": queue_arn}])
    grant(lab, queue_arn, arn)  # the queue policy AWS requires for events.amazonaws.com
    return arn


def _drain(lab: Lab, url: str) -> list[Any]:
    sqs, bodies = lab.client("sqs"), []
    while True:
        got = sqs.receive_message(QueueUrl=url, MaxNumberOfMessages=10).get("Messages", [])
        if not got:
            return bodies
        for m in got:
            bodies.append(json.loads(m["Body"]))
            sqs.delete_message(QueueUrl=url, ReceiptHandle=m["ReceiptHandle"])


def _seconds(stamp: str) -> float:
    return datetime.datetime.strptime(stamp, "%Y-%m-%dT%H:%M:%SZ").replace(tzinfo=datetime.UTC).timestamp()


def test_a_rate_rule_runs_once_per_period_from_its_creation(lab: Lab) -> None:
    url, queue_arn = _queue(lab)
    created = schedules.now()
    rule_arn = _scheduled_rule(lab, "rate(5 minutes)", queue_arn)
    assert _drain(lab, url) == []  # nothing runs on its own
    fired = advance(lab, minutes=16)
    assert [f["arn"] for f in fired] == [rule_arn] * 3
    events = _drain(lab, url)
    assert len(events) == 3
    first = events[0]
    assert (first["detail-type"], first["source"], first["resources"], first["detail"]) == (
        "Scheduled Event", "aws.events", [rule_arn], {})
    assert first["account"] == lab.account_id and first["region"] == lab.region and first["version"] == "0"
    offsets = [_seconds(e["time"]) - created for e in events]
    assert [round(o / 60) for o in offsets] == [5, 10, 15]
    assert advance(lab, minutes=3) == []  # the clock is at 19 minutes, the next run at 20
    assert len(advance(lab, minutes=1)) == 1


def test_a_cron_rule_runs_at_its_utc_times(lab: Lab) -> None:
    url, queue_arn = _queue(lab)
    _scheduled_rule(lab, "cron(0 12 * * ? *)", queue_arn)  # every day at 12:00 UTC
    fired = advance(lab, days=3)
    assert len(fired) == 3
    times = [datetime.datetime.strptime(f["time"], "%Y-%m-%dT%H:%M:%SZ") for f in fired]
    assert all((t.hour, t.minute, t.second) == (12, 0, 0) for t in times)
    assert [(b - a).days for a, b in zip(times, times[1:])] == [1, 1]
    assert [e["time"] for e in _drain(lab, url)] == [f["time"] for f in fired]


def test_cron_day_of_week_counts_from_sunday_as_aws_does(lab: Lab) -> None:
    _, queue_arn = _queue(lab)
    _scheduled_rule(lab, "cron(0 9 ? * 2-6 *)", queue_arn)  # AWS: 2-6 is MON-FRI
    fired = advance(lab, days=14)
    weekdays = {datetime.datetime.strptime(f["time"], "%Y-%m-%dT%H:%M:%SZ").strftime("%a") for f in fired}
    assert weekdays == {"Mon", "Tue", "Wed", "Thu", "Fri"} and len(fired) == 10


def test_a_disabled_rule_does_not_run(lab: Lab) -> None:
    url, queue_arn = _queue(lab)
    _scheduled_rule(lab, "rate(1 minute)", queue_arn)
    lab.client("events").disable_rule(Name=lab.name("tick"))
    assert advance(lab, minutes=3) == [] and _drain(lab, url) == []
    lab.client("events").enable_rule(Name=lab.name("tick"))
    assert len(advance(lab, minutes=2)) == 2  # the runs missed while disabled are not made up


@pytest.mark.parametrize("expression", ["rate(1 minutes)", "rate(5 minute)", "cron(0 12 * * * *)", "cron(0 12 * *)",
                                        "cron(banana)"])
def test_invalid_schedule_expressions_are_rejected(lab: Lab, expression: str) -> None:
    with pytest.raises(ClientError) as raised:
        lab.client("events").put_rule(Name=lab.name("bad"), ScheduleExpression=expression)
    assert raised.value.response["Error"]["Code"] == "ValidationException"


def test_rules_run_in_time_order_across_rules(lab: Lab) -> None:
    _, queue_arn = _queue(lab)
    every_2 = _scheduled_rule(lab, "rate(2 minutes)", queue_arn, "every-2")
    every_3 = _scheduled_rule(lab, "rate(3 minutes)", queue_arn, "every-3")
    fired = advance(lab, minutes=6)
    assert [f["arn"] for f in fired] == [every_2, every_3, every_2, every_2, every_3]  # 2, 3, 4, 6, 6 min
    assert fired == sorted(fired, key=lambda f: f["time"])


def test_a_scheduled_rule_invokes_a_lambda_function(lab: Lab) -> None:
    from tests.emulator.lambda_helpers import deploy

    url, _ = _queue(lab, "seen")
    fn = deploy(lab, "nightly", "import boto3, json, os\n"
                "def handler(event, context):\n"
                "    boto3.client('sqs').send_message(QueueUrl=os.environ['OUT'], MessageBody=json.dumps(event))\n",
                env={"OUT": url})
    events = lab.client("events")
    rule_arn = events.put_rule(Name=lab.name("nightly"), ScheduleExpression="cron(0 2 * * ? *)")["RuleArn"]
    events.put_targets(Rule=lab.name("nightly"), Targets=[{"Id": "fn", "Arn": fn}])
    grant(lab, fn, rule_arn)  # the function policy AWS requires
    advance(lab, days=1)
    [seen] = _drain(lab, url)
    assert seen["detail-type"] == "Scheduled Event" and seen["time"].endswith("T02:00:00Z")


def test_scheduler_rate_and_at_schedules_send_their_input(lab: Lab) -> None:
    url, queue_arn = _queue(lab)
    scheduler = lab.client("scheduler")
    role = f"arn:aws:iam::{lab.account_id}:role/scheduler"
    scheduler.create_schedule(Name=lab.name("report"), ScheduleExpression="rate(1 hour)",
                              FlexibleTimeWindow={"Mode": "OFF"},
                              Target={"Arn": queue_arn, "RoleArn": role, "Input": json.dumps({"report": "hourly"})})
    when = datetime.datetime.fromtimestamp(schedules.now() + 90 * 60, tz=datetime.UTC).strftime("%Y-%m-%dT%H:%M:%S")
    scheduler.create_schedule(Name=lab.name("once"), ScheduleExpression=f"at({when})", ActionAfterCompletion="DELETE",
                              FlexibleTimeWindow={"Mode": "OFF"},
                              Target={"Arn": queue_arn, "RoleArn": role, "Input": json.dumps({"report": "once"})})
    fired = advance(lab, hours=3)
    assert [f["kind"] for f in fired] == ["schedule"] * 4
    assert [b["report"] for b in _drain(lab, url)] == ["hourly", "once", "hourly", "hourly"]
    names = [s["Name"] for s in scheduler.list_schedules()["Schedules"]]
    assert names == [lab.name("report")]  # the one-time schedule deleted itself after running


def test_scheduler_cron_in_a_time_zone(lab: Lab) -> None:
    _, queue_arn = _queue(lab)
    lab.client("scheduler").create_schedule(
        Name=lab.name("morning"), ScheduleExpression="cron(0 8 * * ? *)", ScheduleExpressionTimezone="Europe/Paris",
        FlexibleTimeWindow={"Mode": "OFF"},
        Target={"Arn": queue_arn, "RoleArn": f"arn:aws:iam::{lab.account_id}:role/scheduler"})
    fired = advance(lab, days=2)
    hours = {datetime.datetime.strptime(f["time"], "%Y-%m-%dT%H:%M:%SZ").hour for f in fired}
    assert len(fired) == 2 and hours <= {6, 7}  # 08:00 in Paris is 07:00 UTC (06:00 in summer)


def test_advance_on_the_shared_emulator(emulator: None, emulator_server: str, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("AWS_ENDPOINT_URL", emulator_server)
    lab = start_lab("sandbox")
    url, queue_arn = _queue(lab)
    rule_arn = _scheduled_rule(lab, "rate(10 minutes)", queue_arn)
    fired = advance(lab, minutes=30)
    assert [f["arn"] for f in fired] == [rule_arn] * 3
    assert len(_drain(lab, url)) == 3


def test_the_shared_emulator_also_runs_schedules_in_real_time(emulator: None, emulator_server: str,
                                                              monkeypatch: pytest.MonkeyPatch) -> None:
    """The shared emulator is a service other processes use in real time: its clock ticks on its own too."""
    import time

    monkeypatch.setenv("AWS_ENDPOINT_URL", emulator_server)
    lab = start_lab("sandbox")
    url, queue_arn = _queue(lab)
    _scheduled_rule(lab, "rate(1 minute)", queue_arn)
    assert advance(lab, seconds=58) == []  # 2 s of real time left before the first run
    deadline = time.monotonic() + 10
    seen: list[Any] = []
    while not seen and time.monotonic() < deadline:
        seen = _drain(lab, url)
        time.sleep(0.2)
    assert len(seen) == 1 and seen[0]["detail-type"] == "Scheduled Event"
