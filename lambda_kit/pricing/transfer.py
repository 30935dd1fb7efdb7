"""Read a price file (an http(s) URL or a path) in chunks, within one deadline and a size cap.

    for chunk in chunks(url, timeout_s=30, max_bytes=256 << 20):
        ...

The deadline covers the whole transfer and whatever the caller does between chunks (a
streaming parser), not each read: a server that sends a byte a second still ends it, and
so does a file too big to read in time. Every failure is a ``TransferError`` whose
message is one line.
"""

from __future__ import annotations

import contextlib
import time
import urllib.error
import urllib.request
from collections.abc import Iterator

CHUNK = 1 << 16


class TransferError(Exception):
    """The source could not be read in time or within the cap; the message says why."""


def chunks(source: str, *, timeout_s: float, max_bytes: int) -> Iterator[bytes]:
    """The bytes at ``source`` as they arrive, until it ends, ``timeout_s`` passes or
    more than ``max_bytes`` come (each a ``TransferError``)."""
    deadline = time.monotonic() + timeout_s
    if source.startswith(("http://", "https://")):
        stream = _from_url(source, deadline, timeout_s)
    else:
        stream = _from_file(source)
    size = 0
    for chunk in stream:
        size += len(chunk)
        if size > max_bytes:
            raise TransferError(f"{source} is larger than {max_bytes / (1 << 20):g} MB")
        yield chunk
        # checked after the caller has had the chunk: its parsing counts too
        if time.monotonic() > deadline:
            raise TransferError(f"{source} did not answer within {timeout_s:g} s")


def _from_file(path: str) -> Iterator[bytes]:
    try:
        f = open(path, "rb")  # noqa: SIM115 (closed below; a generator holds it)
    except OSError as exc:
        raise TransferError(f"cannot read {path}: {exc.strerror or exc}") from None
    with f:
        while True:
            try:
                chunk = f.read(CHUNK)
            except OSError as exc:
                raise TransferError(f"cannot read {path}: {exc.strerror or exc}") from None
            if not chunk:
                return
            yield chunk


def _from_url(url: str, deadline: float, timeout_s: float) -> Iterator[bytes]:
    try:
        with urllib.request.urlopen(url, timeout=timeout_s) as resp:
            while True:
                left = deadline - time.monotonic()
                if left <= 0:
                    raise TimeoutError
                _tighten(resp, left)
                chunk = resp.read1(CHUNK)  # what has arrived: a slow drip cannot stall it
                if not chunk:
                    return
                yield chunk
    except urllib.error.HTTPError as exc:
        raise TransferError(f"{url}: HTTP {exc.code} {exc.reason}") from None
    except (TimeoutError, OSError) as exc:
        reason = getattr(exc, "reason", None) or exc
        if isinstance(exc, TimeoutError) or "timed out" in str(reason):
            raise TransferError(f"{url} did not answer within {timeout_s:g} s") from None
        raise TransferError(f"cannot fetch {url}: {reason}") from None


def _tighten(resp: object, left_s: float) -> None:
    """Let the next read wait only for what is left of the deadline (best effort: without
    the socket in reach, each read waits up to ``timeout_s`` and the check between
    reads still ends the transfer)."""
    with contextlib.suppress(AttributeError, OSError):
        resp.fp.raw._sock.settimeout(left_s)  # type: ignore[attr-defined]
