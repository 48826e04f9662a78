"""Attribution oracles computed with PyTorch autograd on the shipped MNIST model.

The engine's attribution lenses (src/engine/attribution/) are checked against
these: the same weights (the tfjs files, read into PyTorch by
bench/reference/tfjs_to_torch.py), the same digits, the definitions written
here independently from the papers and Captum's documentation:

- gradient: d unit / d x;
- SmoothGrad: the mean gradient at x + sigma * noise_i, sigma = noise * (max x - min x);
  the standard normal noise is written into the fixture, so the engine can use it;
- Integrated Gradients, Captum's riemann_middle rule: (x - b) * mean_k grad(b + (k + 1/2)/m (x - b));
- guided backpropagation and deconvnet: every nn.ReLU replaced by a function whose backward
  pass is relu(grad_out) * (x > 0) (guided) or relu(grad_out) (deconvnet), Captum's rules;
- Grad-CAM at conv2d_1: relu(sum_k mean(dy/dA_k) A_k), bilinear upsampling with
  align_corners=False;
- occlusion: the unit with a square of zeros at each position, positions as in Captum
  (ceil((n - size) / stride) + 1 per axis, the last square cut off by the edge), and
  Captum's per-pixel attribution, the mean of f(x) - f(covered) over covering squares.

Run it to write the fixture (the pytest checks that the committed one is what it computes)::

    python tests/python/attribution_oracle.py
"""

from __future__ import annotations

import json
import sys
from pathlib import Path

import numpy as np
import torch
import torch.nn.functional as F
from torch import nn

ROOT = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(ROOT / "bench" / "reference"))
sys.path.insert(0, str(ROOT))

from tfjs_to_torch import tfjs_to_torch  # noqa: E402

from featureviz.datasets import mnist  # noqa: E402

MODEL = ROOT / "assets" / "models" / "mnist-cnn" / "model.json"
FIXTURE = ROOT / "tests" / "fixtures" / "attribution"
#: Test-split digits: an 8, a 2 and a 3.
DIGITS = (2, 5, 0)
SMOOTHGRAD = {"noise": 0.15, "samples": 4}
IG = {"steps": 32, "baseline": 0.0}
OCCLUSIONS = ({"size": 7, "stride": 7, "fill": 0.0}, {"size": 5, "stride": 3, "fill": 0.5})
CAM_LAYER = "conv2d_1"
#: Units other than a logit, each checked with the plain gradient.
CHANNEL = {"layer": "conv2d_1", "channel": 5}  # its maximum over positions
NEURON = {"layer": "conv2d", "channel": 3, "x": 10, "y": 12}


class _Relu(torch.autograd.Function):
    """A ReLU whose backward pass follows a rule (guided or deconvnet)."""

    @staticmethod
    def forward(ctx, x, guided):
        ctx.save_for_backward(x)
        ctx.guided = guided
        return x.clamp(min=0)

    @staticmethod
    def backward(ctx, grad):
        (x,) = ctx.saved_tensors
        out = grad.clamp(min=0)
        if ctx.guided:
            out = out * (x > 0).to(out.dtype)
        return out, None


class RuleRelu(nn.Module):
    def __init__(self, guided: bool):
        super().__init__()
        self.guided = guided

    def forward(self, x):
        return _Relu.apply(x, self.guided)


def with_relu_rule(model: nn.Sequential, guided: bool) -> nn.Sequential:
    """A copy of ``model`` (the same modules) whose nn.ReLU children follow a rule."""
    out = nn.Sequential()
    for name, module in model.named_children():
        out.add_module(name, RuleRelu(guided) if isinstance(module, nn.ReLU) else module)
    return out.eval()


def split(model: nn.Sequential, layer: str) -> tuple[nn.Sequential, nn.Sequential]:
    """The children up to ``layer``'s output (after its activation), and the rest."""
    names = [name for name, _ in model.named_children()]
    cut = names.index(f"{layer}/activation" if f"{layer}/activation" in names else layer) + 1
    head, tail = nn.Sequential(), nn.Sequential()
    for i, (name, module) in enumerate(model.named_children()):
        (head if i < cut else tail).add_module(name, module)
    return head.eval(), tail.eval()


def channels_last(t: torch.Tensor) -> np.ndarray:
    return t.detach().permute(0, 2, 3, 1).numpy().astype(np.float32)


def gradient_of(model, x: torch.Tensor, unit) -> torch.Tensor:
    x = x.clone().requires_grad_(True)
    (grad,) = torch.autograd.grad(unit(model, x).sum(), x)
    return grad


def logit(index: int):
    return lambda model, x: model(x)[:, index]


def channel_max(layer: str, channel: int):
    def unit(model, x):
        head, _ = split(model, layer)
        return head(x)[:, channel].flatten(1).max(1).values

    return unit


def neuron(layer: str, channel: int, col: int, row: int):
    def unit(model, x):
        head, _ = split(model, layer)
        return head(x)[:, channel, row, col]

    return unit


def grad_cam(model, x: torch.Tensor, index: int, layer: str) -> tuple[np.ndarray, np.ndarray]:
    head, tail = split(model, layer)
    activation = head(x).detach().requires_grad_(True)
    (grads,) = torch.autograd.grad(tail(activation)[:, index].sum(), activation)
    cam = F.relu((grads.mean(dim=(2, 3), keepdim=True) * activation).sum(1, keepdim=True))
    up = F.interpolate(cam, size=x.shape[2:], mode="bilinear", align_corners=False)
    return cam.detach()[0, 0].numpy(), up.detach()[0, 0].numpy()


