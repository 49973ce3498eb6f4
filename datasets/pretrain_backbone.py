"""Train the course's backbone on a generated source task and write its weights.

Source task: tell apart the 400 classes of generated pen-stroke glyphs of
``imgcourse.data.make_glyphs`` (16x16 colour, each image a jittered, rotated,
sheared, blurred drawing of its class's path); ``course_backbone`` plus a softmax layer,
trained with Adam and a cosine-decayed learning rate (batch-norm momentum 0.99, Keras's
default). Only the backbone's weights are kept (the source task's head is dropped):
notebook 06 (transfer learning) reuses them on a different task, real scans of
handwritten digits.

Run from the repository root::

    python datasets/pretrain_backbone.py

It writes ``imgcourse/assets/weights/shapes_backbone.weights.h5``.

The weights are package data (the registry entry's ``path``, inside ``imgcourse/``), so they
ship in the wheel and in a ``pip install`` from git; a notebook finds them with
``imgcourse.models.pretrained.weights_path``.

The script is seeded (``imgcourse.setup(seed=SEED)``: Python, NumPy and Keras seeds, and
TensorFlow's deterministic ops), so the same versions on the same kind of CPU give the same
weights. HDF5 stamps creation times into the file, so its bytes (and sha256) differ between
runs even when the weights agree: the script prints the new sha256 to pin in
``imgcourse/data/registry.py`` (entry ``shapes_backbone``). The file is written to a
temporary name and renamed, so an interrupted run leaves the old file intact.
"""

from __future__ import annotations

import argparse
import os
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
SEED = 0
N_TRAIN = 40_000
N_TEST = 4_000
NUM_CLASSES = 400
EPOCHS = 7
BATCH_SIZE = 64
LEARNING_RATE = 3e-3


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument(
        "--out",
        type=Path,
        default=None,
        help="where to write the backbone's weights (must end in .weights.h5); by default "
        "the registered file in this clone, imgcourse/assets/weights/shapes_backbone.weights.h5",
    )
    parser.add_argument("--epochs", type=int, default=EPOCHS)
    parser.add_argument("--n-train", type=int, default=N_TRAIN)
    args = parser.parse_args(argv)
    if args.out is not None and not args.out.name.endswith(".weights.h5"):
        parser.error(f"--out must end in .weights.h5; got {args.out}")

    start = time.perf_counter()
    import imgcourse

    imgcourse.setup(seed=SEED)
    import keras

    from imgcourse.data import make_glyphs
    from imgcourse.data.registry import get_weights
    from imgcourse.models.pretrained import course_backbone
    from imgcourse.packaged import sha256_file
    from imgcourse.train import fit

    entry = get_weights("shapes_backbone")
    if args.out is None:  # this clone's copy of the package data, not an installed package's
        args.out = ROOT / "imgcourse" / entry.path
    size = entry.input_shape[0]
    kw = dict(num_classes=NUM_CLASSES, image_size=size, template_seed=SEED)
    train = make_glyphs(args.n_train, seed=SEED, **kw)
    test = make_glyphs(N_TEST, seed=SEED + 1, **kw)
    print(
        f"source task: {args.n_train:,} training and {N_TEST:,} test glyphs, "
        f"{NUM_CLASSES} classes, made in {time.perf_counter() - start:.0f} s"
    )
    backbone = course_backbone(entry.input_shape, filters=entry.filters, bn_momentum=0.99)
    inputs = keras.Input(entry.input_shape)
    outputs = keras.layers.Dense(NUM_CLASSES, activation="softmax", name="source_head")(
        backbone(inputs)
    )
    model = keras.Model(inputs, outputs)
    steps = args.epochs * -(-args.n_train // BATCH_SIZE)
    schedule = keras.optimizers.schedules.CosineDecay(LEARNING_RATE, steps)
    model.compile(
        optimizer=keras.optimizers.Adam(schedule),
        loss="sparse_categorical_crossentropy",
        metrics=["accuracy"],
    )
    fit(model, train, epochs=args.epochs, batch_size=BATCH_SIZE)
    _, accuracy = model.evaluate(*test, verbose=0)
    print(f"source-task test accuracy: {accuracy:.1%} on {N_TEST:,} held-out glyphs")
    if accuracy < 0.7:
        print("the backbone did not learn the source task (accuracy < 70%); not written")
        return 1

    args.out.parent.mkdir(parents=True, exist_ok=True)
    tmp = args.out.with_name(f".tmp-{os.getpid()}-{args.out.name}")
    try:
        backbone.save_weights(tmp)
        os.replace(tmp, args.out)
    finally:
        tmp.unlink(missing_ok=True)
    seconds = time.perf_counter() - start
    size_kb = args.out.stat().st_size / 1024
    print(f"wrote {args.out} ({size_kb:.0f} KB) in {seconds:.0f} s")
    print(f"sha256 {sha256_file(args.out)}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
