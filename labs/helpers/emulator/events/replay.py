"""EventBridge StartReplay replays only the archived events in the time window, to the rules asked for.

AWS (API reference, StartReplay): "Starts the specified replay. Events are not necessarily replayed
in the exact same order that they were added to the archive"; EventStartTime "A time stamp for the
time to start replaying events. Only events that occurred between the EventStartTime and EventEndTime
are replayed"; ReplayDestination.FilterArns "A list of ARNs for rules to replay events to". A
replayed event carries a ``replay-name`` field (user guide, "Replaying archived events").

moto 5.2.5 replays *every* archived event whatever the window, to every rule on the bus whatever
FilterArns says, and gives each rule a different event id for the same replayed event. Here the
window and FilterArns are honoured, and one replayed event has one id across rules (so a trace shows
one event fanning out). Delivery goes through ``Rule.send_to_targets``, so :mod:`events_targets`
applies (targets, input, retries, DLQs, reporting). Replays run synchronously: StartReplay returns
after the last event is delivered.
"""

from __future__ import annotations

import uuid
from typing import Any

from ..patching import Patch

NAME = "events_replay"


def _when(event: dict[str, Any]) -> float | None:
    """When an archived event occurred (moto stores epoch seconds; a producer's Time may be a string)."""
    for key in ("time", "ingestion-time"):
        try:
            return float(event[key])
        except (KeyError, TypeError, ValueError):
            continue
    return None


def replay_events(replay: Any, archive: Any) -> None:
    """Deliver ``archive``'s events in the replay's window to the destination bus's (filtered) rules."""
    from moto.core.utils import unix_time
    from moto.events.models import ReplayState, events_backends

    backend = events_backends[replay.account_id][replay.region]
    bus = backend.describe_event_bus(replay.destination["Arn"].split("/")[-1])
    wanted = set(replay.destination.get("FilterArns") or [])
    start, end = float(replay.event_start_time), float(replay.event_end_time)
    for event in list(archive.events):
        when = _when(event)
        if when is not None and not start <= when <= end:
            continue
        replayed = dict(event, id=str(uuid.uuid4()), **{"replay-name": replay.name})
        for rule in list(bus.rules.values()):
            if wanted and rule.arn not in wanted:
                continue
            rule.send_to_targets(replayed)
    replay.state = ReplayState.COMPLETED
    replay.end_time = unix_time()


def _apply() -> None:
    from moto.events.models import Replay

    Replay.replay_events = replay_events  # type: ignore[method-assign,assignment]


PATCH = Patch(
    name=NAME,
    restores="StartReplay replays only events between EventStartTime and EventEndTime, only to the rules "
             "in Destination.FilterArns when given, each replayed event with one id and its replay-name",
    plain_moto="StartReplay replays every archived event to every rule on the bus, with a different id per rule",
    apply=_apply,
    targets={"moto.events.models:Replay.replay_events": "9752fdb56ebb"},
)
