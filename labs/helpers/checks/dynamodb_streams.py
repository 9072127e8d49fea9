"""Checks of Lab 6 (DynamoDB Streams): the orders table and its stream, reading it, the notifier's mapping,
idempotent claims and optimistic locking.

Each check judges behaviour: it writes test transitions through the learner's table (or a scratch copy
of it), runs the learner's functions on scratch tables, and counts what reached the customers' outbox.
Test orders are named ``chk-...`` so the notebook's own pictures leave them out.
"""

from __future__ import annotations

import json
import uuid
from typing import Any

from boto3.dynamodb.types import TypeDeserializer
from botocore.exceptions import ClientError

from ...handlers.status_notifier import TEMPLATES
from ..backend import BackendKind
from . import Feedback, checker
from ._ddb import find_table, quiet_handlers, read_all, scratch_table, stream_arn, wait_until
from ._sqs import find_queue
from .probe import Probe

LAB = "dynamodb-streams"
CUSTOMER_STATUSES = ["PAID", "SHIPPED", "DELIVERED", "CANCELLED"]
_deserialize = TypeDeserializer().deserialize


def _orders(lab: Any, fb: Feedback) -> dict[str, Any]:
    return fb.require(find_table(lab, "orders"), "There is no orders table yet.",
                      "Do exercise 2: create_table with TableName=ORDERS, then run this check.",
                      after=("CreateTable",))


def _orders_stream(lab: Any, fb: Feedback) -> str:
    table = _orders(lab, fb)
    arn = stream_arn(table)
    if arn is None:
        fb.wrong("The orders table has no stream.", "Finish exercise 2: the table needs a StreamSpecification.")
        fb.stop()
    return arn


# ---------------------------------------------------------------------------- step 2
@checker(f"{LAB}.table")
def _table(lab: Any, fb: Feedback) -> None:
    table = _orders(lab, fb)
    keys = table.get("KeySchema", [])
    types = {a["AttributeName"]: a["AttributeType"] for a in table.get("AttributeDefinitions", [])}
    if not fb.check(keys == [{"AttributeName": "order_id", "KeyType": "HASH"}],
                    "Its key is order_id alone (the partition key).",
                    f"Its key schema is {', '.join(k['AttributeName'] + ' (' + k['KeyType'] + ')' for k in keys)}: "
                    "one item per order needs order_id as the only key.",
                    "KeySchema must be order_id as the HASH key and nothing else (a RANGE key such as status would make "
                    "every status a separate item). A key cannot be changed: delete_table, then create it again."):
        return
    fb.check(types.get("order_id") == "S", "order_id is a string (S).",
             f"order_id is typed {types.get('order_id')}: order ids like 'o-101' are strings.",
             "AttributeDefinitions: AttributeType 'S' for order_id (delete_table and create it again).")
    billing = (table.get("BillingModeSummary") or {}).get("BillingMode", "PROVISIONED")
    fb.check(billing == "PAY_PER_REQUEST", "It is on-demand (PAY_PER_REQUEST).",
             f"Its billing mode is {billing}.", "BillingMode='PAY_PER_REQUEST': on-demand, no capacity to plan.")
    spec = table.get("StreamSpecification") or {}
    if not spec.get("StreamEnabled"):
        fb.wrong("The table has no stream: nothing records its changes.",
                 "Give the table a StreamSpecification (StreamEnabled True and a StreamViewType); update_table can "
                 "add one to the existing table.")
        return
    view = spec.get("StreamViewType")
    if view != "NEW_AND_OLD_IMAGES":
        missing = {"KEYS_ONLY": "neither image", "NEW_IMAGE": "no OldImage", "OLD_IMAGE": "no NewImage"}.get(str(view), "")
        fb.wrong(f"Its stream's StreamViewType is {view}: records carry {missing}, so the notifier cannot tell "
                 "an old status from a new one.",
                 "The notifier compares the old status with the new: StreamViewType NEW_AND_OLD_IMAGES. A stream's "
                 "view type cannot be changed: update_table with StreamEnabled False, then again with the new type "
                 "(or delete the table and create it again).")
        return
    fb.right("Its stream is NEW_AND_OLD_IMAGES.")
    with scratch_table(lab, "orders", stream=view) as name:  # the same settings, test writes
        ddb = lab.client("dynamodb")
        ddb.put_item(TableName=name, Item={"order_id": {"S": "chk-1"}, "status": {"S": "PLACED"}})
        ddb.update_item(TableName=name, Key={"order_id": {"S": "chk-1"}}, UpdateExpression="SET #s = :s",
                        ExpressionAttributeNames={"#s": "status"}, ExpressionAttributeValues={":s": {"S": "PAID"}})
        arn = stream_arn(ddb.describe_table(TableName=name)["Table"])
        records = read_all(lab, arn) if arn else []
    modify = [r for r in records if r["eventName"] == "MODIFY"]
    fb.check(bool(modify) and modify[0]["dynamodb"].get("OldImage", {}).get("status") == {"S": "PLACED"}
             and modify[0]["dynamodb"].get("NewImage", {}).get("status") == {"S": "PAID"},
             "A test write on a copy of it (PLACED -> PAID) appears as a MODIFY with both statuses.",
             "A test write on a copy of it did not show both statuses in the stream.",
             "StreamViewType NEW_AND_OLD_IMAGES.")


