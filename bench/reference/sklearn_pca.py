"""The PCA benchmark's yardstick: scikit-learn's randomized PCA on the same activations.

The activations of the bundled digits at the workload's layer are computed
with PyTorch from the same weights (bench/reference/tfjs_to_torch.py) and held
in memory (10,000 × 21,632 float32 is 865 MB); then
``PCA(n_components, svd_solver="randomized", random_state=0).fit_transform``
is timed alone, ``repetitions`` times. Peak RSS is the process's (activations
included). Prints one JSON line.

    python bench/reference/sklearn_pca.py '<workload JSON>'
"""

from __future__ import annotations

import json
import resource
import sys
import time
from pathlib import Path

import numpy as np
import torch
from sklearn.decomposition import PCA
from tfjs_to_torch import tfjs_to_torch

ROOT = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(ROOT))

from featureviz.datasets import mnist  # noqa: E402


def main() -> None:
    work = json.loads(sys.argv[1])
    model = tfjs_to_torch(ROOT / work["model"])
    names = [name for name, _ in model.named_children()]
    layer = work["layer"]
    cut = names.index(f"{layer}/activation" if f"{layer}/activation" in names else layer) + 1
    head = torch.nn.Sequential(*list(model.children())[:cut]).eval()
    images, _ = mnist("all").load()
    images = images[: work["limit"]]
    started = time.perf_counter()
    with torch.no_grad():
        x = np.concatenate(
            [
                head(torch.from_numpy(images[i : i + 500].astype(np.float32) / 255)[:, None])
                .reshape(-1, 26 * 26 * 32 if layer == "conv2d" else -1)
                .numpy()
                for i in range(0, len(images), 500)
            ]
        )
    activations_s = time.perf_counter() - started
    seconds = []
    for _ in range(work["repetitions"]):
        start = time.perf_counter()
        coordinates = PCA(
            n_components=work["components"], svd_solver="randomized", random_state=0
        ).fit_transform(x)
        seconds.append(time.perf_counter() - start)
    ratio = PCA(n_components=work["components"], svd_solver="randomized", random_state=0).fit(x)
    print(
        json.dumps(
            {
                "values": seconds,
                "activationsSeconds": activations_s,
                "shape": list(x.shape),
                "ratio": ratio.explained_variance_ratio_.tolist(),
                "coordinates": coordinates.ravel().tolist(),
                "threads": torch.get_num_threads(),
                "maxRssMB": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024,
            }
        )
    )


if __name__ == "__main__":
    main()
