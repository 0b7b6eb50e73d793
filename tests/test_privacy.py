"""Privacy: strong keys, keyed pseudonyms, references in text, coarse dates and small-cell suppression."""
from __future__ import annotations

import csv
import hashlib
import hmac
import json
import re

import pytest
from click.testing import CliRunner
from conftest import ANON_KEY, OTHER_KEY, RIVERBEND, ROOT

import orgraph
from orgraph.cli import main
from orgraph.errors import ConfigError
from orgraph.privacy import (KDF_SALT, KEY_RULE, SCRYPT_N, SCRYPT_P, SCRYPT_R, Pseudonymizer, coarsen_dates,
                             derive_key, expand_refs, key_problem, month, new_key, seat_ref, staff_ref, suppress,
                             tenure_band)

# ----------------------------------------------------------------------------------------------- keys


def test_pseudonyms_are_keyed_hmac_of_a_scrypt_stretched_key():
    p = Pseudonymizer(ANON_KEY)
    # the documented derivation, worked out directly: scrypt(key, salt "orgraph-pseudonym-v1", N=2**15, r=8, p=1,
    # 32 bytes), then "P-" and the first 10 hex digits, upper case, of HMAC-SHA256(derived key, id)
    assert (KDF_SALT, SCRYPT_N, SCRYPT_R, SCRYPT_P) == (b"orgraph-pseudonym-v1", 2 ** 15, 8, 1)
    derived = hashlib.scrypt(ANON_KEY.encode(), salt=b"orgraph-pseudonym-v1", n=2 ** 15, r=8, p=1,
                             maxmem=64 * 1024 * 1024, dklen=32)
    assert derive_key(ANON_KEY.encode()) == derived
    expected = "P-" + hmac.new(derived, b"S1", hashlib.sha256).hexdigest()[:10].upper()
    assert p("S1") == expected
    # not the plain HMAC of the raw key, which a guess can check in microseconds
    assert p("S1") != "P-" + hmac.new(ANON_KEY.encode(), b"S1", hashlib.sha256).hexdigest()[:10].upper()
    assert p.seat("OP-1") == "seat-" + hmac.new(derived, b"OP-1", hashlib.sha256).hexdigest()[:10].upper()
    # stable across instances (and runs: nothing random), keyed
    assert p("S1") == Pseudonymizer(ANON_KEY)("S1") == Pseudonymizer(ANON_KEY.encode())("S1")
    assert p("S1") != Pseudonymizer(OTHER_KEY)("S1") and p("S1") != p("S2")


def test_the_key_rule_and_derivation_are_documented():
    doc = " ".join((ROOT / "docs" / "privacy.md").read_text().split())
    assert KEY_RULE in doc
    n = SCRYPT_N.bit_length() - 1
    assert f"scrypt (N = 2^{n}, r = {SCRYPT_R}, p = {SCRYPT_P}, salt `{KDF_SALT.decode()}`" in doc


@pytest.mark.parametrize("key", ["", None, b""])
def test_pseudonyms_need_a_key(key):
    with pytest.raises(ConfigError, match="anonymizing needs a key"):
        Pseudonymizer(key)


@pytest.mark.parametrize("key, problem", [
    ("4711", "it has 4 characters"),
    ("k1", "it has 2 characters"),
    ("123456789012345678901234", "it uses 1 kind of character (digits)"),
    ("correcthorsebatterystaple", "it uses 1 kind of character (lower-case letters)"),
    ("Riverbendriverbend", "it uses 2 kinds of character (lower-case letters, upper-case letters)"),
    ("aaaaaaaaAAAAAAAA1111", "it has 3 different characters"),
])
def test_weak_keys_are_refused_naming_the_rule(key, problem):
    assert key_problem(key) == problem
    with pytest.raises(ConfigError) as exc:
        Pseudonymizer(key)
    assert str(exc.value) == (f"the anonymization key from --key or ORGRAPH_ANON_KEY is too weak ({problem}): a key "
                              f"needs {KEY_RULE}; or pass --new-key to have one made")


def test_strong_keys_are_accepted_and_new_keys_are_strong_and_new():
    for key in (ANON_KEY, OTHER_KEY, "correct horse battery 7", "Ünïcödé-schlüssel-1"):
        assert key_problem(key) is None, key
        assert Pseudonymizer(key)("S1").startswith("P-")
    keys = {new_key() for _ in range(50)}
    assert len(keys) == 50 and all(key_problem(k) is None and len(k) == 32 for k in keys)


