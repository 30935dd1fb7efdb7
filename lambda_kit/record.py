"""The invocation record: its keys and their order, how it is built, its JSON line.

    from lambda_kit import record
    record.finish(call, duration_ns, exc=None)   # the facts known at the end
    record.line(call)                            # b'{"timestamp":...,"status":"success"}\\n'
    record.build(call)                           # the same facts as a dict, for the sinks

Every instrumented invocation ends in exactly one record (DESIGN.md, "The
invocation record"). The in-flight invocation (``lambda_kit._current.Call``)
carries the facts known when it started; ``finish`` adds those known at its end
(status, duration, billed duration, cost, peak memory), as named attributes of
the same object. ``line`` writes them as JSON straight from those attributes when
the JSON line is the record's only reader; ``build`` makes the dict that
``to_json_line`` writes with the same template and that the other sinks read. The
two give the same bytes (``tests/test_record.py``), whatever the application
imported: the number format is lambda_kit's own (``duration_ms`` to the
microsecond, ``cost_usd`` to a millionth of a cent), never orjson's.

Key order: the keys every record has first (``CORE_KEYS``), with the
per-environment ones before this invocation's, then the optional keys in the
order of ``KEYS``, then keys a front end or a contributor added.
"""

from __future__ import annotations

import time
from operator import itemgetter
from resource import RUSAGE_SELF
from resource import getrusage as _getrusage

from lambda_kit import _hooks, billing, environment, settings
from lambda_kit._current import text
from lambda_kit._output import dumps, key

# typing costs ~5 ms to import on a cold start: names for annotations only
TYPE_CHECKING = False
if TYPE_CHECKING:
    from typing import Any

    from lambda_kit._current import Call
    from lambda_kit.prices import Prices

#: the keys every record has, in the order they are written
CORE_KEYS = (
    "timestamp",
    "level",
    "message",
    "type",
    # the same in every record of an environment
    "service",
    "function_name",
    "function_version",
    "function_arn",
    "function_memory_size",
    "init_type",
    "architecture",
    # this invocation's
    "function_request_id",
    "cold_start",
    "proactive_init",
    "invocation_count",
    "duration_ms",
    "billed_duration_ms",
    "max_memory_used_mb",
    "cost_usd",
    "status",
)
#: every key a record may hold, in the order they are written
KEYS = (
    *CORE_KEYS,
    # optional keys: present only when they apply
    "error_type",
    "xray_trace_id",
    "init_duration_ms",
    "timeout_stack",
    "memory_near_limit",
    "memory_growth_streak",
    "init",
    "connections",
    # the region whose prices cost_usd used, only when it is not the function's own
    # (a region the price table does not know is priced at us-east-1's)
    "price_region",
)
_CORE = frozenset(CORE_KEYS)
#: the optional keys that ride on ``Call.notes``
_NOTE_KEYS = ("timeout_stack", "memory_near_limit", "memory_growth_streak", "init")
_billed_ms = billing.billed_ms

#: error_type of a timed-out invocation, as Lambda's platform.report names it
TIMEOUT_ERROR_TYPE = "Sandbox.Timedout"

# -- per-process caches (reset with lambda_kit._hooks.reset) -----------------------------
_second = -1  # the epoch second whose text is _second_text
_second_text = ""
# per-environment fields' JSON text, by (service, name, version, ARN, memory, init
# type, architecture): the same in every record of an environment, made once
_fragments: dict[tuple[Any, ...], str] = {}
# price rows by (region, architecture), and the cost of (memory, billed ms, arch)
_rows: dict[tuple[str | None, str], Prices] = {}
_costs: dict[tuple[int, int, str], float] = {}
# a cost's JSON text ("0.000000216667"): the same few costs recur, formatting is not free
_cost_texts: dict[float, str] = {}
# the region whose prices were used, by architecture, when it was not the function's
_fallback: dict[str, str] = {}


