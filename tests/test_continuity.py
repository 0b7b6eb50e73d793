"""Continuity of care: clients cut short by an exit, hand-off window, pick-up, shares."""
from __future__ import annotations

import json

import pytest
from click.testing import CliRunner

from orgraph.analyses.continuity import continuity_of_care
from orgraph.errors import AnalysisError
from test_caseload import build

CLIENTS = [
    ("K1", "C1", "2022-01-10", None),          # open at C1's exit: affected; picked up by C2 5 days later
    ("K1", "C2", "2022-05-25", None),
    ("K2", "C1", "2022-02-01", "2022-03-01"),  # ended long before: not affected
    ("K3", "C1", "2022-04-01", "2022-05-20"),  # ended on the last day: affected; C3 only after 42 days
    ("K3", "C3", "2022-07-01", None),
    ("K5", "C1", "2022-03-01", "2022-05-06"),  # 14 days before the exit, handed to C3: a transfer, affected
    ("K5", "C3", "2022-05-07", None),
    ("K6", "C1", "2022-03-01", "2022-05-05"),  # 15 days before, handed over: outside the window
    ("K6", "C2", "2022-05-06", None),
    ("K9", "C1", "2022-03-01", "2022-05-10"),  # discharged 10 days before, no new clinician: not affected
    ("K7", "C1", "2022-06-01", None),          # started after the exit: not affected
    ("K4", "C2", "2022-01-05", None),
    ("K8", "C4", "2021-06-01", "2021-12-31"),  # program B, 2021 only
]


def org():
    staff = [("C1", "2021-01-01", "2022-05-20"), ("C2", "2021-01-01", None), ("C3", "2021-01-01", None),
             ("C4", "2021-01-01", "2022-08-31")]
    seats = [(s, f"P{s}", "A" if s != "C4" else "B", "clinician", "2021-01-01", e) for s, _, e in staff]
    return build(staff, seats, clients=CLIENTS, data_end="2022-12-31")


def test_per_exit_and_pickup():
    res = continuity_of_care(org())
    assert res.extras["by_exit"] == [{"staff_id": "C1", "name": "Name C1", "program_id": "A", "exit_date": "2022-05-20",
                               "clients_affected": 3, "picked_up": 2, "not_picked_up": 1}]
    t = res.extras["totals"]
    assert t == {"clients_served": 9, "clients_affected": 3, "share_affected": 0.3333, "handoffs_observable": True,
                 "picked_up": 2, "share_picked_up": 0.6667}
    json.dumps(res.to_dict())


def test_by_program_and_year():
    res = continuity_of_care(org())
    a = next(p for p in res.table if p["program_id"] == "A")
    b = next(p for p in res.table if p["program_id"] == "B")
    assert (a["exits"], a["exits_with_clients"], a["clients_served"], a["clients_affected"]) == (1, 1, 8, 3)
    assert a["share_affected"] == round(3 / 8, 4)
    assert (b["exits"], b["clients_served"], b["clients_affected"], b["share_affected"]) == (1, 1, 0, 0.0)
    years = {y["year"]: y for y in res.extras["by_year"]}
    assert years[2021] == {"year": 2021, "exits": 0, "clients_served": 1, "clients_affected": 0, "share_affected": 0.0}
    assert years[2022]["clients_served"] == 8 and years[2022]["clients_affected"] == 3 and years[2022]["exits"] == 2


def test_options_change_the_windows():
    res = continuity_of_care(org(), handoff_days=15, pickup_days=45)
    assert res.extras["totals"]["clients_affected"] == 4 and res.extras["totals"]["picked_up"] == 4
    res = continuity_of_care(org(), handoff_days=0)
    assert res.extras["totals"]["clients_affected"] == 2
    assert continuity_of_care(org(), as_of="2022-05-19").extras["totals"]["clients_affected"] == 0


def test_no_client_assignments_is_a_clear_error():
    bare = build([("C1", "2021-01-01", None)], [("C1", "P", "A", "clinician", "2021-01-01", None)])
    with pytest.raises(AnalysisError, match=r"The bundle has no client assignments \(client_assignments.csv\), so continuity of care could not"):
        continuity_of_care(bare)


def test_cli_continuity(monkeypatch):
    import orgraph.cli.analyses as cli
    from orgraph.cli import main

    monkeypatch.setattr(cli, "open_source", lambda source: org())
    r = CliRunner().invoke(main, ["continuity", "bundle", "--by", "exit"])
    assert r.exit_code == 0, r.output
    assert "3 of 9 clients (33%) had a clinician leave mid-treatment" in r.output
    r = CliRunner().invoke(main, ["continuity", "bundle", "--format", "json"])
    assert json.loads(r.output)["extras"]["totals"]["clients_affected"] == 3


def test_as_of_outside_the_data_is_an_error():
    from orgraph.analyses._demo import example_org       # data 2021-01-01 .. 2022-06-30

    with pytest.raises(AnalysisError, match="is before the first day of data"):
        continuity_of_care(example_org(), as_of="2020-12-31")
    with pytest.raises(AnalysisError, match="is after the last day of data"):
        continuity_of_care(example_org(), as_of="2022-07-01")


