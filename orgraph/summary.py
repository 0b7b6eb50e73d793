"""A short description of an org: who, which seats, which programs, when, and exits per year."""
from __future__ import annotations

import pandas as pd

from .graph import OrgGraph

__all__ = ["org_summary", "counted_staff"]


def counted_staff(org: OrgGraph) -> pd.DataFrame:
    """:attr:`OrgGraph.staff_frame` without external managers: the people every headcount counts.

    External managers (``external = true``: named in an export as someone's manager, not employed in it) keep
    their supervision links, so their teams stay teams, but are in no headcount, exit count or rate.

    Examples
    --------
    >>> import datetime as dt
    >>> from orgraph.model import OrgData, Staff
    >>> data = OrgData(staff={"S1": Staff("S1", "Ana", "LCSW", dt.date(2020, 1, 1)),
    ...                       "X": Staff("X", "Board", "external", dt.date(2020, 1, 1), external=True)})
    >>> list(counted_staff(OrgGraph(data)).index)
    ['S1']
    """
    sf = org.staff_frame
    return sf[~sf["external"].fillna(False).astype(bool)]


def org_summary(org: OrgGraph) -> dict:
    """Counts, date range and exits per year by role kind.

    Returns
    -------
    dict
        ``source``, ``staff``, ``staff_active`` (on ``data_end``), ``external_staff``
        (managers named in an export but not employed in it: never in ``staff``,
        ``staff_active`` or the yearly counts), ``positions``, ``inferred_positions``
        (seats an import made by its ``[seats] rule``),
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
    >>> data.staff["X"] = Staff("X", "Board", "external", dt.date(2020, 1, 1), external=True)
    >>> s = org_summary(OrgGraph(data))
    >>> s["staff"], s["staff_active"], s["external_staff"]
    (1, 1, 1)
    """
    data = org.data
    sf = counted_staff(org)
    n_ext = len(org.staff_frame) - len(sf)
    end = pd.Timestamp(org.data_end)
    rows = []
    if len(sf):
        years = range(org.data_start.year, org.data_end.year + 1)
        groups = [(rk, g["exited"].to_numpy(), g["exit"].to_numpy(), g["hire"].to_numpy(), g["end"].to_numpy())
                  for rk, g in sf.groupby("role_kind")]       # grouped once, counted for every year
        for year in years:
            jan1 = pd.Timestamp(year=year, month=1, day=1).to_datetime64()
            nxt = pd.Timestamp(year=year + 1, month=1, day=1).to_datetime64()
            for rk, exited, exit_, hire, end_ in groups:
                exits = int((exited & (exit_ >= jan1) & (exit_ < nxt)).sum())
                head = int(((hire <= jan1) & (end_ > jan1)).sum())
                if exits == 0 and head == 0:
                    continue
                rows.append({"year": year, "role_kind": rk, "exits": exits, "headcount_start": head,
                             "rate": round(exits / head, 3) if head else None})
    return {
        "source": data.source,
        "staff": int(len(sf)),
        "staff_active": int(((sf["hire"] <= end) & (sf["end"] > end)).sum()),
        "external_staff": int(n_ext),
        "positions": data.count("positions"),
        "inferred_positions": int(data.table("positions")["inferred"].sum()) if data.count("positions") else 0,
        "programs": len(data.programs),
        "assignments": data.count("assignments"),
        "supervision_links": data.count("supervision"),
        "optional_files": sorted(data.present),
        "date_from": org.data_start.isoformat(),
        "date_to": org.data_end.isoformat(),
        "warnings": len(data.issues),
        "exits_by_year": rows,
    }
