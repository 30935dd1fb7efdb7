"""``lambda-kit imports``: targets, options, the page, the log reader and bad input."""

from __future__ import annotations

import json
import os
from html.parser import HTMLParser
from pathlib import Path

import pytest

from lambda_kit.cli import main
from tests._imports_helpers import write_modules

APP = {
    "slowdep": "import time\ntime.sleep(0.03)\n",
    "usedep": "VALUE = 1\n",
    "app": "import slowdep\nimport usedep\nX = usedep.VALUE\n"
    "def handler(event, context):\n    return slowdep\n",
    "broken": "import slowdep\nraise ValueError('no config')\n",
    # a big module: compiling it without a bytecode cache takes measurable time
    "bigmod": "".join(
        f"def f{i}(x):\n    return [x * {i} for _ in range(3)]\n" for i in range(3000)
    ),
    "usesbig": "import bigmod\nbigmod.f1(1)\n",
}


@pytest.fixture
def app_dir(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    write_modules(tmp_path, APP)
    monkeypatch.chdir(tmp_path)
    return tmp_path


def cli(*args: str) -> int:
    return main(["imports", *args])


def test_a_module_target_prints_its_tree_slowest_first(app_dir, capsys):
    assert cli("app", "--runs", "1", "--min-ms", "0") == 0
    out = capsys.readouterr().out
    tree = out.split("\nadvice:")[0]
    lines = [ln for ln in tree.splitlines() if "slowdep" in ln or "usedep" in ln]
    assert [ln.split()[3] for ln in lines] == ["slowdep", "usedep"]
    assert "#" in lines[0]


def test_a_py_file_and_module_handler_targets_work(app_dir, capsys):
    assert cli(str(app_dir / "app.py"), "--runs", "1") == 0
    assert cli("app:handler", "--runs", "1") == 0
    assert capsys.readouterr().out.count("slowdep") >= 2


def test_a_missing_handler_attribute_is_an_import_failure(app_dir, capsys):
    assert cli("app:nothing", "--runs", "1") == 1
    assert "AttributeError" in capsys.readouterr().err


def test_a_target_that_raises_shows_its_traceback_and_fails(app_dir, capsys):
    assert cli("broken", "--runs", "1") == 1
    err = capsys.readouterr().err
    assert "ValueError: no config" in err and "Traceback" in err
    assert "broken did not import" in err


def test_a_missing_file_is_a_clear_error(app_dir, capsys):
    assert cli("nope.py") == 1
    assert "nope.py: no such file" in capsys.readouterr().err


def test_no_target_and_no_log_is_a_usage_error(app_dir, capsys):
    assert cli() == 2
    assert "give a TARGET" in capsys.readouterr().err


def test_json_output_holds_the_tree_runs_and_advice(app_dir, capsys):
    assert cli("app", "--runs", "2", "--json") == 0
    data = json.loads(capsys.readouterr().out)
    assert len(data["runs_ms"]) == 2
    (root,) = data["tree"]
    assert root["module"] == "app"
    kids = {c["module"]: c for c in root["children"]}
    assert kids["slowdep"]["cumulative_ms"] >= 30
    assert data["total_ms"] == pytest.approx(root["cumulative_ms"], abs=0.01)


def test_advice_names_a_heavy_import_unused_at_module_level_only(app_dir, capsys):
    assert cli("app", "--runs", "1", "--json") == 0
    advice = json.loads(capsys.readouterr().out)["advice"]
    unused = [a["module"] for a in advice if a["kind"] == "unused"]
    assert unused == ["slowdep"]  # usedep is read by module-level code


def test_advice_names_modules_compiled_without_bytecode_cache(app_dir, capsys):
    assert cli("usesbig", "--runs", "1", "--json") == 0
    data = json.loads(capsys.readouterr().out)
    (compiled,) = [a for a in data["advice"] if a["kind"] == "compile"]
    assert "python -m compileall" in compiled["message"]
    assert "bigmod" in compiled["module"] and compiled["ms"] >= 1.0
    (big,) = data["tree"][0]["children"]
    assert big["from_source"] is True and big["compile_ms"] > 0


def test_min_ms_hides_fast_modules(app_dir, capsys):
    assert cli("app", "--runs", "1", "--min-ms", "25") == 0
    out = capsys.readouterr().out
    assert "slowdep" in out and "  usedep" not in out
    assert "under 25 ms" in out


def test_top_keeps_the_slowest_modules_of_each_level(app_dir, capsys):
    assert cli("app", "--runs", "1", "--top", "1", "--min-ms", "0") == 0
    out = capsys.readouterr().out
    assert "slowdep" in out and "  usedep" not in out
    assert "beyond the top 1" in out


def test_bad_runs_value_is_refused_by_the_parser(app_dir, capsys):
    with pytest.raises(SystemExit):
        cli("app", "--runs", "0")
    assert "must be at least 1" in capsys.readouterr().err


class _Page(HTMLParser):
    def __init__(self) -> None:
        super().__init__()
        self.external: list[str] = []
        self.boxes: list[dict[str, str | None]] = []
        self.data = ""
        self._in_data = False

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        a = dict(attrs)
        for key in ("src", "href"):
            if a.get(key):
                self.external.append(str(a[key]))
        if tag == "link":
            self.external.append("link")
        if tag == "div" and "n" in (a.get("class") or "").split():
            self.boxes.append(a)
        self._in_data = tag == "script" and a.get("id") == "data"

    def handle_data(self, data: str) -> None:
        if self._in_data:
            self.data += data

    def handle_endtag(self, tag: str) -> None:
        self._in_data = False


def test_the_html_page_is_self_contained_and_draws_every_module(app_dir, capsys, tmp_path):
    page = tmp_path / "imports.html"
    assert cli("app", "--runs", "1", "--html", str(page)) == 0
    parser = _Page()
    parser.feed(page.read_text())
    assert parser.external == []  # no CDN, no network
    names = {b["title"].split("\n")[0] for b in parser.boxes if b["title"]}
    assert {"app", "slowdep", "usedep"} <= names
    app_box = next(b for b in parser.boxes if b["title"].startswith("app\n"))
    assert app_box["style"].startswith("left:0.0000%;width:100.0000%")
    data = json.loads(parser.data)
    assert data["tree"][0]["module"] == "app"


def test_from_log_prints_the_same_tree(app_dir, capsys, tmp_path):
    log = tmp_path / "init.log"
    log.write_text(
        "import time: self [us] | cumulative | imported package\n"
        "import time:     30000 |      30000 |   slowdep\n"
        "import time:       100 |      30100 | app\n"
    )
    assert cli("--from-log", str(log)) == 0
    out = capsys.readouterr().out
    assert "2 imports read" in out
    assert [ln.split()[-1] for ln in out.splitlines()[2:4]] == ["app", "slowdep"]


def test_from_log_reports_a_malformed_line_and_goes_on(app_dir, capsys, tmp_path):
    log = tmp_path / "init.log"
    log.write_text(
        "import time: self [us] | cumulative | imported package\n"
        "import time:     30000 |      30000 |   slowdep\n"
        "import time:  garbage\n"
        "import time:       100 |      30100 | app\n"
    )
    assert cli("--from-log", str(log)) == 0
    captured = capsys.readouterr()
    assert f"{log} line 3: expected 3 fields" in captured.err
    assert "skipped" in captured.err
    assert "slowdep" in captured.out


def test_from_log_says_so_when_the_log_has_no_imports(app_dir, capsys, tmp_path):
    log = tmp_path / "empty.log"
    log.write_text("START RequestId: abc\n")
    assert cli("--from-log", str(log)) == 1
    assert "holds no -X importtime lines" in capsys.readouterr().err


def test_from_log_of_a_missing_file_is_a_clear_error(app_dir, capsys):
    assert cli("--from-log", "missing.log") == 2
    assert "could not read missing.log" in capsys.readouterr().err


def test_the_exec_wrapper_is_shipped_executable():
    path = Path(__file__).resolve().parent.parent / "lambda_kit" / "imports" / "exec_wrapper.sh"
    assert os.access(path, os.X_OK)
    assert path.read_text().startswith("#!/bin/sh")
