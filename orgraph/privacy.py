"""Privacy: keyed pseudonyms, references to people inside text, coarse dates and small-cell suppression.

Anonymized output (maps, packs, the audit) shows people only as keyed
pseudonyms: ``P-`` and the first ten hex digits of HMAC-SHA256 of their id
under a key derived from the user's secret. The same key gives the same
pseudonym on every run, so two packs made months apart can be compared.

The key must be strong (:data:`KEY_RULE`, checked by :func:`check_key`;
:func:`new_key` makes one), and the HMAC key is derived from it once per
process with scrypt (:func:`derive_key`: :data:`SCRYPT_N`, :data:`SCRYPT_R`,
:data:`SCRYPT_P`, salt :data:`KDF_SALT`), so every guess of the secret costs
an attacker that derivation (a fraction of a second and 32 MiB) before a
single pseudonym can be checked.

Text written about people before anyone knows how it will be shown (the
reasons a person is flagged) names them with :func:`staff_ref` and their seats
with :func:`seat_ref`; the renderer turns each reference into a name or a
pseudonym with :func:`expand_refs`, so a name never reaches anonymized output
through a sentence.

Anonymized output shows every date about a person as its month
(:func:`month`, :func:`coarsen_dates`), a tenure as a band
(:func:`tenure_band`), never how a person left (voluntary or not), and a
count of 1 to ``min_cell - 1`` people as ``"<min_cell"`` (:func:`suppress`).
"""
from __future__ import annotations

import datetime as dt
import functools
import hashlib
import hmac
import re
import secrets
import string
from collections.abc import Callable

from .errors import ConfigError

__all__ = ["Pseudonymizer", "KEY_RULE", "KDF_SALT", "SCRYPT_N", "SCRYPT_R", "SCRYPT_P", "key_problem", "check_key",
           "new_key", "derive_key", "staff_ref", "seat_ref", "expand_refs", "month", "coarsen_dates", "TENURE_BANDS",
           "tenure_band", "suppress"]

_REF = re.compile("\u27e8(staff|seat):([^\u27e9]*)\u27e9")

#: What a key needs (see :func:`key_problem`); said in the error for a weak key.
KEY_RULE = ("at least 16 characters, with at least 3 of the 4 kinds lower-case letters, upper-case letters, digits "
            "and other characters, and at least 8 different characters")
#: The fixed salt of the key derivation (changing it changes every pseudonym).
KDF_SALT = b"orgraph-pseudonym-v1"
#: scrypt cost parameters: N = 2**15, r = 8, p = 1 (32 MiB and about 0.1-0.3 s per derivation).
SCRYPT_N, SCRYPT_R, SCRYPT_P = 2 ** 15, 8, 1


def _text(key: str | bytes) -> str:
    if isinstance(key, str):
        return key
    try:
        return key.decode("utf-8")
    except UnicodeDecodeError:
        return key.decode("latin-1")


def key_problem(key: str | bytes | None) -> str | None:
    """What makes ``key`` too weak to key pseudonyms, or ``None`` when it meets :data:`KEY_RULE`.

    A key needs at least 16 characters, at least 3 of the 4 kinds (lower-case
    letters, upper-case letters, digits, other characters) and at least 8
    different characters. A short or all-digit key can be found by trying
    every candidate; this rule with the slow derivation (:func:`derive_key`)
    puts that out of reach.

    Examples
    --------
    >>> key_problem("4711")
    'it has 4 characters'
    >>> key_problem("correcthorsebatterystaple")
    'it uses 1 kind of character (lower-case letters)'
    >>> key_problem("aaaaaaaaAAAAAAAA1111"), key_problem("Riverbend-pack-2025!")
    ('it has 3 different characters', None)
    """
    text = _text(key or "")
    if len(text) < 16:
        return f"it has {len(text)} character{'s' if len(text) != 1 else ''}"
    kinds = [name for name, test in (("lower-case letters", str.islower), ("upper-case letters", str.isupper),
                                     ("digits", lambda c: c in string.digits))
             if any(test(c) for c in text)]
    if any(not (c.islower() or c.isupper() or c in string.digits) for c in text):
        kinds.append("other characters")
    if len(kinds) < 3:
        return f"it uses {len(kinds)} kind{'s' if len(kinds) != 1 else ''} of character ({', '.join(kinds)})"
    if len(set(text)) < 8:
        return f"it has {len(set(text))} different characters"
    return None


