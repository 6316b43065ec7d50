"""The tour: every lesson, in order, into one folder, with its printed output kept as text.

``glassml tour`` works wherever glassml is installed, without the book's sources: each lesson
runs in its own Python process (a fresh interpreter, exactly as a learner runs it by path), so
one lesson's state or failure cannot leak into the next, and :func:`write_index` lists links to
each lesson's output and figures in ``index.html``. The book itself (text, formulas, code and
figures in story order, notebooks) is built by ``make tour`` from a source checkout.
"""

from __future__ import annotations

import ast
import contextlib
import html
import os
import subprocess
import sys
import threading
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import TextIO
from urllib.parse import quote

from glassml.lessons import lesson_paths

__all__ = [
    "LessonResult",
    "run_lesson_process",
    "run_tour",
    "summary",
    "write_index",
]

LESSON_TIMEOUT_S = 600.0
"""A lesson still running after this many seconds is stopped and marked TIMEOUT."""

FIGURE_SUFFIXES = (".png", ".svg", ".jpg", ".jpeg", ".gif")
_FIGURE_MARK = "[figure] "  # what glassml.lessons._common.save_figure prints


@dataclass
class LessonResult:
    """What one lesson did in the tour."""

    number: int
    name: str
    returncode: int
    seconds: float
    log: Path
    figures: list[Path] = field(default_factory=list)
    title: str = ""
    timed_out: bool = False

    @property
    def ok(self) -> bool:
        return self.returncode == 0 and not self.timed_out

    @property
    def status(self) -> str:
        if self.timed_out:
            return "TIMEOUT"
        return "ok" if self.ok else f"FAIL({self.returncode})"


def _snapshot(out: Path) -> dict[str, tuple[int, int]]:
    """Name → (mtime in ns, size) of every figure file directly inside ``out``."""
    found = {}
    for p in out.iterdir():
        if p.suffix.lower() in FIGURE_SUFFIXES and p.is_file():
            st = p.stat()
            found[p.name] = (st.st_mtime_ns, st.st_size)
    return found


def _figures_written(out: Path, before: dict[str, tuple[int, int]], log_text: str) -> list[Path]:
    """Figures the lesson wrote: new or changed files in ``out`` plus those it announced.

    NOTE: a modification-time window alone would also credit a lesson with the figures the
    previous lesson saved in the same second; comparing snapshots does not.
    """
    after = _snapshot(out)
    names = {name for name, stamp in after.items() if before.get(name) != stamp}
    root = out.resolve()
    for line in log_text.splitlines():
        _, mark, rest = line.partition(_FIGURE_MARK)
        if mark:
            p = Path(rest.strip())
            p = (p if p.is_absolute() else Path.cwd() / p).resolve()
            if p.parent == root and p.is_file():
                names.add(p.name)
    return sorted(out / name for name in names)


def lesson_title(path: Path) -> str:
    """The first line of the lesson's module docstring (read without importing it)."""
    try:
        doc = ast.get_docstring(ast.parse(path.read_text(encoding="utf-8")))
    except (OSError, SyntaxError, ValueError):
        doc = None
    return doc.strip().splitlines()[0] if doc else path.stem


def _kill_tree(proc: subprocess.Popen[str]) -> None:
    """Kill ``proc`` and, on POSIX, every process of its process group."""
    if os.name == "posix":
        import signal

        with contextlib.suppress(ProcessLookupError, PermissionError):
            os.killpg(proc.pid, signal.SIGKILL)
    with contextlib.suppress(ProcessLookupError):
        proc.kill()


def run_lesson_process(
    path: Path,
    out: Path,
    quick: bool = False,
    echo: bool = True,
    extra: list[str] | None = None,
    timeout: float | None = LESSON_TIMEOUT_S,
) -> LessonResult:
    """Run the lesson file at ``path`` in a fresh interpreter, writing into ``out``.

    Its combined stdout/stderr is saved to ``out/<lesson name>.txt`` (and echoed if ``echo``).
    A lesson still running after ``timeout`` seconds is killed and reported as ``TIMEOUT``.
    """
    out.mkdir(parents=True, exist_ok=True)
    cmd = [sys.executable, str(path), "--out", str(out), *(["--quick"] if quick else [])]
    cmd += extra or []
    log = out / f"{path.stem}.txt"
    before = _snapshot(out)
    t0 = time.perf_counter()
    with log.open("w", encoding="utf-8") as fh:
        returncode, timed_out, text = _run_logged(cmd, fh, echo, timeout)
        if timed_out:
            note = f"\n[glassml tour] {path.name} was stopped after {timeout:g} s (TIMEOUT).\n"
            fh.write(note)
            if echo:
                sys.stdout.write(note)
    seconds = time.perf_counter() - t0
    return LessonResult(
        number=int(path.name[:2]),
        name=path.stem,
        returncode=returncode,
        seconds=seconds,
        log=log,
        figures=_figures_written(out, before, text),
        title=lesson_title(path),
        timed_out=timed_out,
    )


