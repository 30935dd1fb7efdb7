"""``--html FILE``: one self-contained page with the cost and speed curves against memory.

The picture AWS Lambda Power Tuning users know: memory sizes along the bottom,
the p50 warm duration (left axis) and the cost per million invocations (right
axis) as two curves, and the cheapest, fastest and balanced sizes marked. The
page is one file: inline SVG and CSS, no script, no font, image or stylesheet
from anywhere else, so it opens offline and can be attached to a ticket.
"""

from __future__ import annotations

from html import escape

from lambda_kit.tune.output import NOT_LAMBDA, size_json

TYPE_CHECKING = False
if TYPE_CHECKING:
    from lambda_kit.tune.choice import Choice
    from lambda_kit.tune.measure import Tuning

W, H = 760, 380
LEFT, RIGHT, TOP, BOTTOM = 70, 80, 30, 60
SPEED, COST = "#1f77b4", "#d62728"
MARKS = {"cheapest": "#2ca02c", "fastest": "#9467bd", "balanced": "#ff7f0e"}


def _points(values: list[float | None], xs: list[float], top: float) -> list[tuple[float, float]]:
    plot_h = H - TOP - BOTTOM
    scale = top or 1.0
    return [
        (x, TOP + plot_h * (1.0 - v / scale))
        for x, v in zip(xs, values, strict=True)
        if v is not None
    ]


def _curve(points: list[tuple[float, float]], color: str, label: str) -> str:
    if not points:
        return ""
    path = " ".join(f"{x:.1f},{y:.1f}" for x, y in points)
    dots = "".join(
        f'<circle cx="{x:.1f}" cy="{y:.1f}" r="4" fill="{color}">'
        f"<title>{escape(label)}</title></circle>"
        for x, y in points
    )
    return f'<polyline fill="none" stroke="{color}" stroke-width="2" points="{path}"/>{dots}'


def _axis_labels(top: float, x: float, anchor: str, fmt: str, color: str) -> str:
    plot_h = H - TOP - BOTTOM
    out = []
    for i in range(5):
        v = top * i / 4
        y = TOP + plot_h * (1 - i / 4)
        out.append(
            f'<text x="{x}" y="{y + 4:.1f}" text-anchor="{anchor}" fill="{color}">'
            f"{fmt.format(v)}</text>"
        )
        if anchor == "end":
            out.append(
                f'<line x1="{LEFT}" x2="{W - RIGHT}" y1="{y:.1f}" y2="{y:.1f}" class="grid"/>'
            )
    return "".join(out)


def svg(tuning: Tuning, choice: Choice) -> str:
    """The chart as an inline ``<svg>`` element."""
    rows = [size_json(r) for r in tuning.results]
    n = len(rows)
    plot_w = W - LEFT - RIGHT
    xs = [LEFT + plot_w * (i + 0.5) / max(n, 1) for i in range(n)]
    speeds = [r["duration_ms_p50"] if r["status"] == "ok" else None for r in rows]
    costs = [r["cost_usd_per_million"] if r["status"] == "ok" else None for r in rows]
    top_ms = max([v for v in speeds if v is not None] or [1.0]) * 1.1
    top_usd = max([v for v in costs if v is not None] or [1.0]) * 1.1
    parts = [
        f'<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 {W} {H}" width="{W}" height="{H}" '
        'role="img" aria-label="duration and cost against memory">',
        _axis_labels(top_ms, LEFT - 8, "end", "{:,.0f} ms", SPEED),
        _axis_labels(top_usd, W - RIGHT + 8, "start", "${:,.3f}", COST),
    ]
    for key, color in MARKS.items():
        mb = getattr(choice, key)
        if mb is None:
            continue
        i = [r["memory_mb"] for r in rows].index(mb)
        offset = list(MARKS).index(key) * 14
        parts.append(
            f'<line x1="{xs[i]:.1f}" x2="{xs[i]:.1f}" y1="{TOP}" y2="{H - BOTTOM}" '
            f'stroke="{color}" stroke-dasharray="5,4" stroke-width="2"/>'
            f'<text x="{xs[i] + 5:.1f}" y="{TOP + 12 + offset}" fill="{color}">{key}</text>'
        )
    parts.append(_curve(_points(speeds, xs, top_ms), SPEED, "p50 warm duration"))
    parts.append(_curve(_points(costs, xs, top_usd), COST, "cost per million"))
    for x, r in zip(xs, rows, strict=True):
        parts.append(
            f'<text x="{x:.1f}" y="{H - BOTTOM + 18}" text-anchor="middle">'
            f"{r['memory_mb']} MB</text>"
        )
        if r["status"] != "ok":
            parts.append(
                f'<text x="{x:.1f}" y="{H - BOTTOM - 8}" text-anchor="middle" fill="#b00">'
                f"{escape(str(r['status']))}</text>"
            )
    parts.append(
        f'<text x="{LEFT}" y="{H - 12}" fill="{SPEED}">— p50 warm duration (left)</text>'
        f'<text x="{W - RIGHT}" y="{H - 12}" text-anchor="end" fill="{COST}">'
        "— $ per million invocations (right)</text></svg>"
    )
    return "".join(parts)


_STYLE = (
    "body{font-family:system-ui,sans-serif;margin:2em;color:#222;max-width:60em}"
    "svg text{font-size:12px}.grid{stroke:#ddd}table{border-collapse:collapse}"
    "td,th{padding:.2em .6em;border-bottom:1px solid #ddd;text-align:right}"
    ".warn{color:#b00}.note{color:#555}"
)

_COLUMNS = (
    ("memory_mb", "memory MB"),
    ("vcpus", "vCPU here"),
    ("duration_ms_p50", "warm p50 ms"),
    ("duration_ms_p99", "warm p99 ms"),
    ("billed_ms_p50", "billed p50 ms"),
    ("cold_init_ms", "cold init ms"),
    ("cold_duration_ms", "cold run ms"),
    ("max_memory_used_mb", "peak MB"),
    ("cost_usd_per_million", "$ per million"),
    ("status", "status"),
)


def page(tuning: Tuning, choice: Choice) -> str:
    """The whole HTML document."""
    head = "".join(f"<th>{escape(label)}</th>" for _, label in _COLUMNS)
    body = "".join(
        "<tr>"
        + "".join(f"<td>{escape('-' if r[k] is None else str(r[k]))}</td>" for k, _ in _COLUMNS)
        + "</tr>"
        for r in (size_json(x) for x in tuning.results)
    )
    picks = "".join(
        f"<li><b>{key}: {getattr(choice, key)} MB</b>. {escape(choice.reasons[key])}</li>"
        for key in MARKS
        if getattr(choice, key) is not None
    )
    warnings = "".join(f'<li class="warn">{escape(w)}</li>' for w in choice.warnings)
    notes = "".join(f'<li class="note">{escape(n)}</li>' for n in [*tuning.notes, NOT_LAMBDA])
    title = f"lambda-kit tune {tuning.handler}"
    return (
        "<!DOCTYPE html>\n"
        f'<html lang="en"><head><meta charset="utf-8"><title>{escape(title)}</title>'
        f"<style>{_STYLE}</style></head><body>"
        f"<h1>{escape(title)}</h1>"
        f"<p>{tuning.cold_starts} cold + {tuning.invocations} warm invocations per size, "
        f"priced for {escape(tuning.region)} {escape(tuning.architecture)}.</p>"
        f"{svg(tuning, choice)}"
        f"<ul>{picks}{warnings}</ul>"
        f"<table><tr>{head}</tr>{body}</table>"
        f"<ul>{notes}</ul>"
        "</body></html>\n"
    )
