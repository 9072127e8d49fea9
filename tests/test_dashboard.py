"""The live dashboard: refresh() puts the backend's numbers into widget traits, buttons act.

ipywidgets 8 widgets work without a kernel, so these tests assert trait values (what a browser
would render) after real SQS/SNS/EventBridge calls on the embedded emulator, and press buttons
with ``Button.click()``, which runs the same callbacks a mouse click does.
"""

from __future__ import annotations

import html
import json
import re
import time

import ipywidgets as widgets
import pytest

from labs.helpers import Lab, LabError, data
from labs.helpers import resources as res
from labs.helpers.dashboard import Dashboard, _per_bus, widget_frontend
from tests.viz_frames import call, flow_df


def bars(dash: Dashboard, name: str) -> tuple[int, int, int]:
    w = dash.queue_widgets[name]
    return w["visible"].value, w["in_flight"].value, w["dlq"].value


def numbers(dash: Dashboard, name: str) -> str:
    """A row's counts in words, as the browser shows them (the cell's HTML without its tags)."""
    return html.unescape(re.sub(r"<[^>]+>", "", dash.queue_widgets[name]["numbers"].value))


def log_text(dash: Dashboard) -> str:
    return "".join(o.get("text", "") for o in dash.log.outputs)


@pytest.fixture
def orders(lab: Lab) -> res.QueueRef:
    return res.ensure_queue(lab, "orders", dlq=True, max_receive_count=1)


def test_refresh_shows_visible_in_flight_and_dlq(lab: Lab, orders: res.QueueRef) -> None:
    """AWS: ApproximateNumberOfMessages = available for retrieval; ...NotVisible = in flight
    (received, not deleted); a message received more than maxReceiveCount times goes to the DLQ."""
    dash = lab.dashboard(queues=["orders"])
    assert bars(dash, orders.name) == (0, 0, 0)
    sqs = lab.client("sqs")
    for i in range(3):
        sqs.send_message(QueueUrl=orders.url, MessageBody=f"order {i}")
    snap = dash.refresh()
    assert snap.queues[orders.name] == (3, 0, 0) and bars(dash, orders.name) == (3, 0, 0)
    # Two receives of one: a receive of 2 out of 3 may return 1 ("fewer messages might be returned").
    messages = [m for _ in range(2) for m in sqs.receive_message(QueueUrl=orders.url, VisibilityTimeout=30)["Messages"]]
    dash.refresh()
    assert bars(dash, orders.name) == (1, 2, 0)
    assert numbers(dash, orders.name) == "1 visible, 2 in flight, 0 in DLQ orders-dlq"
    for m in messages:
        sqs.change_message_visibility(QueueUrl=orders.url, ReceiptHandle=m["ReceiptHandle"], VisibilityTimeout=0)
    sqs.receive_message(QueueUrl=orders.url, MaxNumberOfMessages=10, VisibilityTimeout=30)
    dash.refresh()
    assert bars(dash, orders.name)[2] == 2


def test_bars_rescale_when_a_queue_outgrows_them(lab: Lab, orders: res.QueueRef) -> None:
    dash = Dashboard(lab, queues=[orders.url])
    sqs = lab.client("sqs")
    for start in range(0, 30, 10):
        sqs.send_message_batch(QueueUrl=orders.url, Entries=[{"Id": str(i), "MessageBody": "x"}
                                                              for i in range(start, start + 10)])
    dash.refresh()
    visible = dash.queue_widgets[orders.name]["visible"]
    assert visible.value == 30 and visible.max >= 30  # a full bar never hides how full


def _dead_letter(lab: Lab, url: str, n: int) -> None:
    """Move ``n`` messages of a queue with maxReceiveCount 1 to its DLQ (two receives each)."""
    sqs = lab.client("sqs")
    for i in range(n):
        sqs.send_message(QueueUrl=url, MessageBody=f"poison {i}")
    for _ in range(2):
        for m in sqs.receive_message(QueueUrl=url, MaxNumberOfMessages=10, VisibilityTimeout=30).get("Messages", []):
            sqs.change_message_visibility(QueueUrl=url, ReceiptHandle=m["ReceiptHandle"], VisibilityTimeout=0)


