"""What departures have in common: person-time rate ratios per factor level, suppression, BH."""
from __future__ import annotations

import json
import math

import numpy as np
import pandas as pd
import pytest
from click.testing import CliRunner

from orgraph.analyses.coverage import MISSING
from orgraph.analyses.departures import departure_factors, factor_context, monthly_factors
from orgraph.errors import AnalysisError
from orgraph.analyses.panel import person_months
from test_caseload import build, four_clinicians

PERIOD = {"start": "2023-01-01", "end": "2023-04-30"}


def rec(res, factor, level):
    return next(r for r in res.table if r["factor"] == factor and r["level"] == level)


def test_rate_ratios_hand_computed():
    res = departure_factors(four_clinicians(), min_cell=1, **PERIOD)
    # Jan-Apr 2023: A 120 days, B 74 (leaves 15 Mar), C 120, D 100 (leaves 10 Apr), S 120 -> 534 days, 2 exits
    assert (res.extras["exits"], res.extras["people"], res.extras["leavers"]) == (2, 5, 2)
    assert res.extras["person_years"] == round(534 / 365.25, 2)
    assert res.extras["period"] == {"start": "2023-01-01", "end": "2023-04-30"}
    p2 = rec(res, "program", "P2")                      # C, D, S: 340 days, 1 exit; P1: 194 days, 1 exit
    assert (p2["people"], p2["exits"], p2["leavers"]) == (3, 1, 1)
    assert p2["rate_ratio"] == pytest.approx(194 / 340)
    assert p2["share_of_exits"] == 0.5 and p2["share_of_person_time"] == round(340 / 534, 4)
    hi = rec(res, "caseload_band", "above 90th percentile")   # D Feb-Apr: 69 days, 1 exit vs 465 days, 1 exit
    assert hi["rate_ratio"] == pytest.approx(465 / 69)
    assert hi["description"] == "people whose caseload the month before was above 90th percentile"
    assert rec(res, "caseload_band", "50th-75th percentile")["people"] == 1   # C (30 > median 25, <= p75 32.5)
    none = rec(res, "caseload_band", "no caseload record")        # January for all, S always
    assert none["people"] == 5 and none["person_years"] == round((4 * 31 + 120) / 365.25, 2)
    assert rec(res, "supervisor", "S")["people"] == 2
    json.dumps(res.to_dict())


def test_small_groups_are_suppressed():
    res = departure_factors(four_clinicians(), **PERIOD)          # min_cell 5 from [privacy]
    shown = {(r["factor"], r["level"]) for r in res.table}
    assert shown == {("tenure_band", "1-2 years"), ("caseload_band", "no caseload record")}
    assert res.extras["suppressed"] == {"caseload_band": 3, "program": 2, "supervisor": 2, "seat": 5}
    # the bundle has no documentation.csv: the factor is not shown as one "no record" level but said untested
    assert res.untested == [MISSING["documentation"]]


def two_programs_big():
    """40 people in P1 (1 exit) and 40 in P2 (12 exits), all leaving on 2022-06-30."""
    staff, seats = [], []
    for prog, n_exit in (("P1", 1), ("P2", 12)):
        for i in range(40):
            sid = f"{prog}-{i:02d}"
            ex = "2022-06-30" if i < n_exit else None
            staff.append((sid, "2021-01-01", ex))
            seats.append((sid, f"seat-{sid}", prog, "clinician", "2021-01-01", ex))
    return build(staff, seats, data_end="2022-12-31")


