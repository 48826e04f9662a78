"""The PyTorch oracle behind the engine's attribution tests (tests/python/attribution_oracle.py).

The jest test src/engine/attribution/__tests__/oracle.spec.ts compares the
engine with the committed fixture; this checks that the fixture is what the
oracle computes from the shipped model, and the oracle's own rules against
closed forms.
"""

from __future__ import annotations

import json

import pytest

torch = pytest.importorskip("torch")
np = pytest.importorskip("numpy")

from attribution_oracle import (  # noqa: E402
    FIXTURE,
    RuleRelu,
    compute,
    gradient_of,
    logit,
    occlusion,
    read,
)

nn = torch.nn


def assert_close(saved, computed, where="manifest"):
    """Equal JSON, numbers within float32 rounding."""
    if isinstance(computed, dict):
        assert sorted(saved) == sorted(computed), where
        for key in computed:
            assert_close(saved[key], computed[key], f"{where}.{key}")
    elif isinstance(computed, list):
        assert len(saved) == len(computed), where
        for i, (a, b) in enumerate(zip(saved, computed)):
            assert_close(a, b, f"{where}[{i}]")
    elif isinstance(computed, float):
        assert saved == pytest.approx(computed, rel=1e-5, abs=1e-6), where
    else:
        assert saved == computed, where


@pytest.fixture(scope="module")
def computed():
    return compute()


def test_the_committed_fixture_is_what_the_oracle_computes(computed):
    manifest, arrays = computed
    saved_manifest, saved = read(FIXTURE)
    assert_close(saved_manifest, json.loads(json.dumps(manifest)))
    assert sorted(saved) == sorted(arrays)
    for name, array in arrays.items():
        scale = max(1e-6, float(np.abs(array).max()))
        assert np.abs(saved[name] - array).max() <= 1e-5 * scale, name


def test_integrated_gradients_are_complete_within_one_percent(computed):
    manifest, _ = computed
    for digit in manifest["digits"]:
        assert digit["igSum"] == pytest.approx(digit["igDelta"], rel=0.01)


def test_the_relu_rules_match_the_closed_form_of_a_two_layer_network():
    # y = w2 · relu(W1 x): the gradient is W1ᵀ (m ⊙ w2) with m = 1[W1 x > 0];
    # guided backprop W1ᵀ (m ⊙ relu(w2)); deconvnet W1ᵀ relu(w2).
    w1 = torch.tensor([[1.0, -2.0, 0.5], [-1.0, 1.0, 1.0], [2.0, 0.0, -1.0], [0.5, 0.5, 0.5]])
    w2 = torch.tensor([[1.5, -1.0, 2.0, -0.5]])
    x = torch.tensor([[1.0, 0.5, -1.0]])
    m = (x @ w1.T > 0).float()

    def net(relu):
        first, second = nn.Linear(3, 4, bias=False), nn.Linear(4, 1, bias=False)
        first.weight.data, second.weight.data = w1, w2
        return nn.Sequential(first, relu, second)

    unit = logit(0)
    plain = gradient_of(net(nn.ReLU()), x, unit)
    guided = gradient_of(net(RuleRelu(guided=True)), x, unit)
    deconv = gradient_of(net(RuleRelu(guided=False)), x, unit)
    assert torch.allclose(plain, (m * w2) @ w1)
    assert torch.allclose(guided, (m * w2.clamp(min=0)) @ w1)
    assert torch.allclose(deconv, w2.clamp(min=0) @ w1)
    assert not torch.allclose(guided, deconv)  # the example tells the rules apart


def test_occlusion_positions_follow_captum_and_cover_the_edge():
    model = nn.Sequential(nn.Flatten(), nn.Linear(36, 1, bias=False))
    model[1].weight.data = torch.ones(1, 36)
    x = torch.ones(1, 1, 6, 6)
    base, values, pixel_map = occlusion(model, x, 0, size=4, stride=3, fill=0.0)
    # ceil((6 - 4) / 3) + 1 = 2 positions per axis; the second square is cut to 3 rows.
    assert base == 36 and values.shape == (2, 2)
    assert values.tolist() == [[20.0, 24.0], [24.0, 27.0]]
    assert pixel_map[0, 0] == 16 and pixel_map[5, 5] == 9
