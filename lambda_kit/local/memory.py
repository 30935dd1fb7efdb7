"""Memory of a runtime process tree: its peak, and a cap at the function's memory size.

``Max Memory Used`` in a REPORT line is the peak resident memory of the
environment so far. Here that is the larger of the sum of each process's own
high-water mark (``VmHWM`` in /proc/PID/status: exact, and counted from the
process's exec) and the polled resident memory of the whole tree (the runtime
plus anything it started, found by session id; the tiny launcher shell is not
counted).

The cap (``--memory``) is enforced by a memory cgroup when one can be created
(cgroup v2 ``memory.max``, or v1 ``memory.limit_in_bytes``): the kernel then
kills the runtime as Lambda's sandbox would. Where no cgroup is writable, a
watchdog kills the tree when its resident memory passes the cap, checked every
``POLL_S`` seconds, so a fast allocation can overshoot by what it grabs in that
time. RLIMIT_AS is not used: it counts reserved address space, not memory, and
breaks ordinary programs (threads reserve 8 MB stacks, allocators reserve arenas).
"""

from __future__ import annotations

import contextlib
import os
import signal
import threading
from collections.abc import Callable

POLL_S = 0.02
#: the tree (children of the runtime) is looked for every SCAN_EVERY polls
SCAN_EVERY = 10


def mb(kib: int) -> int:
    """KiB to whole MB, rounded up (as ``max_memory_used_mb`` in the record)."""
    return (kib + 1023) // 1024


def _status_kib(pid: int) -> tuple[int, int]:
    """(VmRSS, VmHWM) of ``pid`` in KiB; (0, 0) when it is gone."""
    rss = hwm = 0
    try:
        with open(f"/proc/{pid}/status", "rb") as f:
            for line in f:
                if line.startswith(b"VmRSS:"):
                    rss = int(line.split()[1])
                elif line.startswith(b"VmHWM:"):
                    hwm = int(line.split()[1])
    except (OSError, ValueError, IndexError):
        pass
    return rss, hwm


def session_members(sid: int) -> list[int]:
    """Live processes in session ``sid`` (the runtime and what it started)."""
    found = []
    try:
        names = os.listdir("/proc")
    except OSError:
        return []
    for name in names:
        if not name.isdigit():
            continue
        try:
            with open(f"/proc/{name}/stat", "rb") as f:
                stat = f.read()
            fields = stat[stat.rindex(b")") + 2 :].split()
            # field 6 overall is the session id; a zombie (Z) holds no memory and is dead
            if int(fields[3]) == sid and fields[0] != b"Z":
                found.append(int(name))
        except (OSError, ValueError, IndexError):
            continue
    return found


class MemoryWatch:
    """Polls a runtime's process tree: peak resident memory, and the watchdog cap.

    watch = MemoryWatch(pid, limit_mb=None, on_exceeded=kill)
    ...
    watch.peak_mb()       # Max Memory Used so far
    watch.stop()
    """

    def __init__(
        self,
        pid: int,
        *,
        limit_mb: int | None,
        on_exceeded: Callable[[int], None],
        launcher: int | None = None,
    ) -> None:
        self.pid = pid  # the session leader: the runtime, or the launcher that started it
        self._launcher = launcher  # a tiny shell: not counted
        self._limit_kib = None if limit_mb is None else limit_mb * 1024
        self._on_exceeded = on_exceeded
        self._peak_kib = 0
        self._members: list[int] = [] if launcher is not None else [pid]
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._run, name="memory-watch", daemon=True)
        self._thread.start()

    def _run(self) -> None:
        n = 0
        while not self._stop.wait(POLL_S):
            if n % SCAN_EVERY == 0 or not self._members:
                self._members = [p for p in session_members(self.pid) if p != self._launcher]
            n += 1
            total = self.sample()
            if self._limit_kib is not None and total > self._limit_kib:
                self._on_exceeded(mb(total))
                return

    def sample(self) -> int:
        """Read the tree now; returns its resident KiB and updates the peak."""
        total = hwm_total = 0
        for pid in self._members:
            rss, hwm = _status_kib(pid)
            total += rss
            hwm_total += hwm
        # each process's own high-water mark is exact; their sum bounds the tree's peak
        # from above only when several processes peak apart, which is rare and safe
        self._peak_kib = max(self._peak_kib, total, hwm_total)
        return total

    def peak_mb(self) -> int:
        """Peak resident memory of the tree so far, in MB (read fresh while it lives)."""
        if not self._members:
            self._members = [p for p in session_members(self.pid) if p != self._launcher]
        self.sample()
        return mb(self._peak_kib)

    def stop(self) -> None:
        """Stop polling (the peak stays readable)."""
        self._stop.set()
        if self._thread is not threading.current_thread():
            self._thread.join(timeout=1)