# ---------------------------------------------------------------------------- step 3
def _typed(value: Any) -> bool:
    return isinstance(value, dict) and len(value) == 1 and next(iter(value)) in {"S", "N", "M", "L", "BOOL", "NULL"}


@checker(f"{LAB}.read")
def _read(lab: Any, fb: Feedback, read_stream: Any, status_changes: Any) -> None:
    read_stream = fb.answer(read_stream, "read_stream", "3")
    status_changes = fb.answer(status_changes, "status_changes", "3")
    ddb = lab.client("dynamodb")
    with Probe(lab, fb) as probe, scratch_table(lab, "read", stream="NEW_AND_OLD_IMAGES") as name:
        for order in ("chk-1", "chk-2", "chk-3"):
            ddb.put_item(TableName=name, Item={"order_id": {"S": order}, "status": {"S": "PLACED"}, "version": {"N": "1"}})
        ddb.update_item(TableName=name, Key={"order_id": {"S": "chk-1"}}, UpdateExpression="SET #s = :s",
                        ExpressionAttributeNames={"#s": "status"}, ExpressionAttributeValues={":s": {"S": "PAID"}})
        ddb.delete_item(TableName=name, Key={"order_id": {"S": "chk-2"}})
        arn = stream_arn(ddb.describe_table(TableName=name)["Table"])
        expected = read_all(lab, arn)
        outcome = probe.run(read_stream, arn, timeout=4)
        if outcome.timed_out:
            fb.wrong("read_stream did not return within 4 s on a stream of 5 records: it loops forever.",
                     "An open shard always answers a NextShardIterator: stop at the first get_records call that "
                     "returns no Records.")
            fb.stop()
        if probe.explain_error(outcome, "read_stream"):
            fb.stop()
        got = outcome.value if isinstance(outcome.value, list) else None
        if got is None:
            fb.wrong(f"read_stream returned {type(outcome.value).__name__}, not a list of records.",
                     "Return the list of records (get_records' 'Records', page after page).")
            fb.stop()
        ids = [r.get("eventID") for r in got if isinstance(r, dict)]
        want = [r["eventID"] for r in expected]
        iterators = [c.params.get("ShardIteratorType") for c in probe.made("GetShardIterator")]
        if not got:
            fb.wrong("read_stream returned no records from a stream holding 5.",
                     "ShardIteratorType TRIM_HORIZON starts at the oldest record kept; LATEST starts after the newest"
                     if "LATEST" in iterators else "Read every shard from TRIM_HORIZON with get_shard_iterator, then "
                     "get_records with the iterator.")
            fb.stop()
        if ids != want:
            fb.wrong(f"read_stream returned {len(got)} of the stream's 5 records"
                     + (" (in another order)." if sorted(ids) == sorted(want) else "."),
                     "Keep calling get_records with each answer's NextShardIterator until a call returns no Records "
                     "(one call may return only part of the shard; Limit caps it).")
            fb.stop()
        fb.right("read_stream returns all 5 records of a test stream, oldest first.")
        outcome = probe.run(status_changes, expected, timeout=4)
        if isinstance(outcome.error, KeyError):
            fb.wrong(f"status_changes raised KeyError: {outcome.error} on the test stream's records (an INSERT has no "
                     "OldImage and a REMOVE no NewImage).",
                     "Use None where a record has no OldImage (INSERT) or no NewImage (REMOVE), or no status in it.")
            fb.stop()
        if probe.explain_error(outcome, "status_changes"):
            fb.stop()
    right = [("chk-1", None, "PLACED"), ("chk-2", None, "PLACED"), ("chk-3", None, "PLACED"),
             ("chk-1", "PLACED", "PAID"), ("chk-2", "PLACED", None)]
    got_changes = [tuple(c) for c in outcome.value] if isinstance(outcome.value, list) else None
    if got_changes is None or len(got_changes) != len(right):
        fb.wrong(f"status_changes returned {outcome.value!r:.80} for 5 records: one tuple per record is expected.",
                 "Return a list with one (order_id, old status, new status) tuple per record.")
        return
    if any(_typed(v) for c in got_changes for v in c):
        fb.wrong(f"status_changes returns typed attribute values, e.g. {got_changes[0]}.",
                 "Decode each typed value with TypeDeserializer().deserialize: {'S': 'PAID'} becomes 'PAID'.")
        return
    if got_changes == [(o, n, p) for o, p, n in right]:
        fb.wrong("status_changes has old and new swapped: the INSERT of chk-1 reads (chk-1, PLACED, None).",
                 "OldImage is the item before the write, NewImage after it: (order_id, OldImage status, NewImage status).")
        return
    fb.check(got_changes == right, "status_changes decodes INSERT, MODIFY and REMOVE records right.",
             f"status_changes returned {got_changes}, expected {right}.",
             "Per record: order_id from Keys, the old status from OldImage, the new from NewImage, None where missing.")


