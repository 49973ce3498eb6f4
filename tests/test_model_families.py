"""The model families of 05 (VGG, ResNet, Inception, EfficientNet) and the FLOP counter.

Every registered model is built small (16x16x3, 3 classes), run forward and trained one step
on TensorFlow here and on JAX in one subprocess; built under a ``mixed_float16`` policy, its
head still computes in float32. The papers' networks are built at 224x224 with 1,000 classes
inside a ``keras.StatelessScope`` (shapes only, no weight initialisation) and their sizes and
costs compared with the papers and ``keras.applications``.
"""

from __future__ import annotations

import math
import textwrap
from pathlib import Path

import keras
import numpy as np
import pytest
from keras import layers
from support import run_on_jax

from imgcourse import models
from imgcourse.models.efficientnet import (
    compound_scaling,
    efficientnet,
    efficientnet_resolution,
    scale_filters,
)
from imgcourse.models.flops import count_flops
from imgcourse.models.inception import inception, inception_module
from imgcourse.models.resnet import resnet
from imgcourse.models.vgg import vgg

FAMILIES = ["efficientnet", "inception", "resnet", "small_cnn", "small_vit", "vgg"]  # classifiers
#: Registered models with other outputs (per-pixel classes, detection maps, reconstructions);
#: their own tests (test_unet.py, test_detector.py, test_autoencoder.py) check them, and the
#: JAX test below trains them too.
OTHER_MODELS = ["centre_detector", "conv_autoencoder", "unet"]
#: Registered models with their own inputs and training (a GAN's noise and two updates, the
#: episodes of a prototypical network): their JAX runs are in the test file named here.
JAX_ELSEWHERE = {
    "dcgan_generator": "test_gan.py",
    "dcgan_discriminator": "test_gan.py",
    "protonet": "test_protonet.py",
}
SMALL = {"input_shape": (16, 16, 3), "num_classes": 3}


def test_every_family_is_registered():
    assert models.list_models() == sorted(FAMILIES + OTHER_MODELS + list(JAX_ELSEWHERE))
    assert sorted(models.PAPER_MODELS) == ["efficientnet_b0", "googlenet", "resnet50", "vgg16"]


@pytest.mark.parametrize("name", FAMILIES)
def test_defaults_are_small_and_follow_the_model_contract(name):
    model = models.build(name)
    assert model.input_shape == (None, 32, 32, 3)
    assert 20_000 < model.count_params() < 300_000, model.count_params()
    assert len(model.get_layer("features").output.shape) == 2
    assert model.get_layer("head").output.shape[-1] == model.output_shape[-1]
    assert model.layers[-1].name == "head"
    convs = [layer.name for layer in model.layers if isinstance(layer, layers.Conv2D)]
    assert convs and all(
        n.startswith(("conv", "block", "stage", "stem", "inception", "top")) for n in convs
    )


@pytest.mark.parametrize("name", FAMILIES)
def test_forward_pass_and_one_training_step_on_tensorflow(name):
    rng = np.random.default_rng(0)
    x = rng.random((4, 16, 16, 3), dtype=np.float32)
    y = np.array([0, 1, 2, 0])
    model = models.build(name, **SMALL)
    probs = np.asarray(model(x, training=False))
    assert probs.shape == (4, 3)
    np.testing.assert_allclose(probs.sum(axis=1), 1.0, rtol=1e-5)
    # eagerly: tracing and XLA-compiling a train step costs a minute for EfficientNet on CPU
    model.compile(optimizer="adam", loss="sparse_categorical_crossentropy", run_eagerly=True)
    before = [np.array(w) for w in model.trainable_weights]
    loss = float(model.train_on_batch(x, y))
    assert np.isfinite(loss)
    changed = [not np.allclose(b, np.array(w)) for b, w in zip(before, model.trainable_weights)]
    assert all(changed), "every trainable weight should move in one Adam step"


