"""Checks of the sandbox ("Getting started") notebook: the student's first boto3 call.

The one exercise asks for a queue named with ``lab.name("first-queue")`` created through
``lab.client("sqs")``. The check reads only the backend's state, like every check:

* the queue exists under the lab's name (SQS ``GetQueueUrl`` "returns the URL of an existing
  Amazon SQS queue"; AWS.SimpleQueueService.NonExistentQueue otherwise);
* it carries the lab's tags, which the lab's clients add to every create call, so a queue made
  with a bare ``boto3.client("sqs")`` (that teardown and sweep would not find by tag) is caught;
* a queue called plainly ``first-queue`` (the lab prefix forgotten) gets a hint naming ``lab.name``;
  a lab queue under another base name (a typo, another case: SQS names are case-sensitive) gets a
  hint naming the base name;
* handed the learner's ``queue_url``, it must be that queue's URL (a dict, the whole response, is
  the usual slip); a failed ``create_queue`` is the finding, with AWS's error explained.
"""

from __future__ import annotations

from typing import Any

from . import Feedback, checker
from ._sqs import find_queue

BASE = "first-queue"


@checker("sandbox.first-queue")
def first_queue(lab: Any, fb: Feedback, queue_url: Any = None) -> None:
    sqs = lab.client("sqs")
    url = find_queue(lab, BASE)
    if url is None:
        unprefixed = [u for u in sqs.list_queues(QueueNamePrefix=BASE).get("QueueUrls", [])
                      if u.rsplit("/", 1)[-1] == BASE]
        if unprefixed:
            fb.wrong(f"There is a queue called '{BASE}', without the lab's prefix.",
                     hint=f"Name the queue with lab.name('{BASE}'), so it is yours and the teardown finds it.")
            return
        others = [u.rsplit("/", 1)[-1].removeprefix(lab.prefix)
                  for u in sqs.list_queues(QueueNamePrefix=lab.prefix).get("QueueUrls", [])]
        if others:
            fb.wrong(f"This lab has a queue '{others[0]}', but none called '{BASE}' (names are case-sensitive).",
                     hint=f"Create it as lab.name('{BASE}'), spelt exactly so; delete_queue the other one.")
            return
        fb.require(None, f"There is no queue '{BASE}' of this lab yet.",
                   f"Make the queue with the lab's SQS client (the CreateQueue call), named with lab.name('{BASE}').",
                   after=("CreateQueue", "GetQueueUrl"))
    fb.right(f"The queue '{BASE}' exists, named with the lab's prefix.")
    tags = sqs.list_queue_tags(QueueUrl=url).get("Tags", {})
    fb.check(all(tags.get(key) == value for key, value in lab.tags.items()),
             "It carries the lab's tags, so the teardown and the sweep will find it.",
             "It has none of the lab's tags: it was not created through the lab's client.",
             "Create it with the client from lab.client('sqs'), which tags everything it creates.")
    if queue_url is None:  # called without the answer (older notebooks): the queue is what counts
        return
    fb.answer(queue_url, "queue_url", "1")
    fb.check(queue_url == url, "queue_url holds the queue's URL.",
             f"queue_url holds {'a dict (the whole response)' if isinstance(queue_url, dict) else repr(queue_url)[:60]}, "
             "not the queue's URL.", "Keep the 'QueueUrl' of create_queue's response: response['QueueUrl'].")
