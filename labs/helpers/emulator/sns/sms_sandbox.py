"""The account is in the SNS SMS sandbox: SMS reaches only destination numbers verified with an OTP.

AWS (SNS developer guide, "Using the Amazon SNS SMS sandbox"): "Newly created Amazon SNS SMS accounts
are automatically placed into the SMS sandbox ... You can only send SMS messages to verified
destination phone numbers. You can have up to 10 verified destination phone numbers." "Adding and
verifying phone numbers in the SMS sandbox": adding a number makes "Amazon SNS send a one-time
password (OTP) to the destination phone number"; entering it verifies the number. API reference:
CreateSMSSandboxPhoneNumber ("Adds a destination phone number ... and sends a one-time password
(OTP) to that phone number"; PhoneNumber pattern ``^(\\+[0-9]{8,}|[0-9]{0,9})$``, LanguageCode),
VerifySMSSandboxPhoneNumber (OneTimePassword 5-8 digits; ``ResourceNotFound`` for a number never
added, ``VerificationException`` "Indicates that the one-time password (OTP) used for verification
is invalid"), ListSMSSandboxPhoneNumbers (``PhoneNumbers`` of ``{PhoneNumber, Status: Pending |
Verified}``), DeleteSMSSandboxPhoneNumber, GetSMSSandboxAccountStatus (``IsInSandbox``; leaving the
sandbox is a support case, so it stays true). SetSMSAttributes ``DefaultSMSType``: "Promotional
(default)" or "Transactional"; the ``AWS.SNS.SMS.SMSType`` message attribute chooses per message
("Publishing to a mobile phone").

What plain moto 5.2.5 does instead: none of the five sandbox operations exists (``NotImplemented``);
every SMS is "sent" to any number.

How the emulator does it: the five operations are added to moto's SNS responses, with state per
account and region. The OTP message lands in the emulator's outbox
(:func:`labs.helpers.emulator.sns.delivery_protocols.sent` / ``functions.outbox(lab, "sms")``) as
an entry with ``type="SandboxVerification"`` and the code in ``otp`` (its text is the emulator's:
AWS does not document the wording), so a notebook can read it and verify. A publish with
``PhoneNumber`` to a verified number is recorded in the outbox too (``topic_arn`` None); to an
unverified number, and an ``sms`` subscription's delivery to one, is not delivered: the publish
still answers a MessageId (AWS documents no error for it) and the trace gets
``Delivery(service="sns", action="sms" | "fanout", status="failed", detail={"error": "... is not a
verified destination phone number in the SMS sandbox", "error_code": "SandboxNotVerified"})``.
Every SMS outbox entry has ``sms_type`` (the message's ``AWS.SNS.SMS.SMSType``, else the account's
``DefaultSMSType``, else ``Promotional``). Not modelled: the 24-hour wait before a number can be
deleted, the 5-OTPs-a-day limit, origination identities.
"""

from __future__ import annotations

import functools
import re
import secrets
import threading
from typing import Any

from ...observe import Delivery, emit
from ..patching import Patch

NAME = "sns_sms_sandbox"
MAX_NUMBERS = 10
PHONE = re.compile(r"^(\+[0-9]{8,}|[0-9]{0,9})$")
SMS_TYPE_ATTRIBUTE = "AWS.SNS.SMS.SMSType"
_lock = threading.Lock()
#: (account, region) -> phone number -> {"status": "Pending" | "Verified", "otp": str}
_numbers: dict[tuple[str, str], dict[str, dict[str, str]]] = {}


def clear() -> None:
    with _lock:
        _numbers.clear()


def _book(account: str, region: str) -> dict[str, dict[str, str]]:
    return _numbers.setdefault((account, region), {})


def verified(account: str, region: str, phone_number: str) -> bool:
    """Whether SMS may be sent to ``phone_number`` from this account and region."""
    with _lock:
        return _book(account, region).get(phone_number, {}).get("status") == "Verified"


