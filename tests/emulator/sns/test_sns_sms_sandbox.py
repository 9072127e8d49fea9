"""The account is in the SMS sandbox: SMS reaches only destination numbers verified with the OTP.

SNS developer guide, "Using the Amazon SNS SMS sandbox" ("You can only send SMS messages to verified
destination phone numbers") and "Adding and verifying phone numbers in the SMS sandbox"; API
reference CreateSMSSandboxPhoneNumber, VerifySMSSandboxPhoneNumber, ListSMSSandboxPhoneNumbers,
DeleteSMSSandboxPhoneNumber, GetSMSSandboxAccountStatus. Plain moto 5.2.5 implements none of them
and texts any number.
"""

from __future__ import annotations

import pytest
from botocore.exceptions import ClientError

from labs.helpers import Lab
from labs.helpers.emulator import status
from labs.helpers.functions import outbox
from labs.helpers.observe import Delivery
from tests.emulator.events_helpers import notifications, verify_phone

PHONE = "+15555550100"


def _otp(lab: Lab, number: str = PHONE) -> str:
    return [m["otp"] for m in outbox(lab, "sms") if m.get("type") == "SandboxVerification" and m["endpoint"] == number][-1]


def test_layer_is_applied(emulator: None) -> None:
    assert status()["sns_sms_sandbox"].applied, status()["sns_sms_sandbox"].reason


def test_the_account_is_in_the_sandbox(lab: Lab) -> None:
    assert lab.client("sns").get_sms_sandbox_account_status()["IsInSandbox"] is True


def test_a_number_is_pending_until_verified_with_the_otp_from_the_outbox(lab: Lab) -> None:
    sns = lab.client("sns")
    sns.create_sms_sandbox_phone_number(PhoneNumber=PHONE, LanguageCode="en-US")
    assert sns.list_sms_sandbox_phone_numbers()["PhoneNumbers"] == [{"PhoneNumber": PHONE, "Status": "Pending"}]
    code = _otp(lab)
    assert len(code) == 6 and code.isdigit() and code in outbox(lab, "sms")[-1]["message"]
    with pytest.raises(ClientError) as err:
        sns.verify_sms_sandbox_phone_number(PhoneNumber=PHONE, OneTimePassword="000000" if code != "000000" else "111111")
    assert err.value.response["Error"]["Code"] == "VerificationException"
    sns.verify_sms_sandbox_phone_number(PhoneNumber=PHONE, OneTimePassword=code)
    assert sns.list_sms_sandbox_phone_numbers()["PhoneNumbers"] == [{"PhoneNumber": PHONE, "Status": "Verified"}]
    sns.delete_sms_sandbox_phone_number(PhoneNumber=PHONE)
    assert sns.list_sms_sandbox_phone_numbers()["PhoneNumbers"] == []


def test_verifying_or_deleting_a_number_never_added_is_resource_not_found(lab: Lab) -> None:
    for call, kwargs in [("verify_sms_sandbox_phone_number", {"OneTimePassword": "123456"}),
                         ("delete_sms_sandbox_phone_number", {})]:
        with pytest.raises(ClientError) as err:
            getattr(lab.client("sns"), call)(PhoneNumber=PHONE, **kwargs)
        assert err.value.response["Error"]["Code"] == "ResourceNotFound"


def test_sms_to_an_unverified_number_is_not_delivered_and_the_trace_says_why(lab: Lab, deliveries: list[Delivery]) -> None:
    sns = lab.client("sns")
    topic = sns.create_topic(Name=lab.name("alerts"))["TopicArn"]
    sns.subscribe(TopicArn=topic, Protocol="sms", Endpoint=PHONE)
    assert sns.publish(TopicArn=topic, Message="order o-1 shipped")["MessageId"]
    assert sns.publish(PhoneNumber=PHONE, Message="your code is 42")["MessageId"]
    assert notifications(lab, "sms") == []
    failed = [d for d in deliveries if d.service == "sns" and d.status == "failed"]
    assert [d.action for d in failed] == ["fanout", "sms"]
    assert all(d.detail["error"].startswith(f"{PHONE} is not a verified destination phone number in the SMS sandbox")
               for d in failed)


def test_verified_numbers_get_sms_with_their_type(lab: Lab) -> None:
    sns = lab.client("sns")
    topic = sns.create_topic(Name=lab.name("alerts"))["TopicArn"]
    sns.subscribe(TopicArn=topic, Protocol="sms", Endpoint=PHONE)
    verify_phone(lab, PHONE)
    sns.publish(TopicArn=topic, Message="order o-1 shipped")
    message_id = sns.publish(PhoneNumber=PHONE, Message="your code is 42", MessageAttributes={
        "AWS.SNS.SMS.SMSType": {"DataType": "String", "StringValue": "Transactional"}})["MessageId"]
    sent = notifications(lab, "sms")
    assert [(m["message"], m["topic_arn"], m["sms_type"]) for m in sent] == [
        ("order o-1 shipped", topic, "Promotional"), ("your code is 42", None, "Transactional")]
    assert sent[-1]["message_id"] == message_id


def test_the_default_sms_type_is_the_accounts(lab: Lab) -> None:
    sns = lab.client("sns")
    sns.set_sms_attributes(attributes={"DefaultSMSType": "Transactional"})
    verify_phone(lab, PHONE)
    sns.publish(PhoneNumber=PHONE, Message="hello")
    assert notifications(lab, "sms")[-1]["sms_type"] == "Transactional"