def _reset() -> None:
    global _second
    _second = -1
    _fragments.clear()
    _rows.clear()
    _costs.clear()
    _cost_texts.clear()
    _fallback.clear()


_hooks.register_reset(__name__, _reset)


def timestamp(now_ns: int | None = None) -> str:
    """ISO 8601 UTC with milliseconds and ``Z``: ``2026-11-24T01:02:03.456Z``.

    The date-and-seconds part is formatted once per second and reused, which
    makes this a fraction of a microsecond (``datetime`` would also cost ~2 ms to import).

    >>> timestamp(1_700_000_000_123_456_789)
    '2023-11-14T22:13:20.123Z'
    """
    global _second, _second_text
    ms = (time.time_ns() if now_ns is None else now_ns) // 1_000_000
    seconds = ms // 1000
    if seconds != _second:
        _second_text = time.strftime("%Y-%m-%dT%H:%M:%S", time.gmtime(seconds))
        _second = seconds
    return f"{_second_text}.{ms - seconds * 1000:03d}Z"


def cost_usd(memory_mb: int, billed_ms: int, architecture: str) -> float:
    """The record's ``cost_usd``: one invocation at the first volume tier, rounded to a
    millionth of a cent (more digits would be noise, not precision). Cached: the same
    few (memory, billed ms) pairs recur in an environment."""
    key = (memory_mb, billed_ms, architecture)
    cost = _costs.get(key)
    if cost is None:
        env = environment.get()
        row_key = (env.region, architecture)
        row = _rows.get(row_key)
        if row is None:
            # the function's region (AWS_REGION); one the table does not know is priced
            # at us-east-1's, said once on stderr and in the record (price_region)
            row, fell_back = billing.function_prices(env.region, architecture)
            _rows[row_key] = row
            if fell_back:
                _fallback[architecture] = row.region
        if len(_costs) > 4096:
            _costs.clear()
        if env.managed_instances:
            usd = billing.managed_instances_cost_usd(row)  # compute is the instances'
        else:
            usd = billing.invocation_cost_usd(memory_mb, billed_ms, architecture, row=row)
        cost = _costs[key] = round(usd, 12)
    return cost


def finish(
    call: Call, duration_ns: int, exc: BaseException | None, budget_ms: float | None = None
) -> None:
    """Add the facts known at the invocation's end to ``call``.

    ``budget_ms`` is given when the invocation timed out: it is billed to its
    deadline, its whole budget. Runs once per invocation (one function, no helpers
    called but the clock's text and the cost cache: every call here is paid per
    invocation).
    """
    init_ms = call.init_ms
    billable = duration_ns / 1_000_000 if budget_ms is None else budget_ms
    if init_ms is not None and call.cold_start:
        billable = billing.billable_ms(billable, init_ms)
    billed = call.billed_duration_ms = _billed_ms(billable)
    arch = call.env.architecture
    cost = _costs.get((call.function_memory_size, billed, arch))
    if cost is None:
        cost = cost_usd(call.function_memory_size, billed, arch)
    call.cost_usd = cost
    if _fallback and arch in _fallback:
        call.extra = {**(call.extra or {}), "price_region": _fallback[arch]}
    peak_kib = _getrusage(RUSAGE_SELF).ru_maxrss  # KiB on Linux
    if call.count == 1:
        environment.detect_floor(peak_kib)
    if peak_kib <= environment.floor_kib:  # still under a peak inherited across exec
        peak_kib = environment.own_peak_kib() or peak_kib
    peak_mb = call.max_memory_used_mb = (peak_kib + 1023) // 1024
    # a comparison or two when the peak holds steady (9: environment.NEAR_LIMIT_TENTHS)
    if peak_kib > environment.pressure[0] or peak_mb * 10 >= call.function_memory_size * 9:
        # memory_near_limit, memory_growth_streak
        notes = environment.pressure_notes(call.count, call.function_memory_size, peak_kib, peak_mb)
        if notes is not None:
            call.notes = notes if call.notes is None else {**call.notes, **notes}
    if budget_ms is not None:
        call.level, call.status, call.error_type = "ERROR", "timeout", TIMEOUT_ERROR_TYPE
    elif exc is not None:
        call.level, call.status, call.error_type = "ERROR", "error", type(exc).__name__
    else:
        call.level, call.status, call.error_type = "INFO", "success", None
    ms = call.wall_ns // 1_000_000
    seconds = ms // 1000
    if seconds == _second:  # timestamp() within a second it has formatted: no call
        call.timestamp = f"{_second_text}.{ms - seconds * 1000:03d}Z"
    else:
        call.timestamp = timestamp(call.wall_ns)
    call.duration_ms = duration_ns // 1000 / 1000  # whole microseconds, in ms
    version = getattr(call.context, "function_version", None)
    if version is not None and type(version) is not str:
        version = text(version)  # a mock's or a list: not a version
    call.function_version = version or _version()
    call.init_duration_ms = None if init_ms is None else round(init_ms, 3)


