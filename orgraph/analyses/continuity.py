"""Continuity of care: clients whose clinician left mid-treatment.

Where the bundle has ``client_assignments.csv``, every staff exit is matched with
the client assignments it cut short. An assignment counts as *cut short* by an
exit when it started on or before the clinician's last day and was still open
or ended on or after the last day, or when it ended within ``handoff_days``
before the last day and the client was handed to another clinician (a transfer
during the notice period; a discharge in those days without a new clinician is
an ordinary discharge). A client is *picked up* when another clinician's
assignment for the same client starts no more than ``handoff_days`` before and
``pickup_days`` after the last day; otherwise the client may have dropped out
of care.

Shares are of distinct clients served: a program's share is the clients cut
short by its exits over the clients its staff served; a year's share is the
clients cut short by exits that year over the clients with an assignment
active in that year.
"""
from __future__ import annotations

import numpy as np
import pandas as pd

from ..errors import AnalysisError
from ..result import Result
from ..settings import analysis_cut, as_of_text
from ..plain import plural
from .coverage import MISSING, uncovered_exits
from .panel import jsonable, rounded, setting_of, staff_codes
from .persontime import object_runs

__all__ = ["continuity_of_care"]


def distinct_counts(groups, values, n_groups: int) -> np.ndarray:
    """How many distinct ``values`` each group holds: one sort of combined int64 keys, no hashing.

    Parameters
    ----------
    groups : array of int
        Group code of each row, ``0 <= groups < n_groups``.
    values : array of int
        Value code of each row (non-negative).
    n_groups : int

    Returns
    -------
    ndarray
        ``int64``, one count per group (0 for a group without rows).

    Examples
    --------
    >>> distinct_counts([0, 0, 0, 2, 2], [5, 5, 7, 5, 1], 3).tolist()
    [2, 0, 2]
    """
    g, v = _int_codes(groups), _int_codes(values)
    if not len(g):
        return np.zeros(n_groups, dtype=np.int64)
    n = int(v.max()) + 1
    counts = np.zeros(n_groups, dtype=np.int64)
    if n <= 2 * len(v) + 1024:
        # dense codes: give each value the group of one of its rows; those pairs count once each, and only the
        # rows of a value in another group (few: most clients stay in one program) still need sorting
        slot = np.full(n, -1, dtype=np.int32 if n_groups < 2 ** 31 else np.int64)
        slot[v] = g
        counts += np.bincount(slot[slot >= 0], minlength=n_groups)
        rest = np.flatnonzero(g != slot[v])
        del slot
        g, v = g[rest], v[rest]
    # value-major keys: rows that come in value order (a table sorted by staff or client) give keys already
    # (nearly) in order, which need no sort or a cheap merge of runs
    key = v.astype(np.int64) * n_groups + g
    if len(key) > 1:
        descents = np.count_nonzero(key[1:] < key[:-1])
        if descents:
            key.sort(kind="stable" if descents * 64 < len(key) else None)
    first = np.ones(len(key), dtype=bool)
    first[1:] = key[1:] != key[:-1]
    return counts + np.bincount(key[first] % n_groups, minlength=n_groups)


def _int_codes(values) -> np.ndarray:
    """``values`` as an integer array, without a copy when they already are one (other input: ``int64``)."""
    a = np.asarray(values)
    return a if a.dtype.kind in "iu" else a.astype(np.int64)


_BLOCK = 1 << 20        # rows per block of the row-wise passes below (keeps their temporaries small)


