"""AWS managed policies exist and can be attached, as AWS's own Lambda examples do.

IAM user guide, "Managed policies and inline policies": "An AWS managed policy is a standalone
policy that is created and administered by AWS". AWS managed policy reference,
AWSLambdaBasicExecutionRole: "ARN: arn:aws:iam::aws:policy/service-role/AWSLambdaBasicExecutionRole
... You can attach AWSLambdaBasicExecutionRole to your users, groups, and roles"; its document
allows logs:CreateLogGroup, logs:CreateLogStream, logs:PutLogEvents. Plain moto 5.2.5 does not load
them (``LABS_EMULATOR_DISABLE=iam_aws_managed_policies``): attaching fails with NoSuchEntity.
"""

from __future__ import annotations

import json

import pytest
from botocore.exceptions import ClientError

from labs.helpers import Lab

TRUST = json.dumps({"Version": "2012-10-17", "Statement": [
    {"Effect": "Allow", "Principal": {"Service": "lambda.amazonaws.com"}, "Action": "sts:AssumeRole"}]})
LAMBDA_POLICIES = ["AWSLambdaBasicExecutionRole", "AWSLambdaSQSQueueExecutionRole",
                   "AWSLambdaKinesisExecutionRole", "AWSLambdaDynamoDBExecutionRole"]


def _arn(name: str, path: str = "/service-role/") -> str:
    return f"arn:aws:iam::aws:policy{path}{name}"


def _role(lab: Lab) -> str:
    name = lab.name("fn-role")
    lab.client("iam").create_role(RoleName=name, AssumeRolePolicyDocument=TRUST)
    return name


def test_lambda_execution_policies_attach_to_a_role(lab: Lab) -> None:
    iam = lab.client("iam")
    role = _role(lab)
    for name in LAMBDA_POLICIES:
        iam.attach_role_policy(RoleName=role, PolicyArn=_arn(name))
    attached = iam.list_attached_role_policies(RoleName=role)["AttachedPolicies"]
    assert sorted(p["PolicyName"] for p in attached) == sorted(LAMBDA_POLICIES)
    assert {p["PolicyArn"] for p in attached} == {_arn(name) for name in LAMBDA_POLICIES}


def test_get_policy_and_its_document(lab: Lab) -> None:
    iam = lab.client("iam")
    policy = iam.get_policy(PolicyArn=_arn("AWSLambdaBasicExecutionRole"))["Policy"]
    assert (policy["PolicyName"], policy["Path"], policy["DefaultVersionId"]) == (
        "AWSLambdaBasicExecutionRole", "/service-role/", "v1")
    document = iam.get_policy_version(PolicyArn=policy["Arn"], VersionId="v1")["PolicyVersion"]["Document"]
    document = json.loads(document) if isinstance(document, str) else document
    actions = {a for s in document["Statement"] for a in s["Action"]}
    assert actions == {"logs:CreateLogGroup", "logs:CreateLogStream", "logs:PutLogEvents"}


def test_policies_outside_service_role_attach_to_users_and_groups(lab: Lab) -> None:
    iam = lab.client("iam")
    arn = _arn("AmazonSQSReadOnlyAccess", "/")
    iam.create_user(UserName=lab.name("ops"))
    iam.create_group(GroupName=lab.name("readers"))
    iam.attach_user_policy(UserName=lab.name("ops"), PolicyArn=arn)
    iam.attach_group_policy(GroupName=lab.name("readers"), PolicyArn=arn)
    assert iam.get_policy(PolicyArn=arn)["Policy"]["AttachmentCount"] == 2
    iam.detach_user_policy(UserName=lab.name("ops"), PolicyArn=arn)
    assert iam.get_policy(PolicyArn=arn)["Policy"]["AttachmentCount"] == 1


def test_detach_then_the_role_can_be_deleted(lab: Lab) -> None:
    iam = lab.client("iam")
    role = _role(lab)
    iam.attach_role_policy(RoleName=role, PolicyArn=_arn("AWSLambdaBasicExecutionRole"))
    iam.detach_role_policy(RoleName=role, PolicyArn=_arn("AWSLambdaBasicExecutionRole"))
    assert iam.list_attached_role_policies(RoleName=role)["AttachedPolicies"] == []
    iam.delete_role(RoleName=role)


def test_a_policy_aws_does_not_have_is_still_not_attachable(lab: Lab) -> None:
    iam = lab.client("iam")
    role = _role(lab)
    for arn in [_arn("AWSLambdaNoSuchRole"), _arn("AWSLambdaBasicExecutionRole", "/")]:  # name, or path, wrong
        with pytest.raises(ClientError) as raised:
            iam.attach_role_policy(RoleName=role, PolicyArn=arn)
        assert raised.value.response["Error"]["Code"] == "NoSuchEntity"


def test_list_policies_lists_aws_managed_ones(lab: Lab) -> None:
    iam = lab.client("iam")
    names = {p["PolicyName"] for page in iam.get_paginator("list_policies").paginate(Scope="AWS")
             for p in page["Policies"]}
    assert set(LAMBDA_POLICIES) <= names and len(names) > 1000
    assert iam.list_policies(Scope="Local")["Policies"] == []


def test_only_attached_lists_the_attached_ones(lab: Lab) -> None:
    iam = lab.client("iam")
    role = _role(lab)
    iam.attach_role_policy(RoleName=role, PolicyArn=_arn("AWSLambdaSQSQueueExecutionRole"))
    listed = iam.list_policies(Scope="AWS", OnlyAttached=True)["Policies"]
    assert [p["PolicyName"] for p in listed] == ["AWSLambdaSQSQueueExecutionRole"]
