"""`lambda-kit cost --compare lmi --instance-prices FILE|URL`: instance prices from an
offer file in AWS's EC2 Price List format, served on loopback, read as a stream.

The figures in these offer files are made up (round numbers): they test the reading,
not AWS's prices."""

from __future__ import annotations

import http.server
import json
import threading
import time
import tracemalloc
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from lambda_kit.cli import main
from lambda_kit.pricing import ec2offer, jsonstream

LINUX = {"operatingSystem": "Linux", "tenancy": "Shared", "preInstalledSw": "NA",
         "capacitystatus": "Used"}  # fmt: skip


def product(sku: str, itype: str, region: str, **attrs: str) -> dict[str, object]:
    base = {"instanceType": itype, "regionCode": region, "vcpu": "4", "memory": "16 GiB",
            "location": f"({region})", **LINUX, **attrs}  # fmt: skip
    return {"sku": sku, "productFamily": "Compute Instance", "attributes": base}


def on_demand(sku: str, usd: str, unit: str = "Hrs") -> dict[str, object]:
    term = f"{sku}.JRTCKXETXF"
    dim = {"unit": unit, "pricePerUnit": {"USD": usd}, "description": "x"}
    return {term: {"offerTermCode": "JRTCKXETXF", "sku": sku,
                   "priceDimensions": {f"{term}.6YS6EN2CT7": dim}}}  # fmt: skip


def offer_doc() -> dict[str, object]:
    """Two regions; every near miss priced higher, so picking one shows in the total."""
    products = {
        "A": product("A", "m7g.xlarge", "us-east-1"),
        "B": product("B", "m7g.xlarge", "eu-west-1"),
        "C": product("C", "c7g.large", "eu-west-1"),
        "W": product("W", "m7g.xlarge", "eu-west-1", operatingSystem="Windows"),
        "D": product("D", "m7g.xlarge", "eu-west-1", tenancy="Dedicated"),
        "S": product("S", "m7g.xlarge", "eu-west-1", preInstalledSw="SQL Std"),
        "U": product("U", "m7g.xlarge", "eu-west-1", capacitystatus="UnusedCapacityReservation"),
        "T": {"sku": "T", "productFamily": "Data Transfer", "attributes": {"regionCode": "eu-west-1"}},
    }
    terms = {sku: on_demand(sku, "9.0000000000") for sku in "WDSU"}
    terms |= {"A": on_demand("A", "0.5000000000"), "B": on_demand("B", "0.2500000000"),
              "C": on_demand("C", "0.1000000000")}  # fmt: skip
    return {
        "formatVersion": "v1.0", "disclaimer": "...", "offerCode": "AmazonEC2",
        "version": "20261120", "publicationDate": "2026-11-20T19:26:49Z",
        "products": products,
        "terms": {"OnDemand": terms, "Reserved": {"B": {"B.X": {"priceDimensions": {}}}}},
    }  # fmt: skip


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
        port = self.httpd.server_address[1]
        self.url = f"http://127.0.0.1:{port}/offers/v1.0/aws/AmazonEC2/current/index.json"
        threading.Thread(target=self.httpd.serve_forever, args=(0.05,), daemon=True).start()

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


def body(data: bytes, status: int = 200) -> Callable[[http.server.BaseHTTPRequestHandler], None]:
    def respond(h: http.server.BaseHTTPRequestHandler) -> None:
        h.send_response(status)
        h.send_header("Content-Length", str(len(data)))
        h.end_headers()
        h.wfile.write(data)

    return respond


def compare(capsys: pytest.CaptureFixture[str], *extra: str) -> tuple[int, list[str], str]:
    code = main(["cost", "--memory", "1024", "--duration-ms", "120", "--invocations", "3e8",
                 "--compare", "lmi", *extra])  # fmt: skip
    out, err = capsys.readouterr()
    return code, out.splitlines(), err


