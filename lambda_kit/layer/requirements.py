"""What goes into the layer besides lambda_kit: its runtime dependencies and the chosen extras.

Read from the installed distribution's metadata (``Requires-Dist``), so the layer
carries the same pins as ``pip install`` would, without a second list to keep in step.
"""

from __future__ import annotations

import re

from lambda_kit.layer.targets import BadInput, LayerError

#: The extras a layer can carry; ``local`` (awslambdaric: Lambda has its own) and
#: ``dev`` never belong in a function.
LAYER_EXTRAS = ("otel", "xray")

#: The marker of an extra's requirement, as setuptools writes it: ``extra == "otel"``.
_EXTRA_MARKER = re.compile(r"""^extra\s*==\s*["']([A-Za-z0-9._-]+)["']$""")


def parse_extras(value: str | None) -> tuple[str, ...]:
    """``"otel,xray"`` as ``("otel", "xray")``; ``BadInput`` names the accepted ones."""
    if not value:
        return ()
    extras = tuple(dict.fromkeys(part.strip() for part in value.split(",") if part.strip()))
    for extra in extras:
        if extra not in LAYER_EXTRAS:
            raise BadInput(f"--with {extra!r}: a layer can carry {', '.join(LAYER_EXTRAS)}")
    return extras


def requirements(extras: tuple[str, ...]) -> list[str]:
    """pip requirement strings for the layer: the base dependencies plus ``extras``'."""
    from importlib import metadata

    from lambda_kit._version import DISTRIBUTION

    try:
        declared = metadata.requires(DISTRIBUTION) or []
    except metadata.PackageNotFoundError:
        # a checkout on sys.path that was never installed: no Requires-Dist to read
        raise LayerError(
            f"lambda_kit is not installed as {DISTRIBUTION} here (pip install it, or"
            " pip install -e . in a checkout), so its dependencies are unknown"
        ) from None
    return select(declared, extras)


def select(declared: list[str], extras: tuple[str, ...]) -> list[str]:
    """The requirements of ``declared`` (``Requires-Dist`` lines) that apply to ``extras``."""
    chosen = []
    for line in declared:
        spec, _, marker = line.partition(";")
        marker = marker.strip()
        if not marker:
            chosen.append(spec.strip())
            continue
        match = _EXTRA_MARKER.match(marker)
        if match and match.group(1) in extras:
            chosen.append(spec.strip())
    return chosen
