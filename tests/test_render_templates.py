"""Jinja templates and assets: autoescaping, hostile names, the CSP, and every file used and shipped in the wheel."""
from __future__ import annotations

import dataclasses
import datetime as dt
import json
import re
import subprocess
import sys
import zipfile
from importlib import resources
from pathlib import Path

import jinja2
import pytest

sys.path.insert(0, str(Path(__file__).parent))
from browser import small_org  # noqa: E402

from orgraph import registry  # noqa: E402
from orgraph.render import templating  # noqa: E402
from orgraph.render.maps import build_map  # noqa: E402
from orgraph.render.pack import write_pack  # noqa: E402
from orgraph.report.findings import finding  # noqa: E402
from orgraph.report.flags import MapFlags  # noqa: E402
from orgraph.report.pack import pack_content  # noqa: E402
from test_maps import flagging_org  # noqa: E402

ROOT = Path(__file__).resolve().parents[1]
RENDER = ROOT / "orgraph" / "render"
HOSTILE = "<img src=x onerror=alert(1)>"
AS_OF = dt.date(2024, 6, 30)
CSP = ("default-src 'none'; script-src 'unsafe-inline'; style-src 'unsafe-inline'; img-src data:")
NOTE = f"an analysis named {HOSTILE} could not run"


@pytest.fixture(scope="module")
def hostile_org():
    """The small org with the hostile name on a supervisor (S3), a clinician (S5) and a program (CR), and limits
    low enough that the real cascade analysis flags S3's exit (see tests/test_maps.py)."""
    data = small_org()
    for sid in ("S3", "S5"):
        data.staff[sid] = dataclasses.replace(data.staff[sid], name=HOSTILE)
    data.programs["CR"] = dataclasses.replace(data.programs["CR"], name=HOSTILE)
    return flagging_org(data)


def _content(org, **kw):
    """What the pack says about the real cascade, overload and churn results, with a hostile note."""
    results, notes = registry.run_analyses(org, as_of=AS_OF, names=("cascades", "overload", "churn"))
    assert notes == [] and results["cascades"].table[0]["flagged"]
    return pack_content(org, as_of=AS_OF, results=results, notes=notes + [NOTE], **kw)


def _escaped(text: str) -> str:
    return text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")


def test_environment_autoescapes_and_rejects_unknown_names():
    env = templating.environment()
    assert env.autoescape is True
    assert env.from_string("{{ x }}").render(x=HOSTILE) == _escaped(HOSTILE)
    with pytest.raises(jinja2.UndefinedError):
        templating.render("map.html.j2", title="t")


def test_hostile_name_escaped_in_map_page(hostile_org):
    page = build_map(hostile_org, as_of=AS_OF, flags=MapFlags(), title=f"Map of {HOSTILE}")
    assert HOSTILE not in page and "<img" not in page
    assert f"<title>Map of {_escaped(HOSTILE)}</title>" in page and f"<h1>Map of {_escaped(HOSTILE)}</h1>" in page
    data = json.loads(re.search(r'<script type="application/json" id="orgraph-data">(.*?)</script>', page,
                                re.S).group(1))
    assert HOSTILE in [n["name"] for n in data["nodes"]] and data["programs"]["CR"] == HOSTILE
    assert page.count("</script") == 3
    for view in ("teams", "programs"):
        assert HOSTILE not in build_map(hostile_org, as_of=AS_OF, flags=MapFlags(), view=view)


