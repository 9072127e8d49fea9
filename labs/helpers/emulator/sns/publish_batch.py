"""SNS Publish and PublishBatch validate batches, message attributes and the 256 KB limit as AWS does.

AWS (SNS API reference, PublishBatch, "Errors"): ``TooManyEntriesInBatchRequest`` ("The batch
request contains more entries than permissible"; at most 10), ``EmptyBatchRequest`` ("The batch
request doesn't contain any entries"), ``BatchEntryIdsNotDistinct``, ``InvalidBatchEntryId`` ("The
Id of a batch entry in a batch request doesn't abide by the specification": "can contain up to 80
characters. The following characters are accepted: alphanumeric characters, hyphens (-), and
underscores (_)", PublishBatchRequestEntry.Id) and ``BatchRequestTooLong`` ("The length of all the
messages put together is more than the limit"): "The total aggregate size of all messages in a
single PublishBatch request can't exceed 262,144 bytes (256 KiB)". Publish: "Messages must be
UTF-8 encoded strings and at most 256 KB in size"; "Message attributes ... All parts of the message
attribute, including name, type, and value, are included in the message size restriction" (SNS
developer guide, "Amazon SNS message attributes"); names may contain "A-Z, a-z, 0-9, underscore(_),
hyphen(-), and period (.)", must not start or end with a period nor have successive periods, and are
at most 256 characters; the type is String, Number or Binary, optionally with a custom suffix
(``String.xyz``).

The exact answers (LocalStack's snapshot tests recorded against AWS, ``tests/aws/services/sns/
test_sns.py``): ``test_publish_too_long_message``: ``InvalidParameter`` "Invalid parameter: Message
too long" (also when only the attributes make it too long); ``test_empty_or_wrong_message_attributes``:
``ParameterValueInvalid`` with "The message attribute 'attr1' must contain non-empty message
attribute value for message attribute type 'String'.", "... with type 'Number' must use field
'String'.", "... has an invalid message attribute type, the set of supported type prefixes is
Binary, Number, and String.", the name texts, and ``ValidationError`` "1 validation error detected:
Value null at 'messageAttributes.attr1.member.dataType' failed to satisfy constraint: Member must
not be null" for a missing DataType (reachable only with botocore's own validation off). For
PublishBatch the **whole request** fails with the same error (the recordings have ``batch-...``
twins: one bad entry fails the call, it is *not* reported per entry in ``Failed``; the DataType path
names the entry, ``publishBatchRequestEntries.1.member.messageAttributes...``), as does a FIFO
entry without MessageDeduplicationId on a topic without content-based deduplication
(``test_publish_batch_exceptions``: ``InvalidParameter`` "Invalid parameter: The topic should either
have ContentBasedDeduplication enabled or MessageDeduplicationId provided explicitly"). A Number
attribute whose value is not a number: ``ParameterValueInvalid`` "Could not cast message attribute
'<name>' value to number." (the AWS text moto quotes inside its own message).

What plain moto 5.2.5 does instead: accepts an empty batch and any entry Id; no aggregate size limit
(and an entry over 256 KB is a per-entry ``Failed``); message length is counted in characters
without the attributes; attribute errors are ``InvalidParameter`` (not ``ParameterValueInvalid``)
with texts that differ ("... attribute type 'S'", "An error occurred (ParameterValueInvalid) when
calling the Publish operation: Could not cast ...", "An error occurred (InvalidParameter) when
calling the Publish operation: Invalid parameter: Message too long"); a missing DataType is an
internal error; a String attribute given as BinaryValue, and attribute names AWS refuses, pass; a
FIFO entry without a deduplication id is a per-entry ``Failed``.

How the emulator does it: wrappers around ``SNSResponse.publish`` and ``SNSResponse.publish_batch``
validate the request as AWS does, in AWS's order, before moto handles it; nothing else changes.
"""

from __future__ import annotations

import functools
import re
from typing import Any

from ..patching import Patch

