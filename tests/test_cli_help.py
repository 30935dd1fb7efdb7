"""Every `lambda-kit` command: help text for every option, required options first,
conventional metavars, and options that do nothing in the mode given refused in one line."""

from __future__ import annotations

import argparse
import re
import subprocess
import sys

import pytest

from lambda_kit._cli_rules import RULES
from lambda_kit.cli import COMMANDS, _leaves, build_parser, main


def _command_parsers(command: str) -> list[argparse.ArgumentParser]:
    """The parsers of ``command`` as `lambda-kit` builds them (cloudwatch: its two)."""
    parser, _ = build_parser([command])
    sub = next(a for a in parser._actions if isinstance(a, argparse._SubParsersAction))
    return _leaves(sub.choices[command])


ALL = [(c, p) for c in sorted(COMMANDS) for p in _command_parsers(c)]
IDS = [p.prog.removeprefix("lambda-kit ") for _, p in ALL]


@pytest.mark.parametrize(("command", "parser"), ALL, ids=IDS)
def test_every_option_has_help_text(command, parser):
    missing = [
        action.option_strings or [action.dest]
        for action in parser._actions
        if not isinstance(action, argparse._HelpAction) and not action.help
    ]
    assert missing == []


#: an upper-case noun (FILE, MB, KEY=VALUE, X.Y, YYYY-MM-DD, TEXT|@FILE), or a list of one
METAVAR = re.compile(r"^[A-Z][A-Z0-9_]*(?:(?:[=:|.\-]|\|@)[A-Z][A-Z0-9_]*)*(?:\[,[A-Z]+\.\.\.\])?$")


@pytest.mark.parametrize(("command", "parser"), ALL, ids=IDS)
def test_metavars_are_conventional(command, parser):
    odd = []
    for action in parser._actions:
        if action.nargs == 0 or isinstance(action, argparse._SubParsersAction):
            continue  # flags take no value
        if action.choices is not None and action.metavar is None:
            continue  # shown as {a,b}
        shown = action.metavar or (action.dest.upper() if action.option_strings else action.dest)
        if not METAVAR.match(shown):
            odd.append((action.option_strings or action.dest, shown))
    assert odd == []


@pytest.mark.parametrize(("command", "parser"), ALL, ids=IDS)
def test_required_options_come_first_in_usage_and_help(command, parser):
    required = [a.option_strings[0] for a in parser._actions if a.required and a.option_strings]
    optional = [
        a.option_strings[0]
        for a in parser._actions
        if a.option_strings and not a.required and a.dest != "help"
    ]
    usage = parser.format_usage()
    help_text = parser.format_help()
    body = help_text[len(usage):]
    for flag in required:
        for other in optional:
            assert usage.index(f" {flag} ") < usage.index(f"[{other}"), (flag, other)
        # the group listing a required option comes before the one with -h (3.13 writes
        # "-o, --output FILE", earlier Pythons "-o FILE, --output FILE")
        listed = re.search(rf"(?m)^\s+{re.escape(flag)}[ ,]", body)
        assert listed is not None and listed.start() < body.index("-h, --help"), flag


def test_layer_help_lists_its_required_output_first():
    help_text = _command_parsers("layer")[0].format_help()
    assert help_text.index("required options:") < help_text.index("\noptions:")
    assert help_text.startswith("usage: lambda-kit layer [-h] -o FILE [--python X.Y]")


BASE = {
    "cost": ["cost", "--memory", "512", "--duration-ms", "100", "--invocations", "1e6"],
    "alarms": ["cloudwatch", "alarms", "--function", "f", "--memory-size", "128"],
}
COST, ALARMS = BASE["cost"], BASE["alarms"]