JAX_SCRIPT = textwrap.dedent(
    """
    import json
    import numpy as np
    import keras
    from imgcourse import models

    assert keras.backend.backend() == "jax", keras.backend.backend()
    x = np.random.default_rng(0).random((4, 16, 16, 3), dtype=np.float32)
    y = np.array([0, 1, 2, 0])
    from imgcourse.models import detector

    masks = np.random.default_rng(1).integers(0, 3, (4, 16, 16))
    boxes = [np.array([[2, 2, 10, 12]])] * 4
    heat = detector.encode_targets(boxes, [np.array([k]) for k in y], image_size=16,
                                   stride=4, num_classes=3)
    targets = {"unet": (masks, "sparse_categorical_crossentropy"),
               "centre_detector": (heat, detector.detector_loss),
               "conv_autoencoder": (x, "mse")}
    results = {}
    for name in models.list_models():
        if name in ELSEWHERE:
            continue
        kwargs = {} if name == "conv_autoencoder" else {"num_classes": 3}
        model = models.build(name, input_shape=(16, 16, 3), **kwargs)
        target, loss = targets.get(name, (y, "sparse_categorical_crossentropy"))
        model.compile(optimizer="adam", loss=loss)
        out = np.asarray(model.predict_on_batch(x))
        loss = float(model.train_on_batch(x, target))
        sums = name not in ("centre_detector", "conv_autoencoder")  # not probabilities
        total = float(out.sum(axis=-1).mean()) if sums else 1.0
        results[name] = [list(out.shape), total, loss]
    print("RESULTS " + json.dumps(results))
    """
)


@pytest.mark.slow
def test_every_model_runs_and_trains_on_jax():
    results = run_on_jax(f"ELSEWHERE = {sorted(JAX_ELSEWHERE)!r}\n" + JAX_SCRIPT)
    assert sorted(results) == sorted(FAMILIES + OTHER_MODELS)
    shapes = {
        "unet": [4, 16, 16, 3],
        "centre_detector": [4, 4, 4, 7],
        "conv_autoencoder": [4, 16, 16, 3],
    }
    for name, (shape, total, loss) in results.items():
        assert shape == shapes.get(name, [4, 3]), name
        assert total == pytest.approx(1.0, rel=1e-5), name
        assert np.isfinite(loss), name


@pytest.mark.parametrize(("name", "test_file"), sorted(JAX_ELSEWHERE.items()))
def test_models_trained_elsewhere_on_jax_have_that_test(name, test_file):
    source = (Path(__file__).parent / test_file).read_text(encoding="utf-8")
    assert "run_on_jax(" in source and name.split("_")[0] in source, test_file


@pytest.fixture
def mixed_precision():
    keras.mixed_precision.set_global_policy("mixed_float16")
    try:
        yield
    finally:
        keras.mixed_precision.set_global_policy("float32")


@pytest.mark.parametrize("name", FAMILIES)
def test_head_computes_in_float32_under_mixed_precision(name, mixed_precision):
    model = models.build(name, **SMALL)
    first_conv = next(layer for layer in model.layers if isinstance(layer, layers.Conv2D))
    assert first_conv.compute_dtype == "float16"  # the policy is in force...
    assert model.get_layer("head").compute_dtype == "float32"  # ...but not in the head
    assert model.output.dtype == "float32"
    probs = model(np.zeros((2, 16, 16, 3), np.float32))
    assert keras.backend.standardize_dtype(probs.dtype) == "float32"


def test_mixed_precision_policy_is_restored():
    assert keras.mixed_precision.global_policy().name == "float32"


# ----------------------------------------------------------------------------- the papers

#: (parameters in total, trained parameters, multiply-adds at 224x224, 1,000 classes):
#: counted exactly by these builders, and the published figures they are checked against.
PAPERS = {
    # keras.applications.VGG16: 138,357,544; the paper: 138 M, 15.5 G multiply-adds (as
    # commonly counted; the paper gives no FLOPs).
    "vgg16": (138_357_544, 138_357_544, 15.47e9, 138.4e6, 15.5e9),
    # the paper: 25.6 M (Table 1 gives 3.8 G FLOPs for the stride on the first 1x1, 4.1 G
    # for the stride on the 3x3 used here, torchvision's "v1.5": 4.09 G).
    "resnet50": (25_610_152, 25_557_032, 4.089e9, 25.6e6, 4.1e9),
    # the paper: 6.8 M summed from Table 1 (no auxiliary classifiers), "1.5 billion
    # multiply-adds".
    "googlenet": (7_020_392, 7_005_832, 1.583e9, 6.8e6, 1.5e9),
    # the paper: 5.3 M, 0.39 B FLOPs (multiply-adds).
    "efficientnet_b0": (5_330_564, 5_288_548, 0.386e9, 5.3e6, 0.39e9),
}
#: Tolerances against the published figures: the papers round, and GoogLeNet's table and
#: FLOPs are rounded down (3% and 6% below an exact count).
PARAM_TOLERANCE, FLOP_TOLERANCE = 0.04, 0.07


