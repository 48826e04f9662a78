"""Trains the bundled MNIST CNN and exports it for TensorFlow.js.

Usage (from the repository root, with the development environment)::

    python training/pack_mnist.py        # once: the digits the product ships
    python training/train_mnist_cnn.py   # ~2 minutes on 2 CPU cores

It trains on the 8,000 "train" digits of ``assets/datasets/mnist`` (the files the
product ships, read back so that training sees exactly what the browser sees),
holds out the 2,000 "test" digits, and writes:

- ``assets/models/mnist-cnn/``: ``model.json`` + ``group1-shard1of1.bin``, the
  TensorFlow.js Layers model with float16 weights (half the download; the
  accuracy cost is reported) and the training digits' mean image in its
  metadata (gradient ascent starts from it);
- ``tests/fixtures/mnist-cnn/``: the held-out logits of the shipped (float16)
  weights as computed by PyTorch, the float32 model's held-out predictions, and
  ``summary.json`` with both accuracies and the seed. Tests compare the
  browser-format model against these.

The run is deterministic for a given machine and PyTorch build: fixed seeds,
``torch.use_deterministic_algorithms`` and a fixed thread count (the thread
count changes how sums are split, so it is part of the recipe). Different CPUs
may still round differently, which is why the reproducibility test allows 0.5
points of accuracy.

The network is the classic Keras MNIST CNN: conv 3x3x32, ReLU, conv 3x3x64, ReLU,
max-pool 2, dropout, dense 128, ReLU, dense 10 (logits). Inputs are 28x28x1
floats in [0, 1] (pixel / 255).
"""

from __future__ import annotations

import argparse
import copy
import json
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))  # the checkout's featureviz, installed or not

from featureviz.convert import sequential_to_tfjs  # noqa: E402
from featureviz.datasets import mnist  # noqa: E402

DATA_DIR = ROOT / "assets" / "datasets" / "mnist"
MODEL_DIR = ROOT / "assets" / "models" / "mnist-cnn"
FIXTURES_DIR = ROOT / "tests" / "fixtures" / "mnist-cnn"

SEED = 0
THREADS = 2
EPOCHS = 12
BATCH = 64
LEARNING_RATE = 2e-3
MAX_SHIFT = 2  # pixels; small random translations, the augmentation MNIST tolerates
DROPOUT = 0.25
LAYER_NAMES = ["conv2d", "conv2d_1", "max_pooling2d", "dropout", "flatten", "dense", "logits"]

LOGITS_FILE = "test-logits-float16-weights.f32"
PREDICTIONS_FILE = "test-predictions-float32.u8"
SUMMARY_FILE = "summary.json"


def build_model():
    import torch.nn as nn

    return nn.Sequential(
        nn.Conv2d(1, 32, 3),
        nn.ReLU(),
        nn.Conv2d(32, 64, 3),
        nn.ReLU(),
        nn.MaxPool2d(2),
        nn.Dropout(DROPOUT),
        nn.Flatten(),
        nn.Linear(64 * 12 * 12, 128),
        nn.ReLU(),
        nn.Linear(128, 10),
    )


def to_tensors(images, labels):
    import torch

    x = torch.from_numpy(images).float().div_(255).unsqueeze(1)  # (N, 1, 28, 28) in [0, 1]
    return x, torch.from_numpy(labels).long()


def shift(x, generator):
    """Each image moved by up to MAX_SHIFT pixels in x and y, zeros filling in."""
    import torch

    n, _, h, w = x.shape
    padded = torch.nn.functional.pad(x, (MAX_SHIFT,) * 4)
    dy, dx = torch.randint(0, 2 * MAX_SHIFT + 1, (2, n), generator=generator)
    rows = (dy[:, None] + torch.arange(h))[:, :, None]  # (n, h, 1)
    cols = (dx[:, None] + torch.arange(w))[:, None, :]  # (n, 1, w)
    return padded[torch.arange(n)[:, None, None], 0, rows, cols].unsqueeze(1)


def predict(model, x):
    import torch

    model.eval()
    with torch.no_grad():
        return torch.cat([model(batch) for batch in x.split(500)])


