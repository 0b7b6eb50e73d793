"""Caseload distribution: hand-computed numbers on a tiny org, boundaries, CLI."""
from __future__ import annotations

import datetime as dt
import json
import math

import pandas as pd
import pytest
from click.testing import CliRunner

from orgraph.analyses.caseload import caseload_distribution
from orgraph.analyses.panel import caseload_runs, person_months
from orgraph.config import Config
from orgraph.errors import AnalysisError
from orgraph.graph import OrgGraph
from orgraph.model import Assignment, OrgData, Position, Program, Staff, Supervision

D = dt.date.fromisoformat


def build(staff, seats, supervision=(), caseload=None, documentation=None, clients=None, data_end=None,
          observed_from=None):
    """A hand-built org.

    staff: (id, hire, exit or None); seats: (staff, position, program, role_kind, start, end or None);
    supervision: (staff, supervisor, start, end or None); caseload: {(staff, "YYYY-MM"): clients};
    documentation: {(staff, "YYYY-MM"): (session_hours, documentation_hours)}; clients: rows of
    (client, staff, start, end or None). The org is a complete history: exits are observable from the
    first hire (``[data] start``), unless ``observed_from`` says the export shows exits only from then.
    """
    st = {s: Staff(s, f"Name {s}", "LPC", D(h), D(e) if e else None, "voluntary" if e else None) for s, h, e in staff}
    programs, positions, assignments = {}, {}, []
    for s, pos, prog, kind, start, end in seats:
        programs.setdefault(prog, Program(prog, f"Program {prog}", "outpatient"))
        positions.setdefault(pos, Position(pos, kind.title(), prog, kind))
        assignments.append(Assignment(s, pos, D(start), D(end) if end else None))
    sup = [Supervision(s, v, D(a), D(b) if b else None) for s, v, a, b in supervision]
    kw = {"present": set()}
    if caseload:
        kw["caseload"] = pd.DataFrame([(s, pd.Timestamp(m + "-01"), n) for (s, m), n in caseload.items()],
                                      columns=["staff_id", "month", "active_clients"])
        kw["present"].add("caseload")
    if documentation:
        kw["documentation"] = pd.DataFrame(
            [(s, pd.Timestamp(m + "-01"), a, b) for (s, m), (a, b) in documentation.items()],
            columns=["staff_id", "month", "session_hours", "documentation_hours"])
        kw["present"].add("documentation")
    if clients is not None:
        kw["client_assignments"] = pd.DataFrame(
            [(c, s, pd.Timestamp(a), pd.Timestamp(b) if b else pd.NaT) for c, s, a, b in clients],
            columns=["client_id", "staff_id", "start_date", "end_date"])
        kw["present"].add("client_assignments")
    first = observed_from or min(h for _, h, _ in staff)
    data = OrgData(staff=st, programs=programs, positions=positions, assignments=assignments, supervision=sup,
                   config=Config.from_mapping({"data": {"start": first}}), **kw)
    return OrgGraph(data, data_end=D(data_end) if data_end else None)


MONTHS = ["2023-01", "2023-02", "2023-03"]
LOAD = {"A": 10, "B": 20, "C": 30, "D": 40}


def four_clinicians(**extra):
    """A, B in program P1; C, D in P2 supervised by S. Caseloads 10/20/30/40 in Jan-Mar 2023.
    B leaves 2023-03-15, D (the high one) 2023-04-10; data end 2023-04-30."""
    exits = {"B": "2023-03-15", "D": "2023-04-10"}
    staff = [(s, "2022-01-01", exits.get(s)) for s in ("A", "B", "C", "D", "S")]
    seats = [(s, f"P-{s}", "P1" if s in "AB" else "P2", "clinician", "2022-01-01", exits.get(s)) for s in "ABCD"]
    seats.append(("S", "P-S", "P2", "supervisor", "2022-01-01", None))
    supervision = [("C", "S", "2022-01-01", None), ("D", "S", "2022-01-01", "2023-04-10")]
    caseload = {(s, m): n for m in MONTHS for s, n in LOAD.items()}
    return build(staff, seats, supervision, caseload=caseload, data_end="2023-04-30", **extra)