# ---------------------------------------------------------------------------- step 4
def _notified(lab: Any, order_id: str, topic: str | None) -> list[str]:
    """The statuses announced for ``order_id`` in the outbox (matched on the notifier's texts)."""
    from ..outbox import messages

    texts = {template.format(order_id=order_id): status for status, template in TEMPLATES.items()}
    found = []
    for message in messages(lab):
        if topic and message.get("topic_arn") != topic or message.get("type"):
            continue
        text = str(message.get("message", ""))
        if text in texts:
            found.append(texts[text])
        elif order_id in text:
            found.append(text.rsplit(": ", 1)[-1].rstrip("."))
    return found


@checker(f"{LAB}.notifier")
def _notifier(lab: Any, fb: Feedback) -> None:
    from ..functions import wait_for_mapping
    from ._sns import find_topic

    arn = _orders_stream(lab, fb)
    lam = lab.client("lambda")
    function = lab.name("status-notifier")
    try:
        mappings = lam.list_event_source_mappings(FunctionName=function, EventSourceArn=arn)["EventSourceMappings"]
    except ClientError:
        mappings = []
    mapping = fb.require(mappings[0] if mappings else None,
                         "The notifier has no event source mapping on the orders stream.",
                         "Do exercise 4: create_event_source_mapping from orders_stream to the notifier.",
                         after=("CreateEventSourceMapping",))
    filters = (mapping.get("FilterCriteria") or {}).get("Filters") or []
    fb.check(bool(filters), "It has FilterCriteria.", "It has no FilterCriteria: every write to orders invokes the notifier.",
             "Add FilterCriteria: MODIFY records whose dynamodb.NewImage.status.S is one of the customer statuses.")
    fb.check("ReportBatchItemFailures" in (mapping.get("FunctionResponseTypes") or []),
             "It reads the handler's partial batch responses (ReportBatchItemFailures).",
             "Without FunctionResponseTypes ReportBatchItemFailures Lambda ignores the batchItemFailures the handler "
             "returns: a failed record counts as done.",
             "Set FunctionResponseTypes=['ReportBatchItemFailures'].")
    retries = mapping.get("MaximumRetryAttempts", -1)
    fb.check(retries is not None and 0 <= int(retries) <= 10, f"It retries a failing batch {retries} time(s), then gives up.",
             "MaximumRetryAttempts is -1 (the default): a failing record is retried until it expires after 24 hours, "
             "and nothing behind it in the shard is delivered meanwhile.",
             "Set MaximumRetryAttempts to a small number (e.g. 2).")
    fb.check(bool(mapping.get("BisectBatchOnFunctionError")), "It splits a batch whose invocation crashed (BisectBatchOnFunctionError).",
             "BisectBatchOnFunctionError is off: a crash retries the whole batch again and again.",
             "Set BisectBatchOnFunctionError=True, so a crashing batch is halved until the bad record is alone.")
    destination = ((mapping.get("DestinationConfig") or {}).get("OnFailure") or {}).get("Destination")
    failures_url = find_queue(lab, "notifier-failures")
    fb.check(bool(destination), "Batches Lambda gives up on are described in an on-failure destination.",
             "It has no on-failure destination: a batch Lambda gives up on is dropped without a trace.",
             "Set DestinationConfig={'OnFailure': {'Destination': <the notifier-failures queue's ARN>}}.")
    if lab.backend.kind is BackendKind.AWS:
        fb.right("(On real AWS the check reads the configuration only: the outbox is a real mailbox.)")
        return
    wait_for_mapping(lab, mapping["UUID"])
    topic = find_topic(lab, "order-updates")
    ddb, table = lab.client("dynamodb"), lab.name("orders")
    suffix = uuid.uuid4().hex[:6]
    good, poison = f"chk-{suffix}-a", f"chk-{suffix}-b"

    def write(order: str, status: str, **extra: str) -> None:
        names = {"#s": "status", **{f"#{k}": k for k in extra}}
        values = {":s": {"S": status}, **{f":{k}": {"S": v} for k, v in extra.items()}}
        sets = ", ".join(["#s = :s"] + [f"#{k} = :{k}" for k in extra])
        ddb.update_item(TableName=table, Key={"order_id": {"S": order}}, UpdateExpression=f"SET {sets}",
                        ExpressionAttributeNames=names, ExpressionAttributeValues=values)

    with quiet_handlers(lab):  # settles when it ends
        ddb.put_item(TableName=table, Item={"order_id": {"S": good}, "status": {"S": "PLACED"},
                                            "customer_id": {"S": "c-ana"}, "version": {"N": "1"}})
        for status, extra in (("PACKING", {}), ("PAID", {}), ("PAID", {"address": "1 Test Rd"}), ("SHIPPED", {})):
            write(good, status, **extra)
        ddb.put_item(TableName=table, Item={"order_id": {"S": poison}, "status": {"S": "PLACED"}, "version": {"N": "1"}})
        write(poison, "PAID")
    wait_until(lambda: len(_notified(lab, good, topic)) >= 2, timeout=1.0 if lab.backend.kind is BackendKind.EMBEDDED else 5.0)
    statuses = _notified(lab, good, topic)
    if not statuses:
        fb.wrong("A test order went PLACED -> PACKING -> PAID -> PAID (address) -> SHIPPED: its customer heard nothing.",
                 "The filter matches no record: patterns match the record as Lambda sees it, typed values and all - "
                 "{'eventName': ['MODIFY'], 'dynamodb': {'NewImage': {'status': {'S': [...]}}}}, every value a list.")
        return
    if statuses == ["PAID", "SHIPPED"]:
        fb.right("A test order's customer heard PAID and SHIPPED, once each; PACKING and the address change stayed quiet.")
    elif "PACKING" in statuses or "PLACED" in statuses:
        fb.wrong(f"A test order's customer was told {statuses}: internal statuses got through.",
                 "Filter on the new status: dynamodb.NewImage.status.S must be one of PAID, SHIPPED, DELIVERED, CANCELLED.")
    elif "PAID" not in statuses:
        fb.wrong(f"A test order's customer was told only {statuses}: PAID was missed.",
                 "Filter on NewImage (the status after the write), not OldImage.")
    else:
        fb.wrong(f"A test order's customer was told {statuses}, expected PAID and SHIPPED once each.",
                 "Filter MODIFY records on dynamodb.NewImage.status.S.")
    if failures_url is None:
        return
    sequence = next((r["dynamodb"]["SequenceNumber"] for r in reversed(read_all(lab, arn))
                     if r["eventName"] == "MODIFY" and r["dynamodb"]["Keys"]["order_id"]["S"] == poison), None)

    def described() -> bool:
        sqs = lab.client("sqs")
        for message in sqs.receive_message(QueueUrl=failures_url, MaxNumberOfMessages=10,
                                           VisibilityTimeout=0).get("Messages", []):
            try:
                info = json.loads(message["Body"]).get("DDBStreamBatchInfo", {})
            except ValueError:
                continue
            if sequence and int(info.get("startSequenceNumber", 0)) <= int(sequence) <= int(info.get("endSequenceNumber", -1)):
                return True
        return False

    fb.check(wait_until(described, timeout=0.5 if lab.backend.kind is BackendKind.EMBEDDED else 5.0),
             "A test order without a customer failed, was retried, and its batch is described in notifier-failures.",
             "A test order without a customer failed in the notifier, and notifier-failures never heard of it: "
             "the record was dropped silently.",
             "The mapping needs FunctionResponseTypes ReportBatchItemFailures (so the failure counts), "
             "MaximumRetryAttempts, and DestinationConfig OnFailure with the notifier-failures queue's ARN.")


