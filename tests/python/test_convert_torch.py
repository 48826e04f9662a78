"""fv.Model.from_torch: any traceable nn.Module → a TensorFlow.js functional Layers model.

The oracle is PyTorch's own forward pass on the same weights and inputs, compared with
what tfjs-layers computes from the converted model.json in Node (tfjs_reference.py).
The engine's executor is checked against PyTorch on the same networks, gradients
included, by src/engine/model/__tests__/torch-models.spec.ts (torch_models_oracle.py).
"""

from __future__ import annotations

import json
import os

import pytest

torch = pytest.importorskip("torch")
np = pytest.importorskip("numpy")
nn = torch.nn
F = torch.nn.functional

from tfjs_reference import tfjs_available, tfjs_predict  # noqa: E402
from torch_models_oracle import MEAN, STD, ResidualConcat, randomize_batch_norms  # noqa: E402

import featureviz as fv  # noqa: E402
from featureviz import _comm  # noqa: E402
from featureviz._spec import spec_schema  # noqa: E402
from featureviz.convert import ConversionError  # noqa: E402

needs_tfjs = pytest.mark.skipif(not tfjs_available(), reason="Node or tfjs-layers missing")


def torchvision_models():
    """torchvision.models, or a skip naming what is missing (a failure in CI, which installs it)."""
    try:
        import torchvision.models as models
    except Exception as err:  # ImportError, or a torchvision built for another torch
        if os.environ.get("CI"):
            raise
        pytest.skip(f"torchvision does not import here ({type(err).__name__}: {err})")
    return models


def normalized(x):
    return (x - torch.tensor(MEAN).view(1, 3, 1, 1)) / torch.tensor(STD).view(1, 3, 1, 1)


def compare(model, size, tmp_path, layers=()):
    """Converts ``model`` and checks tfjs's output (and named layers') against PyTorch's."""
    torch.manual_seed(0)
    randomize_batch_norms(model)
    model.eval()
    converted = fv.Model.from_torch(model, (3, size, size), mean=MEAN, std=STD)
    folder = converted.save(tmp_path / "model").parent
    x = torch.rand((2, 3, size, size), generator=torch.Generator().manual_seed(1))
    acts = {}

    def keep(name):
        def hook(_module, _inputs, output):
            acts[name] = output.clone()  # returns None: the module's output is unchanged

        return hook

    for name in layers:
        model.get_submodule(name).register_forward_hook(keep(name))
    with torch.no_grad():
        expected = model(normalized(x)).numpy()
    images = x.numpy().transpose(0, 2, 3, 1)
    _, y = tfjs_predict(folder, images, tmp_path)
    assert np.abs(y - expected).max() <= 1e-4 * np.abs(expected).max()
    for name in layers:
        _, y = tfjs_predict(folder, images, tmp_path, name)
        ref = acts[name].numpy()
        ref = ref.transpose(0, 2, 3, 1) if ref.ndim == 4 else ref
        assert np.abs(y - ref).max() <= 1e-4 * np.abs(ref).max(), name
    return converted


@needs_tfjs
def test_residual_concat_network_equals_pytorch(tmp_path):
    converted = compare(ResidualConcat(), 32, tmp_path, ["layer1.0.bn1", "layer1.1.conv2", "fc"])
    names = converted.layer_names
    # Module paths as the user knows them; functional ops named after their module.
    assert names[:3] == ["input", "normalize", "stem.pad"]
    for name in ["layer1.0.conv1", "layer1.0.add", "layer1.0.relu", "layer1.0.relu_1", "cat"]:
        assert name in names


@needs_tfjs
def test_resnet18_equals_pytorch(tmp_path):
    models = torchvision_models()
    converted = compare(
        models.resnet18(weights=None), 32, tmp_path, ["layer2.0.downsample.1", "layer4.1.conv2"]
    )
    assert {"layer4.1.conv2", "layer4.1.relu_1", "layer1.0.add", "fc"} <= set(converted.layer_names)


@pytest.mark.slow
@needs_tfjs
@pytest.mark.parametrize("name", ["mobilenet_v2", "squeezenet1_1", "densenet121", "vgg11_bn"])
def test_torchvision_networks_equal_pytorch(tmp_path, name):
    models = torchvision_models()
    compare(getattr(models, name)(weights=None), 32, tmp_path)


class Square(torch.autograd.Function):
    @staticmethod
    def forward(ctx, x):
        ctx.save_for_backward(x)
        return x * x

    @staticmethod
    def backward(ctx, grad):
        (x,) = ctx.saved_tensors
        return 2 * x * grad


class Unsupported(nn.Module):
    def __init__(self):
        super().__init__()
        self.conv = nn.Conv2d(3, 4, 3)
        self.head = nn.Sequential(nn.Flatten(2), nn.LSTM(36, 5, batch_first=True))
        self.mirror = nn.Conv2d(4, 4, 3, padding=1, padding_mode="reflect")

    def forward(self, x):
        x = Square.apply(self.conv(x))
        x = self.mirror(x)
        return self.head(x)[0]


def test_unsupported_operations_are_listed_with_their_module_paths():
    with pytest.raises(ConversionError) as caught:
        fv.Model.from_torch(Unsupported(), (3, 8, 8))
    message = str(caught.value)
    # Each one, including those after the first, with the module path where it occurs.
    assert "(top level): custom autograd function Square" in message
    assert "mirror: Conv2d with padding_mode='reflect'" in message
    assert "head.0: Flatten other than (start_dim=1, end_dim=-1)" in message
    assert "head.1: LSTM" in message
    assert message.startswith("4 operation(s)")


