"""Which lines a logger writes: its level, Lambda's log controls, debug sampling.

Precedence of the level (first that is set wins):

1. the ``level=`` argument (or ``Logger.set_level``);
2. ``LAMBDA_KIT_LOG_LEVEL``;
3. ``POWERTOOLS_LOG_LEVEL`` (so a function moving from Powertools keeps its setting);
4. ``AWS_LAMBDA_LOG_LEVEL`` (Lambda's advanced logging controls), when the log
   format is JSON: Lambda filters by level only then;
5. ``INFO``.

Lambda drops JSON lines below ``AWS_LAMBDA_LOG_LEVEL`` (AWS Lambda docs,
"Log-level filtering"), so a logger more verbose than that spends CPU on lines
nobody will see: that is reported once on stderr. Unlike Powertools, Lambda's
level does not override the user's own choice (Powertools issue #7220 shows
why users found that surprising); it is the default when nothing else is set.

Level names are Python's plus Lambda's: ``TRACE`` (5), ``DEBUG``, ``INFO``,
``WARN``/``WARNING``, ``ERROR``, ``FATAL``/``CRITICAL``.
"""

from __future__ import annotations

import os

from lambda_kit._problems import problem

TRACE, DEBUG, INFO, WARNING, ERROR, CRITICAL = 5, 10, 20, 30, 40, 50

LEVELS: dict[str, int] = {
    "TRACE": TRACE,
    "DEBUG": DEBUG,
    "INFO": INFO,
    "WARN": WARNING,
    "WARNING": WARNING,
    "ERROR": ERROR,
    "FATAL": CRITICAL,
    "CRITICAL": CRITICAL,
}

#: the name written in ``level`` for each number (Python's names, as Powertools writes them)
NAMES: dict[int, str] = {
    TRACE: "TRACE",
    DEBUG: "DEBUG",
    INFO: "INFO",
    WARNING: "WARNING",
    ERROR: "ERROR",
    CRITICAL: "CRITICAL",
}


def level_name(levelno: int) -> str:
    """``INFO`` for 20; ``Level 25`` for a number without a name (as the stdlib says)."""
    return NAMES.get(levelno) or f"Level {levelno}"


def parse_level(value: str | int, source: str) -> int | None:
    """A level number from a name or number; a bad value is reported once and gives None.

    >>> parse_level("warn", "LAMBDA_KIT_LOG_LEVEL")
    30
    """
    if isinstance(value, int) and not isinstance(value, bool):
        return value
    text = str(value).strip().upper()
    if text in LEVELS:
        return LEVELS[text]
    if text.isdigit():
        return int(text)
    problem(
        f"{source}={value!r} is not a log level (use DEBUG, INFO, WARNING, ERROR or CRITICAL); "
        "ignoring it",
        key=f"level:{source}:{value!r}",
    )
    return None


def lambda_log_format() -> str:
    """``JSON`` or ``Text`` from ``AWS_LAMBDA_LOG_FORMAT`` (unset: ``Text``, Lambda's default)."""
    raw = os.environ.get("AWS_LAMBDA_LOG_FORMAT", "").strip()
    if raw.upper() == "JSON":
        return "JSON"
    if raw and raw.upper() != "TEXT":
        problem(
            f"AWS_LAMBDA_LOG_FORMAT={raw!r} is neither JSON nor Text; treating it as Text",
            key="log-format",
        )
    return "Text"


def lambda_level() -> int | None:
    """The level below which Lambda drops lines: ``AWS_LAMBDA_LOG_LEVEL`` in JSON format."""
    raw = os.environ.get("AWS_LAMBDA_LOG_LEVEL", "").strip()
    if not raw or lambda_log_format() != "JSON":
        return None
    return parse_level(raw, "AWS_LAMBDA_LOG_LEVEL")


def resolve_level(explicit: str | int | None) -> int:
    """The logger's level by the precedence above (the module docstring)."""
    if explicit is not None:
        level = parse_level(explicit, "level")
        if level is not None:
            return level
    for name in ("LAMBDA_KIT_LOG_LEVEL", "POWERTOOLS_LOG_LEVEL"):
        raw = os.environ.get(name, "").strip()
        if raw:
            level = parse_level(raw, name)
            if level is not None:
                return level
    alc = lambda_level()
    return INFO if alc is None else alc


def warn_if_dropped(level: int, sampling: bool) -> None:
    """Say once when Lambda will drop lines this logger writes."""
    alc = lambda_level()
    if alc is None:
        return
    lowest = min(level, DEBUG) if sampling else level
    if lowest < alc:
        problem(
            f"the log level is {level_name(lowest)}{' (debug sampling)' if sampling else ''} but "
            f"AWS_LAMBDA_LOG_LEVEL={level_name(alc)}: Lambda drops the lines below "
            f"{level_name(alc)}; lower AWS_LAMBDA_LOG_LEVEL to see them",
            key=f"alc:{lowest}:{alc}",
        )


def resolve_sample_rate(explicit: float | None) -> float:
    """The debug sample rate: the argument, else ``LAMBDA_KIT_LOG_SAMPLE_RATE``, else
    ``POWERTOOLS_LOGGER_SAMPLE_RATE``, else 0; anything outside 0..1 is reported and gives 0."""
    if explicit is not None:
        return _rate(explicit, "sample_rate")
    for name in ("LAMBDA_KIT_LOG_SAMPLE_RATE", "POWERTOOLS_LOGGER_SAMPLE_RATE"):
        raw = os.environ.get(name, "").strip()
        if raw:
            return _rate(raw, name)
    return 0.0


def _rate(value: object, source: str) -> float:
    try:
        rate = float(value)  # type: ignore[arg-type]
    except (TypeError, ValueError):
        rate = -1.0
    if not 0.0 <= rate <= 1.0:  # also refuses NaN
        problem(f"{source}={value!r} is not a sample rate between 0 and 1; using 0")
        return 0.0
    return rate