def _fixed_bytes(arr) -> np.ndarray | None:
    """The bytes of a non-empty Arrow string array as a ``(rows, width)`` uint8 view, or ``None`` when it has
    nulls, values of different lengths or is not a string/binary array."""
    import pyarrow as pa

    n = len(arr)
    if arr.null_count:
        return None
    if pa.types.is_large_string(arr.type) or pa.types.is_large_binary(arr.type):
        otype = np.int64
    elif pa.types.is_string(arr.type) or pa.types.is_binary(arr.type):
        otype = np.int32
    else:
        return None
    bufs = arr.buffers()
    off = np.frombuffer(bufs[1], dtype=otype, count=n + 1, offset=arr.offset * np.dtype(otype).itemsize)
    width = int(off[1] - off[0])
    if width <= 0 or int(off[-1] - off[0]) != width * n:
        return None
    for i in range(0, n, _BLOCK):                  # every value ``width`` bytes long (no full-length diff)
        if not (np.diff(off[i:i + _BLOCK + 1]) == width).all():
            return None
    return np.frombuffer(bufs[2], dtype=np.uint8, count=width * n, offset=int(off[0])).reshape(n, width)


def fixed_width_codes(arr) -> np.ndarray | None:
    """Dense integer codes (0 .. distinct - 1, in the byte order of the values) of an Arrow string array (or
    chunked array) whose values all have the same byte length, with no hashing: each byte position's distinct
    bytes are ranked, the ranks make one mixed-radix integer per row, and a presence table over those integers
    numbers them. ``int32`` codes (``int64`` past 2**31 possible keys), worked out a block of rows at a time;
    ``None`` when the array has nulls, values of different lengths, or too many possible keys for a table.

    Examples
    --------
    >>> import pyarrow as pa
    >>> fixed_width_codes(pa.array(["C07", "C03", "C07", "D03"])).tolist()
    [1, 0, 1, 2]
    >>> fixed_width_codes(pa.chunked_array([["C07", "C03"], [], ["C07", "D03"]])).tolist()
    [1, 0, 1, 2]
    >>> fixed_width_codes(pa.array(["a", "bb"])) is None
    True
    """
    chunks = [c for c in getattr(arr, "chunks", [arr]) if len(c)]
    n = sum(len(c) for c in chunks)
    if not n:
        return None
    views = []
    for c in chunks:
        v = _fixed_bytes(c)
        if v is None or (views and v.shape[1] != views[0].shape[1]):
            return None
        views.append(v)
    width = views[0].shape[1]
    blocks = [v[i:i + _BLOCK] for v in views for i in range(0, len(v), _BLOCK)]
    ordered = _ordered_codes(blocks, n)
    if ordered is not None:
        return ordered
    present = np.zeros((width, 256), dtype=bool)
    for b in blocks:
        for j in range(width):
            present[j] |= np.bincount(b[:, j], minlength=256) > 0
    limit = 8 * n + 1_000_000                      # largest presence table worth building
    digits, span = [], 1                            # (byte position, its distinct bytes, rank of each byte)
    for j in range(width):
        r = int(np.count_nonzero(present[j]))
        if r > 1:
            digits.append((j, r, (np.cumsum(present[j]) - 1).astype(np.int64)))
            span *= r
            if span > limit:
                return None
    out = np.empty(n, dtype=np.int32 if span < 2 ** 31 else np.int64)
    seen = np.zeros(span, dtype=bool)
    at = 0
    for b in blocks:                                # the key of each row, then which keys occur
        key = np.zeros(len(b), dtype=np.int64)
        for j, r, rank in digits:
            key *= r
            key += rank[b[:, j]]
        seen[key] = True
        out[at:at + len(b)] = key
        at += len(b)
    number = np.cumsum(seen, dtype=out.dtype) - 1
    del seen
    for i in range(0, n, _BLOCK):                   # keys -> their numbers, in place
        out[i:i + _BLOCK] = number[out[i:i + _BLOCK]]
    return out


