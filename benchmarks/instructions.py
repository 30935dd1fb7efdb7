"""Instruction counts of the cold-start tax and of a warm invocation, under valgrind.

    .venv/bin/python benchmarks/instructions.py [--against REF ...]      (make instructions)

Timings on a shared machine move by tens of percent; the number of instructions
the CPU executes does not (valgrind's callgrind counts them, with a fixed hash
seed). So a change to the cold path is judged here, against the lambda_kit of
any git revision (``--against``, checked out with ``git archive`` into a
temporary directory), before ``make coldstart`` confirms it in milliseconds.

- cold-start tax: a fresh interpreter with the runtime client (awslambdaric)
  loaded imports the handler module and invokes it once; the count with
  ``@instrument`` minus the count for the bare handler. Interpreter shutdown,
  which frees what lambda_kit allocated, is counted too (it is not in the
  millisecond figure).
- warm invocation: (count for 2,000 invocations - count for none) / 2,000, the
  record written to a file.

Needs valgrind (Debian package ``valgrind``); without it, says so and exits 2.
"""

from __future__ import annotations

import argparse
import os
import shutil
import subprocess
import sys
import tempfile
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent

PROBE = """
import os, sys, time
os.dup2(os.open(os.devnull, os.O_WRONLY), 1)
import awslambdaric.bootstrap, awslambdaric.lambda_runtime_client
class Context:
    function_name = "bench"; function_version = "$LATEST"
    invoked_function_arn = "arn:aws:lambda:us-east-1:123456789012:function:bench"
    memory_limit_in_mb = "512"; aws_request_id = "00000000-0000-4000-8000-000000000001"
    log_group_name = "/aws/lambda/bench"; log_stream_name = "2026/01/01/[$LATEST]0"
    def get_remaining_time_in_millis(self):
        return 30000
module = __import__(sys.argv[1])
context = Context()
for _ in range(1 + int(sys.argv[2])):
    module.handler({"k": 1}, context)
"""
BARE = "def handler(event, context):\n    return {'ok': True}\n"
INSTRUMENTED = (
    "from lambda_kit import instrument\n\n"
    "@instrument(service='bench', output={out!r})\n"
    "def handler(event, context):\n    return {{'ok': True}}\n"
)
WARM_RUNS = 2000


def _count(folder: Path, tree: Path, module: str, runs: int, profile: str) -> int:
    env = {k: v for k, v in os.environ.items() if k != "PYTHONDONTWRITEBYTECODE"}
    env.update(
        PYTHONHASHSEED="0", PYTHONPATH=f"{folder}{os.pathsep}{tree}", AWS_REGION="us-east-1",
        AWS_LAMBDA_FUNCTION_NAME="bench", AWS_LAMBDA_FUNCTION_MEMORY_SIZE="512",
        AWS_LAMBDA_INITIALIZATION_TYPE="on-demand", LAMBDA_KIT_PROFILE_IMPORTS=profile,
    )  # fmt: skip
    out = folder / "callgrind.out"
    proc = subprocess.run(
        ["valgrind", "--tool=callgrind", f"--callgrind-out-file={out}", sys.executable,
         str(folder / "probe.py"), module, str(runs)],
        env=env, capture_output=True, text=True, timeout=600, check=False,
    )  # fmt: skip
    out.unlink(missing_ok=True)
    for line in proc.stderr.splitlines():
        if "Collected :" in line:
            return int(line.split(":")[-1].strip())
    sys.exit(f"instructions: valgrind failed for {module}: {proc.stderr.strip()[-300:]}")


def measure(tree: Path, profile: str = "1") -> dict[str, int]:
    """{"tax": instructions, "warm": instructions per invocation} for one lambda_kit tree."""
    with tempfile.TemporaryDirectory(prefix="lk-instructions-") as tmp:
        folder = Path(tmp)
        (folder / "probe.py").write_text(PROBE)
        (folder / "cs_bare.py").write_text(BARE)
        (folder / "cs_lk.py").write_text(INSTRUMENTED.format(out=str(folder / "records")))
        for module in ("cs_bare", "cs_lk"):  # bytecode written first, as pip leaves it
            _count(folder, tree, module, 0, profile)
        bare = _count(folder, tree, "cs_bare", 0, profile)
        cold = _count(folder, tree, "cs_lk", 0, profile)
        warm = _count(folder, tree, "cs_lk", WARM_RUNS, profile)
    return {"tax": cold - bare, "warm": (warm - cold) // WARM_RUNS}


def _checkout(ref: str, into: Path) -> Path:
    archive = subprocess.run(
        ["git", "-C", str(ROOT), "archive", ref, "lambda_kit"], capture_output=True, timeout=60
    )
    if archive.returncode != 0:
        sys.exit(f"instructions: no revision {ref!r}: {archive.stderr.decode().strip()}")
    into.mkdir(parents=True)
    subprocess.run(["tar", "-x", "-C", str(into)], input=archive.stdout, check=True, timeout=60)
    return into


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--against", action="append", default=[], metavar="REF",
                        help="also measure lambda_kit as of this git revision")  # fmt: skip
    parser.add_argument("--profile-imports", choices=("0", "1"), default="1",
                        help="LAMBDA_KIT_PROFILE_IMPORTS for the runs (default 1, as on Lambda)")  # fmt: skip
    args = parser.parse_args()
    if shutil.which("valgrind") is None:
        print("instructions: valgrind is not installed (apt-get install valgrind)", file=sys.stderr)
        return 2
    trees = [("this tree", ROOT)]
    with tempfile.TemporaryDirectory(prefix="lk-refs-") as tmp:
        for ref in args.against:
            trees.append((ref, _checkout(ref, Path(tmp) / ref.replace("/", "_"))))
        for label, tree in trees:
            got = measure(tree, args.profile_imports)
            print(
                f"{label:>12}: cold-start tax {got['tax'] / 1e6:6.2f} M instructions, "
                f"warm invocation {got['warm'] / 1e3:5.1f} k instructions"
            )
    return 0


if __name__ == "__main__":
    sys.exit(main())
