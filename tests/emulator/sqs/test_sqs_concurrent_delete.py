"""Deletes from several consumer threads at once all take effect (sqs_receive_fast's delete path).

AWS (DeleteMessage): "Deletes the specified message from the specified queue." A deleted message is
never delivered again. The fast delete rebuilds the queue's message list; done without the queue's
lock, two threads deleting at the same moment could each write back the message the other had just
deleted, which then reappeared after its visibility timeout (seen in Lab 1's four-consumer run).
"""

from __future__ import annotations

import sys
import threading

from labs.helpers import Lab


def test_concurrent_deletes_lose_nothing(lab: Lab) -> None:
    sqs = lab.client("sqs")
    url = sqs.create_queue(QueueName=lab.name("concurrent"))["QueueUrl"]
    for start in range(0, 400, 10):
        sqs.send_message_batch(QueueUrl=url, Entries=[{"Id": str(i), "MessageBody": f"m{start + i}"} for i in range(10)])
    handles: list[str] = []
    while len(handles) < 400:
        messages = sqs.receive_message(QueueUrl=url, MaxNumberOfMessages=10, VisibilityTimeout=600).get("Messages", [])
        assert messages, "every message must be receivable once"
        handles += [m["ReceiptHandle"] for m in messages]

    from moto.sqs.models import sqs_backends  # the backend itself: no HTTP round trip, maximal contention

    queue = sqs_backends[lab.account_id][lab.region].get_queue(lab.name("concurrent"))
    barrier = threading.Barrier(8)

    def delete(share: list[str]) -> None:
        barrier.wait()
        for handle in share:
            queue.delete_message(handle)

    threads = [threading.Thread(target=delete, args=(handles[i::8],)) for i in range(8)]
    interval = sys.getswitchinterval()
    sys.setswitchinterval(1e-6)  # switch threads as often as possible: the race shows every run
    try:
        for t in threads:
            t.start()
        for t in threads:
            t.join()
    finally:
        sys.setswitchinterval(interval)
    attrs = sqs.get_queue_attributes(QueueUrl=url, AttributeNames=["ApproximateNumberOfMessages",
                                                                   "ApproximateNumberOfMessagesNotVisible"])["Attributes"]
    assert (attrs["ApproximateNumberOfMessages"], attrs["ApproximateNumberOfMessagesNotVisible"]) == ("0", "0")