def test_over_represented_program_and_sentence():
    res = departure_factors(two_programs_big(), start="2022-01-01", end="2022-12-31")
    p2 = rec(res, "program", "P2")
    d1, d2 = 39 * 365 + 181, 28 * 365 + 12 * 181
    assert p2["rate_ratio"] == pytest.approx((12 / d2) / (1 / d1))
    z = 1.959963984540054
    assert p2["ci_low"] == pytest.approx(p2["rate_ratio"] * math.exp(-z * math.sqrt(1 / 12 + 1)))
    assert p2["over_represented"] and not rec(res, "program", "P1")["over_represented"]
    assert res.table[0]["level"] == "P2"
    assert p2["p_adjusted"] >= p2["p_value"]
    assert "Exits were 14.0 times as frequent among people in program P2 (95% CI 1.8–" in res.summary
    assert departure_factors(two_programs_big(), start="2022-01-01", end="2022-12-31",
                             termination_types=["involuntary"]).extras["exits"] == 0


def test_default_period_is_last_twelve_months_and_errors():
    res = departure_factors(two_programs_big())
    assert res.extras["period"] == {"start": "2022-01-01", "end": "2022-12-31"}
    assert departure_factors(two_programs_big(), period_months=6).extras["period"]["start"] == "2022-07-01"
    with pytest.raises(AnalysisError, match="the period starts"):
        departure_factors(two_programs_big(), start="2023-01-01", end="2022-06-30")


def test_supervisor_recently_left_and_seat_churn():
    from orgraph.analyses._demo import example_org

    res = departure_factors(example_org(), start="2022-04-01", end="2022-06-30", min_cell=1)
    r = rec(res, "supervisor_recently_left", "yes")   # C1 Apr 1-May 20 (50 days, 1 exit), C2, C3 91 days each
    assert (r["people"], r["exits"], r["person_years"]) == (3, 1, round(232 / 365.25, 2))
    assert not any(x["factor"] == "supervisor_recently_left" and x["level"] == "no" for x in res.table)
    # a seat whose two earlier holders left in the last 24 months
    staff = [("H1", "2020-01-01", "2020-12-31"), ("H2", "2021-01-01", "2021-06-30"), ("H3", "2021-07-01", None)]
    seats = [(s, "SEAT", "P", "clinician", h, e) for s, h, e in staff]
    org = build(staff, seats, data_end="2022-12-31")
    rows = pd.DataFrame({"staff_id": ["H3", "H3"], "ref": pd.to_datetime(["2022-06-30", "2023-01-01"]),
                         "prev_mi": [629, 635]})
    assert factor_context(org, rows)["seat_departures"].tolist() == [2, 1]   # H1's departure leaves the window
    f = monthly_factors(org)
    assert f[(f.staff_id == "H3")]["tenure_band"].iloc[0] == "under 6 months"


def test_cli_departures(monkeypatch):
    import orgraph.cli.analyses as cli
    from orgraph.cli import main

    monkeypatch.setattr(cli, "open_source", lambda source: two_programs_big())
    r = CliRunner().invoke(main, ["departures", "bundle", "--over-represented"])
    assert r.exit_code == 0, r.output
    assert "Exit rates by group, 2022-01-01 to 2022-12-31: 13 exits among 80 people" in r.output
    assert "groups of fewer than 5 people are hidden" in r.output
    r = CliRunner().invoke(main, ["departures", "bundle", "--format", "json", "--voluntary-only"])
    assert json.loads(r.output)["settings"]["termination_types"] == ["voluntary"]


def test_as_of_outside_the_data_is_an_error():
    from orgraph.analyses._demo import example_org       # data 2021-01-01 .. 2022-06-30

    with pytest.raises(AnalysisError, match="is before the first day of data"):
        departure_factors(example_org(), as_of="2020-12-31")
    with pytest.raises(AnalysisError, match="is after the last day of data"):
        departure_factors(example_org(), as_of="2022-07-01")


