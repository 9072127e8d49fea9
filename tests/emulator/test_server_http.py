"""The shared emulator speaks HTTP/1.1 as AWS endpoints do: connections stay open between requests.

AWS's endpoints keep HTTP/1.1 connections alive and botocore reuses them (a connection pool per
client); werkzeug's development server, which moto's ThreadedMotoServer uses, answers every request
with "Connection: close" and waits up to 10 ms per request for leftover body bytes, which is most of
why the shared emulator reached half the embedded emulator's SQS request rate
(``benchmarks/shared_emulator.py``). These tests pin the HTTP behaviour the faster handler must keep.
"""

from __future__ import annotations

import http.client
import json
from urllib.parse import urlparse

SQS_HEADERS = {"Content-Type": "application/x-amz-json-1.0", "X-Amz-Target": "AmazonSQS.ListQueues",
               "Authorization": "AWS4-HMAC-SHA256 Credential=testing/20260101/us-east-1/sqs/aws4_request, "
                                "SignedHeaders=host, Signature=0"}


def _connection(url: str) -> http.client.HTTPConnection:
    parsed = urlparse(url)
    return http.client.HTTPConnection(parsed.hostname, parsed.port, timeout=10)


def test_requests_share_one_connection(emulator_server: str) -> None:
    conn = _connection(emulator_server)
    sockets = set()
    for _ in range(3):
        conn.request("POST", "/", body=json.dumps({}), headers=SQS_HEADERS)
        response = conn.getresponse()
        assert response.status == 200 and isinstance(json.loads(response.read()), dict)
        assert response.getheader("Connection") != "close"
        assert response.getheader("Content-Length") is not None
        sockets.add(id(conn.sock))
    assert len(sockets) == 1 and conn.sock is not None  # never reconnected
    conn.close()


def test_a_body_the_application_does_not_read_does_not_leak_into_the_next_request(emulator_server: str) -> None:
    conn = _connection(emulator_server)
    conn.request("GET", "/moto-api/data.json", body=b"x" * 100_000)  # moto ignores this body
    first = conn.getresponse()
    assert first.status == 200
    first.read()
    conn.request("POST", "/", body=json.dumps({}), headers=SQS_HEADERS)
    second = conn.getresponse()
    assert second.status == 200, second.read()
    assert isinstance(json.loads(second.read()), dict)
    conn.close()


def test_connection_close_and_chunked_bodies_are_honoured(emulator_server: str) -> None:
    conn = _connection(emulator_server)
    conn.request("POST", "/", body=iter([b"{", b"}"]), headers={**SQS_HEADERS, "Transfer-Encoding": "chunked"},
                 encode_chunked=True)
    chunked = conn.getresponse()
    assert chunked.status == 200, chunked.read()
    chunked.read()
    conn.close()
    conn = _connection(emulator_server)
    conn.request("POST", "/", body=json.dumps({}), headers={**SQS_HEADERS, "Connection": "close"})
    closing = conn.getresponse()
    assert closing.status == 200 and closing.getheader("Connection") == "close"
    closing.read()
    conn.close()


def test_a_head_answer_keeps_its_content_length(emulator_server: str) -> None:
    """S3 HeadObject answers with the object's Content-Length and no body (boto3's ContentLength)."""
    import boto3

    s3 = boto3.client("s3", endpoint_url=emulator_server, region_name="us-east-1", aws_access_key_id="testing",
                      aws_secret_access_key="testing")
    s3.create_bucket(Bucket="labs-head")
    s3.put_object(Bucket="labs-head", Key="order.json", Body=b"x" * 1234)
    assert s3.head_object(Bucket="labs-head", Key="order.json")["ContentLength"] == 1234
    assert s3.list_objects_v2(Bucket="labs-head")["KeyCount"] == 1  # the connection still frames correctly


# --------------------------------------------------------------------------- the faster paths, against the ones they replace
HEADER_BLOCKS = [
    b"Host: 127.0.0.1:5000\r\nX-Amz-Target: AmazonSQS.ListQueues\r\nContent-Length: 2\r\n\r\n",
    b"A: 1\r\na: 2\r\nEmpty:\r\nTabbed:\t \tv \r\n\r\n",  # duplicates (either case), empty, blanks around the value
    b"X-Meta: caf\xe9\r\nBare: lf\n\n",  # Latin-1 text, bare LF line ends
    b"Folded: one\r\n two\r\nNext: x\r\n\r\n",  # obsolete line folding
    b"No colon here\r\nAfter: x\r\n\r\n",
    b"Odd: a\rb\r\nNel: a\x85b\r\nX: y\r\n\r\n",  # characters the email parser splits lines on
    b"Spaced name : v\r\nok: 1\r\n\r\n",
    b":empty-name\r\nok: 1\r\n\r\n",
    b"Eof: no blank line\r\n",
]


