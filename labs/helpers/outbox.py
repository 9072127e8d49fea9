"""What SNS sent to people: e-mails, e-mail JSON and text messages, read back for a notebook.

On AWS an e-mail subscription's confirmation link goes to a real mailbox and an SMS to a real phone;
the learner opens them. The emulator keeps them in an **outbox** instead (see
:mod:`labs.helpers.emulator.sns.delivery_protocols`), and this module reads it: in this process on the
embedded backend, over HTTP (``GET /moto-api/labs/outbox``) on the shared emulator
(``python -m labs emulator``). Reading the mailbox is bookkeeping, so a helper does it; confirming the
subscription with the token (``confirm_subscription``) stays the learner's call.

On real AWS there is no outbox: :func:`confirmation_token` says where to find the token instead.
"""

from __future__ import annotations

import json
import os
import re
import urllib.error
import urllib.request
from typing import Any

from .backend import BackendKind
from .context import Lab
from .errors import LabError

_TOKEN = re.compile(r"[?&]Token=([0-9a-zA-Z]+)")


def _all(lab: Lab | None) -> list[dict[str, Any]]:
    if lab is None or lab.backend.kind is BackendKind.EMBEDDED:
        from .emulator.sns.delivery_protocols import sent

        return sent()
    if lab.backend.kind is BackendKind.AWS:
        raise LabError("On real AWS, SNS sends e-mails and text messages to real mailboxes and phones; "
                       "there is no outbox to read.", "Open the mailbox or phone you subscribed.")
    endpoint = os.environ.get("AWS_ENDPOINT_URL_SNS") or lab.backend.endpoint_url or ""
    try:
        with urllib.request.urlopen(endpoint.rstrip("/") + "/moto-api/labs/outbox", timeout=30) as response:  # noqa: S310 - the lab's own endpoint
            return list(json.loads(response.read())["sent"])
    except (urllib.error.URLError, ValueError, KeyError) as err:
        raise LabError(f"The endpoint {endpoint} has no outbox to read ({err}).",
                       "The outbox exists on the embedded emulator and on `python -m labs emulator`; elsewhere "
                       "open the mailbox or phone you subscribed.") from None


def messages(lab: Lab | None = None, protocol: str | None = None, *, endpoint: str | None = None) -> list[dict[str, Any]]:
    """E-mail, email-json and SMS messages SNS sent, oldest first; with a lab, only from its topics.

    Each entry: ``protocol``, ``endpoint``, ``subject``, ``message``, ``message_id``, ``topic_arn``,
    ``subscription_arn``, ``body`` (what the recipient gets); confirmation messages also have
    ``type`` "SubscriptionConfirmation" and ``token``.
    """
    entries = [e for e in _all(lab) if (protocol is None or e["protocol"] == protocol)
               and (endpoint is None or e["endpoint"] == endpoint)]
    if lab is not None:  # the lab's topics: its prefix, or created through it under another name
        entries = [e for e in entries if not e.get("topic_arn")
                   or lab.owns("sns-topic", str(e["topic_arn"]).rsplit(":", 1)[-1])]
    return entries


def confirmation_token(lab: Lab, endpoint: str) -> str:
    """The token of the newest subscription confirmation SNS sent to ``endpoint`` (an e-mail address).

    It is the ``Token`` of the link in the confirmation e-mail; ``confirm_subscription`` takes it.
    """
    if lab.backend.kind is BackendKind.AWS:
        raise LabError(f"On real AWS the confirmation goes to the mailbox of {endpoint}.",
                       "Open the e-mail 'AWS Notification - Subscription Confirmation', copy the Token= part of "
                       "its link and pass it to confirm_subscription (or just click the link).")
    for entry in reversed(messages(lab, endpoint=endpoint)):
        token = entry.get("token") or next(iter(_TOKEN.findall(str(entry.get("message", "")))), None)
        if entry.get("type") == "SubscriptionConfirmation" and token:
            return str(token)
    raise LabError(f"No subscription confirmation was sent to {endpoint}.",
                   f"Subscribe {endpoint} with protocol 'email' or 'email-json' first; SNS then sends the confirmation.")


def verification_code(lab: Lab, phone: str) -> str:
    """The one-time password SNS texted to ``phone`` for the SMS sandbox (``create_sms_sandbox_phone_number``);
    ``verify_sms_sandbox_phone_number`` takes it."""
    if lab.backend.kind is BackendKind.AWS:
        raise LabError(f"On real AWS the one-time password is texted to {phone}.",
                       "Read it on that phone and pass it to verify_sms_sandbox_phone_number.")
    for entry in reversed(messages(lab, "sms", endpoint=phone)):
        if entry.get("type") == "SandboxVerification" and entry.get("otp"):
            return str(entry["otp"])
    raise LabError(f"No verification code was texted to {phone}.",
                   f"Call create_sms_sandbox_phone_number(PhoneNumber='{phone}') first; SNS then texts the code.")
