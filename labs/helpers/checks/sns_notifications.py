"""Checks of Lab 2 (SNS notifications): one per exercise, judging what the learner's topic, policies,
subscriptions and functions do.

Configuration is read from the backend (topic and subscription attributes, queue and function
policies); behaviour is tested with the check's own traffic on scratch copies (:mod:`.probe`): a
scratch topic with a listener queue for the learner's publisher, a scratch queue and two scratch
topics for the learner's ``allow_topic`` (the right topic's message must arrive, the other's must
not), a scratch subscription carrying the learner's filter policy for a probe batch with the
boundary cases, a scratch FIFO topic for ``publish_status``. Where the notebook's own traffic is the
evidence (what analytics received, what the DLQ holds), the queues are read without taking messages.

Each check cites the AWS behaviour it relies on. Numbers the lab's text names (10 retries, 5-300 s,
amounts over 1000) are constants here so the notebook and its checks agree.
"""

from __future__ import annotations

import json
import uuid
from collections import Counter
from typing import Any

from .. import data
from ..chaos import flaky_batches
from ..notebook_errors import last_failure
from . import Feedback, checker
from ._policy import review
from ._sns import find_topic, json_attribute, subscription_to, subscriptions, topic_attributes
from ._sqs import attributes, counts, find_queue, peek_all, short
from .probe import Probe

LAB = "sns-notifications"
DISPLAY_NAME = "SecureCart"
SNS_KEY = "alias/aws/sns"
HEALTHY_RETRY = {"numRetries": 10, "minDelayTarget": 5, "maxDelayTarget": 300, "backoffFunction": "exponential"}
MAX_RECEIVES_PER_SECOND = 10
INVOICES = "invoices@securecart.example"
FRAUD_AMOUNT = 1000
SNS_PRINCIPAL = "sns.amazonaws.com"
ATTRIBUTE_TYPES = {"event_type": "String", "amount": "Number", "region": "String"}

_RECREATE_TOPIC = ("create_topic with other attributes fails: change the existing topic with set_topic_attributes "
                   "(or delete it and create it again)")
_RESUBSCRIBE = ("subscribe with other attributes fails for an existing subscription: change it with "
                "set_subscription_attributes")


def _probe_events(n: int = 7) -> list[dict[str, Any]]:
    """Order events with ids of their own (CHK-...), so a probe never collides with the lab's."""
    run = uuid.uuid4().hex[:6]
    return [{**e, "event_id": f"CHK-{run}-{i:02d}", "order_id": f"CHK-{run}-{e['order_id'][-3:]}"}
            for i, e in enumerate(data.order_events(n, seed=31))]


def _topic(lab: Any, fb: Feedback) -> tuple[str, dict[str, str]]:
    arn = find_topic(lab, "order-events")
    if arn is None and find_topic(lab, "order-events.fifo"):
        fb.wrong("There is no standard topic 'order-events', but a FIFO topic 'order-events.fifo'.",
                 "Step 2 asks for a standard topic named lab.name('order-events') (FIFO topics cannot deliver to "
                 "e-mail, SMS or Lambda). Delete the FIFO one and create it without FifoTopic.")
        fb.stop()
    arn = fb.require(arn, "There is no 'order-events' topic yet.",
                     "Do exercise 2a: create the topic with create_topic and lab.name('order-events').",
                     after=("CreateTopic",))
    return arn, topic_attributes(lab, arn)


def _shown(value: Any) -> str:
    text = repr(value)
    return text if len(text) <= 60 else text[:57] + "..."


# ============================================================== 2a: the topic
@checker(f"{LAB}.topic")
def topic(lab: Any, fb: Feedback) -> None:
    """AWS, CreateTopic attributes: DisplayName ("the display name to use for a topic with SMS
    subscriptions"), KmsMasterKeyId ("the ID of an AWS managed customer master key (CMK) for Amazon SNS
    or a custom CMK"; alias/aws/sns is the AWS managed one), DeliveryPolicy ("the policy that defines how
    Amazon SNS retries failed deliveries to HTTP/S endpoints")."""
    _, attrs = _topic(lab, fb)
    name = attrs.get("DisplayName", "")
    fb.check(name == DISPLAY_NAME, f"DisplayName is '{DISPLAY_NAME}': customers recognise the sender.",
             f"DisplayName is {_shown(name) if name else 'not set'}.",
             f"Set the topic attribute DisplayName to '{DISPLAY_NAME}'; {_RECREATE_TOPIC}.")
    key = attrs.get("KmsMasterKeyId", "")
    fb.check(key == SNS_KEY or key.startswith(("arn:aws:kms:", "alias/")),
             "Server-side encryption is on (KmsMasterKeyId).",
             "Server-side encryption is off." if not key else f"KmsMasterKeyId is {_shown(key)}, not a KMS key or alias.",
             f"Set KmsMasterKeyId to the AWS managed key for SNS, '{SNS_KEY}'; {_RECREATE_TOPIC}.")
    _delivery_policy(fb, attrs.get("DeliveryPolicy"))


