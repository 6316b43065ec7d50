"""Build the glassml book: ``python docs/build_book.py --out outputs/book`` (``make tour``).

The book's sources are copied into a temporary folder beside a link to ``src/`` and built there,
so a build writes nothing into the repository (sphinx-gallery and autosummary generate pages
into their source folder) and keeps nothing from an earlier build: every lesson is executed
afresh, in ``--quick`` mode. ``-W`` turns warnings into errors (the test that builds the book
uses it).
"""

from __future__ import annotations

import argparse
import shutil
import sys
import tempfile
import time
from pathlib import Path

DOCS = Path(__file__).resolve().parent
REPO = DOCS.parent

GENERATED = (
    "lessons",
    "api/modules",
    "api/generated",
    "api/backreferences",
    "_build",
    "sg_execution_times.rst",
    "benchmarks_table.rst",
)
"""What a build writes into the source folder; never copied into the stage."""


def stage_sources(stage: Path) -> Path:
    """Copy ``docs/`` into ``stage/docs`` and link ``stage/src`` to ``src/``; return the copy.

    The link keeps the paths the pages use valid: the gallery reads ``../src/glassml/lessons``
    and the lessons include code from ``/../src/glassml/...`` (both relative to ``docs/``).
    """
    docs = stage / "docs"

    def skip(folder: str, names: list[str]) -> set[str]:
        rel = Path(folder).resolve().relative_to(DOCS)
        return {n for n in names if (rel / n).as_posix() in GENERATED or n == "__pycache__"}

    shutil.copytree(DOCS, docs, ignore=skip)
    (stage / "src").symlink_to(REPO / "src", target_is_directory=True)
    return docs


def _clear_previous_book(out: Path) -> None:
    """Remove an earlier build in ``out`` (a folder Sphinx built: it has ``.buildinfo``)."""
    if (out / ".buildinfo").is_file():
        shutil.rmtree(out)


def build_book(out: Path, warnings_as_errors: bool = False, jobs: str = "auto") -> int:
    """Build the book into ``out``; return Sphinx's exit status (0 when it built)."""
    from sphinx.cmd.build import build_main

    out = out.resolve()
    _clear_previous_book(out)
    with tempfile.TemporaryDirectory(prefix="glassml-book-src-") as tmp:
        docs = stage_sources(Path(tmp))
        argv = ["-b", "html", "-j", jobs, "-d", str(Path(tmp) / "doctrees"), "-q"]
        if warnings_as_errors:
            argv += ["-W", "--keep-going"]
        return build_main([*argv, str(docs), str(out)])


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--out", type=Path, default=REPO / "outputs" / "book", help="folder")
    parser.add_argument("-W", action="store_true", help="warnings are errors (keep going)")
    parser.add_argument("-j", default="auto", help="Sphinx processes (default auto)")
    args = parser.parse_args(argv)
    t0 = time.perf_counter()
    status = build_book(args.out, warnings_as_errors=args.W, jobs=args.j)
    seconds = time.perf_counter() - t0
    if status != 0:
        print(f"\nThe book did not build (status {status}); see the messages above.")
        return status
    index = args.out.resolve() / "index.html"
    print(f"\nThe book is built ({seconds:.0f} s). Open it in a browser:\n  {index}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
