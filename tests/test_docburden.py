"""Documentation burden: pooled ratios, the 1.0 boundary, exit rate ratio, CLI."""
from __future__ import annotations

import datetime as dt
import json

import pytest
from click.testing import CliRunner
from test_caseload import MONTHS, build, four_clinicians

from orgraph.analyses.docburden import doc_ratios, documentation_burden
from orgraph.errors import AnalysisError

# (session hours, documentation hours): A 0.5, B 0.8, C exactly 1.0, D 1.5
DOC = {"A": (10.0, 5.0), "B": (10.0, 8.0), "C": (10.0, 10.0), "D": (10.0, 15.0)}


def org(**kw):
    return four_clinicians(documentation={(s, m): v for m in MONTHS for s, v in DOC.items()}, **kw)


def test_ratios_by_program_person_and_month():
    res = documentation_burden(org())
    assert [(p["program_id"], p["ratio"]) for p in res.table] == [("P2", 1.25), ("P1", 0.65)]
    assert res.extras["by_program"] == res.table
    p2 = res.table[0]
    assert p2["share_months_at_or_above"] == 1.0 and p2["people_at_or_above"] == 2 and p2["person_months"] == 6
    # exactly 1.0 counts as "at or above"
    assert [p["staff_id"] for p in res.extras["at_or_above"]] == ["D", "C"]
    c = next(p for p in res.extras["by_person"] if p["staff_id"] == "C")
    assert (c["months"], c["session_hours"], c["documentation_hours"], c["months_at_or_above"]) == (3, 30.0, 30.0, 3)
    jan = res.extras["by_month"][0]
    assert jan == {"month": "2023-01-01", "staff": 4, "ratio": 0.95, "median_monthly_ratio": 0.9,
                   "share_months_at_or_above": 0.5}
    json.dumps(vars(res))  # plain, JSON-serialisable data


def test_exit_rate_ratio_high_vs_normal():
    er = documentation_burden(org()).extras["exit_rate"]
    # high (ratio >= 1 the month before): C Feb-Apr 89 days; D Feb 1-Apr 10 69 days, 1 exit -> 158 days.
    # normal: A 89 days; B Feb 1-Mar 15 43 days, 1 exit -> 132 days.
    assert (er["exits"], er["reference_exits"]) == (1, 1)
    assert er["rate_ratio"] == pytest.approx(132 / 158)
    assert er["exit_rate_per_year"] == round(365.25 / 158, 4)


def test_threshold_option_and_zero_session_hours():
    res = documentation_burden(org(), threshold=0.8)
    assert [p["staff_id"] for p in res.extras["at_or_above"]] == ["D", "C", "B"]
    zero = build([("X", "2022-01-01", None)], [("X", "PX", "P", "clinician", "2022-01-01", None)],
                 documentation={("X", "2023-01"): (0.0, 3.0), ("X", "2023-02"): (10.0, 12.0)})
    r = doc_ratios(zero)
    assert r["ratio"].isna().tolist() == [True, False]
    res = documentation_burden(zero)
    assert res.extras["by_person"][0]["ratio"] == 1.5            # pooled: 15 / 10
    assert res.extras["by_person"][0]["median_monthly_ratio"] == 1.2


def test_no_documentation_is_a_clear_error():
    with pytest.raises(AnalysisError, match=r"The bundle has no documentation data \(documentation.csv\)"):
        documentation_burden(four_clinicians())


@pytest.mark.parametrize("make, before_first_month", [
    # example_org: data 2021-01-01 .. 2022-06-30, documentation months 2022-01 .. 2022-04
    ("example", "2021-06-30"),
    # org(): data 2022-01-01 .. 2023-04-30, documentation months 2023-01 .. 2023-03
    ("four", "2022-06-30"),
])
def test_as_of_outside_the_data_or_before_the_first_documentation_month(make, before_first_month):
    from orgraph.analyses._demo import example_org
    from orgraph.settings import NoDataError

    o = example_org() if make == "example" else org()
    start, end = o.data_start, o.data_end
    with pytest.raises(AnalysisError, match="is before the first day of data"):
        documentation_burden(o, as_of=start - dt.timedelta(days=1))
    with pytest.raises(AnalysisError, match="is after the last day of data"):
        documentation_burden(o, as_of=end + dt.timedelta(days=1))
    assert start < dt.date.fromisoformat(before_first_month) < o.data.documentation["month"].min().date()
    with pytest.raises(NoDataError, match=f"documentation.csv has no month on or before {before_first_month}"):
        documentation_burden(o, as_of=before_first_month)
    assert documentation_burden(o, as_of=end).as_of == end.isoformat()  # the last day of data is fine


