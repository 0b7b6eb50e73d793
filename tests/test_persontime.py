"""The person-time panel against a brute force: every person-day as its own row.

The brute force expands each person's employment inside the export window to
one row per day, looks up that day's seat, supervisor, calendar year and
tenure band directly, and counts. The panel's pieces must add up to exactly
the same days, exits and strata; windows must overlap the same days; and the
cascades' expected exits must equal days x rate summed day by day.
"""
from __future__ import annotations

import weakref

import numpy as np
import pandas as pd
import pytest

from orgraph.analyses.cascades import supervisor_cascades
from orgraph.analyses.exposure import TENURE_BAND_EDGES, observed_from, supervisor_cohorts
from orgraph.analyses.persontime import (overlap, person_time, piece_rates, staff_codes, standard_rates,
                                         stratum_days, stratum_exits)


def _daily(org, cut):
    """One row per person-day at risk: staff_id, day, exit (the person's last day), role_kind, program_id,
    position_id, supervisor_id, year, band."""
    obs0 = observed_from(org, cut)
    sf = org.staff_frame
    rows = []
    for sid, r in sf.iterrows():
        first = max(r["hire"], obs0, pd.Timestamp(org.data_start))
        left = pd.notna(r["exit"]) and r["exit"] < cut
        last = r["exit"] if left else cut - pd.Timedelta(days=1)
        if last < first:
            continue
        days = pd.date_range(first, last, freq="D")
        rows.append(pd.DataFrame({"staff_id": sid, "day": days, "hire": r["hire"],
                                  "exit": (days == r["exit"]) if left else False}))
    d = pd.concat(rows, ignore_index=True).sort_values("day", kind="stable")
    af = org.assignment_frame.sort_values("start")
    d = pd.merge_asof(d, af[["staff_id", "start", "position_id", "program_id", "role_kind"]], left_on="day",
                      right_on="start", by="staff_id", direction="backward").drop(columns="start")
    sv = org.supervision_frame.sort_values("start")
    d = pd.merge_asof(d, sv[["staff_id", "start", "end", "supervisor_id"]], left_on="day", right_on="start",
                      by="staff_id", direction="backward")
    d.loc[~(d["end"] > d["day"]), "supervisor_id"] = None
    d = d.drop(columns=["start", "end"])
    d["role_kind"] = d["role_kind"].fillna("other")
    d["year"] = d["day"].dt.year.astype(np.int64)
    tenure = (d["day"] - d["hire"]).dt.days.to_numpy()
    d["band"] = (np.searchsorted(np.asarray(TENURE_BAND_EDGES), tenure, side="right") - 1).astype(np.int64)
    return d


@pytest.fixture(scope="module")
def small(synth_org):
    _, org, _ = synth_org(staff=60, years=4, seed=4, export_from="2023-06-15", tenure_shape=0.6)
    cut = org.censor
    return org, cut, person_time(org, cut), _daily(org, cut)


KEYS = ["staff_id", "role_kind", "program_id", "position_id", "supervisor_id", "year", "band"]


def test_pieces_add_up_to_the_person_days(small):
    org, cut, pt, daily = small
    at_risk = pt[pt["days"] > 0].astype({"band": np.int64, "year": np.int64})     # kept narrow in the panel
    got = at_risk.fillna({"program_id": "-", "position_id": "-", "supervisor_id": "-"}) \
        .groupby(KEYS)[["days"]].sum()
    want = daily.fillna({"program_id": "-", "position_id": "-", "supervisor_id": "-"}) \
        .groupby(KEYS).size().rename("days").to_frame()
    assert len(want) > 100
    pd.testing.assert_frame_equal(got.sort_index(), want.sort_index(), check_dtype=False)
    assert int(pt.loc[pt["days"] > 0, "exit"].sum()) == int(daily["exit"].sum()) > 5


def test_windows_overlap_the_same_days(small):
    org, cut, pt, daily = small
    rng = np.random.default_rng(3)
    ids = rng.choice(org.staff_frame.index.to_numpy(), 40)
    starts = pd.Timestamp("2023-01-01") + pd.to_timedelta(rng.integers(0, 900, 40), unit="D")
    ends = starts + pd.to_timedelta(rng.integers(1, 200, 40), unit="D")
    o = overlap(pt, staff_codes(org, ids), starts, ends)
    got = np.bincount(o["row"], weights=o["days"], minlength=40)
    want = [((daily["staff_id"] == s) & (daily["day"] >= a) & (daily["day"] < b)).sum()
            for s, a, b in zip(ids, starts, ends)]
    assert got.tolist() == want and sum(want) > 0


