"""The fast reading path and Parquet bundles: same frames, same issues as the careful reader."""
from __future__ import annotations

import shutil
import threading
from pathlib import Path

import pandas as pd
import pyarrow as pa
import pyarrow.parquet as pq
import pytest

import orgraph.reading as reading
from bundles import BASE, add_rows, replace_rows
from orgraph.columnar import csv_to_parquet, fast_csv, read_ahead
from orgraph.reading import IssueLog, read_table
from orgraph.schema import FILES
from orgraph.validate import validate_bundle

RIVERBEND = Path(__file__).resolve().parents[1] / "examples" / "riverbend"


def careful(folder, spec, monkeypatch):
    """``read_table`` with the fast path switched off: the frame and the issues."""
    with monkeypatch.context() as m:
        m.setattr(reading, "fast_csv", lambda raw, spec: None)
        log = IssueLog()
        return read_table(folder, spec, log), [str(i) for i in log.finish()]


def as_objects(df):
    return df.astype({c: object for c in df.columns if str(df[c].dtype) in ("string", "category")})


@pytest.mark.parametrize("name", list(FILES))
def test_fast_path_reads_riverbend_as_the_careful_reader_does(name, monkeypatch):
    spec = FILES[name]
    assert fast_csv((RIVERBEND / spec.filename).read_bytes(), spec) is not None  # riverbend is clean
    log = IssueLog()
    fast = read_table(RIVERBEND, spec, log)
    slow, slow_issues = careful(RIVERBEND, spec, monkeypatch)
    assert [str(i) for i in log.finish()] == slow_issues
    assert list(fast.columns) == list(slow.columns)
    pd.testing.assert_frame_equal(as_objects(fast), as_objects(slow), check_dtype=False)


def test_clean_file_never_reaches_the_careful_reader(bundle, monkeypatch):
    folder = bundle()
    monkeypatch.setattr(reading, "_frame_from_text", lambda *a: pytest.fail("careful reader used"))
    data, issues = validate_bundle(folder)
    assert issues == [] and sorted(data.staff) == ["S1", "S2", "S3", "S4"]


STAFF_EXTRA = ("staff_id,name,discipline,hire_date,termination_date,termination_type,termination_reason,fte,"
               "annual_salary,license,external,shoe_size\n"
               "S1,Ana Diaz,LCSW,2020-01-01,,,,1.0,70000,LCSW,Yes,9\n"
               "S2,Bo Chen,LPC,2020-02-01,2021-06-30,voluntary,moved away,1,,,no,\n"
               "S3,Cy Ortiz,LMFT,2020-03-01,,,,0.8,65000.5,,,10\n"
               "S4,Di Park,LCSW,2020-01-15,,,,1.0,,,T,")


@pytest.mark.parametrize("text", [
    STAFF_EXTRA,                                          # no final newline, unknown column, booleans, numbers
    STAFF_EXTRA.replace("\n", "\r\n"),                    # CRLF
    "\ufeff" + STAFF_EXTRA,                               # BOM
    BASE["staff.csv"].replace("Ana Diaz", "Ána Díaz"),    # UTF-8 names
])
def test_fast_and_careful_agree_on_clean_variants(bundle, monkeypatch, text):
    folder = bundle(staff_csv=text)
    spec = FILES["staff"]
    assert fast_csv((folder / "staff.csv").read_bytes(), spec) is not None
    log = IssueLog()
    fast = read_table(folder, spec, log)
    slow, slow_issues = careful(folder, spec, monkeypatch)
    assert [str(i) for i in log.finish()] == slow_issues
    pd.testing.assert_frame_equal(fast, slow, check_dtype=False)


