"""What an EventBridge target receives: the matched event, ``Input``, ``InputPath`` or ``InputTransformer``.

Used by :mod:`events_targets` (not a patch on its own: moto builds target input inside
``Rule.send_to_targets``, the one function that module replaces).

AWS (API reference, Target): ``Input`` is "Valid JSON text passed to the target. In this case,
nothing from the event itself is passed to the target"; ``InputPath`` is "The value of the JSONPath
that is used for extracting part of the matched event when passing it to the target".
InputTransformer (API reference): "Input template where you specify placeholders that will be filled
with the values of the keys from InputPathsMap"; "The InputTemplate can also be valid JSON with
variables in quotes or out". What "in quotes or out" means, as the user guide's examples ("Amazon
EventBridge input transformation") show it (the reference has no one-sentence rule to quote; the
wording often cited, "a string placeholder inside a JSON template becomes a JSON string", is a
summary, not AWS's text): a placeholder *outside* quotes is replaced by the JSON value
(``{"instance": <instance>}`` becomes ``{"instance": "i-0123456789"}``: a string value arrives as a
JSON string, a number as a number, an object as an object), a placeholder *inside* a quoted string is
replaced by the bare text (``"<instance> is in state <state>"`` becomes
``"i-0123456789 is in state RUNNING"``). Predefined variables (same page): ``aws.events.rule-arn``,
``aws.events.rule-name``, ``aws.events.event.ingestion-time`` ("an ISO 8601 timestamp"),
``aws.events.event`` ("The original event payload as JSON (without the detail field). Can only be
used as a value for a JSON field") and ``aws.events.event.json`` (the full original event). The
EventBridge tutorial's plain-text template ``"The EC2 instance <instance> has changed state to
<state>."`` arrives at SNS as the sentence itself, without the surrounding quotes.

moto 5.2.5 inserts a string value unquoted (so ``{"sku": <sku>}`` is invalid JSON and put_events
raises ``JSONDecodeError``), ignores ``Input`` and ``InputPath``, knows neither rule variable, and
re-templates the matched event without its ``account`` field when there is no transformer.

Emulator choices where AWS says nothing precise: a path that matches nothing ("that variable isn't
created") becomes ``null`` outside quotes and nothing inside quotes; a wildcard path gives the list of
matches; inside quotes an object or array loses its inner quotes, as the user guide's "Common issues"
describes.
"""

from __future__ import annotations

import functools
import json
from datetime import UTC, datetime
from typing import Any

#: The fields of an event as AWS delivers it, in AWS's order ("ingestion-time" is moto-internal).
EVENT_FIELDS = ("version", "id", "detail-type", "source", "account", "time", "region", "resources", "detail")


def iso_time(value: Any) -> str:
    """AWS writes event times as ``2026-11-25T09:30:00Z``; moto keeps epoch seconds internally."""
    if isinstance(value, datetime):
        stamp = value if value.tzinfo else value.replace(tzinfo=UTC)
    else:
        try:
            stamp = datetime.fromtimestamp(float(value), tz=UTC)
        except (TypeError, ValueError):
            return str(value)
    return stamp.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%SZ")


def delivered_event(moto_event: dict[str, Any]) -> dict[str, Any]:
    """The matched event as AWS hands it to a target: AWS's fields, ISO time, no ingestion-time."""
    event = {key: moto_event[key] for key in EVENT_FIELDS if key in moto_event}
    if "time" in event:
        event["time"] = iso_time(event["time"])
    if "replay-name" in moto_event:  # AWS adds it to replayed events
        event["replay-name"] = moto_event["replay-name"]
    return event


@functools.lru_cache(maxsize=512)
def _compiled(path: str) -> Any:
    """A parsed JSONPath. Parsing costs about 0.6 ms (moto re-parses 8 paths per target per event,
    about 5 ms, which is most of plain moto's EventBridge delivery time); rules reuse a few paths."""
    from jsonpath_ng.ext import parse

    return parse(path)  # type: ignore[no-untyped-call]


