"""The dataset registry: every dataset the course uses, where it comes from and how to load it.

Two tiers (see the data tiers in notebook 00, welcome):

- ``builtin``: ships with the installed packages, needs no network, deterministic;
- ``full``: real datasets, downloaded once into the cache by :func:`imgcourse.data.download.fetch`
  and checked against the sha256 pinned here.

This module is the catalogue only: it imports nothing that downloads or loads.
:func:`imgcourse.data.download.load_dataset` (also ``imgcourse.data.load_dataset``) looks an
entry up here, fetches its files if needed, and calls its loader.

Example::

    from imgcourse.data import list_datasets, load_dataset
    list_datasets("full")        # ['cifar10', 'fashion_mnist', ...]
    data = load_dataset("fashion_mnist", split="test")   # an ImageSet
"""

from __future__ import annotations

import difflib
import importlib
import re
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any, Literal

Tier = Literal["builtin", "full"]
TIERS: tuple[str, ...] = ("builtin", "full")

_SHA256 = re.compile(r"^[0-9a-f]{64}$")
_URL_SCHEMES = ("https://", "http://", "file://")


@dataclass(frozen=True)
class RemoteFile:
    """One file of a full-tier dataset.

    Attributes:
        filename: the name the file gets in the cache (and on a mirror); a plain name, no folders.
        urls: where to fetch it from, tried in order.
        sha256: the expected sha256 hex digest (lower case), or None when no published checksum
            is known; the download then records the checksum it saw (trust on first use).
        size_bytes: the expected size in bytes, or None when unknown.
    """

    filename: str
    urls: tuple[str, ...]
    sha256: str | None
    size_bytes: int | None = None

    def __post_init__(self) -> None:
        if not self.filename or "/" in self.filename or "\\" in self.filename:
            raise ValueError(f"filename must be a plain file name; got {self.filename!r}")
        if self.filename.startswith("."):
            raise ValueError(f"filename must not start with a dot; got {self.filename!r}")
        if isinstance(self.urls, str) or not self.urls:
            raise ValueError(f"urls must be a non-empty tuple of URLs; got {self.urls!r}")
        for url in self.urls:
            if not url.startswith(_URL_SCHEMES):
                raise ValueError(f"URL {url!r} of {self.filename!r} must start with {_URL_SCHEMES}")
        if self.sha256 is not None and not _SHA256.match(self.sha256):
            raise ValueError(
                f"sha256 of {self.filename!r} must be 64 lower-case hex digits; got {self.sha256!r}"
            )
        if self.size_bytes is not None and self.size_bytes <= 0:
            raise ValueError(f"size_bytes of {self.filename!r} must be positive or None")


@dataclass(frozen=True)
class DatasetEntry:
    """A registered dataset.

    Attributes:
        name: registry key, ``snake_case``.
        tier: ``"builtin"`` (no network) or ``"full"`` (downloaded once).
        description: one line on what the images are.
        licence: the licence the data is published under.
        homepage: where the dataset is described.
        citation: the reference to cite.
        loader: ``"module:function"``. A builtin loader is called as ``loader(**kwargs)``; a full
            loader as ``loader(paths, **kwargs)`` with ``paths`` mapping each file name to its
            cached path. Both return an :class:`~imgcourse.data.dataset.ImageSet`.
        files: the files to download (full tier only).
    """

    name: str
    tier: Tier
    description: str
    licence: str
    homepage: str
    citation: str
    loader: str
    files: tuple[RemoteFile, ...] = ()

    def __post_init__(self) -> None:
        if not re.match(r"^[a-z][a-z0-9_]*$", self.name):
            raise ValueError(f"dataset name must be snake_case; got {self.name!r}")
        if self.tier not in TIERS:
            raise ValueError(f"tier of {self.name!r} must be one of {TIERS}; got {self.tier!r}")
        if not re.match(r"^[\w.]+:\w+$", self.loader):
            raise ValueError(
                f"loader of {self.name!r} must read 'package.module:function'; got {self.loader!r}"
            )
        if self.tier == "full" and not self.files:
            raise ValueError(f"full-tier dataset {self.name!r} needs at least one RemoteFile")
        if self.tier == "builtin" and self.files:
            raise ValueError(f"builtin dataset {self.name!r} must not list files to download")
        names = [f.filename for f in self.files]
        if len(set(names)) != len(names):
            raise ValueError(f"dataset {self.name!r} lists a file name twice: {names}")

    @property
    def size_bytes(self) -> int | None:
        """Total download size in bytes, or None if a file's size is unknown."""
        sizes = [f.size_bytes for f in self.files]
        return None if None in sizes else sum(sizes)  # type: ignore[arg-type]