def sms_type(backend: Any, message_attributes: dict[str, Any] | None) -> str:
    """Transactional or Promotional: the message's AWS.SNS.SMS.SMSType, else the account default."""
    chosen = (message_attributes or {}).get(SMS_TYPE_ATTRIBUTE, {})
    value = chosen.get("Value") or chosen.get("StringValue")
    return str(value or backend.sms_attributes.get("DefaultSMSType") or "Promotional")


def _error(code: str, message: str) -> Exception:
    from moto.sns.exceptions import SNSException

    error = SNSException(message)
    error.code = code  # type: ignore[attr-defined]
    return error


def _check_number(number: Any) -> str:
    from moto.sns.exceptions import SNSInvalidParameter

    if not isinstance(number, str) or not number or len(number) > 20 or not PHONE.match(number):
        raise SNSInvalidParameter(f"Invalid parameter: PhoneNumber Reason: {number} is not a valid phone number")
    return number


def _outbox_append(entry: dict[str, Any]) -> None:
    from .delivery_protocols import _outbox, _outbox_lock

    base = {"protocol": "sms", "subject": None, "message_id": None, "topic_arn": None, "subscription_arn": None}
    with _outbox_lock:
        _outbox.append({**base, **entry})


def _not_verified(number: str) -> str:
    return (f"{number} is not a verified destination phone number in the SMS sandbox "
            f"(create_sms_sandbox_phone_number, then verify_sms_sandbox_phone_number with the OTP)")


# ---------------------------------------------------------------------------- the five operations
def create_sms_sandbox_phone_number(self: Any) -> Any:
    from moto.core.responses import EmptyResult

    number = _check_number(self._get_param("PhoneNumber"))
    otp = f"{secrets.randbelow(10**6):06d}"
    with _lock:
        book = _book(self.current_account, self.region)
        if number not in book and sum(1 for n in book.values() if n["status"] == "Verified") >= MAX_NUMBERS:
            raise _error("UserError", f"You can have up to {MAX_NUMBERS} verified destination phone numbers in the "
                                      f"SMS sandbox.")
        status = book.get(number, {}).get("status", "Pending")
        book[number] = {"status": status, "otp": otp}
    text = f"Your Amazon SNS verification code is: {otp}"
    _outbox_append({"endpoint": number, "message": text, "body": text, "type": "SandboxVerification", "otp": otp,
                    "language": self._get_param("LanguageCode") or "en-US", "sms_type": "Transactional"})
    return EmptyResult()


def verify_sms_sandbox_phone_number(self: Any) -> Any:
    from moto.core.responses import EmptyResult

    number = _check_number(self._get_param("PhoneNumber"))
    otp = str(self._get_param("OneTimePassword") or "")
    with _lock:
        entry = _book(self.current_account, self.region).get(number)
        if entry is None:
            raise _error("ResourceNotFound", f"Destination phone number {number} not found in the SMS sandbox.")
        if entry["status"] != "Verified":
            if otp != entry["otp"]:
                raise _error("VerificationException", "Invalid one-time password (OTP).")
            entry["status"] = "Verified"
    return EmptyResult()


def list_sms_sandbox_phone_numbers(self: Any) -> Any:
    from moto.core.responses import ActionResult

    with _lock:
        numbers = [{"PhoneNumber": n, "Status": e["status"]} for n, e in _book(self.current_account, self.region).items()]
    return ActionResult({"PhoneNumbers": numbers})


def delete_sms_sandbox_phone_number(self: Any) -> Any:
    from moto.core.responses import EmptyResult

    number = _check_number(self._get_param("PhoneNumber"))
    with _lock:
        if _book(self.current_account, self.region).pop(number, None) is None:
            raise _error("ResourceNotFound", f"Destination phone number {number} not found in the SMS sandbox.")
    return EmptyResult()


def get_sms_sandbox_account_status(self: Any) -> Any:
    from moto.core.responses import ActionResult

    return ActionResult({"IsInSandbox": True})


OPERATIONS = (create_sms_sandbox_phone_number, verify_sms_sandbox_phone_number, list_sms_sandbox_phone_numbers,
              delete_sms_sandbox_phone_number, get_sms_sandbox_account_status)


