"""Lambda runs Python handlers for real (no Docker): RequestResponse, Event, errors, context, env.

Lambda API reference, Invoke: "RequestResponse (default) – Invoke the function synchronously ...
The API response includes the function response and additional data"; "Event – Invoke the function
asynchronously ... The API response only includes a status code" (StatusCode 202); "FunctionError:
If present, indicates that an error occurred during function execution. Details about the error
are included in the response payload." The Python runtime reports an uncaught exception as
``{"errorMessage", "errorType", "requestId", "stackTrace"}`` with FunctionError "Unhandled".
Plain moto 5.2.5 without Docker echoes the request payload instead of running the handler.
"""

from __future__ import annotations

import base64
import json

from labs.helpers import Lab
from labs.helpers.emulator import status
from labs.helpers.functions import handler_name, package_handler
from labs.helpers.observe import Delivery
from tests.emulator.lambda_helpers import deploy, role_arn, zip_source

ADD = """
def handler(event, context):
    return {"sum": event["a"] + event["b"], "function": context.function_name}
"""


def _call(lab: Lab, name: str, payload: object, **kwargs: object) -> tuple[dict, object]:
    response = lab.client("lambda").invoke(FunctionName=name, Payload=json.dumps(payload), **kwargs)
    body = response["Payload"].read()
    return response, (json.loads(body) if body else None)


def test_layer_is_applied(emulator: None) -> None:
    assert status()["lambda_local_runtime"].applied, status()["lambda_local_runtime"].reason


def test_request_response_returns_the_handlers_result(lab: Lab) -> None:
    deploy(lab, "adder", ADD)
    response, result = _call(lab, lab.name("adder"), {"a": 2, "b": 3})
    assert response["StatusCode"] == 200
    assert "FunctionError" not in response
    # Plain moto echoes {"a": 2, "b": 3}.
    assert result == {"sum": 5, "function": lab.name("adder")}


def test_raising_handler_is_unhandled_with_aws_error_payload(lab: Lab) -> None:
    deploy(lab, "broken", "def handler(event, context):\n    raise ValueError('order total is not a number')\n")
    response, error = _call(lab, lab.name("broken"), {})
    assert response["StatusCode"] == 200  # the invoke succeeded; the function failed
    assert response["FunctionError"] == "Unhandled"
    assert error["errorType"] == "ValueError"
    assert error["errorMessage"] == "order total is not a number"
    assert isinstance(error["stackTrace"], list) and any("app.py" in line for line in error["stackTrace"])


def test_event_invocation_is_202_without_the_result(lab: Lab, deliveries: list[Delivery]) -> None:
    deploy(lab, "adder", ADD)
    response, result = _call(lab, lab.name("adder"), {"a": 1, "b": 1}, InvocationType="Event")
    assert response["StatusCode"] == 202
    assert result is None  # AWS: "The API response only includes a status code"
    runs = [d for d in deliveries if d.service == "lambda" and d.action == "invoke"]
    assert len(runs) == 1 and runs[0].status == "delivered"
    assert runs[0].detail["invocation_type"] == "Event"


def test_context_and_environment_like_lambda(lab: Lab) -> None:
    source = """
import os
def handler(event, context):
    return {"table": os.environ.get("ORDERS_TABLE"), "name": os.environ["AWS_LAMBDA_FUNCTION_NAME"],
            "request_id": context.aws_request_id, "arn": context.invoked_function_arn,
            "remaining": context.get_remaining_time_in_millis(), "memory": context.memory_limit_in_mb}
"""
    arn = deploy(lab, "ctx", source, env={"ORDERS_TABLE": "orders"}, Timeout=10, MemorySize=256)
    _, result = _call(lab, lab.name("ctx"), {})
    assert result["table"] == "orders" and result["name"] == lab.name("ctx")
    assert result["arn"] == arn and result["memory"] == 256
    assert 0 < result["remaining"] <= 10_000
    assert len(result["request_id"]) == 36
    import os
    assert "ORDERS_TABLE" not in os.environ  # only while the handler runs


def test_two_functions_with_the_same_file_name_do_not_clash(lab: Lab) -> None:
    deploy(lab, "one", "def handler(event, context):\n    return 'one'\n")
    deploy(lab, "two", "def handler(event, context):\n    return 'two'\n")
    assert _call(lab, lab.name("one"), {})[1] == "one"
    assert _call(lab, lab.name("two"), {})[1] == "two"