class UnknownDatasetError(KeyError):
    """Raised for a dataset name that is not registered; the message lists the known names."""

    def __str__(self) -> str:  # KeyError would quote the whole message
        return str(self.args[0]) if self.args else ""


_REGISTRY: dict[str, DatasetEntry] = {}


def register_dataset(entry: DatasetEntry) -> DatasetEntry:
    """Add ``entry`` to the registry; a name already registered is a ``ValueError``."""
    if entry.name in _REGISTRY:
        raise ValueError(f"a dataset named {entry.name!r} is already registered")
    _REGISTRY[entry.name] = entry
    return entry


def get_dataset(name: str) -> DatasetEntry:
    """The entry registered as ``name``; an unknown name raises :class:`UnknownDatasetError`."""
    try:
        return _REGISTRY[name]
    except KeyError:
        known = sorted(_REGISTRY)
        close = difflib.get_close_matches(str(name), known, n=1)
        hint = f" Did you mean {close[0]!r}?" if close else ""
        raise UnknownDatasetError(
            f"no dataset named {name!r}.{hint} Known datasets: {', '.join(known)}."
        ) from None


def list_datasets(tier: str | None = None) -> list[str]:
    """Sorted names of the registered datasets, optionally only those of one ``tier``."""
    if tier is not None and tier not in TIERS:
        raise ValueError(f"tier must be one of {TIERS} or None; got {tier!r}")
    return sorted(n for n, e in _REGISTRY.items() if tier is None or e.tier == tier)


def resolve_loader(entry: DatasetEntry) -> Callable[..., Any]:
    """Import and return the loader function named by ``entry.loader``."""
    module_name, func_name = entry.loader.split(":")
    try:
        module = importlib.import_module(module_name)
    except ImportError as err:
        raise ImportError(
            f"the loader of dataset {entry.name!r} lives in module {module_name!r}, "
            f"which could not be imported: {err}"
        ) from err
    try:
        return getattr(module, func_name)
    except AttributeError:
        raise ImportError(
            f"the loader of dataset {entry.name!r} is {entry.loader!r}, but module "
            f"{module_name!r} has no function {func_name!r}"
        ) from None


# --------------------------------------------------------------------------------------------
# The builtin tier: no network.
# --------------------------------------------------------------------------------------------