def test_monthly_distribution_hand_computed():
    res = caseload_distribution(four_clinicians())
    jan = res.extras["by_month"][0]
    assert jan["month"] == "2023-01-01"
    # [10, 20, 30, 40]: linear-interpolated percentiles, Gini = 2*sum(i*x)/(n*sum) - (n+1)/n
    assert (jan["staff"], jan["mean"], jan["median"], jan["p10"], jan["p25"], jan["p75"]) == (4, 25.0, 25.0, 13.0,
                                                                                            17.5, 32.5)
    assert jan["p90"] == 37.0 and jan["cutoff"] == 37.0
    assert jan["gini"] == 0.25                      # 2*300/(4*100) - 5/4
    assert jan["top_decile_share"] == 0.4           # top ceil(4/10)=1 person holds 40 of 100
    assert [m["month"] for m in res.extras["by_month"]] == ["2023-01-01", "2023-02-01", "2023-03-01"]


def test_by_program_and_supervisor():
    res = caseload_distribution(four_clinicians())
    p2, p1 = res.table
    assert res.extras["by_program"] == res.table
    assert p2["program_id"] == "P2" and p2["staff"] == 2 and p2["person_months"] == 6
    assert p2["median"] == 35.0 and p2["share_above_cutoff"] == 0.5 and p2["sustained_people"] == 1
    assert p1["program_id"] == "P1" and p1["share_above_cutoff"] == 0.0 and p1["mean"] == 15.0
    sup = {r["supervisor_id"]: r for r in res.extras["by_supervisor"]}
    assert sup["S"]["staff"] == 2 and sup["S"]["mean"] == 35.0
    assert sup["(none)"]["staff"] == 2 and sup["(none)"]["mean"] == 15.0


def test_sustained_list_and_exit_rate_ratio():
    res = caseload_distribution(four_clinicians())
    assert res.extras["sustained"] == [{
        "staff_id": "D", "name": "Name D", "program_id": "P2", "first_month": "2023-01-01",
        "last_month": "2023-03-01", "months": 3, "mean_caseload": 40.0, "exited": True, "exit_date": "2023-04-10"}]
    er = res.extras["exit_rate"]
    # exposed: D in April (3 months above before it): 1-10 April = 10 days, 1 exit.
    # others with a record the month before: A and C Feb-Apr (28+31+30=89 each), B Feb 1-Mar 15 (43, 1 exit),
    # D Feb-Mar (59): 280 days.
    assert (er["exits"], er["reference_exits"]) == (1, 1)
    assert er["person_years"] == round(10 / 365.25, 2) and er["reference_person_years"] == round(280 / 365.25, 2)
    assert er["rate_ratio"] == pytest.approx(28.0)
    z = 1.959963984540054
    assert er["ci_low"] == pytest.approx(28 * math.exp(-z * math.sqrt(2)))
    assert er["ci_high"] == pytest.approx(28 * math.exp(z * math.sqrt(2)))
    assert "1 person carried caseloads above the 90th percentile for 3 or more months" in res.summary
    json.dumps(vars(res))  # plain, JSON-serialisable data


def test_run_is_broken_by_a_missing_month_and_consecutive_setting():
    org = build([("X", "2022-01-01", None), ("Y", "2022-01-01", None)],
                [("X", "PX", "P", "clinician", "2022-01-01", None), ("Y", "PY", "P", "clinician", "2022-01-01", None)],
                caseload={("X", "2023-01"): 50, ("X", "2023-02"): 50, ("X", "2023-04"): 50,
                          ("Y", "2023-01"): 5, ("Y", "2023-02"): 5, ("Y", "2023-04"): 5})
    runs = caseload_runs(org)
    assert runs[runs.staff_id == "X"]["run"].tolist() == [1, 2, 1]
    assert runs[runs.staff_id == "Y"]["run"].tolist() == [0, 0, 0]
    assert [s["months"] for s in caseload_distribution(org, consecutive_months=2).extras["sustained"]] == [2]
    assert caseload_distribution(org).extras["sustained"] == []