def test_strata_and_expected_exits_match_day_by_day(small):
    org, cut, pt, daily = small
    rates = standard_rates(stratum_days(pt), stratum_exits(pt))
    by = daily.groupby(["role_kind", "year", "band"])
    days = by.size().unstack(fill_value=0).reindex(columns=range(4), fill_value=0)
    exits = by["exit"].sum().unstack(fill_value=0).reindex(columns=range(4), fill_value=0)
    pd.testing.assert_frame_equal(stratum_days(pt).astype(float), days.astype(float), check_names=False)
    # each day's rate, looked up directly, summed: the panel's expected exits
    lookup = rates.stack()
    daily_rate = lookup.reindex(pd.MultiIndex.from_arrays([daily["role_kind"], daily["year"], daily["band"]])) \
        .fillna(0).to_numpy()
    assert float((piece_rates(pt, rates) * pt["days"]).sum()) == pytest.approx(daily_rate.sum(), rel=1e-9)
    # without pooling (cells with 5+ exits) the rate is exits / days
    full = exits >= 5
    assert full.to_numpy().any()
    np.testing.assert_allclose(rates.where(full).stack().to_numpy(),
                               (exits / days).where(full).stack().to_numpy(), rtol=1e-12)


def test_cascade_expected_is_the_days_at_risk_times_the_rate(synth_org):
    """Cascades' expected exits, recomputed day by day from the daily rows and the same rates."""
    _, org, _ = synth_org(staff=60, years=4, seed=4, export_from="2023-06-15", tenure_shape=0.6)
    res = supervisor_cascades(org)
    cut = org.censor
    daily = _daily(org, cut)
    W = res.settings["window_days"]
    cohorts = supervisor_cohorts(org, cut, res.settings["lookback_days"])
    window = pd.concat([daily.assign(supervisor_id_=s, sup_exit=e) for s, e in
                        cohorts[["supervisor_id", "sup_exit"]].drop_duplicates().itertuples(index=False)])
    member = window.merge(cohorts.rename(columns={"supervisor_id": "supervisor_id_"}),
                          on=["supervisor_id_", "sup_exit", "staff_id"])
    member = member[(member["day"] > member["sup_exit"])
                    & (member["day"] <= member["sup_exit"] + pd.Timedelta(days=W))]
    inside = member[["staff_id", "day"]].drop_duplicates()
    flag = daily.merge(inside.assign(x=True), on=["staff_id", "day"], how="left")["x"].notna().to_numpy()
    departed = set(member.loc[member["exit"], "staff_id"])
    base = daily[~flag]
    by = base.groupby(["role_kind", "year", "band"])
    days = by.size().unstack(fill_value=0).reindex(columns=range(4), fill_value=0)
    ex = base[~base["staff_id"].isin(departed)].groupby(["role_kind", "year", "band"])["exit"].sum() \
        .unstack(fill_value=0).reindex(index=days.index, columns=range(4), fill_value=0)
    rates = standard_rates(days.rename_axis(["role_kind", "year"]), ex.rename_axis(["role_kind", "year"]))
    r = rates.stack().reindex(pd.MultiIndex.from_arrays([member["role_kind"], member["year"], member["band"]])) \
        .fillna(0).to_numpy()
    want = pd.Series(r).groupby(member["supervisor_id_"].to_numpy()).sum()
    got = {c["supervisor_id"]: c["expected"] for c in res.table}
    assert len(want) >= 3
    for sid, mu in want.items():
        assert got[sid] == pytest.approx(mu, abs=2e-6), sid