def test_handoffs_that_the_data_cannot_show_are_not_counted_as_lost(riverbend):
    """No client of the example ever has a second clinician, so nobody can be said to have found no new one."""
    res = continuity_of_care(riverbend)
    t = res.extras["totals"]
    assert t["handoffs_observable"] is False and t["picked_up"] is None and t["share_picked_up"] is None
    assert "handoffs are not in the export" in res.summary and "had no new clinician" not in res.summary


def test_distinct_counts_match_pandas_nunique():
    import numpy as np
    import pandas as pd

    from orgraph.analyses.continuity import distinct_counts

    rng = np.random.default_rng(3)
    g, v = rng.integers(0, 7, 500), rng.integers(0, 40, 500)
    want = pd.Series(v).groupby(g).nunique().reindex(range(9), fill_value=0).to_numpy()
    assert distinct_counts(g, v, 9).tolist() == want.tolist()
    sparse = v * 1_000_003                          # codes far apart: counted by sorting alone
    assert distinct_counts(g, sparse, 9).tolist() == want.tolist()
    assert distinct_counts([], [], 3).tolist() == [0, 0, 0]


def test_distinct_counts_of_rows_sorted_or_nearly_sorted_by_value_match_pandas_nunique():
    import numpy as np
    import pandas as pd

    from orgraph.analyses.continuity import distinct_counts

    rng = np.random.default_rng(9)
    v = np.sort(rng.integers(0, 3_000, 4_000)) * 7                # value order (a table sorted by staff)
    g = rng.integers(0, 12, len(v))
    for groups in (g, np.sort(g)[np.argsort(np.argsort(v, kind="stable"))]):
        swap = groups.copy()
        swap[::500] = swap[1::500]                              # a few rows out of order
        for gg in (groups, swap):
            want = pd.Series(v).groupby(gg).nunique().reindex(range(13), fill_value=0).to_numpy()
            assert distinct_counts(gg, v, 13).tolist() == want.tolist()
            assert distinct_counts(gg.astype(np.int32), v.astype(np.int32), 13).tolist() == want.tolist()


def _same_partition(codes, ids) -> bool:
    """Codes number the distinct ids 0..k-1, one code per id (in any order)."""
    import pandas as pd

    want = pd.factorize(pd.Series(ids, dtype=object))[0]
    k = int(want.max()) + 1 if len(want) else 0
    pairs = set(zip(codes.tolist(), want.tolist()))
    return sorted(set(codes.tolist())) == list(range(k)) and len(pairs) == k


def test_factor_codes_arrow_and_object_agree_with_factorize():
    import numpy as np
    import pandas as pd

    from orgraph.analyses.continuity import factor_codes

    ids = ["K3", "K1", "K3", "K2", "K1"]
    want = pd.factorize(pd.Series(ids, dtype=object))[0].tolist()
    assert _same_partition(factor_codes(pd.Series(ids, dtype="string[pyarrow]")), ids)
    assert factor_codes(pd.Series(ids, dtype=object)).tolist() == want
    mixed = ["K3", "K10", "K3", None, "K10", "K2"]   # different widths and a missing id: Arrow's dictionary
    got = factor_codes(pd.Series(mixed, dtype="string[pyarrow]"))
    assert got.tolist() == [0, 1, 0, -1, 1, 2]
    assert factor_codes(pd.Series([], dtype="string[pyarrow]")).dtype == np.int64


def test_fixed_width_codes_number_distinct_ids_like_factorize():
    import numpy as np
    import pyarrow as pa

    from orgraph.analyses.continuity import fixed_width_codes

    rng = np.random.default_rng(11)
    ids = [f"C{n:08d}" for n in rng.integers(0, 3_000, 5_000)]
    got = fixed_width_codes(pa.array(ids))
    assert got.dtype == np.int32 and _same_partition(got, ids)
    assert got.tolist() == np.unique(ids, return_inverse=True)[1].tolist()     # byte order of the ids
    big = pa.array(ids, type=pa.large_string()).slice(7)                      # large offsets, sliced array
    assert _same_partition(fixed_width_codes(big), ids[7:])
    assert fixed_width_codes(pa.array(["AB", "ABC"])) is None                 # different widths
    assert fixed_width_codes(pa.array(["AB", None])) is None                  # missing ids
    assert fixed_width_codes(pa.array([], pa.string())) is None
    assert fixed_width_codes(pa.array(["same", "same"])).tolist() == [0, 0]
    noisy = [bytes(rng.integers(0, 256, 6, dtype=np.uint8)).hex() for _ in range(3_000)]
    assert fixed_width_codes(pa.array(noisy)) is None                         # 16**12 possible keys: no table


