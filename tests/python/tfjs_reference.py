"""Independent oracles for TensorFlow.js Layers models, used by the tests.

``forward`` is a NumPy reference forward pass written from the file format and
TensorFlow's layer semantics (channels-last, TF 'same' padding), sharing no
code with ``featureviz.convert``. It runs in float64 so that its own rounding is
negligible next to the float32 implementations it checks.

``tfjs_predict`` runs the real consumer, tfjs-layers 4.22 in Node (CPU backend),
when Node and the JavaScript dependencies are installed.
"""

from __future__ import annotations

import json
import math
import shutil
import subprocess
from pathlib import Path

import numpy as np

ROOT = Path(__file__).resolve().parents[2]


def read_model(folder: Path) -> tuple[dict, dict[str, np.ndarray], int]:
    """model.json, its weights by name (float64), and the total bytes the manifest describes."""
    model = json.loads((folder / "model.json").read_text())
    weights: dict[str, np.ndarray] = {}
    described = 0
    for group in model["weightsManifest"]:
        data = b"".join((folder / p).read_bytes() for p in group["paths"])
        offset = 0
        for entry in group["weights"]:
            assert entry["dtype"] == "float32", entry
            quantized = entry.get("quantization", {}).get("dtype")
            assert quantized in (None, "float16"), entry
            dtype = "<f2" if quantized == "float16" else "<f4"
            size = math.prod(entry["shape"]) * np.dtype(dtype).itemsize
            values = np.frombuffer(data[offset : offset + size], dtype)
            weights[entry["name"]] = values.astype(np.float64).reshape(entry["shape"])
            offset += size
        assert offset == len(data), "the shard holds bytes the manifest does not describe"
        described += offset
    return model, weights, described


