"""Rules an org bundle must follow, and the loader that applies them.

:func:`validate_bundle` reads a folder and returns an
:class:`~orgraph.model.OrgData` with every valid row plus the list of
issues. Every input row is either loaded or reported: a row with an error is
left out *and* named in an issue; warnings keep the row, except that a row
repeating or overlapping another row of the same link is merged into it.

Rules (rule names in brackets): missing files or columns [missing-file,
missing-column], unreadable cells [bad-date, bad-month, bad-number, bad-bool,
empty-value], duplicate ids [duplicate-id], unknown ids [unknown-id], bad
enum values [bad-value], end before start [end-before-start], termination
before hire [termination-before-hire], intervals outside employment
[outside-employment, warning], more holders than a seat's capacity
[over-capacity], self-supervision [self-supervision], supervision cycles on
any date [supervision-cycle], two supervisors at once [two-supervisors,
warning], repeated or overlapping rows of one link [duplicate-row,
overlapping-rows, warnings; merged].
"""
from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd
from scipy.sparse import coo_matrix
from scipy.sparse.csgraph import connected_components

from .columnar import release_memory
from .config import load_config
from .errors import BundleError, Issue, SourceError
from .model import ROLE_KINDS, TERMINATION_TYPES, TABLE_COLUMNS, OrgData, empty_table
from .plain import redact
from .reading import LINE, OPEN_END, IssueLog, read_tables
from .schema import FILES

__all__ = ["validate_bundle", "load_bundle"]

_FAR = pd.Timestamp("2262-01-01")


def _codes(s: pd.Series) -> tuple[np.ndarray, int]:
    """An integer code per value of ``s`` (equal values, and all missing values, share one) and how many
    codes there are: a categorical column's own codes, else :func:`pandas.factorize`'s.

    Examples
    --------
    >>> codes, n = _codes(pd.Series(["b", None, "b", "a", np.nan]))
    >>> codes.tolist(), n
    ([0, 2, 0, 1, 2], 3)
    """
    if isinstance(s.dtype, pd.CategoricalDtype):
        codes, n = s.cat.codes.to_numpy(), len(s.cat.categories)
    else:
        codes, uniq = pd.factorize(s)
        n = len(uniq)
    return np.where(codes < 0, n, codes).astype(np.int64, copy=False), n + 1


def _duplicated(df: pd.DataFrame, cols: list[str]) -> pd.Series:
    """``df.duplicated(cols, keep="first")`` (missing values equal each other, as there), by one integer key per
    row: the columns' codes combined (a categorical column's codes are used as they are, not hashed again).

    Examples
    --------
    >>> df = pd.DataFrame({"a": ["x", "x", "y", "x", None, None], "b": [1, 1, 1, 2, np.nan, np.nan]})
    >>> _duplicated(df, ["a", "b"]).tolist()
    [False, True, False, False, False, True]
    """
    key, size = np.zeros(len(df), dtype=np.int64), 1
    for c in cols:
        codes, n = _codes(df[c])
        if size > np.iinfo(np.int64).max // n:
            return df.duplicated(cols, keep="first")  # too many combinations for one integer
        key = key * n + codes
        size *= n
    if size <= 8 * len(df) + (1 << 16) and np.bincount(key, minlength=size).max(initial=0) <= 1:
        return pd.Series(False, index=df.index)  # every key once (counted in a small table, not hashed)
    return pd.Series(key, index=df.index).duplicated(keep="first")


def _exact_duplicates(df: pd.DataFrame, cols: list[str], log: IssueLog, fname: str) -> None:
    """Rows identical to an earlier row are kept once: a warning names the first, and the copy is left out
    (a duplicated supervision row would otherwise give two supervisors at once and double every span)."""
    live = _good(df)
    dup = _duplicated(live, cols)
    if not dup.any():
        return
    first = live.drop_duplicates(cols, keep="first").set_index(cols)[LINE]
    keys = list(live.loc[dup, cols].itertuples(index=False, name=None))
    lines = [first.get(k) for k in keys]
    log.add_rows("warning", fname, live.loc[dup, LINE], None,
                 [f"exact duplicate of line {n}; kept once" for n in lines], "duplicate-row")
    df.loc[dup[dup].index, "_bad"] = True


def _span(start: pd.Timestamp, end) -> str:
    return f"{start:%Y-%m-%d} to {end:%Y-%m-%d}" if pd.notna(end) else f"{start:%Y-%m-%d} onward"


