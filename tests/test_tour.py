"""The tour: every lesson in quick mode into one folder, the index page, and failures."""

from __future__ import annotations

import contextlib
import io
import re
import textwrap
from html.parser import HTMLParser
from pathlib import Path
from urllib.parse import unquote

import pytest

import glassml.tour
from glassml.cli import main
from glassml.lessons import lesson_paths
from glassml.tour import LessonResult, run_tour, summary, write_index


class _Links(HTMLParser):
    """Collects every src/href and every id of a page."""

    def __init__(self) -> None:
        super().__init__()
        self.refs: list[str] = []
        self.ids: set[str] = set()
        self.tags: list[str] = []

    def handle_starttag(self, tag, attrs):
        self.tags.append(tag)
        for key, value in attrs:
            if key in ("src", "href") and value is not None:
                self.refs.append(value)
            if key == "id" and value:
                self.ids.add(value)


def parse(index: Path) -> _Links:
    page = _Links()
    page.feed(index.read_text(encoding="utf-8"))
    page.close()
    return page


def check_links(index: Path) -> _Links:
    """Every local reference of the page resolves; nothing is fetched from elsewhere."""
    page = parse(index)
    for ref in page.refs:
        assert "://" not in ref and not ref.startswith("//"), f"external resource {ref}"
        if ref.startswith("#"):
            assert ref[1:] in page.ids, f"dangling anchor {ref}"
        else:
            assert not Path(unquote(ref)).is_absolute(), f"absolute path {ref}"
            assert (index.parent / unquote(ref)).is_file(), f"missing file {ref}"
    return page


def run_quick_tour(out: Path) -> tuple[int, str, str]:
    stdout, stderr = io.StringIO(), io.StringIO()
    with contextlib.redirect_stdout(stdout), contextlib.redirect_stderr(stderr):
        code = main(["tour", "--out", str(out), "--quick"])
    return code, stdout.getvalue(), stderr.getvalue()


def test_quick_tour_runs_a_real_lesson_and_indexes_it(tmp_path, monkeypatch):
    # NOTE: one real lesson (the first): every lesson runs in the book's test and in its own
    # tests; here the point is the tour's machinery on a real lesson file.
    number, path = next(iter(lesson_paths().items()))
    monkeypatch.setattr(glassml.tour, "lesson_paths", lambda: {number: path})
    out = tmp_path
    code, stdout, stderr = run_quick_tour(out)
    assert code == 0, stderr
    log = out / f"{path.stem}.txt"
    assert log.is_file() and log.stat().st_size > 0, path.stem
    assert f"Lesson {number:02d}: {path.stem}" in stdout
    line = next(ln for ln in stdout.splitlines() if ln.startswith(path.stem + " "))
    match = re.fullmatch(r"(\S+) +(\S+) +([0-9.]+)s  (.*)", line)
    assert match is not None, line
    assert match[2] == "ok", line
    figures = match[4].split(", ")
    assert figures != ["-"], f"{path.stem} saved no figure"
    for name in figures:
        assert (out / name).stat().st_size > 0
    assert "1/1 ok" in stdout
    assert "Links to every lesson's output and figures" in stdout and "make tour" in stdout

    index = out / "index.html"
    page = check_links(index)
    text = index.read_text(encoding="utf-8")
    assert text.startswith("<!DOCTYPE html>")
    assert "<script" not in text and "<link" not in text and "<style" not in text
    assert f"{path.stem}.txt" in page.refs
    assert {r for r in page.refs if r.endswith(".png")} == {p.name for p in out.glob("*.png")}


def test_tour_default_folder_is_outputs_tour_not_the_books(tmp_path, monkeypatch):
    seen = {}

    def fake_run_tour(out, quick=False):
        seen["out"] = out
        return []

    monkeypatch.setattr(glassml.tour, "run_tour", fake_run_tour)
    monkeypatch.chdir(tmp_path)
    assert main(["tour"]) == 0
    assert seen["out"] == Path("outputs") / "tour"
    assert (tmp_path / "outputs" / "tour" / "index.html").is_file()


def _fake_lesson(folder: Path, name: str, body: str) -> Path:
    path = folder / name
    path.write_text(
        textwrap.dedent(
            '''\
            """A fake lesson for the tour tests."""
            import argparse, pathlib
            p = argparse.ArgumentParser()
            p.add_argument("--out", type=pathlib.Path)
            p.add_argument("--quick", action="store_true")
            out = p.parse_args().out
            '''
        )
        + textwrap.dedent(body),
        encoding="utf-8",
    )
    return path


def _write_png(name: str) -> str:
    return f'(out / "{name}").write_bytes(b"\\x89PNG fake"); print("  [figure]", out / "{name}")\n'


