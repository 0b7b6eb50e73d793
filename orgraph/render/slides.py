"""Slide decks: ``deck.pptx`` drawn with python-pptx from the deck that :mod:`orgraph.report.deck` writes.

:func:`write_deck` draws each slide on a 16:9 page: the title, a row of
callouts (big numbers with a label), then the sentences on the left and a
chart (a native PowerPoint chart, editable in PowerPoint), a table or a
picture (``map.png``) on the right, or across the page when alone. Text is
Arial, never under :data:`MIN_PT` points; every text box is sized from an
estimate of how its words wrap (:func:`text_height`), and a box whose text
would not fit at :data:`MIN_PT` loses its last sentences rather than run off
the slide.

python-pptx is the optional extra ``slides``: ``pip install 'orgraph[slides]'``.
"""
from __future__ import annotations

from pathlib import Path

from ..errors import DependencyError

__all__ = ["write_deck", "require_pptx", "text_height", "wrap_lines", "SLIDE_W", "SLIDE_H", "MIN_PT", "FONT"]

#: Page size in inches (16:9).
SLIDE_W, SLIDE_H = 13.333, 7.5
#: The smallest font on any slide, in points.
MIN_PT = 14
#: Every text on a slide.
FONT = "Arial"
#: Average width of a character as a share of the font size (Arial, mixed text, rounded up).
CHAR_EM = 0.53
#: Line height as a share of the font size.
LINE_EM = 1.2
#: Inner margin of every text box, in inches.
PAD = 0.05

_M = 0.5                       # page margin
_GAP = 0.3                     # between columns and callouts
_BLUE, _GREY, _DARK = "1F4E79", "595959", "262626"
_PALETTE = ["4E79A7", "F28E2B", "E15759", "76B7B2", "59A14F", "EDC948", "B07AA1", "FF9DA7", "9C755F"]


def require_pptx():
    """The ``pptx`` module, or a :class:`~orgraph.errors.DependencyError` naming the extra to install."""
    try:
        import pptx
    except ImportError:
        raise DependencyError("--pptx needs python-pptx: pip install 'orgraph[slides]'") from None
    return pptx


def wrap_lines(text: str, width_in: float, pt: float) -> int:
    """How many lines ``text`` takes in a box ``width_in`` inches wide (inner width) at ``pt`` points.

    Words wrap as a word processor wraps them, with every character :data:`CHAR_EM` of the font size wide.

    Examples
    --------
    >>> wrap_lines("", 5, 14), wrap_lines("word " * 9, 5, 14), wrap_lines("word " * 10, 5, 14)
    (1, 1, 2)
    """
    per_line = max(int(width_in * 72 / (pt * CHAR_EM)), 1)
    lines = 0
    for para in text.split("\n"):
        n, used = 1, 0
        for word in para.split():
            w = len(word)
            while w > per_line:             # a word longer than the line breaks anywhere
                n += 1 if used else 0
                used, w = 0, w - per_line
                n += 1
            if used and used + 1 + w > per_line:
                n, used = n + 1, w
            else:
                used += (1 if used else 0) + w
        lines += n
    return lines


def text_height(paragraphs, width_in: float, *, space_pt: float = 6) -> float:
    """Height in inches of ``paragraphs`` (``(text, pt)`` pairs) in a box ``width_in`` wide, margins included.

    Examples
    --------
    >>> round(text_height([("One line", 20)], 6), 3)
    0.433
    """
    inner = width_in - 2 * PAD
    h = 2 * PAD
    for i, (text, pt) in enumerate(paragraphs):
        h += wrap_lines(text, inner, pt) * pt * LINE_EM / 72 + (space_pt / 72 if i else 0)
    return h


def _fit(texts, width, height, sizes, *, space_pt=6):
    """The largest of ``sizes`` at which ``texts`` fit, and the texts that fit (the last ones dropped if needed)."""
    texts = list(texts)
    while texts:
        for pt in sizes:
            if text_height([(t, pt) for t in texts], width, space_pt=space_pt) <= height:
                return pt, texts
        texts = texts[:-1]
    return sizes[-1], []


def _rgb(hex_):
    from pptx.dml.color import RGBColor

    return RGBColor.from_string(hex_)


def _box(slide, x, y, w, h, paragraphs, *, space_pt=6, align=None, anchor_top=True):
    """A text box with ``paragraphs``: ``(text, pt, bold, colour)`` tuples."""
    from pptx.enum.text import MSO_ANCHOR, MSO_AUTO_SIZE
    from pptx.util import Emu, Inches, Pt

    tb = slide.shapes.add_textbox(Inches(x), Inches(y), Inches(w), Inches(h))
    tf = tb.text_frame
    tf.word_wrap = True
    tf.auto_size = MSO_AUTO_SIZE.NONE
    tf.vertical_anchor = MSO_ANCHOR.TOP if anchor_top else MSO_ANCHOR.MIDDLE
    tf.margin_left = tf.margin_right = tf.margin_top = tf.margin_bottom = Emu(int(Inches(PAD)))
    for i, (text, pt, bold, colour) in enumerate(paragraphs):
        p = tf.paragraphs[0] if i == 0 else tf.add_paragraph()
        if i:
            p.space_before = Pt(space_pt)
        if align is not None:
            p.alignment = align
        run = p.add_run()
        run.text = text
        f = run.font
        f.name, f.size, f.bold = FONT, Pt(pt), bold
        f.color.rgb = _rgb(colour)
    return tb


