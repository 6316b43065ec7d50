"""``glassml exercises init DIR`` and ``glassml exercises check DIR`` (the CLI talks, not the library)."""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

from glassml.exercises import TOPICS, CheckResult, check_dir, init_dir


def add_parser(sub: argparse._SubParsersAction) -> None:  # type: ignore[type-arg]
    """Register ``exercises`` with its ``init`` and ``check`` actions on the CLI's subparsers."""
    p = sub.add_parser(
        "exercises",
        help="write the textbook functions yourself; the tests grade them",
        description=(
            "init DIR writes each topic's textbook functions with their bodies removed; "
            "check DIR runs the checks that prove glassml's own versions on your files. "
            f"Topics: {', '.join(TOPICS)}."
        ),
    )
    p.add_argument("action", choices=("init", "check"), help="what to do")
    p.add_argument("dir", type=Path, help="your exercise folder")
    p.add_argument(
        "--topic",
        action="append",
        choices=list(TOPICS),
        help="only this topic (repeatable; default: all)",
    )
    p.add_argument("--force", action="store_true", help="init: overwrite existing files")
    p.set_defaults(func=run)


def _report(results: list[CheckResult]) -> str:
    lines = []
    for r in results:
        status = {"pass": "pass", "fail": "FAIL", "todo": "todo"}[r.status]
        first = r.message.splitlines()[0] if r.message else ""
        lines.append(f"  {r.topic:<11} {r.exercise:<26} {status}  {first}".rstrip())
    counts = {s: sum(r.status == s for r in results) for s in ("pass", "fail", "todo")}
    lines.append(
        f"\n{counts['pass']} of {len(results)} pass, {counts['fail']} fail, "
        f"{counts['todo']} still to write."
    )
    return "\n".join(lines)


def run(args: argparse.Namespace, rest: list[str]) -> int:
    """Run the action; exit status 0 when it worked (check: when every exercise passes)."""
    try:
        if args.action == "init":
            written = init_dir(args.dir, args.topic, force=args.force)
            print(f"Wrote {len(written)} exercise file(s) into {args.dir}/:")
            for path in written:
                print(f"  {path.name}  (the bodies to write raise NotImplementedError)")
            print(f"Then run: glassml exercises check {args.dir}")
            return 0
        results = check_dir(args.dir, args.topic)
    except ValueError as exc:
        print(f"glassml exercises: {exc}", file=sys.stderr)
        return 2
    print(_report(results))
    return 0 if all(r.status == "pass" for r in results) else 1
