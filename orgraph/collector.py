"""Python's cyclic garbage collector, paused while orgraph makes many small objects that hold no cycles."""
from __future__ import annotations

import contextlib
import gc

__all__ = ["paused"]


@contextlib.contextmanager
def paused():
    """Pause Python's cyclic garbage collector for the block, then put it back as it was.

    Results, findings and packs are made of hundreds of thousands of small dicts, lists and strings (records,
    map nodes, tooltips, graph attributes): each allocation threshold they cross starts a collection, and
    every full collection walks all the objects the process holds (the bundle's records, the analyses'
    results), seconds at 50,000 staff, to find no garbage: such plain records make no cycles. Inside the
    block the objects already there are frozen (:func:`gc.freeze`: no collection looks at them) and
    collection is off; on leaving, they are unfrozen and collection is enabled again when it was. When
    something else froze objects before, they are left frozen and only collection is paused.

    Examples
    --------
    >>> was = gc.isenabled()
    >>> with paused():
    ...     gc.isenabled()
    False
    >>> gc.isenabled() == was
    True
    """
    enabled, freeze = gc.isenabled(), gc.get_freeze_count() == 0
    if freeze:
        gc.freeze()
    gc.disable()
    try:
        yield
    finally:
        if freeze:
            gc.unfreeze()
        if enabled:
            gc.enable()