def _title(slide, text, *, y=0.35, h=0.95, sizes=(30, 28, 26, 24, 22, 20)):
    pt, _ = _fit([text], SLIDE_W - 2 * _M, h, sizes)
    _box(slide, _M, y, SLIDE_W - 2 * _M, h, [(text, pt, True, _BLUE)], anchor_top=False)


def _numbers(slide, numbers, y, h):
    n = len(numbers)
    w = (SLIDE_W - 2 * _M - _GAP * (n - 1)) / n
    for i, c in enumerate(numbers):
        x = _M + i * (w + _GAP)
        label_pt, _ = _fit([c["label"]], w, h - 0.6, (16, 15, 14))
        value_pt, _ = _fit([c["value"]], w, 0.6, (36, 32, 28, 24, 20, 18))
        _box(slide, x, y, w, 0.6, [(c["value"], value_pt, True, _BLUE)])
        _box(slide, x, y + 0.6, w, h - 0.6, [(c["label"], label_pt, False, _GREY)])


def _bullets(slide, texts, x, y, w, h):
    pt, shown = _fit(texts, w, h, (22, 20, 18, 16, 15, 14), space_pt=10)
    if shown:
        _box(slide, x, y, w, h, [(t, pt, False, _DARK) for t in shown], space_pt=10)


def _chart(slide, chart, x, y, w, h):
    from pptx.chart.data import CategoryChartData
    from pptx.enum.chart import XL_CHART_TYPE, XL_LEGEND_POSITION
    from pptx.util import Inches, Pt

    note_h = text_height([(chart["note"], MIN_PT)], w) if chart.get("note") else 0.0
    data = CategoryChartData(number_format=chart.get("number_format") or "General")
    data.categories = chart["categories"]
    for name, values in chart["series"].items():
        data.add_series(name, values)
    kind = XL_CHART_TYPE.COLUMN_STACKED if chart.get("stacked") else XL_CHART_TYPE.COLUMN_CLUSTERED
    gf = slide.shapes.add_chart(kind, Inches(x), Inches(y), Inches(w), Inches(h - note_h), data)
    ch = gf.chart
    ch.font.name, ch.font.size = FONT, Pt(MIN_PT)
    ch.has_title = True
    ch.chart_title.text_frame.text = chart["title"]
    for p in ch.chart_title.text_frame.paragraphs:
        for r in p.runs:
            r.font.name, r.font.size, r.font.bold = FONT, Pt(16), True
    multi = len(chart["series"]) > 1
    ch.has_legend = multi
    if multi:
        ch.legend.position = XL_LEGEND_POSITION.BOTTOM
        ch.legend.include_in_layout = False
        ch.legend.font.size = Pt(MIN_PT)
    plot = ch.plots[0]
    plot.gap_width = 60
    if not multi and len(chart["categories"]) <= 8:
        plot.has_data_labels = True
        plot.data_labels.number_format = chart.get("number_format") or "General"
        plot.data_labels.number_format_is_linked = False
        plot.data_labels.font.size = Pt(MIN_PT)
    for i, s in enumerate(plot.series):
        s.format.fill.solid()
        s.format.fill.fore_color.rgb = _rgb(_PALETTE[i % len(_PALETTE)])
    ch.value_axis.has_major_gridlines = True
    ch.value_axis.tick_labels.font.size = Pt(MIN_PT)
    ch.category_axis.tick_labels.font.size = Pt(MIN_PT)
    if chart.get("note"):
        _box(slide, x, y + h - note_h, w, note_h, [(chart["note"], MIN_PT, False, _GREY)])


def _table(slide, table, x, y, w, h):
    from pptx.util import Inches, Pt

    cols = table["columns"]
    rows = table["rows"]
    char = MIN_PT * CHAR_EM / 72
    # every column at least as wide as its longest word, the rest shared by how much text each holds
    least = [max(len(word) for text in [c] + [str(r[i]) for r in rows] for word in (text.split() or [""])) * char
             + 2 * PAD + 0.02 for i, c in enumerate(cols)]
    share = [min(max(len(str(c)), *(len(str(r[i])) for r in rows)), 40) if rows else len(str(c))
             for i, c in enumerate(cols)]
    spare = max(w - sum(least), 0.0)
    widths = [lo + spare * sh / sum(share) for lo, sh in zip(least, share)]

    def row_h(cells):
        return max(text_height([(str(c), MIN_PT)], cw) for c, cw in zip(cells, widths)) + 0.05

    heights = [row_h(cols)]
    for r in rows:
        if sum(heights) + row_h(r) > h:
            break
        heights.append(row_h(r))
    shape = slide.shapes.add_table(len(heights), len(cols), Inches(x), Inches(y), Inches(w), Inches(sum(heights)))
    t = shape.table
    for j, cw in enumerate(widths):
        t.columns[j].width = Inches(cw)
    for i, rh in enumerate(heights):
        t.rows[i].height = Inches(rh)
        for j in range(len(cols)):
            cell = t.cell(i, j)
            cell.margin_left = cell.margin_right = cell.margin_top = cell.margin_bottom = Inches(PAD)
            cell.text = str(cols[j] if i == 0 else rows[i - 1][j])
            for p in cell.text_frame.paragraphs:
                for r in p.runs:
                    r.font.name, r.font.size, r.font.bold = FONT, Pt(MIN_PT), i == 0


