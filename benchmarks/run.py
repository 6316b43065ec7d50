"""Run every benchmark (``make bench`` / ``glassml bench``) and print the table.

``--quick`` runs each case at tiny sizes: a smoke test that the harness works, not a measurement.
``--only WORD`` keeps the modules whose name contains WORD (e.g. ``--only knn``).
A full run of every case also writes the table to ``docs/benchmarks_last.txt``, the file the
book's benchmark page shows ("as last measured"); ``--save PATH`` writes it elsewhere.
"""

from __future__ import annotations

import argparse
import datetime
import importlib.util
import os
import platform
import sys
from pathlib import Path

HERE = Path(__file__).resolve().parent
LAST_TABLE = HERE.parent / "docs" / "benchmarks_last.txt"
sys.path.insert(0, str(HERE))

from harness import Row, format_table  # noqa: E402


def benchmark_modules(only: str | None = None) -> list[Path]:
    mods = sorted(HERE.glob("bench_*.py"))
    return [m for m in mods if only is None or only in m.stem]


def run(quick: bool = False, only: str | None = None, echo: bool = True) -> list[Row]:
    rows: list[Row] = []
    for path in benchmark_modules(only):
        spec = importlib.util.spec_from_file_location(path.stem, path)
        assert spec is not None and spec.loader is not None
        module = importlib.util.module_from_spec(spec)
        spec.loader.exec_module(module)
        for row in module.cases(quick):
            rows.append(row)
            if echo:
                print(f"  measured {row.case}", file=sys.stderr, flush=True)
    return rows


def _versions() -> str:
    """The versions that decide the timings, e.g. ``numpy 2.3.1, scikit-learn 1.7.0``."""
    from importlib.metadata import PackageNotFoundError, version

    found = []
    for name in ("numpy", "scikit-learn", "torch"):
        try:
            found.append(f"{name} {version(name)}")
        except PackageNotFoundError:
            continue
    return ", ".join(found)


def table_record(table: str) -> str:
    """The table with when and where it was measured: the text of ``docs/benchmarks_last.txt``."""
    when = datetime.datetime.now(datetime.UTC).strftime("%Y-%m-%d %H:%M UTC")
    where = f"{platform.machine()}, {os.cpu_count()} CPU cores, Python {platform.python_version()}"
    return f"measured {when} on {where}; {_versions()}\n\n{table}\n"


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true", help="tiny sizes (smoke test)")
    parser.add_argument("--only", default=None, help="run only modules whose name has this")
    parser.add_argument(
        "--save",
        type=Path,
        default=None,
        help="also write the table here (a full run writes docs/benchmarks_last.txt)",
    )
    args = parser.parse_args(argv)
    rows = run(quick=args.quick, only=args.only)
    mode = "quick smoke run: sizes are tiny, ratios mean nothing" if args.quick else "full"
    print(f"\nglassml benchmarks ({mode}); ratio = glassml / reference, lower is better\n")
    table = format_table(rows)
    print(table)
    full = not args.quick and args.only is None
    save = args.save if args.save is not None else (LAST_TABLE if full else None)
    if save is not None:
        save.write_text(table_record(table), encoding="utf-8")
        print(f"\n(table saved to {save})")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