def test_an_overloaded_supervisors_team_is_tested_day_by_day(synth_org):
    """Each overloaded supervisor's expected team exits: the org's standard rate of every day someone spent
    under them, summed from the daily rows."""
    from orgraph.analyses.overload import overloaded_supervisors

    _, org, _ = synth_org(staff=60, years=4, seed=4, export_from="2023-06-15", tenure_shape=0.6)
    res = overloaded_supervisors(org, max_span=4, min_signals=1)
    tested = [r for r in res.table if r["team_p_value"] is not None]
    assert tested and all(r["overloaded"] for r in tested)
    assert all(r["team_p_value"] is None for r in res.table if not r["overloaded"])
    daily = _daily(org, org.censor)
    pt = person_time(org, org.censor)
    rates = standard_rates(stratum_days(pt), stratum_exits(pt)).stack()
    for r in tested:
        mine = daily[daily["supervisor_id"] == r["supervisor_id"]]
        want = rates.reindex(pd.MultiIndex.from_arrays([mine["role_kind"], mine["year"], mine["band"]])).sum()
        assert r["team_expected"] == pytest.approx(want, abs=1e-3)
        assert r["team_exits"] == int(mine["exit"].sum())


@pytest.mark.parametrize("day", ["2025-10-03", "2024-06-15", "2023-01-01", "2021-03-31"])
def test_an_earlier_panel_is_cut_from_the_later_one_and_equals_a_fresh_build(riverbend, day, monkeypatch):
    # the risk list's check needs the panel 90 days before the audit's: it is cut from the audit's panel
    from orgraph.analyses import persontime as P, shared

    cut = pd.Timestamp(day)
    fresh = P._person_time(riverbend, cut)
    P.person_time(riverbend)                                 # the audit's panel, built (or cached) first
    builds = []
    monkeypatch.setattr(P, "_person_time", lambda org, c: builds.append(c) or fresh)
    monkeypatch.setattr(shared, "_CACHE", weakref.WeakKeyDictionary({riverbend: {
        k: v for k, v in shared._CACHE[riverbend].items() if k == f"person_time:{riverbend.censor.date()}"}}))
    got = P.person_time(riverbend, cut)
    assert builds == []
    pd.testing.assert_frame_equal(got, fresh, check_exact=True)
    assert got.equals(fresh)


def test_a_panel_cut_from_a_later_one_equals_a_fresh_build_on_a_synthetic_org(synth_org):
    from orgraph.analyses import persontime as P

    _, org, _ = synth_org(staff=120, years=4, seed=2)     # its orgraph.toml sets [data] start
    full, checked = P.person_time(org), 0
    for day in pd.date_range(org.data_start, org.censor, periods=7)[1:-1]:
        cut = day.normalize()
        obs0 = observed_from(org, cut)
        if obs0 == observed_from(org, org.censor):
            assert P.cut_panel(full, cut, obs0).equals(P._person_time(org, cut)), cut
            checked += 1
    assert checked >= 4


def _merge_asof_rows(sc_rows, day_rows, sc, day):
    """The seat rule written with pandas: merge_asof backward by person on the rows sorted by start."""
    right = pd.DataFrame({"start": np.asarray(day_rows), "sc": np.asarray(sc_rows), "j": np.arange(len(sc_rows))})
    right = right.sort_values("start", kind="stable")
    left = pd.DataFrame({"ref": np.asarray(day), "sc": np.asarray(sc), "i": np.arange(len(sc))})
    m = pd.merge_asof(left.sort_values("ref", kind="stable"), right, left_on="ref", right_on="start", by="sc",
                      direction="backward").sort_values("i")
    return m["j"].fillna(-1).astype(np.int64).to_numpy()


def test_latest_started_matches_merge_asof_with_ties_and_unknown_people():
    from orgraph.analyses.persontime import latest_started

    rng = np.random.default_rng(5)
    sc_rows = rng.integers(-1, 40, 600)                 # -1: an id not in staff.csv
    day_rows = rng.integers(-400, 400, 600) // 10 * 10  # many people start two seats on one day
    sc, day = rng.integers(0, 45, 3000), rng.integers(-500, 500, 3000)
    rows, ok = latest_started(sc_rows, day_rows, sc, day)
    want = _merge_asof_rows(sc_rows, day_rows, sc, day)
    assert np.array_equal(np.where(ok, rows, -1), want)
    assert ok.sum() > 1000 and (~ok).sum() > 100