def test_the_offer_file_from_loopback_prices_the_type_in_the_functions_region(capsys, serve):
    server = serve(body(json.dumps(offer_doc()).encode()))
    code, lines, err = compare(capsys, "--instance-type", "m7g.xlarge", "--region", "eu-west-1",
                               "--instances", "2", "--instance-prices", server.url)  # fmt: skip
    assert code == 0, err
    # 2 x $0.25 x 1.15 x 730 h = $419.75, + 300 x $0.20 of requests (eu-west-1's charge)
    assert "2 x m7g.xlarge at $0.2500/h" in lines[1]
    assert lines[1].split("$")[1].split()[0] == "479.75"
    assert f"AWS Price List AmazonEC2 offer file 2026-11-20 ({server.url}), eu-west-1" in lines[3]
    assert lines[4] == "  fleet: Lambda launches 3 instances by default, for AZ resiliency"


def test_the_same_file_gives_another_regions_price(capsys, tmp_path):
    path = tmp_path / "ec2.json"
    path.write_text(json.dumps(offer_doc()))
    code, lines, err = compare(capsys, "--instance-type", "m7g.xlarge",
                               "--instance-prices", str(path))  # fmt: skip
    assert code == 0, err
    assert "at $0.5000/h" in lines[1]


@pytest.mark.parametrize(
    ("extra", "message"),
    [
        (["--region", "ap-south-2"],
         "the offer file has no instance prices for ap-south-2 (it has: eu-west-1, us-east-1)"),
        (["--region", "eu-west-1", "--instance-type", "m7g.xlarg"],
         "no Linux on-demand price for 'm7g.xlarg' in eu-west-1 (close: m7g.xlarge"),
        (["--region", "eu-west-1", "--instance-type", "c7g.2xlarge"], "(close: c7g.large"),
    ],
)
def test_what_the_file_does_not_have_is_named_in_one_line(capsys, tmp_path, extra, message):
    path = tmp_path / "ec2.json"
    path.write_text(json.dumps(offer_doc()))
    code, lines, err = compare(capsys, "--instance-prices", str(path), *extra)
    assert (code, lines) == (2, [])
    assert err.startswith("lambda-kit cost: ") and message in err and err.count("\n") == 1


def test_the_bundled_table_refuses_another_region_and_says_what_to_give(capsys):
    code, lines, err = compare(capsys, "--region", "eu-west-1")
    assert (code, lines) == (2, [])
    assert err == (
        "lambda-kit cost: the bundled instance prices are us-east-1 only, not eu-west-1; give "
        "--instance-prices FILE|URL (AWS's EC2 offer file) or --instance-usd-per-hour\n"
    )


def _without(key: str) -> bytes:
    doc = offer_doc()
    doc.pop(key)
    return json.dumps(doc).encode()


@pytest.mark.parametrize(
    ("data", "message"),
    [
        (b'{"products": {"A": ', "the offer file is not valid JSON"),
        (b"[1, 2]", "not a JSON object"),
        (b'{"products": 3, "terms": {}}', "products is not an object"),
        (_without("terms"), "no products or terms.OnDemand"),
        (json.dumps({**offer_doc(), "offerCode": "AWSLambda"}).encode(),
         "an offer file for AWSLambda, not AmazonEC2"),
        (json.dumps({**offer_doc(), "products": {}}).encode(),
         "no Linux, shared-tenancy, on-demand instance prices"),
        (b'{"products": {"\xff": 1}}', "not UTF-8"),
        (json.dumps(offer_doc()).encode() + b" {}", "text after the object"),
    ],
)
def test_a_malformed_offer_file_is_one_line_exit_2(capsys, serve, data, message):
    server = serve(body(data))
    code, lines, err = compare(capsys, "--instance-prices", server.url)
    assert (code, lines) == (2, [])
    assert err.startswith("lambda-kit cost: ") and message in err and err.count("\n") == 1, err