def _second_source(lab: Lab, orders: res.QueueRef, base: str = "orders-lambda") -> str:
    """Another queue whose DLQ is ``orders``'s (lab 1: orders-lambda dead-letters to orders-dlq)."""
    sqs = lab.client("sqs")
    policy = json.dumps({"deadLetterTargetArn": orders.dlq.arn, "maxReceiveCount": "1"})
    return sqs.create_queue(QueueName=lab.name(base), Attributes={"RedrivePolicy": policy})["QueueUrl"]


def test_a_dlq_shared_by_two_queues_is_counted_once(lab: Lab, orders: res.QueueRef) -> None:
    """Lab 1: orders and orders-lambda both dead-letter to orders-dlq. Its messages are shown
    once, on the first row, which says it is shared; the other row says where it is counted."""
    second = _second_source(lab, orders)
    _dead_letter(lab, second, 2)
    dash = lab.dashboard(queues=["orders", "orders-lambda"])
    snap = dash.refresh()
    first, other = orders.name, lab.name("orders-lambda")
    assert snap.queues[first] == (0, 0, 2) and snap.queues[other] == (0, 0, None)
    assert sum(dlq or 0 for _, _, dlq in snap.queues.values()) == 2  # two messages, not four
    assert snap.dlqs == {orders.dlq.name: 2} and snap.shared == {other: first}
    assert bars(dash, first)[2] == 2 and dash.queue_widgets[first]["dlq"].layout.display != "none"
    assert dash.queue_widgets[other]["dlq"].layout.display == "none"  # no second bar of the same messages
    assert "shared: counted on the orders row" in dash.queue_widgets[other]["dlq_note"].value
    assert numbers(dash, first) == "0 visible, 0 in flight, 2 in DLQ orders-dlq (shared with orders-lambda)"
    assert numbers(dash, other) == "0 visible, 0 in flight, DLQ orders-dlq shared with orders (counted on its row)"
    table = snap.table()
    assert f"is the DLQ of {first} and {other}: its 2 message(s) are counted once" in table
    assert [line.split()[-1] for line in table.splitlines()[1:3]] == ["2", "shared"]


def test_queues_deleted_by_the_teardown_are_shown_as_deleted(lab: Lab, orders: res.QueueRef) -> None:
    """Lab 1's last cell: dashboard.stop(), then lab.teardown(). The stopped dashboard still
    shows its queues: they are marked deleted, and the log says the teardown deleted them."""
    plain = res.ensure_queue(lab, "plain")
    dash = lab.dashboard(queues=["orders", plain.name], refresh=0.02, controls=True).start()
    dash.stop()
    assert not dash.buttons["send_orders"].disabled
    lab.teardown()
    assert dash.buttons["send_orders"].disabled and dash.buttons["redrive"].disabled  # nothing left to send to
    for name in (orders.name, plain.name):
        assert numbers(dash, name) == "deleted by lab.teardown()"
        assert dash.queue_widgets[name]["visible"].layout.visibility == "hidden"
        assert "<s>" in dash.queue_widgets[name]["name"].value
    # every grid cell still takes its place (a cell with display none would shift the rest of the row)
    assert all(c.layout.display != "none" for c in dash.queue_grid.children)
    assert "lab.teardown() deleted orders, orders-dlq, plain: shown as deleted" in log_text(dash)
    assert set(dash.last.deleted) == {orders.name, orders.dlq.name, plain.name} and dash.last.queues == {}
    assert "deleted by lab.teardown()" in dash.last.table()
    assert dash.status == "stopped by stop()" and dash.errors == []


def test_a_live_dashboard_stops_when_the_teardown_deleted_its_queues(lab: Lab, orders: res.QueueRef) -> None:
    dash = lab.dashboard(queues=["orders"], refresh=0.02).start()
    lab.teardown()
    assert dash.status == "stopped: lab.teardown() deleted its queues" and "live" not in dash.header.value
    deadline = time.time() + 3
    while dash.running and time.time() < deadline:
        time.sleep(0.02)
    assert not dash.running and dash.errors == []


def test_a_queue_deleted_meanwhile_is_shown_as_deleted_not_as_a_failed_refresh(lab: Lab, orders: res.QueueRef) -> None:
    plain = res.ensure_queue(lab, "plain")
    dash = lab.dashboard(queues=["orders", plain.name], refresh=0.02).start()
    lab.client("sqs").delete_queue(QueueUrl=plain.url)
    deadline = time.time() + 3
    while plain.name not in (dash.last.deleted if dash.last else {}) and time.time() < deadline:
        time.sleep(0.02)
    assert numbers(dash, plain.name) == "deleted (the queue no longer exists)"
    assert dash.status == "live" and dash.errors == []  # the other queue goes on being shown
    lab.client("sqs").delete_queue(QueueUrl=orders.dlq.url)
    dash.refresh()
    assert numbers(dash, orders.name) == "0 visible, 0 in flight, DLQ orders-dlq deleted"
    dash.stop()


