"""GetExecutionHistory pages, reverses and trims events as AWS documents.

AWS (Step Functions API reference, GetExecutionHistory): "maxResults - The maximum number of results
that are returned per call. You can use nextToken to obtain further pages of results. The default is
100 and the maximum allowed page size is 1000"; "nextToken - If nextToken is returned, there are
more results available"; "reverseOrder - Lists events in descending order of their timeStamp";
"includeExecutionData - You can select whether execution data (input or output of a history event)
is returned. The default is true." moto 5.2.5 ignores all four and returns every event, oldest
first, always with data: code that pages (the viz engineer's execution path, a student's paginator)
works only by accident, and ``reverseOrder=True`` -- the usual way to ask "where is it now?" -- gives
the *first* event instead of the latest.

Fix: wrap ``StepFunctionResponse.get_execution_history``: take moto's full list, reverse it if asked,
drop ``input``/``output`` (and their ``...Details``) when ``includeExecutionData`` is false, and
cut pages of ``maxResults`` with an opaque ``nextToken`` (an unknown token is ``InvalidToken``, as
on AWS).
"""

from __future__ import annotations

import base64
import binascii
import copy
import functools
import json
from typing import Any

from ..patching import Patch

NAME = "sfn_history_pages"
DEFAULT_PAGE, MAX_PAGE = 100, 1000
_DATA_KEYS = ("input", "inputDetails", "output", "outputDetails")


def _token(execution_arn: str, offset: int, reverse: bool) -> str:
    raw = json.dumps({"arn": execution_arn, "offset": offset, "reverse": reverse})
    return base64.urlsafe_b64encode(raw.encode()).decode()


def _offset(token: str, execution_arn: str, reverse: bool) -> int:
    """The offset a token points at, or raise InvalidToken (AWS: "The provided token is not valid")."""
    from moto.stepfunctions.exceptions import InvalidToken

    try:
        decoded = json.loads(base64.urlsafe_b64decode(token.encode()))
        if decoded["arn"] == execution_arn and bool(decoded["reverse"]) == reverse and int(decoded["offset"]) >= 0:
            return int(decoded["offset"])
    except (ValueError, KeyError, TypeError, binascii.Error):
        pass
    raise InvalidToken("The provided token is not valid")


def _without_data(event: dict[str, Any]) -> dict[str, Any]:
    trimmed = copy.copy(event)
    for key, value in event.items():
        if key.endswith("EventDetails") and isinstance(value, dict):
            trimmed[key] = {k: v for k, v in value.items() if k not in _DATA_KEYS}
    return trimmed


def page_of(events: list[dict[str, Any]], execution_arn: str, max_results: Any, next_token: Any,
            reverse: Any, include_data: Any) -> dict[str, Any]:
    """The GetExecutionHistory response for one page of ``events`` (moto's full list, oldest first)."""
    reverse = str(reverse).lower() == "true" if isinstance(reverse, str) else bool(reverse)
    include = True if include_data is None else (str(include_data).lower() != "false" if isinstance(include_data, str)
                                                  else bool(include_data))
    size = int(max_results) if max_results not in (None, "", 0, "0") else DEFAULT_PAGE
    size = max(1, min(size, MAX_PAGE))
    ordered = list(reversed(events)) if reverse else list(events)
    start = _offset(next_token, execution_arn, reverse) if next_token else 0
    page = ordered[start:start + size]
    response: dict[str, Any] = {"events": page if include else [_without_data(e) for e in page]}
    if start + size < len(ordered):
        response["nextToken"] = _token(execution_arn, start + size, reverse)
    return response


def _apply() -> None:
    from moto.core.responses import ActionResult
    from moto.stepfunctions.responses import StepFunctionResponse

    history = StepFunctionResponse.get_execution_history

    @functools.wraps(history)
    def paged_history(self: Any) -> Any:
        result = history(self)
        full = getattr(result, "result", None)
        if not isinstance(full, dict) or not isinstance(full.get("events"), list):
            return result
        return ActionResult(page_of(full["events"], self._get_param("executionArn"), self._get_param("maxResults"),
                                    self._get_param("nextToken"), self._get_param("reverseOrder"),
                                    self._get_param("includeExecutionData")))

    StepFunctionResponse.get_execution_history = paged_history  # type: ignore[method-assign]


PATCH = Patch(
    name=NAME,
    restores="GetExecutionHistory honours maxResults (default 100, at most 1000) with nextToken, reverseOrder "
             "and includeExecutionData",
    plain_moto="GetExecutionHistory ignores maxResults, nextToken, reverseOrder and includeExecutionData: every "
               "event, oldest first, with data",
    apply=_apply,
    targets={"moto.stepfunctions.responses:StepFunctionResponse.get_execution_history": "3889cc6224ac"},
)
