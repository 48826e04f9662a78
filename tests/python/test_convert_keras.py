"""fv.Model.from_keras: Keras 3 Sequential and Functional models → TensorFlow.js Layers.

The oracle is Keras's own forward pass (torch backend) on the same weights and inputs,
compared with what tfjs-layers computes from the converted model.json in Node.
"""

from __future__ import annotations

import json
import os

import pytest

os.environ.setdefault("KERAS_BACKEND", "torch")
keras = pytest.importorskip("keras")
np = pytest.importorskip("numpy")
layers = keras.layers

from tfjs_reference import tfjs_available, tfjs_predict  # noqa: E402

import featureviz as fv  # noqa: E402
from featureviz.convert import ConversionError  # noqa: E402

needs_tfjs = pytest.mark.skipif(not tfjs_available(), reason="Node or tfjs-layers missing")


def residual_concat_model():
    """Residual additions and concatenating branches, with what real networks use."""
    keras.utils.set_random_seed(0)
    image = keras.Input((16, 16, 3), name="image")
    x = layers.Rescaling(1 / 127.5, offset=-1, name="scale")(image)
    x = layers.Conv2D(8, 3, padding="same", activation="relu", name="stem")(x)
    y = layers.Conv2D(8, 3, padding="same", use_bias=False, name="block_conv")(x)
    y = layers.BatchNormalization(name="block_bn")(y)
    x = layers.ReLU(name="block_relu")(layers.Add(name="block_add")([x, y]))
    x = layers.Concatenate(name="branches")(
        [
            x,
            layers.DepthwiseConv2D(3, padding="same", dilation_rate=2, name="dilated")(x),
            layers.Conv2D(4, 1, groups=2, activation="gelu", name="grouped")(x),
        ]
    )
    x = layers.SeparableConv2D(6, 3, strides=2, activation="silu", name="separable")(x)
    x = layers.MaxPooling2D(name="pool")(x)
    x = layers.Dropout(0.5, name="drop")(layers.Flatten(name="flat")(x))
    model = keras.Model(image, layers.Dense(4, name="logits")(x))
    rng = np.random.default_rng(0)
    bn = model.get_layer("block_bn")
    bn.set_weights(
        [
            rng.uniform(0.5, 1.5, 8),
            rng.uniform(-0.5, 0.5, 8),
            rng.uniform(-0.5, 0.5, 8),
            rng.uniform(0.5, 2, 8),
        ]
    )
    return model


def compare(model, tmp_path, names=(), input_range=(0, 255)):
    converted = fv.Model.from_keras(model, input_range=input_range)
    folder = converted.save(tmp_path / "model").parent
    shape = tuple(model.inputs[0].shape[1:])
    x = np.random.default_rng(1).uniform(*input_range, (2, *shape)).astype(np.float32)
    expected = keras.ops.convert_to_numpy(model(x))
    _, y = tfjs_predict(folder, x, tmp_path)
    assert np.abs(y - expected).max() <= 1e-4 * np.abs(expected).max()
    for name in names:
        sub = keras.Model(model.inputs, model.get_layer(name).output)
        ref = keras.ops.convert_to_numpy(sub(x))
        _, y = tfjs_predict(folder, x, tmp_path, name)
        assert np.abs(y - ref).max() <= 1e-4 * np.abs(ref).max(), name
    return converted


@needs_tfjs
def test_functional_residual_concat_model_equals_keras(tmp_path):
    model = residual_concat_model()
    converted = compare(model, tmp_path, ["stem", "block_add", "dilated", "grouped", "branches"])
    # The model's own names, in order.
    assert converted.layer_names == [layer.name for layer in model.layers]
    saved = json.loads((tmp_path / "model" / "model.json").read_text())
    assert saved["userDefinedMetadata"]["featureviz"]["inputRange"] == [0.0, 255.0]


@needs_tfjs
def test_sequential_model_equals_keras(tmp_path):
    keras.utils.set_random_seed(2)
    model = keras.Sequential(
        [
            keras.Input((12, 12, 1)),
            layers.Conv2D(4, 3, activation="relu"),
            layers.BatchNormalization(),
            layers.AveragePooling2D(2, padding="same"),
            layers.ZeroPadding2D(1),
            layers.Conv2D(5, 3, strides=2, activation="tanh"),
            layers.GlobalAveragePooling2D(),
            layers.Dense(3, activation="softmax"),
        ]
    )
    converted = compare(model, tmp_path, input_range=(0, 1))
    assert converted.layer_names[1:] == [layer.name for layer in model.layers]


def test_unsupported_layers_are_listed_by_name():
    image = keras.Input((8, 8, 3), name="image")
    x = layers.Conv2D(4, 3, data_format="channels_first", name="transposed")(image)
    x = layers.Conv2D(4, 3, activation="hard_sigmoid", name="hard")(x)
    x = layers.Reshape((-1, 4), name="as_sequence")(x)
    x = layers.LSTM(3, name="lstm")(x)
    with pytest.raises(ConversionError) as caught:
        fv.Model.from_keras(keras.Model(image, x))
    message = str(caught.value)
    assert "transposed (Conv2D): data_format='channels_first'" in message
    assert "hard (Conv2D): activation 'hard_sigmoid'" in message
    assert "lstm (LSTM): no TensorFlow.js layer computes it here" in message


def test_a_shared_layer_is_refused():
    image = keras.Input((8, 8, 3))
    conv = layers.Conv2D(3, 3, padding="same", name="shared")
    model = keras.Model(image, conv(conv(image)))
    with pytest.raises(ConversionError, match="shared \\(Conv2D\\): called 2 times"):
        fv.Model.from_keras(model)


def test_not_a_keras_model():
    with pytest.raises(TypeError, match=r"needs a keras\.Model"):
        fv.Model.from_keras(object())
