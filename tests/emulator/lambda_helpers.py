"""Shared helpers for the Lambda emulator tests: deploy handler source text as a function."""

from __future__ import annotations

import io
import json
import time
import zipfile
from typing import Any

from labs.helpers import Lab
from labs.helpers.observe import Delivery

ROLE_TRUST = {"Version": "2012-10-17", "Statement": [
    {"Effect": "Allow", "Principal": {"Service": ["lambda.amazonaws.com", "states.amazonaws.com"]},
     "Action": "sts:AssumeRole"}]}  # one role for the functions and the machines that call them


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


#: A handler that forwards what it received to the queue named by OUT, so tests see the handler's view.
FORWARD = """
import base64, json, os, boto3
sqs = boto3.client("sqs")  # created once per execution environment, as Lambda best practice says
def handler(event, context):
    out = []
    for r in event["Records"]:
        if r["eventSource"] == "aws:sqs":
            out.append({"id": r["messageId"], "body": r["body"], "attributes": r["attributes"]})
        elif r["eventSource"] == "aws:kinesis":
            out.append({"data": base64.b64decode(r["kinesis"]["data"]).decode(), "id": r["eventID"]})
        else:
            out.append({"name": r["eventName"], "keys": r["dynamodb"]["Keys"]})
    sqs.send_message(QueueUrl=os.environ["OUT"], MessageBody=json.dumps(out))
    if any(o.get("body") == "poison" or o.get("data") == "poison" for o in out):
        raise RuntimeError("poison message")
    return {"ok": len(out)}
"""


def invocations(deliveries: list[Delivery]) -> list[Delivery]:
    return [d for d in list(deliveries) if d.action == "esm-invoke"]


def wait_for(deliveries: list[Delivery], count: int, timeout: float = 5.0) -> list[Delivery]:
    """Wait (bounded polling) until ``count`` esm-invoke deliveries were reported."""
    deadline = time.monotonic() + timeout
    while len(invocations(deliveries)) < count and time.monotonic() < deadline:
        time.sleep(0.02)
    return invocations(deliveries)


def queue(lab: Lab, base: str, **attributes: str) -> tuple[str, str]:
    """(url, arn) of a new queue."""
    sqs = lab.client("sqs")
    url = sqs.create_queue(QueueName=lab.name(base), Attributes=attributes)["QueueUrl"]
    return url, sqs.get_queue_attributes(QueueUrl=url, AttributeNames=["QueueArn"])["Attributes"]["QueueArn"]


def batches(lab: Lab, out_url: str) -> list[list[dict[str, Any]]]:
    """Everything the FORWARD handler saw, one list per invocation, in invocation order."""
    sqs, seen = lab.client("sqs"), []
    while True:
        got = sqs.receive_message(QueueUrl=out_url, MaxNumberOfMessages=10, AttributeNames=["SentTimestamp"]).get("Messages", [])
        if not got:
            return seen
        for m in got:
            seen.append(json.loads(m["Body"]))
            sqs.delete_message(QueueUrl=out_url, ReceiptHandle=m["ReceiptHandle"])


def counts(lab: Lab, url: str) -> tuple[int, int]:
    a = lab.client("sqs").get_queue_attributes(QueueUrl=url, AttributeNames=["All"])["Attributes"]
    return int(a["ApproximateNumberOfMessages"]), int(a["ApproximateNumberOfMessagesNotVisible"])
