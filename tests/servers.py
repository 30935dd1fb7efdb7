"""Private PostgreSQL and Redis servers for the test suite (real servers, not mocks).

Each server runs from the Debian packages (``scripts/system-deps.sh`` installs
them), in a temporary directory, on 127.0.0.1 and a free port, and is stopped
again at the end of the session. PostgreSQL refuses to run as root, so when the
suite runs as root the server runs as the unprivileged ``nobody`` user (through
``setpriv``). Authentication is scram-sha-256 over TLS, as on RDS, so that a
connection per call costs what it costs in production.

    with PostgresServer.started() as pg:
        psycopg.connect(pg.dsn(application_name="t1"))
"""

from __future__ import annotations

import glob
import os
import shutil
import socket
import subprocess
import tempfile
import time
from collections.abc import Iterator
from contextlib import contextmanager, suppress
from pathlib import Path

UNPRIVILEGED = "nobody"


def free_port() -> int:
    """A TCP port on 127.0.0.1 that nobody listens on right now."""
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def _wait_for_port(port: int, timeout_s: float, proc: subprocess.Popen[bytes] | None) -> None:
    deadline = time.monotonic() + timeout_s
    while True:
        try:
            with socket.create_connection(("127.0.0.1", port), timeout=0.5):
                return
        except OSError:
            if proc is not None and proc.poll() is not None:
                raise RuntimeError(f"server on port {port} exited with {proc.returncode}") from None
            if time.monotonic() > deadline:
                raise RuntimeError(
                    f"nothing listens on 127.0.0.1:{port} after {timeout_s}s"
                ) from None
            time.sleep(0.02)


def _pg_bin(name: str) -> str:
    found = sorted(
        glob.glob(f"/usr/lib/postgresql/*/bin/{name}"), key=lambda p: int(p.split("/")[4])
    )
    if found:
        return found[-1]
    path = shutil.which(name)
    if path is None:
        raise RuntimeError(f"{name} not found: run `make system-deps` (Debian package postgresql)")
    return path


class PostgresServer:
    """A throwaway PostgreSQL cluster: ``initdb`` + ``pg_ctl`` in a temporary directory."""

    user = "postgres"
    password = "lambda-kit-test"

    def __init__(self) -> None:
        self.root = Path(tempfile.mkdtemp(prefix="lk-pg-"))
        self.data = self.root / "data"
        self.log = self.root / "server.log"
        self.port = free_port()
        self._as_user: list[str] = []
        if os.geteuid() == 0:
            import pwd

            pw = pwd.getpwnam(UNPRIVILEGED)
            os.chown(self.root, pw.pw_uid, pw.pw_gid)
            self._as_user = [
                "setpriv",
                f"--reuid={pw.pw_uid}",
                f"--regid={pw.pw_gid}",
                "--clear-groups",
                "--",
            ]

    def _run(self, *cmd: str) -> None:
        env = {"PATH": "/usr/bin:/bin", "LC_ALL": "C.UTF-8", "HOME": str(self.root)}
        done = subprocess.run(
            [*self._as_user, *cmd], cwd=self.root, env=env, capture_output=True, text=True
        )
        if done.returncode != 0:
            log = self.log.read_text() if self.log.exists() else ""
            raise RuntimeError(f"{' '.join(cmd)} failed: {done.stdout}{done.stderr}{log}")

    def init(self) -> None:
        pwfile = self.root / "pw"
        pwfile.write_text(self.password + "\n")
        if self._as_user:
            shutil.chown(pwfile, UNPRIVILEGED)
        self._run(
            _pg_bin("initdb"),
            "-D",
            str(self.data),
            "-U",
            self.user,
            "--pwfile",
            str(pwfile),
            "--auth=scram-sha-256",
            "--no-sync",
            "--no-instructions",
            "-E",
            "UTF8",
        )
        pwfile.unlink()
        # TLS as on RDS (rds.force_ssl is on by default from PostgreSQL 15): an EC key is
        # generated in milliseconds, and the connect-per-call baseline pays a real handshake
        key, cert = self.root / "server.key", self.root / "server.crt"
        subprocess.run(
            [
                "openssl",
                "req",
                "-x509",
                "-newkey",
                "ec",
                "-pkeyopt",
                "ec_paramgen_curve:prime256v1",
                "-nodes",
                "-subj",
                "/CN=127.0.0.1",
                "-days",
                "2",
                "-keyout",
                str(key),
                "-out",
                str(cert),
            ],
            check=True,
            capture_output=True,
        )
        key.chmod(0o600)
        if self._as_user:
            shutil.chown(key, UNPRIVILEGED)
            shutil.chown(cert, UNPRIVILEGED)

    def start(self) -> None:
        # fsync off and small buffers: a test server starts in well under a second
        opts = (
            f"-c listen_addresses=127.0.0.1 -c port={self.port} "
            f"-c unix_socket_directories={self.root} -c fsync=off -c synchronous_commit=off "
            "-c full_page_writes=off -c shared_buffers=16MB -c max_connections=40 "
            f"-c ssl=on -c ssl_cert_file={self.root}/server.crt "
            f"-c ssl_key_file={self.root}/server.key"
        )
        self._run(
            _pg_bin("pg_ctl"), "-D", str(self.data), "-l", str(self.log), "-w", "-o", opts, "start"
        )

    def stop(self) -> None:
        self._run(_pg_bin("pg_ctl"), "-D", str(self.data), "-m", "fast", "-w", "stop")

    def restart(self) -> None:
        """Stop (closing every client connection) and start again on the same port."""
        self.stop()
        self.start()

    def dsn(self, **params: str) -> str:
        """A libpq connection string for this server (password auth over TCP)."""
        parts = {
            "host": "127.0.0.1",
            "port": str(self.port),
            "user": self.user,
            "password": self.password,
            "dbname": "postgres",
            "sslmode": "require",
            **params,
        }
        return " ".join(f"{k}={v}" for k, v in parts.items())

    def cleanup(self) -> None:
        shutil.rmtree(self.root, ignore_errors=True)

    @classmethod
    @contextmanager
    def started(cls) -> Iterator[PostgresServer]:
        server = cls()
        try:
            server.init()
            server.start()
            yield server
        finally:
            with suppress(RuntimeError):  # never started, or already gone
                server.stop()
            server.cleanup()


