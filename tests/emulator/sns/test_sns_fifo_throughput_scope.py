"""SNS FIFO topics keep FifoThroughputScope.

SNS API reference, CreateTopic / SetTopicAttributes (attributes that "apply only to FIFO topics"):
"FifoThroughputScope - ... This attribute has two possible values: Topic ... MessageGroup". AWS's
Python FIFO example creates its topic with ``"FifoThroughputScope": "MessageGroup"``. Plain moto
5.2.5 (``LABS_EMULATOR_DISABLE=sns_fifo_throughput_scope``) never returns the attribute and
accepts any value on any topic.
"""

from __future__ import annotations

import pytest
from botocore.exceptions import ClientError

from labs.helpers import Lab


def _fifo(lab: Lab, **attributes: str) -> str:
    return lab.client("sns").create_topic(Name=lab.name("prices") + ".fifo", Attributes={
        "FifoTopic": "true", "ContentBasedDeduplication": "false", **attributes})["TopicArn"]


def _attributes(lab: Lab, arn: str) -> dict[str, str]:
    return lab.client("sns").get_topic_attributes(TopicArn=arn)["Attributes"]


def test_create_topic_keeps_the_scope(lab: Lab) -> None:
    arn = _fifo(lab, FifoThroughputScope="MessageGroup")  # exactly as AWS's FIFO example creates it
    assert _attributes(lab, arn)["FifoThroughputScope"] == "MessageGroup"


def test_set_topic_attributes_changes_the_scope(lab: Lab) -> None:
    arn = _fifo(lab)
    sns = lab.client("sns")
    sns.set_topic_attributes(TopicArn=arn, AttributeName="FifoThroughputScope", AttributeValue="MessageGroup")
    assert _attributes(lab, arn)["FifoThroughputScope"] == "MessageGroup"
    sns.set_topic_attributes(TopicArn=arn, AttributeName="FifoThroughputScope", AttributeValue="Topic")
    assert _attributes(lab, arn)["FifoThroughputScope"] == "Topic"


@pytest.mark.parametrize("value", ["Queue", "messagegroup", ""])
def test_other_values_are_invalid(lab: Lab, value: str) -> None:
    with pytest.raises(ClientError) as raised:
        _fifo(lab, FifoThroughputScope=value)
    assert raised.value.response["Error"]["Code"] == "InvalidParameter"
    arn = _fifo(lab)
    with pytest.raises(ClientError) as raised:
        lab.client("sns").set_topic_attributes(TopicArn=arn, AttributeName="FifoThroughputScope", AttributeValue=value)
    assert raised.value.response["Error"]["Code"] == "InvalidParameter"


def test_a_standard_topic_has_no_throughput_scope(lab: Lab) -> None:
    sns = lab.client("sns")
    with pytest.raises(ClientError) as raised:
        sns.create_topic(Name=lab.name("plain"), Attributes={"FifoThroughputScope": "Topic"})
    assert raised.value.response["Error"]["Code"] == "InvalidParameter"
    arn = sns.create_topic(Name=lab.name("plain"))["TopicArn"]
    with pytest.raises(ClientError):
        sns.set_topic_attributes(TopicArn=arn, AttributeName="FifoThroughputScope", AttributeValue="Topic")
    assert "FifoThroughputScope" not in _attributes(lab, arn)
