"""Run every benchmark (``make bench`` / ``glassml bench``) and print the table.

``--quick`` runs each case at tiny sizes: a smoke test that the harness works, not a measurement.
``--only WORD`` keeps the modules whose name contains WORD (e.g. ``--only knn``).
"""

from __future__ import annotations

import argparse
import importlib.util
import sys
from pathlib import Path

HERE = Path(__file__).resolve().parent
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


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true", help="tiny sizes (smoke test)")
    parser.add_argument("--only", default=None, help="run only modules whose name has this")
    args = parser.parse_args(argv)
    rows = run(quick=args.quick, only=args.only)
    mode = "quick smoke run: sizes are tiny, ratios mean nothing" if args.quick else "full"
    print(f"\nglassml benchmarks ({mode}); ratio = glassml / reference, lower is better\n")
    print(format_table(rows))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
