"""The release's version and distribution name: the one place both are written.

``pyproject.toml`` reads ``__version__`` from here (setuptools' dynamic version);
``lambda_kit.__version__`` loads this module on first use, not at ``import lambda_kit``.
"""

__version__ = "0.2.0.dev0"

#: The name on the package index. ``lambda-kit`` there is an unrelated project that also
#: installs a top-level ``lambda_kit`` package, so every install hint uses this one.
DISTRIBUTION = "lambda-kit-instrument"


def install_hint(extra: str | None = None) -> str:
    """The pip command that installs lambda_kit (with ``extra``), for error messages."""
    target = f"{DISTRIBUTION}[{extra}]" if extra else DISTRIBUTION
    return f"pip install '{target}'"
