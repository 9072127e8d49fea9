"""SQS queue names: `.fifo` is for FIFO queues only, and a FIFO queue needs it.

AWS (CreateQueue API reference, QueueName): "A FIFO queue name must end with the .fifo suffix";
FifoQueue: "If you don't specify the FifoQueue attribute, Amazon SQS creates a standard queue."
So a standard queue cannot be called ``orders.fifo``: AWS answers ``InvalidParameterValue`` "Can only
include alphanumeric characters, hyphens, or underscores. 1 to 80 in length" (the response quoted in
boto/botocore#3058, where a learner created ``messages.fifo`` without FifoQueue). The reverse,
``FifoQueue=true`` on a name without the suffix, is ``InvalidParameterValue`` "The name of a FIFO queue
can only include alphanumeric characters, hyphens, or underscores, must end with .fifo suffix and be
1 to 80 in length." (the message CloudFormation relays from SQS, e.g. aws-servicebroker#197).
LocalStack's snapshot tests ``test_standard_queue_cannot_have_fifo_suffix`` and
``test_fifo_queue_requires_suffix``, recorded against AWS, confirm the error code both ways.

What plain moto 5.2.5 does: its name check allows ``.fifo`` on any queue, so a *standard* queue named
``payments.fifo`` is created; a learner who forgot ``FifoQueue`` gets no error, a queue that looks
FIFO by name, and none of the ordering or deduplication the name promises. The reverse direction is
already refused with the right code, but with moto's own message ("Queue name must end in .fifo for
FIFO queues"), which this module replaces with AWS's.
"""

from __future__ import annotations

import functools
from typing import Any

from ..patching import Patch

NAME = "sqs_fifo_names"
STANDARD_WITH_SUFFIX = "Can only include alphanumeric characters, hyphens, or underscores. 1 to 80 in length"
FIFO_WITHOUT_SUFFIX = ("The name of a FIFO queue can only include alphanumeric characters, hyphens, or underscores, "
                       "must end with .fifo suffix and be 1 to 80 in length.")


def check(name: str, attributes: dict[str, Any]) -> None:
    """Raise AWS's InvalidParameterValue when the name's suffix and FifoQueue disagree."""
    from moto.sqs.exceptions import InvalidParameterValue

    fifo = str(attributes.get("FifoQueue", "false")).lower() == "true"
    suffixed = str(name).endswith(".fifo")
    if suffixed and not fifo:
        raise InvalidParameterValue(STANDARD_WITH_SUFFIX)
    if fifo and not suffixed:
        raise InvalidParameterValue(FIFO_WITHOUT_SUFFIX)


def _apply() -> None:
    from moto.sqs.models import SQSBackend

    create_queue = SQSBackend.create_queue

    @functools.wraps(create_queue)
    def named_as_aws_requires(self: SQSBackend, name: str, tags: dict[str, str] | None = None, **kwargs: Any) -> Any:
        check(name, kwargs)
        return create_queue(self, name, tags, **kwargs)

    SQSBackend.create_queue = named_as_aws_requires  # type: ignore[method-assign]


PATCH = Patch(
    name=NAME,
    restores="CreateQueue refuses a .fifo name without FifoQueue=true (\"Can only include alphanumeric characters, "
             "hyphens, or underscores. 1 to 80 in length\") and FifoQueue=true without the .fifo suffix, both with "
             "InvalidParameterValue",
    plain_moto="creates a standard queue named *.fifo; FifoQueue=true without the suffix fails with its own message "
               "(\"Queue name must end in .fifo for FIFO queues\")",
    apply=_apply,
    targets={
        "moto.sqs.models:SQSBackend.create_queue": "a7c0bbae0c42",
        "moto.sqs.models:Queue.name.fset": "699518918913",
        "moto.sqs.models:Queue.__init__": "0a4781ed5a21",
    },
)