class Cgroup:
    """A memory cgroup capping one environment, when the machine lets us make one.

    ``Cgroup.create(limit_mb)`` returns None where no memory cgroup is writable;
    ``enter_fd`` is written the child's pid before it runs its first instruction.
    """

    def __init__(self, path: str, version: int) -> None:
        self.path = path
        self.version = version

    @classmethod
    def create(cls, limit_mb: int, name: str) -> Cgroup | None:
        """A new cgroup under ours with the memory limit set, or None."""
        for version, base in _memory_cgroup_bases():
            sweep_orphans(base)
            path = os.path.join(base, name)
            try:
                os.mkdir(path)
            except OSError:
                continue
            limit_file = "memory.max" if version == 2 else "memory.limit_in_bytes"
            try:
                with open(os.path.join(path, limit_file), "w") as f:
                    f.write(str(limit_mb * 1024 * 1024))
                if version == 1:
                    # swap would let the runtime outgrow the cap instead of being killed
                    try:
                        with open(os.path.join(path, "memory.memsw.limit_in_bytes"), "w") as f:
                            f.write(str(limit_mb * 1024 * 1024))
                    except OSError:
                        pass
                return cls(path, version)
            except OSError:
                _rmdir(path)
        return None

    @property
    def procs_file(self) -> str:
        """The file a pid is written to to move it into the cgroup."""
        return os.path.join(self.path, "cgroup.procs")

    def oom_kills(self) -> int:
        """How many processes the kernel killed here for lack of memory."""
        name = "memory.events" if self.version == 2 else "memory.oom_control"
        try:
            with open(os.path.join(self.path, name)) as f:
                for line in f:
                    key, _, value = line.partition(" ")
                    if key == "oom_kill":
                        return int(value)
        except (OSError, ValueError):
            pass
        return 0

    def remove(self) -> None:
        """Kill what is left inside, then delete the cgroup."""
        try:
            with open(self.procs_file) as f:
                for line in f:
                    with contextlib.suppress(OSError, ValueError):
                        os.kill(int(line), signal.SIGKILL)
        except OSError:
            pass
        _rmdir(self.path)


def sweep_orphans(base: str, prefix: str = "lambda-kit-") -> None:
    """Remove cgroups under ``base`` left by lambda-kit processes that are gone: those
    named ``PREFIX<pid>-<n>`` whose pid no longer runs.

    A cgroup stays busy until init has reaped every process that was in it; one
    that could not be removed at shutdown is removed by the next run.
    """
    try:
        names = os.listdir(base)
    except OSError:
        return
    for name in names:
        parts = name[len(prefix) :].split("-") if name.startswith(prefix) else []
        if len(parts) == 2 and parts[0].isdigit() and not os.path.exists(f"/proc/{parts[0]}"):
            with contextlib.suppress(OSError):
                os.rmdir(os.path.join(base, name))


def _rmdir(path: str) -> None:
    import time

    for _ in range(100):  # the cgroup is busy until its last process is reaped
        try:
            os.rmdir(path)
            return
        except FileNotFoundError:
            return
        except OSError:
            time.sleep(0.01)


def _memory_cgroup_bases() -> list[tuple[int, str]]:
    """Where a memory cgroup for a child of ours could go: [(version, our cgroup dir)]."""
    bases: list[tuple[int, str]] = []
    try:
        with open("/proc/self/cgroup") as f:
            entries = [line.rstrip("\n").split(":", 2) for line in f]
        with open("/proc/self/mountinfo") as f:
            mounts = [line.split() for line in f]
    except OSError:
        return bases
    for entry in entries:
        if len(entry) != 3:
            continue
        _, controllers, rel = entry
        for m in mounts:
            sep = m.index("-")
            fstype, options = m[sep + 1], m[-1]
            mount_point, root = m[4], m[3]
            if controllers == "" and fstype == "cgroup2":
                bases.append((2, os.path.join(mount_point, os.path.relpath(rel, root))))
            elif (
                fstype == "cgroup"
                and "memory" in controllers.split(",")
                and ("memory" in options.split(","))
            ):
                bases.append((1, os.path.join(mount_point, os.path.relpath(rel, root))))
    # v2 first: it is the modern interface; its cgroup only works if memory is delegated
    bases.sort(key=lambda b: -b[0])
    return bases