def _merge_overlaps(df: pd.DataFrame, key: str, log: IssueLog, fname: str, link: str, noun: str) -> None:
    """Rows of one person with one ``key`` (seat or supervisor) whose days overlap become one row.

    The earliest row is kept and stretched to cover the union of their days;
    each later row is left out with a warning naming the row it overlaps and
    the row kept. Rows that only touch (one ends the day before the next
    starts) stay apart. Without this, two overlapping rows for one link would
    read as two supervisors (or two holders of a seat) at once and count the
    shared days twice. ``link`` names the pair from ``staff`` and ``key``
    (``"{staff!r} under {key!r}"``); ``noun`` names the merged row.
    """
    live = _good(df)
    if len(live) < 2:
        return
    # sorted by person, key, start and line (codes in the ids' sorted order: the sort of the values themselves)
    people, keys = (pd.factorize(live[c], sort=True)[0] for c in ("staff_id", key))
    order = live.iloc[np.lexsort((live[LINE].to_numpy(), _ns(live["start_date"]), keys, people))]
    ids, keys = order["staff_id"].to_numpy(), order[key].to_numpy()
    new_pair = np.ones(len(order), dtype=bool)
    new_pair[1:] = (ids[1:] != ids[:-1]) | (keys[1:] != keys[:-1])
    pair = np.cumsum(new_pair)
    end = order["end_date"].fillna(_FAR)
    reach = end.groupby(pair).cummax().groupby(pair).shift()
    joins = ~new_pair & (order["start_date"] <= reach).to_numpy()
    if not joins.any():
        return
    group = np.cumsum(~joins)
    merging = np.isin(group, group[joins])
    lines, messages = [], []
    for _, rows in order[merging].groupby(group[merging], sort=False):
        kept = far = rows.index[0]
        said = []
        for i in rows.index[1:]:
            pair_text = link.format(staff=rows.at[i, "staff_id"], key=rows.at[i, key])
            also = "" if far == kept else f" with line {rows.at[kept, LINE]}"
            said.append(f"{pair_text} {_span(rows.at[i, 'start_date'], rows.at[i, 'end_date'])} overlaps line "
                        f"{rows.at[far, LINE]} ({_span(rows.at[far, 'start_date'], rows.at[far, 'end_date'])}); "
                        f"merged{also} into one {noun}")
            lines.append(rows.at[i, LINE])
            if end[i] > end[far]:
                far = i
        merged = _span(rows.at[kept, "start_date"], rows.at[far, "end_date"])
        messages += [f"{text} {merged}" for text in said]
        df.at[kept, "end_date"] = rows.at[far, "end_date"]
        df.loc[rows.index[1:], "_bad"] = True
    log.add_rows("warning", fname, lines, None, messages, "overlapping-rows")


def _reject(df: pd.DataFrame, mask: pd.Series, log: IssueLog, fname: str, column, messages, rule: str,
            severity: str = "error") -> None:
    """Report the rows in ``mask`` (not already rejected); errors also reject them.

    ``messages`` is one string for all rows or a function of the masked rows
    returning one string per row (so messages are only built for bad rows).
    """
    mask = mask & ~df["_bad"]
    if not mask.any():
        return
    sub = df[mask]
    log.add_rows(severity, fname, sub[LINE], column, messages if isinstance(messages, str) else list(messages(sub)),
                 rule)
    if severity == "error":
        df.loc[mask, "_bad"] = True


def _duplicates(df: pd.DataFrame, cols: list[str], log: IssueLog, fname: str) -> None:
    live = _good(df)
    dup = _duplicated(live, cols)
    if not dup.any():
        return
    first = live[~dup].set_index(cols)[LINE]
    what = " and ".join(cols)
    for idx in live.index[dup]:
        key = tuple(df.loc[idx, c] for c in cols)
        k = key[0] if len(key) == 1 else key
        kv = ", ".join(f"{c}={v if not isinstance(v, pd.Timestamp) else v.strftime('%Y-%m-%d')!s}"
                       for c, v in zip(cols, key))
        line_first = first.get(k)
        log.add("error", fname, df.loc[idx, LINE], cols[0],
                f"duplicate {what} ({kv}); first given on line {line_first}", "duplicate-id")
        df.loc[idx, "_bad"] = True


