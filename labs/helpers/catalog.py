"""The labs of the course: the one place that knows their names, short codes and notebooks."""

from __future__ import annotations

from dataclasses import dataclass

from .errors import LabError, did_you_mean


@dataclass(frozen=True)
class LabInfo:
    name: str  #: what start_lab() takes, e.g. "sqs-orders"
    code: str  #: short code used in resource names, so names stay under AWS length limits
    title: str
    notebook: str  #: file name in notebooks/ and solutions/


LABS: dict[str, LabInfo] = {
    info.name: info
    for info in (
        LabInfo("sqs-orders", "sqs", "Lab 1 - SQS order processing", "01-sqs-orders.ipynb"),
        LabInfo("sns-notifications", "sns", "Lab 2 - SNS notifications", "02-sns-notifications.ipynb"),
        LabInfo("eventbridge-workflows", "evb", "Lab 3 - EventBridge workflows", "03-eventbridge-workflows.ipynb"),
        LabInfo("stepfunctions-fulfilment", "sfn", "Extension - Step Functions fulfilment", "04-stepfunctions-fulfilment.ipynb"),
        LabInfo("kinesis-clickstream", "kin", "Extension - Kinesis clickstream", "05-kinesis-clickstream.ipynb"),
        LabInfo("dynamodb-streams", "ddb", "Extension - DynamoDB Streams notifications", "06-dynamodb-streams.ipynb"),
        LabInfo("sandbox", "box", "Sandbox - free experiments", "00-sandbox.ipynb"),
    )
}


def lab_info(name: str) -> LabInfo:
    """Look a lab up by name, with a suggestion for a near miss."""
    try:
        return LABS[name]
    except KeyError:
        raise LabError(
            f"There is no lab called '{name}'.{did_you_mean(name, LABS)}",
            f"Use one of: {', '.join(LABS)}.",
        ) from None
