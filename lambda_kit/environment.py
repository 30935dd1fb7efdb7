"""Facts about this execution environment, owned in one place.

What kind of start this is (on-demand, provisioned concurrency, SnapStart,
proactive initialisation), when the process started, how much memory the
function has, the architecture and the region. Per-environment facts are read
once; everything here is per process, which is right also on Lambda Managed
Instances, where one environment runs several runtime processes.

Sources:
- AWS_LAMBDA_INITIALIZATION_TYPE values: AWS Lambda docs, "Defined runtime
  environment variables" (on-demand, provisioned-concurrency, snap-start,
  lambda-managed-instances).
- /proc/[pid]/stat field 22 (starttime, clock ticks since boot, measured on
  the boot clock): proc(5).
"""

from __future__ import annotations

import os
import time

from lambda_kit import _hooks, settings
from lambda_kit._hooks import problem
from lambda_kit.settings import env_float, env_int

INIT_TYPES = ("on-demand", "provisioned-concurrency", "snap-start", "lambda-managed-instances")

#: When the first invocation comes this long after init ended, Lambda initialised the
#: environment ahead of demand ("proactive initialisation"): nobody waited for it.
DEFAULT_PROACTIVE_THRESHOLD_MS = 10_000.0

DEFAULT_MEMORY_MB = 128  # Lambda's own default memory size


def init_type() -> str:
    """``AWS_LAMBDA_INITIALIZATION_TYPE``, or ``on-demand`` when unset or unknown."""
    raw = os.environ.get(settings.INITIALIZATION_TYPE)
    if raw is None or raw == "":
        return "on-demand"
    if raw not in INIT_TYPES:
        problem(f"{settings.INITIALIZATION_TYPE}={raw!r} is unknown; treating it as on-demand")
        return "on-demand"
    return raw


def managed_instances() -> bool:
    """Whether this runs on Lambda Managed Instances.

    Lambda sets ``AWS_LAMBDA_MAX_CONCURRENCY`` on functions configured for Managed
    Instances (aws/aws-lambda-go#600; the Python runtime client forks that many worker
    processes, each with its own init: AWS Lambda docs, "Python runtime for Lambda
    Managed Instances"), and ``AWS_LAMBDA_INITIALIZATION_TYPE=lambda-managed-instances``
    ("Defined runtime environment variables"). Either says so.
    """
    if os.environ.get(settings.MAX_CONCURRENCY, "").strip():
        return True
    return os.environ.get(settings.INITIALIZATION_TYPE) == "lambda-managed-instances"


def architecture() -> str:
    """``x86_64`` or ``arm64``, as Lambda names them (``aarch64`` reads as ``arm64``).

    ``os.uname`` rather than ``platform.machine``: importing ``platform`` costs
    about 2 ms on a cold start.
    """
    machine = os.uname().machine.lower()
    if machine in ("aarch64", "arm64", "armv8l", "armv8b"):
        return "arm64"
    return "x86_64"


_memory_cache: tuple[object, int] = (None, 0)


def memory_size_mb(context: object = None) -> int:
    """The function's memory size: the context's, else ``AWS_LAMBDA_FUNCTION_MEMORY_SIZE``.

    The context carries it as a string; the last value parsed is cached, since it is
    the same for every invocation of an environment.
    """
    global _memory_cache
    raw = getattr(context, "memory_limit_in_mb", None)
    cached_raw, cached = _memory_cache
    if raw is not None and raw == cached_raw:
        return cached
    value = _memory_size_mb(raw)
    if raw is not None:
        _memory_cache = (raw, value)
    return value


def _memory_size_mb(raw: object) -> int:
    if raw is not None:
        try:
            value: int = int(raw)  # type: ignore[call-overload]
            if 128 <= value <= 10240:
                return value
        except (TypeError, ValueError):
            pass
        problem(
            f"context.memory_limit_in_mb={raw!r:.80} is not a memory size; ignoring it",
            key="context-memory",
        )
    return env_int(settings.FUNCTION_MEMORY_SIZE, DEFAULT_MEMORY_MB, low=128, high=10240)


