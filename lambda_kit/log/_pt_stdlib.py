"""``Logger.handlers`` of the Powertools-compatible Logger: a stdlib handler on its lines.

Code written for Powertools sometimes hands ``logger.handlers`` (or
``registered_handler``) to other loggers, e.g. to send boto3's lines the same
way; such a handler writes a stdlib record as the compatible Logger writes
its own lines. Imported only when ``handlers`` is read.
"""

from __future__ import annotations

import logging

# typing costs ~5 ms to import on a cold start: names for annotations only
TYPE_CHECKING = False
if TYPE_CHECKING:
    from typing import Any, TypeAlias


    Logger: TypeAlias = Any  # the compatible Logger (not imported: no cycle, even typed)

_STANDARD = frozenset(vars(logging.LogRecord("", 0, "", 0, "", (), None))) | {
    "message",
    "asctime",
    "taskName",
}


class PowertoolsHandler(logging.Handler):
    """A ``logging.Handler`` writing records through a compatible ``Logger``."""

    def __init__(self, logger: Logger) -> None:
        super().__init__()
        self.logger = logger

    def emit(self, record: logging.LogRecord) -> None:
        extras: dict[str, Any] = {k: v for k, v in record.__dict__.items() if k not in _STANDARD}
        args = record.args if isinstance(record.args, tuple) else (record.args,)
        where = f"{record.funcName}:{record.lineno}"
        lg = self.logger
        lg._line(record.levelname, record.msg, args, record.exc_info, 1, None, extras, where)


def handler_for(logger: Logger) -> PowertoolsHandler:
    """A handler for ``logger``."""
    return PowertoolsHandler(logger)
