"""``lambda-kit demo``: the bundled examples, run as Lambda runs them, in under a minute.

Each example goes through ``lambda-kit invoke``'s machinery (a Runtime API
server and the real ``awslambdaric`` runtime client in a child process): a
handler with a heavy import, cold then warm; a handler that raises; a handler
that outlives its timeout, after which the next invocation starts cold. The
log lines are shortened to fit a terminal; ``lambda-kit invoke`` prints them whole.
"""

from __future__ import annotations

import argparse
import json
import os
import shutil
import sys

from lambda_kit._term import Style, style
from lambda_kit.local.function import Function
from lambda_kit.local.results import Result, Run
from lambda_kit.local.runner import run_environment

#: (title, handler file, events, timeout in seconds)
STEPS: list[tuple[str, str, list[bytes], float]] = [
    (
        "A handler with a heavy import, invoked twice: a cold start, then warm",
        "heavy.py",
        [b'{"prices": [1.5, 2.25, 4.0]}'] * 2,
        3.0,
    ),
    (
        "A handler that raises: the error comes back as Lambda returns it",
        "failing.py",
        [b'{"order_id": 42}'],
        3.0,
    ),
    (
        "A handler slower than its 1 s timeout: killed; the next start is cold",
        "slow.py",
        [b'{"sleep_s": 5}', b'{"sleep_s": 0.05}'],
        1.0,
    ),
]


def add_arguments(parser: argparse.ArgumentParser) -> None:
    """The options of ``lambda-kit demo``."""
    parser.add_argument(
        "--examples",
        default=None,
        metavar="DIR",
        help="folder of the example handlers (default: the ones shipped in lambda_kit/examples)",
    )
    parser.add_argument(
        "--memory",
        type=int,
        default=128,
        metavar="MB",
        help="memory size of the example functions (default 128)",
    )


def find_examples(folder: str | None) -> str | None:
    """The examples folder: the one given, else the one shipped inside the package."""
    package = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
    shipped = os.path.join(package, "examples")
    candidate = folder or shipped
    return candidate if os.path.isfile(os.path.join(candidate, "heavy.py")) else None


def _shown(folder: str) -> str:
    # the folder as a user would type it: relative to here when it is below here
    rel = os.path.relpath(folder)
    return folder if rel.startswith("..") else rel


class _Terminal:
    """Prints log lines shortened to the terminal's width; records as their key figures."""

    def __init__(self, width: int) -> None:
        self.width = width

    def __call__(self, line: str) -> None:
        for part in line.splitlines() or [""]:
            for piece in self._fit(part):
                print(piece, flush=True)

    def _fit(self, line: str) -> list[str]:
        if line.startswith("{"):
            line = _record_summary(line)
            if "\n" in line:
                return [piece for part in line.split("\n") for piece in self._fit(part)]
        i = line.find("RequestId: ")
        if i >= 0:  # a request id is 36 characters; 8 tell them apart
            j = i + len("RequestId: ")
            line = line[: j + 8] + "…" + line[j + 36 :]
        if "\t" not in line:
            line = "    " + line.rstrip()
            return [line if len(line) <= self.width else line[: self.width - 1] + "…"]
        # platform lines (REPORT, INIT_START): wrap between their tab-separated fields
        out = ["   "]
        for field in line.rstrip("\t").split("\t"):
            if len(out[-1]) + 2 + len(field) > self.width and out[-1].strip():
                out.append("       ")
            out[-1] += " " + field if out[-1].endswith("  ") else "  " + field
        out[0] = "    " + out[0].strip()
        return out


def _record_summary(line: str) -> str:
    try:
        record = json.loads(line)
    except ValueError:
        return line
    if not isinstance(record, dict) or record.get("type") != "invocation":
        return line
    keys = ("cold_start", "init_duration_ms", "duration_ms", "max_memory_used_mb", "status",
            "http_route", "http_status", "http_response_bytes")  # the web middleware's
    shown = " ".join(
        f"{k}={f'{v:.2f}' if isinstance(v, float) else v if isinstance(v, str) else json.dumps(v)}"
        for k in keys
        if (v := record.get(k)) is not None
    )
    init = record.get("init")
    if isinstance(init, dict):
        # where the cold start went: the init phases and the slowest import
        phases = init.get("phases") or {}
        shown += "\n[record] init ms: " + ", ".join(
            f"{k.removesuffix('_ms').replace('_', ' ')} {v:.1f}"
            for k, v in phases.items()
            if isinstance(v, (int, float)) and v >= 0.05
        )
        top = (init.get("top_imports") or [None])[0]
        if isinstance(top, dict):
            shown += f"; slowest import {top.get('module')} ({top.get('cumulative_ms', 0):.1f})"
    return f"[record] {shown}"


