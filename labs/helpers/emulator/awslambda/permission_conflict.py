"""A Lambda permission's StatementId is unique within the function's policy, as on AWS.

AWS (AddPermission API reference, Errors: "ResourceConflictException - The resource already exists, or
another operation is in progress", HTTP 409): adding a statement whose StatementId the policy already has
fails with "The statement id (<sid>) provided already exists. Please provide a new statement id, or
remove the existing statement." (the message quoted in hashicorp/terraform-provider-aws#3312 and
terraform-aws-modules/terraform-aws-lambda#547). A notebook cell that grants SNS or EventBridge the
right to invoke a function must therefore survive a second run: catch ResourceConflictException, or
remove the statement first.

What plain moto 5.2.5 does instead: appends a second statement with the same Sid, so a re-run cell
"works" here and fails on AWS, and the policy fills with duplicates.

How the emulator does it: a wrapper around moto's ``Policy.add_statement`` raises Lambda's
ResourceConflictException (HTTP 409) with AWS's message when the Sid is taken.
"""

from __future__ import annotations

import functools
import json
from typing import Any

from ..patching import Patch

NAME = "lambda_permission_conflict"


def _apply() -> None:
    from moto.awslambda.exceptions import LambdaClientError
    from moto.awslambda.policy import Policy

    class StatementConflict(LambdaClientError):
        code = 409

        def __init__(self, sid: str) -> None:
            super().__init__("ResourceConflictException", f"The statement id ({sid}) provided already exists. "
                                                          "Please provide a new statement id, or remove the existing statement.")

    add_statement = Policy.add_statement

    @functools.wraps(add_statement)
    def add_unique(self: Any, raw: str, qualifier: str | None = None) -> Any:
        sid = json.loads(raw).get("StatementId") or json.loads(raw).get("Sid")
        if sid and any(s.get("Sid") == sid for s in self.statements):
            raise StatementConflict(sid)
        return add_statement(self, raw, qualifier)

    Policy.add_statement = add_unique  # type: ignore[method-assign]


PATCH = Patch(
    name=NAME,
    restores="add_permission with a StatementId the function's policy already has fails with "
             "ResourceConflictException (409), as on AWS",
    plain_moto="the second statement with the same Sid is appended",
    apply=_apply,
    targets={"moto.awslambda.policy:Policy.add_statement": "cf4cd10897c4"},
)
