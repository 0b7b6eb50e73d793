"""churn_seats on a tiny hand-built org: every number computed by hand below."""
import datetime as dt
import math

import pandas as pd
import pytest

from orgraph.analyses import churn_seats
from orgraph.graph import OrgGraph
from orgraph.model import Assignment, OrgData, Position, Program, Staff, Supervision

D = dt.date
START, END = D(2020, 1, 1), D(2021, 12, 31)  # 731 days


def churn_org():
    """Seat H: H1 01-01..04-30 (121 d, exit), H2 05-16..09-30 (138 d, exit), H3 2020-10-01..2021-01-31
    (123 d, exit), H4 2021-03-01.. (306 d, ongoing): 4 holders, 3 exits, 688 occupied days, vacancy
    15 (May 1-15) + 28 (Feb 2021) = 43 days, median tenure (123 + 138) / 2 = 130.5.
    Seats N1..N8 held all 731 days; in N7 the holder leaves 2020-12-31 and is replaced 2021-01-01.
    S supervises H1..H3 (supervisor seat, never leaves)."""
    staff, assign, sup = {}, [], []
    positions = {"H": Position("H", "Therapist", "OP", "clinician"),
                 "SUP": Position("SUP", "Clinical Supervisor", "OP", "supervisor")}

    def hold(sid, seat, a, b=None):
        staff[sid] = Staff(sid, sid, "LPC", a, b, "voluntary" if b else None)
        assign.append(Assignment(sid, seat, a, b))

    hold("S", "SUP", START)
    for sid, a, b in (("H1", D(2020, 1, 1), D(2020, 4, 30)), ("H2", D(2020, 5, 16), D(2020, 9, 30)),
                      ("H3", D(2020, 10, 1), D(2021, 1, 31)), ("H4", D(2021, 3, 1), None)):
        hold(sid, "H", a, b)
        if sid != "H4":
            sup.append(Supervision(sid, "S", a, b))
    for i in range(1, 9):
        positions[f"N{i}"] = Position(f"N{i}", "Therapist", "OP", "clinician")
        if i != 7:
            hold(f"N{i}", f"N{i}", START)
    hold("N7a", "N7", START, D(2020, 12, 31))
    hold("N7b", "N7", D(2021, 1, 1))
    # caseload: 20 active clients for everyone each month employed, but H1 and H2 carry 40
    rows = []
    for m in pd.date_range("2020-01-01", "2021-12-01", freq="MS"):
        for s in staff.values():
            if s.hire_date <= m.date() and (s.termination_date is None or s.termination_date >= m.date()):
                rows.append((s.staff_id, m, 40 if s.staff_id in ("H1", "H2") else 20))
    cl = pd.DataFrame(rows, columns=["staff_id", "month", "active_clients"])
    data = OrgData(staff=staff, programs={"OP": Program("OP", "Outpatient", "outpatient")}, positions=positions,
                   assignments=assign, supervision=sup, caseload=cl, present={"caseload"})
    return OrgGraph(data, data_end=END)


# First pass: clinician rate 4 exits (H1, H2, H3, N7a) / (688 + 8 * 731 = 6536) occupied days (every tenure band
# has fewer than 5 exits, so each takes the role kind's overall rate). H: expected 688 * 4 / 6536 = 0.421053,
# P(X >= 3) = 0.009104, BH over 9 tested seats 0.0819 < 0.10: flagged. Second pass: H is left out of the baseline,
# so the clinician rate is 1 exit (N7a) / (8 * 731 = 5848) days.
MU_H = 688 * 1 / 5848                                       # 0.117647
P_H = 1 - math.exp(-MU_H) * (1 + MU_H + MU_H ** 2 / 2)      # P(X >= 3) = 1 - 0.889009 * 1.124567 = 0.000249
MU_N7 = 731 * 1 / 5848                                      # 0.125
P_N7 = 1 - math.exp(-MU_N7)                                 # P(X >= 1) = 0.117503