@pytest.mark.parametrize("text", [
    add_rows("staff.csv", "S5,Ed Ng,LCSW,2020-13-01,,,,1.0"),           # not a date
    add_rows("staff.csv", "S5,Ed Ng,LCSW,1850-01-01,,,,1.0"),           # out of range
    add_rows("staff.csv", "S5,Ed Ng,LCSW,2020-01-01,9999-12-31,,,1.0"),  # "no end" placeholder
    add_rows("staff.csv", "S5,Ed Ng,LCSW,2020-01-01,,,,-1"),            # negative number
    add_rows("staff.csv", ",Ed Ng,LCSW,2020-01-01,,,,1.0"),             # empty required cell
    add_rows("staff.csv", "S5, Ed Ng,LCSW,2020-01-01,,,,1.0"),          # padding
    add_rows("staff.csv", 'S5,"Ng, Ed",LCSW,2020-01-01,,,,1.0'),        # quotes
    add_rows("staff.csv", "S5,Ed\x07Ng,LCSW,2020-01-01,,,,1.0"),        # control character
    add_rows("staff.csv", "S5,Ed Ng,LCSW,2020-01-01,,,,1.0,extra"),     # ragged row
    BASE["staff.csv"] + "\n\n",                                         # blank lines
    BASE["staff.csv"].replace("Ana Diaz", "Ana\ufffeDiaz"),             # a non-character
])
def test_anything_odd_goes_to_the_careful_reader(text, tmp_path):
    assert fast_csv(text.encode("utf-8"), FILES["staff"]) is None
    (tmp_path / "staff.csv").write_bytes(text.encode("utf-8"))
    assert fast_csv(tmp_path / "staff.csv", FILES["staff"]) is None


@pytest.mark.parametrize("piece", [1, 2, 3, 7, 1 << 20])
def test_a_file_read_in_pieces_is_checked_across_their_edges(tmp_path, monkeypatch, piece):
    import orgraph.columnar as columnar

    monkeypatch.setattr(columnar, "_PIECE", piece)
    clean = tmp_path / "clean.csv"
    clean.write_bytes(b"\xef\xbb\xbf" + STAFF_EXTRA.encode())
    by_path, by_bytes = fast_csv(clean, FILES["staff"]), fast_csv(clean.read_bytes(), FILES["staff"])
    assert by_path is not None and len(by_path) == 4
    pd.testing.assert_frame_equal(by_path, by_bytes)
    for odd in (STAFF_EXTRA.replace("Ana Diaz,", "Ana Diaz ,"), STAFF_EXTRA + " ", " " + STAFF_EXTRA,
                STAFF_EXTRA.replace("Bo Chen", "Bo\ufffeChen"), STAFF_EXTRA + "\n\n"):
        clean.write_bytes(odd.encode())
        assert fast_csv(clean, FILES["staff"]) is None, (piece, odd[-20:])


def test_an_unreadable_file_is_left_to_the_careful_reader(tmp_path):
    assert fast_csv(tmp_path / "absent.csv", FILES["staff"]) is None


def test_bad_utf8_goes_to_the_careful_reader(bundle):
    raw = BASE["staff.csv"].encode().replace(b"Ana", b"An\xe9")
    assert fast_csv(raw, FILES["staff"]) is None
    folder = bundle()
    (folder / "staff.csv").write_bytes(raw)
    _, issues = validate_bundle(folder)
    assert str(issues[0]) == ("staff.csv:2 error: byte 0xe9 is not UTF-8; save the file as UTF-8 "
                              "(CSV UTF-8 in Excel)")


def test_client_ids_are_compact_strings_and_staff_ids_plain_objects():
    data, _ = validate_bundle(RIVERBEND)
    assert str(data.client_assignments["client_id"].dtype) == "string"
    assert data.client_assignments["staff_id"].dtype == object
    assert data.caseload["staff_id"].dtype == object


def to_parquet(src: Path, dst: Path) -> Path:
    dst.mkdir(parents=True, exist_ok=True)
    for p in src.iterdir():
        shutil.copy(p, dst / p.name)
    for spec in FILES.values():
        if (dst / spec.filename).exists():
            csv_to_parquet(dst / spec.filename, spec)
    return dst


