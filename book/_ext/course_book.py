"""Sphinx extension for the course book: notebooks, part listings, offline pages.

- Before reading, copies ``NN_topic.ipynb`` (and any images under it) from the course's
  ``notebooks/`` folder into ``book/notebooks/`` (a build folder, git-ignored), so the
  notebooks live in one place and are never copied by hand. Unchanged copies keep their
  timestamps, so rebuilds stay incremental; copies whose source is gone are removed.
- The ``course-notebooks`` directive (``{course-notebooks} 00-04`` on a part page) lists the
  notebooks of that range that exist in a table of contents, and the planned ones as plain
  text marked "coming". Part pages are re-read on every build, so a new notebook shows up.
- A link to a planned notebook that does not exist yet (``[03 · Data](03_data.ipynb)``)
  becomes its text marked "(coming)" instead of a broken link; a link to a notebook number
  that exists, or is not in the syllabus, is left to MyST (a typo stays a warning).
- Remote images would break offline reading: a badge (the "Open in Colab" link) becomes its
  alt text, still linked; any other remote image is a warning (an error under ``-W``).
"""

from __future__ import annotations

import filecmp
import re
import shutil
from pathlib import Path
from typing import Any

from docutils import nodes
from docutils.statemachine import StringList
from sphinx import addnodes
from sphinx.application import Sphinx
from sphinx.config import Config
from sphinx.directives.other import TocTree
from sphinx.environment import BuildEnvironment
from sphinx.transforms import SphinxTransform
from sphinx.transforms.post_transforms import SphinxPostTransform
from sphinx.util import logging

from imgcourse.course import SYLLABUS  # one syllabus for the CLI and the book
from imgcourse.course.catalogue import NOTEBOOK_NAME  # one rule for a notebook's name

logger = logging.getLogger(__name__)

IMAGE_SUFFIXES = (".png", ".jpg", ".jpeg", ".gif", ".svg", ".webp")
BADGE_HOSTS = ("colab.research.google.com/assets/", "img.shields.io/", "mybinder.org/badge")
REMOTE_IMG_TAG = re.compile(r"<img\b[^>]*\bsrc=[\"'](https?://[^\"']+)[\"'][^>]*>", re.I)
ALT_ATTR = re.compile(r"\balt=[\"']([^\"']*)[\"']", re.I)


PLANNED = {p.number: p for p in SYLLABUS}
#: The book's editions: the instructor's shows solutions and check outputs; the student's is
#: built from the student versions (``imgcourse student``).
EDITIONS = ("instructor", "student")


def _mirrored(folder: Path) -> dict[str, Path]:
    """The files the book takes from a notebooks folder: ``NN_topic.ipynb`` and images."""
    files = {p.name: p for p in folder.glob("*.ipynb") if NOTEBOOK_NAME.match(p.name)}
    for path in folder.rglob("*"):
        rel = path.relative_to(folder)
        hidden = any(part.startswith(".") or part == "__pycache__" for part in rel.parts)
        if path.suffix.lower() in IMAGE_SUFFIXES and path.is_file() and not hidden:
            files[rel.as_posix()] = path
    return files


def sync_notebooks(src: Path, dst: Path) -> list[Path]:
    """Mirror ``src/NN_topic.ipynb`` (and the images beside them) into ``dst``.

    Copies only what changed (with its timestamp, so Sphinx skips unchanged pages) and
    removes copies whose source is gone. Returns the notebooks now in ``dst``.
    """
    dst.mkdir(parents=True, exist_ok=True)
    sources = _mirrored(src)
    for rel, stale in _mirrored(dst).items():
        if rel not in sources:
            stale.unlink()
    for rel, source in sources.items():
        target = dst / rel
        if not (target.exists() and filecmp.cmp(source, target, shallow=False)):
            target.parent.mkdir(parents=True, exist_ok=True)
            tmp = target.with_name(target.name + ".tmp")
            shutil.copy2(source, tmp)
            tmp.replace(target)
    return sorted(dst / rel for rel in sources if rel.endswith(".ipynb"))