# ---------------------------------------------------------------------------- step 5
def _record(order_id: str, old: str, new: str, event_id: str, sequence: str) -> dict[str, Any]:
    def image(status: str) -> dict[str, Any]:
        return {"order_id": {"S": order_id}, "status": {"S": status}, "customer_id": {"S": "c-ana"}}

    return {"eventID": event_id, "eventName": "MODIFY", "eventVersion": "1.1", "eventSource": "aws:dynamodb",
            "awsRegion": "us-east-1",
            "dynamodb": {"Keys": {"order_id": {"S": order_id}}, "OldImage": image(old), "NewImage": image(new),
                         "SequenceNumber": sequence, "SizeBytes": 120, "StreamViewType": "NEW_AND_OLD_IMAGES"}}


@checker(f"{LAB}.idempotency")
def _idempotency(lab: Any, fb: Feedback, claim: Any) -> None:
    claim = fb.answer(claim, "claim", "5")
    cases = [
        (_record("chk-1", "PLACED", "PAID", "e1", "101"), True, "the first PLACED -> PAID of an order"),
        (_record("chk-1", "PLACED", "PAID", "e1", "101"), False, "the same record again (a retried batch)"),
        (_record("chk-1", "PLACED", "PAID", "e2", "105"), False,
         "the same transition in a new record (re-applied by the order service: new eventID and SequenceNumber)"),
        (_record("chk-1", "PAID", "SHIPPED", "e3", "108"), True, "the order's next status, SHIPPED"),
        (_record("chk-2", "PLACED", "PAID", "e4", "110"), True, "another order's PAID"),
    ]
    with Probe(lab, fb) as probe, scratch_table(lab, "notified", key="key") as name:
        for record, expected, what in cases:
            outcome = probe.run(claim, name, record, timeout=4)
            if probe.explain_error(outcome, "claim"):
                if isinstance(outcome.error, ClientError) and \
                        outcome.error.response["Error"]["Code"] == "ConditionalCheckFailedException":
                    fb.wrong("(A claim made before must answer False, not raise.)",
                             "Catch ConditionalCheckFailedException (only that) and return False.")
                fb.stop()
            if outcome.value is not expected:
                if what.startswith("the same transition"):
                    hint = ("Key the claim by what the customer is told, order id and new status: a stream record's "
                            "eventID (or SequenceNumber) is new for every write, so a re-applied transition passes.")
                elif what.startswith("the order's next"):
                    hint = "Key the claim by order id AND status: with the order id alone, later statuses are swallowed."
                elif what.startswith("another order"):
                    hint = "Key the claim by order id and status: with the status alone, one order's PAID blocks every other's."
                elif what.startswith("the same record"):
                    hint = ("Make the put conditional: ConditionExpression attribute_not_exists on the key, and return "
                            "False on ConditionalCheckFailedException.")
                else:
                    hint = "The first claim must write the item and return True."
                fb.wrong(f"claim returned {outcome.value!r} for {what}; expected {expected}.", hint)
                fb.stop()
        fb.right("claim lets each (order id, status) through once: retried batches and re-applied transitions stay quiet.")
        writes = probe.made("PutItem", "UpdateItem", "TransactWriteItems")
        if probe.made("GetItem", "Query", "Scan") or any("ConditionExpression" not in c.params for c in writes
                                                          if c.operation != "TransactWriteItems"):
            fb.wrong("claim reads first and then writes: two invocations at the same moment both read 'absent' and "
                     "both notify.",
                     "Let DynamoDB decide in one step: a conditional put (ConditionExpression attribute_not_exists) "
                     "and no read.")
            return
        missing = probe.run(claim, lab.name(f"check-missing-{uuid.uuid4().hex[:6]}"), cases[0][0], timeout=4)
    fb.check(missing.error is not None, "Any other error (here: a table that does not exist) is raised, not hidden.",
             f"claim answered {missing.value!r} for a table that does not exist: a failing claim would silently "
             "drop the notification.",
             "Catch only ConditionalCheckFailedException; let other errors raise so Lambda retries the record.")


