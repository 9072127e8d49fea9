"""SecureCart click auditor: a Lambda handler for a Kinesis event source mapping (the fraud-signal reader).

Deploy (any backend, the same file)::

    lam.create_function(FunctionName=..., Runtime="python3.12", Role=role_arn,
                        Handler="click_auditor.handler",
                        Code={"ZipFile": package_handler("labs.handlers.click_auditor")})
    lam.create_event_source_mapping(EventSourceArn=stream_arn, FunctionName=..., StartingPosition="TRIM_HORIZON",
                                    FunctionResponseTypes=["ReportBatchItemFailures"], ...)

Each Kinesis record's ``data`` (base64) must be a click: a JSON object with ``session`` and
``product``. A record that is not (the "poison" record a broken producer wrote) fails; the rest of
the batch succeeds.

Why Powertools for AWS Lambda's ``BatchProcessor(event_type=EventType.KinesisDataStreams)``: a
stream's partial batch response is not SQS's. Lambda keeps ONE checkpoint per shard and, given a
``batchItemFailures`` list, checkpoints before the *lowest* failed sequence number and retries
everything from there (the records after it too: stream handlers must be idempotent). The item
identifier must be the record's ``kinesis.sequenceNumber`` (an SQS handler would return the
``messageId``); if every record fails, the processor raises, so the invocation fails as a whole and
``BisectBatchOnFunctionError`` can split the batch. Hand-written, each of these is a known way to get
it wrong (the wrong identifier makes the response invalid and the whole batch is retried).
"""

from __future__ import annotations

import json
from typing import Any

from aws_lambda_powertools.utilities.batch import BatchProcessor, EventType, process_partial_response
from aws_lambda_powertools.utilities.data_classes.kinesis_stream_event import KinesisStreamRecord

processor = BatchProcessor(event_type=EventType.KinesisDataStreams)

#: Clicks seen per session by this execution environment (what a fraud-signal reader would look at).
clicks_per_session: dict[str, int] = {}


class PoisonRecord(ValueError):
    """The record can never be processed as it is: retrying will not help."""


def audit(record: KinesisStreamRecord) -> None:
    try:
        click = json.loads(record.kinesis.data_as_text())
    except (TypeError, ValueError, UnicodeDecodeError):
        raise PoisonRecord(f"record {record.kinesis.sequence_number} is not JSON") from None
    if not isinstance(click, dict) or not click.get("session") or not click.get("product"):
        raise PoisonRecord(f"record {record.kinesis.sequence_number} is not a click")
    clicks_per_session[click["session"]] = clicks_per_session.get(click["session"], 0) + 1


def handler(event: dict[str, Any], context: Any) -> dict[str, Any]:
    return process_partial_response(event=event, record_handler=audit, processor=processor, context=context)
