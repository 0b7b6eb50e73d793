"""A short description of an org: who, which seats, which programs, when, and exits per year."""
from __future__ import annotations

import pandas as pd

from .graph import OrgGraph

__all__ = ["org_summary"]


def org_summary(org: OrgGraph) -> dict:
    """Counts, date range and exits per year by role kind.

    Returns
    -------
    dict
        ``source``, ``staff``, ``staff_active`` (on ``data_end``), ``positions``,
        ``programs``, ``assignments``, ``supervision_links``, ``optional_files``,
        ``date_from``, ``date_to``, ``warnings`` and ``exits_by_year``: a list of
        records ``{year, role_kind, exits, headcount_start, rate}``, where
        ``rate`` = exits / people employed on 1 January (``None`` if none).

    Examples
    --------
    >>> import datetime as dt
    >>> from orgraph.model import OrgData, Staff
    >>> data = OrgData(staff={"S1": Staff("S1", "Ana", "LCSW", dt.date(2020, 1, 1), dt.date(2021, 3, 1), "voluntary")})
    >>> s = org_summary(OrgGraph(data))
    >>> s["staff"], s["exits_by_year"][-1]["exits"]
    (1, 1)
    """
    sf = org.staff_frame
    data = org.data
    rows = []
    if len(sf):
        years = range(org.data_start.year, org.data_end.year + 1)
        for year in years:
            jan1 = pd.Timestamp(year=year, month=1, day=1)
            nxt = pd.Timestamp(year=year + 1, month=1, day=1)
            for rk, g in sf.groupby("role_kind"):
                exits = int((g["exited"] & (g["exit"] >= jan1) & (g["exit"] < nxt)).sum())
                head = int(((g["hire"] <= jan1) & (g["end"] > jan1)).sum())
                if exits == 0 and head == 0:
                    continue
                rows.append({"year": year, "role_kind": rk, "exits": exits, "headcount_start": head,
                             "rate": round(exits / head, 3) if head else None})
    return {
        "source": data.source,
        "staff": data.count("staff"),
        "staff_active": len(org.active_staff(org.data_end)),
        "positions": len(data.positions),
        "programs": len(data.programs),
        "assignments": data.count("assignments"),
        "supervision_links": data.count("supervision"),
        "optional_files": sorted(data.present),
        "date_from": org.data_start.isoformat(),
        "date_to": org.data_end.isoformat(),
        "warnings": len(data.issues),
        "exits_by_year": rows,
    }
