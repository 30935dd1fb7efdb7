"""Where the cold start goes: the import-time profiler and its readers.

- ``profiler``: the in-process profiler (a ``sys.meta_path`` finder); ``import
  lambda_kit`` starts it on Lambda, ``@instrument`` stops it at the first
  invocation and adds the ``init`` key to that invocation's record
  (``initrecord``).
- ``tree``: the import tree, slowest first, as text or JSON; ``advice``: what to
  do about it; ``importtime``: reads CPython's ``-X importtime`` log (also as
  copied from CloudWatch); ``page``: the self-contained HTML page;
  ``runner``: profiles a target in a fresh interpreter.

    >>> from lambda_kit import imports
    >>> profile = imports.profile_target("json")          # doctest: +SKIP
    >>> print(imports.render_text(profile.roots))           # doctest: +SKIP

Only ``profiler`` is imported with this package (it is on the cold path); the
rest loads on first use.
"""

from __future__ import annotations

from lambda_kit.imports.profiler import ImportProfiler, active

# typing costs ~5 ms to import on a cold start: names for annotations only
TYPE_CHECKING = False
if TYPE_CHECKING:
    from typing import Any

__all__ = [
    "ImportProfiler",
    "active",
    "advise",
    "parse_importtime",
    "profile_target",
    "render_text",
    "start",
    "stop",
    "tree_from_entries",
    "write_html",
]

_LAZY = {
    "parse_importtime": "lambda_kit.imports.importtime",
    "tree_from_entries": "lambda_kit.imports.tree",
    "render_text": "lambda_kit.imports.tree",
    "advise": "lambda_kit.imports.advice",
    "write_html": "lambda_kit.imports.page",
    "profile_target": "lambda_kit.imports.runner",
    "start": "lambda_kit.imports.initrecord",
    "stop": "lambda_kit.imports.initrecord",
}


def __getattr__(name: str) -> Any:
    module_name = _LAZY.get(name)
    if module_name is None:
        raise AttributeError(f"module 'lambda_kit.imports' has no attribute {name!r}")
    import importlib

    value = getattr(importlib.import_module(module_name), name)
    globals()[name] = value
    return value