def _run_logged(
    cmd: list[str], fh: TextIO, echo: bool, timeout: float | None
) -> tuple[int, bool, str]:
    """Run ``cmd``, copying its output line by line to ``fh`` (and stdout if ``echo``).

    Returns ``(returncode, timed_out, output)``. After ``timeout`` seconds the process and its
    whole process group are killed; so they are on Ctrl-C, which is then re-raised.
    """
    env = dict(os.environ, MPLBACKEND="Agg", PYTHONUNBUFFERED="1", PYTHONIOENCODING="utf-8")
    proc = subprocess.Popen(
        cmd,
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        env=env,
        text=True,
        encoding="utf-8",
        errors="replace",
        # its own process group, so a timeout also stops the processes it started
        process_group=0 if os.name == "posix" else None,
    )
    if proc.stdout is None:  # pragma: no cover - stdout=PIPE always gives a stream
        raise RuntimeError("subprocess gave no stdout pipe")
    killed = threading.Event()

    def kill() -> None:
        killed.set()
        _kill_tree(proc)

    timer = threading.Timer(timeout, kill) if timeout is not None else None
    if timer is not None:
        timer.daemon = True
        timer.start()
    chunks: list[str] = []
    try:
        for line in proc.stdout:
            fh.write(line)
            chunks.append(line)
            if echo:
                sys.stdout.write(line)
        returncode = proc.wait()
    except BaseException:  # Ctrl+C: the lesson's group does not get the terminal's SIGINT
        _kill_tree(proc)
        raise
    finally:
        if timer is not None:
            timer.cancel()
    return returncode, killed.is_set(), "".join(chunks)


def run_tour(
    out: Path,
    quick: bool = False,
    echo: bool = True,
    paths: dict[int, Path] | None = None,
    timeout: float | None = LESSON_TIMEOUT_S,
) -> list[LessonResult]:
    """Run every lesson that exists (or ``paths``), in order, into ``out``.

    A failing (or timed-out) lesson does not stop the rest; its :class:`LessonResult` records
    the failure.
    """
    results = []
    for number, path in (lesson_paths() if paths is None else paths).items():
        if echo:
            banner = f" Lesson {number:02d}: {path.stem} "
            print(f"\n{banner:#^78}", flush=True)
        results.append(run_lesson_process(path, out, quick=quick, echo=echo, timeout=timeout))
    return results


def summary(results: list[LessonResult]) -> str:
    """A plain-text table: lesson, status, time, figures; then the total."""
    lines = [f"{'lesson':<32} {'status':<9} {'time':>7}  figures"]
    for r in results:
        figs = ", ".join(p.name for p in r.figures) or "-"
        lines.append(f"{r.name:<32} {r.status:<9} {r.seconds:6.1f}s  {figs}")
    n_ok = sum(r.ok for r in results)
    total = sum(r.seconds for r in results)
    lines.append(f"{'total':<32} {f'{n_ok}/{len(results)} ok':<9} {total:6.1f}s")
    return "\n".join(lines)


# --- the index page -----------------------------------------------------------------------------


def _link(path: Path, out: Path, text: str | None = None) -> str:
    """``<a>`` from ``out/index.html`` to ``path`` (relative, URL-quoted)."""
    rel = Path(os.path.relpath(path.resolve(), out.resolve())).as_posix()
    href = html.escape(quote(rel), quote=True)
    return f'<a href="{href}">{html.escape(text or path.name)}</a>'


def _lesson_item(r: LessonResult, out: Path) -> str:
    """One lesson: title, status and time, its printed output, its figures."""
    figures = ", ".join(_link(p, out) for p in r.figures) or "none"
    return (
        f"<li><strong>{html.escape(r.title or r.name)}</strong> — {html.escape(r.status)}, "
        f"{r.seconds:.1f} s — {_link(r.log, out, 'printed output')} — figures: {figures}</li>"
    )


def write_index(results: list[LessonResult], out: Path, quick: bool = False) -> Path:
    """Write ``out/index.html``: a list of links to each lesson's printed output and figures.

    The book (``make tour`` in a source checkout) is where the lessons are read, with their
    text, formulas and figures in order; this page only finds the files of a tour. It loads
    nothing, so it opens straight from disk.

    Parameters
    ----------
    results : list of LessonResult
        What :func:`run_tour` returned.
    out : Path
        The tour folder (where the figures and ``<lesson>.txt`` files are).
    quick : bool
        Whether the tour ran with ``--quick`` (stated on the page).

    Returns
    -------
    Path
        The page, ``out/index.html``.
    """
    n_ok = sum(r.ok for r in results)
    mode = "quick mode" if quick else "full mode"
    lines = [
        "<!DOCTYPE html>",
        '<html lang="en"><head><meta charset="utf-8"><title>glassml tour</title></head><body>',
        "<h1>glassml tour</h1>",
        f"<p>{n_ok} of {len(results)} lessons ran ({mode}).</p>",
        "<ol>",
        *(_lesson_item(r, out) for r in results),
        "</ol>",
        "</body></html>",
        "",
    ]
    out.mkdir(parents=True, exist_ok=True)
    index = out / "index.html"
    index.write_text("\n".join(lines), encoding="utf-8")
    return index
