"""One PostgreSQL connection per execution environment, kept across invocations.

    DSN="host=... user=... password=..." python examples/reuse_postgres.py

Runs the handler three times in this process, as one warm environment would;
before the third invocation the server kills the session (as an idle timeout,
a failover or pg_terminate_backend would while the environment is frozen).
The records' ``connections`` key says created, reused, reconnected.
"""

import lambda_kit  # noqa: F401, I001  (first line: starts the import profiler when enabled)
import os

import psycopg

from lambda_kit import instrument, reuse

DSN = os.environ["DSN"]

db = reuse("db", lambda: psycopg.connect(DSN, application_name="orders", autocommit=True))


@instrument(service="orders")
def handler(event, context):
    row = db().execute("select pg_backend_pid()").fetchone()
    return {"backend_pid": row[0]}


if __name__ == "__main__":
    first = handler({}, None)
    handler({}, None)
    with psycopg.connect(DSN, autocommit=True) as admin:  # the server ends the session
        admin.execute("select pg_terminate_backend(%s, 5000)", (first["backend_pid"],))
    handler({}, None)
