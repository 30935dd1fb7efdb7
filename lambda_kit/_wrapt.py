"""wrapt's ``FunctionWrapper`` without the price of ``import wrapt``.

``import wrapt`` (1.x) also imports ``inspect`` through its pure-Python
fallbacks: 8-10 ms on a cold start under the Lambda runtime client, more than
the rest of lambda_kit together. ``FunctionWrapper`` itself lives in wrapt's C
extension ``wrapt._wrappers``, which imports nothing. We load that extension
from wrapt's installed package and register it under its own name, so a later
``import wrapt`` by the user finds it in ``sys.modules`` and uses the very same
types. If anything about that fails (no C extension, a different layout), we
fall back to ``import wrapt``.
"""

from __future__ import annotations

import sys

# typing costs ~5 ms to import on a cold start: names for annotations only
TYPE_CHECKING = False
if TYPE_CHECKING:
    from typing import Any


def _load_c_extension() -> Any:
    import importlib.machinery as machinery

    spec = machinery.PathFinder.find_spec("wrapt")
    if spec is None or not spec.submodule_search_locations:
        return None
    for directory in spec.submodule_search_locations:
        for suffix in machinery.EXTENSION_SUFFIXES:
            path = f"{directory}/_wrappers{suffix}"
            try:
                open(path, "rb").close()
            except OSError:
                continue
            loader = machinery.ExtensionFileLoader("wrapt._wrappers", path)
            ext_spec = machinery.ModuleSpec("wrapt._wrappers", loader, origin=path)
            module = loader.create_module(ext_spec)
            loader.exec_module(module)
            sys.modules["wrapt._wrappers"] = module
            return module
    return None


def _function_wrapper() -> Any:
    loaded = sys.modules.get("wrapt")
    if loaded is not None:
        return loaded.FunctionWrapper
    module = sys.modules.get("wrapt._wrappers")
    if module is None:
        try:
            module = _load_c_extension()
        except Exception:
            module = None
    if module is not None and hasattr(module, "FunctionWrapper"):
        return module.FunctionWrapper
    import wrapt

    return wrapt.FunctionWrapper


FunctionWrapper: Any = _function_wrapper()
