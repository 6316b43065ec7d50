"""The tour: every lesson, in order, into one folder, with its printed output kept as text.

Each lesson runs in its own Python process (a fresh interpreter, exactly as a learner runs it by
path), so one lesson's state or failure cannot leak into the next. After the last lesson,
:func:`write_index` puts every lesson's output and figures on one static page, ``index.html``,
that opens straight from disk (no server, no external resources).
"""

from __future__ import annotations

import ast
import contextlib
import datetime as _dt
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

_CSS = """
body { font: 16px/1.5 system-ui, -apple-system, "Segoe UI", Roboto, sans-serif; color: #1d1d1f;
       background: #fafafa; margin: 0; }
main { max-width: 1180px; margin: 0 auto; padding: 1.5rem 2rem 4rem; }
h1 { font-size: 2rem; margin: 0.5rem 0 0.25rem; }
h2 { border-bottom: 2px solid #d0d7de; padding-bottom: 0.2rem; margin-top: 2.5rem; }
.lead { color: #57606a; margin-top: 0; }
a { color: #0550ae; }
table { border-collapse: collapse; width: 100%; background: #fff; }
th, td { border: 1px solid #d0d7de; padding: 0.35rem 0.6rem; text-align: left;
         vertical-align: top; }
th { background: #f0f3f6; }
.num { text-align: right; font-variant-numeric: tabular-nums; white-space: nowrap; }
.ok { color: #116329; font-weight: 600; }
.fail { color: #b42318; font-weight: 600; }
.banner { background: #fde8e8; border: 1px solid #f1aeb5; color: #8a1c1c; padding: 0.6rem 1rem;
          border-radius: 6px; }
section.lesson { background: #fff; border: 1px solid #d0d7de; border-radius: 8px;
                 padding: 0.2rem 1.4rem 1.2rem; margin-top: 2rem; }
section.lesson.failed { border-color: #f1aeb5; }
section.lesson h2 { margin-top: 1rem; }
.meta { color: #57606a; font-size: 0.95rem; }
pre { background: #0f172a; color: #e2e8f0; padding: 1rem; border-radius: 6px; overflow: auto;
      max-height: 36rem; font: 13px/1.45 ui-monospace, "DejaVu Sans Mono", Menlo, Consolas,
      monospace; white-space: pre; }
figure { margin: 1.2rem 0; }
figure img { max-width: 100%; height: auto; border: 1px solid #d0d7de; border-radius: 4px;
             background: #fff; }
figcaption { color: #57606a; font-size: 0.9rem; }
nav ol { padding-left: 1.4rem; }
code { background: #eef1f4; padding: 0 0.25rem; border-radius: 3px; }
"""


def _href(path: Path, out: Path) -> str:
    """A relative, URL-quoted link from ``out/index.html`` to ``path``."""
    rel = os.path.relpath(path.resolve(), out.resolve())
    return html.escape(quote(Path(rel).as_posix()), quote=True)


def _read_log(path: Path) -> str:
    try:
        return path.read_text(encoding="utf-8", errors="replace")
    except OSError as exc:
        return f"(could not read {path.name}: {exc})"


def write_index(
    results: list[LessonResult],
    out: Path,
    quick: bool = False,
    total_seconds: float | None = None,
) -> Path:
    """Write ``out/index.html``: every lesson's printed output and figures on one static page.

    The page has a table of contents, the summary (status, time, figures per lesson) and one
    section per lesson with its output (escaped, in ``<pre>``) and its figures (``<img>`` with
    paths relative to ``out``). CSS is inline and nothing is fetched, so it opens from disk.

    Parameters
    ----------
    results : list of LessonResult
        What :func:`run_tour` returned.
    out : Path
        The tour folder (where the figures and ``<lesson>.txt`` files are).
    quick : bool
        Whether the tour ran with ``--quick`` (stated on the page).
    total_seconds : float, optional
        Wall time of the whole tour; the sum of the lessons' times by default.

    Returns
    -------
    Path
        The page, ``out/index.html``.
    """
    out.mkdir(parents=True, exist_ok=True)
    total = sum(r.seconds for r in results) if total_seconds is None else total_seconds
    parts = _page_head(results, quick, total)
    parts += _contents(results)
    parts += _summary_table(results, out, total)
    for r in results:
        parts += _lesson_section(r, out)
    parts += ["</main>", "</body>", "</html>", ""]
    index = out / "index.html"
    index.write_text("\n".join(parts), encoding="utf-8")
    return index


def _status_class(r: LessonResult) -> str:
    return "ok" if r.ok else "fail"


