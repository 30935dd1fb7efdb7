"""A Flask app behind lambda_kit.web's WSGI middleware, served by waitress in the web tests."""

from __future__ import annotations

import threading
import time

from flask import Flask, request

from lambda_kit import logger
from lambda_kit.web import WSGIMiddleware

app = Flask(__name__)
app.wsgi_app = WSGIMiddleware(app.wsgi_app, service="wsgi-test")  # type: ignore[method-assign]


@app.get("/ready")
def ready() -> dict[str, bool]:
    return {"ready": True}


@app.get("/orders/<int:order_id>")
def order(order_id: int) -> dict[str, object]:
    time.sleep(float(request.args.get("sleep", "0")))  # threads interleave here
    tag = request.args.get("tag", "")
    logger.info("order served", tag=tag, thread=threading.get_ident())
    return {"order_id": order_id, "tag": tag}


@app.get("/boom")
def boom() -> str:
    raise LookupError("no such order")


@app.get("/chunks")
def chunks() -> object:
    def gen():
        for i in range(3):
            yield f"chunk {i}\n"
            time.sleep(0.1)

    return app.response_class(gen(), mimetype="text/plain")
