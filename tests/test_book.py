"""The book: builds offline with warnings as errors, and looks right in headless Chromium.

The browser half drives Debian's ``chromium`` through ``chromium-driver`` with the
``selenium`` package (``apt-get install -y chromium chromium-driver``). Without them the test
is skipped and says so; with ``IMGCOURSE_REQUIRE_BROWSER=1`` (CI) it fails instead.
"""

from __future__ import annotations

import functools
import http.server
import os
import re
import subprocess
import sys
import threading
import time
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest

ROOT = Path(__file__).resolve().parent.parent
BOOK = ROOT / "book"
# The book's conf.py reads the same variable (a relative path is relative to book/).
SOURCE = BOOK / os.environ.get("IMGCOURSE_BOOK_NOTEBOOKS", "../notebooks")
NOTEBOOK_NAME = re.compile(r"^(\d\d[a-z]?)_[a-z0-9_]+\.ipynb$")
NOTEBOOKS = sorted(p for p in SOURCE.glob("*.ipynb") if NOTEBOOK_NAME.match(p.name))
CDN = re.compile(r"unpkg\.com|jsdelivr\.net|cdnjs\.|googleapis\.com|cloudflare\.com", re.I)
REMOTE_ASSET = re.compile(r"<(?:script|link|img)\b[^>]*\b(?:src|href)=[\"'](?:https?:)?//", re.I)


@dataclass
class Build:
    out: Path
    returncode: int
    log: str
    seconds: float


def _require(module: str) -> None:
    """The book's tests need the book extra, which the README's test command installs: its
    absence is a broken set-up to fix, not a test to skip."""
    import importlib.util

    if importlib.util.find_spec(module) is None:
        pytest.fail(f"{module} is missing: install the book extra, pip install -e '.[dev,book]'")


def _course_book() -> Any:
    """The book's Sphinx extension (book/_ext/course_book.py), imported from its folder."""
    _require("sphinx")
    sys.path.insert(0, str(BOOK / "_ext"))
    try:
        import course_book
    finally:
        sys.path.remove(str(BOOK / "_ext"))
    return course_book


def test_sync_notebooks_copies_what_changed_and_prunes(tmp_path: Path) -> None:
    sync = _course_book().sync_notebooks
    src, dst = tmp_path / "notebooks", tmp_path / "book" / "notebooks"
    src.mkdir()
    (src / "00_welcome.ipynb").write_text("{}")
    (src / "scratch.ipynb").write_text("{}")  # not NN_topic: not part of the book
    (src / "01_why.ipynb").write_text('{"a": 1}')
    (src / "images").mkdir()
    (src / "images" / "diagram.png").write_bytes(b"png")
    assert [p.name for p in sync(src, dst)] == ["00_welcome.ipynb", "01_why.ipynb"]
    assert (dst / "images" / "diagram.png").read_bytes() == b"png"  # relative links still work
    copy = dst / "00_welcome.ipynb"
    os.utime(copy, (1, 1))
    (src / "01_why.ipynb").unlink()
    (src / "images" / "diagram.png").unlink()
    (src / "02_cnn.ipynb").write_text("{}")
    assert [p.name for p in sync(src, dst)] == ["00_welcome.ipynb", "02_cnn.ipynb"]
    assert copy.stat().st_mtime == 1  # unchanged: not copied again, so Sphinx skips it
    assert sorted(p.name for p in dst.rglob("*") if p.is_file()) == [
        "00_welcome.ipynb",
        "02_cnn.ipynb",
    ]


def _build_book(out: Path, edition: str) -> Build:
    """Build one edition of the book with warnings as errors into ``out``."""
    _require("myst_nb")
    start = time.perf_counter()
    result = subprocess.run(
        [sys.executable, "-m", "sphinx", "-W", "--keep-going", "-b", "html", str(BOOK), str(out)],
        capture_output=True,
        text=True,
        cwd=ROOT,
        check=False,
        env={**os.environ, "IMGCOURSE_BOOK_EDITION": edition},
    )
    return Build(out, result.returncode, result.stdout + result.stderr, time.perf_counter() - start)


@pytest.fixture(scope="module")
def book(tmp_path_factory: pytest.TempPathFactory) -> Build:
    return _build_book(tmp_path_factory.mktemp("book") / "html", "instructor")


@pytest.fixture(scope="module")
def student_book(tmp_path_factory: pytest.TempPathFactory, book: Build) -> Build:
    # After the instructor's build: both share the mirrored book/notebooks/ folder.
    return _build_book(tmp_path_factory.mktemp("student-book") / "html", "student")


VERDICT = re.compile(r"\b(Correct|Not yet): ")