def test_picked_up_matches_a_loop_over_pairs():
    import numpy as np

    from orgraph.analyses.continuity import _picked_up

    rng = np.random.default_rng(5)
    n = 300
    client, staff = rng.integers(0, 40, n), rng.integers(-1, 6, n)
    start = rng.integers(18_000, 18_400, n)
    hit = np.sort(rng.choice(n, 60, replace=False))
    exit_day = rng.integers(18_000, 18_400, len(hit))
    want = [any(client[j] == client[i] and staff[j] != staff[i] and e - 14 <= start[j] <= e + 30 for j in range(n))
            for i, e in zip(hit, exit_day)]
    got = _picked_up(client, staff, start, hit, exit_day, 14, 30)
    assert got.tolist() == want and any(want) and not all(want)


def test_fixed_width_codes_of_chunks_in_small_blocks_match_one_array(monkeypatch):
    import numpy as np
    import pyarrow as pa

    from orgraph.analyses import continuity

    rng = np.random.default_rng(3)
    ids = [f"K{n:06d}" for n in rng.integers(0, 900, 2_000)]
    want = np.unique(ids, return_inverse=True)[1].tolist()
    monkeypatch.setattr(continuity, "_BLOCK", 97)                  # many blocks per chunk, ragged last block
    chunked = pa.chunked_array([ids[:5], [], ids[5:1_234], ids[1_234:]])
    assert continuity.fixed_width_codes(chunked).tolist() == want
    assert continuity.fixed_width_codes(pa.chunked_array([["AB"], ["ABC"]])) is None   # widths differ by chunk


def test_days32_match_pandas_days_and_nat():
    import numpy as np
    import pandas as pd

    from orgraph.analyses import continuity

    when = pd.Series(pd.to_datetime(["2020-02-29 23:59", None, "1969-12-31 00:01", "1901-06-01 00:00", "2038-01-20 12:00"]))
    days, nat = continuity._days32(when)
    want = [(d - pd.Timestamp("1970-01-01")).days if pd.notna(d) else 0 for d in when.dt.floor("D")]
    assert days.dtype == np.int32 and days.tolist() == want
    assert nat.tolist() == when.isna().tolist()


def test_row_staff_codes_match_staff_codes_for_object_and_arrow_ids(riverbend):
    import numpy as np
    import pandas as pd

    from orgraph.analyses.continuity import _row_staff_codes
    from orgraph.analyses.persontime import staff_codes

    ids = list(riverbend.staff_frame.index[:5]) + ["nobody", None] + list(riverbend.staff_frame.index[:3])
    want = staff_codes(riverbend, ids).tolist()
    for dtype in (object, "string[pyarrow]"):
        got = _row_staff_codes(riverbend, pd.Series(ids, dtype=dtype))
        assert got.dtype == np.int32 and got.tolist() == want
    assert _row_staff_codes(riverbend, pd.Series([], dtype=object)).tolist() == []


def test_picked_up_matches_a_loop_when_rows_come_sorted_by_client_and_start():
    import numpy as np

    from orgraph.analyses.continuity import _picked_up

    rng = np.random.default_rng(8)
    n = 400
    client, start = rng.integers(0, 50, n), rng.integers(18_000, 18_300, n)
    order = np.lexsort((start, client))
    client, start, staff = client[order], start[order], rng.integers(-1, 5, n)
    hit = np.sort(rng.choice(n, 80, replace=False))
    exit_day = start[hit] + rng.integers(0, 60, len(hit))
    want = [any(client[j] == client[i] and staff[j] != staff[i] and e - 14 <= start[j] <= e + 30 for j in range(n))
            for i, e in zip(hit, exit_day)]
    got = _picked_up(client, staff, start, hit, exit_day, 14, 30)
    assert got.tolist() == want and any(want) and not all(want)


def test_row_staff_codes_of_runs_equal_the_per_row_lookup():
    """A long object id column listed in runs of one id object is looked up once per run; the codes equal
    staff_codes row by row, with unknown and missing ids as -1 and equal ids in distinct objects."""
    import numpy as np
    import pandas as pd

    from orgraph.analyses._demo import example_org
    from orgraph.analyses.continuity import _row_staff_codes
    from orgraph.analyses.persontime import object_runs
    from orgraph.analyses.panel import staff_codes

    org = example_org()
    known = list(org.staff_frame.index)
    ids = known + ["nobody", None, "".join(["C", "2"])]              # the last: an equal id in another object
    rng = np.random.default_rng(2)
    values = np.array([ids[i] for i in rng.integers(0, len(ids), 700) for _ in range(int(rng.integers(5, 30)))],
                      dtype=object)
    col = pd.Series(values, dtype=object)
    assert len(object_runs(values)) * 8 <= len(values) and len(values) > 4096
    got = _row_staff_codes(org, col)
    assert got.dtype == np.int32
    assert got.tolist() == staff_codes(org, values).tolist()
    assert (got == -1).any() and (got >= 0).any()


def test_by_exit_is_ranked_by_clients_then_day_then_staff_id(riverbend):
    rows = continuity_of_care(riverbend).extras["by_exit"]
    assert len(rows) > 3
    assert rows == sorted(rows, key=lambda r: (-r["clients_affected"], r["exit_date"], r["staff_id"]))
