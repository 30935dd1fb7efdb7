"""What ``lambda-kit tune`` prints: the table, the JSON object, and the progress bar.

The JSON object (``--json``) has ``results``, one entry per size, and
``recommendation`` (``cheapest``, ``fastest``, ``balanced`` in MB, or null when
no size ran cleanly); tests/schemas/tune.schema.json is its schema.
"""

from __future__ import annotations

from lambda_kit.tune.choice import Candidate, Choice

TYPE_CHECKING = False
if TYPE_CHECKING:
    from typing import Any, TextIO

    from lambda_kit._term import Style
    from lambda_kit.tune.calibrate import Calibration
    from lambda_kit.tune.measure import SizeResult, Tuning

#: said wherever results are shown: the figures come from this machine, not Lambda
NOT_LAMBDA = (
    "measured on this machine, not on Lambda: a different CPU model and no Firecracker "
    "microVM; compare sizes with each other, and scale absolute figures with --calibrate"
)


def candidates(tuning: Tuning) -> list[Candidate]:
    """The sizes as the choice sees them (a size without a warm run counts as failed)."""
    out = []
    for r in tuning.results:
        p50 = r.duration_ms(50)
        cost = r.cost_usd_per_invocation
        failure = r.failure if r.failure is not None or p50 is not None else "error"
        out.append(Candidate(r.memory_mb, p50 or 0.0, cost or 0.0, failure, r.failure_message))
    return out


def _r(value: float | None, digits: int = 2) -> float | None:
    return None if value is None else round(value, digits)


def size_json(r: SizeResult) -> dict[str, Any]:
    """One entry of ``results``."""
    from lambda_kit.tune.measure import percentile

    cost = r.cost_usd_per_invocation
    return {
        "memory_mb": r.memory_mb,
        "vcpus": _r(r.vcpus, 4),
        "lambda_vcpus": _r(r.lambda_vcpus, 4),
        "status": r.failure or "ok",
        "failure_message": r.failure_message or None,
        "warm_invocations": len(r.warm_ms),
        "duration_ms_min": _r(min(r.warm_ms) if r.warm_ms else None),
        "duration_ms_p50": _r(r.duration_ms(50)),
        "duration_ms_p90": _r(r.duration_ms(90)),
        "duration_ms_p99": _r(r.duration_ms(99)),
        "billed_ms_p50": _r(percentile([float(b) for b in r.warm_billed_ms], 50)),
        "cold_starts": len(r.cold_ms),
        "cold_duration_ms": _r(percentile(r.cold_ms, 50)),
        "cold_init_ms": _r(percentile(r.cold_init_ms, 50)),
        "cold_billed_ms": _r(percentile([float(b) for b in r.cold_billed_ms], 50)),
        "cold_cost_usd": _r(percentile(r.cold_usd, 50), 12),
        "max_memory_used_mb": r.max_memory_used_mb,
        "cost_usd_per_invocation": _r(cost, 12),
        "cost_usd_per_million": _r(None if cost is None else cost * 1e6, 6),
    }


def to_json(
    tuning: Tuning, choice: Choice, calibration: Calibration | None = None
) -> dict[str, Any]:
    """The whole run as one JSON-able object."""
    out: dict[str, Any] = {
        "handler": tuning.handler,
        "region": tuning.region,
        "architecture": tuning.architecture,
        "warm_invocations_per_size": tuning.invocations,
        "cold_starts_per_size": tuning.cold_starts,
        "timeout_s": tuning.timeout_s,
        "cpu": {
            "scaled": tuning.cpu_interface is not None,
            "interface": tuning.cpu_interface,
            "machine_cpus": tuning.machine_cpus,
            "mb_per_vcpu": 1769,
        },
        "prices": tuning.price_source,
        "notes": [*tuning.notes, NOT_LAMBDA],
        "results": [size_json(r) for r in tuning.results],
        "recommendation": {
            "cheapest": choice.cheapest,
            "fastest": choice.fastest,
            "balanced": choice.balanced,
            "balanced_weight": choice.balanced_weight,
            "reasons": choice.reasons,
            "warnings": choice.warnings,
        },
    }
    if calibration is not None:
        out["calibration"] = calibration_json(calibration)
    return out


