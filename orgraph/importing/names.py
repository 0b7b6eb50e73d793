"""Person names as HRIS exports write them, and matching a manager's name to a person.

Rosters often name a manager (``Brandon R. LeBlanc``) in a different style
from the employee column (``LeBlanc, Brandon  R``). Names are compared after
normalising: case folded, dots and extra spaces removed, ``Last, First``
turned into ``First Last``. Matching tries, in order, three keys and stops at
the first that finds anyone:

1. ``full``: every token in first-last order (``brandon r leblanc``);
2. ``no-initials``: single-letter tokens (middle initials) dropped
   (``brandon leblanc``);
3. ``any-order``: the remaining tokens as a set, for exports that write
   ``First Last`` and ``Last First`` inconsistently.

A key that finds two or more people is *ambiguous*: the name is reported and
no one is chosen.
"""
from __future__ import annotations

import unicodedata
from dataclasses import dataclass

__all__ = ["name_tokens", "display_name", "NameIndex", "Match"]

_DROP = str.maketrans("", "", ".\u2019'`")


def _fold(text: str) -> str:
    if text.isascii():
        return text.casefold()
    text = unicodedata.normalize("NFKD", text)
    text = "".join(c for c in text if not unicodedata.combining(c))
    return text.casefold()


def name_tokens(name: str, *, order: str = "first_last") -> tuple[str, ...]:
    """Normalised tokens of a name, in first-name-first order.

    A comma means ``Last, First``. Without a comma the name is taken in
    ``order`` (``"first_last"`` or ``"last_first"``).

    Examples
    --------
    >>> name_tokens("LeBlanc, Brandon  R")
    ('brandon', 'r', 'leblanc')
    >>> name_tokens("Brandon R. LeBlanc")
    ('brandon', 'r', 'leblanc')
    >>> name_tokens("Ait Sidi, Karthikeyan   ")
    ('karthikeyan', 'ait', 'sidi')
    >>> name_tokens("O'Hare Lynn", order="last_first")
    ('lynn', 'ohare')
    """
    text = _fold(str(name)).translate(_DROP)
    if "," in text:
        last, _, first = text.partition(",")
        tokens = first.split() + last.split()
    else:
        tokens = text.split()
        if order == "last_first" and len(tokens) > 1:
            tokens = tokens[1:] + tokens[:1]
    return tuple(t for t in tokens if t)


def display_name(name: str) -> str:
    """A tidy display form: spaces collapsed, ``Last, First`` kept as written.

    Examples
    --------
    >>> display_name("  Adinolfi, Wilson  K ")
    'Adinolfi, Wilson K'
    >>> display_name("Alagbe,Trina")
    'Alagbe, Trina'
    """
    text = " ".join(str(name).split())
    if "," in text:
        last, _, first = text.partition(",")
        text = f"{last.strip()}, {first.strip()}" if first.strip() else last.strip()
    return text


def _keys(tokens: tuple[str, ...]) -> tuple[tuple, tuple, frozenset]:
    full = tokens
    no_init = tuple(t for t in tokens if len(t) > 1) or tokens
    return full, no_init, frozenset(no_init)


@dataclass(frozen=True)
class Match:
    """The outcome of looking up a name: ``ids`` found and the ``rule`` that found them."""

    name: str
    ids: tuple[str, ...]
    rule: str  # "full", "no-initials", "any-order" or "none"

    @property
    def unique(self) -> bool:
        return len(self.ids) == 1

    @property
    def ambiguous(self) -> bool:
        return len(self.ids) > 1


class NameIndex:
    """Look up people by name.

    Examples
    --------
    >>> ix = NameIndex()
    >>> ix.add("10134", "LeBlanc, Brandon  R")
    >>> ix.add("10001", "Smith, John")
    >>> ix.add("10002", "Smith, John")
    >>> ix.lookup("Brandon R. LeBlanc")
    Match(name='Brandon R. LeBlanc', ids=('10134',), rule='full')
    >>> ix.lookup("Brandon LeBlanc").rule
    'no-initials'
    >>> ix.lookup("John Smith").ids
    ('10001', '10002')
    >>> ix.lookup("Webster Butler").ids
    ()
    """

    def __init__(self, *, order: str = "first_last"):
        self.order = order
        self._maps: tuple[dict, dict, dict] = ({}, {}, {})

    def add(self, staff_id: str, name: str) -> None:
        tokens = name_tokens(name, order=self.order)
        if not tokens:
            return
        for m, k in zip(self._maps, _keys(tokens)):
            ids = m.setdefault(k, [])
            if staff_id not in ids:
                ids.append(staff_id)

    def lookup(self, name: str) -> Match:
        tokens = name_tokens(name, order=self.order)
        if not tokens:
            return Match(name, (), "none")
        for m, k, rule in zip(self._maps, _keys(tokens), ("full", "no-initials", "any-order")):
            ids = m.get(k)
            if ids:
                return Match(name, tuple(ids), rule)
        return Match(name, (), "none")
