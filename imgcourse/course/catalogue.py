"""The course's catalogue: the syllabus, the notebooks on disk, their titles and parameters,
and checking a user's parameter overrides. Running them is :mod:`imgcourse.course.runner`.
Introduced in ``00_welcome``.
"""

from __future__ import annotations

import ast
import difflib
import math
import os
import re
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import nbformat

from imgcourse import atomic

#: Profiles every notebook understands.
PROFILES = ("default", "full")
#: A course notebook's file name: two digits, an optional letter for a notebook placed between
#: two numbered ones (``05b`` follows ``05``, so the numbers of the later notebooks, their
#: links and students' submissions keep their meaning), then the topic.
NOTEBOOK_NAME = re.compile(r"^(\d\d[a-z]?)_([a-z0-9_]+)\.ipynb$")


@dataclass(frozen=True)
class Planned:
    """One notebook of the syllabus: number, title and what it covers."""

    number: str
    title: str
    covers: str


SYLLABUS = (
    Planned("00", "Welcome", "using the course: profiles, doctor, data tiers, widgets, reports"),
    Planned("01", "Why deep learning", "hand-made filters and features against a learned CNN"),
    Planned("02", "CNN basics", "convolution and pooling, a first CNN, filters and feature maps"),
    Planned("03", "Data and augmentation", "splits, class balance, tf.data speed, augmentation"),
    Planned("04", "Training and tuning", "backpropagation, over-fitting, regularisation, search"),
    Planned("05", "CNN architectures", "VGG, residual, Inception and EfficientNet side by side"),
    Planned("05b", "Depth and scaling", "degradation of plain deep networks, compound scaling"),
    Planned("06", "Transfer learning", "feature extraction, fine-tuning, training from scratch"),
    Planned("07", "Evaluation and fairness", "metrics, calibration, per-group metrics"),
    Planned("08", "Interpretability", "saliency, Grad-CAM, occlusion, integrated gradients"),
    Planned("09", "Object detection", "boxes, IoU, a one-stage detector, non-max suppression, mAP"),
    Planned("10", "Segmentation", "U-Net, pixel accuracy, Dice, mIoU, overlays"),
    Planned("11", "Autoencoders", "denoising, compression vs bottleneck size, latent space"),
    Planned("12", "GANs", "DCGAN, its training loop, failure modes, conditional generation"),
    Planned("13", "Style transfer", "content and style losses, Gram matrices, optimisation"),
    Planned("14", "Attention and captioning", "attention maps, a small ViT, captioning"),
    Planned("15", "Few-shot and zero-shot", "prototypical networks, episodes, attributes"),
    Planned("16", "Architecture search", "automated search over architectures, cost vs accuracy"),
    Planned("17", "Deployment and on-device", "export, TFLite, size, latency, frames per second"),
    Planned("18", "Continuous learning", "drift, retraining, forgetting, rehearsal"),
    Planned("19", "Capstone report", "the six steps end to end on your own images, as a report"),
)


class CourseError(ValueError):
    """A request the course cannot carry out; the message says what to do instead."""


@dataclass
class NotebookInfo:
    """One course notebook as listed by :func:`list_notebooks`."""

    number: str
    slug: str
    path: Path
    title: str
    default_seconds: float | None
    parameters: dict[str, Any] = field(default_factory=dict)
    #: Recorded with the time by ``imgcourse run --record-time`` (metadata ``default_peak_mib``
    #: and ``default_slowest_cells``: each ``{"cell": n, "seconds": s, "first_line": text}``).
    default_peak_mib: float | None = None
    default_slowest_cells: list[dict[str, Any]] = field(default_factory=list)

    @property
    def name(self) -> str:
        return f"{self.number}_{self.slug}"


def notebooks_dir() -> Path:
    """The notebooks folder: ``$IMGCOURSE_NOTEBOOKS``; else the working folder or its
    ``notebooks/``, whichever holds course notebooks; else the notebooks the installed
    package ships (:func:`imgcourse.course.install.find_notebooks_folder`)."""
    env = os.environ.get("IMGCOURSE_NOTEBOOKS")
    if not env:
        from imgcourse.course.install import find_notebooks_folder  # it imports this module

        return find_notebooks_folder()
    folder = Path(env)
    if not folder.is_dir():
        raise CourseError(
            f"notebooks folder {folder} not found. Set IMGCOURSE_NOTEBOOKS to the folder "
            "holding the notebooks, or unset it (then the working folder, its notebooks/, or "
            "the notebooks that come with the package are used)."
        )
    return folder


