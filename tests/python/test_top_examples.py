"""fv.top_examples and the datasets it ranks: specs that validate, arguments
checked eagerly with messages that name them, len(ds) and ds[i], and the
engine's ranking against an independent NumPy oracle (tfjs_reference.forward,
float64) on the bundled digits: the same indices, ties broken by index."""

from __future__ import annotations

import json
import os
import shutil
import subprocess

import jsonschema
import numpy as np
import pytest
from tfjs_reference import ROOT, forward

import featureviz as fv

NET = fv.models.mnist_cnn()


def validate(spec: dict) -> None:
    jsonschema.validate(spec, fv.spec_schema())


# --- specs ------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("kwargs", "target"),
    [
        ({"logit": 8}, {"type": "logit", "index": 8}),
        ({"layer": "dense", "neuron": 5}, {"type": "neuron", "layer": "dense", "channel": 5}),
        (
            {"layer": "conv2d_1", "neuron": (3, 4, 9)},
            {"type": "neuron", "layer": "conv2d_1", "channel": 3, "x": 4, "y": 9},
        ),
        (
            {"layer": "conv2d_1", "channel": 5, "reduce": "mean"},
            {"type": "channel", "layer": "conv2d_1", "channel": 5, "reduce": "mean"},
        ),
        ({"layer": "logits", "logit": 2}, {"type": "logit", "index": 2, "layer": "logits"}),
    ],
)
def test_builds_a_valid_spec_for_each_kind_of_unit(kwargs, target):
    out = fv.top_examples(NET, **kwargs, data=fv.datasets.mnist(limit=100), k=9, bottom=True)
    assert isinstance(out, fv.TopExamples)
    spec = out.spec
    validate(spec)
    assert spec["target"] == target
    assert spec["data"] == {"builtin": "mnist", "split": "test", "limit": 100}
    assert (spec["k"], spec["bottom"], spec["patches"]) == (9, True, False)


def test_defaults_come_from_the_schema():
    spec = fv.top_examples(NET, logit=8).spec
    assert (spec["k"], spec["bottom"], spec["patches"]) == (16, False, False)
    assert spec["data"] == {"builtin": "mnist", "split": "test"}
    assert "histogram" not in spec  # left out when off: older specs keep their hash


def test_asks_for_the_histogram():
    spec = fv.top_examples(NET, layer="conv2d_1", channel=5, histogram=True).spec
    validate(spec)
    assert spec["histogram"] is True


def test_every_dataset_makes_a_valid_spec(tmp_path):
    images = np.arange(2 * 5 * 5, dtype=np.uint8).reshape(2, 5, 5)
    for data in (
        fv.datasets.mnist("train", limit=50),
        fv.datasets.from_numpy(images, [0, 1]),
        fv.datasets.from_numpy(images.astype(np.float64)[..., None] / 255),
        fv.datasets.from_file("data/x.npy", labels="data/y.npy", limit=10),
        fv.datasets.from_file("data/all.npz", key="images", labels="labels"),
        fv.datasets.from_folder("pets"),
    ):
        validate(fv.top_examples(NET, logit=1, data=data, patches=True, scale=4).spec)


# --- bad arguments ----------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("kwargs", "error", "message"),
    [
        ({}, ValueError, "give exactly one of channel, neuron and logit"),
        ({"layer": "c", "channel": 1, "logit": 2}, ValueError, "not channel and logit"),
        ({"channel": 1}, ValueError, "layer is required"),
        ({"layer": "c", "channel": -1}, ValueError, "channel must be an integer from 0"),
        ({"layer": "c", "channel": 1, "reduce": "sum"}, ValueError, "reduce must be 'max' or"),
        ({"logit": 8, "reduce": "mean"}, ValueError, "reduce applies to channel= only"),
        ({"layer": "c", "neuron": (1, 2)}, ValueError, "neuron must be a unit index or"),
        ({"logit": 8, "k": 0}, ValueError, "k must be an integer from 1 to 256"),
        ({"logit": 8, "k": 1000}, ValueError, "k must be an integer from 1 to 256"),
        ({"logit": 8, "bottom": "yes"}, TypeError, "bottom must be True or False"),
        ({"logit": 8, "patches": 1}, TypeError, "patches must be True or False"),
        ({"logit": 8, "histogram": "no"}, TypeError, "histogram must be True or False"),
        ({"logit": 8, "data": "digits.npy"}, TypeError, "data must be a featureviz dataset"),
        ({"logit": 8, "data": fv.datasets.mnist()[3]}, TypeError, "not one example"),
        ({"logit": 8, "kk": 3}, TypeError, "unexpected keyword argument 'kk'; did you mean 'k'"),
        ({"logit": 8, "scale": 0}, ValueError, "scale must be an integer from 1 to 32"),
        ({"layer": "", "channel": 1}, TypeError, "layer must be a layer name"),
    ],
)
def test_bad_arguments_are_named(kwargs, error, message):
    with pytest.raises(error, match=message):
        fv.top_examples(NET, **kwargs)


