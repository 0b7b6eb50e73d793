"""The report's cost helpers: a person's role, salary and FTE read from the staff frame."""
from __future__ import annotations

import datetime as dt

from orgraph.graph import OrgGraph
from orgraph.model import OrgData, Staff
from orgraph.report.costs import _role_of


def _org(salary: float) -> OrgGraph:
    d = dt.date
    return OrgGraph(OrgData(staff={
        "S1": Staff("S1", "Ana", "LCSW", d(2020, 1, 1), annual_salary=salary, fte=0.5),
        "S2": Staff("S2", "Bo", "LPC", d(2020, 1, 1), d(2021, 6, 30), "voluntary"),
    }))


def test_role_of_reads_what_the_staff_frame_holds():
    for salary in (61000.0, 72000.0):            # a second org: its own frame, not the first one's answers
        org = _org(salary)
        sf = org.staff_frame
        for sid in ("S1", "S2"):
            want = (str(sf.at[sid, "role_kind"]), sf.at[sid, "annual_salary"], sf.at[sid, "fte"])
            got = _role_of(org, sid)
            assert repr(got) == repr(want)
            assert [type(v) for v in got] == [type(v) for v in want]
        assert _role_of(org, "S1")[1] == salary
    assert _role_of(org, "nobody") == ("clinician", None, 1.0)
    assert _role_of(None, "S1") == ("clinician", None, 1.0)


def test_role_of_reads_a_loaded_bundle_without_building_its_staff_records():
    import pytest
    from conftest import RIVERBEND

    import orgraph

    if not (RIVERBEND / "staff.csv").exists():
        pytest.skip("examples/riverbend not generated yet")
    org = orgraph.load(str(RIVERBEND))
    sid = org.data.table("staff")["staff_id"].iloc[0]
    sf = org.staff_frame
    assert _role_of(org, sid) == (str(sf.at[sid, "role_kind"]), sf.at[sid, "annual_salary"], sf.at[sid, "fte"])
    assert _role_of(org, None) == _role_of(org, "nobody") == ("clinician", None, 1.0)
    assert "staff" not in org.data.__dict__.get("_records", {})
