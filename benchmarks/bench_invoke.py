"""What a warm invoke costs through `lambda-kit invoke`'s Runtime API server.

Both round-trip benchmarks run examples/hello.py in one environment through the
real runtime client; they differ only in TCP_NODELAY on the server's sockets, so
the difference of their medians is what Nagle's algorithm adds to each warm
invoke. The server writes each reply in one send, which keeps that cost small; a
server that writes headers and body apart waits for a delayed ACK (~40-90 ms)
on every invoke.
"""

from __future__ import annotations

from pathlib import Path

import pytest

from lambda_kit.local import run_environment
from lambda_kit.local.function import Function
from lambda_kit.local.logs import LogStream
from lambda_kit.local.runner import Environment

HELLO = str(Path(__file__).resolve().parent.parent / "examples" / "hello.py") + ":handler"


@pytest.mark.parametrize("nodelay", [True, False], ids=["nodelay", "nagle"])
def test_warm_invoke_round_trip(benchmark, nodelay):
    benchmark.group = "invoke: one warm invocation of examples/hello.py"
    benchmark.extra_info.update(
        role="baseline" if nodelay else "subject",
        case="TCP_NODELAY (as shipped)" if nodelay else "Nagle's algorithm left on",
    )
    env = Environment(Function(HELLO), LogStream(None), 1, nodelay=nodelay)
    try:
        assert env.invoke(b"{}", True).status == "success"
        rounds = 3 if benchmark.disabled else 200
        result = benchmark.pedantic(env.invoke, args=(b"{}", False), rounds=rounds, iterations=1)
        assert result.status == "success" and not result.cold_start
    finally:
        env.shutdown()


def test_cold_environment_start_to_first_response(benchmark):
    """A whole environment: runtime process, INIT, one invoke, shutdown."""
    benchmark.group = "invoke: a whole environment, one cold invocation"
    rounds = 1 if benchmark.disabled else 10
    run = benchmark.pedantic(run_environment, args=(HELLO, [b"{}"]), rounds=rounds, iterations=1)
    assert run.ok and run.results[0].cold_start
