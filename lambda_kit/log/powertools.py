"""``Logger`` as Powertools for AWS Lambda (Python) writes it: migrating is an import change.

    from lambda_kit import Logger            # was: from aws_lambda_powertools import Logger
    logger = Logger(service="payment")

    @logger.inject_lambda_context(log_event=True, correlation_id_path="requestContext.requestId")
    def handler(event, context):
        logger.info("charged", extra={"amount": 42})

writes Powertools' lines: the same keys in the same order (``level``,
``location``, ``message``, ``timestamp``, ``service``, ``sampling_rate``, the
appended keys with ``cold_start`` and ``function_*`` first, the caller's keys,
``exception``/``exception_name``/``exception_notes``/``stack_trace``, then
``xray_trace_id``), None values left out, as Powertools' formatter does. Keys
live as Powertools keeps them: appended keys stay until removed or
``clear_state``, shared by every Logger of a service (child loggers included).

Two deliberate differences, each switchable (docs/migrate-from-powertools.md):
the timestamp is ISO 8601 UTC (``2026-11-24T01:02:03.456Z``;
``LAMBDA_KIT_LOG_TIMESTAMP=powertools``, or any of Powertools' ``datefmt``,
``use_rfc3339``, ``utc`` arguments, gives Powertools' form) and values under
secret-looking keys are redacted (``redact=False`` or ``LAMBDA_KIT_LOG_REDACT=0``).
The decorator also produces lambda_kit's invocation record (``lambda_kit.compat.one_record``).

Sources: Powertools Logger docs ("Standard structured keys", "Capturing Lambda
context info", "Setting a Correlation ID", "Appending additional keys",
"Logging exceptions", "Sampling debug logs", log level precedence with
Lambda's Advanced Logging Controls).
"""

from __future__ import annotations

import os
import sys

from lambda_kit._output import LineWriter
from lambda_kit.environment import xray_trace_id as _xray_trace_id
from lambda_kit.log._fields import call_sites as _call_sites
from lambda_kit.log._fields import exception_keys, key_names, locate, message_text
from lambda_kit.log._pt_config import (
    EVENT_VARIABLE,
    resolve_level,
    resolve_sample_rate,
    resolve_service,
    truthy,
    wants_redaction,
    with_context,
)
from lambda_kit.log._pt_line import _NONE_KEYS, Clock, _State
from lambda_kit.log._pt_line import encode as _encode
from lambda_kit.log._pt_line import maybe_json as _maybe_json
from lambda_kit.log._pt_line import method as _method
from lambda_kit.log._pt_line import redact_into as _redact_into

# typing costs ~5 ms to import on a cold start: names for annotations only
TYPE_CHECKING = False
if TYPE_CHECKING:
    from collections.abc import Callable, Iterable, Iterator
    from typing import IO, Any

_getframe = sys._getframe
_site_get = _call_sites.get  # bound once (see _line)
#: what Powertools' ``get_current_keys`` shows for the keys its formatter fills in
_FORMAT_KEYS = {
    "level": "%(levelname)s",
    "location": "%(funcName)s:%(lineno)d",
    "message": None,
    "timestamp": "%(asctime)s",
}
_JSON_START = frozenset('{["-0123456789tfn')  # what a JSON text can begin with


_states: dict[str, _State] = {}


def _caller_module(depth: int) -> str:
    frame = _getframe(depth)
    name = frame.f_globals.get("__file__") or frame.f_globals.get("__name__") or "__main__"
    return os.path.basename(str(name)).rsplit(".", 1)[0]


