"""Publish and PublishBatch validate batches, message attributes and the 256 KB limit as AWS answers.

SNS API reference, PublishBatch "Errors" and PublishBatchRequestEntry.Id; SNS developer guide, "Amazon
SNS message attributes" (names, types, "All parts of the message attribute ... are included in the
message size restriction, which is 256 KB"). The error codes and texts are AWS's, as recorded by
LocalStack's snapshot tests against AWS (test_publish_too_long_message,
test_empty_or_wrong_message_attributes, test_publish_batch_exceptions): an invalid attribute fails
the whole batch. Plain moto 5.2.5 answers differently or accepts.
"""

from __future__ import annotations

from typing import Any

import pytest
from botocore.config import Config
from botocore.exceptions import ClientError

from labs.helpers import Lab
from labs.helpers.emulator import status

TOO_LONG = ("InvalidParameter", "Invalid parameter: Message too long")


def _topic(lab: Lab, base: str = "order-events", **attributes: str) -> str:
    return lab.client("sns").create_topic(Name=lab.name(base), Attributes=attributes)["TopicArn"]


def _raw_sns(lab: Lab) -> Any:
    """An SNS client without botocore's own parameter validation (to send what AWS itself must refuse)."""
    return lab.backend.client("sns", config=Config(parameter_validation=False))


def _error(err: pytest.ExceptionInfo[ClientError]) -> tuple[str, str]:
    return err.value.response["Error"]["Code"], err.value.response["Error"]["Message"]


def _batch(lab: Lab, topic: str, entries: list[dict[str, Any]], client: Any = None) -> tuple[str, str]:
    with pytest.raises(ClientError) as err:
        (client or lab.client("sns")).publish_batch(TopicArn=topic, PublishBatchRequestEntries=entries)
    return _error(err)


def test_layer_is_applied(emulator: None) -> None:
    assert status()["sns_publish_batch"].applied, status()["sns_publish_batch"].reason


def test_an_empty_batch_is_refused(lab: Lab) -> None:
    assert _batch(lab, _topic(lab), []) == ("EmptyBatchRequest", "The batch request doesn't contain any entries.")


def test_more_than_ten_entries_and_repeated_ids_are_refused(lab: Lab) -> None:
    topic = _topic(lab)
    assert _batch(lab, topic, [{"Id": f"e{i}", "Message": "m"} for i in range(11)]) == \
        ("TooManyEntriesInBatchRequest", "The batch request contains more entries than permissible.")
    assert _batch(lab, topic, [{"Id": "e1", "Message": "m"}, {"Id": "e1", "Message": "n"}]) == \
        ("BatchEntryIdsNotDistinct", "Two or more batch entries in the request have the same Id.")


@pytest.mark.parametrize(("entry_id", "why"), [("order 1!", "contains an impermissible character"),
                                               ("a" * 81, "is too long")])
def test_an_entry_id_must_be_up_to_80_letters_digits_hyphens_underscores(lab: Lab, entry_id: str, why: str) -> None:
    code, message = _batch(lab, _topic(lab), [{"Id": entry_id, "Message": "m"}])
    assert (code, message) == ("InvalidBatchEntryId", f"The Id of a batch entry in the batch request {why}: {entry_id}")


def test_a_batch_over_256_kb_in_total_is_refused(lab: Lab) -> None:
    entries = [{"Id": f"e{i}", "Message": "x" * 100_000} for i in range(3)]
    assert _batch(lab, _topic(lab), entries) == \
        ("BatchRequestTooLong", "The length of all the messages put together is more than the limit.")


def test_a_good_batch_is_published_entry_by_entry(lab: Lab) -> None:
    result = lab.client("sns").publish_batch(TopicArn=_topic(lab), PublishBatchRequestEntries=[
        {"Id": "order-1", "Message": "a", "MessageAttributes": {"total": {"DataType": "Number", "StringValue": "59.9"}}},
        {"Id": "order_2", "Message": "b"}])
    assert [e["Id"] for e in result["Successful"]] == ["order-1", "order_2"] and result["Failed"] == []


