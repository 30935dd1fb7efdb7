"""Reading an EC2 offer file as a stream (`cost --compare lmi --instance-prices`) against
`json.loads` of the same bytes, in the same run.

The file is generated in AWS's format: instance products (one in ten Linux/shared, the
rest Windows), each with an on-demand term and a reserved one, as AWS's file has. The
stream reader holds one product at a time, so it is expected to be slower than loading
the whole document; the ratio says by how much (what a gigabyte file costs in time for
not costing gigabytes of memory). Printed, never asserted; under `make test`
(benchmarks disabled) each runs once.
"""

from __future__ import annotations

import json
import time

import pytest
from conftest import report_figure

from lambda_kit.pricing import ec2offer

PRODUCTS = 4000


def _offer(n: int) -> bytes:
    products, on_demand, reserved = {}, {}, {}
    for i in range(n):
        sku = f"SKU{i:08d}"
        attrs = {
            "instanceType": f"m{i % 9}.{i % 7}xlarge", "regionCode": "us-east-1",
            "location": "US East (N. Virginia)", "vcpu": "4", "memory": "16 GiB",
            "operatingSystem": "Linux" if i % 10 == 0 else "Windows", "tenancy": "Shared",
            "preInstalledSw": "NA", "capacitystatus": "Used", "usagetype": f"BoxUsage:{i}",
        }  # fmt: skip
        products[sku] = {"sku": sku, "productFamily": "Compute Instance", "attributes": attrs}
        dim = {"unit": "Hrs", "pricePerUnit": {"USD": f"{i / 1e4:.10f}"}, "description": "x" * 60}
        on_demand[sku] = {f"{sku}.T": {"sku": sku, "priceDimensions": {f"{sku}.T.R": dim}}}
        reserved[sku] = {f"{sku}.R": {"sku": sku, "priceDimensions": {f"{sku}.R.R": dim}}}
    doc = {"offerCode": "AmazonEC2", "products": products,
           "terms": {"OnDemand": on_demand, "Reserved": reserved}}  # fmt: skip
    return json.dumps(doc, indent=4).encode()


@pytest.fixture(scope="module")
def offer() -> bytes:
    return _offer(PRODUCTS)


def _chunks(data: bytes, size: int = 1 << 16) -> list[bytes]:
    return [data[i : i + size] for i in range(0, len(data), size)]


@pytest.mark.benchmark(group="ec2 offer file")
def test_bench_stream_reader(benchmark, offer):
    benchmark.extra_info.update(role="subject", case="ec2offer.read (stream)")
    chunks = _chunks(offer)
    table = benchmark(ec2offer.read, chunks)
    assert len(table.prices["us-east-1"]) > 0
    started = time.perf_counter()
    ec2offer.read(chunks)
    took = time.perf_counter() - started
    started = time.perf_counter()
    json.loads(offer)
    loads = time.perf_counter() - started
    report_figure(
        f"ec2 offer file: {len(offer) / 1e6:.1f} MB read as a stream in {took * 1e3:.0f} ms "
        f"({len(offer) / 1e6 / took:.0f} MB/s), json.loads {loads * 1e3:.0f} ms: "
        f"{took / loads:.1f}x"
    )


@pytest.mark.benchmark(group="ec2 offer file")
def test_bench_json_loads_baseline(benchmark, offer):
    benchmark.extra_info.update(role="baseline", case="json.loads (whole file)")
    doc = benchmark(json.loads, offer)
    assert len(doc["products"]) == PRODUCTS
