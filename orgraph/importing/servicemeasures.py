"""Monthly measures from one row per EHR service, computed with numpy/pandas on whole columns.

Every function takes integer-coded columns (a clinician code, a client code,
a day number counted from 1970-01-01) and returns a DataFrame still keyed by
the codes; :mod:`.services` turns codes back into ids and writes the files.

* :func:`episodes`: a client's services with one clinician, split where more
  than ``gap`` days pass between two services.
* :func:`caseload_seen_within`: distinct clients a clinician saw in the
  ``days`` days up to each month's reference day (the month's last day, or the
  clinician's last day or the export's last day when earlier).
* :func:`caseload_open_episode`: distinct clients with an episode open at any
  time in the month.
* :func:`monthly_hours` and :func:`note_lag`: session and documentation time,
  and the delay from a service to the signature of its note.
"""
from __future__ import annotations

import numpy as np
import pandas as pd

__all__ = ["month_of", "month_end", "month_text", "episodes", "caseload_seen_within", "caseload_open_episode",
           "monthly_hours", "note_lag"]


def month_of(days) -> np.ndarray:
    """Month numbers (months since 1970-01) of day numbers (days since 1970-01-01).

    Examples
    --------
    >>> month_of(np.array([0, 31, 59]))
    array([0, 1, 2])
    """
    return np.asarray(days, "int64").astype("datetime64[D]").astype("datetime64[M]").astype("int64")


def month_end(months) -> np.ndarray:
    """The day number of each month's last day.

    Examples
    --------
    >>> month_end(np.array([0, 1]))   # 1970-01-31, 1970-02-28
    array([30, 58])
    """
    return (np.asarray(months, "int64") + 1).astype("datetime64[M]").astype("datetime64[D]").astype("int64") - 1


def month_text(months) -> np.ndarray:
    """``YYYY-MM`` texts of month numbers.

    >>> month_text(np.array([0, 641])).tolist()
    ['1970-01', '2023-06']
    """
    return np.datetime_as_string(np.asarray(months, "int64").astype("datetime64[M]"), unit="M")


def _fill_months(counts: pd.DataFrame, first: np.ndarray, last: np.ndarray, value: str) -> pd.DataFrame:
    """Every (staff, month) from ``first[staff]`` to ``last[staff]``, with ``value`` 0 where ``counts`` has none."""
    staff = np.nonzero(last >= first)[0]
    n = (last - first + 1)[staff]
    s = np.repeat(staff, n)
    m = np.repeat(first[staff], n) + (np.arange(n.sum()) - np.repeat(np.cumsum(n) - n, n))
    grid = pd.DataFrame({"staff": s, "month": m})
    out = grid.merge(counts, on=["staff", "month"], how="left")
    out[value] = out[value].fillna(0).astype("int64")
    return out


def episodes(staff, client, day, *, gap: int, open_after, data_end: int) -> pd.DataFrame:
    """Episodes of care: a client's services with one clinician, split where more than ``gap`` days pass.

    Parameters
    ----------
    staff, client, day : array of int
        One entry per service (clinician code, client code, day number).
    gap : int
        More than ``gap`` days between two services starts a new episode.
    open_after : array of bool
        Per clinician code: still employed on the export's last day. Only their episodes can still be open.
    data_end : int
        The export's last day: an episode whose last service is at most ``gap`` days before it is open.

    Returns
    -------
    DataFrame
        ``staff, client, start, end, open``: ``end`` is the last service's day.

    Examples
    --------
    >>> e = episodes(np.array([0, 0, 0, 0]), np.array([5, 5, 5, 6]), np.array([10, 40, 200, 210]), gap=90,
    ...              open_after=np.array([True]), data_end=250)
    >>> e.to_dict("records")  # doctest: +NORMALIZE_WHITESPACE
    [{'staff': 0, 'client': 5, 'start': 10, 'end': 40, 'open': False},
     {'staff': 0, 'client': 5, 'start': 200, 'end': 200, 'open': True},
     {'staff': 0, 'client': 6, 'start': 210, 'end': 210, 'open': True}]
    """
    v = pd.DataFrame({"staff": staff, "client": client, "day": day}).drop_duplicates()
    v = v.sort_values(["staff", "client", "day"], kind="stable")
    s, c, d = v["staff"].to_numpy(), v["client"].to_numpy(), v["day"].to_numpy()
    new = np.ones(len(v), bool)
    if len(v):
        new[1:] = (s[1:] != s[:-1]) | (c[1:] != c[:-1]) | (d[1:] - d[:-1] > gap)
    eid = np.cumsum(new) - 1
    first = np.nonzero(new)[0]
    last = np.append(first[1:] - 1, len(v) - 1) if len(v) else first
    out = pd.DataFrame({"staff": s[first], "client": c[first], "start": d[first], "end": d[last]})
    out["open"] = np.asarray(open_after, bool)[out["staff"].to_numpy()] & (data_end - out["end"] <= gap) \
        if len(out) else np.zeros(0, bool)
    del eid
    return out.reset_index(drop=True)