#: (argv, the one line on stderr): one case at least for each option of each rule
REFUSED = [
    ([*COST, "--cpu-bound-fraction", "0.5"], "lambda-kit cost: --cpu-bound-fraction applies only with --sweep"),
    ([*COST, "--max-vcpus", "2", "--cpu-bound-fraction", "0.5"],
     "lambda-kit cost: --cpu-bound-fraction and --max-vcpus apply only with --sweep"),
    ([*COST, "--sweep", "--compare", "lmi"], "lambda-kit cost: --compare does nothing with --sweep"),
    ([*COST, "--sweep", "--month-gb-s", "5"], "lambda-kit cost: --month-gb-s does nothing with --sweep"),
    ([*COST, "--compare", "lmi", "--json"], "lambda-kit cost: --json does nothing with --compare lmi"),
    ([*COST, "--instance-type", "m7g.large"], "lambda-kit cost: --instance-type applies only with --compare lmi"),
    ([*COST, "--instances", "2"], "lambda-kit cost: --instances applies only with --compare lmi"),
    ([*COST, "--instance-usd-per-hour", "0.2"],
     "lambda-kit cost: --instance-usd-per-hour applies only with --compare lmi"),
    ([*COST, "--instance-prices", "ec2.json"],
     "lambda-kit cost: --instance-prices applies only with --compare lmi"),
    ([*COST, "--compare", "lmi", "--instance-usd-per-hour", "0.2", "--instance-prices", "ec2.json"],
     "lambda-kit cost: --instance-prices does nothing with --instance-usd-per-hour"),
    ([*COST, "--compare", "lmi", "--timeout", "9"],
     "lambda-kit cost: --timeout applies only with --instance-prices"),
    ([*COST, "--hours", "100"], "lambda-kit cost: --hours applies only with --provisioned"),
    ([*COST, "--no-init-billing", "--package-type", "image"],
     "lambda-kit cost: --package-type does nothing with --no-init-billing"),
    ([*COST, "--no-init-billing", "--custom-runtime", "--date", "2025-01-01"],
     "lambda-kit cost: --custom-runtime and --date do nothing with --no-init-billing"),
    (["prices", "--from", "offer.json"], "lambda-kit prices: --from applies only with --refresh"),
    (["prices", "--timeout", "5"], "lambda-kit prices: --timeout applies only with --refresh"),
    (["invoke", "app:handler", "--web", "--memory-cap", "watchdog"],
     "lambda-kit invoke: --memory-cap does nothing with --web"),
    (["invoke", "app:app", "--web", "--port", "9000"], "lambda-kit invoke: --port does nothing with --web"),
    (["invoke", "app:app", "--web", "--concurrency", "2"],
     "lambda-kit invoke: --concurrency does nothing with --web"),
    (["invoke", "app:handler", "--concurrency", "2", "--init-type", "snap-start"],
     "lambda-kit invoke: --init-type does nothing with --concurrency"),
    (["imports", "app", "--from-log", "init.log"], "lambda-kit imports: TARGET does nothing with --from-log"),
    (["imports", "--from-log", "init.log", "--runs", "3"], "lambda-kit imports: --runs does nothing with --from-log"),
    (["imports", "app", "--json", "--top", "5", "--min-ms", "0"],
     "lambda-kit imports: --top and --min-ms do nothing with --json"),
    *[
        (["report", "x.log", *extra], f"lambda-kit report: {extra[0]} applies only with --log-group")
        for extra in (["--since", "1d"], ["--start", "2026-01-01"], ["--end", "2026-01-02"],
                      ["--filter", "v1"], ["--raw"], ["--show-query"])
    ],
    (["report", "--log-group", "/aws/lambda/f", "--progress"],
     "lambda-kit report: --progress does nothing with --log-group"),
    (["report", "--log-group", "/aws/lambda/f", "--no-progress"],
     "lambda-kit report: --no-progress does nothing with --log-group"),
    *[
        (["tune", "--calibrate", *extra],
         f"lambda-kit tune: {extra[0]} applies only with a HANDLER (--calibrate alone measures no handler)")
        for extra in (["--event", "e.json"], ["--memory", "256"], ["-n", "3"], ["--cold", "2"],
                      ["--timeout", "9"], ["--arch", "arm64"], ["--region", "eu-west-1"],
                      ["--env", "A=1"], ["--memory-cap", "watchdog"], ["--cpu-cap", "none"],
                      ["--balanced-weight", "0.9"], ["--html", "t.html"])
    ],
    (["cloudwatch", "dashboard", "--function", "f", "--name", "mine"],
     "lambda-kit cloudwatch dashboard: --name applies only with --apply (the printed body has no name)"),
    ([*ALARMS, "-o", "a.yaml", "--apply"], "lambda-kit cloudwatch alarms: -o does nothing with --apply"),
]  # fmt: skip


@pytest.mark.parametrize(("argv", "line"), REFUSED, ids=[" ".join(a) for a, _ in REFUSED])
def test_an_option_that_does_nothing_is_refused_in_one_line(capsys, argv, line):
    assert main(argv) == 2
    out, err = capsys.readouterr()
    assert (out, err) == ("", line + "\n")


def test_every_rule_option_is_an_option_of_its_command_and_is_tested():
    tested = {(argv[0], word) for argv, _ in REFUSED for word in argv[1:]}
    tested |= {("imports", "TARGET")}  # given as a positional above
    for command, rules in RULES.items():
        names = {
            name
            for parser in _command_parsers(command)
            for action in parser._actions
            for name in action.option_strings or [str(action.metavar or action.dest).upper()]
        }
        for rule in rules:
            for option in rule.options:
                assert option in names, (command, option)
                assert (command, option) in tested, (command, option)


@pytest.mark.parametrize(
    "argv",
    [
        [*COST, "--sweep", "--cpu-bound-fraction", "0.5", "--max-vcpus", "2"],
        [*COST, "--compare", "lmi", "--instance-type", "m7g.large", "--instances", "2"],
        [*COST, "--provisioned", "2", "--hours", "10"],
        [*COST, "--hours", "0"],  # the default again: not an option that does something
        [*COST, "--package-type", "image", "--date", "2025-01-01"],
    ],
)
def test_the_combinations_that_work_are_not_refused(capsys, argv):
    assert main(argv) == 0
    assert capsys.readouterr().err == ""


def test_alarms_written_to_a_file_without_apply_are_not_refused(capsys, tmp_path):
    out = tmp_path / "alarms.yaml"
    assert main([*ALARMS, "-o", str(out)]) == 0
    assert "alarms, 3 saved queries" in capsys.readouterr().out
    assert "AWS::CloudWatch::Alarm" in out.read_text()


def test_the_refusal_comes_from_the_console_script_too():
    run = subprocess.run(
        [sys.executable, "-m", "lambda_kit", *COST, "--cpu-bound-fraction", "0.5"],
        capture_output=True, text=True, timeout=60,
    )  # fmt: skip
    expected = "lambda-kit cost: --cpu-bound-fraction applies only with --sweep\n"
    assert (run.returncode, run.stderr, run.stdout) == (2, expected, "")