def check_key(key: str | bytes | None, *, source: str = "--key or ORGRAPH_ANON_KEY") -> None:
    """Raise :class:`~orgraph.errors.ConfigError` when ``key`` is missing or weaker than :data:`KEY_RULE`.

    Parameters
    ----------
    key : str or bytes or None
    source : str
        Where the key came from, named in the message.

    Examples
    --------
    >>> check_key("4711", source="--key")  # doctest: +ELLIPSIS
    Traceback (most recent call last):
    ...
    orgraph.errors.ConfigError: the anonymization key from --key is too weak (it has 4 characters): a key needs ...
    """
    if not key:
        raise ConfigError("anonymizing needs a key (--key or ORGRAPH_ANON_KEY, or --new-key to have one made): the "
                          "same key gives the same pseudonyms across runs")
    problem = key_problem(key)
    if problem:
        raise ConfigError(f"the anonymization key from {source} is too weak ({problem}): a key needs {KEY_RULE}; "
                          f"or pass --new-key to have one made")


def new_key() -> str:
    """A new random key meeting :data:`KEY_RULE`: 32 URL-safe characters (192 bits) from :mod:`secrets`.

    Examples
    --------
    >>> k = new_key()
    >>> len(k), key_problem(k), k == new_key()
    (32, None, False)
    """
    while True:
        key = secrets.token_urlsafe(24)
        if key_problem(key) is None:
            return key


@functools.lru_cache(maxsize=8)
def derive_key(key: bytes) -> bytes:
    """The HMAC key of the pseudonyms: scrypt of ``key`` (N=2**15, r=8, p=1, salt :data:`KDF_SALT`, 32 bytes).

    Derived once per key and process (cached), so a run pays for it once and
    an attacker pays for it on every guess.

    Examples
    --------
    >>> derive_key(b"Riverbend-pack-2025!").hex()[:16]
    'a983c5442fc41a61'
    """
    return hashlib.scrypt(key, salt=KDF_SALT, n=SCRYPT_N, r=SCRYPT_R, p=SCRYPT_P, maxmem=64 * 1024 * 1024, dklen=32)


class Pseudonymizer:
    """Stable keyed pseudonyms: the same id and key always give the same name.

    Parameters
    ----------
    key : str or bytes
        The secret key (a str is encoded as UTF-8); it must meet :data:`KEY_RULE`.

    Raises
    ------
    ConfigError
        When ``key`` is empty, None or too weak (:func:`check_key`).

    Notes
    -----
    A pseudonym is ``"P-"`` followed by the first ten hex digits (upper case)
    of HMAC-SHA256 of the id under :func:`derive_key` of ``key``; a seat's is
    ``"seat-"`` and the same ten digits of its id (:meth:`seat`). Pseudonyms
    are cached per instance.

    Examples
    --------
    >>> p = Pseudonymizer("Riverbend-pack-2025!")
    >>> p("S-1") == Pseudonymizer("Riverbend-pack-2025!")("S-1"), p("S-1") == Pseudonymizer("Other-key-2025!!")("S-1")
    (True, False)
    >>> p("S-1").startswith("P-"), len(p("S-1")), p.seat("OP-CLN1").startswith("seat-")
    (True, 12, True)
    >>> Pseudonymizer("")  # doctest: +ELLIPSIS
    Traceback (most recent call last):
    ...
    orgraph.errors.ConfigError: anonymizing needs a key (--key or ORGRAPH_ANON_KEY, or --new-key to have one made): ...
    """

    def __init__(self, key: str | bytes):
        check_key(key)
        self._hmac_key = derive_key(key.encode("utf-8") if isinstance(key, str) else bytes(key))
        self._cache: dict[str, str] = {}

    def _digits(self, id_: str) -> str:
        out = self._cache.get(id_)
        if out is None:
            digest = hmac.new(self._hmac_key, str(id_).encode("utf-8"), hashlib.sha256).hexdigest()
            out = self._cache[id_] = digest[:10].upper()
        return out

    def __call__(self, staff_id: str) -> str:
        """The pseudonym of ``staff_id``."""
        return "P-" + self._digits(staff_id)

    def seat(self, position_id: str) -> str:
        """The pseudonym of a seat (a seat can name the one person who holds it)."""
        return "seat-" + self._digits(position_id)


