"""Hostile bundles: `orgraph validate` and `orgraph audit` either work or stop with a clean orgraph error.

Hypothesis builds small bundles from the valid base (tests/bundles.py) and breaks them: rows added with odd
unicode, commas, quotes, line breaks, empty fields, NUL bytes, very long fields, formula-like strings, dates
out of range, duplicate ids, supervision cycles, optional files with bad values, other encodings, odd settings. Whatever
it builds, the command must exit 0, 1 or 2 with no traceback and no Python exception other than orgraph's.
"""
from __future__ import annotations

import tempfile
from pathlib import Path

from click.testing import CliRunner
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from bundles import BASE
from orgraph.cli import main
from orgraph.schema import FILES

IDS = {"staff_id": ["S1", "S2", "S3", "S4"], "supervisor_id": ["S1", "S2", "S3", "S4"],
       "position_id": ["P1", "P2", "P3", "P4"], "program_id": ["OP", "IOP"], "client_id": ["C1", "C2"]}
#: Ids for a new row of staff, programs or positions: mostly new, sometimes a duplicate.
NEW_IDS = {"staff_id": ["S5", "S6", "S7", "S1"], "position_id": ["P5", "P6", "P1"], "program_id": ["IOP", "RES", "OP"]}
ENUMS = {"termination_type": ["", "voluntary", "involuntary", "retirement", "other", "Voluntary", "fired"],
         "role_kind": ["clinician", "supervisor", "director", "admin", "other", "CLINICIAN", "boss"],
         "discipline": ["LCSW", "LPC", ""], "external": ["true", "false", "yes", "", "maybe"]}
HOSTILE = st.sampled_from([
    "", " ", "\x00", "a\x00b", "=cmd|' /C calc'!A0", "+SUM(1,2)", "-1", "@x", "=1+1", '"', '""', "a,b", 'a"b',
    "line\nbreak", "cr\rret", "\t", "x" * 100_000, "é" * 5000, "\u202etxt", "\ufeff", "😀", "\u0301", "\x1f",
    "9999-12-31", "0001-01-01", "1899-12-31", "2101-01-01", "2020-02-30", "2020-1-1", " 2020-01-01 ", "20200101",
    "2020-13", "0000-00", "nan", "NaN", "inf", "-inf", "1e309", "-0", "0", "0.0", "2.5", "99999999999999999999",
    "1,000", "$5", "None", "null", "NULL", "N/A", "true", "S1 ", "s1", "S1\u200b", "<img src=x onerror=alert(1)>",
    "{{7*7}}", "${jndi:x}", "%s%n", "../../etc/passwd",
])


def _dates(draw_start: int = 2019) -> st.SearchStrategy[str]:
    return st.builds(lambda y, m, d: f"{y:04d}-{m:02d}-{d:02d}", st.integers(draw_start, 2022), st.integers(1, 12),
                     st.integers(1, 28))


def plausible(col: str, kind: str, key: tuple = ()) -> st.SearchStrategy[str]:
    """A value of the right kind that is often (not always) valid (``key``: the file's id columns)."""
    if col in key and col in NEW_IDS:
        return st.sampled_from(NEW_IDS[col])
    if col in IDS:
        return st.sampled_from(IDS[col])
    if col in ENUMS:
        return st.sampled_from(ENUMS[col])
    if kind == "date":
        return (_dates() | st.just("")) if col in ("end_date", "termination_date") else _dates()
    if kind == "month":
        return st.builds(lambda y, m: f"{y}-{m:02d}", st.integers(2019, 2022), st.integers(1, 12))
    if kind == "int":
        return st.integers(0, 60).map(str)
    if kind == "float":
        return st.floats(0, 200, allow_nan=False).map(lambda x: f"{x:.2f}")
    if kind == "bool":
        return st.sampled_from(["true", "false"])
    return TEXT | st.sampled_from(["Ana Diaz", "O'Neil, Pat", "<b>Bo</b>", "Zoë 😀", "a,b", '"q"'])


#: Any text a person could type: odd scripts, marks, emoji, right-to-left, no control characters.
TEXT = st.text(st.characters(exclude_categories=("Cc", "Cs")), max_size=12)


def value(col: str, kind: str, key: tuple = ()) -> st.SearchStrategy[str]:
    p = plausible(col, kind, key)
    return st.one_of(p, p, p, HOSTILE, st.text(max_size=30))