def test_the_command_line_refuses_weak_keys_and_makes_new_ones(bundle, tmp_path):
    folder = bundle()
    run = CliRunner().invoke
    r = run(main, ["snapshot", str(folder), "--out", str(tmp_path / "w"), "--anonymize", "--key", "4711", "--no-png"],
            env={"ORGRAPH_ANON_KEY": ""})
    assert r.exit_code == 1
    assert r.stderr == ("Error: the anonymization key from --key is too weak (it has 4 characters): a key needs "
                        f"{KEY_RULE}; or pass --new-key to have one made\n")
    r = run(main, ["audit", str(folder), "--out", str(tmp_path / "w"), "--anonymize", "--no-png"],
            env={"ORGRAPH_ANON_KEY": "4711"})
    assert r.exit_code == 1 and "the anonymization key from ORGRAPH_ANON_KEY is too weak" in r.stderr
    r = run(main, ["map", str(folder), "--out", str(tmp_path / "m.html"), "--key", ANON_KEY, "--new-key"])
    assert r.exit_code == 2 and "use either --key or --new-key, not both" in r.stderr
    assert not (tmp_path / "w").exists()

    # --new-key: printed once, on stderr only, and used (it implies --anonymize)
    r = run(main, ["snapshot", str(folder), "--out", str(tmp_path / "a"), "--new-key", "--no-png"],
            env={"ORGRAPH_ANON_KEY": ""})
    assert r.exit_code == 0, r.stderr
    printed = re.findall(r"^    (\S+)$", r.stderr, flags=re.M)
    assert len(printed) == 1 and key_problem(printed[0]) is None
    key = printed[0]
    assert r.stderr.count(key) == 1 and key not in r.stdout and "Keep it somewhere safe" in r.stderr
    for f in (tmp_path / "a").iterdir():
        assert key not in f.read_text(encoding="utf-8", errors="replace"), f.name
    graph = json.loads((tmp_path / "a" / "graph.json").read_text())
    people = sorted(n["id"] for n in graph["nodes"] if n["kind"] == "staff")
    p = Pseudonymizer(key)
    org = orgraph.load(folder)
    employed = org.snapshot(org.data_end)
    assert people == sorted(p(a["id"]) for _, a in employed.nodes(data=True) if a["kind"] == "staff")
    # the same key again gives the same pseudonyms
    r = run(main, ["snapshot", str(folder), "--out", str(tmp_path / "b"), "--anonymize", "--no-png"],
            env={"ORGRAPH_ANON_KEY": key})
    assert r.exit_code == 0, r.stderr
    assert key not in r.stderr + r.stdout
    again = json.loads((tmp_path / "b" / "graph.json").read_text())
    assert sorted(n["id"] for n in again["nodes"] if n["kind"] == "staff") == people


# ------------------------------------------------------------------------------------ words and cells


def test_refs_become_names_or_pseudonyms():
    text = f"Left 45 days after their supervisor {staff_ref('S3')} left; {staff_ref('S9')} stayed in {seat_ref('OP-1')}"
    assert expand_refs(text, {"S3": "Cy (S3)", "S9": "Ivy (S9)"}.get) == \
        "Left 45 days after their supervisor Cy (S3) left; Ivy (S9) stayed in OP-1"
    p = Pseudonymizer(ANON_KEY)
    assert expand_refs(text, p, p.seat) == \
        f"Left 45 days after their supervisor {p('S3')} left; {p('S9')} stayed in {p.seat('OP-1')}"
    assert expand_refs("no reference", p) == "no reference"


def test_dates_become_months_and_tenure_bands():
    assert month("2025-09-03") == "2025-09"
    assert coarsen_dates(["Left on 2025-09-03 (2025-09-03T10:00)", {"d": "2024-02-29"}, 20250903]) == \
        ["Left on 2025-09 (2025-09T10:00)", {"d": "2024-02"}, 20250903]
    # bands: [0, 365) days, [365, 730), [730, 1826), [1826, 3652), 3652 and more
    assert [tenure_band(d) for d in (0, 364, 365, 729, 730, 1825, 1826, 3651, 3652, 9000)] == [
        "under 1 year", "under 1 year", "1-2 years", "1-2 years", "2-5 years", "2-5 years", "5-10 years",
        "5-10 years", "10 years or more", "10 years or more"]