def _ordered_codes(blocks: list, n: int) -> np.ndarray | None:
    """:func:`fixed_width_codes` of values already in ascending byte order (as an export listed by id is): a
    value's code is the number of changes of value before it, read off by comparing each row with the one
    above it, eight bytes at a time (big-endian words, the last one overlapping the one before it when the
    width is not a multiple of eight), with no table of keys. ``None`` when some row sorts before the row
    above it, or the values are narrower than eight bytes.

    Parameters
    ----------
    blocks : list of ndarray
        ``(rows, width)`` uint8 views of the values, C-contiguous, in order; ``n`` rows in all.

    Examples
    --------
    >>> rows = np.frombuffer(b"A0000000001A0000000001B0000000000B0000000007", dtype=np.uint8).reshape(4, 11)
    >>> _ordered_codes([rows[:1], rows[1:]], 4).tolist()
    [0, 0, 1, 2]
    >>> _ordered_codes([rows[::-1].copy()], 4) is None
    True
    """
    width = blocks[0].shape[1]
    if width < 8:
        return None
    offsets = list(range(0, width - 7, 8)) + ([width - 8] if width % 8 else [])
    out = np.empty(n, dtype=np.int32 if n < 2 ** 31 else np.int64)
    at, code, last = 0, -1, None
    for b in blocks:
        if not len(b):
            continue
        flat = b.reshape(-1)
        words = [np.ndarray((len(b),), dtype=">u8", buffer=flat, offset=o, strides=(width,)).astype(np.uint64)
                 for o in offsets]                  # native, contiguous copies: quicker to compare
        new = np.zeros(len(b), dtype=bool)
        undecided = np.ones(len(b) - 1, dtype=bool)        # rows equal to the row above them so far
        for w in words:
            above, here = w[:-1], w[1:]
            if (undecided & (here < above)).any():
                return None
            differ = here != above
            new[1:] |= differ
            undecided &= ~differ
        first = b[0].tobytes()
        if last is not None and first < last:
            return None
        new[0] = last is None or first != last
        codes = np.cumsum(new, dtype=np.int64)
        codes += code
        out[at:at + len(b)] = codes
        code, last, at = int(codes[-1]), b[-1].tobytes(), at + len(b)
    return out


def factor_codes(values: pd.Series) -> np.ndarray:
    """Integer codes (0 .. distinct - 1; -1 for missing) of a column of ids: the same code for the same id, one
    code per distinct id, in no promised order. Fixed-width Arrow ids go through :func:`fixed_width_codes` (no
    hash table, ``int32`` codes), other Arrow-backed columns through Arrow's dictionary encoding (no Python
    string per row), anything else through :func:`pandas.factorize` (``int64`` codes).

    Examples
    --------
    >>> factor_codes(pd.Series(["b", "a", "b", None], dtype="string[pyarrow]")).tolist()
    [0, 1, 0, -1]
    >>> factor_codes(pd.Series(["b", "a", "b"], dtype=object)).tolist()
    [0, 1, 0]
    >>> factor_codes(pd.Series(["b", "a", "b"], dtype="string[pyarrow]")).tolist()
    [1, 0, 1]
    """
    if isinstance(values.dtype, pd.StringDtype) and values.dtype.storage == "pyarrow" or \
            isinstance(values.dtype, pd.ArrowDtype):
        import pyarrow as pa

        chunked = pa.chunked_array(pa.array(values.array)) if len(values) else None
        if chunked is not None:
            codes = fixed_width_codes(chunked)
            if codes is not None:
                return codes
            idx = chunked.combine_chunks().dictionary_encode().indices
            return idx.fill_null(-1).to_numpy(zero_copy_only=False).astype(np.int64)
    return pd.factorize(values)[0].astype(np.int64)


def _days(values) -> np.ndarray:
    """Dates as int64 days since 1970-01-01 (``NaT`` stays the smallest int64)."""
    return np.asarray(values, dtype="datetime64[ns]").astype("datetime64[D]").astype(np.int64)


