"""``lambda-kit cost``: price a month of a Lambda workload, line by line.

    lambda-kit cost --memory 1024 --duration-ms 120 --invocations 3e6 --arch arm64
    lambda-kit cost --memory 1024 --duration-ms 120 --invocations 3e6 --sweep \
        --cpu-bound-fraction 0.6

Arguments outside Lambda's range are refused with the valid range; the model and
its sources are in ``lambda_kit.pricing`` and ``docs/cost.md``.
"""

from __future__ import annotations

import argparse
import sys
from typing import Any

from lambda_kit._term import fail, style
from lambda_kit.billing import init_is_billed
from lambda_kit.prices import prices_for
from lambda_kit.pricing.cli_options import add_arguments as add_arguments
from lambda_kit.pricing.model import Bill, Workload, project_month
from lambda_kit.pricing.sweep import MB_PER_VCPU, SweepRow, sweep


def _workload(args: argparse.Namespace) -> Workload:
    billed = not args.no_init_billing and init_is_billed(
        args.date,
        package_type=args.package_type,
        custom_runtime=args.custom_runtime,
        provisioned=args.provisioned > 0,
    )
    return Workload(
        memory_mb=args.memory,
        duration_ms=args.duration_ms,
        invocations=args.invocations,
        architecture=args.arch,
        init_ms=args.init_ms,
        cold_start_rate=args.cold_start_rate,
        storage_mb=args.storage_mb,
        provisioned=args.provisioned,
        provisioned_hours=args.hours,
        init_billed=billed,
    )


def bill_json(bill: Bill, work: Workload) -> dict[str, Any]:
    """The JSON form of a month's bill: ``total_usd`` is the monthly total."""
    p = bill.prices
    return {
        "total_usd": round(bill.total_usd, 6),
        "per_million_usd": round(bill.per_million_usd, 6),
        "per_invocation_usd": bill.per_invocation_usd,
        "billed_gb_s": round(bill.billed_gb_s, 3),
        "breakdown": {
            "requests_usd": round(bill.requests_usd, 6),
            "compute_usd": round(bill.compute_usd, 6),
            "compute_tiers": [
                {
                    "tier": t.tier,
                    "gb_s": round(t.gb_s, 3),
                    "usd_per_gb_s": t.usd_per_gb_s,
                    "usd": round(t.usd, 6),
                }
                for t in bill.compute_tiers
            ],
            "init_usd": round(bill.init_usd, 6),
            "init_billed": work.init_billed,
            "storage_usd": round(bill.storage_usd, 6),
            "provisioned_usd": round(bill.provisioned_usd, 6),
            "provisioned_duration_usd": round(bill.provisioned_duration_usd, 6),
        },
        "workload": work._asdict(),
        "prices": {
            "region": p.region,
            "architecture": p.architecture,
            "source": p.source,
            "note": p.note,
        },
    }


def _money(usd: float) -> str:
    return f"${usd:,.2f}" if usd >= 0.01 or usd == 0 else f"${usd:.8f}"


def _print_bill(bill: Bill, work: Workload, free_tier: bool) -> None:
    p = bill.prices
    paint = style(sys.stdout)

    def line(label: str, usd: float, detail: str = "", key: bool = False) -> None:
        text = f"  {label:<34}{_money(usd):>14}   {detail}".rstrip()
        sys.stdout.write((paint.figure(text) if key else text) + "\n")

    sys.stdout.write(
        paint.heading(
            f"{work.memory_mb} MB {work.architecture} in {p.region}: {work.duration_ms:g} ms x "
            f"{work.invocations:,.0f} invocations a month"
        )
        + "\n"
    )
    line(
        "requests" + (" after the free tier" if free_tier else ""),
        bill.requests_usd,
        f"at ${p.request_usd * 1e6:.2f} per million",
    )
    for t in bill.compute_tiers:
        line(f"compute, tier {t.tier}", t.usd, f"{t.gb_s:,.1f} GB-s x ${t.usd_per_gb_s:.10f}")
    if not bill.compute_tiers:
        why = "inside the free tier" if free_tier and bill.invocations else "no on-demand duration"
        line("compute", 0.0, why)
    if work.cold_start_rate and work.init_ms:
        how = "billed, within the above" if work.init_billed else "not billed"
        line(
            f"INIT ({how})",
            bill.init_usd,
            f"{work.cold_start_rate:.2%} cold starts x {work.init_ms:g} ms",
        )
    line("ephemeral storage", bill.storage_usd, f"{work.storage_mb} MB configured, 512 MB free")
    if work.provisioned:
        line(
            "provisioned concurrency",
            bill.provisioned_usd,
            f"{work.provisioned} x {work.provisioned_hours:g} h x {work.memory_mb} MB "
            f"at ${p.provisioned_gb_s_usd:.10f}/GB-s",
        )
        line(
            "duration on provisioned",
            bill.provisioned_duration_usd,
            f"at ${p.provisioned_duration_gb_s_usd:.10f}/GB-s",
        )
    line("total per month", bill.total_usd, key=True)
    line("per million invocations", bill.per_million_usd)
    sys.stdout.write(
        f"  {'per invocation':<34}{'$' + format(bill.per_invocation_usd, '.10f'):>14}\n"
    )
    sys.stdout.write(f"  prices: {p.source}{' (' + p.note + ')' if p.note else ''}\n")


