"""The attribution benchmark's PyTorch side: bench/attribution.json run on the CPU.

Usage (from the repository root, with the development environment)::

    python bench/reference/torch_attribution.py [--repetitions N] [--threads N]

It prints one JSON object to stdout (progress goes to stderr)::

    {"<workload id>": {"unit": "ms", "median": ..., "min": ..., "max": ..., "values": [...]},
     ..., "torch": "<version>", "threads": 2}

Each workload does what the engine does (src/engine/attribution/), as fast as PyTorch does it
here: the network from the same model.json (tfjs_to_torch.py), the same digit scaled to [0, 1],
the logit named in the file.

- occlusion: the whole-input logit, then every position's covered copy (Captum's positions,
  the square set to ``fill``) through the network in one batch, under ``torch.no_grad``; then
  each pixel's mean drop over the squares covering it, as the engine computes it.
- integrated-gradients: Captum's riemann_middle rule, all ``steps`` points of the path in one
  batch with one backward pass; then the completeness check's two forward values.

A repetition is one whole run; ``warmup`` untimed runs come first. Times are wall-clock.
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import sys
import time
from pathlib import Path
from typing import Any

import numpy as np
import torch

ROOT = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(Path(__file__).resolve().parent))
sys.path.insert(0, str(ROOT))

from tfjs_to_torch import tfjs_to_torch  # noqa: E402

from featureviz.datasets import mnist  # noqa: E402

WORKLOADS = ROOT / "bench" / "attribution.json"


def occlusion(model, x: torch.Tensor, index: int, size: int, stride: int, fill: float):
    h, w = x.shape[2:]
    rows = -(-(h - size) // stride) + 1
    cols = -(-(w - size) // stride) + 1
    with torch.no_grad():
        base = model(x)[0, index]
        mask = torch.zeros(rows * cols, 1, h, w)
        for r in range(rows):
            for c in range(cols):
                top, left = r * stride, c * stride
                mask[r * cols + c, :, top : top + size, left : left + size] = 1
        covered = x * (1 - mask) + fill * mask
        values = model(covered)[:, index]
        drop = (base - values)[:, None, None, None]
        per_pixel = (mask * drop).sum(0) / mask.sum(0).clamp(min=1)
    return values.numpy(), per_pixel.numpy()


def integrated_gradients(model, x: torch.Tensor, index: int, steps: int, baseline: float):
    start = torch.full_like(x, baseline)
    alphas = ((torch.arange(steps, dtype=torch.float32) + 0.5) / steps)[:, None, None, None]
    path = (start + alphas * (x - start)).requires_grad_(True)
    (grads,) = torch.autograd.grad(model(path)[:, index].sum(), path)
    attribution = (x - start) * grads.mean(0, keepdim=True)
    with torch.no_grad():
        ends = model(torch.cat([x, start]))[:, index]
    return attribution.detach().numpy(), float(ends[0] - ends[1])


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--repetitions", type=int, help="default: the workloads file's")
    parser.add_argument("--threads", type=int, default=2)
    parser.add_argument("--workloads", type=Path, default=WORKLOADS)
    args = parser.parse_args(argv)
    torch.set_num_threads(args.threads)
    spec = json.loads(args.workloads.read_text(encoding="utf-8"))
    repetitions = args.repetitions or spec["repetitions"]
    busy = os.getloadavg()[0]
    if busy > (os.cpu_count() or 1) - args.threads + 0.5:
        print(
            f"warning: load average {busy:.1f} on {os.cpu_count()} cores: timings with "
            f"{args.threads} threads will be unreliable "
            "(bench/reference/README.md, 'Busy machines')",
            file=sys.stderr,
        )
    model = tfjs_to_torch(ROOT / spec["model"])
    images, _ = mnist(spec["digit"]["split"]).load()
    x = torch.from_numpy(images[spec["digit"]["index"]].astype(np.float32) / 255)[None, None]
    logit = spec["digit"]["logit"]

    results: dict[str, Any] = {}
    for work in spec["workloads"]:
        if work["method"] == "occlusion":

            def run(work=work):
                occlusion(model, x, logit, work["size"], work["stride"], work["fill"])
        else:

            def run(work=work):
                integrated_gradients(model, x, logit, work["steps"], work["baseline"])

        for _ in range(spec["warmup"]):
            run()
        values = []
        for _ in range(repetitions):
            start = time.perf_counter()
            run()
            values.append((time.perf_counter() - start) * 1000)
        print(f"pytorch {work['id']}: {', '.join(f'{v:.0f}' for v in values)} ms", file=sys.stderr)
        results[work["id"]] = {
            "unit": work["unit"],
            "median": statistics.median(values),
            "min": min(values),
            "max": max(values),
            "values": values,
        }
    results["torch"] = torch.__version__
    results["threads"] = torch.get_num_threads()
    print(json.dumps(results, indent=1))
    return 0


if __name__ == "__main__":
    sys.exit(main())