def region() -> str | None:
    """``AWS_REGION`` (or ``AWS_DEFAULT_REGION``), None off Lambda."""
    return settings.first_set(settings.REGION, settings.DEFAULT_REGION)


# The runtime sets _X_AMZN_TRACE_ID in os.environ before each invocation. Reading it
# through os.environ costs ~0.5-2 us (key encoding, value decoding); its backing dict of
# bytes is read directly when it is there, and the last header parsed is cached.
_environ_data: dict[bytes, bytes] | None = getattr(os.environ, "_data", None)
if not isinstance(_environ_data, dict):  # pragma: no cover - another platform's os.environ
    _environ_data = None
_TRACE_KEY = settings.TRACE_ID.encode()
_trace_cache: tuple[object, str | None] = (None, None)


def xray_trace_id() -> str | None:
    """The ``Root`` of ``_X_AMZN_TRACE_ID`` (``1-5759e988-bd862e3fe1be46a994272793``)."""
    global _trace_cache
    raw: object
    if _environ_data is not None:
        raw = _environ_data.get(_TRACE_KEY)
    else:  # pragma: no cover
        raw = os.environ.get(settings.TRACE_ID)
    if raw is None:
        return None
    cached_raw, root = _trace_cache
    if raw == cached_raw:
        return root
    header = raw.decode("utf-8", "replace") if isinstance(raw, bytes) else str(raw)
    root = None
    for part in header.split(";"):
        part = part.strip()
        if part.startswith("Root="):
            root = part[5:] or None
            break
    _trace_cache = (raw, root)
    return root


#: set by lambda_kit's exec wrapper from bash's $EPOCHREALTIME before the interpreter starts
START_STAMP_ENV = settings.START_EPOCH


def _process_start_ns() -> int:
    """Wall-clock time (``time.time_ns``) when this process started.

    The kernel gives the start in clock ticks (usually 10 ms) on the boot clock: the
    process started somewhere in that tick. Within it, the age is the time the main
    thread had been on a CPU or waiting for one (/proc/self/schedstat, proc(5)) when
    lambda_kit was imported, or the exec wrapper's stamp when that is older: exact for a
    start that computes, short by what it slept (never by more than the tick). Falls
    back to "now" when /proc is not there.
    """
    try:
        with open("/proc/self/stat", "rb") as f:
            stat = f.read()
        # the command name may hold spaces and parentheses: split after the last ')'
        fields = stat[stat.rindex(b")") + 2 :].split()
        tick_ns = 1_000_000_000 // os.sysconf("SC_CLK_TCK")
        oldest = time.clock_gettime_ns(time.CLOCK_BOOTTIME) - int(fields[19]) * tick_ns
        now = time.time_ns()
        return now - _age_in_tick(max(oldest - tick_ns, 0), max(oldest, 0), now)
    except (OSError, ValueError, IndexError, AttributeError):
        return time.time_ns()


def _age_in_tick(youngest: int, oldest: int, now: int) -> int:
    """The process's age (ns) within what its start tick allows, ``youngest..oldest``.

    The exec wrapper's stamp and the scheduled time are both taken after the start, so
    each is a lower bound of the age: the larger is the better one.
    """
    age = -1
    pid, then, ran = _AT_IMPORT
    if ran is not None and pid == os.getpid():
        age = ran + (now - then)
    stamp = os.environ.get(START_STAMP_ENV)
    if stamp:
        try:
            stamped = now - int(float(stamp.replace(",", ".")) * 1e9)
        except ValueError:
            stamped = -1
        # one inherited from another process (or a wrong clock) is outside this tick
        if youngest - 1_000_000 <= stamped <= oldest + 1_000_000:
            age = max(age, stamped)
    if age < 0:
        return (youngest + oldest) // 2  # the tick's midpoint: wrong by half a tick at most
    return min(max(age, youngest), oldest)