def test_suppress():
    assert [suppress(v, 5) for v in (0, 1, 4, 5, 2.0, "x", True)] == [0, "<5", "<5", 5, "<5", "x", True]
    assert suppress(10, 11) == "<11" and suppress(-1, 5) == -1


# ------------------------------------------------------------------------- an anonymized audit, whole


def _riverbend_people():
    with (RIVERBEND / "staff.csv").open(encoding="utf-8") as f:
        staff = list(csv.DictReader(f))
    with (RIVERBEND / "positions.csv").open(encoding="utf-8") as f:
        seats = {r["position_id"] for r in csv.DictReader(f)}
    dates = {d for r in staff for d in (r["hire_date"], r["termination_date"])}
    for name in ("assignments.csv", "supervision.csv"):
        with (RIVERBEND / name).open(encoding="utf-8") as f:
            dates |= {d for r in csv.DictReader(f) for d in (r["start_date"], r["end_date"])}
    return ({r["staff_id"] for r in staff}, {r["name"] for r in staff}, seats, dates - {""})


def test_an_anonymized_audit_of_riverbend_writes_nothing_that_reidentifies_a_person(riverbend, tmp_path):
    ids, names, seats, dates = _riverbend_people()
    as_of = "2025-12-30"                       # the user's date is shown as given; it is nobody's date here
    assert as_of not in dates and len(ids) > 300 and len(dates) > 500
    out = tmp_path / "audit"
    r = CliRunner().invoke(main, ["audit", str(RIVERBEND), "--out", str(out), "--as-of", as_of,
                                                  "--anonymize", "--no-png"], env={"ORGRAPH_ANON_KEY": ANON_KEY})
    assert r.exit_code == 0, r.stderr
    written = sorted(p for p in out.iterdir() if p.suffix in (".html", ".json", ".csv", ".md", ".graphml"))
    assert {p.name for p in written} >= {"findings.json", "report.md", "index.html", "map.html", "graph.json",
                                         "graph.graphml", "exits_by_quarter.csv"}

    def words(values):
        return re.compile(r"(?<![\w-])(?:" + "|".join(map(re.escape, sorted(values, key=len, reverse=True)))
                          + r")(?![\w-])")

    forbidden = {"staff id": words(ids), "name": words(names), "seat id": words(seats),
                 "exact personal date": words(dates),
                 "how a person left": re.compile(r"\b(?:in)?voluntary\b", re.IGNORECASE)}
    for p in written:
        text = p.read_text(encoding="utf-8")
        for what, pattern in forbidden.items():
            hits = sorted({m.group(0) for m in pattern.finditer(text)})
            assert not hits, f"{p.name} shows a {what}: {hits[:5]}"

    # what is shown instead: pseudonyms, months, bands, suppressed counts
    pseudo = Pseudonymizer(ANON_KEY)
    graph = json.loads((out / "graph.json").read_text())
    staff = [n for n in graph["nodes"] if n["kind"] == "staff"]
    assert staff and all(n["id"].startswith("P-") and "tenure_days" not in n for n in staff)
    assert {n["tenure"] for n in staff} <= {"under 1 year", "1-2 years", "2-5 years", "5-10 years",
                                            "10 years or more"}
    assert all(n["position_id"].startswith("seat-") for n in staff if "position_id" in n)
    assert all(re.fullmatch(r"\d{4}-\d{2}", e["start"]) for e in graph["links"] if "start" in e)
    page = (out / "map.html").read_text()
    assert re.search(r"Left in \d{4}-\d{2}\\n", page) and "Tenure: 10 years or more" in page
    data = json.loads(page.split('id="orgraph-data">')[1].split("</script>")[0])
    assert data["counts"]["overloaded"] == "<5"       # one overloaded supervisor: the rule of every other table
    doc = json.loads((out / "findings.json").read_text())
    assert doc["as_of"] == as_of and doc["window_start"] == "2022-01"
    assert any(s == pseudo.seat("OP-CLN22") for f in doc["findings"] for s in f["subjects"])
    assert all("tenure_days" not in r for r in doc["at_risk"])
    assert "fewer than 5 directors" in doc["headlines"][0]