def test_a_missing_file_and_an_http_error_are_one_line(capsys, serve, tmp_path):
    code, _, err = compare(capsys, "--instance-prices", str(tmp_path / "none.json"))
    assert code == 2 and "cannot read" in err and err.count("\n") == 1
    server = serve(body(b"gone", 404))
    code, _, err = compare(capsys, "--instance-prices", server.url)
    assert code == 2 and "HTTP 404" in err and err.count("\n") == 1


def test_a_file_over_the_cap_is_refused_before_it_is_read_whole(capsys, serve, monkeypatch):
    monkeypatch.setattr(ec2offer, "MAX_BYTES", 1 << 16)
    doc = offer_doc()
    doc["products"] |= {f"P{i}": product(f"P{i}", "x.large", "us-east-1", tenancy="Host")
                        for i in range(1000)}  # fmt: skip
    server = serve(body(json.dumps(doc).encode()))
    code, _, err = compare(capsys, "--instance-prices", server.url)
    assert code == 2 and "is larger than 0.0625 MB" in err and err.count("\n") == 1


def test_more_prices_than_the_cap_are_refused(monkeypatch):
    monkeypatch.setattr(ec2offer, "MAX_KEPT", 2)
    with pytest.raises(ec2offer.OfferError, match="more than 2 instance prices"):
        ec2offer.read([json.dumps(offer_doc()).encode()])


def test_a_member_over_the_value_cap_is_refused(capsys, tmp_path, monkeypatch):
    monkeypatch.setattr(jsonstream, "MAX_VALUE", 1 << 12)
    doc = offer_doc()
    doc["products"]["A"]["attributes"]["note"] = "x" * 10_000  # type: ignore[index]
    path = tmp_path / "ec2.json"
    path.write_text(json.dumps(doc))
    code, _, err = compare(capsys, "--instance-prices", str(path))
    assert code == 2 and "is longer than 4,096 characters" in err and err.count("\n") == 1


def test_a_server_that_never_answers_costs_the_timeout_once(capsys, serve):
    release = threading.Event()
    server = serve(lambda h: release.wait(30))
    started = time.monotonic()
    try:
        code, _, err = compare(capsys, "--instance-prices", server.url, "--timeout", "0.5")
    finally:
        release.set()
    assert code == 2 and "did not answer within 0.5 s" in err and err.count("\n") == 1
    assert time.monotonic() - started >= 0.5


def _stream(products: int) -> Iterator[bytes]:
    """An offer file of ``products`` Windows instances and one Linux one, made as it is
    read: nothing but the reader holds it."""
    yield b'{"offerCode": "AmazonEC2", "products": {'
    for i in range(products):
        p = product(f"W{i}", f"m{i % 97}.large", "us-east-1", operatingSystem="Windows")
        yield json.dumps({f"W{i}": p})[1:-1].encode() + b", "
    yield json.dumps({"L": product("L", "m7g.xlarge", "us-east-1")})[1:-1].encode()
    yield b'}, "terms": {"OnDemand": {'
    for i in range(products):
        yield json.dumps({f"W{i}": on_demand(f"W{i}", "1.0")})[1:-1].encode() + b", "
    yield json.dumps({"L": on_demand("L", "0.5")})[1:-1].encode() + b"}}}"


def test_a_big_offer_file_is_read_in_bounded_memory():
    tracemalloc.start()
    try:
        table = ec2offer.read(_stream(12_000))
        _, peak = tracemalloc.get_traced_memory()
    finally:
        tracemalloc.stop()
    assert table.prices == {
        "us-east-1": {"m7g.xlarge": ec2offer.InstancePrice("m7g.xlarge", "us-east-1", 0.5, "4", "16 GiB")}
    }
    # ~10 MB of JSON went through; the reader held a window and a product at a time
    assert peak < 2 << 20, peak


# -- the stream reader against the standard library's json.loads ------------------------

