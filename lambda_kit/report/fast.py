"""The shapes the fast chunked reader knows: one regular expression per form of line.

    form = form_of(chunk)                  # text, export or platform (or None)
    rows = form.pattern.findall(b"\\n" + chunk + b"\\n")

Each pattern matches one whole line of the common shape of its form and nothing
else; :class:`~lambda_kit.report.scan.Scan` counts a chunk with it only when every
line that could report an invocation matched, and reads the chunk line by line
otherwise. So a pattern only has to be exact about what it accepts: every line it
matches must read, through :func:`~lambda_kit.report.parse.parse_line`, as one
invocation with the same figures. That is why the bounds of
:mod:`lambda_kit.report.values` are written into the patterns (at most 7 integer
digits for a duration: under 10,000,000 ms; Max Memory Used up to 32,768; the
memory sizes of a chunk are checked by the scanner), why JSON numbers follow
JSON's syntax (no leading zeros), and why a JSON string here holds no backslash
or control character.

Speed: every pattern starts with the literal ``\\n`` (the scanner puts one before
the first line), so the engine jumps from line to line with a character search
instead of trying ``^`` at every byte; character classes are written as byte
ranges (a bitmap test, not a category test); and the JSON forms come in a compact
(``"a":1,"b":2``, as Lambda and ``jq -c`` write) and a spaced (``"a": 1, "b": 2``,
as the AWS CLI and Python write) variant, chosen per chunk, rather than one
pattern with an optional space at every separator. Each row is
``(stamp, stamp, duration, span, memory size, tail)``.
"""

from __future__ import annotations

import re
import time

from lambda_kit.report.parse import Sample, parse_report_text
from lambda_kit.report.values import MAX_MEMORY_MB, MIN_MEMORY_MB

# under 10,000,000 ms (values.MAX_MS): text allows leading zeros, JSON does not
_MS_TEXT = rb"[0-9]{1,7}(?:\.[0-9]+)?"
_MS_JSON = rb"(?:0|[1-9][0-9]{0,6})(?:\.[0-9]+)?"
_WHOLE_MS_TEXT = rb"[0-9]{1,7}"
_WHOLE_MS_JSON = rb"(?:0|[1-9][0-9]{0,6})"
# 0 to 32,768 (values.MAX_MEMORY_MB), as text and as a JSON integer
_USED = rb"(?:[0-9]{1,4}|[12][0-9]{4}|3[01][0-9]{3}|32[0-6][0-9]{2}|327[0-5][0-9]|3276[0-8])"
_USED_JSON = (
    rb"(?:0|[1-9][0-9]{0,3}|[12][0-9]{4}|3[01][0-9]{3}|32[0-6][0-9]{2}|327[0-5][0-9]|3276[0-8])"
)
assert MAX_MEMORY_MB == 32_768  # the two patterns above spell it out
# a request id, a stream name: printable ASCII without space, quote or backslash
_TOKEN = rb"[!#-\[\]-~]"
# the rest of a JSON string (time, errorType): no quote, backslash or control character
_STRING_REST = rb'[^"\\\x00-\x1f]'

# One text REPORT line, bare or after a timestamp (sam logs, aws logs tail). The span
# "billed ms ... Memory Size: M MB ... Max Memory Used: U" is one bytes key (counting one
# bytes object is twice as fast as counting a tuple); the tail is the rest of the line
# when it says more (Init Duration, Status, Error Type, a joined XRAY line).
_TEXT = re.compile(
    rb"\n(?:(\d{4}-\d{2}-\d{2})[T ](\d{2}:\d{2})[^\n]*?)?"
    rb"REPORT RequestId: [!-\xff]+[\t ]+Duration: (" + _MS_TEXT + rb") ms[\t ]+"
    rb"Billed Duration: (" + _WHOLE_MS_TEXT + rb" ms[\t ]+Memory Size: ([0-9]{3,5}) MB[\t ]+"
    rb"Max Memory Used: " + _USED + rb") MB[\t ]*([^\n]*)(?=\n)"
)


