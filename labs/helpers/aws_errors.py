"""What an AWS (or boto3) error means in a lab, and what to do about it.

A learner whose ``create_queue`` fails with ``QueueAlreadyExists`` needs three things: the error
code (AWS's own word for it, which they must learn to read), what it means *here*, and the way out
of the state their earlier attempt left behind. The same explanation serves two places, so it
lives here once:

* :mod:`labs.helpers.notebook_errors` shows it instead of 25 lines of botocore internals when the
  learner's own call fails in a notebook cell (the full traceback stays one click away);
* the checks put it in their hint when a check exercising the learner's code meets the error.

Entries are matched on the error code (``ClientError``) or on the message of a boto3 parameter
validation error (``ParamValidationError``), most specific first. Each later lab adds the errors
its services raise; an error nobody described still gets its code and AWS's message.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from botocore.exceptions import BotoCoreError, ClientError, ParamValidationError


@dataclass(frozen=True)
class Explanation:
    """One error, explained: ``code`` as AWS (or boto3) names it, what it ``means`` here, the ``fix``."""

    code: str
    message: str
    means: str
    fix: str

    def text(self) -> str:
        return f"{self.code}: {self.means} What to do: {self.fix}"


@dataclass(frozen=True)
class _Entry:
    code: str  #: the AWS error code, "ParamValidation" for boto3's own validation, "" for any code
    pattern: str  #: a regular expression the message must contain ("" matches any)
    means: str
    fix: str


#: Known errors, most specific first. Codes as the SQS/Lambda query and JSON protocols return them
#: (boto3 maps the legacy ``AWS.SimpleQueueService.*`` codes to these names).
_KNOWN: list[_Entry] = [
    # ---- boto3 validates parameters before anything is sent
    _Entry("ParamValidation", r"Attributes\.RedrivePolicy.*type", "RedrivePolicy is a JSON string, not a dict.",
           "Pass json.dumps({...}) with deadLetterTargetArn (the DLQ's QueueArn) and maxReceiveCount."),
    _Entry("ParamValidation", r"MessageAttributes\.\w+\.StringValue.*valid types: <class 'str'>",
           "A message attribute's StringValue is always a string, a Number attribute's too.",
           "Convert the value with str(); the DataType says how it is compared."),
    _Entry("ParamValidation", r"Attributes\.\w+.*valid types: <class 'str'>",
           "SQS and SNS attribute values are strings in the API: numbers, booleans and JSON documents included.",
           "Write them as strings: '30', 'true', json.dumps({...}) for a policy."),
    _Entry("ParamValidation", r"AttributeValue.*valid types: <class 'str'>",
           "An attribute value is a string in the API; a policy is a JSON document written as a string.",
           "Pass json.dumps({...}) (or the text 'true', '30') as AttributeValue."),
    _Entry("ParamValidation", r"Entries.*length less than or equal to 10|Entries, value: .*, valid max length: 10",
           "A batch call takes at most 10 entries.", "Split the bodies into chunks of 10 and send one batch per chunk."),
    _Entry("ParamValidation", r"Missing required parameter", "A required parameter is missing from the call.",
           "Add the parameter the message names (boto3's documentation of the call lists the required ones)."),
    _Entry("ParamValidation", r"Unknown parameter", "The call has a parameter the API does not know (a typo?).",
           "Use one of the valid parameter names the message lists."),
    # ---- Kinesis (before the generic entries: their codes are shared with other services)
    _Entry("ValidationException", r"'records' failed to satisfy constraint: Member must have length less than or equal to 500",
           "PutRecords takes at most 500 records per call.", "Put the records in slices of 500 (range(0, len(records), 500))."),
    _Entry("ProvisionedThroughputExceededException", "",
           "A shard was asked to take more than its limit: 1,000 records or 1 MiB per second.",
           "Retry the refused records after a short backoff; spread writes over partition keys, or add shards "
           "(update_shard_count)."),
    _Entry("ResourceInUseException", r"[Ss]tream",
           "A stream of this name exists already, or it is still being created or updated.",
           "Use the existing stream (describe_stream_summary), or wait until it is ACTIVE (the stream_exists waiter)."),
    _Entry("InvalidArgumentException", r"[Ss]hard [Cc]ount|TargetShardCount|scaling",
           "Kinesis refused the new shard count.",
           "One UpdateShardCount may at most double or halve the open shards, with ScalingType='UNIFORM_SCALING'."),
    _Entry("ExpiredIteratorException", "",
           "The shard iterator expired (Kinesis iterators last 5 minutes, DynamoDB Streams iterators 15).",
           "Ask for a new one with get_shard_iterator (AFTER_SEQUENCE_NUMBER of your checkpoint)."),
    # ---- DynamoDB and DynamoDB Streams (Lab 6), and Lambda's stream mappings
    _Entry("ResourceInUseException", r"[Tt]able already exists|Table: .* already exists",
           "A table of this name exists already (made by an earlier run of the cell?).",
           "Catch ddb.exceptions.ResourceInUseException to keep it; to change its key, delete_table and create it "
           "again; a stream can be added or changed with update_table(StreamSpecification=...)."),
    _Entry("ValidationException", r"key element does not match the schema|Missing the key",
           "The item's key does not match the table's KeySchema (name or type).",
           "Give the table the key the lab uses (order_id, a string), or use the table's own key in the call."),
    _Entry("ValidationException", r"reserved keyword",
           "An expression uses an attribute name that is a DynamoDB reserved word (status, key, name, ...).",
           "Write a placeholder (#s) in the expression and map it in ExpressionAttributeNames={'#s': 'status'}."),
    _Entry("ConditionalCheckFailedException", "",
           "The write's ConditionExpression was false, so DynamoDB did not write anything.",
           "That is the answer, not a failure: catch ddb.exceptions.ConditionalCheckFailedException (its "
           "err.response['Item'] holds the item if you asked with ReturnValuesOnConditionCheckFailure='ALL_OLD')."),
    _Entry("TrimmedDataAccessException", "", "The shard iterator points at records older than the stream keeps (24 h).",
           "Start again with ShardIteratorType TRIM_HORIZON (the oldest record still kept)."),
    _Entry("InvalidParameterValueException", r"[Ff]ilter pattern",
           "A FilterCriteria pattern is not a valid event pattern (EventBridge's syntax).",
           "Each Pattern is json.dumps of an object whose values are lists (or nested objects): "
           "{'eventName': ['MODIFY']}, never {'eventName': 'MODIFY'}."),
    # ---- EventBridge (before the generic entries: their codes are shared with other services)
    _Entry("ValidationException", r"entries.*length less than or equal to 10|Member must have length less than or equal to 10",
           "PutEvents takes at most 10 entries per call.", "Put the entries in slices of 10 (range(0, len(entries), 10))."),
    _Entry("ValidationException", r"RoleArn is required",
           "A Step Functions target (like a Kinesis stream, or a bus in another account) needs a role EventBridge assumes.",
           "Give the target RoleArn: a role that trusts events.amazonaws.com and may start the state machine "
           "(states:StartExecution)."),
    _Entry("ResourceAlreadyExistsException", r"[Ee]vent ?[Bb]us",
           "An event bus of this name exists already (made by an earlier run of the cell).",
           "Use it: describe_event_bus(Name=...)['Arn'], or delete it first (delete_event_bus)."),
    _Entry("ResourceAlreadyExistsException", r"[Aa]rchive|[Rr]eplay",
           "An archive or replay of this name exists already (made by an earlier run).",
           "Catch events.exceptions.ResourceAlreadyExistsException, or describe the existing one."),
    _Entry("ResourceAlreadyExistsException", "", "A resource of this name exists already.",
           "Use the existing one, or delete it and create it again."),
    _Entry("InvalidEventPatternException", "",
           "EventBridge refused the event pattern.",
           "Each field's value is a list; numeric comparisons take JSON numbers (10, not '10'), e.g. {'numeric': ['<', 10]}."),
    _Entry("ConflictException", r"[Ss]chema|[Rr]egistry|[Dd]iscoverer",
           "A registry, schema or discoverer of this name exists already.",
           "Catch schemas.exceptions.ConflictException, or change the schema with update_schema (a new version)."),
    _Entry("ValidationException", r"FilterArns|[Rr]eplay|EventStartTime|EventEndTime|Destination",
           "The replay's parameters are not valid.",
           "EventSourceArn is the archive's ARN, Destination {'Arn': the bus the archive archives, 'FilterArns': [rule ARNs]}, "
           "and EventEndTime after EventStartTime."),
    _Entry("ValidationException", "", "A parameter is not valid.", "Read the message: it names the parameter."),
    _Entry("ParamValidation", r"Invalid type for parameter", "A parameter has the wrong type.",
           "Pass the type the message names (for example a string, not an int)."),
    # ---- SQS
    _Entry("QueueAlreadyExists", "", "A queue with this name already exists, with different attributes than this call asks for.",
           "Change the existing queue with set_queue_attributes (or delete_queue and create it again; on AWS wait "
           "60 s before re-using the name). FifoQueue cannot be changed: a queue of the wrong type must be "
           "deleted and created again."),
    _Entry("TooManyEntriesInBatchRequest", "", "A batch call takes at most 10 entries.",
           "Split the bodies into chunks of 10 and send one batch per chunk."),
    _Entry("BatchEntryIdsNotDistinct", "", "Two entries of one batch have the same Id.",
           "Give each entry of a batch its own Id (its position in the batch works), unique within that batch."),
    _Entry("EmptyBatchRequest", "", "A batch call was made with no entries.",
           "Only call the batch API when there is something to send or delete."),
    _Entry("InvalidBatchEntryId", "", "A batch entry Id has characters SQS does not allow.",
           "Use Ids of letters, digits, hyphens and underscores, up to 80 characters."),
    _Entry("ReceiptHandleIsInvalid", "", "The receipt handle does not belong to a message received from this queue.",
           "Use the ReceiptHandle of the received message (not its MessageId), with the URL of the queue it came from."),
    _Entry("InvalidParameterValue", r"ContentBasedDeduplication|MessageDeduplicationId",
           "A FIFO queue needs a deduplication id for every message.",
           "Pass MessageDeduplicationId with each send, or turn on the queue's ContentBasedDeduplication."),
    _Entry("MissingParameter", r"MessageGroupId", "Every message sent to a FIFO queue or topic needs a MessageGroupId.",
           "Pass MessageGroupId (the key whose messages must stay in order, e.g. the customer or order id)."),
    _Entry("InvalidParameterValue", r"MessageGroupId", "MessageGroupId is only for FIFO queues (or is malformed).",
           "Send to a FIFO queue (its name ends in .fifo), or leave MessageGroupId out for a standard queue."),
    _Entry("InvalidParameterValue", r"Dead Letter Queue|dead-letter queue",
           "A message move task starts from a dead-letter queue: SourceArn must be the ARN of the DLQ, not of the "
           "queue it serves.", "Pass the DLQ's QueueArn as SourceArn."),
    _Entry("InvalidParameterValue", r"DestinationArn",
           "DestinationArn is where a move task sends the messages: another queue than the DLQ it reads.",
           "Leave DestinationArn out to send every message back to the queue it came from."),
    _Entry("InvalidParameterValue", r"deadLetterTargetArn|RedrivePolicy",
           "The RedrivePolicy is not valid: deadLetterTargetArn must be the ARN of an existing queue of the same type.",
           "Read the DLQ's QueueArn attribute (get_queue_attributes) and use it, not the queue's URL; "
           "maxReceiveCount is a whole number from 1 to 1000."),
    _Entry("InvalidParameterValue", r"fifo|FIFO", "A FIFO queue's name must end in .fifo, and only a FIFO queue's may.",
           "For FIFO pass Attributes FifoQueue='true' and a name ending in .fifo; for a standard queue, neither."),
    _Entry("InvalidParameterValue", r"visibility ?timeout", "A visibility timeout must be 0 to 43200 seconds (12 hours).",
           "Pick a value in that range."),
    _Entry("InvalidAttributeName", "", "The queue has no attribute of that name.",
           "Check the spelling against the attribute names in the SQS API reference (e.g. VisibilityTimeout)."),
    _Entry("InvalidAttributeValue", "", "A queue attribute has a value SQS does not accept.",
           "Read the message for the attribute and its valid range."),
    _Entry("QueueDoesNotExist", r"DLQ|dead.?letter", "The RedrivePolicy's deadLetterTargetArn names no existing queue.",
           "Use the DLQ's QueueArn attribute (get_queue_attributes), not its URL or name."),
    _Entry("QueueDoesNotExist", "", "There is no queue with this URL or name (yet, or any more).",
           "Create the queue first (its step in the lab), or check the URL; queue URLs come from create_queue or get_queue_url."),
    _Entry("ResourceNotFoundException", r"queue|Queue", "The queue named in the call does not exist.",
           "Check the ARN: it must be the QueueArn of an existing queue."),
    # ---- SNS
    _Entry("InvalidParameter", r"SQS endpoint ARN", "SNS subscribes a queue by its ARN, not its URL.",
           "Pass the queue's QueueArn attribute (get_queue_attributes) as Endpoint."),
    _Entry("InvalidParameter", r"Topic already exists with different attributes",
           "A topic of this name exists with other attributes than this call asks for.",
           "Change the existing topic with set_topic_attributes (one attribute per call), or delete_topic and "
           "create it again."),
    _Entry("InvalidParameter", r"Subscription already exists with different attributes",
           "This endpoint is already subscribed to the topic, with other attributes than this call asks for.",
           "Change the existing subscription with set_subscription_attributes (its SubscriptionArn, one attribute "
           "per call), or unsubscribe it and subscribe again."),
    _Entry("InvalidParameter", r"Invalid token", "The token is not the one SNS sent to confirm this subscription.",
           "Use the token of the confirmation message (outbox.confirmation_token) with the TopicArn subscribed to."),
    _Entry("InvalidParameter", r"MessageGroupId", "Every message published to a FIFO topic needs a MessageGroupId.",
           "Pass MessageGroupId: the key whose messages must stay in order (here the order id)."),
    _Entry("InvalidParameter", r"ContentBasedDeduplication|MessageDeduplicationId",
           "A FIFO topic needs a deduplication id for every message.",
           "Pass MessageDeduplicationId (unique per event), or turn on the topic's ContentBasedDeduplication."),
    _Entry("InvalidParameter", r"FIFO SQS Queues can not be subscribed to standard SNS topics",
           "A FIFO queue can only be subscribed to a FIFO topic.", "Subscribe it to a FIFO topic (its name ends in .fifo)."),
    _Entry("", r"Could not cast message attribute", "A Number attribute's StringValue is not a number.",
           "Give Number attributes a numeric StringValue, e.g. str(amount)."),
    _Entry("InvalidParameter", r"RedrivePolicy|deadLetterTargetArn",
           "A subscription's RedrivePolicy is {\"deadLetterTargetArn\": <the ARN of an SQS queue>}.",
           "Use the DLQ's QueueArn attribute (not its URL), as a JSON string."),
    _Entry("InvalidParameter", r"FilterPolicy|filter policy", "The filter policy is not one SNS accepts.",
           "A filter policy is a JSON object whose values are lists (json.dumps it); read AWS's message for the key."),
    _Entry("NotFound", r"[Tt]opic", "There is no topic with this ARN.", "Use the TopicArn that create_topic returned."),
    # ---- Lambda
    _Entry("ResourceConflictException", r"[Ss]tatement|StatementId|policy",
           "The function's policy already has a statement with this StatementId.",
           "If it is the one this cell added before, keep it (catch lam.exceptions.ResourceConflictException); to "
           "change it, remove_permission with that StatementId first."),
    _Entry("ResourceConflictException", r"event source mapping|already exists",
           "An event source mapping for this queue and function already exists.",
           "Find it with list_event_source_mappings(EventSourceArn=...) and change it with update_event_source_mapping."),
    _Entry("ResourceNotFoundException", r"Function not found", "Lambda has no function of that name.",
           "Check FunctionName: the name (or ARN) of a function that exists (list_functions shows them)."),
    _Entry("", r"EventSourceArn", "EventSourceArn must be the ARN of the event source (a queue's QueueArn attribute), "
           "not its URL or name.", "Read the queue's QueueArn with get_queue_attributes and pass that."),
    _Entry("ResourceInUseException", "", "The resource is still being created, updated or deleted.",
           "Wait until its State settles (get_event_source_mapping / get_function), then try again."),
    _Entry("ResourceNotFoundException", "", "The resource named in the call does not exist.",
           "Check its name or ARN; create it first if it belongs to an earlier step."),
    _Entry("InvalidParameterValueException", "", "A parameter has a value Lambda does not accept.",
           "Read the message: it names the parameter."),
    # ---- Step Functions (lab 4)
    _Entry("AccessDeniedException", r"states\.amazonaws\.com.*assume",
           "Step Functions may not assume the role: its trust policy does not name states.amazonaws.com.",
           "Give the role a trust policy allowing sts:AssumeRole to the Principal {'Service': 'states.amazonaws.com'} "
           "(update_assume_role_policy), then create the state machine again."),
    _Entry("ExecutionAlreadyExists", "", "This state machine already has an execution with that name (names are "
           "unique per machine for 90 days): the order was started before.",
           "Catch sfn.exceptions.ExecutionAlreadyExists and use the existing execution instead of starting another."),
    _Entry("InvalidDefinition", "", "Step Functions cannot read the state machine's definition (ASL).",
           "Read the message: it names the state and field (StartAt, Next, Resource, a JSONPath) to fix."),
    _Entry("StateMachineTypeNotSupported", "", "start_sync_execution runs only EXPRESS state machines.",
           "Deploy the machine with type EXPRESS (machine_type='EXPRESS'), or use start_execution for a STANDARD one."),
    _Entry("StateMachineDoesNotExist", "", "There is no state machine with that ARN.",
           "Use the ARN create_state_machine returned (deploy returns it); run the exercise that creates it first."),
    _Entry("InvalidName", "", "An execution or state machine name may have at most 80 characters: letters, digits, "
           "'-' and '_'.", "Pass a name such as the order id ('o-1001')."),
    _Entry("TaskTimedOut", "", "That task is no longer waiting: it was answered already, or timed out.",
           "Answer each task token once, before its TimeoutSeconds / HeartbeatSeconds run out."),
    _Entry("InvalidToken", "", "The task token is not one Step Functions handed out.",
           "Pass the token exactly as the task sent it ($$.Task.Token in the message)."),
    _Entry("EntityAlreadyExists", "", "IAM already has a role (or policy) of that name.",
           "Catch iam.exceptions.EntityAlreadyExistsException and update it (update_assume_role_policy, "
           "put_role_policy) instead."),
    _Entry("MalformedPolicyDocument", "", "IAM cannot read the policy document.",
           "Read the message: each statement needs Effect, Action and Resource (a trust policy: Principal)."),
    # ---- any service
    _Entry("AccessDenied", "", "The caller is not allowed to do this.", "Check the identity's policy and the resource policy."),
    _Entry("ValidationError", "", "A parameter is not valid.", "Read the message: it names the parameter."),
]


#: SQS's query protocol names some errors differently from its JSON protocol; one name each here.
_SQS_LEGACY = {"NonExistentQueue": "QueueDoesNotExist", "QueueNameExists": "QueueAlreadyExists"}


def error_parts(err: BaseException) -> tuple[str, str] | None:
    """(code, message) of an AWS or boto3 error; None for anything else. SQS's legacy codes
    (``AWS.SimpleQueueService.NonExistentQueue``) are read as their JSON-protocol names."""
    if isinstance(err, ClientError):
        error = err.response.get("Error", {})
        code = str(error.get("Code") or "Error").removeprefix("AWS.SimpleQueueService.")
        return _SQS_LEGACY.get(code, code), str(error.get("Message") or "")
    if isinstance(err, ParamValidationError):
        return "ParamValidation", str(err.kwargs.get("report", err))
    if isinstance(err, BotoCoreError):
        return type(err).__name__, str(err)
    return None


def explain(err: BaseException) -> Explanation | None:
    """The explanation of ``err``, or None when it is not an AWS/boto3 error.

    An AWS error nobody described here still gets its code and message, with a generic way on.
    """
    parts = error_parts(err)
    if parts is None:
        return None
    code, message = parts
    for entry in _KNOWN:
        if entry.code in (code, "") and re.search(entry.pattern, message, re.IGNORECASE | re.DOTALL):
            return Explanation(_shown_code(code), message, entry.means, entry.fix)
    return Explanation(_shown_code(code), message, "AWS refused the call.",
                       "Read AWS's message: it names the parameter or resource to fix.")


def _shown_code(code: str) -> str:
    return "ParamValidationError (boto3 checked the call before sending it)" if code == "ParamValidation" else code


__all__ = ["Explanation", "error_parts", "explain"]
