"""Tests for imgcourse.data.registry: entries, look-ups, lazy loaders (no network)."""

from __future__ import annotations

import gzip
import hashlib
import importlib.util
import inspect
import re

import numpy as np
import pytest

from imgcourse.data import registry
from imgcourse.data.dataset import ImageSet
from imgcourse.data.registry import (
    DatasetEntry,
    RemoteFile,
    UnknownDatasetError,
    get_dataset,
    list_datasets,
    load_dataset,
    register_dataset,
    resolve_loader,
)

FULL = ["cifar10", "fashion_mnist", "mnist", "oxford_iiit_pet", "tf_flowers"]
BUILTIN = ["digits", "lfw_faces", "shapes", "skimage_photos", "skimage_textures"]
SHA = "a" * 64


@pytest.fixture
def scratch_registry(monkeypatch):
    """A copy of the registry that the test may change; the global one is left as it was."""
    monkeypatch.setattr(registry, "_REGISTRY", dict(registry._REGISTRY))


def entry(**changes) -> DatasetEntry:
    fields = dict(
        name="toy",
        tier="full",
        description="d",
        licence="l",
        homepage="h",
        citation="c",
        loader="imgcourse.data.full:load_mnist",
        files=(RemoteFile("a.bin", ("https://example.org/a.bin",), SHA, 10),),
    )
    fields.update(changes)
    return DatasetEntry(**fields)


# ----------------------------------------------------------------------------- the entries


def test_tiers_hold_the_course_datasets():
    assert list_datasets("full") == FULL
    assert list_datasets("builtin") == BUILTIN
    assert list_datasets() == sorted(FULL + BUILTIN)


@pytest.mark.parametrize("name", FULL)
def test_full_entries_are_pinned_and_loadable(name):
    e = get_dataset(name)
    assert e.files and e.licence and e.citation and e.homepage.startswith("http")
    for f in e.files:
        assert re.fullmatch(r"[0-9a-f]{64}", f.sha256 or ""), f"{name}/{f.filename} not pinned"
        assert f.size_bytes and f.size_bytes > 1000
        assert all(u.startswith(("https://", "http://")) for u in f.urls)
        assert all(u.rsplit("/", 1)[1] == f.filename for u in f.urls)
    loader = resolve_loader(e)
    assert e.loader.startswith("imgcourse.data.full:")
    assert "paths" in inspect.signature(loader).parameters


@pytest.mark.parametrize("name", BUILTIN)
def test_builtin_entries_name_existing_loaders(name):
    e = get_dataset(name)
    assert not e.files and e.size_bytes == 0
    module_name = e.loader.split(":")[0]
    if importlib.util.find_spec(module_name) is None:
        pytest.skip(f"{module_name} is not written yet")
    assert callable(resolve_loader(e))


def test_total_size():
    assert get_dataset("oxford_iiit_pet").size_bytes == 791918971 + 19173078
    assert entry(files=(RemoteFile("a", ("https://x/a",), None),)).size_bytes is None


# ----------------------------------------------------------------------------- look-ups


def test_unknown_name_lists_known_and_suggests_closest():
    with pytest.raises(UnknownDatasetError) as info:
        get_dataset("fashion_mnst")
    assert isinstance(info.value, KeyError)
    message = str(info.value)
    assert "Did you mean 'fashion_mnist'?" in message
    for name in FULL + BUILTIN:
        assert name in message


def test_unknown_name_without_close_match():
    with pytest.raises(KeyError) as info:
        get_dataset("zzzzzzzz")
    assert "Did you mean" not in str(info.value) and "cifar10" in str(info.value)


def test_list_datasets_rejects_unknown_tier():
    with pytest.raises(ValueError, match="tier"):
        list_datasets("huge")


def test_register_and_duplicate(scratch_registry):
    register_dataset(entry())
    assert get_dataset("toy").tier == "full"
    assert "toy" in list_datasets("full")
    with pytest.raises(ValueError, match="already registered"):
        register_dataset(entry())


