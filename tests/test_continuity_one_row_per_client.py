"""Continuity when every client has one assignment: no hand-off can be seen, years counted without a table."""
from __future__ import annotations

import orgraph.analyses.continuity as continuity
from orgraph.analyses.continuity import continuity_of_care
from test_caseload import build

CLIENTS = [
    ("K1", "C1", "2022-01-10", None),
    ("K2", "C1", "2022-02-01", "2022-03-01"),
    ("K3", "C1", "2022-04-01", "2022-05-20"),
    ("K5", "C1", "2021-03-01", "2022-05-06"),
    ("K7", "C2", "2022-06-01", None),
    ("K4", "C2", "2020-01-05", "2020-12-31"),
    ("K8", "C4", "2021-06-01", "2021-12-31"),
    ("K9", "C4", "2021-06-01", "2021-05-31"),       # ends before it starts: active in no year
]


def org():
    staff = [("C1", "2020-01-01", "2022-05-20"), ("C2", "2020-01-01", None), ("C4", "2020-01-01", "2022-08-31")]
    seats = [(s, f"P{s}", "A" if s != "C4" else "B", "clinician", "2020-01-01", e) for s, _, e in staff]
    return build(staff, seats, clients=CLIENTS, data_end="2022-12-31")


def test_one_row_per_client_matches_the_general_counts(monkeypatch):
    fast = continuity_of_care(org())
    general = continuity._served_by_year

    def by_table(client, y0, y1, n_clients, repeated):
        return general(client, y0, y1, n_clients, True)

    monkeypatch.setattr(continuity, "_served_by_year", by_table)
    slow = continuity_of_care(org())
    assert fast.to_dict() == slow.to_dict()
    t = fast.extras["totals"]
    assert t["handoffs_observable"] is False and t["picked_up"] is None
    assert all(e["picked_up"] == 0 for e in fast.extras["by_exit"])
    years = {y["year"]: y["clients_served"] for y in fast.extras["by_year"]}
    assert years == {2020: 1, 2021: 3, 2022: 5}