for _entry in (
    DatasetEntry(
        name="digits",
        tier="builtin",
        description="1,797 scanned handwritten digits, 8x8 grey levels, 10 classes (scikit-learn)",
        licence="CC BY 4.0 (UCI Machine Learning Repository); BSD-3-Clause for scikit-learn",
        homepage="https://archive.ics.uci.edu/dataset/80/optical+recognition+of+handwritten+digits",
        citation="Alpaydin, E. and Kaynak, C. (1998). Optical Recognition of Handwritten Digits. "
        "UCI Machine Learning Repository. https://doi.org/10.24432/C50P49",
        loader="imgcourse.data.builtin:load_digits",
    ),
    DatasetEntry(
        name="skimage_photos",
        tier="builtin",
        description="six of scikit-image's bundled photographs (astronaut, chelsea, coffee, "
        "camera, rocket, motorcycle), by name",
        licence="per image, mostly public domain or CC0 (see the skimage.data docs)",
        homepage="https://scikit-image.org/docs/stable/api/skimage.data.html",
        citation="van der Walt et al. (2014). scikit-image: image processing in Python. "
        "PeerJ 2:e453. https://doi.org/10.7717/peerj.453",
        loader="imgcourse.data.builtin:load_photos",
    ),
    DatasetEntry(
        name="skimage_textures",
        tier="builtin",
        description="grey patches cut from scikit-image's brick, grass and gravel textures, "
        "3 classes",
        licence="per image, mostly public domain or CC0 (see the skimage.data docs)",
        homepage="https://scikit-image.org/docs/stable/api/skimage.data.html",
        citation="van der Walt et al. (2014). scikit-image: image processing in Python. "
        "PeerJ 2:e453. https://doi.org/10.7717/peerj.453",
        loader="imgcourse.data.builtin:load_textures",
    ),
    DatasetEntry(
        name="lfw_faces",
        tier="builtin",
        description="scikit-image's lfw_subset: 200 small grey face and non-face crops",
        licence="Labeled Faces in the Wild terms (research use); bundled with scikit-image",
        homepage="http://vis-www.cs.umass.edu/lfw/",
        citation="Huang, G. B. et al. (2007). Labeled Faces in the Wild: A Database for Studying "
        "Face Recognition in Unconstrained Environments. UMass Amherst TR 07-49.",
        loader="imgcourse.data.builtin:load_lfw_faces",
    ),
    DatasetEntry(
        name="shapes",
        tier="builtin",
        description="procedural scenes of coloured shapes with labels, boxes, masks, captions "
        "and a group attribute; seeded",
        licence="MIT (generated by this project)",
        homepage="this repository: imgcourse/data/shapes.py",
        citation="imgcourse: the shapes generator (imgcourse.data.shapes).",
        loader="imgcourse.data.shapes:make_shapes",
    ),
):
    register_dataset(_entry)


# --------------------------------------------------------------------------------------------
# The full tier: downloaded once. Checksums and sizes are the published ones; where each came
# from is written in datasets/README.md.
# --------------------------------------------------------------------------------------------

_KERAS_STORE = "https://storage.googleapis.com/tensorflow/tf-keras-datasets/"
_FASHION_S3 = "http://fashion-mnist.s3-website.eu-central-1.amazonaws.com/"
_MNIST_CVDF = "https://storage.googleapis.com/cvdf-datasets/mnist/"
_MNIST_OSSCI = "https://ossci-datasets.s3.amazonaws.com/mnist/"
_PETS_VGG = "https://www.robots.ox.ac.uk/~vgg/data/pets/data/"
_PETS_THOR = "https://thor.robots.ox.ac.uk/~vgg/data/pets/"


def _idx_files(bases: tuple[str, ...], table: dict[str, tuple[int, str]]) -> tuple[RemoteFile, ...]:
    return tuple(
        RemoteFile(name, tuple(b + name for b in bases), sha, size)
        for name, (size, sha) in table.items()
    )