def test_parquet_bundle_loads_like_its_csv(tmp_path):
    folder = to_parquet(RIVERBEND, tmp_path / "pq")
    assert not list(folder.glob("*.csv")) and len(list(folder.glob("*.parquet"))) == 9
    assert pq.read_table(folder / "staff.parquet").schema.field("hire_date").type == pa.date32()
    a, issues_a = validate_bundle(RIVERBEND)
    b, issues_b = validate_bundle(folder)
    assert issues_a == issues_b
    for name in ("staff", "programs", "positions", "assignments", "supervision"):
        pd.testing.assert_frame_equal(a.table(name), b.table(name), check_dtype=False)
    for name in ("caseload", "documentation", "supervision_sessions", "client_assignments"):
        pd.testing.assert_frame_equal(getattr(a, name), getattr(b, name))


def test_parquet_bad_cells_are_reported_by_row(tmp_path):
    folder = tmp_path / "b"
    folder.mkdir()
    for name, text in BASE.items():
        (folder / name).write_text(text)
    (folder / "staff.csv").unlink()
    pq.write_table(pa.table({
        "staff_id": ["S1", "S2", "S3", "S4"], "name": ["Ana", "Bo", "Cy", " Di"],
        "discipline": ["LCSW"] * 4, "hire_date": ["2020-01-01", "2020-02-01", "2020-03-01", "2020-13-01"],
        "termination_date": [None, "2021-06-30", None, None], "termination_type": [None, "voluntary", None, None],
        "termination_reason": [None] * 4}), folder / "staff.parquet")
    _, issues = validate_bundle(folder)
    assert [str(i) for i in issues if i.severity == "error"][0] == (
        "staff.csv:5 [hire_date] error: '2020-13-01' is not a date; expected YYYY-MM-DD, for example 2023-04-30")


def test_csv_and_parquet_of_one_file_is_an_error(bundle):
    folder = bundle()
    pq.write_table(pa.table({"program_id": ["OP"], "name": ["Outpatient"], "service_line": ["outpatient"]}),
                   folder / "programs.parquet")
    _, issues = validate_bundle(folder)
    assert str(issues[0]) == ("programs.csv error: both programs.csv and programs.parquet are in the folder; "
                              "keep one of them")


def test_unreadable_parquet_is_reported(bundle):
    folder = bundle(programs_csv=None)
    (folder / "programs.parquet").write_bytes(b"not parquet at all")
    _, issues = validate_bundle(folder)
    assert issues[0].file == "programs.csv" and "cannot be read as Parquet" in issues[0].message


def test_header_only_csv_is_an_empty_table(bundle):
    folder = bundle(supervision_csv=replace_rows("supervision.csv"))
    data, issues = validate_bundle(folder)
    assert issues == [] and data.supervision == []


def test_a_table_rebuilt_from_records_is_kept_until_the_records_change():
    import dataclasses

    from orgraph import load_data

    data = load_data(str(Path(__file__).resolve().parent.parent / "examples" / "riverbend"))
    first = next(iter(data.staff.values()))
    t1 = data.table("staff")
    assert data.table("staff") is t1                     # same records: the same frame, not a rebuild
    renamed = dataclasses.replace(first, name="Renamed Person")
    data.staff[first.staff_id] = renamed                  # changed in place: the table follows
    t2 = data.table("staff")
    assert t2 is not t1 and t2.loc[t2.staff_id == first.staff_id, "name"].tolist() == ["Renamed Person"]
    data.staff = dict(data.staff)                         # assigned: the table is built again
    assert data.table("staff") is not t2 and data.table("staff").equals(t2)
    data.assignments.append(data.assignments[0])          # a list grown in place
    assert len(data.table("assignments")) == len(data.assignments)


