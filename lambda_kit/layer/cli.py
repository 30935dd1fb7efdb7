"""``lambda-kit layer``: build a Lambda layer zip of lambda_kit for a runtime and architecture.

Exit status: 0 when the layer was written, 1 when it could not be built (pip
could not fetch a wheel) or is over Lambda's size limit, 2 for bad input.
"""

from __future__ import annotations

import argparse
import sys

from lambda_kit._term import Style, fail, style
from lambda_kit.layer.targets import ARCHITECTURES, PYTHONS


def add_arguments(parser: argparse.ArgumentParser) -> None:
    """The options of ``lambda-kit layer``."""
    parser.add_argument(
        "-o",
        "--output",
        required=True,
        metavar="FILE",
        help="the layer zip to write (e.g. layer.zip)",
    )
    parser.add_argument(
        "--python",
        default="3.12",
        metavar="X.Y",
        help=f"the function's Python runtime: {', '.join(PYTHONS)} (default 3.12)",
    )
    parser.add_argument(
        "--arch",
        default="x86_64",
        metavar="ARCH",
        help=f"the function's architecture: {' or '.join(ARCHITECTURES)} (default x86_64)",
    )
    parser.add_argument(
        "--with",
        dest="extras",
        default="",
        metavar="EXTRA[,EXTRA...]",
        help="optional parts to include: otel (opentelemetry-api), xray (aws-xray-sdk)",
    )
    parser.add_argument(
        "--pip-cache",
        metavar="DIR",
        help="pip's download cache (default: pip's own)",
    )


def run(args: argparse.Namespace) -> int:
    """Build the layer and say what is in it and how big it is."""
    from lambda_kit.layer.build import build_layer
    from lambda_kit.layer.requirements import parse_extras
    from lambda_kit.layer.targets import BadInput, LayerError, Target

    try:
        target = Target.parse(args.python, args.arch)
        extras = parse_extras(args.extras)
        print(
            f"lambda-kit: building a layer for {target.runtime()} {target.arch}"
            + (f" with {', '.join(extras)}" if extras else "")
            + " (pip fetches the target's wheels)",
            file=sys.stderr,
        )
        layer = build_layer(target, args.output, extras, pip_cache=args.pip_cache)
    except BadInput as exc:
        return fail("lambda-kit", str(exc))
    except LayerError as exc:
        return fail("lambda-kit", str(exc), 1)
    print(summary(layer, style(sys.stdout)))
    return 0 if layer.share_of_limit <= 1 else 1


def summary(layer: object, paint: Style | None = None) -> str:
    """What was built, in a few lines: contents, size against the limit, bytecode, the wrapper."""
    from lambda_kit.layer.build import OPT_PYTHON, Layer

    assert isinstance(layer, Layer)
    paint = paint or Style(False)
    mb = 1024 * 1024
    share = layer.share_of_limit
    size = (
        f"{layer.zipped_bytes / mb:.1f} MB zipped, {layer.unzipped_bytes / mb:.1f} MB"
        f" unzipped = {share:.1%} of Lambda's 250 MB unzipped limit"
    )
    lines = [
        paint.heading(
            f"{layer.path}: {layer.target.runtime()} {layer.target.arch}, {layer.files} files"
        ),
        "  packages: " + ", ".join(f"{name} {version}" for name, version in layer.packages),
        f"  size: {paint.error(size) if share > 1 else paint.figure(size)}"
        " (the function's code and all its layers together)"
        + (paint.error("  OVER THE LIMIT") if share > 1 else ""),
        "  bytecode: "
        + (
            f"compiled by {layer.compiled_with} (unchecked-hash .pyc)"
            if layer.compiled_with
            else "none (see below)"
        ),
        f"  exec wrapper: AWS_LAMBDA_EXEC_WRAPPER={OPT_PYTHON}/lambda_kit/imports/exec_wrapper.sh",
    ]
    lines += [f"  note: {paint.warning(note)}" for note in layer.notes]
    return "\n".join(lines)