def _isin(s: pd.Series, known) -> pd.Series:
    """``s.isin(known)``; for a categorical column each distinct value is looked up once (a missing value
    reads as known: the caller skips those). ``known`` (distinct values) is best a :class:`pandas.Index`: its
    hash table is built once and looked up by every column checked against it.

    Examples
    --------
    >>> _isin(pd.Series(pd.Categorical(["a", "b", None, "a"])), np.array(["a"], dtype=object)).tolist()
    [True, False, True, True]
    >>> _isin(pd.Series(["a", "b", None]), pd.Index(["a", "c"])).tolist()
    [True, False, False]
    """
    known = known if isinstance(known, pd.Index) else pd.Index(known)
    if not isinstance(s.dtype, pd.CategoricalDtype):
        return pd.Series(known.get_indexer(s.to_numpy()) >= 0, index=s.index)
    inside = np.append(known.get_indexer(s.cat.categories) >= 0, True)  # code -1 (missing) reads the appended True
    return pd.Series(inside[s.cat.codes.to_numpy()], index=s.index)


def _unknown(df: pd.DataFrame, col: str, known, log: IssueLog, fname: str, target: str) -> None:
    vals = df[col]
    mask = vals.notna() & ~_isin(vals, known)
    _reject(df, mask, log, fname, col, lambda b: [f"{col} {v!r} is not in {target}" for v in b[col]], "unknown-id")


def _end_before_start(df: pd.DataFrame, start: str, end: str, log: IssueLog, fname: str) -> None:
    mask = df[end].notna() & df[start].notna() & (df[end] < df[start])
    _reject(df, mask, log, fname, end,
            lambda b: [f"{end} {e:%Y-%m-%d} is before {start} {s:%Y-%m-%d}" for s, e in zip(b[start], b[end])],
            "end-before-start")


def _outside_employment(df: pd.DataFrame, who: str, start: str, end: str, staff: pd.DataFrame, log: IssueLog,
                        fname: str, what: str) -> None:
    pos = staff.index.get_indexer(df[who])  # each row's person in ``staff`` (ids unique there), -1 if none
    live = ~df["_bad"] & (pos >= 0)
    if not live.any():
        return
    hire, term = (_at(staff[c], pos, df.index) for c in ("hire_date", "termination_date"))
    e = df[end].fillna(_FAR)
    before = live & (df[start] < hire)
    after = live & term.notna() & (e > term)
    mask = before | after
    if not mask.any():
        return
    def msgs(b):
        out = []
        for i in b.index:
            h, t = hire[i], term[i]
            span = f"{h:%Y-%m-%d} to {t:%Y-%m-%d}" if pd.notna(t) else f"from {h:%Y-%m-%d}"
            out.append(f"{what} runs outside {who} {b.at[i, who]!r}'s employment ({span})")
        return out

    _reject(df, mask, log, fname, start if before.any() else end, msgs, "outside-employment", "warning")


def _concurrent(df: pd.DataFrame, key: str, limit: pd.Series) -> pd.DataFrame:
    """Rows whose start makes more than ``limit[key]`` intervals of the same key overlap.

    A sweep over sorted start/end events: O(n log n). Returns the starting rows with
    the count reached and the date.
    """
    live = _good(df)
    if not len(live):
        return live.assign(_n=[])
    m = len(live)
    code, keys = pd.factorize(live[key], sort=True)  # codes in the keys' order, as a sort by key has them
    ends = (live["end_date"] + pd.Timedelta(days=1)).fillna(_FAR)
    k = np.concatenate([code, code])
    t = np.concatenate([_ns(live["start_date"]), _ns(ends)])
    d = np.repeat(np.array([1, -1], dtype=np.int64), m)
    order = np.lexsort((d, t, k))  # by key, date, ends before starts; ties in row order, starts first
    k, d = k[order], d[order]
    run = np.cumsum(d)
    first = np.flatnonzero(np.r_[True, k[1:] != k[:-1]])
    n = run - np.repeat(run[first] - d[first], np.diff(np.r_[first, len(k)]))  # the count within each key
    cap = pd.Series(keys.to_numpy(dtype=object)).map(limit).fillna(1).to_numpy()
    over = (d == 1) & (n > cap[k])
    out = df.loc[live.index[order[over] % m]].copy()
    out["_n"] = n[over]
    return out


def _ns(dates: pd.Series) -> np.ndarray:
    """Dates as integer nanoseconds (for sorting)."""
    return dates.to_numpy(dtype="datetime64[ns]").view(np.int64)


