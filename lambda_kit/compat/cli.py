"""``lambda-kit migrate PATH... [--write]``: Powertools imports to lambda_kit's.

Prints the import rewrite as a unified diff (``--write`` applies it), then each
Powertools feature the code uses that lambda_kit does not cover, as
``file:line: what``. Directories are searched for ``*.py``. Exit status 0; 2
with one line on stderr for a path that does not exist or code that does not
parse (nothing is written then).
"""

from __future__ import annotations

import argparse
import difflib
import sys
from pathlib import Path

from lambda_kit._term import fail, style
from lambda_kit.compat.migrate import Result, rewrite


def add_arguments(parser: argparse.ArgumentParser) -> None:
    """The subcommand's arguments."""
    parser.add_argument("paths", nargs="+", metavar="PATH", help="Python files or directories")
    parser.add_argument("--write", action="store_true", help="apply the rewrite to the files")


def _files(paths: list[str]) -> list[Path]:
    found: list[Path] = []
    for raw in paths:
        path = Path(raw)
        if path.is_dir():
            found += sorted(p for p in path.rglob("*.py") if ".venv" not in p.parts)
        elif path.is_file():
            found.append(path)
        else:
            raise ValueError(f"{raw}: no such file or directory")
    return found


def run(args: argparse.Namespace) -> int:
    """Show (or apply) the rewrite and list what stays on Powertools."""
    try:
        files = _files(args.paths)
        results: list[tuple[Path, str, Result]] = []
        for path in files:
            text = path.read_text(encoding="utf-8")
            try:
                results.append((path, text, rewrite(text)))
            except SyntaxError as exc:
                raise ValueError(f"{path}:{exc.lineno}: cannot parse: {exc.msg}") from None
    except (OSError, ValueError, UnicodeDecodeError) as exc:
        return fail("lambda-kit migrate", str(exc))
    out = sys.stdout
    changed = 0
    for path, text, result in results:
        if result.source != text:
            changed += 1
            out.writelines(
                difflib.unified_diff(
                    text.splitlines(keepends=True),
                    result.source.splitlines(keepends=True),
                    f"a/{path}",
                    f"b/{path}",
                )
            )
            if args.write:
                path.write_text(result.source, encoding="utf-8")
    findings = [(path, f) for path, _, result in results for f in result.findings]
    if findings:
        heading = style(out).heading("not covered by lambda_kit (keeps working on Powertools):")
        out.write(f"\n{heading}\n")
        for path, finding in findings:
            out.write(f"{path}:{finding.line}: {finding.what}\n")
    verb = "rewrote" if args.write else "would rewrite"
    out.write(f"\n{verb} {changed} of {len(results)} file(s); {len(findings)} finding(s)\n")
    return 0