def staff_ref(staff_id: str) -> str:
    """A reference to a person inside a reason text, shown as their name, or pseudonym when anonymized.

    Parameters
    ----------
    staff_id : str

    Returns
    -------
    str
        ``staff_id`` between the marks ``\u27e8staff:`` and ``\u27e9``; see :func:`expand_refs`.

    Examples
    --------
    >>> staff_ref("S-3")
    '\u27e8staff:S-3\u27e9'
    """
    return f"\u27e8staff:{staff_id}\u27e9"


def seat_ref(position_id: str) -> str:
    """A reference to a seat inside a reason text, shown as its id, or its pseudonym when anonymized.

    Examples
    --------
    >>> seat_ref("OP-CLN1")
    '\u27e8seat:OP-CLN1\u27e9'
    """
    return f"\u27e8seat:{position_id}\u27e9"


def expand_refs(text: str, name_of: Callable[[str], str], seat_of: Callable[[str], str] = str) -> str:
    """Replace every :func:`staff_ref` in ``text`` with ``name_of(staff_id)`` and every :func:`seat_ref`
    with ``seat_of(position_id)``.

    Parameters
    ----------
    text : str
    name_of : callable
        Staff id -> how the person is shown (a name, or a :class:`Pseudonymizer`).
    seat_of : callable
        Position id -> how the seat is shown (default: its id; :meth:`Pseudonymizer.seat` when anonymized).

    Returns
    -------
    str

    Examples
    --------
    >>> expand_refs(f"Left after {staff_ref('S3')} left {seat_ref('OP-1')}", {"S3": "Cy (S3)"}.get)
    'Left after Cy (S3) left OP-1'
    >>> p = Pseudonymizer("Riverbend-pack-2025!")
    >>> expand_refs(f"{staff_ref('S3')} in {seat_ref('OP-1')}", p, p.seat) == f"{p('S3')} in {p.seat('OP-1')}"
    True
    """
    return _REF.sub(lambda m: (name_of if m.group(1) == "staff" else seat_of)(m.group(2)), text)


def month(day) -> str:
    """How anonymized output shows a date about a person: its month, ``YYYY-MM``.

    Examples
    --------
    >>> month(dt.date(2025, 9, 3)), month("2025-09-03")
    ('2025-09', '2025-09')
    """
    return str(day.isoformat() if isinstance(day, dt.date) else day)[:7]


_ISO_DAY = re.compile(r"(?<![0-9-])([0-9]{4}-[0-9]{2})-[0-9]{2}(?![0-9])")


def coarsen_dates(value):
    """``value`` with every ISO date (``YYYY-MM-DD``) in its strings shown as its month.

    Dicts and lists are walked (keys are left as they are); other values are returned unchanged.

    Examples
    --------
    >>> coarsen_dates({"a": "Left on 2025-09-03, 2025-10-01 to 2025-12-31", "b": ["2024-01-31"], "c": 3})
    {'a': 'Left on 2025-09, 2025-10 to 2025-12', 'b': ['2024-01'], 'c': 3}
    """
    if isinstance(value, str):
        return _ISO_DAY.sub(lambda m: m.group(1), value)
    if isinstance(value, dict):
        return {k: coarsen_dates(v) for k, v in value.items()}
    if isinstance(value, (list, tuple)):
        return [coarsen_dates(v) for v in value]
    return value


#: Tenure bands of anonymized output: (upper bound in days, exclusive, or None; label).
TENURE_BANDS = ((365, "under 1 year"), (730, "1-2 years"), (1826, "2-5 years"), (3652, "5-10 years"),
                (None, "10 years or more"))


def tenure_band(days: int) -> str:
    """How anonymized output shows a tenure: a band of :data:`TENURE_BANDS`, never the days.

    Examples
    --------
    >>> tenure_band(77), tenure_band(400), tenure_band(3979), tenure_band(8177)
    ('under 1 year', '1-2 years', '10 years or more', '10 years or more')
    """
    for upper, label in TENURE_BANDS:
        if upper is None or days < upper:
            return label
    return TENURE_BANDS[-1][1]


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
