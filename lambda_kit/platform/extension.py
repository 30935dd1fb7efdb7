"""The internal extension: register, listen, subscribe, write each report as it comes.

    from lambda_kit.platform.extension import start
    extension = start()        # None (and one stderr line) when it cannot run

Called by ``import lambda_kit`` when ``LAMBDA_KIT_PLATFORM=1``. Registration and the
subscription happen during init, before the runtime asks for its first event (Lambda
refuses an extension that registers later: AWS Lambda docs, "Lambda Extensions API",
Init phase), each bounded by ``LAMBDA_KIT_PLATFORM_TIMEOUT_MS`` (default 1000). The
report of invocation N arrives after N has ended (Lambda buffers telemetry, at least
25 ms), so it is written when it arrives, from the listener's thread: no invocation
ever waits for it. At SIGTERM (Lambda's shutdown, sent because an extension is
registered) the reports of invocations that started are waited for, at most
``LAMBDA_KIT_PLATFORM_FLUSH_MS`` (default 300: Lambda gives a runtime with an internal
extension 500 ms), then the previous SIGTERM handler runs.

On Lambda Managed Instances one execution environment runs several runtime workers,
each importing the handler, and the Telemetry API is the environment's: every
subscriber receives every request's events, which carry the request id and nothing
of the worker that ran it (AWS Lambda docs, "Understanding the Lambda Managed
Instances execution environment": extensions are initialised and registered once, in
the environment's Init; "Lambda Telemetry API Event schema reference"). Lambda
registers a name once per environment and takes no registration once the first
worker is ready (AWS's Managed Instances emulator: see lambda_kit/local/telemetry.py),
so the first worker to register runs the extension and writes the line of every
request of the environment; the others are refused (``Extension.InvalidExtensionState``
or ``Extension.RegistrationClosed``), which is how it should be, and run none,
quietly. See docs/platform.md, "On Lambda Managed Instances".
"""

from __future__ import annotations

import os
import signal
import threading
import time
from types import FrameType

from lambda_kit import settings
from lambda_kit._output import LineWriter
from lambda_kit._problems import problem
from lambda_kit.platform import client
from lambda_kit.platform.lines import BadEvent, line_of, report_fields, request_id
from lambda_kit.platform.listener import Listener

# typing costs ~5 ms to import: names for annotations only
TYPE_CHECKING = False
if TYPE_CHECKING:
    from typing import Any

NAME = "lambda_kit"
#: request ids started and not yet reported, kept at most this many (a stream that
#: never reports must not grow without end)
MAX_PENDING = 10_000
#: reports kept for their EMF document until this process's first instrumented
#: invocation tells the metrics' namespace and dimensions (Managed Instances: the
#: worker that runs the extension reports the other workers' requests too)
MAX_HELD = 1000
#: the refusals that mean another worker of this environment runs the extension
ANOTHER_WORKER = frozenset({"Extension.InvalidExtensionState", "Extension.RegistrationClosed"})


class Extension:
    """Receives telemetry batches; writes a ``platform_report`` line per report."""

    def __init__(self, writer: LineWriter | None = None) -> None:
        self.writer = writer or LineWriter()
        self.reports = 0
        #: EMF lines written with Lambda's figures (CloudWatch metrics on)
        self.metric_lines = 0
        self._pending: dict[str, float] = {}
        self._held: list[dict[str, Any]] = []
        self._done = threading.Condition()
        self.listener: Listener | None = None
        self.extension_id: str | None = None

    def on_events(self, events: list[Any]) -> None:
        """Handle one batch: ``platform.start`` opens a request, ``platform.report`` ends it."""
        for event in events:
            if not isinstance(event, dict):
                problem(f"platform telemetry: an event that is not an object: {event!r:.80}")
                continue
            kind = event.get("type")
            try:
                if kind == "platform.start":
                    self._start(request_id(event))
                elif kind == "platform.report":
                    self._report(event)
            except BadEvent as exc:  # once per kind of fault, whatever the values
                problem(f"platform telemetry: {exc}", key=f"platform:{str(exc).partition(':')[0]}")
            except Exception as exc:  # one odd event must not cost the batch's others
                problem(
                    f"platform telemetry: could not handle {kind!r:.40}: {exc!r}",
                    key=f"platform-event:{type(exc).__name__}",
                )

    def _start(self, rid: str) -> None:
        with self._done:
            if len(self._pending) < MAX_PENDING:
                self._pending[rid] = time.monotonic()

    def _report(self, event: dict[str, Any]) -> None:
        fields = report_fields(event)
        try:
            self.writer.write(line_of(fields))
        except (OSError, ValueError) as exc:
            problem(f"could not write a platform_report line: {exc!r}", key="platform-line")
        written = self._metrics(fields)
        with self._done:
            self.reports += 1
            self.metric_lines += written
            self._pending.pop(event["record"]["requestId"], None)
            self._done.notify_all()

    def _metrics(self, fields: dict[str, Any]) -> int:
        """Write the report's EMF document when metrics are on (and those of the reports
        held for want of dimensions, once there are some); the lines written."""
        written = _document(fields)
        if written is None:  # metrics are on, but no invocation has run in this process
            self._hold(fields)
            return 0
        with self._done:
            held, self._held = self._held, []
        return written + sum(_document(f) or 0 for f in held)

    def _hold(self, fields: dict[str, Any]) -> None:
        with self._done:
            if len(self._held) < MAX_HELD:
                self._held.append(fields)
                return
        problem(
            f"platform metrics: more than {MAX_HELD} reports came before this process's "
            "first instrumented invocation; the EMF documents of the later ones are dropped "
            "(their platform_report lines are written)",
            key="platform-emf-held",
        )

    def held(self) -> int:
        """Reports whose EMF document waits for this process's first invocation."""
        with self._done:
            return len(self._held)

    def pending(self) -> list[str]:
        """Request ids that started and whose report has not arrived."""
        with self._done:
            return list(self._pending)

    def flush(self, timeout_s: float) -> bool:
        """Wait (at most ``timeout_s``) until every started invocation was reported."""
        deadline = time.monotonic() + timeout_s
        with self._done:
            while self._pending:
                left = deadline - time.monotonic()
                if left <= 0:
                    return False
                self._done.wait(left)
        return True


