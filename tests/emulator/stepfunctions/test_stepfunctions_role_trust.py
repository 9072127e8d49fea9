"""A state machine's role must trust Step Functions (``LABS_EMULATOR_DISABLE=sfn_role_trust``).

Step Functions developer guide, "Creating an IAM role for your state machine": the role's trust policy
lets ``states.amazonaws.com`` assume it; CreateStateMachine with a role it may not assume answers
AccessDeniedException "Neither the global service principal states.amazonaws.com, nor the regional one
is authorized to assume the provided role."
"""

from __future__ import annotations

import json

import pytest
from botocore.exceptions import ClientError

from labs.helpers import Lab

PASS = {"StartAt": "Done", "States": {"Done": {"Type": "Pass", "End": True}}}


def _role(lab: Lab, base: str, service: str | list[str]) -> str:
    trust = {"Version": "2012-10-17", "Statement": [
        {"Effect": "Allow", "Principal": {"Service": service}, "Action": "sts:AssumeRole"}]}
    return lab.client("iam").create_role(RoleName=lab.name(base), AssumeRolePolicyDocument=json.dumps(trust))["Role"]["Arn"]


def test_a_role_for_lambda_is_refused(lab: Lab) -> None:
    sfn = lab.client("stepfunctions")
    with pytest.raises(ClientError) as err:
        sfn.create_state_machine(name=lab.name("m"), definition=json.dumps(PASS),
                                 roleArn=_role(lab, "lambda-only", "lambda.amazonaws.com"))
    assert err.value.response["Error"]["Code"] == "AccessDeniedException"
    assert "states.amazonaws.com" in err.value.response["Error"]["Message"]
    assert sfn.list_state_machines()["stateMachines"] == []


def test_global_and_regional_principals_are_accepted(lab: Lab) -> None:
    sfn = lab.client("stepfunctions")
    for base, service in (("global", "states.amazonaws.com"), ("regional", f"states.{lab.region}.amazonaws.com"),
                          ("both", ["lambda.amazonaws.com", "states.amazonaws.com"])):
        arn = sfn.create_state_machine(name=lab.name(base), definition=json.dumps(PASS),
                                       roleArn=_role(lab, base, service))["stateMachineArn"]
        assert sfn.describe_state_machine(stateMachineArn=arn)["roleArn"].endswith(lab.name(base))


def test_update_to_an_untrusted_role_is_refused(lab: Lab) -> None:
    sfn = lab.client("stepfunctions")
    good = _role(lab, "good", "states.amazonaws.com")
    arn = sfn.create_state_machine(name=lab.name("m"), definition=json.dumps(PASS), roleArn=good)["stateMachineArn"]
    with pytest.raises(ClientError) as err:
        sfn.update_state_machine(stateMachineArn=arn, roleArn=_role(lab, "events", "events.amazonaws.com"))
    assert err.value.response["Error"]["Code"] == "AccessDeniedException"
    assert sfn.describe_state_machine(stateMachineArn=arn)["roleArn"] == good
