"""The pictures (labs.helpers.viz): each is drawn headless and inspected for what it must show.

A picture test asserts content - lane labels, the number and style of arrows, legend entries, edge
counts and widths - so a picture that silently drops a DLQ move or a subscriber fails here.
"""

from __future__ import annotations

import json
import time

import matplotlib.colors
import matplotlib.pyplot as plt
import pytest

from labs.helpers import Lab, LabError
from labs.helpers import resources as res
from labs.helpers.viz import QueueDepthRecorder, queue_depth, sequence
from labs.helpers.viz.sequence import arrows
from tests.viz_frames import arrow_kinds, call, delivery, flow_df, lane_labels, legend_texts, map_edges, title


# --------------------------------------------------------------------------- sequence: SQS
def test_sequence_sqs_dlq_move_has_its_own_style_and_lane() -> None:
    df = flow_df([
        call("sqs", "SendMessage", "client", "sc-t-sqs-orders", order_ids=("o-1",)),
        call("sqs", "ReceiveMessage", "sc-t-sqs-orders", "client"),
        call("sqs", "ReceiveMessage", "sc-t-sqs-orders", "client"),
        delivery("sqs", "dlq-move", "sc-t-sqs-orders", "sc-t-sqs-orders-dlq", status="dlq"),
        # as the trace records it: the movement's ends, not the caller (the client)
        call("sqs", "StartMessageMoveTask", "sc-t-sqs-orders-dlq", "original sources", count=0),
        delivery("sqs", "redrive", "sc-t-sqs-orders-dlq", "sc-t-sqs-orders"),
    ])
    fig = sequence(df, title="Poison message")
    assert lane_labels(fig) == ["client", "orders", "orders-dlq"]  # common prefix stripped, said in title
    assert "sc-t-sqs-" in title(fig) and title(fig).startswith("Poison message")
    assert arrow_kinds(fig) == ["call", "call", "call", "dlq", "redrive", "redrive"]
    legend = legend_texts(fig)
    assert "moved to dead-letter queue" in legend and "redriven from DLQ" in legend
    assert "SQS dead-letter queue" in legend and "SQS queue" in legend
    labels = [t.get_text() for t in fig.axes[0].texts if t.get_gid() == "label"]
    assert labels[0] == "SendMessage [o-1]"
    # the student's StartMessageMoveTask goes from the client to the DLQ; no "original sources" lane
    assert labels[4] == "StartMessageMoveTask (\u2192 original sources)"
    start = arrows(fig)[4]
    assert start.xyann == (0, 5) and start.xy == (2, 5)  # client lane x=0 -> DLQ lane x=2, step 5


def test_sequence_hides_empty_receives_and_says_so() -> None:
    df = flow_df([call("sqs", "SendMessage", "client", "q")] +
                 [call("sqs", "ReceiveMessage", "q", "client", count=0)] * 7)
    fig = sequence(df)
    assert len(arrows(fig)) == 1
    assert "7 empty ReceiveMessage polls not shown" in title(fig)
    assert len(arrows(sequence(df, hide_empty_receives=False))) == 8


# --------------------------------------------------------------------------- sequence: SNS
def test_sequence_sns_fanout_with_filtered_subscriber() -> None:
    df = flow_df([
        call("sns", "Publish", "client", "orders-topic", message_ids=("m-1",)),
        delivery("sns", "fanout", "orders-topic", "billing", cause_id="m-1", detail={"protocol": "sqs"}),
        delivery("sns", "fanout", "orders-topic", "shipping", cause_id="m-1", detail={"protocol": "sqs"}),
        delivery("sns", "filtered", "orders-topic", "fraud", cause_id="m-1", status="filtered",
                 detail={"protocol": "sqs"}),
    ])
    fig = sequence(df)
    assert lane_labels(fig) == ["client", "orders-topic", "billing", "shipping", "fraud"]
    assert arrow_kinds(fig) == ["call", "delivery", "delivery", "filtered"]
    assert "filtered out (not delivered)" in legend_texts(fig)
    assert "SNS topic" in legend_texts(fig)
    # the filtered arrow ends in an 'x': the message never arrived
    assert any(line.get_marker() == "x" for line in fig.axes[0].get_lines())


