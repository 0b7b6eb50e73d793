"""The interval helpers shared by the analyses."""
import numpy as np
import pandas as pd

from orgraph.analyses.exposure import _people, people


def test_people_is_built_once_per_cut_and_each_caller_gets_its_own_copy(riverbend):
    cut = riverbend.censor
    a = people(riverbend, cut)
    pd.testing.assert_frame_equal(a, _people(riverbend, cut, None, False))
    a.loc[a.index[0], "role_kind"] = "changed by a caller"
    a["extra"] = 1
    b = people(riverbend, cut)
    assert "extra" not in b.columns and b.loc[b.index[0], "role_kind"] != "changed by a caller"
    early = cut - pd.Timedelta(days=400)
    pd.testing.assert_frame_equal(people(riverbend, early, start=early - pd.Timedelta(days=30)),
                                  _people(riverbend, early, early - pd.Timedelta(days=30), False))
    assert len(people(riverbend, cut, include_external=True)) >= len(b)
    assert len(people(riverbend, early)) < len(b)


def test_union_intervals_on_codes_equals_the_pandas_rule():
    import numpy as np

    from orgraph.analyses.exposure import union_intervals

    rng = np.random.default_rng(2)
    n = 3000
    start = pd.Timestamp("2010-01-01") + pd.to_timedelta(rng.integers(0, 8000, n), unit="D")
    df = pd.DataFrame({"k": rng.choice(["S2", "S10", "a\x1fP1", "b"], n).astype(object), "start": start,
                       "end": start + pd.to_timedelta(rng.integers(1, 12, n), unit="D")})
    got = union_intervals(df, "k")
    # the pandas rule, written out: sort, running latest end per key, a new interval after a gap
    d = df.sort_values(["k", "start"], kind="stable").reset_index(drop=True)
    prev_end = d.groupby("k")["end"].cummax().groupby(d["k"]).shift()
    grp = (prev_end.isna() | (d["start"] > prev_end)).cumsum()
    want = d.groupby(grp).agg(k=("k", "first"), start=("start", "min"), end=("end", "max")).reset_index(drop=True)
    pd.testing.assert_frame_equal(got, want)
    assert 50 < len(got) < n
    touching = pd.DataFrame({"k": ["a", "a"], "start": pd.to_datetime(["2020-01-01", "2020-01-05"]),
                             "end": pd.to_datetime(["2020-01-05", "2020-01-09"])})
    assert union_intervals(touching, "k")[["start", "end"]].astype(str).values.tolist() == [["2020-01-01",
                                                                                           "2020-01-09"]]


def test_supervisor_cohorts_are_built_once_per_cut_and_copied(riverbend):
    from orgraph.analyses.exposure import _supervisor_cohorts, supervisor_cohorts

    cut = riverbend.censor
    a = supervisor_cohorts(riverbend, cut, 30)
    pd.testing.assert_frame_equal(a, _supervisor_cohorts(riverbend, cut, 30))
    a.drop(a.index, inplace=True)
    assert len(supervisor_cohorts(riverbend, cut, 30)) > 5
    assert len(supervisor_cohorts(riverbend, cut, 90)) > len(supervisor_cohorts(riverbend, cut, 30))


def test_latest_role_equals_the_sort_and_tail_rule_with_ties(synth_org):
    import numpy as np
    import pandas as pd

    from orgraph.analyses.exposure import _latest_role

    _, org, _ = synth_org(staff=300, years=3, seed=11)
    af = org.assignment_frame
    tie = af.iloc[::5].assign(role_kind="tied")            # a second seat started the same day, listed later
    af = pd.concat([af, tie, af.iloc[::7].assign(role_kind=None)], ignore_index=True)
    rows = np.arange(0, len(org.staff_frame), 2)
    index = org.staff_frame.index[rows]
    got = _latest_role(org, af, rows, index)
    last = af.sort_values(["staff_id", "start"]).groupby("staff_id").tail(1).set_index("staff_id")
    want = pd.Series(index.map(last["role_kind"]), index=index)
    assert got.fillna("other").tolist() == want.fillna("other").tolist()
    assert (got == "tied").sum() > 5


def test_num_rounds_finite_numbers_and_drops_nan_and_infinity_of_any_numeric_type():
    from orgraph.analyses.exposure import num

    values = [np.float64(1 / 3), 2.5, np.int64(3), np.float32(0.1), -1e300, float("nan"), np.float64("inf"),
              -np.inf, None, np.nan]
    want = [None if v is None or not np.isfinite(float(v)) else round(float(v), 6) for v in values]
    assert [num(v) for v in values] == want
    assert num(2 / 3, 2) == 0.67 and want[-5:] == [None] * 5