class RedisServer:
    """A throwaway ``redis-server`` on loopback, no persistence."""

    def __init__(self) -> None:
        self.root = Path(tempfile.mkdtemp(prefix="lk-redis-"))
        self.port = free_port()
        self.proc: subprocess.Popen[bytes] | None = None

    def start(self) -> None:
        exe = shutil.which("redis-server") or "/usr/bin/redis-server"
        if not os.path.exists(exe):
            raise RuntimeError(
                "redis-server not found: run `make system-deps` (package redis-server)"
            )
        self.proc = subprocess.Popen(
            [
                exe,
                "--bind",
                "127.0.0.1",
                "--port",
                str(self.port),
                "--save",
                "",
                "--appendonly",
                "no",
                "--dir",
                str(self.root),
                "--daemonize",
                "no",
                "--loglevel",
                "warning",
            ],
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
        )
        _wait_for_port(self.port, 10.0, self.proc)

    def stop(self) -> None:
        if self.proc is not None and self.proc.poll() is None:
            self.proc.terminate()
            try:
                self.proc.wait(10)
            except subprocess.TimeoutExpired:
                self.proc.kill()
                self.proc.wait()
        self.proc = None

    def restart(self) -> None:
        """Stop (closing every client connection) and start again on the same port."""
        self.stop()
        self.start()

    def url(self) -> str:
        return f"redis://127.0.0.1:{self.port}/0"

    @classmethod
    @contextmanager
    def started(cls) -> Iterator[RedisServer]:
        server = cls()
        try:
            server.start()
            yield server
        finally:
            server.stop()
            shutil.rmtree(server.root, ignore_errors=True)


class MotoServer:
    """moto in server mode (a real HTTP AWS API) on 127.0.0.1, for boto3 via AWS_ENDPOINT_URL."""

    def __init__(self) -> None:
        self.port = free_port()
        self.proc: subprocess.Popen[bytes] | None = None

    def start(self) -> None:
        import sys

        self.proc = subprocess.Popen(
            [sys.executable, "-m", "moto.server", "-H", "127.0.0.1", "-p", str(self.port)],
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
        )
        _wait_for_port(self.port, 30.0, self.proc)

    def stop(self) -> None:
        if self.proc is not None and self.proc.poll() is None:
            self.proc.terminate()
            try:
                self.proc.wait(10)
            except subprocess.TimeoutExpired:
                self.proc.kill()
                self.proc.wait()
        self.proc = None

    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    def reset(self) -> None:
        """Forget every resource (moto's own reset endpoint)."""
        import urllib.request

        request = urllib.request.Request(self.url() + "/moto-api/reset", method="POST")
        with urllib.request.urlopen(request, timeout=10) as answer:
            answer.read()

    @classmethod
    @contextmanager
    def started(cls) -> Iterator[MotoServer]:
        server = cls()
        try:
            server.start()
            yield server
        finally:
            server.stop()