def student_notebooks(src: Path, staging: Path) -> Path:
    """Write the student versions of ``src``'s notebooks into ``staging``; return it.

    The same transformation as ``imgcourse student``: solutions become stubs and the outputs
    of every exercise (check verdicts, predicted results) are cleared.
    """
    from imgcourse.course.student import write_student_versions

    if staging.exists():
        shutil.rmtree(staging)
    write_student_versions(src, staging)
    return staging


def _on_config_inited(app: Sphinx, config: Config) -> None:
    src = (Path(app.confdir) / config.course_notebooks_src).resolve()
    if not src.is_dir():
        logger.warning("course notebooks folder not found: %s", src, type="course")
        return
    if config.course_edition not in EDITIONS:
        logger.warning(
            "unknown book edition %r: choose one of %s",
            config.course_edition,
            EDITIONS,
            type="course",
        )
        return
    if config.course_edition == "student":
        src = student_notebooks(src, Path(app.doctreedir) / "student-notebooks")
    copies = sync_notebooks(src, Path(app.srcdir) / config.course_notebooks_dir)
    for copy in copies:
        number = NOTEBOOK_NAME.match(copy.name).group(1)  # type: ignore[union-attr]
        if number not in PLANNED:
            logger.warning(
                "notebook %s has no entry in SYLLABUS (imgcourse/course/catalogue.py); "
                "add it there so a part page lists it",
                copy.name,
                type="course",
            )
    logger.info("course: %d notebook(s) from %s", len(copies), src)


def _notebook_number(docname: str, folder: str) -> str | None:
    """``05b`` for the page ``notebooks/05b_depth_and_scaling``; None for other pages."""
    head, _, name = docname.rpartition("/")
    match = NOTEBOOK_NAME.match(name + ".ipynb")
    return match.group(1) if head == folder and match else None


class CourseNotebooks(TocTree):
    """``{course-notebooks} 00-04``: the notebooks of a range, existing ones in a toctree."""

    required_arguments = 1

    def run(self) -> list[nodes.Node]:
        match = re.fullmatch(r"(\d\d)-(\d\d)", self.arguments[0])
        if match is None:
            raise self.error(f"expected a range such as 00-04, got {self.arguments[0]!r}")
        first, last = match.groups()
        self.env.course_listings = getattr(self.env, "course_listings", set())  # type: ignore[attr-defined]
        self.env.course_listings.add(self.env.docname)  # type: ignore[attr-defined]

        folder = self.config.course_notebooks_dir
        found = {
            number: docname
            for docname in self.env.found_docs
            if (number := _notebook_number(docname, folder)) is not None
        }
        # 05b lies in the range 05-06: ranges compare the two digits
        numbers = [p.number for p in SYLLABUS if first <= p.number[:2] <= last]
        present = [found[n] for n in numbers if n in found]
        coming = [PLANNED[n] for n in numbers if n not in found]

        result: list[nodes.Node] = []
        if present:
            self.options.setdefault("maxdepth", 1)
            self.content = StringList([f"/{docname}" for docname in present])
            result += super().run()
        if coming:
            items = nodes.bullet_list(classes=["course-coming"])
            for planned in coming:
                para = nodes.paragraph()
                para += nodes.Text(f"{planned.number} · {planned.title} ")
                para += nodes.emphasis(text="(coming)")
                para += nodes.Text(f": {planned.covers}.")
                items += nodes.list_item("", para)
            result.append(items)
        return result


def _on_env_get_outdated(
    app: Sphinx, env: BuildEnvironment, added: set[str], changed: set[str], removed: set[str]
) -> list[str]:
    # A part page's listing depends on which notebooks exist: read it again every build.
    return sorted(getattr(env, "course_listings", set()) - removed)


