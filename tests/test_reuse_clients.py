"""boto3_client() and http_session(): made once, kept alive, one TCP connection reused."""

from __future__ import annotations

from typing import Any

import pytest
from _reuse_helpers import CountingHTTPServer, Invoker
from botocore.config import Config

from lambda_kit import boto3_client, http_session

_LIST_BUCKETS = (
    b'<?xml version="1.0" encoding="UTF-8"?>'
    b'<ListAllMyBucketsResult xmlns="http://s3.amazonaws.com/doc/2006-03-01/">'
    b"<Owner><ID>lk</ID></Owner><Buckets><Bucket><Name>orders</Name>"
    b"<CreationDate>2026-01-01T00:00:00.000Z</CreationDate></Bucket></Buckets>"
    b"</ListAllMyBucketsResult>"
)

_CREDENTIALS = {"aws_access_key_id": "lk-test", "aws_secret_access_key": "lk-test"}


@pytest.fixture
def s3_server() -> Any:
    server = CountingHTTPServer(_LIST_BUCKETS, "application/xml")
    yield server
    server.close()


def test_boto3_client_is_made_once_per_service_region_endpoint(s3_server: Any) -> None:
    a = boto3_client("s3", region_name="eu-west-1", endpoint_url=s3_server.url, **_CREDENTIALS)
    b = boto3_client("s3", region_name="eu-west-1", endpoint_url=s3_server.url, **_CREDENTIALS)
    c = boto3_client("s3", region_name="us-east-1", endpoint_url=s3_server.url, **_CREDENTIALS)
    assert a is b
    assert c is not a
    assert c.meta.region_name == "us-east-1"


def test_boto3_client_turns_tcp_keepalive_on() -> None:
    client = boto3_client("sqs", region_name="eu-west-1", **_CREDENTIALS)
    assert client.meta.config.tcp_keepalive is True


def test_boto3_client_keeps_the_users_config() -> None:
    config = Config(tcp_keepalive=False, connect_timeout=1.5)
    client = boto3_client("sns", region_name="eu-west-1", config=config, **_CREDENTIALS)
    assert client.meta.config.tcp_keepalive is False
    assert client.meta.config.connect_timeout == 1.5


def test_boto3_client_reuses_one_tcp_connection_across_invocations(s3_server: Any) -> None:
    def handler(event: Any, context: Any) -> Any:
        s3 = boto3_client(
            "s3", region_name="ap-south-1", endpoint_url=s3_server.url, **_CREDENTIALS
        )
        return [b["Name"] for b in s3.list_buckets()["Buckets"]]

    invoke = Invoker(handler)
    results = [invoke() for _ in range(5)]
    assert all(result == ["orders"] for result, _ in results)
    assert len(s3_server.peers) == 1
    # other tests made s3 clients first, so this one's name is boto3.s3#N: one per record
    names = [list(record["connections"]) for _, record in results]
    assert all(len(n) == 1 and n[0].startswith("boto3.s3") for n in names)
    states = [record["connections"][names[0][0]]["state"] for _, record in results]
    assert states == ["created"] + ["reused"] * 4


def test_http_session_reuses_one_tcp_connection_across_invocations() -> None:
    server = CountingHTTPServer()
    try:
        invoke = Invoker(lambda event, context: http_session().get(server.url, timeout=5).text)
        results = [invoke() for _ in range(5)]
    finally:
        server.close()
    assert [result for result, _ in results] == ["ok"] * 5
    assert len(server.peers) == 1
    assert http_session() is http_session()
    assert [r["connections"]["http"]["state"] for _, r in results][1:] == ["reused"] * 4
