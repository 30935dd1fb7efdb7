"""The ``lambda-kit`` command line.

Each subcommand lives in its own module, imported only when that subcommand
runs, so ``lambda-kit cost`` never pays for the local runtime. A module listed
in ``COMMANDS`` provides ``add_arguments(parser)`` and ``run(args) -> int``.
"""

from __future__ import annotations

import argparse
import importlib
import sys
from collections.abc import Sequence

# subcommand -> (module, one-line help)
COMMANDS: dict[str, tuple[str, str]] = {
    "invoke": ("lambda_kit.local.cli", "run a handler as Lambda would: INIT once, then N invokes"),
    "imports": ("lambda_kit.imports.cli", "show where a module's import time goes"),
    "cost": ("lambda_kit.pricing.cli", "price a Lambda workload"),
    "prices": ("lambda_kit.pricing.prices_cli", "the Lambda price table; --refresh from AWS"),
    "report": ("lambda_kit.report.cli", "read CloudWatch REPORT lines: cost, cold starts, sizing"),
    "tune": ("lambda_kit.tune.cli", "measure a handler at several memory sizes and pick one"),
    "layer": ("lambda_kit.layer.cli", "build a Lambda layer zip for a runtime and architecture"),
    "cloudwatch": ("lambda_kit.cloudwatch.cli", "CloudWatch dashboard and alarms for a function"),
    "demo": ("lambda_kit.local.demo", "show lambda_kit on the bundled examples"),
    "event": ("lambda_kit.web.cli", "print an HTTP event (API Gateway, Function URL, ALB) as JSON"),
    "migrate": ("lambda_kit.compat.cli", "rewrite Powertools imports; list what stays on it"),
}


def build_parser(argv: Sequence[str]) -> tuple[argparse.ArgumentParser, object | None]:
    """The top-level parser; only the chosen subcommand's module is imported."""
    parser = argparse.ArgumentParser(
        prog="lambda-kit",
        description="See what your AWS Lambda functions cost and why.",
    )
    from lambda_kit import __version__

    parser.add_argument("--version", action="version", version=f"lambda-kit {__version__}")
    sub = parser.add_subparsers(dest="command", metavar="COMMAND")
    chosen = next((a for a in argv if not a.startswith("-")), None)
    module = None
    for name, (module_name, help_text) in COMMANDS.items():
        p = sub.add_parser(name, help=help_text, description=help_text)
        if name == chosen:
            try:
                module = importlib.import_module(module_name)
            except ModuleNotFoundError as exc:
                if exc.name != module_name:
                    raise
                parser.exit(2, f"lambda-kit: '{name}' is not available in this version\n")
            module.add_arguments(p)
    return parser, module


def main(argv: Sequence[str] | None = None) -> int:
    """Entry point of the ``lambda-kit`` console script."""
    args_list = list(sys.argv[1:] if argv is None else argv)
    parser, module = build_parser(args_list)
    args = parser.parse_args(args_list)
    if module is None:
        parser.print_help()
        return 2
    try:
        return int(module.run(args))  # type: ignore[attr-defined]
    except KeyboardInterrupt:
        return 130
    except BrokenPipeError:
        # e.g. `lambda-kit report big.log | head`: the reader left; not an error of ours
        return 0


if __name__ == "__main__":  # pragma: no cover
    sys.exit(main())
