"""The top-examples benchmark's PyTorch side (run by bench/top-examples.mjs).

The same work as the engine's top-examples job: the bundled digits, scaled to
[0, 1], through the network up to the workload's layer (with its activation,
as the Keras layer outputs it) in batches of the engine's size, one value per
digit (the channel's max or mean over positions), then the top k, ties by
index. As the engine does, the last convolution computes the one channel only.
Prints one JSON line: digits per second per repetition, peak resident memory,
and the ranking (so the run checks that both sides did the same work).

    python bench/reference/torch_top_examples.py '<workload JSON>' BATCH
"""

from __future__ import annotations

import json
import resource
import sys
import time
from pathlib import Path

import torch
from tfjs_to_torch import tfjs_to_torch, truncate
from torch import nn

ROOT = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(ROOT))

from featureviz import datasets  # noqa: E402  (the checkout's package)


def one_channel(work: dict) -> nn.Sequential:
    """The network up to the target layer and its activation, that layer cut to one channel."""
    layer, channel = work["target"]["layer"], work["target"]["channel"]
    full = tfjs_to_torch(ROOT / work["model"])
    model = truncate(full, layer)
    activation = dict(full.named_children()).get(f"{layer}/activation")
    if activation is not None:
        model.add_module(f"{layer}/activation", activation)
    conv = getattr(model, layer)
    if not isinstance(conv, nn.Conv2d):
        raise SystemExit(f"{layer} is not a convolution")
    cut = nn.Conv2d(conv.in_channels, 1, conv.kernel_size, conv.stride, conv.padding, conv.dilation)
    cut.weight.data = conv.weight.data[channel : channel + 1].clone()
    cut.bias.data = conv.bias.data[channel : channel + 1].clone()
    setattr(model, layer, cut)
    return model.eval()


def rank(model: torch.nn.Module, images: torch.Tensor, work: dict, batch: int) -> torch.Tensor:
    """The indices of the top k digits for the workload's channel."""
    target = work["target"]
    values = torch.empty(len(images))
    with torch.no_grad():
        for first in range(0, len(images), batch):
            x = images[first : first + batch].float().div_(255).unsqueeze(1)
            out = model(x).flatten(1)
            values[first : first + batch] = (
                out.amax(1) if target.get("reduce", "max") == "max" else out.mean(1)
            )
    # A stable sort of the negated values: ties keep the lower index first.
    return torch.sort(-values, stable=True).indices[: work["k"]]


def main() -> int:
    work = json.loads(sys.argv[1])
    batch = int(sys.argv[2])
    if work["target"]["type"] != "channel":
        raise SystemExit("the PyTorch side ranks channel targets only")
    model = one_channel(work)
    images, _ = datasets.mnist("all").load((ROOT / work["data"]).parent)
    images = torch.from_numpy(images)
    top = rank(model, images, work, batch)  # warm-up, as the engine's first run
    rates = []
    for _ in range(work["repetitions"]):
        start = time.perf_counter()
        rank(model, images, work, batch)
        rates.append(len(images) / (time.perf_counter() - start))
    print(
        json.dumps(
            {
                "count": len(images),
                "threads": torch.get_num_threads(),
                "top": top.tolist(),
                "values": rates,
                "maxRssMB": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024,
            }
        )
    )
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