def caseload_seen_within(staff, client, day, *, days: int, first_day, last_day) -> pd.DataFrame:
    """Distinct clients each clinician saw in the ``days`` days up to each month's reference day.

    The reference day of a month is its last day, or the clinician's ``last_day`` when earlier (their
    exit, or the export's end). A clinician's months run from the month of their first service to the
    month of their ``last_day``; months with nobody active have 0.

    Parameters
    ----------
    staff, client, day : array of int
        One entry per clinical service.
    days : int
        The active window: a client seen on day ``d`` is active on reference day ``r`` when
        ``d <= r < d + days``.
    first_day, last_day : array of int
        Per clinician code: their first service day, and the last day counted.

    Returns
    -------
    DataFrame
        ``staff, month, active_clients``.

    Examples
    --------
    Client 1 seen on 1970-01-10 (day 9) and client 2 on 1970-03-05 (day 63), a 30-day window, counted to
    1970-04-30 (day 119): January has 1 (day 30 is 21 days after day 9), February 0 (day 58 is 49 days
    after), March 1, April 0.

    >>> c = caseload_seen_within(np.array([0, 0]), np.array([1, 2]), np.array([9, 63]), days=30,
    ...                          first_day=np.array([9]), last_day=np.array([119]))
    >>> c["active_clients"].tolist(), month_text(c["month"]).tolist()
    ([1, 0, 1, 0], ['1970-01', '1970-02', '1970-03', '1970-04'])
    """
    staff, client, day = (np.asarray(x, "int64") for x in (staff, client, day))
    last_day = np.asarray(last_day, "int64")
    last_m = month_of(last_day)
    m = month_of(day)
    v = pd.DataFrame({"staff": staff, "client": client, "month": m, "day": day})
    v = v.groupby(["staff", "client", "month"], sort=False)["day"].max().reset_index()
    s, c, vm, d = (v[k].to_numpy() for k in ("staff", "client", "month", "day"))
    parts = []
    for k in range(days // 28 + 2):
        tm = vm + k
        ref = np.minimum(month_end(tm), last_day[s])
        ok = (tm <= last_m[s]) & (d <= ref) & (ref - d < days)
        parts.append(np.stack([s[ok], c[ok], tm[ok]], axis=1))
    act = pd.DataFrame(np.concatenate(parts), columns=["staff", "client", "month"]).drop_duplicates()
    counts = act.groupby(["staff", "month"]).size().rename("active_clients").reset_index()
    return _fill_months(counts, month_of(np.asarray(first_day, "int64")), last_m, "active_clients")


def caseload_open_episode(ep: pd.DataFrame, *, first_day, last_day) -> pd.DataFrame:
    """Distinct clients with an episode open at any time in each month (open episodes run to ``last_day``).

    Examples
    --------
    >>> ep = pd.DataFrame({"staff": [0, 0], "client": [1, 2], "start": [9, 40], "end": [20, 40],
    ...                    "open": [False, True]})
    >>> c = caseload_open_episode(ep, first_day=np.array([9]), last_day=np.array([70]))
    >>> c["active_clients"].tolist()
    [1, 1, 1]
    """
    last_day = np.asarray(last_day, "int64")
    s = ep["staff"].to_numpy("int64")
    end = np.where(ep["open"].to_numpy(bool), last_day[s], ep["end"].to_numpy("int64"))
    m0, m1 = month_of(ep["start"].to_numpy("int64")), month_of(np.minimum(end, last_day[s]))
    n = np.maximum(m1 - m0 + 1, 0)
    r = np.repeat(np.arange(len(ep)), n)
    m = np.repeat(m0, n) + (np.arange(n.sum()) - np.repeat(np.cumsum(n) - n, n))
    act = pd.DataFrame({"staff": s[r], "client": ep["client"].to_numpy()[r], "month": m}).drop_duplicates()
    counts = act.groupby(["staff", "month"]).size().rename("active_clients").reset_index()
    return _fill_months(counts, month_of(np.asarray(first_day, "int64")), month_of(last_day), "active_clients")


def monthly_hours(staff, day, minutes, note_minutes, *, months: pd.DataFrame | None = None) -> pd.DataFrame:
    """Session and documentation hours per clinician and month (unknown minutes, NaN, are left out).

    ``months`` (``staff, month``), when given, lists the clinician-months to report: a month in it with no
    service has 0 hours (the clinician's caseload months, so both files cover the same months).

    Examples
    --------
    >>> h = monthly_hours(np.array([0, 0]), np.array([1, 2]), np.array([60.0, 45.0]), np.array([20.0, np.nan]))
    >>> h[["session_hours", "documentation_hours"]].values.tolist()
    [[1.75, 0.33]]
    >>> h = monthly_hours(np.array([0]), np.array([1]), np.array([60.0]), np.array([20.0]),
    ...                   months=pd.DataFrame({"staff": [0, 0], "month": [0, 1]}))
    >>> h[["month", "session_hours", "documentation_hours"]].values.tolist()
    [[0.0, 1.0, 0.33], [1.0, 0.0, 0.0]]
    """
    v = pd.DataFrame({"staff": staff, "month": month_of(day), "session": minutes, "note": note_minutes})
    g = v.groupby(["staff", "month"]).sum(min_count=0).reset_index()
    if months is not None:
        g = months[["staff", "month"]].merge(g, on=["staff", "month"], how="outer").fillna(
            {"session": 0.0, "note": 0.0})
    g["session_hours"] = (g.pop("session") / 60).round(2)
    g["documentation_hours"] = (g.pop("note") / 60).round(2)
    return g


def note_lag(staff, day, signed, lag_hours) -> pd.DataFrame:
    """The delay from each service's end to its note's signature, per clinician and month.

    ``signed`` says whether the note was signed; ``lag_hours`` is the delay, NaN when unknown (not signed,
    or signed before the service ended). Returns ``staff, month, services, notes_signed, notes_unsigned,
    median_lag_hours, p90_lag_hours, signed_within_72h`` (the share of all services whose note was signed
    within 72 hours); the median and 90th percentile are over the known delays.

    Examples
    --------
    >>> t = note_lag(np.array([0, 0, 0]), np.array([1, 2, 3]), np.array([True, True, False]),
    ...              np.array([2.0, 100.0, np.nan]))
    >>> t[["services", "notes_signed", "notes_unsigned", "median_lag_hours", "signed_within_72h"]].to_dict("records")
    [{'services': 3, 'notes_signed': 2, 'notes_unsigned': 1, 'median_lag_hours': 51.0, 'signed_within_72h': 0.333}]
    """
    v = pd.DataFrame({"staff": staff, "month": month_of(day), "signed": np.asarray(signed, bool), "lag": lag_hours})
    v["fast"] = v["lag"] <= 72
    g = v.groupby(["staff", "month"])
    out = pd.DataFrame({"services": g.size(), "notes_signed": g["signed"].sum()})
    out["notes_unsigned"] = out["services"] - out["notes_signed"]
    out["median_lag_hours"] = g["lag"].median().round(1)
    out["p90_lag_hours"] = g["lag"].quantile(0.9).round(1)
    out["signed_within_72h"] = (g["fast"].sum() / out["services"]).round(3)
    return out.reset_index()
