"""One visual vocabulary for every picture: a colour and marker per kind of resource, a line
style per kind of movement.

Kept in one place so a queue looks the same in the sequence diagram, the service map and the
dashboard, and a dead-letter move is the same red dash-dot everywhere: students learn the legend
once.
"""

from __future__ import annotations

from dataclasses import dataclass

#: kind of node/lane -> (colour, matplotlib marker, legend label)
KINDS: dict[str, tuple[str, str, str]] = {
    "client": ("#4d4d4d", "o", "client (your code)"),
    "sqs": ("#e377c2", "s", "SQS queue"),
    "dlq": ("#d62728", "s", "SQS dead-letter queue"),
    "sns": ("#ff7f0e", "^", "SNS topic"),
    "events": ("#9467bd", "h", "EventBridge bus"),
    "rule": ("#c5b0d5", "D", "EventBridge rule"),
    "lambda": ("#bcbd22", "o", "Lambda function"),
    "stepfunctions": ("#17becf", "p", "Step Functions state machine"),
    "execution": ("#5bc0cf", "p", "Step Functions execution"),
    "kinesis": ("#8c564b", ">", "Kinesis stream"),
    "dynamodb": ("#1f77b4", "v", "DynamoDB table"),
    "other": ("#7f7f7f", "*", "other / outside the lab"),
}


def kind_colour(kind: str) -> str:
    return KINDS.get(kind, KINDS["other"])[0]


def kind_marker(kind: str) -> str:
    return KINDS.get(kind, KINDS["other"])[1]


def kind_label(kind: str) -> str:
    return KINDS.get(kind, KINDS["other"])[2]


@dataclass(frozen=True)
class ArrowStyle:
    """How one category of movement is drawn, and what the legend calls it."""

    label: str
    colour: str
    linestyle: str
    linewidth: float = 1.4
    end_marker: str | None = None  #: drawn at the target end ("x" for "did not arrive")


#: category -> style. Order is the legend order.
ARROWS: dict[str, ArrowStyle] = {
    "call": ArrowStyle("API call (your code)", "#222222", "-"),
    "delivery": ArrowStyle("delivery by the service", "#1f77b4", "--"),
    "filtered": ArrowStyle("filtered out (not delivered)", "#9e9e9e", ":", 1.2, "x"),
    "dlq": ArrowStyle("moved to dead-letter queue", "#d62728", "-.", 2.2),
    "redrive": ArrowStyle("redriven from DLQ", "#2ca02c", "-.", 2.2),
    "retrying": ArrowStyle("failed, will retry", "#ff7f0e", ":", 1.6),
    "failed": ArrowStyle("failed / error", "#d62728", "-", 1.6, "x"),
}

#: Step Functions outcome -> colour (execution_path)
OUTCOMES: dict[str, tuple[str, str]] = {
    "succeeded": ("#2ca02c", "succeeded"),
    "failed": ("#d62728", "failed"),
    "caught": ("#ff7f0e", "failed, caught by Catch"),
    "running": ("#1f77b4", "in progress"),
    "not-visited": ("#c7c7c7", "not visited"),
}