def _days32(values) -> tuple[np.ndarray, np.ndarray]:
    """Dates as ``int32`` days since 1970-01-01 (0 for ``NaT``) and where they are ``NaT``, a block of rows at
    a time (no full-length ``int64`` temporaries).

    Examples
    --------
    >>> days, nat = _days32(pd.Series(pd.to_datetime(["1970-01-02 00:00", None, "1969-12-31 18:00"])))
    >>> days.tolist(), nat.tolist()
    ([1, 0, -1], [False, True, False])
    """
    a = np.asarray(values)
    if a.dtype.kind != "M":
        a = np.asarray(values, dtype="datetime64[ns]")
    days = np.empty(len(a), dtype=np.int32)
    nat = np.empty(len(a), dtype=bool)
    for i in range(0, len(a), _BLOCK):
        d = a[i:i + _BLOCK].astype("datetime64[D]")
        nat[i:i + _BLOCK] = np.isnat(d)
        days[i:i + _BLOCK] = np.where(nat[i:i + _BLOCK], 0, d.view(np.int64))
    return days, nat


def _year(days: np.ndarray, dtype=np.int32) -> np.ndarray:
    """Calendar year (``dtype``, default ``int32``) of integer days since 1970-01-01 (one table of the years of
    the days in range, read a block of rows at a time: no full-length temporaries).

    Examples
    --------
    >>> _year(np.array([-1, 0, 364, 365, 19_723])).tolist()
    [1969, 1970, 1970, 1971, 2024]
    >>> _year(np.array([0, 19_723], dtype=np.int32), np.int16).dtype
    dtype('int16')
    """
    days = _int_codes(days)
    if not len(days):
        return np.zeros(0, dtype=dtype)
    lo, hi = int(days.min()), int(days.max())
    if hi - lo > 400_000:                                  # over a thousand years apart (or NaT): convert each
        return (days.astype(np.int64).astype("datetime64[D]").astype("datetime64[Y]").astype(np.int64)
                + 1970).astype(np.int32).astype(dtype, copy=False)
    table = (np.arange(lo, hi + 1).astype("datetime64[D]").astype("datetime64[Y]").astype(np.int64)
             + 1970).astype(np.int32).astype(dtype, copy=False)
    out = np.empty(len(days), dtype=dtype)
    for i in range(0, len(days), _BLOCK):
        b = days[i:i + _BLOCK] - lo
        np.take(table, b, out=out[i:i + _BLOCK], mode="clip")    # in range: "clip" writes straight to out
    return out


def _last_years(end: np.ndarray, open_: np.ndarray, last: int) -> np.ndarray:
    """``_year(np.where(open_, last, np.minimum(end, last)), np.int16)``: the year of each assignment's last day
    analysed (``last`` for open ones), a block of rows at a time through one table of years.

    Examples
    --------
    >>> _last_years(np.array([0, 19_723, 5]), np.array([False, False, True]), 19_000).tolist()
    [1970, 2022, 2022]
    """
    lo = min(int(end.min()), last) if len(end) else last
    if last - lo > 400_000:                                # days far apart: as _year does
        return _year(np.where(open_, last, np.minimum(end, last)), np.int16)
    table = _year(np.arange(lo, last + 1), np.int16)
    out = np.empty(len(end), dtype=np.int16)
    for i in range(0, len(end), _BLOCK):
        b = np.minimum(end[i:i + _BLOCK], last).astype(np.int64)
        b[open_[i:i + _BLOCK]] = last
        b -= lo
        np.take(table, b, out=out[i:i + _BLOCK], mode="clip")
    return out


