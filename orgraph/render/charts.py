"""Static charts for snapshot packs: inline SVG made here, and a PNG of the map.

Charts are plain SVG strings (every label escaped), so a pack's page works
offline. :func:`map_png` renders a map page to PNG with headless Chromium
when it is installed, and otherwise calls the drawing it is given
(:func:`orgraph.render.static_map.map_figure_png`: matplotlib, with labels
and a legend).
"""
from __future__ import annotations

import html
import math
import os
import shutil
import subprocess
import tempfile
from pathlib import Path
from typing import Callable

__all__ = ["bar_chart_svg", "line_chart_svg", "map_png", "find_chromium", "PALETTE"]

PALETTE = ["#4e79a7", "#f28e2b", "#e15759", "#76b7b2", "#59a14f", "#edc948", "#b07aa1", "#ff9da7", "#9c755f"]


def _fmt(v: float) -> str:
    return f"{v:.0f}" if float(v).is_integer() else f"{v:.1f}"


def bar_chart_svg(categories: list[str], series: dict[str, list], *, title: str, ylabel: str = "",
                  width: int = 720, height: int = 300, suppressed_label: str = "<5", percent: bool = False) -> str:
    """A stacked bar chart as an SVG string.

    ``series`` maps a legend name to one value per category; a value of
    ``None`` means "suppressed" (too few people to show) and is drawn as a
    hatched stub labelled ``suppressed_label``.

    Examples
    --------
    >>> svg = bar_chart_svg(["Q1", "Q2"], {"clinician": [3, None]}, title="Exits <by> quarter")
    >>> svg.startswith("<svg") and "Exits &lt;by&gt; quarter" in svg and "&lt;5" in svg
    True
    """
    left, right, top, bottom = 48, 12, 34, 58
    rows_of_legend = _legend_rows(list(series), width - left - right) if len(series) > 1 else []
    legend_h = 18 * len(rows_of_legend)
    height += max(legend_h - 18, 0)          # more room when the legend wraps
    plot_w, plot_h = width - left - right, height - top - bottom - legend_h
    totals = [sum(v[i] or 0 for v in series.values()) for i in range(len(categories))]
    ymax = max(totals + [1])
    step = 10 ** math.floor(math.log10(ymax)) if ymax > 0 else 1
    while ymax / step > 6:
        step *= 2
    ymax = math.ceil(ymax / step) * step
    e = html.escape
    out = [f'<svg xmlns="http://www.w3.org/2000/svg" width="{width}" height="{height}" viewBox="0 0 {width} {height}" '
           f'role="img" aria-label="{e(title)}" font-family="Helvetica, Arial, sans-serif" font-size="11">',
           '<defs><pattern id="hatch" width="6" height="6" patternUnits="userSpaceOnUse" '
           'patternTransform="rotate(45)"><line x1="0" y1="0" x2="0" y2="6" stroke="#999" stroke-width="2"/>'
           '</pattern></defs>',
           f'<text x="{left}" y="18" font-size="14" font-weight="bold">{e(title)}</text>']
    y = 0.0
    while y <= ymax + 1e-9:
        py = top + plot_h - plot_h * y / ymax
        out.append(f'<line x1="{left}" x2="{left + plot_w}" y1="{py:.1f}" y2="{py:.1f}" stroke="#e3e3e3"/>')
        lab = f"{_fmt(y)}%" if percent else _fmt(y)
        out.append(f'<text x="{left - 6}" y="{py + 4:.1f}" text-anchor="end" fill="#555">{e(lab)}</text>')
        y += step
    if ylabel:
        out.append(f'<text x="12" y="{top + plot_h / 2:.1f}" transform="rotate(-90 12 {top + plot_h / 2:.1f})" '
                   f'text-anchor="middle" fill="#555">{e(ylabel)}</text>')
    n = max(len(categories), 1)
    bw = plot_w / n
    rotate = n > 10 or max((len(c) for c in categories), default=0) * 6 > bw
    for i, cat in enumerate(categories):
        x = left + i * bw + bw * 0.15
        w = bw * 0.7
        base = top + plot_h
        for j, (name, values) in enumerate(series.items()):
            v = values[i]
            color = PALETTE[j % len(PALETTE)]
            if v is None:
                out.append(f'<rect x="{x:.1f}" y="{base - 14:.1f}" width="{w:.1f}" height="14" fill="url(#hatch)" '
                           f'stroke="{color}"><title>{e(name)}, {e(cat)}: {e(suppressed_label)}</title></rect>')
                base -= 14
                continue
            h = plot_h * v / ymax
            out.append(f'<rect x="{x:.1f}" y="{base - h:.1f}" width="{w:.1f}" height="{h:.1f}" fill="{color}">'
                       f'<title>{e(name)}, {e(cat)}: {e(_fmt(v))}{"%" if percent else ""}</title></rect>')
            base -= h
        cx = left + i * bw + bw / 2
        ty = top + plot_h + 14
        if rotate:
            out.append(f'<text x="{cx:.1f}" y="{ty:.1f}" text-anchor="end" transform="rotate(-40 {cx:.1f} {ty:.1f})"'
                       f'>{e(cat)}</text>')
        else:
            out.append(f'<text x="{cx:.1f}" y="{ty:.1f}" text-anchor="middle">{e(cat)}</text>')
    j = 0
    for r, names in enumerate(rows_of_legend):
        lx = left
        ly = height - 8 - 18 * (len(rows_of_legend) - 1 - r)
        for name in names:
            out.append(f'<rect x="{lx}" y="{ly - 10}" width="10" height="10" fill="{PALETTE[j % len(PALETTE)]}"/>')
            out.append(f'<text x="{lx + 14}" y="{ly}">{e(name)}</text>')
            lx += _legend_width(name)
            j += 1
    out.append("</svg>")
    return "".join(out)


