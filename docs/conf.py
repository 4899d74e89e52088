"""Sphinx configuration of the documentation site (built by `python tools/build_site.py`, which stages the processed
notebooks into `_build/src` and runs Sphinx on them with this file).

Pages are nbdev's processed notebooks rendered by myst-nb with their stored outputs (no execution here), the theme is
pydata-sphinx-theme (search, per-page contents, sticky sidebar, responsive), the API entries are autodoc's, and math is
written as MathML by docutils' own LaTeX converter, so the site needs no script or network to show it.
"""
import re
from docutils import nodes
from docutils.utils.math import latex2mathml

project = "compressnb"
author = "compressnb developers"
copyright = "compressnb developers"
extensions = ["myst_nb", "sphinx.ext.autodoc", "sphinx_copybutton"]

# Notebooks keep their outputs in the repository (tools/run_notebooks.py); the site shows them as stored.
nb_execution_mode = "off"
nb_output_stderr = "remove"
nb_merge_streams = True
nb_mime_priority_overrides = [("html", "application/vnd.jupyter.widget-view+json", None),   # explorers: their static HTML
                              ("html", "application/vnd.jupyter.widget-state+json", None)]
myst_enable_extensions = ["dollarmath", "amsmath", "colon_fence", "attrs_inline"]
myst_heading_anchors = 3
suppress_warnings = ["mystnb.unknown_mime_type", "misc.highlighting_failure", "myst.header"]

autodoc_member_order = "bysource"
autodoc_typehints = "signature"
autodoc_default_options = {"members": True, "undoc-members": True, "exclude-members": "__init__, __repr__, extra_repr, Config"}
add_module_names = False
# Cross-references to compressnb's own entries must resolve (the build runs with -n -W); others (torch, typing) may not.
nitpicky = True
nitpick_ignore_regex = [(r"py:.*", r"^(?!compressnb\.).*")]

html_theme = "pydata_sphinx_theme"
html_title = "compressnb"
html_theme_options = {
    "navigation_with_keys": False,
    "show_toc_level": 2,
    "secondary_sidebar_items": ["page-toc"],
    "footer_start": ["copyright"],
    "footer_end": [],
    "show_nav_level": 2,
    "navbar_align": "left",
}
html_sidebars = {"**": ["sidebar-nav-bs"]}
html_static_path = ["_static"]
html_css_files = ["compressnb.css"]
html_copy_source = False
html_show_sourcelink = False

# ---- math as MathML (docutils' converter; \big and \mathrel, which it lacks, are dropped or unwrapped first)
def _tex(s:str) -> str:
    s = re.sub(r"\\[Bb]ig[glr]?(?![a-zA-Z])", "", s)
    return re.sub(r"\\mathrel\{([^{}]*)\}", r"\1", s)

def _visit_math(self, node):
    self.body.append(latex2mathml.tex2mathml(_tex(node.astext())))
    raise nodes.SkipNode

def _visit_displaymath(self, node):
    self.body.append('<div class="math-block">' + latex2mathml.tex2mathml(_tex(node.astext()), as_block=True) + "</div>")
    raise nodes.SkipNode

# ---- docstrings are written in nbdev's markdown: `code` is literal text, | is a character
def _markdown_docstring(app, what, name, obj, options, lines):
    "`code` -> literal, $x$ -> :math:`x`, and | and * (as written in shapes and formulas) kept as characters."
    def text(t): return re.sub(r"(?<!`)`([^`]+)`(?!`)", r"``\1``", t.replace("|", "\\|").replace("*", "\\*"))
    for i, l in enumerate(lines):
        parts = re.split(r"(?<![`\\])\$([^$`]+)\$", l)                           # even: text, odd: math
        lines[i] = "".join(text(t) if k % 2 == 0 else f":math:`{t}`" for k, t in enumerate(parts))

def setup(app):
    app.connect("autodoc-process-docstring", _markdown_docstring)
    app.add_html_math_renderer("mathml", (_visit_math, None), (_visit_displaymath, None))
    app.config.html_math_renderer = "mathml"