def test_attach_context_on_whole_days_equals_the_merge_asof_rule(small):
    from orgraph.analyses import persontime as P

    org, cut, pt, _ = small
    rng = np.random.default_rng(8)
    df = pd.DataFrame({"staff_id": rng.choice(org.staff_frame.index.to_numpy(), 500),
                       "ref": pd.Timestamp("2022-01-01") + pd.to_timedelta(rng.integers(0, 1200, 500), unit="D")})
    got = P.attach_context(org, df)
    # the same rows a quarter of a second later: not whole days, so attach_context takes the merge_asof path
    late = P.attach_context(org, df.assign(ref=df["ref"] + pd.Timedelta(milliseconds=250)))
    cols = ["position_id", "program_id", "role_kind", "supervisor_id"]
    assert got["supervisor_id"].notna().sum() > 100 and (got["role_kind"] != "other").sum() > 100
    pd.testing.assert_frame_equal(got[["staff_id", "sc"] + cols], late[["staff_id", "sc"] + cols])


def _groupby_wide(sel, values):
    """The strata written with pandas: groupby (role kind, year, band), unstacked to bands."""
    s = pd.Series(np.asarray(values, dtype=float)).groupby(
        [sel["role_kind"].to_numpy(), sel["year"].to_numpy(), sel["band"].to_numpy()]).sum()
    wide = s.unstack(level=2, fill_value=0.0).reindex(columns=[0, 1, 2, 3], fill_value=0.0)
    wide.index = wide.index.set_names(["role_kind", "year"])
    return wide


def test_strata_and_piece_rates_equal_the_groupby_and_reindex(small):
    org, cut, pt, _ = small
    wide = pt.astype({"year": np.int64})            # the strata's years are int64 whatever the panel keeps
    rng = np.random.default_rng(11)
    mask = rng.random(len(pt)) < 0.6
    ok = (pt["days"] > 0).to_numpy() & mask
    pd.testing.assert_frame_equal(stratum_days(pt, mask), _groupby_wide(wide[ok], pt.loc[ok, "days"]),
                                  check_exact=True)
    ex = ok & pt["exit"].to_numpy()
    pd.testing.assert_frame_equal(stratum_exits(pt, mask), _groupby_wide(wide[ex], np.ones(ex.sum())),
                                  check_exact=True)
    pieces, days = rng.choice(len(pt), 300), rng.integers(1, 40, 300)
    pd.testing.assert_frame_equal(stratum_days(pt, pieces=pieces, days=days),
                                  _groupby_wide(wide.iloc[pieces], days), check_exact=True)
    rates = standard_rates(stratum_days(pt), stratum_exits(pt)).iloc[::2]    # some strata have no rate
    rates.iloc[0, 1] = np.nan
    want = rates.reindex(pd.MultiIndex.from_arrays([pt["role_kind"], pt["year"]])).fillna(0.0).to_numpy()
    want = want[np.arange(len(pt)), pt["band"].to_numpy()]
    got = piece_rates(pt, rates)
    assert np.array_equal(got, want) and (got > 0).sum() > 50 and (got == 0).sum() > 50


def test_column_codes_are_sorted_codes_kept_per_panel():
    from orgraph.analyses.persontime import column_codes

    df = pd.DataFrame({"s": ["S2", None, "S1", "S2", "S10"]})
    codes, ids = column_codes(df, "s")
    assert ids.tolist() == ["S1", "S10", "S2"] and codes.tolist() == [2, -1, 0, 2, 1]
    assert column_codes(df, "s")[0] is codes                   # worked out once per frame
    assert column_codes(df.copy(), "s")[0] is not codes


def test_pieces_under_flagged_supervisors(small):
    from orgraph.analyses.overload import _under

    org, cut, pt, _ = small
    sups = pt["supervisor_id"].dropna().unique()
    flagged = set(sups[:3]) | {"nobody"}
    assert np.array_equal(_under(pt, flagged), pt["supervisor_id"].isin(list(flagged)).to_numpy())
    assert not _under(pt, set()).any()


@pytest.mark.parametrize("early", [False, True])
def test_the_codes_kept_with_a_panel_match_its_columns(small, early):
    from orgraph.analyses import persontime as P

    org, cut, pt, _ = small
    if early:                                   # cut from the full panel: the codes are cut with it
        day = cut - pd.Timedelta(days=200)
        pt = P.cut_panel(pt, day, observed_from(org, day))
    for col in ("position_id", "program_id", "role_kind", "supervisor_id"):
        assert (id(pt), col) in P._CODES, col              # kept at build time, not factorized again
        codes, values = P.column_codes(pt, col)
        vals = pt[col].to_numpy(dtype=object)
        assert np.array_equal(codes < 0, pd.isna(vals)) and codes.dtype == np.int32, col
        assert (values[codes[codes >= 0]] == vals[codes >= 0]).all(), col
        assert list(values) == sorted(values) and len(set(values)) == len(values)
    assert (P.column_codes(pt, "supervisor_id")[0] < 0).any()


