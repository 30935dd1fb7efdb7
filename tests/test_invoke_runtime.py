"""One execution environment through the real runtime client: INIT once, then invokes."""

from __future__ import annotations

import json

import pytest

from lambda_kit.local import InitFailed, run_environment
from lambda_kit.local.memory import Cgroup
from tests._invoke_helpers import write_handler

CONTEXT_HANDLER = """
    import os, time
    LOADED_AT = time.time()

    def handler(event, context):
        print("working on", event["n"])
        return {
            "n": event["n"],
            "pid": os.getpid(),
            "loaded_at": LOADED_AT,
            "request_id": context.aws_request_id,
            "function_name": context.function_name,
            "memory": context.memory_limit_in_mb,
            "arn": context.invoked_function_arn,
            "remaining_ms": context.get_remaining_time_in_millis(),
            "trace": os.environ.get("_X_AMZN_TRACE_ID"),
            "env": {k: os.environ.get(k) for k in (
                "AWS_LAMBDA_FUNCTION_NAME", "AWS_LAMBDA_FUNCTION_VERSION",
                "AWS_LAMBDA_FUNCTION_MEMORY_SIZE", "AWS_REGION", "AWS_LAMBDA_LOG_GROUP_NAME",
                "AWS_LAMBDA_LOG_STREAM_NAME", "AWS_LAMBDA_INITIALIZATION_TYPE", "_HANDLER",
                "LAMBDA_TASK_ROOT", "TZ", "AWS_LAMBDA_RUNTIME_API", "AWS_LAMBDA_MAX_CONCURRENCY",
                "MY_SETTING")},
        }
"""


@pytest.fixture(scope="module")
def context_run(tmp_path_factory):
    folder = tmp_path_factory.mktemp("ctx")
    spec, name = write_handler(folder, CONTEXT_HANDLER, "ctx")
    mp = pytest.MonkeyPatch()
    mp.setenv("AWS_LAMBDA_MAX_CONCURRENCY", "4")  # must not reach the runtime
    try:
        run = run_environment(
            spec,
            [json.dumps({"n": i}) for i in range(3)],
            memory_mb=256,
            timeout_s=2.0,
            env={"MY_SETTING": "on"},
            name="orders-api",
        )
    finally:
        mp.undo()
    return run, name, str(folder)


def _bodies(run):
    return [json.loads(r.payload) for r in run.results]


def test_events_go_to_one_process_initialised_once(context_run):
    run, _, _ = context_run
    bodies = _bodies(run)
    assert [b["n"] for b in bodies] == [0, 1, 2]
    assert len({b["pid"] for b in bodies}) == 1
    assert len({b["loaded_at"] for b in bodies}) == 1
    assert run.environments == 1


def test_only_the_first_report_has_an_init_duration(context_run):
    run, _, _ = context_run
    inits = [r.report.init_duration_ms for r in run.results]
    assert inits[0] is not None and inits[0] > 0
    assert inits[1:] == [None, None]
    assert [r.cold_start for r in run.results] == [True, False, False]


def test_the_context_carries_what_lambda_sends(context_run):
    run, _, _ = context_run
    for result, body in zip(run.results, _bodies(run), strict=True):
        assert body["request_id"] == result.request_id
        assert body["function_name"] == "orders-api"
        assert body["memory"] == "256"
        assert body["arn"] == "arn:aws:lambda:us-east-1:123456789012:function:orders-api"
        assert 0 < body["remaining_ms"] <= 2000


def test_each_invocation_gets_its_own_trace_header(context_run):
    run, _, _ = context_run
    traces = [b["trace"] for b in _bodies(run)]
    assert all(t.startswith("Root=1-") and ";Parent=" in t for t in traces)
    assert len(set(traces)) == 3