def occlusion(model, x: torch.Tensor, index: int, size: int, stride: int, fill: float):
    h, w = x.shape[2:]
    rows = -(-(h - size) // stride) + 1
    cols = -(-(w - size) // stride) + 1
    with torch.no_grad():
        base = model(x)[0, index].item()
        values = np.zeros((rows, cols), np.float64)
        total = np.zeros((h, w))
        count = np.zeros((h, w))
        for r in range(rows):
            for c in range(cols):
                covered = x.clone()
                top, left = r * stride, c * stride
                covered[:, :, top : top + size, left : left + size] = fill
                values[r, c] = model(covered)[0, index].item()
                total[top : top + size, left : left + size] += base - values[r, c]
                count[top : top + size, left : left + size] += 1
    return base, values, total / count


def compute() -> tuple[dict, dict[str, np.ndarray]]:
    """The oracle's numbers: a manifest and its arrays, by name."""
    torch.manual_seed(0)
    model = tfjs_to_torch(MODEL)
    guided = with_relu_rule(model, guided=True)
    deconv = with_relu_rule(model, guided=False)
    images, labels = mnist("test").load()
    arrays: dict[str, np.ndarray] = {}
    digits = []
    noise_rng = np.random.RandomState(13)
    for index in DIGITS:
        x = torch.from_numpy(images[index].astype(np.float32) / 255)[None, None]
        label = int(labels[index])
        with torch.no_grad():
            logits = model(x)[0]
        key = f"digit{index}"
        arrays[f"{key}/logits"] = logits.numpy()
        unit = logit(label)
        arrays[f"{key}/gradient"] = channels_last(gradient_of(model, x, unit))
        arrays[f"{key}/guided-backprop"] = channels_last(gradient_of(guided, x, unit))
        arrays[f"{key}/deconvnet"] = channels_last(gradient_of(deconv, x, unit))
        arrays[f"{key}/channel-gradient"] = channels_last(
            gradient_of(model, x, channel_max(CHANNEL["layer"], CHANNEL["channel"]))
        )
        arrays[f"{key}/neuron-gradient"] = channels_last(
            gradient_of(
                model, x, neuron(NEURON["layer"], NEURON["channel"], NEURON["x"], NEURON["y"])
            )
        )
        # SmoothGrad, with noise the engine is given too ([samples, h, w, c]).
        normals = noise_rng.standard_normal((SMOOTHGRAD["samples"], 28, 28, 1)).astype(np.float32)
        arrays[f"{key}/smoothgrad-noise"] = normals
        sigma = SMOOTHGRAD["noise"] * float(x.max() - x.min())
        noisy = x + sigma * torch.from_numpy(normals).permute(0, 3, 1, 2)
        arrays[f"{key}/smoothgrad"] = channels_last(
            gradient_of(model, noisy, unit).mean(0, keepdim=True)
        )
        # Integrated Gradients, riemann_middle.
        m, b = IG["steps"], IG["baseline"]
        alphas = (torch.arange(m, dtype=torch.float32) + 0.5) / m
        path = b + alphas[:, None, None, None] * (x - b)
        mean_grad = gradient_of(model, path, unit).mean(0, keepdim=True)
        ig = (x - b) * mean_grad
        arrays[f"{key}/integrated-gradients"] = channels_last(ig)
        with torch.no_grad():
            delta = (model(x)[0, label] - model(torch.full_like(x, b))[0, label]).item()
        low, up = grad_cam(model, x, label, CAM_LAYER)
        arrays[f"{key}/grad-cam-low"] = low
        arrays[f"{key}/grad-cam"] = up
        occlusions = []
        for n, options in enumerate(OCCLUSIONS):
            base, values, pixel_map = occlusion(model, x, label, **options)
            arrays[f"{key}/occlusion{n}/values"] = values.astype(np.float32)
            arrays[f"{key}/occlusion{n}/map"] = pixel_map.astype(np.float32)
            occlusions.append({"base": base})
        digits.append(
            {
                "index": index,
                "label": label,
                "predicted": int(logits.argmax()),
                "igSum": float(ig.sum()),
                "igDelta": delta,
                "occlusions": occlusions,
            }
        )
    manifest = {
        "model": "assets/models/mnist-cnn/model.json",
        "split": "test",
        "smoothgrad": SMOOTHGRAD,
        "integratedGradients": IG,
        "occlusions": list(OCCLUSIONS),
        "camLayer": CAM_LAYER,
        "channel": CHANNEL,
        "neuron": NEURON,
        "digits": digits,
    }
    return manifest, arrays


def write(folder: Path, manifest: dict, arrays: dict[str, np.ndarray]) -> None:
    """manifest.json (with each array's offset and shape) and arrays.f32 (little-endian)."""
    folder.mkdir(parents=True, exist_ok=True)
    offset, entries, blobs = 0, {}, []
    for name, array in arrays.items():
        data = np.ascontiguousarray(array, "<f4")
        entries[name] = {"offset": offset, "shape": list(data.shape)}
        offset += data.size
        blobs.append(data.tobytes())
    (folder / "arrays.f32").write_bytes(b"".join(blobs))
    body = {**manifest, "arrays": entries}
    (folder / "manifest.json").write_text(json.dumps(body, indent=1) + "\n", encoding="utf-8")


def read(folder: Path) -> tuple[dict, dict[str, np.ndarray]]:
    body = json.loads((folder / "manifest.json").read_text(encoding="utf-8"))
    flat = np.fromfile(folder / "arrays.f32", "<f4")
    arrays = {
        name: flat[e["offset"] : e["offset"] + int(np.prod(e["shape"]))].reshape(e["shape"])
        for name, e in body.pop("arrays").items()
    }
    return body, arrays


if __name__ == "__main__":
    write(FIXTURE, *compute())
    print(f"wrote {FIXTURE}")
