"""Makes the benchmark's second network: a MobileNet-v1, alpha 0.5, 128 x 128 x 3.

Usage (from the repository root, with the development environment)::

    python bench/models/make_mobilenet.py [--out DIR] [--seed N]

The benchmark needs a network of realistic shape and cost, not a trained one, so
the weights are random (from a fixed seed) and nothing is downloaded. The
layers and names are Keras's ``MobileNet(alpha=0.5, input_shape=(128, 128, 3))``:
``conv1_pad``/``conv1``/``conv1_bn``/``conv1_relu``, then 13 depthwise-separable
blocks ``conv_pad_N`` (before stride-2 blocks only), ``conv_dw_N``,
``conv_dw_N_bn``, ``conv_dw_N_relu``, ``conv_pw_N``, ``conv_pw_N_bn``,
``conv_pw_N_relu``, and a head ``global_average_pooling2d``, ``flatten``,
``dropout``, ``logits`` (1000 classes, no softmax).

Batch norm gets random running means and variances as well as random scales and
offsets: with the defaults (0 and 1) it would be nearly the identity, and the
benchmark's objective reads a batch norm's output (``conv_pw_7_bn``).

It writes into ``DIR`` (default ``bench/models/mobilenet-v1-0.5-128/``):

- ``model.json`` + ``group1-shard1of1.bin``: the TensorFlow.js Layers model,
  float32 weights, written by ``featureviz.convert.sequential_to_tfjs``;
- ``torch_state.pt``: the PyTorch ``state_dict`` of :func:`build_model`.

The output is deterministic: the weights are drawn with NumPy's legacy
``RandomState``, whose streams NumPy keeps fixed across versions, so the same
seed gives the same bytes (the model.json names the PyTorch version, which
therefore also has to match).
"""

from __future__ import annotations

import argparse
import sys
from collections import OrderedDict
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(ROOT))  # the checkout's featureviz, installed or not

from featureviz.convert import sequential_to_tfjs  # noqa: E402

OUT_DIR = ROOT / "bench" / "models" / "mobilenet-v1-0.5-128"
STATE_FILE = "torch_state.pt"
SEED = 0
ALPHA = 0.5
INPUT_SHAPE = (3, 128, 128)  # as PyTorch sees it; tfjs's is (128, 128, 3)
CLASSES = 1000
# Keras's MobileNet defaults: BatchNormalization(epsilon=1e-3, momentum=0.99), dropout 1e-3.
BN_EPS = 1e-3
BN_MOMENTUM = 0.01  # PyTorch's convention: 1 - Keras's momentum
DROPOUT = 1e-3
# (pointwise filters at alpha = 1, stride) of blocks 1..13, as in keras.applications.mobilenet.
BLOCKS = [
    (64, 1),
    (128, 2),
    (128, 1),
    (256, 2),
    (256, 1),
    (512, 2),
    (512, 1),
    (512, 1),
    (512, 1),
    (512, 1),
    (512, 1),
    (1024, 2),
    (1024, 1),
]


def _conv_bn_relu(layers, name, conv, channels):
    import torch.nn as nn

    layers[name] = conv
    layers[f"{name}_bn"] = nn.BatchNorm2d(channels, eps=BN_EPS, momentum=BN_MOMENTUM)
    layers[f"{name}_relu"] = nn.ReLU6()


