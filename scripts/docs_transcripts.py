"""Run every example shown in docs/ and write what it printed into the page.

    .venv/bin/python scripts/docs_transcripts.py          # every page (make docs-transcripts)
    .venv/bin/python scripts/docs_transcripts.py --check  # markers and files only, runs nothing
    .venv/bin/python scripts/docs_transcripts.py docs/layer.md

A transcript is marked in the markdown by two HTML comments, which the rendered
page does not show:

    <!-- transcript: lambda-kit cost --memory 1024 --duration-ms 120 --invocations 3e6 -->
    ```text
    ...replaced by the command and its output on each run...
    ```
    <!-- /transcript -->

Options go in brackets before the colon, comma-separated:
``<!-- transcript[exit=2, output-only]: CMD -->``: ``exit=N`` the status the
command must end with (default 0; anything else fails the run), ``output-only``
leaves the ``$ CMD`` line out, ``lang=json`` the fence's language, ``cwd=DIR``
where it runs (default the repository root). The command runs under bash with
the running interpreter's ``bin/`` first on PATH (so ``python`` and
``lambda-kit`` are this venv's), stderr merged into stdout as a terminal shows
them, and the repository's own path replaced by ``.`` so pages name no machine.
"""

from __future__ import annotations

import argparse
import os
import re
import shlex
import subprocess
import sys
from dataclasses import dataclass, field
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
DOCS = ROOT / "docs"
OPEN = re.compile(r"^<!-- transcript(?:\[(?P<opts>[^\]]*)\])?: (?P<cmd>.+?) -->$")
CLOSE = "<!-- /transcript -->"
TIMEOUT_S = 300
#: options of a marker and whether each takes a value
OPTIONS = {"exit": True, "lang": True, "cwd": True, "output-only": False}
#: arguments naming a file the command writes, not one it reads
OUTPUT_FLAGS = {"-o", "--output", "--html"}
#: what an argument that names an input file ends with
FILE_SUFFIXES = (".py", ".json", ".log", ".txt", ".yaml", ".yml", ".html", ".md", ".sh")


class Failed(Exception):
    """A command that did not end as its marker says; the page keeps its old block."""


@dataclass
class Transcript:
    """One marked block: where it is, what it runs, and how."""

    page: Path
    start: int  # index of the opening marker's line
    end: int  # index of the closing marker's line
    command: str
    options: dict[str, str] = field(default_factory=dict)

    @property
    def where(self) -> str:
        return f"{self.page.relative_to(ROOT)}:{self.start + 1}"


def parse(page: Path, lines: list[str]) -> tuple[list[Transcript], list[str]]:
    """The transcripts of a page and the problems with its markers."""
    found: list[Transcript] = []
    problems: list[str] = []
    opened: tuple[int, re.Match[str]] | None = None
    for i, raw in enumerate(lines):
        line = raw.strip()
        if line.startswith("<!-- transcript"):
            match = OPEN.match(line)
            if match is None:
                problems.append(f"{page.name}:{i + 1}: malformed marker {line!r}")
            elif opened is not None:
                problems.append(
                    f"{page.name}:{i + 1}: transcript opened inside the one at line {opened[0] + 1}"
                )
            else:
                opened = (i, match)
        elif line == CLOSE:
            if opened is None:
                problems.append(f"{page.name}:{i + 1}: {CLOSE} without an opening marker")
                continue
            start, match = opened
            opened = None
            options, bad = _options(match.group("opts"))
            problems += [f"{page.name}:{start + 1}: {b}" for b in bad]
            found.append(Transcript(page, start, i, match.group("cmd").strip(), options))
    if opened is not None:
        problems.append(f"{page.name}:{opened[0] + 1}: transcript never closed ({CLOSE})")
    return found, problems


def _options(text: str | None) -> tuple[dict[str, str], list[str]]:
    options: dict[str, str] = {}
    problems = []
    for part in filter(None, (p.strip() for p in (text or "").split(","))):
        key, sep, value = part.partition("=")
        if key not in OPTIONS or OPTIONS[key] != bool(sep):
            problems.append(
                f"unknown option {part!r} (known: exit=N, lang=X, cwd=DIR, output-only)"
            )
        elif key == "exit" and not value.isdigit():
            problems.append(f"exit={value!r} is not a number")
        else:
            options[key] = value
    return options, problems


