"""Every option of every `lambda-kit` command says what it does, and sweep-only options need --sweep."""

from __future__ import annotations

import argparse
import importlib
import subprocess
import sys

import pytest

from lambda_kit.cli import COMMANDS


@pytest.mark.parametrize("command", sorted(COMMANDS))
def test_every_option_has_help_text(command):
    module = importlib.import_module(COMMANDS[command][0])
    parser = argparse.ArgumentParser(prog=f"lambda-kit {command}")
    module.add_arguments(parser)
    missing = [
        action.option_strings or [action.dest]
        for action in parser._actions
        if not isinstance(action, argparse._HelpAction) and not action.help
    ]
    assert missing == []


@pytest.mark.parametrize(
    ("extra", "message"),
    [
        (["--cpu-bound-fraction", "0.5"], "lambda-kit cost: --cpu-bound-fraction applies only with --sweep\n"),
        (["--max-vcpus", "2", "--cpu-bound-fraction", "0.5"],
         "lambda-kit cost: --cpu-bound-fraction and --max-vcpus apply only with --sweep\n"),
    ],
)
def test_sweep_options_without_sweep_are_refused(extra, message):
    run = subprocess.run(
        [sys.executable, "-m", "lambda_kit", "cost", "--memory", "512", "--duration-ms", "100",
         "--invocations", "1e6", *extra],
        capture_output=True, text=True, timeout=60,
    )
    assert (run.returncode, run.stderr, run.stdout) == (2, message, "")