def test_staff_codes_of_a_shared_column_are_kept_and_returned_as_copies(small):
    org = small[0]
    col = org.supervision_frame["staff_id"]
    want = org.staff_frame.index.get_indexer(pd.Index(col.to_numpy(dtype=object)))
    first = staff_codes(org, col)
    assert first.tolist() == want.tolist() and first.dtype == np.int64
    first[:] = -7                                           # a caller changing its codes changes no one else's
    assert staff_codes(org, col).tolist() == want.tolist()
    other = col.copy()                                      # not a shared column: looked up each time
    other.iloc[0] = "nobody"
    assert staff_codes(org, other)[0] == -1 and staff_codes(org, other)[1:].tolist() == want[1:].tolist()


def test_calendar_table_equals_numpy_datetime_casts():
    from orgraph.analyses.persontime import _calendar, from_day_number, month_start

    rng = np.random.default_rng(2)
    for days in (rng.integers(-30_000, 50_000, 5000), rng.integers(18_000, 18_100, 5000), np.array([3, -400])):
        as_d = days.astype("datetime64[D]")
        assert np.array_equal(_calendar(days, "D", "M"), as_d.astype("datetime64[M]").astype(np.int64))
        assert np.array_equal(_calendar(days, "D", "Y"), as_d.astype("datetime64[Y]").astype(np.int64))
        assert np.array_equal(from_day_number(days), as_d.astype("datetime64[ns]"))
    months = rng.integers(-600, 1200, 5000)
    assert np.array_equal(month_start(months), months.astype("datetime64[M]").astype("datetime64[ns]"))
    far = np.array([np.iinfo(np.int64).min // 2**40, 5])      # a range too wide for a table, and NaT-like numbers
    assert np.array_equal(month_start(far), far.astype("datetime64[M]").astype("datetime64[ns]"))


def test_overlap_widens_int32_person_codes_before_building_keys():
    # codes of 8192 and more shifted by 18 bits pass 2**31: keys built in int32 wrap and match nothing
    sc = np.array([9000, 9000, 9001, 70_000], dtype=np.int32)
    start = pd.to_datetime(["2020-01-01", "2020-02-01", "2020-01-01", "2020-01-01"])
    end = pd.to_datetime(["2020-02-01", "2020-03-01", "2020-03-01", "2020-03-01"])
    pt = pd.DataFrame({"sc": sc, "start": start, "end": end, "risk_start": start})
    wide = pt.assign(sc=sc.astype(np.int64))
    q_sc = np.array([9000, 9001, 70_000])
    q_start, q_end = pd.to_datetime(["2020-01-15"] * 3), pd.to_datetime(["2020-02-15"] * 3)
    got, want = overlap(pt, q_sc, q_start, q_end), overlap(wide, q_sc, q_start, q_end)
    assert got.equals(want)
    assert np.bincount(got["row"], weights=got["days"], minlength=3).tolist() == [31, 31, 31]


def test_the_panel_keeps_codes_months_and_bands_narrow_and_its_sums_unchanged(small):
    org, cut, pt, daily = small
    assert [pt[c].dtype for c in ("sc", "mi", "band", "year")] == [np.int32, np.int32, np.int8, np.int16]
    days = stratum_days(pt)                                         # strata by year as int64, as before
    assert days.index.get_level_values("year").dtype == np.int64 and float(days.to_numpy().sum()) == len(daily)
    assert pt["sc"].tolist() == staff_codes(org, pt["staff_id"]).tolist()
    assert int(pt["days"].sum()) == len(daily) and pt["days"].dtype == np.int64


def test_sorted_unique_equals_numpy_unique_on_runs_and_shuffled_keys():
    from orgraph.analyses.persontime import _sorted_unique

    rng = np.random.default_rng(5)
    runs = np.concatenate([np.sort(rng.integers(0, 1 << 40, 3000)) for _ in range(4)])
    for keys in (runs, rng.permutation(runs), np.array([], dtype=np.int64), np.array([7, 7, 7])):
        assert np.array_equal(_sorted_unique(keys), np.unique(keys))


def test_distinct_objects_and_factorize_objects_match_pandas_factorize():
    from orgraph.analyses.persontime import distinct_objects, factorize_objects

    rng = np.random.default_rng(6)
    pool = np.array(["a", "b", None, np.nan, "".join(["a", ""]), "c" + str(rng.integers(1))], dtype=object)
    for n in (5, 10_000):                               # the plain path and the one by object
        values = pool[rng.integers(0, len(pool), n)]
        objects, inverse = distinct_objects(values)
        assert all(o is v for o, v in zip(objects[inverse], values))
        assert len(objects) == len({id(v) for v in values})
        codes, uniq = factorize_objects(values)
        want_codes, want_uniq = pd.factorize(values)
        assert codes.tolist() == want_codes.tolist() and list(uniq) == list(want_uniq)


def test_staff_codes_by_object_equal_the_index_lookup(small):
    org = small[0]
    ids = org.staff_frame.index.to_numpy(dtype=object)
    values = np.concatenate([ids[np.random.default_rng(7).integers(0, len(ids), 20_000)],
                             np.array(["nobody", None, np.nan], dtype=object)])
    want = org.staff_frame.index.get_indexer(pd.Index(values))
    got = staff_codes(org, values)
    assert got.tolist() == want.tolist() and got.dtype == np.int64 and (got[-3:] == -1).all()


def test_where_taken_equals_np_where_of_the_gather_as_int32():
    from orgraph.analyses.persontime import _where_taken

    rng = np.random.default_rng(7)
    small = rng.integers(0, 50, 30)
    rows, ok = rng.integers(0, 30, 2000), rng.random(2000) < 0.7
    for missing in (-1, 49):
        got = _where_taken(ok, small, rows, missing)
        assert got.dtype == np.int32 and got.tolist() == np.where(ok, small[rows], missing).tolist()


def test_latest_started_on_shared_query_keys_equals_merge_asof():
    from orgraph.analyses.persontime import _OFFSET, _SHIFT, _latest_started_key

    rng = np.random.default_rng(11)
    sc_rows = rng.integers(0, 40, 500)
    day_rows = rng.integers(-300, 300, 500) // 7 * 7
    sc, day = np.sort(rng.integers(0, 45, 4000)), rng.integers(-400, 400, 4000)
    rows, ok = _latest_started_key(sc_rows, day_rows, sc, (sc << _SHIFT) | (day + _OFFSET))
    assert np.array_equal(np.where(ok, rows, -1), _merge_asof_rows(sc_rows, day_rows, sc, day))
    assert (rows[~ok] == 0).all() and ok.sum() > 1000 and (~ok).sum() > 100


def test_panel_years_and_months_are_the_calendar_of_each_piece_start(small):
    org, cut, pt, daily = small
    start = pt["start"].to_numpy()
    assert pt["year"].tolist() == pd.DatetimeIndex(start).year.tolist()
    assert pt["mi"].tolist() == start.astype("datetime64[M]").astype(np.int64).tolist()


def test_piece_rates_equal_a_lookup_row_by_row_with_missing_roles_and_strata():
    rng = np.random.default_rng(3)
    n = 400
    pt = pd.DataFrame({"role_kind": rng.choice(np.array(["a", "b", "c", None], dtype=object), n),
                       "year": rng.integers(2018, 2024, n).astype(np.int16),
                       "band": rng.integers(0, 4, n).astype(np.int8)})
    pairs = [("a", 2017), ("a", 2019), ("b", 2020), ("b", 2023), ("z", 2021)]   # c and most years: no rate
    index = pd.MultiIndex.from_tuples(pairs, names=["role_kind", "year"])
    rates = pd.DataFrame(rng.random((len(pairs), 4)), index=index, columns=range(4))
    rates.iloc[1, 2] = np.nan
    want = [0.0 if (r, y) not in rates.index or np.isnan(rates.loc[(r, y), b]) else rates.loc[(r, y), b]
            for r, y, b in zip(pt["role_kind"], pt["year"], pt["band"])]
    got = piece_rates(pt, rates)
    assert got.tolist() == want and (got > 0).sum() > 20 and (got == 0).sum() > 100


def test_frame_keeps_the_arrays_and_the_dtypes_pandas_would_give():
    """Object id columns stay object columns holding the same objects on either pandas major (pandas 3's
    constructor would infer its text dtype, NaN for None); every other column is what the constructor gives."""
    from orgraph.analyses.persontime import _frame

    n = 5000
    cols = {"id": np.array(["a", None, "b", "c"] * (n // 4), dtype=object),
            "none": np.full(n, None, dtype=object),
            "t": (np.arange(n, dtype=np.int64) * 86_400 * 10**9).view("datetime64[ns]"),
            "k": np.arange(n, dtype=np.int32), "x": np.zeros(n, dtype=bool)}
    got, want = _frame(cols), pd.DataFrame(cols)
    assert got.dtypes.astype(str).tolist() == ["object", "object", "datetime64[ns]", "int32", "bool"]
    assert got["id"].tolist() == cols["id"].tolist() and got["none"].tolist() == [None] * n
    assert got[["t", "k", "x"]].equals(want[["t", "k", "x"]])
    assert list(got.columns) == list(cols) and isinstance(got.index, pd.RangeIndex)
    assert all(np.shares_memory(got[c].to_numpy(), v) for c, v in cols.items())


def test_day_number_returns_fresh_integers_for_ns_and_day_inputs():
    from orgraph.analyses.persontime import day_number

    days = np.array(["2020-01-01", "1969-12-31"], dtype="datetime64[D]")
    for values in (days, days.astype("datetime64[ns]"), pd.Series(days.astype("datetime64[ns]"))):
        got = day_number(values)
        assert got.dtype == np.int64 and got.tolist() == [18262, -1]
        got += 1                                        # callers build keys in place: the input stays
        assert day_number(values).tolist() == [18262, -1]


def test_sorted_positions_equal_searchsorted_on_ascending_queries_with_ties():
    from orgraph.analyses.persontime import _sorted_positions

    rng = np.random.default_rng(5)
    for n_key, n_query in ((0, 50), (1, 0), (300, 5000), (2000, 100)):
        key = np.sort(rng.integers(0, 400, n_key))
        query = np.sort(rng.integers(-20, 420, n_query))
        got = _sorted_positions(key, query)
        assert got.tolist() == (np.searchsorted(key, query, side="right") - 1).tolist()


def test_latest_started_on_ascending_query_keys_takes_the_sorted_path_and_agrees():
    from orgraph.analyses.persontime import _OFFSET, _SHIFT, _latest_started_key

    rng = np.random.default_rng(12)
    sc_rows = rng.integers(0, 40, 500)
    day_rows = rng.integers(-300, 300, 500) // 7 * 7
    query = np.sort((rng.integers(0, 45, 4000) << _SHIFT) | (rng.integers(-400, 400, 4000) + _OFFSET))
    sc, day = query >> _SHIFT, (query & ((1 << _SHIFT) - 1)) - _OFFSET
    rows, ok = _latest_started_key(sc_rows, day_rows, sc, query, True)
    assert np.array_equal(np.where(ok, rows, -1), _merge_asof_rows(sc_rows, day_rows, sc, day))
    assert (rows[~ok] == 0).all() and ok.sum() > 1000 and (~ok).sum() > 100


def test_ids_taken_equal_the_gather_with_none_and_keep_missing_values_as_they_are():
    from orgraph.analyses.persontime import _ids_taken

    rng = np.random.default_rng(3)
    rows, ok = rng.integers(0, 6, 300), rng.random(300) < 0.8
    for small in (np.array(["p2", "p1", "p2", "p9", "p1", "p0"], dtype=object),
                  np.array(["p2", None, "p2", np.nan, "p1", "p0"], dtype=object)):
        want = small[rows]
        want[~ok] = None
        codes: dict = {}
        plain, coded = _ids_taken(small, rows, ok, None, "c"), _ids_taken(small, rows, ok, codes, "c")
        for got in (plain, coded):
            assert got.dtype == object and [type(x) for x in got] == [type(x) for x in want]
            assert pd.Series(got).equals(pd.Series(want))
        c, uniq = codes["c"]
        assert c.dtype == np.int32 and list(uniq) == sorted(set(v for v in small if isinstance(v, str)))
        assert [None if k < 0 else uniq[k] for k in c] == [v if isinstance(v, str) else None for v in want]


def test_context_with_and_without_codes_gives_the_same_columns(small):
    from orgraph.analyses.persontime import _context, day_number

    org, cut, pt, daily = small
    sc, day = pt["sc"].to_numpy().astype(np.int64), day_number(pt["start"])
    codes: dict = {}
    with_codes, plain = _context(org, sc, day, codes), _context(org, sc, day)
    rev = np.arange(len(sc))[::-1]                      # descending queries: the searchsorted path
    backwards = _context(org, sc[rev], day[rev])
    for col, vals in plain.items():
        assert pd.Series(with_codes[col]).equals(pd.Series(vals)), col
        assert pd.Series(backwards[col][rev]).equals(pd.Series(vals)), col
        c, uniq = codes[col]
        assert [None if k < 0 else uniq[k] for k in c] == list(vals), col


def test_strata_of_every_piece_are_built_once_per_panel_and_returned_as_copies(small, monkeypatch):
    from orgraph.analyses import persontime

    org, cut, pt, daily = small
    frame = pt.copy()                                   # a panel of its own: nothing kept for it yet
    built = []
    real = persontime._stratum_days
    monkeypatch.setattr(persontime, "_stratum_days", lambda *a: built.append(1) or real(*a))
    first = stratum_days(frame)
    first.iloc[:, :] = -1.0                             # a caller's change stays in its copy
    second = stratum_days(frame)
    assert len(built) == 1 and (second.to_numpy() >= 0).all()
    pd.testing.assert_frame_equal(second, real(frame, None))
    stratum_days(frame, np.ones(len(frame), dtype=bool))   # a mask: worked out afresh
    assert len(built) == 2


def test_bands_by_mask_or_row_numbers_and_counts_equal_the_weighted_sums(small):
    from orgraph.analyses.persontime import _bands_wide

    org, cut, pt, daily = small
    rng = np.random.default_rng(2)
    mask = rng.random(len(pt)) < 0.6
    values = rng.random(len(pt)) * 30
    by_rows = _bands_wide(pt, np.flatnonzero(mask), values[mask])
    pd.testing.assert_frame_equal(_bands_wide(pt, mask, values[mask]), by_rows)
    pd.testing.assert_frame_equal(_bands_wide(pt, mask, None), _bands_wide(pt, np.flatnonzero(mask),
                                                                           np.ones(int(mask.sum()))))
    assert _bands_wide(pt, mask, None).to_numpy().sum() == mask.sum()


def test_search_within_each_persons_rows_equals_searchsorted_on_their_slice(small):
    from orgraph.analyses.persontime import _person_rows, _search_within, day_number

    org, cut, pt, daily = small
    rng = np.random.default_rng(9)
    sc = rng.integers(-1, int(pt["sc"].max()) + 3, 400)     # unknown people and people without pieces too
    day = day_number(pt["start"]).min() + rng.integers(-30, 1600, 400)
    first, last = _person_rows(pt["sc"].to_numpy(), sc)
    for col, side in (("end", "right"), ("start", "left")):
        got = _search_within(pt[col].to_numpy(), first, last, day, side)
        days = day_number(pt[col])
        want = [a + int(np.searchsorted(days[a:b], d, side=side)) for a, b, d in zip(first, last, day)]
        assert got.tolist() == want
    assert (last > first).sum() > 100 and (last == first).sum() > 5


def test_staff_codes_are_kept_narrow_and_go_with_their_column():
    import gc

    from orgraph.analyses import shared

    class Org:
        pass

    org = Org()
    org.staff_frame = pd.DataFrame(index=pd.Index(["A", "B", "C"], name="staff_id"))
    org.assignment_frame = pd.DataFrame({"staff_id": ["C", "A", "x", "A"]})
    org.supervision_frame = pd.DataFrame({"staff_id": ["B", "B"]})
    got = staff_codes(org, org.assignment_frame["staff_id"])
    assert got.dtype == np.int64 and got.tolist() == [2, 0, -1, 0]
    if org.assignment_frame["staff_id"] is not org.assignment_frame["staff_id"]:
        pytest.skip("this pandas makes a new Series at each column access: no column's codes are kept")
    store = shared.tables_of(org)["staff_codes"]
    assert [hit[1].dtype for hit in store.values()] == [np.int32]
    staff_codes(org, org.supervision_frame["staff_id"])
    assert len(store) == 2
    org.assignment_frame = pd.DataFrame({"staff_id": ["B"]})   # the old table and its column are gone
    gc.collect()
    assert len(store) == 1 and staff_codes(org, org.assignment_frame["staff_id"]).tolist() == [1]
    assert len(store) == 2
