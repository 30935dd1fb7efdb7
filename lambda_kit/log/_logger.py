"""The logger: one JSON line per call, with the running invocation's context.

The hot path is ``logger.info(msg, **keys)`` (``_line.level_method``): a disabled
level returns after one attribute comparison; an enabled one builds one dict in
Powertools' key order, runs the JSON encoder once and writes the bytes with one
call. No ``LogRecord``, no handler chain, no formatter objects (the stdlib path
exists for ``install()``, see ``_stdlib.py``).

Per-invocation keys (``append_keys``) live in a ``ContextVar`` per logger,
tagged with the invocation they were added in: concurrent asyncio tasks and
threads never see each other's keys, and the keys are gone once their
invocation has ended. The ``on_start`` hook redraws debug sampling.
"""

from __future__ import annotations

import os
from _contextvars import ContextVar  # what contextvars re-exports, one module less to load
from _weakref import ref  # what weakref.ref is, without importing weakref

from lambda_kit._current import Invocation, current
from lambda_kit._output import LineWriter
from lambda_kit.log import _config
from lambda_kit.log._fields import MAX_LINE_BYTES, key_names
from lambda_kit.log._line import forwarders as forwarders
from lambda_kit.log._line import level_method as _level_method
from lambda_kit.log._line import load_encoder as load_encoder
from lambda_kit.log._redact import Redactor
from lambda_kit.settings import FUNCTION_NAME, POWERTOOLS_SERVICE_NAME, SERVICE, first_set

# typing costs ~5 ms to import on a cold start: names for annotations only
TYPE_CHECKING = False
if TYPE_CHECKING:
    from collections.abc import Callable, Iterable
    from typing import IO, Any

_current_get = current.get
_EMPTY: dict[str, Any] = {}  # shared, never changed: "no per-invocation keys"
_NO_KEYS: tuple[Invocation | None, dict[str, Any]] = (None, _EMPTY)
_DEFAULT_REDACTOR = Redactor()
_NO_REDACTION = Redactor(parts=())  # redact=False: only reserved keys are renamed
_by_level: dict[int, Callable[..., None]] = {}  # Logger.log's methods for other levels

#: every logger by name (``get_logger`` returns the same one for a name)
registry: dict[str, Logger] = {}
#: the loggers that sample: each decides afresh as an invocation starts (keys need nothing)
_sampling: list[ref[Logger]] = []


def _one_deeper(stacklevel: Any) -> int:
    # exception()/log() add a frame between the caller and the line
    return (stacklevel if type(stacklevel) is int and stacklevel > 0 else 1) + 1


