"""What the report tests share: both readers (line by line, in chunks) and lines of every form.

``by_lines`` feeds a text to :meth:`Scan.line` as ``for line in file`` would split it;
``by_chunks`` feeds it to :meth:`Scan.chunk` in chunks of ``size`` bytes; ``figures``
is what must agree between them (the JSON summary, the counts and every malformed
line with its number and reason).
"""

import io
import json
import pathlib

from hypothesis import strategies as st

from lambda_kit.prices import prices_for
from lambda_kit.report.render import summary
from lambda_kit.report.scan import LongLine, Scan, numbered_chunks

PRICES = {a: prices_for("us-east-1", a) for a in ("x86_64", "arm64")}
CORPUS = pathlib.Path(__file__).parent / "fixtures" / "report_corpus.jsonl"


def _scan(**kw) -> Scan:
    seen: list[tuple[int, str]] = []
    scan = Scan(PRICES, on_malformed=lambda where, n, why, line: seen.append((n, why)), **kw)
    scan.seen = seen  # type: ignore[attr-defined]
    return scan


def by_lines(text: bytes, **kw) -> Scan:
    scan = _scan(**kw)
    # as `for line in file` splits: an empty file has no lines
    pieces = text.split(b"\n") if text else []
    if text.endswith(b"\n"):
        pieces.pop()
    for number, raw in enumerate(pieces, start=1):
        scan.line("in", number, raw.decode("utf-8", "replace"))
    scan.finish()
    return scan


def by_chunks(text: bytes, size: int, **kw) -> Scan:
    scan = _scan(**kw)
    number = 1
    for chunk in numbered_chunks(io.BytesIO(text), size):
        if isinstance(chunk, LongLine):
            scan.long_line("in", number, chunk.head)
            number += 1
        else:
            number += scan.chunk("in", number, chunk)
    scan.finish()
    return scan


def figures(scan: Scan) -> tuple:
    return (
        json.dumps(summary(scan.total), sort_keys=True),
        scan.lines,
        scan.skipped,
        scan.malformed,
        scan.seen,  # type: ignore[attr-defined]
    )


durations = st.decimals(min_value="0.01", max_value="900000", places=2).map(str)
memories = st.sampled_from([128, 512, 1024, 1769, 3008, 10240])


@st.composite
def report_line(draw):
    memory = draw(memories)
    fields = [
        f"Duration: {draw(durations)} ms",
        f"Billed Duration: {draw(st.integers(1, 900_000))} ms",
        f"Memory Size: {memory} MB",
        f"Max Memory Used: {draw(st.integers(1, memory))} MB",
    ]
    tail = draw(
        st.sampled_from(
            [
                "",
                "",
                "",
                "Init Duration: 412.33 ms",
                "Status: timeout",
                "Init Duration: 9.5 ms\tStatus: error\tError Type: Runtime.OutOfMemory",
                "Duration: oops",
            ]
        )
    )
    sep = draw(st.sampled_from(["\t", " ", "  "]))
    prefix = draw(
        st.sampled_from(["", "2024-06-17T17:23:55.826Z ", "2023-06-02 11:00:01 x ", "junk "])
    )
    end = draw(st.sampled_from(["", "\t", " ", "\r"]))
    line = f"{prefix}REPORT RequestId: r{draw(st.integers(0, 99))}{sep}" + sep.join(fields)
    return line + (sep + tail if tail else "") + end


@st.composite
def export_line(draw):
    """A REPORT line as `aws logs filter-log-events` prints it: indented, or jq -c's whole event."""
    message = json.dumps(draw(report_line()) + draw(st.sampled_from(["\n", ""])))
    if draw(st.booleans()):
        return "            \"message\": " + message + draw(st.sampled_from([",", ""]))
    stream = draw(st.sampled_from(["2026/11/24/[$LATEST]0af3", "2026-11-24 10:00 odd", ""]))
    stamp = draw(st.integers(1_600_000_000_000, 1_900_000_000_000))
    colon = draw(st.sampled_from([":", ": "]))
    return (
        f'{{"logStreamName"{colon}"{stream}","timestamp"{colon}{stamp},"message"{colon}{message},'
        f'"ingestionTime"{colon}{stamp + 90},"eventId"{colon}"{stamp}"}}'
    )


@st.composite
def platform_line(draw):
    """A platform.report event as a function with AWS_LAMBDA_LOG_FORMAT=JSON logs it."""
    memory = draw(memories)
    metrics = {
        "durationMs": float(draw(durations)),
        "billedDurationMs": draw(st.integers(1, 900_000)),
        "memorySizeMB": memory,
        "maxMemoryUsedMB": draw(st.integers(1, memory)),
    }
    if draw(st.booleans()):
        metrics["initDurationMs"] = float(draw(durations))
    record = {"requestId": f"r{draw(st.integers(0, 99))}", "metrics": metrics,
              "status": draw(st.sampled_from(["success", "success", "timeout", "error"]))}
    if draw(st.integers(0, 4)) == 0:
        record["errorType"] = draw(st.sampled_from(["Runtime.OutOfMemory", "Sandbox.Timedout", ""]))
    if draw(st.integers(0, 6)) == 0:
        record["spans"] = [{"name": "responseLatency", "durationMs": 1.5}]
    event = {"time": draw(st.sampled_from(["2024-06-17T17:23:55.826Z", "2024-06-17T09:00:00Z"])),
             "type": "platform.report", "record": record}
    compact = draw(st.booleans())
    return json.dumps(event, separators=(",", ":") if compact else (", ", ": "))


other_lines = st.sampled_from(
    [
        "START RequestId: 1 Version: $LATEST",
        "END RequestId: 1",
        "",
        "2024-06-17T17:23:55.826Z\tabc\tINFO\tprocessing order 1234",
        "REPORT RequestId: 9\tDuration: 1.0 ms",
        '{"type": "invocation", "duration_ms": 3.2, "billed_duration_ms": 4, '
        '"function_memory_size": 256, "max_memory_used_mb": 70}',
        "{",
        '    "events": [',
        '            "timestamp": 1732400000000,',
        '            "message": "START RequestId: 1 Version: $LATEST\\n",',
        '            "message": "REPORT RequestId: 9\\tDuration: x ms",',
        '{"time":"2024-06-17T17:23:55.000Z","type":"platform.start","record":{"requestId":"1"}}',
        '{"timestamp":"2024-06-17T17:23:55Z","level":"INFO","message":"order 1 placed"}',
        '{"time":"2024-06-17T17:23:55.826Z","type":"platform.report","record":{"metrics":{"durationMs":-1}}}',
    ]
)


