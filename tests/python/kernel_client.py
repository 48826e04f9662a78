"""A real IPython kernel driven the way the page drives it: cells to run, and
the ``featureviz`` comm opened from outside (the page's side of the wire
protocol in src/kernel/wire.ts). Used by the comm tests.
"""

from __future__ import annotations

import time
import uuid
from typing import Any


class PageSide:
    """A kernel with featureviz importable, and the page's end of its comm."""

    def __init__(self) -> None:
        from jupyter_client.manager import start_new_kernel

        self.manager, self.client = start_new_kernel(kernel_name="python3")
        self.comm_id: str | None = None

    def close(self) -> None:
        self.client.stop_channels()
        self.manager.shutdown_kernel(now=True)

    def run(self, code: str, timeout: float = 60) -> str:
        """Runs a cell; returns its printed output; fails with the kernel's traceback."""
        out: list[str] = []

        def collect(msg: dict[str, Any]) -> None:
            if msg["msg_type"] == "stream":
                out.append(msg["content"]["text"])
            elif msg["msg_type"] == "error":
                out.append("\n".join(msg["content"]["traceback"]))

        reply = self.client.execute_interactive(code, timeout=timeout, output_hook=collect)
        if reply["content"]["status"] != "ok":
            raise AssertionError("".join(out))
        return "".join(out)

    def start(self, code: str) -> str:
        """Starts a cell without waiting; returns its message id."""
        return self.client.execute(code)

    def wait_reply(self, msg_id: str, timeout: float = 60) -> tuple[dict[str, Any], str]:
        """The execute reply of a started cell and what it printed."""
        printed: list[str] = []
        deadline = time.time() + timeout
        while time.time() < deadline:
            try:
                msg = self.client.get_iopub_msg(timeout=0.5)
            except Exception:  # queue.Empty: keep polling until the deadline
                continue
            if msg["parent_header"].get("msg_id") != msg_id:
                continue
            if msg["msg_type"] == "stream":
                printed.append(msg["content"]["text"])
            if msg["msg_type"] == "error":
                printed.append("\n".join(msg["content"]["traceback"]))
            if msg["msg_type"] == "status" and msg["content"]["execution_state"] == "idle":
                reply = self.client.get_shell_msg(timeout=timeout)
                return reply, "".join(printed)
        raise TimeoutError(f"the cell did not finish in {timeout} s")

    def open_comm(self, version: int = 1) -> None:
        self.comm_id = uuid.uuid4().hex
        self._send(
            "comm_open",
            {"comm_id": self.comm_id, "target_name": "featureviz", "data": {"version": version}},
        )

    def send(self, data: dict[str, Any], buffers: list[bytes] | None = None) -> None:
        self._send("comm_msg", {"comm_id": self.comm_id, "data": data}, buffers)

    def _send(self, msg_type: str, content: dict[str, Any], buffers: Any = None) -> None:
        self.client.session.send(
            self.client.shell_channel.socket, msg_type, content, buffers=buffers
        )

    def receive(self, timeout: float = 20) -> tuple[dict[str, Any], list[bytes]]:
        """The next comm message from the kernel: its data and buffers."""
        deadline = time.time() + timeout
        while time.time() < deadline:
            try:
                msg = self.client.get_iopub_msg(timeout=0.5)
            except Exception:  # queue.Empty: keep polling until the deadline
                continue
            if msg["msg_type"] in ("comm_msg", "comm_close"):
                buffers = [bytes(b) for b in msg.get("buffers") or []]
                return {"msg_type": msg["msg_type"], **msg["content"].get("data", {})}, buffers
        raise TimeoutError(f"no comm message in {timeout} s")
