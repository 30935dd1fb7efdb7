"""Compat decorators alone and stacked with @instrument: exactly one invocation record each time."""

from __future__ import annotations

import pytest
from _compat_helpers import HANDLERS, run_flavour

from lambda_kit.compat.migrate import rewrite

SOURCE = rewrite((HANDLERS / "stacked.py").read_text()).source


@pytest.mark.parametrize("stack", ["", "instrument-inside", "instrument-outside"])
def test_one_record_per_invocation_with_the_same_cold_start_as_the_log_lines(stack):
    run = run_flavour(SOURCE, "stacked", [{"order": 1}, {"order": 2}], {"STACK": stack})
    assert run.results == [{"ok": True}, {"ok": True}]
    assert [r["cold_start"] for r in run.records] == [True, False]
    assert [r["function_request_id"] for r in run.records] == ["req-0", "req-1"]
    assert [line["cold_start"] for line in run.logs] == [True, False]
    assert [line["function_request_id"] for line in run.logs] == ["req-0", "req-1"]
    assert sum("Orders" in b for b in run.emf) == 2


def test_the_record_can_be_switched_off_for_compat_decorators():
    run = run_flavour(SOURCE, "stacked", [{"order": 1}], {"LAMBDA_KIT_COMPAT_RECORD": "0"})
    assert run.records == [] and len(run.logs) == 1
