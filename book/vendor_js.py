"""Fetch the JavaScript the book serves itself, so its pages work offline.

Run once when a pinned version changes (it needs the npm registry), then commit the result:

    python book/vendor_js.py

It asks ``npm pack`` for each pinned package, checks the tarball against the pinned sha512
integrity, and copies only the files the book and the HTML reports load into
``imgcourse/assets/vendor/``:

- ``@jupyter-widgets/html-manager``'s ``embed.js``: renders the saved widget state of a
  notebook page (ipywidgets 8 models, no require.js needed), plus its icon fonts (woff2);
- ``mathjax``'s ``tex-chtml-full.js`` (every TeX extension built in, so nothing is
  fetched on demand) plus its woff fonts.

``conf.py`` points ``nb_ipywidgets_js`` and ``mathjax_path`` at these copies.
"""

from __future__ import annotations

import base64
import hashlib
import json
import shutil
import subprocess
import sys
import tarfile
import tempfile
from dataclasses import dataclass
from pathlib import Path

VENDOR_DIR = Path(__file__).resolve().parents[1] / "imgcourse" / "assets" / "vendor"


@dataclass(frozen=True)
class Pinned:
    """One npm package: its pinned version and integrity, and the files the book needs."""

    name: str
    version: str
    integrity: str
    licence: str
    target: str
    files: tuple[str, ...]  # glob patterns inside the tarball's package/ folder


PINNED = (
    Pinned(
        name="@jupyter-widgets/html-manager",
        version="1.0.15",
        integrity="sha512-5thBIV6ymNgmPVOHvzx+gGy8ZSKmSazhtGw4/c4xJDVzRhG9PTeQsRjF3FUTopvFi//"
        "SABeNz1yp47bCrJ3CQA==",
        licence="BSD-3-Clause (bundled third-party notices in embed.js.LICENSE.txt)",
        target="jupyter-widgets",
        files=("dist/embed.js", "dist/embed.js.LICENSE.txt", "dist/*.woff2"),
    ),
    Pinned(
        name="mathjax",
        version="3.2.2",
        integrity="sha512-Bt+SSVU8eBG27zChVewOicYs7Xsdt40qm4+UpHyX7k0/O9NliPc+x77k1/"
        "FEsPsjKPZGJvtRZM1vO+geW0OhGw==",
        licence="Apache-2.0 (LICENSE)",
        target="mathjax",
        files=("LICENSE", "es5/tex-chtml-full.js", "es5/output/chtml/fonts/woff-v2/*.woff"),
    ),
)


def _integrity(path: Path) -> str:
    digest = hashlib.sha512(path.read_bytes()).digest()
    return "sha512-" + base64.b64encode(digest).decode("ascii")


def _npm_pack(pin: Pinned, workdir: Path) -> Path:
    npm = shutil.which("npm")
    if npm is None:
        raise SystemExit("npm not found: install Node.js (apt-get install -y npm) and run again")
    spec = f"{pin.name}@{pin.version}"
    result = subprocess.run(
        [npm, "pack", spec, "--json", "--pack-destination", str(workdir)],
        capture_output=True,
        text=True,
        check=False,
    )
    if result.returncode != 0:
        raise SystemExit(f"npm pack {spec} failed:\n{result.stderr.strip()}")
    tarball = workdir / json.loads(result.stdout)[0]["filename"]
    got = _integrity(tarball)
    if got != pin.integrity:
        raise SystemExit(f"{spec}: integrity {got} does not match the pinned {pin.integrity}")
    return tarball


def _strip_prefix(relative: str) -> str:
    """Where a file lands under the package's target folder (drop dist/ and es5/)."""
    for prefix in ("dist/", "es5/"):
        if relative.startswith(prefix):
            return relative[len(prefix) :]
    return relative


def vendor(dest: Path = VENDOR_DIR) -> list[Path]:
    """Download, verify and copy the pinned files into ``dest``; return the files written."""
    with tempfile.TemporaryDirectory() as tmp:
        work = Path(tmp)
        staged = work / "staged"
        for pin in PINNED:
            tarball = _npm_pack(pin, work)
            unpacked = work / pin.target
            with tarfile.open(tarball) as tar:
                if hasattr(tarfile, "data_filter"):  # Python >= 3.10.12
                    tar.extractall(unpacked, filter="data")
                else:  # pragma: no cover
                    tar.extractall(unpacked)  # noqa: S202 (integrity checked above)
            package = unpacked / "package"
            for pattern in pin.files:
                matches = sorted(package.glob(pattern))
                if not matches:
                    raise SystemExit(f"{pin.name}@{pin.version}: nothing matches {pattern!r}")
                for src in matches:
                    rel = _strip_prefix(src.relative_to(package).as_posix())
                    out = staged / pin.target / rel
                    out.parent.mkdir(parents=True, exist_ok=True)
                    shutil.copyfile(src, out)
        notes = ["Vendored by book/vendor_js.py; do not edit by hand.", ""]
        for pin in PINNED:
            notes += [f"{pin.name}@{pin.version}", f"  integrity: {pin.integrity}"]
            notes += [f"  licence: {pin.licence}", f"  folder: {pin.target}/", ""]
        (staged / "VENDORED.txt").write_text("\n".join(notes), encoding="utf-8")
        # Replace the whole folder only once everything is staged: never half-written.
        if dest.exists():
            shutil.rmtree(dest)
        dest.parent.mkdir(parents=True, exist_ok=True)
        shutil.copytree(staged, dest)
    return sorted(p for p in dest.rglob("*") if p.is_file())


def main() -> int:
    files = vendor()
    total = sum(p.stat().st_size for p in files)
    print(f"wrote {len(files)} files, {total / 1e6:.1f} MB, into {VENDOR_DIR}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