def run(args: argparse.Namespace) -> int:
    """Run the three examples and print what each invocation cost."""
    folder = find_examples(args.examples)
    if folder is None:
        where = args.examples or "the installed lambda_kit/examples"
        print(f"lambda-kit: no heavy.py in {where} (--examples DIR)", file=sys.stderr)
        return 2
    width = max(60, min(shutil.get_terminal_size((110, 24)).columns, 140))
    term = _Terminal(width)
    paint = style(sys.stdout)
    rows: list[tuple[str, Result]] = []
    print("lambda-kit demo: the bundled examples, each run as Lambda runs it: a Runtime API")
    print("server on 127.0.0.1 and the real awslambdaric runtime client in a child process.")
    for n, (title, file, events, timeout) in enumerate(STEPS, 1):
        handler = os.path.join(folder, file) + ":handler"
        print("\n" + paint.heading(f"{n}. {title}"))
        print(
            f"   $ lambda-kit invoke {_shown(os.path.join(folder, file))}:handler -n {len(events)}"
            f" --memory {args.memory} --timeout {timeout:g}"
        )
        fn = Function(handler, memory_mb=args.memory, timeout_s=timeout)
        result: Run = run_environment(fn, events, log=term)
        for i, r in enumerate(result.results):
            rows.append((f"{file} #{i + 1}" + (" (cold)" if r.cold_start else " (warm)"), r))
            print(f"    -> response: {_short(r.payload, width - 17)}")
    rows += _web_step(folder, args.memory, len(STEPS) + 1, term, width)
    print()
    print(table(rows, args.memory, paint))
    return 0


def _web_step(folder: str, memory_mb: int, n: int, term: _Terminal, width: int
              ) -> list[tuple[str, Result]]:  # fmt: skip
    """A web app behind the Lambda Web Adapter, run by ``invoke --web``."""
    import importlib.util

    app = os.path.join(folder, "web", "app.py")
    if not os.path.isfile(app):
        return []
    title = f"{n}. A Starlette app behind the Lambda Web Adapter, streaming: cold, then warm"
    print("\n" + style(sys.stdout).heading(title))
    if any(importlib.util.find_spec(m) is None for m in ("uvicorn", "starlette")):
        from lambda_kit._version import install_hint

        print(f"    (skipped: needs uvicorn and starlette: {install_hint('local')})")
        return []
    from lambda_kit.web.events import make
    from lambda_kit.web.local import run_web

    print("   $ lambda-kit event apigw-v2 --path /stream > stream_event.json")
    print("   $ lambda-kit invoke --web lambda_kit/examples/web/app.py:app -n 2"
          " --event stream_event.json")  # fmt: skip
    fn = Function(app + ":app", memory_mb=memory_mb, timeout_s=3.0)
    result = run_web(fn, [make("apigw-v2", path="/stream")] * 2, log=term)
    rows = []
    for i, r in enumerate(result.results):
        rows.append((f"web/app.py #{i + 1}" + (" (cold)" if r.cold_start else " (warm)"), r))
        print(f"    -> response: {_short(r.payload, width - 17)}")
    return rows


def _short(payload: bytes, width: int) -> str:
    text = payload.decode("utf-8", "replace")
    return text if len(text) <= width else text[: width - 1] + "…"


def table(rows: list[tuple[str, Result]], memory_mb: int, paint: Style | None = None) -> str:
    """What each invocation cost, one row each (headings coloured by ``paint`` when on)."""
    paint = paint or Style(False)
    head = (
        f"{'invocation':<22}{'status':<9}{'init ms':>9}{'duration ms':>13}{'billed ms':>11}"
        f"{'max MB':>8}{'USD per 1M':>12}"
    )
    out = [
        paint.heading(f"What each invocation cost ({memory_mb} MB, x86_64, us-east-1 prices):"),
        paint.heading(head),
        "-" * len(head),
    ]
    for name, r in rows:
        rep = r.report
        init = f"{rep.init_duration_ms:.1f}" if rep.init_duration_ms is not None else "-"
        out.append(
            f"{name:<22}{r.status:<9}{init:>9}{rep.duration_ms:>13.2f}"
            f"{rep.billed_duration_ms:>11}{rep.max_memory_used_mb:>8}{r.cost_usd * 1e6:>12.2f}"
        )
    out.append("A cold start bills its Init Duration too (on-demand, since 2025-08),")
    out.append("a timeout the time until the kill. USD per 1M: a million such invocations.")
    return "\n".join(out)