def _json_form(template: bytes, spaced: bool) -> re.Pattern[bytes]:
    """A JSON pattern with ``<:>`` and ``<,>`` as the separators of one variant."""
    colon, comma = (b": ", b", ") if spaced else (b":", b",")
    return re.compile(template.replace(b"<:>", colon).replace(b"<,>", comma))


# The same inside a JSON string, as `aws logs filter-log-events` prints an event: alone on a
# line (the CLI's indented JSON: no date there) or as a whole event on one line (jq -c:
# dated by its epoch "timestamp"). CloudWatch separates the fields with tabs (\t escapes);
# the tail holds only \t and \n escapes.
_EXPORT_TEMPLATE = (
    rb'\n(?:[ \t]*|\{"logStreamName"<:>"' + _TOKEN + rb'*"<,>"timestamp"<:>(\d{13})<,>)()'
    rb'"message"<:>"REPORT RequestId: ' + _TOKEN + rb"+\\tDuration: (" + _MS_TEXT + rb") ms\\t"
    rb"Billed Duration: (" + _WHOLE_MS_TEXT + rb" ms\\tMemory Size: ([0-9]{3,5}) MB\\t"
    rb"Max Memory Used: " + _USED + rb") MB"
    rb'(?:(?:\\t| )*(?:\\n)?"|((?:[^"\\\x00-\x1f]|\\[tn])+)")'
    rb'(?:,?|<,>"ingestionTime"<:>\d+<,>"eventId"<:>"\d+"\})[ \t]*\r?(?=\n)'
)
# A platform.report event (AWS_LAMBDA_LOG_FORMAT=JSON, the Telemetry API) in the key order
# Lambda writes it: time, type, record {requestId, metrics {...}, status[, errorType]}. The
# tail holds the rest when there is more than a success: initDurationMs, a status, an
# errorType. Any other key, order or spacing goes to the general parser.
_PLATFORM_TEMPLATE = (
    rb'\n\{"time"<:>"(\d{4}-\d{2}-\d{2}T\d{2}:\d{2})' + _STRING_REST + rb'*"()<,>'
    rb'"type"<:>"platform\.report"<,>"record"<:>\{"requestId"<:>"' + _TOKEN + rb'*"<,>'
    rb'"metrics"<:>\{"durationMs"<:>(' + _MS_JSON + rb")<,>"
    rb'"billedDurationMs"<:>(' + _WHOLE_MS_JSON + rb'<,>"memorySizeMB"<:>([1-9][0-9]{2,4})<,>'
    rb'"maxMemoryUsedMB"<:>' + _USED_JSON + rb")"
    rb'(?:\}<,>"status"<:>"success"\}\}|((?:<,>"initDurationMs"<:>' + _MS_JSON + rb")?\}<,>"
    rb'"status"<:>"(?:success|error|timeout)"(?:<,>"errorType"<:>"' + _STRING_REST + rb'*")?\}\}))'
    rb"[ \t]*\r?(?=\n)"
)
_PLATFORM_TAIL_TEMPLATE = (
    rb'(?:<,>"initDurationMs"<:>([0-9.]+))?\}<,>"status"<:>"(\w+)"'
    rb'(?:<,>"errorType"<:>"([^"\\]*)")?'
)
_PLATFORM_TAIL = _json_form(_PLATFORM_TAIL_TEMPLATE, False)
_PLATFORM_TAIL_SPACED = _json_form(_PLATFORM_TAIL_TEMPLATE, True)
_SPAN = re.compile(
    rb"(\d+) ms(?:[\t ]|\\t)+Memory Size: (\d+) MB(?:[\t ]|\\t)+Max Memory Used: (\d+)"
    rb'|(\d+), ?"memorySizeMB": ?(\d+), ?"maxMemoryUsedMB": ?(\d+)'
)
_INIT_ONLY = re.compile(rb"Init Duration: (" + _MS_TEXT + rb") ms")


