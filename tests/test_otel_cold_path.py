"""Zero cost when off: neither OpenTelemetry nor the X-Ray SDK is imported unless enabled.

Each check runs in a fresh interpreter, where ``sys.modules`` tells the truth.
"""

from __future__ import annotations

import json
import subprocess
import sys
import textwrap

HEAVY = ("opentelemetry", "aws_xray_sdk", "typing", "orjson")


def loaded_after(code: str, env: dict[str, str] | None = None) -> list[str]:
    script = textwrap.dedent(code) + textwrap.dedent(
        f"""
        import json, sys
        print(json.dumps(sorted(m for m in sys.modules if m.split('.')[0] in {HEAVY!r})))
        """
    )
    import os

    run_env = {k: v for k, v in os.environ.items() if not k.startswith("LAMBDA_KIT_")}
    run_env.update(env or {})
    out = subprocess.run(
        [sys.executable, "-c", script], capture_output=True, text=True, check=True, env=run_env
    ).stdout
    return list(json.loads(out.splitlines()[-1]))


def test_import_lambda_kit_imports_neither_opentelemetry_nor_x_ray() -> None:
    assert loaded_after("import lambda_kit") == []


def test_an_invocation_with_metrics_imports_none_of_them() -> None:
    # EMF costs no heavy import either: not even typing or orjson
    code = """
        import io
        from lambda_kit import instrument, metrics
        out = io.StringIO()
        @instrument(service="s", output=out, metrics=True)
        def handler(event, context):
            metrics.add("Orders", 1, "Count")
            return 1
        handler({}, None)
        assert '"Orders":1' in out.getvalue()
    """
    assert loaded_after(code) == []


def test_otel_option_imports_only_the_opentelemetry_api() -> None:
    code = """
        import io
        from lambda_kit import instrument
        @instrument(service="s", output=io.StringIO(), otel=True)
        def handler(event, context):
            return 1
        handler({}, None)
    """
    loaded = loaded_after(code)
    assert "opentelemetry.trace" in loaded
    assert not [m for m in loaded if m.startswith(("opentelemetry.sdk", "aws_xray_sdk"))]


def test_otel_without_a_tracer_provider_records_nothing_and_returns_the_result() -> None:
    code = """
        import io
        from lambda_kit import instrument
        from lambda_kit.sinks.otel import OtelSink
        sink = OtelSink()
        import types; assert sink.start(types.SimpleNamespace(event={}, context=None)) is None
        @instrument(service="s", output=io.StringIO(), otel=True)
        def handler(event, context):
            return 41 + 1
        assert handler({}, None) == 42
    """
    assert "opentelemetry.trace" in loaded_after(code)


def test_xray_option_imports_the_x_ray_sdk() -> None:
    code = """
        import io
        from lambda_kit import instrument
        @instrument(service="s", output=io.StringIO(), xray=True)
        def handler(event, context):
            return 1
    """
    loaded = loaded_after(code, {"AWS_XRAY_SDK_ENABLED": "false"})
    assert "aws_xray_sdk.core" in loaded
    assert not [m for m in loaded if m.startswith("opentelemetry")]


def test_missing_packages_are_reported_and_the_function_still_runs() -> None:
    code = """
        import io, sys
        sys.modules["opentelemetry"] = None      # as if not installed
        sys.modules["aws_xray_sdk"] = None
        from lambda_kit import instrument
        @instrument(service="s", output=io.StringIO(), otel=True, xray=True)
        def handler(event, context):
            return 42
        assert handler({}, None) == 42
    """
    script = textwrap.dedent(code)
    run = subprocess.run([sys.executable, "-c", script], capture_output=True, text=True)
    assert run.returncode == 0, run.stderr
    assert "OpenTelemetry is on but cannot be loaded" in run.stderr
    assert "pip install 'lambda-kit-instrument[xray]'" in run.stderr
