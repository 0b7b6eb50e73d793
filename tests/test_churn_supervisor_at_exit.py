"""The supervisor at each exit, found through staff codes, equals the merge on staff ids."""
import numpy as np
import pandas as pd

from orgraph.analyses._demo import demo_org, example_org
from orgraph.analyses.churn import _supervisor_at_exit


def _by_merge(ex, S):
    sv = ex[["staff_id", "exit"]].merge(S[["staff_id", "supervisor_id", "start", "end"]], on="staff_id")
    sv = sv[(sv["start"] <= sv["exit"]) & (sv["end"] > sv["exit"])].drop_duplicates(["staff_id", "exit"])
    got = ex.merge(sv[["staff_id", "exit", "supervisor_id"]], on=["staff_id", "exit"], how="left")["supervisor_id"]
    return got.astype(object).where(got.notna(), None).tolist()


def test_supervisor_at_exit_equals_the_merge():
    rng = np.random.default_rng(2)
    for org in (demo_org(), example_org()):
        S = org.supervision_frame
        # overlapping rows too: the first row (in S's order) covering the day wins
        S = pd.concat([S, S.iloc[::-1].assign(supervisor_id="X")], ignore_index=True)
        ids = org.staff_frame.index.to_numpy()
        days = pd.date_range("2019-06-01", "2023-06-01", freq="7D")
        ex = pd.DataFrame({"staff_id": rng.choice(ids, 400), "exit": rng.choice(days, 400)})
        ex = pd.concat([ex, ex.iloc[:50]], ignore_index=True)           # repeated (person, exit) pairs
        assert _supervisor_at_exit(org, ex, S).tolist() == _by_merge(ex, S)


def test_unknown_staff_are_left_to_the_merge():
    org = demo_org()
    ex = pd.DataFrame({"staff_id": ["nobody"], "exit": pd.to_datetime(["2021-01-01"])})
    assert _supervisor_at_exit(org, ex, org.supervision_frame) is None