def test_new_code_is_a_new_module_and_warm_state_survives_between_invocations(lab: Lab) -> None:
    counter = "calls = 0\ndef handler(event, context):\n    global calls\n    calls += 1\n    return calls\n"
    deploy(lab, "warm", counter)
    assert [_call(lab, lab.name("warm"), {})[1] for _ in range(2)] == [1, 2]  # warm environment
    lab.client("lambda").update_function_code(
        FunctionName=lab.name("warm"), ZipFile=zip_source({"app.py": counter.replace("+= 1", "+= 10")}))
    assert _call(lab, lab.name("warm"), {})[1] == 10  # new code: fresh module


def test_helper_module_in_the_zip_is_importable(lab: Lab) -> None:
    files = {"app.py": "import pricing\ndef handler(event, context):\n    return pricing.total(event)\n",
             "pricing.py": "def total(order):\n    return sum(order['prices'])\n"}
    lab.client("lambda").create_function(
        FunctionName=lab.name("pkg"), Runtime="python3.12", Role=role_arn(lab), Handler="app.handler",
        Code={"ZipFile": zip_source(files)})
    assert _call(lab, lab.name("pkg"), {"prices": [1, 2, 3]})[1] == 6


def test_missing_handler_function_is_a_runtime_error(lab: Lab) -> None:
    deploy(lab, "nohandler", ADD, handler="main")
    response, error = _call(lab, lab.name("nohandler"), {})
    assert response["FunctionError"] == "Unhandled"
    assert error["errorType"] == "Runtime.HandlerNotFound"


def test_a_result_json_cannot_encode_is_a_marshal_error(lab: Lab) -> None:
    """Developer guide, Python handler: the RequestResponse result is "serialized into JSON with
    json.dumps"; a result that cannot be is the runtime's ``Runtime.MarshalError``, not the handler's."""
    deploy(lab, "sets", "def handler(event, context):\n    return {'skus': {'SKU-1'}}\n")
    response, error = _call(lab, lab.name("sets"), {})
    assert response["FunctionError"] == "Unhandled"
    assert error["errorType"] == "Runtime.MarshalError"
    assert error["errorMessage"].startswith("Unable to marshal response:") and error["stackTrace"] == []


def test_log_tail_has_printed_output(lab: Lab) -> None:
    deploy(lab, "talker", "def handler(event, context):\n    print('processing order', event['id'])\n    return 1\n")
    response, _ = _call(lab, lab.name("talker"), {"id": "o-1"}, LogType="Tail")
    log = base64.b64decode(response["LogResult"]).decode()
    assert "processing order o-1" in log and "START RequestId" in log and "REPORT RequestId" in log


LOGGER = """
import logging
logger = logging.getLogger()
logger.setLevel(logging.INFO)
def handler(event, context):
    logging.getLogger("orders").info("order %s accepted", event["id"])
    logger.debug("not at INFO")
    print("printed")
    return 1
"""


def test_log_tail_has_logging_records_in_lambdas_format(lab: Lab) -> None:
    """Log and monitor Python Lambda functions: the runtime's root handler writes
    ``[LEVEL]\\t<UTC time>Z\\t<request id>\\t<message>``; DEBUG is below the INFO level the code set."""
    import logging
    import re

    before = logging.getLogger().level
    deploy(lab, "logger", LOGGER)
    response, _ = _call(lab, lab.name("logger"), {"id": "o-1"}, LogType="Tail")
    log = base64.b64decode(response["LogResult"]).decode()
    lines = log.splitlines()
    assert re.fullmatch(r"\[INFO\]\t\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z\t[0-9a-f-]{36}\torder o-1 accepted", lines[1]), log
    assert lines[1].split("\t")[2] == lines[0].split()[2]  # the invocation's request id, as in START
    assert lines[2] == "printed" and "not at INFO" not in log
    assert logging.getLogger().level == before  # the handler's setLevel stays in its own environment
    _, _ = _call(lab, lab.name("logger"), {"id": "o-2"})  # warm: the module-level INFO level still holds
    response, _ = _call(lab, lab.name("logger"), {"id": "o-3"}, LogType="Tail")
    assert "order o-3 accepted" in base64.b64decode(response["LogResult"]).decode()


def test_package_handler_deploys_a_module_unchanged(lab: Lab) -> None:
    zipped = package_handler("labs.handlers.order_consumer")
    assert package_handler("labs.handlers.order_consumer") == zipped  # deterministic bytes
    lab.client("lambda").create_function(
        FunctionName=lab.name("consumer"), Runtime="python3.12", Role=role_arn(lab),
        Handler=handler_name("labs.handlers.order_consumer"), Code={"ZipFile": zipped})
    record = {"messageId": "m-1", "body": json.dumps({"order_id": "o-1", "total": 12.5})}
    _, result = _call(lab, lab.name("consumer"), {"Records": [record]})
    assert result == {"batchItemFailures": []}
