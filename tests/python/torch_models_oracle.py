"""PyTorch's own answers for networks converted by ``fv.Model.from_torch``: the oracle of
``src/engine/model/__tests__/torch-models.spec.ts``.

``python torch_models_oracle.py OUT NET [NET ...]`` builds each network with seeded random
weights (batch-norm statistics and affine parameters moved away from the identity, as after
training), converts it with ImageNet normalization, saves it into ``OUT/NET/`` and writes
beside it, computed by PyTorch in float32 on the same inputs:

- ``inputs.f32``: random images in [0, 1], (N, H, W, C);
- ``act-<i>.f32``: the activation of each checked layer, channels last;
- ``grad.f32``: autograd's input gradient of Σ_images mean_positions(channel c of a middle
  layer), channels last;
- ``meta.json``: the layers checked (tfjs name, shape), the gradient's layer and channel,
  the weight size; or ``{"skipped": reason}`` when the network cannot be built here
  (torchvision missing).

Layers are read by module forward hooks, named as the converter names them: a module's
path, with ``_k`` for its k-th call after the first.
"""

from __future__ import annotations

import json
import os
import sys
from pathlib import Path

import numpy as np
import torch
import torch.nn as nn
import torch.nn.functional as F

import featureviz as fv

MEAN, STD = [0.485, 0.456, 0.406], [0.229, 0.224, 0.225]
IMAGES = 2


class Block(nn.Module):
    """A residual block with a shared ReLU (called twice), a grouped conv and batch norms."""

    def __init__(self, channels: int) -> None:
        super().__init__()
        self.conv1 = nn.Conv2d(channels, channels, 3, padding=1, bias=False)
        self.bn1 = nn.BatchNorm2d(channels)
        self.relu = nn.ReLU(inplace=True)
        self.conv2 = nn.Conv2d(channels, channels, 3, padding=1, groups=2)
        self.bn2 = nn.BatchNorm2d(channels)

    def forward(self, x):
        y = self.relu(self.bn1(self.conv1(x)))
        return self.relu(self.bn2(self.conv2(y)) + x)


class ResidualConcat(nn.Module):
    """Residual additions, concatenating branches, functional ops, padded pools, a Linear."""

    def __init__(self) -> None:
        super().__init__()
        self.stem = nn.Conv2d(3, 8, 7, stride=2, padding=3)
        self.pool = nn.MaxPool2d(3, 2, 1)
        self.layer1 = nn.Sequential(Block(8), Block(8))
        self.branch = nn.Conv2d(8, 4, 1)
        self.dilated = nn.Conv2d(8, 8, 3, padding=2, dilation=2, groups=8)
        self.squeeze = nn.Conv2d(12, 6, 3, stride=2, padding=1)
        self.fc = nn.Linear(6 * 4 * 4, 10)

    def forward(self, x):
        x = self.pool(F.relu(self.stem(x)))
        x = self.layer1(x)
        x = torch.cat([F.gelu(self.branch(x)), torch.sigmoid(self.dilated(x))], 1)
        x = F.silu(self.squeeze(x))
        x = F.avg_pool2d(x, 1)
        return self.fc(torch.flatten(x, 1))


def build(name: str) -> tuple[nn.Module, int]:
    """The network and its input size; raises ImportError naming what is missing."""
    if name == "residual-concat":
        return ResidualConcat(), 32
    try:
        import torchvision.models as tvm
    except Exception as err:  # ImportError, or torchvision built for another torch
        raise ImportError(f"torchvision does not import here ({err})") from err
    if not hasattr(tvm, name):
        raise ImportError(f"this torchvision ({tvm.__name__}) has no {name}")
    # The deepest layers at 1×1 or 2×2: CPU runs stay short. SqueezeNet's fire modules die
    # out (all zero, random weights) below 64 pixels.
    size = 64 if name == "squeezenet1_1" else 32
    return getattr(tvm, name)(weights=None), size


