"""``lambda-kit report --html FILE``: the report as one self-contained page.

    write_page("report.html", result, aggregate)

Inline SVG and CSS only (no scripts, fonts or images from elsewhere): duration
and init histograms, cold-start share and cost per hour, memory used against the
memory size, and the recommendation. Every text that came from the input is
escaped.
"""

from __future__ import annotations

import math
from html import escape
from typing import Any

from lambda_kit.report.stats import Aggregate, LogHistogram

W, H, PAD = 640, 180, 36
_CSS = (
    "body{font:14px/1.4 system-ui,sans-serif;max-width:720px;margin:2em auto;color:#222}"
    "h1{font-size:20px}h2{font-size:16px;margin-top:1.6em}svg{background:#fafafa}"
    "table{border-collapse:collapse}td{padding:2px 10px 2px 0}.n{text-align:right}"
    ".bar{fill:#4a7fb5}.cold{fill:#d9822b}.line{stroke:#c23;stroke-width:2}"
    "text{font-size:11px;fill:#555}"
)


def _bars(values: list[tuple[str, float]], css: str = "bar", unit: str = "") -> str:
    """A bar chart of ``(label, value)``; the first and last labels are printed."""
    if not values:
        return "<p>no data</p>"
    top = max(v for _, v in values) or 1.0
    width = (W - 2 * PAD) / len(values)
    parts = [f'<svg width="{W}" height="{H}" role="img">']
    for i, (label, value) in enumerate(values):
        h = (H - 2 * PAD) * value / top
        x, y = PAD + i * width, H - PAD - h
        parts.append(
            f'<rect class="{css}" x="{x:.1f}" y="{y:.1f}" width="{max(width - 1, 1):.1f}" '
            f'height="{h:.1f}"><title>{escape(label)}: {value:,.6g}{unit}</title></rect>'
        )
    parts.append(f'<text x="{PAD}" y="{H - PAD + 14}">{escape(values[0][0])}</text>')
    parts.append(
        f'<text x="{W - PAD}" y="{H - PAD + 14}" text-anchor="end">{escape(values[-1][0])}</text>'
    )
    parts.append(f'<text x="{PAD}" y="{PAD - 8}">max {top:,.6g}{unit}</text></svg>')
    return "".join(parts)


def histogram_bars(h: LogHistogram, bins: int = 40) -> list[tuple[str, float]]:
    """A log histogram regrouped into at most ``bins`` log-spaced bars (label: ms range)."""
    counts = h.counts()
    if not counts:
        return []
    low = max(min(v for v, _ in counts), 1e-3)
    high = max(max(v for v, _ in counts), low * 1.0001)
    step = (math.log(high) - math.log(low)) / bins
    out = [0] * bins
    for value, count in counts:
        i = 0 if value <= low else int((math.log(value) - math.log(low)) / step)
        out[min(i, bins - 1)] += count
    edge = [low * math.exp(step * i) for i in range(bins + 1)]
    return [(f"{edge[i]:,.3g}-{edge[i + 1]:,.3g} ms", float(c)) for i, c in enumerate(out)]


def _percentiles(figures: dict[str, Any]) -> list[tuple[str, float]]:
    return [(k, float(v)) for k, v in figures.items() if v is not None and k != "peak"]


def _over_time(result: dict[str, Any]) -> tuple[list[tuple[str, float]], list[tuple[str, float]]]:
    """(cold-start share, cost) per hour, from Insights' hourly rows or --group-by hour."""
    cold: list[tuple[str, float]] = []
    cost: list[tuple[str, float]] = []
    if result.get("hours"):
        for hour, row in result["hours"].items():
            n = row.get("invocations", 0.0)
            cold.append((hour, row.get("cold_starts", 0.0) / n if n else 0.0))
            cost.append((hour, row.get("cost_usd", 0.0)))
    else:
        for hour, group in (result.get("hourly") or {}).items():
            if hour == "unknown":
                continue
            cold.append((hour, group["cold_start_rate"]))
            cost.append((hour, group["cost_usd"]))
    return cold, cost