def _print_sweep(rows: list[SweepRow], work: Workload, fraction: float, max_vcpus: float) -> None:
    out = sys.stdout.write
    out(
        f"Assumption: CPU share proportional to memory, {MB_PER_VCPU:,} MB = 1 vCPU, usable up to "
        f"{max_vcpus:g} vCPU; {fraction:.0%} of the {work.duration_ms:g} ms measured at "
        f"{work.memory_mb} MB scales with CPU.\n"
    )
    paint = style(sys.stdout)
    top = max(r.bill.total_usd for r in rows) or 1.0
    width = 30
    head = f"{'memory':>8} {'duration':>11} {'per month':>12} {'per million':>12}  cost"
    out(paint.heading(head) + "\n")
    for r in rows:
        bar = "#" * max(1, round(r.bill.total_usd / top * width))
        mark = " <- measured" if r.memory_mb == work.memory_mb else ""
        out(
            f"{r.memory_mb:>5} MB {r.duration_ms:>8.1f} ms {_money(r.bill.total_usd):>12} "
            f"{_money(r.bill.per_million_usd):>12}  {bar}{mark}\n"
        )
    cheapest = min(rows, key=lambda r: (r.bill.total_usd, r.memory_mb))
    fastest = min(rows, key=lambda r: (round(r.duration_ms, 6), r.bill.total_usd))
    out(
        paint.figure(
            f"cheapest: {cheapest.memory_mb} MB at {_money(cheapest.bill.total_usd)} a month "
            f"({cheapest.duration_ms:.1f} ms)"
        )
        + "\n"
    )
    out(
        paint.figure(
            f"fastest:  {fastest.memory_mb} MB at {fastest.duration_ms:.1f} ms "
            f"({_money(fastest.bill.total_usd)} a month)"
        )
        + "\n"
    )


def _write_sweep_json(rows: list[SweepRow], args: argparse.Namespace) -> None:
    import json

    cheapest = min(rows, key=lambda r: (r.bill.total_usd, r.memory_mb))
    fastest = min(rows, key=lambda r: (round(r.duration_ms, 6), r.bill.total_usd))
    json.dump(
        {
            "assumption": {
                "mb_per_vcpu": MB_PER_VCPU,
                "cpu_bound_fraction": args.cpu_bound_fraction,
                "max_vcpus": args.max_vcpus,
            },
            "rows": [
                {
                    "memory_mb": r.memory_mb,
                    "duration_ms": round(r.duration_ms, 3),
                    "total_usd": round(r.bill.total_usd, 6),
                    "per_million_usd": round(r.bill.per_million_usd, 6),
                }
                for r in rows
            ],
            "cheapest_memory_mb": cheapest.memory_mb,
            "fastest_memory_mb": fastest.memory_mb,
        },
        sys.stdout,
    )
    sys.stdout.write("\n")


def run(args: argparse.Namespace) -> int:
    """Print the month's bill (or the sweep); 2 on a bad region, price or option.

    Options that do nothing together (``--cpu-bound-fraction`` without ``--sweep``) are
    refused before this runs, by lambda_kit._cli_rules.
    """
    if args.cpu_bound_fraction is None:
        args.cpu_bound_fraction = 1.0
    if args.max_vcpus is None:
        args.max_vcpus = 1.0
    try:
        prices = prices_for(
            args.region,
            args.arch,
            request_usd_per_million=args.request_usd_per_million,
            gb_s_usd=args.price_gb_s_usd,
        )
    except ValueError as err:
        return fail("lambda-kit cost", str(err))
    work = _workload(args)
    if args.sweep:
        rows = sweep(
            work,
            prices,
            cpu_bound_fraction=args.cpu_bound_fraction,
            max_vcpus=args.max_vcpus,
            free_tier=args.free_tier,
        )
        if args.json:
            _write_sweep_json(rows, args)
        else:
            _print_sweep(rows, work, args.cpu_bound_fraction, args.max_vcpus)
        return 0
    bill = project_month(work, prices, free_tier=args.free_tier, already_gb_s=args.month_gb_s)
    if args.compare == "lmi":
        return _compare_lmi(args, bill)
    if args.json:
        import json

        json.dump(bill_json(bill, work), sys.stdout)
        sys.stdout.write("\n")
    else:
        _print_bill(bill, work, args.free_tier)
    return 0


def _compare_lmi(args: argparse.Namespace, bill: Bill) -> int:
    """``--compare lmi``: price the instances (bundled table, offer file or the user's
    figure) in the function's region, and print both months."""
    from lambda_kit.pricing import ec2offer, lmi

    offer = None
    try:
        if args.instance_prices is not None:
            offer = ec2offer.load(args.instance_prices, timeout_s=args.timeout)
        usd, source = lmi.instance_price(
            args.instance_type, args.region, args.instance_usd_per_hour, offer
        )
    except (ValueError, ec2offer.OfferError) as err:
        return fail("lambda-kit cost", str(err))
    lines = lmi.compare_lines(bill, args.instance_type, args.instances, usd, source)
    sys.stdout.write("\n".join(lines) + "\n")
    return 0