def calibration_json(c: Calibration) -> dict[str, Any]:
    """``--calibrate`` as JSON."""
    from lambda_kit.tune.calibrate import ITERATIONS, SOURCE

    return {
        "workload": f"{ITERATIONS} chained SHA-256 digests",
        "local_ms": round(c.local_ms, 2),
        "lambda_ms": c.lambda_ms,
        "lambda_over_local": _r(c.lambda_over_local, 3),
        "python": c.python,
        "architecture": c.architecture,
        "cpu_model": c.cpu_model,
        "source": SOURCE,
    }


def _ms(value: float | None) -> str:
    return "-" if value is None else f"{value:,.1f}"


def _status(r: SizeResult) -> str:
    return {"oom": "OOM", "timeout": "timeout", "init_error": "init failed", "error": "error"}.get(
        r.failure or "", "ok"
    )


def table(tuning: Tuning, choice: Choice, paint: Style | None = None) -> str:
    """The terminal report: one row per size, then the picks, warnings and notes
    (coloured by ``paint``, lambda_kit._term's, when it is on)."""
    from lambda_kit._term import Style

    paint = paint or Style(False)
    head = (
        "memory", "vCPU", "warm p50", "warm p99", "billed p50", "cold init+run",
        "peak MB", "$/invocation", "$/million", "status",
    )  # fmt: skip
    rows = [head, ("MB", "here", "ms", "ms", "ms", "ms", "", "", "", "")]
    for r in tuning.results:
        j = size_json(r)
        cold = "-"
        if j["cold_init_ms"] is not None:
            cold = f"{j['cold_init_ms']:,.0f}+{j['cold_duration_ms']:,.0f}"
        cost = r.cost_usd_per_invocation
        rows.append(
            (
                str(r.memory_mb),
                "-" if r.vcpus is None else f"{r.vcpus:.3f}",
                _ms(j["duration_ms_p50"]),
                _ms(j["duration_ms_p99"]),
                "-" if j["billed_ms_p50"] is None else f"{j['billed_ms_p50']:,.0f}",
                cold,
                str(r.max_memory_used_mb),
                "-" if cost is None else f"{cost:.10f}",
                "-" if cost is None else f"{cost * 1e6:,.4f}",
                _status(r),
            )
        )
    widths = [max(len(row[i]) for row in rows) for i in range(len(head))]
    lines = [
        paint.heading(
            f"lambda-kit tune {tuning.handler}: {len(tuning.results)} size(s) x "
            f"({tuning.cold_starts} cold + {tuning.invocations} warm), "
            f"{tuning.region} {tuning.architecture}"
        )
    ]
    for n, row in enumerate(rows):
        cells = [
            c.rjust(w) if i < len(row) - 1 else c
            for i, (c, w) in enumerate(zip(row, widths, strict=True))
        ]
        text = "  ".join(cells).rstrip()
        lines.append(paint.heading(text) if n < 2 else text)  # the two header rows
    lines.append("")
    for key in ("cheapest", "fastest", "balanced"):
        mb = getattr(choice, key)
        if mb is not None:
            lines.append(f"{key:>9}: {paint.figure(f'{mb} MB')}. {choice.reasons[key]}")
    lines.extend(f"  warning: {paint.warning(w)}" for w in choice.warnings)
    lines.extend(f"     note: {n}" for n in [*tuning.notes, NOT_LAMBDA])
    return "\n".join(lines)


class ProgressBar:
    """A one-line bar on a terminal (nothing at all when ``stream`` is not a tty)."""

    WIDTH = 30

    def __init__(self, stream: TextIO) -> None:
        self.stream = stream
        self.on = stream.isatty()
        self.shown = False

    def __call__(self, index: int, count: int, memory_mb: int, done: int, total: int) -> None:
        """Redraw: ``index`` sizes finished of ``count``, ``done`` of ``total`` at this one."""
        if not self.on:
            return
        fraction = (index + done / max(total, 1)) / max(count, 1)
        filled = int(fraction * self.WIDTH)
        bar = "#" * filled + "." * (self.WIDTH - filled)
        self.stream.write(
            f"\r[{bar}] size {index + 1}/{count}: {memory_mb} MB, invocation {done}/{total} "
        )
        self.stream.flush()
        self.shown = True

    def close(self) -> None:
        """Clear the bar's line."""
        if self.shown:
            self.stream.write("\r\033[K")
            self.stream.flush()
            self.shown = False