def _at(values: pd.Series, pos: np.ndarray, index: pd.Index) -> pd.Series:
    """``values`` at positions ``pos`` (missing where ``pos`` is -1), on ``index``.

    Examples
    --------
    >>> _at(pd.Series(pd.to_datetime(["2020-01-01", "2021-01-01"])), np.array([1, -1]), pd.Index([5, 6])).tolist()
    [Timestamp('2021-01-01 00:00:00'), NaT]
    """
    out = values.to_numpy()[np.maximum(pos, 0)]
    out[pos < 0] = None
    return pd.Series(out, index=index)


def _cycles(sup: pd.DataFrame) -> list[tuple[int, str]]:
    """Rows whose supervision edge closes a cycle on some date, with the cycle as text.

    Sweeps change dates in order, keeping the active supervisor edges; a new
    edge staff→supervisor closes a cycle iff staff is reachable upward from the
    supervisor, and the text is the first such path a depth-first search finds.

    Linear in the rows when supervision never loops: one pass finds the strongly
    connected components of all links over all time, and only a link inside one
    of them (both people in the same component) can ever be part of a cycle. The
    sweep keeps only those links. A new link can only close a cycle if someone
    reports to the staff member and the supervisor reports to someone (so people
    joining at the bottom of a chain cost nothing); on each day that adds such
    links, one pass over the links reachable from their supervisors names the ones
    that close a cycle, and only those are searched for the path to print.

    Examples
    --------
    >>> sup = pd.DataFrame({"staff_id": ["A", "B"], "supervisor_id": ["B", "A"],
    ...                     "start_date": pd.to_datetime(["2020-01-01", "2020-03-01"]),
    ...                     "end_date": [pd.NaT, pd.NaT], "_bad": False})
    >>> _cycles(sup)
    [(1, 'B → A → B on 2020-03-01')]
    """
    live = _good(sup)
    if not len(live):
        return []
    live = live[_in_loops(live["staff_id"], live["supervisor_id"])]
    if not len(live):
        return []
    staff = dict(zip(live.index.tolist(), live["staff_id"].tolist()))
    boss = dict(zip(live.index.tolist(), live["supervisor_id"].tolist()))
    ends = (live["end_date"] + pd.Timedelta(days=1)).fillna(_FAR)
    events = sorted(
        [(t, 0, i) for t, i in zip(ends, live.index)] + [(t, 1, i) for t, i in zip(live["start_date"], live.index)],
        key=lambda e: (e[0], e[1]))
    active: dict[str, dict[str, int]] = {}
    reports: dict[str, int] = {}  # active rows naming each person as supervisor
    bosses: dict[str, int] = {}  # active rows naming each person as staff
    found: list[tuple[int, str]] = []
    j = 0
    while j < len(events):
        t = events[j][0]
        added = []
        while j < len(events) and events[j][0] == t:
            _, kind, i = events[j]
            u, v = staff[i], boss[i]
            step = 1 if kind else -1
            reports[v] = reports.get(v, 0) + step
            bosses[u] = bosses.get(u, 0) + step
            if kind == 0:
                c = active[u]
                c[v] -= 1
                if not c[v]:
                    del c[v]
            else:
                active.setdefault(u, {}).setdefault(v, 0)
                active[u][v] += 1
                added.append(i)
            j += 1
        added = [i for i in added if reports.get(staff[i]) and bosses.get(boss[i])]
        if not added:
            continue
        now = _components(active, [boss[i] for i in added])
        for i in added:
            u, v = staff[i], boss[i]
            if now.get(u) != now[v]:
                continue
            path = _path_up(active, v, u)
            if path is not None:
                found.append((i, " → ".join([u, *path]) + f" on {t:%Y-%m-%d}"))
    return found


def _in_loops(staff: pd.Series, boss: pd.Series) -> np.ndarray:
    """Whether each link staff → boss lies inside a strongly connected component of all the links (both
    people reach each other), the only links that can be part of a supervision cycle on some date.

    Examples
    --------
    >>> _in_loops(pd.Series(["A", "B", "C"]), pd.Series(["B", "A", "A"])).tolist()
    [True, True, False]
    """
    codes, people = pd.factorize(pd.concat([staff, boss], ignore_index=True), use_na_sentinel=False)
    n, m = len(people), len(staff)
    if not m:
        return np.zeros(0, dtype=bool)
    u, v = codes[:m], codes[m:]
    graph = coo_matrix((np.ones(m, dtype=np.int32), (u, v)), shape=(n, n)).tocsr()
    _, comp = connected_components(graph, directed=True, connection="strong")
    return comp[u] == comp[v]


