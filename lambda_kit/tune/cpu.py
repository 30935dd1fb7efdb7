"""CPU in proportion to memory, as Lambda allocates it: a CFS quota on a cgroup.

Lambda gives a function CPU in proportion to its memory; at 1,769 MB it has the
equivalent of one vCPU, and up to 6 vCPUs at 10,240 MB (AWS Lambda developer
guide, "Configuring Lambda function memory"). Here that share is a CPU quota:
``quota / period = memory_mb / 1769`` CPUs, capped at the CPUs this process may
run on (``os.sched_getaffinity``). cgroup v1 spells it ``cpu.cfs_quota_us`` and
``cpu.cfs_period_us``; cgroup v2 ``cpu.max`` (``"QUOTA PERIOD"``).

The period is 20 ms, not the kernel's default 100 ms: a short invocation must not
fit in one period's quota and run at full speed, and at 128 MB (0.072 vCPU) the
quota is still above the kernel's 1 ms minimum.

The cgroup also gets ten times the default CPU weight (``cpu.shares`` /
``cpu.weight``): the machine may be busy with other work, and a size that wants a
whole core should get it, up to its quota, before that work does.

The runtime enters the cgroup itself, through a one-line shell in front of the
runtime command (``wrap``): written "0" to a ``cgroup.procs`` file, the kernel
moves the writer, and everything it execs and forks stays inside. Under cgroup v2
the memory cap (lambda_kit.local.memory) may already have put the runtime in a
cgroup of its own; moving it would lift that cap, so the shell then writes
``cpu.max`` of the cgroup it is in instead.
"""

from __future__ import annotations

import contextlib
import os
import shutil

from lambda_kit.local.memory import sweep_orphans

#: memory that buys one full vCPU (AWS Lambda developer guide, "Configuring memory")
MB_PER_VCPU = 1769
#: Lambda's most: 6 vCPUs at 10,240 MB (same page)
LAMBDA_MAX_VCPUS = 6
PERIOD_US = 20_000
_SH = shutil.which("sh") or "/bin/sh"
#: CPU weight of the environments against the machine's other processes (default 1024 / 100)
PRIORITY_SHARES = 10_240
PRIORITY_WEIGHT = 1_000
#: the kernel refuses a CFS quota below 1 ms
MIN_QUOTA_US = 1_000


def lambda_vcpus(memory_mb: int) -> float:
    """The vCPUs Lambda gives ``memory_mb`` (in proportion, at most 6).

    >>> lambda_vcpus(1769), round(lambda_vcpus(256), 3)
    (1.0, 0.145)
    """
    return min(memory_mb / MB_PER_VCPU, float(LAMBDA_MAX_VCPUS))


def machine_cpus() -> int:
    """CPUs this process may run on."""
    try:
        return len(os.sched_getaffinity(0))
    except (AttributeError, OSError):  # pragma: no cover - not Linux
        return os.cpu_count() or 1


def quota_us(memory_mb: int, cpus: int) -> int:
    """The CFS quota per ``PERIOD_US`` for ``memory_mb``, capped at ``cpus`` CPUs.

    >>> quota_us(1769, 2), quota_us(128, 2), quota_us(10240, 2)
    (20000, 1448, 40000)
    """
    share = min(lambda_vcpus(memory_mb), float(cpus))
    return max(MIN_QUOTA_US, round(share * PERIOD_US + 0.4999))


class CpuCap:
    """One cgroup with a CPU quota, for the environments of one memory size.

    cap = CpuCap.create(controller, 256, "lambda-kit-tune-123-256")
    fn.command_prefix = cap.wrap()   # the runtime enters it before it execs
    cap.remove()
    """

    def __init__(self, controller: Controller, path: str, quota: int) -> None:
        self.controller = controller
        self.path = path
        self.quota = quota

    @classmethod
    def create(cls, controller: Controller, memory_mb: int, name: str) -> CpuCap:
        """The cgroup for ``memory_mb``; ``OSError`` when the kernel refuses it."""
        quota = quota_us(memory_mb, machine_cpus())
        path = os.path.join(controller.base, name)
        os.mkdir(path)
        try:
            if controller.version == 1:
                _write(os.path.join(path, "cpu.cfs_period_us"), str(PERIOD_US))
                _write(os.path.join(path, "cpu.cfs_quota_us"), str(quota))
            else:
                _write(os.path.join(path, "cpu.max"), f"{quota} {PERIOD_US}")
            # up to its quota, the environment comes before the machine's other work, so
            # a busy machine disturbs the measurement less (a weight, not a reservation)
            with contextlib.suppress(OSError):
                if controller.version == 1:
                    _write(os.path.join(path, "cpu.shares"), str(PRIORITY_SHARES))
                else:
                    _write(os.path.join(path, "cpu.weight"), str(PRIORITY_WEIGHT))
        except OSError:
            _rmdir(path)
            raise
        return cls(controller, path, quota)

    @property
    def vcpus(self) -> float:
        """The CPUs this cap allows."""
        return self.quota / PERIOD_US

    def wrap(self) -> list[str]:
        """A command prefix: the runtime moves itself under this cap, then execs."""
        if self.controller.version == 1:
            return [_SH, "-c", _ENTER, "sh", os.path.join(self.path, "cgroup.procs")]
        return [
            _SH,
            "-c",
            _ENTER_V2,
            "sh",
            os.path.join(self.path, "cgroup.procs"),
            self.controller.mount,
            f"{self.quota} {PERIOD_US}",
        ]

    def remove(self) -> None:
        """Delete the cgroup (its processes are gone by now; a busy one is retried)."""
        _rmdir(self.path)


