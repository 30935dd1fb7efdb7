"""`lambda-kit migrate`: the import rewrite as a diff, --write, and what stays on Powertools."""

from __future__ import annotations

import subprocess
import sys

import pytest

from lambda_kit.compat.migrate import rewrite

SOURCE = '''\
import os
from aws_lambda_powertools import Logger, Metrics, Tracer
from aws_lambda_powertools.metrics import (
    MetricUnit,
    single_metric,
)
from aws_lambda_powertools.logging import correlation_paths
from aws_lambda_powertools.utilities.typing import LambdaContext
from aws_lambda_powertools.utilities.idempotency import idempotent
from aws_lambda_powertools.event_handler import APIGatewayRestResolver, Response
import aws_lambda_powertools.utilities.parameters as parameters

logger = Logger(service="x", logger_formatter=None)
'''


def _cli(*args):
    return subprocess.run([sys.executable, "-m", "lambda_kit", "migrate", *args], capture_output=True, text=True, timeout=60)


def test_rewrite_points_supported_imports_at_lambda_kit_and_keeps_the_rest():
    result = rewrite(SOURCE)
    assert "from lambda_kit import Logger, Metrics, Tracer\n" in result.source
    assert "from lambda_kit.metrics import MetricUnit, single_metric\n" in result.source
    assert "from lambda_kit.logging import correlation_paths\n" in result.source
    assert "from lambda_kit.utilities.typing import LambdaContext\n" in result.source
    assert "from aws_lambda_powertools.utilities.idempotency import idempotent\n" in result.source
    assert [(f.line, f.what) for f in result.findings] == [
        (9, "aws_lambda_powertools.utilities.idempotency.idempotent (left on Powertools)"),
        (10, "aws_lambda_powertools.event_handler.APIGatewayRestResolver (left on Powertools)"),
        (10, "aws_lambda_powertools.event_handler.Response (left on Powertools)"),
        (11, "import aws_lambda_powertools.utilities.parameters (left on Powertools)"),
        (13, "Logger(logger_formatter=...) is not honoured"),
    ]


def test_a_line_naming_supported_and_other_names_is_split():
    result = rewrite("from aws_lambda_powertools.metrics import MetricUnit, SomethingNew as S\n")
    assert result.source == (
        "from lambda_kit.metrics import MetricUnit\n"
        "from aws_lambda_powertools.metrics import SomethingNew as S\n"
    )


def test_cli_shows_a_diff_and_findings_with_file_and_line(tmp_path):
    app = tmp_path / "app.py"
    app.write_text(SOURCE)
    proc = _cli(str(tmp_path))
    assert proc.returncode == 0, proc.stderr
    assert "-from aws_lambda_powertools import Logger, Metrics, Tracer" in proc.stdout
    assert "+from lambda_kit import Logger, Metrics, Tracer" in proc.stdout
    assert f"{app}:9: aws_lambda_powertools.utilities.idempotency.idempotent" in proc.stdout
    assert app.read_text() == SOURCE  # nothing written without --write
    assert _cli(str(app), "--write").returncode == 0
    assert "from lambda_kit import Logger, Metrics, Tracer" in app.read_text()
    assert "would rewrite 0 of 1" in _cli(str(app)).stdout  # idempotent


@pytest.mark.parametrize(("content", "message"), [(None, "no such file"), ("def (:\n", "cannot parse")])
def test_cli_bad_input_is_one_line_and_exit_2(tmp_path, content, message):
    path = tmp_path / "bad.py"
    if content is not None:
        path.write_text(content)
    proc = _cli(str(path))
    assert proc.returncode == 2
    assert message in proc.stderr and len(proc.stderr.strip().splitlines()) == 1
    assert "Traceback" not in proc.stderr


def test_the_example_on_the_migration_page_is_what_migrate_makes_of_it():
    from pathlib import Path

    root = Path(__file__).resolve().parent.parent / "examples"
    migrated = rewrite((root / "powertools_app.py").read_text()).source
    ours = (root / "migrated_app.py").read_text()
    strip = lambda text: text.split('"""', 2)[2]  # noqa: E731 (the docstrings differ)
    assert strip(ours) == strip(migrated)
