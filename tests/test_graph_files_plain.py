"""The pack's graph export without pseudonyms: the one-pass path against the general cleaning loop."""
from __future__ import annotations

import datetime as dt

import numpy as np
import pandas as pd

from orgraph.render.graph_files import SnapshotExport, _cleaned, _kept, snapshot_export


def _general(org, day, status) -> SnapshotExport:
    """Clean every attribute, add the status, drop what is None, add node by node and edge by edge."""
    snap = org.on_day(day)
    out = SnapshotExport()
    out.graph["as_of"] = snap.day.isoformat()
    for n, a in snap.nodes():
        attrs = _cleaned(a)
        if a.get("kind") == "staff" and status and a["id"] in status:
            attrs["status"] = status[a["id"]]
        out.add_node(n, {k: v for k, v in attrs.items() if v is not None})
    for u, v, a in snap.edges():
        attrs = _cleaned(a)
        out.add_edge(u, v, {k: x for k, x in attrs.items() if x is not None})
    return out


def test_kept_is_cleaned_without_nones():
    a = {"s": "x", "n": None, "i": 3, "b": False, "d": dt.date(2024, 1, 2), "f": 1.5, "nan": float("nan"),
         "inf": float("inf"), "np": np.float64(2.5), "npnan": np.float64("nan"), "ts": pd.Timestamp("2024-01-03"),
         "nat": pd.NaT, "i64": np.int64(4), "dt": dt.datetime(2024, 1, 2, 3, 4)}
    want = {k: v for k, v in _cleaned(a).items() if v is not None}
    got = _kept(a)
    assert list(got.items()) == list(want.items())
    assert [type(v) for v in got.values()] == [type(v) for v in want.values()]


def test_plain_export_matches_the_general_loop(riverbend):
    for day in (riverbend.data_end, riverbend.data_start + dt.timedelta(days=400)):
        ids = [a["id"] for _, a in riverbend.on_day(day).nodes() if a.get("kind") == "staff"]
        status = {sid: ("left" if i % 3 == 0 else "active") for i, sid in enumerate(ids)}
        for st in (status, None):
            got, want = snapshot_export(riverbend, as_of=day, status=st), _general(riverbend, day, st)
            assert got.graph == want.graph
            assert list(got.nodes.items()) == list(want.nodes.items())
            assert [(u, list(n.items())) for u, n in got.succ.items()] == \
                [(u, list(n.items())) for u, n in want.succ.items()]
