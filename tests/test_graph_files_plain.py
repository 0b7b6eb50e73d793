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


def test_graphml_text_matches_networkx_on_mixed_attributes(tmp_path):
    import random

    import networkx as nx

    from orgraph.render.graph_files import graphml_text

    rng = random.Random(5)
    values = ["plain", "a & <b>", 'q"uote', "cr\rlf\n", "tab\t", "é漢", 3, 0, -7, 2.5, 1e-9, True, False]
    for seed in range(5):
        g = SnapshotExport()
        g.graph["as_of"] = "2024-06-30"
        for i in range(30):
            g.add_node(f"n{i}", {k: rng.choice(values) for k in rng.sample(["a", "b", "c", "kind", "x"], 3)})
        for _ in range(40):
            u, v = f"n{rng.randrange(30)}", f"n{rng.randrange(30)}"
            g.add_edge(u, v, {k: rng.choice(values) for k in rng.sample(["a", "kind", "start", "end"], 2)})
        graphml_text(g, tmp_path / f"mine{seed}.graphml")
        nx.write_graphml(g.to_networkx(), tmp_path / f"theirs{seed}.graphml")
        assert (tmp_path / f"mine{seed}.graphml").read_bytes() == (tmp_path / f"theirs{seed}.graphml").read_bytes()


def test_node_and_edge_columns_hold_what_nodes_and_edges_give(riverbend):
    def plain(v):
        return v.isoformat() if isinstance(v, dt.date) else v

    for day in (riverbend.data_end, riverbend.data_start + dt.timedelta(days=400)):
        snap = riverbend.on_day(day)
        rows = [(k, dict(zip(names, (plain(v) for v in row))))
                for keys, names, cols in snap.node_columns() for k, row in zip(keys, zip(*cols))]
        want = [(k, {x: plain(y) for x, y in a.items()}) for k, a in snap.nodes()]
        assert len(rows) == len(want) and rows
        for (k, got), (wk, w) in zip(rows, want):
            seatless = {x: None for x in ("role_kind", "program_id", "position_id")} if got.get("kind") == "staff" \
                and "position_id" not in w else {}
            assert (k, list(got.items())) == (wk, list({**w, **seatless}.items()))
        edges = list(zip(*snap.edge_columns()))
        assert edges == [(u, v, a["kind"], plain(a["start"]), plain(a["end"])) for u, v, a in snap.edges()]
        assert any(e[2] == "HOLDS" and e[4] is None for e in edges)
