"""The app's process under ``lambda-kit invoke --web``: ``python -m lambda_kit.web._serve
MODULE:APP PORT``. It stands where the runtime process stands on Lambda: it imports
the app and serves it on 127.0.0.1:PORT, under uvicorn when the app is ASGI and under
waitress (threaded) when it is WSGI, as ``uvicorn main:app`` or ``waitress-serve``
would in the adapter's ``run.sh``."""

from __future__ import annotations

import importlib
import inspect
import os
import sys


def is_asgi(app: object) -> bool:
    """ASGI apps are coroutine functions (or objects whose ``__call__`` is one)."""
    target = app if inspect.isfunction(app) or inspect.ismethod(app) else type(app).__call__
    return inspect.iscoroutinefunction(target) or inspect.iscoroutinefunction(app)


def main(argv: list[str]) -> int:
    spec, port = argv[0], int(argv[1])
    module_name, _, attr = spec.partition(":")
    sys.path.insert(0, os.getcwd())
    try:
        module = importlib.import_module(module_name)
        app = getattr(module, attr or "app")
    except Exception as exc:  # an init error, as Lambda reports one: one line, exit 3
        print(f"[ERROR] Runtime.ImportModuleError: Unable to import {spec}: {exc!r}", flush=True)
        return 3
    if is_asgi(app):
        import uvicorn

        uvicorn.run(app, host="127.0.0.1", port=port, log_level="warning", lifespan="auto")
    else:
        import waitress

        waitress.serve(app, host="127.0.0.1", port=port, threads=4, _quiet=True)
    return 0


if __name__ == "__main__":  # pragma: no cover - a child process
    sys.exit(main(sys.argv[1:]))
