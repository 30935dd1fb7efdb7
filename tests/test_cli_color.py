"""Colour from `lambda-kit`: on a terminal only, never with NO_COLOR or TERM=dumb, and
`--color auto|always|never` to choose (lambda_kit/_term.py)."""

from __future__ import annotations

import io
import os
import pty
import select
import subprocess
import sys
import time

import pytest

from lambda_kit import _term
from lambda_kit.cli import main

ESC = "\x1b["
COST = ["cost", "--memory", "512", "--duration-ms", "100", "--invocations", "1e6"]


def _read_all(fd: int, proc: subprocess.Popen[bytes]) -> str:
    """Everything the child wrote to the pty, until it exits and the pty drains."""
    out = b""
    deadline = time.monotonic() + 60  # a bound on the wait, not a speed check
    while time.monotonic() < deadline:
        ready, _, _ = select.select([fd], [], [], 0.2)
        if ready:
            try:
                chunk = os.read(fd, 65536)
            except OSError:  # EIO: the child closed its side
                break
            if not chunk:
                break
            out += chunk
        elif proc.poll() is not None:
            break
    proc.wait(timeout=60)
    return out.decode("utf-8", "replace")


def _run_on_pty(args: list[str], **env: str) -> str:
    """`python -m lambda_kit ARGS` with stdout and stderr on a pseudo-terminal."""
    master, slave = pty.openpty()
    full = {k: v for k, v in os.environ.items() if k not in ("NO_COLOR", "TERM")}
    full.update({"TERM": "xterm-256color", **env})
    proc = subprocess.Popen(
        [sys.executable, "-m", "lambda_kit", *args],
        stdin=subprocess.DEVNULL, stdout=slave, stderr=slave, env=full,
    )  # fmt: skip
    os.close(slave)
    try:
        return _read_all(master, proc)
    finally:
        os.close(master)


def test_a_terminal_gets_colour():
    out = _run_on_pty(COST)
    assert ESC in out and "total per month" in out


def test_no_color_with_any_value_turns_it_off():
    out = _run_on_pty(COST, NO_COLOR="1")
    assert ESC not in out and "total per month" in out


def test_an_empty_no_color_does_not_count():
    # no-color.org: "when present and not an empty string"
    assert ESC in _run_on_pty(COST, NO_COLOR="")


def test_term_dumb_turns_it_off():
    out = _run_on_pty(COST, TERM="dumb")
    assert ESC not in out and "total per month" in out


def test_color_never_on_a_terminal():
    assert ESC not in _run_on_pty([*COST, "--color", "never"])


def test_errors_on_a_terminal_are_coloured_and_still_one_line():
    out = _run_on_pty(["layer", "-o", "x.zip", "--python", "2.7"])
    assert ESC in out
    assert out.strip().count("\n") == 0 and "lambda-kit: " in out


def test_a_pipe_gets_no_colour():
    env = {k: v for k, v in os.environ.items() if k != "NO_COLOR"} | {"TERM": "xterm"}
    run = subprocess.run([sys.executable, "-m", "lambda_kit", *COST], capture_output=True,
                         text=True, env=env, timeout=60)  # fmt: skip
    assert run.returncode == 0 and "total per month" in run.stdout
    assert ESC not in run.stdout + run.stderr


def test_color_always_colours_a_pipe_and_beats_no_color(capsys, monkeypatch):
    # no-color.org: a per-instance command-line argument overrides NO_COLOR
    monkeypatch.setenv("NO_COLOR", "1")
    assert main([*COST, "--color", "always"]) == 0
    assert ESC in capsys.readouterr().out


def test_the_text_is_the_same_with_and_without_colour(capsys):
    assert main([*COST, "--color", "never"]) == 0
    plain = capsys.readouterr().out
    assert main([*COST, "--color", "always"]) == 0
    coloured = capsys.readouterr().out
    import re

    assert re.sub(r"\x1b\[[0-9;]*m", "", coloured) == plain != coloured


def test_the_mode_is_put_back_after_a_command(capsys):
    main([*COST, "--color", "always"])
    capsys.readouterr()
    assert _term.enabled(io.StringIO()) is False


@pytest.mark.parametrize(
    ("mode", "env", "tty", "expected"),
    [
        ("auto", {}, True, True),
        ("auto", {}, False, False),
        ("auto", {"NO_COLOR": "yes"}, True, False),
        ("auto", {"TERM": "dumb"}, True, False),
        ("never", {}, True, False),
        ("always", {"TERM": "dumb"}, False, True),
    ],
)
def test_enabled(monkeypatch, mode, env, tty, expected):
    monkeypatch.delenv("NO_COLOR", raising=False)
    monkeypatch.setenv("TERM", "xterm")
    for key, value in env.items():
        monkeypatch.setenv(key, value)
    master, slave = pty.openpty()
    try:
        with os.fdopen(slave, "w") as stream:
            target = stream if tty else io.StringIO()
            assert _term.enabled(target, mode) is expected
    finally:
        os.close(master)


def test_a_closed_stream_gets_no_colour():
    stream = io.StringIO()
    stream.close()
    assert _term.enabled(stream, "auto") is False


def test_an_unknown_mode_is_refused():
    with pytest.raises(ValueError, match="--color 'sometimes'"):
        _term.set_mode("sometimes")
