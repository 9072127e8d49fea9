"""The sandbox's wrong-answer suite: the first queue, as new learners get it wrong (see sqs_orders.py)."""

from labs.course.wrong_answers import Variant

V = Variant
STEP = "sandbox.first-queue"

VARIANTS = [
    V("1", "the lab prefix forgotten", {0: 'queue_url = sqs.create_queue(QueueName="first-queue")["QueueUrl"]'},
      STEP, hint=("lab.name",)),
    V("1", "a bare boto3 client instead of the lab's", {0: '''import boto3
queue_url = boto3.client("sqs").create_queue(QueueName=lab.name("first-queue"))["QueueUrl"]'''},
      STEP, hint=("lab.client",)),
    V("1", "a typo in the base name", {0: 'queue_url = sqs.create_queue(QueueName=lab.name("firstqueue"))["QueueUrl"]'},
      STEP, hint=("spelt exactly",)),
    V("1", "another case", {0: 'queue_url = sqs.create_queue(QueueName=lab.name("First-Queue"))["QueueUrl"]'},
      STEP, hint=("spelt exactly",)),
    V("1", "an attribute value as an int", {0: '''
queue_url = sqs.create_queue(QueueName=lab.name("first-queue"), Attributes={"VisibilityTimeout": 30})["QueueUrl"]'''},
      STEP, hint=("strings",), raises=True),
    V("1", "the whole response kept instead of the URL", {0: 'queue_url = sqs.create_queue(QueueName=lab.name("first-queue"))'},
      STEP, hint=("QueueUrl",)),
    V("1", "a FIFO queue with the .fifo suffix", {0: '''
queue_url = sqs.create_queue(QueueName=lab.name("first-queue.fifo"), Attributes={"FifoQueue": "true"})["QueueUrl"]'''},
      STEP, hint=("spelt exactly",)),
    V("1", "the URL looked up before the queue exists", {0: '''
queue_url = sqs.get_queue_url(QueueName=lab.name("first-queue"))["QueueUrl"]'''}, STEP, hint=("Create the queue first",), raises=True),
    V("1", "right: create, then get_queue_url", {0: '''
sqs.create_queue(QueueName=lab.name("first-queue"), Attributes={"VisibilityTimeout": "60"})
queue_url = sqs.get_queue_url(QueueName=lab.name("first-queue"))["QueueUrl"]'''}, STEP, expect="correct"),
    V("1", "right: own tags beside the lab's", {0: '''
response = sqs.create_queue(QueueName=lab.name("first-queue"), tags={"team": "checkout"})
queue_url = response["QueueUrl"]'''}, STEP, expect="correct"),
]