def _version() -> str | None:
    return settings.env_str(settings.FUNCTION_VERSION)


def build(call: Call) -> dict[str, Any]:
    """The record as a dict (after ``finish``): what every sink but the JSON line reads."""
    env = call.env
    record: dict[str, Any] = {
        "timestamp": call.timestamp,
        "level": call.level,
        "message": "invocation",
        "type": "invocation",
        "service": call.service,
        "function_name": call.function_name,
        "function_version": call.function_version,
        "function_arn": call.function_arn,
        "function_memory_size": call.function_memory_size,
        "init_type": env.init_type,
        "architecture": env.architecture,
        "function_request_id": call.function_request_id,
        "cold_start": call.cold_start,
        "proactive_init": call.proactive,
        "invocation_count": call.count,
        "duration_ms": call.duration_ms,
        "billed_duration_ms": call.billed_duration_ms,
        "max_memory_used_mb": call.max_memory_used_mb,
        "cost_usd": call.cost_usd,
        "status": call.status,
    }
    # optional keys come last, so every record starts with the same columns
    if call.error_type is not None:
        record["error_type"] = call.error_type
    if call.xray_trace_id is not None:
        record["xray_trace_id"] = call.xray_trace_id
    if call.init_duration_ms is not None:
        record["init_duration_ms"] = call.init_duration_ms
    if call.notes is not None:
        for name in _NOTE_KEYS:  # in KEYS order, whoever set them first
            if name in call.notes:
                record[name] = call.notes[name]
    if call.extra:
        record.update(call.extra)
    return record


def line(call: Call) -> bytes:
    """The record's JSON line straight from ``call`` (after ``finish``), without the dict:
    for the common case where the JSON line is its only reader. The same bytes as
    ``to_json_line(build(call))``."""
    extra = ""
    if call.error_type is not None or call.xray_trace_id is not None:
        extra = _extra(
            (k, v)
            for k, v in (("error_type", call.error_type), ("xray_trace_id", call.xray_trace_id))
            if v is not None
        )
    if call.init_duration_ms is not None:
        extra += f',"init_duration_ms":{dumps(call.init_duration_ms)}'
    if call.notes is not None:
        notes = call.notes
        extra += _extra((k, notes[k]) for k in _NOTE_KEYS if k in notes)
    if call.extra:
        extra += _extra(call.extra.items())
    env = call.env
    env_key = (
        call.service,
        call.function_name,
        call.function_version,
        call.function_arn,
        call.function_memory_size,
        env.init_type,
        env.architecture,
    )
    return _render(
        env_key, extra, call.timestamp, call.level, call.function_request_id, call.cold_start,
        call.proactive, call.count, call.duration_ms, call.billed_duration_ms,
        call.max_memory_used_mb, _cost_texts.get(call.cost_usd) or _cost_text(call.cost_usd),
        call.status,
    )  # fmt: skip


