"""Starts the import profiler when ``import lambda_kit`` runs, if it is enabled.

It is on by default inside a Lambda runtime (``AWS_LAMBDA_RUNTIME_API``,
``AWS_LAMBDA_FUNCTION_NAME`` or ``_HANDLER`` set, as on AWS and under
``lambda-kit invoke``), and off elsewhere so that test suites and long-lived
processes that only use the logger never carry it. ``LAMBDA_KIT_PROFILE_IMPORTS=0``
turns it off, ``=1`` turns it on anywhere. It is its own module so that
``__init__`` stays a plain list of names.
"""

from __future__ import annotations

import os

from lambda_kit import settings
from lambda_kit.settings import env_flag


def _enabled() -> bool:
    env = os.environ
    on_lambda = (
        settings.RUNTIME_API in env or settings.FUNCTION_NAME in env or settings.HANDLER in env
    )
    return env_flag(settings.PROFILE_IMPORTS, on_lambda)


if _enabled():
    try:
        from lambda_kit.imports.initrecord import start as _start

        _start()
    except Exception as _exc:  # the handler must import even if we cannot profile
        from lambda_kit._problems import problem

        problem(f"could not start the import profiler: {_exc!r}")
