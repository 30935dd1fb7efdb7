"""Colour for the ``lambda-kit`` commands: headings, warnings, errors and key figures.

    from lambda_kit import _term
    paint = _term.style(sys.stdout)
    print(paint.heading("memory  duration"), paint.figure("$3.53"))

Colour is used only when it can be read: ``--color auto`` (the default) colours a
stream that is a terminal, unless ``NO_COLOR`` is set to any non-empty value
(https://no-color.org) or ``TERM=dumb``. ``--color always`` colours a pipe too and
``--color never`` nothing; as no-color.org asks, an option given on the command line
beats ``NO_COLOR``. The text is the same either way, so a line a test or a script
reads does not change with colour. Only the CLIs import this module (never
``import lambda_kit``).
"""

from __future__ import annotations

import os
import sys

from lambda_kit import settings

TYPE_CHECKING = False
if TYPE_CHECKING:
    from typing import TextIO

#: the values of ``--color``
MODES = ("auto", "always", "never")

# the mode the running command chose (lambda_kit.cli.main sets it, then puts it back)
_mode = "auto"

# SGR codes (ECMA-48): bold, bold red, yellow, bold cyan
_HEADING, _ERROR, _WARNING, _FIGURE = "1", "1;31", "33", "1;36"


def set_mode(mode: str) -> str:
    """Make ``mode`` (one of ``MODES``) the one in force; returns the one it replaces."""
    global _mode
    if mode not in MODES:
        raise ValueError(f"--color {mode!r}: expected one of {', '.join(MODES)}")
    previous, _mode = _mode, mode
    return previous


def enabled(stream: object, mode: str | None = None) -> bool:
    """Whether text written to ``stream`` gets colour under ``mode`` (default: the one set).

    >>> import io
    >>> enabled(io.StringIO(), "auto"), enabled(io.StringIO(), "always")
    (False, True)
    """
    chosen = _mode if mode is None else mode
    if chosen != "auto":
        return chosen == "always"
    if os.environ.get(settings.NO_COLOR) or os.environ.get(settings.TERM) == "dumb":
        return False
    isatty = getattr(stream, "isatty", None)
    try:
        return bool(isatty is not None and isatty())
    except (ValueError, OSError):  # a closed or detached stream
        return False


class Style:
    """Paints text for one stream; every method returns ``text`` unchanged when colour is off."""

    __slots__ = ("on",)

    def __init__(self, on: bool) -> None:
        self.on = on

    def _paint(self, code: str, text: str) -> str:
        return f"\033[{code}m{text}\033[0m" if self.on and text else text

    def heading(self, text: str) -> str:
        """A title or a table's header row."""
        return self._paint(_HEADING, text)

    def error(self, text: str) -> str:
        """What went wrong."""
        return self._paint(_ERROR, text)

    def warning(self, text: str) -> str:
        """What the user should look at, though the command went on."""
        return self._paint(_WARNING, text)

    def figure(self, text: str) -> str:
        """The number the command was run for (a total, a pick, a size)."""
        return self._paint(_FIGURE, text)


def style(stream: TextIO | None = None) -> Style:
    """The ``Style`` for ``stream`` (default ``sys.stdout``) under the mode in force."""
    return Style(enabled(sys.stdout if stream is None else stream))


def say(prog: str, message: str, kind: str = "error", stream: TextIO | None = None) -> None:
    """Write ``prog: message`` as one line on stderr, the message painted as ``kind``
    (``error`` or ``warning``)."""
    out = sys.stderr if stream is None else stream
    paint = style(out)
    body = paint.warning(message) if kind == "warning" else paint.error(message)
    out.write(f"{prog}: {body}\n")


def fail(prog: str, message: str, code: int = 2) -> int:
    """``say`` an error and return ``code``, for ``return fail(...)`` in a command."""
    say(prog, message)
    return code