def _delivery_policy(fb: Feedback, raw: str | None) -> None:
    if not raw:
        fb.wrong("The topic has no DeliveryPolicy.",
                 f"Set the DeliveryPolicy attribute to the JSON document of step 2 (as a string: json.dumps); "
                 f"{_RECREATE_TOPIC}.")
        return
    try:
        policy = json.loads(raw)
    except ValueError:
        fb.wrong("DeliveryPolicy is not JSON.", "Pass the policy dict through json.dumps.")
        return
    http = policy.get("http") if isinstance(policy, dict) else None
    if not isinstance(http, dict):
        fb.wrong("DeliveryPolicy has no 'http' section: SNS reads retry settings per protocol, under 'http'.",
                 "Put defaultHealthyRetryPolicy and throttlePolicy inside {'http': {...}}.")
        return
    retry = http.get("defaultHealthyRetryPolicy") or {}
    differs = sorted(k for k, v in HEALTHY_RETRY.items() if retry.get(k) != v)
    fb.check(not differs, "HTTP/S deliveries retry 10 times, backing off exponentially from 5 s to 300 s.",
             f"defaultHealthyRetryPolicy differs from step 2 in: {', '.join(differs)}.",
             "Set numRetries 10, minDelayTarget 5, maxDelayTarget 300 and backoffFunction 'exponential' "
             "(numbers as JSON numbers).")
    throttle = (http.get("throttlePolicy") or {}).get("maxReceivesPerSecond")
    fb.check(throttle == MAX_RECEIVES_PER_SECOND, "At most 10 deliveries per second reach a partner endpoint.",
             f"throttlePolicy.maxReceivesPerSecond is {_shown(throttle)}.",
             "Add throttlePolicy with maxReceivesPerSecond 10 under 'http'.")


# ============================================================== 2b: the publisher
@checker(f"{LAB}.publish")
def publish(lab: Any, fb: Feedback, event_attributes: Any = None, publish_event: Any = None,
            publish_events: Any = None) -> None:
    """AWS, Publish: MessageAttributes are ``{name: {"DataType": "String"|"Number"|..., "StringValue": ...}}``;
    a Number is sent as a string. PublishBatch: up to 10 entries, "the result of each message is
    reported individually in the response" (Successful / Failed)."""
    _topic(lab, fb)
    attributes_fn = fb.answer(event_attributes, "event_attributes", "2b")
    publish_one = fb.answer(publish_event, "publish_event", "2b")
    publish_many = fb.answer(publish_events, "publish_events", "2b")
    if not _attributes_right(fb, attributes_fn):
        return
    with Probe(lab, fb) as probe:
        _probe_publish_event(probe, fb, publish_one)
        if not fb.wrong_items:
            _probe_publish_events(lab, probe, fb, publish_many)


def _attributes_right(fb: Feedback, attributes_fn: Any) -> bool:
    event = _probe_events(1)[0]
    try:
        got = attributes_fn(dict(event))
    except Exception as err:  # noqa: BLE001 - the learner's error is the finding
        fb.wrong(f"event_attributes raised {type(err).__name__}: {err}",
                 "Read the event's fields with event['event_type'], event['amount'], event['region'].")
        return False
    if not isinstance(got, dict):
        fb.wrong(f"event_attributes returned {_shown(got)}, not a dict of attributes.",
                 "Return {name: {'DataType': ..., 'StringValue': ...}} for event_type, amount and region.")
        return False
    missing = [n for n in ATTRIBUTE_TYPES if n not in got]
    if missing:
        fb.wrong(f"event_attributes has no {', '.join(missing)}.", "Return all three: event_type, amount and region.")
        return False
    ok = True
    for name, wanted in ATTRIBUTE_TYPES.items():
        value = got[name]
        if not isinstance(value, dict) or "DataType" not in value or "StringValue" not in value:
            fb.wrong(f"Attribute {name} is {_shown(value)}.",
                     "Each attribute is a dict with 'DataType' and 'StringValue' (that is what Publish takes).")
            return False
        if value["DataType"] != wanted:
            why = " (a filter can compare numbers only if the attribute is typed Number)" if wanted == "Number" else ""
            fb.wrong(f"Attribute {name} has DataType {_shown(value['DataType'])}.",
                     f"Give {name} the DataType '{wanted}'{why}.")
            ok = False
        if not isinstance(value["StringValue"], str):
            fb.wrong(f"Attribute {name} has a StringValue of type {type(value['StringValue']).__name__}.",
                     "StringValue is always a string, numbers too: convert with str().")
            ok = False
        elif value["StringValue"] != str(event[name]):
            fb.wrong(f"Attribute {name} is {_shown(value['StringValue'])} for an event whose {name} is {_shown(event[name])}.",
                     f"Take {name} from the event it is given.")
            ok = False
    if ok:
        fb.right("event_attributes types event_type and region as String and amount as Number.")
    return ok


def _envelopes(probe: Probe, url: str) -> list[dict[str, Any]]:
    out = []
    for message in probe.drain_all(url):
        try:
            out.append(json.loads(message["Body"]))
        except ValueError:
            out.append({"Message": message["Body"]})
    return out


