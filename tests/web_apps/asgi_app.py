"""A FastAPI app behind lambda_kit.web's ASGI middleware, served by uvicorn in the web tests."""

from __future__ import annotations

import asyncio
import os

from fastapi import FastAPI
from fastapi.responses import JSONResponse, StreamingResponse

from lambda_kit import logger
from lambda_kit.web import ASGIMiddleware

app = FastAPI()
app.add_middleware(ASGIMiddleware, service="web-test")


@app.get("/ready")
async def ready() -> dict[str, bool]:
    return {"ready": True}


@app.get("/items/{item_id}")
async def item(item_id: int, sleep: float = 0.0, tag: str = "") -> dict[str, object]:
    await asyncio.sleep(sleep)  # concurrent requests interleave here
    logger.info("item served", tag=tag, pid=os.getpid())
    return {"item_id": item_id, "tag": tag}


@app.get("/boom")
async def boom() -> None:
    raise LookupError("no such thing")


@app.get("/unavailable")
async def unavailable() -> JSONResponse:
    return JSONResponse({"error": "try later"}, status_code=503)


@app.get("/stream")
async def stream(n: int = 3, gap: float = 0.2) -> StreamingResponse:
    async def events():
        for i in range(n):
            yield f"data: {i}\n\n"
            await asyncio.sleep(gap)

    return StreamingResponse(events(), media_type="text/event-stream")
