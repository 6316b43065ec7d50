"""The book: it builds with warnings as errors, each lesson page has words, typeset formulas,
code and figures in story order, the notebooks run, the API reference names every public name,
and nothing is loaded from the network."""

from __future__ import annotations

import importlib.util
import os
import re
import subprocess
import sys
from html.parser import HTMLParser
from pathlib import Path

import pytest

from glassml.lessons import lesson_paths
from tests.conftest import REPO_ROOT

pytest.importorskip("sphinx_gallery")
nbformat = pytest.importorskip("nbformat")
nbclient = pytest.importorskip("nbclient")

BUILD_SCRIPT = REPO_ROOT / "docs" / "build_book.py"


def _glassml_book_extension():
    """``docs/_ext/glassml_book.py``, which lists the public modules the reference covers."""
    spec = importlib.util.spec_from_file_location(
        "glassml_book", REPO_ROOT / "docs/_ext/glassml_book.py"
    )
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def _env(**extra: str) -> dict[str, str]:
    path = os.pathsep.join(filter(None, [str(REPO_ROOT / "src"), os.environ.get("PYTHONPATH")]))
    return {**os.environ, "PYTHONPATH": path, "MPLBACKEND": "Agg", **extra}


class Page(HTMLParser):
    """The parts of a built page the tests look at, in document order."""

    def __init__(self) -> None:
        super().__init__()
        self.events: list[tuple[str, str]] = []  # (kind, detail) in document order
        self.external: list[str] = []  # http(s) URLs a <script> or <link> would load
        self.ids: set[str] = set()
        self.hrefs: list[str] = []
        self._in_p = 0

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        a = {k: v or "" for k, v in attrs}
        classes = a.get("class", "").split()
        if a.get("id"):
            self.ids.add(a["id"])
        if tag == "a" and a.get("href"):
            self.hrefs.append(a["href"])
        if tag in ("script", "link"):
            url = a.get("src") or a.get("href") or ""
            if re.match(r"(https?:)?//", url):
                self.external.append(url)
        if tag == "p":
            self._in_p += 1
        if {"admonition", "verified"} <= set(classes):
            self.events.append(("verified", ""))
        if "math" in classes:
            self.events.append(("math", ""))
        if tag == "div" and "highlight-Python" in classes:
            self.events.append(("code", ""))
        if tag == "img" and {"sphx-glr-single-img", "sphx-glr-multi-img"} & set(classes):
            self.events.append(("image", a.get("src", "")))

    def handle_endtag(self, tag: str) -> None:
        if tag == "p" and self._in_p:
            self._in_p -= 1

    def handle_data(self, data: str) -> None:
        if self._in_p and data.strip():
            self.events.append(("text", data.strip()))

    def kinds(self, kind: str) -> list[str]:
        return [detail for k, detail in self.events if k == kind]


def parse(path: Path) -> Page:
    page = Page()
    page.feed(path.read_text(encoding="utf-8"))
    page.close()
    return page


def _check_lesson_page(book: Path, stem: str) -> None:
    html = book / "lessons" / f"{stem}.html"
    assert html.is_file(), f"no page for {stem}"
    page = parse(html)
    words = " ".join(page.kinds("text"))
    assert len(words.split()) >= 150, f"{stem}: only {len(words.split())} words of text"
    assert page.kinds("math"), f"{stem}: no typeset formula"
    assert len(page.kinds("code")) >= 3, f"{stem}: fewer than 3 code cells"
    assert page.kinds("verified"), f"{stem}: no 'Verified against' box"
    images = page.kinds("image")
    assert images, f"{stem}: no figure"
    # story order: figures are numbered as the script drew them, and each one follows code
    numbers = [int(re.search(r"_(\d+)\.png$", src)[1]) for src in images]  # type: ignore[index]
    assert numbers == sorted(numbers), f"{stem}: figures out of order {images}"
    kinds = [k for k, _ in page.events]
    assert kinds.index("code") < kinds.index("image"), f"{stem}: a figure before any code"
    for src in images:
        assert (html.parent / src).is_file(), f"{stem}: missing image {src}"
    for suffix in (".py", ".ipynb"):
        links = [h for h in page.hrefs if h.endswith(stem + suffix)]
        assert links, f"{stem}: no {suffix} download link"
        assert (html.parent / links[0]).is_file(), f"{stem}: {links[0]} missing"


def _check_api_reference(book: Path) -> None:
    ids: set[str] = set()
    for html in (book / "api").rglob("*.html"):
        ids |= parse(html).ids
    for module in _glassml_book_extension().public_modules():
        for name in module.__all__:
            full = f"{module.__name__}.{name}"
            assert full in ids or f"module-{full}" in ids, (
                f"{full} has no entry in the API reference"
            )


def _check_offline(book: Path) -> None:
    for html in book.rglob("*.html"):
        external = parse(html).external
        assert not external, f"{html.relative_to(book)} loads {external}"
    assert (book / "_static" / "mathjax" / "tex-chtml.js").is_file()
    assert ".admonition.verified" in (book / "_static" / "glassml.css").read_text(encoding="utf-8")


def _run_notebooks(book: Path, workdir: Path) -> None:
    notebooks = sorted(book.glob("_downloads/*/*.ipynb"))
    stems = {p.stem for p in lesson_paths().values()}
    assert {nb.stem for nb in notebooks} >= stems, "a lesson has no notebook"
    env = _env(GLASSML_QUICK="1")
    for path in notebooks:
        nb = nbformat.read(path, as_version=4)
        client = nbclient.NotebookClient(
            nb, timeout=300, kernel_name="python3", resources={"metadata": {"path": str(workdir)}}
        )
        try:
            client.execute(env=env)
        except nbclient.exceptions.CellExecutionError as exc:
            pytest.fail(f"notebook {path.name} failed:\n{exc}")


def test_the_book_builds_without_warnings_and_every_notebook_runs(tmp_path):
    # NOTE: one test, not a module fixture shared by several: under pytest-xdist every worker
    # would build its own copy of the book.
    book = tmp_path / "book"
    generated = [REPO_ROOT / "docs" / "lessons", REPO_ROOT / "docs" / "api" / "generated"]
    existed = [p.exists() for p in generated]
    proc = subprocess.run(
        [sys.executable, str(BUILD_SCRIPT), "--out", str(book), "-W", "-j", "2"],
        capture_output=True,
        text=True,
        env=_env(),
        cwd=tmp_path,
        check=False,
        timeout=900,
    )
    assert proc.returncode == 0, proc.stdout[-5000:] + proc.stderr[-10000:]
    assert str(book / "index.html") in proc.stdout
    for topic in ("index", "reading", "conventions", "benchmarks", "api/index"):
        assert (book / f"{topic}.html").is_file(), topic
    for path in lesson_paths().values():
        _check_lesson_page(book, path.stem)
    _check_api_reference(book)
    _check_offline(book)
    assert [p.exists() for p in generated] == existed, "the build wrote into docs/"
    workdir = tmp_path / "notebooks"
    workdir.mkdir()
    _run_notebooks(book, workdir)
    # a notebook has no command line: each lesson wrote its figures to its default folder
    assert sorted(p.name for p in (workdir / "outputs").iterdir()) == [
        f"lesson_{n:02d}" for n in lesson_paths()
    ]
