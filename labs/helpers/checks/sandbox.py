"""Checks of the sandbox ("Getting started") notebook: the student's first boto3 call.

The one exercise asks for a queue named with ``lab.name("first-queue")`` created through
``lab.client("sqs")``. The check reads only the backend's state, like every check:

* the queue exists under the lab's name (SQS ``GetQueueUrl`` "returns the URL of an existing
  Amazon SQS queue"; AWS.SimpleQueueService.NonExistentQueue otherwise);
* it carries the lab's tags, which the lab's clients add to every create call, so a queue made
  with a bare ``boto3.client("sqs")`` (that teardown and sweep would not find by tag) is caught;
* a queue called plainly ``first-queue`` (the lab prefix forgotten) gets a hint naming ``lab.name``.
"""

from __future__ import annotations

from typing import Any

from . import Feedback, checker
from ._sqs import find_queue

BASE = "first-queue"


@checker("sandbox.first-queue")
def first_queue(lab: Any, fb: Feedback) -> None:
    sqs = lab.client("sqs")
    url = find_queue(lab, BASE)
    if url is None:
        unprefixed = [u for u in sqs.list_queues(QueueNamePrefix=BASE).get("QueueUrls", [])
                      if u.rsplit("/", 1)[-1] == BASE]
        if unprefixed:
            fb.wrong(f"There is a queue called '{BASE}', without the lab's prefix.",
                     hint=f"Name the queue with lab.name('{BASE}'), so it is yours and the teardown finds it.")
            return
        fb.give_up(f"There is no queue '{BASE}' of this lab yet.",
                   f"Make the queue with the lab's SQS client (the CreateQueue call), named with lab.name('{BASE}').")
    fb.right(f"The queue '{BASE}' exists, named with the lab's prefix.")
    tags = sqs.list_queue_tags(QueueUrl=url).get("Tags", {})
    fb.check(all(tags.get(key) == value for key, value in lab.tags.items()),
             "It carries the lab's tags, so the teardown and the sweep will find it.",
             "It has none of the lab's tags: it was not created through the lab's client.",
             "Create it with the client from lab.client('sqs'), which tags everything it creates.")