def test_the_runtime_sees_lambdas_environment_variables(context_run):
    run, name, folder = context_run
    env = _bodies(run)[0]["env"]
    assert env["AWS_LAMBDA_FUNCTION_NAME"] == "orders-api"
    assert env["AWS_LAMBDA_FUNCTION_VERSION"] == "$LATEST"
    assert env["AWS_LAMBDA_FUNCTION_MEMORY_SIZE"] == "256"
    assert env["AWS_REGION"]
    assert env["AWS_LAMBDA_LOG_GROUP_NAME"] == "/aws/lambda/orders-api"
    assert "[$LATEST]" in env["AWS_LAMBDA_LOG_STREAM_NAME"]
    assert env["AWS_LAMBDA_INITIALIZATION_TYPE"] == "on-demand"
    assert env["_HANDLER"] == f"{name}.handler"
    assert env["LAMBDA_TASK_ROOT"] == folder
    assert env["TZ"] == ":UTC"
    assert env["AWS_LAMBDA_RUNTIME_API"].startswith("127.0.0.1:")
    assert env["MY_SETTING"] == "on"


def test_max_concurrency_never_reaches_the_runtime(context_run):
    run, _, _ = context_run
    assert _bodies(run)[0]["env"]["AWS_LAMBDA_MAX_CONCURRENCY"] is None


def test_the_handlers_output_sits_between_start_and_end(context_run):
    run, _, _ = context_run
    logs = run.results[1].logs
    assert logs[0].startswith("START RequestId: " + run.results[1].request_id)
    assert logs[1] == "working on 1"
    assert logs[-2] == "END RequestId: " + run.results[1].request_id
    assert logs[-1].startswith("REPORT RequestId: ")


def test_a_raising_handler_returns_lambdas_error_shape(tmp_path):
    spec, _ = write_handler(tmp_path, "def handler(e, c):\n    raise KeyError('sku')\n")
    (result,) = run_environment(spec, [b"{}"]).results
    body = json.loads(result.payload)
    assert body["errorType"] == "KeyError"
    assert body["errorMessage"] == "'sku'"
    assert any("raise KeyError" in frame for frame in body["stackTrace"])
    assert result.status == "error" and result.error_type == "KeyError"
    assert "Status: error\tError Type: KeyError" in result.report.line()


def test_an_error_keeps_the_environment_warm(tmp_path):
    body = "def handler(e, c):\n    if e['fail']:\n        raise ValueError('x')\n    return 1\n"
    spec, _ = write_handler(tmp_path, body)
    run = run_environment(spec, [b'{"fail": true}', b'{"fail": false}'])
    assert [r.status for r in run.results] == ["error", "success"]
    assert run.environments == 1 and run.results[1].cold_start is False


def test_a_timeout_kills_the_environment_and_the_next_start_is_cold(tmp_path):
    body = """
        import os, time
        def handler(e, c):
            time.sleep(e["sleep"])
            return os.getpid()
    """
    spec, _ = write_handler(tmp_path, body)
    run = run_environment(spec, [b'{"sleep": 30}', b'{"sleep": 0}'], timeout_s=1.0)
    first, second = run.results
    assert first.status == "timeout"
    assert json.loads(first.payload) == {
        "errorType": "Sandbox.Timedout",
        "errorMessage": f"RequestId: {first.request_id} Error: Task timed out after 1.00 seconds",
    }
    assert any(line.endswith("Task timed out after 1.00 seconds") for line in first.logs)
    assert first.report.duration_ms >= 1000
    assert "Status: timeout" in first.report.line()
    assert second.status == "success" and second.cold_start
    assert run.environments == 2


def test_sys_exit_in_the_handler_is_a_runtime_exit_error(tmp_path):
    spec, _ = write_handler(tmp_path, "import sys\ndef handler(e, c):\n    sys.exit(3)\n")
    run = run_environment(spec, [b"{}", b"{}"])
    assert [r.error_type for r in run.results] == ["Runtime.ExitError"] * 2
    assert json.loads(run.results[0].payload)["errorMessage"].endswith(
        "Error: Runtime exited with error: exit status 3"
    )
    assert run.environments == 2  # the process is gone: the next event starts a new one