def _on_env_purge_doc(app: Sphinx, env: BuildEnvironment, docname: str) -> None:
    getattr(env, "course_listings", set()).discard(docname)


def _on_env_merge_info(
    app: Sphinx, env: BuildEnvironment, docnames: list[str], other: BuildEnvironment
) -> None:
    env.course_listings = getattr(env, "course_listings", set()) | getattr(  # type: ignore[attr-defined]
        other, "course_listings", set()
    )


class ComingNotebookLinks(SphinxPostTransform):
    """Turn links to planned, not yet written notebooks into "<text> (coming)"."""

    default_priority = 8  # before MyST's reference resolver (9)

    def run(self, **kwargs: Any) -> None:
        folder = self.config.course_notebooks_dir
        written = {
            number
            for docname in self.env.found_docs
            if (number := _notebook_number(docname, folder)) is not None
        }
        for node in list(self.document.findall(addnodes.pending_xref)):
            if node.get("reftype") != "myst" or node.get("refdomain") == "doc":
                continue
            name = node.get("reftarget", "").split("#", 1)[0].rsplit("/", 1)[-1]
            match = NOTEBOOK_NAME.match(name)
            if match is None or match.group(1) not in PLANNED or match.group(1) in written:
                continue
            text = nodes.inline(classes=["course-coming-link"])
            text.extend(child.deepcopy() for child in node.children)
            text += nodes.Text(" ")
            text += nodes.emphasis(text="(coming)")
            node.replace_self(text)


def _is_badge(uri: str) -> bool:
    return any(host in uri for host in BADGE_HOSTS)


class OfflineImages(SphinxTransform):
    """Replace remote badge images by their alt text; warn about any other remote image."""

    default_priority = 400

    def apply(self, **kwargs: Any) -> None:
        for image in list(self.document.findall(nodes.image)):
            uri = image.get("uri", "")
            if not uri.startswith(("http://", "https://")):
                continue
            if _is_badge(uri):
                text = image.get("alt") or "link"
                image.replace_self(nodes.inline(text=text, classes=["course-badge"]))
            else:
                logger.warning(
                    "remote image %s would not load offline: save it under notebooks/ (say "
                    "notebooks/images/) and link it relatively, or draw it in a cell",
                    uri,
                    location=image,
                    type="course",
                    subtype="remote_image",
                )
        for raw in list(self.document.findall(nodes.raw)):
            if "html" not in raw.get("format", ""):
                continue
            text = raw.astext()
            if not REMOTE_IMG_TAG.search(text):
                continue
            new = REMOTE_IMG_TAG.sub(self._replace_tag, text)
            raw.replace_self(nodes.raw(new, new, format=raw["format"]))

    def _replace_tag(self, match: re.Match[str]) -> str:
        if _is_badge(match.group(1)):
            alt = ALT_ATTR.search(match.group(0))
            return f'<span class="course-badge">{alt.group(1) if alt else "link"}</span>'
        logger.warning("remote image %s would not load offline", match.group(1), type="course")
        return match.group(0)


def setup(app: Sphinx) -> dict[str, Any]:
    """Register the config values, the directive, the transform and the event handlers."""
    app.add_config_value("course_notebooks_src", "../notebooks", "env", types=(str,))
    app.add_config_value("course_notebooks_dir", "notebooks", "env", types=(str,))
    app.add_config_value("course_edition", "instructor", "env", types=(str,))
    app.add_directive("course-notebooks", CourseNotebooks)
    app.add_transform(OfflineImages)
    app.add_post_transform(ComingNotebookLinks)
    app.connect("config-inited", _on_config_inited)
    app.connect("env-get-outdated", _on_env_get_outdated)
    app.connect("env-purge-doc", _on_env_purge_doc)
    app.connect("env-merge-info", _on_env_merge_info)
    return {"version": "1.0", "parallel_read_safe": True, "parallel_write_safe": True}
