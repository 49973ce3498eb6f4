"""``imgcourse doctor``: what this machine has, in one screen, to paste into a bug report."""

from __future__ import annotations

import importlib.metadata
import platform

PACKAGES = (
    "imgcourse",
    "keras",
    "tensorflow",
    "jax",
    "numpy",
    "scikit-image",
    "scikit-learn",
    "matplotlib",
    "seaborn",
    "ipywidgets",
    "jupyterlab",
    "papermill",
    "nbval",
)


def package_versions() -> dict[str, str]:
    """Installed version of each package the course uses ("not installed" when absent)."""
    versions = {}
    for name in PACKAGES:
        try:
            versions[name] = importlib.metadata.version(name)
        except importlib.metadata.PackageNotFoundError:
            versions[name] = "not installed"
    return versions


def doctor_report() -> str:
    """A multi-line report: versions, devices and precision, cache folder, cached datasets."""
    from imgcourse.data.download import cache_dir, is_cached
    from imgcourse.data.registry import list_datasets
    from imgcourse.runtime import setup

    lines = [f"Python {platform.python_version()} on {platform.system()} {platform.machine()}"]
    lines += [f"  {name:<14} {version}" for name, version in package_versions().items()]
    info = setup(verbose=False)
    lines.append(f"backend:   {info.backend}")
    lines.append(f"device:    {info.device}" + (f" ({', '.join(info.gpus)})" if info.gpus else ""))
    lines.append(f"precision: {info.precision}")
    if not info.gpus and info.backend == "tensorflow":
        lines.append(
            "  no GPU visible to TensorFlow: the default profile runs on CPU; for the full "
            "profile install the gpu extra (pip install -e '.[gpu]') on a CUDA machine."
        )
    lines.append(f"cache:     {cache_dir()} (set IMGCOURSE_CACHE to move it)")
    for name in list_datasets(tier="full"):
        state = "cached" if is_cached(name) else "not downloaded"
        lines.append(f"  {name:<18} {state}")
    return "\n".join(lines)
