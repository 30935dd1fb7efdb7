"""The Runtime API server, spoken to over real HTTP as the runtime client speaks to it."""

from __future__ import annotations

import http.client
import json
import socket
import threading
import time

import pytest

from lambda_kit.local.server import Invocation, RuntimeAPIServer

NEXT = "/2018-06-01/runtime/invocation/next"


@pytest.fixture
def server():
    s = RuntimeAPIServer()
    yield s
    s.close()


def _invocation(request_id="req-1", timeout_s=3.0):
    return Invocation(
        request_id, b'{"a": 1}', timeout_s=timeout_s, function_arn="arn:fn", trace_id="Root=1-x"
    )


def _events(server, n):
    return [server.events.get(timeout=5) for _ in range(n)]


def test_next_returns_the_event_with_lambdas_headers(server):
    server.give(_invocation(timeout_s=3.0))
    conn = http.client.HTTPConnection(server.address, timeout=5)
    conn.request("GET", NEXT)
    resp = conn.getresponse()
    assert resp.status == 200
    assert resp.read() == b'{"a": 1}'
    assert resp.getheader("Lambda-Runtime-Aws-Request-Id") == "req-1"
    assert resp.getheader("Lambda-Runtime-Invoked-Function-Arn") == "arn:fn"
    assert resp.getheader("Lambda-Runtime-Trace-Id") == "Root=1-x"
    deadline = int(resp.getheader("Lambda-Runtime-Deadline-Ms"))
    assert 0 < deadline - time.time() * 1000 <= 3000
    assert [e[0] for e in _events(server, 2)] == ["next", "started"]


def test_next_waits_until_an_event_is_given(server):
    conn = http.client.HTTPConnection(server.address, timeout=5)
    got = []
    t = threading.Thread(target=lambda: (conn.request("GET", NEXT), got.append(conn.getresponse())))
    t.start()
    assert server.events.get(timeout=5)[0] == "next"
    assert got == []  # still waiting
    server.give(_invocation())
    t.join(5)
    assert got[0].status == 200


def test_a_response_is_accepted_once_for_the_current_request(server):
    server.give(_invocation())
    conn = http.client.HTTPConnection(server.address, timeout=5)
    conn.request("GET", NEXT)
    conn.getresponse().read()
    conn.request("POST", "/2018-06-01/runtime/invocation/req-1/response", body=b'{"ok":1}')
    first = conn.getresponse()
    first.read()
    conn.request("POST", "/2018-06-01/runtime/invocation/req-1/response", body=b'{"ok":2}')
    second = conn.getresponse()
    second.read()
    assert (first.status, second.status) == (202, 400)
    kind, _, (request_id, body) = _events(server, 3)[2]
    assert (kind, request_id, body) == ("response", "req-1", b'{"ok":1}')


def test_an_error_takes_its_type_from_the_body_when_no_header_says_it(server):
    server.give(_invocation())
    conn = http.client.HTTPConnection(server.address, timeout=5)
    conn.request("GET", NEXT)
    conn.getresponse().read()
    error = json.dumps({"errorType": "KeyError", "errorMessage": "'a'"}).encode()
    conn.request("POST", "/2018-06-01/runtime/invocation/req-1/error", body=error)
    assert conn.getresponse().status == 202
    assert _events(server, 3)[2][2] == ("req-1", "KeyError", error)


def test_an_init_error_takes_its_type_from_the_header(server):
    conn = http.client.HTTPConnection(server.address, timeout=5)
    conn.request(
        "POST",
        "/2018-06-01/runtime/init/error",
        body=b"{}",
        headers={"Lambda-Runtime-Function-Error-Type": "Runtime.ImportModuleError"},
    )
    assert conn.getresponse().status == 202
    assert server.events.get(timeout=5)[2] == ("Runtime.ImportModuleError", b"{}")


def test_an_unknown_route_is_404(server):
    conn = http.client.HTTPConnection(server.address, timeout=5)
    conn.request("GET", "/2018-06-01/runtime/nope")
    assert conn.getresponse().status == 404


def test_connections_have_nagle_turned_off(server):
    # without TCP_NODELAY every warm invoke waits ~40-90 ms for a delayed ACK
    with socket.create_connection((server.host, server.port), timeout=5):
        for _ in range(100):
            conns = list(server._connections)
            if conns:
                break
            time.sleep(0.01)
        assert conns[0].getsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY) == 1


def test_closing_ends_a_waiting_next_and_frees_the_port(server):
    conn = http.client.HTTPConnection(server.address, timeout=5)
    errors = []

    def wait_next():
        try:
            conn.request("GET", NEXT)
            conn.getresponse()
        except (OSError, http.client.HTTPException) as exc:
            errors.append(exc)

    t = threading.Thread(target=wait_next)
    t.start()
    server.events.get(timeout=5)
    server.close()
    t.join(5)
    assert not t.is_alive() and errors
    again = RuntimeAPIServer(server.port)  # the same port can be bound again
    again.close()
