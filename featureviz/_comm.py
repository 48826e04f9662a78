"""The kernel's end of the ``featureviz`` comm (docs/architecture.md, "The kernel bridge").

The browser opens the comm (importing featureviz registers its target), so a
reloaded page or a new browser tab simply opens another one. Over it:

- the page asks for arrays by content key (``fetch``) and the kernel answers
  with binary buffers (``arrays``), never JSON numbers and never in the
  notebook; the page keeps them for its life, so re-running a cell that makes
  the same arrays sends nothing again;
- the page sends each finished run's result (``result``: its summary and its
  arrays as buffers), or that the run failed (``failed``), for the displayed
  output whose id the output's metadata carries; ``await out.result()`` waits
  for it.

Messages from the page are handled by the kernel's message loop; a result
can only arrive while that loop runs, so code waits for one with ``await``
(see :meth:`featureviz.Visualization.result`), never with a blocking loop.
"""

from __future__ import annotations

import asyncio
import threading
from collections import Counter
from collections.abc import Mapping
from typing import Any

TARGET = "featureviz"
WIRE_VERSION = 1
#: The dtypes that cross the comm (the page decodes exactly these).
WIRE_DTYPES = ("uint8", "int32", "float32")

_lock = threading.Lock()
_arrays: dict[str, dict[str, Any]] = {}
_frontends: dict[str, Any] = {}
_slots: dict[str, _Slot] = {}
_registered = False
#: Messages by type, both ways (``sent:arrays``, ``received:fetch`` ...): tests count them.
counts: Counter[str] = Counter()


class NoFrontendError(RuntimeError):
    """No browser with the jupyterlab-featureviz extension is attached to this kernel."""


class RunFailedError(RuntimeError):
    """The browser reported that the run of an output failed or was cancelled."""


def register_target() -> bool:
    """Registers the comm target with this kernel's comm manager (once).

    Returns False outside a kernel that has one (plain Python): nothing can
    attach there, and :meth:`Visualization.result` says so.
    """
    global _registered
    if _registered:
        return True
    try:
        import comm
    except ImportError:  # pragma: no cover - the comm package ships with ipykernel
        return False
    try:
        comm.get_comm_manager().register_target(TARGET, _on_open)
    except Exception:  # a kernel without comms: nothing can attach
        return False
    _registered = True
    return True


def hold_arrays(key: str, arrays: Mapping[str, Any]) -> None:
    """Keeps ``arrays`` (name → C-contiguous NumPy array) for pages that ask for ``key``."""
    for name, array in arrays.items():
        if str(array.dtype) not in WIRE_DTYPES:
            raise TypeError(f"array {name!r} is {array.dtype}; the comm carries {WIRE_DTYPES}")
    with _lock:
        _arrays[key] = dict(arrays)


def held_keys() -> list[str]:
    """The keys of the arrays this kernel holds for pages."""
    with _lock:
        return list(_arrays)


def in_kernel() -> bool:
    """Whether this Python runs in a Jupyter kernel (a page can attach only to one)."""
    try:
        from IPython import get_ipython
    except ImportError:  # pragma: no cover - featureviz is used from notebooks
        return False
    shell = get_ipython()
    return shell is not None and getattr(shell, "kernel", None) is not None


def attached() -> bool:
    """Whether a page with the extension has a comm open to this kernel."""
    with _lock:
        return bool(_frontends)


def slot(result_id: str) -> _Slot:
    """The place where the result of the output ``result_id`` arrives."""
    with _lock:
        found = _slots.get(result_id)
        if found is None:
            found = _slots[result_id] = _Slot()
        return found


class _Slot:
    """The latest result (or failure) of one displayed output, and who waits for it."""

    def __init__(self) -> None:
        self.outcome: tuple[str, Any] | None = None
        self._waiters: list[tuple[asyncio.AbstractEventLoop, asyncio.Future[Any]]] = []

    def settle(self, state: str, value: Any) -> None:
        """Records a result (``"done"``) or a failure message (``"failed"``); wakes waiters."""
        self.outcome = (state, value)
        waiters, self._waiters = self._waiters, []
        for loop, future in waiters:
            loop.call_soon_threadsafe(_resolve, future, state, value)

    async def wait(self) -> Any:
        """The result, when it arrives (at once if it did); raises RunFailedError on failure."""
        if self.outcome is None:
            loop = asyncio.get_running_loop()
            future: asyncio.Future[Any] = loop.create_future()
            self._waiters.append((loop, future))
            return await future
        state, value = self.outcome
        if state == "failed":
            raise RunFailedError(value)
        return value