class Logger:
    """A structured JSON logger for Lambda functions (Powertools-compatible keys).

        from lambda_kit import logger
        logger.info("order received", order_id=42)
        logger.append_keys(customer="c-7")   # until this invocation ends

    ``service`` overrides the ``@instrument`` service; ``level`` (default: see
    ``lambda_kit.log._config``); ``sample_rate`` turns DEBUG on for that
    fraction of invocations; ``output`` is None (stdout), a stream or a file
    path; ``redact`` False turns secret-key redaction off, ``redact_keys`` adds
    regular expressions for keys to redact; ``max_line_bytes`` is where a line
    is cut (CloudWatch's event limit by default).

    .. versionadded:: 0.1
    """

    __slots__ = (
        "__weakref__",
        "_base_level",
        "_ctx",
        "_env_service",
        "_inv_cache",
        "_keys",
        "_level",
        "_max",
        "_random",
        "_redactor",
        "_sample_rate",
        "_sampled",
        "_service",
        "_service_from_env",
        "_write",
        "_writer",
        "name",
    )

    def __init__(
        self,
        name: str = "lambda_kit",
        *,
        service: str | None = None,
        level: str | int | None = None,
        sample_rate: float | None = None,
        output: str | os.PathLike[str] | IO[Any] | None = None,
        redact: bool = True,
        redact_keys: tuple[str, ...] | list[str] = (),
        max_line_bytes: int = MAX_LINE_BYTES,
    ) -> None:
        self.name = name
        self._service = service
        # outside invocations: the environment's service name, else (once one ran) the
        # last invocation's, so init and between-invocation lines name the service too
        self._service_from_env = first_set(SERVICE, POWERTOOLS_SERVICE_NAME, FUNCTION_NAME)
        self._env_service = self._service_from_env or "service_undefined"
        # (the invocation the keys belong to, the keys): they vanish when it ends
        self._ctx: ContextVar[tuple[Invocation | None, dict[str, Any]]] = ContextVar(
            f"lambda_kit_log:{name}", default=_NO_KEYS
        )
        self._keys: dict[str, Any] = {}
        self._inv_cache: tuple[Invocation | None, dict[str, Any]] = (None, _EMPTY)
        self._redactor: Redactor = (
            (Redactor(redact_keys) if redact_keys else _DEFAULT_REDACTOR)
            if redact
            else _NO_REDACTION
        )
        # the one line writer (lambda_kit._output): whole lines, short writes finished
        self._writer = LineWriter(output)
        self._write: Callable[[bytes], None] = self._writer.write
        self._max = max(1024, int(max_line_bytes))
        self._random: Callable[[], float] | None = None
        self._sample_rate = _config.resolve_sample_rate(sample_rate)
        self._sampled = False
        self._base_level = self._level = _config.resolve_level(level)
        _config.warn_if_dropped(self._base_level, self._sample_rate > 0)
        self.new_invocation(clear_keys=False)  # sampling also covers the init phase
        if self._sample_rate > 0 and not any(r() is self for r in _sampling):
            _sampling.append(ref(self))

    # -- levels ------------------------------------------------------------------------
    debug = _level_method(_config.DEBUG, "DEBUG")
    info = _level_method(_config.INFO, "INFO")
    warning = _level_method(_config.WARNING, "WARNING")
    warn = warning
    error = _level_method(_config.ERROR, "ERROR")
    critical = _level_method(_config.CRITICAL, "CRITICAL")

    def exception(self, msg: Any, /, *args: Any, **kwargs: Any) -> None:
        """An ERROR line with the exception being handled (``exception``, ``stack_trace``)."""
        kwargs.setdefault("exc_info", True)
        kwargs["stacklevel"] = _one_deeper(kwargs.get("stacklevel"))
        self.error(msg, *args, **kwargs)

    def log(self, level: int | str, msg: Any, /, *args: Any, **kwargs: Any) -> None:
        """A line at any level: ``logger.log("WARN", "disk almost full", free_mb=12)``."""
        levelno = _config.parse_level(level, "log level") or _config.INFO
        if self._level > levelno:
            return
        kwargs["stacklevel"] = _one_deeper(kwargs.get("stacklevel"))
        method = _by_level.get(levelno)
        if method is None:
            method = _by_level[levelno] = _level_method(levelno, _config.level_name(levelno))
        method(self, msg, *args, **kwargs)

    @property
    def level(self) -> int:
        """The level lines must reach to be written now (DEBUG while sampled)."""
        return self._level

    def set_level(self, level: str | int) -> None:
        """Set the level (``"DEBUG"``, ``"WARN"``, 30...); wins over every environment variable."""
        self._base_level = _config.resolve_level(level)
        self._level = min(self._base_level, _config.DEBUG) if self._sampled else self._base_level
        _config.warn_if_dropped(self._base_level, self._sample_rate > 0)

    setLevel = set_level  # the stdlib's spelling

    def is_enabled_for(self, level: int) -> bool:
        """True when a line at ``level`` would be written."""
        return level >= self._level

    isEnabledFor = is_enabled_for

    # -- keys ------------------------------------------------------------------------------
    def append_keys(self, **keys: Any) -> None:
        """Add keys to every line until this invocation ends (this task/thread only)."""
        keys = self._redactor.mapping(keys)
        self._ctx.set((_current_get(), {**self._appended(), **keys}))

    def remove_keys(self, *names: str | Iterable[str]) -> None:
        """Remove per-invocation keys added by ``append_keys``: ``remove_keys("a", "b")``
        or, as Powertools takes them, ``remove_keys(["a", "b"])``."""
        gone = key_names(names)
        kept = {k: v for k, v in self._appended().items() if k not in gone}
        self._ctx.set((_current_get(), kept))

    def clear_keys(self) -> None:
        """Remove every per-invocation key (done for you as each invocation ends)."""
        self._ctx.set(_NO_KEYS)

    def set_keys(self, **keys: Any) -> None:
        """Add keys to every line of this environment, across invocations and threads."""
        keys = self._redactor.mapping(keys)
        self._keys = {**self._keys, **keys}

    def unset_keys(self, *names: str | Iterable[str]) -> None:
        """Remove keys added by ``set_keys`` (names, or a list of names)."""
        gone = key_names(names)
        self._keys = {k: v for k, v in self._keys.items() if k not in gone}

    def current_keys(self) -> dict[str, Any]:
        """The keys added to lines now: environment keys, then this invocation's."""
        return {**self._keys, **self._appended()}

    def _appended(self) -> dict[str, Any]:
        owner, keys = self._ctx.get()
        return keys if owner is _current_get() else _EMPTY

    # -- invocations -------------------------------------------------------------------------
    def new_invocation(self, clear_keys: bool = True) -> None:
        """Start of an invocation: forget its keys, decide debug sampling afresh."""
        if clear_keys:
            self._ctx.set(_NO_KEYS)
        if self._sample_rate > 0:
            if self._random is None:
                import random  # only for loggers that sample

                self._random = random.random
            self._sampled = self._random() < self._sample_rate
        else:
            self._sampled = False
        self._level = min(self._base_level, _config.DEBUG) if self._sampled else self._base_level

    def _new_invocation_keys(self, inv: Invocation) -> tuple[Invocation | None, dict[str, Any]]:
        """Cache an invocation's keys (once per invocation, a tuple so threads see a pair)."""
        cached = self._inv_cache = (inv, inv.log_keys())
        if self._service_from_env is None:
            self._env_service = inv.service
        return cached

    def close(self) -> None:
        """Close the file this logger opened (``output`` given as a path); else nothing."""
        self._writer.close()

    def __repr__(self) -> str:
        return f"<lambda_kit Logger {self.name!r} level={_config.level_name(self._level)}>"