def test_hostile_name_escaped_in_pack_index(hostile_org, tmp_path):
    content = _content(hostile_org, own_findings=True, findings=[finding("note", f"Audit: {HOSTILE}", [])])
    r = write_pack(hostile_org, tmp_path, content=content, as_of=AS_OF, png=False, title=f"Pack {HOSTILE}")
    page = Path(r["files"]["index.html"]).read_text(encoding="utf-8")
    assert HOSTILE not in page and "<img" not in page  # no png: no <img> at all
    e = _escaped(HOSTILE)
    assert f"<title>Pack {e}</title>" in page and f'<p class="sentence">Audit: {e}</p>' in page  # a finding card
    assert f"<li>After {e} (S3) left on 2024-03-31" in page  # a finding naming the supervisor
    assert f"<td>{e}</td>" in page  # the supervisor in the cascades table, the program in the headcount table
    assert f"<li>an analysis named {e} could not run</li>" in page
    # the map is inside srcdoc, escaped once more as an attribute: it cannot end the attribute or the iframe
    srcdoc = re.search(r'<iframe class="map" title="Interactive supervision map" srcdoc="([^"]*)"></iframe>',
                       page).group(1)
    assert "<" not in srcdoc and ">" not in srcdoc
    import html

    assert html.unescape(srcdoc) == Path(r["files"]["map.html"]).read_text(encoding="utf-8")


def test_pages_keep_the_strict_csp(hostile_org, tmp_path):
    page = build_map(hostile_org, as_of=AS_OF, flags=MapFlags())
    assert f'<meta http-equiv="Content-Security-Policy" content="{CSP}">' in page
    r = write_pack(hostile_org, tmp_path, content=_content(hostile_org), as_of=AS_OF, png=False)
    index = Path(r["files"]["index.html"]).read_text(encoding="utf-8")
    assert f'<meta http-equiv="Content-Security-Policy" content="{CSP}; frame-src \'self\' about: data:">' in index
    assert index.startswith("<!DOCTYPE html>") and page.startswith("<!DOCTYPE html>")


def test_inlined_assets_cannot_end_their_element():
    for name in ("map.css", "pack.css"):
        assert not re.search(r"</style|<!--", templating.asset(name), re.I), name
    assert not re.search(r"</script|<!--", templating.asset("map.js"), re.I)
    from orgraph.errors import AnalysisError

    with pytest.raises(AnalysisError, match="cannot be inlined safely"):
        templating.inline_code("var s = '</SCRIPT>';", element="script")


def _files(folder: str) -> list[str]:
    return sorted(p.name for p in resources.files("orgraph.render").joinpath(folder).iterdir() if p.is_file())


def test_every_template_and_asset_is_used():
    code = "".join(p.read_text(encoding="utf-8") for p in RENDER.glob("*.py"))
    for name in _files("templates") + _files("assets"):
        assert f'"{name}"' in code, f"{name} is not used by orgraph/render"


@pytest.mark.slow
def test_the_built_wheel_ships_templates_and_assets(tmp_path):
    proc = subprocess.run([sys.executable, "-m", "build", "--wheel", "--no-isolation", "--outdir", str(tmp_path)],
                          cwd=ROOT, capture_output=True, text=True)
    assert proc.returncode == 0, proc.stdout[-2000:] + proc.stderr[-2000:]
    (wheel,) = tmp_path.glob("orgraph-*.whl")
    with zipfile.ZipFile(wheel) as zf:
        names = set(zf.namelist())
    for folder in ("templates", "assets"):
        for name in _files(folder):
            assert f"orgraph/render/{folder}/{name}" in names
    # installed from the wheel, the pages render from the files inside the package
    site = tmp_path / "site"
    zipfile.ZipFile(wheel).extractall(site)
    code = ("import orgraph.render.page as p, orgraph.render.templating as t; "
            "print(t.environment().get_template('pack.html.j2').filename); "
            "print(len(p.page_html('t', 's', {'nodes': []})))")
    out = subprocess.run([sys.executable, "-c", code], cwd=tmp_path, capture_output=True, text=True,
                         env={"PYTHONPATH": str(site), "PATH": "/usr/bin:/bin"})
    assert out.returncode == 0, out.stderr
    where, size = out.stdout.split()
    assert Path(where) == site / "orgraph" / "render" / "templates" / "pack.html.j2" and int(size) > 100_000


def test_the_map_page_inlines_vis_network_without_importing_pyvis_or_ipython():
    code = ("import sys, orgraph.render.page as p; html = p.page_html('t', 's', {'nodes': []}); "
            "print('vis.Network' in html, 'pyvis' in sys.modules, 'IPython' in sys.modules)")
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.split() == ["True", "False", "False"]
