"""Every region's prices, the record's region lookup, and `lambda-kit prices --refresh`
from an offer file in AWS's Price List format served on loopback."""

from __future__ import annotations

import http.server
import json
import os
import subprocess
import sys
import threading
import time
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from lambda_kit import billing
from lambda_kit import prices as tables
from lambda_kit._problems import reset as reset_problems
from lambda_kit.cli import main
from lambda_kit.pricing import refresh

FIXTURE = Path(__file__).parent / "fixtures" / "awslambda_offer.json"
#: the commercial regions Lambda runs in (tables.REGION_LIST)
COMMERCIAL = [
    "us-east-1",
    "us-east-2",
    "us-west-1",
    "us-west-2",
    "af-south-1",
    "ap-east-1",
    "ap-south-1",
    "ap-south-2",
    "ap-southeast-1",
    "ap-southeast-2",
    "ap-southeast-3",
    "ap-southeast-4",
    "ap-southeast-5",
    "ap-southeast-7",
    "ap-northeast-1",
    "ap-northeast-2",
    "ap-northeast-3",
    "ca-central-1",
    "ca-west-1",
    "eu-central-1",
    "eu-central-2",
    "eu-west-1",
    "eu-west-2",
    "eu-west-3",
    "eu-south-1",
    "eu-south-2",
    "eu-north-1",
    "il-central-1",
    "me-south-1",
    "me-central-1",
    "sa-east-1",
    "mx-central-1",
]