# --------------------------------------------------------------------------- sequence: EventBridge, SFN, streams
def test_sequence_eventbridge_rule_targets_and_failure() -> None:
    df = flow_df([
        call("events", "PutEvents", "client", "orders-bus"),
        delivery("events", "rule-match", "orders-bus", "audit-queue", detail={"rule": "audit", "bus": "orders-bus"}),
        delivery("events", "rule-match", "orders-bus", "notify", status="failed",
                 detail={"rule": "notify", "bus": "orders-bus"}),
    ])
    fig = sequence(df)
    assert arrow_kinds(fig) == ["call", "delivery", "failed"]
    assert "failed / error" in legend_texts(fig) and "EventBridge bus" in legend_texts(fig)


def test_sequence_step_functions_self_transitions_and_streams() -> None:
    df = flow_df([
        call("stepfunctions", "StartExecution", "client", "fulfil"),
        delivery("stepfunctions", "state-entered", "fulfil", "fulfil", detail={"state": "Reserve"}),
        delivery("stepfunctions", "execution-failed", "fulfil", "fulfil", status="failed"),
        call("kinesis", "PutRecords", "client", "clicks", count=25),
        call("kinesis", "GetRecords", "clicks", "client", count=25),
        call("dynamodb", "PutItem", "client", "orders-table"),
        call("dynamodbstreams", "GetRecords", "orders-table", "client", count=1),
    ])
    fig = sequence(df)
    assert lane_labels(fig) == ["client", "fulfil", "clicks", "orders-table"]
    assert arrow_kinds(fig) == ["call", "delivery", "failed", "call", "call", "call", "call"]
    legend = legend_texts(fig)
    assert {"Step Functions state machine", "Kinesis stream", "DynamoDB table"} <= set(legend)
    assert "PutRecords \u00d725" in [t.get_text() for t in fig.axes[0].texts]


# --------------------------------------------------------------------------- sequence: scale
def test_sequence_of_500_messages_is_aggregated_and_says_so() -> None:
    rows = []
    for i in range(250):
        rows.append(call("sqs", "SendMessage", "client", "orders", order_ids=(f"o-{i}",)))
        rows.append(call("sqs", "ReceiveMessage", "orders", "client"))
    fig = sequence(flow_df(rows), max_messages=60)
    assert "AGGREGATED" in title(fig) and "500 calls/deliveries" in title(fig)
    assert len(arrows(fig)) == 2  # one per source -> target and operation
    texts = [t.get_text() for t in fig.axes[0].texts if t.get_gid() == "label"]
    assert texts == ["SendMessage \u00d7250", "ReceiveMessage \u00d7250"]


def test_sequence_below_the_limit_draws_one_arrow_per_row() -> None:
    rows = [call("sqs", "SendMessage", "client", "orders")] * 5
    fig = sequence(flow_df(rows))
    assert len(arrows(fig)) == 5 and "AGGREGATED" not in title(fig)


def test_sequence_of_nothing_still_has_title_lanes_and_legend() -> None:
    fig = sequence(flow_df([]))
    assert lane_labels(fig) == ["client"] and legend_texts(fig) and "0 calls" in title(fig)
    assert any("no messages recorded yet" in t.get_text() for t in fig.axes[0].texts)


def test_sequence_into_a_given_axes() -> None:
    fig, ax = plt.subplots()
    assert sequence(flow_df([call("sqs", "SendMessage", "client", "q")]), ax=ax) is fig


