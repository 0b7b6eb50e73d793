"""Renderers: tables (text, JSON, CSV), maps and snapshot packs.

Import the module you need; the package itself exports nothing, so reading a
table does not load pyvis or Jinja.

* :mod:`~orgraph.render.tables`: results as text tables, JSON and CSV;
* :mod:`~orgraph.render.maps`: :func:`~orgraph.render.maps.build_map`, the
  interactive map, made from :mod:`~orgraph.render.elements` (who is on it),
  :mod:`~orgraph.render.layout` (where), :mod:`~orgraph.render.teams` (the
  team level of large maps) and :mod:`~orgraph.render.page` (vis-network data
  and the HTML page); :mod:`~orgraph.render.static_map` draws it with
  matplotlib when Chromium cannot photograph it;
* :mod:`~orgraph.render.timeline`: the map at a series of dates;
* :mod:`~orgraph.render.pack`: snapshot packs, with :mod:`~orgraph.render.pack_page`
  (their ``index.html``) and :mod:`~orgraph.render.charts` (SVG charts, the map PNG);
* :mod:`~orgraph.render.templating`: the Jinja templates and assets of the pages.
"""
__all__: list[str] = []
