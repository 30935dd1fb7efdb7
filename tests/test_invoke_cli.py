"""`lambda-kit invoke` on the command line: payloads, logs, exit status, bad input."""

from __future__ import annotations

import json
import socket

from tests._invoke_helpers import (
    DEMO_EXAMPLES,
    EXAMPLES,
    invoke,
    processes_mentioning,
    write_handler,
)


def test_payloads_go_to_stdout_and_logs_to_stderr():
    run = invoke(f"{EXAMPLES}/hello.py:handler", "-n", "2", "--event", "-", stdin='{"name": "ana"}')
    assert run.returncode == 0, run.stderr
    assert run.stdout.splitlines() == ['{"statusCode": 200, "body": "hello, ana"}'] * 2
    lines = run.stderr.splitlines()
    assert lines[0].startswith("INIT_START Runtime Version: python:")
    assert sum(line.startswith("START RequestId: ") for line in lines) == 2
    assert sum(line.startswith("REPORT RequestId: ") for line in lines) == 2
    assert lines[-1].startswith("lambda-kit: 2 invocations in 1 environment (1 cold); 2 success;")


def test_output_writes_the_payloads_to_a_file(tmp_path):
    out = tmp_path / "responses.jsonl"
    run = invoke(f"{EXAMPLES}/hello.py:handler", "--output", str(out))
    assert run.returncode == 0 and run.stdout == ""
    assert json.loads(out.read_text()) == {"statusCode": 200, "body": "hello, world"}


def test_env_sets_a_variable_of_the_function(tmp_path):
    spec, _ = write_handler(tmp_path, "import os\ndef handler(e, c):\n    return os.environ['COLOR']\n")
    run = invoke(spec, "--env", "COLOR=blue")
    assert run.stdout == '"blue"\n'


def test_a_handler_error_exits_1_with_lambdas_error_payload():
    run = invoke(f"{DEMO_EXAMPLES}/failing.py:handler", "--event", "-", stdin='{"order_id": 7}')
    assert run.returncode == 1
    assert json.loads(run.stdout)["errorType"] == "OrderNotFound"
    assert run.stderr.splitlines()[-1] == (
        "lambda-kit: invocation 1 failed: OrderNotFound: no order 7"
    )


# -- bad input: one clear line, a non-zero exit, no process left behind -------------------


def test_an_event_file_that_is_not_json_is_refused_before_anything_starts(tmp_path):
    spec, name = write_handler(tmp_path, "def handler(e, c):\n    return 1\n")
    bad = tmp_path / "event.json"
    bad.write_text("{'single': 'quotes'}")
    run = invoke(spec, "--event", str(bad))
    assert run.returncode == 2
    assert run.stderr == (
        f"lambda-kit: event file {bad} is not JSON: Expecting property name enclosed in "
        "double quotes: line 1 column 2 (char 1)\n"
    )
    assert "INIT_START" not in run.stderr
    assert processes_mentioning(name) == []


def test_a_missing_event_file_is_one_line():
    run = invoke(f"{EXAMPLES}/hello.py:handler", "--event", "/nonexistent/e.json")
    assert run.returncode == 2
    assert run.stderr == "lambda-kit: cannot read event file /nonexistent/e.json: No such file or directory\n"


def test_a_missing_handler_file_is_one_line():
    run = invoke("/nonexistent/app.py:handler")
    assert run.returncode == 2
    assert run.stderr == "lambda-kit: handler file /nonexistent/app.py does not exist\n"


def test_a_handler_spec_without_a_function_is_one_line():
    run = invoke("app")
    assert run.returncode == 2
    assert run.stderr == "lambda-kit: handler 'app' is not MODULE:HANDLER (e.g. app:handler)\n"