def _legend_width(name: str) -> int:
    return 24 + 7 * len(name)


def _legend_rows(names: list[str], width: float) -> list[list[str]]:
    """Legend entries in rows that fit ``width``."""
    rows: list[list[str]] = [[]]
    used = 0
    for name in names:
        w = _legend_width(name)
        if rows[-1] and used + w > width:
            rows.append([])
            used = 0
        rows[-1].append(name)
        used += w
    return rows


# ------------------------------------------------------------------- PNG
def line_chart_svg(xs: list, series: dict[str, list], *, title: str, xlabel: str = "", ylabel: str = "",
                   width: int = 760, height: int = 320) -> str:
    """Lines of shares (0 to 1) against ``xs`` as an SVG string, one per series, labelled at their ends.

    A ``None`` value is a gap (not enough people to show that point). The y
    axis runs from 0% to 100%, so curves of different charts compare.

    Examples
    --------
    >>> svg = line_chart_svg([0, 6, 12], {"A & B": [1.0, 0.8, None]}, title="Still <here>")
    >>> svg.startswith("<svg") and "Still &lt;here&gt;" in svg and "A &amp; B" in svg and "80%" in svg
    True
    """
    left, right, top, bottom = 48, 250, 34, 44
    plot_w, plot_h = width - left - right, height - top - bottom
    x0, x1 = (min(xs), max(xs)) if xs else (0, 1)
    span = (x1 - x0) or 1

    def px(x):
        return left + (x - x0) / span * plot_w

    def py(y):
        return top + (1 - y) * plot_h

    e = html.escape
    out = [f'<svg xmlns="http://www.w3.org/2000/svg" width="{width}" height="{height}" viewBox="0 0 {width} {height}" '
           f'role="img" aria-label="{e(title)}" font-family="Helvetica, Arial, sans-serif" font-size="11">',
           f'<text x="{left}" y="18" font-size="14" font-weight="bold">{e(title)}</text>']
    for k in range(0, 5):
        y = k / 4
        out.append(f'<line x1="{left}" x2="{left + plot_w}" y1="{py(y):.1f}" y2="{py(y):.1f}" stroke="#ddd"/>')
        out.append(f'<text x="{left - 6}" y="{py(y) + 4:.1f}" text-anchor="end">{y:.0%}</text>')
    step = max(1, round(span / 8))
    for x in xs:
        if (x - x0) % step == 0:
            out.append(f'<text x="{px(x):.1f}" y="{top + plot_h + 16}" text-anchor="middle">{e(_fmt(x))}</text>')
    out.append(f'<text x="{left + plot_w / 2:.1f}" y="{height - 6}" text-anchor="middle">{e(xlabel)}</text>')
    out.append(f'<text x="12" y="{top + plot_h / 2:.1f}" transform="rotate(-90 12 {top + plot_h / 2:.1f})" '
               f'text-anchor="middle">{e(ylabel)}</text>')
    ends = []
    for i, (name, ys) in enumerate(series.items()):
        color = PALETTE[i % len(PALETTE)]
        width_px = 3 if i == 0 else 1.8
        run: list[str] = []
        last = None
        for x, y in zip(xs, ys):
            if y is None:
                if len(run) > 1:
                    out.append(f'<polyline fill="none" stroke="{color}" stroke-width="{width_px}" '
                               f'points="{" ".join(run)}"/>')
                run = []
                continue
            run.append(f"{px(x):.1f},{py(y):.1f}")
            last = (x, y)
        if len(run) > 1:
            out.append(f'<polyline fill="none" stroke="{color}" stroke-width="{width_px}" points="{" ".join(run)}"/>')
        if last is not None:
            ends.append([py(last[1]), f"{name} ({last[1]:.0%})", color])
    ends.sort()
    for k in range(1, len(ends)):             # keep end labels apart
        ends[k][0] = max(ends[k][0], ends[k - 1][0] + 13)
    for y, label, color in ends:
        out.append(f'<line x1="{left + plot_w + 4}" x2="{left + plot_w + 16}" y1="{y:.1f}" y2="{y:.1f}" '
                   f'stroke="{color}" stroke-width="3"/>')
        out.append(f'<text x="{left + plot_w + 20}" y="{y + 4:.1f}" fill="#222">{e(label)}</text>')
    out.append("</svg>")
    return "".join(out)


