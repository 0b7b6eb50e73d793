"""``orgraph import``: turn HRIS exports (roster, job history, job spells) and an EHR services export into a bundle."""
from __future__ import annotations

import json
import shutil
from pathlib import Path

import click
from ..plain import plural

KEY_ENV = "ORGRAPH_ANON_KEY"

__all__ = ["COMMANDS", "import_command"]


@click.command("import")
@click.argument("data_files", metavar="DATA_FILE...", nargs=-1, type=click.Path(dir_okay=False))
@click.option("--mapping", "-m", "mappings", type=click.Path(dir_okay=False), multiple=True,
              help="The mapping (TOML) naming which column holds which field, one per DATA_FILE in the same order; "
                   "see docs/importing.md.")
@click.option("--out", "-o", "out", type=click.Path(), default=None,
              help="The bundle folder to write; with --infer-mapping, the mapping file to write.")
@click.option("--infer-mapping", "infer", is_flag=True,
              help="Write a draft mapping from the export's headers (to stdout, or --out FILE) for you to review.")
@click.option("--force", is_flag=True,
              help="Replace an existing, non-empty --out folder as a whole (nothing of the old bundle is kept); for "
                   "a services export alone, replace the bundle's caseload, documentation, client and supervision "
                   "session files.")
@click.option("--key", envvar=KEY_ENV, default=None,
              help=f"Secret for the client pseudonyms of a services export (or ${KEY_ENV}); the same key gives the "
                   "same pseudonyms.")
@click.option("--parquet", is_flag=True,
              help="Write the bundle files as Parquet (staff.parquet, ...) once the bundle validates; every orgraph "
                   "command reads them, faster than CSV for large exports.")
@click.option("--format", "fmt", type=click.Choice(["table", "json"]), default="table", show_default=True,
              help="Summary as readable text or JSON.")
