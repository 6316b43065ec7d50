"""The tour: every lesson, in order, into one folder, with its printed output kept as text.

Each lesson runs in its own Python process (a fresh interpreter, exactly as a learner runs it by
path), so one lesson's state or failure cannot leak into the next.
"""

from __future__ import annotations

import os
import subprocess
import sys
import time
from dataclasses import dataclass, field
from pathlib import Path

from glassml.lessons import lesson_paths


@dataclass
class LessonResult:
    """What one lesson did in the tour."""

    number: int
    name: str
    returncode: int
    seconds: float
    log: Path
    figures: list[Path] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        return self.returncode == 0


def _figures_since(out: Path, start: float) -> list[Path]:
    return sorted(p for p in out.glob("*.png") if p.stat().st_mtime >= start)


def run_lesson_process(
    path: Path, out: Path, quick: bool = False, echo: bool = True, extra: list[str] | None = None
) -> LessonResult:
    """Run the lesson file at ``path`` in a fresh interpreter, writing into ``out``.

    Its combined stdout/stderr is saved to ``out/<lesson name>.txt`` (and echoed if ``echo``).
    """
    out.mkdir(parents=True, exist_ok=True)
    cmd = [sys.executable, str(path), "--out", str(out), *(["--quick"] if quick else [])]
    cmd += extra or []
    env = dict(os.environ, MPLBACKEND="Agg", PYTHONUNBUFFERED="1", PYTHONIOENCODING="utf-8")
    log = out / f"{path.stem}.txt"
    start = time.time() - 1.0  # file mtimes can be coarser than time.time()
    t0 = time.perf_counter()
    with log.open("w", encoding="utf-8") as fh:
        proc = subprocess.Popen(
            cmd, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, env=env, text=True
        )
        assert proc.stdout is not None
        for line in proc.stdout:
            fh.write(line)
            if echo:
                sys.stdout.write(line)
        returncode = proc.wait()
    seconds = time.perf_counter() - t0
    return LessonResult(
        number=int(path.name[:2]),
        name=path.stem,
        returncode=returncode,
        seconds=seconds,
        log=log,
        figures=_figures_since(out, start),
    )


def run_tour(out: Path, quick: bool = False, echo: bool = True) -> list[LessonResult]:
    """Run every lesson that exists, in order, into ``out``; a failure does not stop the rest."""
    results = []
    for number, path in lesson_paths().items():
        if echo:
            banner = f" Lesson {number:02d}: {path.stem} "
            print(f"\n{banner:#^78}", flush=True)
        results.append(run_lesson_process(path, out, quick=quick, echo=echo))
    return results


def summary(results: list[LessonResult]) -> str:
    """A plain-text table: lesson, status, time, figures."""
    lines = [f"{'lesson':<32} {'status':<7} {'time':>7}  figures"]
    for r in results:
        figs = ", ".join(p.name for p in r.figures) or "-"
        status = "ok" if r.ok else f"FAIL({r.returncode})"
        lines.append(f"{r.name:<32} {status:<7} {r.seconds:6.1f}s  {figs}")
    return "\n".join(lines)
