"""bench/reference/torch_attribution.py: the attribution benchmark's PyTorch side.

The yardstick must do the engine's work, not less: its batched occlusion is compared with
the oracle's one-position-at-a-time loop (tests/python/attribution_oracle.py), and its
one-batch Integrated Gradients with the completeness identity and with Captum's
riemann_middle rule computed one path point at a time.
"""

from __future__ import annotations

import sys

import pytest

torch = pytest.importorskip("torch")
np = pytest.importorskip("numpy")

from conftest import ROOT  # noqa: E402

sys.path.insert(0, str(ROOT / "bench" / "reference"))
sys.path.insert(0, str(ROOT / "tests" / "python"))
import attribution_oracle as oracle  # noqa: E402
import torch_attribution as ta  # noqa: E402
from tfjs_to_torch import tfjs_to_torch  # noqa: E402

from featureviz.datasets import mnist  # noqa: E402


@pytest.fixture(scope="module")
def model_and_eight():
    model = tfjs_to_torch(oracle.MODEL)
    images, labels = mnist("test").load()
    assert int(labels[2]) == 8
    return model, torch.from_numpy(images[2].astype(np.float32) / 255)[None, None]


@pytest.mark.parametrize(("size", "stride", "fill"), [(7, 1, 0.0), (5, 3, 0.5)])
def test_batched_occlusion_is_the_position_by_position_loop(model_and_eight, size, stride, fill):
    model, x = model_and_eight
    values, per_pixel = ta.occlusion(model, x, 8, size, stride, fill)
    _, expected, expected_map = oracle.occlusion(model, x, 8, size, stride, fill)
    np.testing.assert_allclose(values.reshape(expected.shape), expected, rtol=1e-5, atol=1e-5)
    np.testing.assert_allclose(per_pixel[0], expected_map, rtol=1e-4, atol=1e-5)


def test_one_batch_integrated_gradients_is_riemann_middle_and_complete(model_and_eight):
    model, x = model_and_eight
    steps = 64
    attribution, delta = ta.integrated_gradients(model, x, 8, steps, 0.0)
    total = torch.zeros_like(x)
    for k in range(steps):
        point = ((k + 0.5) / steps * x).requires_grad_(True)
        (grad,) = torch.autograd.grad(model(point)[0, 8], point)
        total += grad
    np.testing.assert_allclose(attribution, (x * total / steps).numpy(), rtol=1e-4, atol=1e-6)
    with torch.no_grad():
        assert delta == pytest.approx(float(model(x)[0, 8] - model(torch.zeros_like(x))[0, 8]))
    assert abs(attribution.sum() - delta) < 0.01 * abs(delta)