def _scheduled_ns() -> int | None:
    """How long this process's main thread has been on a CPU or waiting for one (ns)."""
    try:
        fd = os.open("/proc/self/schedstat", os.O_RDONLY)
        try:
            on_cpu, waiting = os.read(fd, 128).split()[:2]
        finally:
            os.close(fd)
        return int(on_cpu) + int(waiting)
    except (OSError, ValueError):
        return None


# Read when lambda_kit is imported (~4 us): until then the process has mostly computed
# (interpreter start, the runtime client's imports), so its scheduled time is its age;
# module code run after it may sleep or wait on the network, which the age would miss.
_AT_IMPORT = (os.getpid(), time.time_ns(), _scheduled_ns())


# -- peak memory -------------------------------------------------------------------
# ``getrusage(RUSAGE_SELF).ru_maxrss`` is cheap (~0.5 us) and is what @instrument
# reads on every invocation, as REPORT's "Max Memory Used". It has one trap: across
# ``exec``, Linux keeps the high-water mark of the image that called exec (fs/exec.c,
# ``exec_mmap`` folds the old mm's ``hiwater_rss`` into ``signal->maxrss``). A runtime
# started by vfork from a large process (Go's os/exec, Python's subprocess) begins
# with its spawner's peak as a floor under ``ru_maxrss``. On the first invocation we
# compare it with the kernel's own ``VmHWM`` for this image (/proc/self/status, read
# once, and only when ``ru_maxrss`` is above what we hold now); when well above it,
# that is an inherited floor, and until our own peak passes it we read ``VmHWM``.

floor_kib = 0  # ru_maxrss (KiB) inherited across exec; 0 when there was none
_SLACK_KIB = 2048  # what the two figures may differ by without an inherited floor


def own_peak_kib() -> int:
    """``VmHWM`` of this process in KiB (0 when /proc is not there)."""
    try:
        with open("/proc/self/status", "rb") as f:
            for line in f:
                if line.startswith(b"VmHWM:"):
                    return int(line.split()[1])
    except (OSError, ValueError, IndexError):
        pass
    return 0


def detect_floor(maxrss_kib: int) -> None:
    """Note whether ``ru_maxrss`` (``maxrss_kib``) carries a spawner's peak."""
    global floor_kib
    try:  # our peak is at least what we hold now (statm: ~9 us, status: ~20-40 us)
        fd = os.open("/proc/self/statm", os.O_RDONLY)
        try:
            resident = int(os.read(fd, 256).split()[1]) * os.sysconf("SC_PAGE_SIZE") // 1024
        finally:
            os.close(fd)
        if maxrss_kib <= resident + _SLACK_KIB:  # so this peak is our own
            floor_kib = 0
            return
    except (OSError, ValueError, IndexError):
        pass
    own = own_peak_kib()
    floor_kib = maxrss_kib if own and maxrss_kib > own + _SLACK_KIB else 0


# -- memory pressure ---------------------------------------------------------------
# Memory pressure, as two optional keys of the invocation record.
#
#     memory_near_limit     true when the peak reached 90% of the memory size: an
#                           out-of-memory kill is near
#     memory_growth_streak  how many warm invocations in a row raised the peak, once
#                           there are 5: a leak, which pays GB-s on every invocation
#                           and ends in an OOM kill
#
# The peak is the process's (``ru_maxrss``, the figure of REPORT's Max Memory Used), so
# it only rises; a warm environment that holds steady stops raising it after its first
# few invocations. The streak is compared in KiB, so a leak of a few hundred KB per
# invocation shows too. ``lambda_kit.record.finish`` calls ``note`` once per invocation.

#: ``memory_near_limit`` when the peak reaches this share of the memory size (tenths)
NEAR_LIMIT_TENTHS = 9
#: ``memory_growth_streak`` once this many warm invocations in a row raised the peak
GROWTH_STREAK = 5

#: [the highest peak seen (KiB), the invocation count that last raised it, the streak]:
#: ``record.finish`` reads the first item inline and calls ``pressure_notes`` only when
#: the peak rose or is near the limit: a warm invocation that holds steady costs a comparison
pressure = [0, 0, 0]


