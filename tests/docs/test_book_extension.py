"""The book's Sphinx extension (docs/_ext/glassml_book.py), piece by piece, without a build."""

from __future__ import annotations

import importlib.util
import os
from types import SimpleNamespace

import pytest

import glassml.nn
import glassml.pytorch
from tests.conftest import REPO_ROOT


@pytest.fixture(scope="module")
def ext():
    path = REPO_ROOT / "docs" / "_ext" / "glassml_book.py"
    spec = importlib.util.spec_from_file_location("glassml_book_under_test", path)
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def test_public_modules_are_the_packages_with_an_all(ext):
    names = [m.__name__ for m in ext.public_modules()]
    assert names[0] == "glassml"
    for expected in ("glassml.nn", "glassml.optim", "glassml.tree", "glassml.cluster"):
        assert expected in names
    assert "glassml.lessons" not in names and "glassml.plotting" not in names
    assert all(m.__all__ for m in ext.public_modules())


def test_a_module_page_lists_every_public_name_once(ext):
    page = ext._page(glassml.nn)
    for name in glassml.nn.__all__:
        listed = page.count(f"\n   {name}\n") + page.count(f".. py:data:: {name}\n")
        assert listed == 1, name
    # constants get their value and their doc comment, not their type's docstring
    assert ".. py:data:: EPS\n   :value: 1e-09" in page
    assert "Probability clipping" in page and "Defined in ``glassml.nn.losses``" in page
    assert "object at 0x" not in page  # dict values are left out (their reprs hold addresses)


def test_a_type_alias_is_an_entry_of_its_own(ext):
    page = ext._page(glassml.pytorch)
    assert ".. py:data:: History" in page and "dict[str, list[float]]" in page
    assert "\n   History\n" not in page  # autosummary cannot import an alias


@pytest.mark.parametrize(
    ("line", "expected"),
    [
        ("of shape (n_samples, n_features_in_)", r"of shape (n_samples, n_features_in\_)"),
        ("    **coef_** : ndarray", r"    **coef\_** : ndarray"),
        ("``coef_`` and :attr:`coef_`", "``coef_`` and :attr:`coef_`"),
        ("`a link`_ stays a link", "`a link`_ stays a link"),
        ("already escaped coef\\_", "already escaped coef\\_"),
    ],
)
def test_trailing_underscores_are_escaped_outside_literals(ext, line, expected):
    lines = [line]
    ext.escape_trailing_underscores(lines)
    assert lines == [expected]


def test_literal_blocks_and_doctests_are_left_alone(ext):
    lines = ["Example::", "", "    fit_ = 1", "back to prose_", ">>> model.coef_"]
    ext.escape_trailing_underscores(lines)
    assert lines == ["Example::", "", "    fit_ = 1", r"back to prose\_", ">>> model.coef_"]


def test_lessons_run_quick_into_one_temporary_folder_removed_after(ext, monkeypatch, tmp_path):
    monkeypatch.delenv(ext.FIGURES_ENV, raising=False)
    app = SimpleNamespace()
    ext._builder_inited(app)
    folder = os.environ[ext.FIGURES_ENV]
    assert os.path.isdir(folder)
    assert ext.reset_argv({}, {}) == ["--quick", "--out", folder]
    assert ext.reset_argv({}, {}) == ["--quick", "--out", folder]  # the same for every lesson
    ext._build_finished(app, None)
    assert not os.path.exists(folder) and ext.FIGURES_ENV not in os.environ


def test_the_extension_runs_before_the_gallery(ext):
    connected = []
    app = SimpleNamespace(
        extensions={},
        connect=lambda event, fn, priority=500: connected.append((event, fn, priority)),
    )
    ext.setup(app)
    priorities = {(event, fn.__name__): p for event, fn, p in connected}
    assert priorities[("builder-inited", "_builder_inited")] < 500  # sphinx-gallery's is 500
    assert priorities[("autodoc-process-docstring", "_process_docstring")] > 500  # numpydoc's


BENCH_TEXT = """\
measured 2026-12-01 04:59 UTC on x86_64, 2 CPU cores

case                                              glassml    reference   ratio   target
----------------------------------------------------------------------------------------
KMeans 20000x10 k=8 same init, per iteration      1.01 ms     700.3 us    1.44     <= 1  MISS  n_iter 30 vs 30
PCA fit 20000x100, 10 components                 16.02 ms     14.19 ms    1.13   <= 1.5  ok  max |components - sklearn| = 5.2e-15
random forest fit 10000x20, 100 trees, n_jobs=2   3.125 s      2.130 s    1.47     <= 2  ok
  of which: 20 tree fits, sqrt features           1.022 s    809.48 ms    1.26        -    the tree alone, 1 thread
Dropout(0.5) forward+backward 256x1024, f32       1.38 ms      4.49 ms    0.31        -    vs torch CPU
"""


def test_benchmark_rows_reads_every_row_of_the_saved_table(ext):
    measured, rows = ext.benchmark_rows(BENCH_TEXT)
    assert measured.startswith("measured 2026-12-01")
    assert [r["ratio"] for r in rows] == ["1.44", "1.13", "1.47", "1.26", "0.31"]
    assert rows[0] == {
        "case": "KMeans 20000x10 k=8 same init, per iteration",
        "ours": "1.01 ms",
        "ref": "700.3 us",
        "ratio": "1.44",
        "target": "<= 1 MISS",
        "note": "n_iter 30 vs 30",
    }
    assert rows[2]["note"] == "" and rows[2]["target"] == "<= 2 ok"
    assert rows[3]["case"] == "↳ of which: 20 tree fits, sqrt features"
    assert (rows[3]["target"], rows[3]["note"]) == ("-", "the tree alone, 1 thread")


def test_benchmark_table_is_a_list_table_with_markup_escaped(ext, tmp_path):
    (tmp_path / "benchmarks_last.txt").write_text(BENCH_TEXT, encoding="utf-8")
    assert ext.write_benchmark_table(tmp_path) == 5
    text = (tmp_path / ext.BENCH_TABLE).read_text(encoding="utf-8")
    assert text.startswith("Measured 2026-12-01 04:59 UTC on x86_64, 2 CPU cores.\n")
    assert ".. list-table::" in text and text.count("   * - ") == 6  # header + 5 rows
    assert "max \\|components - sklearn\\| = 5.2e-15" in text  # not a substitution
    assert "n\\_iter 30 vs 30" in text
    assert "     - —\n" in text and "     - -\n" not in text  # a lone "-" is not a sub-list
