"""Lab 1's wrong-answer suite: what learners plausibly type into each exercise, and what the check must say.

Each mistake comes from watching learners (the issue "Labs 0 and 1 as a learner meets them") or
from AWS's own list of errors for the call. ``hint`` holds words that only a hint about *that*
mistake would contain. Run: ``python -m labs wrong-answers sqs-orders`` (prints the figure) or
``pytest tests/wrong_answers`` (asserts every variant).
"""

from labs.course.wrong_answers import Variant

V = Variant

GOOD_ATTRS = '"VisibilityTimeout": "30", "ReceiveMessageWaitTimeSeconds": "20", "MessageRetentionPeriod": "86400", "SqsManagedSseEnabled": "true"'


def _queue(attrs: str) -> dict[int, str]:
    return {0: f'orders_url = sqs.create_queue(QueueName=lab.name("orders"), Attributes={{{attrs}}})["QueueUrl"]'}


SEND_OK = '''
sent = 0
for start in range(0, len(bodies), 10):
    entries = [{"Id": str(i), "MessageBody": body} for i, body in enumerate(bodies[start:start + 10])]
    for _attempt in range(5):
        response = sqs.send_message_batch(QueueUrl=queue_url, Entries=entries)
        sent += len(response.get("Successful", []))
        failed = {f["Id"] for f in response.get("Failed", [])}
        entries = [e for e in entries if e["Id"] in failed]
        if not entries:
            break
return sent
'''