def test_cli_docburden(monkeypatch):
    import orgraph.cli.analyses as cli
    from orgraph.cli import main

    monkeypatch.setattr(cli, "open_source", lambda source: org())
    r = CliRunner().invoke(main, ["docburden", "bundle", "--by", "high"])
    assert r.exit_code == 0, r.output
    assert "People documenting at least 1 hour" in r.output and "per session hour\n" in r.output  # the title
    assert "2 people document at least 1 hour per" in r.output
    r = CliRunner().invoke(main, ["docburden", "bundle", "--format", "csv", "--by", "month"])
    assert r.output.splitlines()[1] == "2023-01-01,4,0.95,0.9,0.5"


@pytest.mark.parametrize("seed", [1, 2])
def test_planted_documentation_program_is_found_on_synthetic_orgs(synth_org, seed):
    _, synth, truth = synth_org(staff=200, years=4, seed=seed)
    res = documentation_burden(synth)
    planted = truth["documentation_program"]["program_id"]
    top, second = res.table[:2]
    assert top["program_id"] == planted and top["ratio"] >= 0.9 and second["ratio"] < 0.75
    assert {p["program_id"] for p in res.extras["at_or_above"]} == {planted}


def test_staff_rank_codes_match_sorted_factorize_of_the_ids():
    """Codes numbered in staff id order from the staff codes equal a sorted factorize of the id strings, also
    when an id is unknown (the fallback)."""
    import numpy as np
    import pandas as pd

    from orgraph.analyses._demo import example_org
    from orgraph.analyses.docburden import _sorted_codes, _staff_rank_codes
    from orgraph.analyses.panel import staff_codes

    org = example_org()
    known = list(org.staff_frame.index)
    rng = np.random.default_rng(2)
    ids = pd.Series(np.array(known, dtype=object)[rng.integers(0, len(known), 60)])
    codes, labels = _staff_rank_codes(org, staff_codes(org, ids), ids)
    want_codes, want_labels = pd.factorize(ids.to_numpy(dtype=object), sort=True)
    assert codes.tolist() == want_codes.tolist() and labels.tolist() == list(want_labels)
    odd = pd.concat([ids, pd.Series(["ZZ9"])], ignore_index=True)
    codes, labels = _staff_rank_codes(org, staff_codes(org, odd), odd)
    want_codes, want_labels = _sorted_codes(odd.to_numpy(dtype=object))
    assert codes.tolist() == want_codes.tolist() and labels.tolist() == want_labels.tolist()
    assert labels[-1] == "ZZ9"


def _pandas_doc_ratios(o):
    """The straightforward pandas table: copy, add columns, stable sort by (staff code, month), ids as a
    categorical of the sorted distinct ids, codes and months as int32."""
    import pandas as pd

    from orgraph.analyses.panel import month_index, staff_codes

    df = o.data.documentation[["staff_id", "month", "session_hours", "documentation_hours"]].copy()
    df["mi"] = month_index(pd.to_datetime(df["month"])).astype("int32")
    sess = df["session_hours"].astype(float)
    df["ratio"] = (df["documentation_hours"].astype(float) / sess).where(sess > 0)
    df["sc"] = staff_codes(o, df["staff_id"]).astype("int32")
    df["staff_id"] = pd.Categorical(df["staff_id"], categories=pd.Index(sorted(set(df["staff_id"])), dtype=object))
    df = df.sort_values(["sc", "mi"], kind="stable").reset_index(drop=True)
    return df[["staff_id", "sc", "mi", "session_hours", "documentation_hours", "ratio"]]


def test_doc_ratios_of_shuffled_rows_match_a_pandas_sort():
    import numpy as np
    import pandas as pd

    from orgraph.analyses.docburden import _doc_ratios

    o = org()
    shuffled = o.data.documentation.sample(frac=1, random_state=4)
    shuffled.loc[shuffled.index[:2], "session_hours"] = [0.0, np.nan]
    o.data.documentation = shuffled
    got = _doc_ratios(o)
    pd.testing.assert_frame_equal(got, _pandas_doc_ratios(o), check_exact=True)
    assert got["ratio"].isna().sum() == 2