@pytest.fixture
def user_table(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[Path]:
    path = tmp_path / "cache" / "prices.json"
    monkeypatch.setenv("LAMBDA_KIT_PRICES_FILE", str(path))
    tables.forget_user_table()
    yield path
    tables.forget_user_table()


class _Server:
    """An http.server on 127.0.0.1 whose handler is ``respond(handler)``."""

    def __init__(self, respond: Callable[[http.server.BaseHTTPRequestHandler], None]) -> None:
        class Handler(http.server.BaseHTTPRequestHandler):
            def do_GET(self) -> None:
                respond(self)

            def log_message(self, *args: object) -> None:
                pass

        self.httpd = http.server.ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.httpd.daemon_threads = True
        self.url = f"http://127.0.0.1:{self.httpd.server_address[1]}/offers/AWSLambda/index.json"
        self.thread = threading.Thread(target=self.httpd.serve_forever, daemon=True)
        self.thread.start()

    def close(self) -> None:
        self.httpd.shutdown()
        self.httpd.server_close()


@pytest.fixture
def serve() -> Iterator[Callable[..., _Server]]:
    servers: list[_Server] = []

    def start(respond: Callable[[http.server.BaseHTTPRequestHandler], None]) -> _Server:
        servers.append(_Server(respond))
        return servers[-1]

    yield start
    for s in servers:
        s.close()


def _body(data: bytes, status: int = 200) -> Callable[[http.server.BaseHTTPRequestHandler], None]:
    def respond(h: http.server.BaseHTTPRequestHandler) -> None:
        h.send_response(status)
        h.send_header("Content-Type", "application/json")
        h.send_header("Content-Length", str(len(data)))
        h.end_headers()
        h.wfile.write(data)

    return respond


def prices(capsys: pytest.CaptureFixture[str], *argv: str) -> tuple[int, str, str]:
    code = main(["prices", *argv])
    out, err = capsys.readouterr()
    return code, out, err


# -- the bundled table -------------------------------------------------------------------
def test_every_commercial_region_has_both_architectures_with_a_dated_source():
    assert set(COMMERCIAL) <= set(tables.region_names())
    for region in COMMERCIAL:
        for arch in ("x86_64", "arm64"):
            row = tables.prices_for(region, arch)
            assert "read 2026" in row.source, (region, arch)
            assert row.tiers[0][1] > 0 and row.request_usd > 0


def test_sourced_regional_figures_are_those_of_the_calculator_map():
    fra = tables.prices_for("eu-central-1", "x86_64")
    assert (fra.storage_gb_s_usd, fra.provisioned_gb_s_usd) == (0.0000000367, 0.0000050147)
    assert fra.note == ""
    assert tables.prices_for("af-south-1", "x86_64").request_usd == pytest.approx(0.27e-6)
    assert tables.prices_for("sa-east-1", "x86_64").provisioned_duration_gb_s_usd == 0.0000154867


def test_what_a_source_does_not_give_is_said_in_the_note():
    assert tables.prices_for("sa-east-1", "x86_64").note == "storage assumed"
    arm = tables.prices_for("ca-central-1", "arm64")
    assert arm.tiers[0][1] == pytest.approx(0.0000166667 * 0.8, abs=1e-10)
    assert "arm64 GB-s derived" in arm.note
    unsourced = tables.prices_for("il-central-1", "x86_64")
    assert unsourced.source == tables.UNSOURCED
    assert unsourced.note == "us-east-1's prices assumed"


# -- the function's region, for the record and invoke ------------------------------------
def test_a_known_region_is_priced_as_itself():
    row, fell_back = billing.function_prices("ap-east-1", "arm64")
    assert (row.region, row.architecture, fell_back) == ("ap-east-1", "arm64", False)


def test_an_unknown_region_warns_once_and_is_priced_at_us_east_1(capsys):
    reset_problems()
    first, fell_back = billing.function_prices("mars-north-1")
    again, _ = billing.function_prices("mars-north-1")
    err = capsys.readouterr().err
    assert fell_back and first.region == again.region == "us-east-1"
    assert err.count("no prices for region 'mars-north-1'") == 1


def test_no_region_off_lambda_is_us_east_1_without_a_warning(capsys):
    row, fell_back = billing.function_prices(None)
    assert (row.region, fell_back) == ("us-east-1", False)
    assert capsys.readouterr().err == ""


def test_a_managed_instances_invocation_costs_its_request_only():
    row = tables.prices_for("eu-south-1", "x86_64")
    assert billing.managed_instances_cost_usd(row) == row.request_usd


def test_the_cost_command_knows_the_new_regions(capsys):
    assert main(["cost", "--memory", "1024", "--duration-ms", "100", "--invocations", "1e6",
                 "--region", "sa-east-1", "--json"]) == 0  # fmt: skip
    assert json.loads(capsys.readouterr().out)["total_usd"] > 0


# -- lambda-kit prices -----------------------------------------------------------------------
def test_prices_shows_a_region_and_numbers_its_sources(capsys, user_table):
    code, out, _ = prices(capsys, "--region", "ap-northeast-3")
    assert code == 0
    assert "ap-northeast-3  x86_64   0.0000215300       0.26" in out
    assert "[1] calculator.aws" in out


def test_prices_refuses_an_unknown_region_in_one_line(capsys, user_table):
    code, out, err = prices(capsys, "--region", "xx-1")
    assert (code, out) == (2, "")
    assert err.startswith("lambda-kit: no prices for region 'xx-1'") and err.count("\n") == 1


def test_refresh_from_a_loopback_server_replaces_the_bundled_rows(capsys, user_table, serve):
    server = serve(_body(FIXTURE.read_bytes()))
    code, out, err = prices(capsys, "--refresh", "--from", server.url, "--region", "eu-central-2")
    assert code == 0, err
    assert f"2 regions from {server.url}" in err
    row = tables.prices_for("eu-central-2", "x86_64")
    assert row.tiers == ((float("inf"), 0.00002),)
    assert row.request_usd == pytest.approx(0.24e-6)
    assert "AWS Price List AWSLambda offer file 2026-11-01" in row.source
    assert "AWS-Lambda-Storage-Duration" in row.note  # filled from the bundled table
    assert "0.0000200000" in out


def test_refreshed_tiers_are_the_offer_files_ranges(user_table):
    rows, meta = refresh.rebuild(FIXTURE.read_bytes(), today="2026-12-01")
    arm = rows["us-east-1"]["arm64"]
    assert arm.tiers == (
        (7.5e9, 0.0000133334),
        (18.75e9, 0.0000120001),
        (float("inf"), 0.0000106667),
    )
    assert arm.provisioned_gb_s_usd == 0.0000033334 and arm.note == ""
    assert "xx-test-1" not in rows  # requests but no duration: not a row
    assert "arm64" not in rows["eu-central-2"]
    assert meta["publication_date"] == "2026-11-01T00:00:00Z"


def test_refresh_from_a_file_and_the_table_survives_a_new_process(capsys, user_table):
    code, _, _ = prices(capsys, "--refresh", "--from", str(FIXTURE), "--region", "us-east-1")
    assert code == 0 and json.loads(user_table.read_text())["version"] == 1
    probe = "from lambda_kit import prices; print(prices.prices_for('eu-central-2').tiers)"
    env = {**os.environ, "LAMBDA_KIT_PRICES_FILE": str(user_table)}
    done = subprocess.run([sys.executable, "-c", probe], env=env, capture_output=True, text=True)
    assert done.stdout.strip() == "((inf, 2e-05),)"


@pytest.mark.parametrize(
    ("body", "status", "message"),
    [
        (b'{"products": {', 200, "the offer file is not JSON"),
        (b'{"products": {}, "terms": {"OnDemand": {}}}', 200, "no AWS-Lambda-Duration products"),
        (b"[1, 2]", 200, "is not a JSON object"),
        (b"gone", 404, "HTTP 404"),
    ],
)
def test_a_bad_offer_file_is_one_line_and_leaves_the_table_alone(
    capsys, user_table, serve, body, status, message
):
    server = serve(_body(body, status))
    code, out, err = prices(capsys, "--refresh", "--from", server.url)
    assert (code, out) == (2, "")
    assert err.startswith("lambda-kit: prices not refreshed:") and message in err
    assert err.count("\n") == 1 and not user_table.exists()


def test_a_server_that_never_answers_costs_the_timeout_once(capsys, user_table, serve):
    release = threading.Event()
    server = serve(lambda h: release.wait(30))
    started = time.monotonic()
    try:
        code, _, err = prices(capsys, "--refresh", "--from", server.url, "--timeout", "0.5")
    finally:
        release.set()
    assert code == 2 and "did not answer within 0.5 s" in err
    assert time.monotonic() - started >= 0.5


def test_a_server_that_drips_its_body_is_cut_at_the_timeout(capsys, user_table, serve):
    release = threading.Event()

    def drip(h: http.server.BaseHTTPRequestHandler) -> None:
        h.send_response(200)
        h.send_header("Content-Length", "1000000")
        h.end_headers()
        while not release.wait(0.05):
            try:
                h.wfile.write(b" ")
                h.wfile.flush()
            except OSError:
                return

    server = serve(drip)
    try:
        code, _, err = prices(capsys, "--refresh", "--from", server.url, "--timeout", "0.6")
    finally:
        release.set()
    assert code == 2 and "did not answer within 0.6 s" in err


def test_a_missing_file_and_a_lone_from_are_refused(capsys, user_table, tmp_path):
    code, _, err = prices(capsys, "--refresh", "--from", str(tmp_path / "none.json"))
    assert code == 2 and "cannot read" in err
    code, _, err = prices(capsys, "--from", str(FIXTURE))
    assert (code, err) == (2, "lambda-kit prices: --from applies only with --refresh\n")


def test_a_corrupt_user_table_warns_and_the_bundled_table_is_used(capsys, user_table):
    user_table.parent.mkdir(parents=True)
    user_table.write_text('{"version": 1, "regions": {"us-east-1": {"x86_64": {"tiers": 3}}}}')
    reset_problems()
    assert tables.prices_for("us-east-1").source == tables.AWS_PAGE
    assert "is ignored" in capsys.readouterr().err


def test_the_cold_path_never_reads_a_table_that_is_not_there(tmp_path):
    probe = (
        "import sys, lambda_kit; from lambda_kit import billing; "
        "billing.function_prices('eu-west-1'); "
        "print('lambda_kit.pricing.usertable' in sys.modules, 'json' in sys.modules)"
    )
    env = {**os.environ, "LAMBDA_KIT_PRICES_FILE": str(tmp_path / "absent.json")}
    done = subprocess.run([sys.executable, "-c", probe], env=env, capture_output=True, text=True)
    assert done.stdout.split() == ["False", "False"], done.stderr


_dim = st.fixed_dictionaries(
    {
        "beginRange": st.one_of(st.text(max_size=5), st.sampled_from(["0", "6e9"])),
        "endRange": st.one_of(st.text(max_size=5), st.sampled_from(["Inf", "15e9"])),
        "pricePerUnit": st.one_of(
            st.dictionaries(st.sampled_from(["USD", "CNY"]), st.text(max_size=8), max_size=2),
            st.integers(),
        ),
    }
)


@settings(max_examples=60, deadline=None)
@given(dims=st.lists(_dim, max_size=3), group=st.sampled_from(["AWS-Lambda-Duration", "x"]))
def test_any_offer_file_either_rebuilds_or_says_why(dims, group):
    doc = {
        "products": {"S": {"attributes": {"group": group, "regionCode": "us-east-1"}}},
        "terms": {"OnDemand": {"S": {"T": {"priceDimensions": dict(enumerate(dims))}}}},
    }
    try:
        rows, _ = refresh.rebuild(json.dumps(doc).encode())
    except refresh.RefreshError as exc:
        assert str(exc)
    else:
        assert all(r.tiers for archs in rows.values() for r in archs.values())