def _document(fields: dict[str, Any]) -> int | None:
    """``metrics.write`` with its faults said once: the lines written; None when the
    report waits for this process's first invocation."""
    # loaded at the first report, on the listener's thread: nothing of it is paid at init
    from lambda_kit.platform import metrics

    try:
        return metrics.write(fields)
    except (OSError, ValueError) as exc:  # stdout closed, a full disk
        problem(f"could not write the platform metrics (EMF): {exc!r}", key="platform-emf")
    except Exception as exc:  # never the listener's end: the next report may work
        problem(f"could not build the platform metrics (EMF): {exc!r}", key="platform-emf")
    return 0


_extension: Extension | None = None
_previous: Any = None


def current() -> Extension | None:
    """The extension this process runs; None when it runs none (off, refused, or on
    Managed Instances run by another worker of the environment)."""
    return _extension


def start() -> Extension | None:
    """Start the extension once per process; None when it cannot (said once on stderr)."""
    global _extension
    if _extension is not None:
        return _extension
    api = os.environ.get(settings.RUNTIME_API)
    if not api:
        problem(
            f"{settings.PLATFORM}=1 outside a Lambda runtime "
            f"({settings.RUNTIME_API} is not set): no platform reports"
        )
        return None
    timeout_s = (
        settings.env_float(settings.PLATFORM_TIMEOUT_MS, 1000.0, low=1.0, high=10_000.0) / 1000
    )
    host = settings.env_str(settings.PLATFORM_HOST, "sandbox.localdomain") or ""
    ext = Extension()
    try:
        ext.extension_id = client.register(api, NAME, timeout_s=timeout_s)
        ext.listener = Listener(host, ext.on_events)
        client.subscribe(api, ext.extension_id, ext.listener.uri, timeout_s=timeout_s)
    except (client.Refused, OSError) as exc:
        if ext.listener is not None:
            ext.listener.close()
        if not _another_worker_runs_it(exc):
            problem(f"the platform extension is off: {exc}")
        return None
    ext_id = ext.extension_id
    threading.Thread(
        target=client.wait_next, args=(api, ext_id), name="lambda-kit-extension", daemon=True
    ).start()
    _hook_sigterm()
    _extension = ext
    return ext


def _another_worker_runs_it(exc: Exception) -> bool:
    """Whether a refusal only says that, on Managed Instances, another runtime worker of
    this environment registered the extension first (then this one stays quiet)."""
    if not isinstance(exc, client.Refused) or exc.error_type not in ANOTHER_WORKER:
        return False
    from lambda_kit.environment import managed_instances

    return managed_instances()


def _on_sigterm(signum: int, frame: FrameType | None) -> None:
    ext = _extension
    if ext is not None:
        ext.flush(settings.env_float(settings.PLATFORM_FLUSH_MS, 300.0, high=2000.0) / 1000)
        if ext.held():
            problem(
                f"{ext.held()} platform report(s) got no EMF document: no instrumented "
                "invocation ran in this process to give the metrics their dimensions"
            )
    previous = _previous
    if callable(previous):
        previous(signum, frame)
    elif previous == signal.SIG_IGN:
        return
    else:  # die of the signal, as the default would
        signal.signal(signum, signal.SIG_DFL)
        os.kill(os.getpid(), signum)


def _hook_sigterm() -> None:
    # a Python handler, chained (as reuse's): signal masks would be inherited by every
    # subprocess the handler starts, so no thread blocks the signal for a sigwait
    global _previous
    if threading.current_thread() is not threading.main_thread():
        return  # handlers can only be set from the main thread
    current = signal.getsignal(signal.SIGTERM)
    if current is not _on_sigterm:
        _previous = current
        signal.signal(signal.SIGTERM, _on_sigterm)