def test_the_monthly_factor_table_is_compact(riverbend):
    """The large, shared monthly factor table holds ids and bands as categoricals, counts as int32 or narrower
    (no pointer per row and value) and only the columns analyses read off it; each is what factor_context
    gives afresh, with the same values as text."""
    from orgraph.analyses.departures import factor_context, monthly_factors
    from orgraph.analyses.panel import person_months

    f = monthly_factors(riverbend)
    for col in ("staff_id", "position_id", "program_id", "role_kind", "supervisor_id", "caseload_band",
                "documentation_band", "tenure_band"):
        assert isinstance(f[col].dtype, pd.CategoricalDtype), col
    for col in ("sc", "mi", "prev_mi", "tenure_days", "sup_sc"):
        assert f[col].dtype == np.int32, col
    assert f["days"].dtype == np.int8 and f["seat_departures"].dtype.itemsize <= 2
    for col in ("month", "ref", "caseload", "sup_span", "sup_caseload"):     # read by nobody off this table
        assert col not in f.columns, col
    assert not (f.dtypes == object).any()
    assert f.memory_usage(index=False).sum() / len(f) < 62           # bytes per person-month (was 185, then 110)
    pm = person_months(riverbend)
    for col in ("staff_id", "position_id", "program_id", "role_kind", "supervisor_id"):     # the same ids
        assert f[col].astype(object).where(f[col].notna(), None).tolist() == \
            pm[col].astype(object).where(pm[col].notna(), None).tolist(), col
    fresh = factor_context(riverbend, pm.assign(prev_mi=pm["mi"] - 1))
    assert set(fresh.columns) - set(f.columns) == {"month", "ref", "caseload", "sup_span", "sup_caseload"}
    pd.testing.assert_frame_equal(f, fresh[f.columns], check_exact=True, check_categorical=False,
                                  check_dtype=False)
    for col in ("days", "seat_departures"):
        assert (f[col].to_numpy() == fresh[col].to_numpy()).all() and f[col].dtype.itemsize < 4, col


def test_narrowest_keeps_every_value():
    from orgraph.analyses.departures import _narrowest

    for values, want in (([0, 127], np.int8), ([-129, 0], np.int16), ([0, 40_000], np.int32),
                         ([0, 1 << 31], np.int64), ([], np.int8)):
        got = _narrowest(np.array(values, dtype=np.int64))
        assert got.dtype == want and got.tolist() == values, values


def test_caseload_bands_of_some_months_are_those_of_all_months(riverbend):
    """The bands of the people employed on one day are read off that month's caseloads only: the same bands
    as banding every month at once, each against its month's median and 75th percentile (pandas)."""
    from orgraph.analyses.departures import _caseload_bands
    from orgraph.analyses.panel import caseload_runs

    sc, mi, active, band, run = _caseload_bands(riverbend)
    runs = caseload_runs(riverbend)
    q = runs.groupby("mi")["active_clients"].quantile([0.5, 0.75]).unstack()
    a = runs["active_clients"].to_numpy(float)
    want = np.select([runs["above"].to_numpy(), a > q[0.75].reindex(runs["mi"]).to_numpy(),
                      a > q[0.5].reindex(runs["mi"]).to_numpy()], [0, 1, 2], 3)
    assert band.tolist() == want.tolist() and len(set(band.tolist())) == 4
    some = sorted(set(mi.tolist()))[-3:]
    s_sc, s_mi, s_active, s_band, s_run = _caseload_bands(riverbend, some)
    sel = np.isin(mi, some)
    assert sel.sum() < len(mi)
    for got, full in ((s_sc, sc), (s_mi, mi), (s_active, active), (s_band, band), (s_run, run)):
        assert got.tolist() == full[sel].tolist()


def test_grid_lookup_finds_the_first_row_of_each_pair(monkeypatch):
    import orgraph.analyses.departures as dep

    rng = np.random.default_rng(3)
    r_sc, r_mi = rng.integers(-1, 6, 200), rng.integers(600, 640, 200)       # repeats, and codes of -1
    l_sc, l_mi = rng.integers(-1, 7, 500), rng.integers(595, 645, 500)
    first = {}
    for i, pair in enumerate(zip(r_sc.tolist(), r_mi.tolist())):
        if pair[0] >= 0:
            first.setdefault(pair, i)
    want = [first.get(pair, -1) if pair[0] >= 0 else -1 for pair in zip(l_sc.tolist(), l_mi.tolist())]
    assert dep.grid_lookup(l_sc, l_mi, r_sc, r_mi).tolist() == want
    monkeypatch.setattr(dep, "_GRID_MAX", 0)                                  # the sorted-search path
    assert dep.grid_lookup(l_sc, l_mi, r_sc, r_mi).tolist() == want
    assert dep.grid_lookup([1], [600], [], []).tolist() == [-1]


