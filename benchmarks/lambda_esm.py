"""Lambda local runtime and event source mapping figures on the embedded emulator.

Why a script and not a test: timings depend on the machine, so tests assert behaviour only and this
prints the figures. Measured, with the fidelity layer on:

* ``invoke``: synchronous invocations per second of a trivial handler (runtime overhead per call);
* ``sqs-esm``: N orders sent in batches of 10 to a queue mapped (BatchSize 10) to the SecureCart
  order consumer, time until ``settle()`` returns (messages per second, end to end);
* ``kinesis-esm``: N records put in batches of 100, time until delivered (records per second);
* ``idle-pollers``: cost of idle pollers on the student's own calls: 300 ``send_message`` calls to
  an unmapped queue with 0 and with 10 idle mappings polling empty queues.

    .venv/bin/python benchmarks/lambda_esm.py            # 1,000 messages/records
    .venv/bin/python benchmarks/lambda_esm.py --count 200
"""

from __future__ import annotations

import argparse
import contextlib
import io
import json
import sys
import time
import zipfile

from _modes import ROOT, use_embedded

sys.path.insert(0, str(ROOT))

from labs.helpers import start_lab
from labs.helpers.functions import handler_name, package_handler, settle

TRUST = json.dumps({"Version": "2012-10-17", "Statement": [
    {"Effect": "Allow", "Principal": {"Service": "lambda.amazonaws.com"}, "Action": "sts:AssumeRole"}]})


def _zip(source: str) -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        archive.writestr("app.py", source)
    return buffer.getvalue()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--count", type=int, default=1000)
    args = parser.parse_args()
    use_embedded()
    lab = start_lab("sandbox")
    lam, sqs, kinesis = lab.client("lambda"), lab.client("sqs"), lab.client("kinesis")
    role = lab.client("iam").create_role(RoleName=lab.name("bench"), AssumeRolePolicyDocument=TRUST)["Role"]["Arn"]
    lam.create_function(FunctionName=lab.name("noop"), Runtime="python3.12", Role=role, Handler="app.handler",
                        Code={"ZipFile": _zip("def handler(event, context):\n    return len(event.get('Records', []))\n")})

    started = time.perf_counter()
    calls = min(args.count, 300)
    for _ in range(calls):
        lam.invoke(FunctionName=lab.name("noop"), Payload=b"{}")
    elapsed = time.perf_counter() - started
    print(f"invoke        {calls:6d} calls      {elapsed:7.2f} s  {calls / elapsed:8.0f} invocations/s")

    url = sqs.create_queue(QueueName=lab.name("orders"))["QueueUrl"]
    arn = sqs.get_queue_attributes(QueueUrl=url, AttributeNames=["QueueArn"])["Attributes"]["QueueArn"]
    lam.create_function(FunctionName=lab.name("consumer"), Runtime="python3.12", Role=role,
                        Handler=handler_name("labs.handlers.order_consumer"),
                        Code={"ZipFile": package_handler("labs.handlers.order_consumer")})
    lam.create_event_source_mapping(EventSourceArn=arn, FunctionName=lab.name("consumer"), BatchSize=10,
                                    FunctionResponseTypes=["ReportBatchItemFailures"])
    started = time.perf_counter()
    with contextlib.redirect_stdout(io.StringIO()):  # the consumer prints a line per order
        for first in range(0, args.count, 10):
            sqs.send_message_batch(QueueUrl=url, Entries=[
                {"Id": str(i), "MessageBody": json.dumps({"order_id": f"o-{i}", "total": i})}
                for i in range(first, min(first + 10, args.count))])
        settle(lab, timeout=600)
    elapsed = time.perf_counter() - started
    print(f"sqs-esm       {args.count:6d} messages   {elapsed:7.2f} s  {args.count / elapsed:8.0f} messages/s")

    kinesis.create_stream(StreamName=lab.name("clicks"), ShardCount=2)
    stream = kinesis.describe_stream(StreamName=lab.name("clicks"))["StreamDescription"]["StreamARN"]
    lam.create_event_source_mapping(EventSourceArn=stream, FunctionName=lab.name("noop"), BatchSize=100,
                                    StartingPosition="TRIM_HORIZON")
    started = time.perf_counter()
    for first in range(0, args.count, 100):
        kinesis.put_records(StreamName=lab.name("clicks"), Records=[
            {"Data": json.dumps({"click": i}).encode(), "PartitionKey": f"c-{i % 17}"}
            for i in range(first, min(first + 100, args.count))])
    settle(lab, timeout=600)
    elapsed = time.perf_counter() - started
    print(f"kinesis-esm   {args.count:6d} records    {elapsed:7.2f} s  {args.count / elapsed:8.0f} records/s")

    plain = sqs.create_queue(QueueName=lab.name("plain"))["QueueUrl"]
    for pollers in (0, 10):
        for i in range(pollers):
            q = sqs.create_queue(QueueName=lab.name(f"idle-{i}"))["QueueUrl"]
            q_arn = sqs.get_queue_attributes(QueueUrl=q, AttributeNames=["QueueArn"])["Attributes"]["QueueArn"]
            lam.create_event_source_mapping(EventSourceArn=q_arn, FunctionName=lab.name("noop"))
        started = time.perf_counter()
        for i in range(300):
            sqs.send_message(QueueUrl=plain, MessageBody=str(i))
        elapsed = time.perf_counter() - started
        print(f"idle-pollers  {pollers:6d} idle       {elapsed:7.2f} s  {300 / elapsed:8.0f} sends/s")
    lab.teardown()


if __name__ == "__main__":
    main()
