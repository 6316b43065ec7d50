"""The book's own Sphinx extension: the API pages from ``__all__``, and the lessons' options.

- :func:`public_modules` finds every public glassml module with an ``__all__``;
  :func:`write_api_pages` writes one page per module listing each name with ``autosummary``
  (so a new estimator appears in the reference as soon as its package exports it).
- :func:`reset_argv` gives every lesson ``--quick --out <a temporary folder>`` when
  sphinx-gallery executes it: the book never writes into the source tree or ``outputs/``.
- :func:`write_benchmark_table` turns the saved ``make bench`` table into a reST table with the
  ratio next to the case (in the plain text the ratios sat off the right edge of the page).
"""

from __future__ import annotations

import importlib
import inspect
import os
import pkgutil
import re
import reprlib
import shutil
import sys
import tempfile
import types
import typing
from pathlib import Path
from types import ModuleType
from typing import Any

FIGURES_ENV = "GLASSML_BOOK_LESSON_OUT"
"""Environment variable naming the folder the lessons write their own copies of figures into."""

NOT_API = {"glassml.lessons", "glassml.plotting", "glassml.cli", "glassml.__main__"}
"""Modules that are presentation (lessons, figures, command line), not library API."""

API_FOLDER = "api/modules"
"""Where the generated module pages go, relative to the book's source folder."""

STUB_FOLDER = "api/generated"
"""Where autosummary writes one page per public name (``:toctree:`` of the module pages)."""


BENCH_TABLE = "benchmarks_table.rst"
"""The table of ``benchmarks_last.txt`` as a reST list-table, included by ``benchmarks.rst``."""

_BENCH_ROW = re.compile(
    r"^(?P<case>\S.*?)\s{2,}(?P<ours>[\d.]+ (?:s|ms|us)|-)\s+(?P<ref>[\d.]+ (?:s|ms|us)|-)\s+"
    r"(?P<ratio>[\d.]+|-)\s+(?P<target><= [\d.]+(?:\s+(?:ok|MISS))?|-)\s*(?P<note>.*)$"
)
"""One row of the table ``benchmarks/harness.py`` prints: case, the two times, ratio, target
(with ``ok``/``MISS``), note; columns are separated by two or more spaces."""


def benchmark_rows(text: str) -> tuple[str, list[dict[str, str]]]:
    """The ``measured ...`` line and the rows of a saved ``make bench`` table."""
    lines = text.splitlines()
    measured = lines[0] if lines and lines[0].startswith("measured") else ""
    rows = []
    for line in lines:
        match = _BENCH_ROW.match(line.strip())
        if match:
            row = {key: " ".join(value.split()) for key, value in match.groupdict().items()}
            row["case"] = ("↳ " if line.startswith(" ") else "") + row["case"]
            rows.append(row)
    return measured, rows


def write_benchmark_table(srcdir: Path) -> int:
    """Write :data:`BENCH_TABLE` from ``benchmarks_last.txt``; return the number of rows."""
    measured, rows = benchmark_rows((srcdir / "benchmarks_last.txt").read_text(encoding="utf-8"))
    columns = ("case", "ratio", "target", "ours", "ref", "note")
    header = ("case", "ratio", "target", "glassml", "reference", "note")
    lines = [f"{measured[:1].upper()}{measured[1:]}." if measured else "", ""]
    lines += [".. list-table::", "   :header-rows: 1", "   :class: glassml-bench", ""]
    for cells in [header] + [tuple(row[c] for c in columns) for row in rows]:
        # NOTE: "-" alone would start a nested bullet list; | * ` _ \\ are reST markup
        cells = tuple(
            "—" if cell == "-" else re.sub(r"([|*`_\\])", r"\\\1", cell) for cell in cells
        )
        lines += [f"   * - {cells[0]}"] + [f"     - {cell}".rstrip() for cell in cells[1:]]
    (srcdir / BENCH_TABLE).write_text("\n".join(lines) + "\n", encoding="utf-8")
    return len(rows)


