"""PCA oracles computed with PyTorch and scikit-learn on the shipped MNIST model.

The engine's streaming PCA (src/engine/projection/) is checked against these:
the same weights (the tfjs files, read into PyTorch by
bench/reference/tfjs_to_torch.py), the same test digits, each layer's
activations (after its activation function) flattened and given to
scikit-learn's ``PCA(svd_solver="full")``: the exact answer. The fixture keeps
the explained-variance ratios and the coordinates (``transform``); the engine's
must match the ratios within 1e-3 and the coordinates up to sign.

Run it to write the fixture (the pytest checks that the committed one is what
it computes)::

    python tests/python/pca_oracle.py
"""

from __future__ import annotations

import json
import sys
from pathlib import Path

import numpy as np
import torch

ROOT = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(ROOT / "bench" / "reference"))
sys.path.insert(0, str(ROOT))

from tfjs_to_torch import tfjs_to_torch  # noqa: E402

from featureviz.datasets import mnist  # noqa: E402

MODEL = ROOT / "assets" / "models" / "mnist-cnn" / "model.json"
FIXTURE = ROOT / "tests" / "fixtures" / "pca" / "oracle.json"
#: The first test digits.
COUNT = 400
COMPONENTS = 5
#: A wide layer (the randomized solver), a narrow one and the logits (exact).
LAYERS = ("conv2d", "conv2d_1", "dense", "logits")


def activations(layer: str, images: np.ndarray) -> np.ndarray:
    """The layer's output (after its activation) for each image, flattened."""
    model = tfjs_to_torch(MODEL)
    names = [name for name, _ in model.named_children()]
    cut = names.index(f"{layer}/activation" if f"{layer}/activation" in names else layer) + 1
    head = torch.nn.Sequential(*list(model.children())[:cut]).eval()
    x = torch.from_numpy(images.astype(np.float32) / 255)[:, None]
    with torch.no_grad():
        out = head(x)
    return out.reshape(len(images), -1).numpy().astype(np.float64)


def compute() -> dict:
    from sklearn.decomposition import PCA

    images, _ = mnist("test").load()
    layers = {}
    for layer in LAYERS:
        x = activations(layer, images[:COUNT])
        pca = PCA(n_components=COMPONENTS, svd_solver="full").fit(x)
        layers[layer] = {
            "width": int(x.shape[1]),
            "explainedVariance": pca.explained_variance_.tolist(),
            "explainedVarianceRatio": pca.explained_variance_ratio_.tolist(),
            "coordinates": np.round(pca.transform(x), 6).ravel().tolist(),
        }
    return {"count": COUNT, "components": COMPONENTS, "layers": layers}


def main() -> None:
    FIXTURE.parent.mkdir(parents=True, exist_ok=True)
    FIXTURE.write_text(json.dumps(compute()) + "\n", encoding="utf-8")
    print(f"wrote {FIXTURE}")


if __name__ == "__main__":
    main()