@pytest.mark.slow
@pytest.mark.parametrize("name", sorted(PAPERS))
def test_paper_networks_have_the_published_size_and_cost(name):
    total, trained, macs, paper_params, paper_macs = PAPERS[name]
    with keras.StatelessScope():  # shapes only: no 138 M random numbers for VGG-16
        model = models.PAPER_MODELS[name]()
    assert model.input_shape == (None, 224, 224, 3) and model.output_shape == (None, 1000)
    assert model.count_params() == total
    assert sum(int(np.prod(w.shape)) for w in model.trainable_weights) == trained
    assert count_flops(model) == pytest.approx(macs, rel=1e-3)
    assert total == pytest.approx(paper_params, rel=PARAM_TOLERANCE)
    assert count_flops(model) == pytest.approx(paper_macs, rel=FLOP_TOLERANCE)
    assert model.get_layer("features").output.shape[-1] in (25088, 2048, 1024, 1280)


@pytest.mark.slow
def test_efficientnet_b0_matches_keras_applications():
    with keras.StatelessScope():
        ours = models.PAPER_MODELS["efficientnet_b0"]()
        reference = keras.applications.EfficientNetB0(weights=None)
    normalization = sum(
        layer.count_params() for layer in reference.layers if type(layer) is layers.Normalization
    )
    assert ours.count_params() == reference.count_params() - normalization
    assert count_flops(ours) == count_flops(reference)


# ----------------------------------------------------------------------------- VGG


def test_vgg_blocks_and_dense_layers():
    model = vgg(
        (32, 32, 3), 4, blocks=((8, 1), (16, 3)), pooling="flatten", dense_units=(32,), dropout=0.5
    )
    names = [layer.name for layer in model.layers]
    assert names == [
        "image",
        "block1_conv1",
        "block1_pool",
        "block2_conv1",
        "block2_conv2",
        "block2_conv3",
        "block2_pool",
        "features",
        "fc1",
        "fc1_dropout",
        "head",
    ]
    assert model.get_layer("features").output.shape[-1] == 8 * 8 * 16
    assert model.get_layer("block2_conv3").kernel.shape == (3, 3, 16, 16)


# ----------------------------------------------------------------------------- ResNet


def _conv_names(model):
    return [layer.name for layer in model.layers if isinstance(layer, layers.Conv2D)]


@pytest.mark.parametrize(("depth", "block"), [(8, "basic"), (20, "basic"), (11, "bottleneck")])
def test_resnet_depth_counts_the_layers_with_weights(depth, block):
    model = resnet((32, 32, 3), 10, depth=depth, block=block)
    convs = [n for n in _conv_names(model) if "_proj" not in n]
    assert len(convs) + 1 == depth  # + the head
    assert model.get_layer("stage3_block1_1_conv").strides == (
        (2, 2) if block == "basic" else (1, 1)
    )


def test_resnet_shortcut_is_projected_only_where_the_shape_changes():
    model = resnet((32, 32, 3), 10, depth=14)
    projections = sorted(n for n in _conv_names(model) if "_proj" in n)
    assert projections == ["stage2_block1_proj_conv", "stage3_block1_proj_conv"]
    assert model.get_layer("stage2_block1_proj_conv").strides == (2, 2)
    assert model.get_layer("stage2_block1_proj_conv").kernel.shape == (1, 1, 16, 32)
    assert model.get_layer("stage1_block2_add") is not None
    bottleneck = resnet((32, 32, 3), 10, depth=11, block="bottleneck")
    assert "stage1_block1_proj_conv" in _conv_names(bottleneck)  # 16 -> 64 channels
    assert bottleneck.get_layer("features").output.shape[-1] == 4 * 64


def test_plain_resnet_is_the_same_network_without_shortcuts():
    residual = resnet((32, 32, 3), 10, depth=20)
    plain = resnet((32, 32, 3), 10, depth=20, plain=True)
    assert not [layer for layer in plain.layers if isinstance(layer, layers.Add)]
    assert len([layer for layer in residual.layers if isinstance(layer, layers.Add)]) == 9
    assert _conv_names(plain) == [n for n in _conv_names(residual) if "_proj" not in n]
    assert count_flops(plain) < count_flops(residual)