def test_dictionary_codes_match_factorize_across_chunks():
    """Codes and distinct values of a dictionary-read column are pandas' factorize of its text, chunk edges
    and per-chunk dictionaries notwithstanding."""
    import numpy as np

    from orgraph.columnar import _DICT, _codes

    rng = np.random.default_rng(3)
    words = [f"S{i:04d}" for i in range(300)] + [""]
    text = [words[i] for i in rng.integers(0, len(words), 5000)]
    chunked = pa.chunked_array([pa.array(text[a:b]) for a, b in ((0, 7), (7, 2000), (2000, 2001), (2001, 5000))])
    want_codes, want_values = pd.factorize(pd.Series(text, dtype=object))
    for col in (chunked, chunked.cast(_DICT)):
        codes, values = _codes(col)
        assert codes.tolist() == want_codes.tolist()
        assert values.to_pylist() == list(want_values)


def test_compact_text_is_one_large_string_buffer_from_the_reading_pool(tmp_path):
    """Client ids come back as one large_string array allocated from the fast reader's pool (freed pages of
    that pool are given back), not from pyarrow's default pool."""
    import orgraph.columnar as columnar

    path = tmp_path / "client_assignments.csv"
    path.write_text("client_id,staff_id,start_date,end_date\n"
                    + "".join(f"C{i:07d},S{i % 7},2024-01-0{1 + i % 9},\n" for i in range(20000)))
    before = columnar._POOL.bytes_allocated()
    df = fast_csv(path, FILES["client_assignments"])
    arr = df["client_id"].array._pa_array
    assert arr.num_chunks == 1 and arr.type == pa.large_string()
    assert columnar._POOL.bytes_allocated() - before >= 20000 * 8
    assert df["client_id"].tolist()[:2] == ["C0000000", "C0000001"]
    columnar.release_memory()


def test_model_tables_share_the_columns_read_already_typed(monkeypatch):
    """Building the model does not copy a column the reader typed already (only id codes become text)."""
    import numpy as np

    import orgraph.validate as validate

    seen = {}
    build = validate._build

    def spy(tables, present):
        seen["date"] = tables["supervision_sessions"]["date"].to_numpy()
        return build(tables, present)

    monkeypatch.setattr(validate, "_build", spy)
    data, _ = validate_bundle(RIVERBEND)
    assert np.shares_memory(data.supervision_sessions["date"].to_numpy(), seen["date"])
    assert data.supervision_sessions["staff_id"].dtype == object


def _big_staff(rows: int) -> str:
    head = "staff_id,name,discipline,hire_date,termination_date,termination_type,termination_reason\n"
    return head + "".join(f"S{i},Name {i},LCSW,2020-01-01,,,\n" for i in range(rows))


def test_a_file_is_read_once_and_checked_as_pyarrow_parses_it(tmp_path, monkeypatch):
    import builtins

    import orgraph.columnar as columnar

    path = tmp_path / "staff.csv"
    path.write_text(_big_staff(150_000))                 # several of pyarrow's 4 MiB blocks
    sources, read = [], []
    real_read_csv, real_open = columnar.pacsv.read_csv, builtins.open

    def read_csv(source, **kw):
        sources.append(source)
        return real_read_csv(source, **kw)

    class Counted:
        def __init__(self, f):
            self._f = f

        def __getattr__(self, name):
            return getattr(self._f, name)

        def __enter__(self):
            return self

        def __exit__(self, *exc):
            self._f.close()

        def read(self, n=-1):
            out = self._f.read(n)
            read.append(len(out))
            return out

    monkeypatch.setattr(columnar.pacsv, "read_csv", read_csv)
    monkeypatch.setattr(columnar, "open", lambda *a, **k: Counted(real_open(*a, **k)), raising=False)
    df = fast_csv(path, FILES["staff"])
    assert df is not None and len(df) == 150_000 and df["_line"].iloc[-1] == 150_001
    assert not isinstance(sources[0], (str, Path))       # pyarrow did not open the file itself
    assert sum(read) == path.stat().st_size                # every byte read once, by the check
    pd.testing.assert_frame_equal(df, fast_csv(path.read_bytes(), FILES["staff"]))


