"""Kinesis CreateStream applies Tags.

AWS Kinesis API reference, CreateStream: "Tags - A set of up to 50 tags to associate with the
stream." Plain moto 5.2.5 drops them (the stream is untagged), which hides lab streams from the
tag-based teardown and sweep.
"""

from __future__ import annotations

import boto3

from labs.helpers import Lab


def test_create_stream_tags_are_applied(lab: Lab) -> None:
    kinesis = boto3.client("kinesis", region_name=lab.backend.region)  # a plain client: no lab tagging
    kinesis.create_stream(StreamName="clicks", ShardCount=1, Tags={"team": "checkout", "env": "lab"})
    tags = kinesis.list_tags_for_stream(StreamName="clicks")["Tags"]
    assert {t["Key"]: t["Value"] for t in tags} == {"team": "checkout", "env": "lab"}


def test_lab_client_stream_carries_lab_and_student_tags(lab: Lab) -> None:
    kinesis = lab.client("kinesis")
    name = lab.name("clicks")
    kinesis.create_stream(StreamName=name, ShardCount=1, Tags={"team": "checkout"})
    tags = {t["Key"]: t["Value"] for t in kinesis.list_tags_for_stream(StreamName=name)["Tags"]}
    assert tags["team"] == "checkout"
    assert set(lab.tags.items()) <= set(tags.items())


def test_create_stream_without_tags_still_works(lab: Lab) -> None:
    kinesis = boto3.client("kinesis", region_name=lab.backend.region)
    kinesis.create_stream(StreamName="plain", ShardCount=1)
    assert kinesis.list_tags_for_stream(StreamName="plain")["Tags"] == []
