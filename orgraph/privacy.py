"""Privacy: keyed pseudonyms, references to people inside text, and small-cell suppression.

Anonymized output (maps, packs, the audit) shows people only as keyed
pseudonyms: ``P-`` and the first ten hex digits of HMAC-SHA256 of their id
under a key the user keeps. The same key gives the same pseudonym on every
run, so two packs made months apart can be compared; without the key a
pseudonym cannot be turned back into an id by trying ids.

Text written about people before anyone knows how it will be shown (the
reasons a person is flagged) names them with :func:`staff_ref`; the renderer
turns each reference into a name or a pseudonym with
:func:`expand_staff_refs`, so a name never reaches anonymized output through
a sentence.

In anonymized tables a count of 1 to ``min_cell - 1`` people is shown as
``"<min_cell"`` (:func:`suppress`).
"""
from __future__ import annotations

import hashlib
import hmac
import re
from collections.abc import Callable

from .errors import ConfigError

__all__ = ["Pseudonymizer", "staff_ref", "expand_staff_refs", "suppress"]

_STAFF_REF = re.compile("\u27e8staff:([^\u27e9]*)\u27e9")


class Pseudonymizer:
    """Stable keyed pseudonyms: the same id and key always give the same name.

    Parameters
    ----------
    key : str or bytes
        The secret key (a str is encoded as UTF-8).

    Raises
    ------
    ConfigError
        When ``key`` is empty or None.

    Notes
    -----
    A pseudonym is ``"P-"`` followed by the first ten hex digits (upper case)
    of HMAC-SHA256 of the id under ``key``. Pseudonyms are cached per instance.

    Examples
    --------
    >>> p = Pseudonymizer("secret")
    >>> p("S-1") == Pseudonymizer("secret")("S-1"), p("S-1") == Pseudonymizer("other")("S-1")
    (True, False)
    >>> p("S-1").startswith("P-"), len(p("S-1"))
    (True, 12)
    >>> Pseudonymizer("")
    Traceback (most recent call last):
    ...
    orgraph.errors.ConfigError: anonymizing needs a key (--key or ORGRAPH_ANON_KEY): the same key gives the same pseudonyms across runs
    """

    def __init__(self, key: str | bytes):
        if not key:
            raise ConfigError("anonymizing needs a key (--key or ORGRAPH_ANON_KEY): the same key gives the same "
                              "pseudonyms across runs")
        self.key = key.encode("utf-8") if isinstance(key, str) else key
        self._cache: dict[str, str] = {}

    def __call__(self, staff_id: str) -> str:
        """The pseudonym of ``staff_id``."""
        out = self._cache.get(staff_id)
        if out is None:
            digest = hmac.new(self.key, str(staff_id).encode("utf-8"), hashlib.sha256).hexdigest()
            out = self._cache[staff_id] = "P-" + digest[:10].upper()
        return out


def staff_ref(staff_id: str) -> str:
    """A reference to a person inside a reason text, shown as their name, or pseudonym when anonymized.

    Parameters
    ----------
    staff_id : str

    Returns
    -------
    str
        ``staff_id`` between the marks ``\u27e8staff:`` and ``\u27e9``; see :func:`expand_staff_refs`.

    Examples
    --------
    >>> staff_ref("S-3")
    '\u27e8staff:S-3\u27e9'
    """
    return f"\u27e8staff:{staff_id}\u27e9"


def expand_staff_refs(text: str, name_of: Callable[[str], str]) -> str:
    """Replace every :func:`staff_ref` in ``text`` with ``name_of(staff_id)``.

    Parameters
    ----------
    text : str
    name_of : callable
        Staff id -> how the person is shown (a name, or a :class:`Pseudonymizer`).

    Returns
    -------
    str

    Examples
    --------
    >>> expand_staff_refs(f"Left after {staff_ref('S3')} left", {"S3": "Cy (S3)"}.get)
    'Left after Cy (S3) left'
    >>> expand_staff_refs(f"Left after {staff_ref('S3')} left", Pseudonymizer("k"))
    'Left after P-DBF84EB23F left'
    """
    return _STAFF_REF.sub(lambda m: name_of(m.group(1)), text)


def suppress(value, min_cell: int):
    """A people count as shown in an anonymized table: ``"<min_cell"`` when 1 .. min_cell-1.

    Parameters
    ----------
    value : object
        A table cell. Only numbers (not booleans) are suppressed.
    min_cell : int
        The smallest count shown as is.

    Returns
    -------
    object
        ``f"<{min_cell}"`` for a number in the open interval (0, ``min_cell``), else ``value`` unchanged.

    Examples
    --------
    >>> suppress(3, 5), suppress(0, 5), suppress(12, 5)
    ('<5', 0, 12)
    >>> suppress(2.0, 5), suppress(True, 5), suppress("x", 5)
    ('<5', True, 'x')
    """
    if isinstance(value, (int, float)) and not isinstance(value, bool) and 0 < value < min_cell:
        return f"<{min_cell}"
    return value
