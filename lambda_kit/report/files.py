"""Reading log files (``.gz`` too) and stdin into a :class:`~lambda_kit.report.scan.Scan`.

    scan = Scan(prices)
    read_files(["export.log"], scan, Progress(False, None))

Constant memory whatever the file size: the input is read in chunks of a few MB.
The progress bar is drawn on stderr, at most 5 times a second.
"""

from __future__ import annotations

import sys
import time
from typing import IO

from lambda_kit.report.scan import Scan, line_count, numbered_chunks


class Progress:
    """A one-line progress bar on stderr, redrawn at most 5 times a second."""

    def __init__(self, enabled: bool, total_bytes: int | None) -> None:
        self.enabled = enabled
        self.total = total_bytes
        self._next = 0.0

    def show(self, done_bytes: int, lines: int, *, final: bool = False) -> None:
        """Redraw (when due, or ``final``) with the bytes and lines read so far."""
        if not self.enabled:
            return
        now = time.monotonic()
        if not final and now < self._next:
            return
        self._next = now + 0.2
        if self.total:
            share = min(1.0, done_bytes / self.total)
            bar = "#" * int(share * 30)
            text = f"\r[{bar:<30}] {share:4.0%} {lines:,} lines"
        else:
            text = f"\r{done_bytes / 1e6:,.1f} MB, {lines:,} lines"
        sys.stderr.write(text + ("\n" if final else ""))
        sys.stderr.flush()


def open_input(path: str) -> IO[bytes]:
    """A binary stream of ``path`` (``-`` is stdin; ``.gz`` is decompressed)."""
    if path == "-":
        return sys.stdin.buffer
    if path.endswith(".gz"):
        import gzip

        return gzip.open(path, "rb")  # type: ignore[return-value]  # a GzipFile reads bytes
    return open(path, "rb")


def read_files(paths: list[str], scan: Scan, progress: Progress) -> None:
    """Feed every file to ``scan``; the bar is finished even when interrupted."""
    done = 0
    try:
        for path in paths:
            stream = open_input(path)
            number = 1
            try:
                for chunk in numbered_chunks(stream):
                    scan.chunk(path, number, chunk)
                    number += line_count(chunk)
                    done += len(chunk)
                    progress.show(done, scan.lines)
            finally:
                if stream is not sys.stdin.buffer:
                    stream.close()
    finally:
        scan.finish()
        progress.show(done, scan.lines, final=True)
