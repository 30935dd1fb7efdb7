"""`lambda-kit report --html FILE`: one self-contained page with the report's pictures."""

import json
import re

from lambda_kit.cli import main
from lambda_kit.report.html import histogram_bars, render_page
from lambda_kit.report.stats import LogHistogram


def lines():
    out = []
    for i in range(400):
        hour = 10 + i // 100
        init = "Init Duration: 250.00 ms\t" if i % 10 == 0 else ""
        out.append(
            f"2026-11-24T{hour}:{i % 60:02d}:00.000Z REPORT RequestId: {i}\tDuration: {1 + i * 1.7:.2f} ms\t"
            f"Billed Duration: {2 + int(i * 1.7)} ms\tMemory Size: 1024 MB\tMax Memory Used: {100 + i % 50} MB\t{init}"
        )
    return out


def page(capsys, tmp_path, *extra):
    log = tmp_path / "in.log"
    log.write_text("\n".join(lines()) + "\n")
    out = tmp_path / "report.html"
    code = main(["report", str(log), "--html", str(out), "--json", *extra])
    stdout, _ = capsys.readouterr()
    return code, out.read_text(), json.loads(stdout)


def test_the_page_holds_the_pictures_and_the_recommendation(capsys, tmp_path):
    code, html, data = page(capsys, tmp_path)
    assert code == 0
    for heading in ("Duration, histogram", "Init duration, histogram", "Cold-start share per hour",
                    "Cost per hour (USD)", "Memory used against the memory size", "Recommendation"):
        assert heading in html
    assert html.count("<svg") == 5
    assert f"{data['recommendation']['action']} memory: {data['recommendation']['recommended_mb']} MB" in html
    # four hours of input: four bars of cold-start share, four of cost
    cold = html.split("Cold-start share per hour")[1].split("</svg>")[0]
    assert cold.count("<rect") == 4 and "2026-11-24T10:00: 0.1" in cold
    assert "groups" not in data  # the hourly grouping is for the page only


def test_the_page_loads_nothing_from_elsewhere(capsys, tmp_path):
    _, html, _ = page(capsys, tmp_path)
    assert not re.search(r"https?://|<script|<link|<img|@import|url\(", html)


def test_input_text_is_escaped():
    result = {
        "invocations": 1, "cold_starts": 0, "cold_start_rate": 0.0, "cost_usd": 0.0,
        "cost_per_million_usd": 0.0, "timeouts": 0, "errors": 0, "first": "<b>", "last": None,
        "duration_ms": {"p50": 1.0}, "init_duration_ms": {}, "memory_size_mb": 128,
        "max_memory_used_mb": {"peak": 10}, "recommendation": {"action": "keep", "recommended_mb": 128,
                                                                "reasons": ["<script>alert(1)</script>"]},
    }
    html = render_page(result)
    assert "<script>" not in html and "&lt;script&gt;" in html and "&lt;b&gt;" in html


def test_histogram_bars_keep_every_count():
    h = LogHistogram()
    for v in (0.0, 1.0, 2.0, 3.5, 100.0, 100.0, 5000.0):
        h.add(v)
    bars = histogram_bars(h, bins=10)
    assert len(bars) == 10 and sum(c for _, c in bars) == 7


def test_an_unwritable_page_is_one_line(capsys, tmp_path):
    log = tmp_path / "in.log"
    log.write_text(lines()[0] + "\n")
    code = main(["report", str(log), "--html", str(tmp_path / "no" / "such" / "dir.html")])
    _, err = capsys.readouterr()
    assert code == 2 and err.startswith("lambda-kit report: cannot write") and err.count("\n") == 1


def test_a_logs_insights_result_draws_percentiles_and_the_hourly_rows():
    from lambda_kit.prices import prices_for
    from lambda_kit.report.cloud import from_sizes

    sizes = {512: {"invocations": 100, "cold_starts": 5, "billed_mb_ms": 512 * 3000, "peak_used_mb": 90,
                   "duration_p50": 20.0, "duration_p90": 25.0, "duration_p99": 40.0, "duration_max": 41.0,
                   "init_p50": 300.0, "init_max": 350.0, "approximate": False}}
    result = from_sizes(sizes, {a: prices_for("us-east-1", a) for a in ("x86_64", "arm64")}, "x86_64", True)
    result["hours"] = {"2026-11-24T10:00": {"invocations": 60.0, "cold_starts": 3.0, "cost_usd": 2e-5},
                       "2026-11-24T11:00": {"invocations": 40.0, "cold_starts": 2.0, "cost_usd": 1e-5}}
    html = render_page(result)
    assert "Duration, percentiles (Logs Insights)" in html
    cost = html.split("Cost per hour (USD)")[1].split("</svg>")[0]
    assert cost.count("<rect") == 2 and "2026-11-24T10:00: 2e-05" in cost
    assert "2026-11-24T11:00: 0.05" in html.split("Cold-start share per hour")[1]