@pytest.mark.slow
def test_student_edition_builds_and_shows_no_verdict(student_book: Build, book: Build) -> None:
    assert student_book.returncode == 0, student_book.log[-4000:]
    print(f"student edition built in {student_book.seconds:.1f} s")
    index = (student_book.out / "index.html").read_text(encoding="utf-8")
    assert "student edition" in index
    assert "This is the instructor" in (book.out / "index.html").read_text(encoding="utf-8")
    leaking, stubs = [], 0
    for page in _notebook_pages(student_book):
        html = page.read_text(encoding="utf-8")
        if VERDICT.search(html):
            leaking.append(page.name)
        stubs += html.count("NotImplementedError")
    assert not leaking, f"student pages that show a check's verdict: {leaking}"
    assert stubs >= len(NOTEBOOKS), f"only {stubs} exercise stubs in the student edition"
    # The instructor's edition does show verdicts, so the search above can fail.
    teacher = [p for p in _notebook_pages(book) if VERDICT.search(p.read_text(encoding="utf-8"))]
    assert teacher, "no verdict found in the instructor's edition: is the search broken?"


def _notebook_pages(book: Build) -> list[Path]:
    assert NOTEBOOKS, f"no course notebooks found in {SOURCE}: the book would be empty"
    return [book.out / "notebooks" / f"{nb.stem}.html" for nb in NOTEBOOKS]


@pytest.mark.slow
def test_book_builds_with_warnings_as_errors(book: Build) -> None:
    assert book.returncode == 0, book.log[-4000:]
    assert (book.out / "index.html").is_file()
    pages = [p for p in book.out.rglob("*.html") if "_static" not in p.parts]
    print(f"book: {len(pages)} HTML pages in {book.seconds:.1f} s")
    for page in _notebook_pages(book):
        assert page.is_file(), f"{page.name} missing from the book"


@pytest.mark.slow
def test_part_pages_list_notebooks_or_coming(book: Build) -> None:
    assert book.returncode == 0, book.log[-4000:]
    parts = "".join(p.read_text(encoding="utf-8") for p in (book.out / "parts").glob("*.html"))
    present = {NOTEBOOK_NAME.match(nb.name).group(1): nb.stem for nb in NOTEBOOKS}
    for planned in _course_book().SYLLABUS:
        if planned.number in present:
            assert f'href="../notebooks/{present[planned.number]}.html"' in parts
        else:
            assert f"{planned.number} · {planned.title} <em>(coming)</em>" in parts


@pytest.mark.slow
def test_book_loads_nothing_from_a_cdn(book: Build) -> None:
    assert book.returncode == 0, book.log[-4000:]
    for page in book.out.rglob("*.html"):
        html = page.read_text(encoding="utf-8")
        assert not CDN.search(html), f"{page.relative_to(book.out)} names a CDN"
        remote = REMOTE_ASSET.search(html)
        assert remote is None, f"{page.relative_to(book.out)} loads {remote.group(0)!r}"


@pytest.mark.slow
def test_notebook_pages_open_with_objectives_and_time(book: Build) -> None:
    assert book.returncode == 0, book.log[-4000:]
    for page in _notebook_pages(book):
        html = page.read_text(encoding="utf-8")
        # The notebook's first cell, before its first section heading.
        top = html.split('<article class="bd-article"', 1)[1].split("<h2", 1)[0]
        assert "<h1" in top, f"{page.name}: no title"
        where = f"{page.name}, before the first section"
        assert "<ul" in top, f"{where}: no list of learning objectives"
        assert "Prerequisites" in top, f"{where}: no prerequisites"
        assert re.search(r"\bTime\b", top), f"{where}: no estimated time"


# --- in a browser ---------------------------------------------------------------------------


@pytest.fixture(scope="module")
def site(book: Build) -> Iterator[str]:
    """The built book served on 127.0.0.1 (a free port); yields its base URL."""
    yield from _serve(book)


@pytest.fixture(scope="module")
def student_site(student_book: Build) -> Iterator[str]:
    """The student edition served on 127.0.0.1."""
    yield from _serve(student_book)


def _serve(book: Build) -> Iterator[str]:
    assert book.returncode == 0, book.log[-4000:]

    class Quiet(http.server.SimpleHTTPRequestHandler):
        def log_message(self, *args: Any) -> None:
            pass

    handler = functools.partial(Quiet, directory=str(book.out))
    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), handler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_address[1]}/"
    finally:
        server.shutdown()
        server.server_close()