# --------------------------------------------------------------------------- queue depth
def test_queue_depth_records_visible_in_flight_and_dlq(lab: Lab) -> None:
    """AWS: ApproximateNumberOfMessages is "the approximate number of messages available for
    retrieval", ApproximateNumberOfMessagesNotVisible "messages that are in flight ... sent to a
    client but have not yet been deleted"; after maxReceiveCount receives a message moves to the DLQ."""
    queue = res.ensure_queue(lab, "orders", dlq=True, max_receive_count=1)
    sqs = lab.client("sqs")
    recorder = QueueDepthRecorder(lab, ["orders"])  # a lab base name is enough
    assert recorder.queues[0].dlq_name == lab.name("orders-dlq")
    for i in range(3):
        sqs.send_message(QueueUrl=queue.url, MessageBody=f"order {i}")
    first = recorder.sample()[0]
    assert (first["visible"], first["in_flight"], first["dlq_visible"]) == (3, 0, 0)
    # Two receives of one: a receive of 2 out of 3 may return 1 ("fewer messages might be returned").
    received = [m for _ in range(2) for m in sqs.receive_message(QueueUrl=queue.url, VisibilityTimeout=30)["Messages"]]
    second = recorder.sample()[0]
    assert (second["visible"], second["in_flight"]) == (1, 2)
    for message in received:  # give up on them: visible again, received once already -> DLQ
        sqs.change_message_visibility(QueueUrl=queue.url, ReceiptHandle=message["ReceiptHandle"], VisibilityTimeout=0)
    sqs.receive_message(QueueUrl=queue.url, MaxNumberOfMessages=10, VisibilityTimeout=30)
    third = recorder.sample()[0]
    assert third["dlq_visible"] == 2
    df = recorder.df
    assert list(df.columns) == ["t", "time", "queue", "visible", "in_flight", "dlq", "dlq_visible"]
    assert len(df) == 3 and df["t"].iloc[0] == 0 and df["t"].is_monotonic_increasing

    fig = queue_depth(recorder)
    ax = fig.axes[0]
    labels = [line.get_label() for line in ax.get_lines()]
    assert labels == ["visible", "in flight", "DLQ orders-dlq"]
    assert list(ax.get_lines()[2].get_ydata()) == [0, 0, 2]
    assert list(ax.get_lines()[0].get_ydata()) == [3, 1, third["visible"]]
    assert "seconds since the first sample" in ax.get_xlabel()
    assert [t.get_text() for t in ax.get_legend().get_texts()] == labels


def test_queue_depth_thread_samples_and_stops_cleanly(lab: Lab) -> None:
    res.ensure_queue(lab, "a")
    res.ensure_queue(lab, "b")
    recorder = QueueDepthRecorder(lab, [lab.name("a"), "b"], interval=0.02).start()
    assert recorder.running
    deadline = time.time() + 2
    while recorder.df["t"].nunique() < 3 and time.time() < deadline:
        time.sleep(0.02)
    recorder.stop()
    assert not recorder.running and recorder.errors == []
    samples = len(recorder.df)
    time.sleep(0.06)
    assert len(recorder.df) == samples  # nothing sampled after stop()
    fig = queue_depth(recorder.df)
    assert [ax.get_title(loc="left") for ax in fig.axes] == ["a", "b"]  # one panel per queue, no DLQ line
    assert all(len(ax.get_lines()) == 2 for ax in fig.axes)


def test_queue_depth_samples_after_the_labs_calls_when_the_thread_gets_no_time(lab: Lab) -> None:
    """The build-up and the drain of a burst are recorded by the calls themselves: here the
    thread waits a minute between samples (as a sampling thread that gets no GIL time does), and
    every send, receive and delete on the queue is still followed by a sample (min_gap=0)."""
    queue = res.ensure_queue(lab, "user-actions", dlq=True, max_receive_count=5)
    sqs = lab.client("sqs")
    with QueueDepthRecorder(lab, ["user-actions"], interval=60, min_gap=0) as recorder:
        for start in range(0, 100, 10):
            sqs.send_message_batch(QueueUrl=queue.url, Entries=[{"Id": str(i), "MessageBody": f"click {start + i}"}
                                                                 for i in range(10)])
        sizes = []  # a receive may return fewer than asked (AWS does, and so does the emulator)
        for _ in range(10):
            got = sqs.receive_message(QueueUrl=queue.url, MaxNumberOfMessages=10, VisibilityTimeout=30)["Messages"]
            sizes.append(len(got))
            sqs.delete_message_batch(QueueUrl=queue.url, Entries=[{"Id": str(i), "ReceiptHandle": m["ReceiptHandle"]}
                                                                  for i, m in enumerate(got)])
        sqs.get_queue_attributes(QueueUrl=queue.url, AttributeNames=["All"])  # changes nothing: no sample
    df = recorder.df
    # the sample of `with`, one per send, one per receive and one per delete, the one at the end
    assert len(df) == 1 + 10 + 20 + 1 and recorder.errors == []
    assert list(df["visible"][:11]) == list(range(0, 101, 10))  # the backlog builds up while sending
    drain = df.iloc[11:31]
    left = [100 - sum(sizes[:k + 1]) for k in range(10)]
    assert list(drain["visible"]) == [v for v in left for _ in range(2)]  # ... then drains
    assert list(drain["in_flight"]) == [x for n in sizes for x in (n, 0)]  # what a consumer holds meanwhile
    assert set(df["dlq_visible"]) == {0}
    fig = queue_depth(recorder)
    assert "32 samples" in fig.texts[0].get_text()
    # once stopped, the calls no longer sample
    sqs.send_message(QueueUrl=queue.url, MessageBody="late")
    assert len(recorder.df) == 32