# "$1": the cgroup.procs to enter; then the runtime command
_ENTER = (
    'echo 0 > "$1" || { echo "lambda-kit tune: cannot enter the CPU cgroup $1" >&2; exit 97; }\n'
    "shift\n"
    'exec "$@"\n'
)
# "$1" procs to enter, "$2" the cgroup2 mount, "$3" the cpu.max value; inside a lambda-kit
# memory cgroup (lambda-kit-PID-N) the quota goes on that cgroup, so the memory cap stays
_ENTER_V2 = (
    "rel=\n"
    "while IFS= read -r line; do case $line in 0::*) rel=${line#0::};; esac; done"
    " < /proc/self/cgroup\n"
    'case ${rel##*/} in lambda-kit-[0-9]*) target="$2$rel/cpu.max"; value=$3;;'
    " *) target=$1; value=0;; esac\n"
    'echo "$value" > "$target" || { echo "lambda-kit tune: cannot write $target" >&2; exit 97; }\n'
    "shift 3\n"
    'exec "$@"\n'
)


class Controller:
    """Where CPU cgroups can be made: cgroup ``version``, the ``base`` dir, its ``mount``."""

    def __init__(self, version: int, base: str, mount: str) -> None:
        self.version = version
        self.base = base
        self.mount = mount

    @property
    def interface(self) -> str:
        """The files that carry the quota, for messages."""
        if self.version == 1:
            return "cgroup v1 cpu.cfs_quota_us/cpu.cfs_period_us"
        return "cgroup v2 cpu.max"


def find_controller(
    cgroup_file: str = "/proc/self/cgroup", mountinfo_file: str = "/proc/self/mountinfo"
) -> tuple[Controller | None, str]:
    """A writable CPU controller (v1 first where both exist), or None and why not.

    Writability is tried, not guessed: a probe cgroup is made, given a quota and
    removed.
    """
    candidates = _candidates(cgroup_file, mountinfo_file)
    for controller in candidates:
        sweep_orphans(controller.base, "lambda-kit-tune-")
    if not candidates:
        return None, "no cgroup with the cpu controller is mounted here"
    reasons = []
    for controller in candidates:
        probe = os.path.join(controller.base, f"lambda-kit-probe-{os.getpid()}")
        try:
            cap = CpuCap.create(controller, MB_PER_VCPU, os.path.basename(probe))
        except OSError as exc:
            reasons.append(f"{controller.interface} under {controller.base}: {exc.strerror or exc}")
            continue
        cap.remove()
        return controller, ""
    return None, "; ".join(reasons)


def _candidates(cgroup_file: str, mountinfo_file: str) -> list[Controller]:
    try:
        with open(cgroup_file) as f:
            entries = [line.rstrip("\n").split(":", 2) for line in f]
        with open(mountinfo_file) as f:
            mounts = [line.split() for line in f]
    except OSError:
        return []
    found: list[Controller] = []
    for entry in entries:
        if len(entry) != 3:
            continue
        _, controllers, rel = entry
        for m in mounts:
            if "-" not in m:
                continue
            sep = m.index("-")
            fstype, options, mount_point, root = m[sep + 1], m[-1], m[4], m[3]
            base = os.path.normpath(os.path.join(mount_point, os.path.relpath(rel, root)))
            if (
                fstype == "cgroup"
                and "cpu" in controllers.split(",")
                and "cpu" in options.split(",")
            ):
                found.append(Controller(1, base, mount_point))
            elif controllers == "" and fstype == "cgroup2" and _v2_has_cpu(base):
                found.append(Controller(2, base, mount_point))
    found.sort(key=lambda c: c.version)
    return found


def _v2_has_cpu(base: str) -> bool:
    """Whether children of ``base`` get the cpu controller (enabling it if we may)."""
    control = os.path.join(base, "cgroup.subtree_control")
    try:
        with open(control) as f:
            if "cpu" in f.read().split():
                return True
        _write(control, "+cpu")
        return True
    except OSError:
        return False


def _write(path: str, value: str) -> None:
    with open(path, "w") as f:
        f.write(value)


def _rmdir(path: str) -> None:
    import time

    for _ in range(100):  # busy until its last process is reaped
        try:
            os.rmdir(path)
            return
        except FileNotFoundError:
            return
        except OSError:
            time.sleep(0.01)
    with contextlib.suppress(OSError):
        os.rmdir(path)
