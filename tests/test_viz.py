"""The pictures (labs.helpers.viz): each is drawn headless and inspected for what it must show.

A picture test asserts content - lane labels, the number and style of arrows, legend entries, edge
counts and widths - so a picture that silently drops a DLQ move or a subscriber fails here.
"""

from __future__ import annotations

import io
import json
import time
import zipfile

import matplotlib.colors
import matplotlib.pyplot as plt
import pytest

from labs.helpers import Lab, LabError
from labs.helpers import resources as res
from labs.helpers.viz import QueueDepthRecorder, execution_path, queue_depth, sequence, service_map
from labs.helpers.viz.execution import definition_graph
from labs.helpers.viz.sequence import arrows
from labs.helpers.viz.service_map import edge_width
from labs.helpers.viz.style import OUTCOMES
from tests.viz_frames import call, delivery, flow_df


@pytest.fixture(autouse=True)
def _close_figures():
    yield
    plt.close("all")


def lane_labels(fig) -> list[str]:
    return [t.get_text() for t in fig.axes[0].get_xticklabels()]


def legend_texts(fig) -> list[str]:
    legend = fig.axes[0].get_legend()
    assert legend is not None, "every picture has a legend"
    return [t.get_text() for t in legend.get_texts()]


def title(fig) -> str:
    return fig.axes[0].get_title(loc="left")


def arrow_kinds(fig) -> list[str]:
    return [a.get_gid().split(":", 1)[1] for a in arrows(fig)]


