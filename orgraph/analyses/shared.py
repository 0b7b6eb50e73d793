"""The tables one audit's analyses share, built once per org.

An audit asks for the same person-time panels, monthly panels and exposure
tables many times. :func:`cached` builds each once per org and name and keeps
it for as long as the org lives (a weak reference: nothing is kept for an org
no longer in use); :func:`release` lets go of them all, as the audit does
before it writes the pack, and :func:`keep_only` of those no step still to
come reads (the audit drops each panel after its last reader).

A table's *kind* is its name up to the first ``:`` (``person_time:2026-01-01``
is a ``person_time`` table). :func:`recording` lists the kinds read while a
block runs: the registry declares, per analysis, the kinds it reads, and a
test checks the declarations against what the analyses really read.
"""
from __future__ import annotations

import contextlib
import weakref

__all__ = ["cached", "release", "tables_of", "kind", "keep_only", "recording", "expect", "done_with"]

_CACHE: "weakref.WeakKeyDictionary" = weakref.WeakKeyDictionary()
#: Per org, the kinds of table the steps after the running analysis read (:func:`expect`).
_EXPECTED: "weakref.WeakKeyDictionary" = weakref.WeakKeyDictionary()
#: Open :func:`recording` blocks: each a set collecting the kinds of table read.
_RECORDERS: list[set] = []


def kind(name: str) -> str:
    """The kind of the shared table called ``name``: the name up to its first ``:``.

    Examples
    --------
    >>> kind("person_time:2026-01-01"), kind("person_months")
    ('person_time', 'person_months')
    """
    return name.split(":", 1)[0]


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


def keep_only(org, kinds) -> list[str]:
    """Forget the tables kept for ``org`` whose kind is not in ``kinds``; returns the names forgotten.

    Examples
    --------
    >>> class Org: pass
    >>> org = Org()
    >>> _ = cached(org, "person_time:2026-01-01", lambda: [1]), cached(org, "doc_ratios", lambda: [2])
    >>> keep_only(org, {"doc_ratios"}), sorted(tables_of(org))
    (['person_time:2026-01-01'], ['doc_ratios'])
    """
    store = tables_of(org)
    if not store:
        return []
    gone = [name for name in store if kind(name) not in kinds]
    for name in gone:
        del store[name]
    return gone


def expect(org, kinds) -> None:
    """Say which kinds of table the steps after the running one read (``None``: nothing is known, keep all).

    The audit says so before each analysis; :func:`done_with` then lets an analysis drop a large table
    halfway through, once it has built what it needs from it.

    Examples
    --------
    >>> class Org: pass
    >>> org = Org()
    >>> expect(org, {"person_months"}); expect(org, None)
    """
    try:
        if kinds is None:
            _EXPECTED.pop(org, None)
        else:
            _EXPECTED[org] = frozenset(kinds)
    except TypeError:           # not weakly referable: nothing is kept anyway
        pass


def done_with(org, kind_: str) -> list[str]:
    """Forget the tables of kind ``kind_`` kept for ``org`` when the running analysis is their last reader:
    when :func:`expect` said which kinds later steps read and ``kind_`` is not one of them. Returns the names
    forgotten (none when nothing was said: a table is never dropped that a later step might read).

    Examples
    --------
    >>> class Org: pass
    >>> org = Org()
    >>> _ = cached(org, "person_time:2026-01-01", lambda: [1])
    >>> done_with(org, "person_time")
    []
    >>> expect(org, {"doc_ratios"})
    >>> done_with(org, "person_time")
    ['person_time:2026-01-01']
    """
    try:
        later = _EXPECTED.get(org)
    except TypeError:
        return []
    if later is None or kind_ in later:
        return []
    store = tables_of(org) or {}
    gone = [name for name in store if kind(name) == kind_]
    for name in gone:
        del store[name]
    return gone


@contextlib.contextmanager
def recording():
    """Collect, in the set this yields, the kinds of shared table read through :func:`cached` while the block
    runs.

    Examples
    --------
    >>> class Org: pass
    >>> org = Org()
    >>> with recording() as seen:
    ...     _ = cached(org, "person_months", lambda: [1])
    >>> seen
    {'person_months'}
    """
    seen: set = set()
    _RECORDERS.append(seen)
    try:
        yield seen
    finally:
        _RECORDERS.remove(seen)


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
    for seen in _RECORDERS:
        seen.add(kind(name))
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