# ---------------------------------------------------------------------------- step 6
@checker(f"{LAB}.locking")
def _locking(lab: Any, fb: Feedback, move: Any) -> None:
    move = fb.answer(move, "move", "6")
    arn = _orders_stream(lab, fb)
    ddb, table = lab.client("dynamodb"), lab.name("orders")
    order = f"chk-lock-{uuid.uuid4().hex[:6]}"
    ddb.put_item(TableName=table, Item={"order_id": {"S": order}, "status": {"S": "PLACED"}, "version": {"N": "1"}})
    current = lambda: ddb.get_item(TableName=table, Key={"order_id": {"S": order}}, ConsistentRead=True).get("Item", {})
    with quiet_handlers(lab), Probe(lab, fb) as probe:
        first = probe.run(move, order, 1, "PACKING", timeout=4)
        if probe.explain_error(first, "move"):
            fb.stop()
        if not (isinstance(first.value, tuple) and len(first.value) == 2):
            fb.wrong(f"move returned {first.value!r:.80}; expected (moved, item).",
                     "Return a pair: (True, the new item) or (False, the item as it is now).")
            fb.stop()
        moved, item = first.value
        now = current()
        if not moved or now.get("status") != {"S": "PACKING"}:
            fb.wrong(f"move(order, 1, 'PACKING') on an order at version 1 returned moved={moved!r}; the order is "
                     f"{now.get('status')}.", "The condition must hold for the version the order has: version = :expected.")
            fb.stop()
        if now.get("version") != {"N": "2"}:
            fb.wrong(f"After a move the order's version is {now.get('version', {}).get('N')}, still the one the writer read.",
                     "Bump the version in the same update (SET version = version + :one), or the next writer's "
                     "stale version still matches.")
            fb.stop()
        fb.check(isinstance(item, dict) and item.get("status") == {"S": "PACKING"}, "A move returns the new item.",
                 f"A successful move returned {item!r:.80} as the item.", "ReturnValues='ALL_NEW' gives the item after the update.")
        probe.calls.clear()
        stale = probe.run(move, order, 1, "LABELLED", timeout=4)
        if stale.error is not None and isinstance(stale.error, ClientError) and \
                stale.error.response["Error"]["Code"] == "ConditionalCheckFailedException":
            fb.wrong("move with a stale version let ConditionalCheckFailedException escape.",
                     "Catch ConditionalCheckFailedException and return (False, the item from the error).")
            fb.stop()
        if probe.explain_error(stale, "move"):
            fb.stop()
        moved, item = stale.value if isinstance(stale.value, tuple) and len(stale.value) == 2 else (None, None)
        if moved or current().get("status") != {"S": "PACKING"}:
            fb.wrong("A second writer that still had version 1 moved the order too: the first writer's PACKING was "
                     "overwritten (a lost update).",
                     "Make the update conditional on the version the writer read: ConditionExpression 'version = :expected'.")
            fb.stop()
        if probe.made("GetItem", "Query", "Scan"):
            fb.wrong("After a rejected move, move read the order again.",
                     "ReturnValuesOnConditionCheckFailure='ALL_OLD' puts the item that made the write fail into the "
                     "error (err.response['Item']): no second read, and no third writer in between.")
            fb.stop()
        if not (isinstance(item, dict) and item.get("status") == {"S": "PACKING"} and item.get("version") == {"N": "2"}):
            fb.wrong(f"A rejected move returned {item!r:.80}, not the order as it is now.",
                     "ReturnValuesOnConditionCheckFailure='ALL_OLD', then return err.response['Item'].")
            fb.stop()
        fb.right("A move with a stale version is rejected, and says what the order is now (from the error).")
        race = probe.run(move, order, 2, "PICKED", timeout=4, threads=2)
        if probe.explain_error(race, "move"):
            fb.stop()
    now = current()
    modifies = [r for r in read_all(lab, arn) if r["eventName"] == "MODIFY"
                and r["dynamodb"]["Keys"]["order_id"]["S"] == order]
    fb.check(now.get("version") == {"N": "3"} and len(modifies) == 2,
             "Two writers racing from version 2: one moved the order; the stream has one MODIFY per successful move "
             "and nothing for the rejected ones.",
             f"Two writers racing from version 2 left version {now.get('version', {}).get('N')} and "
             f"{len(modifies)} MODIFY records (expected 3 and 2).",
             "ConditionExpression on version, and the version bumped in the same update.")
    ddb.delete_item(TableName=table, Key={"order_id": {"S": order}})


