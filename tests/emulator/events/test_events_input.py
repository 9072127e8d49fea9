"""What a target receives with Input, InputPath and InputTransformer (module ``events_input``).

API reference, Target: ``Input`` is "Valid JSON text passed to the target. In this case, nothing
from the event itself is passed to the target"; ``InputPath`` is "The value of the JSONPath that is
used for extracting part of the matched event when passing it to the target". InputTransformer:
"Input template where you specify placeholders that will be filled with the values of the keys from
InputPathsMap"; "The InputTemplate can also be valid JSON with variables in quotes or out". The user
guide's examples: a placeholder outside quotes becomes the JSON value (``"instance": <instance>``
gives ``"instance": "i-0123456789"``), inside quotes the bare text; the tutorial's plain-text
template ``"The EC2 instance <instance> has changed state to <state>."`` arrives as the sentence.
Predefined variables: aws.events.rule-name, aws.events.rule-arn, aws.events.event.json, ...

Plain moto 5.2.5 puts a string unquoted (``{"sku": <sku>}`` -> invalid JSON, put_events raises),
ignores Input and InputPath, and knows no rule variables: every put_events test here fails on plain
moto (``LABS_EMULATOR_DISABLE=events_targets``); ``test_fill_template`` pins the substitution rules.
"""

from __future__ import annotations

import json
from typing import Any

import pytest

from labs.helpers import Lab
from labs.helpers.emulator.events.input import fill_template
from tests.emulator.events_helpers import drain, put_order, rule
from tests.emulator.lambda_helpers import queue

pytestmark = pytest.mark.usefixtures("emulator")


def _delivered(lab: Lab, target: dict[str, Any], detail: dict[str, Any] | None = None) -> str:
    """Body of the one message a queue target receives for one OrderPlaced event."""
    url, arn = queue(lab, "orders")
    bus = rule(lab, [{"Id": "q", "Arn": arn, **target}])
    put_order(lab, bus, detail)
    [message] = drain(lab, url)
    return str(message["Body"])


def test_string_placeholder_in_a_json_template_becomes_a_json_string(lab: Lab) -> None:
    transformer = {"InputPathsMap": {"order": "$.detail.orderId", "qty": "$.detail.quantity",
                                     "total": "$.detail.total", "lines": "$.detail.lines"},
                   "InputTemplate": '{"order": <order>, "qty": <qty>, "total": <total>, "lines": <lines>}'}
    body = _delivered(lab, {"InputTransformer": transformer},
                      {"orderId": "o-7", "quantity": 3, "total": 12.5, "lines": [{"sku": "A"}]})
    assert json.loads(body) == {"order": "o-7", "qty": 3, "total": 12.5, "lines": [{"sku": "A"}]}


def test_placeholder_inside_quotes_is_bare_text(lab: Lab) -> None:
    transformer = {"InputPathsMap": {"order": "$.detail.orderId", "qty": "$.detail.quantity"},
                   "InputTemplate": '{"summary": "order <order> x<qty>", "order": <order>}'}
    body = _delivered(lab, {"InputTransformer": transformer})
    assert json.loads(body) == {"summary": "order o-1001 x2", "order": "o-1001"}


def test_plain_text_template_arrives_as_the_sentence(lab: Lab) -> None:
    transformer = {"InputPathsMap": {"order": "$.detail.orderId"},
                   "InputTemplate": '"Order <order> was placed."'}
    assert _delivered(lab, {"InputTransformer": transformer}) == "Order o-1001 was placed."


def test_predefined_variables(lab: Lab) -> None:
    transformer = {"InputTemplate": '{"rule": <aws.events.rule-name>, "arn": <aws.events.rule-arn>, '
                                    '"event": <aws.events.event.json>, "at": <aws.events.event.ingestion-time>}'}
    body = json.loads(_delivered(lab, {"InputTransformer": transformer}))
    assert body["rule"] == lab.name("orders-rule")
    assert body["arn"].endswith(f":rule/{lab.name('orders-bus')}/{lab.name('orders-rule')}")
    assert body["event"]["detail"]["orderId"] == "o-1001" and body["event"]["source"] == "securecart.orders"
    assert body["at"].endswith("Z") and "T" in body["at"]  # "This is an ISO 8601 timestamp"


def test_input_replaces_the_event(lab: Lab) -> None:
    assert json.loads(_delivered(lab, {"Input": '{"kind": "audit"}'})) == {"kind": "audit"}


def test_input_path_sends_part_of_the_event(lab: Lab) -> None:
    assert json.loads(_delivered(lab, {"InputPath": "$.detail"}))["orderId"] == "o-1001"


@pytest.mark.parametrize(("template", "values", "expected"), [
    ('{"a": <x>}', {"x": (True, 'say "hi"')}, '{"a": "say \\"hi\\""}'),  # JSON value: properly escaped
    ('{"a": "<x>"}', {"x": (True, {"k": "v"})}, '{"a": "{k: v}"}'),  # AWS: "Detail is {key1: value1}"
    ('{"a": <missing>}', {"missing": (False, None)}, '{"a": null}'),
    ("<x> is in state <y>", {"x": (True, "i-1"), "y": (True, "RUNNING")}, "i-1 is in state RUNNING"),
    ('{"a": "\\"<x>\\""}', {"x": (True, "q")}, '{"a": "\\"q\\""}'),  # escaped quotes stay inside the string
    ('{"a": <b>}', {}, '{"a": <b>}'),  # not a variable: left alone
])
def test_fill_template(template: str, values: dict[str, tuple[bool, Any]], expected: str) -> None:
    assert fill_template(template, values, set()) == expected
