"""Lab 4's wrong-answer suite: what learners plausibly type into each exercise, and what the check must say.

The mistakes are the issue's list ("Checks and wrong answers to catch": a Retry on every error, no Retry
or MaxAttempts 0, unbounded waits, a Catch that ends in Succeed, refund without release or release
before refund, no condition on the stock update, executions not named by the order id, a role with '*'
or missing a permission, a task token step without a timeout, an Express machine where the history must
be kept) and the errors AWS documents for each call; ``hint`` holds words only a hint about *that* mistake
contains. Each variant is the solution's answer with one edit (``_edit``), so the suite follows the
notebook. Run: ``python -m labs wrong-answers stepfunctions-fulfilment``.
"""

import re
from pathlib import Path

import nbformat

from labs.course.wrong_answers import Variant

V = Variant
LAB = "stepfunctions-fulfilment"
_NB = Path(__file__).resolve().parents[2] / "solutions" / "04-stepfunctions-fulfilment.ipynb"


def _solution_blocks(exercise: str) -> list[str]:
    """The solution blocks (BEGIN/END SOLUTION) of the cell tagged ``exercise-<exercise>``, dedented."""
    import textwrap

    for cell in nbformat.read(_NB, as_version=4).cells:
        if f"exercise-{exercise}" in cell.metadata.get("tags", []):
            found = re.findall(r"#\s*BEGIN SOLUTION\n(.*?)\n[ \t]*#\s*END SOLUTION", cell.source, re.DOTALL)
            return [textwrap.dedent(b) for b in found]
    raise KeyError(exercise)


def _edit(exercise: str, *pairs: str, block: int = 0, number: int | None = None) -> dict[int, str]:
    """The solution's BEGIN/END block ``block`` of ``exercise`` with each (old, new) pair replaced (old must
    occur), as the answer numbered ``number`` (default ``block``; one-line ``# SOLUTION`` answers count too)."""
    text = _solution_blocks(exercise)[block]
    for old, new in zip(pairs[::2], pairs[1::2]):
        assert old in text, (exercise, old)
        text = text.replace(old, new)
    return {block if number is None else number: text}


ROLE, FLOW, SAGA, START, MAP = "2a", "2b", "3", "4", "5"
WAIT, EXPRESS = "6", "7"