def test_a_missing_module_is_an_init_error(tmp_path):
    run = run_environment("no_such_module_xyz:handler", [b"{}", b"{}"], task_root=str(tmp_path))
    assert isinstance(run.init_error, InitFailed)
    assert run.init_error.error_type == "Runtime.ImportModuleError"
    assert b"No module named 'no_such_module_xyz'" in run.init_error.payload
    assert run.results == [] and run.not_sent == 2 and not run.ok


def test_a_missing_handler_function_is_an_init_error(tmp_path):
    spec, _ = write_handler(tmp_path, "def other(e, c):\n    return 1\n")
    run = run_environment(spec, [b"{}"])
    assert run.init_error is not None
    assert run.init_error.error_type == "Runtime.HandlerNotFound"


def test_sys_exit_during_init_is_an_init_error(tmp_path):
    spec, _ = write_handler(tmp_path, "import sys\nsys.exit(4)\n")
    run = run_environment(spec, [b"{}"])
    assert run.init_error is not None
    assert run.init_error.error_type == "Runtime.ExitError"
    assert b"exit status 4" in run.init_error.payload


HOG = """
    import time
    def handler(e, c):
        hold = [b"x" * (1 << 20) for _ in range(e["mb"])]
        time.sleep(e.get("hold_s", 0))  # long enough for any watchdog to look
        return len(hold)
"""


def test_max_memory_used_counts_what_the_handler_holds(tmp_path):
    spec, _ = write_handler(tmp_path, HOG)
    run = run_environment(spec, [b'{"mb": 1}', b'{"mb": 80}'], memory_mb=512)
    small, big = (r.report.max_memory_used_mb for r in run.results)
    assert big >= small + 70


def test_the_watchdog_kills_a_handler_over_its_memory(tmp_path):
    spec, _ = write_handler(tmp_path, HOG)
    run = run_environment(
        spec, [b'{"mb": 400, "hold_s": 10}'], memory_mb=128, memory_cap="watchdog", timeout_s=20
    )
    (result,) = run.results
    assert run.cgroup_used is False
    assert result.error_type == "Runtime.OutOfMemory"
    assert "signal: killed" in json.loads(result.payload)["errorMessage"]


def test_auto_uses_a_memory_cgroup_where_one_is_writable(tmp_path):
    probe = Cgroup.create(128, f"lambda-kit-test-probe-{tmp_path.name[-8:]}")
    writable = probe is not None
    if probe is not None:
        probe.remove()
    spec, _ = write_handler(tmp_path, HOG)
    run = run_environment(spec, [b'{"mb": 400, "hold_s": 10}'], memory_mb=128, timeout_s=20)
    assert run.cgroup_used is writable
    assert run.results[0].error_type == "Runtime.OutOfMemory"


def test_an_init_longer_than_its_limit_is_an_init_timeout(tmp_path):
    spec, _ = write_handler(tmp_path, "import time\ntime.sleep(30)\ndef handler(e, c):\n    return 1\n")
    run = run_environment(spec, [b"{}"], init_timeout_s=0.3)
    assert run.init_error is not None
    assert (run.init_error.error_type, run.init_error.status) == ("Sandbox.Timedout", "timeout")
    assert run.init_error.duration_ms >= 300


def test_a_cgroup_left_by_a_dead_run_is_swept_by_the_next(tmp_path):
    import os
    import subprocess

    from lambda_kit.local.memory import _memory_cgroup_bases

    gone = subprocess.Popen(["true"])
    gone.wait()  # a pid that no longer runs
    made = []
    for _, base in _memory_cgroup_bases():
        path = os.path.join(base, f"lambda-kit-{gone.pid}-1")
        try:
            os.mkdir(path)
            made.append(path)
        except OSError:
            continue
    if not made:  # not root, or no cgroup file system mounted writable
        pytest.skip("this machine lets no process make a cgroup directory")
    cgroup = Cgroup.create(128, f"lambda-kit-test-sweep-{tmp_path.name[-8:]}")
    if cgroup is not None:
        cgroup.remove()
    assert [p for p in made if os.path.exists(p)] == []