# ---------------------------------------------------------------------------- step 7
def _cart_record(cart: str, event: str, ttl: bool = False) -> dict[str, Any]:
    image = {"cart_id": {"S": cart}, "expires_at": {"N": "1700000000"}}
    change: dict[str, Any] = {"Keys": {"cart_id": {"S": cart}}, "SequenceNumber": str(200 + len(cart)),
                              "SizeBytes": 60, "StreamViewType": "OLD_IMAGE"}
    if event in ("MODIFY", "REMOVE"):
        change["OldImage"] = image
    record: dict[str, Any] = {"eventID": uuid.uuid4().hex, "eventName": event, "eventVersion": "1.1",
                              "eventSource": "aws:dynamodb", "awsRegion": "us-east-1", "dynamodb": change}
    if ttl:
        record["userIdentity"] = {"PrincipalId": "dynamodb.amazonaws.com", "Type": "Service"}
    return record


@checker(f"{LAB}.ttl")
def _ttl(lab: Any, fb: Feedback, expired_carts: Any) -> None:
    expired_carts = fb.answer(expired_carts, "expired_carts", "7")
    records = [_cart_record("cart-1", "INSERT"), _cart_record("cart-2", "INSERT"), _cart_record("cart-3", "MODIFY"),
               _cart_record("cart-1", "REMOVE", ttl=True), _cart_record("cart-2", "REMOVE"),
               _cart_record("cart-3", "REMOVE", ttl=True)]
    with Probe(lab, fb) as probe:
        outcome = probe.run(expired_carts, records, timeout=4)
        if isinstance(outcome.error, KeyError):
            fb.wrong(f"expired_carts raised KeyError: {outcome.error} (a REMOVE record has no NewImage).",
                     "Read the cart id from the record's Keys, which every record has.")
            fb.stop()
        if probe.explain_error(outcome, "expired_carts"):
            fb.stop()
    got = outcome.value
    if not isinstance(got, (list, tuple)):
        fb.wrong(f"expired_carts returned {got!r:.60}, not a list of cart ids.", "Return a list of the cart ids.")
        return
    if any(_typed(v) for v in got):
        fb.wrong(f"expired_carts returns typed values ({got[0]}).", "Decode the key with TypeDeserializer: {'S': 'cart-1'} "
                 "becomes 'cart-1'.")
        return
    got = list(got)
    if got == ["cart-1", "cart-3"]:
        fb.right("Of 3 removals, expired_carts picks the 2 TTL deletions (userIdentity Service dynamodb.amazonaws.com) "
                 "and not the cart the customer emptied.")
    elif "cart-2" in got and "cart-1" in got:
        fb.wrong(f"expired_carts returned {got}: the cart the customer emptied counts as expired.",
                 "A REMOVE is a TTL deletion only if its userIdentity says so: Type 'Service', PrincipalId "
                 "'dynamodb.amazonaws.com'.")
    elif got == ["cart-2"]:
        fb.wrong("expired_carts returned only the cart the customer emptied: the test is the wrong way round.",
                 "TTL deletions are the REMOVE records that HAVE a userIdentity of the DynamoDB service.")
    elif not got:
        fb.wrong("expired_carts found none of the 2 TTL deletions.",
                 "GetRecords spells the identity {'Type': 'Service', 'PrincipalId': 'dynamodb.amazonaws.com'} (a Lambda "
                 "event spells it type / principalId).")
    else:
        fb.wrong(f"expired_carts returned {got}, expected ['cart-1', 'cart-3'].",
                 "Keep REMOVE records whose userIdentity is the DynamoDB service; return their Keys' cart_id, in order.")