def _components(succ: dict[str, dict], roots: list[str]) -> dict[str, int]:
    """Strongly connected components of the nodes reachable from ``roots`` (Tarjan's algorithm, iterative).

    ``succ`` maps a node to its successors (the keys of a dict). Returns a
    component number per node reached: two nodes share one iff each reaches
    the other. Time is linear in the nodes and edges reached.

    Examples
    --------
    >>> c = _components({"a": {"b": 1}, "b": {"a": 1, "c": 1}}, ["a"])
    >>> c["a"] == c["b"] != c["c"]
    True
    """
    index: dict[str, int] = {}
    low: dict[str, int] = {}
    comp: dict[str, int] = {}
    stack: list[str] = []
    on_stack: set[str] = set()
    none: dict = {}
    for root in roots:
        if root in index:
            continue
        index[root] = low[root] = len(index)
        stack.append(root)
        on_stack.add(root)
        work = [(root, iter(succ.get(root, none)))]
        while work:
            node, nexts = work[-1]
            for nxt in nexts:
                if nxt not in index:
                    index[nxt] = low[nxt] = len(index)
                    stack.append(nxt)
                    on_stack.add(nxt)
                    work.append((nxt, iter(succ.get(nxt, none))))
                    break
                if nxt in on_stack and index[nxt] < low[node]:
                    low[node] = index[nxt]
            else:
                work.pop()
                if work and low[node] < low[work[-1][0]]:
                    low[work[-1][0]] = low[node]
                if low[node] == index[node]:
                    while True:
                        x = stack.pop()
                        on_stack.discard(x)
                        comp[x] = index[node]
                        if x == node:
                            break
    return comp


def _path_up(active: dict[str, dict[str, int]], start: str, target: str) -> list[str] | None:
    """The path from ``start`` to ``target`` a depth-first search finds first, or ``None``.

    Each node keeps the node it was reached from, so a search costs the edges
    it visits (not a copy of the path per step).
    """
    parent: dict[str, str | None] = {start: None}
    stack = [start]
    while stack:
        node = stack.pop()
        if node == target:
            path = []
            while node is not None:
                path.append(node)
                node = parent[node]
            return path[::-1]
        for nxt in active.get(node, {}):
            if nxt not in parent:
                parent[nxt] = node
                stack.append(nxt)
    return None