def _picked_up(client, staff, start, hit, exit_day, hand: int, pick: int) -> np.ndarray:
    """For each row ``hit`` (indices), whether another clinician's assignment for the same client starts within
    ``[exit - hand, exit + pick]`` days: the rows of the hit clients sorted by (client, start) once, each hit's
    window of them found by binary search, and the (few) rows in the windows compared with the hit's clinician."""
    if not len(hit):
        return np.zeros(0, dtype=bool)
    wanted = np.zeros(int(client.max()) + 1, dtype=bool)
    wanted[client[hit]] = True
    rows = np.flatnonzero(wanted[client])          # only the clients some exit cut short
    del wanted
    s = start[rows]
    s0 = int(s.min())
    span = int(s.max()) - s0 + 3                   # row days sit in 1..span-2; query bounds clip to 0..span-1
    key = client[rows].astype(np.int64) * span + (s - s0 + 1)
    del s
    if len(key) > 1 and not (key[1:] >= key[:-1]).all():
        order = np.argsort(key, kind="stable")
        key, who = key[order], staff[rows[order]]
        del order
    else:                                          # already in (client, start) order, as exports usually are
        who = staff[rows]
    del rows
    lo = np.clip(exit_day - hand - s0 + 1, 0, span - 1)
    hi = np.clip(exit_day + pick - s0 + 1, 0, span - 1)
    hc = client[hit].astype(np.int64) * span
    a = np.searchsorted(key, hc + lo, side="left")
    n_in = np.searchsorted(key, hc + hi, side="right") - a
    del key, hc, lo, hi
    # every row in a hit's window, as (hit, row): the window holds the hit's own row and the client's few others
    owner = np.repeat(np.arange(len(hit)), n_in)
    at = np.arange(len(owner)) + np.repeat(a - (np.cumsum(n_in) - n_in), n_in)
    other = who[at] != staff[hit][owner]
    return np.bincount(owner[other], minlength=len(hit)) > 0


def _row_staff_codes(org, ids: pd.Series) -> np.ndarray:
    """:func:`~orgraph.analyses.panel.staff_codes` of a long id column as ``int32``: the distinct ids are
    looked up once (Arrow ids numbered by :func:`factor_codes`), so no ``int64`` code per row is made or kept;
    an object column listed in runs of one id (:func:`~orgraph.analyses.persontime.object_runs`, as exports
    sorted by staff member are) is looked up once per run.

    Examples
    --------
    >>> from orgraph.analyses._demo import example_org
    >>> org = example_org()
    >>> _row_staff_codes(org, pd.Series(["C2", "nobody", "C2", None], dtype=object)).tolist()
    [1, -1, 1, -1]
    """
    if ids.dtype == object and len(ids) > 4096:
        values = ids.to_numpy(dtype=object)
        heads = object_runs(values)
        if len(heads) * 8 <= len(values):
            mapped = staff_codes(org, values[heads]).astype(np.int32)
            return np.repeat(mapped, np.diff(np.append(heads, len(values))))
    codes = factor_codes(ids)
    if not len(codes):
        return np.zeros(0, dtype=np.int32)
    first = np.full(int(codes.max()) + 2, -1, dtype=np.int64)
    first[codes[::-1]] = np.arange(len(codes) - 1, -1, -1)    # a row of each code (-1, missing, in the last slot)
    values = np.asarray(ids.take(first[:-1]), dtype=object)
    mapped = np.append(staff_codes(org, values), -1).astype(np.int32)
    return mapped[codes]


