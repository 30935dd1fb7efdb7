"""Pieces of the Powertools-compatible Logger's lines: the level methods, JSON
messages, redaction without renaming, the encoding (POWERTOOLS_DEV indents)."""

from __future__ import annotations

from lambda_kit.log import _logger
from lambda_kit.log._fields import MAX_LINE_BYTES, fallback, to_line
from lambda_kit.log._redact import Redactor
from lambda_kit.log._truncate import truncate

# typing costs ~5 ms to import on a cold start: names for annotations only
TYPE_CHECKING = False
if TYPE_CHECKING:
    from collections.abc import Callable
    from typing import Any, TypeAlias


    Logger: TypeAlias = Any  # the compatible Logger (not imported: no cycle, even typed)


def method(name: str, levelno: int, exception: bool = False) -> Callable[..., None]:
    """A level method with the stdlib's (and Powertools') keywords."""

    def log(
        self: Logger,
        msg: Any,
        *args: Any,
        exc_info: Any = exception,
        stack_info: bool = False,
        stacklevel: int = 2,
        extra: dict[str, Any] | None = None,
        **kwargs: Any,
    ) -> None:
        if self._state.level <= levelno:
            self._line(name, msg, args, exc_info, stacklevel, extra, kwargs)

    log.__name__ = log.__qualname__ = "exception" if exception else name.lower()
    log.__doc__ = (
        f"A {name} line{' with the exception being handled' if exception else ''} "
        "(``extra`` and keyword arguments become keys)."
    )
    return log


def maybe_json(text: str) -> Any:
    """A message that is JSON text, decoded (Powertools does); else the text."""
    import json

    try:
        return json.loads(text)
    except ValueError:
        return text


def redact_into(redactor: Redactor, fields: dict[str, Any], keys: dict[str, Any]) -> None:
    """Add ``keys`` to ``fields``, secret values replaced."""
    # Powertools lets a caller's key replace any other, ours included: no renaming here
    secret = redactor.is_secret
    for k, v in keys.items():
        fields[k] = "***" if secret(k) else redactor.nested(v)


def encode(fields: dict[str, Any], dev: bool) -> bytes:
    """The line's bytes (indented under POWERTOOLS_DEV), cut to CloudWatch's limit."""
    if dev:  # POWERTOOLS_DEV: indented, for people reading a terminal
        import json

        return (json.dumps(fields, indent=4, default=fallback) + "\n").encode()
    try:
        line = _logger._dumps(fields, default=fallback, option=_logger._OPT)
    except Exception:
        line = to_line(fields)
    size = len(line) - 1  # the newline is not part of the event
    return line if size <= MAX_LINE_BYTES else truncate(fields, MAX_LINE_BYTES, size)
