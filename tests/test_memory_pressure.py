"""The record flags memory pressure: a peak near the memory size, and a peak that grew
over several warm invocations in a row (a leak). Each case in a fresh interpreter, since
the peak is the process's."""

from __future__ import annotations

import json
from typing import Any

from _lk_helpers import run_python

from lambda_kit.environment import GROWTH_STREAK
from lambda_kit.record import KEYS

SCRIPT = """
import json, sys
from lambda_kit import instrument

class Context:
    function_name = "orders"
    memory_limit_in_mb = sys.argv[1] if len(sys.argv) > 1 else "{memory}"
    def get_remaining_time_in_millis(self):
        return 30000

kept = []

@instrument(service="orders")
def handler(event, context):
    {body}

for i in range({n}):
    handler({{"i": i}}, Context())
"""


def records(body: str, memory: int, n: int) -> list[dict[str, Any]]:
    done = run_python(SCRIPT.format(body=body, memory=memory, n=n))
    assert done.returncode == 0, done.stderr
    return [json.loads(line) for line in done.stdout.splitlines()]


def test_a_peak_past_90_percent_of_the_memory_size_is_flagged() -> None:
    # 128 MB function, the handler touches 120 MB
    [record] = records("kept.append(b'x' * (120 * 1024 * 1024))", memory=128, n=1)
    assert record["max_memory_used_mb"] * 10 >= 128 * 9
    assert record["memory_near_limit"] is True
    order = [KEYS.index(k) for k in record]
    assert order == sorted(order)


def test_a_peak_well_under_the_memory_size_is_not_flagged() -> None:
    for record in records("return 1", memory=1024, n=3):
        assert "memory_near_limit" not in record
        assert "memory_growth_streak" not in record


def test_a_peak_growing_over_warm_invocations_is_flagged_from_the_fifth() -> None:
    # a leak: 4 MB more held after every invocation
    got = records("kept.append(b'x' * (4 * 1024 * 1024))", memory=2048, n=9)
    streaks = [r.get("memory_growth_streak") for r in got]
    # the cold start is no growth; warm invocations 2..9 each raise the peak
    assert streaks[: GROWTH_STREAK] == [None] * GROWTH_STREAK
    assert streaks[GROWTH_STREAK:] == list(range(GROWTH_STREAK, 9))
    assert all("memory_near_limit" not in r for r in got)


def test_a_peak_that_stops_growing_is_no_longer_flagged() -> None:
    body = "if event['i'] < 7: kept.append(b'x' * (4 * 1024 * 1024))"
    got = records(body, memory=2048, n=10)
    assert got[6]["memory_growth_streak"] == 6
    assert [("memory_growth_streak" in r) for r in got[7:]] == [False] * 3


def test_a_peak_inherited_from_a_large_spawner_is_not_the_functions_own():
    # Linux folds the spawner's peak into ru_maxrss across exec: a runtime started from a
    # 300 MB process begins with it; the record must report the function's own peak
    parent = (
        "import subprocess, sys\n"
        "big = bytearray(300 * 1024 * 1024)\n"
        "for i in range(0, len(big), 4096): big[i] = 1\n"
        "child = '''\n"
        "import json, resource\n"
        "from lambda_kit import instrument\n"
        "seen = []\n"
        "@instrument(sinks=[seen.append], output=open('/dev/null', 'w'))\n"
        "def handler(event, context):\n"
        "    return 1\n"
        "handler({}, None)\n"
        "handler({}, None)\n"
        "raw = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss // 1024\n"
        "print(json.dumps([raw] + [r['max_memory_used_mb'] for r in seen]))\n"
        "'''\n"
        "out = subprocess.run([sys.executable, '-c', child], capture_output=True, text=True)\n"
        "print(out.stdout.strip() or out.stderr)\n"
    )
    proc = run_python(parent)
    assert proc.returncode == 0, proc.stderr
    raw, first, second = json.loads(proc.stdout.splitlines()[-1])
    assert raw >= 300  # the floor is there to be seen past
    assert 0 < first < 150 and 0 < second < 150
