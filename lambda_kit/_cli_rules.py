"""Options that do nothing in the mode a ``lambda-kit`` command was given: refused, not ignored.

    lambda-kit cost ... --cpu-bound-fraction 0.5       # without --sweep
    lambda-kit cost: --cpu-bound-fraction applies only with --sweep     (exit 2)

One table for every command, so the combinations can be read (and tested) in one
place; ``lambda_kit.cli.main`` checks it after parsing, before the command runs. An
option counts as given when its value differs from its default, so repeating a
default is not an error. A rule names options as the help shows them; a rule whose
options a command does not have (``cloudwatch alarms`` has no ``--name``) is skipped.
"""

from __future__ import annotations

import argparse
from collections.abc import Callable
from typing import NamedTuple


class Rule(NamedTuple):
    """``options`` do nothing unless (``only=True``) or when (``only=False``) ``mode`` holds."""

    options: tuple[str, ...]
    mode: str  # as the message shows it: "--sweep", "a HANDLER", ...
    holds: Callable[[argparse.Namespace], bool]
    only: bool = True


def _only(options: str, mode: str, holds: Callable[[argparse.Namespace], bool]) -> Rule:
    return Rule(tuple(options.split()), mode, holds, True)


def _not(options: str, mode: str, holds: Callable[[argparse.Namespace], bool]) -> Rule:
    return Rule(tuple(options.split()), mode, holds, False)


#: command -> its rules, checked in order (the first that fails is reported)
RULES: dict[str, tuple[Rule, ...]] = {
    "invoke": (
        # the web path has no memory cgroup or watchdog, and serves on its own port
        _not("--memory-cap --port --concurrency", "--web", lambda a: a.web),
        # Managed Instances set AWS_LAMBDA_INITIALIZATION_TYPE=lambda-managed-instances
        _not("--init-type", "--concurrency", lambda a: a.concurrency is not None),
    ),
    "imports": (
        _not("TARGET", "--from-log", lambda a: a.from_log is not None),
        _not("--runs", "--from-log", lambda a: a.from_log is not None),
        # --json prints the whole tree; --top and --min-ms only trim the text
        _not("--top --min-ms", "--json", lambda a: a.json),
    ),
    "cost": (
        _only("--cpu-bound-fraction --max-vcpus", "--sweep", lambda a: a.sweep),
        _not("--compare --month-gb-s", "--sweep", lambda a: a.sweep),
        _not("--json", "--compare lmi", lambda a: a.compare is not None),
        _only(
            "--instance-type --instances --instance-usd-per-hour --instance-prices",
            "--compare lmi",
            lambda a: a.compare is not None,
        ),
        # a price given is the price: there is nothing to read a file for
        _not(
            "--instance-prices",
            "--instance-usd-per-hour",
            lambda a: a.instance_usd_per_hour is not None,
        ),
        _only("--timeout", "--instance-prices", lambda a: a.instance_prices is not None),
        _only("--hours", "--provisioned", lambda a: a.provisioned > 0),
        # they only decide whether INIT is billed
        _not(
            "--package-type --custom-runtime --date",
            "--no-init-billing",
            lambda a: a.no_init_billing,
        ),
    ),
    "prices": (_only("--from --timeout", "--refresh", lambda a: a.refresh),),
    "report": (
        _only(
            "--since --start --end --filter --raw --show-query",
            "--log-group",
            lambda a: bool(a.log_group),
        ),
        # the log group is read by the AWS API, not scanned from a file
        _not("--progress --no-progress", "--log-group", lambda a: bool(a.log_group)),
    ),
    "tune": (
        _only(
            "--event --memory -n --cold --timeout --arch --region --env --memory-cap "
            "--cpu-cap --balanced-weight --html",
            "a HANDLER (--calibrate alone measures no handler)",
            lambda a: a.handler is not None,
        ),
    ),
    "cloudwatch": (
        _only("--name", "--apply (the printed body has no name)", lambda a: a.apply),
        _not("-o", "--apply", lambda a: a.apply),
    ),
}


def _given(action: argparse.Action, args: argparse.Namespace) -> bool:
    value = getattr(args, action.dest, action.default)
    if action.nargs == 0 and action.const is not None:
        # a flag: two may share a dest (--progress / --no-progress), so say which was given
        return bool(value == action.const and value != action.default)
    return bool(value != action.default)


def _actions_by_name(parser: argparse.ArgumentParser) -> dict[str, argparse.Action]:
    names: dict[str, argparse.Action] = {}
    for action in parser._actions:
        for flag in action.option_strings:
            names[flag] = action
        if not action.option_strings:
            shown = action.metavar if isinstance(action.metavar, str) else action.dest
            names[shown.upper()] = action
    return names


def refused(command: str, parser: argparse.ArgumentParser, args: argparse.Namespace) -> str | None:
    """The one-line reason ``args`` give an option that does nothing, or None.

    ``parser`` is the command's own parser (the innermost, for ``cloudwatch alarms``).
    """
    names = _actions_by_name(parser)
    for rule in RULES.get(command, ()):
        given = [o for o in rule.options if o in names and _given(names[o], args)]
        if not given or rule.holds(args) == rule.only:
            continue
        many = len(given) > 1
        if rule.only:
            verb = "apply only with" if many else "applies only with"
        else:
            verb = "do nothing with" if many else "does nothing with"
        return f"{' and '.join(given)} {verb} {rule.mode}"
    return None
