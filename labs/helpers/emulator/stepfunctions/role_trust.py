"""CreateStateMachine and UpdateStateMachine refuse a role that Step Functions may not assume.

AWS (Step Functions developer guide, "How Step Functions works with IAM" / "Creating an IAM role for
your state machine"): a state machine runs as its execution role, and the role's trust policy must let
the service principal ``states.amazonaws.com`` call ``sts:AssumeRole``. Step Functions checks this when
the machine is created or its role is changed: CreateStateMachine answers ``AccessDeniedException``
"Neither the global service principal states.amazonaws.com, nor the regional one is authorized to assume
the provided role." (the message learners meet, e.g. awsdocs/aws-step-functions-developer-guide#23,
lumigo-io/lumigo-CLI#83 for a role trusting only a regional principal of another region). moto 5.2.5
stores any role ARN: a role made for Lambda (trusting ``lambda.amazonaws.com``) is accepted, and the
mistake only shows on AWS.

The emulator: when the role exists in the machine's account, its trust policy is evaluated with the
emulator's policy evaluator (:mod:`..policies`) for ``sts:AssumeRole`` by ``states.amazonaws.com`` or
``states.<region>.amazonaws.com``; if neither may assume it, the call fails with AWS's error and
message. A role ARN that names no role in the emulator is left alone (tests and older labs use a
placeholder ARN; AWS would refuse it too, with the same error).
"""

from __future__ import annotations

import functools
from typing import Any

from ..patching import Patch

NAME = "sfn_role_trust"
MESSAGE = ("Neither the global service principal states.amazonaws.com, nor the regional one is authorized "
           "to assume the provided role.")


def _trust_policy(account: str, role_arn: str) -> str | None:
    """The trust policy of the role ``role_arn`` in ``account``, or None when the emulator has no such role."""
    from moto.iam.models import iam_backends

    if not isinstance(role_arn, str) or ":role/" not in role_arn:
        return None
    name = role_arn.rsplit("/", 1)[-1]
    partition = role_arn.split(":")[1] or "aws"
    try:
        backend = iam_backends[account][partition]
    except KeyError:
        return None
    for role in getattr(backend, "roles", {}).values():
        if role.name == name and role.arn == role_arn:
            return str(role.assume_role_policy_document)
    return None


def assumable(account: str, region: str, role_arn: str) -> bool:
    """Whether Step Functions may assume ``role_arn`` (True also when the role is unknown to the emulator)."""
    from ..policies import evaluate

    policy = _trust_policy(account, role_arn)
    if policy is None:
        return True
    return any(evaluate(policy, action="sts:AssumeRole", resource=role_arn, service=service).allowed
               for service in ("states.amazonaws.com", f"states.{region}.amazonaws.com"))


def _refuse(backend: Any, role_arn: str | None) -> None:
    from moto.core.exceptions import AWSError

    if role_arn and not assumable(backend.account_id, backend.region_name, role_arn):
        raise AWSError(MESSAGE, exception_type="AccessDeniedException")


def _apply() -> None:
    from moto.stepfunctions.parser.models import StepFunctionsParserBackend

    create = StepFunctionsParserBackend.create_state_machine
    update = StepFunctionsParserBackend.update_state_machine

    @functools.wraps(create)
    def create_with_trusted_role(self: Any, name: str, definition: str, roleArn: str, *args: Any, **kwargs: Any) -> Any:
        _refuse(self, roleArn)
        return create(self, name, definition, roleArn, *args, **kwargs)

    @functools.wraps(update)
    def update_with_trusted_role(self: Any, arn: str, definition: Any = None, role_arn: Any = None,
                                 *args: Any, **kwargs: Any) -> Any:
        _refuse(self, role_arn)
        return update(self, arn, definition, role_arn, *args, **kwargs)

    StepFunctionsParserBackend.create_state_machine = create_with_trusted_role  # type: ignore[method-assign]
    StepFunctionsParserBackend.update_state_machine = update_with_trusted_role  # type: ignore[method-assign]


PATCH = Patch(
    name=NAME,
    restores="CreateStateMachine / UpdateStateMachine refuse a role whose trust policy does not let "
             "states.amazonaws.com assume it (AccessDeniedException)",
    plain_moto="any role is accepted, e.g. one trusting only lambda.amazonaws.com",
    apply=_apply,
    targets={
        "moto.stepfunctions.parser.models:StepFunctionsParserBackend.create_state_machine": "dc56ec54216f",
        "moto.stepfunctions.parser.models:StepFunctionsParserBackend.update_state_machine": "03b6b2ec8ffd",
    },
)
