"""Supervisor cohorts read through staff codes equal the merge of the supervision rows with the exits."""
import pandas as pd

from orgraph.analyses._demo import demo_org, example_org
from orgraph.analyses.exposure import DAY, _supervisor_cohorts, people, supervision


def _by_merge(org, cut, lookback_days):
    P = people(org, cut, include_external=True)
    S = supervision(org, cut)
    ex = P.loc[P["exited"] & P.index.isin(S["supervisor_id"].unique()), ["exit"]]
    ex = ex.rename(columns={"exit": "sup_exit"}).rename_axis("supervisor_id").reset_index()
    m = S.merge(ex, on="supervisor_id")
    m = m[(m["start"] <= m["sup_exit"]) & (m["end"] > m["sup_exit"] - (lookback_days - 1) * DAY)]
    return m.drop_duplicates(["supervisor_id", "staff_id"])[["supervisor_id", "sup_exit", "staff_id"]]


def test_cohorts_equal_the_merge_at_every_exit_day():
    for org in (demo_org(), example_org()):
        days = sorted(set(org.staff_frame["exit"].dropna())) + [org.censor]
        for cut in days:
            for lookback in (1, 30, 400):
                cut = pd.Timestamp(cut)
                pd.testing.assert_frame_equal(_supervisor_cohorts(org, cut, lookback), _by_merge(org, cut, lookback),
                                              check_exact=True)
