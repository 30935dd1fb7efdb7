"""A small Starlette app behind the Lambda Web Adapter, with lambda_kit's ASGI middleware.

    lambda-kit invoke --web lambda_kit/examples/web/app.py:app --event stream_event.json

On Lambda it runs as ``uvicorn app:app --port $AWS_LWA_PORT`` beside the adapter's
layer; every invocation writes one record, readiness checks write none.
"""

import lambda_kit  # noqa: I001 - first: it starts the import profiler on Lambda
import asyncio

from starlette.applications import Starlette
from starlette.middleware import Middleware
from starlette.requests import Request
from starlette.responses import JSONResponse, StreamingResponse
from starlette.routing import Route

from lambda_kit import logger
from lambda_kit.web import ASGIMiddleware

QUOTES = ["Simplicity is prerequisite for reliability.", "Measure, don't guess."]


async def health(request: Request) -> JSONResponse:
    # the adapter's readiness check: AWS_LWA_READINESS_CHECK_PATH, "/" by default
    return JSONResponse({"status": "ok"})


async def quote(request: Request) -> JSONResponse:
    n = request.path_params["n"]
    logger.info("quote served", n=n)
    return JSONResponse({"n": n, "quote": QUOTES[n % len(QUOTES)]})


async def stream(request: Request) -> StreamingResponse:
    async def events():  # server-sent events, sent as they are produced
        for i, text in enumerate(QUOTES):
            yield f"id: {i}\ndata: {text}\n\n"
            await asyncio.sleep(0.05)

    return StreamingResponse(events(), media_type="text/event-stream")


app = Starlette(
    routes=[Route("/", health), Route("/quotes/{n:int}", quote), Route("/stream", stream)],
    middleware=[Middleware(ASGIMiddleware, service="quotes")],
)

__all__ = ["app", "lambda_kit"]