def continuity_of_care(org, *, handoff_days=None, pickup_days=None, as_of=None) -> Result:
    """Clients whose clinician left mid-treatment: per exit, per program and per year.

    Parameters
    ----------
    org : OrgGraph
    handoff_days : int, optional
        Assignments that ended up to this many days before the exit still count
        as cut short; default ``[continuity] handoff_days`` (14).
    pickup_days : int, optional
        A client is picked up when a new clinician starts within this many days
        after the exit; default ``[continuity] pickup_days`` (30).
    as_of : date, optional
        Only exits on or before this date (default: all).

    Returns
    -------
    Result
        ``table``: ``by_program``. ``extras``: ``by_exit`` (records: ``staff_id``, ``name``, ``program_id``,
        ``exit_date``, ``clients_affected``, ``picked_up``, ``not_picked_up``),
        ``by_program`` (``program_id``, ``exits``, ``exits_with_clients``,
        ``clients_served``, ``clients_affected``, ``share_affected``,
        ``picked_up``), ``by_year`` (``year``, ``exits``, ``clients_served``,
        ``clients_affected``, ``share_affected``), ``totals``
        (``clients_served``, ``clients_affected``, ``share_affected``,
        ``handoffs_observable`` (some client has a second clinician, so a
        handoff can be seen at all), ``picked_up``, ``share_picked_up``: both
        ``None`` when handoffs are not observable).

    Raises
    ------
    AnalysisError
        If the bundle has no client assignments, or ``as_of`` is outside the data.

    Examples
    --------
    >>> from orgraph.analyses._demo import example_org
    >>> res = continuity_of_care(example_org())
    >>> res.extras["by_exit"][0]["staff_id"], res.extras["by_exit"][0]["clients_affected"]
    ('C1', 2)
    >>> res.extras["totals"]["clients_served"], res.extras["totals"]["share_affected"]
    (4, 0.5)
    """
    hand = int(setting_of(org, "continuity", "handoff_days", handoff_days))
    pick = int(setting_of(org, "continuity", "pickup_days", pickup_days))
    ca = org.data.client_assignments
    if "client_assignments" not in org.data.present and not len(ca):
        raise AnalysisError(MISSING["client_assignments"])
    day_cut = analysis_cut(org, as_of)
    sf = org.staff_frame
    exits = sf[sf["exited"]]
    if as_of is not None:
        exits = exits[exits["exit"] < day_cut]
    # integer codes and days, one compact array per column: clients (factorised once), staff (row in
    # staff_frame, -1 if unknown), the program of the person (``programs`` names it), start and end days
    sc = _row_staff_codes(org, ca["staff_id"])
    prog_code, programs = pd.factorize(pd.Series(np.append(sf["program_id"].to_numpy(dtype=object), None),
                                                 dtype=object).fillna("(none)"))
    client = factor_codes(ca["client_id"]).astype(np.int32, copy=False)
    n_clients = int(client.max()) + 1 if len(client) else 0
    # the codes are 0 .. n_clients - 1 (-1: no id): as many rows as codes means one row per client, and then no
    # client has a second clinician to be handed to
    repeated = len(client) > n_clients
    start, _ = _days32(ca["start_date"])
    end, open_ = _days32(ca["end_date"])                                  # end is read only where not open
    exited = sf.index.isin(exits.index)
    exit_of = np.where(exited, _days(sf["exit"]), 0).astype(np.int32)      # exit day of each staff code in scope
    has_exit = np.append(exited, False)                          # sc == -1 reads the appended False
    # cut short by an exit, a block of rows at a time (no full-length exit days or temporaries)
    hit = []
    for i in range(0, len(sc), _BLOCK):
        b_sc = sc[i:i + _BLOCK]
        b_exit = exit_of[np.maximum(b_sc, 0)]
        cut = has_exit[b_sc] & (start[i:i + _BLOCK] <= b_exit) & \
            (open_[i:i + _BLOCK] | (end[i:i + _BLOCK] >= b_exit - hand))
        hit.append(np.flatnonzero(cut) + i)
    hit = np.concatenate(hit) if hit else np.zeros(0, dtype=np.int64)
    del has_exit
    h_exit = exit_of[sc[hit]]                                   # every hit row's staff code is an exit's
    # picked up: another clinician's assignment for the same client starting near the exit;
    # an assignment that ended during the hand-off window counts only when the client was handed over
    picked = _picked_up(client, sc, start, hit, h_exit, hand, pick) if repeated else np.zeros(len(hit), dtype=bool)
    keep = open_[hit] | (end[hit] >= h_exit) | picked
    hit, h_exit, picked = hit[keep], h_exit[keep], picked[keep]
    # the years each assignment is active in (all the days are needed for), then the days let go
    last = np.datetime64(pd.Timestamp(org.data_end).date(), "D").astype(np.int64)
    y0 = _year(start, np.int16)
    del start
    y1 = _last_years(end, open_, int(last))
    del end, open_
    prog = prog_code.astype(np.int32)[sc]                                  # sc == -1 reads the appended None
    h_client, h_staff, h_prog = client[hit], sc[hit].astype(np.int64), prog[hit]
    # --- per exit (staff codes in order, as a sorted groupby gives them)
    n_staff = len(sf) + 1
    aff_s = distinct_counts(h_staff, h_client, n_staff)
    pick_s = np.bincount(h_staff, weights=picked, minlength=n_staff).astype(np.int64)
    who = np.flatnonzero(aff_s)
    ids = sf.index[who]
    by_exit = []
    info = exits.loc[ids, ["name", "program_id", "exit"]]
    # JSON values worked out once per distinct program and exit day, not per exit
    pcode, pvals = pd.factorize(info["program_id"].to_numpy(dtype=object))
    pjson = [jsonable(v) for v in pvals] + [None]                 # code -1 (missing) reads the None
    dcode, dvals = pd.factorize(info["exit"].to_numpy())
    djson = [jsonable(pd.Timestamp(v)) for v in dvals] + [None]
    sids, n_aff = ids.tolist(), aff_s[who]
    days = [djson[dc] for dc in dcode.tolist()]
    for sid, n, p, name, pc, day in zip(sids, n_aff.tolist(), pick_s[who].tolist(), info["name"],
                                        pcode.tolist(), days):
        by_exit.append({"staff_id": sid, "name": name, "program_id": pjson[pc],
                        "exit_date": day, "clients_affected": n, "picked_up": p,
                        "not_picked_up": n - p})
    if by_exit and set(map(type, days)) == set(map(type, sids)) == {str}:
        # most clients first, then exit day and staff id (str, compared by code point as Python does): stable
        # sorts from the last key to the first
        order = np.argsort(np.array(sids, dtype=str), kind="stable")
        order = order[np.argsort(np.array(days, dtype=str)[order], kind="stable")]
        order = order[np.argsort(-n_aff[order], kind="stable")]
        by_exit = [by_exit[i] for i in order.tolist()]
    else:
        by_exit.sort(key=lambda r: (-r["clients_affected"], r["exit_date"], r["staff_id"]))
    # --- per program
    n_prog = len(programs)
    # one row per client: a program's clients are its rows
    served_n = distinct_counts(prog, client, n_prog) if repeated else np.bincount(prog, minlength=n_prog)
    del prog
    served_p = {programs[i]: int(served_n[i]) for i in np.flatnonzero(served_n)}
    aff_n = distinct_counts(h_prog, h_client, n_prog)
    pick_n = np.bincount(h_prog, weights=picked, minlength=n_prog)
    exits_n = distinct_counts(h_prog, h_staff, n_prog)
    hit_p = {programs[i]: (int(aff_n[i]), int(pick_n[i]), int(exits_n[i])) for i in np.flatnonzero(aff_n)}
    exits_p = exits.groupby("program_id").size()
    by_program = []
    for pr in sorted(set(served_p) | set(exits_p.index), key=str):
        served = served_p.get(pr, 0)
        aff, pk, ewc = hit_p.get(pr, (0, 0, 0))
        by_program.append({"program_id": jsonable(pr), "exits": int(exits_p.get(pr, 0)),
                           "exits_with_clients": ewc, "clients_served": served, "clients_affected": aff,
                           "share_affected": rounded(aff / served) if served else None, "picked_up": pk})
    by_program.sort(key=lambda r: (-(r["share_affected"] or 0), str(r["program_id"])))
    # --- per year (clients served = assignment active some day of the year)
    served_y = _served_by_year(client, y0, y1, n_clients, repeated)
    h_year = _year(h_exit)
    y_min = int(h_year.min()) if len(h_year) else 0
    aff_y = distinct_counts(h_year - y_min, h_client, int(h_year.max()) - y_min + 1 if len(h_year) else 0)
    hit_y = {y_min + int(i): int(aff_y[i]) for i in np.flatnonzero(aff_y)}
    exits_y = exits["exit"].dt.year.value_counts()
    by_year = []
    for yr in sorted(set(served_y) | set(exits_y.index)):
        served = served_y.get(yr, 0)
        aff = hit_y.get(yr, 0)
        by_year.append({"year": int(yr), "exits": int(exits_y.get(yr, 0)), "clients_served": served,
                        "clients_affected": aff, "share_affected": rounded(aff / served) if served else None})
    # a handoff can only be seen when some client in the data has assignments with two different clinicians:
    # write each row's clinician into its client's slot; some row then differs from its slot's last writer
    if repeated:
        slot = np.empty(n_clients, dtype=np.int32)
        slot[client] = sc
        observable = bool((slot[client] != sc).any())
        del slot
    else:
        observable = False
    served_all = n_clients
    aff_all = int(distinct_counts(np.zeros(len(h_client)), h_client, 1)[0])
    picked_all = int(distinct_counts(np.zeros(int(picked.sum())), h_client[picked], 1)[0])
    totals = {"clients_served": served_all, "clients_affected": aff_all,
              "share_affected": rounded(aff_all / served_all) if served_all else None,
              "handoffs_observable": observable, "picked_up": picked_all if observable else None,
              "share_picked_up": rounded(picked_all / aff_all) if aff_all and observable else None}
    untested = []
    gap = uncovered_exits(org, "client_assignments", day_cut, what="their clients")
    if gap:
        untested.append(gap)
    if totals["clients_affected"] and not observable:
        untested.append("No client in client_assignments.csv ever has a second clinician, so whether clients "
                        "found a new clinician after an exit could not be tested.")
    return Result("continuity", as_of_text(day_cut), {"handoff_days": hand, "pickup_days": pick}, by_program,
                  _summary(totals, by_exit, pick),
                  {"by_exit": by_exit, "by_program": by_program, "by_year": by_year, "totals": totals}, untested)


