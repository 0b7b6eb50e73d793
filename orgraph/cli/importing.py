"""``orgraph import``: turn an HRIS export (roster or job history) into a bundle."""
from __future__ import annotations

import json
import shutil
from pathlib import Path

import click
from ..plain import plural

__all__ = ["COMMANDS", "import_command"]


@click.command("import")
@click.argument("data_file", metavar="DATA_FILE", type=click.Path(dir_okay=False))
@click.option("--mapping", "-m", "mapping", type=click.Path(dir_okay=False), default=None,
              help="The mapping (TOML) naming which column holds which field; see docs/importing.md.")
@click.option("--out", "-o", "out", type=click.Path(), default=None,
              help="The bundle folder to write; with --infer-mapping, the mapping file to write.")
@click.option("--infer-mapping", "infer", is_flag=True,
              help="Write a draft mapping from the export's headers (to stdout, or --out FILE) for you to review.")
@click.option("--force", is_flag=True,
              help="Replace an existing, non-empty --out folder as a whole (nothing of the old bundle is kept).")
@click.option("--format", "fmt", type=click.Choice(["table", "json"]), default="table", show_default=True,
              help="Summary as readable text or JSON.")
def import_command(data_file, mapping, out, infer, force, fmt):
    """Import an HRIS export (CSV or Excel) into a bundle folder and validate it.

    \b
    orgraph import roster.csv --mapping roster.toml --out my_org
    orgraph import --infer-mapping roster.csv --out roster.toml

    Every source row is counted as imported, merged or rejected; rejected rows
    go to OUT/rejected.csv with their line number and reason, and the summary
    to OUT/import-summary.json. An existing, non-empty OUT is refused unless
    --force, which replaces it as a whole. Exit code 1 if the written bundle
    has errors or no row could be imported.
    """
    from ..importing import format_summary, import_file, infer_mapping

    if infer:
        if mapping:
            raise click.UsageError("--infer-mapping writes a mapping; do not pass --mapping with it")
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
    if not mapping:
        raise click.UsageError("--mapping MAPPING.toml is required (or use --infer-mapping to draft one)")
    if not out:
        raise click.UsageError("--out DIR is required: the bundle folder to write")
    target = Path(out)
    if target.exists() and not target.is_dir():
        raise click.UsageError(f"{target} is a file; --out names the bundle folder to write")
    old = None
    if target.is_dir() and any(target.iterdir()):
        if not force:
            raise click.UsageError(f"{target} is not empty; choose a new --out, or pass --force to replace it as a "
                                   "whole (an old bundle's files would otherwise mix with the new one)")
        old = target.with_name(f".{target.name}.replaced")
        if old.exists():
            shutil.rmtree(old)
        target.rename(old)
    try:
        summary = import_file(data_file, mapping, out)
    except BaseException:
        if old is not None:                 # put the old bundle back as it was
            if target.exists():
                shutil.rmtree(target)
            old.rename(target)
        raise
    if old is not None:
        shutil.rmtree(old)
    if fmt == "json":
        click.echo(json.dumps(summary, indent=2, default=str))
    else:
        click.echo(format_summary(summary))
    v = summary["validation"]
    if not summary.get("rows_imported"):
        click.echo(f"Error: no row of {data_file} could be imported; see {Path(out) / 'rejected.csv'}", err=True)
        raise SystemExit(1)
    if v["status"] == "errors":
        click.echo(f"Error: the imported bundle in {out} has {plural(v['errors'], 'validation error')}; "
                   f"run `orgraph validate {out}` for the full list", err=True)
        raise SystemExit(1)


COMMANDS = [import_command]