def _publish_and_put(lab: Lab) -> None:
    topic = res.ensure_topic(lab, "order-events")
    bus = res.ensure_event_bus(lab, "orders")
    sns, events = lab.client("sns"), lab.client("events")
    for i in range(3):
        sns.publish(TopicArn=topic, Message=f"order {i}")
    sns.publish_batch(TopicArn=topic, PublishBatchRequestEntries=[{"Id": "a", "Message": "x"},
                                                                  {"Id": "b", "Message": "y"}])
    events.put_events(Entries=[{"Source": "securecart", "DetailType": "OrderPlaced", "Detail": "{}",
                                "EventBusName": bus}] * 2)
    events.put_events(Entries=[{"Source": "securecart", "DetailType": "OrderPlaced", "Detail": "{}"}])


def test_topic_and_bus_counts_come_from_the_flow_trace(lab: Lab) -> None:
    _publish_and_put(lab)  # before the dashboard exists: the trace has them
    dash = lab.dashboard(topics=["order-events"], buses=["orders", "default"])
    snap = dash.refresh()
    assert snap.counted_from == "flow trace"
    assert snap.topics == {lab.name("order-events"): 5}
    assert snap.buses == {lab.name("orders"): 2, "default": 1}
    assert dash.topic_widgets[lab.name("order-events")].value == 5
    assert dash.bus_widgets[lab.name("orders")].value == 2 and dash.bus_widgets["default"].value == 1


def test_topic_and_bus_counts_without_a_flow_trace(lab: Lab) -> None:
    lab.flow.enabled = False  # LABS_TRACE=0, or a backend where the trace is off
    dash = lab.dashboard(topics=["order-events"], buses=["orders", "default"])
    _publish_and_put(lab)
    snap = dash.refresh()
    assert "own counters" in snap.counted_from
    assert dash.topic_widgets[lab.name("order-events")].value == 5
    assert dash.bus_widgets[lab.name("orders")].value == 2 and dash.bus_widgets["default"].value == 1
    # a second dashboard on the same lab shares the counts instead of counting twice
    again = lab.dashboard(topics=["order-events"])
    lab.client("sns").publish(TopicArn=lab.client("sns").create_topic(Name=lab.name("order-events"))["TopicArn"],
                              Message="one more")
    assert again.refresh().topics[lab.name("order-events")] == 6 == dash.refresh().topics[lab.name("order-events")]


def test_a_call_to_several_buses_is_shared_between_them() -> None:
    df = flow_df([call("events", "PutEvents", "client", "a,b", count=3), call("events", "PutEvents", "client", "b")])
    assert _per_bus(df, ["a", "b", "c"]) == {"a": 2, "b": 2, "c": 0}


# --------------------------------------------------------------------------- layout
#: What a notebook's output area is wide in JupyterLab at 1400 px with the file browser open.
NOTEBOOK_PX = 850
EM = 14  # px per em in JupyterLab's default theme
CHAR = 7.5  # px per character of its UI font, roughly


def _px(length: str | None) -> float | None:
    """A CSS length in px, or None for what depends on the container (%, auto, fr, unset)."""
    m = re.fullmatch(r"\s*([\d.]+)(px|em)\s*", length or "")
    return None if m is None else float(m[1]) * (EM if m[2] == "em" else 1)


def _text_px(text: str, wraps: bool) -> float:
    words = re.sub(r"<[^>]+>", " ", html.unescape(text)).split()
    return CHAR * (max(map(len, words), default=0) if wraps else len(" ".join(words)))