def test_request_headers_are_parsed_as_the_standard_library_parses_them() -> None:
    import io

    from labs.helpers.emulator.server import _parse_header_lines, _read_header_lines

    for block in HEADER_BLOCKS:
        expected = http.client.parse_headers(io.BytesIO(block))
        parsed = _parse_header_lines(_read_header_lines(io.BytesIO(block)), http.client.HTTPMessage)
        assert isinstance(parsed, http.client.HTTPMessage)
        assert parsed.items() == expected.items(), block
        for name in {key.lower() for key in expected.keys()}:
            assert parsed.get_all(name) == expected.get_all(name), (block, name)


def _wsgi(app, environ):  # type: ignore[no-untyped-def]
    """(status, headers, body) of a WSGI app's answer, or (the exception's type, [], b"") if it raised."""
    started = []
    try:
        body = b"".join(app(environ, lambda status, headers, exc_info=None: started.append((status, headers))))
    except Exception as exc:  # noqa: BLE001 - moto's Flask app lets some errors propagate (the server answers 500)
        return type(exc), [], b""
    return started[0][0], started[0][1], body


def test_the_lean_dispatch_answers_as_moto_s_flask_app_does() -> None:
    """Same status, headers (in order) and body as Flask's dispatch, for JSON, query and error answers
    (and the same exception where Flask lets one through);
    a browser's request (Origin: CORS) and anything unusual still go through Flask."""
    import re

    from moto.moto_server.werkzeug_app import DomainDispatcherApplication, create_backend_app
    from werkzeug.test import EnvironBuilder

    from labs.helpers.emulator import server

    server.tune_server()
    dispatcher = DomainDispatcherApplication(create_backend_app)
    auth = "AWS4-HMAC-SHA256 Credential=testing/20260101/us-east-1/{}/aws4_request, SignedHeaders=host, Signature=0"
    requests = [
        ("sqs", {**SQS_HEADERS}, b"{}"),
        ("sqs", {**SQS_HEADERS, "X-Amz-Target": "AmazonSQS.GetQueueUrl"}, b'{"QueueName": "labs-lean-none"}'),
        ("sqs", {**SQS_HEADERS, "X-Amz-Target": "AmazonSQS.NoSuchAction"}, b"{}"),
        ("sns", {"Content-Type": "application/x-www-form-urlencoded", "Authorization": auth.format("sns")},
         b"Action=ListTopics&Version=2010-03-31"),
    ]

    def scrub(text: bytes) -> bytes:
        return re.sub(rb"[A-Za-z0-9-]{36,}", b"ID", text)  # request ids differ per answer

    for _service, headers, body in requests:
        def environ(extra=None):  # type: ignore[no-untyped-def]
            return EnvironBuilder(method="POST", path="/", base_url="http://127.0.0.1:5000",
                                  headers={**headers, **(extra or {})}, data=body).get_environ()

        app = dispatcher.get_application(environ())
        via_flask = _wsgi(app, environ())
        via_lean = _wsgi(lambda env, start: server._lean_response(app, env)(env, start), environ())
        assert via_lean[0] == via_flask[0]
        assert [(k, scrub(v.encode()).decode()) for k, v in via_lean[1] if k.lower() != "date"] == \
               [(k, scrub(v.encode()).decode()) for k, v in via_flask[1] if k.lower() != "date"]
        assert scrub(via_lean[2]) == scrub(via_flask[2])
        assert server._lean_kind(app) == "cors"
        assert server._lean_response(app, environ({"Origin": "http://localhost:8888"})) is None
    options = EnvironBuilder(method="OPTIONS", path="/", base_url="http://127.0.0.1:5000", headers=SQS_HEADERS).get_environ()
    assert server._lean_response(dispatcher.get_application(options), options) is None


def test_header_names_with_underscores_keep_their_spelling(emulator_server: str) -> None:
    """S3 user metadata keys may contain underscores (moto's make_environ keeps them; the faster one defers to it)."""
    import boto3

    s3 = boto3.client("s3", endpoint_url=emulator_server, region_name="us-east-1", aws_access_key_id="testing",
                      aws_secret_access_key="testing")
    s3.create_bucket(Bucket="labs-meta")
    s3.put_object(Bucket="labs-meta", Key="k", Body=b"x", Metadata={"my_key": "a", "other-key": "b"})
    assert s3.head_object(Bucket="labs-meta", Key="k")["Metadata"] == {"my_key": "a", "other-key": "b"}
