"""Regenerate the transcript in docs/web.md by running its example (never typed by hand).

    .venv/bin/python scripts/docs_web.py
"""

from __future__ import annotations

import re
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
DOC = ROOT / "docs" / "web.md"
COMMANDS = [
    ["event", "apigw-v2", "--path", "/quotes/1"],
    ["invoke", "--web", "examples/web/app.py:app", "--event", "examples/web/quote_event.json",
     "-n", "2", "--memory", "512"],
]


def main() -> int:
    out = []
    event = subprocess.run([sys.executable, "-m", "lambda_kit", *COMMANDS[0]], cwd=ROOT,
                           capture_output=True, text=True, check=True).stdout
    (ROOT / "examples" / "web" / "quote_event.json").write_text(event)
    out.append("$ lambda-kit " + " ".join(COMMANDS[0]) + " > examples/web/quote_event.json")
    run = subprocess.run([sys.executable, "-m", "lambda_kit", *COMMANDS[1]], cwd=ROOT,
                         capture_output=True, text=True, timeout=120)
    out.append("$ lambda-kit " + " ".join(COMMANDS[1]))
    out += (run.stderr + run.stdout).rstrip().splitlines()
    text = DOC.read_text()
    block = "<!-- transcript -->\n```text\n" + "\n".join(out) + "\n```\n<!-- /transcript -->"
    DOC.write_text(re.sub(r"<!-- transcript -->.*<!-- /transcript -->", lambda _: block, text,
                          flags=re.S))
    return run.returncode


if __name__ == "__main__":
    sys.exit(main())