def _memory(result: dict[str, Any]) -> str:
    size = result.get("memory_size_mb") or 0
    used = result.get("max_memory_used_mb") or {}
    rows = [(k, float(v)) for k, v in used.items() if v is not None]
    if not size or not rows:
        return "<p>no data</p>"
    scale = (W - 2 * PAD) / max(size, max(v for _, v in rows))
    parts = [f'<svg width="{W}" height="{30 + 22 * len(rows)}" role="img">']
    for i, (label, value) in enumerate(rows):
        y = 10 + 22 * i
        parts.append(
            f'<text x="0" y="{y + 13}">{escape(label)}</text><rect class="bar" x="{PAD}" '
            f'y="{y}" width="{value * scale:.1f}" height="16"><title>{value:,.0f} MB</title></rect>'
        )
    x = PAD + size * scale
    parts.append(
        f'<line class="line" x1="{x:.1f}" x2="{x:.1f}" y1="0" y2="{22 * len(rows) + 14}"/>'
        f'<text x="{x - 4:.1f}" y="{22 * len(rows) + 26}" text-anchor="end">memory size '
        f"{size} MB</text></svg>"
    )
    return "".join(parts)


def render_page(result: dict[str, Any], agg: Aggregate | None = None) -> str:
    """The page's HTML text."""
    n = result["invocations"]
    durations = histogram_bars(agg.duration) if agg else _percentiles(result["duration_ms"])
    inits = histogram_bars(agg.init) if agg else _percentiles(result["init_duration_ms"])
    kind = "histogram" if agg else "percentiles (Logs Insights)"
    cold, cost = _over_time(result)
    rec = result.get("recommendation") or {}
    facts = [
        ("invocations", f"{n:,}"),
        ("cold starts", f"{result['cold_starts']:,} ({result['cold_start_rate']:.2%})"),
        ("cost (as billed)", f"${result['cost_usd']:.6f}"),
        ("per million", f"${result['cost_per_million_usd']:,.4f}"),
        ("timeouts / errors", f"{result['timeouts']:,} / {result['errors']:,}"),
        ("span", f"{result.get('first') or '-'} .. {result.get('last') or '-'}"),
    ]
    over_time = (
        "<h2>Cold-start share per hour</h2>"
        + _bars(cold, "cold")
        + "<h2>Cost per hour (USD)</h2>"
        + _bars(cost)
        if cold
        else "<p>Over time: run with <code>--group-by hour</code> (files) or "
        "<code>--log-group</code> (Logs Insights) for hourly charts.</p>"
    )
    approximate = result.get("approximate")
    return (
        "<!doctype html><html lang=en><meta charset=utf-8>"
        f"<title>lambda-kit report</title><style>{_CSS}</style><body>"
        "<h1>lambda-kit report</h1><table>"
        + "".join(f"<tr><td>{escape(k)}</td><td class=n>{escape(v)}</td></tr>" for k, v in facts)
        + "</table>"
        + (f"<p>Approximate: {escape(', '.join(approximate))}.</p>" if approximate else "")
        + f"<h2>Duration, {kind}</h2>"
        + _bars(durations, unit="")
        + f"<h2>Init duration, {kind}</h2>"
        + _bars(inits, "cold")
        + over_time
        + "<h2>Memory used against the memory size</h2>"
        + _memory(result)
        + "<h2>Recommendation</h2>"
        + (
            f"<p><b>{escape(str(rec.get('action', '')))} memory: "
            f"{escape(str(rec.get('recommended_mb', '')))} MB</b></p><ul>"
            + "".join(f"<li>{escape(r)}</li>" for r in rec.get("reasons", []))
            + "</ul>"
            if rec
            else "<p>none</p>"
        )
        + "</body></html>\n"
    )


def write_page(path: str, result: dict[str, Any], agg: Aggregate | None = None) -> None:
    """Write the page to ``path`` (OSError when it cannot be written)."""
    with open(path, "w", encoding="utf-8") as f:
        f.write(render_page(result, agg))
