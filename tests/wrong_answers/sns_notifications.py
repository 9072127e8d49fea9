"""Lab 2's wrong-answer suite: what learners plausibly type into each exercise, and what the check must say.

The mistakes are the issue's list ("Checks and wrong answers to catch") and the errors AWS documents
for each call; ``hint`` holds words only a hint about *that* mistake contains. Run:
``python -m labs wrong-answers sns-notifications`` (prints the figures) or ``pytest tests/wrong_answers``.
"""

from labs.course.wrong_answers import Variant

V = Variant
LAB = "sns-notifications"

POLICY = ('{"http": {"defaultHealthyRetryPolicy": {"numRetries": 10, "minDelayTarget": 5, "maxDelayTarget": 300, '
          '"backoffFunction": "exponential"}, "throttlePolicy": {"maxReceivesPerSecond": 10}}}')


def _topic(attributes: str) -> dict[int, str]:
    return {0: f'topic_arn = sns.create_topic(Name=lab.name("order-events"), Attributes={{{attributes}}})["TopicArn"]'}


GOOD_TOPIC = f'"DisplayName": "SecureCart", "KmsMasterKeyId": "alias/aws/sns", "DeliveryPolicy": \'{POLICY}\''

ATTRS_OK = '''
return {"event_type": {"DataType": "String", "StringValue": event["event_type"]},
        "amount": {"DataType": "Number", "StringValue": str(event["amount"])},
        "region": {"DataType": "String", "StringValue": event["region"]}}'''


def _allow(statement: str) -> dict[int, str]:
    return {0: f'''
queue_arn = sqs.get_queue_attributes(QueueUrl=queue_url, AttributeNames=["QueueArn"])["Attributes"]["QueueArn"]
policy = {{"Version": "2012-10-17", "Statement": [{statement}]}}
sqs.set_queue_attributes(QueueUrl=queue_url, Attributes={{"Policy": json.dumps(policy)}})'''}


GOOD_STATEMENT = ('{"Effect": "Allow", "Principal": {"Service": "sns.amazonaws.com"}, "Action": "sqs:SendMessage", '
                  '"Resource": queue_arn, "Condition": {"ArnEquals": {"aws:SourceArn": topic_arn}}}')


def _fan_out(analytics: str, support: str) -> dict[int, str]:
    return {0: f'''
sns.subscribe(TopicArn=topic_arn, Protocol="sqs", Endpoint=analytics_arn{analytics})
sns.subscribe(TopicArn=topic_arn, Protocol="sqs", Endpoint=support_arn{support})'''}


def _filters(security: str, fraud: str, fraud_scope: str = ', "FilterPolicyScope": "MessageBody"',
             security_scope: str = "") -> dict[int, str]:
    return {0: f'''
sns.subscribe(TopicArn=topic_arn, Protocol="sqs", Endpoint=security_arn,
              Attributes={{"RawMessageDelivery": "true", "FilterPolicy": json.dumps({security}){security_scope}}})
sns.subscribe(TopicArn=topic_arn, Protocol="sqs", Endpoint=fraud_arn,
              Attributes={{"RawMessageDelivery": "true", "FilterPolicy": json.dumps({fraud}){fraud_scope}}})'''}


SECURITY = '{"event_type": ["payment_failed"]}'
FRAUD = '{"event_type": ["payment_failed"], "amount": [{"numeric": [">", 1000]}]}'


def _dlq(redrive: str, allow: str = "allow_topic(dlq_url, topic_arn)") -> dict[int, str]:
    return {0: f'''
dlq_url = sqs.create_queue(QueueName=lab.name("notifications-dlq"))["QueueUrl"]
dlq_arn = sqs.get_queue_attributes(QueueUrl=dlq_url, AttributeNames=["QueueArn"])["Attributes"]["QueueArn"]
{redrive}
{allow}'''}


REDRIVE = ('sns.set_subscription_attributes(SubscriptionArn=crm_subscription, AttributeName="RedrivePolicy", '
           'AttributeValue=json.dumps({"deadLetterTargetArn": dlq_arn}))')

