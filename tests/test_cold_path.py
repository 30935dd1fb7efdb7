"""The cold path: what `import lambda_kit` loads, and a real process reused across invocations."""

from __future__ import annotations

import json

import pytest
from _lk_helpers import Capture, FakeContext, json_lines, run_python

from lambda_kit import _current, environment, instrument

HEAVY = (
    "asyncio",
    "importlib.metadata",
    "opentelemetry",
    "aws_xray_sdk",
    "boto3",
    "botocore",
    "requests",
    "psycopg",
    "redis",
    "inspect",
    "datetime",
    "platform",
    "wrapt",  # @instrument returns a plain function (lambda_kit/_wrap.py)
    "orjson",
    "typing",
    "lambda_kit.sinks",
    "lambda_kit.log",
    "lambda_kit.compat",
    "lambda_kit.metrics",
    "lambda_kit._term",  # the CLIs' colour: never for a function
    "lambda_kit._cli_rules",
    "aws_lambda_powertools",
    "enum",
    "lambda_kit.platform",  # the Telemetry API extension: only with LAMBDA_KIT_PLATFORM=1
    "http",
)


def test_import_lambda_kit_loads_no_heavy_module():
    code = (
        "import sys, json\n"
        "before = set(sys.modules)\n"
        "import lambda_kit\n"
        "from lambda_kit import instrument\n"
        "h = instrument(lambda e, c: None)\n"
        "h({}, None)\n"
        "print(json.dumps(sorted(set(sys.modules) - before)))\n"
    )
    proc = run_python(code, env={"LAMBDA_KIT_PROFILE_IMPORTS": "0"})
    assert proc.returncode == 0, proc.stderr
    loaded = json.loads(proc.stdout.splitlines()[-1])
    for name in HEAVY:
        assert not any(m == name or m.startswith(name + ".") for m in loaded), name


@pytest.mark.parametrize("value", [None, "0"])
def test_inside_a_runtime_the_platform_extension_is_not_imported_unless_asked(value):
    code = (
        "import sys, threading\n"
        "import lambda_kit\n"
        "print('lambda_kit.platform' in sys.modules, threading.active_count())\n"
    )
    env = {"AWS_LAMBDA_RUNTIME_API": "127.0.0.1:9", "_HANDLER": "app.handler"}
    if value is not None:
        env["LAMBDA_KIT_PLATFORM"] = value
    proc = run_python(code, env=env)
    assert proc.returncode == 0, proc.stderr
    assert proc.stdout.split() == ["False", "1"]
    assert proc.stderr == ""


#: what no public name may load (issue 12): each costs milliseconds of a cold start
NEVER_FOR_A_PUBLIC_NAME = (
    "typing",
    "inspect",
    "asyncio",
    "importlib.metadata",
    "dataclasses",
    "ast",
    "dis",
    "uuid",
    "platform",
    "datetime",
    "orjson",
)


@pytest.mark.parametrize(
    "names",
    [
        "instrument",
        "logger",
        "get_logger",
        "reuse",
        "metrics",
        "boto3_client",
        "http_session",
        "instrument, logger, reuse, metrics",
        "Logger",
        "Metrics",
        "Tracer",
    ],
)
def test_no_public_name_loads_a_heavy_module(names):
    code = (
        "import sys, json\n"
        "before = set(sys.modules)\n"
        f"from lambda_kit import {names}\n"
        "print(json.dumps(sorted(set(sys.modules) - before)))\n"
    )
    proc = run_python(code, env={"LAMBDA_KIT_PROFILE_IMPORTS": "0"})
    assert proc.returncode == 0, proc.stderr
    loaded = json.loads(proc.stdout.splitlines()[-1])
    heavy = [m for m in loaded for h in NEVER_FOR_A_PUBLIC_NAME if m == h or m.startswith(h + ".")]
    assert heavy == []


def test_reuse_from_the_package_is_the_function_also_after_the_submodule_loaded():
    code = (
        "import lambda_kit.reuse\n"
        "from lambda_kit import reuse\n"
        "h = reuse('n', lambda: 41)\n"
        "print(h() + 1)\n"
    )
    proc = run_python(code, env={"LAMBDA_KIT_PROFILE_IMPORTS": "0"})
    assert proc.stdout.strip() == "42", proc.stderr


def test_powertools_names_are_lazy():
    # Logger, Metrics and Tracer load on first use, never with `import lambda_kit`
    code = (
        "import sys, json\n"
        "import lambda_kit\n"
        "names = ('Logger', 'Metrics', 'Tracer')\n"
        "assert all(n in dir(lambda_kit) and n not in vars(lambda_kit) for n in names)\n"
        "loaded = sorted(m for m in sys.modules if m.startswith(('lambda_kit.compat', "
        "'lambda_kit.log', 'lambda_kit.metrics')))\n"
        "from lambda_kit import Logger, Metrics, Tracer\n"
        "print(json.dumps([loaded, Logger.__module__, Metrics.__module__, Tracer.__module__]))\n"
    )
    proc = run_python(code, env={"LAMBDA_KIT_PROFILE_IMPORTS": "0"})
    assert proc.returncode == 0, proc.stderr
    loaded, *modules = json.loads(proc.stdout.splitlines()[-1])
    assert loaded == []
    assert modules == [
        "lambda_kit.log.powertools", "lambda_kit.compat.metrics", "lambda_kit.compat.tracer"
    ]


