"""Headless Chromium for the map and pack tests, plus small hand-built orgs.

:func:`open_browser` starts Debian's ``/usr/bin/chromium`` through Selenium and
``/usr/bin/chromedriver`` with a fresh profile and the network switched off
(DevTools ``Network.emulateNetworkConditions`` offline). :meth:`Browser.load`
opens a page, waits for the map and returns what happened: console errors,
requests that tried to leave for the network, and alerts. Under ``CI=true`` a
missing browser is a test failure, not a skip.
"""
from __future__ import annotations

import datetime as dt
import json
import os
import random
import shutil
import tempfile
import time
from pathlib import Path

import pytest

from orgraph.model import Assignment, OrgData, Position, Program, Staff, Supervision

CHROMIUM = os.environ.get("ORGRAPH_CHROMIUM", "/usr/bin/chromium")
CHROMEDRIVER = os.environ.get("ORGRAPH_CHROMEDRIVER", "/usr/bin/chromedriver")
FLAGS = ["--headless=new", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
         "--disable-background-networking", "--disable-component-update", "--disable-sync",
         "--disable-dev-shm-usage", "--window-size=1400,900"]
LOCAL_SCHEMES = ("file:", "data:", "about:", "blob:", "chrome:", "chrome-error:", "devtools:")

XSS_IMG = "<img src=x onerror=\"window.__pwned=1;alert(1)\">"
XSS_SCRIPT = "</script><script>window.__pwned=2;alert(1)</script>"


def browser_available() -> bool:
    return Path(CHROMIUM).exists() and Path(CHROMEDRIVER).exists()


def require_browser() -> None:
    """Skip when there is no browser, except under CI=true, where that is a failure."""
    if browser_available():
        return
    msg = f"headless Chromium not found ({CHROMIUM}, {CHROMEDRIVER}); apt-get install chromium chromium-driver"
    if os.environ.get("CI", "").lower() == "true":
        pytest.fail(msg)
    pytest.skip(msg)


class Browser:
    def __init__(self):
        from selenium import webdriver
        from selenium.webdriver.chrome.service import Service

        self.profile = tempfile.mkdtemp(prefix="orgraph-chromium-")
        opts = webdriver.ChromeOptions()
        opts.binary_location = CHROMIUM
        for f in FLAGS:
            opts.add_argument(f)
        opts.add_argument(f"--user-data-dir={self.profile}")
        opts.set_capability("goog:loggingPrefs", {"browser": "ALL", "performance": "ALL"})
        opts.set_capability("unhandledPromptBehavior", "ignore")
        self.driver = webdriver.Chrome(service=Service(CHROMEDRIVER), options=opts)
        self.driver.set_page_load_timeout(120)
        self.driver.set_script_timeout(120)
        self.driver.execute_cdp_cmd("Network.enable", {})
        self.driver.execute_cdp_cmd("Network.emulateNetworkConditions", {
            "offline": True, "latency": 0, "downloadThroughput": 0, "uploadThroughput": 0})

    def _drain(self):
        self.driver.get_log("browser")
        self.driver.get_log("performance")

    def alert_text(self) -> str | None:
        from selenium.common.exceptions import NoAlertPresentException

        try:
            alert = self.driver.switch_to.alert
        except NoAlertPresentException:
            return None
        text = alert.text
        alert.dismiss()
        return text

    def load(self, path: Path, *, wait_for: str = "window.orgraphMap && window.orgraphMap.ready",
             timeout: float = 90.0) -> dict:
        """Open ``path`` and wait until ``wait_for`` is true; report what happened."""
        self._drain()
        t0 = time.perf_counter()
        self.driver.get(Path(path).resolve().as_uri())
        alerts = []
        deadline = time.time() + timeout
        ok = False
        while time.time() < deadline:
            a = self.alert_text()
            if a is not None:
                alerts.append(a)
                continue
            if self.driver.execute_script(f"return !!({wait_for});"):
                ok = True
                break
            time.sleep(0.05)
        wall = time.perf_counter() - t0
        return {"ok": ok, "wall_seconds": wall, "alerts": alerts, **self.report()}

    def report(self) -> dict:
        errors = [e for e in self.driver.get_log("browser") if e["level"] == "SEVERE"]
        requests = []
        for entry in self.driver.get_log("performance"):
            msg = json.loads(entry["message"])["message"]
            if msg["method"] == "Network.requestWillBeSent":
                requests.append(msg["params"]["request"]["url"])
        external = [u for u in requests if not u.startswith(LOCAL_SCHEMES)]
        return {"console_errors": errors, "requests": requests, "external_requests": external}

    def js(self, script: str, *args):
        return self.driver.execute_script(script, *args)

    def close(self):
        try:
            self.driver.quit()
        finally:
            shutil.rmtree(self.profile, ignore_errors=True)


