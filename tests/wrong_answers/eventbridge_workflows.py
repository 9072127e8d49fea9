"""Lab 3's wrong-answer suite: what learners plausibly type into each exercise, and what the check must say.

The mistakes are the issue's list ("Checks and wrong answers to catch") and the errors AWS documents
for each call; ``hint`` holds words only a hint about *that* mistake contains. Run:
``python -m labs wrong-answers eventbridge-workflows`` (prints the figures) or ``pytest tests/wrong_answers``.
"""

from labs.course.wrong_answers import Variant

V = Variant
LAB = "eventbridge-workflows"

BUS_OK = 'bus_arn = events.create_event_bus(Name=BUS)["EventBusArn"]'


def _put_all(body: str) -> dict[int, str]:
    return {1: body}


PUT_NO_RETRY = '''
put = 0
for start in range(0, len(entries), 10):
    batch = [{**e, "EventBusName": bus} for e in entries[start:start + 10]]
    put += len(batch) - events.put_events(Entries=batch)["FailedEntryCount"]
return put'''

PATTERN = '''{
    "source": ["securecart.inventory"],
    "detail-type": ["InventoryLevelChanged"],
    "detail": {
        "sku": [{"prefix": "SKU-"}],
        "warehouse": [{"exists": True}],
        "environment": [{"anything-but": "test"}],
        "$or": [{"quantity": [{"numeric": ["<", 10]}]}, {"backorders": [{"numeric": [">", 0]}]}],
    },
}'''


def _pattern(old: str, new: str) -> dict[int, str]:
    assert old in PATTERN, old
    return {0: "low_stock_pattern = " + PATTERN.replace(old, new)}


RULE = ('restock_arn = events.put_rule(Name=lab.name("restock"), EventBusName=BUS, '
        'EventPattern=json.dumps(low_stock_pattern))["RuleArn"]')
STATEMENT = ('{"Effect": "Allow", "Principal": {"Service": "events.amazonaws.com"}, "Action": "sqs:SendMessage", '
             '"Resource": requests_arn, "Condition": {"ArnEquals": {"aws:SourceArn": restock_arn}}}')
TEMPLATE = ('{"sku": "<sku>", "warehouse": "<warehouse>", "on_hand": <quantity>, '
            '"note": "restock <sku> at <warehouse>", "source_event": "<event_id>"}')
PATHS = '{"sku": "$.detail.sku", "warehouse": "$.detail.warehouse", "quantity": "$.detail.quantity", "event_id": "$.id"}'


def _restock(rule: str = RULE, statement: str = STATEMENT, template: str = TEMPLATE, paths: str = PATHS,
             bus: str = "EventBusName=BUS, ") -> dict[int, str]:
    return {0: f'''
{rule}
policy = {{"Version": "2012-10-17", "Statement": [{statement}]}}
sqs.set_queue_attributes(QueueUrl=requests_url, Attributes={{"Policy": json.dumps(policy)}})
transformer = {{"InputPathsMap": {paths}, "InputTemplate": {template!r}}}
events.put_targets(Rule=lab.name("restock"), {bus}Targets=[
    {{"Id": "restock-requests", "Arn": requests_arn, "InputTransformer": transformer}}])'''}


PERMISSION = ('lam.add_permission(FunctionName=notifier, StatementId="restock-rule", Action="lambda:InvokeFunction", '
              'Principal="events.amazonaws.com", SourceArn=restock_arn)')
ROLE_STATEMENT = '{"Effect": "Allow", "Action": "states:StartExecution", "Resource": machine_arn}'


def _targets(permission: str = PERMISSION, service: str = "events.amazonaws.com", statement: str = ROLE_STATEMENT,
             machine: str = '{"Id": "restock-workflow", "Arn": machine_arn, "RoleArn": starter_arn}') -> dict[int, str]:
    return {0: f'''
try:
    {permission}
except lam.exceptions.ResourceConflictException:
    pass
starter_arn = ensure_role(lab, "restock-starter", "{service}", [{statement}])
events.put_targets(Rule=lab.name("restock"), EventBusName=BUS, Targets=[
    {{"Id": "supplier-notifier", "Arn": notifier_arn}}, {machine}])'''}


DLQ_STATEMENT = ('{"Effect": "Allow", "Principal": {"Service": "events.amazonaws.com"}, "Action": "sqs:SendMessage", '
                 '"Resource": dlq_arn, "Condition": {"ArnEquals": {"aws:SourceArn": restock_arn}}}')