def test_publish_counts_the_attributes_into_256_kb(lab: Lab) -> None:
    sns, topic = lab.client("sns"), _topic(lab)
    with pytest.raises(ClientError) as err:
        sns.publish(TopicArn=topic, Message="x" * 262_145)
    assert _error(err) == TOO_LONG
    with pytest.raises(ClientError) as err:
        sns.publish(TopicArn=topic, Message="x" * 262_000,
                    MessageAttributes={"note": {"DataType": "String", "StringValue": "y" * 1000}})
    assert _error(err) == TOO_LONG
    assert sns.publish(TopicArn=topic, Message="x" * 262_144)["MessageId"]


def test_publish_counts_bytes_not_characters(lab: Lab) -> None:
    with pytest.raises(ClientError) as err:
        lab.client("sns").publish(TopicArn=_topic(lab), Message="é" * 140_000)  # 280,000 bytes in UTF-8
    assert _error(err) == TOO_LONG


BAD_ATTRIBUTES = [
    ({"attr1": {"DataType": "String", "StringValue": ""}},
     "The message attribute 'attr1' must contain non-empty message attribute value for message attribute type 'String'."),
    ({"attr1": {"DataType": "Number", "StringValue": "abc"}}, "Could not cast message attribute 'attr1' value to number."),
    ({"attr1": {"DataType": "String", "BinaryValue": b"123"}},
     "The message attribute 'attr1' with type 'String' must use field 'String'."),
    ({"attr1": {"DataType": "Binary", "StringValue": "123"}},
     "The message attribute 'attr1' with type 'Binary' must use field 'Binary'."),
    ({"attr1": {"DataType": "InvalidType", "StringValue": "123"}},
     ("The message attribute 'attr1' has an invalid message attribute type, the set of supported type prefixes is "
      "Binary, Number, and String.")),
    ({"a^*?": {"DataType": "String", "StringValue": "1"}},
     ("Invalid non-alphanumeric character '#x5E' was found in the message attribute name. Can only include "
      "alphanumeric characters, hyphens, underscores, or dots.")),
    ({".abc": {"DataType": "String", "StringValue": "1"}}, "Invalid message attribute name starting with character '.' was found."),
    ({"a..bc": {"DataType": "String", "StringValue": "1"}}, "Message attribute name can not have successive '.' character."),
]


@pytest.mark.parametrize(("attributes", "message"), BAD_ATTRIBUTES)
def test_invalid_attributes_fail_publish_and_the_whole_batch(lab: Lab, attributes: dict[str, Any], message: str) -> None:
    topic = _topic(lab)
    with pytest.raises(ClientError) as err:
        lab.client("sns").publish(TopicArn=topic, Message="m", MessageAttributes=attributes)
    assert _error(err) == ("ParameterValueInvalid", message)
    assert _batch(lab, topic, [{"Id": "1", "Message": "m", "MessageAttributes": attributes},
                               {"Id": "2", "Message": "valid"}]) == ("ParameterValueInvalid", message)


def test_custom_type_suffixes_are_accepted(lab: Lab) -> None:
    assert lab.client("sns").publish(TopicArn=_topic(lab), Message="m", MessageAttributes={
        "attr1": {"DataType": "String.prefixed", "StringValue": "v"}})["MessageId"]


def test_a_missing_data_type_is_a_validation_error_naming_the_entry(lab: Lab) -> None:
    topic, raw = _topic(lab), _raw_sns(lab)
    with pytest.raises(ClientError) as err:
        raw.publish(TopicArn=topic, Message="m", MessageAttributes={"attr1": {"StringValue": "v"}})
    assert _error(err) == ("ValidationError", ("1 validation error detected: Value null at "
                           "'messageAttributes.attr1.member.dataType' failed to satisfy constraint: Member must not be null"))
    assert _batch(lab, topic, [{"Id": "1", "Message": "m", "MessageAttributes": {"attr1": {"StringValue": "v"}}}],
                  client=raw)[1].startswith("1 validation error detected: Value null at "
                                            "'publishBatchRequestEntries.1.member.messageAttributes.attr1")


def test_a_fifo_entry_without_deduplication_fails_the_whole_batch(lab: Lab) -> None:
    topic = _topic(lab, "order-events.fifo", FifoTopic="true")
    assert _batch(lab, topic, [{"Id": "1", "Message": "m", "MessageGroupId": "g"}]) == (
        "InvalidParameter", ("Invalid parameter: The topic should either have ContentBasedDeduplication enabled or "
                             "MessageDeduplicationId provided explicitly"))