def _probe_publish_event(probe: Probe, fb: Feedback, publish_one: Any) -> None:
    topic_arn = probe.topic("publish-one")
    url = probe.listener(topic_arn, RawMessageDelivery="false")
    event = _probe_events(1)[0]
    outcome = probe.run(publish_one, topic_arn, dict(event))
    if probe.explain_error(outcome, "publish_event"):
        return
    arrived = _envelopes(probe, url)
    if not fb.check(len(arrived) == 1, "publish_event publishes the event once, to the topic it is given.",
                    f"publish_event(topic_arn, event) delivered {len(arrived)} message(s) through the topic it was given.",
                    "Publish once, to the topic_arn it is given (sns.publish)."):
        return
    envelope = arrived[0]
    try:
        body_ok = json.loads(envelope.get("Message", "")) == event
    except ValueError:
        body_ok = False
    fb.check(body_ok, "The message is the event as JSON.", f"The message is {_shown(envelope.get('Message'))}.",
             "Publish Message=json.dumps(event): subscribers parse it as JSON.")
    got = {k: v.get("Value") for k, v in (envelope.get("MessageAttributes") or {}).items()}
    fb.check(all(got.get(n) == str(event[n]) for n in ATTRIBUTE_TYPES),
             "It carries the message attributes event_type, amount and region.",
             f"It arrived with the attributes {sorted(got) or 'none'}.",
             "Pass MessageAttributes=event_attributes(event) to publish.")
    fb.check(outcome.value == envelope.get("MessageId"), "publish_event returns the MessageId SNS assigned.",
             f"publish_event returned {_shown(outcome.value)}, not the message's MessageId.",
             "Return the 'MessageId' of publish's response.")


def _probe_publish_events(lab: Any, probe: Probe, fb: Feedback, publish_many: Any) -> None:
    topic_arn = probe.topic("publish-many")
    url = probe.listener(topic_arn)
    events = _probe_events(23)
    with flaky_batches(lab.client("sns"), every=4) as failed_once:
        outcome = probe.run(publish_many, topic_arn, [dict(e) for e in events])
    if probe.explain_error(outcome, "publish_events"):
        return
    batches = probe.made("PublishBatch")
    bodies = Counter(m["Body"] for m in probe.drain_all(url))
    got_ids = Counter()
    for body, n in bodies.items():
        try:
            got_ids[json.loads(body).get("event_id")] += n
        except (ValueError, AttributeError):
            pass
    missing = [e for e in events if e["event_id"] not in got_ids]
    extra = sum(n - 1 for n in got_ids.values() if n > 1)
    if not batches and not probe.made("Publish"):
        fb.wrong("publish_events published nothing.", "Publish every event with publish_batch, 10 entries per call.")
        return
    fb.check(bool(batches), "publish_events uses publish_batch.",
             f"publish_events published {len(events)} events one request at a time.",
             "Use publish_batch with up to 10 entries per call: a tenth of the requests.")
    if batches:
        biggest = max(len(c.params.get("PublishBatchRequestEntries", [])) for c in batches)
        fb.check(biggest == 10, "Batches are full: 10 entries per call.", f"The largest batch had {biggest} entries.",
                 "Publish 10 entries per call, SNS's maximum.")
        entries = [e for c in batches for e in c.params.get("PublishBatchRequestEntries", [])]
        fb.check(all(e.get("MessageAttributes") for e in entries), "Every batch entry carries its message attributes.",
                 "Batch entries were published without MessageAttributes.",
                 "Give each entry MessageAttributes=event_attributes(event), as publish_event does.")
    if missing:
        fb.wrong(f"{len(missing)} of {len(events)} events never arrived when {len(failed_once)} batch entries failed once.",
                 "publish_batch answers HTTP 200 even when entries fail: publish again every entry listed under "
                 "'Failed' (match them by Id) until none is left.")
    elif extra:
        fb.wrong(f"{extra} events arrived twice when some batch entries failed: the retry published entries that "
                 "had succeeded.", "Retry only the entries listed under 'Failed' (match them by Id).")
    else:
        fb.right(f"All {len(events)} events arrived exactly once although {len(failed_once)} entries failed once.")
    fb.check(outcome.value == len(events) - len(missing), "publish_events returns how many events were published.",
             f"publish_events returned {_shown(outcome.value)}; {len(events) - len(missing)} were published.",
             "Count the entries under 'Successful' of every response and return the sum.")


# ============================================================== 3a: the queue policy
@checker(f"{LAB}.queue-policy")
def queue_policy(lab: Any, fb: Feedback, allow_topic: Any = None) -> None:
    """AWS, SNS developer guide ("Fanout to Amazon SQS queues"): the queue policy must allow
    ``sqs:SendMessage`` for the principal ``sns.amazonaws.com`` with the condition ``ArnEquals
    aws:SourceArn`` = the topic; without that condition any topic could send."""
    _topic(lab, fb)
    allow = fb.answer(allow_topic, "allow_topic", "3a")
    with Probe(lab, fb) as probe:
        url, queue_arn = probe.queue("policy")
        ours, other = probe.topic("ours"), probe.topic("other")
        for arn in (ours, other):
            probe.sns.subscribe(TopicArn=arn, Protocol="sqs", Endpoint=queue_arn, Attributes={"RawMessageDelivery": "true"})
        outcome = probe.run(allow, url, ours)
        if probe.explain_error(outcome, "allow_topic"):
            return
        policy = probe.sqs.get_queue_attributes(QueueUrl=url, AttributeNames=["Policy"]).get("Attributes", {}).get("Policy")
        if not policy:
            fb.wrong("allow_topic(queue_url, topic_arn) left the queue without a policy.",
                     "Set the queue attribute 'Policy' (a JSON string) with set_queue_attributes.")
            return
        probe.sns.publish(TopicArn=ours, Message="from-the-topic")
        probe.sns.publish(TopicArn=other, Message="from-another-topic")
        arrived = {m["Body"] for m in probe.drain_all(url)}
    reviews = review(policy, service=SNS_PRINCIPAL, action="sqs:SendMessage", resource=queue_arn, source_arn=ours)
    if "from-the-topic" not in arrived:
        fb.wrong("With the policy allow_topic set, a message published to the topic did not arrive in the queue.",
                 _why_refused(reviews))
        return
    fb.right("A message from the topic it names arrives.")
    if "from-another-topic" in arrived:
        fb.wrong("A message from another topic arrived too: any topic, in any account, could write to this queue.",
                 "Restrict the statement with a Condition: ArnEquals on aws:SourceArn, the topic_arn it is given.")
        return
    fb.right("A message from any other topic is refused (the aws:SourceArn condition).")
    _lab_queues_allowed(lab, fb)


