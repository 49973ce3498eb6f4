"""Each notebook's ``full`` profile, run end to end on tiny fixture files in the real formats.

The full profile downloads real datasets and trains for real epoch counts; here it runs through
``imgcourse.course.runner`` (papermill) with ``PROFILE="full"``, against a mirror folder of tiny
files (``IMGCOURSE_MIRROR``) and with sizes and epochs overridden, so a user with a GPU and the
internet never meets a crash that no test could have seen. Accuracy is not asserted: each
notebook's accuracy thresholds are parameters, set to 0 here.

The registry's published checksums cannot match fixture files, so the kernel is started with an
IPython start-up file (through ``IPYTHONDIR``) that swaps in the fixtures' checksums and sizes
and points the original URLs at a closed port on 127.0.0.1: nothing can reach the network.
"""

from __future__ import annotations

import json
import os
from pathlib import Path

import pytest
from fixture_files import write_mirror

from imgcourse import course
from imgcourse.course import runner

#: Overrides that make each notebook's full profile tiny. A notebook with a full profile that
#: differs from its default one must be listed here.
FULL_RUNS: dict[str, dict[str, object]] = {
    "01": {
        "FULL_TRAIN_IMAGES": 60,
        "FULL_TEST_IMAGES": 20,
        "FULL_EPOCHS": 1,
        "NUM_SEEDS": 2,
        "MIN_ACCURACY_EASY": 0.0,
        "MIN_ACCURACY_HARD": 0.0,
        "MIN_LEAD_OVER_RAW": -1.0,
    },
    "02": {
        "FULL_NUM_IMAGES": 300,
        "FULL_EPOCHS": 1,
        "FULL_MIN_ACCURACY": 0.0,
        "MIN_CNN_GAIN": -1.0,
    },
    "03": {
        "FULL_EPOCHS": 1,
        "FULL_SMALL_PER_CLASS": 2,
        "FULL_MIN_ACCURACY": 0.0,
        "MIN_ACCURACY": 0.0,
        "IO_EPOCHS": 2,
        "FULL_IMAGE_SIZE": 16,
    },
    "04": {
        "FULL_SMALL_TRAIN": 20,
        "FULL_EPOCHS": 2,
        "NUM_SEEDS": 1,
        "FULL_TUNE_TRAIN": 30,
        "FULL_TUNE_TRIALS": 2,
        "FULL_TUNE_EPOCHS": 1,
        "FULL_MIN_ACCURACY": 0.0,
        "ASSERT_EFFECTS": False,
    },
    "05": {
        "FULL_NUM_IMAGES": 100,
        "FULL_EPOCHS": 1,
        "FULL_IMAGE_SIZE_SHAPES": 16,
        "FULL_DEEP_DEPTH": 14,
        "FULL_MIN_ACCURACY": -1.0,
        "FULL_TRAIN_IMAGES": 40,
        "FULL_TEST_IMAGES": 20,
        "FULL_IMAGE_SIZE": 75,
        "FULL_APP_EPOCHS": 1,
        "FULL_APPLICATIONS": ["InceptionV3", "EfficientNetB0"],  # two of four: CI time
        "FULL_MIN_APP_ACCURACY": -1.0,
    },
    "05b": {
        "FULL_NUM_IMAGES": 200,
        "FULL_EPOCHS": 1,
        "FULL_MIN_ACCURACY": -1.0,
    },
    "06": {
        "NUM_SEEDS": 1,
        "LABELS_PER_CLASS": [1, 0],
        "ABLATION_LABELS": [1],
        "STEPS": 4,
        "MIN_ACCURACY": 0.0,
        "MIN_TRANSFER_GAIN": -1.0,
        "IMAGENET": False,
        "FULL_IMAGE_SIZE": 32,
        "FULL_LABELS_PER_CLASS": [2, 0],
        "FULL_STEPS": 4,
        "FULL_UNFREEZE_LAYERS": 5,
        "FULL_MIN_ACCURACY": 0.0,
        "FULL_MIN_TRANSFER_GAIN": -1.0,
    },
    "07": {
        "FULL_TRAIN": 60,
        "FULL_EPOCHS": 1,
        "FULL_WIDTH": 4,
        "NUM_SEEDS": 2,
        "N_BOOT": 50,
        "FULL_MIN_ACCURACY": -1.0,
        "MAX_ECE_AFTER": 1.0,
        "MIN_RARE_GAIN": -2.0,
    },
    "08": {
        "FULL_TRAIN_IMAGES": 60,
        "FULL_TEST_IMAGES": 30,
        "FULL_EPOCHS": 1,
        "FULL_CUE_EPOCHS": 1,
        "NUM_SANITY": 4,
        "IG_STEPS": 4,
        "FULL_MIN_ACCURACY": 0.0,
        "MIN_CUE_GAP": -1.0,
        "MIN_FIX_GAIN": -1.0,
        "MIN_CORNER_RATIO": 0.0,
        "MIN_GAP_GAIN": -1.0,
        "MAX_SHUFFLED_GAIN": 1.0,
        "SHUFFLED_EPOCHS": 1,
        "MIN_SHUFFLED_FIT": -1.0,
    },
    "09": {
        "FULL_NUM_IMAGES": 70,
        "FULL_IMAGE_SIZE": 48,
        "FULL_EPOCHS": 1,
        "FULL_MIN_MAP50": 0.0,
        "FULL_MIN_MAP": 0.0,
        "MIN_LOSS_DROP": 0.0,
    },
    "10": {
        "FULL_IMAGE_SIZE": 32,
        "FULL_NUM_IMAGES": 40,
        "FULL_EPOCHS": 1,
        "FULL_BASE_FILTERS": 4,
        "FULL_DEPTH": 2,
        "FULL_MIN_PIXEL_ACCURACY": 0.0,
        "FULL_MIN_MEAN_IOU": 0.0,
        "FULL_MIN_MEAN_DICE": 0.0,
    },
    "11": {
        "FULL_NUM_IMAGES": 80,
        "FULL_EPOCHS": 1,
        "FULL_DENOISE_EPOCHS": 1,
        "FULL_MIN_PSNR": -100.0,
        "FULL_MIN_DENOISE_GAIN": -100.0,
    },
    "12": {
        "FULL_NUM_IMAGES": 80,
        "FULL_GEN_FILTERS": 8,
        "FULL_LATENT_DIM": 8,
        "FULL_EPOCHS": 1,
        "FULL_COLLAPSE_EPOCHS": 1,
        "FULL_CLASSIFIER_EPOCHS": 1,
        "BATCH_SIZE": 16,
        "NUM_SAMPLES": 40,
        "FULL_MIN_CLASSIFIER_ACCURACY": -1.0,
        "FULL_MIN_CLASSES_COVERED": 0,
        "FULL_MIN_SHARE_RECOGNISED": -1.0,
        "ASSERT_COLLAPSE": False,
    },
    "13": {
        "FULL_IMAGE_SIZE": 32,
        "FULL_STEPS": 3,
        "FULL_GRID_STEPS": 2,
        "WEIGHT_FACTORS": [1.0, 2.0],
        "IMAGENET": False,
        "MIN_STYLE_DROP": -1.0,
        "MIN_JUDGE_GAIN": 0.0,
    },
    "14": {
        "FULL_TRAIN_IMAGES": 60,
        "FULL_TEST_IMAGES": 20,
        "FULL_EPOCHS": 1,
        "FULL_NUM_SCENES": 100,
        "FULL_CAPTION_IMAGE_SIZE": 32,
        "FULL_CAPTION_EPOCHS": 1,
        "FULL_MIN_VIT_ACCURACY": -1.0,
        "FULL_MIN_CNN_ACCURACY": -1.0,
        "FULL_MIN_BLEU4": -1.0,
        "MIN_BLEU4_GAIN": -1.0,
    },
    "15": {
        "FULL_IMAGE_SIZE": 32,
        "FULL_FILTERS": [8, 8],
        "FULL_TRAIN_WAY": 5,
        "FULL_EPISODES": 3,
        "FULL_MIN_PROTONET_ACCURACY": -1.0,
        "FULL_MIN_GAIN_OVER_PIXELS": -1.0,
        "TRAIN_SHOT": 2,
        "TRAIN_QUERY": 2,
        "TEST_QUERY": 2,
        "TEST_EPISODES": 10,
        "ZSL_IMAGES": 200,
        "ZSL_EPOCHS": 1,
        "MIN_ZSL_OVER_CHANCE": -1.0,
    },
    "16": {
        "FULL_TRAIN_IMAGES": 40,
        "FULL_VAL_IMAGES": 20,
        "FULL_TEST_IMAGES": 20,
        "FULL_EPOCHS": 2,
        "FULL_HYPERBAND_FACTOR": 2,
        "FULL_MIN_ACCURACY": -1.0,
        "FULL_MIN_SEARCH_ACCURACY": -1.0,
        "LATENCY_REPEATS": 2,
    },
    "17": {
        "FULL_IMAGE_SIZE": 32,
        "FULL_FILTERS": [8, 8],
        "FULL_EPOCHS": 1,
        "FULL_MIN_ACCURACY": -1.0,
        "MIN_INT8_AGREEMENT": -1.0,
        "REPRESENTATIVE_IMAGES": 16,
        "REPEATS": 5,
        "LARGE_IMAGE_SIZE": 16,
        "LARGE_FILTERS": [8],
        "VIDEO_SCENES": 3,
        "FRAMES_PER_SCENE": 2,
    },
    "18": {
        "FULL_STREAM_BATCHES": [3, 1, 2],
        "FULL_BATCH_SIZE": 4,
        "FULL_OLD_TRAIN": 5,
        "FULL_NEW_TRAIN": 10,
        "FULL_EPOCHS": 1,
        "FULL_UPDATE_EPOCHS": 1,
        "FULL_BUFFER_SIZE": 3,
        "NUM_SEEDS": 2,
        "REFERENCE": 2,
        "FULL_MIN_OLD_ACCURACY": -1.0,
        "MIN_DRIFT_DROP": -2.0,
        "ASSERT_DETECTION": False,
        "MIN_NEW_GAIN": -2.0,
        "MIN_RETRAIN_ACCURACY": -1.0,
    },
    "19": {
        "FULL_IMAGE_SIZE": 32,
        "FULL_EPOCHS": 1,
        "EPOCHS": 1,
        "FULL_MIN_ACCURACY": 0.0,
        "MIN_ACCURACY": 0.0,
        "MIN_GAIN_OVER_BASELINES": -1.0,
        "COMPARE_SCRATCH": False,
    },
}