def test_percentile_option_and_as_of():
    res = caseload_distribution(four_clinicians(), percentile=50, as_of="2023-02-15")
    assert [m["month"] for m in res.extras["by_month"]] == ["2023-01-01", "2023-02-01"]
    assert res.extras["by_month"][0]["cutoff"] == 25.0
    assert {s["staff_id"] for s in res.extras["sustained"]} == set()      # only 2 months before as_of
    assert res.settings == {"percentile": 50.0, "consecutive_months": 3}


def test_person_months_boundaries():
    pm = person_months(four_clinicians())
    d = pm[pm.staff_id == "D"]
    assert d["month"].iloc[-1] == pd.Timestamp("2023-04-01") and d["days"].iloc[-1] == 10 and d["exit"].iloc[-1]
    assert d["supervisor_id"].iloc[-1] == "S"
    b = pm[pm.staff_id == "B"]
    assert b["days"].iloc[-1] == 15 and b["exit"].sum() == 1
    # everyone: days add up to the days employed within the data window
    assert pm.groupby("staff_id")["days"].sum().to_dict() == {"A": 485, "B": 439, "C": 485, "D": 465, "S": 485}


def test_no_caseload_data_is_a_clear_error():
    org = build([("X", "2022-01-01", None)], [("X", "PX", "P", "clinician", "2022-01-01", None)])
    with pytest.raises(AnalysisError, match=r"The bundle has no caseload data \(caseload.csv\), so nothing about caseloads could be tested"):
        caseload_distribution(org)


@pytest.mark.parametrize("make, before_first_month", [
    # example_org: data 2021-01-01 .. 2022-06-30, caseload months 2022-01 .. 2022-04
    ("example", "2021-06-30"),
    # four_clinicians: data 2022-01-01 .. 2023-04-30, caseload months 2023-01 .. 2023-03
    ("four", "2022-06-30"),
])
def test_as_of_outside_the_data_or_before_the_first_caseload_month(make, before_first_month):
    from orgraph.analyses._demo import example_org
    from orgraph.settings import NoDataError

    org = example_org() if make == "example" else four_clinicians()
    start, end = org.data_start, org.data_end
    with pytest.raises(AnalysisError, match="is before the first day of data"):
        caseload_distribution(org, as_of=start - dt.timedelta(days=1))
    with pytest.raises(AnalysisError, match="is after the last day of data"):
        caseload_distribution(org, as_of=end + dt.timedelta(days=1))
    assert start < D(before_first_month) < org.data.caseload["month"].min().date()
    with pytest.raises(NoDataError, match=f"caseload.csv has no month on or before {before_first_month}"):
        caseload_distribution(org, as_of=before_first_month)
    assert caseload_distribution(org, as_of=end).as_of == end.isoformat()  # the last day of data is fine


def test_cli_caseload(monkeypatch):
    import orgraph.cli.analyses as cli
    from orgraph.cli import main

    monkeypatch.setattr(cli, "open_source", lambda source: four_clinicians())
    r = CliRunner().invoke(main, ["caseload", "bundle", "--by", "sustained"])
    assert r.exit_code == 0, r.output
    assert "People above the 90th percentile for 3+ consecutive months" in r.output
    assert "2023-04-10" in r.output and "rate ratio 28.00" in r.output
    r = CliRunner().invoke(main, ["caseload", "bundle", "--format", "csv"])
    assert r.exit_code == 0 and r.output.splitlines()[0].startswith("program_id,staff,person_months")
    r = CliRunner().invoke(main, ["caseload", "bundle", "--format", "json", "--percentile", "50"])
    assert json.loads(r.output)["settings"]["percentile"] == 50.0