def public_modules() -> list[ModuleType]:
    """``glassml`` and each public module directly under it that has a non-empty ``__all__``."""
    import glassml

    found = [glassml]
    for info in pkgutil.iter_modules(glassml.__path__, "glassml."):
        leaf = info.name.rsplit(".", 1)[1]
        if leaf.startswith("_") or info.name in NOT_API:
            continue
        module = importlib.import_module(info.name)
        if getattr(module, "__all__", None):
            found.append(module)
    return found


def _is_type_alias(obj: object) -> bool:
    """``History = dict[str, list[float]]``: autodoc cannot document such an alias itself."""
    return isinstance(obj, types.GenericAlias) or typing.get_origin(obj) is not None


def _alias_entry(module: ModuleType, item: str) -> list[str]:
    """A hand-made entry for a type alias: its name and what it stands for."""
    return ["", f".. py:data:: {item}", "", f"   Type alias: ``{getattr(module, item)!r}``."]


def _is_data(obj: object) -> bool:
    """A constant (``EPS``, ``ACTIVATION_TABLE``): autosummary would show its type's docstring."""
    return not (inspect.ismodule(obj) or inspect.isclass(obj) or callable(obj))


def _defining_module(package: ModuleType, name: str) -> ModuleType | None:
    """The module under ``package`` whose source assigns ``name`` (``EPS = 1e-9``)."""
    assignment = re.compile(rf"^{re.escape(name)}\s*(:[^=\n]*)?=", re.MULTILINE)
    prefix = package.__name__ + "."
    for mod_name, mod in sorted(sys.modules.items()):
        if not mod_name.startswith(prefix) or getattr(mod, name, None) is not getattr(
            package, name
        ):
            continue
        try:
            if assignment.search(inspect.getsource(mod)):
                return mod
        except (OSError, TypeError):
            continue
    return None


def _attribute_doc(module: ModuleType | None, name: str) -> list[str]:
    """The ``#:`` comment or docstring that documents ``name`` in its module's source."""
    if module is None:
        return []
    from sphinx.pycode import ModuleAnalyzer

    docs = ModuleAnalyzer.for_module(module.__name__).find_attr_docs()
    return [line for line in docs.get(("", name), []) if line.strip()]


def _data_entry(module: ModuleType, item: str) -> list[str]:
    """A constant: its (abbreviated) value, where it is defined, and its doc comment if any."""
    obj = getattr(module, item)
    if isinstance(obj, dict):  # the keys; the values' reprs hold memory addresses
        value = "{" + ", ".join(f"{key!r}: ..." for key in obj) + "}"
    else:
        value = reprlib.repr(obj).replace("\n", " ")
    home = _defining_module(module, item)
    lines = ["", f".. py:data:: {item}", f"   :value: {value}", ""]
    lines += [f"   {line}" for line in _attribute_doc(home, item)]
    if home is not None:
        lines += ["", f"   Defined in ``{home.__name__}``."]
    return lines


def _page(module: ModuleType) -> str:
    """The reST of one module's reference page: its docstring, then every public name."""
    name = module.__name__
    title = f"``{name}``"
    everything = sorted(module.__all__, key=str.lower)
    aliases = [item for item in everything if _is_type_alias(getattr(module, item))]
    data = [i for i in everything if i not in aliases and _is_data(getattr(module, i))]
    names = [item for item in everything if item not in aliases and item not in data]
    lines = [
        title,
        "=" * len(title),
        "",
        f".. automodule:: {name}",
        "   :no-members:",
        "",
        f".. currentmodule:: {name}",
        "",
        ".. autosummary::",
        "   :toctree: ../generated",
        "   :nosignatures:",
        "",
        *(f"   {item}" for item in names),
    ]
    if aliases or data:
        lines += ["", "Constants and type aliases", "--------------------------"]
    for item in aliases:
        lines += _alias_entry(module, item)
    for item in data:
        lines += _data_entry(module, item)
    return "\n".join([*lines, ""])


_TRAILING_UNDERSCORE = re.compile(r"(?<![\w\\])([A-Za-z]\w*)_(?![\w])")
_LITERAL_OR_ROLE = re.compile(r"(``.*?``|`[^`]*`)")


