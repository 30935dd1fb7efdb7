"""The docs' transcript markers (scripts/docs_transcripts.py): well-formed, and every file they read exists.

Fast: nothing is run here; `make docs-transcripts` runs the commands and rewrites the pages.
"""

from __future__ import annotations

import importlib.util
import sys
from pathlib import Path

from _lk_helpers import ROOT

_spec = importlib.util.spec_from_file_location("docs_transcripts", Path(ROOT, "scripts", "docs_transcripts.py"))
assert _spec and _spec.loader
dt = importlib.util.module_from_spec(_spec)
sys.modules["docs_transcripts"] = dt
_spec.loader.exec_module(dt)

PAGES = sorted(Path(ROOT, "docs").glob("*.md"))


def test_every_page_s_transcripts_are_well_formed_and_read_files_that_exist():
    assert dt.check(PAGES) == []


def test_the_pages_have_transcripts():
    counts = {p.name: len(dt.parse(p, p.read_text().splitlines())[0]) for p in PAGES}
    assert sum(counts.values()) >= 10, counts
    assert counts["layer.md"] >= 2 and counts["deploy.md"] >= 2


def test_every_transcript_block_is_one_fenced_block_with_its_command():
    for page in PAGES:
        lines = page.read_text().splitlines()
        for t in dt.parse(page, lines)[0]:
            body = lines[t.start + 1 : t.end]
            assert body and body[0].startswith("```") and body[-1].strip("`") == "", t.where
            if "output-only" not in t.options:
                assert body[1] == f"$ {t.command}", t.where


def _problems(tmp_path, text):
    page = tmp_path / "page.md"
    page.write_text(text)
    return dt.check([page])


def test_an_unclosed_a_nested_and_a_stray_marker_are_problems(tmp_path, monkeypatch):
    monkeypatch.setattr(dt, "ROOT", tmp_path)
    assert _problems(tmp_path, "<!-- transcript: echo hi -->\n```\n```\n") == [
        "page.md:1: transcript never closed (<!-- /transcript -->)"
    ]
    nested = "<!-- transcript: echo a -->\n<!-- transcript: echo b -->\n<!-- /transcript -->\n"
    assert _problems(tmp_path, nested) == ["page.md:2: transcript opened inside the one at line 1"]
    assert _problems(tmp_path, "<!-- /transcript -->\n") == [
        "page.md:1: <!-- /transcript --> without an opening marker"
    ]
    assert _problems(tmp_path, "<!-- transcript:echo -->\n") == [
        "page.md:1: malformed marker '<!-- transcript:echo -->'"
    ]


def test_unknown_options_and_missing_files_are_problems(tmp_path, monkeypatch):
    monkeypatch.setattr(dt, "ROOT", tmp_path)
    (tmp_path / "examples").mkdir()
    (tmp_path / "examples" / "here.py").write_text("")
    text = (
        "<!-- transcript[exit=x, loud]: lambda-kit invoke examples/gone.py:handler -o out.json -->\n"
        "<!-- /transcript -->\n"
        "<!-- transcript: lambda-kit invoke examples/here.py:handler --event - <<< '{}' -->\n"
        "<!-- /transcript -->\n"
    )
    assert _problems(tmp_path, text) == [
        "page.md:1: exit='x' is not a number",
        "page.md:1: unknown option 'loud' (known: exit=N, lang=X, cwd=DIR, output-only)",
        "page.md:1: 'lambda-kit invoke examples/gone.py:handler -o out.json' reads examples/gone.py: no such file",
    ]


def test_a_rewrite_puts_the_command_and_its_output_in_the_block(tmp_path, monkeypatch):
    monkeypatch.setattr(dt, "ROOT", tmp_path)
    page = tmp_path / "page.md"
    page.write_text("before\n<!-- transcript[exit=3]: echo out; echo err >&2; exit 3 -->\n```text\nstale\n```\n<!-- /transcript -->\nafter\n")
    failures: list[str] = []
    assert dt.rewrite(page, failures) == 1 and failures == []
    assert page.read_text() == (
        "before\n<!-- transcript[exit=3]: echo out; echo err >&2; exit 3 -->\n"
        "```text\n$ echo out; echo err >&2; exit 3\nout\nerr\n```\n<!-- /transcript -->\nafter\n"
    )


def test_a_command_that_ends_otherwise_leaves_its_block_and_is_reported(tmp_path, monkeypatch):
    monkeypatch.setattr(dt, "ROOT", tmp_path)
    page = tmp_path / "page.md"
    text = "<!-- transcript: echo partial; exit 4 -->\n```text\nkept\n```\n<!-- /transcript -->\n"
    page.write_text(text)
    failures: list[str] = []
    assert dt.rewrite(page, failures) == 0
    assert page.read_text() == text
    assert failures == ["page.md:1: 'echo partial; exit 4' exited 4, the page says 0:\npartial\n"]