def _resolve(future: asyncio.Future[Any], state: str, value: Any) -> None:
    if future.done():
        return
    if state == "failed":
        future.set_exception(RunFailedError(value))
    else:
        future.set_result(value)


def _on_open(comm: Any, msg: Mapping[str, Any]) -> None:
    data = msg.get("content", {}).get("data") or {}
    if data.get("version") != WIRE_VERSION:
        comm.close(
            data={
                "type": "error",
                "message": f"featureviz in the kernel speaks comm version {WIRE_VERSION}, "
                f"the page {data.get('version')}: install the same version in both",
            }
        )
        return
    with _lock:
        _frontends[comm.comm_id] = comm
    counts["received:open"] += 1

    @comm.on_msg
    def _message(message: Mapping[str, Any]) -> None:
        _on_message(comm, message)

    @comm.on_close
    def _closed(_message: Mapping[str, Any]) -> None:
        with _lock:
            _frontends.pop(comm.comm_id, None)


def _on_message(comm: Any, message: Mapping[str, Any]) -> None:
    data = message.get("content", {}).get("data") or {}
    kind = data.get("type")
    counts[f"received:{kind}"] += 1
    if kind == "fetch":
        _send_arrays(comm, data.get("request"), data.get("key"))
    elif kind == "result" and isinstance(data.get("id"), str):
        try:
            arrays = decode_arrays(data.get("arrays"), message.get("buffers") or [])
        except ValueError as error:
            message_text = f"the page sent a result the kernel cannot read: {error}"
            slot(data["id"]).settle("failed", message_text)
            return
        result = {"kind": data.get("kind"), "summary": data.get("summary") or {}, "arrays": arrays}
        slot(data["id"]).settle("done", result)
    elif kind == "failed" and isinstance(data.get("id"), str):
        slot(data["id"]).settle("failed", str(data.get("message") or "the run failed"))


def _send_arrays(comm: Any, request: Any, key: Any) -> None:
    with _lock:
        arrays = _arrays.get(key) if isinstance(key, str) else None
    if arrays is None:
        comm.send(
            {
                "type": "error",
                "request": request,
                "message": "The kernel no longer holds this dataset (was it restarted?): "
                "run the cell that makes it again.",
            }
        )
        counts["sent:error"] += 1
        return
    described = [
        {"name": name, "dtype": str(a.dtype), "shape": list(a.shape)} for name, a in arrays.items()
    ]
    # memoryviews of the arrays themselves: zmq sends them without a copy.
    buffers = [memoryview(a).cast("B") for a in arrays.values()]
    comm.send(
        {"type": "arrays", "request": request, "key": key, "arrays": described},
        buffers=buffers,
    )
    counts["sent:arrays"] += 1


def decode_arrays(described: Any, buffers: list[Any]) -> dict[str, Any]:
    """The arrays of a message: descriptions ({name, dtype, shape}) and buffers, in order."""
    import numpy as np

    if not isinstance(described, list) or len(described) != len(buffers):
        raise ValueError("the page sent array descriptions that do not match its buffers")
    out: dict[str, Any] = {}
    for item, buffer in zip(described, buffers):
        name, dtype, shape = item.get("name"), item.get("dtype"), item.get("shape")
        if dtype not in WIRE_DTYPES or not isinstance(shape, list):
            raise ValueError(f"the page sent an array {name!r} of dtype {dtype!r}")
        array = np.frombuffer(bytes(buffer), dtype=dtype)
        out[str(name)] = array.reshape([int(d) for d in shape]).copy()
    return out


def reset() -> None:
    """Forgets held arrays, results and counts (tests)."""
    with _lock:
        _arrays.clear()
        _slots.clear()
    counts.clear()