for _entry in (
    DatasetEntry(
        name="fashion_mnist",
        tier="full",
        description="70,000 28x28 grey images of clothing, 10 classes (60,000 train, 10,000 test)",
        licence="MIT",
        homepage="https://github.com/zalandoresearch/fashion-mnist",
        citation="Xiao, H., Rasul, K. and Vollgraf, R. (2017). Fashion-MNIST: a Novel Image "
        "Dataset for Benchmarking Machine Learning Algorithms. arXiv:1708.07747",
        loader="imgcourse.data.full:load_fashion_mnist",
        files=_idx_files(
            (_KERAS_STORE, _FASHION_S3),
            {
                "train-images-idx3-ubyte.gz": (
                    26421880,
                    "3aede38d61863908ad78613f6a32ed271626dd12800ba2636569512369268a84",
                ),
                "train-labels-idx1-ubyte.gz": (
                    29515,
                    "a04f17134ac03560a47e3764e11b92fc97de4d1bfaf8ba1a3aa29af54cc90845",
                ),
                "t10k-images-idx3-ubyte.gz": (
                    4422102,
                    "346e55b948d973a97e58d2351dde16a484bd415d4595297633bb08f03db6a073",
                ),
                "t10k-labels-idx1-ubyte.gz": (
                    5148,
                    "67da17c76eaffca5446c3361aaab5c3cd6d1c2608764d35dfb1850b086bf8dd5",
                ),
            },
        ),
    ),
    DatasetEntry(
        name="mnist",
        tier="full",
        description="70,000 28x28 grey handwritten digits, 10 classes (60,000 train, 10,000 test)",
        licence="CC BY-SA 3.0 (as stated by Keras); copyright Yann LeCun and Corinna Cortes",
        homepage="http://yann.lecun.com/exdb/mnist/",
        citation="LeCun, Y., Bottou, L., Bengio, Y. and Haffner, P. (1998). Gradient-based "
        "learning applied to document recognition. Proc. IEEE 86(11):2278-2324",
        loader="imgcourse.data.full:load_mnist",
        files=_idx_files(
            (_MNIST_CVDF, _MNIST_OSSCI),
            {
                "train-images-idx3-ubyte.gz": (
                    9912422,
                    "440fcabf73cc546fa21475e81ea370265605f56be210a4024d2ca8f203523609",
                ),
                "train-labels-idx1-ubyte.gz": (
                    28881,
                    "3552534a0a558bbed6aed32b30c495cca23d567ec52cac8be1a0730e8010255c",
                ),
                "t10k-images-idx3-ubyte.gz": (
                    1648877,
                    "8d422c7b0a1c1c79245a5bcf07fe86e33eeafee792b84584aec276f5a2dbc4e6",
                ),
                "t10k-labels-idx1-ubyte.gz": (
                    4542,
                    "f7ae60f92e00ec6debd23a6088c31dbd2371eca3ffa0defaefb259924204aec6",
                ),
            },
        ),
    ),
    DatasetEntry(
        name="cifar10",
        tier="full",
        description="60,000 32x32 colour images, 10 classes (50,000 train, 10,000 test)",
        licence="no licence stated by the authors; cite the technical report",
        homepage="https://www.cs.toronto.edu/~kriz/cifar.html",
        citation="Krizhevsky, A. (2009). Learning Multiple Layers of Features from Tiny Images. "
        "Technical report, University of Toronto",
        loader="imgcourse.data.full:load_cifar10",
        files=(
            RemoteFile(
                "cifar-10-python.tar.gz",
                ("https://www.cs.toronto.edu/~kriz/cifar-10-python.tar.gz",),
                "6d958be074577803d12ecdefd02955f39262c83c16fe9348329d7fe0b5c001ce",
                170498071,
            ),
        ),
    ),
    DatasetEntry(
        name="oxford_iiit_pet",
        tier="full",
        description="7,390 photos of 37 cat and dog breeds, with pixel trimaps and the official "
        "trainval/test split",
        licence="CC BY-SA 4.0 (image copyright stays with the original owners)",
        homepage="https://www.robots.ox.ac.uk/~vgg/data/pets/",
        citation="Parkhi, O. M., Vedaldi, A., Zisserman, A. and Jawahar, C. V. (2012). Cats and "
        "Dogs. IEEE Conference on Computer Vision and Pattern Recognition (CVPR)",
        loader="imgcourse.data.full:load_oxford_iiit_pet",
        files=(
            RemoteFile(
                "images.tar.gz",
                (_PETS_VGG + "images.tar.gz", _PETS_THOR + "images.tar.gz"),
                "67195c5e1c01f1ab5f9b6a5d22b8c27a580d896ece458917e61d459337fa318d",
                791918971,
            ),
            RemoteFile(
                "annotations.tar.gz",
                (_PETS_VGG + "annotations.tar.gz", _PETS_THOR + "annotations.tar.gz"),
                "52425fb6de5c424942b7626b428656fcbd798db970a937df61750c0f1d358e91",
                19173078,
            ),
        ),
    ),
    DatasetEntry(
        name="tf_flowers",
        tier="full",
        description="3,670 flower photos in 5 classes: daisy, dandelion, roses, sunflowers, tulips",
        licence="CC BY 2.0, per photo; the photographers are listed in LICENSE.txt in the archive",
        homepage="https://www.tensorflow.org/datasets/catalog/tf_flowers",
        citation="The TensorFlow Team (2019). Flowers. "
        "http://download.tensorflow.org/example_images/flower_photos.tgz",
        loader="imgcourse.data.full:load_tf_flowers",
        files=(
            RemoteFile(
                "flower_photos.tgz",
                (
                    "https://storage.googleapis.com/download.tensorflow.org/example_images/"
                    "flower_photos.tgz",
                    "http://download.tensorflow.org/example_images/flower_photos.tgz",
                ),
                "4c54ace7911aaffe13a365c34f650e71dd5bf1be0a58b464e5a7183e3e595d9c",
                228813984,
            ),
        ),
    ),
):
    register_dataset(_entry)

