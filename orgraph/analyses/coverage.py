"""What the data can answer: the months a monthly table covers, against the exits it should explain.

An analysis that links exits to caseloads, documentation or client episodes can only speak for the
months its table covers. When an HR export runs from 2020 and the EHR export from 2023, the exits of
2020--2022 are not "fine on caseload": they were never tested. :func:`uncovered_exits` counts them
and says so in one sentence, which the analysis puts in :attr:`orgraph.result.Result.untested`.
"""
from __future__ import annotations

import pandas as pd

from ..plain import plural
from .exposure import observed_from

__all__ = ["uncovered_exits", "table_months", "MISSING"]

#: What a bundle without each optional table cannot answer: one sentence, the same in every analysis, so an
#: audit says it once.
MISSING = {
    "caseload": "The bundle has no caseload data (caseload.csv), so nothing about caseloads could be tested.",
    "documentation": "The bundle has no documentation data (documentation.csv), so nothing about documentation "
                     "burden could be tested.",
    "supervision_sessions": "The bundle has no supervision sessions (supervision_sessions.csv), so whether "
                            "supervision on the org chart was delivered could not be checked.",
    "client_assignments": "The bundle has no client assignments (client_assignments.csv), so continuity of care "
                          "could not be tested.",
}

#: Column holding each table's month or date.
_DATE_COLUMN = {"caseload": "month", "documentation": "month", "supervision_sessions": "date",
                "client_assignments": "start_date"}


def table_months(org, table: str) -> tuple[pd.Timestamp, pd.Timestamp] | None:
    """First day of the first month and last day of the last month table ``table`` has rows for.

    ``None`` when the table has no rows. For ``client_assignments`` the span runs from the first episode's
    start to the last day any episode is known to run (its end, or the data's last day when open).

    Examples
    --------
    >>> from orgraph.analyses._demo import example_org
    >>> [str(d.date()) for d in table_months(example_org(), "caseload")]
    ['2022-01-01', '2022-04-30']
    """
    df = getattr(org.data, table)
    if not len(df):
        return None
    col = _DATE_COLUMN[table]
    first = pd.Timestamp(df[col].min()).to_period("M").start_time
    if table == "client_assignments":
        ends = df["end_date"]
        last = pd.Timestamp(org.data_end) if ends.isna().any() else pd.Timestamp(ends.max())
    else:
        last = pd.Timestamp(df[col].max()).to_period("M").end_time.normalize()
    return first, last


def uncovered_exits(org, table: str, cut: pd.Timestamp, *, what: str, roles=("clinician",),
                    lag_months: int = 0) -> str | None:
    """A sentence when exits in the audit window fall outside the months ``table`` covers, else ``None``.

    Counts the exits from the first observed day (:func:`~orgraph.analyses.exposure.observed_from`)
    to the day before ``cut`` of people whose latest seat is one of ``roles`` (every role when
    ``roles`` is empty), whose exit day falls outside the table's months shifted by ``lag_months``
    (an analysis that weighs each month's exits against the month before's caseload can test the
    exits of the months after the first through the month after the last).

    Parameters
    ----------
    table : str
        ``"caseload"``, ``"documentation"``, ``"supervision_sessions"`` or ``"client_assignments"``.
    cut : Timestamp
        The first day not analysed (:func:`orgraph.settings.analysis_cut`).
    what : str
        What the exits could not be tested against, in words ("caseloads").
    lag_months : int
        How many months after a record the exits it explains fall.

    Examples
    --------
    >>> from orgraph.analyses._demo import example_org
    >>> uncovered_exits(example_org(), "caseload", pd.Timestamp("2022-07-01"), what="caseloads")
    'caseload.csv covers 2022-01 to 2022-04, so 1 clinician exit after 2022-04 could not be tested against caseloads.'
    >>> uncovered_exits(example_org(), "caseload", pd.Timestamp("2022-07-01"), what="caseloads", lag_months=1) is None
    True
    """
    span = table_months(org, table)
    if span is None:
        return None
    first, last = span
    lo = first + pd.DateOffset(months=lag_months)
    hi = (last + pd.Timedelta(days=1) + pd.DateOffset(months=lag_months)) - pd.Timedelta(days=1)
    sf = org.staff_frame
    start = observed_from(org, cut)
    left = sf[sf["exited"] & (sf["exit"] >= start) & (sf["exit"] < cut)]
    if roles:
        left = left[left["role_kind"].isin(roles)]
    before = int((left["exit"] < lo).sum())
    after = int((left["exit"] > hi).sum())
    if not before and not after:
        return None
    who = " or ".join(roles) + " " if roles else ""
    parts = []
    if before:
        parts.append(f"{plural(before, who + 'exit')} before {lo:%Y-%m}")
    if after:
        parts.append(f"{plural(after, who + 'exit')} after {hi:%Y-%m}")
    how = ("" if not lag_months else " and each exit is weighed against the month before it" if lag_months == 1
           else f" and each exit is weighed against the {lag_months} months before it")
    return (f"{table}.csv covers {first:%Y-%m} to {last:%Y-%m}{how}, so {' and '.join(parts)} could not be tested "
            f"against {what}.")