def test_queue_depth_of_a_burst_in_the_labs_own_thread(lab: Lab) -> None:
    """Lab 1 step 6 as it is written: 1,000 user actions sent in batches of 10 while a recorder
    with interval=0.05 runs. However little time its thread gets, the send is sampled along the
    way (at most every min(interval, 0.02) s), so the plot shows the backlog growing."""
    queue = res.ensure_queue(lab, "user-actions")
    sqs = lab.client("sqs")
    with QueueDepthRecorder(lab, ["user-actions"], interval=0.05) as recorder:
        started = time.monotonic()
        for start in range(0, 1000, 10):
            sqs.send_message_batch(QueueUrl=queue.url, Entries=[{"Id": str(i), "MessageBody": "click"}
                                                                 for i in range(10)])
        took = time.monotonic() - started
    visible = list(recorder.df["visible"])
    building = [v for v in visible if 0 < v < 1000]
    assert len(set(building)) >= min(5, int(took / 0.02) - 1), (took, visible)  # about one per 20 ms of sending
    assert visible == sorted(visible) and all(v % 10 == 0 for v in building)  # whole batches, growing


def test_queue_depth_names_a_missing_queue(lab: Lab) -> None:
    with pytest.raises(LabError, match="no queue called"):
        QueueDepthRecorder(lab, ["nope"])


# --------------------------------------------------------------------------- through a real lab.flow
def test_real_flow_sqs_dlq_and_eventbridge_target_lanes(lab: Lab) -> None:
    """With the trace on, the student's calls and the backend's deliveries (a DLQ move, a rule
    delivering to its target) are one story; ``lab.flow.sequence()`` draws it with lane kinds
    read from the account (the rule's target is a queue, not 'other')."""
    orders = res.ensure_queue(lab, "orders", dlq=True, max_receive_count=1)
    audit = res.ensure_queue(lab, "audit")
    res.ensure_event_bus(lab, "bus")
    res.ensure_rule(lab, "to-audit", bus=lab.name("bus"), pattern={"source": ["securecart"]},
                    targets=[{"Id": "audit", "Arn": audit.arn}])
    sqs = lab.client("sqs")
    sqs.send_message(QueueUrl=orders.url, MessageBody=json.dumps({"order_id": "o-1"}))
    sqs.receive_message(QueueUrl=orders.url, VisibilityTimeout=0)
    sqs.receive_message(QueueUrl=orders.url, VisibilityTimeout=0)  # over maxReceiveCount: to the DLQ
    lab.client("events").put_events(Entries=[{"Source": "securecart", "DetailType": "OrderPlaced",
                                              "Detail": json.dumps({"order_id": "o-2"}), "EventBusName": lab.name("bus")}])
    fig = lab.flow.sequence(title="Real trace")
    assert lane_labels(fig) == ["client", "orders", "orders-dlq", "bus", "audit"]
    assert arrow_kinds(fig) == ["call", "call", "dlq", "call", "delivery"]
    ticks = {t.get_text(): matplotlib.colors.to_hex(t.get_color()) for t in fig.axes[0].get_xticklabels()}
    assert ticks["audit"] == "#e377c2" and ticks["orders-dlq"] == "#d62728"  # SQS queue, SQS DLQ colours
    assert "other / outside the lab" not in legend_texts(fig)
    assert "1 empty ReceiveMessage polls not shown" in title(fig)

    edges = map_edges(lab.flow.service_map())
    assert edges[(orders.name, lab.name("orders-dlq"))]["count"] == 1  # the configured DLQ edge, traced once
    assert edges[(f"rule/{lab.name('to-audit')}", audit.name)]["count"] == 1  # rule -> target via detail["rule"]
    assert edges[("client", orders.name)]["kind"] == "call" and edges[(orders.name, "client")]["kind"] == "call"