def test_resnet_residual_block_is_identity_plus_f():
    """With its last batch norm zeroed, a block with an identity shortcut passes its
    (non-negative) input through unchanged: the block learns a residual."""
    model = resnet((8, 8, 3), 2, depth=8)
    bn = model.get_layer("stage1_block1_2_bn")
    bn.gamma.assign(np.zeros(bn.gamma.shape))
    bn.beta.assign(np.zeros(bn.beta.shape))
    probe = keras.Model(
        model.input,
        [model.get_layer("stem_relu").output, model.get_layer("stage1_block1_out").output],
    )
    before, after = probe(np.random.default_rng(0).random((2, 8, 8, 3), dtype=np.float32))
    np.testing.assert_allclose(np.asarray(after), np.asarray(before), atol=1e-6)


# ----------------------------------------------------------------------------- Inception


def test_inception_module_concatenates_four_branches():
    inputs = keras.Input((8, 8, 12))
    out = inception_module(inputs, (4, 3, 5, 2, 6, 7), "mod")
    model = keras.Model(inputs, out)
    assert out.shape[1:] == (8, 8, 4 + 5 + 6 + 7)
    kernels = {
        n: model.get_layer(f"mod_{n}_conv").kernel.shape
        for n in ("1x1", "3x3_reduce", "3x3", "5x5_reduce", "5x5", "pool_proj")
    }
    assert kernels == {
        "1x1": (1, 1, 12, 4),
        "3x3_reduce": (1, 1, 12, 3),
        "3x3": (3, 3, 3, 5),
        "5x5_reduce": (1, 1, 12, 2),
        "5x5": (5, 5, 2, 6),
        "pool_proj": (1, 1, 12, 7),
    }
    assert isinstance(model.get_layer("mod_pool"), layers.MaxPooling2D)


def test_inception_names_modules_as_googlenet():
    model = inception((32, 32, 3), 10, dropout=0.2)
    names = [layer.name for layer in model.layers if layer.name.endswith("_concat")]
    assert names == [
        "inception3a_concat",
        "inception3b_concat",
        "inception4a_concat",
        "inception4b_concat",
    ]
    assert model.get_layer("features").output.shape[-1] == 64 + 80 + 24 + 24
    assert "dropout" in [layer.name for layer in model.layers]


# ----------------------------------------------------------------------------- EfficientNet


def test_compound_scaling_and_resolution():
    assert compound_scaling(0) == (1.0, 1.0, 1.0)
    width, depth, resolution = compound_scaling(2)
    assert (width, depth, resolution) == pytest.approx((1.21, 1.44, 1.3225))
    assert depth * width**2 * resolution**2 == pytest.approx(1.92**2, rel=0.01)  # ~2x per phi
    assert [efficientnet_resolution(phi, 224) for phi in (0, 1, 2)] == [224, 258, 296]
    assert [efficientnet_resolution(phi, 32) for phi in (0, 1, 2)] == [32, 37, 42]


@pytest.mark.parametrize(
    ("filters", "width", "expected"),
    [(32, 1.0, 32), (32, 1.1, 32), (32, 1.4, 48), (16, 1.21, 24), (320, 1.1, 352), (4, 0.5, 8)],
)
def test_scale_filters_rounds_to_multiples_of_eight(filters, width, expected):
    assert scale_filters(filters, width) == expected


def test_mbconv_blocks_have_squeeze_excitation_and_residuals():
    model = efficientnet((32, 32, 3), 10)
    names = [layer.name for layer in model.layers]
    assert "stage1_block1_expand" not in names  # expansion ratio 1: no expansion
    assert model.get_layer("stage2_block1_expand").kernel.shape == (1, 1, 16, 96)
    assert model.get_layer("stage2_block1_se_reduce").kernel.shape == (1, 1, 96, 4)
    assert model.get_layer("stage3_block1_dwconv").kernel.shape[:2] == (5, 5)
    adds = [n for n in names if n.endswith("_add")]
    assert adds == [
        "stage1_block1_add",
        "stage2_block2_add",
        "stage3_block2_add",
        "stage4_block2_add",
    ]  # stride 1 and the same channels