class Form:
    """One shape of line: its pattern, the marker every line of it holds, how it is dated."""

    __slots__ = ("kind", "marker", "pattern", "spaced")

    def __init__(self, kind: str, pattern: re.Pattern[bytes], marker: bytes, spaced: bool) -> None:
        self.kind = kind
        self.pattern = pattern
        self.marker = marker
        self.spaced = spaced

    def minute(self, first: bytes, second: bytes) -> str:
        """``YYYY-MM-DDTHH:MM`` from a row's two stamp groups, as the line parser dates."""
        if self.kind == "text":
            return f"{first.decode()}T{second.decode()}"
        if self.kind == "export":  # epoch ms
            return time.strftime("%Y-%m-%dT%H:%M", time.gmtime(int(first) / 1000))
        return first.decode()


TEXT = Form("text", _TEXT, b"REPORT RequestId:", False)
EXPORT = Form("export", _json_form(_EXPORT_TEMPLATE, False), b"REPORT RequestId:", False)
EXPORT_SPACED = Form("export", _json_form(_EXPORT_TEMPLATE, True), b"REPORT RequestId:", True)
PLATFORM = Form("platform", _json_form(_PLATFORM_TEMPLATE, False), b"platform.report", False)
PLATFORM_SPACED = Form("platform", _json_form(_PLATFORM_TEMPLATE, True), b"platform.report", True)


def form_of(data: bytes) -> Form | None:
    """The one form a chunk can be counted in, or None (our records, forms mixed)."""
    if b'"' not in data:  # every other form is JSON: text lines only (a memchr, ~free)
        return TEXT
    if b"invocation" in data or b"platform_report" in data:
        return None  # our records and platform lines are left to the general parser
    if b"platform.report" in data:
        if b"REPORT RequestId:" in data:
            return None
        return PLATFORM if b'"type":"platform.report"' in data else PLATFORM_SPACED
    if b'message"' in data:
        return EXPORT_SPACED if b'"message": "' in data else EXPORT
    return TEXT


def sizes_in_range(sizes: set[bytes]) -> bool:
    """Whether every memory size a chunk's rows hold is one Lambda can have."""
    return all(MIN_MEMORY_MB <= int(size) <= MAX_MEMORY_MB for size in sizes)


def span(value: bytes) -> tuple[bytes, bytes, bytes]:
    """(billed ms, memory size, max memory used) of a span of any form."""
    m = _SPAN.match(value)
    assert m is not None  # the patterns only capture spans of these shapes
    billed, memory, used, *json_form = m.groups()
    return (billed, memory, used) if billed is not None else tuple(json_form)  # type: ignore[return-value]


def row_sample(row: tuple[bytes, ...], form: Form) -> Sample:
    """A row that says more than the four figures, read as its line would be."""
    stamp = form.minute(row[0], row[1]) if row[0] else None
    billed, memory, used = span(row[3])
    if form.kind == "platform":
        tail = _PLATFORM_TAIL_SPACED if form.spaced else _PLATFORM_TAIL
        init, status, error = tail.match(row[5]).groups()  # type: ignore[union-attr]
        return Sample(
            float(row[2]),
            int(billed),
            int(memory),
            int(used),
            init_ms=None if init is None else float(init),
            status=status.decode(),
            error_type=error.decode("utf-8", "replace") if error else None,
            timestamp=stamp,
        )
    rest = row[5].replace(b"\\t", b"\t").replace(b"\\n", b"\n") if form.kind == "export" else row[5]
    init = _INIT_ONLY.fullmatch(rest.strip())
    if init is not None:  # a cold start, the common case: no need for the general parser
        return Sample(
            float(row[2]),
            int(billed),
            int(memory),
            int(used),
            init_ms=float(init.group(1)),
            timestamp=stamp,
        )
    text = (
        b"REPORT RequestId: -\tDuration: %s ms\tBilled Duration: %s ms\tMemory Size: %s MB\t"
        b"Max Memory Used: %s MB\t%s" % (row[2], billed, memory, used, rest)
    ).decode("utf-8", "replace")
    return parse_report_text(text, timestamp=stamp)