@pytest.fixture(scope="module")
def browser():
    require_browser()
    b = Browser()
    try:
        yield b
    finally:
        b.close()


# ------------------------------------------------------------------ orgs
D = dt.date


def small_org() -> OrgData:
    """Ten people in two programs; hand-checked map on 2024-06-30 (see tests/test_maps.py).

    S3 (a supervisor named with a script payload) left on 2024-03-31; their team
    S7, S8, S9 moved to S2 or S1; S7 then left on 2024-05-15. S2 is named with an
    ``<img onerror>`` payload.
    """
    staff = {
        "S1": Staff("S1", "Ana Director", "LCSW", D(2018, 1, 1)),
        "S2": Staff("S2", XSS_IMG, "LPC", D(2019, 1, 1)),
        "S3": Staff("S3", XSS_SCRIPT, "LPC", D(2019, 1, 1), D(2024, 3, 31), "voluntary"),
        "S4": Staff("S4", "Dee & \"Quotes\" 'O'Neil'", "LPC", D(2022, 1, 1)),
        "S5": Staff("S5", "Eve", "LMFT", D(2022, 1, 1)),
        "S6": Staff("S6", "Fay", "LMFT", D(2023, 1, 1)),
        "S7": Staff("S7", "Gus", "LPC", D(2021, 1, 1), D(2024, 5, 15), "voluntary"),
        "S8": Staff("S8", "Hal", "LPC", D(2021, 1, 1)),
        "S9": Staff("S9", "Ivy", "LPC", D(2021, 1, 1)),
        "S10": Staff("S10", "Zed", "LCSW", D(2020, 1, 1)),
        "S11": Staff("S11", "Old Timer", "LCSW", D(2019, 1, 1), D(2023, 1, 1), "retirement"),
    }
    programs = {"OP": Program("OP", "Outpatient <b>bold</b>", "outpatient"),
                "CR": Program("CR", "Crisis", "crisis")}
    positions = {
        "P1": Position("P1", "Director", "OP", "director"),
        "P2": Position("P2", "Supervisor A", "OP", "supervisor"),
        "P3": Position("P3", "Supervisor B", "OP", "supervisor"),
        "P4": Position("P4", "Therapist", "OP", "clinician", 30),
        "P5": Position("P5", "Therapist", "OP", "clinician", 30),
        "P6": Position("P6", "Therapist", "OP", "clinician", 30),
        "P7": Position("P7", "Therapist", "OP", "clinician", 30),
        "P8": Position("P8", "Therapist", "OP", "clinician", 30),
        "P9": Position("P9", "Therapist", "OP", "clinician", 30),
        "P10": Position("P10", "Crisis worker", "CR", "clinician", 20),
        "P11": Position("P11", "Crisis worker", "CR", "clinician", 20),
    }
    a = [Assignment("S1", "P1", D(2018, 1, 1)), Assignment("S2", "P2", D(2019, 1, 1)),
         Assignment("S3", "P3", D(2019, 1, 1), D(2024, 3, 31)), Assignment("S4", "P4", D(2022, 1, 1)),
         Assignment("S5", "P5", D(2022, 1, 1)), Assignment("S6", "P6", D(2023, 1, 1)),
         Assignment("S7", "P7", D(2021, 1, 1), D(2024, 5, 15)), Assignment("S8", "P8", D(2021, 1, 1)),
         Assignment("S9", "P9", D(2021, 1, 1)), Assignment("S10", "P10", D(2020, 1, 1)),
         Assignment("S11", "P11", D(2019, 1, 1), D(2023, 1, 1))]
    s = [Supervision("S2", "S1", D(2019, 1, 1)), Supervision("S3", "S1", D(2019, 1, 1), D(2024, 3, 31)),
         Supervision("S4", "S2", D(2022, 1, 1)), Supervision("S5", "S2", D(2022, 1, 1)),
         Supervision("S6", "S2", D(2023, 1, 1)),
         Supervision("S7", "S3", D(2021, 1, 1), D(2024, 3, 31)), Supervision("S7", "S2", D(2024, 4, 1), D(2024, 5, 15)),
         Supervision("S8", "S3", D(2021, 1, 1), D(2024, 3, 31)), Supervision("S8", "S2", D(2024, 4, 1)),
         Supervision("S9", "S3", D(2021, 1, 1), D(2024, 3, 31)), Supervision("S9", "S1", D(2024, 4, 1)),
         Supervision("S10", "S1", D(2020, 1, 1)), Supervision("S11", "S1", D(2019, 1, 1), D(2023, 1, 1))]
    import pandas as pd

    caseload = pd.DataFrame({"staff_id": ["S4", "S5", "S6", "S8", "S9", "S10", "S7"],
                             "month": pd.to_datetime(["2024-06-01"] * 6 + ["2024-05-01"]),
                             "active_clients": [36, 20, 25, 30, 28, 12, 40]})
    caseload["active_clients"] = caseload["active_clients"].astype("int64")
    return OrgData(staff=staff, programs=programs, positions=positions, assignments=a, supervision=s,
                   caseload=caseload, present={"caseload"})


