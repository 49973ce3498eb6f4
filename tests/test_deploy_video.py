"""The video stream of ``imgcourse.deploy`` (``17_deployment_and_on_device``): a clip written
as a GIF reads back frame by frame, every stage is timed, and the budget arithmetic."""

from __future__ import annotations

import numpy as np
import pytest

from imgcourse.deploy import STAGES, budget_ms, make_clip, run_stream, write_gif


def scenes(n=3, size=24):
    rng = np.random.default_rng(0)
    return rng.random((n, size, size, 3)).astype(np.float32)


def test_make_clip_pans_each_scene():
    clip = make_clip(scenes(), frames_per_scene=4, pan=4, timecode=False)
    assert clip.shape == (12, 20, 20, 3) and clip.dtype == np.uint8
    source = (scenes()[0] * 255).astype(np.uint8)
    np.testing.assert_array_equal(clip[0], source[:20, :20])
    np.testing.assert_array_equal(clip[3], source[4:, 4:])
    coded = make_clip(scenes(), frames_per_scene=4, pan=4)
    np.testing.assert_array_equal(coded[:, 1:], clip[:, 1:])  # only the top row differs
    assert (coded[5, 0, 13:16, 0] == [255, 0, 255]).all()  # 5 = binary 101
    with pytest.raises(ValueError, match="16 pixels"):
        make_clip(scenes(size=20), pan=6)
    with pytest.raises(ValueError, match="pan"):
        make_clip(scenes(), pan=24)
    with pytest.raises(ValueError, match="scenes must be"):
        make_clip(np.zeros((2, 8, 8)))


def test_stream_times_every_stage_of_every_frame(tmp_path):
    clip = make_clip(scenes(), frames_per_scene=4, pan=4)
    path = write_gif(clip, tmp_path / "clip.gif", fps=30)
    assert [p.name for p in tmp_path.iterdir()] == ["clip.gif"]
    seen = []

    def classify(x):
        seen.append(x.shape)
        assert x.dtype == np.float32 and 0 <= x.min() and x.max() <= 1
        return np.array([0.2, 0.8]) if x.mean() > 0 else np.array([1.0, 0.0])

    timing = run_stream(path, classify, 8, ["a", "b"], keep_every=4)
    assert timing.frames == len(clip) == len(seen)
    assert set(seen) == {(1, 8, 8, 3)}
    assert set(timing.stage_ms) == set(STAGES)
    assert all(len(v) == len(clip) and (v >= 0).all() for v in timing.stage_ms.values())
    assert timing.labels == [1] * len(clip)
    assert len(timing.annotated) == 3 and timing.annotated[0].shape == (20, 20, 3)
    assert timing.bottleneck in STAGES
    total = timing.total_ms.sum()
    assert timing.frames_per_second == pytest.approx(1000 * len(clip) / total)


def test_budget():
    assert budget_ms(30) == pytest.approx(33.333, abs=1e-3)
    with pytest.raises(ValueError):
        budget_ms(0)


def test_still_scenes_keep_every_frame(tmp_path):
    """Identical frames would be merged by the GIF writer; the time code keeps them apart."""
    still = np.full((2, 24, 24, 3), 0.5, np.float32)
    path = write_gif(make_clip(still, frames_per_scene=3, pan=4), tmp_path / "still.gif")
    timing = run_stream(path, lambda x: np.array([1.0, 0.0]), 8, ["a", "b"])
    assert timing.frames == 6


def test_write_gif_rejects_floats(tmp_path):
    with pytest.raises(ValueError, match="uint8"):
        write_gif(np.zeros((2, 4, 4, 3), np.float32), tmp_path / "x.gif")


def test_a_font_loaded_once_is_used(tmp_path):
    from PIL import ImageFont

    path = write_gif(make_clip(scenes(), frames_per_scene=2, pan=4), tmp_path / "c.gif")
    font = ImageFont.load_default()
    timing = run_stream(path, lambda x: np.array([0.0, 1.0]), 8, ["a", "b"], font=font)
    assert timing.frames == 6
