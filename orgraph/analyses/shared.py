"""The tables one audit's analyses share, built once per org.

An audit asks for the same person-time panels, monthly panels and exposure
tables many times. :func:`cached` builds each once per org and name and keeps
it for as long as the org lives (a weak reference: nothing is kept for an org
no longer in use); :func:`release` lets go of them all, as the audit does
before it writes the pack.
"""
from __future__ import annotations

import weakref

__all__ = ["cached", "release", "tables_of"]

_CACHE: "weakref.WeakKeyDictionary" = weakref.WeakKeyDictionary()


def tables_of(org) -> dict | None:
    """The shared tables kept for ``org`` (name -> table), created empty on first use; ``None`` when ``org``
    cannot be weakly referenced (then nothing is kept).

    Examples
    --------
    >>> class Org: pass
    >>> org = Org()
    >>> tables_of(org)
    {}
    >>> tables_of(1) is None
    True
    """
    try:
        return _CACHE.setdefault(org, {})
    except TypeError:
        return None


def cached(org, name: str, build, *, copy: bool = True):
    """``build()`` once per org and name (analyses of one audit share these tables); a copy each time, or with
    ``copy=False`` the one shared table, which callers must treat as read-only.

    Examples
    --------
    >>> class Org: pass
    >>> org, calls = Org(), []
    >>> cached(org, "n", lambda: calls.append(1) or [1]), cached(org, "n", lambda: calls.append(1) or [1]), calls
    ([1], [1], [1])
    """
    store = tables_of(org)
    if store is None:
        return build()
    if name not in store:
        store[name] = build()
    return store[name].copy() if copy else store[name]


def release(org) -> None:
    """Forget every table :func:`cached` holds for ``org`` (an analysis run afterwards builds them again).

    Examples
    --------
    >>> class Org: pass
    >>> org = Org()
    >>> cached(org, "n", lambda: [1], copy=False) is cached(org, "n", lambda: [2], copy=False)
    True
    >>> release(org); cached(org, "n", lambda: [2])
    [2]
    """
    try:
        _CACHE.pop(org, None)
    except TypeError:           # not weakly referable: nothing was kept
        pass
