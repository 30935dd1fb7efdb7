"""``lambda_kit.logging``: where Powertools users find ``correlation_paths`` and ``Logger``.

    from lambda_kit.logging import correlation_paths
    @logger.inject_lambda_context(correlation_id_path=correlation_paths.API_GATEWAY_REST)

lambda_kit's own logger is ``lambda_kit.log``; this package mirrors
``aws_lambda_powertools.logging`` so that migrating is an import change.
"""

from __future__ import annotations

from lambda_kit.logging import correlation_paths

# typing costs ~5 ms to import on a cold start: names for annotations only
TYPE_CHECKING = False
if TYPE_CHECKING:
    from typing import Any

__all__ = ["Logger", "correlation_paths"]


def __getattr__(name: str) -> Any:
    if name == "Logger":
        from lambda_kit.log.powertools import Logger

        return Logger
    raise AttributeError(f"module 'lambda_kit.logging' has no attribute {name!r}")