@pytest.mark.parametrize(
    ("images", "labels", "error", "message"),
    [
        (
            np.zeros((2, 3, 3), np.int64),
            None,
            TypeError,
            "images must be uint8 pixels .* or floats",
        ),
        (np.zeros((4, 4), np.uint8), None, ValueError, r"not an array of shape \(4, 4\)"),
        (np.zeros((0, 4, 4), np.uint8), None, ValueError, "images is empty"),
        (
            np.array([[[0.0, np.nan]], [[1.0, 2.0]]]),
            None,
            ValueError,
            r"NaN or infinite values \(the first in image 0\)",
        ),
        (
            np.zeros((3, 4, 4), np.uint8),
            [1, 2],
            ValueError,
            r"one integer per image: 3 images but labels of shape \(2,\)",
        ),
        (np.zeros((2, 4, 4), np.uint8), [0.5, 1.5], TypeError, "labels must be integers"),
    ],
)
def test_from_numpy_refuses_bad_arrays_by_name(images, labels, error, message):
    with pytest.raises(error, match=message):
        fv.datasets.from_numpy(images, labels)


@pytest.mark.parametrize(
    ("call", "message"),
    [
        (lambda: fv.datasets.from_file("x.png"), "an .npy or .npz file"),
        (lambda: fv.datasets.from_file("x.npy", key="a"), "only with an .npz path"),
        (lambda: fv.datasets.from_file("https://a.org/x.npy"), "not a URL"),
        (lambda: fv.datasets.from_file(3), "relative to the notebook's folder"),
        (lambda: fv.datasets.from_file("x.npy", limit=0), "limit must be None"),
        (lambda: fv.datasets.from_folder("//host/images"), "not a URL"),
    ],
)
def test_server_datasets_refuse_bad_paths(call, message):
    with pytest.raises((TypeError, ValueError), match=message):
        call()


# --- datasets: content keys, len and [i] ------------------------------------------------------


def test_kernel_arrays_are_keyed_by_content():
    images = np.arange(3 * 4 * 4, dtype=np.uint8).reshape(3, 4, 4)
    a = fv.datasets.from_numpy(images, [1, 2, 3])
    b = fv.datasets.from_numpy(images.copy(), np.array([1, 2, 3], np.int64))
    c = fv.datasets.from_numpy(images, [1, 2, 4])
    d = fv.datasets.from_numpy(images)
    assert a.key == b.key  # re-running a cell: the same key, nothing sent again
    assert len({a.key, c.key, d.key}) == 3
    assert len(a.key) == 64
    assert a.key in fv._comm.held_keys()
    assert a.to_spec() == {"kernel": a.key, "shape": [3, 4, 4], "dtype": "uint8", "labels": True}
    assert len(a) == 3 and a[1].label == 2 and a[-1].index == 2
    assert (a[2].image == images[2]).all()
    assert a[1].to_spec()["index"] == 1
    with pytest.raises(IndexError, match=r"example 3 is out of range: .* holds 3 examples"):
        a[3]


def test_bundled_digits_have_len_and_items():
    digits = fv.datasets.mnist()
    assert len(digits) == 2000
    assert len(fv.datasets.mnist("train")) == 8000
    assert len(fv.datasets.mnist(limit=7)) == 7
    images, labels = digits.load()
    assert (digits[5].image == images[5]).all() and digits[5].label == labels[5]
    assert digits[5].to_spec() == {"builtin": "mnist", "split": "test", "index": 5}
    validate(
        {
            "version": 1,
            "view": "saliency",
            "model": NET.to_spec(),
            "target": {"type": "logit", "index": 8},
            "data": digits[5].to_spec(),
        }
    )


