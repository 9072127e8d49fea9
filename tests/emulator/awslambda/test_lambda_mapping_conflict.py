"""One event source mapping per source and function: a second create is a ResourceConflictException.

CreateEventSourceMapping API reference, Errors: "ResourceConflictException - The resource already
exists", HTTP 409. Lambda's message for SQS, as recorded against AWS in LocalStack's snapshot test
test_duplicate_event_source_mappings: "An event source mapping with SQS arn (" <arn> ") and function
(" <name> ") already exists. Please update or delete the existing mapping with UUID <uuid>"; for
Kinesis and DynamoDB Streams "The event source arn (" <arn> ") and function (" <name> ") provided
mapping already exists. ...". Another function on the same queue is a different mapping and is
allowed. Plain moto 5.2.5 creates the duplicate.
"""

from __future__ import annotations

import pytest
from botocore.exceptions import ClientError

import tests.emulator.lambda_helpers as lh
from labs.helpers import Lab


def test_a_second_mapping_for_the_same_queue_and_function_is_refused(lab: Lab) -> None:
    _, arn = lh.queue(lab, "orders")
    fn = lh.deploy(lab, "consumer", lh.FORWARD, env={"OUT": "unused"})
    lam = lab.client("lambda")
    first = lam.create_event_source_mapping(EventSourceArn=arn, FunctionName=lab.name("consumer"))
    with pytest.raises(ClientError) as info:
        lam.create_event_source_mapping(EventSourceArn=arn, FunctionName=fn, BatchSize=5)  # by ARN: same function
    error, meta = info.value.response["Error"], info.value.response["ResponseMetadata"]
    assert error["Code"] == "ResourceConflictException" and meta["HTTPStatusCode"] == 409
    assert error["Message"] == (
        f'An event source mapping with SQS arn (" {arn} ") and function (" {lab.name("consumer")} ") already '
        f'exists. Please update or delete the existing mapping with UUID {first["UUID"]}')
    mappings = lam.list_event_source_mappings(EventSourceArn=arn)["EventSourceMappings"]
    assert [m["UUID"] for m in mappings] == [first["UUID"]]


def test_another_function_on_the_same_queue_is_a_new_mapping(lab: Lab) -> None:
    _, arn = lh.queue(lab, "orders")
    lh.deploy(lab, "consumer", lh.FORWARD, env={"OUT": "unused"})
    lh.deploy(lab, "auditor", lh.FORWARD, env={"OUT": "unused"})
    lam = lab.client("lambda")
    lam.create_event_source_mapping(EventSourceArn=arn, FunctionName=lab.name("consumer"))
    lam.create_event_source_mapping(EventSourceArn=arn, FunctionName=lab.name("auditor"))
    assert len(lam.list_event_source_mappings(EventSourceArn=arn)["EventSourceMappings"]) == 2


def test_after_a_delete_the_pair_can_be_mapped_again(lab: Lab) -> None:
    _, arn = lh.queue(lab, "orders")
    lh.deploy(lab, "consumer", lh.FORWARD, env={"OUT": "unused"})
    lam = lab.client("lambda")
    first = lam.create_event_source_mapping(EventSourceArn=arn, FunctionName=lab.name("consumer"))
    lam.delete_event_source_mapping(UUID=first["UUID"])
    again = lam.create_event_source_mapping(EventSourceArn=arn, FunctionName=lab.name("consumer"))
    assert again["UUID"] != first["UUID"]


def test_a_stream_duplicate_gets_the_stream_wording(lab: Lab) -> None:
    kinesis = lab.client("kinesis")
    kinesis.create_stream(StreamName=lab.name("clicks"), ShardCount=1)
    stream_arn = kinesis.describe_stream(StreamName=lab.name("clicks"))["StreamDescription"]["StreamARN"]
    lh.deploy(lab, "consumer", lh.FORWARD, env={"OUT": "unused"})
    lam = lab.client("lambda")
    first = lam.create_event_source_mapping(EventSourceArn=stream_arn, FunctionName=lab.name("consumer"),
                                            StartingPosition="LATEST")
    with pytest.raises(ClientError) as info:
        lam.create_event_source_mapping(EventSourceArn=stream_arn, FunctionName=lab.name("consumer"),
                                        StartingPosition="LATEST")
    assert info.value.response["Error"]["Code"] == "ResourceConflictException"
    assert info.value.response["Error"]["Message"] == (
        f'The event source arn (" {stream_arn} ") and function (" {lab.name("consumer")} ") provided mapping '
        f'already exists. Please update or delete the existing mapping with UUID {first["UUID"]}')
