"""Giving freed heap memory back to the system after a large request.

glibc keeps memory a thread freed in that thread's arena, and raises its mmap threshold each time a large
block is freed, so after one large body (a tree of tens of megabytes, built and dropped) the worker's resident
set stays where the peak left it. ``malloc_trim`` returns the free pages of every arena. It walks them all, so
it is called only after a body larger than 64 KiB (``wsgi``), never on an ordinary call.
"""

from __future__ import annotations

import ctypes
import ctypes.util
import sys


def _malloc_trim():
    if not sys.platform.startswith("linux"):
        return None
    try:
        libc = ctypes.CDLL(ctypes.util.find_library("c") or "libc.so.6")
        return libc.malloc_trim  # glibc only: musl has none (AttributeError)
    except (OSError, AttributeError):
        return None


_TRIM = _malloc_trim()


def give_back_free_memory() -> bool:
    """Return the heap's free pages to the system; False where the C library cannot."""
    if _TRIM is None:
        return False
    _TRIM(0)
    return True
