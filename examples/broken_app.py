"""A handler module that fails at import, as one missing its configuration does."""

import os

if "DATABASE_URL" not in os.environ:
    raise RuntimeError("DATABASE_URL is not set")


def handler(event, context):
    return {"ok": True}
