"""CloudWatch Logs calls of ``lambda-kit report --log-group``: events, and Insights queries.

    for page in filter_events(logs, "/aws/lambda/orders", start_ms, end_ms):
        ...                                      # each page: a list of messages
    done = run_queries(logs, "/aws/lambda/orders", query, split(start_ms, end_ms, hours=10_000))

Both wait a bounded time for everything. Insights' limits (CloudWatch Logs API
reference, StartQuery): a query times out after 60 minutes, at most 30 queries run
at once per account (a StartQuery over that is refused with
LimitExceededException, which :func:`~lambda_kit.report.cloudwatch.call` retries),
and a query returns at most 10,000 rows. So a long range is cut into ranges whose
rows fit, a range whose query timed out is cut in two and run again, and at most
:data:`CONCURRENT` queries of ours run at once.
"""

from __future__ import annotations

import time
from collections.abc import Iterator
from contextlib import suppress
from typing import Any

from lambda_kit.report.cloudwatch import CloudError, call

#: queries of ours running at once (the account's limit, 30, is shared with dashboards)
CONCURRENT = 4
#: seconds between GetQueryResults polls, growing to the second figure
POLL_S = (0.25, 2.0)
#: how long one query may run before we stop waiting (Insights' own limit is 60 minutes)
QUERY_DEADLINE_S = 61 * 60.0
#: a timed-out range is halved at most this many times
MAX_SPLITS = 6
HOUR_MS = 3_600_000
#: events per FilterLogEvents page (None: the service's default, up to 10,000 or 1 MB)
PAGE_EVENTS: int | None = None
_DONE = frozenset({"Complete", "Failed", "Cancelled", "Timeout", "Unknown"})


def filter_events(
    logs: Any, group: str, start_ms: int, end_ms: int, filter_text: str | None = None
) -> Iterator[list[str]]:
    """Every event's message in ``[start_ms, end_ms)``, a page at a time, all streams
    interleaved (FilterLogEvents, following ``nextToken``)."""
    params: dict[str, Any] = {
        "logGroupName": group,
        "startTime": start_ms,
        "endTime": end_ms - 1,
    }
    if PAGE_EVENTS:
        params["limit"] = PAGE_EVENTS
    if filter_text:
        # a quoted term matches the text as it is (filter pattern syntax)
        params["filterPattern"] = '"' + filter_text.replace('"', '\\"') + '"'
    token = None
    seen = set()
    while True:
        page = call(
            logs,
            "filter_log_events",
            "logs:FilterLogEvents",
            **params,
            **({"nextToken": token} if token else {}),
        )
        yield [str(e.get("message", "")) for e in page.get("events", [])]
        token = page.get("nextToken")
        if not token or token in seen:  # a repeated token would loop forever
            return
        seen.add(token)


def split(start_ms: int, end_ms: int, *, hours: int) -> list[tuple[int, int]]:
    """``[start_ms, end_ms)`` cut into ranges of at most ``hours`` hours."""
    if end_ms <= start_ms:
        raise ValueError("the time range is empty: the start is not before the end")
    step = hours * HOUR_MS
    return [(t, min(t + step, end_ms)) for t in range(start_ms, end_ms, step)]


class Query:
    """One StartQuery over one range; ``rows`` once it completed."""

    def __init__(self, start_ms: int, end_ms: int, depth: int = 0) -> None:
        self.start_ms, self.end_ms, self.depth = start_ms, end_ms, depth
        self.query_id: str | None = None
        self.started = 0.0
        self.status = "Scheduled"
        self.answer: dict[str, Any] = {}


def run_queries(
    logs: Any,
    group: str,
    query: str,
    ranges: list[tuple[int, int]],
    *,
    concurrent: int = CONCURRENT,
    deadline_s: float = QUERY_DEADLINE_S,
    sleep: Any = time.sleep,
) -> list[Query]:
    """Run ``query`` over each range; completed queries come back in time order.

    A range whose query timed out is halved and run again (at most :data:`MAX_SPLITS`
    times). On Ctrl-C the running queries are stopped (StopQuery) and
    ``KeyboardInterrupt`` carries the completed ones in ``args[0]``.
    """
    waiting = [Query(a, b) for a, b in ranges]
    running: list[Query] = []
    done: list[Query] = []
    try:
        pause = POLL_S[0]
        while waiting or running:
            while waiting and len(running) < concurrent:
                q = waiting.pop(0)
                _start(logs, group, query, q)
                running.append(q)
            sleep(pause)
            pause = min(POLL_S[1], pause * 2)
            for q in list(running):
                _poll(logs, q, deadline_s)
                if q.status not in _DONE:
                    continue
                running.remove(q)
                if q.status == "Complete":
                    done.append(q)
                elif q.status == "Timeout" and q.depth < MAX_SPLITS and q.end_ms - q.start_ms > 1:
                    middle = (q.start_ms + q.end_ms) // 2
                    waiting[:0] = [
                        Query(q.start_ms, middle, q.depth + 1),
                        Query(middle, q.end_ms, q.depth + 1),
                    ]
                    pause = POLL_S[0]
                else:
                    raise CloudError(
                        f"the Logs Insights query over {_span(q)} ended {q.status}"
                        + (" (even when cut into small ranges)" if q.status == "Timeout" else "")
                    )
    except KeyboardInterrupt:
        for q in running:
            _stop(logs, q)
        done.sort(key=lambda q: q.start_ms)
        raise KeyboardInterrupt(done) from None
    except CloudError:
        for q in running:
            _stop(logs, q)
        raise
    done.sort(key=lambda q: q.start_ms)
    return done


def _start(logs: Any, group: str, query: str, q: Query) -> None:
    answer = call(
        logs,
        "start_query",
        "logs:StartQuery",
        logGroupName=group,
        # StartQuery takes whole seconds and includes its end: ranges meet on a second, so
        # only an event stamped on that very millisecond could be seen by both
        startTime=q.start_ms // 1000,
        endTime=q.end_ms // 1000,
        queryString=query,
        limit=10_000,
    )
    q.query_id = str(answer["queryId"])
    q.started = time.monotonic()
    q.status = "Running"


def _poll(logs: Any, q: Query, deadline_s: float) -> None:
    answer = call(logs, "get_query_results", "logs:GetQueryResults", queryId=q.query_id)
    q.status = str(answer.get("status", "Unknown"))
    if q.status == "Complete":
        q.answer = answer
    elif q.status not in _DONE and time.monotonic() - q.started > deadline_s:
        _stop(logs, q)
        q.status = "Timeout"


def _stop(logs: Any, q: Query) -> None:
    if q.query_id is None:
        return
    # it may have finished meanwhile: nothing else to do then
    with suppress(CloudError):
        call(logs, "stop_query", "logs:StopQuery", attempts=1, queryId=q.query_id)


def _span(q: Query) -> str:
    def iso(ms: int) -> str:
        return time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime(ms / 1000))

    return f"{iso(q.start_ms)} .. {iso(q.end_ms)}"