def _check(tables: dict, log: IssueLog) -> None:
    staff, programs, positions = tables["staff"], tables["programs"], tables["positions"]
    asg, sup = tables["assignments"], tables["supervision"]
    F = {n: spec.filename for n, spec in FILES.items()}

    if staff is not None:
        _duplicates(staff, ["staff_id"], log, F["staff"])
        tt = staff["termination_type"].str.lower()
        staff["termination_type"] = tt
        bad = tt.notna() & ~tt.isin(TERMINATION_TYPES)
        _reject(staff, bad, log, F["staff"], "termination_type",
                lambda b: [f"termination_type {v!r} is not one of {', '.join(TERMINATION_TYPES)}"
                           for v in b["termination_type"]], "bad-value")
        placeholder = staff.get(OPEN_END + "termination_date", pd.Series(False, index=staff.index))
        ignored = tt.notna() & placeholder & ~staff["_bad"]
        _reject(staff, ignored, log, F["staff"], "termination_type",
                lambda b: [f"termination_type {v!r} is ignored: the termination date is a 'no end' placeholder, "
                           "so the person is still employed" for v in b["termination_type"]],
                "open-end-termination", "warning")
        staff.loc[ignored, "termination_type"] = None
        tt = staff["termination_type"]
        no_date = tt.notna() & staff["termination_date"].isna()
        _reject(staff, no_date, log, F["staff"], "termination_date",
                "termination_type is given but termination_date is empty", "missing-termination-date")
        no_type = tt.isna() & staff["termination_date"].notna()
        _reject(staff, no_type, log, F["staff"], "termination_type",
                "termination_date is given but termination_type is empty; counted as 'other'",
                "missing-termination-type", "warning")
        staff.loc[no_type & ~staff["_bad"], "termination_type"] = "other"
        early = staff["termination_date"].notna() & (staff["termination_date"] < staff["hire_date"])
        _reject(staff, early, log, F["staff"], "termination_date",
                lambda b: [f"termination_date {t:%Y-%m-%d} is before hire_date {h:%Y-%m-%d}"
                           for h, t in zip(b["hire_date"], b["termination_date"])], "termination-before-hire")
        if "fte" in staff:
            _reject(staff, staff["fte"].notna() & (staff["fte"] <= 0), log, F["staff"], "fte",
                    "fte must be above 0 (1.0 = full time)", "bad-number")
    if programs is not None:
        _duplicates(programs, ["program_id"], log, F["programs"])
    if positions is not None:
        _duplicates(positions, ["position_id"], log, F["positions"])
        rk = positions["role_kind"].str.lower()
        positions["role_kind"] = rk
        _reject(positions, rk.notna() & ~rk.isin(ROLE_KINDS), log, F["positions"], "role_kind",
                lambda b: [f"role_kind {v!r} is not one of {', '.join(ROLE_KINDS)}" for v in b["role_kind"]],
                "bad-value")
        if programs is not None:
            _unknown(positions, "program_id", pd.unique(programs["program_id"].dropna()), log, F["positions"],
                     "programs.csv")
        if "capacity" in positions:
            _reject(positions, positions["capacity"].notna() & (positions["capacity"] < 1), log,
                    F["positions"], "capacity", "capacity must be at least 1", "bad-number")

    # distinct ids as indexes: each builds its hash table once, for every column checked against it
    staff_ids = pd.Index(pd.unique(staff["staff_id"].dropna())) if staff is not None else None
    pos_ids = pd.Index(pd.unique(positions["position_id"].dropna())) if positions is not None else None
    good_staff = (staff[~staff["_bad"]].drop_duplicates("staff_id").set_index("staff_id")
                  if staff is not None else None)

    for name, df in tables.items():
        if df is None or name in ("staff", "programs", "positions"):
            continue
        fname = F[name]
        for col in ("staff_id", "supervisor_id"):
            if col in df and staff_ids is not None:
                _unknown(df, col, staff_ids, log, fname, "staff.csv")
        if name == "assignments" and pos_ids is not None:
            _unknown(df, "position_id", pos_ids, log, fname, "positions.csv")
        if "end_date" in df:
            _end_before_start(df, "start_date", "end_date", log, fname)
        if name in ("caseload", "documentation"):
            _duplicates(df, ["staff_id", "month"], log, fname)

    for name, df, key in (("assignments", asg, "position_id"), ("supervision", sup, "supervisor_id")):
        if df is not None:
            _exact_duplicates(df, ["staff_id", key, "start_date", "end_date"], log, F[name])

    if sup is not None:
        _reject(sup, sup["staff_id"] == sup["supervisor_id"], log, F["supervision"], "supervisor_id",
                lambda b: [f"{s!r} is listed as their own supervisor" for s in b["staff_id"]], "self-supervision")

    if asg is not None:
        _merge_overlaps(asg, "position_id", log, F["assignments"], "{staff!r} in seat {key!r}", "assignment")
    if sup is not None:
        _merge_overlaps(sup, "supervisor_id", log, F["supervision"], "{staff!r} under {key!r}", "link")

    if good_staff is not None:
        if asg is not None:
            _outside_employment(asg, "staff_id", "start_date", "end_date", good_staff, log, F["assignments"],
                                "assignment")
        if sup is not None:
            _outside_employment(sup, "staff_id", "start_date", "end_date", good_staff, log, F["supervision"],
                                "supervision")
            _outside_employment(sup, "supervisor_id", "start_date", "end_date", good_staff, log,
                                F["supervision"], "supervision")

    if asg is not None and positions is not None:
        cap = positions[~positions["_bad"]].drop_duplicates("position_id").set_index("position_id")
        limit = cap["capacity"].fillna(1) if "capacity" in cap else pd.Series(1, index=cap.index)
        over = _concurrent(asg, "position_id", limit)
        for i, row in over.iterrows():
            lim = int(limit.get(row["position_id"], 1))
            log.add("error", F["assignments"], row[LINE], "position_id",
                    f"seat {row['position_id']!r} would have {int(row['_n'])} holders from "
                    f"{row['start_date']:%Y-%m-%d} but its capacity is {lim}", "over-capacity")
            asg.loc[i, "_bad"] = True

    if asg is not None:
        for _, row in _concurrent(asg, "staff_id", pd.Series(dtype=float)).iterrows():
            log.add("warning", F["assignments"], row[LINE], "position_id",
                    f"{row['staff_id']!r} holds {int(row['_n'])} seats at once from {row['start_date']:%Y-%m-%d}; "
                    "their role kind and program are those of the seat taken most recently", "two-seats")

    if sup is not None:
        two = _concurrent(sup, "staff_id", pd.Series(dtype=float))
        for _, row in two.iterrows():
            log.add("warning", F["supervision"], row[LINE], "supervisor_id",
                    f"{row['staff_id']!r} has {int(row['_n'])} supervisors at once from {row['start_date']:%Y-%m-%d}",
                    "two-supervisors")
        for i, text in _cycles(sup):
            log.add("error", F["supervision"], sup.loc[i, LINE], "supervisor_id",
                    f"supervision cycle: {text}", "supervision-cycle")
            sup.loc[i, "_bad"] = True