@pytest.mark.parametrize("seed", [1, 2])
def test_planted_caseload_program_is_found_on_synthetic_orgs(synth_org, seed):
    _, org, truth = synth_org(staff=200, years=4, seed=seed)
    res = caseload_distribution(org)
    planted = truth["caseload_program"]["program_id"]
    top, second = res.table[:2]
    assert top["program_id"] == planted
    assert top["share_above_cutoff"] > 2 * second["share_above_cutoff"]
    assert top["sustained_people"] >= 3


def test_person_time_before_the_export_window_is_not_at_risk():
    """An export that shows exits only from 2023-02-01: months before it keep their rows (seat, program,
    supervisor) but count no days at risk, so rates are not diluted by time in which nobody could leave."""
    org = four_clinicians(observed_from="2023-02-01")
    pm = person_months(org)
    a = pm[pm.staff_id == "A"].set_index("month")
    assert a.loc[pd.Timestamp("2022-12-01"), "days"] == 0 and a.loc[pd.Timestamp("2022-12-01"), "program_id"] == "P1"
    assert a.loc[pd.Timestamp("2023-02-01"), "days"] == 28
    full = person_months(four_clinicians())
    # 13 months of 5 people (Jan 2022 - Jan 2023, all employed) are no longer at risk: 5 x 396 days
    assert int(full["days"].sum()) - int(pm["days"].sum()) == 5 * 396
    assert int(pm["exit"].sum()) == int(full["exit"].sum()) == 2


def test_the_monthly_tables_are_built_once_shared_and_left_unchanged(riverbend):
    """person_months, caseload_runs and doc_ratios are built once per org and handed out as they are (no copy
    per use); the analyses that read them leave them as built."""
    from orgraph.analyses.departures import departure_factors
    from orgraph.analyses.docburden import _doc_ratios, doc_ratios, documentation_burden
    from orgraph.analyses.panel import _caseload_runs, _person_months, caseload_runs, person_months

    tables = (person_months(riverbend), caseload_runs(riverbend), doc_ratios(riverbend))
    assert person_months(riverbend) is tables[0]
    assert caseload_runs(riverbend) is tables[1] and doc_ratios(riverbend) is tables[2]
    caseload_distribution(riverbend)
    documentation_burden(riverbend)
    departure_factors(riverbend)
    for shared, fresh in zip(tables, (_person_months(riverbend), _caseload_runs(riverbend, 90.0),
                                      _doc_ratios(riverbend))):
        pd.testing.assert_frame_equal(shared, fresh)


def test_records_match_jsonable_of_every_value():
    """records() converts a column at a time; the values are exactly jsonable() of each cell."""
    import numpy as np

    from orgraph.analyses.panel import records
    from orgraph.plain import jsonable

    df = pd.DataFrame({
        "i": np.array([1, -2, 3], dtype=np.int64), "f": [0.5, np.nan, np.inf], "b": [True, False, True],
        "o": ["a", None, np.int64(4)], "d": pd.to_datetime(["2024-01-02", None, "2025-12-31"]),
        "n": pd.array([1, None, 3], dtype="Int64"), "u": np.array([1, 2, 3], dtype=np.uint8),
        "g": np.array([-np.inf, 1e300, -0.0]), "t": pd.to_timedelta([1, 2, None], unit="D"),
    })
    want = [{k: jsonable(v) for k, v in row.items()} for row in df.to_dict("records")]
    got = records(df)
    assert got == want
    assert [type(v) for v in got[0].values()] == [type(v) for v in want[0].values()]
    assert records(df.iloc[:0]) == [] and records(pd.DataFrame(index=range(2))) == [{}, {}]