def test_server_files_have_len_and_items_read_in_the_kernel(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    images = np.arange(4 * 3 * 3, dtype=np.uint8).reshape(4, 3, 3)
    np.save("x.npy", images)
    np.save("y.npy", np.array([3, 1, 4, 1]))
    np.savez("all.npz", images=images, labels=np.array([3, 1, 4, 1]))
    single = fv.datasets.from_file("x.npy", labels="y.npy")
    assert len(single) == 4 and single[2].label == 4
    assert (single[2].image == images[2]).all()
    archive = fv.datasets.from_file("all.npz", key="images", labels="labels", limit=3)
    assert len(archive) == 3 and archive[0].label == 3
    with pytest.raises(FileNotFoundError, match="relative to the notebook"):
        len(fv.datasets.from_file("missing.npy"))


# --- the engine against a NumPy oracle --------------------------------------------------------


@pytest.fixture(scope="module")
def engine(tmp_path_factory):
    """Runs a job in the engine (Node, WASM) and returns its summary."""
    if shutil.which("node") is None:
        pytest.skip("Node is not installed")
    bundle = tmp_path_factory.mktemp("engine") / "run-job.cjs"
    build = (
        "require('esbuild').buildSync({entryPoints: [process.argv[1]], outfile: process.argv[2],"
        " bundle: true, platform: 'node', format: 'cjs', external: ['@tensorflow/*'],"
        " logLevel: 'warning'})"
    )
    subprocess.run(
        ["node", "-e", build, str(ROOT / "tests/engine/run-job.ts"), str(bundle)],
        cwd=ROOT,
        check=True,
        capture_output=True,
        text=True,
    )
    env = {"NODE_PATH": str(ROOT / "node_modules"), "PATH": os.environ["PATH"]}

    def run(job: dict) -> dict:
        done = subprocess.run(
            ["node", str(bundle), json.dumps(job), "wasm"],
            cwd=ROOT,
            env=env,
            capture_output=True,
            text=True,
            timeout=600,
        )
        assert done.returncode == 0, done.stderr[-3000:]
        return json.loads(done.stdout)

    return run


def oracle(values: np.ndarray, k: int) -> tuple[list[int], list[int]]:
    """Top and bottom k by value, ties by the smaller index."""
    order = np.lexsort((np.arange(len(values)), -values))
    bottom = np.lexsort((np.arange(len(values)), values))
    return order[:k].tolist(), bottom[:k].tolist()


@pytest.mark.parametrize(
    ("target", "unit"),
    [
        ({"type": "logit", "index": 8}, lambda act: act[:, 8]),
        (
            {"type": "channel", "layer": "conv2d_1", "channel": 5},
            lambda act: act[..., 5].reshape(len(act), -1).max(axis=1),
        ),
        (
            {"type": "channel", "layer": "max_pooling2d", "channel": 12, "reduce": "mean"},
            lambda act: act[..., 12].reshape(len(act), -1).mean(axis=1),
        ),
    ],
)
def test_engine_ranks_as_numpy_does(target, unit, engine):
    count, k = 400, 12
    layer = target.get("layer", "logits")
    images, labels = fv.datasets.mnist(limit=count).load()
    values = unit(forward(ROOT / "assets/models/mnist-cnn", images[..., None] / 255.0, layer))
    top, bottom = oracle(values, k)
    job = {
        "kind": "top-examples",
        "model": {"url": (ROOT / "assets/models/mnist-cnn/model.json").as_uri()},
        "target": target,
        "data": {
            "source": "bundled",
            "url": (ROOT / "assets/datasets/mnist/mnist.json").as_uri(),
            "split": "test",
            "limit": count,
        },
        "k": k,
        "bottom": True,
    }
    summary = engine(job)
    start = 8000  # the test split's first index in the bundled file
    assert summary["count"] == count
    assert [i - start for i in summary["top"]["indices"]] == top
    assert [i - start for i in summary["bottom"]["indices"]] == bottom
    np.testing.assert_allclose(summary["top"]["values"], values[top], rtol=1e-4, atol=1e-4)
    assert summary["top"]["labels"] == labels[top].tolist()