def referenced_files(t: Transcript) -> list[Path]:
    """The input files the command names (``examples/hello.py:handler`` -> examples/hello.py)."""
    cwd = ROOT / t.options.get("cwd", ".")
    files = []
    try:
        words = shlex.split(t.command, comments=False)
    except ValueError:
        return []
    skip_next = False
    for word in words:
        if skip_next or word in ("<<<",):
            skip_next = word == "<<<"
            continue
        if word in OUTPUT_FLAGS or word in (">", "2>", ">>", "2>>"):
            skip_next = True
            continue
        path = word.split(":", 1)[0]
        if not word.startswith("-") and path.endswith(FILE_SUFFIXES) and "/tmp/" not in path:
            files.append(cwd / path)
    return files


def check(pages: list[Path]) -> list[str]:
    """Problems with the markers and the files their commands read; runs nothing."""
    problems = []
    for page in pages:
        transcripts, bad = parse(page, page.read_text().splitlines())
        problems += bad
        for t in transcripts:
            cwd = ROOT / t.options.get("cwd", ".")
            if not cwd.is_dir():
                problems.append(f"{t.where}: cwd {t.options['cwd']} does not exist")
            for f in referenced_files(t):
                if not f.exists():
                    problems.append(
                        f"{t.where}: {t.command!r} reads {f.relative_to(ROOT)}: no such file"
                    )
    return problems


def run(t: Transcript) -> str:
    """Run the transcript's command; the fenced block to put in the page."""
    env = dict(os.environ)
    env["PATH"] = os.path.dirname(sys.executable) + os.pathsep + env.get("PATH", "")
    env.update(COLUMNS="100", NO_COLOR="1", TZ="UTC")
    env.pop("PYTHONDONTWRITEBYTECODE", None)  # timings as a user sees them, with bytecode
    for key in [k for k in env if k.startswith(("AWS_", "LAMBDA_KIT_", "POWERTOOLS_", "_X_AMZN"))]:
        del env[key]
    proc = subprocess.run(
        ["bash", "-c", t.command],
        cwd=ROOT / t.options.get("cwd", "."),
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
        timeout=TIMEOUT_S,
        check=False,
    )
    expected = int(t.options.get("exit", "0"))
    if proc.returncode != expected:
        raise Failed(
            f"{t.where}: {t.command!r} exited {proc.returncode}, the page says {expected}:\n"
            + proc.stdout[-2000:]
        )
    out = proc.stdout.replace(str(ROOT) + "/", "").replace(str(ROOT), ".").rstrip("\n")
    head = [] if "output-only" in t.options else [f"$ {t.command}"]
    fence = "````" if "```" in out else "```"
    return "\n".join([fence + t.options.get("lang", "text"), *head, out, fence])


def rewrite(page: Path, failures: list[str]) -> int:
    """Run each transcript of ``page`` and write the outputs in; returns how many ran.

    A command that fails leaves its block as it was and adds to ``failures``.
    """
    lines = page.read_text().splitlines()
    transcripts, problems = parse(page, lines)
    if problems:
        failures.extend(problems)
        return 0
    done = 0
    for t in reversed(transcripts):  # from the end, so earlier indexes stay valid
        print(f"{t.where}: {t.command}", file=sys.stderr)
        try:
            lines[t.start + 1 : t.end] = run(t).split("\n")
        except (Failed, subprocess.TimeoutExpired) as exc:
            failures.append(str(exc))
            continue
        done += 1
    page.write_text("\n".join(lines) + "\n")
    return done


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("pages", nargs="*", type=Path, help="pages to do (default: docs/*.md)")
    parser.add_argument("--check", action="store_true", help="check markers and files only")
    args = parser.parse_args()
    pages = [p.resolve() for p in args.pages] or sorted(DOCS.glob("*.md"))
    problems = check(pages)
    if problems:
        print("\n".join(problems), file=sys.stderr)
        return 1
    if args.check:
        return 0
    failures: list[str] = []
    total = sum(rewrite(page, failures) for page in pages)
    print(f"docs_transcripts: {total} transcripts run in {len(pages)} pages", file=sys.stderr)
    if failures:
        print("\n".join(["docs_transcripts: failed:", *failures]), file=sys.stderr)
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
