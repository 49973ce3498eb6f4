"""What the package ships and where it says it comes from: package data (imgcourse.packaged),
the notebooks inside the package (imgcourse.course.install, ``imgcourse notebooks``), and the
repository URL, written once in pyproject.toml. The wheel itself is built and used in
tests/test_wheel_install.py."""

from __future__ import annotations

import email.message
import fnmatch
import hashlib
import json
import re
from pathlib import Path

import pytest

from imgcourse import cli, course
from imgcourse.course import install
from imgcourse.course.catalogue import CourseError
from imgcourse.data.registry import get_weights, list_weights
from imgcourse.models.pretrained import check_weights, weights_path
from imgcourse.packaged import package_file, sha256_file

tomllib = pytest.importorskip("tomllib")  # Python 3.11+

REPO = Path(__file__).resolve().parent.parent
NOTEBOOKS = REPO / "notebooks"
PACKAGE = REPO / "imgcourse"
PYPROJECT = tomllib.loads((REPO / "pyproject.toml").read_text(encoding="utf-8"))
COURSE_NOTEBOOKS = sorted(NOTEBOOKS.glob("[0-9][0-9]*_*.ipynb"))


# --- package data ------------------------------------------------------------------------------


def test_package_file_finds_shipped_files_and_refuses_paths_outside():
    assert package_file("packaged.py").is_file()
    assert package_file("assets/mathjax-config.js") == PACKAGE / "assets" / "mathjax-config.js"
    for bad in ("/etc/passwd", "../pyproject.toml", "assets/../../setup.py", "assets//x"):
        with pytest.raises(ValueError, match="relative to the package"):
            package_file(bad)


def test_sha256_file_agrees_with_hashlib_across_chunks(tmp_path):
    data = bytes(range(256)) * 5000  # 1.2 MiB: more than one 1 MiB chunk
    path = tmp_path / "blob.bin"
    path.write_bytes(data)
    assert sha256_file(path) == hashlib.sha256(data).hexdigest()
    (tmp_path / "empty").write_bytes(b"")
    assert sha256_file(tmp_path / "empty") == hashlib.sha256(b"").hexdigest()


@pytest.mark.parametrize("name", list_weights())
def test_registered_weights_ship_inside_the_package_with_their_sha256(name):
    entry = get_weights(name)
    path = weights_path(name)
    assert path == PACKAGE / entry.path, "course weights must be package data under imgcourse/"
    assert check_weights(path, entry) == path  # exists, and its sha256 matches the registry
    assert (REPO / entry.script).is_file(), f"the script that makes {name} is gone"


def test_every_file_under_assets_is_package_data():
    """A file added under imgcourse/assets/ (weights, paintings) reaches the wheel only if a
    pattern of [tool.setuptools.package-data] covers it."""
    patterns = PYPROJECT["tool"]["setuptools"]["package-data"]["imgcourse"]
    files = [
        p.relative_to(PACKAGE).as_posix()
        for p in (PACKAGE / "assets").rglob("*")
        if p.is_file() and "__pycache__" not in p.parts
    ]
    assert files
    # setuptools globs each pattern inside imgcourse/; a * never crosses a /
    uncovered = [
        f
        for f in files
        if not any(f.count("/") == pat.count("/") and fnmatch.fnmatch(f, pat) for pat in patterns)
    ]
    assert not uncovered, (
        f"files under imgcourse/assets/ that no pattern of [tool.setuptools.package-data] in "
        f"pyproject.toml ships: {uncovered}; add a pattern for them"
    )


# --- the repository URL, written once --------------------------------------------------------


REPOSITORY = PYPROJECT["project"]["urls"]["Repository"]


def _sources(path: Path) -> list[tuple[str, str]]:
    nb = json.loads(path.read_text(encoding="utf-8"))
    return [(c["cell_type"], "".join(c["source"])) for c in nb["cells"]]


@pytest.mark.parametrize("path", COURSE_NOTEBOOKS, ids=lambda p: p.stem)
def test_badge_and_set_up_cell_use_the_repository_of_pyproject(path):
    assert REPOSITORY.startswith("https://github.com/"), REPOSITORY
    slug = REPOSITORY.removeprefix("https://github.com/").strip("/")
    cells = _sources(path)
    text = "\n".join(source for _, source in cells)
    badge = f"https://colab.research.google.com/github/{slug}/blob/main/notebooks/{path.name}"
    install_line = f'%pip install -q "imgcourse @ git+{REPOSITORY}"'
    first_markdown = next(source for kind, source in cells if kind == "markdown")
    assert (
        f"[![Open In Colab](https://colab.research.google.com/assets/colab-badge.svg)]"
        f"({badge})" in first_markdown
    ), (
        f"{path.name}: its first markdown cell has no Colab badge pointing at {badge} "
        f"(Repository in [project.urls] of pyproject.toml)"
    )
    set_up = [source for kind, source in cells if kind == "code" and "%pip install" in source]
    assert len(set_up) == 1 and install_line in set_up[0], (
        f"{path.name}: its set-up cell must install the package with {install_line}"
    )
    colab = set(re.findall(r"colab\.research\.google\.com/github/([^/\s)]+/[^/\s)]+)/", text))
    git = set(re.findall(r"git\+(https?://[^\s\"')]+)", text))
    assert colab == {slug} and git == {REPOSITORY}, (
        f"{path.name} names another repository: Colab links to {sorted(colab)}, installs from "
        f"{sorted(git)}; pyproject.toml says {REPOSITORY}"
    )


