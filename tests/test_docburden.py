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
    """The straightforward pandas table: copy, add columns, stable sort by (staff code, month)."""
    import pandas as pd

    from orgraph.analyses.panel import month_index, staff_codes

    df = o.data.documentation[["staff_id", "month", "session_hours", "documentation_hours"]].copy()
    df["month"] = pd.to_datetime(df["month"])
    df["mi"] = month_index(df["month"])
    sess = df["session_hours"].astype(float)
    df["ratio"] = (df["documentation_hours"].astype(float) / sess).where(sess > 0)
    df["sc"] = staff_codes(o, df["staff_id"])
    return df.sort_values(["sc", "mi"], kind="stable").reset_index(drop=True)


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
