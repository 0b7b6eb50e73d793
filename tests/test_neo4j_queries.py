"""The Cypher query files answer the leadership questions exactly as the Python analyses do,
and every analysis gives the same answer from a folder and from Neo4j."""
from __future__ import annotations

import datetime as dt
import json

import pandas as pd
import pytest

from neo4j_fixtures import assert_same_org, random_org
from orgraph.analyses import churn_seats, overloaded_supervisors, supervisor_cascades
from orgraph.errors import AnalysisError
from orgraph.graph import OrgGraph
from orgraph.registry import ANALYSES
from orgraph.result import Result
from orgraph.store import neo4j as store

pytestmark = pytest.mark.neo4j
DAY = pd.Timedelta(days=1)


def _as_ofs(org: OrgGraph) -> list[dt.date]:
    """Eight quarter ends spread over the last three years of data (synthetic orgs backdate early hires)."""
    first = max(org.data_start + dt.timedelta(days=200), org.data_end - dt.timedelta(days=3 * 365))
    days = pd.date_range(first, org.data_end, freq="QE")
    step = max(1, len(days) // 8)
    return [t.date() for t in days[::step]][:8]


def _cascade_risk_python(org: OrgGraph, as_of: dt.date, W: int, L: int) -> set[tuple[str, str]]:
    sf = org.staff_frame
    S = org.supervision_frame
    D = pd.Timestamp(as_of)
    ex = sf.loc[sf["exit"].notna(), ["exit"]].rename(columns={"exit": "E"}).rename_axis("supervisor_id").reset_index()
    m = S.merge(ex, on="supervisor_id")
    m = m[(m["E"] < D) & (D <= m["E"] + W * DAY) & (m["start"] <= m["E"]) & (m["end"] > m["E"] - (L - 1) * DAY)]
    m = m.join(sf[["hire", "exit"]], on="staff_id")
    m = m[(m["hire"] <= D) & (m["exit"].isna() | (m["exit"] >= D))]
    return set(zip(m["staff_id"], m["supervisor_id"]))


def _holdings_in_window(org: OrgGraph, as_of: dt.date, months: int) -> dict[str, int]:
    wd = int(round(months * 30.4375))
    D = pd.Timestamp(as_of)
    A = org.assignment_frame
    A = A[(A["start"] <= D) & (A["end"] > D - (wd - 1) * DAY)]
    return A.groupby("position_id").size().to_dict()


@pytest.fixture(params=["random", "synth"])
def loaded(request, neo4j_driver, tmp_path):
    if request.param == "random":
        data = random_org(seats=60, years=5, seed=21)
    else:
        import orgraph
        synth = pytest.importorskip("orgraph.synth")
        synth.generate(staff=250, years=4, seed=4, out=tmp_path / "synth")
        data = orgraph.load_data(tmp_path / "synth")
    store.write_org(data, neo4j_driver)
    return data, OrgGraph(data), neo4j_driver


def test_cascade_risk_matches_the_cascade_rule(loaded):
    data, org, driver = loaded
    W, L = 180, 30
    nonempty = 0
    for as_of in _as_ofs(org):
        rows = store.run_query(driver, "cascade_risk", {"as_of": as_of, "window_days": W, "lookback_days": L})
        got = {(r["staff_id"], r["supervisor_id"]) for r in rows}
        assert got == _cascade_risk_python(org, as_of, W, L), as_of
        for r in rows:
            assert r["days_since_exit"] == (as_of - r["supervisor_exit"]).days
            assert 1 <= r["days_since_exit"] <= W and r["days_left"] == W - r["days_since_exit"]
        # the same people as the cascade analysis' cohorts, minus those who already left
        res = supervisor_cascades(org, window_days=W, lookback_days=L, as_of=as_of)
        assert isinstance(res, Result)
        for c in res.table:  # every cascade, nested ones too
            exit_day = dt.date.fromisoformat(c["exit_date"])
            if not (exit_day < as_of <= exit_day + dt.timedelta(days=W)):
                continue
            gone = sum(1 for x in c["departures"] if x["exit_date"] < as_of.isoformat())
            mine = sum(1 for r in rows if r["supervisor_id"] == c["supervisor_id"])
            assert mine == c["cohort_size"] - gone, (as_of, c["supervisor_id"])
        nonempty += bool(rows)
    assert nonempty >= 3


def test_overloaded_supervisors_match_span_now(loaded):
    data, org, driver = loaded
    seen = 0
    for as_of in _as_ofs(org):
        py = overloaded_supervisors(org, as_of=as_of).table
        max_span = 3
        rows = store.run_query(driver, "overloaded_supervisors", {"as_of": as_of, "max_span": max_span})
        assert {r["supervisor_id"]: r["span"] for r in rows} == \
            {s["supervisor_id"]: s["span_now"] for s in py if s["span_now"] > max_span}, as_of
        for r in rows:
            assert r["supervisees"] == org.supervisees(r["supervisor_id"], as_of)
        seen += len(rows)
    assert seen > 0


def test_churn_positions_match_the_holder_rule(loaded):
    data, org, driver = loaded
    seen = 0
    for as_of in _as_ofs(org):
        rows = store.run_query(driver, "churn_positions", {"as_of": as_of, "window_months": 24, "min_holders": 2})
        want = {p: n for p, n in _holdings_in_window(org, as_of, 24).items() if n >= 2}
        assert {r["position_id"]: r["holdings"] for r in rows} == want, as_of
        py = {s["position_id"]: s for s in churn_seats(org, window_months=24, min_holders=2, as_of=as_of).table}
        for r in rows:
            assert py[r["position_id"]]["max_holders_in_window"] >= r["holdings"]
            assert r["holders"] == sorted(set(org.assignment_frame.query("position_id == @r['position_id']")
                                              ["staff_id"]) & set(r["holders"]))
        seen += len(rows)
    assert seen > 0


def test_snapshot_matches_orggraph_snapshot(loaded):
    data, org, driver = loaded
    for as_of in _as_ofs(org)[::3]:
        rows = store.run_query(driver, "snapshot", {"as_of": as_of})
        got = sorted((r["kind"], r["source"], r["target"], r["from"], r["to"]) for r in rows)
        H = org.snapshot(as_of)
        want = sorted((a["kind"], u, v, a["start"], None if a["end"] is None else a["end"] - dt.timedelta(days=1))
                      for u, v, a in H.edges(data=True))
        assert got == want, as_of


def test_every_analysis_gives_the_same_answer_from_neo4j(loaded):
    data, org, driver = loaded
    back = store.read_org_from(driver)
    assert_same_org(data, back)
    org2 = OrgGraph(back)
    assert org2.data_end == org.data_end
    days = _as_ofs(org)
    answered = _compare_everything(org, org2, as_ofs=(None, days[len(days) // 2]))
    assert {a.name for a in ANALYSES} <= answered


def _answer(fn, org, **kw) -> str:
    """What an analysis says, as JSON text: ``Result.to_dict()``, other plain data, or the error it raised."""
    try:
        out = fn(org, **kw)
    except AnalysisError as exc:
        return f"raised {type(exc).__name__}: {exc}"
    if isinstance(out, Result):
        out = out.to_dict()
    return json.dumps(out, sort_keys=True, default=_plain)


def _compare_everything(org, org2, *, as_ofs) -> set[str]:
    """Every registry analysis on each ``as_of`` and every other analysis function, from both orgs; the names
    of the registry analyses that answered (raised no error) at least once."""
    answered = set()
    for entry in ANALYSES:
        for as_of in as_ofs:
            want = _answer(entry.function, org, as_of=as_of)
            assert _answer(entry.function, org2, as_of=as_of) == want, (entry.name, as_of)
            if not want.startswith("raised "):
                assert json.loads(want)["name"] == entry.name
                answered.add(entry.name)
    done = {a.function for a in ANALYSES}
    for name, fn in _org_analyses():
        if fn not in done:
            assert _answer(fn, org2) == _answer(fn, org), name
    return answered


def _plain(o):
    if isinstance(o, pd.DataFrame):
        return o.to_dict("split")
    if isinstance(o, pd.Series):
        return o.to_dict()
    if isinstance(o, Result):
        return o.to_dict()
    return str(o)


def _org_analyses():
    """Every analysis function: in an analyses module's ``__all__``, one required argument named ``org``."""
    import importlib
    import inspect
    import pkgutil

    import orgraph.analyses as pkg

    for info in pkgutil.iter_modules(pkg.__path__):
        if info.name.startswith("_"):
            continue
        mod = importlib.import_module(f"orgraph.analyses.{info.name}")
        for name in getattr(mod, "__all__", []):
            fn = getattr(mod, name)
            if not inspect.isfunction(fn):
                continue
            params = inspect.signature(fn).parameters.values()
            required = [p.name for p in params if p.default is p.empty and p.kind is not p.VAR_KEYWORD]
            if required == ["org"]:
                yield f"{info.name}.{name}", fn


def test_riverbend_from_csv_and_from_neo4j_agree(riverbend, neo4j_driver):
    store.write_org(riverbend.data, neo4j_driver)
    back = store.read_org_from(neo4j_driver)
    assert_same_org(riverbend.data, back)
    org2 = OrgGraph(back)
    answered = _compare_everything(riverbend, org2, as_ofs=(None,))
    assert {"cascades", "overload", "churn"} <= answered
    assert answered == {a.name for a in ANALYSES} and len(answered) >= 10, answered