def _page_head(results: list[LessonResult], quick: bool, total: float) -> list[str]:
    """From ``<!DOCTYPE html>`` to the title, the lead paragraph and the failure banner."""
    esc = html.escape
    n_ok = sum(r.ok for r in results)
    stamp = _dt.datetime.now(_dt.UTC).strftime("%Y-%m-%d %H:%M UTC")
    mode = "quick mode (<code>--quick</code>: smaller settings)" if quick else "full mode"
    parts = [
        "<!DOCTYPE html>",
        '<html lang="en">',
        "<head>",
        '<meta charset="utf-8">',
        '<meta name="viewport" content="width=device-width, initial-scale=1">',
        "<title>glassml tour</title>",
        f"<style>{_CSS}</style>",
        "</head>",
        "<body>",
        "<main>",
        "<h1>glassml — the tour</h1>",
        '<p class="lead">Machine learning you can see through: every lesson\'s printed output '
        f"and figures on one page. {len(results)} lesson{'s' if len(results) != 1 else ''}, "
        f"{n_ok} ok, {total:.1f} s in all, "
        f"{mode}, generated {esc(stamp)}.</p>",
    ]
    failed = [r for r in results if not r.ok]
    if failed:
        names = ", ".join(f'<a href="#lesson-{r.number:02d}">{esc(r.name)}</a>' for r in failed)
        parts.append(
            f'<p class="banner"><strong>{len(failed)} lesson(s) failed:</strong> {names}. '
            "Their output below ends with the error.</p>"
        )
    return parts


def _contents(results: list[LessonResult]) -> list[str]:
    """The table of contents: the summary, then each lesson with its status."""
    parts = ["<nav>", "<h2>Contents</h2>", "<ol>", '<li><a href="#summary">Summary</a></li>']
    for r in results:
        parts.append(
            f'<li><a href="#lesson-{r.number:02d}">{html.escape(r.title or r.name)}</a> '
            f'— <span class="{_status_class(r)}">{html.escape(r.status)}</span></li>'
        )
    return [*parts, "</ol>", "</nav>"]


def _summary_table(results: list[LessonResult], out: Path, total: float) -> list[str]:
    """The summary section: one row per lesson (status, time, figures, output), then the total."""
    esc = html.escape
    parts = [
        '<section id="summary">',
        "<h2>Summary</h2>",
        "<table>",
        "<thead><tr><th>lesson</th><th>status</th><th>time</th><th>figures</th>"
        "<th>output</th></tr></thead>",
        "<tbody>",
    ]
    for r in results:
        figs = ", ".join(f'<a href="{_href(p, out)}">{esc(p.name)}</a>' for p in r.figures) or "—"
        parts.append(
            f'<tr><td><a href="#lesson-{r.number:02d}">{esc(r.name)}</a></td>'
            f'<td class="{_status_class(r)}">{esc(r.status)}</td>'
            f'<td class="num">{r.seconds:.1f} s</td>'
            f"<td>{figs}</td>"
            f'<td><a href="{_href(r.log, out)}">{esc(r.log.name)}</a></td></tr>'
        )
    n_ok = sum(r.ok for r in results)
    all_ok = "ok" if n_ok == len(results) else "fail"
    parts.append(
        f'<tr><th>total</th><th class="{all_ok}">{n_ok}/{len(results)} ok'
        f'</th><th class="num">{total:.1f} s</th><th colspan="2"></th></tr>'
    )
    return [*parts, "</tbody>", "</table>", "</section>"]


def _lesson_section(r: LessonResult, out: Path) -> list[str]:
    """One lesson: title, status line, its printed output in ``<pre>``, then its figures."""
    esc = html.escape
    parts = [
        f'<section class="lesson{"" if r.ok else " failed"}" id="lesson-{r.number:02d}">',
        f"<h2>{esc(r.title or r.name)}</h2>",
        f'<p class="meta"><span class="{_status_class(r)}">{esc(r.status)}</span> · '
        f"{r.seconds:.1f} s · "
        f'output also in <a href="{_href(r.log, out)}">{esc(r.log.name)}</a> · run it '
        f"yourself: <code>glassml lesson {r.number}</code></p>",
        f"<pre>{esc(_read_log(r.log))}</pre>",
    ]
    if not r.figures:
        parts.append('<p class="meta">No figures.</p>')
    for p in r.figures:
        parts.append(
            f'<figure><img src="{_href(p, out)}" alt="{esc(p.name)} from {esc(r.name)}"'
            f"><figcaption>{esc(p.name)}</figcaption></figure>"
        )
    parts.append("</section>")
    return parts
