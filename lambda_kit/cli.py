"""The ``lambda-kit`` command line.

Each subcommand lives in its own module, imported only when that subcommand
runs, so ``lambda-kit cost`` never pays for the local runtime. A module listed
in ``COMMANDS`` provides ``add_arguments(parser)`` and ``run(args) -> int``.

What every command shares is added here: ``--color`` (lambda_kit._term), required
options listed first in usage and help, and the refusal of options that do nothing
in the mode given (lambda_kit._cli_rules), one line and exit status 2.
"""

from __future__ import annotations

import argparse
import importlib
import sys
from collections.abc import Sequence
from typing import NoReturn

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


class _Parser(argparse.ArgumentParser):
    """argparse's parser, its error line in colour on a terminal."""

    def error(self, message: str) -> NoReturn:
        """Usage, then ``PROG: error: MESSAGE``; exit status 2."""
        from lambda_kit import _term

        self.print_usage(sys.stderr)
        self.exit(2, f"{self.prog}: {_term.style(sys.stderr).error('error: ' + message)}\n")


def _subparsers(parser: argparse.ArgumentParser) -> argparse._SubParsersAction[_Parser] | None:
    return next((a for a in parser._actions if isinstance(a, argparse._SubParsersAction)), None)


def _leaves(parser: argparse.ArgumentParser) -> list[argparse.ArgumentParser]:
    """The parsers that parse a command's options (``cloudwatch``: dashboard and alarms)."""
    sub = _subparsers(parser)
    if sub is None:
        return [parser]
    unique = {id(p): p for p in sub.choices.values()}
    return [leaf for p in unique.values() for leaf in _leaves(p)]


def _required_first(parser: argparse.ArgumentParser) -> None:
    """Usage and help name the required options before the others (after ``-h``)."""
    required = [a for a in parser._actions if a.required and a.option_strings]
    if not required:
        return
    rest = [a for a in parser._actions if a not in required]
    head = 1 if rest and isinstance(rest[0], argparse._HelpAction) else 0
    parser._actions[:] = rest[:head] + required + rest[head:]
    loose = [a for a in required if a in parser._optionals._group_actions]
    for action in loose:
        parser._optionals._group_actions.remove(action)
    if loose:
        parser.add_argument_group("required options")._group_actions.extend(loose)
    groups = parser._action_groups
    first = [g for g in groups[1:] if any(a in required for a in g._group_actions)]
    parser._action_groups[:] = groups[:1] + first + [g for g in groups[1:] if g not in first]


def _finish(parser: argparse.ArgumentParser) -> None:
    from lambda_kit._term import MODES

    for leaf in _leaves(parser):
        leaf.add_argument(
            "--color",
            choices=MODES,
            default="auto",
            help="colour headings, warnings, errors and figures: auto (on a terminal, "
            "unless NO_COLOR is set or TERM=dumb), always or never (default auto)",
        )
        _required_first(leaf)


def build_parser(argv: Sequence[str]) -> tuple[argparse.ArgumentParser, object | None]:
    """The top-level parser; only the chosen subcommand's module is imported."""
    parser = _Parser(
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
            _finish(p)
    return parser, module


def _command_parser(parser: argparse.ArgumentParser, args: argparse.Namespace
                    ) -> argparse.ArgumentParser:  # fmt: skip
    """The innermost parser ``args`` came through (``cloudwatch alarms``, not ``cloudwatch``)."""
    sub = _subparsers(parser)
    while sub is not None and getattr(args, sub.dest, None) in sub.choices:
        parser = sub.choices[getattr(args, sub.dest)]
        sub = _subparsers(parser)
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    """Entry point of the ``lambda-kit`` console script."""
    args_list = list(sys.argv[1:] if argv is None else argv)
    parser, module = build_parser(args_list)
    args = parser.parse_args(args_list)
    if module is None:
        parser.print_help()
        return 2
    from lambda_kit import _cli_rules, _term

    previous = _term.set_mode(args.color)
    try:
        own = _command_parser(parser, args)
        reason = _cli_rules.refused(args.command, own, args)
        if reason is not None:
            return _term.fail(own.prog, reason)
        return int(module.run(args))  # type: ignore[attr-defined]
    except KeyboardInterrupt:
        return 130
    except BrokenPipeError:
        # e.g. `lambda-kit report big.log | head`: the reader left; not an error of ours
        return 0
    finally:
        _term.set_mode(previous)


if __name__ == "__main__":  # pragma: no cover
    sys.exit(main())
