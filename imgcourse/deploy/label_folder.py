"""Label a folder of images with an exported TFLite model, as an app would
(``17_deployment_and_on_device``).

Usage::

    python -m imgcourse.deploy.label_folder MODEL.tflite FOLDER [--labels labels.txt]
        [--threads 1]

It prints one line per image file, ``file<TAB>label<TAB>confidence``, in name order. The class
names come from ``--labels`` (one per line), else from ``labels.txt`` beside the model, else
the class numbers are printed. A file that cannot be read as an image is reported on its line
as an error and the others are still labelled; the exit status is then 1 (0 when all were
labelled, 2 when the model or the folder is missing).
"""

from __future__ import annotations

import argparse
import sys
from dataclasses import dataclass
from pathlib import Path

import numpy as np

from imgcourse.data.folder import IMAGE_SUFFIXES, read_image
from imgcourse.deploy.export import write_bytes_atomic
from imgcourse.deploy.tflite import TFLiteModel


@dataclass(frozen=True)
class Labelled:
    """One file's result: the label and its probability, or why it could not be read."""

    file: str
    label: str | None
    confidence: float | None
    error: str | None = None

    def line(self) -> str:
        """The printed line: file, label and confidence separated by tabs."""
        if self.error is not None:
            return f"{self.file}\tERROR\t{self.error}"
        return f"{self.file}\t{self.label}\t{self.confidence:.3f}"


def write_labels(path: str | Path, class_names: list[str]) -> Path:
    """Write the class names, one per line, for the app to read beside the model."""
    return write_bytes_atomic(path, ("\n".join(class_names) + "\n").encode("utf-8"))


def read_labels(path: str | Path) -> list[str]:
    """Class names from a file with one name per line (blank lines ignored)."""
    lines = Path(path).read_text(encoding="utf-8").splitlines()
    return [line.strip() for line in lines if line.strip()]


def label_folder(
    model: str | Path | TFLiteModel,
    folder: str | Path,
    class_names: list[str] | None = None,
    num_threads: int = 1,
) -> list[Labelled]:
    """Classify every image file directly in ``folder`` (sub-folders are not searched).

    Args:
        model: a ``.tflite`` file or a loaded :class:`TFLiteModel`.
        folder: the images; any size, RGB or grey; resized to the model's input.
        class_names: a name per class; None prints the class numbers.
        num_threads: interpreter threads, when ``model`` is a file.

    Returns:
        One :class:`Labelled` per image file, in name order; unreadable files carry ``error``.
    """
    from PIL import UnidentifiedImageError

    folder = Path(folder)
    if not folder.is_dir():
        raise FileNotFoundError(f"{folder} is not a folder; pass the folder of images to label")
    tfl = model if isinstance(model, TFLiteModel) else TFLiteModel(model, num_threads)
    size = tfl.input_shape[1]
    results = []
    for path in sorted(p for p in folder.iterdir() if p.is_file()):
        if path.suffix.lower() not in IMAGE_SUFFIXES:
            continue
        try:
            image = read_image(path, image_size=size)
        except (UnidentifiedImageError, OSError, SyntaxError, ValueError) as exc:
            reason = str(exc).splitlines()[0] if str(exc) else type(exc).__name__
            reason = reason.replace(f"'{path}'", path.name).replace(str(path), path.name)
            results.append(Labelled(path.name, None, None, f"unreadable image ({reason})"))
            continue
        probs = tfl.invoke(image[None])
        k = int(np.argmax(probs))
        name = class_names[k] if class_names and k < len(class_names) else str(k)
        results.append(Labelled(path.name, name, float(probs[k])))
    return results


def main(argv: list[str] | None = None) -> int:
    """The command line: label a folder, print a line per file; returns the exit status."""
    parser = argparse.ArgumentParser(
        prog="python -m imgcourse.deploy.label_folder",
        description="Label every image in a folder with an exported TFLite classifier.",
    )
    parser.add_argument("model", type=Path, help="the .tflite file")
    parser.add_argument("folder", type=Path, help="a folder of images")
    parser.add_argument("--labels", type=Path, default=None, help="class names, one a line")
    parser.add_argument("--threads", type=int, default=1, help="interpreter threads")
    args = parser.parse_args(argv)
    if not args.model.is_file():
        print(f"error: no model file at {args.model}", file=sys.stderr)
        return 2
    if not args.folder.is_dir():
        print(f"error: {args.folder} is not a folder of images", file=sys.stderr)
        return 2
    labels_file = args.labels or args.model.with_name("labels.txt")
    names = read_labels(labels_file) if labels_file.is_file() else None
    results = label_folder(args.model, args.folder, names, num_threads=args.threads)
    for row in results:
        print(row.line())
    if not results:
        print(f"no image files in {args.folder}", file=sys.stderr)
    return 1 if any(r.error for r in results) else 0


if __name__ == "__main__":
    sys.exit(main())
