"""EventBridge patterns match fields of objects inside arrays.

AWS (user guide, "Event patterns", arrays): "If the value in the event is an array, then the event
pattern matches if the intersection of the event pattern array and the event array is non-empty",
and a pattern field reaches into the objects of an array: ``{"detail": {"items": {"sku": ["BOOK-2"]}}}``
matches an order whose ``items`` list holds ``{"sku": "BOOK-2", ...}``. "Exists matching only works
on leaf nodes. It does not work on intermediate nodes", so ``items`` itself (an array of objects) is
not a leaf. moto 5.2.5 flattens nested objects but stops at arrays, so a rule routing orders by line
item (a SecureCart lab step) never matched.

The fix is in how moto flattens an event before matching (``EventPattern._flatten_dict``): the
objects of an array are flattened too and their leaves collected into lists under the joined key,
which moto's matcher already treats as "any element matches".
"""

from __future__ import annotations

from typing import Any

from ..patching import Patch

NAME = "events_pattern_arrays"


def flatten(node: Any, prefix: str = "", result: dict[str, Any] | None = None) -> dict[str, Any]:
    """``{"a": {"b": 1}, "c": [{"d": 2}, {"d": 3}]}`` -> ``{"a.b": 1, "c.d": [2, 3]}``."""
    if result is None:
        result = {}
    if not isinstance(node, dict):
        return result
    for key, value in node.items():
        path = f"{prefix}.{key}" if prefix else key
        if isinstance(value, dict) and value:
            flatten(value, path, result)
        elif isinstance(value, list) and any(isinstance(v, dict) for v in value):
            scalars = [v for v in value if not isinstance(v, dict)]
            if scalars:
                result[path] = scalars
            for element in (v for v in value if isinstance(v, dict)):
                for leaf, leaf_value in flatten(element, path).items():
                    collected = result.setdefault(leaf, [])
                    if not isinstance(collected, list):
                        collected = result[leaf] = [collected]
                    collected.extend(leaf_value if isinstance(leaf_value, list) else [leaf_value])
        else:
            result[path] = value
    return result


def _apply() -> None:
    from moto.events.models import EventPattern

    EventPattern._flatten_dict = staticmethod(flatten)  # type: ignore[method-assign,assignment]


PATCH = Patch(
    name=NAME,
    restores="Event patterns match fields of objects inside arrays (detail.items[].sku), as rules on AWS do",
    plain_moto="Fields inside arrays of objects never match",
    apply=_apply,
    targets={"moto.events.models:EventPattern._flatten_dict": "26dca5bdb273"},
)
