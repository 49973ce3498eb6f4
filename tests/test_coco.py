"""COCO JSON read/write for boxes (``imgcourse.data.coco``, used in 09)."""

from __future__ import annotations

import json

import numpy as np
import pytest

from imgcourse.data import make_shapes, read_coco, write_coco
from imgcourse.metrics import boxes_to_xywh


def test_round_trip_on_shapes_scenes(tmp_path):
    data = make_shapes(20, image_size=32, max_shapes=3, seed=1)
    infos = [{"file_name": f"{i}.png", "height": 32, "width": 32} for i in range(20)]
    path = write_coco(
        tmp_path / "a" / "scenes.json",
        infos,
        data.extras["boxes"],
        data.extras["box_labels"],
        data.class_names,
    )
    got_infos, boxes, labels, names = read_coco(path)
    assert names == data.class_names and len(got_infos) == 20
    for b, k, eb, ek in zip(boxes, labels, data.extras["boxes"], data.extras["box_labels"]):
        np.testing.assert_allclose(b, eb)
        np.testing.assert_array_equal(k, ek)
    doc = json.loads(path.read_text())
    first = doc["annotations"][0]
    np.testing.assert_allclose(first["bbox"], boxes_to_xywh(data.extras["boxes"][0][:1])[0])
    assert first["category_id"] == data.extras["box_labels"][0][0] + 1
    assert not list(path.parent.glob(".*")), "a temporary file was left behind"


def test_reads_a_hand_written_coco_file_with_gaps_in_ids(tmp_path):
    doc = {
        "images": [{"id": 7, "file_name": "x.png", "height": 10, "width": 10}, {"id": 3}],
        "categories": [{"id": 5, "name": "cat"}, {"id": 2, "name": "dog"}],
        "annotations": [{"image_id": 7, "category_id": 5, "bbox": [1, 2, 3, 4]}],
    }
    path = tmp_path / "x.json"
    path.write_text(json.dumps(doc))
    infos, boxes, labels, names = read_coco(path)
    assert names == ["dog", "cat"]
    np.testing.assert_allclose(boxes[0], [[2, 1, 6, 4]])
    assert labels[0].tolist() == [1] and boxes[1].shape == (0, 4)


@pytest.mark.parametrize(
    ("content", "match"),
    [
        ("not json", "not valid JSON"),
        ("[1, 2]", "JSON object"),
        ('{"images": []}', "lacks the COCO key"),
        (
            '{"images": [{"id": 1}], "categories": [{"id": 1, "name": "a"}], '
            '"annotations": [{"image_id": 1, "category_id": 1, "bbox": [1, 2]}]}',
            "bbox",
        ),
        (
            '{"images": [{"id": 1}], "categories": [{"id": 1, "name": "a"}], '
            '"annotations": [{"image_id": 2, "category_id": 1, "bbox": [1, 2, 3, 4]}]}',
            "unknown image_id",
        ),
        (
            '{"images": [{"id": 1}], "categories": [{"id": 1, "name": "a"}], '
            '"annotations": [{"image_id": 1, "category_id": 9, "bbox": [1, 2, 3, 4]}]}',
            "unknown category_id",
        ),
    ],
)
def test_malformed_files_get_clear_errors(tmp_path, content, match):
    path = tmp_path / "bad.json"
    path.write_text(content)
    with pytest.raises(ValueError, match=match):
        read_coco(path)


def test_missing_file(tmp_path):
    with pytest.raises(FileNotFoundError, match="no COCO annotation file"):
        read_coco(tmp_path / "none.json")


def test_write_checks_its_input_and_leaves_nothing_behind(tmp_path):
    info = [{"file_name": "a.png", "height": 8, "width": 8}]
    with pytest.raises(ValueError, match="one entry per image"):
        write_coco(tmp_path / "a.json", info, [], [], ["a"])
    with pytest.raises(ValueError, match="outside"):
        write_coco(tmp_path / "a.json", info, [np.zeros((1, 4))], [np.array([2])], ["a"])
    with pytest.raises(ValueError, match="lacks"):
        write_coco(tmp_path / "a.json", [{"file_name": "a"}], [np.zeros((0, 4))], [[]], ["a"])
    assert not list(tmp_path.iterdir())