def _served_by_year(client: np.ndarray, y0: np.ndarray, y1: np.ndarray, n_clients: int,
                    repeated: bool) -> dict:
    """Distinct clients with an assignment active in each year (``year -> count``, years with an active
    assignment only) from each assignment's first and last year.

    With one row per client (``repeated`` false), the clients active in a year are the rows active in it: counted
    for every year at once from where the rows' years start and stop. Otherwise each year marks its clients
    in a table of clients.

    Examples
    --------
    >>> y0, y1 = np.array([2020, 2021, 2019]), np.array([2021, 2021, 2019])
    >>> _served_by_year(np.array([0, 1, 2]), y0, y1, 3, False)
    {2019: 1, 2020: 1, 2021: 2}
    >>> _served_by_year(np.array([0, 1, 0]), y0, y1, 2, True)
    {2019: 1, 2020: 1, 2021: 2}
    """
    if not len(y0):
        return {}
    lo, hi = int(y0.min()), int(y1.max())
    served = {}
    if not repeated:
        if hi < lo:
            return {}
        ok = y0 <= y1                                    # rows active in some year
        span = hi - lo + 1
        starts = np.bincount((y0[ok] - lo).astype(np.intp), minlength=span + 1)
        stops = np.bincount((y1[ok] - lo + 1).astype(np.intp), minlength=span + 1)
        active = np.cumsum(starts - stops)[:span]
        return {lo + int(i): int(active[i]) for i in np.flatnonzero(active > 0)}
    seen = np.zeros(n_clients, dtype=bool)
    for yr in range(lo, hi + 1):
        active = (y0 <= yr) & (y1 >= yr)
        if active.any():
            seen[:] = False
            seen[client[active]] = True
            served[yr] = int(np.count_nonzero(seen))
    return served


def _summary(totals: dict, by_exit: list, pick: int) -> str:
    if not totals["clients_served"]:
        return "No client assignments to measure."
    share = 100 * (totals["share_affected"] or 0)
    text = (f"{totals['clients_affected']:,} of {plural(totals['clients_served'], 'client')} ({share:.0f}%) had a "
            f"clinician leave mid-treatment, across {plural(len(by_exit), 'staff exit')}.")
    if totals["clients_affected"] and totals["handoffs_observable"]:
        lost = totals["clients_affected"] - totals["picked_up"]
        text += f" {lost} of them had no new clinician within {pick} days."
    elif totals["clients_affected"]:
        text += (" Whether they found a new clinician cannot be told: no client in the data ever has a second "
                 "clinician, so handoffs are not in the export.")
    return text