def test_a_missing_module_ends_in_one_line_naming_it(tmp_path):
    marker = "missing_mod_" + tmp_path.name[-6:]
    run = invoke(f"{marker}:handler", "-n", "3")
    assert run.returncode == 1
    assert "INIT_REPORT Init Duration: " in run.stderr
    assert run.stderr.splitlines()[-1] == (
        f"lambda-kit: init failed: Runtime.ImportModuleError: Unable to import module "
        f"'{marker}': No module named '{marker}' (2 more event(s) not sent)"
    )
    assert json.loads(run.stdout)["errorType"] == "Runtime.ImportModuleError"
    assert processes_mentioning(marker) == []


def test_a_missing_handler_function_ends_in_one_line(tmp_path):
    spec, name = write_handler(tmp_path, "def other(e, c):\n    return 1\n")
    run = invoke(spec)
    assert run.returncode == 1
    assert run.stderr.splitlines()[-1] == (
        f"lambda-kit: init failed: Runtime.HandlerNotFound: Handler 'handler' missing on "
        f"module '{name}'"
    )
    assert processes_mentioning(name) == []


def test_sys_exit_in_a_handler_ends_in_one_line_and_no_process(tmp_path):
    spec, name = write_handler(tmp_path, "import sys\ndef handler(e, c):\n    sys.exit(3)\n")
    run = invoke(spec)
    assert run.returncode == 1
    last = run.stderr.splitlines()[-1]
    assert last.startswith("lambda-kit: invocation 1 failed: Runtime.ExitError: RequestId: ")
    assert last.endswith(" Error: Runtime exited with error: exit status 3")
    assert processes_mentioning(name) == []


def test_a_port_in_use_is_one_line(tmp_path):
    spec, name = write_handler(tmp_path, "def handler(e, c):\n    return 1\n")
    with socket.socket() as taken:
        taken.bind(("127.0.0.1", 0))
        taken.listen(1)
        port = taken.getsockname()[1]
        run = invoke(spec, "--port", str(port))
    assert run.returncode == 2
    assert run.stderr == f"lambda-kit: cannot listen on 127.0.0.1:{port}: Address already in use\n"
    assert processes_mentioning(name) == []


def test_a_timeout_leaves_neither_the_runtime_nor_its_children(tmp_path):
    body = """
        import subprocess, time
        def handler(e, c):
            subprocess.Popen(["sleep", "97.531"])
            time.sleep(30)
    """
    spec, name = write_handler(tmp_path, body)
    run = invoke(spec, "--timeout", "0.5")
    assert run.returncode == 1
    assert "Task timed out after 0.50 seconds" in run.stderr
    assert processes_mentioning(name) == []
    assert processes_mentioning("sleep 97.531") == []


def test_max_concurrency_is_refused(tmp_path):
    run = invoke(f"{EXAMPLES}/hello.py:handler", "--env", "AWS_LAMBDA_MAX_CONCURRENCY=2")
    assert run.returncode == 2
    assert run.stderr == (
        "lambda-kit: AWS_LAMBDA_MAX_CONCURRENCY is set by --concurrency N "
        "(Lambda Managed Instances), not by --env\n"
    )


def test_an_env_pair_without_equals_is_one_line():
    run = invoke(f"{EXAMPLES}/hello.py:handler", "--env", "COLOR")
    assert run.returncode == 2
    assert run.stderr == "lambda-kit: --env 'COLOR' is not KEY=VALUE\n"


def test_sigterm_shuts_the_environment_down(tmp_path):
    import signal
    import subprocess
    import sys

    from tests._invoke_helpers import REPO

    spec, name = write_handler(tmp_path, "import time\ndef handler(e, c):\n    time.sleep(30)\n")
    proc = subprocess.Popen(
        [sys.executable, "-m", "lambda_kit", "invoke", spec, "--timeout", "60"],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        cwd=REPO,
    )
    try:
        for line in proc.stderr:  # wait until the handler runs
            if line.startswith("START RequestId: "):
                break
        assert processes_mentioning(name) != []
        proc.send_signal(signal.SIGTERM)
        assert proc.wait(timeout=20) == 143
    finally:
        proc.kill()
        proc.wait()
    assert processes_mentioning(name) == []
