"""lambda_kit.web against real servers: uvicorn (FastAPI) and waitress (Flask) on 127.0.0.1,
sent the Lambda Web Adapter's readiness checks and invocation headers with httpx."""

from __future__ import annotations

import asyncio
import time

import httpx
import pytest
from _web_helpers import ARN, lambda_headers, serve


@pytest.fixture(scope="module")
def asgi(tmp_path_factory):
    with serve("asgi", tmp_path_factory.mktemp("asgi")) as served:
        served.polls = served.ready()
        yield served


@pytest.fixture(scope="module")
def wsgi(tmp_path_factory):
    with serve("wsgi", tmp_path_factory.mktemp("wsgi")) as served:
        served.polls = served.ready()
        yield served


def _by_id(served, request_id, timeout_s=10.0):
    end = time.monotonic() + timeout_s
    while time.monotonic() < end:
        found = [r for r in served.records() if r["function_request_id"] == request_id]
        if found:
            return found
        time.sleep(0.02)
    raise AssertionError(f"no record for {request_id}")


# the first test of each module sends the process's first invocation: order matters here
def test_asgi_readiness_checks_write_no_record_and_the_first_invocation_is_cold(asgi):
    assert asgi.records() == []  # readiness polls so far: none is an invocation
    for _ in range(3):  # more checks, as the adapter's poll would send after a slow start
        assert httpx.get(asgi.url + "/ready").status_code == 200
    headers = lambda_headers("cold-1", trace_root="1-6b0e9611-2e4042d86de242eab968206e")
    r = httpx.get(asgi.url + "/items/7?tag=a", headers=headers)
    assert r.json() == {"item_id": 7, "tag": "a"}
    (cold,) = _by_id(asgi, "cold-1")
    assert cold["cold_start"] is True and cold["invocation_count"] == 1
    assert cold["init_duration_ms"] > 0
    phases = cold["init"]["phases"]
    assert phases["readiness_wait_ms"] >= 0 and "app_startup_ms" in phases
    assert sum(phases.values()) == pytest.approx(cold["init"]["total_ms"], abs=0.01)
    r2 = httpx.get(asgi.url + "/items/8", headers=lambda_headers("warm-2"))
    assert r2.status_code == 200
    (warm,) = _by_id(asgi, "warm-2")
    assert warm["cold_start"] is False and warm["invocation_count"] == 2
    assert "init" not in warm and "init_duration_ms" not in warm
    assert len(asgi.records()) == 2  # 3 + the fixture's readiness checks wrote nothing


def test_asgi_record_carries_the_adapter_headers_facts_and_http_facts(asgi):
    headers = lambda_headers("facts-1", trace_root="1-5759e988-bd862e3fe1be46a994272793",
                             api_request_id="Xyz123=")
    httpx.get(asgi.url + "/items/11?tag=x", headers=headers)
    (rec,) = _by_id(asgi, "facts-1")
    assert rec["function_name"] == "web-fn" and rec["function_version"] == "7"
    assert rec["function_arn"] == ARN and rec["function_memory_size"] == 1024
    assert rec["xray_trace_id"] == "1-5759e988-bd862e3fe1be46a994272793"
    assert rec["service"] == "web-test" and rec["status"] == "success"
    assert rec["http_method"] == "GET" and rec["http_route"] == "/items/{item_id}"
    assert rec["http_status"] == 200 and rec["http_response_bytes"] == len(b'{"item_id":11,"tag":"x"}')
    assert rec["api_request_id"] == "Xyz123="
    keys = list(rec)
    assert keys[-4:] == ["http_route", "http_status", "http_response_bytes", "api_request_id"][-4:]


def test_asgi_exception_is_an_error_named_by_its_type(asgi):
    r = httpx.get(asgi.url + "/boom", headers=lambda_headers("boom-1"))
    assert r.status_code == 500
    (rec,) = _by_id(asgi, "boom-1")
    assert rec["status"] == "error" and rec["error_type"] == "LookupError"
    assert rec["level"] == "ERROR" and rec["http_status"] == 500


def test_asgi_5xx_response_is_an_error(asgi):
    r = httpx.get(asgi.url + "/unavailable", headers=lambda_headers("503-1"))
    assert r.status_code == 503
    (rec,) = _by_id(asgi, "503-1")
    assert rec["status"] == "error" and rec["error_type"] == "HTTPError"
    assert rec["http_status"] == 503


def test_asgi_streamed_response_is_unbuffered_and_timed_to_its_last_chunk(asgi):
    arrivals = []
    with httpx.stream("GET", asgi.url + "/stream?n=3&gap=0.3",
                      headers=lambda_headers("sse-1")) as r:
        for chunk in r.iter_raw():
            arrivals.append((time.monotonic(), chunk))
    # the first event reached the client while the app was still producing the rest
    assert len(arrivals) >= 2 and arrivals[0][1].startswith(b"data: 0")
    (rec,) = _by_id(asgi, "sse-1")
    assert rec["duration_ms"] >= 600  # two 0.3 s gaps before the last chunk: a lower bound
    assert rec["http_response_bytes"] == sum(len(c) for _, c in arrivals)