def build_model(alpha: float = ALPHA, classes: int = CLASSES):
    """The MobileNet-v1 as a PyTorch ``nn.Sequential`` named like Keras's layers."""
    import torch.nn as nn

    layers: OrderedDict[str, nn.Module] = OrderedDict()
    # Keras's 'same' with stride 2 on an even size pads 0 before and 1 after;
    # PyTorch's symmetric padding cannot, hence the explicit pad (as Keras writes it).
    layers["conv1_pad"] = nn.ZeroPad2d((0, 1, 0, 1))
    channels = int(32 * alpha)
    _conv_bn_relu(layers, "conv1", nn.Conv2d(3, channels, 3, stride=2, bias=False), channels)
    for n, (filters, stride) in enumerate(BLOCKS, start=1):
        if stride == 2:
            layers[f"conv_pad_{n}"] = nn.ZeroPad2d((0, 1, 0, 1))
        dw = nn.Conv2d(
            channels, channels, 3, stride=stride, padding=1 if stride == 1 else 0,
            groups=channels, bias=False,
        )  # fmt: skip
        _conv_bn_relu(layers, f"conv_dw_{n}", dw, channels)
        out = int(filters * alpha)
        _conv_bn_relu(layers, f"conv_pw_{n}", nn.Conv2d(channels, out, 1, bias=False), out)
        channels = out
    layers["global_average_pooling2d"] = nn.AdaptiveAvgPool2d(1)
    layers["flatten"] = nn.Flatten()
    layers["dropout"] = nn.Dropout(DROPOUT)
    layers["logits"] = nn.Linear(channels, classes)
    return nn.Sequential(layers)


def randomize(model, seed: int = SEED):
    """Fills every weight and batch-norm statistic from ``seed``, in module order."""
    import numpy as np
    import torch
    import torch.nn as nn

    rng = np.random.RandomState(seed)

    def fill(t, values):
        t.copy_(torch.from_numpy(np.asarray(values, np.float32).reshape(t.shape)))

    with torch.no_grad():
        for module in model.modules():
            if isinstance(module, nn.Conv2d):
                # He-normal: keeps activations at a similar scale through ReLU6
                # and 27 convolutions, so that no layer is saturated or dead.
                fan_in = module.weight[0].numel()
                fill(module.weight, rng.normal(0, np.sqrt(2 / fan_in), module.weight.shape))
            elif isinstance(module, nn.BatchNorm2d):
                c = module.num_features
                fill(module.weight, rng.uniform(0.5, 1.5, c))
                fill(module.bias, rng.normal(0, 0.2, c))
                fill(module.running_mean, rng.normal(0, 0.2, c))
                fill(module.running_var, rng.uniform(0.5, 2.0, c))
            elif isinstance(module, nn.Linear):
                fan_in = module.in_features
                fill(module.weight, rng.normal(0, np.sqrt(1 / fan_in), module.weight.shape))
                fill(module.bias, rng.normal(0, 0.01, module.out_features))
    return model


def make(out_dir: Path = OUT_DIR, seed: int = SEED) -> tuple[object, dict[str, int]]:
    """Builds, randomizes and writes the model; returns it and the written files' sizes."""
    import torch

    model = randomize(build_model(), seed).eval()
    out_dir = Path(out_dir)
    names = [name for name, _ in model.named_children()]
    path = sequential_to_tfjs(model, out_dir, input_shape=INPUT_SHAPE, layer_names=names)
    torch.save(model.state_dict(), out_dir / STATE_FILE)
    files = [path, *sorted(p for p in path.parent.glob("*.bin")), out_dir / STATE_FILE]
    return model, {p.name: p.stat().st_size for p in files}


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--out", type=Path, default=OUT_DIR, help=f"default: {OUT_DIR}")
    parser.add_argument("--seed", type=int, default=SEED)
    args = parser.parse_args(argv)

    model, sizes = make(args.out, args.seed)
    params = sum(p.numel() for p in model.parameters())
    stats = sum(b.numel() for n, b in model.named_buffers() if n.endswith(("_mean", "_var")))
    print(
        f"MobileNet-v1 alpha {ALPHA}, {INPUT_SHAPE[1]}x{INPUT_SHAPE[2]}x{INPUT_SHAPE[0]}, "
        f"seed {args.seed}: {params:,} parameters + {stats:,} batch-norm statistics "
        f"= {params + stats:,} weights"
    )
    for name, size in sizes.items():
        print(f"  {args.out / name}: {size:,} bytes")
    return 0


if __name__ == "__main__":
    sys.exit(main())
