"""Slide decks (orgraph.report.deck, orgraph.render.slides): deck.pptx read back with python-pptx, its titles and
numbers checked against findings.json, its layout measured, anonymized decks naming nobody, and the clean error
without python-pptx."""
from __future__ import annotations

from conftest import ANON_KEY

import json
import re
import sys
from pathlib import Path

import pptx
import pytest
from click.testing import CliRunner
from pptx.util import Emu

from orgraph.cli import main
from orgraph.render import slides as render_slides
from orgraph.render.slides import MIN_PT, SLIDE_H, SLIDE_W, text_height
from orgraph.report.deck import DECK_FINDINGS, FINDING_TITLES
from orgraph.report.words import money
from orgraph.writers import write_audit, write_snapshot

RIVERBEND = str(Path(__file__).resolve().parent.parent / "examples" / "riverbend")
LIBERATION = Path("/usr/share/fonts/truetype/liberation/LiberationSans-Regular.ttf")  # Arial's metrics


@pytest.fixture(scope="module")
def audit_deck(riverbend, tmp_path_factory):
    out = tmp_path_factory.mktemp("deck")
    write_audit(riverbend, out, pptx=True)
    return out, json.loads((out / "findings.json").read_text()), pptx.Presentation(out / "deck.pptx")


def _texts(slide) -> list[str]:
    """Every text on a slide: text boxes, table cells, chart titles and categories."""
    out = []
    for sh in slide.shapes:
        if sh.has_text_frame:
            out.append(sh.text_frame.text)
        if sh.has_table:
            out += [c.text for row in sh.table.rows for c in row.cells]
        if sh.has_chart:
            ch = sh.chart
            if ch.has_title:
                out.append(ch.chart_title.text_frame.text)
            out += [str(c) for c in ch.plots[0].categories] + [s.name for s in ch.plots[0].series]
    return out


def _title(slide) -> str:
    return slide.shapes[0].text_frame.text


def test_titles_and_numbers_match_findings_json(audit_deck):
    out, doc, prs = audit_deck
    slides = list(prs.slides)
    titles = [_title(s) for s in slides]
    found = doc["findings"]
    shown = found[:DECK_FINDINGS]
    assert titles[:2] == [f"Turnover root-cause audit, {doc['as_of']}", "The bottom line"]
    assert titles[2:2 + len(shown)] == [f"{f['rank']}. {FINDING_TITLES[f['kind']]}" for f in shown]
    assert titles[-3:] == ["The supervision map", "Who is at risk now", "Appendix: assumptions"]

    bottom = _texts(slides[1])
    t = doc["total_exit_cost"]
    assert money(t["cost"]) in bottom
    assert money(sum(f["estimated_cost"] or 0 for f in found)) in bottom
    assert str(sum(1 for f in found if f["claim"])) in bottom
    assert f"what {t['exits']} exits cost, {t['period_start']} to {t['period_end']}" in bottom

    for f, slide in zip(shown, slides[2:]):
        texts = _texts(slide)
        assert (money(f["estimated_cost"]) if f["estimated_cost"] else "—") in texts
        assert f["certainty"] in texts
        assert any(f["headline"] in x for x in texts)
        if f["ratio"] is not None:
            assert f"{f['ratio']:.1f}×" in texts
            chart = next(sh.chart for sh in slide.shapes if sh.has_chart)
            assert list(chart.plots[0].series[0].values) == [1.0, round(f["ratio"], 2)]
    rest = _texts(slides[2 + len(shown)])
    assert [x for x in rest[1].split("\n") if re.match(r"\d+\. ", x)] == [
        f"{f['rank']}. {FINDING_TITLES[f['kind']]} ({f['certainty']})" for f in found[DECK_FINDINGS:]][:8]

    risk = _texts(slides[-2])
    assert f"{doc['risk_validation']['concordance']:.0%}" in risk
    assert f"{doc['at_risk'][0]['name']} ({doc['at_risk'][0]['staff_id']})" in risk
    assert any(doc["risk_summary"] in x for x in risk)


def test_the_map_slide_shows_map_png(audit_deck):
    out, _, prs = audit_deck
    slide = next(s for s in prs.slides if _title(s) == "The supervision map")
    pic = next(sh for sh in slide.shapes if sh.shape_type == pptx.enum.shapes.MSO_SHAPE_TYPE.PICTURE)
    assert pic.image.blob == (out / "map.png").read_bytes()


def _runs(shape):
    for p in shape.text_frame.paragraphs:
        for r in p.runs:
            yield p, r


