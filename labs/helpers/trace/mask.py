"""Masking: what a trace shows must be safe to screenshot, share in a forum or commit.

A notebook output is the most copied thing in a course. So nothing the trace displays may carry a
credential, an AWS account id or a usable receipt handle (a receipt handle lets anyone holding it
delete the message). Everything is masked at display time, not at record time, so the hot path
of a traced call stays cheap.

What is replaced, in this order:

* ARNs (``arn:aws:sqs:us-east-1:123456789012:orders``) and account-scoped URLs
  (``https://sqs.us-east-1.amazonaws.com/123456789012/orders``) -> the short resource name.
* the session's own access key, secret key and session token, and anything shaped like an access
  key id (``AKIA``/``ASIA`` + 16 characters) -> ``****``.
* long opaque tokens (100+ URL/base64 characters: receipt handles, shard iterators, session
  tokens) -> first and last four characters, ``AQEB…3f2a``.
* any remaining 12-digit number (an account id on its own) -> ``************``.

Ids (message ids, event ids, sequence numbers, order ids) are shown as recorded: they must equal
what the student's own code got back, and a UUID's last group can be twelve decimal digits. They
hold no account: an id that is an ARN is stored without its account (:func:`short_id`).
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from typing import Any

#: ``arn:partition:service:region:account:resource`` with a 12-digit account.
_ARN = re.compile(r"arn:aws[\w-]*:[\w-]+:[\w-]*:\d{12}:[^\s\"',}\]\\)]+")
#: An account-scoped URL path segment: ``.../123456789012/queue-name``.
_ACCOUNT_URL = re.compile(r"https?://[^\s\"'/]+/\d{12}/([\w.-]+)")
_ACCESS_KEY = re.compile(r"\b(?:AKIA|ASIA|AROA|AIDA)[A-Z0-9]{16}\b")
_LONG_TOKEN = re.compile(r"[A-Za-z0-9+/=_-]{100,}")
_ACCOUNT = re.compile(r"(?<!\d)\d{12}(?!\d)")
MASKED_ACCOUNT = "************"


def short_handle(token: str) -> str:
    """``AQEBzbVv...3f2a`` -> ``AQEB…3f2a``: enough to tell two handles apart, useless to delete with."""
    return f"{token[:4]}…{token[-4:]}" if len(token) > 12 else token


def short_name(value: str) -> str:
    """The resource name inside an ARN or an account-scoped URL; anything else unchanged.

    ``arn:aws:sqs:r:a:orders`` -> ``orders``; ``arn:aws:events:r:a:event-bus/audit`` -> ``audit``;
    ``arn:aws:states:r:a:execution:fulfil:run-1`` -> ``fulfil:run-1``;
    ``arn:aws:dynamodb:r:a:table/orders/stream/2026-...`` -> ``orders``;
    ``arn:aws:sns:r:a:topic:subscription-id`` -> ``topic``.
    """
    if value.startswith("arn:"):
        parts = value.split(":", 5)
        if len(parts) < 6:
            return value
        service, resource = parts[2], parts[5]
        if service == "states":
            kind, _, rest = resource.partition(":")
            return rest if kind == "execution" else rest.split(":")[0] or resource
        if service == "sns":
            return resource.split(":")[0]
        if service == "lambda":
            return resource.split(":")[1] if resource.startswith("function:") else resource
        if service == "dynamodb":
            pieces = resource.split("/")
            return pieces[1] if len(pieces) > 1 else resource
        if service == "events" and resource.startswith("rule/"):
            return resource[len("rule/"):]
        return resource.rsplit("/", 1)[-1] if "/" in resource else resource.rsplit(":", 1)[-1]
    if value.startswith(("http://", "https://")):
        return value.rstrip("/").rsplit("/", 1)[-1]
    return value


def short_id(value: str | None) -> str | None:
    """Ids that are ARNs (an execution ARN) lose their account: the same rule for calls and
    deliveries, so a delivery's ``cause_id`` still matches the call's id."""
    if value is None:
        return None
    value = str(value)
    if value.startswith("arn:"):
        parts = value.split(":", 5)
        return parts[5] if len(parts) == 6 else value
    return value


class Masker:
    """Masks one lab's secrets (its session credentials) plus everything secret-shaped."""

    def __init__(self, secrets: Iterable[str | None] = ()) -> None:
        # Short values ("testing", the emulator's fake credentials) are not secrets, and masking
        # them would mangle ordinary words; real access keys are 20 characters, secrets 40.
        self.secrets = sorted({s for s in secrets if s and len(s) >= 16}, key=len, reverse=True)
        self._names: dict[str, str] = {}

    def name(self, value: str) -> str:
        """:meth:`text` for resource names, memoised: a trace names a few resources many times."""
        cache = self._names
        masked = cache.get(value)
        if masked is None:
            masked = self.text(value)
            if len(cache) < 4096:
                cache[value] = masked
        return masked

    def text(self, value: Any) -> str:
        """``value`` as a display string with every secret-shaped part replaced."""
        text = value if isinstance(value, str) else str(value)
        if "arn:" in text:
            text = _ARN.sub(lambda m: short_name(m.group(0)), text)
        if "://" in text:
            text = _ACCOUNT_URL.sub(r"\1", text)
        for secret in self.secrets:
            if secret in text:
                text = text.replace(secret, "****")
        text = _ACCESS_KEY.sub("****", text)
        text = _LONG_TOKEN.sub(lambda m: short_handle(m.group(0)), text)
        return _ACCOUNT.sub(MASKED_ACCOUNT, text)

    def summary(self, value: Any, width: int = 80) -> str:
        """A one-line, masked summary of at most ``width`` characters."""
        if value is None:
            return ""
        text = " ".join(self.text(value).split())
        return text if len(text) <= width else text[: width - 1] + "…"

    def value(self, value: Any) -> Any:
        """Mask every string inside a (nested) dict/list/tuple; other values unchanged."""
        if isinstance(value, str):
            return self.text(value)
        if isinstance(value, dict):
            return {self.text(k) if isinstance(k, str) else k: self.value(v) for k, v in value.items()}
        if isinstance(value, (list, tuple)):
            return type(value)(self.value(v) for v in value)
        if isinstance(value, (bytes, bytearray)):
            return self.text(bytes(value).decode("utf-8", "replace"))
        return value
