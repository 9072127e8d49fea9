"""SQS ReceiveMessage may return fewer messages than requested, though more are waiting.

AWS (ReceiveMessage API reference, MaxNumberOfMessages): "The maximum number of messages to return.
Amazon SQS never returns more messages than this value (however, fewer messages might be
returned)." On short polling (the ReceiveMessage reference as the AWS SDK for .NET reproduces it):
"a weighted random set of machines is sampled on a ReceiveMessage call. This means only the messages
on the sampled machines are returned. If the number of messages in the queue is small (less than
1000), it is likely you will get fewer messages than you requested per ReceiveMessage call. If the
number of messages in the queue is extremely small, you might not receive any messages in a
particular ReceiveMessage response; in which case you should repeat the request." Long polling
(developer guide, "Using the appropriate polling mode") "lets you consume messages from your Amazon
SQS queue as soon as they become available", and reduces "false empty responses (when messages are
available but aren't included in a response)" ("Setting-up long polling"). A consumer that takes a
short batch for "the queue is empty" (``if len(messages) < 10: break``) therefore leaves messages
behind on AWS; the way to drain a queue is to receive until a receive returns nothing.

What plain moto 5.2.5 does (and ``sqs_receive_fast`` keeps): every receive returns every receivable
message up to MaxNumberOfMessages, so that consumer bug never shows on the emulator.

The emulator's rule, deterministic by design:

* A ``ReceiveMessage`` **API call** on a queue holding *more* receivable messages than requested
  returns between 1 and MaxNumberOfMessages of them, the number drawn from a random generator that
  each queue seeds with :data:`SEED` when it is created (not with its name, which carries the
  learner's prefix): the same calls on the same queue give the same batch sizes, run after run. The
  first such receive of a queue is always short (1 to MaxNumberOfMessages - 1), so a consumer that
  stops on a short batch is caught at once; later ones may be full.
* A queue holding no more receivable messages than requested returns them all, as before, so the
  course's small demonstrations (a peek at a DLQ, a single-message race) stay exactly as they are.
  AWS may return fewer here too; the emulator does not.
* Deliberate choice: a receive **never comes back empty while a message is receivable** (AWS's short
  polling can: "you might not receive any messages in a particular ReceiveMessage response"). An
  empty receive keeps meaning "nothing receivable now", so loops that drain until an empty receive,
  and the course's demonstrations, stay deterministic.
* FIFO queues: only messages of groups that are not locked count, the batch is the first N of them
  in queue order, so order within a group and group locking are SQS's, as before.
* Only API calls are affected. The emulator's own readers, the event source mapping pollers (Lambda
  assembles batches by BatchSize and batching window) and message move tasks, get full batches.

How a test gets a full batch: ask for at least as many messages as the queue holds (MaxNumberOfMessages
10 on a queue of 10 or fewer receivable messages returns them all); :func:`sizes` says what the first
receives of a fresh, deeper queue return; ``LABS_EMULATOR_DISABLE=sqs_receive_partial`` turns the rule
off for a whole process. This patch decides through ``sqs_receive_fast``'s receive (its
``batch_size`` extension point): with that patch disabled, receives are plain moto's.
"""

from __future__ import annotations

import contextvars
import functools
import random
from typing import Any

from ..patching import Patch
from . import receive_fast

NAME = "sqs_receive_partial"
#: Seed of every queue's batch-size generator.
SEED = 20240610
_STATE = "_labs_receive_sizes"
#: True while moto's SQSResponse.receive_message runs: the receive is a learner's API call.
_api_call: contextvars.ContextVar[bool] = contextvars.ContextVar("labs_sqs_api_receive", default=False)


def _draw(rng: random.Random, requested: int, first: bool) -> int:
    if requested <= 1:
        return requested
    return rng.randint(1, requested - 1) if first else rng.randint(1, requested)


def sizes(requested: int, receives: int) -> list[int]:
    """Batch sizes of the first ``receives`` API receives of ``requested`` messages on a fresh queue that
    holds more than ``requested`` receivable messages each time (what :func:`batch_size` hands out)."""
    rng = random.Random(SEED)
    return [_draw(rng, requested, first=n == 0) for n in range(receives)]


def batch_size(queue: Any, requested: int) -> int:
    """How many of more than ``requested`` receivable messages this receive returns (called under the
    queue's lock by ``sqs_receive_fast``'s scan)."""
    if not _api_call.get():
        return requested  # the emulator's own pollers and tasks: full batches
    state = queue.__dict__.get(_STATE)
    if state is None:
        state = queue.__dict__[_STATE] = {"rng": random.Random(SEED), "draws": 0}
    size = _draw(state["rng"], requested, first=state["draws"] == 0)
    state["draws"] += 1
    return size


def _apply() -> None:
    from moto.sqs.responses import SQSResponse

    receive = SQSResponse.receive_message

    @functools.wraps(receive)
    def receive_message(self: SQSResponse) -> Any:
        token = _api_call.set(True)
        try:
            return receive(self)
        finally:
            _api_call.reset(token)

    SQSResponse.receive_message = receive_message  # type: ignore[method-assign]
    receive_fast.batch_size = batch_size


PATCH = Patch(
    name=NAME,
    restores="ReceiveMessage may return fewer messages than MaxNumberOfMessages while more are waiting (\"fewer "
             "messages might be returned\"), so only a receive that returns nothing means the queue is drained",
    plain_moto="every receive returns all receivable messages up to MaxNumberOfMessages, so a consumer that stops "
               "on a short batch seems to drain the queue",
    apply=_apply,
    targets={
        "moto.sqs.responses:SQSResponse.receive_message": "0027050ecd12",
        "moto.sqs.models:SQSBackend.receive_message": "065f3e5e7d21",
    },
)
