"""Small hand-written bundles for tests: a valid base and a way to break it one file at a time."""
from __future__ import annotations

from pathlib import Path

BASE = {
    "staff.csv": """staff_id,name,discipline,hire_date,termination_date,termination_type,termination_reason,fte
S1,Ana Diaz,LCSW,2020-01-01,,,,1.0
S2,Bo Chen,LPC,2020-02-01,2021-06-30,voluntary,moved away,1.0
S3,Cy Ortiz,LMFT,2020-03-01,,,,0.8
S4,Di Park,LCSW,2020-01-15,,,,1.0
""",
    "programs.csv": """program_id,name,service_line
OP,Outpatient,outpatient
""",
    "positions.csv": """position_id,title,program_id,role_kind
P1,Clinical Supervisor,OP,supervisor
P2,Therapist,OP,clinician
P3,Therapist,OP,clinician
P4,Director,OP,director
""",
    "assignments.csv": """staff_id,position_id,start_date,end_date
S1,P1,2020-01-01,
S2,P2,2020-02-01,2021-06-30
S3,P3,2020-03-01,
S4,P4,2020-01-15,
""",
    "supervision.csv": """staff_id,supervisor_id,start_date,end_date
S2,S1,2020-02-01,2021-06-30
S3,S1,2020-03-01,
S1,S4,2020-01-15,
""",
}


def write_bundle(folder: Path, **files: str | None) -> Path:
    """Write the base bundle into ``folder`` with some files replaced (``None`` removes one).

    Keyword names are file names with ``.csv`` replaced by ``_csv``: ``staff_csv="..."``.
    """
    folder.mkdir(parents=True, exist_ok=True)
    contents = dict(BASE)
    for key, text in files.items():
        name = key.replace("_csv", ".csv").replace("_toml", ".toml")
        contents[name] = text
    for name, text in contents.items():
        if text is None:
            continue
        (folder / name).write_text(text, encoding="utf-8")
    return folder


def replace_rows(file: str, *rows: str, header: bool = True) -> str:
    """The base file with its data rows replaced by ``rows``."""
    head = BASE[file].splitlines()[0]
    return "\n".join(([head] if header else []) + list(rows)) + "\n"


def add_rows(file: str, *rows: str) -> str:
    """The base file with ``rows`` appended."""
    return BASE[file] + "\n".join(rows) + "\n"
