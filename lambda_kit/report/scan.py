"""Feeding log text into aggregates: line by line, or a few MB at a time.

    scan = Scan(prices, arch="x86_64")
    for number, chunk in numbered_chunks(open("big.log", "rb")):
        scan.chunk("big.log", number, chunk)
    scan.finish()
    scan.total.invocations

Most of a CloudWatch export is text REPORT lines of one shape. For a chunk in
which every line that could report an invocation has that shape, one regular
expression pass (``findall``, in C) pulls their fields out, and the fields are
counted by distinct value (``Counter`` over ``itemgetter``, in C too); each
distinct value is priced and put in the histograms once, with its count. A chunk
holding anything else (JSON events, our records, malformed lines) is read line by
line with :func:`lambda_kit.report.parse.parse_line`, as before. Both feed the
same :class:`~lambda_kit.report.stats.Aggregate`, whose sums do not depend on the
order of the invocations, so both print the same figures to the last digit.
"""

from __future__ import annotations

import re
import time
from collections import Counter
from collections.abc import Callable, Iterator
from itertools import compress, filterfalse
from operator import itemgetter
from typing import IO

from lambda_kit.billing import billed_ms as billed_ms_rule
from lambda_kit.prices import Prices
from lambda_kit.report.parse import Malformed, Sample, parse_line, parse_report_text
from lambda_kit.report.stats import Aggregate

#: bytes read at a time: big enough that the per-chunk work is noise (~1,800 lines), small
#: enough that a chunk and its matches stay well under a few MB
CHUNK_BYTES = 256 << 10
#: distinct keys held before they are put into the aggregate (a small dict stays in cache)
FLUSH_KEYS = 50_000

# One text REPORT line, bare or after a timestamp (sam logs, aws logs tail). Groups: date,
# hh:mm, duration, the span "billed ms ... Memory Size: M MB ... Max Memory Used: U" (one
# bytes key: counting one bytes object is twice as fast as counting a tuple), M, and the
# rest of the line when it says more (Init Duration, Status, Error Type, a joined XRAY line).
_TEXT = re.compile(
    rb"^(?:(\d{4}-\d{2}-\d{2})[T ](\d{2}:\d{2})[^\n]*?)?"
    rb"REPORT RequestId: \S+[\t ]+Duration: (\d+(?:\.\d+)?) ms[\t ]+"
    rb"Billed Duration: (\d+ ms[\t ]+Memory Size: (\d+) MB[\t ]+Max Memory Used: \d+) MB"
    rb"[\t ]*([^\n]*)",
    re.M,
)
# (a lazy tail up to `$` was 3x slower than this greedy one; the tail is empty when the line
# says no more, so rows that say more are found with a C-level filter)
#
# The same inside a JSON string, as `aws logs filter-log-events` prints an event: alone on a
# line (the CLI's indented JSON: no date there) or as a whole event on one line (jq -c:
# dated by its epoch "timestamp"). Groups: epoch ms, (empty), then as above. CloudWatch
# separates the fields with tabs (\t escapes; one escape, not a class of two: 15 % faster);
# the tail holds only \t and \n escapes. Any other escape, spaces between the fields, or a
# stream name that could hold a date, and the line is left to the general parser.
_EXPORT = re.compile(
    rb'^(?:[ \t]*|\{"logStreamName": ?"[A-Za-z0-9/\[\]$_.#]*", ?"timestamp": ?(\d{13}), ?)()'
    rb'"message": ?"REPORT RequestId: [^\s"\\]+\\tDuration: (\d+(?:\.\d+)?) ms\\t'
    rb"Billed Duration: (\d+ ms\\tMemory Size: (\d+) MB\\tMax Memory Used: \d+) MB"
    rb'(?:(?:\\t| )*(?:\\n)?"|((?:[^"\\\x00-\x1f]|\\[tn])+)")'
    rb'(?:,?|, ?"ingestionTime": ?\d+, ?"eventId": ?"\d+"\})[ \t]*\r?$',
    re.M,
)
# A platform.report event (AWS_LAMBDA_LOG_FORMAT=JSON, the Telemetry API) in the key order
# Lambda writes it: time, type, record {requestId, metrics {...}, status[, errorType]}.
# The tail group holds the rest when there is more than a success: initDurationMs, a
# status, an errorType. Any other key, order or spacing goes to the general parser.
_PLATFORM = re.compile(
    rb'^\{"time": ?"(\d{4}-\d{2}-\d{2})T(\d{2}:\d{2})[^"\\]*", ?"type": ?"platform\.report", ?'
    rb'"record": ?\{"requestId": ?"[^"\\]*", ?"metrics": ?\{"durationMs": ?(\d+(?:\.\d+)?), ?'
    rb'"billedDurationMs": ?(\d+, ?"memorySizeMB": ?(\d+), ?"maxMemoryUsedMB": ?\d+)'
    rb'(?:\}, ?"status": ?"success"\}\}|((?:, ?"initDurationMs": ?\d+(?:\.\d+)?)?\}, ?'
    rb'"status": ?"(?:success|error|timeout)"(?:, ?"errorType": ?"[^"\\]*")?\}\}))[ \t]*\r?$',
    re.M,
)
_PLATFORM_TAIL = re.compile(
    rb'(?:, ?"initDurationMs": ?(\d+(?:\.\d+)?))?\}, ?"status": ?"(\w+)"'
    rb'(?:, ?"errorType": ?"([^"\\]*)")?'
)
_SPAN = re.compile(
    rb"(\d+) ms(?:[\t ]|\\t)+Memory Size: (\d+) MB(?:[\t ]|\\t)+Max Memory Used: (\d+)"
    rb'|(\d+), ?"memorySizeMB": ?(\d+), ?"maxMemoryUsedMB": ?(\d+)'
)
_INIT_ONLY = re.compile(rb"Init Duration: (\d+(?:\.\d+)?) ms")
_REPORT = b"REPORT RequestId:"
# what a line holds when parse_line could find an invocation in it: our records are left
# to the general parser; a chunk is read in one form (text, export or platform)
_RECORD = b"invocation"
_PLATFORM_REPORT = b"platform.report"
_PLATFORM_LINE = b"platform_report"  # lambda_kit's own platform lines: line by line
_MESSAGE = b'message"'
_STAMP = itemgetter(0, 1)
_DURATION = itemgetter(2)
_SPAN_OF = itemgetter(3)
_MEMORY = itemgetter(4)
_TAIL = itemgetter(5)

