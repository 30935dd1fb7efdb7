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

from collections import Counter
from collections.abc import Callable, Iterator
from itertools import compress, filterfalse
from operator import itemgetter
from typing import IO

from lambda_kit.billing import billed_ms as billed_ms_rule
from lambda_kit.prices import Prices
from lambda_kit.report.fast import TEXT, Form, form_of, row_sample, sizes_in_range, span
from lambda_kit.report.parse import Malformed, Sample, parse_line
from lambda_kit.report.stats import Aggregate

#: bytes read at a time: big enough that the per-chunk work is noise (~1,800 lines), small
#: enough that a chunk and its matches stay well under a few MB
CHUNK_BYTES = 256 << 10
#: distinct keys held before they are put into the aggregate (a small dict stays in cache)
FLUSH_KEYS = 50_000
#: a longer line is malformed ("line too long") and skipped to its end, so that memory
#: stays bounded on any input (a CloudWatch event is at most 1 MB, one page of
#: FilterLogEvents at most 1 MB of messages: 4 MB holds a page printed on one line)
MAX_LINE_BYTES = 4 << 20

_STAMPS = itemgetter(0, 1)
_STAMP = itemgetter(0)
_DURATION = itemgetter(2)
_SPAN_OF = itemgetter(3)
_MEMORY = itemgetter(4)
_TAIL = itemgetter(5)

#: called with (where, line number, reason, the line) for each malformed line
OnMalformed = Callable[[str, int, str, str], None]


class LongLine:
    """Yielded by :func:`numbered_chunks` in place of a line over ``max_line`` bytes: one
    line, of which only the first bytes are kept (to name it)."""

    __slots__ = ("head",)

    def __init__(self, head: bytes) -> None:
        self.head = head


def numbered_chunks(
    stream: IO[bytes], size: int = CHUNK_BYTES, max_line: int = MAX_LINE_BYTES
) -> Iterator[bytes | LongLine]:
    """``stream`` in pieces of about ``size`` bytes, each ending at a line end (the last
    may not, when the input does not); a line over ``max_line`` bytes comes as a
    :class:`LongLine` and the rest of it is skipped, so memory stays bounded."""
    rest = b""
    skipping = False  # inside a line too long to keep: drop bytes up to its end
    while block := stream.read(size):
        if skipping:
            end = block.find(b"\n")
            if end < 0:
                continue
            block, skipping = block[end + 1 :], False
        cut = block.rfind(b"\n") + 1
        if cut == 0:
            if len(rest) + len(block) > max_line:
                yield LongLine((rest or block)[:200])
                rest, skipping = b"", True
            else:
                rest += block
            continue
        chunk = rest + block[:cut] if rest else block[:cut]
        rest = block[cut:]
        yield chunk
    if rest and not skipping:
        yield rest


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

    def long_line(self, where: str, number: int, head: bytes) -> None:
        """Count a line too long to read (:class:`LongLine`) as malformed."""
        self.lines += 1
        self.malformed += 1
        if self.on_malformed is not None:
            reason = f"line too long: over {MAX_LINE_BYTES >> 20} MB"
            self.on_malformed(where, number, reason, head.decode("utf-8", "replace"))

    def chunk(self, where: str, first_number: int, data: bytes) -> int:
        """Read a chunk of whole lines whose first is line ``first_number`` of ``where``;
        the number of lines it held."""
        lines = line_count(data)
        if self.group_by is None and self._fast(data, lines):
            return lines
        pieces = data.split(b"\n")
        if data.endswith(b"\n"):
            pieces.pop()
        for offset, raw in enumerate(pieces):
            self.line(where, first_number + offset, raw.decode("utf-8", "replace"))
        return lines

    @staticmethod
    def _rows(data: bytes, lines: int) -> tuple[Form, list[tuple[bytes, ...]]] | None:
        """The chunk's form and rows when it can be counted from them, else None."""
        padded = b"\n" + data if data.endswith(b"\n") else b"\n" + data + b"\n"
        if b'"' not in data:  # text lines only (a memchr, ~free)
            form: Form | None = TEXT
        else:  # a JSON form, named by the first line (the whole chunk is looked at below)
            first = data[: data.find(b"\n", 0, 8192)]
            form = form_of(first) if b'"' in first else None
            if form is None or form is TEXT:  # text rows with quotes: as the whole chunk says
                form = form_of(data)
        if form is None:
            return None
        rows = form.pattern.findall(padded)
        if len(rows) == lines:  # every line matched: each reads as one invocation
            return form, rows
        # else the lines that did not match must hold no marker (blank lines, START/END,
        # other JSON events), in a chunk of one form; else it is read line by line
        whole = form_of(data)
        if whole is None:
            return None
        if whole is not form:
            form, rows = whole, whole.pattern.findall(padded)
        return (form, rows) if len(rows) == data.count(form.marker) else None

    def _fast(self, data: bytes, lines: int) -> bool:
        """Count a chunk of lines of one known shape; False (nothing counted) for any other."""
        found = self._rows(data, lines)
        if found is None:
            return False
        form, rows = found
        if not sizes_in_range(set(map(_MEMORY, rows))):
            return False  # line by line, to name the line
        plain, samples = rows, []
        says_more = list(filter(_TAIL, rows))
        if says_more:
            try:
                samples = [row_sample(row, form) for row in says_more]
            except Malformed:
                return False
            plain = list(filterfalse(_TAIL, rows))
        self._count(plain)
        agg = self.total
        agg.invocations += len(plain)
        agg.architectures[self.arch] += len(plain)
        self._seen(plain, form)
        for s in samples:
            self.sample(s)
        self.lines += lines
        self.fast_lines += lines
        self.skipped += lines - len(rows)
        return True

    def _seen(self, rows: list[tuple[bytes, ...]], form: Form) -> None:
        """Widen the time span to the rows' first and last minute."""
        if form.kind == "text":  # (date, hh:mm), either both or neither
            dated = list(filter(_STAMP, map(_STAMPS, rows)))
            if dated:
                first, last = min(dated), max(dated)
                self.total.seen_at(form.minute(*first), form.minute(*last))
            return
        # one group: epochs have 13 digits and dates one shape, so byte order is time order
        stamps = list(filter(None, map(_STAMP, rows)))
        if stamps:
            self.total.seen_at(form.minute(min(stamps), b""), form.minute(max(stamps), b""))

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
        add = agg.duration.add
        for memory, durations in self._durations.items():
            own_ms = 0  # whole ms, summed exactly: charged once per memory size
            for duration, count in durations.items():
                ms = float(duration)
                add(ms, count)
                own_ms += count * billed_ms_rule(ms)
            agg.charge(arch, int(memory), 0, own_ms)
        for key, count in self._spans.items():
            billed, size, used = map(int, span(key))
            agg.charge(arch, size, billed, 0, count)
            agg.add_memory(size, used, count)
        self._durations.clear()
        self._spans.clear()
        self._keys = 0

    def finish(self) -> None:
        """Call once at the end (or when interrupted): nothing counted is left out."""
        self.flush()


def group_key(group_by: str | None, function: str | None, timestamp: str | None) -> str:
    """The group an invocation belongs to under ``--group-by``."""
    if group_by == "function":
        return function or "unknown"
    if group_by in ("hour", "day"):
        if timestamp is None:
            return "unknown"
        return timestamp[:13] + ":00" if group_by == "hour" else timestamp[:10]
    return "all"
