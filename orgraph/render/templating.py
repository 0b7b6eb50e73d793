"""The package's HTML templates and assets: one Jinja environment with autoescaping on.

Pages (the map, the pack's ``index.html``) are Jinja templates under
``orgraph/render/templates/``; the style sheets and scripts they inline are
files under ``orgraph/render/assets/``. Both are read with
:mod:`importlib.resources`, so they work from a wheel or a zip.

Every value put into a template is HTML-escaped unless it is
:class:`markupsafe.Markup`. Only three kinds of value are marked safe, each
where it is made: JSON already escaped for a ``<script>`` element
(:func:`orgraph.render.page.script_json`), code and style shipped with the
package (:func:`inline_code`), and SVG charts whose labels
:func:`orgraph.render.charts.bar_chart_svg` escaped.
"""
from __future__ import annotations

import functools
import re
from importlib import resources

import jinja2
from markupsafe import Markup

from ..errors import AnalysisError

__all__ = ["environment", "render", "asset", "inline_code"]


@functools.lru_cache(maxsize=1)
def environment() -> jinja2.Environment:
    """The Jinja environment for orgraph's templates (autoescape on, undefined names are errors).

    Returns
    -------
    jinja2.Environment

    Examples
    --------
    >>> env = environment()
    >>> env.autoescape, env.from_string("<b>{{ x }}</b>").render(x="<i>&</i>")
    (True, '<b>&lt;i&gt;&amp;&lt;/i&gt;</b>')
    """
    return jinja2.Environment(loader=jinja2.PackageLoader("orgraph.render", "templates"), autoescape=True,
                              undefined=jinja2.StrictUndefined, keep_trailing_newline=True,
                              trim_blocks=True, lstrip_blocks=True)


def render(name: str, /, **context) -> str:
    """Render the template ``name`` (under ``orgraph/render/templates/``) with ``context``.

    Parameters
    ----------
    name : str
        The template's file name, for example ``"map.html.j2"``.
    **context
        The template's variables; str values are escaped, :class:`~markupsafe.Markup` values are not.

    Returns
    -------
    str
    """
    return environment().get_template(name).render(**context)


def asset(name: str) -> str:
    """The text of the file ``name`` under ``orgraph/render/assets/``.

    Parameters
    ----------
    name : str

    Returns
    -------
    str

    Examples
    --------
    >>> "#legend-items" in asset("map.css")
    True
    """
    return resources.files("orgraph.render").joinpath("assets", name).read_text(encoding="utf-8")


def inline_code(text: str, *, element: str) -> Markup:
    """Package code or style, to be placed as is inside a ``<script>`` or ``<style>`` element.

    Parameters
    ----------
    text : str
        The script or style sheet (from the package, never from data).
    element : {"script", "style"}
        The element it goes in.

    Returns
    -------
    markupsafe.Markup

    Raises
    ------
    AnalysisError
        When ``text`` could end the element early (it contains ``</script``, ``</style`` or ``<!--``).

    Examples
    --------
    >>> inline_code("a > b { color: red }", element="style")
    Markup('a > b { color: red }')
    >>> inline_code("x = '</style>'", element="style")
    Traceback (most recent call last):
    ...
    orgraph.errors.AnalysisError: this style cannot be inlined safely (it contains '</style' or '<!--')
    """
    if element not in ("script", "style"):
        raise ValueError(f"element must be 'script' or 'style', not {element!r}")
    if re.search(rf"</{element}|<!--", text, re.IGNORECASE):
        raise AnalysisError(f"this {element} cannot be inlined safely (it contains '</{element}' or '<!--')")
    return Markup(text)
