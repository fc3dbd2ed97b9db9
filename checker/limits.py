"""A memory limit that holds from the first instruction of a run, set-up included.

Compiling a large system or planning its symmetry can take gigabytes before the first state is
explored, so a limit checked only between states comes too late. :class:`MemoryGuard` samples
the process's resident memory on a helper thread; once it is over the limit it sets
``tripped`` (which the explorer polls on every state, to stop cleanly with what it has) and,
while ``raising`` is set, interrupts the main thread with :class:`MemoryExhausted` (set-up has
nothing to keep). The interrupt is delivered between bytecodes, like Ctrl-C, through a
Python-level handler for ``SIGUSR2`` that exists only inside the guard; off the main thread
only ``tripped`` is set.
"""

from __future__ import annotations

import _thread
import os
import resource
import signal
import threading
from types import FrameType, TracebackType
from typing import Any

__all__ = ["MemoryExhausted", "MemoryGuard", "rss_bytes"]

_PAGE = os.sysconf("SC_PAGE_SIZE") if hasattr(os, "sysconf") else 4096


def rss_bytes() -> int:
    """The current resident memory (Linux ``/proc``), else the peak."""
    try:
        with open("/proc/self/statm", "rb") as f:
            return int(f.read().split()[1]) * _PAGE
    except (OSError, IndexError, ValueError):
        return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss * 1024


class MemoryExhausted(Exception):
    """The memory limit was reached before there was anything to keep."""


class MemoryGuard:
    """``with MemoryGuard(limit_mb):`` watches memory until the block ends (None: no limit)."""

    def __init__(self, limit_mb: int | None, *, raising: bool = False, every: float = 0.02):
        self.limit = None if limit_mb is None else limit_mb * 1024 * 1024
        self.limit_mb = limit_mb
        self.raising = raising
        self.tripped = False
        self._every = every
        self._stop = threading.Event()
        self._thread: threading.Thread | None = None
        self._old: Any = None
        self._interrupts = raising and threading.current_thread() is threading.main_thread()

    def _handler(self, _sig: int, _frame: FrameType | None) -> None:
        if self.raising:
            raise MemoryExhausted(f"memory limit of {self.limit_mb} MB")

    def _watch(self) -> None:
        assert self.limit is not None
        while not self._stop.wait(self._every):
            if rss_bytes() > self.limit:
                self.tripped = True
                if self.raising and self._interrupts:
                    _thread.interrupt_main(signal.SIGUSR2)
                return

    def check(self) -> bool:
        """Sample now (the thread samples every ``every`` seconds); True when over."""
        if self.limit is not None and not self.tripped and rss_bytes() > self.limit:
            self.tripped = True
        return self.tripped

    def __enter__(self) -> MemoryGuard:
        if self.limit is None:
            return self
        if self._interrupts:
            self._old = signal.signal(signal.SIGUSR2, self._handler)
        if self.check() and self.raising:
            self.__exit__(None, None, None)
            raise MemoryExhausted(f"memory limit of {self.limit_mb} MB")
        self._thread = threading.Thread(target=self._watch, name="vfpath-memory", daemon=True)
        self._thread.start()
        return self

    def __exit__(
        self,
        _t: type[BaseException] | None,
        _e: BaseException | None,
        _tb: TracebackType | None,
    ) -> None:
        self.raising = False
        self._stop.set()
        if self._thread is not None:
            self._thread.join()
            self._thread = None
        if self._old is not None:
            signal.signal(signal.SIGUSR2, self._old)
            self._old = None