def json_path(path: str, event: dict[str, Any]) -> tuple[bool, Any]:
    """(found, value) of an EventBridge JSONPath (dot notation, indices, wildcards)."""
    matches = _compiled(path).find(event)
    if not matches:
        return False, None
    if "*" in path:
        return True, [m.value for m in matches]
    return True, matches[0].value


def _unquoted_text(value: Any) -> str:
    """A value placed inside a JSON string: bare text; objects and arrays lose their inner quotes."""
    if isinstance(value, str):
        return value
    return json.dumps(value).replace('"', "")


def fill_template(template: str, values: dict[str, tuple[bool, Any]], raw_json: set[str]) -> str:
    """Replace each ``<name>`` in ``template``, tracking whether it sits inside a JSON string.

    ``values`` maps a variable to (found, value); ``raw_json`` names variables whose value is a JSON
    text to paste verbatim (``aws.events.event``, ``aws.events.event.json``). Unknown ``<...>`` text
    is left alone, as AWS does for text that is not a variable.
    """
    json_like = template.lstrip()[:1] in ('{', '[', '"')
    out: list[str] = []
    in_string = False
    i = 0
    while i < len(template):
        char = template[i]
        if char == "<":
            end = template.find(">", i + 1)
            name = template[i + 1:end] if end != -1 else ""
            if name in values:
                found, value = values[name]
                inside = in_string or not json_like
                if name in raw_json:
                    out.append(value)
                elif not found:
                    out.append("" if inside else "null")
                else:
                    out.append(_unquoted_text(value) if inside else json.dumps(value))
                i = end + 1
                continue
        if json_like:
            if char == "\\" and in_string:
                out.append(template[i:i + 2])
                i += 2
                continue
            if char == '"':
                in_string = not in_string
        out.append(char)
        i += 1
    return "".join(out)


def transformed(transformer: dict[str, Any], event: dict[str, Any], moto_event: dict[str, Any],
                rule_name: str, rule_arn: str) -> str:
    """The text an InputTransformer produces for ``event``."""
    values: dict[str, tuple[bool, Any]] = {
        name: json_path(path, event) for name, path in (transformer.get("InputPathsMap") or {}).items()
    }
    without_detail = {k: v for k, v in event.items() if k != "detail"}
    ingestion = moto_event.get("ingestion-time", moto_event.get("time"))
    values.update({
        "aws.events.rule-name": (True, rule_name),
        "aws.events.rule-arn": (True, rule_arn),
        "aws.events.event.ingestion-time": (True, iso_time(ingestion)),
        "aws.events.event": (True, json.dumps(without_detail)),
        "aws.events.event.json": (True, json.dumps(event)),
    })
    text = fill_template(transformer.get("InputTemplate", ""), values, {"aws.events.event", "aws.events.event.json"})
    return _unwrap_plain_text(text)


def _unwrap_plain_text(text: str) -> str:
    """A template that is one quoted string arrives as its text (the tutorial's SNS sentence)."""
    stripped = text.strip()
    if len(stripped) >= 2 and stripped[0] == '"' and stripped[-1] == '"':
        try:
            value = json.loads(stripped)
        except ValueError:
            return stripped[1:-1]
        if isinstance(value, str):
            return value
    return text


def target_input(target: dict[str, Any], moto_event: dict[str, Any], rule_name: str, rule_arn: str) -> str:
    """The text EventBridge sends to ``target`` for a matched event (moto's internal event dict)."""
    event = delivered_event(moto_event)
    if "Input" in target and target["Input"] is not None:
        return str(target["Input"])
    if target.get("InputPath"):
        found, value = json_path(target["InputPath"], event)
        return json.dumps(value if found else None)
    if target.get("InputTransformer"):
        return transformed(target["InputTransformer"], event, moto_event, rule_name, rule_arn)
    return json.dumps(event)
