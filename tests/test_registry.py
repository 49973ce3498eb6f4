"""Tests for imgcourse.data.registry: entries, look-ups, loaders by name (no network).

Loading a dataset (``load_dataset``) is tested in test_download.py, beside the download it uses.
"""

from __future__ import annotations

import ast
import importlib.util
import inspect
import re

import pytest

from imgcourse.data import registry
from imgcourse.data.registry import (
    DatasetEntry,
    RemoteFile,
    UnknownDatasetError,
    get_dataset,
    list_datasets,
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
    assert importlib.util.find_spec(module_name) is not None, (
        f"{name}'s loader {e.loader} names a module that does not exist"
    )
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


def test_registry_imports_nothing_that_downloads():
    """The imports go one way: download reads the registry, the registry is only a catalogue."""
    tree = ast.parse(open(registry.__file__, encoding="utf-8").read())
    imported = {n.module for n in ast.walk(tree) if isinstance(n, ast.ImportFrom)}
    imported |= {a.name for n in ast.walk(tree) if isinstance(n, ast.Import) for a in n.names}
    assert not {m for m in imported if m and m.startswith("imgcourse")}, imported