def _pad_same(x: np.ndarray, kernel: tuple[int, int], strides: tuple[int, int]) -> np.ndarray:
    """TensorFlow's 'same' padding: ceil(n / s) outputs, the smaller half of the padding first."""
    pads = [(0, 0)]
    for n, k, s in zip(x.shape[1:3], kernel, strides):
        total = max((math.ceil(n / s) - 1) * s + k - n, 0)
        pads.append((total // 2, total - total // 2))
    return np.pad(x, [*pads, (0, 0)])


def _windows(x: np.ndarray, kernel, strides):
    """Yields (i, j, x[:, i::sy, j::sx, :]) cut to the output size, for each kernel offset."""
    (kh, kw), (sy, sx) = kernel, strides
    oh = (x.shape[1] - kh) // sy + 1
    ow = (x.shape[2] - kw) // sx + 1
    for i in range(kh):
        for j in range(kw):
            yield i, j, x[:, i : i + sy * (oh - 1) + 1 : sy, j : j + sx * (ow - 1) + 1 : sx, :]


def _activate(x: np.ndarray, name: str) -> np.ndarray:
    if name == "relu":
        return np.maximum(x, 0)
    if name == "relu6":
        return np.clip(x, 0, 6)
    assert name == "linear", f"the reference does not know activation {name!r}"
    return x


def forward(
    folder: Path, x: np.ndarray, until: str | None = None, trace: list | None = None
) -> np.ndarray:
    """Runs the model in ``folder`` on ``x`` (N, H, W, C), in float64.

    With ``until``, stops after the layer of that name and returns its output.
    ``trace``, a list, receives (layer name, output shape without the batch) per layer.
    """
    model, weights, _ = read_model(folder)
    assert model["format"] == "layers-model"
    topology = model["modelTopology"]
    assert topology["class_name"] == "Sequential"
    used = set()
    x = np.asarray(x, np.float64)
    for layer in topology["config"]["layers"]:
        kind, config = layer["class_name"], layer["config"]
        name = config["name"]

        def weight(suffix, name=name):
            used.add(f"{name}/{suffix}")
            return weights[f"{name}/{suffix}"]

        if kind == "Conv2D":
            assert config["data_format"] == "channels_last"
            assert config["dilation_rate"] == [1, 1]
            kernel = weight("kernel")  # (h, w, in, out)
            size, strides = tuple(config["kernel_size"]), tuple(config["strides"])
            assert kernel.shape[:2] == size and kernel.shape[3] == config["filters"]
            if config["padding"] == "same":
                x = _pad_same(x, size, strides)
            else:
                assert config["padding"] == "valid"
            out = sum(patch @ kernel[i, j] for i, j, patch in _windows(x, size, strides))
            if config["use_bias"]:
                out = out + weight("bias")
            x = _activate(out, config["activation"])
        elif kind == "DepthwiseConv2D":
            assert config["data_format"] == "channels_last"
            assert config["dilation_rate"] == [1, 1]
            kernel = weight("depthwise_kernel")  # (h, w, in, multiplier)
            size, strides = tuple(config["kernel_size"]), tuple(config["strides"])
            m = config["depth_multiplier"]
            assert kernel.shape == (*size, x.shape[3], m)
            if config["padding"] == "same":
                x = _pad_same(x, size, strides)
            else:
                assert config["padding"] == "valid"
            # Output channel c * m + q is input channel c times its q-th filter.
            out = sum(
                patch[..., :, None] * kernel[i, j] for i, j, patch in _windows(x, size, strides)
            )
            out = out.reshape(*out.shape[:3], -1)
            if config["use_bias"]:
                out = out + weight("bias")
            x = _activate(out, config["activation"])
        elif kind == "BatchNormalization":
            assert config["axis"] in (-1, 3, [-1], [3])
            x = (x - weight("moving_mean")) / np.sqrt(weight("moving_variance") + config["epsilon"])
            if config["scale"]:
                x = x * weight("gamma")
            if config["center"]:
                x = x + weight("beta")
        elif kind == "ReLU":
            # Keras's ReLU: max(x, 0), clipped at max_value when it has one.
            assert config.get("negative_slope", 0) == 0 and config.get("threshold", 0) == 0
            x = np.maximum(x, 0)
            if config.get("max_value") is not None:
                x = np.minimum(x, config["max_value"])
        elif kind == "ZeroPadding2D":
            assert config["data_format"] == "channels_last"
            (top, bottom), (left, right) = config["padding"]
            x = np.pad(x, [(0, 0), (top, bottom), (left, right), (0, 0)])
        elif kind == "GlobalAveragePooling2D":
            assert config["data_format"] == "channels_last"
            x = x.mean(axis=(1, 2))
        elif kind == "Reshape":
            x = x.reshape(len(x), *config["target_shape"])
        elif kind == "MaxPooling2D":
            assert config["padding"] == "valid" and config["data_format"] == "channels_last"
            pool, strides = tuple(config["pool_size"]), tuple(config["strides"])
            x = np.max([patch for _, _, patch in _windows(x, pool, strides)], axis=0)
        elif kind == "Dense":
            x = x @ weight("kernel")
            if config["use_bias"]:
                x = x + weight("bias")
            x = _activate(x, config["activation"])
        elif kind == "Flatten":
            x = x.reshape(len(x), -1)  # row-major over (H, W, C): channels-last order
        elif kind == "Dropout":
            pass  # identity at inference
        elif kind == "Activation":
            x = _activate(x, config["activation"])
        else:
            raise AssertionError(f"the reference does not know layer {kind}")
        if trace is not None:
            trace.append((name, x.shape[1:]))
        if name == until:
            return x
    assert until is None, f"no layer is named {until!r}"
    assert used == set(weights), f"weights no layer uses: {set(weights) - used}"
    return x


def tfjs_available() -> bool:
    layers = ROOT / "node_modules" / "@tensorflow" / "tfjs-layers"
    return shutil.which("node") is not None and layers.is_dir()


_PREDICT_JS = r"""
const fs = require('fs');
const tf = require('@tensorflow/tfjs-core');
require('@tensorflow/tfjs-backend-cpu');
const tfl = require('@tensorflow/tfjs-layers');
(async () => {
  await tf.setBackend('cpu');
  const [dir, input, shapeJson, outputName] = process.argv.slice(1);
  const model = JSON.parse(fs.readFileSync(dir + '/model.json', 'utf8'));
  const group = model.weightsManifest[0];
  const bin = Buffer.concat(group.paths.map(p => fs.readFileSync(dir + '/' + p)));
  const loaded = await tfl.loadLayersModel(tf.io.fromMemory({
    modelTopology: model.modelTopology,
    weightSpecs: group.weights,
    weightData: bin.buffer.slice(bin.byteOffset, bin.byteOffset + bin.byteLength)
  }));
  const raw = fs.readFileSync(input);
  const x = tf.tensor(new Float32Array(raw.buffer, raw.byteOffset, raw.byteLength / 4),
                      JSON.parse(shapeJson));
  // A model that ends at the named layer, to read an intermediate output.
  const upTo = outputName
    ? tfl.model({inputs: loaded.inputs, outputs: loaded.getLayer(outputName).output})
    : loaded;
  const y = upTo.predict(x);
  // How tfjs itself serializes what it understood of model.json.
  const out = {names: loaded.layers.map(l => l.name), shape: y.shape,
               values: Array.from(await y.data()), topology: loaded.toJSON(null, false),
               outputShapes: loaded.layers.map(l => l.outputShape)};
  process.stdout.write(JSON.stringify(out));
})().catch(err => { console.error(err); process.exit(1); });
"""


def _run_tfjs(folder: Path, x: np.ndarray, tmp: Path, output: str | None) -> dict:
    x = np.ascontiguousarray(x, "<f4")
    (tmp / "x.f32").write_bytes(x.tobytes())
    args = [str(folder), str(tmp / "x.f32"), json.dumps(list(x.shape))]
    result = subprocess.run(
        ["node", "-e", _PREDICT_JS, *args, *([output] if output else [])],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=300,
        check=False,
    )
    assert result.returncode == 0, result.stderr[-4000:]
    return json.loads(result.stdout)


def tfjs_predict(
    folder: Path, x: np.ndarray, tmp: Path, output: str | None = None
) -> tuple[list[str], np.ndarray]:
    """Loads ``folder`` with tfjs-layers in Node and predicts ``x`` (N, H, W, C).

    Returns the model's layer names and its output, or the output of the layer
    named ``output``.
    """
    out = _run_tfjs(folder, x, tmp, output)
    return out["names"], np.asarray(out["values"], np.float32).reshape(out["shape"])


def tfjs_output_shapes(folder: Path, x: np.ndarray, tmp: Path) -> list[tuple[str, tuple]]:
    """(layer name, output shape without the batch) for each layer, as tfjs-layers infers them."""
    out = _run_tfjs(folder, x, tmp, None)
    return [(n, tuple(s[1:])) for n, s in zip(out["names"], out["outputShapes"])]


def tfjs_topology(folder: Path, x: np.ndarray, tmp: Path) -> dict:
    """The Keras topology tfjs-layers writes back after loading ``folder`` (and predicting x)."""
    return _run_tfjs(folder, x, tmp, None)["topology"]
