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
- stdlib: ``logging`` with a ``FileHandler`` and a formatter calling ``json.dumps``;
- lambda_kit_first: lambda_kit's lines while orjson is not imported (what a
  handler that never imports orjson gets), written by the stdlib's C encoder;
  orjson's import would cost ~10 ms of a cold start.

``test_interleaved_ratios`` runs the four in alternating rounds (a machine shared
with other work slows each alike) and prints lambda_kit's speed as a multiple of
each (``make bench`` prints it above its tables).
Run fully with ``make bench``; ``make test`` runs each once (``--benchmark-disable``).
"""

from __future__ import annotations

import json
import logging
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

import orjson
import pytest
import structlog
from aws_lambda_powertools import Logger as PowertoolsLogger
from conftest import report_figure

from lambda_kit.log import Logger, _fields, _line

LINES = 1000


Writer = tuple[Callable[[], None], Callable[[], None]]  # (write LINES lines, close)


def lambda_kit_writer(tmp_path: Path) -> Writer:
    log = Logger("bench", service="bench", output=str(tmp_path / "lambda_kit.jsonl"))
    info = log.info

    def write_lines() -> None:
        for i in range(LINES):
            info("order received", order_id=i, customer="c-7", amount=12.5)

    return write_lines, lambda: None


def lambda_kit_first_lines_writer(tmp_path: Path) -> Writer:
    """lambda_kit as in a process's first lines, before orjson is imported (the stdlib's
    C encoder writes them; see lambda_kit/log/_fields.py): what a cold start sees."""
    log = Logger("bench-first", service="bench", output=str(tmp_path / "lambda_kit_first.jsonl"))
    info = log.info

    def write_lines() -> None:
        saved = (_line._dumps, _line._modules, _fields._orjson_dumps)
        _line._dumps, _line._modules, _fields._orjson_dumps = _line._first_lines, {}, None
        try:
            for i in range(LINES):
                info("order received", order_id=i, customer="c-7", amount=12.5)
        finally:
            _line._dumps, _line._modules, _fields._orjson_dumps = saved

    return write_lines, lambda: None


def powertools_writer(tmp_path: Path) -> Writer:
    handler = logging.FileHandler(tmp_path / "powertools.jsonl")
    # Powertools keeps the first handler given for a service name: a name of our own
    log = PowertoolsLogger(
        service=f"logger-bench-{tmp_path.name}", logger_handler=handler, level="INFO"
    )
    info = log.info

    def write_lines() -> None:
        for i in range(LINES):
            info("order received", order_id=i, customer="c-7", amount=12.5)

    return write_lines, handler.close


def structlog_writer(tmp_path: Path) -> Writer:
    file = open(tmp_path / "structlog.jsonl", "wb")  # noqa: SIM115 (closed by the caller)
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

    return write_lines, file.close


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


def stdlib_writer(tmp_path: Path) -> Writer:
    handler = logging.FileHandler(tmp_path / "stdlib.jsonl")
    handler.setFormatter(_JsonFormatter())
    log = logging.getLogger(f"bench.stdlib.{tmp_path.name}")
    log.propagate = False
    log.handlers[:] = [handler]
    log.setLevel(logging.INFO)
    info = log.info

    def write_lines() -> None:
        for i in range(LINES):
            fields = {"order_id": i, "customer": "c-7", "amount": 12.5}
            info("order received", extra={"fields": fields})

    def close() -> None:
        handler.close()
        log.handlers[:] = []

    return write_lines, close


_MAKERS: dict[str, Callable[[Path], Writer]] = {
    "lambda_kit": lambda_kit_writer,
    "lambda_kit_first": lambda_kit_first_lines_writer,
    "powertools": powertools_writer,
    "structlog": structlog_writer,
    "stdlib": stdlib_writer,
}


def _check_lines(tmp_path: Path, name: str) -> None:
    lines = (tmp_path / f"{name}.jsonl").read_bytes().splitlines()
    assert lines and len(lines) % LINES == 0
    for line in lines:
        parsed = json.loads(line)
        # structlog writes the message under "event"
        assert parsed.get("message", parsed.get("event")) == "order received"


@pytest.mark.benchmark(group="logger-lines")
@pytest.mark.parametrize("name", list(_MAKERS))
def test_lines_per_second(benchmark: Any, tmp_path: Path, name: str) -> None:
    write_lines, close = _MAKERS[name](tmp_path)
    try:
        if benchmark.disabled:
            benchmark(write_lines)
        else:
            benchmark.pedantic(write_lines, rounds=30, warmup_rounds=2, iterations=1)
    finally:
        close()
    _check_lines(tmp_path, name)


@pytest.mark.benchmark(group="logger-disabled")
def test_lambda_kit_disabled_debug(benchmark: Any, tmp_path: Path) -> None:
    path = tmp_path / "disabled.jsonl"
    log = Logger("bench-disabled", service="bench", level="INFO", output=str(path))
    debug = log.debug

    def skip_lines() -> None:
        for i in range(LINES):
            debug("not written", order_id=i, customer="c-7", amount=12.5)

    benchmark(skip_lines)
    assert not path.exists() or path.read_bytes() == b""  # the file opens at the first line


def test_interleaved_ratios(
    benchmark: Any, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """All four loggers in alternating rounds, so a busy machine slows each alike;
    prints lines/s (best round) and lambda_kit's multiple of each."""
    writers = {name: make(tmp_path) for name, make in _MAKERS.items()}
    rounds = 1 if benchmark.disabled else 15
    best = dict.fromkeys(writers, float("inf"))
    for _ in range(rounds):
        for name, (write_lines, _) in writers.items():
            start = time.perf_counter()
            write_lines()
            best[name] = min(best[name], time.perf_counter() - start)
    for _, close in writers.values():
        close()
    ours = best["lambda_kit"]
    ratios = {name: round(b / ours, 2) for name, b in best.items()}
    benchmark.extra_info.update({f"x_vs_{name}": r for name, r in ratios.items()})
    benchmark.pedantic(writers["lambda_kit"][0], rounds=1, iterations=1)
    if not benchmark.disabled:
        with capsys.disabled():
            print(f"\n  {LINES} lines per round, best of {rounds} interleaved rounds:")
            for name, b in sorted(best.items(), key=lambda kv: kv[1]):
                print(
                    f"  {name:<16} {LINES / b:>10,.0f} lines/s   lambda_kit is {ratios[name]:.2f}x"
                )
        report_figure(
            "[logger lines/s, best of interleaved rounds] "
            + ", ".join(f"{name} {LINES / b:,.0f}" for name, b in best.items())
            + "; lambda_kit is "
            + ", ".join(f"{ratios[n]:.2f}x {n}" for n in best if n != "lambda_kit")
        )
    assert all(b > 0 for b in best.values())