def pressure_notes(
    count: int, memory_mb: int, peak_kib: int, peak_mb: int
) -> dict[str, bool | int] | None:
    """The memory pressure keys that apply to invocation ``count`` (None: none apply)."""
    if peak_kib > pressure[0]:
        # a rise right after the previous one continues the streak (the cold start's own
        # rise is no growth); any invocation in between that did not raise it ends it
        if count > 1 and pressure[1] == count - 1 and pressure[2]:
            pressure[2] += 1
        else:
            pressure[2] = 1 if count > 1 else 0
        pressure[0], pressure[1] = peak_kib, count
    streak = pressure[2] if pressure[1] == count else 0
    near = peak_mb * 10 >= memory_mb * NEAR_LIMIT_TENTHS
    if not near and streak < GROWTH_STREAK:
        return None
    notes: dict[str, bool | int] = {}
    if near:
        notes["memory_near_limit"] = True
    if streak >= GROWTH_STREAK:
        notes["memory_growth_streak"] = streak
    return notes


class Environment:
    """Per-process facts: read once, when the first invocation starts.

    A forked child (``multiprocessing``) gets a new object (``lambda_kit._hooks.reset``),
    and a SnapStart restore is a new environment too (see ``reset``).
    """

    __slots__ = (
        "architecture",
        "init_end_ns",
        "init_type",
        "invocations",
        "managed_instances",
        "proactive_threshold_ms",
        "process_start_ns",
        "region",
    )

    def __init__(self) -> None:
        self.process_start_ns = _process_start_ns()
        self.init_type = init_type()
        self.architecture = architecture()
        self.region = region()
        #: on Lambda Managed Instances an invocation's compute is the instances'
        self.managed_instances = managed_instances()
        self.proactive_threshold_ms = env_float(
            settings.PROACTIVE_INIT_MS, DEFAULT_PROACTIVE_THRESHOLD_MS
        )
        #: when init ended, if something knew it before the first invocation (the
        #: import profiler, or the end of the handler module's import); else None
        self.init_end_ns: int | None = None
        self.invocations = 0


_env: Environment | None = None


def get() -> Environment:
    """This process's ``Environment``, created on first use (and anew after a fork)."""
    global _env
    env = _env
    if env is None:
        env = _env = Environment()
    return env


def reset() -> None:
    """Forget this process's facts (tests; a SnapStart restore is a new environment)."""
    global _env, _memory_cache, _trace_cache, floor_kib
    _env = None
    pressure[:] = [0, 0, 0]
    floor_kib = 0  # a forked child starts from its parent's image: check again
    _memory_cache = (None, 0)
    _trace_cache = (None, None)


# a forked child is a new process with its own start time and its own first invocation
_hooks.register_reset(__name__, reset)


def first_invocation(
    env: Environment, wall_ns: int, decorated_ns: int
) -> tuple[float | None, bool]:
    """``init_duration_ms`` and ``proactive_init`` for the environment's first invocation,
    which started at ``wall_ns``; ``decorated_ns`` is when ``@instrument`` ran."""
    threshold_ns = env.proactive_threshold_ms * 1_000_000
    known_end = env.init_end_ns
    if known_end is None:
        # without the profiler, the decorator's run marks init's end when the first
        # request came much later; otherwise the first request does
        known_end = decorated_ns
        init_end = known_end if wall_ns - known_end > threshold_ns else wall_ns
    else:
        init_end = known_end
    proactive = env.init_type == "on-demand" and wall_ns - known_end > threshold_ns
    if env.init_type == "snap-start":
        # the process started before the snapshot was taken: its age says nothing
        return None, proactive
    return max(0.0, (init_end - env.process_start_ns) / 1_000_000), proactive


def mark_init_end(when_ns: int | None = None) -> None:
    """Note that init ended now (or at ``when_ns``, a ``time.time_ns`` value).

    The import profiler calls this when the handler module's import finishes,
    which dates init's end better than the first invocation can when Lambda
    initialised the environment long before its first request.
    """
    env = get()
    if env.invocations == 0:
        env.init_end_ns = time.time_ns() if when_ns is None else when_ns
