"""Work-arounds for bugs in the Qt binding, applied once when ``wardrobe_app.ui`` loads.

PySide6 / shiboken6 6.12.0 on Python 3.11 hands back ``None`` (from every void method)
and ``True`` (from ``Signal.emit``) without taking a reference (the build assumes Python
3.12's immortal singletons), so each ``label.setText(...)`` lowers ``None``'s reference
count by one and each signal emission lowers ``True``'s. A fresh interpreter holds a few
thousand references to each; after that many Qt calls Python aborts with
"none_dealloc: deallocating None" or "bool_dealloc" (20,000 ``setText`` calls suffice).
PySide6 6.11.3 does not have the bug. Where the leak is detected, ``None``, ``True`` and
``False`` are made effectively immortal (as on Python 3.12+) by raising their reference
counts far out of reach.
"""

from __future__ import annotations

import ctypes
import logging
import sys

log = logging.getLogger(__name__)

_BOOST = 1 << 50
_applied = False


def singleton_refcounts_leak(calls: int = 64) -> bool:
    """True when void Qt calls or signal emissions lose references to None / True."""
    from PySide6.QtCore import QObject, Signal

    class _Probe(QObject):
        ping = Signal()

    probe = _Probe()
    none_before, true_before = sys.getrefcount(None), sys.getrefcount(True)
    for _ in range(calls):
        probe.setObjectName("probe")
        probe.ping.emit()
    leaked_none = sys.getrefcount(None) <= none_before - calls // 2
    leaked_true = sys.getrefcount(True) <= true_before - calls // 2
    return leaked_none or leaked_true


def protect_singletons() -> bool:
    """Apply the work-around where needed; returns True when it is in effect."""
    global _applied
    if _applied:
        return True
    if sys.version_info >= (3, 12) or sys.implementation.name != "cpython":
        return False  # the singletons are immortal there
    if not singleton_refcounts_leak():
        return False
    for obj in (None, True, False):
        # ob_refcnt is the first field (Py_ssize_t) of every CPython object.
        ctypes.c_ssize_t.from_address(id(obj)).value += _BOOST
    _applied = True
    log.info("PySide6 reference leak on None/True detected: made them immortal")
    return True