def _why_refused(reviews: list[Any]) -> str:
    if not reviews:
        return ("The policy has no Allow statement SNS can use: add one with Effect 'Allow', the SNS service as "
                "Principal, the action sqs:SendMessage on the queue's ARN.")
    best = reviews[0]
    if not best.problems:
        return "Check Effect 'Allow' and that no Deny statement matches SNS."
    first = best.problems[0]
    if first.startswith("its Principal"):
        return f"In the policy, {first}. Use Principal {{'Service': 'sns.amazonaws.com'}}."
    if first.startswith("its Action"):
        return f"In the policy, {first}: SNS needs exactly that action."
    if first.startswith("its Resource"):
        return f"In the policy, {first}: use the ARN of the queue allow_topic is given (QueueArn attribute)."
    return f"In the policy, {first}: use the topic_arn allow_topic is given."


def _lab_queues_allowed(lab: Any, fb: Feedback) -> None:
    topic_arn = find_topic(lab, "order-events")
    for base in ("analytics", "support"):
        url = find_queue(lab, base)
        if url is None:
            continue
        attrs = lab.client("sqs").get_queue_attributes(QueueUrl=url, AttributeNames=["Policy", "QueueArn"])["Attributes"]
        reviews = review(attrs.get("Policy"), service=SNS_PRINCIPAL, action="sqs:SendMessage",
                         resource=attrs["QueueArn"], source_arn=str(topic_arn))
        fb.check(bool(reviews) and not reviews[0].problems, f"The {base} queue lets order-events send.",
                 f"The {base} queue's policy does not let order-events send.",
                 "Run the cell after exercise 3a again: it applies allow_topic to both team queues.")


# ============================================================== 3b: fan-out
def _queue_arn_of(lab: Any, base: str) -> str:
    return f"arn:aws:sqs:{lab.region}:{lab.account_id}:{lab.name(base)}"


@checker(f"{LAB}.fan-out")
def fan_out(lab: Any, fb: Feedback) -> None:
    """AWS, "Amazon SNS raw message delivery": with RawMessageDelivery the queue receives the message
    body as published; without it, the JSON envelope (Type, MessageId, TopicArn, Message, Timestamp,
    MessageAttributes, signature)."""
    topic_arn, _ = _topic(lab, fb)
    found = {}
    for base in ("analytics", "support"):
        found[base] = subscription_to(lab, topic_arn, _queue_arn_of(lab, base), "sqs")
    if not any(found.values()):
        fb.require(None, "Neither analytics nor support is subscribed to order-events yet.",
                   "Do exercise 3b: subscribe both queues (Protocol 'sqs', Endpoint the queue's ARN).",
                   after=("Subscribe",))
    for base, want_raw in (("analytics", True), ("support", False)):
        sub = found[base]
        if sub is None:
            fb.wrong(f"The {base} queue is not subscribed to order-events.",
                     f"Subscribe the {base} queue too (Protocol 'sqs', Endpoint its QueueArn, not its URL).")
            continue
        raw = (sub["Attributes"] or {}).get("RawMessageDelivery") == "true"
        if want_raw:
            fb.check(raw, "analytics receives raw messages: the event itself.",
                     "analytics receives the SNS envelope: its loader would have to unwrap every message.",
                     f"Set RawMessageDelivery to 'true' on the analytics subscription; {_RESUBSCRIBE}.")
        else:
            fb.check(not raw, "support receives the SNS envelope (topic, time, message id).",
                     "support receives raw messages: it loses the topic, timestamp and message id it needs.",
                     f"Leave RawMessageDelivery 'false' on the support subscription; {_RESUBSCRIBE}.")
        if json_attribute(sub["Attributes"], "FilterPolicy"):
            fb.wrong(f"The {base} subscription has a filter policy.", f"{base} wants every event: remove its FilterPolicy.")
    if fb.wrong_items:
        return
    _arrived(lab, fb, topic_arn, {"analytics": True, "support": False})