def test_the_handler_stays_a_function_that_other_decorators_can_wrap():
    code = (
        "import types, wrapt\n"
        "from lambda_kit import instrument\n"
        "@wrapt.decorator\n"
        "def outer(wrapped, instance, args, kwargs):\n"
        "    return ('outer', wrapped(*args, **kwargs))\n"
        "h = outer(instrument(lambda e, c: e))\n"
        "print(isinstance(instrument(lambda e, c: e), types.FunctionType), h(5, None))\n"
    )
    proc = run_python(code, env={"LAMBDA_KIT_PROFILE_IMPORTS": "0"})
    assert proc.returncode == 0, proc.stderr
    lines = proc.stdout.splitlines()
    assert lines[-1] == "True ('outer', 5)"
    assert json.loads(lines[0])["status"] == "success"


def test_an_example_handler_run_twice_in_one_process_is_cold_then_warm():
    # one process, two invocations: what Lambda does with an execution environment
    code = (
        "import hello\n"
        "class Ctx:\n"
        "    function_name = 'hello'; function_version = '$LATEST'; memory_limit_in_mb = '256'\n"
        "    invoked_function_arn = 'arn:aws:lambda:us-east-1:123456789012:function:hello'\n"
        "    def __init__(self, rid): self.aws_request_id = rid\n"
        "print(hello.handler({'name': 'a'}, Ctx('req-1')))\n"
        "print(hello.handler({'name': 'b'}, Ctx('req-2')))\n"
    )
    proc = run_python(code, env={"AWS_REGION": "us-east-1"})
    assert proc.returncode == 0, proc.stderr
    first, second = json_lines(proc.stdout)
    assert (first["cold_start"], second["cold_start"]) == (True, False)
    assert (first["invocation_count"], second["invocation_count"]) == (1, 2)
    assert (first["function_request_id"], second["function_request_id"]) == ("req-1", "req-2")
    assert "init_duration_ms" in first and "init_duration_ms" not in second
    assert first["service"] == "hello" and first["function_memory_size"] == 256
    assert "{'statusCode': 200, 'body': 'hello, b'}" in proc.stdout


def test_failing_example_reports_an_error_and_raises():
    code = (
        "import failing\n"
        "try:\n"
        "    failing.handler({'order_id': 7}, None)\n"
        "except failing.OrderNotFound as e:\n"
        "    print('raised', e)\n"
    )
    proc = run_python(code)
    [record] = json_lines(proc.stdout)
    assert record["status"] == "error" and record["error_type"] == "OrderNotFound"
    assert "raised no order 7" in proc.stdout


def test_no_invocation_is_current_between_invocations():
    seen = []
    environment.reset()

    def handler(event, context):
        seen.append(_current.current.get())

    wrapped = instrument(output=Capture())(handler)
    wrapped({}, FakeContext(request_id="one"))
    assert _current.current.get() is None
    wrapped({}, FakeContext(request_id="two"))
    assert [inv.function_request_id for inv in seen] == ["one", "two"]
    assert [inv.cold_start for inv in seen] == [True, False]
    assert _current.current.get() is None
    environment.reset()


def test_invocation_state_is_cleared_even_when_the_handler_raises():
    environment.reset()

    def handler(event, context):
        raise KeyError("x")

    wrapped = instrument(output=Capture())(handler)
    with pytest.raises(KeyError):
        wrapped({}, FakeContext())
    assert _current.current.get() is None
    environment.reset()


def test_a_compatible_logger_and_metrics_handler_loads_only_what_it_uses():
    # what the compat cold-start figure rests on (docs/migrate-from-powertools.md): the
    # enums, lambda_kit's own logger and lambda_kit.metrics load only when asked for (the
    # line cutter only for a line over the limit)
    code = (
        "import sys, json\n"
        "from lambda_kit import Logger, Metrics\n"
        "logger, metrics = Logger(service='s'), Metrics(namespace='N', service='s')\n"
        "@metrics.log_metrics\n"
        "@logger.inject_lambda_context\n"
        "def handler(event, context):\n"
        "    logger.info('x', k=1)\n"
        "    metrics.add_metric(name='M', unit='Count', value=1)\n"
        "handler({}, None)\n"
        "unused = [m for m in ('lambda_kit.compat._metric_enums', 'lambda_kit.log._logger',\n"
        "          'lambda_kit.log._registry', 'lambda_kit.log._truncate', 'lambda_kit.metrics',\n"
        "          'contextvars') if m in sys.modules]\n"
        "from lambda_kit.metrics import MetricUnit\n"
        "import lambda_kit.log\n"
        "print(json.dumps([unused, MetricUnit.Count.value, type(lambda_kit.log.logger).__name__]))\n"
    )
    proc = run_python(code, env={"LAMBDA_KIT_PROFILE_IMPORTS": "0"})
    assert proc.returncode == 0, proc.stderr
    assert json.loads(proc.stdout.splitlines()[-1]) == [[], "Count", "Logger"]