def test_a_custom_autograd_function_inside_a_submodule_names_that_module():
    class Inner(nn.Module):
        def forward(self, x):
            return Square.apply(x)

    model = nn.Sequential(nn.Conv2d(3, 3, 1), nn.Sequential(Inner()))
    with pytest.raises(ConversionError, match=r"1\.0: custom autograd function Square"):
        fv.Model.from_torch(model, (3, 4, 4))
    # Tracing left autograd Functions as they were.
    x = torch.ones(2, requires_grad=True)
    Square.apply(x).sum().backward()
    assert x.grad.tolist() == [2.0, 2.0]


def test_untraceable_forward_says_why():
    class Branchy(nn.Module):
        def forward(self, x):
            return x if x.sum() > 0 else -x

    with pytest.raises(ConversionError, match=r"torch\.fx cannot trace Branchy"):
        fv.Model.from_torch(Branchy(), (3, 4, 4))


def test_max_pool_padding_on_signed_input_is_refused_not_approximated():
    # On 8×8, PyTorch's windows start one pixel before TensorFlow's "same" ones.
    model = nn.Sequential(nn.Conv2d(3, 4, 3), nn.MaxPool2d(3, 2, 1))
    with pytest.raises(ConversionError, match="1: MaxPool2d with padding"):
        fv.Model.from_torch(model, (3, 10, 10))
    # After a ReLU, zero padding is exact.
    relu = nn.Sequential(nn.Conv2d(3, 4, 3), nn.ReLU(), nn.MaxPool2d(3, 2, 1))
    assert "2.pad" in fv.Model.from_torch(relu, (3, 10, 10)).layer_names
    # On 7×7 they are TensorFlow's: no padding layer, whatever the sign.
    assert "1.pad" not in fv.Model.from_torch(model, (3, 9, 9)).layer_names


def test_arguments_are_checked():
    model = nn.Sequential(nn.Conv2d(3, 4, 3))
    with pytest.raises(ValueError, match="input_shape must be one image's shape"):
        fv.Model.from_torch(model, (3, 8))
    with pytest.raises(ValueError, match="std must be one number or one per channel"):
        fv.Model.from_torch(model, (3, 8, 8), std=[1, 2])
    with pytest.raises(ValueError, match="input_range"):
        fv.Model.from_torch(model, (3, 8, 8), input_range=(1, 0))
    with pytest.raises(TypeError, match=r"needs a torch\.nn\.Module"):
        fv.Model.from_torch("resnet", (3, 8, 8))


def test_spec_reference_is_a_content_key_held_for_the_page(tmp_path):
    import jsonschema

    torch.manual_seed(0)
    model = nn.Sequential(nn.Conv2d(3, 4, 3), nn.ReLU())
    a = fv.Model.from_torch(model, (3, 8, 8), input_range=(0, 255))
    b = fv.Model.from_torch(model, (3, 8, 8), input_range=(0, 255))
    ref = a.to_spec()
    assert ref == b.to_spec()  # the same model, the same key: the page fetches it once
    assert ref["weightBytes"] == (4 * 3 * 3 * 3 + 4) * 4 == a.weight_bytes
    assert ref["name"] == "Sequential"
    assert ref["kernel"] in _comm.held_keys()
    schema = spec_schema()
    jsonschema.validate(ref, {**schema, "$ref": "#/definitions/KernelModelRef"})
    # What the page receives: the model.json's bytes and the weights' bytes.
    held = _comm._arrays[ref["kernel"]]
    model_json = json.loads(held["model.json"].tobytes())
    assert model_json["userDefinedMetadata"]["featureviz"]["inputRange"] == [0.0, 255.0]
    assert held["weights"].nbytes == ref["weightBytes"]
    # save() writes the same model for sharing.
    path = a.save(tmp_path / "shared")
    saved = json.loads(path.read_text())
    assert saved["modelTopology"] == model_json["modelTopology"]
    assert (tmp_path / "shared" / "group1-shard1of1.bin").read_bytes() == held["weights"].tobytes()
    # Another model, another key.
    other = fv.Model.from_torch(nn.Sequential(nn.Conv2d(3, 5, 3)), (3, 8, 8))
    assert other.to_spec()["kernel"] != ref["kernel"]


def test_a_converted_model_goes_into_a_spec():
    model = fv.Model.from_torch(nn.Sequential(nn.Conv2d(3, 4, 3), nn.ReLU()), (3, 8, 8))
    viz = fv.gradient_ascent(model, "0", channel=1)
    spec = viz.spec if hasattr(viz, "spec") else viz._repr_mimebundle_()[0]
    assert "weightBytes" in json.dumps(spec)


def test_a_wrong_layer_name_is_named_at_the_call_with_the_models_layers():
    model = fv.Model.from_torch(nn.Sequential(nn.Conv2d(3, 4, 3), nn.ReLU()), (3, 8, 8))
    with pytest.raises(ValueError, match=r'no layer "conv"\. Its layers are: 0, 1\.'):
        fv.gradient_ascent(model, "conv", channel=1)
    fv.gradient_ascent(model, "0", channel=1)  # the module path is the layer's name