#: called with (where, line number, reason, the line) for each malformed line
OnMalformed = Callable[[str, int, str, str], None]


def numbered_chunks(stream: IO[bytes], size: int = CHUNK_BYTES) -> Iterator[bytes]:
    """``stream`` in pieces of about ``size`` bytes, each ending at a line end (the last
    may not, when the input does not)."""
    rest = b""
    while True:
        block = stream.read(size)
        if not block:
            if rest:
                yield rest
            return
        if rest:
            block = rest + block
        cut = block.rfind(b"\n") + 1
        if cut == 0:
            rest = block
            continue
        rest = block[cut:]
        yield block[:cut]


def line_count(chunk: bytes) -> int:
    """Lines in a chunk from :func:`numbered_chunks` (the last may lack its newline)."""
    return chunk.count(b"\n") + (0 if chunk.endswith(b"\n") else 1)


class Scan:
    """Lines and chunks in, one total aggregate (and one per group) out."""

    def __init__(
        self,
        prices: dict[str, Prices],
        *,
        arch: str = "x86_64",
        init_billed: bool = True,
        group_by: str | None = None,
        on_malformed: OnMalformed | None = None,
    ) -> None:
        self.prices = prices
        self.arch = arch
        self.init_billed = init_billed
        self.group_by = group_by
        self.on_malformed = on_malformed
        self.total = Aggregate(prices, init_billed=init_billed)
        self.groups: dict[str, Aggregate] = {}
        self.lines = self.skipped = self.malformed = 0
        self.fast_lines = 0
        # memory size -> duration text -> count; billed/size/used span -> count
        self._durations: dict[bytes, Counter[bytes]] = {}
        self._spans: Counter[bytes] = Counter()
        self._keys = 0

    # -- one invocation, one line ------------------------------------------------------

    def sample(self, s: Sample) -> None:
        """Count one invocation in the total and in its group."""
        self.total.add(s, self.arch)
        if self.group_by:
            key = group_key(self.group_by, s.function, s.timestamp)
            group = self.groups.get(key)
            if group is None:
                group = self.groups[key] = Aggregate(self.prices, init_billed=self.init_billed)
            group.add(s, self.arch)

    def line(self, where: str, number: int, line: str) -> None:
        """Read one log line (any form :func:`parse_line` knows)."""
        self.lines += 1
        try:
            samples = parse_line(line)
        except Malformed as err:
            self.malformed += 1
            if self.on_malformed is not None:
                self.on_malformed(where, number, str(err), line)
            return
        if not samples:
            self.skipped += 1
        for s in samples:
            self.sample(s)

    # -- many lines at once ------------------------------------------------------------

    def chunk(self, where: str, first_number: int, data: bytes) -> None:
        """Read a chunk of whole lines whose first is line ``first_number`` of ``where``."""
        if self.group_by is None and self._fast(data):
            return
        pieces = data.split(b"\n")
        if data.endswith(b"\n"):
            pieces.pop()
        for offset, raw in enumerate(pieces):
            self.line(where, first_number + offset, raw.decode("utf-8", "replace"))

    def _fast(self, data: bytes) -> bool:
        """Count a chunk of plain text REPORT lines; False (nothing counted) for any other."""
        # every other form is JSON: no double quote, text lines only (a memchr, ~free)
        form, marker = _TEXT, _REPORT
        if b'"' in data:
            if _RECORD in data or _PLATFORM_LINE in data:
                return False
            if _PLATFORM_REPORT in data:
                if _REPORT in data:
                    return False
                form, marker = _PLATFORM, _PLATFORM_REPORT
            elif _MESSAGE in data:
                form = _EXPORT
        rows = form.findall(data)
        if len(rows) != data.count(marker):
            return False  # a line of another shape (or two on a line): line by line
        plain, samples = rows, []
        says_more = list(filter(_TAIL, rows))
        if says_more:
            try:
                samples = [_row_sample(row, form) for row in says_more]
            except Malformed:
                return False  # line by line, to name the line
            plain = list(filterfalse(_TAIL, rows))
        self._count(plain)
        agg = self.total
        agg.invocations += len(plain)
        agg.architectures[self.arch] += len(plain)
        dated = list(filter(itemgetter(0), map(_STAMP, plain)))
        if dated:
            # epochs have 13 digits and dates one shape: byte order is time order
            first, last = min(dated), max(dated)
            agg.seen_at(_minute(first), _minute(last))
        for s in samples:
            self.sample(s)
        lines = line_count(data)
        self.lines += lines
        self.fast_lines += lines
        self.skipped += lines - len(rows)
        return True

    def _count(self, rows: list[tuple[bytes, ...]]) -> None:
        if not rows:
            return
        self._spans.update(map(_SPAN_OF, rows))
        sizes = set(map(_MEMORY, rows))
        for size in sizes:
            counter = self._durations.get(size)
            if counter is None:
                counter = self._durations[size] = Counter()
            if len(sizes) == 1:
                counter.update(map(_DURATION, rows))
            else:
                counter.update(map(_DURATION, compress(rows, map(size.__eq__, map(_MEMORY, rows)))))
            self._keys = max(self._keys, len(counter))
        if self._keys + len(self._spans) > FLUSH_KEYS:
            self.flush()

    def flush(self) -> None:
        """Put the counted distinct values into the total (each priced once)."""
        agg, arch = self.total, self.arch
        for memory, durations in self._durations.items():
            mb = int(memory)
            for duration, count in durations.items():
                ms = float(duration)
                agg.duration.add(ms, count)
                agg.charge(arch, mb, 0, billed_ms_rule(ms), count)
        for span, count in self._spans.items():
            billed, size, used = map(int, _span(span))
            agg.charge(arch, size, billed, 0, count)
            agg.add_memory(size, used, count)
        self._durations.clear()
        self._spans.clear()
        self._keys = 0

    def finish(self) -> None:
        """Call once at the end (or when interrupted): nothing counted is left out."""
        self.flush()