@pytest.mark.parametrize("grid_max", [1 << 25, 0])
def test_grid_lookup_a_chunk_at_a_time_with_narrow_columns_finds_the_first_row(monkeypatch, grid_max):
    import orgraph.analyses.departures as dep

    rng = np.random.default_rng(5)
    r_sc, r_mi = rng.integers(-2, 9, 3000).astype(np.int32), rng.integers(600, 630, 3000).astype(np.int16)
    l_sc, l_mi = rng.integers(-1, 10, 2500).astype(np.int32), rng.integers(598, 632, 2500).astype(np.int16)
    first = {}
    for i, pair in enumerate(zip(r_sc.tolist(), r_mi.tolist())):
        if pair[0] >= 0:
            first.setdefault(pair, i)
    want = [first.get(pair, -1) if pair[0] >= 0 else -1 for pair in zip(l_sc.tolist(), l_mi.tolist())]
    monkeypatch.setattr(dep, "_CHUNK", 64)                   # many chunks, and repeated pairs across them
    monkeypatch.setattr(dep, "_GRID_MAX", grid_max)
    got = dep.grid_lookup(l_sc, l_mi, r_sc, r_mi, dtype=np.int32)
    assert got.dtype == np.int32 and got.tolist() == want
    assert dep.grid_lookup(l_sc, l_mi, r_sc, r_mi).dtype == np.int64


def test_grid_keys_number_the_cells_of_pairs_on_both_sides():
    from orgraph.analyses.departures import _grid_keys

    sc, mi = np.array([3, 0, 1, -1, 3, 2]), np.array([10, 11, 12, 11, 14, 11])
    both = np.array([True, False, True, True])
    rank = np.cumsum(both) - 1
    rows, key = _grid_keys(sc, mi, both, rank, 10, 12, 3)
    want = [(i, (m - 10) * 3 + rank[c]) for i, (c, m) in enumerate(zip(sc, mi))
            if c >= 0 and 10 <= m <= 12 and both[c]]
    assert list(zip(rows.tolist(), key.tolist())) == want and key.dtype == np.int64


def test_spans_match_a_pandas_groupby(monkeypatch):
    import orgraph.analyses.departures as dep

    rng = np.random.default_rng(5)
    n = 400
    df = pd.DataFrame({"sc": rng.integers(0, 30, n), "sup": rng.integers(-1, 6, n), "mi": rng.integers(620, 626, n),
                       "cl": np.where(rng.random(n) < 0.2, np.nan, rng.integers(0, 40, n).astype(float))})
    has = df["sup"] >= 0
    g = df[has].groupby(["sup", "mi"]).agg(span=("sc", "nunique"), load=("cl", "sum"))
    want = df.join(g, on=["sup", "mi"])
    want_span = np.where(has, want["span"], 0)
    want_load = np.where(has, want["load"], 0.0)
    for grid in (dep._GRID_MAX, 0):
        monkeypatch.setattr(dep, "_GRID_MAX", grid)
        span, load = dep._spans(df["sc"], df["sup"], df["mi"], df["cl"])
        assert span.tolist() == want_span.tolist() and load.tolist() == want_load.tolist()
    once = df.drop_duplicates(["sc", "mi"])                 # one row per person and month: counted directly
    span, _ = dep._spans(once["sc"], once["sup"], once["mi"], once["cl"])
    assert span.tolist() == [len(once[(once["sup"] == s) & (once["mi"] == m)]) if s >= 0 else 0
                             for s, m in zip(once["sup"], once["mi"])]