def test_group_stats_equal_pandas_groupby_and_the_gini_of_each_group():
    """The per-group statistics on integer codes are bit for bit pandas' grouped mean, median, 90th percentile
    and max, and stats.gini of each group's caseloads."""
    import numpy as np

    from orgraph.analyses.caseload import group_stats
    from orgraph.stats import gini

    rng = np.random.default_rng(5)
    for whole, values in ((True, rng.integers(0, 40, 400).astype(float)), (False, rng.gamma(2.0, 7.0, 400))):
        codes = rng.integers(0, 6, 400)
        values[codes == 4] = 0.0
        codes[0] = 5
        codes[codes == 5] = 3
        codes[0] = 5                                  # group 5: a single row
        got = group_stats(codes, values, 6)
        g = pd.Series(values).groupby(codes)
        for name, want in (("mean", g.mean()), ("median", g.median()), ("p90", g.quantile(0.9)), ("max", g.max()),
                           ("size", g.size())):
            if name == "mean" and not whole:        # pandas sums with Kahan compensation: equal on whole numbers
                assert got[name] == pytest.approx(want.to_numpy(), rel=1e-14)
            else:
                assert got[name].tolist() == want.tolist(), name
        for k in range(6):
            assert got["gini"][k] == pytest.approx(gini(values[codes == k]), abs=1e-12)
        assert got["gini"][4] == 0.0


def test_key_index_matches_get_indexer():
    import numpy as np

    from orgraph.analyses.hazards import key_index

    rng = np.random.default_rng(2)
    right = rng.choice(10_000, 500, replace=False)
    left = rng.integers(0, 10_000, 2_000)
    want = pd.Index(right).get_indexer(left)
    assert key_index(left, right).tolist() == want.tolist()
    assert key_index(left, np.sort(right)).tolist() == pd.Index(np.sort(right)).get_indexer(left).tolist()
    assert key_index([3], []).tolist() == [-1]


def test_label_codes_are_a_sorted_groupby_of_the_filled_labels():
    """Codes and labels equal what ``fillna("(none)")`` and a sorted groupby of the taken values give."""
    import numpy as np

    from orgraph.analyses.caseload import label_codes

    values = np.array(["P2", None, "P10", "P2", "(none)", "A"], dtype=object)
    rows = np.array([0, 2, -1, 1, 3, 2, 4, 0])
    labels, codes = label_codes(values, rows)
    taken = pd.Series([values[r] if r >= 0 else None for r in rows], dtype=object).fillna("(none)")
    want = taken.groupby(taken, sort=True).ngroup()
    assert labels.tolist() == ["(none)", "P10", "P2"]             # "A" is never taken: no empty group
    assert codes.tolist() == want.tolist()
    assert labels[codes].tolist() == taken.tolist()


def test_month_rows_match_get_indexer_on_month_keys():
    """The staff x month table lookup (and its fallback for sparse keys) finds the same rows as a hash join."""
    import numpy as np

    from orgraph.analyses.hazards import month_rows
    from orgraph.analyses.panel import month_key

    rng = np.random.default_rng(8)
    pairs = np.unique(np.column_stack([rng.integers(-1, 40, 900), rng.integers(600, 640, 900)]), axis=0)
    pairs = pairs[rng.permutation(len(pairs))]
    sc, mi = rng.integers(-3, 45, 3000), rng.integers(595, 645, 3000)
    want = pd.Index(month_key(pairs[:, 0], pairs[:, 1])).get_indexer(month_key(sc, mi))
    assert month_rows(sc, mi, pairs[:, 0], pairs[:, 1]).tolist() == want.tolist()
    assert (want >= 0).sum() > 500 and (want < 0).sum() > 500
    far = pairs[:, 0] * 10_000                   # a table this sparse falls back to the sorted search
    want = pd.Index(month_key(far, pairs[:, 1])).get_indexer(month_key(sc * 10_000, mi))
    assert month_rows(sc * 10_000, mi, far, pairs[:, 1]).tolist() == want.tolist()


