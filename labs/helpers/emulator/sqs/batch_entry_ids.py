"""SQS batch calls refuse two entries with the same Id (DeleteMessageBatch, ChangeMessageVisibilityBatch).

AWS (boto3's SQS reference for DeleteMessageBatch and ChangeMessageVisibilityBatch, Entries.Id):
"The Ids of a batch request need to be unique within a request"; the error is
``BatchEntryIdsNotDistinct``, "Two or more batch entries in the request have the same Id", and AWS
rejects the whole batch (awspring/spring-cloud-aws#1654: a DeleteMessageBatch whose entries reused
the message id "AWS then rejected the whole batch with BatchEntryIdsNotDistinctException").

What plain moto 5.2.5 does: SendMessageBatch checks the Ids, but DeleteMessageBatch checks the
*receipt handles* instead and ChangeMessageVisibilityBatch checks nothing, so a consumer that gives
every delete entry the same Id deletes its messages on the emulator and fails on AWS. Lab 1's
drain_worker exercise meets exactly that.
"""

from __future__ import annotations

import functools
from typing import Any

from ..patching import Patch

NAME = "sqs_batch_entry_ids"
BATCH_ACTIONS = ("delete_message_batch", "change_message_visibility_batch")


def _distinct_ids(action: Any) -> Any:
    @functools.wraps(action)
    def checked(self: Any) -> Any:
        from moto.sqs.exceptions import BatchEntryIdsNotDistinct

        seen: set[str] = set()
        for entry in self._get_param("Entries", []) or []:
            entry_id = str(entry.get("Id"))
            if entry_id in seen:
                raise BatchEntryIdsNotDistinct(entry_id)
            seen.add(entry_id)
        return action(self)

    return checked


def _apply() -> None:
    from moto.sqs.responses import SQSResponse

    for name in BATCH_ACTIONS:
        setattr(SQSResponse, name, _distinct_ids(getattr(SQSResponse, name)))


PATCH = Patch(
    name=NAME,
    restores="DeleteMessageBatch and ChangeMessageVisibilityBatch reject a request whose entries share an Id with "
             "BatchEntryIdsNotDistinct (\"The Ids of a batch request need to be unique within a request\")",
    plain_moto="DeleteMessageBatch only refuses repeated receipt handles and ChangeMessageVisibilityBatch checks "
               "nothing, so entries with the same Id are processed",
    apply=_apply,
    targets={
        "moto.sqs.responses:SQSResponse.delete_message_batch": "79dfc09563ea",
        "moto.sqs.responses:SQSResponse.change_message_visibility_batch": "be9b67cdf313",
    },
)