def test_pooled_counts_match_pandas_mean_and_sum_of_flags():
    import numpy as np
    import pandas as pd

    from orgraph.analyses.docburden import _pooled

    rng = np.random.default_rng(2)
    n = 300
    ratio = np.where(rng.random(n) < 0.2, np.nan, rng.random(n) * 2)
    hours = pd.DataFrame({"session_hours": rng.random(n) * 80, "documentation_hours": rng.random(n) * 60,
                          "ratio": ratio})
    codes = rng.integers(0, 5, n)
    codes[(rng.random(n) < 0.2) & ~(ratio >= 1.0)] = 5                # a group with no month at or above
    got = _pooled(codes, np.array(list("abcdef")), "g", rng.integers(0, 20, n), hours, 1.0)
    hi = np.where(np.isnan(ratio), np.nan, (ratio >= 1.0).astype(float))
    want = pd.DataFrame({"hi": hi, "hi_n": ratio >= 1.0}).groupby(codes).agg(share=("hi", "mean"), n=("hi_n", "sum"))
    assert got.index.tolist() == list("abcdef") and got["months_at_or_above"].iloc[-1] == 0
    assert got["months_at_or_above"].tolist() == want["n"].tolist()
    assert got["share_months_at_or_above"].tolist() == want["share"].round(4).tolist()
    assert got["person_months"].tolist() == np.bincount(codes).tolist()