VARIANTS = [
    # ------------------------------------------------------------ 2a: the orders queue
    V("2a", "a FIFO queue where a standard one is asked for", {0: '''
orders_url = sqs.create_queue(QueueName=lab.name("orders.fifo"), Attributes={"FifoQueue": "true", "VisibilityTimeout": "30"})["QueueUrl"]'''},
      "sqs-orders.orders-queue", hint=("standard", "delete")),
    V("2a", "no attributes at all", {0: 'orders_url = sqs.create_queue(QueueName=lab.name("orders"))["QueueUrl"]'},
      "sqs-orders.orders-queue", hint=("long polling",)),
    V("2a", "a 1 s visibility timeout", _queue(GOOD_ATTRS.replace('"30"', '"1"')), "sqs-orders.orders-queue",
      hint=("VisibilityTimeout", "set_queue_attributes")),
    V("2a", "attribute values as ints", _queue('"VisibilityTimeout": 30, "ReceiveMessageWaitTimeSeconds": 20'),
      "sqs-orders.orders-queue", hint=("strings",), raises=True),
    V("2a", "retention left at the 4-day default", _queue(GOOD_ATTRS.replace(', "MessageRetentionPeriod": "86400"', "")),
      "sqs-orders.orders-queue", hint=("MessageRetentionPeriod",)),
    V("2a", "encryption at rest turned off", _queue(GOOD_ATTRS.replace('"SqsManagedSseEnabled": "true"', '"SqsManagedSseEnabled": "false"')),
      "sqs-orders.orders-queue", hint=("SqsManagedSseEnabled",)),
    V("2a", "short polling (wait time 0)", _queue(GOOD_ATTRS.replace('"20"', '"0"')), "sqs-orders.orders-queue",
      hint=("ReceiveMessageWaitTimeSeconds",)),
    V("2a", "re-run create_queue with other attributes", {0: f'''
sqs.create_queue(QueueName=lab.name("orders"), Attributes={{"VisibilityTimeout": "5"}})
orders_url = sqs.create_queue(QueueName=lab.name("orders"), Attributes={{{GOOD_ATTRS}}})["QueueUrl"]'''},
      "sqs-orders.orders-queue", hint=("set_queue_attributes",), raises=True),
    V("2a", "right: longer timeout, a KMS key, then set_queue_attributes", {0: '''
orders_url = sqs.create_queue(QueueName=lab.name("orders"))["QueueUrl"]
sqs.set_queue_attributes(QueueUrl=orders_url, Attributes={"VisibilityTimeout": "60", "ReceiveMessageWaitTimeSeconds": "10",
                                                          "MessageRetentionPeriod": str(24 * 3600), "KmsMasterKeyId": "alias/aws/sqs"})'''},
      "sqs-orders.orders-queue", expect="correct"),
    V("2a", "right: attributes built in a dict first", {0: '''
attributes = {"VisibilityTimeout": str(45), "ReceiveMessageWaitTimeSeconds": str(20),
              "MessageRetentionPeriod": str(86400), "SqsManagedSseEnabled": "true"}
orders_url = sqs.get_queue_url(QueueName=sqs.create_queue(QueueName=lab.name("orders"), Attributes=attributes)["QueueUrl"].rsplit("/", 1)[-1])["QueueUrl"]'''},
      "sqs-orders.orders-queue", expect="correct"),

    # ------------------------------------------------------------ 2b: the producer
    V("2b", "send_order returns the whole response", {0: "return sqs.send_message(QueueUrl=queue_url, MessageBody=body)"},
      "sqs-orders.send", hint=("MessageId",)),
    V("2b", "failed batch entries are ignored", {1: '''
sent = 0
for start in range(0, len(bodies), 10):
    entries = [{"Id": str(i), "MessageBody": b} for i, b in enumerate(bodies[start:start + 10])]
    sent += len(sqs.send_message_batch(QueueUrl=queue_url, Entries=entries).get("Successful", []))
return sent'''}, "sqs-orders.send", hint=("Failed",)),
    V("2b", "the whole batch is resent when some entries failed", {1: '''
sent = 0
for start in range(0, len(bodies), 10):
    entries = [{"Id": str(i), "MessageBody": b} for i, b in enumerate(bodies[start:start + 10])]
    for _attempt in range(5):
        response = sqs.send_message_batch(QueueUrl=queue_url, Entries=entries)
        sent += len(response.get("Successful", []))
        if not response.get("Failed"):
            break
return sent'''}, "sqs-orders.send", hint=("only the entries",)),
    V("2b", "one send_message per order", {1: '''
for body in bodies:
    sqs.send_message(QueueUrl=queue_url, MessageBody=body)
return len(bodies)'''}, "sqs-orders.send", hint=("send_message_batch",)),
    V("2b", "all orders in one batch", {1: '''
response = sqs.send_message_batch(QueueUrl=queue_url, Entries=[{"Id": str(i), "MessageBody": b} for i, b in enumerate(bodies)])
return len(response["Successful"])'''}, "sqs-orders.send", hint=("at most 10",)),
    V("2b", "the same Id for every entry", {1: SEND_OK.replace('"Id": str(i)', '"Id": "order"')},
      "sqs-orders.send", hint=("own Id",)),
    V("2b", "batches of 5", {1: SEND_OK.replace("10", "5")}, "sqs-orders.send", hint=("10 entries",)),
    V("2b", "counts the failed entries as sent too", {1: SEND_OK.replace(
        "sent += len(response.get(\"Successful\", []))", "sent += len(response.get(\"Successful\", [])) + len(response.get(\"Failed\", []))")},
      "sqs-orders.send", hint=("Successful",)),
    V("2b", "right: a global Id and a while loop", {1: '''
pending = [{"Id": f"o{i}", "MessageBody": b} for i, b in enumerate(bodies)]
sent, attempts = 0, 0
while pending and attempts < 5 * (len(bodies) // 10 + 1):
    chunk, pending = pending[:10], pending[10:]
    response = sqs.send_message_batch(QueueUrl=queue_url, Entries=chunk)
    attempts += 1
    sent += len(response.get("Successful", []))
    failed_ids = {f["Id"] for f in response.get("Failed", [])}
    pending = [e for e in chunk if e["Id"] in failed_ids] + pending
return sent'''}, "sqs-orders.send", expect="correct"),
    V("2b", "right: Ids by position, Failed matched through a dict", {1: '''
total = 0
for start in range(0, len(bodies), 10):
    todo = {str(n): body for n, body in enumerate(bodies[start:start + 10])}
    for _ in range(5):
        if not todo:
            break
        answer = sqs.send_message_batch(QueueUrl=queue_url, Entries=[{"Id": k, "MessageBody": v} for k, v in todo.items()])
        for ok in answer.get("Successful", []):
            todo.pop(ok["Id"])
            total += 1
return total'''}, "sqs-orders.send", expect="correct"),

    # ------------------------------------------------------------ 3a: the consumer
    V("3a", "deletes the batch before processing it", {0: '''
handled = 0
while True:
    messages = sqs.receive_message(QueueUrl=queue_url, MaxNumberOfMessages=10, WaitTimeSeconds=1).get("Messages", [])
    if not messages:
        return handled
    sqs.delete_message_batch(QueueUrl=queue_url, Entries=[{"Id": str(i), "ReceiptHandle": m["ReceiptHandle"]} for i, m in enumerate(messages)])
    for message in messages:
        handle(message["Body"])
        handled += 1'''}, "sqs-orders.consume", hint=("only after",)),
    V("3a", "stops on a short batch", {0: '''
handled = 0
while True:
    messages = sqs.receive_message(QueueUrl=queue_url, MaxNumberOfMessages=10, WaitTimeSeconds=1).get("Messages", [])
    for message in messages:
        handle(message["Body"])
        handled += 1
    if messages:
        sqs.delete_message_batch(QueueUrl=queue_url, Entries=[{"Id": str(i), "ReceiptHandle": m["ReceiptHandle"]} for i, m in enumerate(messages)])
    if len(messages) < 10:
        return handled'''}, "sqs-orders.consume", hint=("fewer messages",)),
    V("3a", "never deletes", {0: '''
handled = 0
while True:
    messages = sqs.receive_message(QueueUrl=queue_url, MaxNumberOfMessages=10, WaitTimeSeconds=1).get("Messages", [])
    if not messages:
        return handled
    for message in messages:
        handle(message["Body"])
        handled += 1'''}, "sqs-orders.consume", hint=("ReceiptHandle",)),
    V("3a", "one message per receive", {0: '''
handled = 0
while True:
    messages = sqs.receive_message(QueueUrl=queue_url, WaitTimeSeconds=1).get("Messages", [])
    if not messages:
        return handled
    for message in messages:
        handle(message["Body"])
        handled += 1
        sqs.delete_message(QueueUrl=queue_url, ReceiptHandle=message["ReceiptHandle"])'''},
      "sqs-orders.consume", hint=("MaxNumberOfMessages",)),
    V("3a", "deletes with the MessageId", {0: '''
handled = 0
while True:
    messages = sqs.receive_message(QueueUrl=queue_url, MaxNumberOfMessages=10, WaitTimeSeconds=1).get("Messages", [])
    if not messages:
        return handled
    for message in messages:
        handle(message["Body"])
        handled += 1
        sqs.delete_message(QueueUrl=queue_url, ReceiptHandle=message["MessageId"])'''},
      "sqs-orders.consume", hint=("ReceiptHandle",)),
    V("3a", "forgets to return the count", {0: '''
while True:
    messages = sqs.receive_message(QueueUrl=queue_url, MaxNumberOfMessages=10, WaitTimeSeconds=1).get("Messages", [])
    if not messages:
        break
    for message in messages:
        handle(message["Body"])
    sqs.delete_message_batch(QueueUrl=queue_url, Entries=[{"Id": str(i), "ReceiptHandle": m["ReceiptHandle"]} for i, m in enumerate(messages)])'''},
      "sqs-orders.consume", hint=("return the count",)),
    V("3a", "swallows a failed handle and deletes anyway", {0: '''
handled = 0
while True:
    messages = sqs.receive_message(QueueUrl=queue_url, MaxNumberOfMessages=10, WaitTimeSeconds=1).get("Messages", [])
    if not messages:
        return handled
    for message in messages:
        try:
            handle(message["Body"])
            handled += 1
        except Exception:
            pass
    sqs.delete_message_batch(QueueUrl=queue_url, Entries=[{"Id": str(i), "ReceiptHandle": m["ReceiptHandle"]} for i, m in enumerate(messages)])'''},
      "sqs-orders.consume", hint=("only after",)),
    V("3a", "a single receive, no loop", {0: '''
messages = sqs.receive_message(QueueUrl=queue_url, MaxNumberOfMessages=10, WaitTimeSeconds=1).get("Messages", [])
for message in messages:
    handle(message["Body"])
    sqs.delete_message(QueueUrl=queue_url, ReceiptHandle=message["ReceiptHandle"])
return len(messages)'''}, "sqs-orders.consume", hint=("no messages",)),
    V("3a", "right: delete each message right after handling it", {0: '''
count = 0
while messages := sqs.receive_message(QueueUrl=queue_url, MaxNumberOfMessages=10, WaitTimeSeconds=1).get("Messages"):
    for message in messages:
        handle(message["Body"])
        sqs.delete_message(QueueUrl=queue_url, ReceiptHandle=message["ReceiptHandle"])
        count += 1
return count'''}, "sqs-orders.consume", expect="correct"),
    V("3a", "right: batch-delete only the handled ones, by MessageId", {0: '''
total = 0
while True:
    batch = sqs.receive_message(QueueUrl=queue_url, MaxNumberOfMessages=10, WaitTimeSeconds=1).get("Messages", [])
    if len(batch) == 0:
        break
    done = []
    try:
        for message in batch:
            handle(message["Body"])
            done.append(message)
    finally:
        if done:
            sqs.delete_message_batch(QueueUrl=queue_url, Entries=[{"Id": m["MessageId"], "ReceiptHandle": m["ReceiptHandle"]} for m in done])
        total += len(done)
return total'''}, "sqs-orders.consume", expect="correct"),
    # ------------------------------------------------------------ 3b: heartbeat
    V("3b", "heartbeat sets the visibility to 0", {0: '''
sqs.change_message_visibility(QueueUrl=queue_url, ReceiptHandle=message["ReceiptHandle"], VisibilityTimeout=0)'''},
      "sqs-orders.heartbeat", hint=("extends", "not 0")),
    V("3b", "heartbeat 'extends' to what it already was", {0: '''
sqs.change_message_visibility(QueueUrl=queue_url, ReceiptHandle=message["ReceiptHandle"], VisibilityTimeout=1)'''},
      "sqs-orders.heartbeat", hint=("longer than",)),
    V("3b", "heartbeat passes the MessageId", {0: '''
sqs.change_message_visibility(QueueUrl=queue_url, ReceiptHandle=message["MessageId"], VisibilityTimeout=10)'''},
      "sqs-orders.heartbeat", hint=("ReceiptHandle",)),
    V("3b", "heartbeat on the orders queue, not the message's", {0: '''
sqs.change_message_visibility(QueueUrl=orders_url, ReceiptHandle=message["ReceiptHandle"], VisibilityTimeout=10)'''},
      "sqs-orders.heartbeat", hint=("queue",)),
    V("3b", "heartbeat of 13 hours", {0: '''
sqs.change_message_visibility(QueueUrl=queue_url, ReceiptHandle=message["ReceiptHandle"], VisibilityTimeout=13 * 3600)'''},
      "sqs-orders.heartbeat", hint=("43200",)),
    V("3b", "heartbeat of an hour", {0: '''
sqs.change_message_visibility(QueueUrl=queue_url, ReceiptHandle=message["ReceiptHandle"], VisibilityTimeout=3600)'''},
      "sqs-orders.heartbeat", hint=("small steps",)),
    V("3b", "heartbeat reads the attribute instead of changing it", {0: '''
sqs.get_queue_attributes(QueueUrl=queue_url, AttributeNames=["VisibilityTimeout"])'''},
      "sqs-orders.heartbeat", hint=("change_message_visibility",)),
    V("3b", "right: a 30 s heartbeat", {0: '''
sqs.change_message_visibility(QueueUrl=queue_url, ReceiptHandle=message["ReceiptHandle"], VisibilityTimeout=30)'''},
      "sqs-orders.heartbeat", expect="correct"),
    V("3b", "right: the batch API with one entry", {0: '''
sqs.change_message_visibility_batch(QueueUrl=queue_url, Entries=[
    {"Id": "hb", "ReceiptHandle": message["ReceiptHandle"], "VisibilityTimeout": 10}])'''},
      "sqs-orders.heartbeat", expect="correct"),
    # ------------------------------------------------------------ 3b: the idempotent handler
    V("3b", "the guard never records the order", {1: '''
if order["order_id"] in charged_orders:
    return
provider.charge(order)'''}, "sqs-orders.idempotent", hint=("record",)),
    V("3b", "the guard keys on the message body", {1: '''
if body in charged_orders:
    return
provider.charge(order)
charged_orders.add(body)'''}, "sqs-orders.idempotent", hint=("order_id",)),
    V("3b", "the guard keys on the customer", {1: '''
if order["customer_id"] in charged_orders:
    return
provider.charge(order)
charged_orders.add(order["customer_id"])'''}, "sqs-orders.idempotent", hint=("order_id",)),
    V("3b", "records the order before charging it", {1: '''
if order["order_id"] in charged_orders:
    return
charged_orders.add(order["order_id"])
provider.charge(order)'''}, "sqs-orders.idempotent", hint=("only after",)),
    V("3b", "swallows the provider's failure", {1: '''
if order["order_id"] in charged_orders:
    return
try:
    provider.charge(order)
    charged_orders.add(order["order_id"])
except Exception:
    print("payment failed, skipping")'''}, "sqs-orders.idempotent", hint=("propagate",)),
    V("3b", "the guard's set is new on every call", {1: '''
seen = set()
if order["order_id"] in seen:
    return
provider.charge(order)
seen.add(order["order_id"])'''}, "sqs-orders.idempotent", hint=("record",)),
    V("3b", "right: a dict of charged orders", {1: '''
done = globals().setdefault("done_orders", {})
if not done.get(order["order_id"]):
    provider.charge(order)
    done[order["order_id"]] = True'''}, "sqs-orders.idempotent", expect="correct"),
    V("3b", "right: a guard clause the other way round", {1: '''
if order["order_id"] not in charged_orders:
    provider.charge(order)
    charged_orders.add(order["order_id"])'''}, "sqs-orders.idempotent", expect="correct"),

    # ------------------------------------------------------------ 4a: the dead-letter queue
    V("4a", "RedrivePolicy given as a dict", {0: '''
dlq_url = sqs.create_queue(QueueName=lab.name("orders-dlq"), Attributes={"MessageRetentionPeriod": "1209600"})["QueueUrl"]
dlq_arn = sqs.get_queue_attributes(QueueUrl=dlq_url, AttributeNames=["QueueArn"])["Attributes"]["QueueArn"]
sqs.set_queue_attributes(QueueUrl=orders_url, Attributes={"RedrivePolicy": {"deadLetterTargetArn": dlq_arn, "maxReceiveCount": "3"}})'''},
      "sqs-orders.dlq", hint=("JSON",), raises=True),
    V("4a", "deadLetterTargetArn is the DLQ's URL", {0: '''
dlq_url = sqs.create_queue(QueueName=lab.name("orders-dlq"), Attributes={"MessageRetentionPeriod": "1209600"})["QueueUrl"]
sqs.set_queue_attributes(QueueUrl=orders_url, Attributes={"RedrivePolicy": json.dumps({"deadLetterTargetArn": dlq_url, "maxReceiveCount": "3"})})'''},
      "sqs-orders.dlq", hint=("QueueArn",), raises=True),
    V("4a", "maxReceiveCount 1", {0: '''
dlq_url = sqs.create_queue(QueueName=lab.name("orders-dlq"), Attributes={"MessageRetentionPeriod": "1209600"})["QueueUrl"]
dlq_arn = sqs.get_queue_attributes(QueueUrl=dlq_url, AttributeNames=["QueueArn"])["Attributes"]["QueueArn"]
sqs.set_queue_attributes(QueueUrl=orders_url, Attributes={"RedrivePolicy": json.dumps({"deadLetterTargetArn": dlq_arn, "maxReceiveCount": "1"})})'''},
      "sqs-orders.dlq", hint=("maxReceiveCount",)),
    V("4a", "maxReceiveCount 100", {0: '''
dlq_url = sqs.create_queue(QueueName=lab.name("orders-dlq"), Attributes={"MessageRetentionPeriod": "1209600"})["QueueUrl"]
dlq_arn = sqs.get_queue_attributes(QueueUrl=dlq_url, AttributeNames=["QueueArn"])["Attributes"]["QueueArn"]
sqs.set_queue_attributes(QueueUrl=orders_url, Attributes={"RedrivePolicy": json.dumps({"deadLetterTargetArn": dlq_arn, "maxReceiveCount": "100"})})'''},
      "sqs-orders.dlq", hint=("between 2 and 10",)),
    V("4a", "the DLQ keeps messages only a minute", {0: '''
dlq_url = sqs.create_queue(QueueName=lab.name("orders-dlq"), Attributes={"MessageRetentionPeriod": "60"})["QueueUrl"]
dlq_arn = sqs.get_queue_attributes(QueueUrl=dlq_url, AttributeNames=["QueueArn"])["Attributes"]["QueueArn"]
sqs.set_queue_attributes(QueueUrl=orders_url, Attributes={"RedrivePolicy": json.dumps({"deadLetterTargetArn": dlq_arn, "maxReceiveCount": "3"})})'''},
      "sqs-orders.dlq", hint=("MessageRetentionPeriod",)),
    V("4a", "the RedrivePolicy set on the DLQ itself", {0: '''
dlq_url = sqs.create_queue(QueueName=lab.name("orders-dlq"), Attributes={"MessageRetentionPeriod": "1209600"})["QueueUrl"]
dlq_arn = sqs.get_queue_attributes(QueueUrl=dlq_url, AttributeNames=["QueueArn"])["Attributes"]["QueueArn"]
sqs.set_queue_attributes(QueueUrl=dlq_url, Attributes={"RedrivePolicy": json.dumps({"deadLetterTargetArn": dlq_arn, "maxReceiveCount": "3"})})'''},
      "sqs-orders.dlq", hint=("RedrivePolicy of 'orders'",)),
    V("4a", "only the DLQ, no redrive policy", {0: '''
dlq_url = sqs.create_queue(QueueName=lab.name("orders-dlq"), Attributes={"MessageRetentionPeriod": "1209600"})["QueueUrl"]'''},
      "sqs-orders.dlq", hint=("set_queue_attributes",)),
    V("4a", "the policy through create_queue on the existing orders queue", {0: '''
dlq_url = sqs.create_queue(QueueName=lab.name("orders-dlq"), Attributes={"MessageRetentionPeriod": "1209600"})["QueueUrl"]
dlq_arn = sqs.get_queue_attributes(QueueUrl=dlq_url, AttributeNames=["QueueArn"])["Attributes"]["QueueArn"]
sqs.create_queue(QueueName=lab.name("orders"), Attributes={"RedrivePolicy": json.dumps({"deadLetterTargetArn": dlq_arn, "maxReceiveCount": "3"})})'''},
      "sqs-orders.dlq", hint=("set_queue_attributes",), raises=True),
    V("4a", "right: maxReceiveCount 10 as a number, 7 days' retention", {0: '''
dlq_url = sqs.create_queue(QueueName=lab.name("orders-dlq"), Attributes={"MessageRetentionPeriod": str(7 * 24 * 3600)})["QueueUrl"]
dlq_arn = sqs.get_queue_attributes(QueueUrl=dlq_url, AttributeNames=["All"])["Attributes"]["QueueArn"]
sqs.set_queue_attributes(QueueUrl=orders_url, Attributes={"RedrivePolicy": json.dumps({"maxReceiveCount": 10, "deadLetterTargetArn": dlq_arn})})'''},
      "sqs-orders.dlq", expect="correct"),
    V("4a", "right: get_queue_url first and a count of 2", {0: '''
sqs.create_queue(QueueName=lab.name("orders-dlq"), Attributes={"MessageRetentionPeriod": "1209600"})
dlq_url = sqs.get_queue_url(QueueName=lab.name("orders-dlq"))["QueueUrl"]
arn = sqs.get_queue_attributes(QueueUrl=dlq_url, AttributeNames=["QueueArn"])["Attributes"]["QueueArn"]
policy = {"deadLetterTargetArn": arn, "maxReceiveCount": "2"}
sqs.set_queue_attributes(QueueUrl=orders_url, Attributes={"RedrivePolicy": json.dumps(policy)})'''},
      "sqs-orders.dlq", expect="correct"),

    # ------------------------------------------------------------ 4b: redrive
    V("4b", "starts the task and returns at once", {0: '''
return sqs.start_message_move_task(SourceArn=dlq_arn)'''}, "sqs-orders.redrive", hint=("Status",)),
    V("4b", "a blind short sleep instead of waiting", {0: '''
sqs.start_message_move_task(SourceArn=dlq_arn)
time.sleep(0.1)
return sqs.list_message_move_tasks(SourceArn=dlq_arn, MaxResults=1)["Results"][0]'''},
      "sqs-orders.redrive", hint=("RUNNING",)),
    V("4b", "the source queue's ARN instead of the DLQ's", {0: '''
source = sqs.get_queue_attributes(QueueUrl=orders_url, AttributeNames=["QueueArn"])["Attributes"]["QueueArn"]
sqs.start_message_move_task(SourceArn=source)
return sqs.list_message_move_tasks(SourceArn=source, MaxResults=1)["Results"][0]'''},
      "sqs-orders.redrive", hint=("dead-letter",)),
    V("4b", "the DLQ's URL instead of its ARN", {0: '''
url = sqs.get_queue_url(QueueName=dlq_arn.rsplit(":", 1)[-1])["QueueUrl"]
sqs.start_message_move_task(SourceArn=url)
return sqs.list_message_move_tasks(SourceArn=url, MaxResults=1)["Results"][0]'''},
      "sqs-orders.redrive", hint=("ARN",)),
    V("4b", "a typo in the status key", {0: '''
sqs.start_message_move_task(SourceArn=dlq_arn)
while True:
    task = sqs.list_message_move_tasks(SourceArn=dlq_arn, MaxResults=1)["Results"][0]
    if task["status"] != "RUNNING":
        return task
    time.sleep(0.2)'''}, "sqs-orders.redrive", hint=("KeyError",)),
    V("4b", "polls once, then returns", {0: '''
sqs.start_message_move_task(SourceArn=dlq_arn)
time.sleep(0.2)
return sqs.list_message_move_tasks(SourceArn=dlq_arn, MaxResults=1)["Results"][0]'''},
      "sqs-orders.redrive", hint=("until",)),
    V("4b", "the DLQ as its own destination", {0: '''
sqs.start_message_move_task(SourceArn=dlq_arn, DestinationArn=dlq_arn)
for _ in range(50):
    task = sqs.list_message_move_tasks(SourceArn=dlq_arn, MaxResults=1)["Results"][0]
    if task["Status"] != "RUNNING":
        return task
    time.sleep(0.2)'''}, "sqs-orders.redrive", hint=("DestinationArn",)),
    V("4b", "waits, but returns nothing", {0: '''
sqs.start_message_move_task(SourceArn=dlq_arn)
while sqs.list_message_move_tasks(SourceArn=dlq_arn, MaxResults=1)["Results"][0]["Status"] == "RUNNING":
    time.sleep(0.2)'''}, "sqs-orders.redrive", hint=("Return the task",)),
    V("4b", "right: a deadline loop that also stops on FAILED", {0: '''
handle = sqs.start_message_move_task(SourceArn=dlq_arn)["TaskHandle"]
deadline = time.monotonic() + 10
while time.monotonic() < deadline:
    for task in sqs.list_message_move_tasks(SourceArn=dlq_arn)["Results"]:
        if task.get("TaskHandle", handle) == handle and task["Status"] in ("COMPLETED", "FAILED", "CANCELLED"):
            return task
    time.sleep(0.1)
raise TimeoutError("the redrive did not finish in 10 s")'''}, "sqs-orders.redrive", expect="correct"),
    V("4b", "right: a bounded for loop", {0: '''
sqs.start_message_move_task(SourceArn=dlq_arn)
for _ in range(100):
    latest = sqs.list_message_move_tasks(SourceArn=dlq_arn, MaxResults=1)["Results"][0]
    if latest["Status"] == "COMPLETED":
        break
    time.sleep(0.1)
return latest'''}, "sqs-orders.redrive", expect="correct"),

    # ------------------------------------------------------------ 5: FIFO payments
    V("5", "a standard payments queue", {1: '''
payments_url = sqs.create_queue(QueueName=lab.name("payments"))["QueueUrl"]'''},
      "sqs-orders.fifo-payments", hint=("FIFO",)),
    V("5", "one message group for everything", {0: '''
sqs.send_message(QueueUrl=queue_url, MessageBody=json.dumps(event), MessageGroupId="payments")'''},
      "sqs-orders.fifo-payments", hint=("customer_id",)),
    V("5", "no MessageGroupId", {0: '''
sqs.send_message(QueueUrl=queue_url, MessageBody=json.dumps(event))'''},
      "sqs-orders.fifo-payments", hint=("MessageGroupId",)),
    V("5", "no deduplication at all", {1: '''
payments_url = sqs.create_queue(QueueName=lab.name("payments.fifo"), Attributes={"FifoQueue": "true"})["QueueUrl"]'''},
      "sqs-orders.fifo-payments", hint=("MessageDeduplicationId",)),
    V("5", "a random deduplication id", {1: '''
payments_url = sqs.create_queue(QueueName=lab.name("payments.fifo"), Attributes={"FifoQueue": "true"})["QueueUrl"]''', 0: '''
import uuid
sqs.send_message(QueueUrl=queue_url, MessageBody=json.dumps(event), MessageGroupId=event["customer_id"],
                 MessageDeduplicationId=uuid.uuid4().hex)'''}, "sqs-orders.fifo-payments", hint=("same MessageDeduplicationId",)),
    V("5", "the customer as deduplication id", {1: '''
payments_url = sqs.create_queue(QueueName=lab.name("payments.fifo"), Attributes={"FifoQueue": "true"})["QueueUrl"]''', 0: '''
sqs.send_message(QueueUrl=queue_url, MessageBody=json.dumps(event), MessageGroupId=event["customer_id"],
                 MessageDeduplicationId=event["customer_id"])'''}, "sqs-orders.fifo-payments", hint=("its own deduplication id",)),
    V("5", "the event sent as Python text, not JSON", {0: '''
sqs.send_message(QueueUrl=queue_url, MessageBody=str(event), MessageGroupId=event["customer_id"])'''},
      "sqs-orders.fifo-payments", hint=("json.dumps",)),
    V("5", "FifoQueue as a bool", {1: '''
payments_url = sqs.create_queue(QueueName=lab.name("payments.fifo"), Attributes={"FifoQueue": True, "ContentBasedDeduplication": True})["QueueUrl"]'''},
      "sqs-orders.fifo-payments", hint=("strings",), raises=True),
    V("5", "right: a deduplication id derived from the event", {1: '''
payments_url = sqs.create_queue(QueueName=lab.name("payments.fifo"), Attributes={"FifoQueue": "true"})["QueueUrl"]''', 0: '''
import hashlib
body = json.dumps(event, sort_keys=True)
sqs.send_message(QueueUrl=queue_url, MessageBody=body, MessageGroupId=event["customer_id"],
                 MessageDeduplicationId=hashlib.sha256(body.encode()).hexdigest())'''}, "sqs-orders.fifo-payments", expect="correct"),
    V("5", "right: content-based deduplication and an explicit id", {0: '''
sqs.send_message(QueueUrl=queue_url, MessageBody=json.dumps(event), MessageGroupId=str(event["customer_id"]),
                 MessageDeduplicationId=f"{event['order_id']}-{event['event']}")'''}, "sqs-orders.fifo-payments", expect="correct"),

    # ------------------------------------------------------------ 6: throughput
    V("6", "stops on a short batch", {0: '''
while True:
    messages = sqs.receive_message(QueueUrl=queue_url, MaxNumberOfMessages=10, WaitTimeSeconds=1).get("Messages", [])
    if messages:
        sqs.delete_message_batch(QueueUrl=queue_url, Entries=[{"Id": str(i), "ReceiptHandle": m["ReceiptHandle"]} for i, m in enumerate(messages)])
        done.append(len(messages))
    if len(messages) < 10:
        return'''}, "sqs-orders.throughput", hint=("fewer than asked",)),
    V("6", "one message per receive", {0: '''
while True:
    messages = sqs.receive_message(QueueUrl=queue_url, WaitTimeSeconds=1).get("Messages", [])
    if not messages:
        return
    sqs.delete_message_batch(QueueUrl=queue_url, Entries=[{"Id": str(i), "ReceiptHandle": m["ReceiptHandle"]} for i, m in enumerate(messages)])
    done.append(len(messages))'''}, "sqs-orders.throughput", hint=("MaxNumberOfMessages",)),
    V("6", "deletes one message per request", {0: '''
while True:
    messages = sqs.receive_message(QueueUrl=queue_url, MaxNumberOfMessages=10, WaitTimeSeconds=1).get("Messages", [])
    if not messages:
        return
    for m in messages:
        sqs.delete_message(QueueUrl=queue_url, ReceiptHandle=m["ReceiptHandle"])
    done.append(len(messages))'''}, "sqs-orders.throughput", hint=("delete_message_batch",)),
    V("6", "never deletes", {0: '''
while True:
    messages = sqs.receive_message(QueueUrl=queue_url, MaxNumberOfMessages=10, WaitTimeSeconds=1).get("Messages", [])
    if not messages:
        return
    done.append(len(messages))'''}, "sqs-orders.throughput", hint=("delete",)),
    V("6", "appends the messages, not their number", {0: '''
while True:
    messages = sqs.receive_message(QueueUrl=queue_url, MaxNumberOfMessages=10, WaitTimeSeconds=1).get("Messages", [])
    if not messages:
        return
    sqs.delete_message_batch(QueueUrl=queue_url, Entries=[{"Id": str(i), "ReceiptHandle": m["ReceiptHandle"]} for i, m in enumerate(messages)])
    done.append(messages)'''}, "sqs-orders.throughput", hint=("an int",)),
    V("6", "the same Id for every delete entry", {0: '''
while True:
    messages = sqs.receive_message(QueueUrl=queue_url, MaxNumberOfMessages=10, WaitTimeSeconds=1).get("Messages", [])
    if not messages:
        return
    sqs.delete_message_batch(QueueUrl=queue_url, Entries=[{"Id": "m", "ReceiptHandle": m["ReceiptHandle"]} for m in messages])
    done.append(len(messages))'''}, "sqs-orders.throughput", hint=("own Id",)),
    V("6", "appends a running total", {0: '''
total = 0
while True:
    messages = sqs.receive_message(QueueUrl=queue_url, MaxNumberOfMessages=10, WaitTimeSeconds=1).get("Messages", [])
    if not messages:
        return
    sqs.delete_message_batch(QueueUrl=queue_url, Entries=[{"Id": str(i), "ReceiptHandle": m["ReceiptHandle"]} for i, m in enumerate(messages)])
    total += len(messages)
    done.append(total)'''}, "sqs-orders.throughput", hint=("how many messages it deleted",)),
    V("6", "a single receive, no loop", {0: '''
messages = sqs.receive_message(QueueUrl=queue_url, MaxNumberOfMessages=10, WaitTimeSeconds=1).get("Messages", [])
if messages:
    sqs.delete_message_batch(QueueUrl=queue_url, Entries=[{"Id": str(i), "ReceiptHandle": m["ReceiptHandle"]} for i, m in enumerate(messages)])
    done.append(len(messages))'''}, "sqs-orders.throughput", hint=("no messages",)),
    V("6", "right: MessageIds as batch Ids, counting Successful", {0: '''
while messages := sqs.receive_message(QueueUrl=queue_url, MaxNumberOfMessages=10, WaitTimeSeconds=1).get("Messages"):
    answer = sqs.delete_message_batch(QueueUrl=queue_url, Entries=[{"Id": m["MessageId"], "ReceiptHandle": m["ReceiptHandle"]} for m in messages])
    done.append(len(answer.get("Successful", [])))'''}, "sqs-orders.throughput", expect="correct"),
    V("6", "right: a for loop with a break", {0: '''
for _ in iter(int, 1):
    got = sqs.receive_message(QueueUrl=queue_url, MaxNumberOfMessages=10, WaitTimeSeconds=1)
    batch = got.get("Messages", [])
    if len(batch) == 0:
        break
    entries = [{"Id": f"e{n}", "ReceiptHandle": m["ReceiptHandle"]} for n, m in enumerate(batch)]
    sqs.delete_message_batch(QueueUrl=queue_url, Entries=entries)
    done.append(len(entries))'''}, "sqs-orders.throughput", expect="correct"),

    # ------------------------------------------------------------ 7: the Lambda consumer
    V("7", "no partial batch responses", {0: '''
existing = lam.list_event_source_mappings(EventSourceArn=lambda_queue_arn)["EventSourceMappings"]
if existing:
    mapping = lam.update_event_source_mapping(UUID=existing[0]["UUID"], BatchSize=10)
else:
    mapping = lam.create_event_source_mapping(EventSourceArn=lambda_queue_arn, FunctionName=lab.name("order-consumer"), BatchSize=10)'''},
      "sqs-orders.lambda-consumer", hint=("ReportBatchItemFailures",)),
    V("7", "one message per invocation", {0: '''
existing = lam.list_event_source_mappings(EventSourceArn=lambda_queue_arn)["EventSourceMappings"]
settings = {"BatchSize": 1, "FunctionResponseTypes": ["ReportBatchItemFailures"]}
if existing:
    mapping = lam.update_event_source_mapping(UUID=existing[0]["UUID"], **settings)
else:
    mapping = lam.create_event_source_mapping(EventSourceArn=lambda_queue_arn, FunctionName=lab.name("order-consumer"), **settings)'''},
      "sqs-orders.lambda-consumer", hint=("BatchSize",)),
    V("7", "created disabled", {0: '''
mapping = lam.create_event_source_mapping(EventSourceArn=lambda_queue_arn, FunctionName=lab.name("order-consumer"), BatchSize=10,
                                          FunctionResponseTypes=["ReportBatchItemFailures"], Enabled=False)'''},
      "sqs-orders.lambda-consumer", hint=("Enabled=True",)),
    V("7", "a typo in the function name", {0: '''
mapping = lam.create_event_source_mapping(EventSourceArn=lambda_queue_arn, FunctionName=lab.name("orders-consumer"), BatchSize=10,
                                          FunctionResponseTypes=["ReportBatchItemFailures"])'''},
      "sqs-orders.lambda-consumer", hint=("FunctionName",), raises=True),
    V("7", "the queue URL as EventSourceArn", {0: '''
mapping = lam.create_event_source_mapping(EventSourceArn=lambda_queue_url, FunctionName=lab.name("order-consumer"), BatchSize=10,
                                          FunctionResponseTypes=["ReportBatchItemFailures"])'''},
      "sqs-orders.lambda-consumer", hint=("QueueArn",), raises=True),
    V("7", "the mapping reads the orders queue of step 2", {0: '''
orders_arn = sqs.get_queue_attributes(QueueUrl=queue_url(lab, "orders", step=2), AttributeNames=["QueueArn"])["Attributes"]["QueueArn"]
mapping = lam.create_event_source_mapping(EventSourceArn=orders_arn, FunctionName=lab.name("order-consumer"), BatchSize=10,
                                          FunctionResponseTypes=["ReportBatchItemFailures"])'''},
      "sqs-orders.lambda-consumer", hint=("orders-lambda",)),
    V("7", "only the update branch sets partial batch responses", {0: '''
existing = lam.list_event_source_mappings(EventSourceArn=lambda_queue_arn)["EventSourceMappings"]
if existing:
    mapping = lam.update_event_source_mapping(UUID=existing[0]["UUID"], BatchSize=10, FunctionResponseTypes=["ReportBatchItemFailures"])
else:
    mapping = lam.create_event_source_mapping(EventSourceArn=lambda_queue_arn, FunctionName=lab.name("order-consumer"), BatchSize=10)'''},
      "sqs-orders.lambda-consumer", hint=("ReportBatchItemFailures",)),
    V("7", "batches of 100", {0: '''
mapping = lam.create_event_source_mapping(EventSourceArn=lambda_queue_arn, FunctionName=lab.name("order-consumer"), BatchSize=100,
                                          MaximumBatchingWindowInSeconds=1, FunctionResponseTypes=["ReportBatchItemFailures"])'''},
      "sqs-orders.lambda-consumer", hint=("BatchSize=10",)),
    V("7", "right: delete what exists, then create", {0: '''
for old in lam.list_event_source_mappings(EventSourceArn=lambda_queue_arn)["EventSourceMappings"]:
    lam.delete_event_source_mapping(UUID=old["UUID"])
mapping = lam.create_event_source_mapping(EventSourceArn=lambda_queue_arn, FunctionName=lab.name("order-consumer"), BatchSize=10,
                                          FunctionResponseTypes=["ReportBatchItemFailures"], Enabled=True)'''},
      "sqs-orders.lambda-consumer", expect="correct"),
    V("7", "right: the function's ARN and batches of 5", {0: '''
function_arn = lam.get_function(FunctionName=lab.name("order-consumer"))["Configuration"]["FunctionArn"]
if not lam.list_event_source_mappings(EventSourceArn=lambda_queue_arn)["EventSourceMappings"]:
    lam.create_event_source_mapping(EventSourceArn=lambda_queue_arn, FunctionName=function_arn, BatchSize=5,
                                    FunctionResponseTypes=["ReportBatchItemFailures"])'''},
      "sqs-orders.lambda-consumer", expect="correct"),
]
