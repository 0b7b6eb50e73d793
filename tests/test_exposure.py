"""The interval helpers shared by the analyses."""
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