def train(seed: int = SEED, epochs: int = EPOCHS, data_dir: Path = DATA_DIR, log=print):
    """Returns the trained float32 model and the held-out (test) tensors."""
    import torch

    torch.manual_seed(seed)
    torch.use_deterministic_algorithms(True)
    torch.set_num_threads(THREADS)
    generator = torch.Generator().manual_seed(seed)

    x_train, y_train = to_tensors(*mnist("train").load(data_dir))
    x_test, y_test = to_tensors(*mnist("test").load(data_dir))
    model = build_model()
    optimizer = torch.optim.Adam(model.parameters(), lr=LEARNING_RATE)
    steps = epochs * -(-len(x_train) // BATCH)
    # One-cycle: a short warm-up then annealing; converges in few epochs.
    schedule = torch.optim.lr_scheduler.OneCycleLR(optimizer, LEARNING_RATE, total_steps=steps)
    for epoch in range(epochs):
        model.train()
        order = torch.randperm(len(x_train), generator=generator)
        inputs = shift(x_train[order], generator)
        targets = y_train[order]
        total = 0.0
        for xb, yb in zip(inputs.split(BATCH), targets.split(BATCH)):
            optimizer.zero_grad()
            loss = torch.nn.functional.cross_entropy(model(xb), yb)
            loss.backward()
            optimizer.step()
            schedule.step()
            total += loss.item() * len(xb)
        accuracy = (predict(model, x_test).argmax(1) == y_test).float().mean().item()
        log(f"epoch {epoch + 1}/{epochs}: loss {total / len(x_train):.4f}, held-out {accuracy:.2%}")
    return model, x_test, y_test


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--model-dir", type=Path, default=MODEL_DIR)
    parser.add_argument("--fixtures-dir", type=Path, default=FIXTURES_DIR)
    parser.add_argument("--data-dir", type=Path, default=DATA_DIR)
    parser.add_argument("--seed", type=int, default=SEED)
    parser.add_argument("--epochs", type=int, default=EPOCHS)
    args = parser.parse_args(argv)

    import numpy as np
    import torch

    start = time.perf_counter()
    model, x_test, y_test = train(args.seed, args.epochs, args.data_dir)
    model.eval()
    predictions = predict(model, x_test).argmax(1)

    # What the browser computes: the same network with float16-rounded weights.
    shipped = copy.deepcopy(model)
    with torch.no_grad():
        for param in shipped.parameters():
            param.copy_(param.half().float())
    logits = predict(shipped, x_test)

    accuracy = {
        "float32": (predictions == y_test).float().mean().item(),
        "float16": (logits.argmax(1) == y_test).float().mean().item(),
    }
    # The training digits' mean image: where gradient ascent starts by default.
    train_images, _ = mnist("train").load(args.data_dir)
    mean = train_images.astype(np.float64).mean(0)[None] / 255
    path = sequential_to_tfjs(
        model,
        args.model_dir,
        input_shape=(1, 28, 28),
        layer_names=LAYER_NAMES,
        quantize="float16",
        dataset_mean=mean,
    )
    fixtures = args.fixtures_dir
    fixtures.mkdir(parents=True, exist_ok=True)
    (fixtures / LOGITS_FILE).write_bytes(logits.numpy().astype("<f4").tobytes())
    (fixtures / PREDICTIONS_FILE).write_bytes(predictions.numpy().astype(np.uint8).tobytes())
    summary = {
        "seed": args.seed,
        "epochs": args.epochs,
        "threads": THREADS,
        "split": "test",
        "count": len(y_test),
        "accuracy": {k: round(v, 6) for k, v in accuracy.items()},
        "logits": f"{LOGITS_FILE}: little-endian float32, {len(y_test)} x 10, float16 weights",
        "predictions": f"{PREDICTIONS_FILE}: uint8 classes of the float32 model",
    }
    (fixtures / SUMMARY_FILE).write_text(json.dumps(summary, indent=2) + "\n", encoding="utf-8")

    size = sum(p.stat().st_size for p in path.parent.iterdir() if p.is_file())
    print(
        f"held-out accuracy: float32 {accuracy['float32']:.2%}, "
        f"shipped float16 {accuracy['float16']:.2%}; model {size:,} bytes in {path.parent}; "
        f"{time.perf_counter() - start:.0f} s"
    )
    return 0


if __name__ == "__main__":
    sys.exit(main())