def _arrived(lab: Any, fb: Feedback, topic_arn: str, raw_by_queue: dict[str, bool]) -> None:
    """The notebook's own traffic: did it reach the queues, in the shape each subscription asks for?"""
    refused = _refusals(lab)
    for base, raw in raw_by_queue.items():
        url = find_queue(lab, base)
        messages = peek_all(lab, url, rounds=3) if url else []
        if not messages:
            reason = refused.get(lab.name(base))
            if reason:
                fb.wrong(f"Nothing arrived in {base}: SNS's deliveries were refused ({reason}).",
                         "Apply allow_topic to the queue (the cell after exercise 3a), then publish again.")
            else:
                fb.give_up(f"Nothing has arrived in {base} yet.",
                           "Run the cell after exercise 3b that publishes the day's events.")
            continue
        envelope = _is_envelope(messages[0]["Body"])
        visible, in_flight, delayed = counts(attributes(lab, url))
        fb.check(envelope != raw, f"{visible + in_flight + delayed} events arrived in {base}, {'raw' if raw else 'in the envelope'}.",
                 f"The messages in {base} are {'envelopes' if envelope else 'raw'}.",
                 "The subscription changed after the messages arrived: publish again and check.")


def _is_envelope(body: str) -> bool:
    try:
        value = json.loads(body)
    except ValueError:
        return False
    return isinstance(value, dict) and value.get("Type") == "Notification" and "TopicArn" in value


def _refusals(lab: Any) -> dict[str, str]:
    """Target name -> why SNS's last failed delivery to it failed, from the flow trace."""
    try:
        df = lab.flow.df
    except Exception:  # noqa: BLE001 - no trace (real AWS without one): nothing to say
        return {}
    if not len(df):
        return {}
    failed = df[(df["operation"] == "fanout") & (df["status"] == "failed")]
    return {str(row.target).rsplit(":", 1)[-1]: str(row.error or "") for row in failed.itertuples()}


# ============================================================== 4a: e-mail
@checker(f"{LAB}.email")
def email(lab: Any, fb: Feedback) -> None:
    """AWS, "Email notifications": a new email subscription is PendingConfirmation; "Amazon SNS sends
    a confirmation message"; only after ConfirmSubscription with its token does the endpoint receive."""
    topic_arn, _ = _topic(lab, fb)
    every = subscriptions(lab, topic_arn)
    subs = [s for s in every if s["Endpoint"] == INVOICES]
    others = sorted({s["Endpoint"] for s in every if s["Protocol"] in ("email", "email-json")} - {"tickets@securecart.example"})
    if not subs and others:
        fb.wrong(f"{', '.join(others)} is subscribed, but not {INVOICES}.",
                 "Subscribe the address in INVOICES (a typo'd address would receive the invoices, or nobody); "
                 "unsubscribe the wrong one.")
        fb.stop()
    fb.require(subs or None, f"{INVOICES} is not subscribed to order-events yet.",
               "Do exercise 4a: subscribe INVOICES with protocol 'email'.", after=("Subscribe",))
    email_subs = [s for s in subs if s["Protocol"] == "email"]
    if not email_subs:
        fb.wrong(f"{INVOICES} is subscribed with protocol '{subs[0]['Protocol']}'.",
                 "The invoices mailbox reads the message as text: use protocol 'email' (email-json is for programs).")
        return
    confirmed = [s for s in email_subs if s["SubscriptionArn"].startswith("arn:")]
    if not confirmed:
        fb.wrong(f"The subscription of {INVOICES} is still PendingConfirmation: SNS sends it nothing.",
                 "Confirm it: confirm_subscription with the topic's ARN and the token from the confirmation "
                 "message (outbox.confirmation_token).", )
        return
    fb.right(f"{INVOICES} is subscribed with protocol 'email' and confirmed.")
    if json_attribute(confirmed[0]["Attributes"], "FilterPolicy"):
        fb.wrong("The invoices subscription has a filter policy.", "Exercise 4a asks for every event: remove the FilterPolicy.")


# ============================================================== 4b: Lambda
@checker(f"{LAB}.lambda")
def lambda_subscriber(lab: Any, fb: Feedback) -> None:
    """AWS, "Fanout to Lambda functions" and Lambda's "Granting function access to AWS services": the
    function's resource-based policy must allow lambda:InvokeFunction for sns.amazonaws.com, with
    SourceArn the topic (else any topic could invoke it)."""
    topic_arn, _ = _topic(lab, fb)
    lam = lab.client("lambda")
    name = lab.name("order-notifier")
    try:
        function_arn = lam.get_function(FunctionName=name)["Configuration"]["FunctionArn"]
    except lam.exceptions.ResourceNotFoundException:
        fb.give_up("The order-notifier function is not deployed.", "Run the cell before exercise 4b that deploys it.")
    sub = next((s for s in subscriptions(lab, topic_arn) if s["Protocol"] == "lambda"
                and s["Endpoint"].split(":")[6] == name), None)
    try:
        policy = lam.get_policy(FunctionName=name)["Policy"]
    except lam.exceptions.ResourceNotFoundException:
        policy = None
    if sub is None and policy is None:
        fb.require(None, "order-notifier is not subscribed and has no permission yet.",
                   "Do exercise 4b: add_permission for SNS, then subscribe the function (Protocol 'lambda').",
                   after=("AddPermission", "Subscribe"))
    reviews = review(policy, service=SNS_PRINCIPAL, action="lambda:InvokeFunction", resource=function_arn,
                     source_arn=topic_arn)
    if policy is None:
        fb.wrong("order-notifier has no resource-based policy: SNS may not invoke it.",
                 "Call lam.add_permission with Action 'lambda:InvokeFunction', Principal 'sns.amazonaws.com' and "
                 "SourceArn the topic's ARN.")
    elif not reviews or reviews[0].problems:
        detail = reviews[0].problems[0] if reviews and reviews[0].problems else "no statement allows SNS"
        fb.wrong(f"order-notifier's policy does not let order-events invoke it: {detail}.",
                 "Remove that statement (lam.remove_permission with its StatementId) and add one with Principal "
                 "'sns.amazonaws.com', Action 'lambda:InvokeFunction' and SourceArn the topic's ARN.")
    elif reviews[0].open_to_any_source:
        fb.wrong("order-notifier's permission has no SourceArn: any SNS topic, in any account, could invoke it.",
                 "Remove the statement (lam.remove_permission) and add it again with SourceArn the topic's ARN.")
    else:
        fb.right("order-notifier lets only order-events invoke it.")
    if sub is None:
        failed = last_failure("AddPermission", "Subscribe")
        if failed is not None:
            operation, why = failed
            fb.wrong(f"order-notifier is not subscribed: your last {operation} call failed: {why.code}: {why.message}",
                     f"{why.means} {why.fix}")
        fb.wrong("order-notifier is not subscribed to order-events.",
                 "Subscribe it: Protocol 'lambda', Endpoint the function's ARN (notifier_arn).")
        return
    fb.right("order-notifier is subscribed to order-events.")
    if fb.wrong_items:
        return
    _invoked(lab, fb, name)


