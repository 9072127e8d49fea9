"""FIFO messages carry an increasing SequenceNumber.

SendMessage API reference: "SequenceNumber - This parameter applies only to FIFO
(first-in-first-out) queues. The large, non-consecutive number that Amazon SQS assigns to each
message. ... SequenceNumber continues to increase for a particular MessageGroupId." Plain moto 5.2.5
returns none with ContentBasedDeduplication and random ones otherwise.
"""

from __future__ import annotations

from labs.helpers import Lab


def test_sequence_numbers_increase_within_group(lab: Lab) -> None:
    sqs = lab.client("sqs")
    url = sqs.create_queue(QueueName=lab.name("payments.fifo"), Attributes={
        "FifoQueue": "true", "ContentBasedDeduplication": "true"})["QueueUrl"]
    numbers = [sqs.send_message(QueueUrl=url, MessageBody=f"p{n}", MessageGroupId="c1")["SequenceNumber"]
               for n in range(3)]
    numbers.append(sqs.send_message(QueueUrl=url, MessageBody="p3", MessageGroupId="c1",
                                    MessageDeduplicationId="explicit")["SequenceNumber"])
    batch = sqs.send_message_batch(QueueUrl=url, Entries=[
        {"Id": str(n), "MessageBody": f"b{n}", "MessageGroupId": "c1"} for n in range(3)])["Successful"]
    numbers += [entry["SequenceNumber"] for entry in batch]
    as_ints = [int(n) for n in numbers]
    assert as_ints == sorted(as_ints) and len(set(as_ints)) == len(as_ints)
    received = sqs.receive_message(QueueUrl=url, MaxNumberOfMessages=10,
                                   MessageSystemAttributeNames=["SequenceNumber"])["Messages"]
    assert [m["Attributes"]["SequenceNumber"] for m in received] == numbers


def test_standard_queue_has_no_sequence_number(lab: Lab) -> None:
    sqs = lab.client("sqs")
    url = sqs.create_queue(QueueName=lab.name("orders"))["QueueUrl"]
    assert "SequenceNumber" not in sqs.send_message(QueueUrl=url, MessageBody="o")
