"""The benchmark's PyTorch side: bench/workloads.json run on the CPU.

Usage (from the repository root, with the development environment)::

    python bench/models/make_mobilenet.py            # once: the second network
    python bench/reference/torch_bench.py            # every workload, ~1 minute on 2 cores
    python bench/reference/torch_bench.py --only mnist-cnn/plain --repetitions 3

It prints one JSON object to stdout (progress goes to stderr)::

    {"<workload id>": {"unit": "steps/s", "median": ..., "min": ..., "max": ...,
                       "values": [...]},
     ..., "torch": "<version>", "threads": 2}

Each workload does what the TensorFlow.js engine does for it (bench/reference/
README.md spells it out): the network from the same model.json and weights (see
tfjs_to_torch.py), cut after the objective layer (before that layer's ReLU); a
channel objective; a pixel or Fourier (Lucid's fft_image) parameterization with
optional colour decorrelation and a sigmoid; Lucid-style random transforms; and
Adam on the image variables only. A repetition builds fresh variables and
optimizer, runs the warm-up steps untimed, then times the steps.
"""

from __future__ import annotations

import argparse
import json
import math
import os
import random
import statistics
import sys
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

import numpy as np
import torch
import torch.nn.functional as F
from torch import nn

sys.path.insert(0, str(Path(__file__).resolve().parent))
from tfjs_to_torch import tfjs_to_torch, truncate

ROOT = Path(__file__).resolve().parents[2]
WORKLOADS = ROOT / "bench" / "workloads.json"
THREADS = 2
SEED = 0

# Adam as the engine configures it.
LEARNING_RATE = 0.05
BETAS = (0.9, 0.999)
EPS = 1e-8
INIT_STD = 0.01

# Lucid's color_correlation_svd_sqrt, normalized by its largest column norm.
COLOR_CORRELATION = np.array(
    [[0.26, 0.09, 0.02], [0.27, 0.00, -0.05], [0.27, -0.09, 0.03]], dtype=np.float64
)
DECORRELATION = COLOR_CORRELATION / np.linalg.norm(COLOR_CORRELATION, axis=0).max()

Image = Callable[[], torch.Tensor]


# --- parameterizations: variables, and the B x H x W x C image in [0, 1] they make


def _to_valid(t: torch.Tensor, decorrelate: bool) -> torch.Tensor:
    """Lucid's to_valid_rgb with sigmoid=True: decorrelated colour (3 channels only), sigmoid."""
    if decorrelate and t.shape[-1] == 3:
        t = t @ torch.from_numpy(DECORRELATION.T.astype(np.float32))
    return torch.sigmoid(t)


def pixel_image(
    shape: tuple[int, int, int, int], decorrelate: bool, generator: torch.Generator
) -> tuple[list[torch.Tensor], Image]:
    v = (torch.randn(shape, generator=generator) * INIT_STD).requires_grad_()
    return [v], lambda: _to_valid(v, decorrelate)


def fourier_scale(h: int, w: int) -> np.ndarray:
    """Lucid's fft_image spectrum scale: 1/f (floored at 1/max(h, w)), times sqrt(h*w)."""
    fy = np.fft.fftfreq(h)[:, None]
    fx = np.fft.rfftfreq(w)[None, :]
    f = np.sqrt(fx * fx + fy * fy)
    return 1.0 / np.maximum(f, 1.0 / max(h, w)) * np.sqrt(h * w)