def test_spans_when_every_row_has_a_supervisor_match_a_pandas_groupby(monkeypatch):
    import orgraph.analyses.departures as dep

    rng = np.random.default_rng(8)
    n = 500
    df = pd.DataFrame({"sc": rng.integers(0, 40, n), "sup": rng.integers(0, 7, n), "mi": rng.integers(600, 609, n),
                       "cl": np.where(rng.random(n) < 0.2, np.nan, rng.integers(0, 40, n).astype(float))})
    g = df.groupby(["sup", "mi"]).agg(span=("sc", "nunique"), load=("cl", "sum"))
    want = df.join(g, on=["sup", "mi"])
    for grid in (dep._GRID_MAX, 0):
        monkeypatch.setattr(dep, "_GRID_MAX", grid)
        span, load = dep._spans(df["sc"], df["sup"], df["mi"], df["cl"])
        assert span.dtype == np.int32 and load.dtype == np.float64
        assert span.tolist() == want["span"].tolist() and load.tolist() == want["load"].tolist()


def test_days_since_a_supervisor_left_match_merge_asof(riverbend):
    """The searchsorted lookup gives what pandas.merge_asof (by person, backward) gives."""
    from orgraph.analyses.departures import _sup_left_days
    from orgraph.analyses.persontime import staff_codes

    org = riverbend
    f = person_months(org)
    sf, sv = org.staff_frame, org.supervision_frame
    ev = sv.merge(sf[sf["exited"]][["exit"]], left_on="supervisor_id", right_index=True)
    ev = ev[(ev["start"] <= ev["exit"]) & (ev["end"] > ev["exit"] - pd.Timedelta(days=30))]
    ev = pd.DataFrame({"sc": staff_codes(org, ev["staff_id"]), "gone": ev["exit"] + pd.Timedelta(days=1)})
    rows = pd.DataFrame({"ref": f["ref"], "sc": f["sc"].astype(np.int64)})
    m = pd.merge_asof(rows, ev.sort_values("gone"), left_on="ref", right_on="gone", by="sc", direction="backward")
    want = (m["ref"] - m["gone"]).dt.days.to_numpy()
    got = _sup_left_days(org, f["sc"].to_numpy(), f["ref"].to_numpy(), 30)
    assert np.isfinite(want).sum() > 100
    np.testing.assert_array_equal(got, want.astype(np.float32))
    # the keys of the supervisors' exits are built once per org and lookback, and are those (person, day) pairs
    from orgraph.analyses.departures import _DAY_BITS, _DAY_OFFSET, _supervisor_exit_keys

    keys = _supervisor_exit_keys(org, 30)
    assert _supervisor_exit_keys(org, 30) is keys and len(_supervisor_exit_keys(org, 400)) > len(keys)
    pairs = sorted(zip((keys >> _DAY_BITS) - 1, (keys & ((1 << _DAY_BITS) - 1)) - _DAY_OFFSET))
    gone = (ev["gone"].to_numpy().astype("datetime64[D]").astype(np.int64))
    assert pairs == sorted(zip(ev["sc"].tolist(), gone.tolist()))


def test_in_ids_and_sorted_levels_match_pandas():
    from orgraph.analyses.departures import in_ids, sorted_levels

    values = pd.Series(["b", None, "a", "c", "b", "a"])
    cat = values.astype("category")
    assert in_ids(cat, ["a", "z"]).tolist() == values.isin(["a", "z"]).tolist() == in_ids(values, ["a", "z"]).tolist()
    filled = values.fillna("(none)")
    want_codes, want_names = pd.factorize(filled, sort=True)
    codes = np.where(cat.cat.codes >= 0, cat.cat.codes, len(cat.cat.categories))
    got_codes, got_names = sorted_levels(codes, list(cat.cat.categories) + ["(none)"])
    assert got_codes.tolist() == want_codes.tolist() and got_names == list(want_names)
    got_codes, got_names = sorted_levels([3, 3, 1], ["w", "x", "y", "z"])     # only the names used
    assert got_codes.tolist() == [1, 1, 0] and got_names == ["x", "z"]