def __getattr__(name: str) -> Any:
    # REPOSITORY (GitHub owner/name, where the Colab links point) is not written here: it is
    # [project.urls] of pyproject.toml, read from the installed package's metadata.
    if name == "REPOSITORY":
        from imgcourse.course.install import repository_url

        return repository_url().removeprefix("https://github.com/").strip("/")
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")


def read_parameters(nb: nbformat.NotebookNode) -> dict[str, Any]:
    """The literal assignments of the cell tagged ``parameters`` (name -> default value)."""
    for cell in nb.cells:
        if cell.cell_type == "code" and "parameters" in cell.metadata.get("tags", []):
            params: dict[str, Any] = {}
            for node in ast.parse(cell.source).body:
                if isinstance(node, ast.Assign) and len(node.targets) == 1:
                    target = node.targets[0]
                    if isinstance(target, ast.Name):
                        try:
                            params[target.id] = ast.literal_eval(node.value)
                        except ValueError:
                            continue  # computed defaults cannot be overridden by type
            return params
    return {}


def _title(nb: nbformat.NotebookNode, fallback: str) -> str:
    for cell in nb.cells:
        if cell.cell_type == "markdown":
            for line in cell.source.splitlines():
                if line.startswith("# "):
                    return line[2:].strip()
    return fallback


def read_notebook_info(path: Path) -> NotebookInfo:
    """Title, parameters and recorded default-profile run time of one notebook file."""
    match = NOTEBOOK_NAME.match(path.name)
    if not match:
        raise CourseError(f"{path.name} is not named NN_topic.ipynb")
    nb = nbformat.read(path, as_version=4)
    meta = nb.metadata.get("imgcourse", {})
    return NotebookInfo(
        number=match.group(1),
        slug=match.group(2),
        path=path,
        title=_title(nb, match.group(2).replace("_", " ")).removeprefix(f"{match.group(1)} · "),
        default_seconds=meta.get("default_seconds"),
        parameters=read_parameters(nb),
        default_peak_mib=meta.get("default_peak_mib"),
        default_slowest_cells=list(meta.get("default_slowest_cells", [])),
    )


def list_notebooks(folder: Path | None = None) -> list[NotebookInfo]:
    """Every ``NN_topic.ipynb`` in the notebooks folder, in course order."""
    folder = folder or notebooks_dir()
    return [
        read_notebook_info(p) for p in sorted(folder.glob("*.ipynb")) if NOTEBOOK_NAME.match(p.name)
    ]


def find_notebooks(names: list[str], folder: Path | None = None) -> list[NotebookInfo]:
    """Resolve names such as ``02``, ``02_cnn_basics``, ``cnn_basics`` or one word of a
    notebook's name (``cnn``) to notebooks.

    Raises:
        CourseError: a name matches no notebook; the message lists the real ones.
    """
    available = list_notebooks(folder)
    found = []
    for raw in names:
        key = raw.removesuffix(".ipynb").replace("-", "_").lower()
        hits = [nb for nb in available if key in (nb.number, nb.slug, nb.name)]
        if not hits and key:  # a word of the slug, such as "cnn" or "augmentation"
            hits = [nb for nb in available if key in nb.slug.split("_")]
            if len(hits) > 1:
                raise CourseError(
                    f"{raw!r} names several notebooks: {', '.join(nb.name for nb in hits)}. "
                    "Give the number of the one you mean."
                )
        if not hits:
            choices = [nb.name for nb in available]
            close = difflib.get_close_matches(key, choices + [nb.slug for nb in available], n=1)
            hint = f" Did you mean {close[0]!r}?" if close else ""
            raise CourseError(
                f"no notebook called {raw!r}.{hint} The notebooks are: {', '.join(choices)}."
            )
        found.extend(hits)
    return found


def _coerce(value: str, default: Any) -> Any:
    if isinstance(default, bool):
        lowered = value.lower()
        if lowered in ("true", "1", "yes"):
            return True
        if lowered in ("false", "0", "no"):
            return False
        raise ValueError("expected true or false")
    if isinstance(default, int):
        return int(value)
    if isinstance(default, float):
        return float(value)
    if isinstance(default, str) or default is None:
        return value
    parsed = ast.literal_eval(value)
    if not isinstance(parsed, type(default)):
        raise ValueError(f"expected a {type(default).__name__} literal")
    return parsed


