"""Date formats in HRIS exports, with day/month ambiguity detected, never guessed.

A mapping either names a format (``date_format = "%m/%d/%Y"``, the codes of
Python's :func:`datetime.datetime.strptime`) or says ``"auto"``. With
``"auto"`` every value of every date column is looked at and a format is chosen
only if the values decide it: ``3/4/2015`` fits both month-first and
day-first, ``7/25/2011`` fits only month-first. If no value decides, or some
values are month-first and others day-first, the import stops and asks the
user to set the format.
"""
from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass

from ..errors import ConfigError

__all__ = ["CANDIDATE_FORMATS", "DateParser", "detect_format", "describe_format"]

#: Formats tried by ``date_format = "auto"``, in order of preference.
CANDIDATE_FORMATS = (
    "%Y-%m-%d",
    "%m/%d/%Y",
    "%d/%m/%Y",
    "%Y/%m/%d",
    "%d.%m.%Y",
    "%m-%d-%Y",
    "%d-%m-%Y",
    "%d-%b-%Y",
    "%d %b %Y",
    "%b %d, %Y",
    "%d-%b-%y",
    "%m/%d/%y",
    "%d/%m/%y",
    "%Y%m%d",
    "%Y-%m-%d %H:%M:%S",
    "%m/%d/%Y %H:%M",
    "%m/%d/%Y %I:%M:%S %p",
    "%d/%m/%Y %H:%M",
)

_NON_SEP = re.compile(r"[0-9A-Za-z]+")


def _signature(text: str) -> str:
    """The separators of a date text in order (``"7/5/2011"`` -> ``"//"``): a format can only fit texts
    with its own separators, so most formats are skipped without calling strptime."""
    return _NON_SEP.sub("", text)


_FORMAT_SIG = {f: _signature(re.sub(r"%[A-Za-z]", "0", f)) for f in CANDIDATE_FORMATS}

_SWAP = str.maketrans({"m": "d", "d": "m"})


def describe_format(fmt: str) -> str:
    """A human spelling of a strptime format.

    Examples
    --------
    >>> describe_format("%m/%d/%Y")
    'M/D/YYYY'
    """
    return (fmt.replace("%Y", "YYYY").replace("%y", "YY").replace("%m", "M").replace("%d", "D")
            .replace("%b", "Mon").replace("%H", "hh").replace("%I", "hh").replace("%M", "mm")
            .replace("%S", "ss").replace("%p", "AM"))


def _parse_one(text: str, fmt: str):
    try:
        return dt.datetime.strptime(text, fmt).date()
    except ValueError:
        return None


@dataclass
class DateParser:
    """Parses date cells with one format, caching repeated values.

    ``parse`` returns a ``datetime.date``, ``None`` for an empty cell, or raises
    ``ValueError`` with a message naming the expected format. Cells that are
    already dates (from Excel) are taken as they are.

    Examples
    --------
    >>> p = DateParser("%m/%d/%Y")
    >>> p.parse("7/5/2011"), p.parse("  ")
    (datetime.date(2011, 7, 5), None)
    >>> p.parse("2011-07-05")
    Traceback (most recent call last):
    ...
    ValueError: '2011-07-05' is not a date in the format M/D/YYYY (%m/%d/%Y)
    """

    fmt: str
    detected: bool = False
    evidence: str = ""
    extra: tuple[str, ...] = ()

    def __post_init__(self):
        self._cache: dict[str, dt.date | None] = {}

    def parse(self, value):
        if isinstance(value, dt.date):
            return value
        text = str(value).strip()
        if not text:
            return None
        try:
            out = self._cache[text]
        except KeyError:
            out = _parse_one(text, self.fmt)
            for f in self.extra:
                if out is not None:
                    break
                out = _parse_one(text, f)
            self._cache[text] = out
        if out is None:
            fmts = " or ".join(f"{describe_format(f)} ({f})" for f in (self.fmt, *self.extra))
            raise ValueError(f"{text!r} is not a date in the format {fmts}")
        return out

    @property
    def formats(self) -> list[str]:
        return [self.fmt, *self.extra]


