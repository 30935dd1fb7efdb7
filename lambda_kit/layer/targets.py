"""Which wheels a Lambda runtime can load: its CPython version, architecture and glibc.

Facts from AWS's Lambda runtimes page (docs.aws.amazon.com/lambda/latest/dg/lambda-runtimes.html):
``python3.11`` runs on Amazon Linux 2, ``python3.12`` and ``python3.13`` on Amazon
Linux 2023. Amazon Linux 2 ships glibc 2.26 and Amazon Linux 2023 glibc 2.34, so
a wheel tagged ``manylinux_2_X`` loads there when X is at most that (PEP 600).
"""

from __future__ import annotations

from dataclasses import dataclass

#: Lambda's architecture name -> the machine name in wheel platform tags.
ARCHITECTURES: dict[str, str] = {"x86_64": "x86_64", "arm64": "aarch64"}

#: The runtimes lambda_kit supports (its suite runs on each) -> the glibc minor version there.
PYTHONS: dict[str, int] = {"3.11": 26, "3.12": 34, "3.13": 34}

#: The oldest manylinux each architecture has: manylinux1 (glibc 2.5) on x86_64,
#: manylinux2014 (glibc 2.17) on aarch64, the first with an aarch64 profile (PEP 599).
_OLDEST_GLIBC = {"x86_64": 5, "aarch64": 17}

#: PEP 600 aliases for the legacy manylinux names, which older wheels still carry.
_LEGACY = {5: "manylinux1", 12: "manylinux2010", 17: "manylinux2014"}


class LayerError(Exception):
    """A layer that cannot be built; the message says why, in one line."""


class BadInput(LayerError):
    """An option the layer cannot be built with (a runtime Lambda lacks, an unwritable -o)."""


@dataclass(frozen=True)
class Target:
    """A Lambda runtime: ``Target.parse("3.12", "arm64")``."""

    python: str
    arch: str

    @classmethod
    def parse(cls, python: str, arch: str) -> Target:
        """The target, or ``BadInput`` naming what is accepted."""
        python = python.removeprefix("python").strip()
        if python not in PYTHONS:
            raise BadInput(
                f"--python {python!r}: lambda_kit supports the Lambda runtimes {', '.join(PYTHONS)}"
            )
        if arch not in ARCHITECTURES:
            raise BadInput(
                f"--arch {arch!r}: Lambda's architectures are {' and '.join(ARCHITECTURES)}"
            )
        return cls(python, arch)

    @property
    def machine(self) -> str:
        """The architecture as wheel tags spell it (``aarch64`` for arm64)."""
        return ARCHITECTURES[self.arch]

    @property
    def abi(self) -> str:
        """The CPython ABI tag, ``cp312``."""
        return "cp" + self.python.replace(".", "")

    def platforms(self) -> list[str]:
        """Every platform tag the runtime loads, newest first, for pip's ``--platform``.

        pip matches ``--platform`` literally for ``manylinux_2_X`` tags, so each
        glibc from the runtime's down to the oldest is listed, with the legacy aliases.
        """
        machine = self.machine
        tags = []
        for minor in range(PYTHONS[self.python], _OLDEST_GLIBC[machine] - 1, -1):
            tags.append(f"manylinux_2_{minor}_{machine}")
            if minor in _LEGACY:
                tags.append(f"{_LEGACY[minor]}_{machine}")
        return tags

    def runtime(self) -> str:
        """The runtime identifier, ``python3.12``."""
        return f"python{self.python}"