#: Ranges checked before a kernel starts, by the parameter's name: (name pattern, the
#: parameter's type, the test, what the message says it must be).
#: The first pattern that matches decides.
PARAMETER_RANGES: tuple[tuple[str, type, Any, str], ...] = (
    (r"(^|_)MAX_\w+$", int, lambda v: v >= 0, "a whole number of at least 0 (0: no limit)"),
    (
        r"(^|_)(EPOCHS|BATCH_SIZE|IMAGE_SIZE|IMAGES|TRIALS|PER_CLASS|PATIENCE|FILTERS|DEPTH"
        r"|UNITS|SEEDS|SHAPES|TRAIN|SIZE)$",
        int,
        lambda v: v >= 1,
        "a whole number of at least 1",
    ),
    (r"(^|_)LEARNING_RATE$", float, lambda v: 0 < v < 10, "a number above 0 (and below 10)"),
    (
        r"(^|_)(DROPOUT|FRACTION|MOMENTUM|THRESHOLD|DIFFICULTY)$",
        float,
        lambda v: 0 <= v <= 1,
        "a number from 0 to 1",
    ),
)


def check_range(key: str, value: Any) -> str | None:
    """What is wrong with ``value`` for parameter ``key`` (None if nothing): floats must be
    finite, and names matching :data:`PARAMETER_RANGES` must be in their range."""
    if isinstance(value, float) and not math.isfinite(value):
        return "a finite number"
    for pattern, kind, ok, wanted in PARAMETER_RANGES:
        if re.search(pattern, key) and isinstance(value, kind) and not isinstance(value, bool):
            return None if ok(value) else wanted
    return None


def resolve_parameters(
    notebook: NotebookInfo, overrides: list[tuple[str, str]], profile: str | None = None
) -> dict[str, Any]:
    """Check ``-p KEY VALUE`` overrides against the notebook's parameters cell and type them.

    Values are converted to the type of the default (int, float, bool, str, or a literal for
    tuples and lists). String values of parameters ending in ``_DIR`` or ``_PATH`` are made
    absolute, since papermill runs the notebook in its own folder.

    Raises:
        CourseError: an unknown parameter or a value of the wrong type, before any kernel starts.
    """
    params: dict[str, Any] = {}
    if profile is not None:
        overrides = [("PROFILE", profile), *overrides]
    for key, raw in overrides:
        if key not in notebook.parameters:
            known = ", ".join(sorted(notebook.parameters)) or "none"
            close = difflib.get_close_matches(key.upper(), list(notebook.parameters), n=1)
            hint = f" Did you mean {close[0]}?" if close else ""
            raise CourseError(
                f"{notebook.name} has no parameter {key!r}.{hint} Its parameters are: {known}."
            )
        default = notebook.parameters[key]
        try:
            value = _coerce(raw, default)
        except (ValueError, SyntaxError) as exc:
            raise CourseError(
                f"parameter {key} of {notebook.name} must be of type "
                f"{type(default).__name__}, like its default {default!r}; got {raw!r} ({exc})."
            ) from None
        if key == "PROFILE" and value not in PROFILES:
            raise CourseError(f"PROFILE must be one of {PROFILES}; got {value!r}.")
        wanted = check_range(key, value)
        if wanted is not None:
            raise CourseError(
                f"parameter {key} of {notebook.name} must be {wanted}; got {raw!r} "
                f"(its default is {default!r})."
            )
        if isinstance(default, str) and default and not value.strip():
            raise CourseError(
                f"parameter {key} of {notebook.name} is empty; give a value like its "
                f"default {default!r}."
            )
        if isinstance(value, tuple):
            raise CourseError(
                f"parameter {key} of {notebook.name} is a tuple, which papermill cannot pass "
                "to a notebook (it would arrive as a string); change it in the notebook's "
                "parameters cell instead."
            )
        if isinstance(value, str) and key.endswith(("_DIR", "_PATH")) and value:
            value = str(user_path(value, f"parameter {key} of {notebook.name}"))
        params[key] = value
    return params


def user_path(text: str, what: str) -> Path:
    """``text`` as an absolute path, ``~`` and ``~user`` expanded.

    Raises:
        CourseError: ``~name`` names no user on this machine (pathlib raises RuntimeError), or
            the text holds a NUL character, which no file name can.
    """
    if "\x00" in text:
        raise CourseError(f"{what}: {text!r} holds a NUL character (\\x00); no path can")
    try:
        return Path(text).expanduser().resolve()
    except RuntimeError:
        head = text.split("/", 1)[0]
        raise CourseError(
            f"{what}: {text!r} starts with {head!r}, but this machine has no such user's home "
            "folder; give the full path"
        ) from None


def write_notebook(nb: nbformat.NotebookNode, path: Path) -> None:
    """Write a notebook to a temporary file beside ``path``, then rename it into place, so an
    interrupted write never leaves a half-written notebook."""
    with atomic.atomic_open(path, "w", encoding="utf-8") as handle:  # keeps an existing mode
        nbformat.write(nb, handle)