def test_phi_scales_width_and_depth_together():
    sizes = {}
    for phi in (0, 1, 2):
        side = efficientnet_resolution(phi, 32)
        model = efficientnet((side, side, 3), 10, phi=phi)
        blocks = {
            n.rsplit("_", 1)[0] for n in (la.name for la in model.layers) if n.endswith("_project")
        }
        sizes[phi] = (model.count_params(), count_flops(model), len(blocks))
    expected_blocks = [sum(math.ceil(n * 1.2**phi) for n in (1, 2, 2, 2)) for phi in (0, 1, 2)]
    assert [sizes[phi][2] for phi in (0, 1, 2)] == expected_blocks == [7, 11, 11]
    assert sizes[0][0] < sizes[1][0] < sizes[2][0]  # wider (and deeper)
    assert sizes[0][1] < sizes[1][1] < sizes[2][1]  # and larger images: more multiply-adds


# ----------------------------------------------------------------------------- FLOPs


def test_count_flops_by_hand():
    model = keras.Sequential(
        [
            keras.Input((10, 12, 3)),
            layers.Conv2D(8, 3, padding="same", name="c"),  # 10*12 * 3*3*3*8
            layers.Conv2D(6, 5, strides=2, groups=2, name="g"),  # 3*4 * 5*5*4*6
            layers.DepthwiseConv2D(3, padding="same", depth_multiplier=2),  # 3*4 * 3*3*6*2
            layers.BatchNormalization(),  # not counted
            layers.Dense(5),  # applied at each of 3*4 positions: 3*4 * 12*5
            layers.GlobalAveragePooling2D(),
            layers.Dense(7),  # 5*7
        ]
    )
    expected = 10 * 12 * 216 + 3 * 4 * 600 + 3 * 4 * 108 + 3 * 4 * 60 + 35
    assert count_flops(model) == expected


def test_count_flops_looks_inside_nested_models():
    inner = keras.Sequential([keras.Input((4, 4, 2)), layers.Conv2D(3, 1)], name="inner")
    outer = keras.Sequential([keras.Input((4, 4, 2)), inner, layers.Flatten(), layers.Dense(2)])
    assert count_flops(outer) == 4 * 4 * 2 * 3 + 48 * 2


def test_count_flops_needs_known_shapes():
    with pytest.raises(ValueError, match="not built"):
        count_flops(keras.Sequential([layers.Dense(2)]))
    free = keras.Sequential([keras.Input((None, None, 3)), layers.Conv2D(2, 3)])
    with pytest.raises(ValueError, match="fixed input size"):
        count_flops(free)


# ----------------------------------------------------------------------------- bad input


@pytest.mark.parametrize(
    ("name", "kwargs", "words"),
    [
        ("vgg", {"input_shape": (32, 32)}, "(height, width, channels)"),
        ("vgg", {"num_classes": 1}, "at least 2"),
        ("vgg", {"input_shape": (4, 4, 3)}, "at least 8"),
        ("vgg", {"blocks": ((16, 0),)}, "positive"),
        ("vgg", {"pooling": "max"}, "'avg' or 'flatten'"),
        ("vgg", {"dropout": 1.5}, "dropout"),
        ("resnet", {"depth": 21}, "6n + 2 (8, 14, 20"),
        ("resnet", {"depth": 21, "block": "bottleneck"}, "9n + 2"),
        ("resnet", {"stages": (2, 2, 2)}, "not both"),
        ("resnet", {"depth": None, "stages": (2, 2)}, "one positive block count per stage"),
        ("resnet", {"block": "wide"}, "block must be"),
        ("resnet", {"stem": "big"}, "stem must be"),
        ("resnet", {"stem": "imagenet", "input_shape": (8, 8, 3)}, "at least 16"),
        ("inception", {"stages": (((1, 2, 3),),)}, "six positive"),
        ("inception", {"stem": "tiny"}, "stem must be"),
        ("inception", {"dropout": -0.1}, "dropout"),
        ("efficientnet", {"phi": -1}, "phi must be at least 0"),
        ("efficientnet", {"stages": ((6, 3, 2, 0, 1),)}, "positive integers"),
        ("efficientnet", {"input_shape": (8, 8, 3)}, "at least 16"),
    ],
)
def test_builders_reject_bad_arguments(name, kwargs, words):
    with pytest.raises(ValueError) as info:
        models.build(name, **kwargs)
    assert words in str(info.value)
    assert name in str(info.value)


def test_efficientnet_resolution_rejects_a_bad_base():
    with pytest.raises(ValueError, match="base"):
        efficientnet_resolution(1, 0)