def min_width(w: widgets.Widget) -> float:
    """The least width the browser needs for ``w`` without cutting anything off: fixed widths
    as set, ipywidgets' CSS defaults where none is set (300 px per bar or text box, 148 px per
    button), text as long as it is when it cannot wrap (Label, HTML without white-space: normal)
    or as its longest word when it can, rows as the sum of their cells, grids as their columns'
    minimums (fr columns: their widest cell), boxes stacked as their widest child."""
    layout = getattr(w, "layout", None)
    if layout is not None and layout.display == "none":
        return 0
    fixed = _px(layout.width) if layout is not None else None
    floor = _px(layout.min_width) if layout is not None else None
    if fixed is not None:
        return fixed
    if isinstance(w, widgets.GridBox):
        columns = re.findall(r"minmax\(([^,]+),[^)]+\)|(\S+)", re.sub(
            r"repeat\((\d+),\s*(minmax\([^)]*\)|\S+)\)", lambda m: " ".join([m[2]] * int(m[1])),
            layout.grid_template_columns or ""))
        n = len(columns)
        cells = [min_width(c) for c in w.children]
        total = 0.0
        for i, (low, plain) in enumerate(columns):
            own = _px(low or plain)
            widest = max(cells[i::n], default=0)
            total += own if own is not None and (low or widest <= own) else max(own or 0, widest)
        return total + 10 * (n - 1)
    if isinstance(w, widgets.HBox) or type(w) is widgets.Box:
        if isinstance(w, widgets.HBox) and "wrap" in (layout.flex_flow or ""):
            return max((min_width(c) for c in w.children), default=0)  # wraps: one child per line at worst
        return sum(min_width(c) for c in w.children) if isinstance(w, widgets.HBox) else \
            max((min_width(c) for c in w.children), default=0)
    if isinstance(w, widgets.Box):  # VBox
        return max((min_width(c) for c in w.children), default=0)
    if isinstance(w, widgets.HTML):
        return floor if floor is not None and "white-space: normal" in w.value else \
            _text_px(w.value, "white-space: normal" in w.value)
    if isinstance(w, widgets.Label):
        return _text_px(w.value, False)
    if isinstance(w, widgets.Button):
        return 148.0
    if isinstance(w, widgets.Output):
        return 0
    base = 0.0 if floor is not None and layout.width in ("100%", "auto") else 300.0
    described = getattr(w, "description", "")
    return base + (_px(getattr(w.style, "description_width", None) or "") or (80 if described else 0))


def test_the_dashboard_fits_beside_jupyterlabs_file_browser(lab: Lab, orders: res.QueueRef) -> None:
    """Learners saw the counts cut off at the right edge in JupyterLab at 1400 px with the file
    browser open (an output area of ~850 px): every row must fit, wrapping text where needed."""
    plain = res.ensure_queue(lab, "payments-with-a-long-name")
    res.ensure_topic(lab, "order-events")
    dash = lab.dashboard(queues=["orders", plain.name], topics=["order-events"], controls=True)
    sqs = lab.client("sqs")
    sqs.send_message_batch(QueueUrl=orders.url, Entries=[{"Id": str(i), "MessageBody": "x"} for i in range(10)])
    dash.refresh()
    assert min_width(dash.widget) <= NOTEBOOK_PX, [(type(c).__name__, min_width(c)) for c in dash.widget.children]
    assert dash.widget.layout.width == "100%" and dash.widget.layout.overflow == "hidden"
    dash._halt("stopped after 5 failed refreshes: " + "a long error message " * 10)  # the header wraps too
    assert min_width(dash.widget) <= NOTEBOOK_PX


def test_rows_with_and_without_a_dlq_share_the_columns(lab: Lab, orders: res.QueueRef) -> None:
    plain = res.ensure_queue(lab, "plain")
    dash = lab.dashboard(queues=["orders", plain.name])
    grid = dash.queue_grid
    assert isinstance(grid, widgets.GridBox) and grid.layout.width == "100%"
    columns = 5
    assert len(grid.children) == columns * 3  # a heading row and one row per queue, every row whole
    headings = [re.sub(r"<[^>]+>", "", c.value) for c in grid.children[:columns]]
    assert headings == ["queue", "visible", "in flight", "DLQ", ""]
    for row, name in ((1, orders.name), (2, plain.name)):
        cells = dash.queue_widgets[name]
        assert grid.children[row * columns + 1] is cells["visible"]
        assert grid.children[row * columns + 3] is cells["dlq_cell"]  # the DLQ column of both rows
    assert dash.queue_widgets[orders.name]["dlq"].layout.display != "none"
    assert dash.queue_widgets[plain.name]["dlq"].layout.display == "none"
    assert "no DLQ" in dash.queue_widgets[plain.name]["dlq_note"].value
    assert numbers(dash, plain.name) == "0 visible, 0 in flight, no DLQ"