def test_scratch_registry_did_not_leak():
    assert "toy" not in list_datasets()


# ----------------------------------------------------------------------------- validation


@pytest.mark.parametrize(
    ("changes", "match"),
    [
        ({"name": "Bad Name"}, "snake_case"),
        ({"tier": "huge"}, "tier"),
        ({"loader": "no_colon"}, "module:function"),
        ({"files": ()}, "at least one"),
        ({"tier": "builtin"}, "must not list files"),
        ({"files": (RemoteFile("a", ("https://x/a",), None),) * 2}, "twice"),
    ],
)
def test_entry_validation(changes, match):
    with pytest.raises(ValueError, match=match):
        entry(**changes)


@pytest.mark.parametrize(
    ("args", "match"),
    [
        (("../a", ("https://x/a",), SHA), "plain file name"),
        ((".hidden", ("https://x/a",), SHA), "dot"),
        (("a", "https://x/a", SHA), "tuple"),
        (("a", ("ftp://x/a",), SHA), "must start with"),
        (("a", ("https://x/a",), "ABC"), "64 lower-case hex"),
        (("a", ("https://x/a",), SHA, 0), "positive"),
    ],
)
def test_remote_file_validation(args, match):
    with pytest.raises(ValueError, match=match):
        RemoteFile(*args)


# ----------------------------------------------------------------------------- loading


def test_load_builtin_imports_lazily(scratch_registry, tmp_path, monkeypatch):
    (tmp_path / "toy_loader_mod.py").write_text(
        "import numpy as np\n"
        "from imgcourse.data.dataset import ImageSet\n"
        "def make(n=2):\n"
        "    return ImageSet(np.zeros((n, 4, 4, 1), np.float32), np.zeros(n, int), ['x'])\n"
    )
    monkeypatch.syspath_prepend(str(tmp_path))
    register_dataset(entry(tier="builtin", files=(), loader="toy_loader_mod:make"))
    data = load_dataset("toy", n=3)
    assert isinstance(data, ImageSet) and len(data) == 3


def test_loader_errors_name_the_dataset(scratch_registry):
    register_dataset(entry(name="nomodule", tier="builtin", files=(), loader="no_such_mod:f"))
    register_dataset(entry(name="nofunc", tier="builtin", files=(), loader="imgcourse.data:nope"))
    with pytest.raises(ImportError, match="'nomodule'"):
        load_dataset("nomodule")
    with pytest.raises(ImportError, match="no function 'nope'"):
        load_dataset("nofunc")


def test_load_full_uses_the_cache(scratch_registry, tmp_path, monkeypatch):
    """A full dataset already in the cache loads without any network access."""
    monkeypatch.delenv("IMGCOURSE_MIRROR", raising=False)
    images = np.arange(2 * 28 * 28, dtype=np.uint8).reshape(2, 28, 28)
    labels = np.array([3, 4], np.uint8)
    folder = tmp_path / "cache" / "tiny_mnist"
    folder.mkdir(parents=True)
    files = []
    arrays = {"t10k-images-idx3-ubyte.gz": images, "t10k-labels-idx1-ubyte.gz": labels}
    for name, array in arrays.items():
        header = bytes([0, 0, 8, array.ndim]) + b"".join(d.to_bytes(4, "big") for d in array.shape)
        blob = gzip.compress(header + array.tobytes())
        (folder / name).write_bytes(blob)
        unreachable = f"http://127.0.0.1:9/{name}"  # never contacted: the file is cached
        files.append(RemoteFile(name, (unreachable,), hashlib.sha256(blob).hexdigest(), len(blob)))
    register_dataset(entry(name="tiny_mnist", files=tuple(files)))

    data = load_dataset("tiny_mnist", cache=str(tmp_path / "cache"), progress=False, split="test")
    assert data.images.shape == (2, 28, 28, 1) and data.labels.tolist() == [3, 4]