def _cost_text(cost: float) -> str:
    if len(_cost_texts) > 4096:
        _cost_texts.clear()
    text = _cost_texts[cost] = f"{cost:.12f}"
    return text


def to_json_line(record: dict[str, Any]) -> bytes:
    """A record dict as one JSON line (UTF-8 bytes ending in a newline).

    For records made by ``build``, whose core keys exist with the types it gives
    them (contributors may add keys, never change these): the core keys through the
    record's template, the others after them in the dict's order. Anything else (a
    core key missing or of another type) is written by the general encoder, so a
    record is never lost.

    >>> to_json_line({"level": "INFO", "cost_usd": 1.2e-06})
    b'{"level":"INFO","cost_usd":1.2e-06}\\n'
    """
    try:
        extra = _extra((k, v) for k, v in record.items() if k not in _CORE)
        ts, level, rid, cold, proactive, count, duration, billed, peak, cost, status = (
            _invocation_fields(record)
        )
        if type(cost) is not float and type(cost) is not int:
            raise TypeError(cost)
        return _render(
            _environment_fields(record), extra, ts, level, rid, cold, proactive, count,
            duration, billed, peak, f"{cost:.12f}", status,
        )  # fmt: skip
    except (KeyError, TypeError, ValueError):
        return (dumps(record) + "\n").encode("utf-8", "backslashreplace")


# -- the JSON template ------------------------------------------------------------
# Why not orjson: importing it also imports datetime, uuid (and platform) and
# dataclasses (and inspect, ast, dis), ~10 ms of a cold start under the Lambda runtime
# client; and one writer means one number format whatever the application imported.
# timestamp, level and status come from fixed vocabularies and need no escaping.

_BOOL = {True: "true", False: "false"}
# the per-environment keys and this invocation's, read from a record dict in the
# order _render takes them (derived from CORE_KEYS: one list of keys to keep in step)
_environment_fields = itemgetter(*CORE_KEYS[4:11])
_invocation_fields = itemgetter(*CORE_KEYS[:2], *CORE_KEYS[11:])


def _fragment(key: tuple[Any, ...]) -> str:
    service, name, version, arn, memory, init_type, arch = key
    if len(_fragments) > 64:
        _fragments.clear()
    text = _fragments[key] = (
        f'"message":"invocation","type":"invocation","service":{dumps(service)},'
        f'"function_name":{dumps(name)},"function_version":{dumps(version)},'
        f'"function_arn":{dumps(arn)},"function_memory_size":{dumps(memory)},'
        f'"init_type":{dumps(init_type)},"architecture":{dumps(arch)}'
    )
    return text


def _extra(items: Any) -> str:
    """``',"k":v,...'`` for (key, value) pairs, or '' when there are none."""
    return "".join(f",{key(k)}:{dumps(v)}" for k, v in items)


def _render(
    environment_key: tuple[Any, ...],
    extra: str,
    timestamp: str,
    level: str,
    request_id: Any,
    cold: bool,
    proactive: bool,
    count: int,
    duration_ms: float,
    billed_ms: int,
    peak_mb: int,
    cost_text: str,
    status: str,
) -> bytes:
    fragment = _fragments.get(environment_key) or _fragment(environment_key)
    if (
        type(request_id) is str
        and request_id.isprintable()
        and '"' not in request_id
        and "\\" not in request_id
    ):
        rid = f'"{request_id}"'
    else:
        rid = dumps(request_id)
    return (
        f'{{"timestamp":"{timestamp}","level":"{level}",{fragment},'
        f'"function_request_id":{rid},"cold_start":{_BOOL[cold]},'
        f'"proactive_init":{_BOOL[proactive]},"invocation_count":{count},'
        f'"duration_ms":{duration_ms:.3f},"billed_duration_ms":{billed_ms},'
        f'"max_memory_used_mb":{peak_mb},"cost_usd":{cost_text},"status":"{status}"'
        f"{extra}}}\n"
    ).encode("utf-8", "backslashreplace")
