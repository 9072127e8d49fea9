"""The lab context end to end on the embedded backend: create, tag, find, tear down."""

from labs.helpers import Lab


def test_lab_clients_tag_what_the_student_creates(lab: Lab) -> None:
    sqs = lab.client("sqs")
    url = sqs.create_queue(QueueName=lab.name("orders"), tags={"team": "orders"})["QueueUrl"]
    tags = sqs.list_queue_tags(QueueUrl=url)["Tags"]
    assert tags["securecart:lab"] == "sandbox"
    assert tags["securecart:owner"] == "tester"
    assert tags["team"] == "orders"  # the student's own tags are kept


def test_teardown_removes_unprefixed_resources_created_through_the_lab(lab: Lab) -> None:
    sqs = lab.client("sqs")
    sqs.create_queue(QueueName="orders-without-prefix")
    sqs.create_queue(QueueName=lab.name("orders"))
    report = lab.teardown()
    assert len(report.deleted) == 2
    assert sqs.list_queues().get("QueueUrls", []) == []


def test_teardown_finds_tagged_resources_from_an_earlier_kernel(lab: Lab) -> None:
    """A queue created through a lab client without the prefix, whose registry entry is lost
    (kernel restart), is still found by its tags."""
    sqs = lab.client("sqs")
    sqs.create_queue(QueueName="orders-from-yesterday")
    sqs.create_queue(QueueName="someone-elses-queue", tags={"securecart:lab": "sandbox", "securecart:owner": "bob"})
    lab.registry.clear()  # what a new kernel would have
    names = [r.name for r in lab.resources().resources]
    assert names == ["orders-from-yesterday"]
