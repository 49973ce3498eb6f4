"""``imgcourse report`` end to end with the real capstone notebook (19), on a folder of real
photographs of mixed sizes, modes and formats with a corrupt file in it: the report folder's
content, and its HTML opened from disk in Chromium with the network blocked."""

from __future__ import annotations

import json
import re
from pathlib import Path

import numpy as np
import pytest
from PIL import Image
from support import open_offline

from imgcourse import cli

pytestmark = pytest.mark.slow

#: Few epochs and no scratch baseline: this checks the report, not the accuracy.
QUICK = ["-p", "EPOCHS", "3", "-p", "COMPARE_SCRATCH", "False", "-p", "MIN_ACCURACY", "0.0"]
CORRUPT = "scan_07.jpg"


def _photo_folder(root: Path) -> Path:
    """Three classes of crops from scikit-image's photographs, 12 each, every crop a different
    size, saved in a rotating mix of formats and modes; one truncated JPEG; one non-ASCII name."""
    from skimage import data

    photos = {"cat": data.chelsea(), "coffee": data.coffee(), "rocket": data.rocket()}
    rng = np.random.default_rng(0)
    for label, photo in photos.items():
        folder = root / label
        folder.mkdir(parents=True)
        height, width = photo.shape[:2]
        for i in range(12):
            h, w = (int(v) for v in rng.integers(40, 120, size=2))
            top, left = int(rng.integers(0, height - h)), int(rng.integers(0, width - w))
            crop = Image.fromarray(photo[top : top + h, left : left + w])
            kind = i % 6
            if kind == 0:
                crop.save(folder / f"{i:02d}.png")
            elif kind == 1:
                crop.convert("L").save(folder / f"{i:02d}_grey.png")
            elif kind == 2:
                crop.convert("RGBA").save(folder / f"{i:02d}_alpha.png")
            elif kind == 3:
                crop.convert("P").save(folder / f"{i:02d}_palette.png")
            elif kind == 4:
                crop.convert("CMYK").save(folder / f"{i:02d}_cmyk.jpg", quality=90)
            else:
                grey = np.asarray(crop.convert("L"), dtype=np.uint16) * 257
                Image.fromarray(grey).save(folder / f"{i:02d}_16bit.png")
    Image.fromarray(photos["cat"][:64, :64]).save(root / "cat" / "chat_été.jpg")
    good = (root / "coffee" / "00.png").read_bytes()
    (root / "coffee" / CORRUPT).write_bytes(good[: len(good) // 3])
    return root


@pytest.fixture(scope="module")
def report(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, str]:
    import contextlib
    import io

    root = tmp_path_factory.mktemp("capstone")
    data = _photo_folder(root / "photos")
    out = root / "report"
    printed = io.StringIO()
    with contextlib.redirect_stdout(printed):
        code = cli.main(["report", str(data), "--out", str(out), *QUICK])
    assert code == 0, printed.getvalue()
    return out, printed.getvalue()


def test_the_report_folder_holds_notebook_html_model_and_metrics(report):
    out, printed = report
    names = {p.name for p in out.iterdir()}
    assert {
        "19_capstone_report.ipynb",
        "19_capstone_report.html",
        "model.keras",
        "metrics.json",
    } <= names, names
    assert not [n for n in names if n.endswith((".part", ".tmp"))], names
    assert "1. " in printed and "6. " in printed, "one line per step while it runs"


def test_metrics_hold_the_accuracy_the_classes_and_the_skipped_file(report):
    out, _ = report
    metrics = json.loads((out / "metrics.json").read_text(encoding="utf-8"))
    assert 0.0 <= metrics["test_accuracy"] <= 1.0
    assert metrics["class_names"] == ["cat", "coffee", "rocket"]
    assert set(metrics["per_class"]) == {"cat", "coffee", "rocket"}
    skipped = json.dumps(metrics["skipped"], ensure_ascii=False)
    assert CORRUPT in skipped, skipped


def test_the_html_lists_the_skipped_file_shows_figures_and_hides_no_error(report):
    out, _ = report
    html = (out / "19_capstone_report.html").read_text(encoding="utf-8")
    assert CORRUPT in html
    assert len(re.findall(r"<img ", html)) >= 4, "the data check, curves, confusion, mistakes"
    assert "Traceback" not in html
    assert "chat_été" in html or "cat" in html


def test_the_html_opened_offline_typesets_its_formulas_and_draws_its_figures(report, browser):
    out, _ = report
    page = open_offline(browser, (out / "19_capstone_report.html").as_uri(), raw_tex="\\frac{TP}")
    assert "error" not in page, page
    assert page["mathRendered"] >= 1 and not page["rawTex"], page
    assert page["images"] >= 4, page


def test_a_class_of_unreadable_files_stops_at_the_data_check_with_a_message(tmp_path, capsys):
    data = tmp_path / "photos"
    for label in ("cat", "dog"):
        (data / label).mkdir(parents=True)
    for i in range(6):
        Image.new("RGB", (40, 30), (i * 40, 10, 10)).save(data / "cat" / f"{i}.png")
        (data / "dog" / f"{i}.jpg").write_bytes(b"\xff\xd8\xff not really a jpeg")
    code = cli.main(["report", str(data), "--out", str(tmp_path / "report"), *QUICK])
    err = capsys.readouterr().err
    assert code == 1, err
    assert "ImageFolderError" in err and "dog" in err, err
    assert "Traceback" not in err