def _invoked(lab: Any, fb: Feedback, name: str) -> None:
    """Behaviour: did the notebook's three events reach the function (its log group, as on AWS)?"""
    logs = lab.client("logs")
    try:
        events = logs.filter_log_events(logGroupName=f"/aws/lambda/{name}").get("events", [])
    except logs.exceptions.ResourceNotFoundException:
        events = []
    lines = [e["message"] for e in events if '"notification"' in e["message"]]
    if not lines:
        reason = _refusals(lab).get(name)
        if reason:
            fb.wrong(f"SNS could not invoke order-notifier: {reason}.", "Fix the function's permission and publish again.")
        else:
            fb.give_up("order-notifier has not been invoked yet.",
                       "Run the cell after exercise 4b that publishes three more events.")
        return
    fb.right(f"order-notifier was invoked and wrote {len(lines)} customer notification(s) to its log.")


# ============================================================== 5: filters
#: The probe batch: (event_type, amount) pairs around every boundary the two filters have.
_FILTER_PROBES = [("payment_failed", 1500.0), ("payment_failed", 1000.0), ("payment_failed", 999.99),
                  ("payment_failed", 20.5), ("paid", 2500.0), ("placed", 40.0), ("refunded", 1200.0)]
_EXPECTED = {"security-alerts": {0, 1, 2, 3}, "fraud-review": {0}}
_SCOPES = {"security-alerts": "MessageAttributes", "fraud-review": "MessageBody"}


@checker(f"{LAB}.filters")
def filters(lab: Any, fb: Feedback) -> None:
    """AWS, "Amazon SNS message filtering": a subscription receives only messages its filter policy
    matches; keys AND, values in a list OR; numeric matching only with {"numeric": [...]} against a
    Number attribute or a JSON number; FilterPolicyScope MessageAttributes (default) or MessageBody."""
    topic_arn, _ = _topic(lab, fb)
    subs = {base: subscription_to(lab, topic_arn, _queue_arn_of(lab, base), "sqs") for base in _EXPECTED}
    if not any(subs.values()):
        fb.require(None, "Neither security-alerts nor fraud-review is subscribed yet.",
                   "Do exercise 5: subscribe both queues with their filter policies.", after=("Subscribe",))
    with Probe(lab, fb) as probe:
        for base, sub in subs.items():
            if sub is None:
                fb.wrong(f"The {base} queue is not subscribed to order-events.",
                         f"Subscribe {base} too (Protocol 'sqs', its QueueArn, with its FilterPolicy).")
                continue
            _filter_behaves(probe, fb, base, sub["Attributes"] or {})