def random_org(n_staff: int, *, seed: int = 1, start: dt.date = D(2020, 1, 1), end: dt.date = D(2024, 12, 31),
               annual_turnover: float = 0.25) -> OrgData:
    """A plausible org of about ``n_staff`` people on any day: programs, directors, supervisors, clinicians.

    Seats are refilled a month after each exit; a supervisor's replacement takes over the team.
    """
    import pandas as pd

    rng = random.Random(seed)
    n_prog = max(2, n_staff // 80)
    programs, positions, seats = {}, {}, []  # seats: (position_id, supervisor seat or None)
    for p in range(n_prog):
        pid = f"PR{p + 1}"
        programs[pid] = Program(pid, f"Program {p + 1}", rng.choice(["outpatient", "crisis", "residential"]))
        dseat = f"{pid}-D"
        positions[dseat] = Position(dseat, "Program director", pid, "director")
        seats.append((dseat, None))
        per_prog = max(4, n_staff // n_prog - 1)
        n_sup = max(1, per_prog // 8)
        for s in range(n_sup):
            sseat = f"{pid}-S{s + 1}"
            positions[sseat] = Position(sseat, "Clinical supervisor", pid, "supervisor")
            seats.append((sseat, dseat))
        for c in range(per_prog - n_sup):
            cseat = f"{pid}-C{c + 1}"
            positions[cseat] = Position(cseat, "Therapist", pid, "clinician", 25)
            seats.append((cseat, f"{pid}-S{c % n_sup + 1}"))
    staff, assignments = {}, []
    holders: dict[str, list[tuple[str, dt.date, dt.date | None]]] = {}
    daily = annual_turnover / 365.0
    k = 0
    for seat, _ in seats:
        day = start
        while day <= end:
            k += 1
            sid = f"E{k:05d}"
            tenure = int(rng.expovariate(daily)) + 30
            last = day + dt.timedelta(days=tenure)
            term = last if last <= end else None
            hire = day if day > start else start - dt.timedelta(days=rng.randint(30, 2000))
            staff[sid] = Staff(sid, f"Person {k}", rng.choice(["LCSW", "LPC", "LMFT", "PsyD"]), hire, term,
                               "voluntary" if term else None)
            assignments.append(Assignment(sid, seat, day if day > start else hire, term))
            holders.setdefault(seat, []).append((sid, day if day > start else hire, term))
            if term is None:
                break
            day = term + dt.timedelta(days=30)
    sup_of = dict(seats)
    supervision = []
    for seat, hs in holders.items():
        boss_seat = sup_of.get(seat)
        if boss_seat is None:
            continue
        for sid, s0, s1 in hs:
            for bid, b0, b1 in holders[boss_seat]:
                lo = max(s0, b0)
                hi_candidates = [x for x in (s1, b1) if x is not None]
                hi = min(hi_candidates) if hi_candidates else None
                if hi is None or lo <= hi:
                    supervision.append(Supervision(sid, bid, lo, hi))
    rows = []
    months = pd.date_range(D(end.year, 1, 1), end, freq="MS")
    seat_of = {a.staff_id: a.position_id for a in assignments}
    for sid, st in staff.items():
        if positions[seat_of[sid]].role_kind != "clinician":
            continue
        for m in months:
            if st.hire_date <= m.date() and (st.termination_date is None or st.termination_date >= m.date()):
                rows.append((sid, m, rng.randint(5, 45)))
    caseload = pd.DataFrame(rows, columns=["staff_id", "month", "active_clients"])
    caseload["active_clients"] = caseload["active_clients"].astype("int64")
    return OrgData(staff=staff, programs=programs, positions=positions, assignments=assignments,
                   supervision=supervision, caseload=caseload, present={"caseload"})
