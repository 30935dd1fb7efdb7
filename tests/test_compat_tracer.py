"""The Powertools-compatible Tracer sends Powertools' subsegments to a real UDP X-Ray daemon."""

from __future__ import annotations

from _compat_helpers import HANDLERS, Daemon, handler_trees, run_flavour

from lambda_kit.compat.migrate import rewrite

TRACE = "Root=1-5759e988-bd862e3fe1be46a994272793;Parent=53995c3f42cd8ad8;Sampled=1"


def _traced(source, events):
    daemon = Daemon()
    env = {"LAMBDA_TASK_ROOT": str(HANDLERS), "AWS_XRAY_DAEMON_ADDRESS": daemon.address, "_X_AMZN_TRACE_ID": TRACE}
    run = run_flavour(source, "tracer_basics", events, env)
    return run, handler_trees(daemon.segments())


def test_tracer_subsegments_match_powertools_cold_then_warm():
    source = (HANDLERS / "tracer_basics.py").read_text()
    events = [{"booking_id": "b-1"}, {"booking_id": "b-2"}]
    pt_run, pt = _traced(source, events)
    lk_run, lk = _traced(rewrite(source).source, events)
    assert pt_run.results == lk_run.results
    assert len(pt) == len(lk) == 2
    assert lk == pt
    assert [t["annotations"] for t in lk] == [
        {"ColdStart": True, "Service": "booking"},
        {"ColdStart": False, "Service": "booking"},
    ]
    names = [c["name"] for c in lk[0]["children"]]
    assert names == [
        "## tracer_basics.confirm_booking", "## tracer_basics.fetch_price", "## tracer_basics.seats",
        "## tracer_basics.booking_lock", "## tracer_basics.fails",
    ]


def test_tracing_is_off_outside_lambda_as_in_powertools():
    daemon = Daemon()
    source = rewrite((HANDLERS / "tracer_basics.py").read_text()).source
    run = run_flavour(source, "tracer_basics", [{"booking_id": "b-1"}], {"AWS_XRAY_DAEMON_ADDRESS": daemon.address})
    assert run.results[0]["price"] == 42  # the handler still works
    assert daemon.segments() == []
