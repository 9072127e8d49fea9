"""The service map (labs.helpers.viz.service_map): resources and routes discovered from the
account - SNS subscriptions and filters, redrive policies, EventBridge rules and targets, event
source mappings, state machine tasks - with edge widths from the flow trace."""

from __future__ import annotations

import pytest

from labs.helpers import Lab
from labs.helpers import resources as res
from labs.helpers.viz import service_map
from labs.helpers.viz.service_map import edge_width
from tests.emulator.events_helpers import confirm_emails
from tests.emulator.lambda_helpers import deploy
from tests.viz_frames import call, delivery, flow_df, legend_texts, map_edges


# --------------------------------------------------------------------------- service map
def test_service_map_discovers_subscriptions_filters_and_dlq(lab: Lab) -> None:
    orders = res.ensure_queue(lab, "orders", dlq=True, max_receive_count=3)
    fraud = res.ensure_queue(lab, "fraud")
    topic = res.ensure_topic(lab, "order-events")
    res.ensure_queue_subscription(lab, topic, orders)
    res.ensure_queue_subscription(lab, topic, fraud, filter_policy={"total": [{"numeric": [">", 500]}]})
    fig = service_map(lab)
    edges = map_edges(fig)
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
    edges = map_edges(fig)
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
    edges = map_edges(fig)
    assert fig.graph.nodes[rule]["kind"] == "rule" and fig.graph.nodes[bus]["kind"] == "events"
    assert edges[(bus, rule)]["kind"] == "rule"
    assert edges[(rule, audit.name)]["label"] == "audit" and edges[(rule, billing.name)]["label"] == "billing"
    assert edges[(rule, audit.name)]["count"] == 4 and "count" not in edges[(rule, billing.name)]
    assert bus_arn.endswith(bus)
    assert "EventBridge rule / target" in legend_texts(fig)


def test_service_map_a_log_group_target_is_one_node_with_the_traced_count(lab: Lab) -> None:
    """A rule target may be a CloudWatch Logs log group ("arn:aws:logs:region:account:log-group:
    name"). The route read from the rule and the delivery the trace recorded must meet on the same
    node, not draw the log group twice (once configured with no count, once as an unconfigured flow)."""
    group = "/aws/events/" + lab.name("audit")
    logs = lab.client("logs")
    logs.create_log_group(logGroupName=group)
    group_arn = logs.describe_log_groups(logGroupNamePrefix=group)["logGroups"][0]["logGroupArn"]
    bus = lab.name("orders")
    res.ensure_event_bus(lab, "orders")
    res.ensure_rule(lab, "to-logs", bus=bus, pattern={"source": ["securecart.orders"]},
                    targets=[{"Id": "log", "Arn": group_arn}])
    lab.client("events").put_events(Entries=[{"Source": "securecart.orders", "DetailType": "OrderPlaced",
                                              "Detail": "{}", "EventBusName": bus}])
    fig = service_map(lab, lab.flow.df)
    edges = map_edges(fig)
    from_rule = {b: d for (a, b), d in edges.items() if a == f"rule/{lab.name('to-logs')}"}
    assert list(from_rule) == [lab.name("audit")]
    assert from_rule[lab.name("audit")]["kind"] == "rule" and from_rule[lab.name("audit")]["count"] == 1


def test_service_map_an_email_subscriber_is_one_node_with_the_traced_count(lab: Lab) -> None:
    """An email (or sms) subscription's endpoint is an address, not an ARN: the subscription read
    from the topic and the fan-out the trace recorded meet on one node, labelled with the protocol."""
    sns = lab.client("sns")
    topic = res.ensure_topic(lab, "alerts")
    sns.subscribe(TopicArn=topic, Protocol="email", Endpoint="ops@securecart.example")
    confirm_emails(lab)  # an email subscription delivers once confirmed (sns_email_confirmation)
    sns.publish(TopicArn=topic, Message="order o-1 is late")
    fig = service_map(lab, lab.flow.df)
    from_topic = {b: d for (a, b), d in map_edges(fig).items() if a == lab.name("alerts")}
    assert list(from_topic) == ["ops@securecart.example"]
    assert from_topic["ops@securecart.example"]["kind"] == "subscription"
    assert from_topic["ops@securecart.example"]["count"] == 1
    assert "email:ops@securecart.example" in {t.get_text() for t in fig.axes[0].texts}


def test_service_map_event_source_mappings_from_streams_and_queues(lab: Lab) -> None:
    stream_arn = res.ensure_stream(lab, "clicks")
    table = res.ensure_table(lab, "orders")
    queue = res.ensure_queue(lab, "work")
    fn = deploy(lab, "consumer", "def handler(event, context):\n    return event\n")
    aws_lambda = lab.client("lambda")
    aws_lambda.create_event_source_mapping(EventSourceArn=stream_arn, FunctionName=fn, StartingPosition="LATEST",
                                           BatchSize=50)
    aws_lambda.create_event_source_mapping(EventSourceArn=table.stream_arn, FunctionName=fn,
                                           StartingPosition="LATEST", BatchSize=10)
    aws_lambda.create_event_source_mapping(EventSourceArn=queue.arn, FunctionName=fn, BatchSize=5)
    fig = service_map(lab)
    edges = map_edges(fig)
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
    edges = map_edges(service_map(lab))
    sm = lab.name("fulfil")
    assert edges[(sm, table.name)]["label"] == "dynamodb:putItem"
    assert edges[(sm, queue.name)]["label"] == "sqs:sendMessage"


def test_service_map_of_an_empty_lab_says_so(lab: Lab) -> None:
    fig = service_map(lab)
    assert fig.graph.number_of_nodes() == 0
    assert any("no resources yet" in t.get_text() for t in fig.axes[0].texts)


def test_service_map_flow_edges_name_their_operations_and_skip_execution_progress(lab: Lab) -> None:
    orders = res.ensure_queue(lab, "orders", dlq=True)
    dlq = lab.name("orders-dlq")
    df = flow_df([
        call("sqs", "SendMessageBatch", "client", orders.name, count=10),
        call("sqs", "DeleteMessageBatch", "client", orders.name, count=9),
        call("sqs", "StartMessageMoveTask", dlq, "original sources", count=0),  # as the trace records it
        delivery("sqs", "redrive", dlq, orders.name),
        delivery("stepfunctions", "state-entered", "fulfil", "fulfil:run-1", detail={"state": "Check"}),
        delivery("sns", "filtered", "topic", "fraud", status="filtered"),
    ])
    fig = service_map(lab, df)
    edges = map_edges(fig)
    assert edges[("client", orders.name)]["label"] == "SendMessageBatch, DeleteMessageBatch"
    assert edges[("client", orders.name)]["count"] == 19
    assert ("client", dlq) in edges and "original sources" not in fig.graph  # the client's call, to the DLQ
    assert edges[(dlq, orders.name)] == {"kind": "flow", "label": "redrive", "operations": ["redrive"],
                                              "count": 1, "width": edge_width(1)}
    assert not {"fulfil:run-1", "fraud"} & set(fig.graph)  # progress and filtered deliveries are not routes