# --------------------------------------------------------------------------- controls
def test_send_orders_and_poison_buttons_use_the_first_queue(lab: Lab, orders: res.QueueRef) -> None:
    dash = lab.dashboard(queues=["orders"], controls=True)
    dash.orders_count.value = 12
    dash.buttons["send_orders"].click()
    assert bars(dash, orders.name)[0] == 12  # the click refreshed the widgets
    dash.buttons["poison"].click()
    assert bars(dash, orders.name)[0] == 13
    sqs = lab.client("sqs")
    bodies = []
    while batch := sqs.receive_message(QueueUrl=orders.url, MaxNumberOfMessages=10, VisibilityTimeout=30).get("Messages"):
        bodies += [m["Body"] for m in batch]
    parsed, rejected = [], []
    for body in bodies:
        try:
            parsed.append(data.parse_order(body)["order_id"])
        except data.InvalidOrder:
            rejected.append(body)
    assert sorted(parsed) == [f"ORD-42-{i:04d}" for i in range(1, 13)]  # the seeded orders, no repeats
    assert len(rejected) == 1  # the poison message: a consumer's own validation rejects it
    dash.orders_count.value = 2
    dash.buttons["send_orders"].click()  # the next click continues the sequence
    more = sqs.receive_message(QueueUrl=orders.url, MaxNumberOfMessages=10, VisibilityTimeout=30)["Messages"]
    assert sorted(data.parse_order(m["Body"])["order_id"] for m in more) == ["ORD-42-0013", "ORD-42-0014"]
    assert "sent 12 orders" in log_text(dash) and "sent a poison message" in log_text(dash)


def test_default_controls_work_on_a_fifo_queue(lab: Lab) -> None:
    """AWS: FIFO sends need a MessageGroupId, and (without content-based deduplication) a
    MessageDeduplicationId; the default controls supply both."""
    queue = res.ensure_queue(lab, "payments.fifo", fifo=True)
    dash = lab.dashboard(queues=[queue.name], controls=True)
    dash.orders_count.value = 15
    dash.buttons["send_orders"].click()
    dash.buttons["poison"].click()
    assert bars(dash, queue.name)[0] == 16 and "failed" not in log_text(dash)


def test_redrive_button_moves_the_dlq_back(lab: Lab, orders: res.QueueRef) -> None:
    """AWS StartMessageMoveTask without DestinationArn: messages "will be redriven back to their
    respective original source queues"."""
    sqs = lab.client("sqs")
    sqs.send_message(QueueUrl=orders.url, MessageBody="poison")
    (message,) = sqs.receive_message(QueueUrl=orders.url, VisibilityTimeout=30)["Messages"]
    sqs.change_message_visibility(QueueUrl=orders.url, ReceiptHandle=message["ReceiptHandle"], VisibilityTimeout=0)
    sqs.receive_message(QueueUrl=orders.url, VisibilityTimeout=30)  # over maxReceiveCount: moved to the DLQ
    dash = lab.dashboard(queues=["orders"], controls={"redrive": True})
    assert bars(dash, orders.name) == (0, 0, 1)
    dash.buttons["redrive"].click()
    assert bars(dash, orders.name) == (1, 0, 0)
    assert "redrive of orders-dlq started" in log_text(dash)


@pytest.mark.parametrize("traced", [True, False], ids=["with the flow trace", "without"])
def test_a_redrive_to_a_queue_the_dashboard_does_not_show_says_where_they_went(
        lab: Lab, orders: res.QueueRef, traced: bool) -> None:
    """AWS: without DestinationArn a redrive moves each message "back to their respective original
    source queues". Two of the three dead-lettered messages came from orders-lambda, which the
    dashboard does not show: the status line says so, and orders-lambda gets a row."""
    lab.flow.enabled = traced
    second = _second_source(lab, orders)
    _dead_letter(lab, orders.url, 1)
    _dead_letter(lab, second, 2)
    dash = lab.dashboard(queues=["orders"], controls={"redrive": True})
    assert bars(dash, orders.name) == (0, 0, 3)
    dash.buttons["redrive"].click()
    other = lab.name("orders-lambda")
    assert bars(dash, orders.name) == (1, 0, 0)
    assert other in dash.queue_widgets and bars(dash, other)[:2] == (2, 0)  # it went there, now shown
    note = re.sub(r"<[^>]+>", "", dash.note.value)
    if traced:  # the trace has every move: counted per destination
        assert note == "moved 3 messages from orders-dlq: 1 to orders, 2 to orders-lambda " \
                       "(orders-lambda added to the dashboard)"
    else:  # the DLQ's source queues, from ListDeadLetterSourceQueues
        assert note == "moved 3 messages from orders-dlq back to orders, orders-lambda " \
                       "(orders-lambda added to the dashboard)"
    assert "redrive of orders-dlq started" in log_text(dash) and note in log_text(dash)
    assert dash.last.shared == {other: orders.name}  # the new row shares the DLQ: counted once