class _Dist:
    def __init__(self, *urls: str) -> None:
        self.metadata = email.message.Message()
        for url in urls:
            self.metadata["Project-URL"] = url


def test_repository_url_comes_from_the_package_metadata(monkeypatch):
    found = [
        _Dist(),  # a stale imgcourse.egg-info first on sys.path
        _Dist("Documentation, https://example.org/docs", "Repository, https://github.com/a/b"),
    ]
    monkeypatch.setattr(install.importlib.metadata, "distributions", lambda name: found)
    assert install.repository_url() == "https://github.com/a/b"
    assert course.REPOSITORY == "a/b"
    monkeypatch.setattr(install.importlib.metadata, "distributions", lambda name: [_Dist()])
    with pytest.raises(CourseError, match=r"no Repository URL.*reinstall"):
        install.repository_url()


# --- where the notebooks are, and copying them out ------------------------------------------


def _notebook(folder: Path, name: str, text: str = "{}") -> Path:
    folder.mkdir(parents=True, exist_ok=True)
    path = folder / name
    path.write_text(text)
    return path


@pytest.fixture
def shipped(tmp_path, monkeypatch):
    """A fake installation whose package ships two notebooks."""
    folder = tmp_path / "site" / "notebooks"
    _notebook(folder, "00_welcome.ipynb", '{"a": 1}')
    _notebook(folder, "06_transfer_learning.ipynb", '{"b": 2}')
    _notebook(folder, "conftest.py", "")
    monkeypatch.setattr(install, "shipped_notebooks", lambda: folder)
    monkeypatch.delenv("IMGCOURSE_NOTEBOOKS", raising=False)
    return folder


def test_the_working_folder_then_its_notebooks_then_the_shipped_ones(shipped, tmp_path):
    here = tmp_path / "work"
    here.mkdir()
    assert install.find_notebooks_folder(here) == shipped
    _notebook(here / "notebooks", "01_mine.ipynb")
    assert install.find_notebooks_folder(here) == here / "notebooks"
    _notebook(here, "02_other.ipynb")
    assert install.find_notebooks_folder(here) == here
    (here / "scratch.ipynb").write_text("{}")  # not a course name: does not count
    assert install.find_notebooks_folder(here / "notebooks") == here / "notebooks"


def test_notebooks_dir_uses_the_working_folder(shipped, tmp_path, monkeypatch):
    monkeypatch.chdir(_notebook(tmp_path / "w" / "notebooks", "03_x.ipynb").parent.parent)
    assert course.notebooks_dir() == tmp_path / "w" / "notebooks"
    monkeypatch.setenv("IMGCOURSE_NOTEBOOKS", str(shipped))
    assert course.notebooks_dir() == shipped


def test_no_notebooks_anywhere_says_how_to_get_them(tmp_path, monkeypatch):
    monkeypatch.setattr(install, "shipped_notebooks", lambda: None)
    with pytest.raises(CourseError, match=r"imgcourse notebooks --out.*IMGCOURSE_NOTEBOOKS"):
        install.find_notebooks_folder(tmp_path)


def test_this_installation_ships_the_course_notebooks():
    """An editable install (pip install -e) ships the clone's notebooks/; a wheel its copy."""
    shipped = install.shipped_notebooks()
    assert shipped is not None
    names = install.course_notebook_names(shipped)
    assert names == [p.name for p in COURSE_NOTEBOOKS]
    if install.editable_source() is not None:
        assert shipped.resolve() == NOTEBOOKS.resolve()


def test_imgcourse_notebooks_copies_them_and_keeps_a_learners_changes(
    shipped, tmp_path, monkeypatch, capsys
):
    monkeypatch.chdir(tmp_path)
    assert cli.main(["notebooks"]) == 0
    out = tmp_path / "notebooks"
    assert sorted(p.name for p in out.iterdir()) == [
        "00_welcome.ipynb",
        "06_transfer_learning.ipynb",
    ]
    assert (out / "00_welcome.ipynb").read_text() == '{"a": 1}'
    said = capsys.readouterr().out
    assert f"copied 2 notebooks into {out}" in said and f"from {tmp_path}," in said
    assert course.notebooks_dir() == out  # `imgcourse list` and `run` now use the copy

    assert cli.main(["notebooks"]) == 0  # unchanged files: copying again is harmless
    (out / "06_transfer_learning.ipynb").write_text('{"mine": true}')
    assert cli.main(["notebooks", "--out", str(out)]) == 2
    err = capsys.readouterr().err
    assert "06_transfer_learning.ipynb" in err and "--force" in err
    assert (out / "06_transfer_learning.ipynb").read_text() == '{"mine": true}'
    assert cli.main(["notebooks", "--force"]) == 0
    assert (out / "06_transfer_learning.ipynb").read_text() == '{"b": 2}'
    assert not list(out.glob(".*.tmp"))


def test_imgcourse_notebooks_refuses_a_file_and_the_course_folder_itself(shipped, tmp_path):
    (tmp_path / "file").write_text("")
    with pytest.raises(CourseError, match="is a file"):
        install.copy_notebooks(tmp_path / "file")
    with pytest.raises(CourseError, match="course's own notebooks folder"):
        install.copy_notebooks(shipped)


def test_imgcourse_notebooks_without_shipped_notebooks_exits_2(monkeypatch, tmp_path, capsys):
    monkeypatch.setattr(install, "shipped_notebooks", lambda: None)
    assert cli.main(["notebooks", "--out", str(tmp_path / "x")]) == 2
    assert "ships no notebooks" in capsys.readouterr().err
    assert not (tmp_path / "x").exists()