def _minute(stamp: tuple[bytes, bytes]) -> str:
    """``YYYY-MM-DDTHH:MM`` from (date, hh:mm) or (epoch ms, empty), as the parser dates."""
    if not stamp[1]:
        return time.strftime("%Y-%m-%dT%H:%M", time.gmtime(int(stamp[0]) / 1000))
    return f"{stamp[0].decode()}T{stamp[1].decode()}"


def _span(span: bytes) -> tuple[bytes, bytes, bytes]:
    """(billed ms, memory size, max memory used) of a span of either shape."""
    m = _SPAN.match(span)
    assert m is not None  # the fast regexes only capture spans of these shapes
    billed, memory, used, *json_form = m.groups()
    return (billed, memory, used) if billed is not None else tuple(json_form)  # type: ignore[return-value]


def _row_sample(row: tuple[bytes, ...], form: re.Pattern[bytes] = _TEXT) -> Sample:
    """A fast-path row that says more than the four figures: read as the line would be."""
    stamp = _minute((row[0], row[1])) if row[0] else None
    billed, memory, used = _span(row[3])
    if form is _PLATFORM:
        init, status, error = _PLATFORM_TAIL.match(row[5]).groups()  # type: ignore[union-attr]
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
    tail = row[5].replace(b"\\t", b"\t").replace(b"\\n", b"\n") if form is _EXPORT else row[5]
    init = _INIT_ONLY.fullmatch(tail.strip())
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
        b"Max Memory Used: %s MB\t%s" % (row[2], billed, memory, used, tail)
    ).decode("utf-8", "replace")
    return parse_report_text(text, timestamp=stamp)


def group_key(group_by: str | None, function: str | None, timestamp: str | None) -> str:
    """The group an invocation belongs to under ``--group-by``."""
    if group_by == "function":
        return function or "unknown"
    if group_by in ("hour", "day"):
        if timestamp is None:
            return "unknown"
        return timestamp[:13] + ":00" if group_by == "hour" else timestamp[:10]
    return "all"