@pytest.mark.parametrize("odd", ['"', "\x07", " ,", "\n\n"])
def test_something_odd_far_into_a_file_read_from_its_path_goes_to_the_careful_reader(tmp_path, odd):
    text = _big_staff(150_000)
    cut = len(text) - 40                                   # in the last of pyarrow's blocks
    path = tmp_path / "staff.csv"
    path.write_text(text[:cut] + odd + text[cut:])
    assert fast_csv(path, FILES["staff"]) is None


def test_date_columns_are_parsed_by_pyarrow_as_dates(tmp_path, monkeypatch):
    import orgraph.columnar as columnar

    seen = []
    real = columnar.pacsv.read_csv
    monkeypatch.setattr(columnar.pacsv, "read_csv",
                        lambda source, **kw: seen.append(kw["convert_options"].column_types) or real(source, **kw))
    path = tmp_path / "assignments.csv"
    path.write_text("staff_id,position_id,start_date,end_date\nS1,P1,2024-02-29,\nS2,P1,2020-01-01,2100-12-31\n")
    df = fast_csv(path, FILES["assignments"])
    assert seen[0]["start_date"] == pa.date32() and seen[0]["end_date"] == pa.date32()
    assert seen[0]["staff_id"] == pa.dictionary(pa.int32(), pa.string())
    assert df["start_date"].dtype == "datetime64[ns]"
    assert df["start_date"].tolist() == [pd.Timestamp("2024-02-29"), pd.Timestamp("2020-01-01")]
    assert pd.isna(df["end_date"].iloc[0]) and df["end_date"].iloc[1] == pd.Timestamp("2100-12-31")


@pytest.mark.parametrize("start,end", [
    ("2023-02-29", ""),            # no such day
    ("2023-1-05", ""),             # not YYYY-MM-DD
    ("", "2024-01-01"),            # a start date is required
    ("1899-12-31", ""),            # out of range
    ("2020-01-01", "9999-12-31"),  # a "no end" placeholder: the careful reader warns
    ("2020-01-01T00:00", ""),      # a time
])
def test_dates_the_careful_reader_reports_go_to_it(tmp_path, monkeypatch, start, end):
    path = tmp_path / "assignments.csv"
    path.write_text(f"staff_id,position_id,start_date,end_date\nS1,P1,2020-01-01,\nS2,P1,{start},{end}\n")
    assert fast_csv(path, FILES["assignments"]) is None
    assert fast_csv(path.read_bytes(), FILES["assignments"]) is None


def test_fast_and_careful_dates_agree(tmp_path, monkeypatch):
    text = ("staff_id,position_id,start_date,end_date\nS1,P1,2024-02-29,\nS2,P1,1900-01-01,2100-12-31\n"
            "S3,P2,2020-12-31,2021-01-01\n")
    (tmp_path / "assignments.csv").write_text(text)
    log = IssueLog()
    fast = read_table(tmp_path, FILES["assignments"], log)
    slow, slow_issues = careful(tmp_path, FILES["assignments"], monkeypatch)
    assert [str(i) for i in log.finish()] == slow_issues == []
    pd.testing.assert_frame_equal(as_objects(fast), as_objects(slow), check_dtype=False)


def test_dates_read_can_be_mended_in_place(tmp_path):
    # one block, no empty cell: the dates must still be the frame's own (writable) array
    path = tmp_path / "assignments.csv"
    path.write_text("staff_id,position_id,start_date,end_date\nS1,P1,2020-01-01,2020-06-30\n")
    df = fast_csv(path, FILES["assignments"])
    df.at[0, "end_date"] = pd.Timestamp("2020-12-31")
    assert df["end_date"].tolist() == [pd.Timestamp("2020-12-31")]


# --- spaces around values: trimmed the same way whichever reader reads the file, whatever else the file holds

_EDGE_SPACES = ["\t", "\xa0", "\u3000", "\u2009"]


