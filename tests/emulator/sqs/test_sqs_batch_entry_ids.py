"""Batch entries of one request need distinct Ids (module ``sqs.batch_entry_ids``).

AWS: "The Ids of a batch request need to be unique within a request" (DeleteMessageBatch,
ChangeMessageVisibilityBatch); otherwise BatchEntryIdsNotDistinct and nothing is done. Fails on
plain moto (``LABS_EMULATOR_DISABLE=sqs_batch_entry_ids``): it deletes and changes the messages.
"""

from __future__ import annotations

import pytest
from botocore.exceptions import ClientError

from labs.helpers import Lab


def _received(lab: Lab, n: int = 2) -> tuple[str, list[dict]]:
    sqs = lab.client("sqs")
    url = sqs.create_queue(QueueName=lab.name("batch-ids"), Attributes={"VisibilityTimeout": "30"})["QueueUrl"]
    sqs.send_message_batch(QueueUrl=url, Entries=[{"Id": str(i), "MessageBody": f"m{i}"} for i in range(n)])
    messages: list[dict] = []
    while len(messages) < n:
        messages += sqs.receive_message(QueueUrl=url, MaxNumberOfMessages=10).get("Messages", [])
    return url, messages


def _code(err: ClientError) -> str:
    return str(err.response["Error"]["Code"]).removeprefix("AWS.SimpleQueueService.")


@pytest.mark.parametrize("call, extra", [("delete_message_batch", {}), ("change_message_visibility_batch",
                                                                        {"VisibilityTimeout": 0})])
def test_entries_sharing_an_id_are_refused_and_nothing_happens(lab: Lab, call: str, extra: dict) -> None:
    url, messages = _received(lab)
    sqs = lab.client("sqs")
    with pytest.raises(ClientError) as refused:
        getattr(sqs, call)(QueueUrl=url, Entries=[{"Id": "same", "ReceiptHandle": m["ReceiptHandle"], **extra}
                                                  for m in messages])
    assert _code(refused.value) == "BatchEntryIdsNotDistinct"
    attrs = sqs.get_queue_attributes(QueueUrl=url, AttributeNames=["ApproximateNumberOfMessagesNotVisible"])
    assert attrs["Attributes"]["ApproximateNumberOfMessagesNotVisible"] == "2", "the whole batch was refused"


def test_distinct_ids_still_work(lab: Lab) -> None:
    url, messages = _received(lab)
    sqs = lab.client("sqs")
    done = sqs.delete_message_batch(QueueUrl=url, Entries=[{"Id": f"e{i}", "ReceiptHandle": m["ReceiptHandle"]}
                                                          for i, m in enumerate(messages)])
    assert len(done["Successful"]) == 2 and not done.get("Failed")