def test_real_flow_kinesis_and_dynamodb_stream_reads(lab: Lab) -> None:
    res.ensure_stream(lab, "clicks")
    table = res.ensure_table(lab, "orders")
    kinesis = lab.client("kinesis")
    kinesis.put_records(StreamName=lab.name("clicks"), Records=[
        {"Data": json.dumps({"order_id": f"o-{i}"}).encode(), "PartitionKey": str(i)} for i in range(5)])
    shard = kinesis.describe_stream(StreamName=lab.name("clicks"))["StreamDescription"]["Shards"][0]["ShardId"]
    iterator = kinesis.get_shard_iterator(StreamName=lab.name("clicks"), ShardId=shard,
                                          ShardIteratorType="TRIM_HORIZON")["ShardIterator"]
    assert len(kinesis.get_records(ShardIterator=iterator)["Records"]) == 5
    lab.client("dynamodb").put_item(TableName=table.name, Item={"id": {"S": "o-9"}, "order_id": {"S": "o-9"}})
    streams = lab.client("dynamodbstreams")
    shard = streams.describe_stream(StreamArn=table.stream_arn)["StreamDescription"]["Shards"][0]["ShardId"]
    iterator = streams.get_shard_iterator(StreamArn=table.stream_arn, ShardId=shard,
                                          ShardIteratorType="TRIM_HORIZON")["ShardIterator"]
    assert len(streams.get_records(ShardIterator=iterator)["Records"]) == 1
    fig = lab.flow.sequence()
    assert lane_labels(fig) == ["client", "clicks", "orders"]
    labels = [t.get_text() for t in fig.axes[0].texts if t.get_gid() == "label"]
    assert labels == ["PutRecords \u00d75 [o-0 +4]", "GetRecords \u00d75 [o-0 +4]", "PutItem [o-9]", "GetRecords [o-9]"]
    assert {"Kinesis stream", "DynamoDB table"} <= set(legend_texts(fig))


def test_real_flow_sns_fanout_with_a_filtered_subscriber(lab: Lab) -> None:
    """AWS: a subscriber whose filter policy does not match "does not receive the message"; the
    emulator reports a fan-out delivery per matching subscription and a filtered one per other."""
    billing = res.ensure_queue(lab, "billing")
    fraud = res.ensure_queue(lab, "fraud")
    topic = res.ensure_topic(lab, "order-events")
    res.ensure_queue_subscription(lab, topic, billing)
    res.ensure_queue_subscription(lab, topic, fraud, filter_policy={"risk": ["high"]})
    lab.client("sns").publish(TopicArn=topic, Message=json.dumps({"order_id": "o-7"}),
                              MessageAttributes={"risk": {"DataType": "String", "StringValue": "low"}})
    fig = lab.flow.sequence()
    lanes = lane_labels(fig)
    assert lanes[:2] == ["client", "order-events"] and set(lanes[2:]) == {"billing", "fraud"}
    kinds = dict(zip([t.get_text() for t in fig.axes[0].texts if t.get_gid() == "label"], arrow_kinds(fig)))
    assert kinds["Publish [o-7]"] == "call"
    assert sorted(arrow_kinds(fig)) == ["call", "delivery", "filtered"]
    assert "filtered out (not delivered)" in legend_texts(fig)
    edges = map_edges(lab.flow.service_map())
    t = lab.name("order-events")
    assert edges[(t, billing.name)]["count"] == 1 and edges[(t, billing.name)]["kind"] == "subscription"
    assert "count" not in edges[(t, fraud.name)]  # the filtered subscriber received nothing
    assert edges[(t, fraud.name)]["label"] == "sqs + filter"