def test_hot_seat_numbers_by_hand():
    res = churn_seats(churn_org())
    seat = res.table[0]
    assert seat["position_id"] == "H"
    assert (seat["holders"], seat["exits"], seat["occupied_days"], seat["vacancy_days"]) == (4, 3, 688, 43)
    assert seat["median_tenure_days"] == 130.5
    assert seat["max_holders_in_window"] == 4
    assert seat["expected"] == pytest.approx(MU_H, abs=1e-4)
    assert seat["p_value"] == pytest.approx(P_H, abs=1e-8)
    assert round(P_H, 6) == 0.000249
    # 9 seats tested (supervisor seat has expected 0): BH for the smallest = 9 * p
    assert seat["p_adjusted"] == pytest.approx(9 * P_H, abs=1e-7)  # 0.00226 < 0.10
    assert seat["flagged"] is True and seat["watch"] is False
    assert res.extras["baseline"]["exits_per_seat_year"]["clinician"] == pytest.approx(4 / 6536 * 365.25, abs=1e-4)
    n7 = next(s for s in res.table if s["position_id"] == "N7")
    assert n7["p_value"] == pytest.approx(P_N7, abs=1e-8)
    assert n7["p_adjusted"] == pytest.approx(P_N7 * 9 / 2, abs=1e-7)   # second smallest of 9: 0.528764
    assert n7["flagged"] is False and n7["watch"] is False  # 2 holders < 3
    sup = next(s for s in res.table if s["position_id"] == "SUP")
    assert sup["p_adjusted"] is None and not sup["flagged"]


def test_stricter_fdr_turns_flag_into_watch():
    seat = churn_seats(churn_org(), fdr=0.05).table[0]
    assert seat["flagged"] is False and seat["watch"] is True


def test_holder_window():
    # H1..H3 fit within 04-30 .. 10-01 (155 days); all four need 04-30 .. 2021-03-01 (306 days)
    by_w = {w: churn_seats(churn_org(), window_months=w).table[0]["max_holders_in_window"] for w in (3, 6, 12)}
    assert by_w == {3: 2, 6: 3, 12: 4}
    seat = churn_seats(churn_org(), window_months=3).table[0]
    assert seat["flagged"] is False and seat["watch"] is False  # fails the holder rule


def test_shared_factors():
    seat = churn_seats(churn_org()).table[0]
    assert [d["staff_id"] for d in seat["departures"]] == ["H1", "H2", "H3"]
    assert [d["supervisor_id"] for d in seat["departures"]] == ["S", "S", "S"]
    # 3 months before each exit month, 10 people carry caseloads (S, the seat-H holder, N1..N8):
    # H1 and H2 carry 40, alone at the top: rank 10 of 10 = 100th percentile.
    # H3 carries 20 like everyone: mid-rank (1 + 10) / 2 = 5.5 of 10 = 55th percentile.
    pcts = [d["caseload_percentile"] for d in seat["departures"]]
    assert pcts == [100.0, 100.0, 55.0]
    assert seat["shared_factors"] == [
        "all 3 exits reported to S",
        "2 of 3 had caseloads above the 90th percentile",
        "all 3 exits were voluntary",
        "all 3 left within a year in the seat",
    ]


def test_as_of_before_the_third_exit():
    seat = next(s for s in churn_seats(churn_org(), as_of="2020-12-31").table if s["position_id"] == "H")
    assert seat["exits"] == 2 and seat["holders"] == 3


def test_cli_churn(tmp_path):
    import json

    from click.testing import CliRunner
    from test_cascades import write_csv_bundle

    from orgraph.cli import main

    org = churn_org()
    folder = write_csv_bundle(org, tmp_path)
    cl = org.data.caseload.assign(month=org.data.caseload["month"].dt.strftime("%Y-%m"))
    cl.to_csv(folder / "caseload.csv", index=False)
    r = CliRunner().invoke(main, ["churn", str(folder)])
    assert r.exit_code == 0, r.output
    assert "Churn seats: 1 flagged, 0 to watch" in r.output
    assert "all 3 exits reported to S" in r.output
    r = CliRunner().invoke(main, ["churn", str(folder), "--fdr", "0.05", "--format", "json"])
    seat = json.loads(r.output)["table"][0]
    assert (seat["position_id"], seat["flagged"], seat["watch"]) == ("H", False, True)


