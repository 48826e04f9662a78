"""A PyTorch ``nn.Module`` as a TensorFlow.js Layers functional model, traced with torch.fx.

``torch.fx.symbolic_trace`` records the module's forward pass as a graph of module calls
(``layer4.1.conv2``), functions (``torch.cat``, ``F.relu``, ``+``) and tensor methods
(``x.flatten(1)``); shape propagation gives every value's shape. Each node becomes one
Keras layer of a functional graph (``convert_graph.GraphBuilder``), named by its module
path; a function call is named after the innermost module that makes it
(``layer1.0.add``); a module called twice (torchvision's shared ``relu``) gets ``_1`` on
its second layer, as fx names it.

Layout: PyTorch is channels-first (N, C, H, W), tfjs channels-last (N, H, W, C). Kernels are
transposed (see ``convert.py``'s header); a flatten of (C, H, W) visits values in another
order than tfjs's flatten of (H, W, C), so the flattened value remembers the permutation
and the first Linear that reads it reorders its kernel's rows.

Exactness: every mapping computes the same function as PyTorch in eval mode (batch norm by
its running statistics, dropout the identity). Where tfjs has no layer of the same meaning
it is composed exactly: padding PyTorch's way is a ``ZeroPadding2D`` before a valid
convolution; a grouped convolution is a ``Conv2D`` with a block-diagonal kernel; a max
pool's padding (``-inf`` in PyTorch) is zero padding only on an input that cannot be
negative (after a ReLU, say). Anything else is collected and raised as one
:class:`ConversionError` listing each unsupported operation with its module path.

Normalization (``mean``, ``std``) becomes the model's first layer, a 1×1 depthwise
convolution named ``normalize``: the model takes pixels in ``input_range`` and gradient
ascent optimizes images, not normalized tensors.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from .convert import ConversionError, _batch_norm, _depthwise_config, _with_bias
from .convert_graph import GraphBuilder

__all__ = ["torch_to_graph"]


@dataclass(frozen=True)
class _Value:
    """A tensor of the traced graph as the tfjs graph holds it."""

    layer: str
    #: PyTorch's shape, batch first.
    shape: tuple[int, ...]
    #: tfjs's flat position j holds PyTorch's flat element perm[j] (after a 4-D flatten).
    perm: Any = None
    #: Whether it cannot be negative (zero padding then equals PyTorch's -inf for max pools).
    nonneg: bool = False


class _Unsupported(Exception):
    """One operation that has no exact tfjs form (collected, then reported together)."""


def _fn_names(*names: str) -> set[str]:
    return set(names)


_ACTIVATIONS = {
    # module class name / function name → Keras activation
    "ReLU": "relu",
    "relu": "relu",
    "relu_": "relu",
    "GELU": "gelu",
    "gelu": "gelu",
    "SiLU": "swish",
    "silu": "swish",
    "Sigmoid": "sigmoid",
    "sigmoid": "sigmoid",
    "Tanh": "tanh",
    "tanh": "tanh",
}
_NONNEG = {"relu", "relu6", "sigmoid"}
_ADD = _fn_names("add", "add_", "iadd", "__add__", "__iadd__")
_CAT = _fn_names("cat", "concat", "concatenate")
_FLATTEN = _fn_names("flatten", "view", "reshape")
_IDENTITY_MODULES = {"Identity", "Dropout", "Dropout2d", "Dropout1d", "AlphaDropout"}
_SHAPE_ONLY = _fn_names("size", "dim")


def torch_to_graph(
    module: Any,
    input_shape: Sequence[int],
    *,
    mean: Any = None,
    std: Any = None,
) -> tuple[GraphBuilder, str]:
    """``module`` (in eval mode's meaning) as a graph; returns it and its output layer."""
    import torch
    import torch.nn as nn

    if not isinstance(module, nn.Module):
        raise TypeError(f"from_torch needs a torch.nn.Module, not {type(module).__name__}")
    shape = _image_shape(input_shape)
    traced = _trace(module)
    modes = [(m, m.training) for m in module.modules()]
    module.eval()
    try:
        from torch.fx.passes.shape_prop import ShapeProp

        param = next(module.parameters(), None)
        like = {"dtype": param.dtype, "device": param.device} if param is not None else {}
        with torch.no_grad():
            try:
                ShapeProp(traced).propagate(torch.zeros((2, *shape), **like))
            except Exception as err:  # report the cause as the module's failure
                raise ConversionError(
                    f"the module fails on an input of shape (2, {', '.join(map(str, shape))}): "
                    f"{err}"
                ) from err
            return _Converter(traced, shape, mean, std).run()
    finally:
        for m, training in modes:
            m.training = training


def _image_shape(input_shape: Sequence[int]) -> tuple[int, int, int]:
    shape = tuple(input_shape) if isinstance(input_shape, (list, tuple)) else ()
    if len(shape) != 3 or not all(
        isinstance(n, int) and not isinstance(n, bool) and n > 0 for n in shape
    ):
        raise ValueError(
            "input_shape must be one image's shape without the batch, as PyTorch sees it: "
            f"(channels, height, width), not {input_shape!r}"
        )
    return shape  # type: ignore[return-value]


def _trace(module: Any) -> Any:
    """The fx graph of ``module``; a custom autograd Function is kept as one opaque call."""
    import torch
    import torch.fx as fx

    tracer = fx.Tracer()
    function = torch.autograd.Function
    original = function.__dict__["apply"]

    def traced_apply(cls: Any, *args: Any, **kwargs: Any) -> Any:
        # fx would trace the Function's forward and lose its backward: keep it a call.
        if any(isinstance(a, fx.Proxy) for a in args):

            def custom(*inner: Any) -> Any:
                return original.__get__(None, cls)(*inner)

            custom.__name__ = cls.__name__
            custom._featureviz_autograd = cls  # type: ignore[attr-defined]
            return tracer.create_proxy("call_function", custom, args, kwargs)
        return original.__get__(None, cls)(*args, **kwargs)

    function.apply = classmethod(traced_apply)  # type: ignore[method-assign,assignment]
    try:
        graph = tracer.trace(module)
    except Exception as err:
        raise ConversionError(
            f"torch.fx cannot trace {type(module).__name__}: {err}. featureviz converts "
            "modules whose forward pass does not depend on the input's values "
            "(no data-dependent if or loop)"
        ) from err
    finally:
        function.apply = original  # type: ignore[method-assign]
    return fx.GraphModule(tracer.root, graph)


def _where(node: Any) -> str:
    """The module path a node belongs to: its own for a module call, else its caller's."""
    if node.op == "call_module":
        return str(node.target)
    stack = node.meta.get("nn_module_stack") or {}
    paths = [path for path, _ in stack.values()]
    return paths[-1] if paths else ""


def _op_name(node: Any) -> str:
    target = node.target
    if isinstance(target, str):
        return target
    return getattr(target, "__name__", str(target))


class _Converter:
    def __init__(self, traced: Any, shape: tuple[int, int, int], mean: Any, std: Any):
        self.traced = traced
        self.modules = dict(traced.named_modules())
        self.shape = shape
        self.mean, self.std = mean, std
        self.graph = GraphBuilder(type(traced).__name__)
        self.values: dict[Any, _Value] = {}
        self.unsupported: list[str] = []
        #: Nodes whose value is not a tensor (nor a stand-in for one).
        self.failed: set[Any] = set()

    def run(self) -> tuple[GraphBuilder, str]:
        output = None
        for node in self.traced.graph.nodes:
            if node.op == "placeholder":
                if self.values:
                    self._fail(node, "a second input (featureviz takes one image)")
                    continue
                self.values[node] = self._input()
            elif node.op == "output":
                output = self._output(node)
            elif node.op == "get_attr":
                self._fail(node, f"a tensor attribute used as a value ({node.target})")
            else:
                self._convert(node)
        if self.unsupported:
            listed = "\n".join(f"  - {line}" for line in self.unsupported)
            raise ConversionError(
                f"{len(self.unsupported)} operation(s) of this model have no TensorFlow.js "
                f"Layers form that featureviz can write:\n{listed}"
            )
        assert output is not None
        return self.graph, output

    def _fail(self, node: Any, what: str) -> None:
        where = _where(node) or "(top level)"
        line = f"{where}: {what}"
        if line not in self.unsupported:
            self.unsupported.append(line)

    def _input(self) -> _Value:
        import numpy as np

        c, h, w = self.shape
        layer = self.graph.input("input", [h, w, c])
        if self.mean is None and self.std is None:
            return _Value(layer, (1, c, h, w))
        mean = _per_channel(self.mean, 0.0, c, "mean")
        std = _per_channel(self.std, 1.0, c, "std")
        if (std <= 0).any():
            raise ValueError(f"std must be positive, not {self.std!r}")
        # (x - mean) / std = x * (1 / std) + (-mean / std), per channel.
        kernel = (1.0 / std).reshape(1, 1, c, 1)
        bias = -mean / std
        config = _depthwise_config((1, 1), (1, 1), "valid", (1, 1), 1, True)
        layer = self.graph.add(
            "DepthwiseConv2D",
            "normalize",
            config,
            [layer],
            [("depthwise_kernel", kernel), ("bias", np.asarray(bias))],
        )
        return _Value(layer, (1, c, h, w))

    def _output(self, node: Any) -> str | None:
        result = node.args[0]
        if isinstance(result, (list, tuple)):
            self._fail(node, f"{len(result)} outputs (featureviz takes a model with one output)")
            return None
        value = self.values.get(result)
        return value.layer if value is not None else None

    def _args(self, node: Any) -> list[Any]:
        return list(node.args)

    def _tensor(self, arg: Any) -> _Value:
        value = self.values.get(arg)
        if value is None:
            raise _Unsupported(f"{arg!r} is not a tensor of the model")
        return value

    def _convert(self, node: Any) -> None:
        if any(source in self.failed for source in node.all_input_nodes):
            # Downstream of a value that is not a tensor (an LSTM's tuple): already listed.
            self.failed.add(node)
            return
        meta = node.meta.get("tensor_meta")
        if meta is None or not hasattr(meta, "shape"):
            if node.op in ("call_method", "call_function") and _op_name(node) in _SHAPE_ONLY:
                return  # x.size(0) in x.view(x.size(0), -1): read from shapes instead
            if node.op == "call_function" and _op_name(node) == "getattr":
                return
            what = type(self.modules[node.target]).__name__ if node.op == "call_module" else None
            self._fail(node, f"{what or _op_name(node)} (gives no single tensor)")
            self.failed.add(node)
            return
        out_shape = tuple(int(n) for n in meta.shape)
        try:
            value = self._map(node, out_shape)
        except _Unsupported as problem:
            self._fail(node, str(problem))
            # A stand-in, so that what follows is still checked and listed.
            value = _Value("", out_shape)
        self.values[node] = value

    def _map(self, node: Any, out_shape: tuple[int, ...]) -> _Value:
        if node.op == "call_module":
            module = self.modules[node.target]
            return self._module(node, module, str(node.target), out_shape)
        name = _op_name(node)
        if getattr(node.target, "_featureviz_autograd", None) is not None:
            raise _Unsupported(f"custom autograd function {name}")
        base = _where(node)
        layer_name = f"{base}.{name}" if base else name
        args = self._args(node)
        if name in _ACTIVATIONS:
            return self._activation(self._tensor(args[0]), _ACTIVATIONS[name], layer_name)
        if name in ("relu6", "hardtanh", "hardtanh_"):
            low, high = _hardtanh_bounds(name, args, node.kwargs)
            if (low, high) != (0.0, 6.0):
                raise _Unsupported(f"{name} with bounds ({low}, {high}); only (0, 6) is")
            return self._activation(self._tensor(args[0]), "relu6", layer_name)
        if name in _ADD:
            return self._add(node, args, layer_name)
        if name in _CAT:
            return self._cat(node, layer_name, out_shape)
        if name in _FLATTEN:
            return self._flatten(self._tensor(args[0]), layer_name, out_shape, name)
        if name in ("dropout", "dropout2d", "contiguous", "clone", "detach"):
            return self._tensor(args[0])
        if name in ("adaptive_avg_pool2d", "adaptive_max_pool2d"):
            return self._adaptive(self._tensor(args[0]), name, layer_name, out_shape)
        if name in ("max_pool2d", "avg_pool2d"):
            return self._functional_pool(node, name, layer_name, out_shape)
        if name == "mean":
            return self._mean(node, layer_name, out_shape)
        raise _Unsupported(f"{name} ({node.op.replace('_', ' ')})")

    # -- modules ---------------------------------------------------------------------

    def _module(self, node: Any, module: Any, path: str, out_shape: tuple) -> _Value:
        kind = type(module).__name__
        args = self._args(node)
        if len(args) != 1 or node.kwargs:
            raise _Unsupported(f"{kind} called with {len(args)} arguments")
        x = self._tensor(args[0])
        if kind in _IDENTITY_MODULES:
            return x
        if kind in _ACTIVATIONS:
            name = _ACTIVATIONS[kind]
            if kind == "GELU" and module.approximate == "tanh":
                name = "gelu_new"
            return self._activation(x, name, path)
        if kind == "ReLU6" or (kind == "Hardtanh" and (module.min_val, module.max_val) == (0, 6)):
            return self._activation(x, "relu6", path)
        if kind == "Conv2d":
            return self._conv(module, x, path, out_shape)
        if kind == "BatchNorm2d":
            self._need_4d(x, kind)
            layer = _batch_norm(module, path)
            return self._add_layer(layer, path, x, out_shape)
        if kind == "Linear":
            return self._linear(module, x, path, out_shape)
        if kind == "Flatten":
            if module.start_dim != 1 or module.end_dim != -1:
                raise _Unsupported("Flatten other than (start_dim=1, end_dim=-1)")
            return self._flatten(x, path, out_shape, "flatten")
        if kind in ("MaxPool2d", "AvgPool2d"):
            geometry = _PoolGeometry.of_module(module)
            is_max = kind == "MaxPool2d"
            return self._pool(x, geometry, is_max, path, out_shape)
        if kind in ("AdaptiveAvgPool2d", "AdaptiveMaxPool2d"):
            name = "adaptive_avg_pool2d" if kind == "AdaptiveAvgPool2d" else "adaptive_max_pool2d"
            return self._adaptive(x, name, path, out_shape)
        raise _Unsupported(f"{kind} (no TensorFlow.js layer computes it here)")

    def _add_layer(self, layer: dict[str, Any], name: str, x: _Value, out_shape: tuple) -> _Value:
        new = self.graph.add(
            layer["class_name"], name, layer["config"], [x.layer], layer["weights"]
        )
        return _Value(new, out_shape)

    def _need_4d(self, x: _Value, what: str) -> None:
        if len(x.shape) != 4:
            raise _Unsupported(f"{what} on a {len(x.shape)}-D tensor (only images, N×C×H×W)")

    def _activation(self, x: _Value, name: str, layer_name: str) -> _Value:
        if name == "relu6":
            layer = self.graph.add("ReLU", layer_name, {"max_value": 6}, [x.layer])
        else:
            layer = self.graph.add("Activation", layer_name, {"activation": name}, [x.layer])
        return _Value(layer, x.shape, x.perm, name in _NONNEG)

    def _pad(self, x: _Value, pads: tuple[int, int, int, int], name: str) -> _Value:
        top, bottom, left, right = pads
        if not any(pads):
            return x
        config = {"padding": [[top, bottom], [left, right]], "data_format": "channels_last"}
        layer = self.graph.add("ZeroPadding2D", f"{name}.pad", config, [x.layer])
        n, c, h, w = x.shape
        return _Value(layer, (n, c, h + top + bottom, w + left + right), None, x.nonneg)

    def _conv(self, module: Any, x: _Value, path: str, out_shape: tuple) -> _Value:
        import numpy as np

        self._need_4d(x, "Conv2d")
        if module.padding_mode != "zeros":
            raise _Unsupported(f"Conv2d with padding_mode={module.padding_mode!r}")
        k, s, d = tuple(module.kernel_size), tuple(module.stride), tuple(module.dilation)
        if max(s) > 1 and max(d) > 1:
            raise _Unsupported("Conv2d with both stride and dilation above 1 (tfjs refuses it)")
        pads = _conv_pads(module.padding, x.shape[2:], k, s, d)
        padding, pads = _same_or_pads(x.shape[2:], k, s, d, pads, out_shape[2:])
        x = self._pad(x, pads, path)
        weight = module.weight.detach().cpu().double().numpy()
        c, groups, out = module.in_channels, module.groups, module.out_channels
        bias = module.bias.detach().cpu().double().numpy() if module.bias is not None else None
        # tfjs-layers' DepthwiseConv2D ignores its dilation: a dilated one is a Conv2D.
        if groups == c and c > 1 and d == (1, 1):
            m = out // c
            # (c*m + q, 1, h, w) -> (h, w, c, q): torch's grouped order is tfjs's.
            kernel = weight.reshape(c, m, *k).transpose(2, 3, 0, 1)
            config = _depthwise_config(k, s, padding, d, m, bias is not None)
            weights = [("depthwise_kernel", kernel)] + (
                [("bias", bias)] if bias is not None else []
            )
            layer = self.graph.add("DepthwiseConv2D", path, config, [x.layer], weights)
            return _Value(layer, out_shape)
        if groups > 1:
            # Block-diagonal: group g's outputs read only group g's inputs (exact, g× the work).
            full = np.zeros((out, c, *k))
            per_in, per_out = c // groups, out // groups
            for g in range(groups):
                rows = slice(g * per_out, (g + 1) * per_out)
                full[rows, g * per_in : (g + 1) * per_in] = weight[rows]
            weight = full
        config = {
            "filters": out,
            "kernel_size": list(k),
            "strides": list(s),
            "padding": padding,
            "data_format": "channels_last",
            "dilation_rate": list(d),
        }
        layer = _with_bias("Conv2D", module, weight.transpose(2, 3, 1, 0), config)
        return self._add_layer(layer, path, x, out_shape)

    def _linear(self, module: Any, x: _Value, path: str, out_shape: tuple) -> _Value:
        if len(x.shape) != 2:
            raise _Unsupported(
                f"Linear on a {len(x.shape)}-D tensor (flatten it first: tfjs's Dense reads "
                "channels, PyTorch's Linear the last axis)"
            )
        kernel = module.weight.detach().cpu().double().numpy().T
        if x.perm is not None:
            kernel = kernel[x.perm]
        layer = _with_bias("Dense", module, kernel, {"units": module.out_features})
        return self._add_layer(layer, path, x, out_shape)

    # -- functions -------------------------------------------------------------------

    def _add(self, node: Any, args: list[Any], name: str) -> _Value:
        if len(args) != 2 or node.kwargs.get("alpha", 1) != 1:
            raise _Unsupported("add with other than two tensors")
        if not all(arg in self.values for arg in args):
            if any(isinstance(arg, (int, float)) for arg in args):
                raise _Unsupported("add of a constant")
            self._tensor(args[0]), self._tensor(args[1])
        a, b = self._tensor(args[0]), self._tensor(args[1])
        if a.shape != b.shape or _perm_key(a) != _perm_key(b):
            raise _Unsupported(f"add of shapes {a.shape[1:]} and {b.shape[1:]} (broadcasting)")
        layer = self.graph.add("Add", name, {}, [a.layer, b.layer])
        return _Value(layer, a.shape, a.perm, a.nonneg and b.nonneg)

    def _cat(self, node: Any, name: str, out_shape: tuple) -> _Value:
        tensors = node.args[0] if node.args else node.kwargs.get("tensors")
        dim = node.args[1] if len(node.args) > 1 else node.kwargs.get("dim", 0)
        values = [self._tensor(t) for t in tensors]
        if len(values) == 1:
            return values[0]  # DenseNet's first layer of a block concatenates one tensor
        rank = len(values[0].shape)
        if dim % rank != 1 or any(v.perm is not None for v in values):
            raise _Unsupported(f"cat along dim {dim} (only channels, dim=1, are supported)")
        layer = self.graph.add("Concatenate", name, {"axis": -1}, [v.layer for v in values])
        return _Value(layer, out_shape, None, all(v.nonneg for v in values))

    def _flatten(self, x: _Value, name: str, out_shape: tuple, op: str) -> _Value:
        import numpy as np

        if len(out_shape) != 2 or out_shape[0] != x.shape[0]:
            raise _Unsupported(f"{op} to shape {out_shape} (only flattening each example is)")
        if len(x.shape) == 2:
            return x
        if len(x.shape) != 4:
            raise _Unsupported(f"{op} of a {len(x.shape)}-D tensor")
        _, c, h, w = x.shape
        perm = None
        if h * w > 1 and c > 1:
            # tfjs's flat (h, w, c) element is torch's flat (c, h, w) element.
            perm = np.arange(c * h * w).reshape(c, h, w).transpose(1, 2, 0).ravel()
        layer = self.graph.add("Flatten", name, {"data_format": "channels_last"}, [x.layer])
        return _Value(layer, out_shape, perm, x.nonneg)

    def _global(self, x: _Value, is_max: bool, name: str, out_shape: tuple) -> _Value:
        self._need_4d(x, "global pooling")
        class_name = "GlobalMaxPooling2D" if is_max else "GlobalAveragePooling2D"
        layer = self.graph.add(class_name, name, {"data_format": "channels_last"}, [x.layer])
        if len(out_shape) == 4:
            # PyTorch keeps (N, C, 1, 1); tfjs's global pools give (N, C).
            shape = {"target_shape": [1, 1, out_shape[1]]}
            layer = self.graph.add("Reshape", f"{name}.keepdims", shape, [layer])
        return _Value(layer, out_shape, None, x.nonneg)

    def _adaptive(self, x: _Value, op: str, name: str, out_shape: tuple) -> _Value:
        self._need_4d(x, op)
        is_max = "max" in op
        (h, w), (oh, ow) = x.shape[2:], out_shape[2:]
        if (oh, ow) == (1, 1):
            return self._global(x, is_max, name, out_shape)
        if (oh, ow) == (h, w):
            return x
        if oh % h == 0 and ow % w == 0:
            # Each output window covers exactly one input position: nearest upsampling.
            config = {
                "size": [oh // h, ow // w],
                "data_format": "channels_last",
                "interpolation": "nearest",
            }
            layer = self.graph.add("UpSampling2D", name, config, [x.layer])
            return _Value(layer, out_shape, None, x.nonneg)
        if h % oh or w % ow:
            raise _Unsupported(f"{op} from {h}×{w} to {oh}×{ow} (windows of unequal size)")
        k = (h // oh, w // ow)
        return self._pool(
            x, _PoolGeometry(k, k, (0, 0), False, True, None), is_max, name, out_shape
        )

    def _functional_pool(self, node: Any, op: str, name: str, out_shape: tuple) -> _Value:
        params = _POOL_PARAMS[op]
        a = {**params[1], **dict(zip(params[0], node.args)), **node.kwargs}
        if a.get("return_indices"):
            raise _Unsupported(f"{op} with return_indices=True")
        geometry = _PoolGeometry(
            _pair(a["kernel_size"]),
            _pair(a["stride"] or a["kernel_size"]),
            _pair(a["padding"]),
            bool(a["ceil_mode"]),
            bool(a.get("count_include_pad", True)),
            a.get("divisor_override"),
            _pair(a.get("dilation", 1)),
        )
        return self._pool(self._tensor(a["input"]), geometry, op == "max_pool2d", name, out_shape)

    def _mean(self, node: Any, name: str, out_shape: tuple) -> _Value:
        x = self._tensor(node.args[0])
        dims = node.args[1] if len(node.args) > 1 else node.kwargs.get("dim")
        dims = (dims,) if isinstance(dims, int) else tuple(dims or ())
        if len(x.shape) != 4 or sorted(d % 4 for d in dims) != [2, 3]:
            raise _Unsupported(f"mean over dims {dims} (only over positions, (2, 3), is)")
        return self._global(x, False, name, out_shape)

    def _pool(
        self, x: _Value, g: _PoolGeometry, is_max: bool, name: str, out_shape: tuple
    ) -> _Value:
        self._need_4d(x, "pooling")
        what = "MaxPool2d" if is_max else "AvgPool2d"
        if g.dilation != (1, 1):
            raise _Unsupported(f"{what} with dilation {g.dilation}")
        if g.divisor is not None:
            raise _Unsupported(f"{what} with divisor_override")
        size = x.shape[2:]
        pads = []
        for axis in (0, 1):
            n, k, s, p, out = (
                size[axis],
                g.kernel[axis],
                g.stride[axis],
                g.padding[axis],
                out_shape[2 + axis],
            )
            end = max(0, (out - 1) * s + k - n - p)
            if (n + p + end - k) // s + 1 != out:
                raise _Unsupported(f"{what} whose output size has no padded form")
            pads += [p, end]
        top, bottom, left, right = pads
        same = _tf_same(size, g.kernel, g.stride, (1, 1), out_shape[2:], (top, left))
        if same and (is_max or not g.count_include_pad):
            padding = "same"
        elif not any(pads):
            padding = "valid"
        elif not is_max and g.count_include_pad and not g.ceil_mode:
            padding = "valid"  # zeros counted in the mean: PyTorch's count_include_pad
            x = self._pad(x, (top, bottom, left, right), name)
        elif is_max and x.nonneg:
            padding = "valid"  # zero padding never wins a max of non-negative values
            x = self._pad(x, (top, bottom, left, right), name)
        else:
            detail = "an input that can be negative" if is_max else "padding excluded from the mean"
            raise _Unsupported(f"{what} with padding {g.padding} on {detail}")
        config = {
            "pool_size": list(g.kernel),
            "padding": padding,
            "strides": list(g.stride),
            "data_format": "channels_last",
        }
        class_name = "MaxPooling2D" if is_max else "AveragePooling2D"
        layer = self.graph.add(class_name, name, config, [x.layer])
        return _Value(layer, out_shape, None, x.nonneg)


# F.max_pool2d's and F.avg_pool2d's parameters in order, and their defaults (builtins
# have no signature to bind).
_POOL_PARAMS: dict[str, tuple[tuple[str, ...], dict[str, Any]]] = {
    "max_pool2d": (
        ("input", "kernel_size", "stride", "padding", "dilation", "ceil_mode", "return_indices"),
        {"stride": None, "padding": 0, "dilation": 1, "ceil_mode": False, "return_indices": False},
    ),
    "avg_pool2d": (
        (
            "input",
            "kernel_size",
            "stride",
            "padding",
            "ceil_mode",
            "count_include_pad",
            "divisor_override",
        ),
        {
            "stride": None,
            "padding": 0,
            "ceil_mode": False,
            "count_include_pad": True,
            "divisor_override": None,
        },
    ),
}


@dataclass(frozen=True)
class _PoolGeometry:
    kernel: tuple[int, int]
    stride: tuple[int, int]
    padding: tuple[int, int]
    ceil_mode: bool
    count_include_pad: bool
    divisor: Any
    dilation: tuple[int, int] = (1, 1)

    @classmethod
    def of_module(cls, module: Any) -> _PoolGeometry:
        return cls(
            _pair(module.kernel_size),
            _pair(module.stride or module.kernel_size),
            _pair(module.padding),
            bool(module.ceil_mode),
            bool(getattr(module, "count_include_pad", True)),
            getattr(module, "divisor_override", None),
            _pair(getattr(module, "dilation", 1)),
        )


def _pair(value: Any) -> tuple[int, int]:
    if isinstance(value, int):
        return (value, value)
    items = tuple(int(v) for v in value)
    return (items[0], items[0]) if len(items) == 1 else (items[0], items[1])


def _perm_key(value: _Value) -> Any:
    return None if value.perm is None else value.perm.tobytes()


def _hardtanh_bounds(name: str, args: list[Any], kwargs: dict[str, Any]) -> tuple[float, float]:
    if name == "relu6":
        return (0.0, 6.0)
    low = args[1] if len(args) > 1 else kwargs.get("min_val", -1.0)
    high = args[2] if len(args) > 2 else kwargs.get("max_val", 1.0)
    return (float(low), float(high))


def _per_channel(value: Any, default: float, channels: int, what: str) -> Any:
    import numpy as np

    array = np.asarray(default if value is None else value, dtype=np.float64).ravel()
    if array.size == 1:
        array = np.repeat(array, channels)
    if array.size != channels or not np.isfinite(array).all():
        raise ValueError(
            f"{what} must be one number or one per channel ({channels}), not {value!r}"
        )
    return array


def _conv_pads(padding: Any, size: tuple, k: tuple, s: tuple, d: tuple) -> tuple[int, ...]:
    """(top, bottom, left, right) as PyTorch pads for ``padding``."""
    if padding == "valid":
        return (0, 0, 0, 0)
    if padding == "same":  # stride 1: the total split with the smaller half first
        pads = []
        for kk, dd in zip(k, d):
            total = dd * (kk - 1)
            pads += [total // 2, total - total // 2]
        return tuple(pads)
    ph, pw = _pair(padding)
    return (ph, ph, pw, pw)


def _tf_same(size, k, s, d, out, begins) -> bool:
    """Whether TensorFlow's 'same' padding makes exactly these windows."""
    for n, kk, ss, dd, o, b in zip(size, k, s, d, out, begins):
        tf_out = math.ceil(n / ss)
        total = max((tf_out - 1) * ss + (kk - 1) * dd + 1 - n, 0)
        if tf_out != o or b != total // 2:
            return False
    return True


def _same_or_pads(size, k, s, d, pads, out) -> tuple[str, tuple[int, int, int, int]]:
    """'same' when TensorFlow pads the same windows, else 'valid' after explicit padding."""
    top, _bottom, left, _right = pads
    if not any(pads):
        return "valid", pads
    if _tf_same(size, k, s, d, out, (top, left)):
        return "same", (0, 0, 0, 0)
    # A valid convolution over the padded input drops what PyTorch drops.
    return "valid", pads
