"""``lambda-kit migrate``: rewrite Powertools imports to lambda_kit's, list what stays.

    >>> rewrite("from aws_lambda_powertools import Logger, Metrics\\n").source
    'from lambda_kit import Logger, Metrics\\n'

Only ``from aws_lambda_powertools... import`` lines naming what lambda_kit
provides are rewritten (``SUPPORTED``); a line that also names something else
is split, the rest staying on Powertools. Every Powertools feature lambda_kit
does not cover is listed with its line (imports of other utilities, and
arguments of the compatible classes that lambda_kit does not honour); that
code keeps working beside lambda_kit, on Powertools.
"""

from __future__ import annotations

import ast

# typing costs ~5 ms to import on a cold start (not on the cold path here; kept alike)
TYPE_CHECKING = False
if TYPE_CHECKING:
    from collections.abc import Iterable

#: Powertools module -> (lambda_kit module, the names it provides there)
_METRIC_NAMES = frozenset(
    (
        "Metrics",
        "MetricUnit",
        "MetricResolution",
        "single_metric",
        "MetricUnitError",
        "MetricResolutionError",
        "MetricValueError",
        "SchemaValidationError",
        "EphemeralMetrics",
    )
)
SUPPORTED: dict[str, tuple[str, frozenset[str]]] = {
    "aws_lambda_powertools": ("lambda_kit", frozenset(("Logger", "Metrics", "Tracer"))),
    "aws_lambda_powertools.logging": (
        "lambda_kit.logging",
        frozenset(("Logger", "correlation_paths")),
    ),
    "aws_lambda_powertools.logging.logger": ("lambda_kit.logging", frozenset(("Logger",))),
    "aws_lambda_powertools.metrics": ("lambda_kit.metrics", _METRIC_NAMES),
    "aws_lambda_powertools.tracing": ("lambda_kit", frozenset(("Tracer",))),
    "aws_lambda_powertools.utilities.typing": (
        "lambda_kit.utilities.typing",
        frozenset(("LambdaContext",)),
    ),
}

#: arguments of the compatible classes that lambda_kit accepts but does not honour
UNSUPPORTED_ARGUMENTS: dict[str, frozenset[str]] = {
    "Logger": frozenset(
        (
            "logger_formatter",
            "logger_handler",
            "buffer_config",
            "json_serializer",
            "json_deserializer",
            "json_default",
            "log_record_order",
            "use_datetime_directive",
            "serialize_stacktrace",
            "log_uncaught_exceptions",
        )
    ),
    "Metrics": frozenset(("provider", "function_name")),
    "Tracer": frozenset(("provider", "patch_modules", "auto_patch")),
}


class Finding:
    """A Powertools feature the code uses that lambda_kit does not cover."""

    __slots__ = ("line", "what")

    def __init__(self, line: int, what: str) -> None:
        self.line = line
        self.what = what


class Result:
    """The rewritten source and what was found in it."""

    __slots__ = ("findings", "source")

    def __init__(self, source: str, findings: list[Finding]) -> None:
        self.source = source
        self.findings = findings


def _alias_text(alias: ast.alias) -> str:
    return alias.name if alias.asname is None else f"{alias.name} as {alias.asname}"


def _import_line(indent: str, module: str, aliases: Iterable[ast.alias]) -> str:
    return f"{indent}from {module} import {', '.join(_alias_text(a) for a in aliases)}\n"


def rewrite(source: str) -> Result:
    """``source`` with supported Powertools imports pointing at lambda_kit (a
    ``SyntaxError`` for code that does not parse)."""
    tree = ast.parse(source)
    lines = source.splitlines(keepends=True)
    findings: list[Finding] = []
    replacements: list[tuple[int, int, str]] = []
    rewritten_names: set[str] = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            for alias in node.names:
                if alias.name.startswith("aws_lambda_powertools"):
                    findings.append(
                        Finding(node.lineno, f"import {alias.name} (left on Powertools)")
                    )
        elif isinstance(node, ast.ImportFrom) and (node.module or "").startswith(
            "aws_lambda_powertools"
        ):
            module = node.module or ""
            target = SUPPORTED.get(module)
            ours = [a for a in node.names if target is not None and a.name in target[1]]
            theirs = [a for a in node.names if a not in ours]
            for alias in theirs:
                findings.append(Finding(node.lineno, f"{module}.{alias.name} (left on Powertools)"))
            if not ours or target is None:
                continue
            rewritten_names.update(a.asname or a.name for a in ours)
            first = lines[node.lineno - 1]
            indent = first[: len(first) - len(first.lstrip())]
            text = _import_line(indent, target[0], ours)
            if theirs:
                text += _import_line(indent, module, theirs)
            replacements.append((node.lineno, node.end_lineno or node.lineno, text))
    findings += _unsupported_arguments(tree, rewritten_names)
    for start, end, text in sorted(replacements, reverse=True):
        lines[start - 1 : end] = [text]
    findings.sort(key=lambda f: f.line)
    return Result("".join(lines), findings)


def _unsupported_arguments(tree: ast.AST, names: set[str]) -> list[Finding]:
    found = []
    for node in ast.walk(tree):
        if not isinstance(node, ast.Call) or not isinstance(node.func, ast.Name):
            continue
        name = node.func.id
        if name not in names or name not in UNSUPPORTED_ARGUMENTS:
            continue
        for keyword in node.keywords:
            if keyword.arg in UNSUPPORTED_ARGUMENTS[name]:
                found.append(Finding(node.lineno, f"{name}({keyword.arg}=...) is not honoured"))
    return found