def _explained(seat, truth):
    """Whether a flagged seat's exits are explained by another planted pattern."""
    progs = {(truth.get(k) or {}).get("program_id") for k in ("caseload_program", "documentation_program")}
    over = {s["supervisor_id"] for s in truth["overloaded_supervisors"]}
    casc = {c["supervisor_id"] for c in truth["cascades"]}
    forced = {d["staff_id"] for c in truth["cascades"] for d in c["departures"]}
    return (seat["program_id"] in progs
            or any(d["supervisor_id"] in over | casc or d["staff_id"] in forced | casc for d in seat["departures"]))


def churn_recall(synth_org, seeds):
    from test_cascades import SYNTH_SIZE

    out = []
    for seed in seeds:
        _, org, truth = synth_org(**SYNTH_SIZE, seed=seed)
        seats = churn_seats(org).table
        planted = {s["position_id"] for s in truth["churn_seats"]}
        flagged = [s for s in seats if s["flagged"]]
        listed = {s["position_id"] for s in seats if s["flagged"] or s["watch"]}
        found = planted & {s["position_id"] for s in flagged}
        extra = [s for s in flagged if s["position_id"] not in planted]
        unexplained = [s["position_id"] for s in extra if not _explained(s, truth)]
        out.append((seed, planted, found, extra, unexplained, listed))
    return out


@pytest.mark.slow
def test_planted_churn_seats_are_flagged_and_few_others(synth_org):
    from test_cascades import SYNTH_SEEDS

    # measured (400 staff x 5 years, seeds 1-5, synth CHURN_MULT 8), expected exits standardised by role kind x
    # tenure band with the first pass's flagged seats left out of the baseline: 41 of 45 planted seats flagged, 3
    # other seats flagged. The 4 misses (e.g. seed 1 RES-CLN40: 7 exits vs 1.94 expected, p = 0.004, BH-adjusted
    # 0.18 over ~250 seats) are listed as watch: standardising for tenure makes a seat of short-tenure holders
    # expected to lose more of them. Before tenure was counted recall was 45/45, but 19 of 30 orgs with nothing
    # planted and early-tenure leaving got churn seats flagged.
    total = found_total = 0
    for seed, planted, found, extra, unexplained, listed in churn_recall(synth_org, SYNTH_SEEDS):
        assert planted, f"seed {seed}: nothing planted"
        total += len(planted)
        found_total += len(found)
        assert planted <= listed, f"seed {seed}: planted churn seats not even listed: {sorted(planted - listed)}"
        assert len(planted - found) <= 1, f"seed {seed}: planted churn seats not flagged: {sorted(planted - found)}"
        assert len(extra) <= 3, f"seed {seed}: unplanted churn seats flagged: {[s['position_id'] for s in extra]}"
        # at FDR 0.10 with ~10 seats flagged per org, about one false discovery per org is expected
        assert len(unexplained) <= 2, f"seed {seed}: unexplained churn seats flagged: {unexplained}"
    assert found_total >= total - 4, f"recall {found_total}/{total}"


def test_caseload_pct_equals_pandas_rank_of_the_whole_month():
    """The percentile of each wanted record is pandas' mid-rank percentile over every record of its month (ties
    included), bit for bit, and the float fallback gives the same."""
    import numpy as np
    import pandas as pd

    from orgraph.analyses.churn import _caseload_pct

    rng = np.random.default_rng(4)
    n = 600
    cl = pd.DataFrame({"staff_id": rng.choice([f"S{i}" for i in range(60)], n).astype(object),
                       "month": pd.to_datetime("2022-01-01") + pd.to_timedelta(rng.integers(0, 8, n) * 31, "D"),
                       "active_clients": rng.integers(0, 12, n)})
    cl["month"] = cl["month"].dt.to_period("M").dt.to_timestamp()
    cut = pd.Timestamp("2022-07-01")
    staff = ["S1", "S7", "S30", "S59", "S12", "S44"]
    inside = cl[cl["month"] < cut]
    want = (inside.groupby("month")["active_clients"].rank(pct=True, method="average") * 100)
    want = want[inside["staff_id"].isin(staff)]
    got = _caseload_pct(cl, cut, staff)
    assert got["pct"].tolist() == want.tolist() and len(got) > 20
    assert got["staff_id"].tolist() == inside.loc[want.index, "staff_id"].tolist()
    floats = _caseload_pct(cl.assign(active_clients=cl["active_clients"] + 0.5), cut, staff)
    assert floats["pct"].tolist() == want.tolist()


