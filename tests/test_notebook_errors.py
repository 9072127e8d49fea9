"""AWS errors from the learner's own cells are explained in the notebook (issue: errors that teach).

Run in a real kernel, because the mechanism is IPython's custom exception handler: what a learner
sees is the kernel's error output and display data, not a Python return value.
"""

from __future__ import annotations

import nbformat
import pytest
from botocore.exceptions import ClientError, ParamValidationError
from nbclient.exceptions import CellExecutionError

from labs.course.execute import kernel
from labs.helpers.aws_errors import explain
from labs.helpers.notebook_errors import operation_of, render


def _client_error(code: str, message: str, operation: str = "CreateQueue") -> ClientError:
    return ClientError({"Error": {"Code": code, "Message": message}}, operation)


@pytest.mark.parametrize("err, means, fix", [
    (_client_error("AWS.SimpleQueueService.QueueNameExists", "The specified queue already exists."), "already exists",
     "set_queue_attributes"),
    (_client_error("AWS.SimpleQueueService.TooManyEntriesInBatchRequest", "Maximum number of entries per request are 10."),
     "at most 10", "chunks of 10"),
    (_client_error("AWS.SimpleQueueService.BatchEntryIdsNotDistinct", "Id a repeated."), "same Id", "own Id"),
    (_client_error("InvalidParameterValue", "The queue should either have ContentBasedDeduplication enabled or "
                   "MessageDeduplicationId provided explicitly"), "deduplication id", "MessageDeduplicationId"),
    (ParamValidationError(report="Invalid type for parameter Attributes.RedrivePolicy, value: {}, type: <class 'dict'>, "
                          "valid types: <class 'str'>"), "JSON string", "json.dumps"),
    (ParamValidationError(report="Invalid type for parameter Attributes.VisibilityTimeout, value: 30, type: <class 'int'>, "
                          "valid types: <class 'str'>"), "strings", "'30'"),
])
def test_known_errors_say_what_they_mean_and_what_to_do(err: Exception, means: str, fix: str) -> None:
    explained = explain(err)
    assert explained is not None and means in explained.means and fix in explained.fix, explained


def test_an_unknown_aws_error_still_shows_its_code_and_message() -> None:
    explained = explain(_client_error("SomethingNew", "A message AWS wrote."))
    assert explained is not None and explained.code == "SomethingNew" and explained.message == "A message AWS wrote."
    assert explain(ValueError("not AWS")) is None


def test_the_operation_of_a_parameter_validation_error_is_found() -> None:
    import boto3

    sqs = boto3.client("sqs", region_name="us-east-1", aws_access_key_id="x", aws_secret_access_key="y")
    with pytest.raises(ParamValidationError) as caught:
        sqs.create_queue(QueueName="q", Attributes={"VisibilityTimeout": 30})
    assert operation_of(caught.value) == "CreateQueue"


def test_render_folds_the_traceback_away() -> None:
    bundle = render(_client_error("QueueAlreadyExists", "The specified queue already exists."), "Traceback ...\nline 1")
    assert bundle["text/plain"].startswith("AWS said no: QueueAlreadyExists")
    assert "<details><summary>Full traceback</summary>" in bundle["text/html"] and "Traceback ..." in bundle["text/html"]


@pytest.mark.notebooks
def test_in_a_kernel_the_learners_aws_error_is_explained_and_the_cell_still_fails() -> None:
    cells = ['from labs.helpers import start_lab\nlab = start_lab("sqs-orders")\nsqs = lab.client("sqs")',
             'sqs.create_queue(QueueName=lab.name("orders"), Attributes={"VisibilityTimeout": "30"})',
             'sqs.create_queue(QueueName=lab.name("orders"), Attributes={"VisibilityTimeout": "5"})',
             "lab.teardown();"]
    nb = nbformat.v4.new_notebook(cells=[nbformat.v4.new_code_cell(c) for c in cells])
    with kernel(nb) as client:
        for index, cell in enumerate(nb.cells):
            if index == 2:
                with pytest.raises(CellExecutionError) as failed:  # the cell still fails: Run All stops here
                    client.execute_cell(cell, index)
                assert "QueueAlreadyExists" in failed.value.evalue
            else:
                client.execute_cell(cell, index)
    outputs = nb.cells[2].outputs
    shown = [o for o in outputs if o.output_type == "display_data"]
    errors = [o for o in outputs if o.output_type == "error"]
    assert shown and "set_queue_attributes" in shown[0].data["text/plain"], outputs
    assert "Full traceback" in shown[0].data["text/html"]
    assert errors and len(errors[0].traceback) == 1, "one line, not 25 lines of botocore internals"