VARIANTS = [
    # ------------------------------------------------------------ 2a: the role
    V(ROLE, "trusts Lambda instead of Step Functions", _edit(ROLE, '"Service": "states.amazonaws.com"',
                                                             '"Service": "lambda.amazonaws.com"'),
      f"{LAB}.role", hint=("states.amazonaws.com",)),
    V(ROLE, "trusts any AWS account too", _edit(ROLE, '"Principal": {"Service": "states.amazonaws.com"}',
                                                 '"Principal": {"Service": "states.amazonaws.com", "AWS": "*"}'),
      f"{LAB}.role", hint=("trust only",)),
    V(ROLE, "allows everything", _edit(ROLE, '''permissions = {"Version": "2012-10-17", "Statement": [''',
                                        '''permissions = {"Version": "2012-10-17", "Statement": [
    {"Effect": "Allow", "Action": "*", "Resource": "*"},'''),
      f"{LAB}.role", hint=("least privilege", "'*'")),
    V(ROLE, "no sns:Publish", _edit(ROLE, ''',
    {"Effect": "Allow", "Action": "sns:Publish", "Resource": topic_arn}]}''', "]}"),
      f"{LAB}.role", hint=("sns:Publish",)),
    V(ROLE, "only the functions of step 2", _edit(ROLE, '"Resource": list(FUNCTIONS.values())',
                                                   '"Resource": [FUNCTIONS["validate"], FUNCTIONS["charge"]]'),
      f"{LAB}.role", hint=("lambda:InvokeFunction",)),
    V(ROLE, "dynamodb on every table", _edit(ROLE, '"Action": "dynamodb:UpdateItem", "Resource": stock.arn',
                                              '"Action": "dynamodb:UpdateItem", "Resource": "*"'),
      f"{LAB}.role", hint=("no '*' in resource",)),
    V(ROLE, "a managed admin policy attached", _edit(ROLE, 'print("role ready:", ROLE)', '''iam.attach_role_policy(RoleName=ROLE, PolicyArn="arn:aws:iam::aws:policy/AdministratorAccess")
print("role ready:", ROLE)'''),
      f"{LAB}.role", hint=("detach",)),
    V(ROLE, "the lab's ensure_role helper", {0: '''
role_arn = ensure_role(lab, "fulfilment-role", "states.amazonaws.com", [
    {"Effect": "Allow", "Action": "lambda:InvokeFunction", "Resource": [arn + suffix for arn in FUNCTIONS.values() for suffix in ("", ":*")]},
    {"Effect": "Allow", "Action": ["dynamodb:UpdateItem"], "Resource": [stock.arn]},
    {"Effect": "Allow", "Action": ["sns:Publish"], "Resource": [topic_arn]}])'''},
      f"{LAB}.role", expect="correct"),
    V(ROLE, "one statement with every action and ARN", _edit(ROLE, '''permissions = {"Version": "2012-10-17", "Statement": [
    {"Effect": "Allow", "Action": "lambda:InvokeFunction", "Resource": list(FUNCTIONS.values())},
    {"Effect": "Allow", "Action": "dynamodb:UpdateItem", "Resource": stock.arn},
    {"Effect": "Allow", "Action": "sns:Publish", "Resource": topic_arn}]}''', '''permissions = {"Version": "2012-10-17", "Statement": [{
    "Sid": "Saga", "Effect": "Allow", "Action": ["lambda:InvokeFunction", "dynamodb:UpdateItem", "sns:Publish"],
    "Resource": [*FUNCTIONS.values(), stock.arn, topic_arn]}]}'''),
      f"{LAB}.role", expect="correct"),

    # ------------------------------------------------------------ 2b: the workflow
    V(FLOW, "no condition on the stock update", _edit(FLOW, '''                "ConditionExpression": "available >= :q",
''', ""), f"{LAB}.workflow", hint=("ConditionExpression",)),
    V(FLOW, "the update's result replaces the order", _edit(FLOW, '''            "ResultPath": None, "Next": "ChargePayment"},''',
                                                             '''            "Next": "ChargePayment"},'''),
      f"{LAB}.workflow", hint=("history",)),
    V(FLOW, "no ValidateOrder", _edit(FLOW, '"StartAt": "ValidateOrder"', '"StartAt": "ReserveStock"'),
      f"{LAB}.workflow", hint=("ValidateOrder",)),
    V(FLOW, "Ship without Notify", _edit(FLOW, ''',
                {"StartAt": "Notify", "States": {"Notify": {
                    "Type": "Task", "Resource": "arn:aws:states:::sns:publish",
                    "Parameters": {"TopicArn": topic_arn,
                                   "Message.$": "States.Format('Order {} is on its way', $.order_id)"},
                    "End": True}}}]},''', "]},"),
      f"{LAB}.workflow", hint=("sns:publish",)),
    V(FLOW, "the stock goes up", _edit(FLOW, '"SET available = available - :q"', '"SET available = available + :q"'),
      f"{LAB}.workflow", hint=("decrement",)),
    V(FLOW, "charge before reserving", _edit(FLOW, '"OutputPath": "$.Payload", "Next": "ReserveStock"',
                                             '"OutputPath": "$.Payload", "Next": "ChargePayment"',
                                             '"ResultPath": None, "Next": "ChargePayment"', '"ResultPath": None, "Next": "ShipAndNotify"',
                                             '"ResultPath": "$.payment",\n            "Next": "ShipAndNotify"',
                                             '"ResultPath": "$.payment",\n            "Next": "ReserveStock"'),
      f"{LAB}.workflow", hint=("before ChargePayment",)),
    V(FLOW, "the function ARN as Resource, the whole order as the message", _edit(
        FLOW, '''            "Type": "Task", "Resource": "arn:aws:states:::lambda:invoke",
            "Parameters": {"FunctionName": FUNCTIONS["validate"], "Payload.$": "$"},
            "OutputPath": "$.Payload", "Next": "ReserveStock"},''', '''            "Type": "Task", "Resource": FUNCTIONS["validate"], "Next": "ReserveStock"},''',
        '"Message.$": "States.Format(\'Order {} is on its way\', $.order_id)"', '"Message.$": "$"'),
      f"{LAB}.workflow", expect="correct"),
    V(FLOW, "the quantity by JsonToString", _edit(
        FLOW, '"N.$": "States.Format(\'{}\', $.quantity)"', '"N.$": "States.JsonToString($.quantity)"'),
      f"{LAB}.workflow", expect="correct"),

    # ------------------------------------------------------------ 3: the saga
    V(SAGA, "retry every error", _edit(SAGA, '{"ErrorEquals": ["ProviderUnavailable"], "IntervalSeconds": 1',
                                       '{"ErrorEquals": ["States.ALL"], "IntervalSeconds": 1'),
      f"{LAB}.saga", hint=("ProviderUnavailable",)),
    V(SAGA, "no retry", _edit(SAGA, '''states["ChargePayment"]["Retry"] = [
    {"ErrorEquals": ["ProviderUnavailable"], "IntervalSeconds": 1, "BackoffRate": 2, "MaxAttempts": 3,
     "MaxDelaySeconds": 10, "JitterStrategy": "FULL"}]
''', ""), f"{LAB}.saga", hint=("MaxAttempts 3",)),
    V(SAGA, "MaxAttempts 0", _edit(SAGA, '"MaxAttempts": 3', '"MaxAttempts": 0'), f"{LAB}.saga", hint=("MaxAttempts",)),
    V(SAGA, "retries wait minutes", _edit(SAGA, '"IntervalSeconds": 1, "BackoffRate": 2, "MaxAttempts": 3,\n     "MaxDelaySeconds": 10,',
                                          '"IntervalSeconds": 30, "BackoffRate": 4, "MaxAttempts": 3,'),
      f"{LAB}.saga", hint=("MaxDelaySeconds",)),
    V(SAGA, "the catch ends in Succeed", _edit(SAGA, '''states["OrderFailed"] = {"Type": "Fail", "ErrorPath": "$.error.Error", "CausePath": "$.error.Cause"}''',
                                               '''states["OrderFailed"] = {"Type": "Succeed"}'''),
      f"{LAB}.saga", hint=("Fail state",)),
    V(SAGA, "refund but no release", _edit(SAGA, '"ResultPath": "$.refund", "Next": "ReleaseStock"', '"ResultPath": "$.refund", "Next": "OrderFailed"',
                                           '"ResultPath": "$.error", "Next": "ReleaseStock"}]\nstates["ShipAndNotify"]',
                                           '"ResultPath": "$.error", "Next": "OrderFailed"}]\nstates["ShipAndNotify"]'),
      f"{LAB}.saga", hint=("ReleaseStock",)),
    V(SAGA, "release before refund", _edit(SAGA, '"ResultPath": "$.error", "Next": "RefundPayment"}]', '"ResultPath": "$.error", "Next": "ReleaseFirst"}]',
                                           'states["OrderFailed"] =', '''states["ReleaseFirst"] = dict(states["ReleaseStock"], Next="RefundPayment")
states["RefundPayment"]["Next"] = "OrderFailed"
states["OrderFailed"] ='''),
      f"{LAB}.saga", hint=("newest first",)),
    V(SAGA, "one catch per error, a fixed error and cause", _edit(
        SAGA, '''states["ChargePayment"]["Catch"] = [{"ErrorEquals": ["States.ALL"], "ResultPath": "$.error", "Next": "ReleaseStock"}]''',
        '''states["ChargePayment"]["Catch"] = [
    {"ErrorEquals": ["PaymentDeclined"], "ResultPath": "$.error", "Next": "ReleaseStock"},
    {"ErrorEquals": ["States.ALL"], "ResultPath": "$.error", "Next": "ReleaseStock"}]''',
        '''{"Type": "Fail", "ErrorPath": "$.error.Error", "CausePath": "$.error.Cause"}''',
        '''{"Type": "Fail", "Error": "OrderFailed", "Cause": "The order was compensated: refunded and released"}'''),
      f"{LAB}.saga", expect="correct"),
    V(SAGA, "retry also States.Timeout, no MaxDelaySeconds", _edit(
        SAGA, '{"ErrorEquals": ["ProviderUnavailable"], "IntervalSeconds": 1, "BackoffRate": 2, "MaxAttempts": 3,\n     "MaxDelaySeconds": 10, "JitterStrategy": "FULL"}',
        '{"ErrorEquals": ["ProviderUnavailable", "States.Timeout"], "IntervalSeconds": 2, "BackoffRate": 1.5, "MaxAttempts": 4}'),
      f"{LAB}.saga", expect="correct"),

    # ------------------------------------------------------------ 4: idempotent start
    V(START, "no name", _edit(START, 'name=order["order_id"],', ''),
      f"{LAB}.idempotent", hint=("order id", "name")),
    V(START, "a unique name each time", _edit(START, 'name=order["order_id"]', 'name=f"{order[\'order_id\']}-{uuid.uuid4().hex[:6]}"'),
      f"{LAB}.idempotent", hint=("order id", "name")),
    V(START, "ExecutionAlreadyExists not caught", {0: '''
return sfn.start_execution(stateMachineArn=machine_arn, name=order["order_id"], input=json.dumps(order))["executionArn"]'''},
      f"{LAB}.idempotent", hint=("ExecutionAlreadyExists",)),
    V(START, "returns None for a duplicate", _edit(START, '''return machine_arn.replace(":stateMachine:", ":execution:") + ":" + order["order_id"]''', "return None"),
      f"{LAB}.idempotent", hint=("existing execution's ARN",)),
    V(START, "a duplicate is started again under another name", _edit(
        START, '''return machine_arn.replace(":stateMachine:", ":execution:") + ":" + order["order_id"]''',
        '''return sfn.start_execution(stateMachineArn=machine_arn, name=order["order_id"] + "-retry",
                           input=json.dumps(order))["executionArn"]'''),
      f"{LAB}.idempotent", hint=("existing execution",)),
    V(START, "returns the whole response", _edit(START, '''input=json.dumps(order))["executionArn"]''', '''input=json.dumps(order))'''),
      f"{LAB}.idempotent", hint=("executionArn",)),
    V(START, "finds the existing execution by listing", {0: '''
try:
    return sfn.start_execution(stateMachineArn=machine_arn, name=order["order_id"], input=json.dumps(order))["executionArn"]
except sfn.exceptions.ExecutionAlreadyExists:
    for page in sfn.get_paginator("list_executions").paginate(stateMachineArn=machine_arn):
        for execution in page["executions"]:
            if execution["name"] == order["order_id"]:
                return execution["executionArn"]
    raise'''}, f"{LAB}.idempotent", expect="correct"),
    V(START, "asks first, then starts", {0: '''
arn = machine_arn.replace(":stateMachine:", ":execution:") + ":" + order["order_id"]
try:
    return sfn.describe_execution(executionArn=arn)["executionArn"]
except sfn.exceptions.ExecutionDoesNotExist:
    pass
try:
    return sfn.start_execution(stateMachineArn=machine_arn, name=order["order_id"], input=json.dumps(order))["executionArn"]
except ClientError as err:
    if err.response["Error"]["Code"] != "ExecutionAlreadyExists":
        raise
    return arn'''}, f"{LAB}.idempotent", expect="correct"),

    # ------------------------------------------------------------ 5: Map
    V(MAP, "no MaxConcurrency", _edit(MAP, '"MaxConcurrency": 2, ', ''), f"{LAB}.map", hint=("MaxConcurrency",)),
    V(MAP, "MaxConcurrency 5", _edit(MAP, '"MaxConcurrency": 2', '"MaxConcurrency": 5'), f"{LAB}.map", hint=("MaxConcurrency 2",)),
    V(MAP, "no catch for a missing item", _edit(MAP, ''',
    "Catch": [{"ErrorEquals": ["DynamoDB.ConditionalCheckFailedException"], "ResultPath": None, "Next": "Backorder"}]}''', "}"),
      f"{LAB}.map", hint=("inside the ItemProcessor",)),
    V(MAP, "the catch on the Map state", _edit(MAP, ''',
    "Catch": [{"ErrorEquals": ["DynamoDB.ConditionalCheckFailedException"], "ResultPath": None, "Next": "Backorder"}]}''', "}",
        '''"Type": "Map", "ItemsPath": "$.items", "MaxConcurrency": 2, "End": True,''',
        '''"Type": "Map", "ItemsPath": "$.items", "MaxConcurrency": 2, "Next": "Done",
        "Catch": [{"ErrorEquals": ["States.ALL"], "Next": "Done"}],''',
        '''"Backorder": {"Type": "Pass", "Parameters": {"sku.$": "$.sku", "backordered": True}, "End": True}}}}},''',
        '''"Backorder": {"Type": "Pass", "Parameters": {"sku.$": "$.sku", "backordered": True}, "End": True}}}},
        "Done": {"Type": "Succeed"}},'''),
      f"{LAB}.map", hint=("inside the ItemProcessor",)),
    V(MAP, "no condition on the item's update", _edit(MAP, ''', "ConditionExpression": "available >= :q"''', ""),
      f"{LAB}.map", hint=("ConditionExpression",)),
    V(MAP, "a backorder says reserved false", _edit(MAP, '"backordered": True', '"reserved": False'),
      f"{LAB}.map", hint=("backordered",)),
    V(MAP, "the legacy Iterator, one at a time", _edit(MAP, '"MaxConcurrency": 2', '"MaxConcurrency": 1',
                                                       '''"ItemProcessor": {
            "ProcessorConfig": {"Mode": "INLINE"},''', '''"Iterator": {'''),
      f"{LAB}.map", expect="correct"),
    V(MAP, "an ItemSelector from the context object", _edit(MAP, '''"Type": "Map", "ItemsPath": "$.items",''',
                                                            '''"Type": "Map", "ItemsPath": "$.items",
        "ItemSelector": {"sku.$": "$$.Map.Item.Value.sku", "quantity.$": "$$.Map.Item.Value.quantity"},'''),
      f"{LAB}.map", expect="correct"),

    # ------------------------------------------------------------ 6: task token
    V(WAIT, "no TimeoutSeconds", _edit(WAIT, '"TimeoutSeconds": 2 * 24 * 3600, ', ''), f"{LAB}.callback",
      hint=("TimeoutSeconds",)),
    V(WAIT, "no HeartbeatSeconds", _edit(WAIT, ', "HeartbeatSeconds": 3600', ''), f"{LAB}.callback",
      hint=("HeartbeatSeconds",)),
    V(WAIT, "a timeout of two hours", _edit(WAIT, '"TimeoutSeconds": 2 * 24 * 3600', '"TimeoutSeconds": 2 * 3600'),
      f"{LAB}.callback", hint=("2 days",)),
    V(WAIT, "no task token in the message", _edit(WAIT, ', "token.$": "$$.Task.Token"', ''), f"{LAB}.callback",
      hint=("$$.Task.Token",)),
    V(WAIT, "a failed shipment answered as a success", _edit(WAIT, "if tracking is None:", "if False:", block=1),
      f"{LAB}.callback", hint=("send_task_failure",)),
    V(WAIT, "answers every message", _edit(WAIT, '''if body.get("order_id") not in results:
            continue
        tracking = results[body["order_id"]]''', '''tracking = results.get(body["order_id"])''', block=1),
      f"{LAB}.callback", hint=("only answer",)),
    V(WAIT, "a heartbeat instead of the answer", _edit(
        WAIT, 'sfn.send_task_success(taskToken=body["token"], output=json.dumps({"tracking": tracking}))',
        'sfn.send_task_heartbeat(taskToken=body["token"])', block=1),
      f"{LAB}.callback", hint=("send_task_success",)),
    V(WAIT, "half-hourly heartbeats, a dispatch table", {**_edit(WAIT, '"HeartbeatSeconds": 3600', '"HeartbeatSeconds": 1800'), 1: '''
answered = 0
messages = sqs.receive_message(QueueUrl=warehouse_url, MaxNumberOfMessages=10).get("Messages", [])
for message in messages:
    body = json.loads(message["Body"])
    if body["order_id"] not in results:
        sqs.change_message_visibility(QueueUrl=warehouse_url, ReceiptHandle=message["ReceiptHandle"], VisibilityTimeout=0)
        continue
    answer = {"tracking": results[body["order_id"]]}
    if answer["tracking"]:
        sfn.send_task_success(taskToken=body["token"], output=json.dumps(answer))
    else:
        sfn.send_task_failure(taskToken=body["token"], error="ShipmentFailed")
    sqs.delete_message(QueueUrl=warehouse_url, ReceiptHandle=message["ReceiptHandle"])
    answered += 1
return answered'''}, f"{LAB}.callback", expect="correct"),
    V(WAIT, "48 hours, a 45-minute heartbeat, more in the message", _edit(
        WAIT, '"TimeoutSeconds": 2 * 24 * 3600, "HeartbeatSeconds": 3600', '"TimeoutSeconds": 48 * 60 * 60, "HeartbeatSeconds": 45 * 60',
        '"MessageBody": {"order_id.$": "$.order_id", "token.$": "$$.Task.Token"}',
        '"MessageBody": {"order_id.$": "$.order_id", "token.$": "$$.Task.Token", "since.$": "$$.State.EnteredTime"}'),
      f"{LAB}.callback", expect="correct"),

    # ------------------------------------------------------------ 7: Express refund
    V(EXPRESS, "a Standard refund machine", {1: 'REFUND_TYPE = "STANDARD"'}, f"{LAB}.express", hint=("EXPRESS",)),
    V(EXPRESS, "start_execution instead of the synchronous start", _edit(
        EXPRESS, 'return sfn.start_sync_execution(stateMachineArn=refund_arn, input=json.dumps(order))["status"]',
        'return sfn.start_execution(stateMachineArn=refund_arn, input=json.dumps(order))["executionArn"]', block=1, number=2),
      f"{LAB}.express", hint=("start_sync_execution",)),
    V(EXPRESS, "returns the whole response", _edit(EXPRESS, 'input=json.dumps(order))["status"]', 'input=json.dumps(order))',
                                                   block=1, number=2), f"{LAB}.express", hint=("'status'",)),
    V(EXPRESS, "returns the output", _edit(EXPRESS, 'input=json.dumps(order))["status"]', 'input=json.dumps(order)).get("output")',
                                           block=1, number=2), f"{LAB}.express", hint=("'status'",)),
    V(EXPRESS, "refund without releasing the stock", _edit(EXPRESS, '"ResultPath": "$.refund", "Next": "ReleaseStock"',
                                                           '"ResultPath": "$.refund", "Next": "Refunded"'),
      f"{LAB}.express", hint=("ReleaseStock",)),
    V(EXPRESS, "the release takes stock away", _edit(EXPRESS, '"SET available = available + :q"', '"SET available = available - :q"'),
      f"{LAB}.express", hint=("add the quantity back",)),
    V(EXPRESS, "no refund step", _edit(EXPRESS, '"StartAt": "RefundPayment"', '"StartAt": "ReleaseStock"'),
      f"{LAB}.express", hint=("RefundPayment",)),
    V(EXPRESS, "ends in ReleaseStock, status read with get", _edit(
        EXPRESS, '"ResultPath": None, "Next": "Refunded"},\n        "Refunded": {"Type": "Succeed"}},',
        '"ResultPath": None, "End": True}},', ), f"{LAB}.express", expect="correct"),
    V(EXPRESS, "a response variable and .get", _edit(
        EXPRESS, 'return sfn.start_sync_execution(stateMachineArn=refund_arn, input=json.dumps(order))["status"]',
        '''response = sfn.start_sync_execution(stateMachineArn=refund_arn, name=f"refund-{order['order_id']}-{uuid.uuid4().hex[:6]}",
                                    input=json.dumps(order))
return response.get("status")''', block=1, number=2), f"{LAB}.express", expect="correct"),
]