def test_departure_factors_match_a_pandas_merge_of_the_monthly_tables(synth_org):
    """Caseload percentile and documentation ratio of each departure equal a plain merge of every monthly row of
    the leaver with their exit, kept when in the three months before the exit month, then grouped."""
    import numpy as np

    from orgraph.analyses.churn import _caseload_pct

    _, org, _ = synth_org(staff=200, years=4, seed=2)
    seats = churn_seats(org).table
    deps = pd.DataFrame([{**d, "position_id": s["position_id"]} for s in seats for d in s["departures"]])
    assert len(deps) > 20
    ex = deps[["staff_id", "exit_date"]].drop_duplicates()
    ex["exit"] = pd.to_datetime(ex["exit_date"])
    ex["m1"] = ex["exit"].dt.to_period("M").dt.to_timestamp()
    ex["m0"] = ex["m1"] - pd.DateOffset(months=3)
    cut = pd.Timestamp(org.data_end) + pd.Timedelta(days=1)
    m = ex.merge(_caseload_pct(org.data.caseload, cut, ex["staff_id"].unique()), on="staff_id")
    m = m[(m["month"] >= m["m0"]) & (m["month"] < m["m1"])]
    pct = m.groupby(["staff_id", "exit_date"])["pct"].mean().round(1)
    doc = org.data.documentation
    m = ex.merge(doc, on="staff_id")
    m = m[(m["month"] >= m["m0"]) & (m["month"] < m["m1"])]
    s = m.groupby(["staff_id", "exit_date"])[["session_hours", "documentation_hours"]].sum()
    ratio = (s["documentation_hours"] / s["session_hours"].where(s["session_hours"] > 0)).round(3)
    for d in deps.itertuples():
        key = (d.staff_id, d.exit_date)
        want_p = pct.get(key, np.nan)
        want_r = ratio.get(key, np.nan)
        assert pd.isna(d.caseload_percentile) == pd.isna(want_p), key
        assert pd.isna(want_p) or d.caseload_percentile == want_p, key
        assert pd.isna(d.documentation_ratio) == pd.isna(want_r), key
        assert pd.isna(want_r) or d.documentation_ratio == want_r, key
    assert deps["caseload_percentile"].notna().sum() > 10 and deps["documentation_ratio"].notna().sum() > 10


def test_window_rows_match_a_loop_over_the_table(riverbend):
    import numpy as np

    from orgraph.analyses.churn import _window_rows
    from orgraph.analyses.persontime import month_index, staff_codes

    cl = riverbend.data.caseload
    t_sc, t_mi = staff_codes(riverbend, cl["staff_id"].tolist()), month_index(cl["month"])
    rng = np.random.default_rng(1)
    pick = rng.choice(len(cl), 40, replace=False)
    sc = np.append(t_sc[pick], -1)                                    # an unknown person finds nothing
    mi = np.append(t_mi[pick] + rng.integers(0, 5, len(pick)), t_mi[0])
    allowed = rng.random(len(cl)) < 0.8
    rows, found = _window_rows(riverbend, cl, sc, mi, allowed)
    for i in range(len(sc)):
        for j, k in enumerate((3, 2, 1)):
            hit = [r for r in range(len(cl)) if sc[i] >= 0 and t_sc[r] == sc[i] and t_mi[r] == mi[i] - k and allowed[r]]
            assert (rows[i, j], found[i, j]) == ((hit[0], True) if hit else (-1, False))
    assert found.any() and not found.all()


