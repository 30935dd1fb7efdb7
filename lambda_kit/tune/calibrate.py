"""How fast is this machine's core next to Lambda's? A reference workload with a published figure.

The workload is the CPU-intensive one of Cory Ebert's AWS Lambda performance
benchmarks (github.com/cebert/aws-lambda-performance-benchmarks,
``lambdas/python/cpu-intensive/handler.py``): 1,000,000 chained SHA-256 hashes,
each of the previous digest, starting from the 56 bytes of ``SEED``. Its
published warm mean durations at 1,769 MB (one full vCPU), us-east-2, run of
2025-11-30 (``published-results/december-2025/tables/cpu-intensive/warm.md``)
are ``LAMBDA_MS``. The same tables give 2,660.95 ms at 256 MB for python3.13 on
x86_64: 6.9x its 1,769 MB figure, the ratio CPU scaling predicts (1769 / 256).

``calibrate()`` runs the workload here on one core (best of ``rounds``: the
machine is shared, and the least-disturbed run is the one closest to the
core's speed) and compares it with the figure for the running Python and the
machine's architecture.
"""

from __future__ import annotations

import platform
import sys
import time
from typing import NamedTuple

SEED = b"benchmark data for Lambda ARM vs x86 performance testing"
ITERATIONS = 1_000_000
SOURCE = (
    "cebert/aws-lambda-performance-benchmarks, published-results/december-2025/"
    "tables/cpu-intensive/warm.md (1,769 MB, us-east-2, 2025-11-30)"
)
#: (python minor, architecture) -> warm mean ms at 1,769 MB on Lambda (SOURCE)
LAMBDA_MS: dict[tuple[str, str], float] = {
    ("3.11", "x86_64"): 336.93,
    ("3.11", "arm64"): 308.60,
    ("3.12", "x86_64"): 394.52,
    ("3.12", "arm64"): 345.71,
    ("3.13", "x86_64"): 386.10,
    ("3.13", "arm64"): 380.86,
    ("3.14", "x86_64"): 379.71,
    ("3.14", "arm64"): 324.37,
}


class Calibration(NamedTuple):
    """This machine's time for the workload, Lambda's, and their ratio."""

    local_ms: float
    lambda_ms: float | None
    python: str
    architecture: str
    cpu_model: str

    @property
    def lambda_over_local(self) -> float | None:
        """How many times longer Lambda (1 vCPU) takes than this machine's core."""
        return self.lambda_ms / self.local_ms if self.lambda_ms else None

    def sentence(self) -> str:
        """One line for the terminal."""
        here = f"{ITERATIONS:,} chained SHA-256 on this machine ({self.cpu_model}): "
        here += f"{self.local_ms:,.1f} ms, one core"
        ratio = self.lambda_over_local
        if ratio is None or self.lambda_ms is None:
            return (
                here + f"; no published Lambda figure for python{self.python} {self.architecture}"
            )
        return here + (
            f"; Lambda python{self.python} {self.architecture} at 1,769 MB: "
            f"{self.lambda_ms:,.2f} ms, so expect Lambda's CPU-bound durations about "
            f"{ratio:.2f}x those measured here"
        )


def workload(iterations: int = ITERATIONS) -> bytes:
    """The reference workload: ``iterations`` chained SHA-256 digests of ``SEED``."""
    import hashlib

    digest = SEED
    sha256 = hashlib.sha256
    for _ in range(iterations):
        digest = sha256(digest).digest()
    return digest


def architecture() -> str:
    """This machine's architecture in Lambda's words (``x86_64`` or ``arm64``)."""
    machine = platform.machine().lower()
    return "arm64" if machine in ("aarch64", "arm64") else machine


def cpu_model() -> str:
    """The CPU's model name from /proc/cpuinfo (or the platform's word for it)."""
    try:
        with open("/proc/cpuinfo") as f:
            for line in f:
                if line.startswith("model name"):
                    return line.partition(":")[2].strip()
    except OSError:
        pass
    return platform.processor() or platform.machine()


def calibrate(rounds: int = 3, iterations: int = ITERATIONS) -> Calibration:
    """Time the workload here (best of ``rounds``) and set it beside Lambda's figure."""
    best = float("inf")
    for _ in range(max(1, rounds)):
        start = time.perf_counter()
        workload(iterations)
        best = min(best, (time.perf_counter() - start) * 1000.0)
    local_ms = best * ITERATIONS / iterations
    python = "{}.{}".format(*sys.version_info[:2])
    arch = architecture()
    return Calibration(local_ms, LAMBDA_MS.get((python, arch)), python, arch, cpu_model())
