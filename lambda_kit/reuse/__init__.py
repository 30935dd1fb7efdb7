"""Connection reuse for AWS Lambda: one connection per execution environment, alive at thaw.

    from lambda_kit import reuse, instrument

    db = reuse("db", lambda: psycopg.connect(os.environ["DSN"]))

    @instrument
    def handler(event, context):
        return db().execute("select 1").fetchone()

Each invocation record then says, under ``connections``, whether ``db`` was
``created``, ``reused`` or ``reconnected`` (see docs/reuse.md). Importing this
module imports no client library; the parts live in its private modules.
"""

from __future__ import annotations

import sys
import types

from lambda_kit.reuse._clients import boto3_client, http_session, postgres, redis_client
from lambda_kit.reuse._handle import DEFAULT_MAX_IDLE_S, Reused, close_all, reuse

# typing costs ~5 ms to import on a cold start: names for annotations only
TYPE_CHECKING = False
if TYPE_CHECKING:
    from typing import Any


__all__ = [
    "DEFAULT_MAX_IDLE_S",
    "Reused",
    "boto3_client",
    "close_all",
    "http_session",
    "postgres",
    "redis_client",
    "reuse",
]


class _CallableModule(types.ModuleType):
    """``lambda_kit.reuse`` names both this module and the function in it.

    Once anything has run ``import lambda_kit.reuse``, Python binds the package
    attribute ``lambda_kit.reuse`` to the module, so ``from lambda_kit import
    reuse`` gives the module; calling it must still do what the function does.
    """

    def __call__(self, *args: Any, **kwargs: Any) -> Reused[Any]:
        return reuse(*args, **kwargs)


sys.modules[__name__].__class__ = _CallableModule