def test_layout_every_shape_on_the_slide_no_text_under_14_pt_and_no_box_overflowing(audit_deck, tmp_path, riverbend):
    write_snapshot(riverbend, tmp_path / "snap", since="2025-06-30", pptx=True, png=False)
    decks = [audit_deck[2], pptx.Presentation(tmp_path / "snap" / "deck.pptx")]
    W, H = Emu(int(SLIDE_W * 914400)), Emu(int(SLIDE_H * 914400))
    checked = 0
    for prs in decks:
        assert (prs.slide_width, prs.slide_height) == (W, H)
        for slide in prs.slides:
            for sh in slide.shapes:
                assert sh.left >= 0 and sh.top >= 0 and sh.left + sh.width <= W and sh.top + sh.height <= H, \
                    (_title(slide), sh.name)
                if sh.has_chart:
                    assert sh.chart.font.size.pt >= MIN_PT
                if sh.has_table:
                    assert all(r.font.size.pt >= MIN_PT for row in sh.table.rows for c in row.cells
                               for p in c.text_frame.paragraphs for r in p.runs)
                if not sh.has_text_frame:
                    continue
                paras = [(p.runs[0].text, p.runs[0].font.size.pt) for p in sh.text_frame.paragraphs if p.runs]
                assert all(pt >= MIN_PT for _, pt in paras)
                space = max([p.space_before.pt for p in sh.text_frame.paragraphs if p.space_before] + [0])
                assert text_height(paras, sh.width / 914400, space_pt=space) <= sh.height / 914400 + 1e-5, \
                    (_title(slide), paras[0][0][:40])
                checked += 1
    assert checked > 40


def _real_lines(font, text: str, width_pt: float) -> int:
    lines, line = 1, ""
    for word in text.split():
        trial = f"{line} {word}".strip()
        if line and font.getlength(trial) > width_pt:
            lines, line = lines + 1, word
        else:
            line = trial
    return lines


@pytest.mark.skipif(not LIBERATION.exists(), reason="Liberation Sans (Arial's metrics) is not installed")
def test_the_wrap_estimate_is_never_short_of_the_real_font(audit_deck):
    """Every text of the deck, wrapped with Arial's real glyph widths, takes no more lines than the estimate."""
    from PIL import ImageFont

    _, _, prs = audit_deck
    for slide in prs.slides:
        for sh in slide.shapes:
            if not sh.has_text_frame:
                continue
            width = sh.width / 914400 - 2 * render_slides.PAD
            for p, r in _runs(sh):
                pt = r.font.size.pt
                font = ImageFont.truetype(str(LIBERATION), size=int(pt * 10))   # tenths of a point
                real = _real_lines(font, r.text, width * 72 * 10)
                assert real <= render_slides.wrap_lines(r.text, width, pt), r.text[:60]


def test_an_anonymized_deck_names_nobody(riverbend, tmp_path):
    write_audit(riverbend, tmp_path, anonymize=True, key=ANON_KEY, png=False, pptx=True)
    prs = pptx.Presentation(tmp_path / "deck.pptx")
    text = "\n".join(x for s in prs.slides for x in _texts(s))
    names = [s.name for s in riverbend.data.staff.values() if s.name]
    assert not [n for n in names if n in text]
    ids = set(riverbend.data.staff) | set(riverbend.data.positions)
    leaked = [i for i in ids if re.search(r"(?<![A-Za-z0-9-])" + re.escape(i) + r"(?![A-Za-z0-9])", text)]
    assert not leaked, leaked[:5]
    assert "Anonymized: people appear as pseudonyms" in text
    doc = json.loads((tmp_path / "findings.json").read_text())
    assert doc["findings"][0]["headline"] in text          # the pseudonymized sentences of findings.json


def test_snapshot_deck(riverbend, tmp_path):
    res = write_snapshot(riverbend, tmp_path, as_of="2025-12-31", pptx=True, png=False)
    prs = pptx.Presentation(tmp_path / "deck.pptx")
    titles = [_title(s) for s in prs.slides]
    assert titles[:2] == ["Organization snapshot, 2025-12-31", "On 2025-12-31"]
    assert "The supervision map" in titles and titles[-1] == "Appendix: how to read this deck"
    assert res["findings"][0] in _texts(prs.slides[1])
    assert "map.png was not made for this pack." in "\n".join(_texts(prs.slides[titles.index("The supervision map")]))


def test_pptx_without_python_pptx_is_a_clean_error(riverbend, tmp_path, monkeypatch):
    monkeypatch.setitem(sys.modules, "pptx", None)          # `import pptx` raises ImportError
    for args in (["audit", RIVERBEND, "--out", str(tmp_path / "a")],
                 ["snapshot", RIVERBEND, "--out", str(tmp_path / "s")]):
        r = CliRunner().invoke(main, args + ["--pptx"])
        assert r.exit_code == 1, r.output
        assert "pip install 'orgraph[slides]'" in r.output
        assert "Traceback" not in r.output
        assert not Path(args[3]).exists()                    # refused before any work
