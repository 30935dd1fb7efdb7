"""Starts lambda_kit's import profiler as the interpreter starts, before any import.

The exec wrapper (``lambda_kit/imports/exec_wrapper.sh``) appends this file's
directory to ``PYTHONPATH`` so Python runs it at startup (``site`` imports
``sitecustomize``). It only loads the profiler's own file, not the
``lambda_kit`` package; when the handler later runs ``import lambda_kit``, that
adopts this profiler and adds the ``init`` key to the first record. Switched on
by ``LAMBDA_KIT_PROFILE_IMPORTS=1``.
"""

from __future__ import annotations

import os
import sys


def _start() -> None:
    flag = os.environ.get("LAMBDA_KIT_PROFILE_IMPORTS", "").strip().lower()
    if flag not in ("1", "true", "yes", "on"):
        return
    path = os.path.join(os.path.dirname(os.path.dirname(os.path.abspath(__file__))), "profiler.py")
    # the import system's own loader: it uses profiler.py's __pycache__, imports nothing
    external = sys.modules["_frozen_importlib_external"]
    bootstrap = sys.modules["_frozen_importlib"]
    loader = external.SourceFileLoader("_lambda_kit_boot_profiler", path)
    spec = bootstrap.spec_from_loader("_lambda_kit_boot_profiler", loader)
    module = bootstrap.module_from_spec(spec)
    loader.exec_module(module)
    handler = os.environ.get("_HANDLER", "").strip()
    name, dot, _ = handler.rpartition(".")
    module.ImportProfiler(watch=name.replace("/", ".") if dot and name else None).start()


try:
    _start()
except Exception as exc:  # never stop the runtime from starting
    sys.stderr.write(f"lambda_kit: could not start the import profiler: {exc!r}\n")