def detect_format(values, *, where: str = "the date columns") -> DateParser:
    """Choose the one date format the values allow, or raise.

    Parameters
    ----------
    values : iterable of str or date
        Every cell of every date column set to ``"auto"`` (empty cells ignored).
    where : str
        Names the columns in messages.

    Returns
    -------
    DateParser
        With ``detected=True`` and ``evidence`` naming a value that decided it.

    Raises
    ------
    ConfigError
        When every value fits two formats that read them differently (day/month
        order undecided), when some values are day-first and others month-first,
        or when no known format fits.

    Examples
    --------
    >>> detect_format(["3/4/2015", "7/25/2011"]).fmt
    '%m/%d/%Y'
    >>> detect_format(["3/4/2015", "7/25/2011", "07/10/83"]).formats
    ['%m/%d/%Y', '%m/%d/%y']
    >>> detect_format(["3/4/2015", "5/6/2016"])
    Traceback (most recent call last):
    ...
    orgraph.errors.ConfigError: date_format = "auto" cannot decide the day/month order of the date columns: every value fits both M/D/YYYY and D/M/YYYY (for example '3/4/2015' is March 4 or April 3). Set date_format = "%m/%d/%Y" or "%d/%m/%Y" in the mapping.
    """
    texts = sorted({str(v).strip() for v in values if not isinstance(v, dt.date) and str(v).strip()})
    if not texts:
        return DateParser("%Y-%m-%d", detected=True, evidence="no text dates to decide from")
    sig = {t: _signature(t) for t in texts}
    groups: dict[str, list[str]] = {}
    for f in CANDIDATE_FORMATS:  # formats with the same order of day, month and year are one reading
        groups.setdefault(_order(f), []).append(f)
    reading: dict[str, dict[str, tuple]] = {}
    for order, fmts in groups.items():
        r = {}
        for t in texts:
            for f in fmts:
                d = _parse_one(t, f) if sig[t] == _FORMAT_SIG[f] else None
                if d is not None:
                    r[t] = (d, f)
                    break
        reading[order] = r
    best = max(groups, key=lambda o: len(reading[o]))  # first of the maximal ones
    if not reading[best]:
        raise ConfigError(
            f"date_format = \"auto\": no known date format fits {where} (for example {texts[0]!r}); "
            "set date_format in the mapping, using strptime codes such as \"%d-%m-%Y\"")
    rb = reading[best]
    for other in groups:
        ro = reading[other]
        if other == best or len(ro) != len(rb) or all(ro.get(t, (None,))[0] == rb.get(t, (None,))[0]
                                                        for t in texts):
            continue
        only_best = [t for t in texts if t in rb and t not in ro]
        only_other = [t for t in texts if t in ro and t not in rb]
        if only_best and only_other:
            raise ConfigError(
                f"date_format = \"auto\": {where} mix day/month orders: {only_best[0]!r} is only "
                f"{describe_format(rb[only_best[0]][1])} but {only_other[0]!r} is only "
                f"{describe_format(ro[only_other[0]][1])}. Fix the export or set date_format and let the "
                "other rows be rejected.")
        example = next(t for t in texts if t in rb and t in ro and rb[t][0] != ro[t][0])
        a, b = rb[example][0], ro[example][0]
        fa, fb = rb[example][1], ro[example][1]
        raise ConfigError(
            f"date_format = \"auto\" cannot decide the day/month order of {where}: every value fits both "
            f"{describe_format(fa)} and {describe_format(fb)} (for example {example!r} is "
            f"{a:%B} {a.day} or {b:%B} {b.day}). Set date_format = \"{fa}\" or \"{fb}\" in the mapping.")
    sib = _swap_order(best)
    evidence = ""
    if sib in reading:
        rs = reading[sib]
        mixed = [t for t in texts if t in rs and t not in rb]
        decided = [t for t in texts if t in rb and t not in rs]
        if mixed and decided:
            raise ConfigError(
                f"date_format = \"auto\": {where} mix day/month orders: {decided[0]!r} is only "
                f"{describe_format(rb[decided[0]][1])} but {mixed[0]!r} is only {describe_format(rs[mixed[0]][1])}. "
                "Fix the export or set date_format and let the other rows be rejected.")
        evidence = decided[0] if decided else ""
    if not evidence:  # no other reading (ISO), or day == month everywhere
        evidence = texts[0]
    used = {f for _, f in rb.values()}
    fmts = [f for f in groups[best] if f in used]
    main = _main(rb)
    return DateParser(main, detected=True, evidence=evidence, extra=tuple(f for f in fmts if f != main))


def _main(reading: dict) -> str:
    """The format that read the most values."""
    counts: dict[str, int] = {}
    for _, f in reading.values():
        counts[f] = counts.get(f, 0) + 1
    return max(counts, key=lambda f: (counts[f], -CANDIDATE_FORMATS.index(f)))


def _swap_order(order: str) -> str:
    return order.translate(_SWAP)


def _order(fmt: str) -> str:
    """The order of year, month and day in a format (``%m/%d/%y`` -> ``mdY``)."""
    return "".join(c if c != "y" else "Y" for c in re.findall(r"%([YymdbB])", fmt)).replace("b", "m")
