"""The ``glassml`` command: ``glassml lesson N``, ``glassml tour``, ``glassml bench``.

Mistakes in how the command is called end with one line on stderr, never a traceback: exit
status 2 for a bad argument (an unknown lesson, an ``--out`` that is a file or cannot be
written), 130 for Ctrl-C (128 + SIGINT, as a shell reports it).
"""

from __future__ import annotations

import argparse
import subprocess
import sys
import tempfile
from pathlib import Path

from glassml.exercises._cli import add_parser as add_exercises_parser
from glassml.lessons import lesson_path, lesson_paths, run_lesson
from glassml.lessons._common import default_out


def _benchmarks_runner() -> Path:
    """The benchmark harness ships beside ``src/`` in the source tree."""
    return Path(__file__).resolve().parents[2] / "benchmarks" / "run.py"


TOUR_OUT = Path("outputs") / "tour"
"""Where ``glassml tour`` writes (the book is ``outputs/book``, a lesson ``outputs/lesson_NN``)."""

EXIT_USAGE = 2
"""Exit status for a bad argument (argparse's own)."""

EXIT_INTERRUPTED = 130
"""Exit status after Ctrl-C: 128 + SIGINT (2)."""


def _usable_out(out: Path) -> str | None:
    """Create the ``--out`` folder if needed; the reason it cannot be used, or None if it can."""
    if out.exists() and not out.is_dir():
        return f"--out {out} is an existing file, not a folder; give a folder path."
    try:
        out.mkdir(parents=True, exist_ok=True)
        with tempfile.TemporaryFile(dir=out):  # NOTE: as root, os.access says yes to anything
            pass
    except OSError as exc:
        return f"cannot write into --out {out}: {exc.strerror or exc}."
    return None


def _check_out(out: Path) -> bool:
    """Print why ``out`` is unusable (one line on stderr) and return False; True if usable."""
    problem = _usable_out(out)
    if problem is not None:
        print(f"glassml: {problem}", file=sys.stderr)
    return problem is None


def _cmd_lesson(args: argparse.Namespace, rest: list[str]) -> int:
    if args.number is None:
        args.lesson_parser.print_help()
        return 0 if args.help else 2
    if args.help:
        rest = [*rest, "--help"]
    try:
        lesson_path(args.number)
    except ValueError as exc:
        print(f"glassml: {exc}", file=sys.stderr)
        return EXIT_USAGE
    out = args.out if args.out is not None else default_out(args.number)
    if not args.help and not _check_out(out):
        return EXIT_USAGE
    argv = ["--out", str(out), *(["--quick"] if args.quick else []), *rest]
    try:
        run_lesson(args.number, argv)
    except SystemExit as exc:  # the lesson's argparse exits on --help or a bad option
        return exc.code if isinstance(exc.code, int) else (0 if exc.code is None else 1)
    return 0


def _cmd_tour(args: argparse.Namespace, rest: list[str]) -> int:
    import time

    from glassml.tour import run_tour, summary, write_index

    if rest:
        print(f"glassml tour: unknown arguments {rest}", file=sys.stderr)
        return EXIT_USAGE
    if not _check_out(args.out):
        return EXIT_USAGE
    t0 = time.perf_counter()
    results = run_tour(args.out, quick=args.quick)
    total = time.perf_counter() - t0
    index = write_index(results, args.out, quick=args.quick)
    print("\n" + "=" * 78)
    print(f"Tour summary (outputs in {args.out}/, {total:.1f} s wall time)")
    print(summary(results))
    print(f"\nLinks to every lesson's output and figures: {index}")
    print("The book (each lesson as a page with its text, formulas and figures): make tour")
    failed = [r.name for r in results if not r.ok]
    if failed:
        print(
            f"\nglassml tour: {len(failed)} lesson(s) failed: {', '.join(failed)}. "
            f"Their output is in {args.out}/<lesson>.txt.",
            file=sys.stderr,
        )
        return 1
    return 0


def _cmd_bench(args: argparse.Namespace, rest: list[str]) -> int:
    runner = _benchmarks_runner()
    if not runner.exists():
        print(
            f"glassml bench: benchmarks not found at {runner}; run it from a source checkout.",
            file=sys.stderr,
        )
        return EXIT_USAGE
    cmd = [sys.executable, str(runner), *(["--quick"] if args.quick else []), *rest]
    return subprocess.call(cmd)


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="glassml", description="glassml — machine learning you can see through."
    )
    sub = parser.add_subparsers(dest="command", required=True)

    numbers = list(lesson_paths())
    p = sub.add_parser(
        "lesson",
        help=f"run lesson N ({numbers[0]}-{numbers[-1]}); extra options go to the lesson",
        # NOTE: -h/--help is handled by hand so that `glassml lesson 6 --help` shows the lesson's
        # own options (e.g. --w1) rather than only the CLI's.
        add_help=False,
    )
    p.add_argument(
        "number", type=int, nargs="?", help="lesson number, e.g. 1 for 01_neuron_and_layer"
    )
    p.add_argument("-h", "--help", action="store_true", help="show this help (or lesson N's)")
    p.add_argument(
        "--out", type=Path, default=None, help="folder for figures (default outputs/lesson_NN)"
    )
    p.add_argument("--quick", action="store_true", help="smaller settings (seconds)")
    p.set_defaults(func=_cmd_lesson, lesson_parser=p)

    p = sub.add_parser(
        "tour", help="run every lesson in order into one folder (the book: make tour)"
    )
    p.add_argument("--out", type=Path, default=TOUR_OUT, help=f"folder (default {TOUR_OUT}/)")
    p.add_argument("--quick", action="store_true", help="smaller settings (seconds)")
    p.set_defaults(func=_cmd_tour)

    add_exercises_parser(sub)

    p = sub.add_parser("bench", help="time glassml against scikit-learn / PyTorch")
    p.add_argument(
        "--quick", action="store_true", help="tiny sizes: a smoke test, not a measurement"
    )
    p.set_defaults(func=_cmd_bench)
    return parser


def main(argv: list[str] | None = None) -> int:
    """Entry point of the ``glassml`` console script; returns the exit status."""
    parser = build_parser()
    args, rest = parser.parse_known_args(argv)
    if rest and args.command not in ("lesson", "bench"):
        parser.error(f"unrecognized arguments: {' '.join(rest)}")
    try:
        return int(args.func(args, rest))
    except KeyboardInterrupt:
        # NOTE: the tour has already stopped the running lesson's process group
        print(f"\nglassml {args.command}: interrupted (Ctrl-C).", file=sys.stderr)
        return EXIT_INTERRUPTED


if __name__ == "__main__":  # pragma: no cover
    raise SystemExit(main())