def test_a_failing_lesson_fails_the_tour_clearly_but_the_rest_still_run(
    tmp_path, monkeypatch, capsys
):
    src = tmp_path / "lessons"
    src.mkdir()
    bad = _fake_lesson(src, "01_broken.py", 'print("about to fail")\nraise RuntimeError("boom")\n')
    good = _fake_lesson(src, "02_fine.py", 'print("still running")\n' + _write_png("fine.png"))
    monkeypatch.setattr(glassml.tour, "lesson_paths", lambda: {1: bad, 2: good})
    out = tmp_path / "out"

    assert main(["tour", "--out", str(out), "--quick"]) == 1
    captured = capsys.readouterr()
    assert "1 lesson(s) failed: 01_broken" in captured.err
    assert "01_broken" in captured.out and "FAIL(1)" in captured.out
    assert "0 ok" not in captured.out and "1/2 ok" in captured.out
    # the failing lesson's traceback is kept; the next lesson ran anyway
    assert "RuntimeError: boom" in (out / "01_broken.txt").read_text(encoding="utf-8")
    assert "still running" in (out / "02_fine.txt").read_text(encoding="utf-8")
    assert (out / "fine.png").is_file()

    index = out / "index.html"
    check_links(index)
    text = index.read_text(encoding="utf-8")
    assert "1 of 2 lessons ran" in text and "FAIL(1)" in text
    assert 'href="01_broken.txt"' in text and 'href="fine.png"' in text


def test_figures_are_credited_to_the_lesson_that_wrote_them(tmp_path):
    src = tmp_path / "lessons"
    src.mkdir()
    a = _fake_lesson(src, "01_a.py", _write_png("a.png"))
    b = _fake_lesson(src, "02_b.py", _write_png("b1.png") + _write_png("b2.png"))
    c = _fake_lesson(src, "03_c.py", 'print("no figures")\n')
    results = run_tour(tmp_path / "out", quick=True, echo=False, paths={1: a, 2: b, 3: c})
    assert [[p.name for p in r.figures] for r in results] == [["a.png"], ["b1.png", "b2.png"], []]
    assert [r.ok for r in results] == [True, True, True]
    assert [r.title for r in results] == ["A fake lesson for the tour tests."] * 3


def test_a_hanging_lesson_is_stopped_and_marked(tmp_path):
    src = tmp_path / "lessons"
    src.mkdir()
    slow = _fake_lesson(
        src, "01_slow.py", 'import time\nprint("waiting", flush=True)\ntime.sleep(60)\n'
    )
    fast = _fake_lesson(src, "02_fast.py", _write_png("fast.png"))
    results = run_tour(tmp_path / "out", echo=False, paths={1: slow, 2: fast}, timeout=1.0)
    assert [r.status for r in results] == ["TIMEOUT", "ok"]
    assert results[0].seconds < 30
    log = (tmp_path / "out" / "01_slow.txt").read_text(encoding="utf-8")
    assert "waiting" in log and "was stopped after 1 s (TIMEOUT)" in log
    assert [p.name for p in results[1].figures] == ["fast.png"]


def test_index_escapes_titles_and_quotes_file_names(tmp_path):
    out = tmp_path / "out"
    out.mkdir()
    log = out / "01_x.txt"
    log.write_text("printed\n", encoding="utf-8")
    fig = out / "my figure #1.png"
    fig.write_bytes(b"\x89PNG fake")
    result = LessonResult(1, "01_x", 0, 1.5, log, [fig], title="Lesson <01> & co")
    index = write_index([result], out, quick=True)
    text = index.read_text(encoding="utf-8")
    assert "Lesson &lt;01&gt; &amp; co" in text and "<01>" not in text
    assert 'href="my%20figure%20%231.png"' in text
    check_links(index)
    assert "quick mode" in text and "1.5 s" in text


def test_summary_lists_status_time_figures_and_total(tmp_path):
    ok = LessonResult(1, "01_a", 0, 2.0, tmp_path / "01_a.txt", [tmp_path / "a.png"])
    bad = LessonResult(2, "02_b", 3, 1.5, tmp_path / "02_b.txt", [])
    lines = summary([ok, bad]).splitlines()
    assert lines[1].split() == ["01_a", "ok", "2.0s", "a.png"]
    assert lines[2].split() == ["02_b", "FAIL(3)", "1.5s", "-"]
    assert lines[3].split() == ["total", "1/2", "ok", "3.5s"]


def test_tour_rejects_unknown_arguments(tmp_path, capsys):
    with pytest.raises(SystemExit):
        main(["tour", "--out", str(tmp_path), "--bogus"])
    assert "unrecognized arguments: --bogus" in capsys.readouterr().err
