"""Close kept connections when the environment shuts down, without stealing the signal.

Lambda's SHUTDOWN phase sends SIGTERM to the runtime (when an extension is
registered) and then, after a grace period, SIGKILL. Python's default is to die
on SIGTERM without running ``atexit``, so a handler is installed that closes
the connections and then does what was there before: calls the previous Python
handler, or ignores the signal if it was ignored, or dies of it as by default.
"""

from __future__ import annotations

import atexit
import os
import signal
import threading
from collections.abc import Callable
from types import FrameType

# typing costs ~5 ms to import on a cold start: names for annotations only
TYPE_CHECKING = False
if TYPE_CHECKING:
    from typing import Any


_installed = False
_previous: Any = None
_close_all: Callable[[], None] | None = None


def _on_sigterm(signum: int, frame: FrameType | None) -> None:
    if _close_all is not None:
        _close_all()
    previous = _previous
    if callable(previous):
        previous(signum, frame)
    elif previous == signal.SIG_IGN:
        return
    else:  # SIG_DFL (or unknown, set from C): die of the signal as the default would
        signal.signal(signum, signal.SIG_DFL)
        os.kill(os.getpid(), signum)


def install(close_all: Callable[[], None]) -> None:
    """Run ``close_all`` at exit and on SIGTERM (chained to the existing handler), once."""
    global _installed, _previous, _close_all
    if _installed:
        return
    _installed = True
    _close_all = close_all
    atexit.register(close_all)
    # signal handlers can only be set from the main thread; elsewhere atexit has to do
    if threading.current_thread() is threading.main_thread():
        previous = signal.getsignal(signal.SIGTERM)
        if previous is not _on_sigterm:
            _previous = previous
            signal.signal(signal.SIGTERM, _on_sigterm)
