"""DynamoDB Streams through botocore's account-scoped endpoint.

botocore 1.44 resolves DynamoDB Streams calls that carry a stream ARN (DescribeStream,
GetShardIterator, ...) to the account-based endpoint ``https://<account>.streams-ddb.<region>.amazonaws.com``
(AWS SDKs: "account-based endpoints ... for DynamoDB", setting ``account_id_endpoint_mode``, default
``preferred``), and AWS serves it. moto 5.2.5 routes only ``streams.dynamodb.<region>.amazonaws.com``
and answers the new host with ``404 Not yet implemented``, so a student's plain
``boto3.client("dynamodbstreams").describe_stream(StreamArn=...)`` fails.

Fix: teach moto the host, in the two places it routes by URL: ``moto.backend_index.backend_url_patterns``
(which service a URL belongs to: used in-process by the botocore stubber and by the moto server's
dispatcher, which keeps a reference to the same list) and ``moto.dynamodbstreams.urls.url_bases``
(which handler inside the service), with :func:`.routes.add_host`. Adding a pattern keeps every
existing route as it was.
"""

from __future__ import annotations

from ..patching import Patch
from ..routes import add_host

NAME = "dynamodb_streams_endpoint"
#: The account-scoped DynamoDB Streams host botocore builds from the stream ARN's account id.
ACCOUNT_HOST = r"https?://(.+)\.streams-ddb\.(.+)\.amazonaws\.com"


def _apply() -> None:
    from moto.dynamodbstreams import urls

    add_host("dynamodbstreams", ACCOUNT_HOST, urls.url_bases)


PATCH = Patch(
    name=NAME,
    restores="DynamoDB Streams answers on the account-based endpoint <account>.streams-ddb.<region>.amazonaws.com "
             "that current SDKs use for calls carrying a stream ARN",
    plain_moto="answers 404 'Not yet implemented' to DescribeStream, GetShardIterator and GetRecords from a "
               "default boto3 client (only ListStreams works)",
    apply=_apply,
    targets={
        "moto.dynamodbstreams.urls:": "5c56104edc8a",
        "moto.core.botocore_stubber:BotocoreStubber.process_request": "f79a1a778c7e",
    },
)
