"""Regenerate the transcripts in docs/tune.md by running the commands they show.

    .venv/bin/python scripts/tune_transcript.py      (or: make docs-tune)

A transcript is a block between ``<!-- run: COMMAND -->`` and ``<!-- /run -->``;
the command runs from the repository root with ``lambda-kit`` meaning this
checkout's CLI, and its stdout replaces the block's fenced text. Never typed by hand.
"""

from __future__ import annotations

import re
import shlex
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
BLOCK = re.compile(r"<!-- run: (?P<cmd>.+?) -->\n.*?<!-- /run -->", re.S)


def run(command: str) -> str:
    argv = shlex.split(command)
    assert argv[0] == "lambda-kit", command
    done = subprocess.run(
        [sys.executable, "-m", "lambda_kit", *argv[1:]],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=600,
    )
    if done.returncode not in (0, 1):
        raise SystemExit(f"{command} exited {done.returncode}: {done.stderr}")
    return done.stdout.rstrip("\n")


def main(path: str = "docs/tune.md") -> None:
    doc = ROOT / path
    text = doc.read_text()

    def fill(m: re.Match[str]) -> str:
        cmd = m.group("cmd")
        print(f"running: {cmd}", file=sys.stderr)
        return f"<!-- run: {cmd} -->\n```\n$ {cmd}\n{run(cmd)}\n```\n<!-- /run -->"

    doc.write_text(BLOCK.sub(fill, text))


if __name__ == "__main__":
    main(*sys.argv[1:])
