"""Reading log files (``.gz`` too) and stdin into a :class:`~lambda_kit.report.scan.Scan`.

    scan = Scan(prices)
    problems = read_files(["export.log"], scan, Progress(False, None))

Constant memory whatever the file size: the input is read in chunks of a few
hundred KB, and a line over :data:`~lambda_kit.report.scan.MAX_LINE_BYTES` is
counted as malformed without being kept. A file that cannot be read to its end (a
corrupt or truncated ``.gz``, a read error) keeps what was counted before the
fault; its name and the fault come back as one problem line, and the next file is
read. The progress bar is drawn on stderr, at most 5 times a second.
"""

from __future__ import annotations

import sys
import time
import zlib
from typing import IO

from lambda_kit.report.scan import LongLine, Scan, numbered_chunks


def _rate(lines_per_s: float) -> str:
    if lines_per_s >= 1e6:
        return f"{lines_per_s / 1e6:.1f}M lines/s"
    if lines_per_s >= 1e4:
        return f"{lines_per_s / 1e3:.0f}k lines/s"
    return f"{lines_per_s:,.0f} lines/s"


def _clock(seconds: float) -> str:
    seconds = int(seconds + 0.5)
    hours, rest = divmod(seconds, 3600)
    return f"{hours}:{rest // 60:02d}:{rest % 60:02d}" if hours else f"{rest // 60}:{rest % 60:02d}"


class Progress:
    """A one-line progress bar on stderr: share, lines, rate and ETA, redrawn at most 5
    times a second (and always at the end)."""

    def __init__(self, enabled: bool, total_bytes: int | None) -> None:
        self.enabled = enabled
        self.total = total_bytes
        self._start = time.monotonic()
        self._next = self._start
        self._width = 0

    def line(self, done_bytes: int, lines: int, now: float) -> str:
        """The text of the bar after ``done_bytes`` and ``lines`` at time ``now``."""
        elapsed = max(now - self._start, 1e-9)
        rate = f", {_rate(lines / elapsed)}" if lines else ""
        if not self.total:
            return f"{done_bytes / 1e6:,.1f} MB, {lines:,} lines{rate}"
        share = min(1.0, done_bytes / self.total)
        bar = "#" * int(share * 30)
        eta = ""
        if 0 < share < 1:
            eta = f", ETA {_clock(elapsed * (1 - share) / share)}"
        return f"[{bar:<30}] {share:4.0%} {lines:,} lines{rate}{eta}"

    def show(self, done_bytes: int, lines: int, *, final: bool = False) -> None:
        """Redraw (when due, or ``final``) with the bytes and lines read so far."""
        if not self.enabled:
            return
        now = time.monotonic()
        if not final and now < self._next:
            return
        self._next = now + 0.2
        text = self.line(done_bytes, lines, now)
        # spaces over what a longer previous bar left (no terminal escapes: plain text)
        pad = " " * max(0, self._width - len(text))
        self._width = len(text)
        sys.stderr.write(f"\r{text}{pad}" + ("\n" if final else ""))
        sys.stderr.flush()


def open_input(path: str) -> IO[bytes]:
    """A binary stream of ``path`` (``-`` is stdin; ``.gz`` is decompressed)."""
    if path == "-":
        return sys.stdin.buffer
    if path.endswith(".gz"):
        import gzip

        return gzip.open(path, "rb")  # type: ignore[return-value]  # a GzipFile reads bytes
    return open(path, "rb")


def _position(stream: IO[bytes], fallback: int) -> int:
    """Bytes of the file read so far (of a .gz: compressed bytes, as its size counts)."""
    raw = getattr(stream, "fileobj", None)  # a GzipFile's underlying file
    try:
        return int(raw.tell()) if raw is not None else fallback
    except (OSError, ValueError):
        return fallback


def _fault(err: BaseException) -> str:
    if isinstance(err, EOFError):
        return "the compressed data ends before its end marker (truncated .gz)"
    if isinstance(err, zlib.error) or type(err).__name__ == "BadGzipFile":
        return f"corrupt .gz ({err})"
    return getattr(err, "strerror", None) or str(err) or type(err).__name__


def _read_one(path: str, scan: Scan, progress: Progress, done: int) -> tuple[int, str | None]:
    """Feed one file; (bytes done in all files so far, the fault that stopped it or None)."""
    number, lines_before, read = 1, scan.lines, 0
    try:
        stream = open_input(path)
    except OSError as err:
        return done, f"{path}: cannot read: {_fault(err)}"
    base = done
    try:
        for chunk in numbered_chunks(stream):
            if isinstance(chunk, LongLine):
                scan.long_line(path, number, chunk.head)
                number += 1
                continue
            number += scan.chunk(path, number, chunk)
            read += len(chunk)
            done = base + _position(stream, read)
            progress.show(done, scan.lines)
    except (OSError, EOFError, zlib.error) as err:
        count = scan.lines - lines_before
        return done, f"{path}: stopped after {count:,} lines: {_fault(err)}"
    finally:
        if stream is not sys.stdin.buffer:
            stream.close()
    return done, None


def read_files(paths: list[str], scan: Scan, progress: Progress) -> list[str]:
    """Feed every file to ``scan``; one line per file that could not be read to its end.
    The bar is finished even when interrupted."""
    done = 0
    problems: list[str] = []
    try:
        for path in paths:
            done, problem = _read_one(path, scan, progress, done)
            if problem:
                problems.append(problem)
    finally:
        scan.finish()
        progress.show(done, scan.lines, final=True)
    return problems