def test_an_asynchronous_redrive_is_reported_when_its_task_finishes(lab: Lab, orders: res.QueueRef) -> None:
    """On AWS a move task runs for a while ("ApproximateNumberOfMessagesToMove", Status RUNNING):
    the status line says where the messages are going meanwhile, and how many moved once a later
    refresh finds the task COMPLETED."""
    second = _second_source(lab, orders)
    _dead_letter(lab, second, 2)
    dash = lab.dashboard(queues=["orders"], controls={"redrive": True})
    running = [True]

    def still_running(**_: object) -> tuple[object, dict] | None:
        if not running[0]:
            return None  # the real answer: COMPLETED
        response = type("Response", (), {"status_code": 200, "headers": {}, "content": b""})()
        return response, {"Results": [{"Status": "RUNNING", "ApproximateNumberOfMessagesMoved": 0,
                                       "ApproximateNumberOfMessagesToMove": 2}]}

    dash._sqs.meta.events.register("before-call.sqs.ListMessageMoveTasks", still_running)
    dash.buttons["redrive"].click()
    other = lab.name("orders-lambda")
    assert re.sub(r"<[^>]+>", "", dash.note.value) == \
        "redrive of orders-dlq running: 2 message(s) go back to orders, orders-lambda (orders-lambda added to the dashboard)"
    assert other in dash.queue_widgets
    dash.refresh()  # still running: nothing more to say
    assert "moved" not in log_text(dash)
    running[0] = False
    dash.refresh()
    assert re.sub(r"<[^>]+>", "", dash.note.value) == "moved 2 messages from orders-dlq: 2 to orders-lambda"
    assert dash._redrives == [] and bars(dash, other)[0] == 2


def test_consumer_buttons_call_the_lab_pair_and_toggle(lab: Lab, orders: res.QueueRef) -> None:
    calls: list[str] = []
    dash = lab.dashboard(queues=["orders"], controls={"consumer": (lambda: calls.append("start"),
                                                                   lambda: calls.append("stop"))})
    dash.buttons["stop_consumer"].click()
    assert calls == ["stop"] and dash.buttons["stop_consumer"].disabled and not dash.buttons["start_consumer"].disabled
    dash.buttons["start_consumer"].click()
    assert calls == ["stop", "start"] and not dash.buttons["stop_consumer"].disabled
    assert "consumer stopped" in log_text(dash) and "consumer started" in log_text(dash)


def test_a_failing_control_reports_in_the_log_instead_of_raising(lab: Lab, orders: res.QueueRef) -> None:
    def broken(n: int) -> None:
        raise LabError("the order generator is not set up", "run the set-up cell")

    dash = lab.dashboard(queues=["orders"], controls={"send_orders": broken})
    dash.buttons["send_orders"].click()
    assert "failed: the order generator is not set up" in log_text(dash)


def test_controls_are_checked_when_the_dashboard_is_built(lab: Lab, orders: res.QueueRef) -> None:
    with pytest.raises(LabError, match="Unknown dashboard control"):
        lab.dashboard(queues=["orders"], controls={"explode": True})
    with pytest.raises(LabError, match="start, stop"):
        lab.dashboard(queues=["orders"], controls={"consumer": print})
    plain = res.ensure_queue(lab, "plain")
    with pytest.raises(LabError, match="no dead-letter queue"):
        lab.dashboard(queues=[plain.name], controls={"redrive": True})