def test_month_rows_on_sorted_pairs_with_gaps_match_get_indexer():
    """Sorted (staff, month) pairs take the block path: months with gaps, staff without rows, code -1."""
    import numpy as np

    from orgraph.analyses.hazards import _sorted_month_rows, month_rows
    from orgraph.analyses.panel import month_key

    rng = np.random.default_rng(21)
    pairs = np.unique(np.column_stack([rng.integers(-1, 60, 1500), rng.integers(600, 660, 1500)]), axis=0)
    dense = np.column_stack([np.repeat([70, 71], 30), np.tile(np.arange(610, 640), 2)])   # no gaps
    pairs = np.vstack([pairs, dense])
    sc, mi = rng.integers(-3, 75, 5000), rng.integers(595, 665, 5000)
    want = pd.Index(month_key(pairs[:, 0], pairs[:, 1])).get_indexer(month_key(sc, mi))
    got = month_rows(sc, mi, pairs[:, 0], pairs[:, 1])
    assert got.tolist() == want.tolist()
    assert (want >= 0).sum() > 1000 and (want < 0).sum() > 1000
    direct = _sorted_month_rows(sc, mi, pairs[:, 0].astype(np.int64), pairs[:, 1].astype(np.int64))
    assert direct.tolist() == want.tolist()


def test_label_codes_from_panel_codes_match_factorizing_the_strings():
    """Group labels built from a panel's shared column codes equal those of factorizing the object column."""
    import numpy as np

    from orgraph.analyses.caseload import label_codes
    from orgraph.analyses.persontime import column_codes

    rng = np.random.default_rng(4)
    values = np.array(["P2", None, "P1", "(none)", "P3"], dtype=object)[rng.integers(0, 5, 400)]
    frame = pd.DataFrame({"program_id": values})
    rows = rng.integers(-1, 400, 900)
    want_labels, want = label_codes(values, rows)
    labels, got = label_codes(None, rows, factorized=column_codes(frame, "program_id"))
    assert labels.tolist() == want_labels.tolist() == ["(none)", "P1", "P2", "P3"]
    assert got.tolist() == want.tolist()
    by_hand = pd.Series([values[r] if r >= 0 else None for r in rows]).fillna("(none)")
    assert [want_labels[c] for c in want] == by_hand.tolist()


def test_month_groups_are_a_sorted_groupby_of_the_months():
    """Rows of each month, months in order, rows in their own order: what ``groupby(mi, sort=True)`` gives."""
    import numpy as np

    from orgraph.analyses.caseload import month_groups

    rng = np.random.default_rng(5)
    mi = rng.integers(600, 630, 2000)
    want = [idx.tolist() for _, idx in pd.Series(mi).groupby(mi, sort=True).groups.items()]
    assert [g.tolist() for g in month_groups(mi)] == want
    assert month_groups(np.zeros(0, dtype=np.int64)) == []


@pytest.mark.parametrize("whole", [True, False])
def test_run_table_matches_a_groupby_of_the_above_rows(whole):
    """One row per run of above-cut-off months, equal (bit for bit) to the pandas groupby it replaces."""
    import numpy as np

    from orgraph.analyses.caseload import run_table

    rng = np.random.default_rng(6 if whole else 7)
    n = 3000
    sc = np.sort(rng.integers(0, 120, n))
    mi = 600 + np.arange(n) - np.searchsorted(sc, sc)            # consecutive months within a person
    mi[rng.random(n) < 0.05] += 1                                  # and a few gaps (not a run across them)
    above = rng.random(n) < 0.6
    run = np.zeros(n, dtype=np.int64)
    for i in range(n):                                             # the run each row ends, by a loop
        if above[i]:
            go_on = i > 0 and above[i - 1] and sc[i] == sc[i - 1] and mi[i] == mi[i - 1] + 1
            run[i] = run[i - 1] + 1 if go_on else 1
    values = rng.integers(0, 80, n).astype(float) if whole else rng.normal(30, 9, n)
    ids = np.array([f"S{c}" for c in sc], dtype=object)
    r = pd.DataFrame({"staff_id": ids, "mi": mi, "run": run, "active_clients": values})[above]
    r["run_id"] = (r["run"] == 1).cumsum()
    want = r.groupby("run_id").agg(staff_id=("staff_id", "first"), first_mi=("mi", "min"),
                                   last_mi=("mi", "max"), months=("run", "max"),
                                   mean_caseload=("active_clients", "mean"))
    got = run_table(ids, mi, run, values, above)
    assert len(got) > 100 and (got["months"] >= 3).sum() > 10
    pd.testing.assert_frame_equal(got, want, check_exact=True)