def _good(df: pd.DataFrame | None) -> pd.DataFrame | None:
    """The rows not rejected (the frame itself when none were: no copy)."""
    if df is None or not df["_bad"].any():
        return df
    return df[~df["_bad"].to_numpy()]


def _column(df: pd.DataFrame, col: str, default, dtype=None) -> np.ndarray:
    if col not in df:
        return np.full(len(df), default, dtype=dtype if dtype is not None else object)
    vals = df[col].to_numpy()
    if default is not None and vals.dtype == object:
        vals = np.where(pd.isna(vals), default, vals)
    elif default is not None and vals.dtype.kind == "f":
        vals = np.where(np.isnan(vals), default, vals)
    return vals.astype(dtype) if dtype is not None else vals


def _optional_number(df: pd.DataFrame, col: str) -> np.ndarray:
    """Floats with ``NaN`` for none; a column with no value at all is ``None`` throughout (as a frame of
    records would hold it)."""
    vals = df[col].to_numpy(dtype=np.float64) if col in df else np.full(len(df), np.nan)
    return np.full(len(df), None, dtype=object) if np.isnan(vals).all() else vals


def _dates64(s: pd.Series) -> np.ndarray:
    return s.to_numpy(dtype="datetime64[ns]")


def _staff_table(s: pd.DataFrame) -> pd.DataFrame:
    return pd.DataFrame({
        "staff_id": s["staff_id"].to_numpy(), "name": _column(s, "name", ""),
        "discipline": _column(s, "discipline", ""), "hire_date": _dates64(s["hire_date"]),
        "termination_date": _dates64(s["termination_date"]), "termination_type": s["termination_type"].to_numpy(),
        "termination_reason": s["termination_reason"].to_numpy(), "fte": _column(s, "fte", 1.0, np.float64),
        "annual_salary": _optional_number(s, "annual_salary"), "license": _column(s, "license", None),
        "external": np.asarray(_column(s, "external", False), dtype=bool)})


def _programs_table(p: pd.DataFrame) -> pd.DataFrame:
    return pd.DataFrame({"program_id": p["program_id"].to_numpy(), "name": _column(p, "name", ""),
                         "service_line": _column(p, "service_line", "")})


def _positions_table(p: pd.DataFrame) -> pd.DataFrame:
    return pd.DataFrame({
        "position_id": p["position_id"].to_numpy(), "title": _column(p, "title", ""),
        "program_id": p["program_id"].to_numpy(), "role_kind": p["role_kind"].to_numpy(),
        "budgeted_caseload": _optional_number(p, "budgeted_caseload"),
        "capacity": _column(p, "capacity", 1, np.int64),
        "inferred": np.asarray(_column(p, "inferred", False), dtype=bool)})


def _interval_table(key: str):
    def build(a: pd.DataFrame) -> pd.DataFrame:
        return pd.DataFrame({"staff_id": a["staff_id"].to_numpy(), key: a[key].to_numpy(),
                             "start": _dates64(a["start_date"]), "end": _dates64(a["end_date"])})
    return build


