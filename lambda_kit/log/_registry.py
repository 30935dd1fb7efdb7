"""Loggers by name (``get_logger``) and the per-invocation hook of the sampling ones.

``registry`` and ``_sampling`` live in ``_logger`` (each Logger registers itself
there when it samples); this module is what reads them across invocations.
"""

from __future__ import annotations

from lambda_kit import _hooks
from lambda_kit.log._logger import Logger, _sampling, registry

# typing costs ~5 ms to import on a cold start: names for annotations only
TYPE_CHECKING = False
if TYPE_CHECKING:
    from typing import Any


def get_logger(name: str = "lambda_kit", **options: Any) -> Logger:
    """The logger called ``name``, created on first use (options apply then).

        log = lambda_kit.get_logger("payments", service="payments", level="DEBUG")

    Asking again for a known name with options reconfigures that same logger
    (its ``set_keys`` keys are kept), so ``get_logger("lambda_kit", level="DEBUG")``
    changes the ready-made ``lambda_kit.logger`` everywhere it was imported.
    """
    existing = registry.get(name)
    if existing is None:
        existing = registry[name] = Logger(name, **options)
    elif options:
        keys = existing._keys
        existing.close()
        existing.__init__(name, **options)  # type: ignore[misc]
        existing._keys = keys
    return existing


def on_start() -> None:
    """The ``_hooks.on_start`` callable: sampling loggers decide afresh (nothing to do
    when none samples: the per-invocation cost is one empty-list check)."""
    if not _sampling:
        return
    for r in tuple(_sampling):
        lg = r()
        if lg is None:
            _sampling.remove(r)  # a logger that was garbage-collected
        else:
            lg.new_invocation(clear_keys=False)


# wherever a Logger comes from (lambda_kit.log loads this module for any of its names)
_hooks.add_start(on_start)
