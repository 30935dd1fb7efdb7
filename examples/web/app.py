"""A small FastAPI app behind the Lambda Web Adapter, with lambda_kit's ASGI middleware.

    lambda-kit invoke --web examples/web/app.py:app --event examples/web/stream_event.json

On Lambda it runs as ``uvicorn app:app --port $AWS_LWA_PORT`` with the adapter's
layer; every invocation writes one record, readiness checks write none.
"""

import lambda_kit  # noqa: I001 - first: it starts the import profiler on Lambda
import asyncio

from fastapi import FastAPI
from fastapi.responses import StreamingResponse

from lambda_kit import logger
from lambda_kit.web import ASGIMiddleware

app = FastAPI()
app.add_middleware(ASGIMiddleware, service="quotes")

QUOTES = ["Simplicity is prerequisite for reliability.", "Measure, don't guess."]


@app.get("/")
async def health() -> dict[str, str]:
    return {"status": "ok"}  # the adapter's readiness check (AWS_LWA_READINESS_CHECK_PATH)


@app.get("/quotes/{n}")
async def quote(n: int) -> dict[str, object]:
    logger.info("quote served", n=n)
    return {"n": n, "quote": QUOTES[n % len(QUOTES)]}


@app.get("/stream")
async def stream() -> StreamingResponse:
    async def events():  # server-sent events, streamed as they are produced
        for i, text in enumerate(QUOTES):
            yield f"id: {i}\ndata: {text}\n\n"
            await asyncio.sleep(0.05)

    return StreamingResponse(events(), media_type="text/event-stream")


__all__ = ["app", "lambda_kit"]