def _open(browser: Any, url: str) -> dict[str, Any]:
    """Load a page, wait for its scripts (widgets, MathJax) and return what a reader sees."""
    browser.get_log("browser")  # drop messages from the previous page
    browser.get(url)
    browser.set_script_timeout(20)
    return browser.execute_async_script(
        """
        const done = arguments[arguments.length - 1];
        const settle = async () => {
          if (document.readyState !== "complete") {
            await new Promise((r) => window.addEventListener("load", r, { once: true }));
          }
          if (window.MathJax && MathJax.startup) await MathJax.startup.promise;
          const views = document.querySelectorAll(
            'script[type="application/vnd.jupyter.widget-view+json"]').length;
          const widgets = ".jupyter-widgets, .widget-inline-hbox, .widget-vbox";
          for (let i = 0; i < 100 && views && !document.querySelector(widgets); i++) {
            await new Promise((r) => setTimeout(r, 100));
          }
          const images = [...document.querySelectorAll("img")].map((img) => ({
            src: img.currentSrc || img.src, loaded: img.complete && img.naturalWidth > 0,
            inArticle: !!img.closest("article"), visible: img.getBoundingClientRect().width > 0,
          }));
          return {
            title: document.title,
            h1: (document.querySelector("article h1") || {}).textContent || "",
            navLinks: document.querySelectorAll("#pst-primary-sidebar nav a").length,
            images,
            widgetViews: views,
            widgetsRendered: document.querySelectorAll(widgets).length,
            mathSource: document.querySelectorAll("div.math, span.math").length,
            mathRendered: document.querySelectorAll("mjx-container").length,
            resources: performance.getEntriesByType("resource").map((e) => e.name),
            wideCode: [...document.querySelectorAll("article pre")]
              .filter((pre) => !pre.closest(".cell_output"))  // code, not printed output
              .filter((pre) => pre.scrollWidth > pre.clientWidth + 1)
              .map((pre) => pre.textContent.split("\\n")[0].slice(0, 60)),
          };
        };
        settle().then(done, (err) => done({ error: String(err) }));
        """
    )


def _full_page_screenshot(browser: Any, path: Path, width: int = 1280) -> None:
    """The whole page, not just the first screen (capped at 8000 pixels high)."""
    height = browser.execute_script("return document.documentElement.scrollHeight")
    browser.set_window_size(width, min(max(height, 900), 8000))
    try:
        browser.save_screenshot(str(path))
    finally:
        browser.set_window_size(width, 900)


def _errors(browser: Any) -> list[str]:
    return [e["message"] for e in browser.get_log("browser") if e["level"] == "SEVERE"]


def _check_page(
    browser: Any, site: str, book: Build, relative: str, *, figure_in_article: bool
) -> None:
    seen = _open(browser, site + relative)
    assert "error" not in seen, seen
    shot = book.out / f"screenshot-{Path(relative).stem}.png"
    _full_page_screenshot(browser, shot)
    print(f"screenshot: {shot}")
    assert seen["h1"].strip(), f"{relative}: no title on the page"
    assert seen["h1"].strip().rstrip("#").strip() in seen["title"]
    assert seen["navLinks"] >= 3, f"{relative}: the navigation sidebar has {seen['navLinks']} links"
    images = [img for img in seen["images"] if img["inArticle"] or not figure_in_article]
    assert any(img["loaded"] and img["visible"] for img in images), f"{relative}: no figure loaded"
    broken = [img["src"] for img in seen["images"] if not img["loaded"]]
    assert not broken, f"{relative}: images that did not load: {broken}"
    if seen["widgetViews"]:
        assert seen["widgetsRendered"], f"{relative}: saved widgets did not render"
    if seen["mathSource"]:
        assert seen["mathRendered"], f"{relative}: formulas were not typeset"
    assert not seen["wideCode"], f"{relative}: code that scrolls sideways: {seen['wideCode']}"
    outside = [r for r in seen["resources"] if not r.startswith(site)]
    assert not outside, f"{relative}: requests outside the book: {outside}"
    errors = _errors(browser)
    assert not errors, f"{relative}: console errors: {errors}"


@pytest.mark.slow
def test_index_page_in_chromium(browser: Any, site: str, book: Build) -> None:
    _check_page(browser, site, book, "index.html", figure_in_article=False)


@pytest.mark.slow
def test_notebook_pages_in_chromium(browser: Any, site: str, book: Build) -> None:
    for page in _notebook_pages(book):
        _check_page(browser, site, book, f"notebooks/{page.name}", figure_in_article=True)


@pytest.mark.slow
def test_student_exercise_page_in_chromium(browser: Any, student_site: str) -> None:
    """A reader of the student edition sees the exercise stub and no check's verdict."""
    page = next(p for p in NOTEBOOKS if p.name.startswith("01_"))
    seen = _open(browser, f"{student_site}notebooks/{page.stem}.html")
    assert "error" not in seen, seen
    text = browser.execute_script("return document.querySelector('article').innerText")
    assert "Exercise 1" in text and "NotImplementedError" in text, "no exercise stub shown"
    assert not VERDICT.search(text), f"a verdict is visible: {VERDICT.search(text).group(0)!r}"
    assert not _errors(browser)
