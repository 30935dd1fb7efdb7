"""The runtime workers of one environment, as Linux shows them: who took an event, who died.

On Lambda Managed Instances the Python runtime forks its workers itself (awslambdaric's
``MultiConcurrentRunner``: one process per ``AWS_LAMBDA_MAX_CONCURRENCY``), and each
keeps one connection to the Runtime API. The server knows a connection, not a process;
this module finds the process at the other end of a loopback connection (its socket's
inode in ``/proc/net/tcp``, then which process holds that inode, proc(5)), so that an
event can be tied to its worker: its first event is its cold start, and its death ends
that event, not the others.
"""

from __future__ import annotations

import os
import socket
import sys
from collections.abc import Callable, Iterable


def _hex_endpoint(host: str, port: int) -> str:
    """An IPv4 endpoint as ``/proc/net/tcp`` prints it: ``0100007F:1F90`` for 127.0.0.1:8080."""
    addr = int.from_bytes(socket.inet_aton(host), sys.byteorder)
    return f"{addr:08X}:{port:04X}"


def _peer_inode(conn: socket.socket) -> str | None:
    """The inode of the socket at the other end of the loopback connection ``conn``."""
    peer = _hex_endpoint(*conn.getpeername()[:2])
    ours = _hex_endpoint(*conn.getsockname()[:2])
    with open("/proc/net/tcp", encoding="ascii") as f:
        next(f, None)  # the header
        for line in f:
            fields = line.split()
            # the peer's own line: its address is local there, ours is the remote one
            if len(fields) > 9 and fields[1] == peer and fields[2] == ours:
                return fields[9]
    return None


def peer_pid(conn: socket.socket, candidates: Iterable[int]) -> int | None:
    """Which of ``candidates`` (pids) holds the other end of ``conn``; None if none does.

    A forked worker may still hold its parent's descriptors, but a connection it opened
    itself is in no other process (the runtime client connects after the fork).
    """
    inode = _peer_inode(conn)
    if inode is None or inode == "0":
        return None
    target = f"socket:[{inode}]"
    for pid in candidates:
        try:
            fds = os.listdir(f"/proc/{pid}/fd")
        except OSError:
            continue
        for fd in fds:
            try:
                if os.readlink(f"/proc/{pid}/fd/{fd}") == target:
                    return pid
            except OSError:
                continue
    return None


#: what the Runtime API server asks about a connection: the pid at its other end, or None
Identify = Callable[[socket.socket], "int | None"]


def identifier(candidates: Callable[[], Iterable[int]]) -> Identify:
    """``peer_pid`` over the processes ``candidates()`` names when a connection is asked about."""
    return lambda conn: peer_pid(conn, candidates())


def exit_of(pid: int) -> int | None:
    """``None`` while ``pid`` runs; once it has ended, how (``returncode`` style).

    A zombie still shows its wait status (/proc/PID/stat field 52, exit_code): a
    negative signal number, or the exit status. A process already reaped by its parent
    (the runtime client waits for its first worker) has left nothing: ``-0`` would lie,
    so that is ``EXIT_UNKNOWN``.
    """
    try:
        with open(f"/proc/{pid}/stat", "rb") as f:
            stat = f.read()
    except OSError:
        return EXIT_UNKNOWN
    fields = stat[stat.rindex(b")") + 2 :].split()
    if fields[0] not in (b"Z", b"X"):
        return None
    try:
        status = int(fields[49])
    except (IndexError, ValueError):
        return EXIT_UNKNOWN
    if status & 0x7F:
        return -(status & 0x7F)
    return (status >> 8) & 0xFF


#: what ``exit_of`` says of a worker that ended and was reaped before it could be read
EXIT_UNKNOWN = 1 << 16


def exit_reason(returncode: int) -> str:
    """How a worker's end reads in its invocation's error (Lambda's words where known)."""
    from lambda_kit.local.lines import exit_reason as runtime_exit

    if returncode == EXIT_UNKNOWN:
        return "Runtime exited with error: the runtime worker process ended"
    return runtime_exit(returncode)