class Logger:
    """Powertools' ``Logger`` (same arguments, methods, keys and key order), on
    lambda_kit's line writer. See the module docstring for the two differences.

        logger = Logger(service="payment", level="INFO")
        logger.append_keys(order_id="o-1")
        logger.info("paid", extra={"amount": 42})
    """

    def __init__(
        self,
        service: str | None = None,
        level: str | int | None = None,
        child: bool = False,
        sampling_rate: float | None = None,
        stream: IO[str] | None = None,
        *,
        datefmt: str | None = None,
        use_rfc3339: bool = False,
        utc: bool = False,
        redact: bool | None = None,
        **options: Any,
    ) -> None:
        self.service = resolve_service(service)
        self.sampling_rate = resolve_sample_rate(sampling_rate)
        self.child = child
        self._options = options
        self._stdlib_handlers: list[Any] | None = None
        state = _states.get(self.service)
        if child:
            self.name = f"{self.service}.{_caller_module(2)}"
            if state is None:  # a child made before its parent: the parent's defaults
                state = self._new_state(None, stream, "", False, False, None)
                _states[self.service] = state
        else:
            self.name = self.service
            if state is None:
                state = self._new_state(level, stream, datefmt, use_rfc3339, utc, redact)
                _states[self.service] = state
            elif level is not None:
                state.level = resolve_level(level)
        self._state = state
        if not child:
            _parents.setdefault(self.service, self)

    def _new_state(
        self,
        level: str | int | None,
        stream: IO[str] | None,
        datefmt: str | None,
        rfc3339: bool,
        utc: bool,
        redact: bool | None,
    ) -> _State:
        defaults = {"service": self.service, "sampling_rate": self.sampling_rate}
        state = _State(
            defaults,
            resolve_level(level),
            LineWriter(stream).write,
            Clock(datefmt, rfc3339, utc),
            wants_redaction(redact),
        )
        if self.sampling_rate:
            state.level = min(state.level, self._sampled_level(state.level))
        return state

    def _sampled_level(self, level: int) -> int:
        import random  # only for loggers that sample

        try:
            rate = float(self.sampling_rate)
        except (TypeError, ValueError):
            return level
        return 10 if random.random() <= rate else level

    # -- lines -----------------------------------------------------------------------------
    def _line(
        self,
        name: str,
        msg: Any,
        args: tuple[Any, ...],
        exc_info: Any,
        stacklevel: int,
        extra: dict[str, Any] | None,
        kwargs: dict[str, Any],
        location: str | None = None,
    ) -> None:
        """One line (the hot path: one dict in Powertools' order, one encode, one write)."""
        try:
            st = self._state
            try:
                frame = _getframe(stacklevel)
            except ValueError:
                frame = _getframe(2)
            if type(msg) is dict:
                message: Any = msg
            elif args:
                message = message_text(msg, args)  # an unprintable argument: <unprintable T>
            elif type(msg) is str and msg and msg[0] in _JSON_START:
                message = _maybe_json(msg)  # Powertools decodes a message that is JSON text
            else:
                message = msg
            red = st.redactor
            if red is None:
                pass
            elif type(message) is not str:  # a dict's secret keys, at any depth
                message = red.nested(message)
            elif message not in red.plain_texts:  # a DSN's password, a token
                message = red.text(message)
            if not location:  # the call site's, remembered (_fields.locate, first step)
                hit = _site_get(frame.f_lasti)
                location = hit[1] if hit is not None and hit[0] is frame.f_code else locate(frame)
            fields: dict[str, Any] = {
                "level": name,
                "location": location,
                "message": message,
                "timestamp": st.clock.now(),
            }
            present, absent = st.view
            scoped = st.ctx.get()
            if extra:
                kwargs = {**extra, **kwargs}
            if absent and not (absent.isdisjoint(scoped) and absent.isdisjoint(kwargs)):
                present = st.keys  # a None key given a value here keeps its place: all of them
            fields.update(present)
            if scoped:
                fields.update(scoped)
            if kwargs:
                if red is None or (red.safe.issuperset(kwargs) and red.clean(kwargs)):
                    fields.update(kwargs)  # nothing secret, nothing nested: as given
                else:
                    _redact_into(red, fields, kwargs)
            if exc_info:
                keys = exception_keys(exc_info)
                if keys and red is not None:
                    keys = red.nested(keys)
                if keys:
                    fields["exception"] = keys["exception"]
                    fields["exception_name"] = keys["exception_name"]
                    fields["exception_notes"] = keys.get("exception_notes")
                    fields["stack_trace"] = keys["stack_trace"]
            trace = _xray_trace_id()  # the Root of _X_AMZN_TRACE_ID, as Powertools writes it
            if trace:
                fields["xray_trace_id"] = trace
            if None in fields.values():
                fields = {k: v for k, v in fields.items() if v is not None}
            st.write(_encode(fields, st.dev))
        except Exception as exc:  # logging never raises into the caller
            from lambda_kit._problems import problem

            problem(f"could not write a log line: {exc!r}", key=f"ptlog:{type(exc).__name__}")

    debug = _method("DEBUG", 10)
    info = _method("INFO", 20)
    warning = _method("WARNING", 30)
    error = _method("ERROR", 40)
    critical = _method("CRITICAL", 50)
    exception = _method("ERROR", 40, exception=True)

    # -- keys ---------------------------------------------------------------------------------
    def append_keys(self, **additional_keys: Any) -> None:
        """Add keys to every later line of this service (until removed or ``clear_state``)."""
        red = self._state.redactor
        if red is None:
            self._state.keys.update(additional_keys)
        else:
            _redact_into(red, self._state.keys, additional_keys)
        self._state.rekey()

    def remove_keys(self, keys: Iterable[str] | str) -> None:
        """Remove appended keys: a list of names, as Powertools takes them, or one name."""
        for key in key_names((keys,)):
            self._state.keys.pop(key, None)
        self._state.rekey()

    def get_current_keys(self) -> dict[str, Any]:
        """The keys added to lines now, after Powertools' own four (as it returns them)."""
        return {**_FORMAT_KEYS, **self._state.keys}

    def clear_state(self) -> None:
        """Back to the constructor's keys (service, sampling_rate)."""
        self._state.keys = dict(self._state.defaults)
        self._state.rekey()

    def structure_logs(self, append: bool = False, **keys: Any) -> None:
        """Powertools' older spelling: append (``append=True``) or replace the keys."""
        if not append:
            self.clear_state()
        self.append_keys(**keys)

    def set_correlation_id(self, value: str | None) -> None:
        """Set ``correlation_id`` on every later line (None removes it)."""
        self.append_keys(correlation_id=value)

    def get_correlation_id(self) -> str | None:
        """The correlation id set last, or None."""
        value = self._state.keys.get("correlation_id")
        return value if value is None else str(value)

    def thread_safe_append_keys(self, **additional_keys: Any) -> None:
        """Add keys for this thread/task only."""
        st = self._state
        st.ctx.set({**st.ctx.get(), **self._redacted(additional_keys)})

    def _redacted(self, keys: dict[str, Any]) -> dict[str, Any]:
        red = self._state.redactor
        return keys if red is None else {k: red.value(k, v) for k, v in keys.items()}

    def thread_safe_remove_keys(self, keys: Iterable[str] | str) -> None:
        """Remove keys added by ``thread_safe_append_keys`` (a list of names, or one)."""
        st = self._state
        names = key_names((keys,))
        st.ctx.set({k: v for k, v in st.ctx.get().items() if k not in names})

    def thread_safe_clear_keys(self) -> None:
        """Remove every key added by ``thread_safe_append_keys``."""
        self._state.ctx.set(_NONE_KEYS)

    def thread_safe_get_current_keys(self) -> dict[str, Any]:
        """The keys added by ``thread_safe_append_keys`` in this thread/task."""
        return dict(self._state.ctx.get())

    def append_context_keys(self, **additional_keys: Any) -> Any:
        """A context manager: the keys are on lines inside the ``with`` block only."""
        import contextlib  # only where this is used

        @contextlib.contextmanager
        def scoped() -> Iterator[None]:
            st = self._state
            token = st.ctx.set({**st.ctx.get(), **self._redacted(additional_keys)})
            try:
                yield
            finally:
                st.ctx.reset(token)

        return scoped()

    # -- levels and handlers -------------------------------------------------------------
    def setLevel(self, level: str | int | None) -> None:  # Powertools' (and the stdlib's) name
        """Set the level of every Logger of this service."""
        self._state.level = resolve_level(level)

    @property
    def log_level(self) -> int:
        """The level as a number (20 for INFO)."""
        return self._state.level

    @property
    def handlers(self) -> list[Any]:
        """stdlib ``logging`` handlers writing this logger's lines (made on first use)."""
        if self._stdlib_handlers is None:
            from lambda_kit.log._pt_stdlib import handler_for

            self._stdlib_handlers = [handler_for(self)]
        return self._stdlib_handlers

    @property
    def registered_handler(self) -> Any:
        """The first handler (Powertools' name)."""
        return self.handlers[0]

    @property
    def parent(self) -> Logger | None:
        """A child logger's parent (the service's Logger); None for a parent."""
        return _parents.get(self.service) if self.child else None

    # -- the decorator ----------------------------------------------------------------------
    def inject_lambda_context(
        self,
        lambda_handler: Callable[..., Any] | None = None,
        log_event: bool | None = None,
        correlation_id_path: str | None = None,
        clear_state: bool | None = False,
        flush_buffer_on_uncaught_error: bool = False,
    ) -> Any:
        """Add the Lambda context keys (and ``cold_start``) to every line of each
        invocation; ``log_event`` logs the event, ``correlation_id_path`` (a JMESPath,
        see ``lambda_kit.logging.correlation_paths``) sets ``correlation_id``,
        ``clear_state`` starts each invocation from the constructor's keys."""
        if lambda_handler is None:
            return lambda handler: self.inject_lambda_context(
                handler, log_event, correlation_id_path, clear_state
            )
        wanted = truthy(os.environ.get(EVENT_VARIABLE, "false")) if log_event is None else log_event
        from lambda_kit.compat import one_record

        return one_record(
            lambda_handler,
            lambda h: with_context(self, h, bool(wanted), correlation_id_path, bool(clear_state)),
            self.service if self.service != "service_undefined" else None,
        )

    def __repr__(self) -> str:
        return f"<lambda_kit Powertools-compatible Logger {self.name!r}>"


_parents: dict[str, Logger] = {}


__all__ = ["Logger"]