def test_asgi_concurrent_requests_keep_their_own_request_ids_in_logs_and_records(asgi):
    async def go():
        async with httpx.AsyncClient(base_url=asgi.url) as client:
            # the later requests sleep less: they finish first, interleaved with the others
            return await asyncio.gather(*(
                client.get(f"/items/{i}?tag=t{i}&sleep={0.05 * (8 - i)}",
                           headers=lambda_headers(f"conc-{i}"))
                for i in range(8)))

    responses = asyncio.run(go())
    assert [r.json()["tag"] for r in responses] == [f"t{i}" for i in range(8)]
    for i in range(8):
        _by_id(asgi, f"conc-{i}")
    logs = [line for line in asgi.lines() if line.get("message") == "item served"
            and str(line.get("tag", "")).startswith("t")]
    assert {line["tag"]: line["function_request_id"] for line in logs} == {
        f"t{i}": f"conc-{i}" for i in range(8)}


def test_asgi_deadline_gives_a_timeout_record_per_request(asgi):
    deadline = int(time.time() * 1000) + 400
    slow = httpx.get(asgi.url + "/items/1?sleep=1.0&tag=late",
                     headers=lambda_headers("late-1", deadline_ms=deadline), timeout=10)
    assert slow.status_code == 200  # the app's answer still goes through
    recs = _by_id(asgi, "late-1")
    assert len(recs) == 1  # the end of the request did not write a second one
    assert recs[0]["status"] == "timeout" and recs[0]["http_method"] == "GET"


def test_wsgi_readiness_checks_write_no_record_and_the_first_invocation_is_cold(wsgi):
    assert wsgi.records() == []
    httpx.get(wsgi.url + "/ready")
    r = httpx.get(wsgi.url + "/orders/5?tag=a", headers=lambda_headers("w-cold"))
    assert r.json() == {"order_id": 5, "tag": "a"}
    (cold,) = _by_id(wsgi, "w-cold")
    assert cold["cold_start"] is True and cold["service"] == "wsgi-test"
    assert cold["http_route"] == "/orders/<int:order_id>" and cold["http_status"] == 200
    assert "readiness_wait_ms" in cold["init"]["phases"]
    httpx.get(wsgi.url + "/orders/6", headers=lambda_headers("w-warm"))
    (warm,) = _by_id(wsgi, "w-warm")
    assert warm["cold_start"] is False and warm["invocation_count"] == 2


def test_wsgi_error_and_streamed_body(wsgi):
    r = httpx.get(wsgi.url + "/boom", headers=lambda_headers("w-boom"))
    assert r.status_code == 500
    (rec,) = _by_id(wsgi, "w-boom")
    assert rec["status"] == "error" and rec["error_type"] == "HTTPError"
    r = httpx.get(wsgi.url + "/chunks", headers=lambda_headers("w-chunks"))
    (rec,) = _by_id(wsgi, "w-chunks")
    assert rec["http_response_bytes"] == len(r.content) == 24
    assert rec["duration_ms"] >= 200  # timed to the last chunk (two 0.1 s gaps before it)


def test_wsgi_threads_keep_their_own_request_ids(wsgi):
    async def go():
        async with httpx.AsyncClient(base_url=wsgi.url) as client:
            return await asyncio.gather(*(
                client.get(f"/orders/{i}?tag=t{i}&sleep={0.03 * (6 - i)}",
                           headers=lambda_headers(f"wt-{i}"))
                for i in range(6)))

    asyncio.run(go())
    for i in range(6):
        _by_id(wsgi, f"wt-{i}")
    logs = [line for line in wsgi.lines() if line.get("message") == "order served"
            and str(line.get("tag", "")).startswith("t")]
    assert {line["tag"]: line["function_request_id"] for line in logs} == {
        f"t{i}": f"wt-{i}" for i in range(6)}
    assert len({line["thread"] for line in logs}) > 1  # they really ran on several threads


def test_uvicorn_workers_are_separate_environments_each_with_its_cold_start(tmp_path):
    with serve("asgi", tmp_path, workers=2) as served:
        served.ready()

        async def go():
            async with httpx.AsyncClient(base_url=served.url) as client:
                return await asyncio.gather(*(
                    client.get(f"/items/{i}?sleep=0.2&tag=k{i}", headers=lambda_headers(f"wk-{i}"))
                    for i in range(12)))

        asyncio.run(go())
        records = served.wait_records(12)
        logs = [line for line in served.lines() if line.get("message") == "item served"]
    pid_of = {line["function_request_id"]: line["pid"] for line in logs}
    by_pid: dict[int, list[dict]] = {}
    for rec in records:
        by_pid.setdefault(pid_of[rec["function_request_id"]], []).append(rec)
    for recs in by_pid.values():  # each worker process: one cold start, its own count
        assert sum(r["cold_start"] for r in recs) == 1
        assert sorted(r["invocation_count"] for r in recs) == list(range(1, len(recs) + 1))