NAME = "sns_publish_batch"
MAX_ENTRIES = 10
MAX_BYTES = 262_144
ENTRY_ID = re.compile(r"^[A-Za-z0-9_-]{1,80}$")
ATTRIBUTE_NAME = re.compile(r"^[A-Za-z0-9_\-.]+$")
CUSTOM_TYPE = re.compile(r"^(String|Number|Binary)\..+$")


def _error(code: str, message: str) -> Exception:
    from moto.sns.exceptions import SNSException

    error = SNSException(message)
    error.code = code  # type: ignore[attr-defined]
    return error


def _invalid_value(message: str) -> Exception:
    return _error("ParameterValueInvalid", message)


def _size(value: Any) -> int:
    if value is None:
        return 0
    return len(value) if isinstance(value, bytes) else len(str(value).encode("utf-8"))


def publish_size(message: Any, attributes: dict[str, Any] | None) -> int:
    """Bytes counted against the 256 KB limit: the message plus every attribute's name, type and value."""
    return _size(message) + sum(_size(name) + sum(_size(part) for part in attribute.values())
                                for name, attribute in (attributes or {}).items())


def _check_name(name: str) -> None:
    if len(name) > 256:
        raise _invalid_value("Length of message attribute name must be less than 256 bytes.")
    if ATTRIBUTE_NAME.match(name) and not name.startswith(".") and not name.endswith(".") and ".." not in name:
        return
    if name.startswith("."):
        raise _invalid_value("Invalid message attribute name starting with character '.' was found.")
    if name.endswith("."):
        raise _invalid_value("Invalid message attribute name ending with character '.' was found.")
    for char in name:
        if not re.match(r"[A-Za-z0-9_\-.]", char):
            raise _invalid_value(f"Invalid non-alphanumeric character '#x{ord(char):X}' was found in the message "
                                 f"attribute name. Can only include alphanumeric characters, hyphens, underscores, "
                                 f"or dots.")
    raise _invalid_value("Message attribute name can not have successive '.' character.")


def _is_number(text: str) -> bool:
    try:
        float(text)
    except ValueError:
        return False
    return text.strip().lower() not in {"nan", "inf", "-inf", "+inf", "infinity", "-infinity", "+infinity"}


def check_attributes(attributes: dict[str, Any] | None, position: int | None = None) -> None:
    """Raise AWS's error for the first message attribute AWS refuses (``position``: 1-based batch entry)."""
    for name, attribute in (attributes or {}).items():
        _check_name(name)
        data_type = attribute.get("DataType")
        if data_type is None:
            where = (f"publishBatchRequestEntries.{position}.member.messageAttributes.{name}.member.dataType"
                     if position else f"messageAttributes.{name}.member.dataType")
            raise _error("ValidationError", f"1 validation error detected: Value null at '{where}' failed to satisfy "
                                            f"constraint: Member must not be null")
        if data_type not in ("String", "Number", "Binary") and not CUSTOM_TYPE.match(data_type):
            raise _invalid_value(f"The message attribute '{name}' has an invalid message attribute type, the set of "
                                 f"supported type prefixes is Binary, Number, and String.")
        if not any(key.endswith("Value") for key in attribute):
            raise _invalid_value(f"The message attribute '{name}' must contain non-empty message attribute value for "
                                 f"message attribute type '{data_type}'.")
        field = "Binary" if data_type.startswith("Binary") else "String"
        if f"{field}Value" not in attribute:
            raise _invalid_value(f"The message attribute '{name}' with type '{data_type}' must use field '{field}'.")
        if not attribute[f"{field}Value"]:
            raise _invalid_value(f"The message attribute '{name}' must contain non-empty message attribute value for "
                                 f"message attribute type '{data_type}'.")
        if data_type.startswith("Number") and not _is_number(str(attribute["StringValue"])):
            raise _invalid_value(f"Could not cast message attribute '{name}' value to number.")


