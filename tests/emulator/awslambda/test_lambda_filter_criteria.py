"""FilterCriteria must be valid event patterns, or Lambda refuses the mapping.

Lambda developer guide, "Control which events Lambda sends to your function": filters use the
EventBridge event pattern syntax (values are arrays, or objects nesting further keys), at most 5
filters per mapping; an invalid one is refused with InvalidParameterValueException ("Invalid filter
pattern definition."). Plain moto 5.2.5 (``LABS_EMULATOR_DISABLE=lambda_filter_criteria``) stores
any text, and the mapping then drops every record.
"""

from __future__ import annotations

import json

import pytest
from botocore.exceptions import ClientError

import tests.emulator.lambda_helpers as lh
from labs.helpers import Lab


def _mapping_args(lab: Lab) -> dict:
    stream = lab.client("dynamodb").create_table(
        TableName=lab.name("orders"), BillingMode="PAY_PER_REQUEST",
        AttributeDefinitions=[{"AttributeName": "order_id", "AttributeType": "S"}],
        KeySchema=[{"AttributeName": "order_id", "KeyType": "HASH"}],
        StreamSpecification={"StreamEnabled": True, "StreamViewType": "NEW_AND_OLD_IMAGES"},
    )["TableDescription"]["LatestStreamArn"]
    fn = lh.deploy(lab, "notifier", "def handler(event, context):\n    return None\n")
    return {"EventSourceArn": stream, "FunctionName": fn, "StartingPosition": "LATEST"}


@pytest.mark.parametrize("pattern", [
    '{"eventName": "MODIFY"}',                       # a value that is not an array
    'eventName = MODIFY',                            # not JSON
    '["MODIFY"]',                                    # not an object
    '{"dynamodb": {"NewImage": {"status": {"S": []}}}}',  # an empty array
])
def test_invalid_patterns_are_refused(lab: Lab, pattern: str) -> None:
    args = _mapping_args(lab)
    with pytest.raises(ClientError) as raised:
        lab.client("lambda").create_event_source_mapping(**args, FilterCriteria={"Filters": [{"Pattern": pattern}]})
    assert raised.value.response["Error"]["Code"] == "InvalidParameterValueException"
    assert "Invalid filter pattern definition" in raised.value.response["Error"]["Message"]
    assert lab.client("lambda").list_event_source_mappings(FunctionName=args["FunctionName"])["EventSourceMappings"] == []


def test_more_than_five_filters_are_refused(lab: Lab) -> None:
    args = _mapping_args(lab)
    filters = [{"Pattern": json.dumps({"eventName": [name]})} for name in "ABCDEF"]
    with pytest.raises(ClientError) as raised:
        lab.client("lambda").create_event_source_mapping(**args, FilterCriteria={"Filters": filters})
    assert raised.value.response["Error"]["Code"] == "InvalidParameterValueException"


def test_valid_dynamodb_patterns_are_accepted_and_updates_are_validated_too(lab: Lab) -> None:
    args = _mapping_args(lab)
    lam = lab.client("lambda")
    good = {"eventName": ["MODIFY"], "dynamodb": {"NewImage": {"status": {"S": ["PAID", "SHIPPED"]}}}}
    mapping = lam.create_event_source_mapping(**args, FilterCriteria={"Filters": [{"Pattern": json.dumps(good)}]})
    assert json.loads(mapping["FilterCriteria"]["Filters"][0]["Pattern"]) == good
    with pytest.raises(ClientError) as raised:
        lam.update_event_source_mapping(UUID=mapping["UUID"],
                                        FilterCriteria={"Filters": [{"Pattern": '{"eventName": "REMOVE"}'}]})
    assert raised.value.response["Error"]["Code"] == "InvalidParameterValueException"