FIFO_TOPIC = '''
status_topic_arn = sns.create_topic(Name=lab.name("order-status.fifo"), Attributes={"FifoTopic": "true"})["TopicArn"]
sns.subscribe(TopicArn=status_topic_arn, Protocol="sqs", Endpoint=timeline_arn, Attributes={"RawMessageDelivery": "true"})'''


def _status(call: str) -> dict[int, str]:
    return {0: f"return sns.publish(TopicArn=topic_arn, Message=json.dumps(event){call})['MessageId']"}


PERMISSION = ('lam.add_permission(FunctionName=notifier, StatementId="sns-order-events", Action="lambda:InvokeFunction", '
              'Principal="sns.amazonaws.com", SourceArn=topic_arn)')
SUBSCRIBE_FN = 'sns.subscribe(TopicArn=topic_arn, Protocol="lambda", Endpoint=notifier_arn)'

VARIANTS = [
    # ------------------------------------------------------------ 2a: the topic
    V("2a", "a FIFO topic where a standard one is asked for", {0: '''
topic_arn = sns.create_topic(Name=lab.name("order-events.fifo"), Attributes={"FifoTopic": "true"})["TopicArn"]'''},
      f"{LAB}.topic", hint=("standard",)),
    V("2a", "no attributes at all", {0: 'topic_arn = sns.create_topic(Name=lab.name("order-events"))["TopicArn"]'},
      f"{LAB}.topic", hint=("DisplayName",)),
    V("2a", "no server-side encryption", _topic(GOOD_TOPIC.replace('"KmsMasterKeyId": "alias/aws/sns", ', "")),
      f"{LAB}.topic", hint=("KmsMasterKeyId",)),
    V("2a", "the delivery policy as a dict, not a JSON string", _topic(GOOD_TOPIC.replace(f"'{POLICY}'", POLICY)),
      f"{LAB}.topic", hint=("json.dumps",), raises=True),
    V("2a", "the retry policy without its 'http' section", _topic(GOOD_TOPIC.replace(
        f"'{POLICY}'", "'" + POLICY[len('{"http": '):-1] + "'")), f"{LAB}.topic", hint=("http",)),
    V("2a", "linear backoff where exponential is asked for", _topic(GOOD_TOPIC.replace("exponential", "linear")),
      f"{LAB}.topic", hint=("exponential",)),
    V("2a", "no throttle policy", _topic(GOOD_TOPIC.replace(', "throttlePolicy": {"maxReceivesPerSecond": 10}', "")),
      f"{LAB}.topic", hint=("throttlePolicy",)),
    V("2a", "re-run create_topic with other attributes", {0: f'''
sns.create_topic(Name=lab.name("order-events"), Attributes={{"DisplayName": "Shop"}})
topic_arn = sns.create_topic(Name=lab.name("order-events"), Attributes={{{GOOD_TOPIC}}})["TopicArn"]'''},
      f"{LAB}.topic", hint=("set_topic_attributes",), raises=True),
    V("2a", "right: create, then set_topic_attributes one by one", {0: f'''
topic_arn = sns.create_topic(Name=lab.name("order-events"))["TopicArn"]
for name, value in {{{GOOD_TOPIC}}}.items():
    sns.set_topic_attributes(TopicArn=topic_arn, AttributeName=name, AttributeValue=value)'''},
      f"{LAB}.topic", expect="correct"),
    V("2a", "right: the policy built with dict() from its parts", {0: '''
retry = dict(numRetries=10, minDelayTarget=5, maxDelayTarget=300, backoffFunction="exponential")
policy = json.dumps(dict(http=dict(defaultHealthyRetryPolicy=retry, throttlePolicy=dict(maxReceivesPerSecond=10))))
topic_arn = sns.create_topic(Name=lab.name("order-events"), Attributes={
    "DisplayName": "SecureCart", "KmsMasterKeyId": "alias/aws/sns", "DeliveryPolicy": policy})["TopicArn"]'''},
      f"{LAB}.topic", expect="correct"),

    # ------------------------------------------------------------ 2b: the publisher
    V("2b", "amount typed String", {0: ATTRS_OK.replace('"DataType": "Number"', '"DataType": "String"')},
      f"{LAB}.publish", hint=("Number",)),
    V("2b", "amount's StringValue left a float", {0: ATTRS_OK.replace('str(event["amount"])', 'event["amount"]')},
      f"{LAB}.publish", hint=("str()",)),
    V("2b", "'Value' instead of 'StringValue'", {0: ATTRS_OK.replace("StringValue", "Value")},
      f"{LAB}.publish", hint=("StringValue",)),
    V("2b", "publish_event returns the whole response", {1: '''
return sns.publish(TopicArn=topic_arn, Message=json.dumps(event), MessageAttributes=event_attributes(event))'''},
      f"{LAB}.publish", hint=("MessageId",)),
    V("2b", "publish_event without message attributes", {1: '''
return sns.publish(TopicArn=topic_arn, Message=json.dumps(event))["MessageId"]'''},
      f"{LAB}.publish", hint=("MessageAttributes",)),
    V("2b", "the event as Python text, not JSON", {1: '''
return sns.publish(TopicArn=topic_arn, Message=str(event), MessageAttributes=event_attributes(event))["MessageId"]'''},
      f"{LAB}.publish", hint=("json.dumps",)),
    V("2b", "failed batch entries are ignored", {2: '''
published = 0
for start in range(0, len(events), 10):
    entries = [{"Id": str(i), "Message": json.dumps(e), "MessageAttributes": event_attributes(e)}
               for i, e in enumerate(events[start:start + 10])]
    published += len(sns.publish_batch(TopicArn=topic_arn, PublishBatchRequestEntries=entries)["Successful"])
return published'''}, f"{LAB}.publish", hint=("Failed",)),
    V("2b", "the whole batch is published again when entries failed", {2: '''
published = 0
for start in range(0, len(events), 10):
    entries = [{"Id": str(i), "Message": json.dumps(e), "MessageAttributes": event_attributes(e)}
               for i, e in enumerate(events[start:start + 10])]
    for _attempt in range(5):
        response = sns.publish_batch(TopicArn=topic_arn, PublishBatchRequestEntries=entries)
        published += len(response["Successful"])
        if not response.get("Failed"):
            break
return published'''}, f"{LAB}.publish", hint=("only the entries",)),
    V("2b", "one publish per event, no batches", {2: '''
for event in events:
    publish_event(topic_arn, event)
return len(events)'''}, f"{LAB}.publish", hint=("publish_batch",)),
    V("2b", "batch entries without their attributes", {2: '''
published = 0
for start in range(0, len(events), 10):
    entries = [{"Id": str(i), "Message": json.dumps(e)} for i, e in enumerate(events[start:start + 10])]
    for _attempt in range(5):
        response = sns.publish_batch(TopicArn=topic_arn, PublishBatchRequestEntries=entries)
        published += len(response["Successful"])
        failed = {f["Id"] for f in response.get("Failed", [])}
        entries = [e for e in entries if e["Id"] in failed]
        if not entries:
            break
return published'''}, f"{LAB}.publish", hint=("MessageAttributes",)),
    V("2b", "right: attributes from a table of types, a while loop of retries", {0: '''
types = {"event_type": "String", "amount": "Number", "region": "String"}
return {name: {"DataType": kind, "StringValue": f"{event[name]}"} for name, kind in types.items()}''', 2: '''
published, pending = 0, [{"Id": f"e{i}", "Message": json.dumps(e), "MessageAttributes": event_attributes(e)}
                         for i, e in enumerate(events)]
while pending:
    batch, pending = pending[:10], pending[10:]
    for _attempt in range(5):
        response = sns.publish_batch(TopicArn=topic_arn, PublishBatchRequestEntries=batch)
        published += len(response.get("Successful", []))
        retry = {f["Id"] for f in response.get("Failed", [])}
        batch = [e for e in batch if e["Id"] in retry]
        if not batch:
            break
return published'''}, f"{LAB}.publish", expect="correct"),
    V("2b", "right: publish_event returns the id read with .get", {1: '''
response = sns.publish(TopicArn=topic_arn, Message=json.dumps(event, sort_keys=True), Subject="order event",
                       MessageAttributes=event_attributes(event))
return response.get("MessageId")'''}, f"{LAB}.publish", expect="correct"),

    # ------------------------------------------------------------ 3a: the queue policy
    V("3a", "no condition: any topic may send", _allow(GOOD_STATEMENT.replace(
        ', "Condition": {"ArnEquals": {"aws:SourceArn": topic_arn}}', "")), f"{LAB}.queue-policy", hint=("aws:SourceArn",)),
    V("3a", "the account as principal instead of the SNS service", _allow(GOOD_STATEMENT.replace(
        '{"Service": "sns.amazonaws.com"}', '{"AWS": lab.account_id}')), f"{LAB}.queue-policy", hint=("sns.amazonaws.com",)),
    V("3a", "ReceiveMessage instead of SendMessage", _allow(GOOD_STATEMENT.replace("sqs:SendMessage", "sqs:ReceiveMessage")),
      f"{LAB}.queue-policy", hint=("sqs:SendMessage",)),
    V("3a", "the queue URL as Resource", _allow(GOOD_STATEMENT.replace('"Resource": queue_arn', '"Resource": queue_url')),
      f"{LAB}.queue-policy", hint=("QueueArn",)),
    V("3a", "the topic's name in the condition, not its ARN", _allow(GOOD_STATEMENT.replace(
        '"aws:SourceArn": topic_arn', '"aws:SourceArn": topic_arn.rsplit(":", 1)[-1]')), f"{LAB}.queue-policy",
      hint=("topic_arn",)),
    V("3a", "the account as source: every topic of the account may send", _allow(GOOD_STATEMENT.replace(
        '{"ArnEquals": {"aws:SourceArn": topic_arn}}', '{"StringEquals": {"aws:SourceAccount": lab.account_id}}')),
      f"{LAB}.queue-policy", hint=("aws:SourceArn",)),
    V("3a", "the policy set on the topic instead of the queue", {0: f'''
queue_arn = sqs.get_queue_attributes(QueueUrl=queue_url, AttributeNames=["QueueArn"])["Attributes"]["QueueArn"]
sns.set_topic_attributes(TopicArn=topic_arn, AttributeName="Policy", AttributeValue=json.dumps(
    {{"Version": "2012-10-17", "Statement": [{GOOD_STATEMENT}]}}))'''}, f"{LAB}.queue-policy", hint=("queue attribute",)),
    V("3a", "right: ArnLike and an action list", _allow(GOOD_STATEMENT.replace('"ArnEquals"', '"ArnLike"').replace(
        '"Action": "sqs:SendMessage"', '"Action": ["sqs:SendMessage"]')), f"{LAB}.queue-policy", expect="correct"),
    V("3a", "right: a Sid, the ARN read with All attributes", {0: '''
arn = sqs.get_queue_attributes(QueueUrl=queue_url, AttributeNames=["All"])["Attributes"]["QueueArn"]
statement = {"Sid": "from-" + topic_arn.rsplit(":", 1)[-1], "Effect": "Allow",
             "Principal": {"Service": ["sns.amazonaws.com"]}, "Action": "SQS:SendMessage", "Resource": arn,
             "Condition": {"ArnEquals": {"aws:SourceArn": [topic_arn]}}}
sqs.set_queue_attributes(QueueUrl=queue_url, Attributes={"Policy": json.dumps({"Statement": [statement]})})'''},
      f"{LAB}.queue-policy", expect="correct"),

    # ------------------------------------------------------------ 3b: fan-out
    V("3b", "the queue's URL as endpoint", {0: '''
sns.subscribe(TopicArn=topic_arn, Protocol="sqs", Endpoint=analytics_url, Attributes={"RawMessageDelivery": "true"})
sns.subscribe(TopicArn=topic_arn, Protocol="sqs", Endpoint=support_url)'''}, f"{LAB}.fan-out", hint=("QueueArn",),
      raises=True),
    V("3b", "both raw", _fan_out(', Attributes={"RawMessageDelivery": "true"}', ', Attributes={"RawMessageDelivery": "true"}'),
      f"{LAB}.fan-out", hint=("support", "RawMessageDelivery")),
    V("3b", "both with the envelope", _fan_out("", ""), f"{LAB}.fan-out", hint=("analytics", "RawMessageDelivery")),
    V("3b", "raw and envelope the wrong way round", _fan_out("", ', Attributes={"RawMessageDelivery": "true"}'),
      f"{LAB}.fan-out", hint=("analytics",)),
    V("3b", "support not subscribed", {0: '''
sns.subscribe(TopicArn=topic_arn, Protocol="sqs", Endpoint=analytics_arn, Attributes={"RawMessageDelivery": "true"})'''},
      f"{LAB}.fan-out", hint=("support",)),
    V("3b", "RawMessageDelivery as a Python bool", _fan_out(', Attributes={"RawMessageDelivery": True}', ""),
      f"{LAB}.fan-out", hint=("string",), raises=True),
    V("3b", "right: subscribe, then set_subscription_attributes", {0: '''
for arn in (analytics_arn, support_arn):
    sub = sns.subscribe(TopicArn=topic_arn, Protocol="sqs", Endpoint=arn, ReturnSubscriptionArn=True)["SubscriptionArn"]
    if arn == analytics_arn:
        sns.set_subscription_attributes(SubscriptionArn=sub, AttributeName="RawMessageDelivery", AttributeValue="true")'''},
      f"{LAB}.fan-out", expect="correct"),
    V("3b", "right: raw 'false' said explicitly for support", _fan_out(
        ', Attributes={"RawMessageDelivery": "true"}, ReturnSubscriptionArn=True',
        ', Attributes={"RawMessageDelivery": "false"}, ReturnSubscriptionArn=True'), f"{LAB}.fan-out", expect="correct"),

    # ------------------------------------------------------------ 4a: e-mail
    V("4a", "subscribed, never confirmed", {0: 'sns.subscribe(TopicArn=topic_arn, Protocol="email", Endpoint=INVOICES)'},
      f"{LAB}.email", hint=("confirm_subscription",)),
    V("4a", "email-json for a mailbox", {0: '''
sns.subscribe(TopicArn=topic_arn, Protocol="email-json", Endpoint=INVOICES)
sns.confirm_subscription(TopicArn=topic_arn, Token=outbox.confirmation_token(lab, INVOICES))'''},
      f"{LAB}.email", hint=("'email'",)),
    V("4a", "the subscription ARN passed as the token", {0: '''
pending = sns.subscribe(TopicArn=topic_arn, Protocol="email", Endpoint=INVOICES)["SubscriptionArn"]
sns.confirm_subscription(TopicArn=topic_arn, Token=pending)'''}, f"{LAB}.email", hint=("confirm",), raises=True),
    V("4a", "the address as the token", {0: '''
sns.subscribe(TopicArn=topic_arn, Protocol="email", Endpoint=INVOICES)
sns.confirm_subscription(TopicArn=topic_arn, Token=INVOICES)'''}, f"{LAB}.email", hint=("confirm",), raises=True),
    V("4a", "a typo in the address", {0: '''
sns.subscribe(TopicArn=topic_arn, Protocol="email", Endpoint="invoice@securecart.example")
sns.confirm_subscription(TopicArn=topic_arn, Token=outbox.confirmation_token(lab, "invoice@securecart.example"))'''},
      f"{LAB}.email", hint=("INVOICES",)),
    V("4a", "only paid events for invoices", {0: '''
sns.subscribe(TopicArn=topic_arn, Protocol="email", Endpoint=INVOICES,
              Attributes={"FilterPolicy": json.dumps({"event_type": ["paid"]})})
sns.confirm_subscription(TopicArn=topic_arn, Token=outbox.confirmation_token(lab, INVOICES))'''},
      f"{LAB}.email", hint=("FilterPolicy",)),
    V("4a", "right: confirmed with AuthenticateOnUnsubscribe", {0: '''
sns.subscribe(TopicArn=topic_arn, Protocol="email", Endpoint=INVOICES)
sns.confirm_subscription(TopicArn=topic_arn, Token=outbox.confirmation_token(lab, INVOICES),
                         AuthenticateOnUnsubscribe="true")'''}, f"{LAB}.email", expect="correct"),
    V("4a", "right: the token read from the outbox by hand", {0: '''
sns.subscribe(TopicArn=topic_arn, Protocol="email", Endpoint=INVOICES, ReturnSubscriptionArn=True)
mail = [m for m in outbox.messages(lab, "email", endpoint=INVOICES) if m.get("type") == "SubscriptionConfirmation"][-1]
sns.confirm_subscription(TopicArn=topic_arn, Token=mail["token"])'''}, f"{LAB}.email", expect="correct"),

    # ------------------------------------------------------------ 4b: Lambda
    V("4b", "subscribed without a permission", {0: SUBSCRIBE_FN}, f"{LAB}.lambda", hint=("add_permission",)),
    V("4b", "a permission without SourceArn", {0: PERMISSION.replace(", SourceArn=topic_arn", "") + "\n" + SUBSCRIBE_FN},
      f"{LAB}.lambda", hint=("SourceArn",)),
    V("4b", "lambda.amazonaws.com as the principal", {0: PERMISSION.replace('"sns.amazonaws.com"', '"lambda.amazonaws.com"')
                                                      + "\n" + SUBSCRIBE_FN}, f"{LAB}.lambda", hint=("sns.amazonaws.com",)),
    V("4b", "the permission scoped to another topic", {0: PERMISSION.replace(
        "SourceArn=topic_arn", 'SourceArn=topic_arn.replace("order-events", "order-status.fifo")') + "\n" + SUBSCRIBE_FN},
      f"{LAB}.lambda", hint=("remove_permission",)),
    V("4b", "a permission but no subscription", {0: PERMISSION}, f"{LAB}.lambda", hint=("Protocol 'lambda'",)),
    V("4b", "the whole cell re-run: the same StatementId twice", {0: PERMISSION + "\n" + PERMISSION + "\n" + SUBSCRIBE_FN},
      f"{LAB}.lambda", hint=("ResourceConflictException",), raises=True),
    V("4b", "right: SourceArn and SourceAccount, looked up first", {0: '''
try:
    statements = json.loads(lam.get_policy(FunctionName=notifier)["Policy"])["Statement"]
except lam.exceptions.ResourceNotFoundException:
    statements = []
if not any(s["Sid"] == "from-order-events" for s in statements):
    lam.add_permission(FunctionName=notifier_arn, StatementId="from-order-events", Action="lambda:InvokeFunction",
                       Principal="sns.amazonaws.com", SourceArn=topic_arn, SourceAccount=lab.account_id)
sns.subscribe(TopicArn=topic_arn, Protocol="lambda", Endpoint=notifier_arn, ReturnSubscriptionArn=True)'''},
      f"{LAB}.lambda", expect="correct"),
    V("4b", "right: remove_permission first, then add", {0: '''
try:
    lam.remove_permission(FunctionName=notifier, StatementId="sns")
except lam.exceptions.ResourceNotFoundException:
    pass
lam.add_permission(FunctionName=notifier, StatementId="sns", Action="lambda:InvokeFunction",
                   Principal="sns.amazonaws.com", SourceArn=topic_arn)
sns.subscribe(TopicArn=topic_arn, Protocol="lambda", Endpoint=notifier_arn)'''}, f"{LAB}.lambda", expect="correct"),

    # ------------------------------------------------------------ 5: filters
    V("5", "security-alerts without a filter", {0: f'''
sns.subscribe(TopicArn=topic_arn, Protocol="sqs", Endpoint=security_arn, Attributes={{"RawMessageDelivery": "true"}})
sns.subscribe(TopicArn=topic_arn, Protocol="sqs", Endpoint=fraud_arn,
              Attributes={{"RawMessageDelivery": "true", "FilterPolicy": json.dumps({FRAUD}), "FilterPolicyScope": "MessageBody"}})'''},
      f"{LAB}.filters", hint=("FilterPolicy",)),
    V("5", "the fraud filter on the attributes, not the body", _filters(SECURITY, FRAUD, fraud_scope=""),
      f"{LAB}.filters", hint=("MessageBody",)),
    V("5", "the security filter on the body", _filters(SECURITY, FRAUD, security_scope=', "FilterPolicyScope": "MessageBody"'),
      f"{LAB}.filters", hint=("message attributes",)),
    V("5", "1000 compared as a string", _filters(SECURITY, '{"event_type": ["payment_failed"], "amount": ["1000"]}'),
      f"{LAB}.filters", hint=("numeric",)),
    V("5", "OR where AND is meant: amount alone", _filters(SECURITY, '{"amount": [{"numeric": [">", 1000]}]}'),
      f"{LAB}.filters", hint=("both conditions",)),
    V("5", ">= 1000 instead of over 1000", _filters(SECURITY, FRAUD.replace('">"', '">="')),
      f"{LAB}.filters", hint=("exactly 1000",)),
    V("5", "PAYMENT_FAILED in capitals", _filters('{"event_type": ["PAYMENT_FAILED"]}', FRAUD),
      f"{LAB}.filters", hint=("case-sensitive",)),
    V("5", "anything-but paid for security", _filters('{"event_type": [{"anything-but": ["paid"]}]}', FRAUD),
      f"{LAB}.filters", hint=("only payment_failed",)),
    V("5", "the fraud filter without the amount", _filters(SECURITY, SECURITY), f"{LAB}.filters", hint=("amount condition",)),
    V("5", "right: a numeric range, attributes set after subscribing", {0: '''
subs = {}
for arn in (security_arn, fraud_arn):
    subs[arn] = sns.subscribe(TopicArn=topic_arn, Protocol="sqs", Endpoint=arn, Attributes={"RawMessageDelivery": "true"},
                              ReturnSubscriptionArn=True)["SubscriptionArn"]
sns.set_subscription_attributes(SubscriptionArn=subs[security_arn], AttributeName="FilterPolicy",
                                AttributeValue=json.dumps({"event_type": ["payment_failed"]}))
sns.set_subscription_attributes(SubscriptionArn=subs[fraud_arn], AttributeName="FilterPolicyScope", AttributeValue="MessageBody")
sns.set_subscription_attributes(SubscriptionArn=subs[fraud_arn], AttributeName="FilterPolicy", AttributeValue=json.dumps(
    {"amount": [{"numeric": [">", 1000, "<=", 1000000000]}], "event_type": ["payment_failed"]}))'''},
      f"{LAB}.filters", expect="correct"),
    V("5", "right: explicit MessageAttributes scope, the policies as text", _filters(
        "json.loads('{\"event_type\": [\"payment_failed\"]}')", FRAUD,
        security_scope=', "FilterPolicyScope": "MessageAttributes"'), f"{LAB}.filters", expect="correct"),

    # ------------------------------------------------------------ 6: subscription DLQ
    V("6", "a DLQ but no redrive policy", _dlq(""), f"{LAB}.subscription-dlq", hint=("RedrivePolicy",)),
    V("6", "the DLQ without a queue policy", _dlq(REDRIVE, allow=""), f"{LAB}.subscription-dlq", hint=("allow_topic",)),
    V("6", "the DLQ's URL as deadLetterTargetArn", _dlq(REDRIVE.replace('"deadLetterTargetArn": dlq_arn',
                                                                       '"deadLetterTargetArn": dlq_url')),
      f"{LAB}.subscription-dlq", hint=("ARN",), raises=True),
    V("6", "the redrive policy on the support subscription", _dlq(REDRIVE.replace(
        "SubscriptionArn=crm_subscription", 'SubscriptionArn=support_subscription["SubscriptionArn"]')),
      f"{LAB}.subscription-dlq", hint=("crm_subscription",)),
    V("6", "another team's queue as the DLQ", _dlq(REDRIVE.replace('"deadLetterTargetArn": dlq_arn',
                                                                  '"deadLetterTargetArn": support_arn')),
      f"{LAB}.subscription-dlq", hint=("QueueArn",)),
    V("6", "the redrive policy as a dict", _dlq(REDRIVE.replace('json.dumps({"deadLetterTargetArn": dlq_arn})',
                                                               '{"deadLetterTargetArn": dlq_arn}')),
      f"{LAB}.subscription-dlq", hint=("json.dumps",), raises=True),
    V("6", "right: the DLQ keeps messages 14 days, its policy written inline", {0: '''
dlq_url = sqs.create_queue(QueueName=lab.name("notifications-dlq"), Attributes={"MessageRetentionPeriod": "1209600"})["QueueUrl"]
dlq_arn = sqs.get_queue_attributes(QueueUrl=dlq_url, AttributeNames=["All"])["Attributes"]["QueueArn"]
sqs.set_queue_attributes(QueueUrl=dlq_url, Attributes={"Policy": json.dumps({"Statement": [{
    "Effect": "Allow", "Principal": {"Service": "sns.amazonaws.com"}, "Action": "sqs:SendMessage", "Resource": dlq_arn,
    "Condition": {"ArnEquals": {"aws:SourceArn": topic_arn}}}]})})
sns.set_subscription_attributes(SubscriptionArn=crm_subscription, AttributeName="RedrivePolicy",
                                AttributeValue=json.dumps({"deadLetterTargetArn": dlq_arn}))'''},
      f"{LAB}.subscription-dlq", expect="correct"),
    V("6", "right: the policy allowed before the redrive is set", _dlq("", allow="allow_topic(dlq_url, topic_arn)\n" + REDRIVE),
      f"{LAB}.subscription-dlq", expect="correct"),

    # ------------------------------------------------------------ 7: FIFO
    V("7", "a standard topic", {1: FIFO_TOPIC.replace('lab.name("order-status.fifo"), Attributes={"FifoTopic": "true"}',
                                                      'lab.name("order-status")')}, f"{LAB}.fifo", hint=("FifoTopic",),
      raises=True),
    V("7", "one message group for every order", _status(', MessageGroupId="orders", MessageDeduplicationId=event["event_id"]'),
      f"{LAB}.fifo", hint=("order id",)),
    V("7", "the event id as message group", _status(', MessageGroupId=event["event_id"], MessageDeduplicationId=event["event_id"]'),
      f"{LAB}.fifo", hint=("order_id",)),
    V("7", "a random deduplication id", {0: '''
import uuid
return sns.publish(TopicArn=topic_arn, Message=json.dumps(event), MessageGroupId=event["order_id"],
                   MessageDeduplicationId=str(uuid.uuid4()))["MessageId"]'''}, f"{LAB}.fifo", hint=("event_id",)),
    V("7", "no deduplication id on a topic without content-based deduplication", _status(', MessageGroupId=event["order_id"]'),
      f"{LAB}.fifo", hint=("MessageDeduplicationId",)),
    V("7", "no message group", _status(', MessageDeduplicationId=event["event_id"]'), f"{LAB}.fifo", hint=("MessageGroupId",)),
    V("7", "deduplicated by order: later events of an order are dropped",
      _status(', MessageGroupId=event["order_id"], MessageDeduplicationId=event["order_id"]'), f"{LAB}.fifo",
      hint=("unique per event",)),
    V("7", "the timeline gets the envelope", {1: FIFO_TOPIC.replace(', Attributes={"RawMessageDelivery": "true"}', "")},
      f"{LAB}.fifo", hint=("RawMessageDelivery",)),
    V("7", "right: content-based deduplication on the topic", {1: FIFO_TOPIC.replace(
        '{"FifoTopic": "true"}', '{"FifoTopic": "true", "ContentBasedDeduplication": "true"}')} | _status(
        ', MessageGroupId=event["order_id"]'), f"{LAB}.fifo", expect="correct"),
    V("7", "right: the order id and event type as deduplication id", _status(
        ', MessageGroupId=event["order_id"], MessageDeduplicationId=f"{event[\'order_id\']}-{event[\'event_type\']}"'),
      f"{LAB}.fifo", expect="correct"),
]
