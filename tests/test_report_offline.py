"""HTML reports of ``imgcourse run`` stand alone: opened from disk in a browser with no network,
formulas are typeset and widgets drawn from ``_report_assets/``, and nothing is asked of a CDN."""

from __future__ import annotations

import re
from pathlib import Path

import nbformat
import pytest
from support import open_offline

from imgcourse import course
from imgcourse.course import runner

pytestmark = pytest.mark.slow

NOTEBOOK_CELLS = [
    nbformat.v4.new_markdown_cell(
        "# 01 · Offline report\n\nInline $e^{i\\pi} + 1 = 0$ and displayed:\n\n"
        "$$\\sum_{k=1}^{n} k = \\frac{n(n+1)}{2}$$"
    ),
    nbformat.v4.new_code_cell('PROFILE = "default"', metadata={"tags": ["parameters"]}),
    nbformat.v4.new_code_cell(
        "import ipywidgets as widgets\n"
        "slider = widgets.IntSlider(value=3, min=0, max=9, description='epochs')\n"
        "slider"
    ),
]


@pytest.fixture(scope="module")
def report(tmp_path_factory: pytest.TempPathFactory) -> Path:
    folder = tmp_path_factory.mktemp("course")
    nb = nbformat.v4.new_notebook(cells=NOTEBOOK_CELLS)
    nb.metadata["kernelspec"] = {
        "name": "python3",
        "display_name": "Python 3",
        "language": "python",
    }
    nbformat.write(nb, folder / "01_offline.ipynb")
    info = course.read_notebook_info(folder / "01_offline.ipynb")
    out = tmp_path_factory.mktemp("reports")
    result = runner.run_notebook(info, {}, out, cell_timeout=120)
    assert result.status == "ok", result.error
    return result.report


def test_the_report_names_no_cdn_and_its_assets_are_beside_it(report):
    html = report.read_text(encoding="utf-8")
    sources = re.findall(r'src="([^"]+)"', html) + re.findall(r"Src = '([^']+)'", html)
    assert sources, "no scripts found: the test reads the wrong thing"
    remote = [s for s in sources if s.startswith(("http:", "https:", "//"))]
    assert not remote, f"the report loads from the network: {remote}"
    for source in sources:
        if source.startswith(runner.REPORT_ASSETS):
            assert (report.parent / source).is_file(), f"{source} is not beside the report"


def test_the_report_opened_from_disk_typesets_formulas_and_draws_the_widget(report, browser):
    """With every http(s) request blocked in the browser, the page still typesets its formulas
    and draws its widget: it needs nothing but the files beside it."""
    page = open_offline(browser, report.as_uri(), raw_tex="\\frac{n(n+1)}{2}")
    assert "error" not in page, page
    assert page["mathRendered"] >= 2 and not page["rawTex"], page
    assert page["sliders"] == 1, page
