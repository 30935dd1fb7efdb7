"""Peak resident memory of this process, as REPORT's "Max Memory Used".

``getrusage(RUSAGE_SELF).ru_maxrss`` is cheap (~0.5 us) and is what we read on
every invocation. It has one trap: across ``exec``, Linux keeps the high-water
mark of the image that called exec (fs/exec.c, ``exec_mmap`` folds the old
mm's ``hiwater_rss`` into ``signal->maxrss``). A runtime started by vfork from a
large process (Go's os/exec, Python's subprocess) therefore begins with its
spawner's peak as a floor under ``ru_maxrss``. On the first invocation we
compare it with the kernel's own ``VmHWM`` for this image (/proc/self/status,
read once, ~10 us); when ``ru_maxrss`` is well above it, that value is an
inherited floor, and until our own peak passes it we read ``VmHWM`` instead.
"""

from __future__ import annotations

import os

#: ru_maxrss (KiB) inherited across exec; 0 when there was none
floor_kib = 0
_SLACK_KIB = 2048  # what the two figures may differ by without an inherited floor


def own_peak_kib() -> int:
    """``VmHWM`` of this process in KiB (0 when /proc is not there)."""
    try:
        with open("/proc/self/status", "rb") as f:
            for line in f:
                if line.startswith(b"VmHWM:"):
                    return int(line.split()[1])
    except (OSError, ValueError, IndexError):
        pass
    return 0


def detect_floor(maxrss_kib: int) -> None:
    """Note whether ``ru_maxrss`` (``maxrss_kib``) carries a spawner's peak."""
    global floor_kib
    own = own_peak_kib()
    floor_kib = maxrss_kib if own and maxrss_kib > own + _SLACK_KIB else 0


def reset() -> None:
    """Forget the floor (a forked child starts from its parent's image: check again)."""
    global floor_kib
    floor_kib = 0


os.register_at_fork(after_in_child=reset)