def test_lagged_rows_match_month_rows_per_lag():
    """The three lagged lookups from one sort give the rows ``month_rows`` gives per lag, for unsorted unique
    table pairs and (through ``month_rows`` itself) for repeated ones."""
    import numpy as np

    from orgraph.analyses.churn import _lagged_rows
    from orgraph.analyses.hazards import month_rows

    rng = np.random.default_rng(4)
    table = np.unique(np.column_stack([rng.integers(0, 40, 1500), rng.integers(600, 640, 1500)]), axis=0)
    table = table[rng.permutation(len(table))]
    sc, mi = rng.integers(-1, 45, 700), rng.integers(598, 645, 700)
    for t in (table, np.vstack([table, table[:50]])):
        want = np.column_stack([month_rows(sc, mi - k, t[:, 0], t[:, 1]) for k in (3, 2, 1)])
        got = _lagged_rows(sc, mi, t[:, 0], t[:, 1])
        assert got.tolist() == want.tolist()
        assert (want >= 0).sum() > 500 and (want < 0).sum() > 300
    assert _lagged_rows(sc, mi, np.zeros(0, dtype=np.int64), np.zeros(0, dtype=np.int64)).tolist() == [[-1] * 3] * 700


def test_pct_by_counts_equals_the_sorted_ranks_and_pandas_rank():
    """The counted mid-rank percentiles equal pandas' rank(pct=True, method="average") * 100 per month, to the
    last bit, with ties and months of one record; caseloads spread too far give None (the sort is used)."""
    import numpy as np
    import pandas as pd

    from orgraph.analyses.churn import _pct_by_counts

    rng = np.random.default_rng(4)
    mi = rng.integers(600, 640, 3000)
    ac = rng.integers(0, 40, 3000)
    mi[-1], ac[-1] = 700, 5                                          # a month with one record
    want = pd.Series(ac).groupby(mi).rank(pct=True, method="average").to_numpy() * 100
    rows = rng.choice(len(mi), 500, replace=False)
    rows[0] = len(mi) - 1
    got = _pct_by_counts(mi, ac, mi[rows], ac[rows])
    assert np.array_equal(got, want[rows])
    assert _pct_by_counts(mi, ac * 10_000_000, mi[rows], ac[rows]) is None


def test_sentences_pick_the_first_of_equal_supervisor_counts_as_counter_does():
    from collections import Counter

    from orgraph.analyses.churn import _sentences

    deps = [{"supervisor_id": s, "caseload_percentile": None, "documentation_ratio": None,
             "termination_type": t, "tenure_days": 400} for s, t in
            [("S-2", "voluntary"), ("S-1", "involuntary"), ("S-1", "voluntary"), ("S-2", "involuntary")]]
    s, k = Counter(d["supervisor_id"] for d in deps).most_common(1)[0]
    assert _sentences(deps, 90, 1.0) == [f"2 of 4 exits reported to {s}"] and s == "S-2"


def test_lagged_rows_sorted_unsorted_and_repeated_pairs_match_month_rows():
    """The lagged rows equal month_rows of each lag, whether the table comes in (staff, month) order, shuffled,
    or with a repeated (staff, month) pair."""
    import numpy as np

    from orgraph.analyses.churn import _lagged_rows
    from orgraph.analyses.hazards import month_rows

    rng = np.random.default_rng(9)
    t_sc = np.repeat(np.arange(30), 12)
    t_mi = np.tile(np.arange(600, 612), 30)
    keep = rng.random(len(t_sc)) < 0.7
    t_sc, t_mi = t_sc[keep], t_mi[keep]
    sc, mi = rng.integers(-1, 32, 200), rng.integers(598, 616, 200)
    for order in (np.arange(len(t_sc)), rng.permutation(len(t_sc))):
        a, b = t_sc[order], t_mi[order]
        want = np.column_stack([month_rows(sc, mi - k, a, b) for k in (3, 2, 1)])
        assert np.array_equal(_lagged_rows(sc, mi, a, b), want) and (want >= 0).any()
    a, b = np.append(t_sc, t_sc[5]), np.append(t_mi, t_mi[5])
    want = np.column_stack([month_rows(sc, mi - k, a, b) for k in (3, 2, 1)])
    assert np.array_equal(_lagged_rows(sc, mi, a, b), want)