del _entry


# --------------------------------------------------------------------------------------------
# Course-made weights: small artefacts this project trains itself, shipped as package data
# under imgcourse/assets/weights/ (found with imgcourse.packaged.package_file), each made by a
# script in datasets/. Loaded (after the sha256 check) by
# imgcourse.models.pretrained.load_course_backbone; described in datasets/README.md.
# --------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class WeightsEntry:
    """Weights the course trains itself, shipped inside the package.

    Attributes:
        name: registry key, ``snake_case``.
        path: the file, relative to the ``imgcourse`` package folder
            (``assets/weights/...``; see :func:`imgcourse.packaged.package_file`).
        sha256: its sha256 hex digest (lower case), checked before loading.
        script: the script that rebuilds the file, relative to the repository root.
        description: one line on the network and its source task.
        licence: the licence the weights are published under.
        input_shape: (height, width, channels) the network takes.
        filters: channels of each convolution block (the architecture's one knob).
        seed: the seed the script uses.
    """

    name: str
    path: str
    sha256: str
    script: str
    description: str
    licence: str
    input_shape: tuple[int, int, int]
    filters: tuple[int, ...]
    seed: int

    def __post_init__(self) -> None:
        if not re.match(r"^[a-z][a-z0-9_]*$", self.name):
            raise ValueError(f"weights name must be snake_case; got {self.name!r}")
        if not _SHA256.match(self.sha256):
            raise ValueError(
                f"sha256 of weights {self.name!r} must be 64 lower-case hex digits; "
                f"got {self.sha256!r}"
            )
        if self.path.startswith("/") or ".." in self.path.split("/"):
            raise ValueError(
                f"path of {self.name!r} must be relative to the imgcourse package folder "
                f"(assets/weights/...); got {self.path!r}"
            )


_WEIGHTS: dict[str, WeightsEntry] = {}


def register_weights(entry: WeightsEntry) -> WeightsEntry:
    """Add a course-made weights entry; a name already registered is a ``ValueError``."""
    if entry.name in _WEIGHTS:
        raise ValueError(f"weights named {entry.name!r} are already registered")
    _WEIGHTS[entry.name] = entry
    return entry


def get_weights(name: str) -> WeightsEntry:
    """The weights entry ``name``; an unknown name is a ``KeyError`` listing the known ones."""
    try:
        return _WEIGHTS[name]
    except KeyError:
        raise UnknownDatasetError(
            f"no course weights named {name!r}; registered: {', '.join(sorted(_WEIGHTS))}"
        ) from None


def list_weights() -> list[str]:
    """Sorted names of the registered course-made weights."""
    return sorted(_WEIGHTS)


register_weights(
    WeightsEntry(
        name="shapes_backbone",
        path="assets/weights/shapes_backbone.weights.h5",
        sha256="87026e8c50c26a116f8a5b737b7c9990f6b38502a8d2c712afff58b57e9c701e",
        script="datasets/pretrain_backbone.py",
        description="imgcourse.models.pretrained.course_backbone (3 conv-BN-ReLU-pool blocks, "
        "32-64-128 filters, global average pooling) trained to tell apart the 400 classes of "
        "generated pen-stroke glyphs of make_glyphs, 16x16",
        licence="MIT (trained by this project on generated data)",
        input_shape=(16, 16, 3),
        filters=(32, 64, 128),
        seed=0,
    )
)