def test_distinct_keys(monkeypatch):
    import orgraph.analyses.departures as dep

    for grid in (dep._GRID_MAX, 0):
        monkeypatch.setattr(dep, "_GRID_MAX", grid)
        assert dep._distinct(np.array([3, 1, 7]), 8) and not dep._distinct(np.array([3, 1, 3]), 8)


def test_supervisor_codes_match_a_lookup_per_row(riverbend):
    """Supervisor ids are looked up once per distinct id: the codes are the staff codes of each row's id (-1 for
    none or someone not on the staff list), and the categorical holds the same ids."""
    from orgraph.analyses.departures import _supervisors
    from orgraph.analyses.persontime import staff_codes

    ids = ["S1", None, "nobody", np.nan, "S1"] + list(riverbend.staff_frame.index[:3])
    ids[0] = ids[4] = riverbend.staff_frame.index[-1]
    sup = pd.Series(ids, dtype=object)
    cat, codes = _supervisors(riverbend, sup)
    want = staff_codes(riverbend, sup.fillna(""))
    assert codes.tolist() == want.tolist() and codes[2] == codes[1] == -1
    assert [None if pd.isna(x) else x for x in cat] == [None if pd.isna(x) else x for x in ids]
    on_staff = sup.drop([2])
    cat, codes = _supervisors(riverbend, on_staff)
    assert list(cat.categories) == list(riverbend.staff_frame.index)          # the staff list's categories
    assert np.array_equal(np.asarray(cat.codes), np.where(on_staff.notna(), codes, -1))


def test_caseload_bands_match_a_merge_on_the_monthly_quantiles(riverbend):
    from orgraph.analyses.departures import _caseload_bands
    from orgraph.analyses.panel import caseload_runs

    runs = caseload_runs(riverbend)
    q = runs.groupby("mi")["active_clients"].quantile([0.5, 0.75]).unstack()
    r = runs.merge(q, left_on="mi", right_index=True)
    want = np.select([r["above"], r["active_clients"] > r[0.75], r["active_clients"] > r[0.5]], [0, 1, 2], 3)
    sc, mi, active, band, run = _caseload_bands(riverbend)
    assert sc.tolist() == r["sc"].tolist() and mi.tolist() == r["mi"].tolist()
    assert band.tolist() == want.tolist() and set(band.tolist()) == {0, 1, 2, 3}
    assert np.array_equal(active, r["active_clients"].to_numpy()) and run.tolist() == r["run"].tolist()


def test_seat_departures_in_day_order_match_the_binary_search(riverbend):
    """Rows in day order (the monthly table) count each seat's departures day by day; in any other order by a
    binary search over every departure: the same counts."""
    from orgraph.analyses.departures import _seat_departures
    from orgraph.analyses.panel import person_months

    pm = person_months(riverbend)
    seat = pd.Categorical(pm["position_id"].to_numpy(dtype=object))
    ref = pm["ref"].to_numpy()
    assert (ref[1:] >= ref[:-1]).all()
    got = _seat_departures(riverbend, seat, ref, 24)
    shuffle = np.random.default_rng(1).permutation(len(ref))
    want = np.empty_like(got)
    want[shuffle] = _seat_departures(riverbend, seat[shuffle], ref[shuffle], 24)
    assert got.tolist() == want.tolist() and got.max() >= 2
    short = _seat_departures(riverbend, seat, ref, 3)
    assert (short <= got).all() and (short < got).any()