STARTUP = """\
import dataclasses
import json

from imgcourse.data import registry

with open({table!r}) as _handle:
    _table = json.load(_handle)
for _name, _files in _table.items():
    _entry = registry.get_dataset(_name)
    _new = tuple(
        dataclasses.replace(
            remote,
            urls=("http://127.0.0.1:9/unreachable/" + remote.filename,),
            sha256=_files[remote.filename][0],
            size_bytes=_files[remote.filename][1],
        )
        for remote in _entry.files
    )
    registry._REGISTRY[_name] = dataclasses.replace(_entry, files=_new)
"""


@pytest.fixture(scope="module")
def fixture_env(tmp_path_factory: pytest.TempPathFactory):
    """A mirror of tiny fixture files, an empty cache, and the start-up file for the kernel."""
    root = tmp_path_factory.mktemp("full_profile")
    table = write_mirror(root / "mirror", per_class=8)
    (root / "table.json").write_text(json.dumps(table))
    startup = root / "ipython" / "profile_default" / "startup"
    startup.mkdir(parents=True)
    (startup / "00-fixture-registry.py").write_text(STARTUP.format(table=str(root / "table.json")))
    env = {
        "IMGCOURSE_MIRROR": str(root / "mirror"),
        "IMGCOURSE_CACHE": str(root / "cache"),
        "IPYTHONDIR": str(root / "ipython"),
        # tiny data, thresholds at 0: claims are reported (summary.json), never fatal
        "IMGCOURSE_STRICT": "0",
    }
    saved = {key: os.environ.get(key) for key in env}
    os.environ.update(env)
    yield root
    for key, value in saved.items():
        if value is None:
            os.environ.pop(key, None)
        else:
            os.environ[key] = value


