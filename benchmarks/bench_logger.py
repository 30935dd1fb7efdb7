"""Lines per second: lambda_kit's logger against Powertools, structlog and the stdlib.

Every logger writes ``info("order received", order_id=..., customer=..., amount=...)``
as one JSON line to its own file, flushed per line (what Lambda needs: a frozen
environment must not hold lines in a buffer). One round writes ``LINES`` lines.

- Powertools: ``aws_lambda_powertools.Logger`` with a ``logging.FileHandler``;
- structlog: the fast recipe of its docs ("Performance"): a filtering bound logger,
  ``add_log_level``, ``TimeStamper(fmt="iso", utc=True)``, ``JSONRenderer`` with
  ``orjson.dumps``, ``BytesLogger`` on a file, cached on first use. It writes no
  ``location`` and no ``service``; lambda_kit writes both, so the comparison
  favours structlog;
- stdlib: ``logging`` with a ``FileHandler`` and a formatter calling ``json.dumps``.

``test_ratios`` prints lambda_kit's speed as a multiple of each (when not disabled).
Run fully with ``make bench``; ``make test`` runs each once (``--benchmark-disable``).
"""

from __future__ import annotations

import json
import logging
from pathlib import Path
from typing import Any

import orjson
import pytest
import structlog
from aws_lambda_powertools import Logger as PowertoolsLogger

from lambda_kit.log import Logger

LINES = 1000
_medians: dict[str, float] = {}


def _count_json_lines(path: Path) -> int:
    lines = path.read_bytes().splitlines()
    for line in lines:
        assert json.loads(line)["message"] == "order received"
    return len(lines)


def _run(benchmark: Any, name: str, write_lines: Any, path: Path) -> None:
    if benchmark.disabled:
        benchmark(write_lines)
    else:
        benchmark.pedantic(write_lines, rounds=30, warmup_rounds=2, iterations=1)
        _medians[name] = benchmark.stats.stats.median
    assert _count_json_lines(path) % LINES == 0


@pytest.mark.benchmark(group="logger-lines")
def test_lambda_kit_logger(benchmark: Any, tmp_path: Path) -> None:
    path = tmp_path / "lambda_kit.jsonl"
    log = Logger("bench", service="bench", output=str(path))
    info = log.info

    def write_lines() -> None:
        for i in range(LINES):
            info("order received", order_id=i, customer="c-7", amount=12.5)

    _run(benchmark, "lambda_kit", write_lines, path)


@pytest.mark.benchmark(group="logger-lines")
def test_powertools_logger(benchmark: Any, tmp_path: Path) -> None:
    path = tmp_path / "powertools.jsonl"
    handler = logging.FileHandler(path)
    log = PowertoolsLogger(service="bench", logger_handler=handler, level="INFO")
    info = log.info

    def write_lines() -> None:
        for i in range(LINES):
            info("order received", order_id=i, customer="c-7", amount=12.5)

    try:
        _run(benchmark, "powertools", write_lines, path)
    finally:
        handler.close()


@pytest.mark.benchmark(group="logger-lines")
def test_structlog_orjson(benchmark: Any, tmp_path: Path) -> None:
    path = tmp_path / "structlog.jsonl"
    with open(path, "wb") as file:
        log = structlog.wrap_logger(
            structlog.BytesLogger(file),
            processors=[
                structlog.processors.add_log_level,
                structlog.processors.TimeStamper(fmt="iso", utc=True),
                structlog.processors.JSONRenderer(serializer=orjson.dumps),
            ],
            wrapper_class=structlog.make_filtering_bound_logger(logging.INFO),
            cache_logger_on_first_use=True,
        ).bind()
        info = log.info

        def write_lines() -> None:
            for i in range(LINES):
                info("order received", order_id=i, customer="c-7", amount=12.5)

        # structlog writes the message under "event"; count its lines by that
        if benchmark.disabled:
            benchmark(write_lines)
        else:
            benchmark.pedantic(write_lines, rounds=30, warmup_rounds=2, iterations=1)
            _medians["structlog"] = benchmark.stats.stats.median
    lines = path.read_bytes().splitlines()
    assert lines and all(json.loads(line)["event"] == "order received" for line in lines)


class _JsonFormatter(logging.Formatter):
    def format(self, record: logging.LogRecord) -> str:
        fields = {
            "timestamp": self.formatTime(record),
            "level": record.levelname,
            "message": record.getMessage(),
            "location": f"{record.funcName}:{record.lineno}",
            **getattr(record, "fields", {}),
        }
        return json.dumps(fields, default=str)


@pytest.mark.benchmark(group="logger-lines")
def test_stdlib_json_dumps(benchmark: Any, tmp_path: Path) -> None:
    path = tmp_path / "stdlib.jsonl"
    handler = logging.FileHandler(path)
    handler.setFormatter(_JsonFormatter())
    log = logging.getLogger("bench.stdlib")
    log.propagate = False
    log.handlers[:] = [handler]
    log.setLevel(logging.INFO)
    info = log.info

    def write_lines() -> None:
        for i in range(LINES):
            fields = {"order_id": i, "customer": "c-7", "amount": 12.5}
            info("order received", extra={"fields": fields})

    try:
        _run(benchmark, "stdlib", write_lines, path)
    finally:
        handler.close()
        log.handlers[:] = []


@pytest.mark.benchmark(group="logger-disabled")
def test_lambda_kit_disabled_debug(benchmark: Any, tmp_path: Path) -> None:
    path = tmp_path / "disabled.jsonl"
    log = Logger("bench-disabled", service="bench", level="INFO", output=str(path))
    debug = log.debug

    def skip_lines() -> None:
        for i in range(LINES):
            debug("not written", order_id=i, customer="c-7", amount=12.5)

    benchmark(skip_lines)
    assert path.read_bytes() == b""


def test_ratios(capsys: pytest.CaptureFixture[str]) -> None:
    """Print lines/s and lambda_kit's multiple of each (only after a full benchmark run)."""
    if "lambda_kit" not in _medians:
        return  # benchmarks were disabled: nothing measured, nothing to compare
    ours = _medians["lambda_kit"]
    with capsys.disabled():
        print()
        for name, median in sorted(_medians.items(), key=lambda kv: kv[1]):
            print(
                f"  {name:<12} {LINES / median:>10,.0f} lines/s   "
                f"lambda_kit is {median / ours:.2f}x as fast"
            )
    assert all(m > 0 for m in _medians.values())
