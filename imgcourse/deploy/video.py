"""A stream of video frames through a classifier, with each stage timed
(``17_deployment_and_on_device``).

The clip is an animated GIF written with Pillow (no video encoder such as ffmpeg is needed),
and each frame goes through the four stages of a camera app: **decode** the frame from the
file, **resize** it to the model's input, **infer** (the model), **draw** the label on the
frame. :func:`run_stream` times every stage of every frame, so the slowest stage, the
bottleneck, is found by measurement rather than guessed.
"""

from __future__ import annotations

import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np

from imgcourse import atomic

STAGES = ("decode", "resize", "infer", "draw")


def make_clip(
    scenes: np.ndarray, frames_per_scene: int = 12, pan: int = 16, *, timecode: bool = True
) -> np.ndarray:
    """A clip from still scenes: each is shown for ``frames_per_scene`` frames while a window
    ``pan`` pixels smaller than the scene slides across it diagonally, like a slow camera pan.

    With ``timecode``, the first 16 pixels of each frame's top row hold the frame's number in
    binary (white 1, black 0), as broadcast video carries a time code. It makes every frame
    differ from the one before, so that a GIF keeps them all (Pillow merges identical
    consecutive frames), whatever the scenes hold.

    Args:
        scenes: (s, height, width, 3) float32 in [0, 1].
        frames_per_scene: frames per scene (at 30 frames/s, 12 is 0.4 s).
        pan: how far the window moves, in pixels.
        timecode: write the frame number into the top row.

    Returns:
        (s * frames_per_scene, height - pan, width - pan, 3) uint8 frames.
    """
    scenes = np.asarray(scenes)
    if scenes.ndim != 4 or scenes.shape[-1] != 3:
        raise ValueError(f"scenes must be (s, height, width, 3); got shape {scenes.shape}")
    if frames_per_scene < 1 or not 0 <= pan < min(scenes.shape[1:3]):
        raise ValueError(
            f"need frames_per_scene >= 1 and 0 <= pan < the scene size; got "
            f"frames_per_scene={frames_per_scene}, pan={pan}"
        )
    h, w = scenes.shape[1] - pan, scenes.shape[2] - pan
    if timecode and w < 16:
        raise ValueError(f"a timecode needs frames 16 pixels wide; these are {w}")
    frames = []
    for scene in (np.clip(scenes, 0, 1) * 255).astype(np.uint8):
        for step in np.linspace(0, pan, frames_per_scene).round().astype(int):
            frames.append(scene[step : step + h, step : step + w].copy())
    clip = np.stack(frames)
    if timecode:
        bits = (np.arange(len(clip))[:, None] >> np.arange(15, -1, -1)) & 1  # (n, 16)
        clip[:, 0, :16, :] = 255 * bits[..., None].astype(np.uint8)
    return clip


def write_gif(frames: np.ndarray, path: str | Path, fps: float = 30.0) -> Path:
    """Write (n, height, width, 3) uint8 frames as an animated GIF, atomically.

    GIF is a lossy video format of its own kind: each frame keeps at most 256 colours.
    Pillow merges consecutive identical frames into one longer frame, so a clip of still
    frames reads back with fewer frames (:func:`make_clip`'s time code prevents that).
    """
    from PIL import Image

    frames = np.asarray(frames)
    if frames.ndim != 4 or frames.dtype != np.uint8 or len(frames) == 0:
        raise ValueError(
            f"frames must be a non-empty (n, height, width, 3) uint8 array; got "
            f"{frames.dtype} {frames.shape}"
        )
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    # 256 colours per frame, chosen by a fast octree (Pillow's default method is ~50x slower)
    images = [Image.fromarray(f).quantize(method=Image.Quantize.FASTOCTREE) for f in frames]
    with atomic.atomic_path(path) as tmp:
        images[0].save(
            tmp,
            format="GIF",
            save_all=True,
            append_images=images[1:],
            duration=int(round(1000 / fps)),
            loop=0,
            optimize=False,
        )
    return path


@dataclass
class StreamTiming:
    """Milliseconds per frame of each stage, and a few annotated frames to look at."""

    stage_ms: dict[str, np.ndarray]
    labels: list[int]
    annotated: list[np.ndarray] = field(default_factory=list)

    @property
    def frames(self) -> int:
        """Frames processed."""
        return len(self.labels)

    @property
    def total_ms(self) -> np.ndarray:
        """(frames,) milliseconds per frame, all stages together."""
        return np.sum([self.stage_ms[s] for s in STAGES], axis=0)

    @property
    def frames_per_second(self) -> float:
        """Frames per second of the whole loop (frames over the summed time)."""
        return 1000.0 * self.frames / float(self.total_ms.sum())

    @property
    def bottleneck(self) -> str:
        """The stage with the largest median time per frame."""
        return max(STAGES, key=lambda s: float(np.median(self.stage_ms[s])))


def budget_ms(fps: float = 30.0) -> float:
    """Milliseconds per frame that ``fps`` frames a second allow (33.3 ms at 30)."""
    if fps <= 0:
        raise ValueError(f"fps must be positive; got {fps}")
    return 1000.0 / fps


def run_stream(
    path: str | Path,
    classify: Callable[[np.ndarray], np.ndarray],
    image_size: int,
    class_names: Sequence[str],
    *,
    keep_every: int = 0,
    font: Any = None,
) -> StreamTiming:
    """Decode, resize, classify and label every frame of a GIF, timing each stage.

    Args:
        path: the clip (:func:`write_gif`).
        classify: (1, image_size, image_size, 3) float32 in [0, 1] -> (classes,) scores,
            for example ``TFLiteModel(...).invoke``.
        image_size: the model's input height and width in pixels.
        class_names: a name per class, drawn on the frame.
        keep_every: keep every this many annotated frames (0 keeps none).
        font: a Pillow font for the label, loaded once by the caller
            (``ImageFont.load_default()``). None calls ``draw.text`` without one, and
            Pillow then loads its default font again on every frame: a first version of an
            app often does that, and section 6 of the notebook finds it by timing.

    Returns:
        A :class:`StreamTiming` with each stage's milliseconds per frame.
    """
    from PIL import Image, ImageDraw

    stage_ms: dict[str, list[float]] = {s: [] for s in STAGES}
    labels: list[int] = []
    annotated: list[np.ndarray] = []
    clock = time.perf_counter
    with Image.open(path) as clip:
        for i in range(getattr(clip, "n_frames", 1)):
            t0 = clock()
            clip.seek(i)  # the next frame, decoded from the file
            rgb = clip.convert("RGB")  # GIF frames are palette images
            t1 = clock()
            small = rgb.resize((image_size, image_size), Image.BILINEAR)
            x = np.asarray(small, np.float32)[None] / 255.0
            t2 = clock()
            scores = classify(x)
            label = int(np.argmax(scores))
            t3 = clock()
            draw = ImageDraw.Draw(rgb)
            text = f"{class_names[label]} {float(np.max(scores)):.0%}"
            draw.rectangle((0, 0, rgb.width, 11), fill=(0, 0, 0))
            draw.text((2, 0), text, fill=(255, 255, 0), font=font)
            shown = np.asarray(rgb)
            t4 = clock()
            for stage, (a, b) in zip(STAGES, ((t0, t1), (t1, t2), (t2, t3), (t3, t4))):
                stage_ms[stage].append(1000.0 * (b - a))
            labels.append(label)
            if keep_every and i % keep_every == 0:
                annotated.append(shown)
    if not labels:
        raise ValueError(f"{path} holds no frames")
    return StreamTiming({s: np.array(v) for s, v in stage_ms.items()}, labels, annotated)
