"""Sphinx configuration for the course book.

Build (offline, warnings as errors):  sphinx-build -W -b html book book/_build/html

Pages come from ../notebooks/ with their committed outputs (nothing runs at build time);
see _ext/course_book.py for how they get here. The widget and MathJax scripts are served
from imgcourse/assets/vendor/ (made by vendor_js.py), never from a CDN; the HTML reports of
`imgcourse run` use the same files.
"""

from __future__ import annotations

import os
import sys
from pathlib import Path

BOOK = Path(__file__).resolve().parent
sys.path.insert(0, str(BOOK / "_ext"))

project = "Deep learning for images"
author = "The imgcourse authors"
copyright = "the imgcourse authors"  # Sphinx's name, not the builtin's
html_title = "Deep learning for images"

extensions = ["myst_nb", "course_book"]

# Where the notebooks come from (IMGCOURSE_BOOK_NOTEBOOKS points elsewhere, for trying the
# book on other notebooks) and the build folder inside the book they are mirrored into.
course_notebooks_src = os.environ.get("IMGCOURSE_BOOK_NOTEBOOKS", "../notebooks")
course_notebooks_dir = "notebooks"
# Which edition: "instructor" (solutions and check outputs shown) or "student" (built from
# the student versions: solutions are stubs, exercise outputs cleared). Build the student's:
#   IMGCOURSE_BOOK_EDITION=student sphinx-build -W -b html book book/_build/student-html
course_edition = os.environ.get("IMGCOURSE_BOOK_EDITION", "instructor")

exclude_patterns = ["_build", "_static", "_ext", "README.md", "**/.ipynb_checkpoints"]

# MyST and notebooks: show the committed, nbval-checked outputs; never execute.
myst_enable_extensions = ["dollarmath", "amsmath", "colon_fence", "deflist", "substitution"]
EDITION_NOTES = {
    "instructor": (
        "**This is the instructor's edition**: it shows every exercise's solution and the "
        "output of its check. Publish the student edition to a class."
    ),
    "student": (
        "**This is the student edition**: exercises show an empty cell to fill in, and the "
        "outputs that would give an answer away are cleared; run the notebook to see them."
    ),
}
myst_substitutions = {"edition_note": EDITION_NOTES.get(course_edition, "")}
if course_edition == "student":
    html_title += " (student edition)"
nb_execution_mode = "off"
nb_merge_streams = True

# Served from the book itself (see vendor_js.py), so pages work offline.
ASSETS = BOOK.parent / "imgcourse" / "assets"
VENDOR = ASSETS / "vendor"
_needed = [VENDOR / "jupyter-widgets" / "embed.js", VENDOR / "mathjax" / "tex-chtml-full.js"]
_missing = [str(p.relative_to(BOOK.parent)) for p in _needed if not p.is_file()]
if _missing:
    raise RuntimeError(
        f"missing vendored JavaScript {_missing}: run `python book/vendor_js.py` once "
        "(needs the npm registry) and commit imgcourse/assets/vendor/"
    )
nb_ipywidgets_js = {"vendor/jupyter-widgets/embed.js": {}}
mathjax_path = "vendor/mathjax/tex-chtml-full.js"
# Lets ipywidgets (MathJax 2 API) and MathJax 3 share a page.
mathjax_config_path = str(ASSETS / "mathjax-config.js")

html_theme = "sphinx_book_theme"
# imgcourse/assets/vendor/ is served as _static/vendor/.
html_static_path = ["_static", str(ASSETS)]
html_css_files = ["course.css"]
html_theme_options = {
    "show_toc_level": 2,
    "home_page_in_toc": True,
    "use_download_button": True,
    "use_fullscreen_button": False,
}
html_last_updated_fmt = None
html_logo = "_static/logo.svg"
html_favicon = "_static/favicon.svg"
# pydata-sphinx-theme's default mode is "", which logs a console error on a first visit.
html_context = {"default_mode": "auto"}