def check_publish(message: Any, attributes: dict[str, Any] | None) -> None:
    """Publish's own checks: the attributes, then the 256 KB limit (message and attributes together)."""
    from moto.sns.exceptions import SNSInvalidParameter

    check_attributes(attributes)
    if publish_size(message, attributes) > MAX_BYTES:
        raise SNSInvalidParameter("Invalid parameter: Message too long")


def check_batch(backend: Any, topic_arn: str, entries: list[dict[str, Any]]) -> None:
    """PublishBatch's checks, in the order AWS makes them (the whole request fails on the first)."""
    from moto.sns.exceptions import (
        BatchEntryIdsNotDistinct,
        SNSInvalidParameter,
        TooManyEntriesInBatchRequest,
    )

    if not entries:
        raise _error("EmptyBatchRequest", "The batch request doesn't contain any entries.")
    if len(entries) > MAX_ENTRIES:
        raise TooManyEntriesInBatchRequest
    topic = backend.get_topic(topic_arn)
    ids = [str(entry.get("Id", "")) for entry in entries]
    if len(set(ids)) != len(ids):
        raise BatchEntryIdsNotDistinct
    for entry_id in ids:
        if len(entry_id) > 80:
            raise _error("InvalidBatchEntryId", f"The Id of a batch entry in the batch request is too long: {entry_id}")
        if not ENTRY_ID.match(entry_id):
            raise _error("InvalidBatchEntryId",
                         f"The Id of a batch entry in the batch request contains an impermissible character: {entry_id}")
    total = 0
    for position, entry in enumerate(entries, start=1):
        check_attributes(entry.get("MessageAttributes"), position)
        total += publish_size(entry.get("Message"), entry.get("MessageAttributes"))
        if topic.fifo_topic:
            if not all("MessageGroupId" in e for e in entries):
                raise SNSInvalidParameter("Invalid parameter: The MessageGroupId parameter is required for FIFO topics")
            if not topic.content_based_deduplication and not all("MessageDeduplicationId" in e for e in entries):
                raise SNSInvalidParameter("Invalid parameter: The topic should either have ContentBasedDeduplication "
                                          "enabled or MessageDeduplicationId provided explicitly")
    if total > MAX_BYTES:
        raise _error("BatchRequestTooLong", "The length of all the messages put together is more than the limit.")


def _apply() -> None:
    from moto.sns.responses import SNSResponse

    publish = SNSResponse.publish

    @functools.wraps(publish)
    def publish_checked(self: Any) -> Any:
        attributes = self._get_param("MessageAttributes", {}) or {}
        if self._get_param("PhoneNumber") is None:
            check_publish(self._get_param("Message"), attributes)
        else:
            check_attributes(attributes)
        return publish(self)

    publish_batch = SNSResponse.publish_batch

    @functools.wraps(publish_batch)
    def publish_batch_checked(self: Any) -> Any:
        check_batch(self.backend, self._get_param("TopicArn"), self._get_param("PublishBatchRequestEntries", []) or [])
        return publish_batch(self)

    SNSResponse.publish = publish_checked  # type: ignore[method-assign]
    SNSResponse.publish_batch = publish_batch_checked  # type: ignore[method-assign]


PATCH = Patch(
    name=NAME,
    restores="PublishBatch refuses empty batches (EmptyBatchRequest), more than 10 entries, repeated or malformed "
             "entry Ids (InvalidBatchEntryId) and batches over 256 KB in total (BatchRequestTooLong); Publish and "
             "PublishBatch count message attributes into the 256 KB limit (\"Invalid parameter: Message too long\") "
             "and refuse invalid attributes with ParameterValueInvalid and AWS's texts, failing the whole batch",
    plain_moto="empty batches, malformed entry Ids and oversized batches are accepted; message size ignores the "
               "attributes; attribute errors are InvalidParameter with other texts, some invalid attributes pass",
    apply=_apply,
    targets={
        "moto.sns.responses:SNSResponse.publish": "ef4aff34c3bc",
        "moto.sns.responses:SNSResponse.publish_batch": "f061a941e603",
    },
)
