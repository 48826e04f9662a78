"""The user-model benchmark's PyTorch side (run by bench/user-model.mjs).

``python torch_user_model.py OUT '<workload JSON>'`` builds torchvision's resnet18 (random
weights), times ``fv.Model.from_torch`` (trace, convert, hash and hold for the page) and
``Model.save`` into OUT, then times gradient ascent on one channel of a middle layer at
224 px on the CPU: Adam on the pixels of one image, the model's own normalization in front,
the channel's mean as the objective (what the engine's plain preset optimizes). Prints one
JSON line; figures, not a test.
"""

from __future__ import annotations

import json
import sys
import time

import torch

import featureviz as fv

MEAN, STD = [0.485, 0.456, 0.406], [0.229, 0.224, 0.225]


def main(out: str, spec: str) -> None:
    work = json.loads(spec)
    try:
        import torchvision.models as models
    except Exception as err:
        sys.exit(f"the user-model benchmark needs torchvision beside torch ({err})")
    torch.manual_seed(0)
    net = models.resnet18(weights=None).eval()
    size = work["size"]
    convert = []
    for _ in range(work["repetitions"] + 1):
        start = time.perf_counter()
        model = fv.Model.from_torch(net, (3, size, size), mean=MEAN, std=STD)
        convert.append((time.perf_counter() - start) * 1000)
    start = time.perf_counter()
    model.save(out)
    save_ms = (time.perf_counter() - start) * 1000

    layer = net.get_submodule(work["layer"])
    acts = {}
    layer.register_forward_hook(lambda _m, _i, output: acts.__setitem__("a", output))
    mean = torch.tensor(MEAN).view(1, 3, 1, 1)
    std = torch.tensor(STD).view(1, 3, 1, 1)
    for p in net.parameters():
        p.requires_grad_(False)

    def run(steps: int) -> float:
        image = torch.full((1, 3, size, size), 0.5, requires_grad=True)
        optimizer = torch.optim.Adam([image], lr=0.05)
        start = time.perf_counter()
        for _ in range(steps):
            optimizer.zero_grad()
            net((image - mean) / std)
            loss = -acts["a"][:, work["channel"]].mean()
            loss.backward()
            optimizer.step()
        return steps / (time.perf_counter() - start)

    run(work["warmup"])
    rates = [run(work["steps"]) for _ in range(work["repetitions"])]
    print(
        json.dumps(
            {
                "convertMs": convert[1:],
                "saveMs": save_ms,
                "weightBytes": model.weight_bytes,
                "stepsPerSecond": rates,
                "threads": torch.get_num_threads(),
                "torch": torch.__version__,
            }
        )
    )


if __name__ == "__main__":
    main(sys.argv[1], sys.argv[2])