@pytest.mark.parametrize("count_max", [1 << 24, 0])
def test_month_quantiles_are_pandas_groupby_quantiles(monkeypatch, count_max):
    """Read off counts of (month, value) pairs (or, past the limit, sorted per quantile): the numbers of a pandas
    groupby quantile, to the last bit, including months of one record and months with ties."""
    from orgraph.analyses import departures as dep

    monkeypatch.setattr(dep, "_COUNT_MAX", count_max)
    rng = np.random.default_rng(5)
    mi = np.r_[rng.integers(600, 640, 3000), 700]               # month 700: a single record
    values = np.r_[rng.integers(0, 60, 3000), 12].astype(float)
    got = dep._month_quantiles(mi, values, (0.5, 0.75, 0.9))
    frame = pd.DataFrame({"mi": mi, "v": values})
    for q, g in zip((0.5, 0.75, 0.9), got):
        want = frame.groupby("mi")["v"].quantile(q).reindex(mi).to_numpy()
        assert np.array_equal(g, want), q
    fractional = dep._month_quantiles(mi[:50], values[:50] + 0.5, (0.5,))[0]      # not whole numbers: sorted
    assert np.array_equal(fractional, frame.head(50).assign(v=lambda d: d.v + 0.5).groupby("mi")["v"]
                          .quantile(0.5).reindex(mi[:50]).to_numpy())


def test_the_monthly_table_reuses_the_panels_id_codes(riverbend, monkeypatch):
    """person_months keeps the codes of its seat, program, role and supervisor ids: the monthly table's build
    hashes no id again, and the categoricals hold the same ids as a fresh factorization gives."""
    from orgraph.analyses import departures as dep

    pm = person_months(riverbend)
    hashed = []
    real = dep.factorize_objects
    monkeypatch.setattr(dep, "factorize_objects", lambda v: hashed.append(len(v)) or real(v))
    f = dep._factor_context(riverbend, pm, prev_mi=pm["mi"].to_numpy() - 1, compact=True)
    assert hashed == []
    for col in ("position_id", "program_id", "role_kind", "supervisor_id"):
        assert f[col].astype(object).where(f[col].notna(), None).tolist() == \
            pm[col].astype(object).where(pm[col].notna(), None).tolist(), col


def test_days_since_a_supervisor_left_only_for_people_with_such_an_exit(riverbend):
    """Rows of people no leaving supervisor ever supervised (and of unknown people, code -1) stay NaN; the others
    get the days from the last such exit on or before the row's day, as a plain loop over the exits finds."""
    from orgraph.analyses.departures import _DAY_BITS, _DAY_OFFSET, _sup_left_days, _supervisor_exit_keys

    pm = person_months(riverbend)
    sc = np.r_[pm["sc"].to_numpy(), -1, -1]
    ref = np.r_[pm["ref"].to_numpy(), pm["ref"].to_numpy()[:2]]
    got = _sup_left_days(riverbend, sc, ref, 30)
    keys = _supervisor_exit_keys(riverbend, 30)
    gone = {}
    for k in keys.tolist():
        gone.setdefault((k >> _DAY_BITS) - 1, []).append((k & ((1 << _DAY_BITS) - 1)) - _DAY_OFFSET)
    days = ref.astype("datetime64[D]").astype(np.int64)
    want = [min((d - g for g in gone.get(s, []) if g <= d), default=np.nan) for s, d in zip(sc.tolist(), days)]
    np.testing.assert_array_equal(got, np.array(want, dtype=np.float32))
    assert np.isnan(got[-2:]).all() and np.isfinite(got).sum() > 100 and np.isnan(got).sum() > 100


def test_doc_lookup_is_the_documentation_months_with_a_ratio(riverbend):
    from orgraph.analyses.departures import _doc_lookup
    from orgraph.analyses.docburden import doc_ratios

    dr = doc_ratios(riverbend)
    want = dr[dr["ratio"].notna()]
    sc, mi, ratio = _doc_lookup(riverbend)
    assert sc.tolist() == want["sc"].tolist() and mi.tolist() == want["mi"].tolist()
    assert ratio.tolist() == want["ratio"].tolist()
    last = int(want["mi"].max())
    sc, mi, ratio = _doc_lookup(riverbend, [last])
    assert mi.tolist() == [last] * int((want["mi"] == last).sum()) and len(mi) < len(want)
    assert _doc_lookup(riverbend, [0]) is None