def _filter_behaves(probe: Probe, fb: Feedback, base: str, attributes: dict[str, str]) -> None:
    policy = json_attribute(attributes, "FilterPolicy")
    scope = attributes.get("FilterPolicyScope") or "MessageAttributes"
    if not policy:
        fb.wrong(f"The {base} subscription has no filter policy: it receives every event.",
                 f"Give the {base} subscription a FilterPolicy (set_subscription_attributes, or subscribe with it).")
        return
    fb.check(scope == _SCOPES[base], f"{base} filters on the {'message attributes' if scope == 'MessageAttributes' else 'message body'}.",
             f"{base} filters on the {'message body' if scope == 'MessageBody' else 'message attributes'}.",
             f"Exercise 5 asks {base} to filter on the "
             f"{'message attributes: leave FilterPolicyScope unset (or MessageAttributes)' if _SCOPES[base] == 'MessageAttributes' else 'message body: set FilterPolicyScope to MessageBody'}.")
    topic_arn = probe.topic(f"filter-{base.split('-')[0]}")
    extra = {"FilterPolicy": attributes["FilterPolicy"], "FilterPolicyScope": scope}
    url = probe.listener(topic_arn, base.split("-")[0], **extra)
    run = uuid.uuid4().hex[:6]
    for i, (event_type, amount) in enumerate(_FILTER_PROBES):
        event = {"event_id": f"CHK-{run}-{i}", "order_id": f"CHK-{run}-{i}", "event_type": event_type,
                 "amount": amount, "region": "eu-west"}
        probe.sns.publish(TopicArn=topic_arn, Message=json.dumps(event), MessageAttributes={
            "event_type": {"DataType": "String", "StringValue": event_type},
            "amount": {"DataType": "Number", "StringValue": str(amount)},
            "region": {"DataType": "String", "StringValue": "eu-west"}})
    got = set()
    for message in probe.drain_all(url):
        try:
            got.add(int(json.loads(message["Body"])["event_id"].rsplit("-", 1)[-1]))
        except (ValueError, KeyError, TypeError):
            pass
    wanted = _EXPECTED[base]
    if got == wanted:
        fb.right(f"{base} receives exactly the events it should (test batch of {len(_FILTER_PROBES)}, boundaries included).")
        return
    let_in = sorted(got - wanted)
    kept_out = sorted(wanted - got)
    fb.wrong(f"Of a test batch, {base} received {_describe(let_in)} it should not, and missed {_describe(kept_out)}."
             if let_in and kept_out else
             f"Of a test batch, {base} received {_describe(let_in)}, which it should not." if let_in else
             f"Of a test batch, {base} missed {_describe(kept_out)}.",
             _filter_hint(base, policy, got, let_in, kept_out))


def _describe(indexes: list[int]) -> str:
    if not indexes:
        return "nothing"
    return ", ".join(f"{_FILTER_PROBES[i][0]} {_FILTER_PROBES[i][1]:g}" for i in indexes)


def _filter_hint(base: str, policy: Any, got: set[int], let_in: list[int], kept_out: list[int]) -> str:
    text = json.dumps(policy)
    amount = policy.get("amount") if isinstance(policy, dict) else None
    if not got:
        if isinstance(amount, list) and any(isinstance(v, str) for v in amount):
            return ("A number in quotes is a string, and no Number equals it: compare amounts with "
                    "{'numeric': ['>', 1000]}.")
        if "payment_failed" not in text:
            return "Values match exactly and case-sensitively: the event type is 'payment_failed'."
        return ("The policy matches nothing: check its keys (the attribute or body field names) and that each "
                "value is a list.")
    if base == "fraud-review":
        if not amount and any(_FILTER_PROBES[i][1] <= FRAUD_AMOUNT for i in let_in):
            return "Add the amount condition: {'numeric': ['>', 1000]} on the key amount."
        if any(_FILTER_PROBES[i][0] != "payment_failed" for i in let_in):
            return ("Both conditions must hold: put event_type and amount as two keys of one policy (keys are "
                    "AND; values in one list are OR).")
        if 1 in got:
            return "An amount of exactly 1000 is not over 1000: use '>' rather than '>='."
    if base == "security-alerts":
        if let_in:
            return "Only payment_failed may pass: list just that event type under event_type."
        if kept_out:
            return "Every payment_failed must pass, whatever the amount: filter on event_type only."
    return "Compare the policy with the table of step 5: one key per condition, a list of alternatives per key."


# ============================================================== 6: subscription DLQ
@checker(f"{LAB}.subscription-dlq")
def subscription_dlq(lab: Any, fb: Feedback) -> None:
    """AWS, "Amazon SNS dead-letter queues (DLQs)": a subscription's RedrivePolicy
    ({"deadLetterTargetArn": <SQS queue ARN>}) sends messages that could not be delivered because of a
    client-side error (a deleted endpoint, a policy that refuses) to that queue; the DLQ's own queue
    policy must let the topic send to it."""
    topic_arn, _ = _topic(lab, fb)
    crm = subscription_to(lab, topic_arn, _queue_arn_of(lab, "legacy-crm"), "sqs")
    if crm is None:
        fb.give_up("The legacy-crm subscription does not exist.", "Run the cell before exercise 6 that subscribes legacy-crm.")
    redrive = json_attribute(crm["Attributes"], "RedrivePolicy")
    dlq_url = find_queue(lab, "notifications-dlq")
    if redrive is None:
        failed = last_failure("SetSubscriptionAttributes")
        if failed is not None:
            operation, why = failed
            fb.wrong(f"The legacy-crm subscription has no RedrivePolicy: your last {operation} call failed: "
                     f"{why.code}: {why.message}", f"{why.means} {why.fix}")
            fb.stop()
        fb.require(dlq_url, "There is no notifications-dlq queue yet.",
                   "Do exercise 6: create the queue, allow the topic to send to it, and set the subscription's "
                   "RedrivePolicy.", after=("CreateQueue", "SetSubscriptionAttributes"))
        fb.wrong("The legacy-crm subscription has no RedrivePolicy: what SNS cannot deliver is dropped.",
                 "Set the subscription attribute RedrivePolicy to {'deadLetterTargetArn': <the DLQ's ARN>} "
                 "(set_subscription_attributes on crm_subscription).")
        return
    target = redrive.get("deadLetterTargetArn") if isinstance(redrive, dict) else None
    dlq_arn = _queue_arn_of(lab, "notifications-dlq")
    if target != dlq_arn:
        fb.wrong(f"The RedrivePolicy points to {_shown(short(str(target), lab))}, not notifications-dlq's ARN.",
                 "deadLetterTargetArn is the DLQ's QueueArn attribute (an ARN, not its URL).")
        return
    fb.right("legacy-crm's subscription dead-letters to notifications-dlq.")
    if dlq_url is None:
        fb.wrong("notifications-dlq does not exist.", "Create it (lab.name('notifications-dlq')).")
        return
    attrs = lab.client("sqs").get_queue_attributes(QueueUrl=dlq_url, AttributeNames=["Policy"]).get("Attributes", {})
    reviews = review(attrs.get("Policy"), service=SNS_PRINCIPAL, action="sqs:SendMessage", resource=dlq_arn,
                     source_arn=topic_arn)
    if not reviews or reviews[0].problems:
        fb.wrong("notifications-dlq's policy does not let order-events send: SNS cannot dead-letter into it either.",
                 "Apply allow_topic to the DLQ too, with the order-events topic.")
        return
    fb.right("notifications-dlq lets order-events send.")
    visible, in_flight, delayed = counts(attributes(lab, dlq_url))
    if not visible + in_flight + delayed:
        fb.give_up("notifications-dlq is still empty.", "Run the cell after exercise 6 that retires the CRM queue and publishes.")
    fb.right(f"{visible + in_flight + delayed} undeliverable message(s) wait in notifications-dlq, none lost.")