def test_every_notebook_with_a_full_profile_is_listed():
    """A notebook whose text branches on the full profile needs an entry in FULL_RUNS."""
    missing = []
    for info in course.list_notebooks():
        source = info.path.read_text(encoding="utf-8")
        if 'PROFILE == \\"full\\"' in source and info.number not in FULL_RUNS:
            missing.append(info.name)
    assert not missing, f"add tiny full-profile overrides to FULL_RUNS for: {missing}"


@pytest.mark.slow
@pytest.mark.parametrize("number", sorted(FULL_RUNS))
def test_full_profile_runs_on_fixture_data(number, fixture_env, tmp_path):
    info = course.find_notebooks([number])[0]
    overrides = [(key, str(value)) for key, value in FULL_RUNS[number].items()]
    params = course.resolve_parameters(info, overrides, profile="full")
    result = runner.run_notebook(info, params, tmp_path / "out", cell_timeout=300)
    assert result.status == "ok", f"{info.name} failed in its full profile: {result.error}"
    cache = Path(os.environ["IMGCOURSE_CACHE"])
    assert not list(cache.rglob(".*")), "a download left a temporary file behind"


@pytest.mark.slow
def test_the_kernel_loads_every_full_dataset_from_the_fixture_mirror(fixture_env, tmp_path):
    """The harness itself: a notebook run by the runner downloads each full-tier dataset from
    the mirror into the cache, checksum-verified, and loads it."""
    import nbformat

    folder = tmp_path / "notebooks"
    folder.mkdir()
    code = (
        "from imgcourse.data import list_datasets, load_dataset\n"
        "sizes = {name: len(load_dataset(name, progress=False)) for name in "
        "list_datasets('full')}\n"
        "assert min(sizes.values()) > 0, sizes\n"
        "print(sorted(sizes))"
    )
    nb = nbformat.v4.new_notebook(
        cells=[
            nbformat.v4.new_code_cell('PROFILE = "default"', metadata={"tags": ["parameters"]}),
            nbformat.v4.new_code_cell(code),
        ]
    )
    nb.metadata["kernelspec"] = {
        "name": "python3",
        "display_name": "Python 3",
        "language": "python",
    }
    nbformat.write(nb, folder / "99_probe.ipynb")
    info = course.read_notebook_info(folder / "99_probe.ipynb")
    result = runner.run_notebook(info, {"PROFILE": "full"}, tmp_path / "out", cell_timeout=120)
    assert result.status == "ok", result.error
    cache = Path(os.environ["IMGCOURSE_CACHE"])
    for name in ("cifar10", "fashion_mnist", "mnist", "oxford_iiit_pet", "tf_flowers"):
        assert any((cache / name).iterdir()), f"nothing downloaded for {name}"