def _dlq(statement: str = DLQ_STATEMENT, retry: str = '{"MaximumRetryAttempts": 4, "MaximumEventAgeInSeconds": 3600}',
         which: str = "current") -> dict[int, str]:
    return {0: f'''
sqs.set_queue_attributes(QueueUrl=dlq_url, Attributes={{"Policy": json.dumps(
    {{"Version": "2012-10-17", "Statement": [{statement}]}})}})
current = events.list_targets_by_rule(Rule=lab.name("restock"), EventBusName=BUS)["Targets"]
for target in {which}:
    target["RetryPolicy"] = {retry}
    target["DeadLetterConfig"] = {{"Arn": dlq_arn}}
events.put_targets(Rule=lab.name("restock"), EventBusName=BUS, Targets=current)'''}


SCHEMA = ('{"$schema": "http://json-schema.org/draft-04/schema#", "type": "object", '
          '"required": ["order_id", "customer_id", "items", "total", "currency"], '
          '"properties": {"order_id": {"type": "string"}, "customer_id": {"type": "string"}, '
          '"items": {"type": "array", "minItems": 1}, "total": {"type": "number"}, '
          '"currency": {"type": "string", "pattern": "^[A-Z]{3}$"}, "created_at": {"type": "string"}}}')


def _schema(old: str = "", new: str = "") -> dict[int, str]:
    assert old in SCHEMA, old
    return {0: f'''
try:
    schemas.create_registry(RegistryName=lab.name("securecart"))
except schemas.exceptions.ConflictException:
    pass
schemas.create_schema(RegistryName=lab.name("securecart"), SchemaName="OrderPlaced", Type="JSONSchemaDraft4",
                      Content=json.dumps({SCHEMA.replace(old, new) if old else SCHEMA}))'''}


def _publish(send: str = 'entry', invalid: str = "return None", time: str = ', "Time": datetime.fromisoformat('
             'order["created_at"].replace("Z", "+00:00"))', detail: str = "json.dumps(order)") -> dict[int, str]:
    return {1: f'''
content = schemas.describe_schema(RegistryName=lab.name("securecart"), SchemaName="OrderPlaced")["Content"]
valid = jsonschema.Draft4Validator(json.loads(content)).is_valid(order)
if not valid:
    print("not sent:", order.get("order_id"))
    {invalid}
entry = {{"Source": "securecart.orders", "DetailType": "OrderPlaced", "Detail": {detail}, "EventBusName": bus{time}}}
return events.put_events(Entries=[{send}])["Entries"][0].get("EventId")'''}


def _archive(args: str) -> dict[int, str]:
    return {0: f'''
try:
    events.create_archive(ArchiveName=lab.name("orders"), EventSourceArn=bus_arn{args})
except events.exceptions.ResourceAlreadyExistsException:
    pass'''}


def _replay(start: str = "BUG_FROM", end: str = "BUG_TO", destination: str = '{"Arn": bus_arn, "FilterArns": [ledger_rule]}') -> dict[int, str]:
    return {0: f'''
def at(text):
    return datetime.fromisoformat(text.replace("Z", "+00:00"))
events.start_replay(ReplayName=lab.name("ledger-fix"), EventSourceArn=archive_arn, EventStartTime=at({start}),
                    EventEndTime=at({end}), Destination={destination})
while events.describe_replay(ReplayName=lab.name("ledger-fix"))["State"] not in ("COMPLETED", "FAILED"):
    time.sleep(5)'''}


def _audit(permission: str = 'security.put_permission(EventBusName=AUDIT, StatementId="securecart", '
           'Action="events:PutEvents", Principal=lab.account_id)',
           pattern: str = '{"source": [{"prefix": "securecart."}]}', bus: str = "EventBusName=BUS, ",
           target: str = '{"Id": "audit", "Arn": audit_arn, "RoleArn": forwarder_arn}') -> dict[int, str]:
    return {0: f'''
{permission}
events.put_rule(Name=lab.name("audit-forward"), {bus}EventPattern=json.dumps({pattern}))
events.put_targets(Rule=lab.name("audit-forward"), {bus}Targets=[{target}])'''}


OPEN_POLICY = '''security.put_permission(EventBusName=AUDIT, Policy=json.dumps({"Version": "2012-10-17", "Statement": [{
    "Sid": "org", "Effect": "Allow", "Principal": "*", "Action": "events:PutEvents", "Resource": audit_arn,
    "Condition": {"StringEquals": {"aws:PrincipalOrgID": "o-securecart"}}}]}))'''