def test_record_rows_match_month_rows():
    """The inverted lookup for sorted, unique caseload pairs finds the same rows as ``month_rows``; other pairs
    (unsorted, repeated) go to ``month_rows`` itself."""
    import numpy as np

    from orgraph.analyses.hazards import month_rows, record_rows

    rng = np.random.default_rng(9)
    target = np.unique(np.column_stack([rng.integers(-1, 50, 2000), rng.integers(600, 640, 2000)]), axis=0)
    target = target[rng.permutation(len(target))]                  # the person-month panel: another order
    pairs = np.unique(np.column_stack([rng.integers(-1, 55, 1500), rng.integers(598, 642, 1500)]), axis=0)
    want = month_rows(pairs[:, 0], pairs[:, 1], target[:, 0], target[:, 1])
    got = record_rows(pairs[:, 0], pairs[:, 1], target[:, 0], target[:, 1])
    assert got.tolist() == want.tolist()
    assert (want >= 0).sum() > 300 and (want < 0).sum() > 100
    shuffled = pairs[rng.permutation(len(pairs))]
    assert record_rows(shuffled[:, 0], shuffled[:, 1], target[:, 0], target[:, 1]).tolist() == \
        month_rows(shuffled[:, 0], shuffled[:, 1], target[:, 0], target[:, 1]).tolist()
    assert record_rows([], [], target[:, 0], target[:, 1]).tolist() == []


@pytest.mark.parametrize("spread", [1, 100_000])
def test_sorted_month_rows_read_gapless_blocks_and_search_the_rest(spread):
    """Mostly gapless staff blocks (read off the block start), a few staff with gaps (searched), queries
    outside every block and staff codes so sparse (``spread``) that the whole lookup is a search."""
    import numpy as np

    from orgraph.analyses.hazards import _sorted_month_rows
    from orgraph.analyses.panel import month_key

    rng = np.random.default_rng(5)
    blocks = []
    for s in range(0, 300, 2):                   # every other staff code has rows
        first, n = int(rng.integers(590, 640)), int(rng.integers(1, 25))
        months = np.arange(first, first + n)
        if s % 20 == 0 and n > 3:                 # a gap
            months = np.delete(months, n // 2)
        blocks.append(np.column_stack([np.full(len(months), s * spread), months]))
    pairs = np.vstack(blocks).astype(np.int64)
    sc = rng.integers(-2, 302, 20_000) * spread
    mi = rng.integers(585, 670, 20_000)
    want = pd.Index(month_key(pairs[:, 0], pairs[:, 1])).get_indexer(month_key(sc, mi))
    got = _sorted_month_rows(sc, mi, pairs[:, 0], pairs[:, 1])
    assert got.tolist() == want.tolist()
    assert (want >= 0).sum() > 1000 and (want < 0).sum() > 10_000


@pytest.mark.parametrize("top", [3, 60, 5_000_000])
def test_group_stats_on_whole_numbers_narrow_or_wide_equal_pandas(top):
    """Counts in a narrow range (a counting sort) and in a wide one (a sort of keys) give pandas' numbers."""
    import numpy as np

    from orgraph.analyses.caseload import group_stats
    from orgraph.stats import gini

    rng = np.random.default_rng(top)
    codes = rng.integers(0, 50, 3000)
    values = rng.integers(0, top, 3000).astype(float)
    got = group_stats(codes, values, 50)
    g = pd.Series(values).groupby(codes)
    for name, want in (("mean", g.mean()), ("median", g.median()), ("p90", g.quantile(0.9)), ("max", g.max()),
                       ("size", g.size()), ("sum", g.sum())):
        assert got[name].tolist() == want.tolist(), name
    for k in range(50):
        assert got["gini"][k] == pytest.approx(gini(values[codes == k]), abs=1e-12)