def find_chromium() -> str | None:
    """Path of a Chromium or Chrome binary (``ORGRAPH_CHROMIUM`` first), or ``None``."""
    env = os.environ.get("ORGRAPH_CHROMIUM")
    if env and Path(env).exists():
        return env
    for name in ("chromium", "chromium-browser", "google-chrome", "google-chrome-stable"):
        path = shutil.which(name)
        if path:
            return path
    return None


def map_png(html_text: str, png_path: Path, *, fallback: Callable[[], bytes] | None = None,
            width: int = 1600, height: int = 1000, timeout: float = 120.0) -> str:
    """Write a PNG of a map page: a headless Chromium screenshot, else the PNG that ``fallback()`` draws.

    The page is given a fixed height for the screenshot (Chromium's headless window lays a page out shorter
    than the picture it takes), so the whole map, fitted to its canvas, is in the picture.

    Returns
    -------
    str
        The method used: ``"chromium"``, or ``"drawn"`` (``fallback``; a blank picture without one).
    """
    png_path = Path(png_path)
    chromium = find_chromium()
    if chromium is not None:
        with tempfile.TemporaryDirectory(prefix="orgraph-png-") as tmp:
            page = Path(tmp) / "map.html"
            page.write_text(html_text.replace("</head>", f"<style>html, body {{ height: {int(height)}px; }}</style>"
                                              "</head>", 1), encoding="utf-8")
            shot = Path(tmp) / "map.png"
            cmd = [chromium, "--headless=new", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
                   "--disable-background-networking", "--disable-component-update", "--disable-sync",
                   "--disable-dev-shm-usage", "--hide-scrollbars", f"--user-data-dir={Path(tmp) / 'profile'}",
                   f"--window-size={width},{height}", "--virtual-time-budget=15000", f"--screenshot={shot}",
                   page.as_uri()]
            try:
                subprocess.run(cmd, capture_output=True, timeout=timeout, check=False)
            except (OSError, subprocess.TimeoutExpired):
                pass
            if shot.exists() and shot.stat().st_size > 0:
                shutil.copyfile(shot, png_path)
                return "chromium"
    if fallback is None:
        from .static_map import map_figure_png

        png_path.write_bytes(map_figure_png({"nodes": [], "edges": []}, title="Supervision map",
                                            width=width, height=height))
    else:
        png_path.write_bytes(fallback())
    return "drawn"