# --------------------------------------------------------------------------- sequence: SQS
def test_sequence_sqs_dlq_move_has_its_own_style_and_lane() -> None:
    df = flow_df([
        call("sqs", "SendMessage", "client", "sc-t-sqs-orders", order_ids=("o-1",)),
        call("sqs", "ReceiveMessage", "sc-t-sqs-orders", "client"),
        call("sqs", "ReceiveMessage", "sc-t-sqs-orders", "client"),
        delivery("sqs", "dlq-move", "sc-t-sqs-orders", "sc-t-sqs-orders-dlq", status="dlq"),
        call("sqs", "StartMessageMoveTask", "sc-t-sqs-orders-dlq", "sc-t-sqs-orders"),
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


# --------------------------------------------------------------------------- service map
def _map_edges(fig) -> dict[tuple[str, str], dict]:
    return {(a, b): d for a, b, d in fig.graph.edges(data=True)}


def test_service_map_discovers_subscriptions_filters_and_dlq(lab: Lab) -> None:
    orders = res.ensure_queue(lab, "orders", dlq=True, max_receive_count=3)
    fraud = res.ensure_queue(lab, "fraud")
    topic = res.ensure_topic(lab, "order-events")
    res.ensure_queue_subscription(lab, topic, orders)
    res.ensure_queue_subscription(lab, topic, fraud, filter_policy={"total": [{"numeric": [">", 500]}]})
    fig = service_map(lab)
    edges = _map_edges(fig)
    t, o, f, d = lab.name("order-events"), lab.name("orders"), lab.name("fraud"), lab.name("orders-dlq")
    assert edges[(t, o)]["kind"] == "subscription" and edges[(t, o)]["label"] == "sqs"
    assert edges[(t, f)]["label"] == "sqs + filter"
    assert edges[(o, d)]["kind"] == "dlq" and edges[(o, d)]["label"] == "after 3 receives"
    assert fig.graph.nodes[d]["kind"] == "dlq"
    assert len(edges) == 3
    # one drawn arrow per edge, and a legend naming node and edge kinds
    assert len([p for p in fig.axes[0].patches if str(p.get_gid()).startswith("edge:")]) == 3
    assert {"SNS topic", "SQS queue", "SQS dead-letter queue", "SNS subscription", "redrive policy \u2192 DLQ"} \
        <= set(legend_texts(fig))
    assert {"order-events", "orders", "fraud", "orders-dlq"} <= {t.get_text() for t in fig.axes[0].texts}


def test_service_map_edge_widths_follow_the_flow(lab: Lab) -> None:
    orders = res.ensure_queue(lab, "orders")
    audit = res.ensure_queue(lab, "audit")
    topic = res.ensure_topic(lab, "order-events")
    res.ensure_queue_subscription(lab, topic, orders)
    res.ensure_queue_subscription(lab, topic, audit)
    t, o, a = lab.name("order-events"), lab.name("orders"), lab.name("audit")
    df = flow_df([call("sns", "Publish", "client", t)] * 30 +
                 [delivery("sns", "fanout", t, o)] * 30 + [delivery("sns", "fanout", t, a)] * 2)
    fig = service_map(lab, df)
    edges = _map_edges(fig)
    assert edges[("client", t)]["count"] == 30 and edges[("client", t)]["kind"] == "call"
    assert edges[(t, o)]["count"] == 30 and edges[(t, a)]["count"] == 2
    assert edges[(t, o)]["width"] > edges[(t, a)]["width"] > edge_width(0)
    drawn = {p.get_gid(): p.get_linewidth() for p in fig.axes[0].patches}
    assert drawn[f"edge:{t}->{o}"] == pytest.approx(edges[(t, o)]["width"])
    assert "\u00d730" in " ".join(t.get_text() for t in fig.axes[0].texts)


def test_service_map_eventbridge_rule_and_targets(lab: Lab) -> None:
    bus_arn = res.ensure_event_bus(lab, "orders")
    audit = res.ensure_queue(lab, "audit")
    billing = res.ensure_queue(lab, "billing")
    bus = lab.name("orders")
    res.ensure_rule(lab, "all-orders", bus=bus, pattern={"source": ["securecart.orders"]},
                    targets=[{"Id": "audit", "Arn": audit.arn}, {"Id": "billing", "Arn": billing.arn}])
    rule = f"rule/{lab.name('all-orders')}"
    df = flow_df([call("events", "PutEvents", "client", bus)] +
                 [delivery("events", "rule-match", bus, audit.name, detail={"rule": lab.name("all-orders"), "bus": bus})] * 4)
    fig = service_map(lab, df)
    edges = _map_edges(fig)
    assert fig.graph.nodes[rule]["kind"] == "rule" and fig.graph.nodes[bus]["kind"] == "events"
    assert edges[(bus, rule)]["kind"] == "rule"
    assert edges[(rule, audit.name)]["label"] == "audit" and edges[(rule, billing.name)]["label"] == "billing"
    assert edges[(rule, audit.name)]["count"] == 4 and "count" not in edges[(rule, billing.name)]
    assert bus_arn.endswith(bus)
    assert "EventBridge rule / target" in legend_texts(fig)


def _function(lab: Lab, name: str) -> str:
    role = lab.client("iam").create_role(RoleName=lab.name("fn-role"), AssumeRolePolicyDocument=json.dumps({
        "Version": "2012-10-17", "Statement": [{"Effect": "Allow", "Principal": {"Service": "lambda.amazonaws.com"},
                                                "Action": "sts:AssumeRole"}]}))["Role"]["Arn"]
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as zf:
        zf.writestr("handler.py", "def handler(event, context):\n    return event\n")
    return lab.client("lambda").create_function(
        FunctionName=lab.name(name), Runtime="python3.12", Role=role, Handler="handler.handler",
        Code={"ZipFile": buffer.getvalue()})["FunctionArn"]


def test_service_map_event_source_mappings_from_streams_and_queues(lab: Lab) -> None:
    stream_arn = res.ensure_stream(lab, "clicks")
    table = res.ensure_table(lab, "orders")
    queue = res.ensure_queue(lab, "work")
    fn = _function(lab, "consumer")
    aws_lambda = lab.client("lambda")
    aws_lambda.create_event_source_mapping(EventSourceArn=stream_arn, FunctionName=fn, StartingPosition="LATEST",
                                           BatchSize=50)
    aws_lambda.create_event_source_mapping(EventSourceArn=table.stream_arn, FunctionName=fn,
                                           StartingPosition="LATEST", BatchSize=10)
    aws_lambda.create_event_source_mapping(EventSourceArn=queue.arn, FunctionName=fn, BatchSize=5)
    fig = service_map(lab)
    edges = _map_edges(fig)
    f = lab.name("consumer")
    assert edges[(lab.name("clicks"), f)] == {"kind": "esm", "label": "batch 50", "width": 1.2}
    assert edges[(table.name, f)]["label"] == "batch 10"
    assert edges[(queue.name, f)]["label"] == "batch 5"
    kinds = {n: d["kind"] for n, d in fig.graph.nodes(data=True)}
    assert kinds[lab.name("clicks")] == "kinesis" and kinds[table.name] == "dynamodb" and kinds[f] == "lambda"
    assert {"Kinesis stream", "DynamoDB table", "Lambda function", "Lambda event source mapping"} <= set(legend_texts(fig))


def test_service_map_state_machine_task_targets(lab: Lab) -> None:
    queue = res.ensure_queue(lab, "shipments")
    table = res.ensure_table(lab, "orders")
    definition = {"StartAt": "Save", "States": {
        "Save": {"Type": "Task", "Resource": "arn:aws:states:::dynamodb:putItem",
                 "Parameters": {"TableName": table.name, "Item": {"id": {"S.$": "$.id"}}}, "Next": "Ship"},
        "Ship": {"Type": "Task", "Resource": "arn:aws:states:::sqs:sendMessage",
                 "Parameters": {"QueueUrl": queue.url, "MessageBody.$": "$"}, "End": True}}}
    res.ensure_state_machine(lab, "fulfil", definition)
    edges = _map_edges(service_map(lab))
    sm = lab.name("fulfil")
    assert edges[(sm, table.name)]["label"] == "dynamodb:putItem"
    assert edges[(sm, queue.name)]["label"] == "sqs:sendMessage"


def test_service_map_of_an_empty_lab_says_so(lab: Lab) -> None:
    fig = service_map(lab)
    assert fig.graph.number_of_nodes() == 0
    assert any("no resources yet" in t.get_text() for t in fig.axes[0].texts)


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
    received = sqs.receive_message(QueueUrl=queue.url, MaxNumberOfMessages=2, VisibilityTimeout=30)["Messages"]
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


def test_queue_depth_names_a_missing_queue(lab: Lab) -> None:
    with pytest.raises(LabError, match="no queue called"):
        QueueDepthRecorder(lab, ["nope"])


# --------------------------------------------------------------------------- execution path
FULFIL = {"StartAt": "Check", "States": {
    "Check": {"Type": "Choice", "Choices": [{"Variable": "$.total", "NumericGreaterThan": 100, "Next": "Charge"}],
              "Default": "Pack"},
    "Charge": {"Type": "Task", "Resource": "arn:aws:states:::sqs:sendMessage",
               "Parameters": {"QueueUrl": "https://sqs.us-east-1.amazonaws.com/123456789012/missing",
                              "MessageBody.$": "$"},
               "Catch": [{"ErrorEquals": ["States.ALL"], "Next": "Refund"}], "Next": "Done"},
    "Pack": {"Type": "Parallel", "Next": "Done", "Branches": [
        {"StartAt": "Label", "States": {"Label": {"Type": "Pass", "End": True}}},
        {"StartAt": "Box", "States": {"Box": {"Type": "Pass", "End": True}}}]},
    "Refund": {"Type": "Pass", "Next": "Declined"},
    "Declined": {"Type": "Fail", "Error": "PaymentDeclined", "Cause": "charge failed"},
    "Done": {"Type": "Succeed"}}}


def _run(lab: Lab, arn: str, name: str, total: int) -> str:
    sfn = lab.client("stepfunctions")
    execution = sfn.start_execution(stateMachineArn=arn, name=name, input=json.dumps({"total": total}))["executionArn"]
    deadline = time.time() + 5
    while sfn.describe_execution(executionArn=execution)["status"] == "RUNNING" and time.time() < deadline:
        time.sleep(0.02)
    return execution


def _state_colours(fig) -> dict[str, str]:
    return {p.get_gid().split(":", 1)[1]: matplotlib.colors.to_hex(p.get_facecolor())
            for p in fig.axes[0].patches if str(p.get_gid()).startswith("state:")}


def test_execution_path_failure_caught_then_failed(lab: Lab) -> None:
    """AWS: a Catch "causes the state machine to transition to the state named in Next" when the
    error matches; a Fail state "stops the execution ... and marks it as a failure"."""
    arn = res.ensure_state_machine(lab, "fulfil", FULFIL)
    fig = execution_path(lab, _run(lab, arn, "big-order", 500))
    assert fig.outcomes == {"Check": "succeeded", "Charge": "caught", "Refund": "succeeded", "Declined": "failed",
                            "Pack": "not-visited", "Label": "not-visited", "Box": "not-visited",
                            "Done": "not-visited"}
    colours = _state_colours(fig)
    assert colours["Check"] == OUTCOMES["succeeded"][0] and colours["Charge"] == OUTCOMES["caught"][0]
    assert colours["Declined"] == OUTCOMES["failed"][0] and colours["Pack"] == OUTCOMES["not-visited"][0]
    taken = {p.get_gid() for p in fig.axes[0].patches if str(p.get_gid()).endswith(":taken")}
    assert taken == {"edge:Start->Check:taken", "edge:Check->Charge:taken", "edge:Charge->Refund:taken",
                     "edge:Refund->Declined:taken", "edge:Declined->End:taken"}
    assert fig.graph.edges["Charge", "Refund"]["kind"] == "catch"
    legend = legend_texts(fig)
    assert {"succeeded", "failed", "failed, caught by Catch", "not visited", "Catch", "transition taken"} <= set(legend)
    assert "FAILED" in title(fig)


def test_execution_path_success_through_parallel_branches(lab: Lab) -> None:
    arn = res.ensure_state_machine(lab, "fulfil", FULFIL)
    fig = execution_path(lab, _run(lab, arn, "small-order", 5))
    assert {k for k, v in fig.outcomes.items() if v == "succeeded"} == {"Check", "Pack", "Label", "Box", "Done"}
    assert set(_state_colours(fig).values()) == {OUTCOMES["succeeded"][0], OUTCOMES["not-visited"][0]}
    assert fig.graph.nodes["Label"]["group"] == "Pack"  # branches drawn inside the Parallel's box
    assert any(p.get_gid() == "group:Pack" for p in fig.axes[0].patches)
    taken = {p.get_gid() for p in fig.axes[0].patches if str(p.get_gid()).endswith(":taken")}
    assert {"edge:Pack->Label:taken", "edge:Label->Done:taken", "edge:Box->Done:taken", "edge:Done->End:taken"} <= taken
    assert "failed" not in legend_texts(fig)


def test_execution_path_of_an_unknown_execution_explains(lab: Lab) -> None:
    with pytest.raises(LabError, match="executionArn"):
        execution_path(lab, "arn:aws:states:us-east-1:123456789012:execution:nope:nope")


def test_definition_graph_reads_choices_defaults_catches_and_ends() -> None:
    graph = definition_graph(json.dumps(FULFIL))
    assert graph.edges["Check", "Charge"]["label"] == "$.total > 100"
    assert graph.edges["Check", "Pack"]["label"] == "default"
    assert graph.has_edge("Declined", "End") and graph.has_edge("Done", "End")
    assert not graph.has_edge("Pack", "Done")  # the Parallel is left through its branches
    assert graph.edges["Pack", "Box"]["kind"] == "branch"


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

    edges = _map_edges(lab.flow.service_map())
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


def test_real_flow_step_functions_start_and_execution_path(lab: Lab) -> None:
    arn = res.ensure_state_machine(lab, "fulfil", FULFIL)
    execution = _run(lab, arn, "via-trace", 5)
    fig = lab.flow.sequence()
    assert lane_labels(fig)[:2] == ["client", "fulfil"] and arrow_kinds(fig)[0] == "call"
    assert execution_path(lab, execution).outcomes["Done"] == "succeeded"