def _escape_outside_literals(line: str) -> str:
    """``n_features_in_`` outside backticks becomes ``n_features_in\\_`` (reST reads a word
    ending in ``_`` as a link to a target of that name)."""
    parts = _LITERAL_OR_ROLE.split(line)
    for i in range(0, len(parts), 2):  # odd parts are the backtick spans themselves
        parts[i] = _TRAILING_UNDERSCORE.sub(r"\1\\_", parts[i])
    return "".join(parts)


def escape_trailing_underscores(lines: list[str]) -> None:
    """Escape sklearn-style names (``coef_``, ``n_features_in_``) in prose, in place.

    Literal blocks (after a line ending in ``::``) and doctest lines are left alone.
    """
    block_indent: int | None = None
    for i, line in enumerate(lines):
        indent = len(line) - len(line.lstrip())
        if block_indent is not None and line.strip() and indent <= block_indent:
            block_indent = None
        if block_indent is not None or line.lstrip().startswith((">>>", "...")):
            continue
        lines[i] = _escape_outside_literals(line)
        if line.rstrip().endswith("::"):
            block_indent = indent


def _process_docstring(
    app: Any, what: str, name: str, obj: Any, options: Any, lines: list[str]
) -> None:
    escape_trailing_underscores(lines)


def _skip_member(app: Any, what: str, name: str, obj: Any, skip: bool, options: Any) -> bool | None:
    """Leave out scikit-learn's generated ``set_<method>_request`` (metadata routing)."""
    if name.startswith("set_") and name.endswith("_request"):
        return True
    return None


def write_api_pages(srcdir: Path) -> list[str]:
    """Write ``api/modules/<module>.rst`` for every public module; return the module names."""
    for stale in (srcdir / API_FOLDER, srcdir / STUB_FOLDER):
        if stale.exists():
            shutil.rmtree(stale)
    folder = srcdir / API_FOLDER
    folder.mkdir(parents=True)
    names = []
    for module in public_modules():
        (folder / f"{module.__name__}.rst").write_text(_page(module), encoding="utf-8")
        names.append(module.__name__)
    return names


def reset_argv(gallery_conf: dict[str, Any], script_vars: dict[str, Any]) -> list[str]:
    """The command line sphinx-gallery gives each lesson: quick settings, a throwaway folder."""
    out = os.environ.get(FIGURES_ENV) or tempfile.mkdtemp(prefix="glassml-book-")
    return ["--quick", "--out", out]


def _config_inited(app: Any, config: Any) -> None:
    # NOTE: before Sphinx lists the source files (autosummary only reads the pages listed then)
    write_api_pages(Path(app.srcdir))
    write_benchmark_table(Path(app.srcdir))


def _builder_inited(app: Any) -> None:
    if not os.environ.get(FIGURES_ENV):
        os.environ[FIGURES_ENV] = tempfile.mkdtemp(prefix="glassml-book-")
        app.glassml_lesson_out = os.environ[FIGURES_ENV]


def _build_finished(app: Any, exc: Exception | None) -> None:
    folder = getattr(app, "glassml_lesson_out", None)
    if folder:
        shutil.rmtree(folder, ignore_errors=True)
        os.environ.pop(FIGURES_ENV, None)


def setup(app: Any) -> dict[str, Any]:
    # NOTE: sphinx-mathjax-offline only copies its files when the build finishes, but does not
    # say it is safe for parallel builds, and Sphinx's warning about that would fail ``-W``.
    mathjax = app.extensions.get("sphinx-mathjax-offline")
    if mathjax is not None:
        mathjax.parallel_read_safe = mathjax.parallel_write_safe = True
    app.connect("config-inited", _config_inited)
    # NOTE: after numpydoc (priority 500) has turned its sections into reST
    app.connect("autodoc-process-docstring", _process_docstring, priority=600)
    app.connect("autodoc-skip-member", _skip_member)
    app.connect("builder-inited", _builder_inited, priority=100)  # before the gallery runs
    app.connect("build-finished", _build_finished)
    return {"parallel_read_safe": True, "parallel_write_safe": True}
