"""The validation rules' vectorised helpers give what the plain pandas (or loop) computation gives."""
from __future__ import annotations

import itertools

import numpy as np
import pandas as pd
import pytest

from orgraph.validate import _duplicated, _in_loops, _isin, _typed_as


def _frame(rng, n, categorical):
    ids = rng.choice(["S1", "S2", "S3", None], size=n).astype(object)
    months = pd.to_datetime(rng.choice(["2024-01-01", "2024-02-01", None], size=n))
    df = pd.DataFrame({"staff_id": ids, "month": months, "n": rng.integers(0, 3, size=n).astype(float)})
    df.loc[rng.random(n) < 0.2, "n"] = np.nan
    if categorical:
        df["staff_id"] = df["staff_id"].astype("category")
    df.index = rng.permutation(np.arange(10, 10 + n))  # an index that is not 0..n-1
    return df


@pytest.mark.parametrize("categorical", [False, True])
@pytest.mark.parametrize("cols", [["staff_id"], ["staff_id", "month"], ["staff_id", "month", "n"]])
def test_duplicated_is_pandas_duplicated(categorical, cols):
    rng = np.random.default_rng(7)
    for n in (0, 1, 5, 40, 200):
        df = _frame(rng, n, categorical)
        pd.testing.assert_series_equal(_duplicated(df, cols), df.duplicated(cols, keep="first"))


def test_duplicated_without_repeats_is_all_false():
    # every key once: the counting shortcut, not the hash
    df = pd.DataFrame({"staff_id": pd.Categorical(["A", "A", "B"]),
                       "month": pd.to_datetime(["2024-01-01", "2024-02-01", "2024-01-01"])})
    assert _duplicated(df, ["staff_id", "month"]).tolist() == [False, False, False]
    df.loc[3] = ["A", pd.Timestamp("2024-02-01")]
    assert _duplicated(df, ["staff_id", "month"]).tolist() == [False, False, False, True]


def test_isin_on_categories_is_isin():
    rng = np.random.default_rng(3)
    vals = rng.choice(["a", "b", "c", None], size=300).astype(object)
    known = np.array(["a", "c", "z"], dtype=object)
    plain = pd.Series(vals, index=np.arange(300) * 2)
    cat = plain.astype("category")
    got = _isin(cat, known)
    assert got.index.equals(plain.index)
    present = plain.notna()
    # where a value is given, the same answer as isin; a missing value reads as known
    assert (got[present] == plain[present].isin(known)).all()
    assert got[~present].all()
    pd.testing.assert_series_equal(_isin(plain, known), plain.isin(known))


def _reaches(edges):
    reach: dict[str, set] = {}
    for u, v in edges:
        reach.setdefault(u, set()).add(v)
    changed = True
    while changed:
        changed = False
        for u, vs in reach.items():
            more = set().union(*(reach.get(v, set()) for v in vs)) - vs
            if more:
                vs |= more
                changed = True
    return reach


def test_in_loops_matches_reachability():
    rng = np.random.default_rng(11)
    people = [f"P{i}" for i in range(8)]
    for _ in range(30):
        m = int(rng.integers(0, 14))
        pairs = [tuple(rng.choice(people, size=2, replace=False)) for _ in range(m)]
        reach = _reaches(pairs)
        # a link u -> v lies in a strongly connected component iff v reaches u
        want = [u in reach.get(v, set()) for u, v in pairs]
        staff = pd.Series([u for u, _ in pairs], dtype=object)
        boss = pd.Series([v for _, v in pairs], dtype=object)
        assert _in_loops(staff, boss).tolist() == want


def test_in_loops_repeated_links_and_chains():
    staff = pd.Series(["A", "A", "B", "C", "D"] + ["E"] * 300)
    boss = pd.Series(["B", "B", "C", "A", "A"] + ["D"] * 300)
    assert _in_loops(staff, boss).tolist() == [True, True, True, True, False] + [False] * 300


@pytest.mark.parametrize("values", [["a", "b", "a"], [], ["x"]])
def test_typed_as_object_from_categorical(values):
    s = pd.Series(pd.Categorical(values, categories=sorted(set(values)) or None), dtype="category")
    got = _typed_as(s, "object")
    assert isinstance(got, np.ndarray) and got.dtype == object
    assert got.tolist() == s.astype(object).tolist()