# ============================================================== 7: FIFO
@checker(f"{LAB}.fifo")
def fifo(lab: Any, fb: Feedback, publish_status: Any = None) -> None:
    """AWS, "Message ordering and deduplication (FIFO topics)": messages with the same MessageGroupId
    are delivered in the order published; a message with the same MessageDeduplicationId (or body,
    with ContentBasedDeduplication) within 5 minutes is accepted but not delivered again."""
    arn = find_topic(lab, "order-status.fifo")
    if arn is None and find_topic(lab, "order-status"):
        fb.wrong("There is a standard topic 'order-status', which does not keep order.",
                 "A FIFO topic's name ends in .fifo and it has FifoTopic 'true': create lab.name('order-status.fifo').")
        fb.stop()
    arn = fb.require(arn, "There is no 'order-status.fifo' topic yet.",
                     "Do exercise 7: create the FIFO topic (FifoTopic 'true', a name ending in .fifo).",
                     after=("CreateTopic",))
    attrs = topic_attributes(lab, arn)
    sub = subscription_to(lab, arn, _queue_arn_of(lab, "customer-timeline.fifo"), "sqs")
    if sub is None:
        fb.wrong("customer-timeline.fifo is not subscribed to order-status.fifo.",
                 "Subscribe it (Protocol 'sqs', its QueueArn) with RawMessageDelivery 'true'.")
    else:
        fb.check((sub["Attributes"] or {}).get("RawMessageDelivery") == "true",
                 "customer-timeline.fifo receives raw events.",
                 "customer-timeline.fifo receives the SNS envelope.",
                 f"Set RawMessageDelivery to 'true' on its subscription; {_RESUBSCRIBE}.")
    fn = fb.answer(publish_status, "publish_status", "7")
    with Probe(lab, fb) as probe:
        topic_arn = probe.topic("status.fifo", {"ContentBasedDeduplication": attrs.get("ContentBasedDeduplication", "false")})
        url = probe.listener(topic_arn, "timeline")
        events = [e for e in _probe_events(9)]
        sent = [*events, events[2]]  # the retry
        for event in sent:
            outcome = probe.run(fn, topic_arn, dict(event))
            if probe.explain_error(outcome, "publish_status"):
                return
        messages = probe.drain_all(url)
        publishes = probe.made("Publish")
    groups = {c.params.get("MessageGroupId") for c in publishes}
    orders = {e["order_id"] for e in events}
    bodies = []
    for m in messages:
        try:
            bodies.append(json.loads(m["Body"]))
        except ValueError:
            bodies.append({})
    ids = Counter(b.get("event_id") for b in bodies)
    if any(n > 1 for n in ids.values()):
        fb.wrong("A retried event (same event_id) was delivered twice.",
                 "Deduplicate by the event: MessageDeduplicationId=event['event_id'] (a new random id every call "
                 "defeats deduplication).")
    elif len(ids) < len(events):
        fb.wrong(f"Only {len(ids)} of {len(events)} different events were delivered: deduplication dropped events "
                 "that were not retries.", "Use a deduplication id unique per event: its event_id.")
    else:
        fb.right("Each event was delivered once; the retry was deduplicated.")
    if groups == orders:
        fb.right("Each order is its own message group: orders are delivered in parallel, each in order.")
    elif len(groups) == 1:
        fb.wrong("Every event was published in one message group: all orders wait for each other.",
                 "Use the order id as MessageGroupId: order is needed within an order, not across orders.")
    else:
        fb.wrong("The message groups are not the orders: one order's events may be delivered out of order.",
                 "Use MessageGroupId=event['order_id'].")
    per_order: dict[str, list[str]] = {}
    for body in bodies:
        per_order.setdefault(str(body.get("order_id")), []).append(str(body.get("event_id")))
    in_order = all(ids_ == sorted(ids_) for ids_ in per_order.values())
    fb.check(in_order, "Every order's events arrived in the order they were published.",
             "Some order's events arrived out of order.", "Use MessageGroupId=event['order_id'].")