def randomize_batch_norms(model: nn.Module) -> None:
    with torch.no_grad():
        for module in model.modules():
            if isinstance(module, nn.BatchNorm2d):
                module.running_mean.uniform_(-0.3, 0.3)
                module.running_var.uniform_(0.5, 2.0)
                module.weight.uniform_(0.5, 1.5)
                module.bias.uniform_(-0.3, 0.3)


def record(model: nn.Module) -> tuple[dict[str, torch.Tensor], dict[str, torch.Tensor]]:
    """Hooks that keep every leaf module's output under its converted layer name: a copy
    (an in-place ReLU after it would change the tensor) and the tensor itself (to
    differentiate through)."""
    acts: dict[str, torch.Tensor] = {}
    live: dict[str, torch.Tensor] = {}
    calls: dict[str, int] = {}

    def hook(path: str):
        def keep(_module, _inputs, output):
            k = calls.get(path, 0)
            calls[path] = k + 1
            name = path if k == 0 else f"{path}_{k}"
            acts[name] = output.detach().clone()
            live[name] = output

        return keep

    for path, module in model.named_modules():
        if path and not list(module.children()):
            module.register_forward_hook(hook(path))
    return acts, live


def channels_last(t: torch.Tensor) -> np.ndarray:
    array = t.detach().numpy().astype(np.float32)
    return array.transpose(0, 2, 3, 1) if array.ndim == 4 else array


def oracle(name: str, out: Path) -> None:
    folder = out / name
    folder.mkdir(parents=True, exist_ok=True)
    try:
        model, size = build(name)
    except ImportError as err:
        # CI installs torchvision (requirements-dev.txt), so there a missing one is a failure.
        if os.environ.get("CI"):
            raise
        (folder / "meta.json").write_text(json.dumps({"skipped": str(err)}))
        return
    torch.manual_seed(0)
    randomize_batch_norms(model)
    model.eval()
    converted = fv.Model.from_torch(model, (3, size, size), mean=MEAN, std=STD)
    converted.save(folder)
    names = set(converted.layer_names)

    x = torch.rand((IMAGES, 3, size, size), generator=torch.Generator().manual_seed(1))
    x.requires_grad_(True)
    mean = torch.tensor(MEAN).view(1, 3, 1, 1)
    std = torch.tensor(STD).view(1, 3, 1, 1)
    acts, live = record(model)
    output = model((x - mean) / std)

    convs = [p for p, m in model.named_modules() if isinstance(m, nn.Conv2d) and p in names]
    middle = convs[len(convs) // 2]
    # The liveliest of the first channels: a dead one (a zero gradient) would prove nothing.
    channel = int(live[middle][:, :16].mean(dim=(2, 3)).sum(0).argmax())
    objective = live[middle][:, channel].mean(dim=(1, 2)).sum()
    (grad,) = torch.autograd.grad(objective, x)

    checked = [convs[1], middle, convs[-1], converted.layer_names[-1]]
    layers = []
    for i, layer in enumerate(dict.fromkeys(checked)):
        value = output if layer == converted.layer_names[-1] else acts[layer]
        array = channels_last(value)
        (folder / f"act-{i}.f32").write_bytes(array.astype("<f4").tobytes())
        layers.append({"name": layer, "shape": list(array.shape)})
    (folder / "inputs.f32").write_bytes(channels_last(x).astype("<f4").tobytes())
    (folder / "grad.f32").write_bytes(channels_last(grad).astype("<f4").tobytes())
    meta = {
        "inputShape": [IMAGES, size, size, 3],
        "layers": layers,
        "gradient": {"layer": middle, "channel": channel, "objective": objective.item()},
        "weightBytes": converted.weight_bytes,
    }
    (folder / "meta.json").write_text(json.dumps(meta))


def main(argv: list[str]) -> None:
    out = Path(argv[0])
    for name in argv[1:]:
        oracle(name, out)


if __name__ == "__main__":
    main(sys.argv[1:])
