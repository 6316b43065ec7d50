"""Sphinx configuration of the glassml book (``make tour`` builds it into ``outputs/book``).

The lessons in ``src/glassml/lessons`` are sphinx-gallery scripts: the gallery executes each
one (quick settings, figures into a temporary folder) and writes its page, its ``.py`` and its
``.ipynb``. The API reference is generated from each package's ``__all__``
(``_ext/glassml_book.py``). Everything the pages load ships in the installed packages: the theme,
and MathJax (``sphinx-mathjax-offline``); nothing is fetched when building or reading.
"""

from __future__ import annotations

import sys
from pathlib import Path

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE / "_ext"))

import glassml  # noqa: E402

project = "glassml"
author = "the glassml authors"
copyright = "2026, the glassml authors"
release = version = glassml.__version__

extensions = [
    "sphinx.ext.autodoc",
    "sphinx.ext.autosummary",
    "sphinx.ext.mathjax",
    "sphinx-mathjax-offline",  # NOTE: the package's import name has hyphens; it sets mathjax_path
    "numpydoc",
    "sphinx_gallery.gen_gallery",
    "glassml_book",
]

exclude_patterns = ["_build", "lessons/*.ipynb", "lessons/*.py", "**/*.zip", "benchmarks_table.rst"]
templates_path = ["_templates"]
root_doc = "index"
default_role = "py:obj"
suppress_warnings: list[str] = []

# -- API reference ---------------------------------------------------------------------------------
autosummary_generate = True
autosummary_imported_members = True
autodoc_default_options = {"member-order": "bysource"}
autodoc_typehints = "none"  # numpydoc docstrings state types and shapes themselves
numpydoc_show_class_members = False
numpydoc_class_members_toctree = False
numpydoc_xref_param_type = False
numpydoc_validation_checks: set[str] = set()

# -- the lessons -----------------------------------------------------------------------------------
sphinx_gallery_conf = {
    # relative to this folder; the literalinclude paths in the lessons (/../src/...) match
    "examples_dirs": ["../src/glassml/lessons"],
    "gallery_dirs": ["lessons"],
    "filename_pattern": r"/\d\d_\w+\.py$",  # execute every lesson NN_name.py
    "ignore_pattern": r"(__init__|_common)\.py$",
    "within_subsection_order": "FileNameSortKey",
    "reset_argv": "glassml_book.reset_argv",
    "image_scrapers": ("matplotlib",),
    "matplotlib_animations": False,
    "doc_module": ("glassml",),
    "reference_url": {"glassml": None},  # link code to the API pages of this book, offline
    "backreferences_dir": "api/backreferences",
    "download_all_examples": False,
    "remove_config_comments": True,
    "show_memory": False,
    "plot_gallery": "True",
    "abort_on_example_error": False,
    "only_warn_on_example_error": False,
    "capture_repr": (),
    "min_reported_time": 1,
    # NOTE: the timing pages load jQuery and DataTables from CDNs; the book loads nothing
    "write_computation_times": False,
}

# -- HTML ------------------------------------------------------------------------------------------
html_theme = "pydata_sphinx_theme"
html_title = "glassml"
html_static_path = ["_static"]
html_css_files = ["glassml.css"]
html_show_sourcelink = False
html_copy_source = False
html_last_updated_fmt = None
html_sidebars = {"lessons/*": [], "index": []}  # a lesson page uses the whole width
html_theme_options = {
    "navigation_with_keys": False,
    "show_prev_next": True,
    "navbar_end": ["navbar-icon-links"],
    "icon_links": [],
    "secondary_sidebar_items": ["page-toc", "sg_download_links"],
    "footer_start": ["copyright"],
    "footer_end": [],
}