# --------------------------------------------------------------------------- running and showing
def test_refresh_thread_updates_and_stops_cleanly(lab: Lab, orders: res.QueueRef) -> None:
    dash = lab.dashboard(queues=["orders"], refresh=0.02).start()
    assert dash.running
    lab.client("sqs").send_message(QueueUrl=orders.url, MessageBody="hello")
    deadline = time.time() + 3
    # wait for a whole refresh by the thread: bars first, then the header (a refresh is not atomic)
    while (bars(dash, orders.name)[0] != 1 or "live" not in dash.header.value) and time.time() < deadline:
        time.sleep(0.02)
    assert bars(dash, orders.name)[0] == 1  # refreshed by the thread, not by the test
    assert "live" in dash.header.value
    dash.stop()
    assert not dash.running and dash._thread is None and dash.errors == []
    # the header no longer says live, it says why it stopped (nothing refreshes it any more)
    assert "live" not in dash.header.value and "stopped by stop()" in dash.header.value
    assert dash.status == "stopped by stop()" and "stopped by stop()" in log_text(dash)
    dash.start()
    assert dash.status == "live" and "live" in dash.header.value
    dash.stop()


def test_a_new_dashboard_stops_the_labs_older_one(lab: Lab, orders: res.QueueRef) -> None:
    old = lab.dashboard(queues=["orders"], refresh=0.02).start()
    new = lab.dashboard(queues=["orders"], refresh=0.02).start()
    assert not old.running and new.running  # a re-run cell leaves one polling thread, not two
    assert "replaced" in log_text(old)
    assert "live" not in old.header.value and "replaced by a newer dashboard" in old.header.value
    assert old.status == "stopped: replaced by a newer dashboard of this lab"
    new.stop()
    assert new.status == "stopped by stop()"  # the first reason stays


def test_failed_refreshes_stop_the_thread_and_say_why(lab: Lab, orders: res.QueueRef) -> None:
    """The backend stops answering (here: every GetQueueAttributes of the dashboard's client
    answers 500): after MAX_FAILURES refreshes in a row the thread stops, and the header names the
    error instead of saying "live"."""
    dash = lab.dashboard(queues=["orders"], refresh=0.01)

    def unavailable(**_: object) -> tuple[object, dict]:
        response = type("Response", (), {"status_code": 500, "headers": {}, "content": b""})()
        return response, {"Error": {"Code": "ServiceUnavailable", "Message": "try again later"},
                          "ResponseMetadata": {"HTTPStatusCode": 500}}

    dash._sqs.meta.events.register("before-call.sqs.GetQueueAttributes", unavailable)
    dash.start()
    deadline = time.time() + 5
    while dash.running and time.time() < deadline:
        time.sleep(0.02)
    assert not dash.running and len(dash.errors) == 5  # MAX_FAILURES
    assert "live" not in dash.header.value and "stopped after 5 failed refreshes" in dash.header.value
    assert dash.status.startswith("stopped after 5 failed refreshes: ")
    assert "ServiceUnavailable" in dash.status and "try again later" in dash.status
    dash.stop()
    assert "failed refreshes" in dash.status  # stop() afterwards keeps the reason


def test_a_refresh_that_raises_anything_counts_as_failed(lab: Lab, orders: res.QueueRef) -> None:
    """Not only AWS errors: whatever a refresh raises, the thread reports it and stops, instead
    of dying with a header that goes on saying live."""
    dash = lab.dashboard(queues=["orders"], refresh=0.01)

    def broken(**_: object) -> None:
        raise ValueError("a response in a shape nobody expected")

    dash._sqs.meta.events.register("before-call.sqs.GetQueueAttributes", broken)
    dash.start()
    deadline = time.time() + 5
    while dash.running and time.time() < deadline:
        time.sleep(0.02)
    assert dash.status == "stopped after 5 failed refreshes: ValueError: a response in a shape nobody expected"
    assert "refresh failed: ValueError" in log_text(dash)


def test_show_without_a_front_end_prints_a_plain_table(lab: Lab, orders: res.QueueRef, capsys) -> None:
    assert not widget_frontend()
    dash = lab.dashboard(queues=["orders"])
    lab.client("sqs").send_message(QueueUrl=orders.url, MessageBody="hello")
    snap = dash.show()
    out = capsys.readouterr().out
    assert orders.name in out and "visible" in out and "DLQ" in out
    assert snap.queues[orders.name] == (1, 0, 0) and not dash.running  # no thread printing into other cells


def test_plain_mode_can_be_forced(monkeypatch) -> None:
    monkeypatch.setenv("LABS_WIDGETS", "plain")
    assert not widget_frontend()