_json = st.recursive(
    st.none() | st.booleans() | st.integers() | st.floats(allow_nan=False) | st.text(max_size=8),
    lambda inner: st.lists(inner, max_size=4) | st.dictionaries(st.text(max_size=6), inner, max_size=4),
    max_leaves=12,
)


def _split(data: bytes, cuts: list[int]) -> list[bytes]:
    points = sorted({c % (len(data) + 1) for c in cuts})
    return [data[a:b] for a, b in zip([0, *points], [*points, len(data)], strict=True)]


def _expected(doc: dict[str, object], path: tuple[str, ...] = ()) -> list[object]:
    out: list[object] = []
    for key, value in doc.items():
        if len(path) < 2 and isinstance(value, dict):
            out += _expected(value, (*path, key))
        else:
            out.append((path, key, value))
    return out


@settings(max_examples=150, deadline=None)
@given(doc=st.dictionaries(st.text(max_size=6), _json, max_size=5),
       cuts=st.lists(st.integers(0, 10**6), max_size=8), indent=st.sampled_from([None, 1]))  # fmt: skip
def test_members_are_what_json_loads_gives_however_the_text_is_cut(doc, cuts, indent):
    data = json.dumps(doc, indent=indent).encode()
    got = list(jsonstream.members(jsonstream.texts(_split(data, cuts)), lambda p: len(p) <= 2))
    assert got == _expected(json.loads(data))


@settings(max_examples=100, deadline=None)
@given(data=st.binary(max_size=40) | st.text(max_size=40).map(str.encode), cut=st.integers(0, 40))
def test_any_text_is_members_or_a_stream_error(data, cut):
    try:
        list(jsonstream.members(jsonstream.texts([data[:cut], data[cut:]]), lambda p: True))
    except jsonstream.StreamError as exc:
        assert str(exc) and "\n" not in str(exc)


_attrs = st.dictionaries(
    st.sampled_from([*LINUX, "instanceType", "regionCode", "location", "vcpu"]),
    st.one_of(st.sampled_from([*LINUX.values(), "m7g.large", "us-east-1", ""]), st.integers()),
    max_size=8,
)
_offer = st.fixed_dictionaries({
    "products": st.dictionaries(st.sampled_from("ABC"), st.fixed_dictionaries(
        {"productFamily": st.sampled_from(["Compute Instance", "Storage", 3]), "attributes": _attrs}),
        max_size=3),
    "terms": st.fixed_dictionaries({"OnDemand": st.dictionaries(st.sampled_from("ABC"), st.dictionaries(
        st.just("T"), st.fixed_dictionaries({"priceDimensions": st.dictionaries(st.just("R"), st.fixed_dictionaries(
            {"unit": st.sampled_from(["Hrs", "Quantity"]),
             "pricePerUnit": st.one_of(st.fixed_dictionaries({"USD": st.sampled_from(["0.5", "-1", "x", "1e999"])}),
                                       st.integers())}))})), max_size=3)}),
})  # fmt: skip


@settings(max_examples=150, deadline=None)
@given(doc=_offer, cut=st.integers(0, 400), junk=st.binary(max_size=4))
def test_any_offer_file_gives_prices_or_says_why_in_one_line(doc, cut, junk):
    data = json.dumps(doc).encode()
    data = data[:cut] + junk + data[cut:] if junk else data
    try:
        table = ec2offer.read([data[:cut], data[cut:]])
    except ec2offer.OfferError as exc:
        assert str(exc) and "\n" not in str(exc)
    else:
        for region, types in table.prices.items():
            for itype, row in types.items():
                assert (row.region, row.instance_type) == (region, itype)
                assert row.usd_per_hour == 0.5


def test_the_lambda_refresh_still_reads_its_fixture_through_the_shared_transfer(tmp_path):
    from lambda_kit.pricing import refresh

    fixture = Path(__file__).parent / "fixtures" / "awslambda_offer.json"
    assert refresh.fetch(str(fixture)) == fixture.read_bytes()