def _picture(slide, path: Path, caption, x, y, w, h):
    from pptx.util import Inches

    cap_h = text_height([(caption, MIN_PT)], w) if caption else 0.0
    box_h = h - cap_h - 0.1
    if path.is_file():
        pic = slide.shapes.add_picture(str(path), Inches(x), Inches(y))
        ratio = pic.width / pic.height
        pw, ph = (w, w / ratio) if w / ratio <= box_h else (box_h * ratio, box_h)
        pic.width, pic.height = Inches(pw), Inches(ph)
        pic.left, pic.top = Inches(x + (w - pw) / 2), Inches(y)
        cap_y = y + ph + 0.1
    else:
        caption = f"{path.name} was not made for this pack. {caption or ''}".strip()
        cap_h = text_height([(caption, MIN_PT)], w)
        cap_y = y
    if caption:
        _box(slide, x, cap_y, w, cap_h, [(caption, MIN_PT, False, _GREY)])


def _title_slide(prs, s):
    slide = prs.slides.add_slide(prs.slide_layouts[6])
    _title(slide, s["title"], y=2.2, h=1.3, sizes=(40, 36, 32, 28, 24))
    lines = s.get("subtitle") or []
    if lines:
        pt, shown = _fit(lines, SLIDE_W - 2 * _M, 2.0, (24, 22, 20, 18, 16))
        _box(slide, _M, 3.7, SLIDE_W - 2 * _M, 2.0, [(t, pt, False, _GREY) for t in shown])
    return slide


def _content_slide(prs, s, folder: Path):
    slide = prs.slides.add_slide(prs.slide_layouts[6])
    _title(slide, s["title"])
    top, bottom = 1.4, SLIDE_H - 0.4
    if s.get("numbers"):
        _numbers(slide, s["numbers"][:4], top, 1.4)
        top += 1.6
    visual = next((k for k in ("chart", "table", "image") if s.get(k)), None)
    bullets = list(s.get("bullets") or [])
    full = SLIDE_W - 2 * _M
    if visual and bullets:
        left_w = (full - _GAP) * (0.42 if visual == "table" else 0.5)
        _bullets(slide, bullets, _M, top, left_w, bottom - top)
        x, w = _M + left_w + _GAP, full - left_w - _GAP
    elif bullets:
        _bullets(slide, bullets, _M, top, full, bottom - top)
    else:
        x, w = _M, full
    if visual == "chart":
        _chart(slide, s["chart"], x, top, w, bottom - top)
    elif visual == "table":
        _table(slide, s["table"], x, top, w, bottom - top)
    elif visual == "image":
        _picture(slide, folder / s["image"], s.get("caption"), x, top, w, bottom - top)
    return slide


def write_deck(deck: dict, path, *, folder=None) -> Path:
    """Draw ``deck`` (from :func:`orgraph.report.deck.audit_deck` or :func:`~orgraph.report.deck.snapshot_deck`)
    into the ``.pptx`` file ``path``; pictures are read from ``folder`` (default: the file's folder).

    Raises
    ------
    DependencyError
        python-pptx is not installed.

    Examples
    --------
    >>> import tempfile, pptx
    >>> deck = {"title": "T", "slides": [{"layout": "title", "title": "Audit", "subtitle": ["380 people"]},
    ...         {"layout": "content", "title": "The bottom line", "numbers": [{"value": "$7,714,000",
    ...          "label": "what exits cost"}], "bullets": ["229 exits."]}]}
    >>> with tempfile.TemporaryDirectory() as d:
    ...     p = write_deck(deck, Path(d) / "deck.pptx")
    ...     [s.shapes[0].text_frame.text for s in pptx.Presentation(p).slides]
    ['Audit', 'The bottom line']
    """
    pptx = require_pptx()
    from pptx.util import Inches

    path = Path(path)
    folder = Path(folder) if folder is not None else path.parent
    prs = pptx.Presentation()
    prs.slide_width, prs.slide_height = Inches(SLIDE_W), Inches(SLIDE_H)
    prs.core_properties.title = deck.get("title") or ""
    prs.core_properties.author = "orgraph"
    for s in deck["slides"]:
        if s.get("layout") == "title":
            _title_slide(prs, s)
        else:
            _content_slide(prs, s, folder)
    prs.save(str(path))
    return path