def _pairs(rng, n_staff, months, n, start=600):
    """``n`` distinct (staff code, month index) pairs, shuffled."""
    import numpy as np

    cells = rng.choice(n_staff * months, size=n, replace=False)
    return (cells // months).astype(np.int32), (start + cells % months).astype(np.int32)


def test_pm_rows_match_a_dict_of_the_person_months():
    """_pm_rows (a staff x month table) gives the row a plain dict of (staff, month) -> row gives, for the month
    itself and the month after, including staff codes -1 and months outside the person-months."""
    import numpy as np

    from orgraph.analyses.docburden import _pm_rows

    rng = np.random.default_rng(5)
    pm_sc, pm_mi = _pairs(rng, 40, 30, 700)
    order = np.lexsort((pm_sc, pm_mi))                          # the person-months: by month, then staff
    pm_sc, pm_mi = pm_sc[order], pm_mi[order]
    sc, mi = _pairs(rng, 45, 34, 500, start=598)
    sc[:7] = -1
    where = {(s, m): r for r, (s, m) in enumerate(zip(pm_sc.tolist(), pm_mi.tolist()))}
    both = _pm_rows(sc, mi, pm_sc, pm_mi, steps=(0, 1))
    for step, got in zip((0, 1), both):
        want = [where.get((s, m + step), -1) if s >= 0 else -1 for s, m in zip(sc.tolist(), mi.tolist())]
        assert got.tolist() == want
        assert _pm_rows(sc, mi, pm_sc, pm_mi, steps=(step,))[0].tolist() == want
        assert (got >= 0).sum() > 100 and (got == -1).sum() > 100     # both cases are exercised


def test_pm_rows_hands_repeated_or_sparse_person_months_on():
    import numpy as np

    from orgraph.analyses.docburden import _pm_rows

    sc, mi = np.array([0, 1], dtype=np.int32), np.array([600, 601], dtype=np.int32)
    assert _pm_rows(sc, mi, np.array([1, 1], dtype=np.int32), np.array([601, 601], dtype=np.int32)) is None
    far = np.array([0, 2_000_000], dtype=np.int32)                # a table over this span would be huge
    assert _pm_rows(far, mi, np.array([1], dtype=np.int32), np.array([601], dtype=np.int32)) is None
    assert [r.tolist() for r in _pm_rows(sc[:0], mi[:0], sc, mi, steps=(0, 1))] == [[], []]


def test_documentation_burden_is_the_same_through_the_general_lookups(monkeypatch):
    """When _pm_rows hands the lookup on (repeated or sparse person-months), record_rows and month_rows give
    the same result."""
    import orgraph.analyses.docburden as db
    from orgraph.analyses._demo import example_org

    for make in (org, example_org):
        want = documentation_burden(make(), threshold=0.8)
        monkeypatch.setattr(db, "_pm_rows", lambda *a, **k: None)
        got = documentation_burden(make(), threshold=0.8)
        monkeypatch.undo()
        assert vars(got) == vars(want)
        assert got.extras["exit_rate"]["exits"] + got.extras["exit_rate"]["reference_exits"] > 0


def test_previous_month_flags_match_a_pandas_merge():
    """The flag of each person-month is the ratio of the same person's month before (the first record of a
    repeated month) against the threshold, NaN without one: as a merge on (staff, month + 1) gives it."""
    import numpy as np
    import pandas as pd

    from orgraph.analyses.docburden import _previous_month_flags

    rng = np.random.default_rng(8)
    sc, mi = _pairs(rng, 30, 24, 400)
    dr = pd.DataFrame({"sc": sc, "mi": mi, "ratio": np.where(rng.random(400) < 0.15, np.nan, rng.random(400) * 2)})
    dr = pd.concat([dr, dr.iloc[:20].assign(ratio=5.0)])            # repeated months: the first counts
    dr = dr.sort_values(["sc", "mi"], kind="stable").reset_index(drop=True)
    pm_sc, pm_mi = _pairs(rng, 32, 26, 500, start=599)
    pm = pd.DataFrame({"sc": pm_sc, "mi": pm_mi}).sort_values(["mi", "sc"]).reset_index(drop=True)
    first = dr.dropna(subset=["ratio"]).drop_duplicates(["sc", "mi"], keep="first")
    want = pm.merge(first.assign(mi=first["mi"] + 1), on=["sc", "mi"], how="left")["ratio"]
    want = np.where(want.isna(), np.nan, (want >= 1.0).astype(float))
    np.testing.assert_array_equal(_previous_month_flags(dr, pm, 1.0).to_numpy(), want)
    where = {(s, m): r for r, (s, m) in enumerate(zip(pm["sc"].tolist(), pm["mi"].tolist()))}
    after = np.array([where.get((s, m + 1), -1) for s, m in zip(dr["sc"].tolist(), dr["mi"].tolist())])
    np.testing.assert_array_equal(_previous_month_flags(dr, pm, 1.0, after).to_numpy(), want)
    assert np.isfinite(want).sum() > 50 and np.isnan(want).sum() > 50


def test_sorted_codes_and_present_match_a_sorted_factorize():
    import numpy as np
    import pandas as pd

    from orgraph.analyses.docburden import _present, _sorted_codes

    rng = np.random.default_rng(3)
    for values in (rng.integers(600, 640, 300).astype(np.int32), rng.integers(0, 10**9, 300),
                   np.array(list("qwertyuiop"), dtype=object)[rng.integers(0, 10, 300)]):
        codes, labels = _sorted_codes(values)
        want_codes, want_labels = pd.factorize(values, sort=True)
        assert codes.tolist() == want_codes.tolist() and labels.tolist() == list(want_labels)
        keep = rng.random(len(values)) < 0.05
        codes, labels = _present(codes[keep], labels)
        want_codes, want_labels = pd.factorize(values[keep], sort=True)
        assert codes.tolist() == want_codes.tolist() and labels.tolist() == list(want_labels)
        assert len(labels) < len(np.unique(values))                    # some labels were dropped


def test_by_ratio_matches_sort_values():
    import numpy as np
    import pandas as pd

    from orgraph.analyses.docburden import _by_ratio

    rng = np.random.default_rng(1)
    ratio = np.round(rng.random(200), 1)
    ratio[rng.random(200) < 0.2] = np.nan
    df = pd.DataFrame({"k": [f"id{i:03d}" for i in range(200)], "ratio": ratio})
    for frame in (df, df.sample(frac=1, random_state=2)):             # in key order, and not
        want = frame.assign(_r=frame["ratio"].fillna(0.0)).sort_values(["_r", "k"], ascending=[False, True],
                                                                          kind="stable")
        assert _by_ratio(frame, "k")["k"].tolist() == want["k"].tolist()


def test_doc_ratios_are_narrow():
    """The shared table keeps ids as a categorical and codes and months as int32 (its size at 50,000 staff)."""
    import numpy as np

    from orgraph.analyses._demo import example_org

    r = doc_ratios(example_org())
    assert r["staff_id"].dtype == "category" and r["sc"].dtype == np.int32 and r["mi"].dtype == np.int32
    assert list(r.columns) == ["staff_id", "sc", "mi", "session_hours", "documentation_hours", "ratio"]