# ---------------------------------------------------------------------------- deliveries
def _apply() -> None:
    from moto.sns.models import SNSBackend, Subscription
    from moto.sns.responses import SNSResponse

    from .. import on_reset
    from . import delivery_protocols

    for operation in OPERATIONS:
        setattr(SNSResponse, operation.__name__, operation)

    publish_model = SNSBackend.publish

    @functools.wraps(publish_model)
    def publish(self: Any, message: str, arn: str | None, phone_number: str | None = None, *args: Any,
                **kwargs: Any) -> str:
        message_id = publish_model(self, message, arn, phone_number, *args, **kwargs)
        if phone_number:
            attributes = kwargs.get("message_attributes") if "message_attributes" in kwargs else \
                (args[1] if len(args) > 1 else None)
            base = {"service": "sns", "action": "sms", "source": "client", "target": phone_number,
                    "message_id": message_id, "cause_id": message_id, "payload": message}
            if verified(self.account_id, self.region_name, phone_number):
                _outbox_append({"endpoint": phone_number, "message": message, "body": message,
                                "message_id": message_id, "sms_type": sms_type(self, attributes)})
                emit(Delivery(status="delivered", detail={"protocol": "sms"}, **base))
            else:
                emit(Delivery(status="failed", detail={"protocol": "sms", "error": _not_verified(phone_number),
                                                        "error_code": "SandboxNotVerified"}, **base))
        return message_id

    subscription_publish = Subscription.publish

    @functools.wraps(subscription_publish)
    def subscription_sms(self: Any, message: str, message_id: str, *args: Any, **kwargs: Any) -> None:
        matcher = self._filter_policy_matcher
        attributes = kwargs.get("message_attributes")
        if self.protocol != "sms" or (matcher is not None and not matcher.matches(attributes, message)) or \
                verified(self.account_id, self.topic.sns_backend.region_name, self.endpoint):
            subscription_publish(self, message, message_id, *args, **kwargs)
            return
        emit(Delivery(service="sns", action="fanout", source=self.topic.arn, target=self.endpoint,
                      message_id=message_id, cause_id=message_id, status="failed", payload=message,
                      detail={"protocol": "sms", "subscription": self.arn, "error": _not_verified(self.endpoint),
                              "error_code": "SandboxNotVerified"}))

    record = delivery_protocols._record

    @functools.wraps(record)
    def record_with_type(subscription: Any, message: str, message_id: str, subject: str | None,
                         message_attributes: dict[str, Any] | None) -> None:
        record(subscription, message, message_id, subject, message_attributes)
        if subscription.protocol == "sms":
            with delivery_protocols._outbox_lock:
                for entry in reversed(delivery_protocols._outbox):
                    if entry["message_id"] == message_id and entry["subscription_arn"] == subscription.arn:
                        entry["sms_type"] = sms_type(subscription.topic.sns_backend, message_attributes)
                        break

    SNSBackend.publish = publish  # type: ignore[method-assign]
    Subscription.publish = subscription_sms  # type: ignore[method-assign]
    delivery_protocols._record = record_with_type  # type: ignore[assignment]
    on_reset(clear)


PATCH = Patch(
    name=NAME,
    restores="the account is in the SMS sandbox (GetSMSSandboxAccountStatus IsInSandbox true): "
             "CreateSMSSandboxPhoneNumber sends an OTP (in the emulator's outbox), VerifySMSSandboxPhoneNumber with it "
             "verifies the number, ListSMSSandboxPhoneNumbers/DeleteSMSSandboxPhoneNumber manage them, and SMS "
             "(Publish PhoneNumber or sms subscriptions) reaches only verified numbers",
    plain_moto="the SMS sandbox operations are not implemented; SMS is accepted for any number",
    apply=_apply,
    targets={
        "moto.sns.models:SNSBackend.publish": "6356a2b5b79e",
        "moto.sns.models:Subscription.publish": "fd07bd0bb87f",
    },
)
