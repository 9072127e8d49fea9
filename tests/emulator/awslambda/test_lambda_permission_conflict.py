"""add_permission with a StatementId the policy already has is a ResourceConflictException.

AddPermission API reference, Errors: "ResourceConflictException - The resource already exists", HTTP
409; AWS's message: "The statement id (<sid>) provided already exists. Please provide a new statement
id, or remove the existing statement." Plain moto 5.2.5 appends a duplicate statement.
"""

from __future__ import annotations

import json

import pytest
from botocore.exceptions import ClientError

import tests.emulator.lambda_helpers as lh
from labs.helpers import Lab

TOPIC = "arn:aws:sns:us-east-1:123456789012:order-events"


def _grant(lab: Lab, sid: str = "sns-order-events") -> None:
    lab.client("lambda").add_permission(FunctionName=lab.name("notifier"), StatementId=sid, Action="lambda:InvokeFunction",
                                        Principal="sns.amazonaws.com", SourceArn=TOPIC)


def test_the_same_statement_id_twice_is_refused_and_the_policy_keeps_one(lab: Lab) -> None:
    lh.deploy(lab, "notifier", lh.FORWARD, env={"OUT": "unused"})
    _grant(lab)
    with pytest.raises(ClientError) as info:
        _grant(lab)
    error, meta = info.value.response["Error"], info.value.response["ResponseMetadata"]
    assert error["Code"] == "ResourceConflictException" and meta["HTTPStatusCode"] == 409
    assert error["Message"] == ("The statement id (sns-order-events) provided already exists. Please provide a new "
                                "statement id, or remove the existing statement.")
    policy = json.loads(lab.client("lambda").get_policy(FunctionName=lab.name("notifier"))["Policy"])
    assert [s["Sid"] for s in policy["Statement"]] == ["sns-order-events"]


def test_another_statement_id_or_a_removed_one_can_be_added(lab: Lab) -> None:
    lh.deploy(lab, "notifier", lh.FORWARD, env={"OUT": "unused"})
    _grant(lab)
    _grant(lab, "events-rule")
    lab.client("lambda").remove_permission(FunctionName=lab.name("notifier"), StatementId="sns-order-events")
    _grant(lab)
    policy = json.loads(lab.client("lambda").get_policy(FunctionName=lab.name("notifier"))["Policy"])
    assert sorted(s["Sid"] for s in policy["Statement"]) == ["events-rule", "sns-order-events"]
