"""Timestamps of the Powertools-compatible Logger.

lambda_kit writes ISO 8601 UTC with milliseconds and ``Z`` (``2026-11-24T01:02:03.456Z``)
by default: sortable, and what CloudWatch Logs Insights parses. Powertools' forms,
when asked for (``LAMBDA_KIT_LOG_TIMESTAMP=powertools``, or its ``datefmt``,
``use_rfc3339``, ``utc`` arguments), as its docs describe them ("Date formatting"):
``2026-11-24 01:02:03,456+0000`` (``%Y-%m-%d %H:%M:%S,%F%z``, local time unless
``utc``), RFC 3339 ``2026-11-24T01:02:03.456+00:00``, or ``datefmt`` with ``%F``
standing for the milliseconds.
"""

from __future__ import annotations

import os
import time

from lambda_kit import settings
from lambda_kit.log._fields import timestamp

_DEFAULT_FORMAT = "%Y-%m-%d %H:%M:%S,%F%z"


class Clock:
    """Makes each line's ``timestamp`` text."""

    __slots__ = ("_datefmt", "_rfc3339", "_utc", "now")

    def __init__(self, datefmt: str | None, rfc3339: bool, utc: bool) -> None:
        self._datefmt = datefmt
        self._rfc3339 = rfc3339
        self._utc = utc
        wanted = os.environ.get(settings.LOG_TIMESTAMP, "").strip().lower() == "powertools"
        self.now = self._powertools if (wanted or datefmt or rfc3339 or utc) else timestamp

    def _powertools(self) -> str:
        now = time.time()
        ms = int(now * 1000) % 1000
        parts = time.gmtime(now) if self._utc else time.localtime(now)
        if self._rfc3339:
            zone = time.strftime("%z", parts)
            return f"{time.strftime('%Y-%m-%dT%H:%M:%S', parts)}.{ms:03d}{zone[:3]}:{zone[3:]}"
        fmt = (self._datefmt or _DEFAULT_FORMAT).replace("%F", f"{ms:03d}")
        return time.strftime(fmt, parts)