def test_typed_as_object_keeps_missing_and_shares_text():
    s = pd.Series(pd.Categorical(["a", None, "b"]))
    assert [v if isinstance(v, str) else None for v in _typed_as(s, "object")] == ["a", None, "b"]
    o = pd.Series(["a", None], dtype=object)
    assert np.shares_memory(_typed_as(o, "object"), o.to_numpy())
    for a, b in itertools.combinations([_typed_as(o, "object"), o.to_numpy()], 2):
        assert a.tolist() == b.tolist()


def _concurrent_by_pandas(df, key, limit):
    """The sweep as plain pandas: events sorted by key, date and kind, counted per key."""
    live = df[~df["_bad"]]
    ends = (live["end_date"] + pd.Timedelta(days=1)).fillna(pd.Timestamp("2262-01-01"))
    ev = pd.concat([
        pd.DataFrame({"k": live[key].values, "t": live["start_date"].values, "d": 1, "row": live.index}),
        pd.DataFrame({"k": live[key].values, "t": ends.values, "d": -1, "row": live.index}),
    ], ignore_index=True).sort_values(["k", "t", "d"], kind="stable")
    ev["n"] = ev.groupby("k", sort=False)["d"].cumsum()
    ev["limit"] = ev["k"].map(limit).fillna(1)
    over = ev[(ev["d"] == 1) & (ev["n"] > ev["limit"])]
    out = df.loc[over["row"].values].copy()
    out["_n"] = over["n"].values
    return out


@pytest.mark.parametrize("seed", range(6))
def test_concurrent_matches_the_pandas_sweep(seed):
    from orgraph.validate import _concurrent

    rng = np.random.default_rng(seed)
    n = int(rng.integers(1, 120))
    start = pd.Timestamp("2020-01-01") + pd.to_timedelta(rng.integers(0, 60, n), unit="D")
    length = rng.integers(0, 40, n)
    end = pd.Series(start + pd.to_timedelta(length, unit="D"))
    end[rng.random(n) < 0.3] = pd.NaT
    df = pd.DataFrame({"staff_id": rng.choice(["S1", "S2", "S10", "S3"], n), "position_id": rng.choice(["P2", "P1"], n),
                       "start_date": start, "end_date": end.to_numpy(), "_line": np.arange(2, n + 2),
                       "_bad": rng.random(n) < 0.1}, index=rng.permutation(n) + 100)
    for key, limit in (("position_id", pd.Series({"P1": 2.0, "P2": 1.0})), ("staff_id", pd.Series(dtype=float))):
        got, want = _concurrent(df, key, limit), _concurrent_by_pandas(df, key, limit)
        pd.testing.assert_frame_equal(got, want)
        assert len(want) or n < 20  # overlaps are there to find


def test_overlapping_rows_merge_as_before_in_any_row_order():
    from orgraph.reading import IssueLog
    from orgraph.validate import _merge_overlaps

    rows = [("S2", "P1", "2020-01-01", "2020-03-31"), ("S1", "P1", "2020-02-01", None),
            ("S2", "P1", "2020-03-01", "2020-05-31"), ("S10", "P2", "2021-01-01", "2021-02-01"),
            ("S2", "P1", "2020-05-15", "2020-06-30"), ("S1", "P1", "2020-01-01", "2020-02-15"),
            ("S10", "P2", "2021-02-02", "2021-03-01")]
    df = pd.DataFrame(rows, columns=["staff_id", "position_id", "start_date", "end_date"])
    for c in ("start_date", "end_date"):
        df[c] = pd.to_datetime(df[c])
    df["_line"], df["_bad"] = np.arange(2, len(df) + 2), False
    log = IssueLog()
    _merge_overlaps(df, "position_id", log, "assignments.csv", "{staff!r} in seat {key!r}", "assignment")
    # S1's rows (lines 7, then 3) and S2's chain (2, 4, 6) merge; S10's rows only touch
    assert df["_bad"].tolist() == [False, True, True, False, True, False, False]
    assert df.loc[0, "end_date"] == pd.Timestamp("2020-06-30") and pd.isna(df.loc[5, "end_date"])
    assert [(i.line, i.message) for i in log.finish()] == [
        (3, "'S1' in seat 'P1' 2020-02-01 onward overlaps line 7 (2020-01-01 to 2020-02-15); merged into one "
            "assignment 2020-01-01 onward"),
        (4, "'S2' in seat 'P1' 2020-03-01 to 2020-05-31 overlaps line 2 (2020-01-01 to 2020-03-31); merged into one "
            "assignment 2020-01-01 to 2020-06-30"),
        (6, "'S2' in seat 'P1' 2020-05-15 to 2020-06-30 overlaps line 4 (2020-03-01 to 2020-05-31); merged with "
            "line 2 into one assignment 2020-01-01 to 2020-06-30")]