def _typed_as(s: pd.Series, dtype: str):
    """The values of ``s`` as ``dtype`` (``s``'s own array, not a copy, when it already is).

    Text (``object``) comes as a NumPy array: a Series made from it with ``dtype=object`` keeps it as it is,
    where one made from a pandas array would scan it for missing values first.

    Examples
    --------
    >>> s = pd.Series(pd.Categorical(["a", "b", "a"]))
    >>> _typed_as(s, "object")
    array(['a', 'b', 'a'], dtype=object)
    >>> n = pd.Series([1.0, 2.0])
    >>> np.shares_memory(_typed_as(n, "float64").to_numpy(), n.to_numpy())
    True
    """
    if dtype == "object" and s.dtype == object:
        return s.to_numpy()
    if dtype == "object" and isinstance(s.dtype, pd.CategoricalDtype):
        codes = s.cat.codes.to_numpy()
        if not len(codes) or codes.min() >= 0:
            return s.cat.categories.to_numpy(dtype=object).take(codes)  # no missing value to look for
    if s.dtype == pd.api.types.pandas_dtype(dtype):
        return s.array
    return s.astype(dtype).array if dtype != "object" else s.astype(dtype).to_numpy()


_RECORD_TABLES = {"staff": _staff_table, "programs": _programs_table, "positions": _positions_table,
                  "assignments": _interval_table("position_id"), "supervision": _interval_table("supervisor_id")}


def _build(tables: dict, present: set[str]) -> OrgData:
    """The model of the rows not rejected. ``tables`` is emptied as it goes: each frame read is let go as
    soon as its table is built, so a large bundle is not held twice."""
    out: dict[str, pd.DataFrame] = {}
    frames: dict[str, pd.DataFrame] = {}
    for name in list(tables):
        df = _good(tables.pop(name))
        if df is None:
            continue
        if name in _RECORD_TABLES:
            out[name] = _RECORD_TABLES[name](df)
        elif name in TABLE_COLUMNS:
            # each column as the model types it, the ones already so typed shared, not copied
            # (each a Series of its dtype: pandas 3 would otherwise infer text for an object column of str)
            frames[name] = pd.DataFrame({c: pd.Series(_typed_as(df[c], t), dtype=t, copy=False)
                                         for c, t in TABLE_COLUMNS[name].items()}, copy=False)
            del df
    data = OrgData(present=present, tables=out)
    for name in TABLE_COLUMNS:
        setattr(data, name, frames.get(name, empty_table(name)))
    return data


def validate_bundle(path, *, strict: bool = False, progress=None) -> tuple[OrgData, list[Issue]]:
    """Read and check a bundle folder.

    Parameters
    ----------
    path : str or Path
        The bundle folder.
    strict : bool
        Count warnings as errors.
    progress : callable, optional
        Called after each file is read, as ``progress(name, rows, nbytes)`` (for progress bars).

    Returns
    -------
    (OrgData, list of Issue)
        The valid rows as typed records, and every issue found (errors first
        by file and line). The data is partial when there are errors.

    Raises
    ------
    SourceError
        If ``path`` is not a folder.
    ConfigError
        If the folder's ``orgraph.toml`` is malformed.
    """
    folder = Path(path)
    if not folder.is_dir():
        what = "does not exist" if not folder.exists() else "is a file, not a folder"
        raise SourceError(f"{redact(folder)} {what}; expected a folder of CSV files (see docs/data-format.md)")
    config = load_config(folder)
    log = IssueLog()
    tables = read_tables(folder, log, progress)
    _check(tables, log)
    present = {n for n in TABLE_COLUMNS if tables.get(n) is not None}
    data = _build(tables, present)
    release_memory()  # the frames read are gone: their pages go back to the system
    data.config = config
    data.source = str(folder)
    issues = log.finish()
    if strict:
        issues = [Issue("error", i.file, i.line, i.column, i.message, i.rule) for i in issues]
    order = {"error": 0, "warning": 1}
    issues.sort(key=lambda i: (order.get(i.severity, 2), i.file, i.line if i.line is not None else float("inf")))
    data.issues = [i for i in issues if i.severity != "error"]
    return data, issues


def load_bundle(path, *, strict: bool = False, progress=None) -> OrgData:
    """Read a bundle folder; raise :class:`~orgraph.errors.BundleError` if it has errors.

    Warnings are kept in ``OrgData.issues``; ``progress`` is as for :func:`validate_bundle`.
    """
    data, issues = validate_bundle(path, strict=strict, progress=progress)
    errors = [i for i in issues if i.severity == "error"]
    if errors:
        raise BundleError(issues, str(path))
    return data
