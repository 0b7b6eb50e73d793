"""Words and numbers in one style: dollars, counts, intervals, chances.

Every sentence orgraph writes about a finding uses these helpers, so a figure
reads the same in the terminal, the memo, the pack and the slides: whole
dollars rounded for sentences, thousands separators, intervals with an en
dash, and plurals that agree with their numbers.

Examples
--------
>>> money(212345.6), plural(1, "exit"), plural(3, "person", "people"), interval(1.234, 4.5)
('$212,000', '1 exit', '3 people', '1.2–4.5')
"""
from __future__ import annotations

import math
from ..plain import plural  # noqa: F401 (the one plural helper; words re-exports it)

__all__ = ["money", "plural", "interval", "p_text", "percent", "chance"]


def money(x: float) -> str:
    """Dollars for a sentence: nearest $1,000 from $10,000 up, else nearest $100.

    Examples
    --------
    >>> money(212345.6), money(4730), money(-1500)
    ('$212,000', '$4,700', '-$1,500')
    """
    sign = "-" if x < 0 else ""
    x = abs(float(x))
    step = 1000 if x >= 10000 else 100
    return f"{sign}${round(x / step) * step:,.0f}"


def interval(lo, hi, digits: int = 1) -> str:
    """A 95% interval as ``lo–hi`` (en dash); ``not available`` when an end is missing.

    Examples
    --------
    >>> interval(0.987, 1.73, 2), interval(None, 2.0), interval(1.5, None)
    ('0.99–1.73', 'not available', '1.5 or more')
    """
    if lo is None or (isinstance(lo, float) and math.isnan(lo)):
        return "not available"
    if hi is None or (isinstance(hi, float) and not math.isfinite(hi)):
        return f"{lo:.{digits}f} or more"
    return f"{lo:.{digits}f}–{hi:.{digits}f}"


def p_text(p) -> str:
    """A p-value for an analyst's evidence line.

    Examples
    --------
    >>> p_text(0.0004), p_text(0.0312), p_text(None)
    ('p < 0.001', 'p = 0.031', 'p not available')
    """
    if p is None:
        return "p not available"
    return "p < 0.001" if p < 0.001 else f"p = {p:.3f}"


def percent(share, digits: int = 0) -> str:
    """A share (0.25) as a percentage ("25%").

    Examples
    --------
    >>> percent(0.254), percent(0.0512, 1), percent(None)
    ('25%', '5.1%', 'n/a')
    """
    if share is None:
        return "n/a"
    return f"{100 * share:.{digits}f}%"


def chance(p) -> str:
    """A probability as a chance people read: ``about 3 in 10``.

    Examples
    --------
    >>> chance(0.2936), chance(0.64), chance(0.034), chance(0.004), chance(None)
    ('about 3 in 10', 'about 6 in 10', 'about 3 in 100', 'less than 1 in 100', 'not available')
    """
    if p is None:
        return "not available"
    p = float(p)
    if p >= 0.095:
        return f"about {round(p * 10)} in 10"
    if p >= 0.005:
        return f"about {max(round(p * 100), 1)} in 100"
    return "less than 1 in 100"
