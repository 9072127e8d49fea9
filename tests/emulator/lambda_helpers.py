"""Shared helpers for the Lambda emulator tests: deploy handler source text as a function."""

from __future__ import annotations

import io
import json
import zipfile
from typing import Any

from labs.helpers import Lab

ROLE_TRUST = {"Version": "2012-10-17", "Statement": [
    {"Effect": "Allow", "Principal": {"Service": "lambda.amazonaws.com"}, "Action": "sts:AssumeRole"}]}


def zip_source(files: dict[str, str]) -> bytes:
    """A deployment package holding ``files`` (name -> source) at the root of the zip."""
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        for name, text in files.items():
            archive.writestr(name, text)
    return buffer.getvalue()


def role_arn(lab: Lab) -> str:
    iam = lab.client("iam")
    name = lab.name("fn-role")
    try:
        return iam.get_role(RoleName=name)["Role"]["Arn"]
    except iam.exceptions.NoSuchEntityException:
        return iam.create_role(RoleName=name, AssumeRolePolicyDocument=json.dumps(ROLE_TRUST))["Role"]["Arn"]


def deploy(lab: Lab, base: str, source: str, *, file: str = "app", handler: str = "handler",
           env: dict[str, str] | None = None, **extra: Any) -> str:
    """Create function ``lab.name(base)`` from handler ``source``; returns its ARN."""
    kwargs: dict[str, Any] = {}
    if env:
        kwargs["Environment"] = {"Variables": env}
    kwargs.update(extra)
    return lab.client("lambda").create_function(
        FunctionName=lab.name(base), Runtime="python3.12", Role=role_arn(lab), Handler=f"{file}.{handler}",
        Code={"ZipFile": zip_source({f"{file}.py": source})}, **kwargs)["FunctionArn"]