@pytest.mark.parametrize("space", _EDGE_SPACES)
def test_a_value_padded_with_a_tab_or_a_unicode_space_is_trimmed_whatever_else_the_file_holds(bundle, space):
    """A tab or a no-break space after a value is not the fast reader's to keep: the careful reader trims it,
    both when the file holds nothing else to trim and when another value is padded with plain spaces."""
    alone = add_rows("staff.csv", f"S5,Ed Ng{space},LCSW,2020-01-01,,,,1.0")
    assert fast_csv(alone.encode("utf-8"), FILES["staff"]) is None
    with_spaces = add_rows("staff.csv", f"S5,Ed Ng{space},LCSW,2020-01-01,,,,1.0", "S6, Flo Li,LPC,2020-01-01,,,,1.0")
    for text in (alone, with_spaces):
        data, issues = validate_bundle(bundle(staff_csv=text))
        assert [i for i in issues if i.severity == "error"] == []
        assert data.staff["S5"].name == "Ed Ng"


def test_a_unicode_space_inside_a_value_is_kept(bundle):
    text = add_rows("staff.csv", "S5,Ed\xa0Ng,LCSW,2020-01-01,,,,1.0")
    assert fast_csv(text.encode("utf-8"), FILES["staff"]) is None      # the careful reader decides
    data, _ = validate_bundle(bundle(staff_csv=text))
    assert data.staff["S5"].name == "Ed\xa0Ng"


@pytest.mark.parametrize("other", ["", "S6, Flo Li,LPC,2020-01-01,,,,1.0"])
def test_a_control_character_at_the_edge_of_a_value_is_reported_even_beside_padding(bundle, other):
    """Trimming never hides a control character: the row is an error naming the file, line and column, whether
    or not another value of the file is padded with spaces."""
    text = add_rows("staff.csv", "S5,Ed Ng\x0b,LCSW,2020-01-01,,,,1.0", *([other] if other else []))
    _, issues = validate_bundle(bundle(staff_csv=text))
    errors = [str(i) for i in issues if i.severity == "error"]
    assert errors == ["staff.csv:6 [name] error: name holds the control character U+000B, which is not text (a "
                      "damaged export?); remove it"]


def _within(seconds, fn):
    """``fn()``'s value, failing (not hanging) when it takes longer than ``seconds``."""
    out = {}
    worker = threading.Thread(target=lambda: out.setdefault("v", fn()), daemon=True)
    worker.start()
    worker.join(seconds)
    assert not worker.is_alive(), "read_ahead hung"
    return out["v"]


def test_read_ahead_gives_the_frames_read_one_by_one():
    jobs = [(RIVERBEND / spec.filename, spec) for spec in FILES.values()]
    alone = [fast_csv(path, spec) for path, spec in jobs]

    def ahead():
        with read_ahead(jobs):
            return [fast_csv(path, spec) for path, spec in jobs]
    for a, b in zip(alone, _within(60, ahead)):
        pd.testing.assert_frame_equal(a, b)


def test_read_ahead_lets_the_reader_skip_and_repeat_files(tmp_path):
    jobs = [(RIVERBEND / spec.filename, spec) for spec in FILES.values()]
    (tmp_path / "staff.csv").write_text("staff_id,name\n S1 ,Ana\n")     # padded: the careful reader's

    def ahead():
        with read_ahead(jobs + [(tmp_path / "staff.csv", FILES["staff"])]):
            got = [fast_csv(*jobs[3]), fast_csv(*jobs[0]), fast_csv(*jobs[5]), fast_csv(*jobs[5])]
            return got + [fast_csv(tmp_path / "staff.csv", FILES["staff"])]
    got = _within(60, ahead)
    for frame, (path, spec) in zip(got[:4], [jobs[3], jobs[0], jobs[5], jobs[5]]):
        pd.testing.assert_frame_equal(frame, fast_csv(path, spec))
    assert got[4] is None