#: orgraph.toml files with odd settings: an end before the data, far after it, zero and negative windows, ...
CONFIGS = st.sampled_from([
    '[data]\nend = "2020-06-30"\n', '[data]\nend = "2019-01-01"\n', '[data]\nend = "9999-12-31"\n',
    '[data]\nstart = "2021-01-01"\nend = "2020-01-01"\n', '[data]\nend = "2020-02-30"\n',
    "[cascades]\nwindow_days = 0\n", "[cascades]\nwindow_days = -5\n", "[churn]\nmin_holders = 0\n",
    "[privacy]\nmin_cell = 0\n", "[cost]\nvacancy_days = 1e9\n", "[audit]\nfdr = 2\n",
    "[departures]\nperiod_months = 0\n", "[risk]\nmin_exits = 0\n", "[caseload]\npercentile = 100\n",
    "[overload]\nmax_span = 0\n", "[cost]\nutilization = 0\n", "garbage = [", "[data]\nend = 5\n",
])


def _cell(text: str) -> str:
    if any(c in text for c in ',"\n\r'):
        return '"' + text.replace('"', '""') + '"'
    return text


@st.composite
def bundles(draw) -> dict[str, bytes]:
    """File name -> bytes of one bundle."""
    hostile = draw(st.booleans())  # else only plausible values: most such bundles load, so the audit runs
    pick = value if hostile else plausible
    tables: dict[str, tuple[list[str], list[list[str]]]] = {}
    for name, text in BASE.items():
        head, *rows = text.splitlines()
        tables[name] = (head.split(","), [r.split(",") for r in rows])
    for name in draw(st.sets(st.sampled_from(["caseload", "documentation", "supervision_sessions",
                                              "client_assignments"]), max_size=2)):
        tables[FILES[name].filename] = (list(FILES[name].types), [])
    for _ in range(draw(st.integers(0, 8))):
        fname = draw(st.sampled_from(sorted(tables)))
        head, rows = tables[fname]
        spec = FILES[fname[:-4]]
        kind = draw(st.sampled_from(["add", "add", "cell", "copy", "cycle", "drop"]))
        if kind == "add":
            rows.append([draw(pick(c, spec.types.get(c, "str"), spec.key)) for c in head])
        elif kind == "cell" and rows:
            r, c = draw(st.integers(0, len(rows) - 1)), draw(st.integers(0, len(head) - 1))
            rows[r][c] = draw(pick(head[c], spec.types.get(head[c], "str")))
        elif kind == "copy" and rows and not spec.key:
            row = list(draw(st.sampled_from(rows)))
            if draw(st.booleans()) and len(row) > 3:
                row[3] = draw(plausible(head[3], spec.types.get(head[3], "str")))
            rows.append(row)
        elif kind == "cycle":
            a, b = draw(st.permutations(["S1", "S2", "S3", "S4"]))[:2]
            tables["supervision.csv"][1].append([a, b, draw(_dates(2020)), draw(_dates(2021) | st.just(""))])
        elif kind == "drop" and rows and not spec.key:
            rows.pop(draw(st.integers(0, len(rows) - 1)))
    raw = draw(st.sampled_from(sorted(tables)) | st.none()) if hostile else None
    encoding = draw(st.sampled_from(["utf-8", "utf-8", "utf-8-sig", "crlf", "latin-1"] if hostile else ["utf-8"]))
    out = {}
    for fname, (head, rows) in tables.items():
        join = (lambda r: ",".join(r)) if fname == raw else (lambda r: ",".join(_cell(x) for x in r))
        text = "\n".join(join(r) for r in [head, *rows]) + "\n"
        if encoding == "crlf":
            text = text.replace("\n", "\r\n")
        data = (text.encode("latin-1", "replace") if encoding == "latin-1"
                else text.encode("utf-8-sig" if encoding == "utf-8-sig" else "utf-8", "surrogatepass"))
        out[fname] = data
    if draw(st.integers(0, 3)) == 0:
        out["orgraph.toml"] = draw(CONFIGS).encode()
    return out


def _clean(result, what: str) -> None:
    """Exit 0, or 1/2 with a message; never an exception other than SystemExit (which CliRunner records)."""
    if result.exception is not None and not isinstance(result.exception, SystemExit):
        raise AssertionError(f"`orgraph {what}` raised {type(result.exception).__name__}") from result.exception
    assert result.exit_code in (0, 1, 2), (what, result.exit_code, result.output[-2000:])
    assert "Traceback (most recent call last)" not in result.output
    if result.exit_code:
        assert result.output.strip(), f"`orgraph {what}` failed with no message"


@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large])
@given(files=bundles())
def test_hostile_bundles_validate_and_audit_cleanly(files):
    runner = CliRunner()
    with tempfile.TemporaryDirectory() as tmp:
        folder = Path(tmp) / "bundle"
        folder.mkdir()
        for name, data in files.items():
            (folder / name).write_bytes(data)
        validated = runner.invoke(main, ["validate", str(folder)])
        _clean(validated, "validate")
        audited = runner.invoke(main, ["audit", str(folder), "--out", str(Path(tmp) / "audit"), "--no-png"])
        _clean(audited, "audit")
        if validated.exit_code == 0:
            assert audited.exit_code == 0 or "Error:" in audited.output, audited.output[-2000:]
