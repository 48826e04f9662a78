"""bench/reference/torch_bench.py: the benchmark's PyTorch side.

Oracles: Lucid's formulas recomputed with NumPy (frequencies, spectrum scale,
inverse FFT, colour decorrelation), PyTorch's own resampling and rotation ops
(interpolate, rot90) for the grid_sample transforms, and objectives computed
by hand from the model's activations.
"""

from __future__ import annotations

import json
import math
import random
import sys

import pytest

torch = pytest.importorskip("torch")
np = pytest.importorskip("numpy")
F = torch.nn.functional

from conftest import ROOT  # noqa: E402

sys.path.insert(0, str(ROOT / "bench" / "reference"))
import torch_bench as tb  # noqa: E402
from tfjs_to_torch import tfjs_to_torch, truncate  # noqa: E402

MNIST = ROOT / "assets" / "models" / "mnist-cnn" / "model.json"
LUCID_COLOR = np.array([[0.26, 0.09, 0.02], [0.27, 0.00, -0.05], [0.27, -0.09, 0.03]])


def rng():
    return random.Random(0)


@pytest.mark.parametrize(("h", "w"), [(28, 28), (7, 10), (128, 128)])
def test_fourier_scale_is_lucids(h, w):
    expected = np.empty((h, w // 2 + 1))
    for y in range(h):
        fy = (y if y < (h + 1) // 2 else y - h) / h  # numpy.fft.fftfreq by hand
        for x in range(w // 2 + 1):
            f = math.hypot(x / w, fy)
            expected[y, x] = math.sqrt(h * w) / max(f, 1 / max(h, w))
    assert np.allclose(tb.fourier_scale(h, w), expected, rtol=1e-12)


@pytest.mark.parametrize("channels", [1, 3])
def test_fourier_image_is_the_scaled_inverse_fft_over_4(channels):
    b, h, w = 2, 10, 7
    variables, image = tb.fourier_image(
        (b, h, w, channels), False, torch.Generator().manual_seed(1)
    )
    real, imag = variables
    assert real.shape == imag.shape == (b, channels, h, w // 2 + 1)
    assert 0.005 < real.std().item() < 0.02  # N(0, 0.01^2)
    spectrum = (real.detach().double().numpy() + 1j * imag.detach().double().numpy()) * (
        tb.fourier_scale(h, w)
    )
    expected = np.fft.irfft2(spectrum, s=(h, w)).transpose(0, 2, 3, 1) / 4
    ours = torch.logit(image().double()).detach().numpy()
    assert ours.shape == (b, h, w, channels)
    assert np.abs(ours - expected).max() < 1e-4


def test_decorrelation_is_lucids_for_three_channels_only():
    normalized = LUCID_COLOR / max(np.linalg.norm(LUCID_COLOR[:, j]) for j in range(3))
    gen = torch.Generator().manual_seed(2)
    (v,), image = tb.pixel_image((1, 4, 5, 3), True, gen)
    expected = 1 / (1 + np.exp(-(v.detach().double().numpy() @ normalized.T)))
    assert np.abs(image().detach().numpy() - expected).max() < 1e-6
    (v,), image = tb.pixel_image((1, 4, 5, 1), True, gen)  # nothing to decorrelate
    assert torch.allclose(image(), torch.sigmoid(v))
    (v,), image = tb.pixel_image((1, 4, 5, 3), False, gen)
    assert torch.allclose(image(), torch.sigmoid(v))


def test_scale_and_rotate_by_nothing_change_nothing():
    x = torch.rand(2, 3, 9, 12)
    assert torch.allclose(tb.random_scale([1])(x, rng()), x, atol=1e-6)
    assert torch.allclose(tb.random_rotate([0])(x, rng()), x, atol=1e-6)
    assert tb.resize_to((9, 12))(x, rng()) is x


def test_scale_is_half_pixel_bilinear_about_the_centre():
    x = torch.rand(1, 2, 8, 10)
    ours = tb.random_scale([2])(x, rng())
    expected = F.interpolate(x, scale_factor=2, mode="bilinear", align_corners=False)
    assert ours.shape == (1, 2, 16, 20)
    # The border differs by design: zeros outside here, clamping in interpolate.
    assert torch.allclose(ours[..., 1:-1, 1:-1], expected[..., 1:-1, 1:-1], atol=1e-6)
    # Output size round(size * scale), rounding halves up as JavaScript does.
    assert tb.random_scale([0.95])(torch.rand(1, 1, 30, 30), rng()).shape[2:] == (29, 29)
    assert tb.random_scale([1.05])(torch.rand(1, 1, 30, 30), rng()).shape[2:] == (32, 32)


def test_rotation_is_about_the_centre_with_zeros_outside():
    x = torch.rand(1, 2, 6, 6)
    assert torch.allclose(tb.random_rotate([90])(x, rng()), torch.rot90(x, 1, (2, 3)), atol=1e-6)
    ones = torch.ones(1, 1, 20, 20)
    corners = tb.random_rotate([45])(ones, rng())
    assert corners[0, 0, 0, 0] == 0 and corners[0, 0, 10, 10] == pytest.approx(1)


def test_resize_is_interpolate():
    x = torch.rand(1, 1, 30, 31)
    ours = tb.resize_to((28, 28))(x, rng())
    expected = F.interpolate(x, size=(28, 28), mode="bilinear", align_corners=False)
    assert torch.allclose(ours, expected, atol=1e-6)


def test_jitter_and_pads():
    x = torch.arange(2 * 10 * 10, dtype=torch.float32).reshape(1, 2, 10, 10)
    draws = random.Random(3)
    dy, dx = draws.randint(0, 4), draws.randint(0, 4)
    assert torch.equal(tb.jitter(4)(x, random.Random(3)), x[:, :, dy : dy + 6, dx : dx + 6])
    padded = tb.pad(2, "reflect")(x, rng())
    assert padded.shape == (1, 2, 14, 14) and padded[0, 0, 0, 0] == x[0, 0, 2, 2]
    padded = tb.pad(12, "constant", 0.5)(x, rng())
    assert padded.shape == (1, 2, 34, 34) and padded[0, 1, 0, 0] == 0.5


@pytest.mark.parametrize(("name", "size"), [("small", 28), ("standard", 128), ("none", 28)])
def test_transforms_end_at_the_models_size(name, size):
    pipeline = tb.transforms(name, (size, size))
    draws = random.Random(0)
    for _ in range(25):
        x = torch.rand(1, 1, size, size)
        for t in pipeline:
            x = t(x, draws)
        assert x.shape == (1, 1, size, size)


@pytest.fixture(scope="module")
def conv2d_1():
    model = truncate(tfjs_to_torch(MNIST), "conv2d_1")
    for p in model.parameters():
        p.requires_grad_(False)
    return model


def test_atlas_objective_is_image_i_channel_i(conv2d_1):
    work = {"param": "pixel", "transforms": "none", "decorrelate": False}
    run = tb.Run(conv2d_1, work, 3, [7, 0, 63], seed=0)
    with torch.no_grad():
        out = conv2d_1(run.image().permute(0, 3, 1, 2))
        expected = out[0, 7].mean() + out[1, 0].mean() + out[2, 63].mean()
        assert run.objective().item() == pytest.approx(expected.item(), rel=1e-6)


def test_steps_ascend_the_pre_relu_objective_and_touch_only_the_image(conv2d_1):
    work = {"param": "fourier", "transforms": "small", "decorrelate": True}
    run = tb.Run(conv2d_1, work, 1, [5], seed=0)
    assert [p for g in run.optimizer.param_groups for p in g["params"]] == run.variables
    first = float(run.step())
    for _ in range(30):
        last = float(run.step())
    assert last > first + 0.05  # bounded: the image is a sigmoid, in [0, 1]
    assert all(p.grad is None and not p.requires_grad for p in conv2d_1.parameters())
    defaults = run.optimizer.defaults
    assert (defaults["lr"], defaults["betas"], defaults["eps"]) == (0.05, (0.9, 0.999), 1e-8)


def test_the_command_prints_one_json_object(tmp_path, python):
    spec = json.loads((ROOT / "bench" / "workloads.json").read_text())
    for work in spec["workloads"]:
        work.update(steps=2, warmup=1)
    spec["atlas"].update(channels=4, steps=2)
    path = tmp_path / "workloads.json"
    path.write_text(json.dumps(spec))
    import subprocess

    script = ROOT / "bench" / "reference" / "torch_bench.py"
    args = ["--workloads", path, "--repetitions", "2", "--atlas-sample", "3"]
    args += ["--only", "mnist-cnn/lucid", "--only", "mnist-cnn/atlas"]
    result = subprocess.run(
        [python, script, *args], capture_output=True, text=True, timeout=300, check=False
    )
    assert result.returncode == 0, result.stderr
    out = json.loads(result.stdout)
    assert set(out) == {
        "mnist-cnn/lucid", "mnist-cnn/atlas-batched", "mnist-cnn/atlas-sequential",
        "torch", "threads",
    }  # fmt: skip
    assert out["torch"] == torch.__version__ and out["threads"] == 2
    lucid = out["mnist-cnn/lucid"]
    assert lucid["unit"] == "steps/s" and len(lucid["values"]) == 2
    assert lucid["min"] <= lucid["median"] <= lucid["max"]
    assert out["mnist-cnn/atlas-batched"]["unit"] == "channels/s"
    assert "sampled" not in out["mnist-cnn/atlas-batched"]
    assert out["mnist-cnn/atlas-sequential"]["sampled"] == 3
    assert "rep 2/2" in result.stderr

    bad = subprocess.run(
        [python, script, "--only", "nope"], capture_output=True, text=True, check=False
    )
    assert bad.returncode == 2 and "unknown workload" in bad.stderr


def test_only_a_network_runs_its_workloads(tmp_path, capsys):
    # bench/run.mjs passes its --only through, and that may name a network.
    spec = json.loads((ROOT / "bench" / "workloads.json").read_text())
    for work in spec["workloads"]:
        work.update(steps=1, warmup=0)
    path = tmp_path / "workloads.json"
    path.write_text(json.dumps(spec))
    threads = torch.get_num_threads()
    try:
        assert (
            tb.main(
                ["--workloads", str(path), "--only", "mnist-cnn", "--repetitions", "1", "--quiet"]
            )
            == 0
        )
    finally:
        torch.set_num_threads(threads)
    out = json.loads(capsys.readouterr().out)
    assert set(out) == {"mnist-cnn/plain", "mnist-cnn/lucid", "torch", "threads"}
