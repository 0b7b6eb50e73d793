"""The monthly panel's lookup helpers: :func:`row_of` and :func:`take` against pandas' own index lookup."""
import numpy as np
import pandas as pd
import pytest

from orgraph.analyses.panel import month_key, row_of, take


def _pandas_rows(left, right):
    return pd.Index(np.asarray(right)).get_indexer(np.asarray(left))


@pytest.mark.parametrize("kind", ["month_key", "sparse", "dense", "negative"])
def test_row_of_matches_pandas_get_indexer(kind):
    rng = np.random.default_rng(3)
    if kind == "month_key":       # people x months, each person a run of months (the dense person-month table)
        sc = np.repeat(np.arange(0, 400, 3), 20)
        mi = np.tile(np.arange(600, 620), len(sc) // 20) + np.repeat(rng.integers(0, 50, len(sc) // 20), 20)
        right = rng.permutation(month_key(sc, mi))
        left = np.concatenate([month_key(sc, mi + 1), month_key(sc + 1, mi), [-5, 10**12]])
    elif kind == "sparse":        # too spread out for a table: sorted search
        right = rng.choice(10**12, 5000, replace=False)
        left = np.concatenate([right[:3000], rng.integers(0, 10**12, 2000)])
    elif kind == "dense":
        right = rng.permutation(np.arange(100, 5100))
        left = rng.integers(0, 6000, 3000)
    else:
        right = rng.permutation(np.arange(-3000, 2000, 7))
        left = rng.integers(-4000, 3000, 3000)
    rng.shuffle(left)
    assert np.array_equal(row_of(left, right), _pandas_rows(left, right))


def test_row_of_sorted_and_non_integer_keys():
    assert row_of(np.array([4, 1, 2]), np.array([1, 2, 10**15])).tolist() == [-1, 0, 1]
    assert row_of(np.array(["b", "z"], dtype=object), np.array(["a", "b"], dtype=object)).tolist() == [1, -1]
    assert row_of(np.array([1.0, 2.5]), np.array([1, 2])).tolist() == [0, -1]
    assert row_of(np.array([], dtype=np.int64), np.array([1, 2])).tolist() == []
    assert row_of(np.array([1]), np.array([], dtype=np.int64)).tolist() == [-1]


@pytest.mark.parametrize("right", [np.array([5, 3, 5]), np.array([10**12, 7, 10**12]),
                                   month_key([1, 2, 1], [600, 600, 600])])
def test_row_of_repeated_keys_raise_like_pandas(right):
    with pytest.raises(pd.errors.InvalidIndexError):
        _pandas_rows(np.array([5]), right)
    with pytest.raises(pd.errors.InvalidIndexError):
        row_of(np.array([5]), right)


def test_take_fills_and_keeps_dtypes():
    left, right = month_key([1, 1, 2], [600, 601, 600]), month_key([1, 2], [600, 600])
    assert take(left, right, np.array([3, 4])).tolist()[:1] == [3.0]
    assert np.isnan(take(left, right, np.array([3, 4]))[1])
    assert take(left, right, np.array([3, 4]), 0).tolist() == [3, 0, 4]
    assert take(left, right, np.array([True, False]), False).tolist() == [True, False, False]
    out = take(left, right, np.array(["a", None], dtype=object), None)
    assert out.dtype == object and out.tolist() == ["a", None, None]
    assert take(left, right, np.array([1.5, 2.5]), None).tolist() == [1.5, None, 2.5]


def test_records_equal_jsonable_of_every_value():
    import datetime as dt

    from orgraph.analyses.panel import records
    from orgraph.plain import jsonable

    df = pd.DataFrame({"id": ["S1", None, "S3"], "mixed": ["a", 2, True], "n": [1, 2, 3],
                       "x": [0.5, np.nan, np.inf], "when": pd.to_datetime(["2024-01-02", None, "2023-05-06"]),
                       "dates": [dt.date(2024, 1, 2), None, "2024-01-03"], "f": np.array([1.0, np.nan, 2], dtype=object),
                       "np": np.array([np.int64(4), np.float64(np.nan), "z"], dtype=object),
                       "cat": pd.Categorical(["a", None, "b"])})
    want = [{k: jsonable(v) for k, v in row.items()} for row in df.to_dict("records")]
    assert records(df) == want
    assert records(df)[1] == {"id": None, "mixed": 2, "n": 2, "x": None, "when": None, "dates": None, "f": None,
                              "np": None, "cat": None}
    assert type(records(df)[0]["np"]) is int


@pytest.mark.parametrize("unit", ["ns", "us", "s"])
def test_records_write_datetimes_as_jsonable_days(unit):
    from orgraph.analyses.panel import _iso_days, records
    from orgraph.plain import jsonable

    when = pd.to_datetime(["2024-02-29 13:45", None, "1969-12-31 23:59:59", "1677-09-22", "2262-04-11 23:00",
                           "1900-03-01"], format="ISO8601").to_numpy().astype(f"datetime64[{unit}]")
    df = pd.DataFrame({"when": when})
    assert records(df) == [{"when": jsonable(v)} for v in df["when"].tolist()]
    assert _iso_days(when) == [r["when"] for r in records(df)]
    assert [r["when"] for r in records(df)] == ["2024-02-29", None, "1969-12-31", "1677-09-22", "2262-04-11",
                                                "1900-03-01"]


def test_by_day_order_equals_the_sort_on_day_and_person():
    from orgraph.analyses.panel import _by_day

    rng = np.random.default_rng(5)
    sc = np.repeat(np.arange(300), 12)                       # rows sorted by person, one row per person and day
    day = np.concatenate([rng.choice(np.arange(-40, 4000), 12, replace=False) for _ in range(300)])
    want = np.lexsort((sc, day))
    assert _by_day(day, sc).tolist() == want.tolist()
    wide = day * 20                                          # days spanning more than an int16: the full key
    assert _by_day(wide, sc).tolist() == np.lexsort((sc, wide)).tolist()


def test_pct_rank_max_equals_the_pandas_rank():
    from orgraph.analyses.panel import _pct_rank_max

    rng = np.random.default_rng(8)
    g = rng.integers(0, 30, 3000)
    for v in (rng.integers(0, 40, 3000).astype(float), rng.integers(0, 40, 3000) / 7.0,
              rng.integers(0, 40_000, 3000).astype(float)):     # counts, fractions, counts too wide for a radix sort
        want = pd.Series(v).groupby(g).rank(method="max", pct=True).to_numpy() * 100.0
        assert np.array_equal(_pct_rank_max(g, v), want)


def test_caseload_runs_equal_the_pandas_groupby_rule(synth_org):
    from orgraph.analyses.panel import _caseload_runs
    from orgraph.analyses.persontime import month_index, staff_codes

    _, org, _ = synth_org(staff=300, years=3, seed=11)
    for pct in (90.0, 60.0):
        df = org.data.caseload[["staff_id", "month", "active_clients"]].copy()
        df["mi"] = month_index(df["month"])
        df["active_clients"] = df["active_clients"].astype(float)
        g = df.groupby("mi")["active_clients"]
        df["cutoff"] = g.transform("quantile", pct / 100.0)
        df["pct_rank"] = g.rank(method="max", pct=True) * 100.0
        df["above"] = df["active_clients"] > df["cutoff"]
        df["sc"] = staff_codes(org, df["staff_id"].tolist())
        df = df.sort_values(["sc", "mi"], kind="stable").reset_index(drop=True)
        same = (df["sc"] == df["sc"].shift()) & (df["mi"] == df["mi"].shift() + 1)
        grp = (~(same & df["above"] & df["above"].shift(fill_value=False))).cumsum()
        df["run"] = np.where(df["above"], df.groupby(grp).cumcount() + 1, 0)
        want = df[["staff_id", "sc", "month", "mi", "active_clients", "cutoff", "pct_rank", "above", "run"]]
        got = _caseload_runs(org, pct)
        pd.testing.assert_frame_equal(got, want, check_exact=True, check_dtype=False)   # text ids: object or str
        assert got["run"].max() >= 2


@pytest.mark.parametrize("whole", [True, False])
def test_group_quantile_matches_pandas_transform_bit_for_bit(whole):
    """Each row's month quantile equals ``groupby(...).transform("quantile", q)`` exactly, for several q."""
    from orgraph.analyses.panel import group_quantile

    rng = np.random.default_rng(11)
    for _ in range(40):
        n = int(rng.integers(1, 400))
        g = rng.integers(600, 600 + int(rng.integers(1, 25)), n)
        v = rng.integers(0, 70, n).astype(float) if whole else rng.normal(20, 7, n).round(int(rng.integers(0, 4)))
        for q in (0.9, 0.5, 0.333, 0.0, 1.0):
            want = pd.Series(v).groupby(g).transform("quantile", q).to_numpy()
            assert group_quantile(g, v, q).tolist() == want.tolist()
    assert group_quantile(np.zeros(0, dtype=np.int64), np.zeros(0), 0.9).tolist() == []


@pytest.mark.parametrize("whole", [True, False])
def test_rank_and_quantile_equal_the_quantile_and_rank_of_their_own_sorts(whole):
    """One sort for both: the same numbers as ``group_quantile`` and the pandas ``rank``, bit for bit."""
    from orgraph.analyses.panel import group_quantile, rank_and_quantile

    rng = np.random.default_rng(13)
    for _ in range(30):
        n = int(rng.integers(1, 500))
        g = rng.integers(600, 600 + int(rng.integers(1, 25)), n)
        v = rng.integers(0, 70, n).astype(float) if whole else rng.normal(20, 7, n).round(int(rng.integers(0, 4)))
        for q in (0.9, 0.5, 0.0, 1.0):
            cut, rank = rank_and_quantile(g, v, q)
            assert cut.tolist() == group_quantile(g, v, q).tolist()
            assert np.array_equal(rank, pd.Series(v).groupby(g).rank(method="max", pct=True).to_numpy() * 100.0)
    assert [a.tolist() for a in rank_and_quantile(np.zeros(0, dtype=np.int64), np.zeros(0), 0.9)] == [[], []]


def test_caseload_runs_keep_their_codes_and_runs_as_int32(synth_org):
    """The shared table's staff codes, months and runs are int32 (half the memory), with the int64 values."""
    from orgraph.analyses.panel import _caseload_runs, _narrow
    from orgraph.analyses.persontime import month_index, staff_codes

    _, org, _ = synth_org(staff=300, years=3, seed=11)
    got = _caseload_runs(org, 90.0)
    assert {c: str(got[c].dtype) for c in ("sc", "mi", "run")} == {"sc": "int32", "mi": "int32", "run": "int32"}
    cl = org.data.caseload
    order = np.lexsort((month_index(cl["month"]), staff_codes(org, cl["staff_id"])))
    assert got["sc"].tolist() == staff_codes(org, cl["staff_id"])[order].tolist()
    assert got["mi"].tolist() == month_index(cl["month"])[order].tolist()
    assert _narrow(np.array([-(2**31) - 1, 0])).dtype == np.int64


def test_person_months_remember_their_own_id_codes(synth_org):
    """The person-month table's id codes are remembered when it is built (no second factorisation) and equal a
    sorted factorisation of its own columns: only values it holds, -1 for a missing id."""
    from orgraph.analyses import persontime
    from orgraph.analyses.panel import _person_months

    _, org, _ = synth_org(staff=300, years=3, seed=11)
    pm = _person_months(org)
    for col in ("program_id", "supervisor_id", "position_id", "role_kind"):
        assert (id(pm), col) in persontime._CODES
        codes, values = persontime.column_codes(pm, col)
        want_codes, want_values = pd.factorize(pm[col].to_numpy(dtype=object), sort=True)
        assert codes.dtype == np.int32 and codes.tolist() == want_codes.tolist()
        assert list(values) == list(want_values)
    assert (persontime.column_codes(pm, "supervisor_id")[0] < 0).any()


def test_records_keep_finite_floats_and_write_none_for_the_rest():
    from orgraph.analyses.panel import records

    df = pd.DataFrame({"a": [0.5, 2.0], "b": [np.nan, 1.0], "c": np.array([1.5, -np.inf], dtype=np.float32)})
    got = records(df)
    assert got == [{"a": 0.5, "b": None, "c": 1.5}, {"a": 2.0, "b": 1.0, "c": None}]
    assert [type(r["a"]) for r in got] == [float, float]


def test_rows_where_hands_back_the_frame_itself_when_every_row_is_kept():
    import numpy as np
    import pandas as pd
    from orgraph.analyses.panel import rows_where

    df = pd.DataFrame({"mi": np.arange(10), "x": np.arange(10.0)})
    assert rows_where(df, df["mi"] <= 9) is df
    part = rows_where(df, df["mi"] <= 4)
    assert part is not df
    pd.testing.assert_frame_equal(part, df[df["mi"] <= 4])