def import_command(data_files, mappings, out, infer, force, key, parquet, fmt):
    """Import HRIS and EHR exports (CSV or Excel) into a bundle folder and validate it.

    \b
    orgraph import roster.csv --mapping roster.toml --out my_org
    orgraph import employees.csv job_history.csv -m employees.toml -m spells.toml --out my_org
    orgraph import roster.csv services.csv -m roster.toml -m services.toml --out my_org
    orgraph import services.csv --mapping services.toml --out my_org   # into an existing bundle
    orgraph import --infer-mapping roster.csv --out roster.toml

    A whole org is one HR export (a roster, a job history, or job spells with
    or without the roster beside them) plus at most one EHR services export,
    each with its mapping in the order of the files. Every source row is
    counted as imported, merged or rejected; rejected rows go to
    OUT/rejected.csv (rejected-roster.csv, rejected-services.csv) with their
    line number and reason. An existing, non-empty OUT is refused unless
    --force, which replaces it as a whole. Exit code 1 if the written bundle
    has errors or no row of a file could be imported. --parquet writes the
    validated bundle's files as Parquet instead of CSV.
    """
    from ..importing import format_summary, import_file, infer_mapping, load_mapping
    from ..importing.services import NOTE_LAG_FILE, OUTPUT_FILES, import_services
    from ..importing.writer import bundle_to_parquet

    if infer:
        if mappings:
            raise click.UsageError("--infer-mapping writes a mapping; do not pass --mapping with it")
        if len(data_files) != 1:
            raise click.UsageError("--infer-mapping reads one DATA_FILE")
        data_file = data_files[0]
        text = infer_mapping(data_file)
        if out:
            path = Path(out)
            if path.exists():
                raise click.UsageError(f"{path} exists; choose another --out or delete it first")
            if not path.parent.is_dir():
                raise click.UsageError(f"the folder {path.parent} does not exist; create it or choose another --out")
            path.write_text(text, encoding="utf-8")
            click.echo(f"Wrote a draft mapping to {path}; review the lines marked REVIEW and guessed, then run:\n"
                       f"  orgraph import {data_file} --mapping {path} --out BUNDLE_DIR", err=True)
        else:
            click.echo(text, nl=False)
        return
    if not data_files:
        raise click.UsageError("give the export to import: orgraph import DATA_FILE --mapping MAPPING.toml --out DIR")
    if not mappings:
        raise click.UsageError("--mapping MAPPING.toml is required (or use --infer-mapping to draft one)")
    if len(mappings) != len(data_files):
        raise click.UsageError(f"{len(data_files)} file(s) but {len(mappings)} --mapping(s): give one mapping per "
                               "file, in the order of the files")
    if not out:
        raise click.UsageError("--out DIR is required: the bundle folder to write")
    plan = _plan([(f, load_mapping(m)) for f, m in zip(data_files, mappings)])
    target = Path(out)
    if target.exists() and not target.is_dir():
        raise click.UsageError(f"{target} is a file; --out names the bundle folder to write")
    summaries = []
    if plan["hr"] is None:                  # services alone, into an existing bundle
        if (target / "staff.parquet").is_file() and not (target / "staff.csv").is_file():
            raise click.UsageError(f"{target} is a Parquet bundle; a services export is imported into a CSV "
                                   "bundle: import the HR and services exports together (with --parquet)")
        if not (target / "staff.csv").is_file():
            raise click.UsageError(f"{target} has no staff.csv: import the HR export first, or give it together "
                                   "with the services export")
        old = [n for n in OUTPUT_FILES if (target / n).exists()]
        if old and not force:
            raise click.UsageError(f"{target} already has {', '.join(old)}; pass --force to replace them with "
                                   "this export's")
        for name in (*old, NOTE_LAG_FILE):
            (target / name).unlink(missing_ok=True)
        summaries.append(import_services(*plan["services"], target, key=key))
    else:
        old = None
        if target.is_dir() and any(target.iterdir()):
            if not force:
                raise click.UsageError(f"{target} is not empty; choose a new --out, or pass --force to replace it "
                                       "as a whole (an old bundle's files would otherwise mix with the new one)")
            old = target.with_name(f".{target.name}.replaced")
            if old.exists():
                shutil.rmtree(old)
            target.rename(old)
        try:
            hr_file, hr_map = plan["hr"]
            summaries.append(import_file(hr_file, hr_map, out, roster=plan["roster"],
                                         validate=plan["services"] is None))
            if plan["services"] is not None:
                summaries.append(import_services(*plan["services"], target, key=key))
        except BaseException:
            if old is not None:                 # put the old bundle back as it was
                if target.exists():
                    shutil.rmtree(target)
                old.rename(target)
            raise
        if old is not None:
            shutil.rmtree(old)
    if fmt == "json":
        click.echo(json.dumps(summaries[0] if len(summaries) == 1 else {"imports": summaries}, indent=2,
                              default=str))
    else:
        click.echo("\n".join(format_summary(s) for s in summaries))
    for s in summaries:
        if not s.get("rows_imported"):
            click.echo(f"Error: no row of {s['source']} could be imported; see the rejected rows in {out}", err=True)
            raise SystemExit(1)
    v = summaries[-1]["validation"]
    if v["status"] == "errors":
        click.echo(f"Error: the imported bundle in {out} has {plural(v['errors'], 'validation error')}; "
                   f"run `orgraph validate {out}` for the full list", err=True)
        raise SystemExit(1)
    if parquet:
        written = bundle_to_parquet(target)
        click.echo(f"Wrote the bundle as Parquet: {', '.join(written)}", err=True)


def _plan(pairs) -> dict:
    """Which file is the HR export, which the roster beside job spells, which the services export."""
    by_kind: dict[str, list] = {}
    for f, m in pairs:
        by_kind.setdefault(m.kind, []).append((f, m))
    kinds = [m.kind for _, m in pairs]
    hr_kinds = [k for k in kinds if k != "services"]
    ok = (kinds.count("services") <= 1 and len(hr_kinds) <= 2 and len(set(hr_kinds)) == len(hr_kinds)
          and (len(hr_kinds) < 2 or set(hr_kinds) == {"roster", "job_spells"}))
    if not ok:
        raise click.UsageError(f"cannot combine {', '.join(kinds)}: a whole org is one HR export (roster, "
                               "job_history or job_spells, or a roster with job_spells) and at most one services "
                               "export")
    services = by_kind.get("services", [None])[0]
    if "job_spells" in by_kind:
        roster = by_kind.get("roster", [None])[0]
        return {"hr": by_kind["job_spells"][0], "roster": roster, "services": services}
    hr = next((by_kind[k][0] for k in ("roster", "job_history") if k in by_kind), None)
    return {"hr": hr, "roster": None, "services": services}


COMMANDS = [import_command]
