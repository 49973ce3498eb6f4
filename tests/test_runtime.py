"""Tests for imgcourse.runtime: the one-line summary, seeds, the muted fd 2 and the GPU branches.

The GPU branches run on this CPU machine with the device list faked: TensorFlow's device
queries, memory growth, the precision policy and the ``tf.distribute`` strategies are replaced
by fakes that record how they were called.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
import textwrap
from dataclasses import dataclass, field
from typing import Any

import keras
import numpy as np
import pytest
import tensorflow as tf

import imgcourse
from imgcourse import runtime
from imgcourse.runtime import RuntimeInfo, _configure_tensorflow_devices, muted_stderr_fd


@pytest.fixture(autouse=True)
def _float32_policy(monkeypatch: pytest.MonkeyPatch):
    """Every test starts and ends with the float32 policy and no TF_CONFIG."""
    monkeypatch.delenv("TF_CONFIG", raising=False)
    keras.mixed_precision.set_global_policy("float32")
    yield
    keras.mixed_precision.set_global_policy("float32")


# --- setup(): the printed line and the seeds -----------------------------------------------------


def test_setup_prints_one_line_with_versions_device_and_precision(capsys):
    info = imgcourse.setup(seed=3)
    lines = capsys.readouterr().out.splitlines()
    assert len(lines) == 1
    line = lines[0]
    assert f"Keras {keras.__version__}" in line
    assert f"({keras.backend.backend()})" in line
    assert f"TensorFlow {tf.__version__}" in line
    assert info.device in line and info.device == "CPU"  # this machine has no GPU
    assert keras.mixed_precision.global_policy().name in line
    assert "seed 3" in line
    assert line == info.summary()


def test_setup_verbose_false_prints_nothing(capsys):
    info = imgcourse.setup(seed=3, verbose=False)
    assert capsys.readouterr().out == ""
    assert info.seed == 3 and info.backend == keras.backend.backend()
    assert info.precision == "float32"
    assert info.strategy is None


def test_setup_seeds_numpy_python_and_keras():
    import random

    def draw() -> tuple[Any, ...]:
        return (
            np.random.rand(4),
            random.random(),
            keras.ops.convert_to_numpy(keras.random.uniform((4,))),
        )

    imgcourse.setup(seed=11, verbose=False)
    first = draw()
    imgcourse.setup(seed=11, verbose=False)
    again = draw()
    imgcourse.setup(seed=12, verbose=False)
    other = draw()
    np.testing.assert_array_equal(first[0], again[0])
    assert first[1] == again[1]
    np.testing.assert_array_equal(first[2], again[2])
    assert not np.array_equal(first[0], other[0])
    assert first[1] != other[1]
    assert not np.array_equal(first[2], other[2])


# --- muted_stderr_fd -----------------------------------------------------------------------------


def test_muted_stderr_fd_mutes_raw_fd_2_and_restores_it(capfd):
    os.write(2, b"before\n")
    with muted_stderr_fd():
        os.write(2, b"hidden\n")
    os.write(2, b"after\n")
    err = capfd.readouterr().err
    assert "before" in err and "after" in err
    assert "hidden" not in err


def test_muted_stderr_fd_restores_fd_2_after_an_exception(capfd):
    with pytest.raises(RuntimeError, match="boom"), muted_stderr_fd():
        os.write(2, b"hidden\n")
        raise RuntimeError("boom")
    os.write(2, b"after\n")
    err = capfd.readouterr().err
    assert "after" in err and "hidden" not in err


def test_muted_stderr_fd_in_a_fresh_process():
    """The same in a process of its own, where fd 2 is a real pipe (no pytest capture)."""
    code = textwrap.dedent(
        """
        import os
        from imgcourse.runtime import muted_stderr_fd
        os.write(2, b"before|")
        with muted_stderr_fd():
            os.write(2, b"hidden|")
        os.write(2, b"after")
        """
    )
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, timeout=60, check=True)
    assert done.stderr == b"before|after"


# --- the GPU branches, with the devices faked ----------------------------------------------------


@dataclass
class FakeGPU:
    name: str
    device_type: str = "GPU"


@dataclass
class FakeTF:
    """Records what _configure_tensorflow_devices asked of TensorFlow."""

    gpus: list[FakeGPU]
    capability: tuple[int, int]
    memory_growth: list[tuple[str, bool]] = field(default_factory=list)
    policies: list[str] = field(default_factory=list)
    strategies: list[str] = field(default_factory=list)


@pytest.fixture
def fake_gpus(monkeypatch: pytest.MonkeyPatch):
    """Call ``fake_gpus(n, capability)`` to make TensorFlow report n fake GPUs."""

    def install(n: int, capability: tuple[int, int] = (8, 0)) -> FakeTF:
        fake = FakeTF(
            gpus=[FakeGPU(f"/physical_device:GPU:{i}") for i in range(n)], capability=capability
        )

        def list_physical_devices(device_type: str | None = None) -> list[FakeGPU]:
            return list(fake.gpus) if device_type == "GPU" else []

        def get_device_details(gpu: FakeGPU) -> dict[str, Any]:
            assert gpu in fake.gpus
            return {"compute_capability": fake.capability, "device_name": "Fake GPU"}

        def set_memory_growth(gpu: FakeGPU, enable: bool) -> None:
            fake.memory_growth.append((gpu.name, enable))

        real_set_policy = keras.mixed_precision.set_global_policy

        def set_global_policy(policy: str) -> None:
            fake.policies.append(str(policy))
            real_set_policy(policy)

        def mirrored() -> str:
            fake.strategies.append("MirroredStrategy")
            return "mirrored-strategy"

        def multi_worker() -> str:
            fake.strategies.append("MultiWorkerMirroredStrategy")
            return "multi-worker-strategy"

        monkeypatch.setattr(tf.config, "list_physical_devices", list_physical_devices)
        monkeypatch.setattr(tf.config.experimental, "get_device_details", get_device_details)
        monkeypatch.setattr(tf.config.experimental, "set_memory_growth", set_memory_growth)
        monkeypatch.setattr(keras.mixed_precision, "set_global_policy", set_global_policy)
        monkeypatch.setattr(tf.distribute, "MirroredStrategy", mirrored)
        monkeypatch.setattr(tf.distribute, "MultiWorkerMirroredStrategy", multi_worker)
        return fake

    return install


def _info() -> RuntimeInfo:
    return RuntimeInfo(
        seed=0,
        backend="tensorflow",
        keras_version=keras.__version__,
        tensorflow_version=tf.__version__,
        device="CPU",
    )


def test_one_volta_or_newer_gpu_gets_memory_growth_and_mixed_precision(fake_gpus, capsys):
    fake = fake_gpus(1, (8, 0))
    info = imgcourse.setup(seed=0)
    assert fake.memory_growth == [("/physical_device:GPU:0", True)]
    assert fake.policies == ["mixed_float16"]
    assert keras.mixed_precision.global_policy().name == "mixed_float16"
    assert info.precision == "mixed_float16"
    assert info.gpus == ["/physical_device:GPU:0"]
    assert info.device == "1 GPU(s), compute capability 8.0"
    assert info.strategy is None and fake.strategies == []
    line = capsys.readouterr().out.strip()
    assert "1 GPU(s), compute capability 8.0" in line and "mixed_float16" in line


def test_an_older_gpu_stays_in_float32(fake_gpus):
    fake = fake_gpus(1, (6, 1))
    info = _info()
    _configure_tensorflow_devices(tf, info, None)
    assert fake.memory_growth == [("/physical_device:GPU:0", True)]
    assert "mixed_float16" not in fake.policies
    assert info.precision == "float32"
    assert keras.mixed_precision.global_policy().name == "float32"
    assert info.device == "1 GPU(s), compute capability 6.1"
    assert info.strategy is None


def test_the_threshold_is_compute_capability_7_0(fake_gpus):
    fake = fake_gpus(1, runtime.MIXED_PRECISION_MIN_CAPABILITY)
    info = _info()
    _configure_tensorflow_devices(tf, info, None)
    assert fake.policies == ["mixed_float16"] and info.precision == "mixed_float16"


def test_two_gpus_get_a_mirrored_strategy(fake_gpus):
    fake = fake_gpus(2, (8, 6))
    info = _info()
    _configure_tensorflow_devices(tf, info, None)
    assert info.strategy == "mirrored-strategy"
    assert fake.strategies == ["MirroredStrategy"]
    assert [name for name, _ in fake.memory_growth] == [g.name for g in fake.gpus]
    assert all(enabled for _, enabled in fake.memory_growth)
    assert info.device.startswith("2 GPU(s)")
    assert info.precision == "mixed_float16"


def test_a_tf_config_cluster_gets_a_multi_worker_strategy(fake_gpus, monkeypatch):
    fake = fake_gpus(1, (8, 0))
    cluster = {
        "cluster": {"worker": ["host1:2222", "host2:2222"]},
        "task": {"type": "worker", "index": 0},
    }
    monkeypatch.setenv("TF_CONFIG", json.dumps(cluster))
    info = _info()
    _configure_tensorflow_devices(tf, info, None)
    assert info.strategy == "multi-worker-strategy"
    assert fake.strategies == ["MultiWorkerMirroredStrategy"]  # not MirroredStrategy as well
    assert info.device.endswith(", 2 workers")


def test_a_tf_config_cluster_wins_over_several_gpus(fake_gpus, monkeypatch):
    fake = fake_gpus(2, (8, 0))
    monkeypatch.setenv("TF_CONFIG", json.dumps({"cluster": {"worker": ["a:1", "b:1", "c:1"]}}))
    info = _info()
    _configure_tensorflow_devices(tf, info, None)
    assert fake.strategies == ["MultiWorkerMirroredStrategy"]
    assert info.device.endswith(", 3 workers")


def test_mixed_precision_false_forces_float32_on_a_capable_gpu(fake_gpus, capsys):
    fake = fake_gpus(1, (9, 0))
    info = imgcourse.setup(seed=0, mixed_precision=False)
    assert "mixed_float16" not in fake.policies
    assert info.precision == "float32"
    assert keras.mixed_precision.global_policy().name == "float32"
    assert "float32" in capsys.readouterr().out


def test_mixed_precision_true_forces_it_on_an_older_gpu(fake_gpus):
    fake = fake_gpus(1, (6, 1))
    info = _info()
    _configure_tensorflow_devices(tf, info, True)
    assert fake.policies == ["mixed_float16"] and info.precision == "mixed_float16"


def test_no_gpu_means_cpu_float32_and_no_strategy(fake_gpus):
    fake = fake_gpus(0)
    info = _info()
    _configure_tensorflow_devices(tf, info, None)
    assert info.device == "CPU" and info.gpus == []
    assert info.precision == "float32" and info.strategy is None
    assert fake.memory_growth == [] and fake.strategies == []
    assert "mixed_float16" not in fake.policies


def test_memory_growth_already_set_is_not_an_error(fake_gpus, monkeypatch):
    """TensorFlow refuses memory growth once a GPU is initialised; setup carries on."""
    fake_gpus(1, (8, 0))

    def refuse(gpu: Any, enable: bool) -> None:
        raise RuntimeError("Physical devices cannot be modified after being initialized")

    monkeypatch.setattr(tf.config.experimental, "set_memory_growth", refuse)
    info = _info()
    _configure_tensorflow_devices(tf, info, None)
    assert info.precision == "mixed_float16"


def test_setup_again_with_mixed_precision_false_really_returns_to_float32(fake_gpus, capsys):
    fake_gpus(1, (8, 0))
    imgcourse.setup(seed=0)
    assert keras.mixed_precision.global_policy().name == "mixed_float16"
    info = imgcourse.setup(seed=0, mixed_precision=False)
    assert info.precision == "float32"
    assert keras.mixed_precision.global_policy().name == "float32"