def fourier_image(
    shape: tuple[int, int, int, int], decorrelate: bool, generator: torch.Generator
) -> tuple[list[torch.Tensor], Image]:
    b, h, w, c = shape
    spectrum = (b, c, h, w // 2 + 1)
    real = (torch.randn(spectrum, generator=generator) * INIT_STD).requires_grad_()
    imag = (torch.randn(spectrum, generator=generator) * INIT_STD).requires_grad_()
    scale = torch.from_numpy(fourier_scale(h, w).astype(np.float32))

    def image() -> torch.Tensor:
        t = torch.fft.irfft2(torch.complex(real * scale, imag * scale), s=(h, w)) / 4
        return _to_valid(t.permute(0, 2, 3, 1), decorrelate)

    return [real, imag], image


PARAMS = {"pixel": pixel_image, "fourier": fourier_image}


# --- transforms, on N x C x H x W; each draws its randomness from `rng`


def _resample(x: torch.Tensor, theta: list[list[float]], size: tuple[int, int], padding: str):
    """Bilinear sampling, half-pixel centres: output (normalized) -> input = theta @ [x, y, 1]."""
    n, c = x.shape[:2]
    t = torch.tensor(theta, dtype=x.dtype).expand(n, 2, 3)
    grid = F.affine_grid(t, [n, c, *size], align_corners=False)
    return F.grid_sample(x, grid, mode="bilinear", padding_mode=padding, align_corners=False)


def jitter(d: int):
    def apply(x: torch.Tensor, rng: random.Random) -> torch.Tensor:
        h, w = x.shape[2:]
        dy, dx = rng.randint(0, d), rng.randint(0, d)
        return x[:, :, dy : dy + h - d, dx : dx + w - d]

    return apply


def random_scale(scales: list[float]):
    def apply(x: torch.Tensor, rng: random.Random) -> torch.Tensor:
        s = rng.choice(scales)
        h, w = x.shape[2:]
        # JavaScript's Math.round (half up), not Python's round (half to even).
        ho, wo = math.floor(h * s + 0.5), math.floor(w * s + 0.5)
        # About the centre: input = centre + (output - output centre) / s, in pixels.
        theta = [[wo / (s * w), 0.0, 0.0], [0.0, ho / (s * h), 0.0]]
        return _resample(x, theta, (ho, wo), "zeros")

    return apply


def random_rotate(degrees: list[float]):
    def apply(x: torch.Tensor, rng: random.Random) -> torch.Tensor:
        a = math.radians(rng.choice(degrees))
        h, w = x.shape[2:]
        cos, sin = math.cos(a), math.sin(a)
        # A rotation in pixels, written in normalized coordinates (which stretch
        # each axis by its own size, hence the aspect ratios).
        theta = [[cos, -sin * h / w, 0.0], [sin * w / h, cos, 0.0]]
        return _resample(x, theta, (h, w), "zeros")

    return apply


def pad(n: int, mode: str, value: float = 0.0):
    def apply(x: torch.Tensor, rng: random.Random) -> torch.Tensor:
        if mode == "reflect":
            return F.pad(x, (n, n, n, n), mode="reflect")
        return F.pad(x, (n, n, n, n), mode="constant", value=value)

    return apply


def resize_to(size: tuple[int, int]):
    def apply(x: torch.Tensor, rng: random.Random) -> torch.Tensor:
        if tuple(x.shape[2:]) == size:
            return x
        # Edges clamp, as tf.image.resizeBilinear's do.
        return _resample(x, [[1.0, 0.0, 0.0], [0.0, 1.0, 0.0]], size, "border")

    return apply


def transforms(name: str, size: tuple[int, int]) -> list[Callable]:
    if name == "none":
        return [resize_to(size)]
    if name == "small":
        return [
            pad(2, "reflect"),
            jitter(2),
            random_scale([0.95, 0.975, 1, 1.025, 1.05]),
            random_rotate([-8, -4, 0, 0, 4, 8]),
            jitter(1),
            resize_to(size),
        ]
    if name == "standard":  # Lucid's standard_transforms
        return [
            pad(12, "constant", 0.5),
            jitter(8),
            random_scale([1 + (i - 5) / 50 for i in range(11)]),
            random_rotate([*range(-10, 11), 0, 0, 0, 0, 0]),
            jitter(4),
            resize_to(size),
        ]
    raise ValueError(f"unknown transforms {name!r}")


# --- runs


def load_network(spec: dict[str, Any]) -> nn.Sequential:
    path = ROOT / spec["model"]
    if not path.exists():
        make = spec.get("make")
        raise SystemExit(f"{path} is missing" + (f"; make it with `{make}`" if make else ""))
    model = tfjs_to_torch(path)
    if list(model.tfjs_input_shape) != list(spec["input"]):
        raise SystemExit(
            f"{path}: input {model.tfjs_input_shape}, the workloads say {spec['input']}"
        )
    return model


class Run:
    """One optimization: fresh variables and Adam, a step function, and its objective."""

    def __init__(self, model: nn.Sequential, work: dict[str, Any], batch: int, channels, seed: int):
        h, w, c = model.tfjs_input_shape
        generator = torch.Generator().manual_seed(seed)
        make = PARAMS[work["param"]]
        self.variables, self.image = make(
            (batch, h, w, c), bool(work.get("decorrelate", True)), generator
        )
        self.optimizer = torch.optim.Adam(self.variables, lr=LEARNING_RATE, betas=BETAS, eps=EPS)
        self.transforms = transforms(work["transforms"], (h, w))
        self.model = model
        self.rng = random.Random(seed)  # noqa: S311 - reproducible draws, not secrets
        self.channels = torch.as_tensor(channels)  # per image of the batch
        self.rows = torch.arange(batch)

    def objective(self) -> torch.Tensor:
        x = self.image().permute(0, 3, 1, 2)
        for transform in self.transforms:
            x = transform(x, self.rng)
        out = self.model(x)
        # Image i's channel, averaged over the spatial axes, summed over the batch.
        units = out[self.rows, self.channels]
        return units.reshape(len(units), -1).mean(1).sum()

    def step(self) -> torch.Tensor:
        """One Adam step; returns the objective before it (not read back: no sync in the loop)."""
        self.optimizer.zero_grad(set_to_none=True)
        objective = self.objective()
        (-objective).backward()
        self.optimizer.step()
        return objective.detach()

    def timed(self, warmup: int, steps: int) -> float:
        """Seconds for ``steps`` steps after ``warmup`` untimed ones."""
        for _ in range(warmup):
            self.step()
        start = time.perf_counter()
        for _ in range(steps):
            self.step()
        return time.perf_counter() - start


def _summary(unit: str, values: list[float], **extra: Any) -> dict[str, Any]:
    values = [round(v, 4) for v in values]
    return {
        "unit": unit,
        "median": statistics.median(values),
        "min": min(values),
        "max": max(values),
        "values": values,
        **extra,
    }


def _channel_model(networks, cache, name: str, layer: str) -> nn.Sequential:
    key = (name, layer)
    if key not in cache:
        # Nothing after the objective layer is computed, and nothing but the
        # image is optimized.
        model = truncate(load_network(networks[name]), layer)
        for p in model.parameters():
            p.requires_grad_(False)
        cache[key] = model
    return cache[key]


def _check_channel(model: nn.Sequential, channel: int, where: str) -> None:
    h, w, c = model.tfjs_input_shape
    with torch.no_grad():
        n = model(torch.zeros(1, c, h, w)).shape[1]
    if not 0 <= channel < n:
        raise SystemExit(f"{where}: channel {channel} of a layer with {n}")


def run_workload(work, networks, cache, repetitions: int, log) -> dict[str, Any]:
    objective = work["objective"]
    if objective["type"] != "channel":
        raise SystemExit(f"{work['id']}: objective type {objective['type']!r} is not supported")
    model = _channel_model(networks, cache, work["network"], objective["layer"])
    _check_channel(model, objective["channel"], work["id"])
    batch, steps, warmup = work["batch"], work["steps"], work["warmup"]
    values = []
    for rep in range(repetitions):
        run = Run(model, work, batch, [objective["channel"]] * batch, SEED)
        seconds = run.timed(warmup, steps)
        values.append(steps / seconds)
        log(f"{work['id']} rep {rep + 1}/{repetitions}: {steps / seconds:.2f} steps/s")
    return _summary(work.get("unit", "steps/s"), values)


def run_atlas(atlas, networks, cache, repetitions: int, sample: int | None, only, log):
    model = _channel_model(networks, cache, atlas["network"], atlas["layer"])
    channels, steps = atlas["channels"], atlas["steps"]
    # The entry names no warm-up; the TensorFlow.js side leaves its first step untimed.
    warmup = atlas.get("warmup", 1)
    _check_channel(model, channels - 1, atlas["id"])
    work = {"param": atlas["param"], "transforms": atlas["transforms"]}
    work["decorrelate"] = atlas.get("decorrelate", True)
    unit = atlas.get("unit", "channels/s")
    results = {}
    batched, sequential = f"{atlas['id']}-batched", f"{atlas['id']}-sequential"
    if only is None or batched in only or atlas["id"] in only:
        values = []
        for rep in range(repetitions):
            # One run, image i maximizing channel i.
            run = Run(model, work, channels, list(range(channels)), SEED)
            values.append(channels / run.timed(warmup, steps))
            log(f"{batched} rep {rep + 1}/{repetitions}: {values[-1]:.2f} {unit}")
        results[batched] = _summary(unit, values)
    if only is None or sequential in only or atlas["id"] in only:
        k = channels if sample is None else min(sample, channels)
        values = []
        for rep in range(repetitions):
            seconds = sum(Run(model, work, 1, [i], SEED + i).timed(warmup, steps) for i in range(k))
            values.append(k / seconds)
            log(f"{sequential} rep {rep + 1}/{repetitions}: {values[-1]:.2f} {unit}")
        extra = {"sampled": k} if k < channels else {}
        results[sequential] = _summary(unit, values, **extra)
    return results


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument(
        "--only",
        action="append",
        metavar="ID",
        help="run only this workload, or a network's workloads (repeatable; "
        "'mnist-cnn/atlas' means both atlas entries)",
    )
    parser.add_argument("--repetitions", type=int, help="default: the workloads file's")
    parser.add_argument(
        "--atlas-sample",
        type=int,
        metavar="K",
        help="time only the first K channels of the one-by-one atlas and extrapolate",
    )
    parser.add_argument("--workloads", type=Path, default=WORKLOADS)
    parser.add_argument("--threads", type=int, default=THREADS)
    parser.add_argument("--quiet", action="store_true", help="no progress on stderr")
    args = parser.parse_args(argv)

    torch.set_num_threads(args.threads)
    busy = os.getloadavg()[0]
    if busy > (os.cpu_count() or 1) - args.threads + 0.5:
        # OpenMP threads spin at their barriers: when another process holds one
        # of the cores, each op waits for a descheduled thread, and steps get
        # tens of times slower, not merely twice (README.md, "Busy machines").
        print(
            f"warning: load average {busy:.1f} on {os.cpu_count()} cores before starting: "
            f"timings with {args.threads} threads will be unreliable",
            file=sys.stderr,
        )
    spec = json.loads(args.workloads.read_text(encoding="utf-8"))
    repetitions = args.repetitions or spec.get("repetitions", 5)
    if repetitions < 1:
        parser.error("--repetitions must be at least 1")
    atlas = spec.get("atlas")
    known = {w["id"] for w in spec["workloads"]} | set(spec["networks"])
    if atlas:
        known |= {atlas["id"], f"{atlas['id']}-batched", f"{atlas['id']}-sequential"}
    only = set(args.only) if args.only else None
    if only and only - known:
        parser.error(f"unknown workload(s) {sorted(only - known)}; known: {sorted(known)}")

    def log(message: str) -> None:
        if not args.quiet:
            print(message, file=sys.stderr, flush=True)

    cache: dict = {}
    results: dict[str, Any] = {}
    for work in spec["workloads"]:
        if only is None or work["id"] in only or work["network"] in only:
            results[work["id"]] = run_workload(work, spec["networks"], cache, repetitions, log)
    if atlas:
        results.update(
            run_atlas(atlas, spec["networks"], cache, repetitions, args.atlas_sample, only, log)
        )
    results["torch"] = torch.__version__
    results["threads"] = torch.get_num_threads()
    print(json.dumps(results, indent=1))
    return 0


if __name__ == "__main__":
    sys.exit(main())
