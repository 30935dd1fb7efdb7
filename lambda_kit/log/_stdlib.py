"""The standard library's ``logging`` through the same JSON lines (``install()``).

``install()`` replaces the root logger's handlers by one ``JsonHandler``, so
lines from boto3, urllib3 and ``logging.getLogger(__name__)`` get the same
keys as lambda_kit's own. lambda_kit's logger keeps its direct path (no
``LogRecord``) and, while installed, also hands its lines to any other handler
on the root logger (pytest's caplog, an error tracker), as the stdlib would.
Without ``install()`` nothing here is imported and the root logger is left alone.
"""

from __future__ import annotations

import logging

from lambda_kit import _hooks
from lambda_kit._current import current
from lambda_kit._problems import problem
from lambda_kit.log import _line, _logger
from lambda_kit.log._fields import message_text, timestamp

# typing costs ~5 ms to import on a cold start: names for annotations only
TYPE_CHECKING = False
if TYPE_CHECKING:
    from typing import Any

# the attributes every LogRecord has: anything else came from ``extra={...}``
_STANDARD = frozenset(vars(logging.LogRecord("", 0, "", 0, "", (), None))) | {
    "message",
    "asctime",
    "taskName",
}

_saved: list[tuple[list[logging.Handler], int]] = []


class JsonHandler(logging.Handler):
    """A ``logging.Handler`` writing lambda_kit JSON lines through ``logger``.

    logging.getLogger().addHandler(JsonHandler(lambda_kit.logger))
    """

    def __init__(self, logger: _logger.Logger, level: int = logging.NOTSET) -> None:
        super().__init__(level)
        self.logger = logger

    def emit(self, record: logging.LogRecord) -> None:
        try:
            try:
                message: Any = record.getMessage()
            except Exception:  # bad %-args, an unprintable one: keep what can be kept
                args = record.args if isinstance(record.args, tuple) else (record.args,)
                message = message_text(record.msg, args)
            extras = {k: v for k, v in record.__dict__.items() if k not in _STANDARD}
            lg = self.logger
            fields = _line.assemble(
                lg,
                current.get(),
                timestamp(int(record.created * 1e9)),
                record.levelname,
                message,
                f"{record.funcName}:{record.lineno}",
                extras,
                record.exc_info,
                logger_name=record.name,
            )
            _line.write_fields(lg, fields)
        except Exception as exc:
            problem(f"could not write a log line: {exc!r}", key=f"stdlib:{type(exc).__name__}")


def _forward(lg: _line.Source, levelno: int, fields: dict[str, Any]) -> None:
    """Hand a lambda_kit line to the root logger's other handlers, as a LogRecord."""
    root = logging.getLogger()
    others = [h for h in root.handlers if not isinstance(h, JsonHandler) and levelno >= h.level]
    if not others:
        return
    func, _, line = str(fields.get("location", "")).rpartition(":")
    lineno = int(line) if line.isdigit() else 0
    record = logging.LogRecord(lg.name, levelno, "", lineno, fields["message"], None, None, func)
    for key, value in fields.items():
        if key not in _STANDARD:
            record.__dict__[key] = value
    for handler in others:
        handler.handle(record)


#: the root logger's level as install() and _sync_level see it: what lambda_kit set last
#: ("applied"), the level it stands at outside sampling ("base": the application's choice
#: once it made one), and lambda_kit's own level when last looked at ("ours")
_levels: dict[str, int] = {}


def _sync_level() -> None:
    """At each invocation's start: the root logger keeps the level the application gave
    it; lambda_kit changes it only when its own level changed (``set_level``) and, for
    a debug-sampled invocation, lowers it to DEBUG and then puts it back."""
    root = logging.getLogger()
    for handler in root.handlers:
        if isinstance(handler, JsonHandler):
            break
    else:
        return
    lg, levels = handler.logger, _levels
    if lg._base_level != levels["ours"]:  # lambda_kit's own setting changed: it applies
        levels["ours"] = levels["base"] = lg._base_level
    elif root.level != levels["applied"]:  # the application set a level since: it stands
        levels["base"] = root.level
    target = min(levels["base"], lg.level) if lg._sampled else levels["base"]
    if root.level != target:  # setLevel clears logging's caches: only on a change
        root.setLevel(target)
    levels["applied"] = target


def install(logger: _logger.Logger, level: str | int | None = None) -> JsonHandler:
    """Route the root logger through ``logger``'s JSON lines; see ``lambda_kit.log.install``."""
    uninstall()
    root = logging.getLogger()
    _saved.append((list(root.handlers), root.level))
    for handler in list(root.handlers):
        root.removeHandler(handler)
    handler = JsonHandler(logger)
    root.addHandler(handler)
    if level is not None:
        logger.set_level(level)
    root.setLevel(logger.level)
    _levels.update(applied=root.level, base=logger._base_level, ours=logger._base_level)
    if _forward not in _line.forwarders:
        _line.forwarders.append(_forward)
    _hooks.add_start(_sync_level)
    return handler


def uninstall() -> None:
    """Undo ``install()``: the root logger gets its former handlers and level back."""
    if _forward in _line.forwarders:
        _line.forwarders.remove(_forward)
    _hooks.remove_start(_sync_level)
    if not _saved:
        return
    handlers, level = _saved.pop()
    root = logging.getLogger()
    for handler in list(root.handlers):
        if isinstance(handler, JsonHandler):
            root.removeHandler(handler)
    for handler in handlers:
        root.addHandler(handler)
    root.setLevel(level)
