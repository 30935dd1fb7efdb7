"""The logger under odd input: unprintable arguments, both forms of remove_keys, and
install() leaving the root logger's level to the application."""

from __future__ import annotations

import asyncio
import io
import itertools
import json
import logging
import threading
from collections.abc import Iterator

import pytest
from _log_helpers import Context, clean_log_env, lines, memory_logger

import lambda_kit.log
from lambda_kit import instrument
from lambda_kit.log.powertools import Logger as PowertoolsLogger

__all__ = ["clean_log_env"]
_services = itertools.count()


class Unprintable:
    def __str__(self) -> str:
        raise RuntimeError("no str")

    def __repr__(self) -> str:
        raise RuntimeError("no repr")


@pytest.fixture
def root() -> Iterator[logging.Logger]:
    r = logging.getLogger()
    handlers, level = list(r.handlers), r.level
    yield r
    lambda_kit.log.uninstall()
    r.handlers[:] = handlers
    r.setLevel(level)


# -- unprintable arguments ---------------------------------------------------------------
def test_an_unprintable_percent_argument_keeps_the_line():
    log, buf = memory_logger()
    log.info("order %s for %s", Unprintable(), "ana")
    assert lines(buf)[0]["message"] == "order <unprintable Unprintable> for ana"


def test_an_unprintable_argument_with_a_wrong_format_keeps_both():
    log, buf = memory_logger()
    log.info("count %d", Unprintable())
    assert lines(buf)[0]["message"] == "count %d (<unprintable Unprintable>,)"


def test_an_unprintable_message_object_with_arguments():
    log, buf = memory_logger()
    log.info(Unprintable(), 1)
    assert lines(buf)[0]["message"] == "<unprintable Unprintable> (1,)"


def test_a_mapping_argument_fills_named_placeholders_as_the_stdlib_does():
    log, buf = memory_logger()
    log.info("%(who)s paid %(n)d", {"who": "ana", "n": 3})
    log.info("%(who)s", {"who": Unprintable()})
    assert [x["message"] for x in lines(buf)] == ["ana paid 3", "<unprintable Unprintable>"]


def test_stdlib_records_with_unprintable_arguments_keep_the_line(root):
    log, buf = memory_logger()
    lambda_kit.log.install(log)
    logging.getLogger("app").warning("bad %s", Unprintable())
    assert lines(buf)[0]["message"] == "bad <unprintable Unprintable>"


def test_the_powertools_compatible_logger_keeps_the_line_too():
    stream = io.StringIO()
    log = PowertoolsLogger(service=f"pt-fault-{next(_services)}", stream=stream)
    log.info("x %s", Unprintable())
    assert json.loads(stream.getvalue())["message"] == "x <unprintable Unprintable>"


# -- remove_keys -------------------------------------------------------------------------
@pytest.mark.parametrize(
    "call",
    [
        lambda log: log.remove_keys("a", "b"),
        lambda log: log.remove_keys(["a", "b"]),
        lambda log: log.remove_keys(("a",), "b"),
    ],
    ids=["names", "list", "mixed"],
)
def test_remove_keys_takes_names_and_lists(call):
    log, buf = memory_logger()

    @instrument
    def handler(event, context):
        log.append_keys(a=1, b=2, c=3)
        call(log)
        log.info("x")

    handler({}, Context())
    line = lines(buf)[0]
    assert "a" not in line and "b" not in line and line["c"] == 3


def test_unset_keys_takes_a_list():
    log, buf = memory_logger()
    log.set_keys(a=1, ab=2)
    log.unset_keys(["a"])
    log.info("x")
    line = lines(buf)[0]
    assert "a" not in line and line["ab"] == 2


def test_powertools_remove_keys_takes_one_name_as_a_string():
    stream = io.StringIO()
    log = PowertoolsLogger(service=f"pt-keys-{next(_services)}", stream=stream)
    log.append_keys(order="o-1", o=1, r=2)
    log.remove_keys("order")  # one name, not its characters
    log.info("x")
    line = json.loads(stream.getvalue())
    assert "order" not in line and line["o"] == 1 and line["r"] == 2


def test_keys_removed_in_one_thread_stay_in_another():
    log, _ = memory_logger()
    seen: list[dict[str, object]] = []

    def worker(drop: bool) -> None:
        log.append_keys(a=1, b=2)
        if drop:
            log.remove_keys(["a"])
        seen.append(log.current_keys())

    threads = [threading.Thread(target=worker, args=(n % 2 == 0,)) for n in range(4)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()

    async def main() -> list[dict[str, object]]:
        async def task(drop: bool) -> dict[str, object]:
            log.append_keys(a=1, b=2)
            await asyncio.sleep(0)
            if drop:
                log.remove_keys(["a"])
            await asyncio.sleep(0)
            return log.current_keys()

        return await asyncio.gather(task(True), task(False))

    seen.extend(asyncio.run(main()))
    assert sorted(map(len, seen)) == [1, 1, 1, 2, 2, 2]


# -- install() and the root logger's level ------------------------------------------------
def run_invocations(n: int, body) -> None:
    @instrument
    def handler(event, context):
        body()

    for i in range(n):
        handler({}, Context(f"req-{i}"))


def test_install_keeps_a_debug_level_the_application_set(root):
    log, buf = memory_logger()
    lambda_kit.log.install(log)
    root.setLevel(logging.DEBUG)  # the application's choice, after install
    run_invocations(3, lambda: logging.getLogger("app").debug("detail"))
    assert [x["message"] for x in lines(buf)] == ["detail"] * 3
    assert root.level == logging.DEBUG


def test_install_keeps_a_warning_level_the_application_set(root):
    log, buf = memory_logger()
    lambda_kit.log.install(log)
    root.setLevel(logging.WARNING)
    run_invocations(2, lambda: logging.getLogger("app").info("noise"))
    assert lines(buf) == [] and root.level == logging.WARNING


def test_lambda_kits_own_level_change_still_reaches_the_root_logger(root):
    log, buf = memory_logger()
    lambda_kit.log.install(log)
    root.setLevel(logging.WARNING)
    log.set_level("DEBUG")  # lambda_kit's own setting changed: it applies from the next start
    run_invocations(1, lambda: logging.getLogger("app").debug("now visible"))
    assert [x["message"] for x in lines(buf)] == ["now visible"]


def test_sampling_lowers_the_root_level_and_puts_the_applications_back(root):
    log, _ = memory_logger(sample_rate=0.5)
    lambda_kit.log.install(log)
    root.setLevel(logging.ERROR)
    draws = iter([0.1, 0.9])  # sampled, then not
    log._random = lambda: next(draws)
    levels: list[int] = []
    run_invocations(2, lambda: levels.append(root.level))
    assert levels == [logging.DEBUG, logging.ERROR]


def test_install_with_a_level_sets_both(root):
    log, _ = memory_logger()
    lambda_kit.log.install(log, level="WARNING")
    assert root.level == logging.WARNING and log.level == logging.WARNING