VARIANTS = [
    # ------------------------------------------------------------ 2: the bus and put_all
    V("2", "the bus named without lab.name", {0: 'bus_arn = events.create_event_bus(Name="securecart-bus")["EventBusArn"]'},
      f"{LAB}.publish", hint=("lab.name('securecart')",)),
    V("2", "failed entries are ignored", _put_all(PUT_NO_RETRY), f"{LAB}.publish", hint=("ErrorCode",)),
    V("2", "the whole batch is put again when entries failed", _put_all('''
put = 0
for start in range(0, len(entries), 10):
    batch = [{**e, "EventBusName": bus} for e in entries[start:start + 10]]
    for _ in range(5):
        response = events.put_events(Entries=batch)
        put += len(batch) - response["FailedEntryCount"]
        if response["FailedEntryCount"] == 0:
            break
return put'''), f"{LAB}.publish", hint=("only the entries",)),
    V("2", "the first FailedEntryCount entries are retried, not the failed ones", _put_all('''
put = 0
for start in range(0, len(entries), 10):
    batch = [{**e, "EventBusName": bus} for e in entries[start:start + 10]]
    for _ in range(5):
        response = events.put_events(Entries=batch)
        put += len(batch) - response["FailedEntryCount"]
        batch = batch[:response["FailedEntryCount"]]
        if not batch:
            break
return put'''), f"{LAB}.publish", hint=("ErrorCode",)),
    V("2", "every entry in one call", _put_all('''
results = events.put_events(Entries=[{**e, "EventBusName": bus} for e in entries])["Entries"]
return sum("EventId" in r for r in results)'''), f"{LAB}.publish", hint=("slices of 10",)),
    V("2", "no EventBusName: the default bus", _put_all('''
put = 0
for start in range(0, len(entries), 10):
    batch = entries[start:start + 10]
    for _ in range(5):
        results = events.put_events(Entries=batch)["Entries"]
        put += sum("EventId" in r for r in results)
        batch = [e for e, r in zip(batch, results) if "ErrorCode" in r]
        if not batch:
            break
return put'''), f"{LAB}.publish", hint=("EventBusName",)),
    V("2", "returns the number of failures", _put_all('''
failed = 0
for start in range(0, len(entries), 10):
    batch = [{**e, "EventBusName": bus} for e in entries[start:start + 10]]
    for _ in range(5):
        response = events.put_events(Entries=batch)
        results = response["Entries"]
        failed += response["FailedEntryCount"]
        batch = [e for e, r in zip(batch, results) if "ErrorCode" in r]
        if not batch:
            break
return failed'''), f"{LAB}.publish", hint=("EventId",)),
    V("2", "right: one entry per call, retried while it fails", _put_all('''
put = 0
for entry in entries:
    for _ in range(5):
        result = events.put_events(Entries=[{**entry, "EventBusName": bus}])["Entries"][0]
        if "EventId" in result:
            put += 1
            break
return put'''), f"{LAB}.publish", expect="correct"),
    V("2", "right: a while loop over the pending entries by index", {0: '''
bus_arn = events.create_event_bus(Name=lab.name("securecart"))["EventBusArn"]''', 1: '''
put = 0
for start in range(0, len(entries), 10):
    pending = [dict(e, EventBusName=bus) for e in entries[start:start + 10]]
    attempts = 0
    while pending and attempts < 5:
        attempts += 1
        response = events.put_events(Entries=pending)
        if response["FailedEntryCount"] == 0:
            put += len(pending)
            break
        retry = []
        for i, result in enumerate(response["Entries"]):
            if result.get("ErrorCode"):
                retry.append(pending[i])
            else:
                put += 1
        pending = retry
return put'''}, f"{LAB}.publish", expect="correct"),

    # ------------------------------------------------------------ 3: the pattern
    V("3", "a typo in detail-type", _pattern('"InventoryLevelChanged"', '"InventoryLevelchanged"'),
      f"{LAB}.pattern", hint=("detail-type",)),
    V("3", "at or below the reorder point", _pattern('["<", 10]', '["<=", 10]'), f"{LAB}.pattern",
      hint=("10 itself",)),
    V("3", "test traffic not left out", _pattern('        "environment": [{"anything-but": "test"}],\n', ""),
      f"{LAB}.pattern", hint=("anything-but",)),
    V("3", "gift cards not left out", _pattern('        "sku": [{"prefix": "SKU-"}],\n', ""),
      f"{LAB}.pattern", hint=("prefix",)),
    V("3", "corrections without a warehouse not left out", _pattern('        "warehouse": [{"exists": True}],\n', ""),
      f"{LAB}.pattern", hint=("exists",)),
    V("3", "backorders forgotten: no $or", _pattern(
        '"$or": [{"quantity": [{"numeric": ["<", 10]}]}, {"backorders": [{"numeric": [">", 0]}]}]',
        '"quantity": [{"numeric": ["<", 10]}]'), f"{LAB}.pattern", hint=("$or",)),
    V("3", "the number quoted in numeric", _pattern('["<", 10]', '["<", "10"]'), f"{LAB}.pattern",
      hint=("10, not '10'",)),
    V("3", "quantities listed as strings", _pattern(
        '{"quantity": [{"numeric": ["<", 10]}]}', '{"quantity": [str(n) for n in range(10)]}'), f"{LAB}.pattern",
      hint=("numeric",)),
    V("3", "right: anything-but as a list, a range from 0", {0: '''
low_stock_pattern = {"source": ["securecart.inventory"], "detail-type": ["InventoryLevelChanged"],
                     "detail": {"environment": [{"anything-but": ["test"]}], "sku": [{"prefix": "SKU-"}],
                                "warehouse": [{"exists": True}],
                                "$or": [{"backorders": [{"numeric": [">=", 1]}]},
                                        {"quantity": [{"numeric": [">=", 0, "<", 10]}]}]}}'''},
      f"{LAB}.pattern", expect="correct"),
    V("3", "right: built step by step", {0: '''
detail = {}
detail["sku"] = [{"prefix": "SKU-"}]
detail["warehouse"] = [{"exists": True}]
detail["environment"] = [{"anything-but": "test"}]
detail["$or"] = [{"quantity": [{"numeric": ["<", 10]}]}, {"backorders": [{"numeric": [">", 0]}]}]
low_stock_pattern = {"source": ["securecart.inventory"], "detail-type": ["InventoryLevelChanged"], "detail": detail}'''},
      f"{LAB}.pattern", expect="correct"),

    # ------------------------------------------------------------ 4a: the rule, the queue policy, the transformer
    V("4a", "the rule on the default bus", _restock(
        rule='restock_arn = events.put_rule(Name=lab.name("restock"), EventPattern=json.dumps(low_stock_pattern))["RuleArn"]',
        bus=""), f"{LAB}.restock-queue", hint=("EventBusName",)),
    V("4a", "no queue policy", {0: f'''
{RULE}
transformer = {{"InputPathsMap": {PATHS}, "InputTemplate": {TEMPLATE!r}}}
events.put_targets(Rule=lab.name("restock"), EventBusName=BUS, Targets=[
    {{"Id": "restock-requests", "Arn": requests_arn, "InputTransformer": transformer}}])'''},
      f"{LAB}.restock-queue", hint=("events.amazonaws.com",)),
    V("4a", "the SNS principal of lab 2", _restock(statement=STATEMENT.replace("events.amazonaws.com", "sns.amazonaws.com")),
      f"{LAB}.restock-queue", hint=("events.amazonaws.com",)),
    V("4a", "a policy without aws:SourceArn", _restock(
        statement=STATEMENT.replace(', "Condition": {"ArnEquals": {"aws:SourceArn": restock_arn}}', "")),
      f"{LAB}.restock-queue", hint=("aws:SourceArn",)),
    V("4a", "the quantity placeholder in quotes", _restock(template=TEMPLATE.replace("<quantity>", '"<quantity>"')),
      f"{LAB}.restock-queue", hint=("without quotes",)),
    V("4a", "a template that is not JSON (a trailing comma)", _restock(template=TEMPLATE.replace("}", ",}")),
      f"{LAB}.restock-queue", hint=("commas",)),
    V("4a", "the source event dropped", _restock(template=TEMPLATE.replace(', "source_event": "<event_id>"', "")),
      f"{LAB}.restock-queue", hint=("source_event",)),
    V("4a", "the whole detail instead of a purchase order", {0: f'''
{RULE}
policy = {{"Version": "2012-10-17", "Statement": [{STATEMENT}]}}
sqs.set_queue_attributes(QueueUrl=requests_url, Attributes={{"Policy": json.dumps(policy)}})
events.put_targets(Rule=lab.name("restock"), EventBusName=BUS, Targets=[
    {{"Id": "restock-requests", "Arn": requests_arn, "InputPath": "$.detail"}}])'''},
      f"{LAB}.restock-queue", hint=("InputTransformer",)),
    V("4a", "right: unquoted string placeholders, ArnLike, targets first", {0: f'''
{RULE}
transformer = {{"InputPathsMap": {{"s": "$.detail.sku", "w": "$.detail.warehouse", "q": "$.detail.quantity", "id": "$.id"}},
               "InputTemplate": '{{"sku": <s>, "warehouse": <w>, "on_hand": <q>, "note": "restock <s> at <w>", "source_event": <id>}}'}}
events.put_targets(Rule=lab.name("restock"), EventBusName=BUS, Targets=[
    {{"Id": "restock-requests", "Arn": requests_arn, "InputTransformer": transformer}}])
policy = {{"Version": "2012-10-17", "Statement": [{{"Sid": "rule", "Effect": "Allow", "Principal": {{"Service": "events.amazonaws.com"}},
    "Action": ["sqs:SendMessage"], "Resource": requests_arn, "Condition": {{"ArnLike": {{"aws:SourceArn": restock_arn}}}}}}]}}
sqs.set_queue_attributes(QueueUrl=requests_url, Attributes={{"Policy": json.dumps(policy)}})'''},
      f"{LAB}.restock-queue", expect="correct"),
    V("4a", "right: the rule's ARN from describe_rule, the bus by ARN", {0: f'''
events.put_rule(Name=lab.name("restock"), EventBusName=bus_arn, EventPattern=json.dumps(low_stock_pattern))
restock_arn = events.describe_rule(Name=lab.name("restock"), EventBusName=BUS)["Arn"]
policy = {{"Version": "2012-10-17", "Statement": [{STATEMENT}]}}
sqs.set_queue_attributes(QueueUrl=requests_url, Attributes={{"Policy": json.dumps(policy)}})
transformer = {{"InputPathsMap": {PATHS}, "InputTemplate": {TEMPLATE!r}}}
events.put_targets(Rule=lab.name("restock"), EventBusName=bus_arn, Targets=[
    {{"Id": "restock-requests", "Arn": requests_arn, "InputTransformer": transformer}}])'''},
      f"{LAB}.restock-queue", expect="correct"),

    # ------------------------------------------------------------ 4b: the function and state machine targets
    V("4b", "the SNS principal on the function", _targets(permission=PERMISSION.replace("events.amazonaws.com", "sns.amazonaws.com")),
      f"{LAB}.restock-targets", hint=("events.amazonaws.com",)),
    V("4b", "a permission without SourceArn", _targets(permission=PERMISSION.replace(", SourceArn=restock_arn", "")),
      f"{LAB}.restock-targets", hint=("aws:SourceArn",)),
    V("4b", "no permission at all", _targets(permission="pass"), f"{LAB}.restock-targets", hint=("add_permission",)),
    V("4b", "the state machine target without RoleArn", _targets(machine='{"Id": "restock-workflow", "Arn": machine_arn}'),
      f"{LAB}.restock-targets", hint=("RoleArn",), raises=True),
    V("4b", "a role Step Functions assumes", _targets(service="states.amazonaws.com"), f"{LAB}.restock-targets",
      hint=("events.amazonaws.com",)),
    V("4b", "a role that may invoke functions", _targets(statement=ROLE_STATEMENT.replace("states:StartExecution", "lambda:InvokeFunction")),
      f"{LAB}.restock-targets", hint=("states:StartExecution",)),
    V("4b", "a role for another state machine", _targets(statement=ROLE_STATEMENT.replace("machine_arn", 'machine_arn + "-old"')),
      f"{LAB}.restock-targets", hint=("machine_arn",)),
    V("4b", "right: separate calls, a wildcard over the lab's state machines", {0: '''
lam.add_permission(FunctionName=notifier_arn, StatementId=f"rule-{uuid.uuid4().hex[:6]}", Action="lambda:InvokeFunction",
                   Principal="events.amazonaws.com", SourceArn=restock_arn, SourceAccount=lab.account_id)
starter_arn = ensure_role(lab, "restock-starter", "events.amazonaws.com", [{
    "Effect": "Allow", "Action": ["states:StartExecution"], "Resource": [machine_arn.rsplit(":", 1)[0] + ":" + lab.prefix + "*"]}])
events.put_targets(Rule=lab.name("restock"), EventBusName=BUS, Targets=[{"Id": "supplier-notifier", "Arn": notifier_arn}])
events.put_targets(Rule=lab.name("restock"), EventBusName=BUS, Targets=[
    {"Id": "restock-workflow", "Arn": machine_arn, "RoleArn": starter_arn}])'''.replace(
        "lam.add_permission", "import uuid\nlam.add_permission")}, f"{LAB}.restock-targets", expect="correct"),
    V("4b", "right: the targets extended from list_targets_by_rule", {0: f'''
try:
    {PERMISSION}
except lam.exceptions.ResourceConflictException:
    pass
starter_arn = ensure_role(lab, "restock-starter", "events.amazonaws.com", [{ROLE_STATEMENT}])
current = events.list_targets_by_rule(Rule=lab.name("restock"), EventBusName=BUS)["Targets"]
current += [{{"Id": "supplier-notifier", "Arn": notifier_arn}},
            {{"Id": "restock-workflow", "Arn": machine_arn, "RoleArn": starter_arn}}]
events.put_targets(Rule=lab.name("restock"), EventBusName=BUS, Targets=current)'''}, f"{LAB}.restock-targets", expect="correct"),

    # ------------------------------------------------------------ 4c: retries and the DLQ
    V("4c", "no policy on the DLQ", {0: '''
current = events.list_targets_by_rule(Rule=lab.name("restock"), EventBusName=BUS)["Targets"]
for target in current:
    target["RetryPolicy"] = {"MaximumRetryAttempts": 4, "MaximumEventAgeInSeconds": 3600}
    target["DeadLetterConfig"] = {"Arn": dlq_arn}
events.put_targets(Rule=lab.name("restock"), EventBusName=BUS, Targets=current)'''},
      f"{LAB}.restock-dlq", hint=("DLQ is a queue",)),
    V("4c", "a DLQ policy for another rule", _dlq(statement=DLQ_STATEMENT.replace("restock_arn", 'restock_arn + "-old"')),
      f"{LAB}.restock-dlq", hint=("DLQ is a queue",)),
    V("4c", "the DLQ on the queue target only", _dlq(which="current[:1]"), f"{LAB}.restock-dlq", hint=("every target",)),
    V("4c", "the default number of retries", _dlq(retry='{"MaximumRetryAttempts": 185, "MaximumEventAgeInSeconds": 3600}'),
      f"{LAB}.restock-dlq", hint=("MaximumRetryAttempts",)),
    V("4c", "events kept for a day", _dlq(retry='{"MaximumRetryAttempts": 4, "MaximumEventAgeInSeconds": 86400}'),
      f"{LAB}.restock-dlq", hint=("MaximumEventAgeInSeconds",)),
    V("4c", "the targets put again with only the new fields", {0: f'''
sqs.set_queue_attributes(QueueUrl=dlq_url, Attributes={{"Policy": json.dumps(
    {{"Version": "2012-10-17", "Statement": [{DLQ_STATEMENT}]}})}})
events.put_targets(Rule=lab.name("restock"), EventBusName=BUS, Targets=[
    {{"Id": i, "Arn": a, "DeadLetterConfig": {{"Arn": dlq_arn}},
     "RetryPolicy": {{"MaximumRetryAttempts": 4, "MaximumEventAgeInSeconds": 3600}}}}
    for i, a in (("restock-requests", requests_arn), ("supplier-notifier", notifier_arn), ("restock-workflow", machine_arn))])'''},
      f"{LAB}.restock-dlq", hint=("RoleArn",), raises=True),
    V("4c", "right: one put_targets per target, ArnLike on the lab's rules", {0: '''
sqs.set_queue_attributes(QueueUrl=dlq_url, Attributes={"Policy": json.dumps({"Version": "2012-10-17", "Statement": [{
    "Effect": "Allow", "Principal": {"Service": "events.amazonaws.com"}, "Action": "sqs:SendMessage", "Resource": dlq_arn,
    "Condition": {"ArnLike": {"aws:SourceArn": restock_arn}}}]})})
for target in events.list_targets_by_rule(Rule=lab.name("restock"), EventBusName=BUS)["Targets"]:
    events.put_targets(Rule=lab.name("restock"), EventBusName=BUS, Targets=[{
        **target, "DeadLetterConfig": {"Arn": dlq_arn},
        "RetryPolicy": {"MaximumEventAgeInSeconds": 3600, "MaximumRetryAttempts": 4}}])'''},
      f"{LAB}.restock-dlq", expect="correct"),
    V("4c", "right: the policy set after the targets", {0: f'''
current = events.list_targets_by_rule(Rule=lab.name("restock"), EventBusName=BUS)["Targets"]
updated = [dict(t, RetryPolicy={{"MaximumRetryAttempts": 4, "MaximumEventAgeInSeconds": 3600}},
                DeadLetterConfig={{"Arn": dlq_arn}}) for t in current]
events.put_targets(Rule=lab.name("restock"), EventBusName=BUS, Targets=updated)
sqs.set_queue_attributes(QueueUrl=dlq_url, Attributes={{"Policy": json.dumps(
    {{"Version": "2012-10-17", "Statement": [{DLQ_STATEMENT}]}})}})'''}, f"{LAB}.restock-dlq", expect="correct"),

    # ------------------------------------------------------------ 5: the schema and publish_order
    V("5", "currency not required", _schema('"total", "currency"]', '"total"]'), f"{LAB}.schema", hint=("required",)),
    V("5", "created_at required too", _schema('"currency"]', '"currency", "created_at"]'), f"{LAB}.schema",
      hint=("created_at",)),
    V("5", "total typed as a string", _schema('"total": {"type": "number"}', '"total": {"type": "string"}'),
      f"{LAB}.schema", hint=("types",)),
    V("5", "no currency pattern", _schema(', "pattern": "^[A-Z]{3}$"', ""), f"{LAB}.schema", hint=("pattern",)),
    V("5", "camelCase field names", _schema('"order_id"', '"orderId"'), f"{LAB}.schema", hint=("property names",)),
    V("5", "an invalid order sent anyway", _publish(invalid="pass"), f"{LAB}.schema", hint=("return None",)),
    V("5", "no Time: the event's time is when it was put", _publish(time=""), f"{LAB}.schema", hint=("Time",)),
    V("5", "the detail as Python text", _publish(detail="str(order)"), f"{LAB}.schema", hint=("json.dumps(order)",)),
    V("5", "right: an OpenAPI-free Draft 4 with more constraints, validate raising", {0: '''
schema = {"$schema": "http://json-schema.org/draft-04/schema#", "type": "object", "additionalProperties": True,
          "required": ["currency", "total", "items", "customer_id", "order_id"],
          "properties": {"order_id": {"type": "string", "minLength": 1}, "customer_id": {"type": "string"},
                         "items": {"type": "array", "items": {"type": "object"}}, "total": {"type": "number", "minimum": 0},
                         "currency": {"type": "string", "pattern": "^[A-Z]{3}$"}}}
schemas.create_registry(RegistryName=lab.name("securecart"))
schemas.create_schema(RegistryName=lab.name("securecart"), SchemaName="OrderPlaced", Type="JSONSchemaDraft4",
                      Content=json.dumps(schema))''', 1: '''
latest = schemas.describe_schema(RegistryName=lab.name("securecart"), SchemaName="OrderPlaced")
try:
    jsonschema.validate(order, json.loads(latest["Content"]), cls=jsonschema.Draft4Validator)
except jsonschema.ValidationError:
    return None
response = events.put_events(Entries=[{"Source": "securecart.orders", "DetailType": "OrderPlaced", "Detail": json.dumps(order),
                                       "EventBusName": bus, "Time": datetime.strptime(order["created_at"], "%Y-%m-%dT%H:%M:%SZ")}])
return response["Entries"][0]["EventId"]'''}, f"{LAB}.schema", expect="correct"),
    V("5", "right: the lab's validate_event helper", {1: '''
from labs.helpers.schemas import validate_event
if not validate_event(lab, lab.name("securecart"), "OrderPlaced", order).valid:
    return None
entry = {"Source": "securecart.orders", "DetailType": "OrderPlaced", "Detail": json.dumps(order), "EventBusName": bus,
         "Time": datetime.fromisoformat(order["created_at"].replace("Z", "+00:00"))}
return events.put_events(Entries=[entry])["Entries"][0]["EventId"]'''}, f"{LAB}.schema", expect="correct"),

    # ------------------------------------------------------------ 6a: the archive
    V("6a", "no pattern: every event archived", _archive(", RetentionDays=30"), f"{LAB}.replay", hint=("EventPattern",)),
    V("6a", "kept for ever", _archive(', EventPattern=json.dumps({"source": ["securecart.orders"]})'), f"{LAB}.replay",
      hint=("RetentionDays",)),
    V("6a", "kept a week", _archive(', RetentionDays=7, EventPattern=json.dumps({"source": ["securecart.orders"]})'),
      f"{LAB}.replay", hint=("RetentionDays",)),
    V("6a", "every securecart source archived", _archive(
        ', RetentionDays=30, EventPattern=json.dumps({"source": [{"prefix": "securecart."}]})'), f"{LAB}.replay",
      hint=("securecart.orders",)),
    V("6a", "a typo in the source", _archive(', RetentionDays=30, EventPattern=json.dumps({"source": ["securecart.order"]})'),
      f"{LAB}.replay", hint=("securecart.orders",)),
    V("6a", "the pattern as a dict", _archive(', RetentionDays=30, EventPattern={"source": ["securecart.orders"]}'),
      f"{LAB}.replay", hint=("type",), raises=True),
    V("6a", "right: by detail-type too", _archive(
        ', RetentionDays=30, EventPattern=json.dumps({"source": ["securecart.orders"], "detail-type": ["OrderPlaced"]})'),
      f"{LAB}.replay", expect="correct"),
    V("6a", "right: the bus's ARN looked up, a description", {0: '''
source = events.describe_event_bus(Name=BUS)["Arn"]
events.create_archive(ArchiveName=lab.name("orders"), EventSourceArn=source, Description="order events for replay",
                      EventPattern=json.dumps({"source": [{"prefix": "securecart.orders"}]}), RetentionDays=30)'''},
      f"{LAB}.replay", expect="correct"),

    # ------------------------------------------------------------ 6b: the replay
    V("6b", "replayed to every rule", _replay(destination='{"Arn": bus_arn}'), f"{LAB}.replay", hint=("FilterArns",)),
    V("6b", "replayed to both order rules", _replay(destination='{"Arn": bus_arn, "FilterArns": [ledger_rule, analytics_rule]}'),
      f"{LAB}.replay", hint=("FilterArns",)),
    V("6b", "the whole morning replayed", _replay(start='"2026-11-02T09:00:00Z"', end='"2026-11-02T10:00:00Z"'),
      f"{LAB}.replay", hint=("BUG_FROM",)),
    V("6b", "the window after the bug", _replay(start="BUG_TO", end='"2026-11-02T10:00:00Z"'), f"{LAB}.replay",
      hint=("BUG_FROM",)),
    V("6b", "the rule's name in FilterArns", _replay(destination='{"Arn": bus_arn, "FilterArns": [lab.name("order-ledger")]}'),
      f"{LAB}.replay", hint=("FilterArns",), raises=True),
    V("6b", "the analytics rule instead of the ledger's", _replay(destination='{"Arn": bus_arn, "FilterArns": [analytics_rule]}'),
      f"{LAB}.replay", hint=("FilterArns",)),
    V("6b", "right: times from strptime, the rule looked up", {0: '''
from datetime import timezone
ledger = events.describe_rule(Name=lab.name("order-ledger"), EventBusName=BUS)["Arn"]
window = [datetime.strptime(t, "%Y-%m-%dT%H:%M:%SZ").replace(tzinfo=timezone.utc) for t in (BUG_FROM, BUG_TO)]
events.start_replay(ReplayName=lab.name("ledger-fix"), EventSourceArn=archive_arn, EventStartTime=window[0],
                    EventEndTime=window[1], Destination={"Arn": bus_arn, "FilterArns": [ledger]})
for _ in range(120):
    if events.describe_replay(ReplayName=lab.name("ledger-fix"))["State"] == "COMPLETED":
        break
    time.sleep(5)'''.replace("ledger = events", "ledger_arn = events").replace('"FilterArns": [ledger]', '"FilterArns": [ledger_arn]')},
      f"{LAB}.replay", expect="correct"),
    V("6b", "right: ISO strings, the archive's ARN looked up", {0: '''
source = events.describe_archive(ArchiveName=lab.name("orders"))["ArchiveArn"]
events.start_replay(ReplayName=lab.name("ledger-fix"), EventSourceArn=source, EventStartTime=BUG_FROM,
                    EventEndTime=BUG_TO, Destination={"Arn": bus_arn, "FilterArns": [ledger_rule]})
state = "STARTING"
while state not in ("COMPLETED", "FAILED", "CANCELLED"):
    state = events.describe_replay(ReplayName=lab.name("ledger-fix"))["State"]
    if state not in ("COMPLETED", "FAILED", "CANCELLED"):
        time.sleep(5)'''}, f"{LAB}.replay", expect="correct"),

    # ------------------------------------------------------------ 7: the audit bus and forwarding
    V("7", "every account may put events", _audit(permission=(
        'security.put_permission(EventBusName=AUDIT, StatementId="any", Action="events:PutEvents", Principal="*")')),
      f"{LAB}.audit", hint=("aws:PrincipalAccount",)),
    V("7", "the wrong account", _audit(permission=(
        'security.put_permission(EventBusName=AUDIT, StatementId="partner", Action="events:PutEvents", Principal="111122223333")')),
      f"{LAB}.audit", hint=("lab.account_id",)),
    V("7", "no bus policy", _audit(permission="pass"), f"{LAB}.audit", hint=("put_permission",)),
    V("7", "an organization's accounts, with no organization", _audit(permission=OPEN_POLICY), f"{LAB}.audit",
      hint=("aws:PrincipalAccount",)),
    V("7", "forwarding without RoleArn", _audit(target='{"Id": "audit", "Arn": audit_arn}'), f"{LAB}.audit",
      hint=("RoleArn",)),
    V("7", "only order events forwarded", _audit(pattern='{"source": ["securecart.orders"]}'), f"{LAB}.audit",
      hint=("prefix",)),
    V("7", "the forwarding rule on the default bus", _audit(bus=""), f"{LAB}.audit", hint=("EventBusName",)),
    V("7", "right: a policy document for the account's root", _audit(permission='''security.put_permission(EventBusName=AUDIT, Policy=json.dumps({"Version": "2012-10-17", "Statement": [{
    "Sid": "securecart", "Effect": "Allow", "Principal": {"AWS": f"arn:aws:iam::{lab.account_id}:root"},
    "Action": "events:PutEvents", "Resource": audit_arn}]}))'''), f"{LAB}.audit", expect="correct"),
    V("7", "right: any principal, conditioned on SecureCart's account", _audit(permission='''security.put_permission(EventBusName=AUDIT, Policy=json.dumps({"Version": "2012-10-17", "Statement": [{
    "Sid": "securecart", "Effect": "Allow", "Principal": "*", "Action": "events:PutEvents", "Resource": audit_arn,
    "Condition": {"StringEquals": {"aws:PrincipalAccount": lab.account_id}}}]}))''',
      pattern='{"source": [{"prefix": "securecart"}]}'), f"{LAB}.audit", expect="correct"),
]
