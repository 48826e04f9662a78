"""The kernel's end of the featureviz comm, in a real IPython kernel driven as
the page drives it: arrays fetched as binary buffers, results back for
``await out.result()``, and the errors when no page is attached."""

from __future__ import annotations

import asyncio
import json

import numpy as np
import pytest
from kernel_client import PageSide

import featureviz as fv
from featureviz import _comm


@pytest.fixture(scope="module")
def kernel():
    page = PageSide()
    try:
        page.run("import featureviz as fv, numpy as np\nfrom featureviz import _comm")
        yield page
    finally:
        page.close()


RESULT_VIEW = """
class Sends(fv.Visualization):
    sends_result = True
out = Sends({"view": "top-examples", "model": {"builtin": "mnist-cnn"}})
print(out.result_id)
"""


def test_result_without_a_page_says_no_browser_is_attached(kernel):
    out = kernel.run(
        RESULT_VIEW
        + "try:\n    await out.result(attach_timeout=0.2)\n"
        + "except fv.NoFrontendError as e:\n    print('NoFrontendError:', e)\n"
    )
    assert "NoFrontendError: no browser with the jupyterlab-featureviz extension is attached" in out


def test_arrays_go_to_the_page_as_binary_buffers(kernel):
    kernel.run(
        "images = np.arange(24, dtype=np.uint8).reshape(2, 3, 4)\n"
        "labels = np.array([7, 3], dtype=np.int32)\n"
        "_comm.hold_arrays('key1', {'images': images, 'labels': labels})"
    )
    kernel.open_comm()
    kernel.send({"type": "fetch", "request": 5, "key": "key1"})
    data, buffers = kernel.receive()
    assert data == {
        "msg_type": "comm_msg",
        "type": "arrays",
        "request": 5,
        "key": "key1",
        "arrays": [
            {"name": "images", "dtype": "uint8", "shape": [2, 3, 4]},
            {"name": "labels", "dtype": "int32", "shape": [2]},
        ],
    }
    assert buffers[0] == bytes(range(24))
    assert np.frombuffer(buffers[1], np.int32).tolist() == [7, 3]
    # An unknown key (a restarted kernel) is an error naming the fix.
    kernel.send({"type": "fetch", "request": 6, "key": "gone"})
    data, buffers = kernel.receive()
    assert data["type"] == "error" and data["request"] == 6
    assert "run the cell that makes it again" in data["message"]
    counts = json.loads(kernel.run("import json; print(json.dumps(dict(_comm.counts)))"))
    assert counts["sent:arrays"] == 1 and counts["received:fetch"] == 2


def test_await_result_receives_the_pages_result_while_the_cell_waits(kernel):
    result_id = kernel.run(RESULT_VIEW).strip()
    if kernel.comm_id is None:
        kernel.open_comm()
    # The cell awaits; the page's message arrives while it does (not after).
    waiting = kernel.start(
        "res = await out.result(timeout=30)\n"
        "print(res['kind'], res['summary'], res['arrays']['indices'].tolist(), "
        "res['arrays']['values'].dtype)"
    )
    indices = np.array([9, 4, 1], np.int32)
    values = np.array([3.5, 2.0, 2.0], np.float32)
    kernel.send(
        {
            "type": "result",
            "id": result_id,
            "kind": "top-examples",
            "summary": {"count": 10},
            "arrays": [
                {"name": "indices", "dtype": "int32", "shape": [3]},
                {"name": "values", "dtype": "float32", "shape": [3]},
            ],
        },
        [indices.tobytes(), values.tobytes()],
    )
    reply, printed = kernel.wait_reply(waiting)
    assert reply["content"]["status"] == "ok", printed
    assert printed.strip() == "top-examples {'count': 10} [9, 4, 1] float32"


def test_a_failed_run_raises_in_the_kernel(kernel):
    result_id = kernel.run(RESULT_VIEW).strip()
    if kernel.comm_id is None:
        kernel.open_comm()
    kernel.send({"type": "failed", "id": result_id, "message": "Layer conv9 not found."})
    out = kernel.run(
        "try:\n    await out.result(timeout=10)\n"
        "except fv.RunFailedError as e:\n    print('RunFailedError:', e)\n"
    )
    assert out.strip() == "RunFailedError: Layer conv9 not found."


def test_a_page_of_another_version_is_refused(kernel):
    page = PageSide.__new__(PageSide)
    page.manager, page.client, page.comm_id = kernel.manager, kernel.client, None
    page.open_comm(version=99)
    data, _ = page.receive()
    assert data["msg_type"] == "comm_close"
    assert "speaks comm version 1, the page 99" in data["message"]


def test_result_outside_a_kernel_fails_at_once():
    class Sends(fv.Visualization):
        sends_result = True

    out = Sends({"view": "top-examples", "model": {"builtin": "mnist-cnn"}})
    with pytest.raises(fv.NoFrontendError, match="not a Jupyter kernel"):
        asyncio.run(out.result(attach_timeout=5))
    with pytest.raises(NotImplementedError, match="sends no result back"):
        asyncio.run(fv.Visualization({"view": "gradient-ascent"}).result())


def test_result_metadata_carries_the_id_only_for_views_that_send_one():
    class Sends(fv.Visualization):
        sends_result = True

    out = Sends({"view": "top-examples"})
    data, metadata = out._repr_mimebundle_()
    assert metadata == {fv.MIME_TYPE: {"resultId": out.result_id}}
    assert len(out.result_id) == 32
    assert "resultId" not in json.dumps(data)  # the spec (and its hash) stays the same
    assert isinstance(fv.Visualization({"view": "gradient-ascent"})._repr_mimebundle_(), dict)


def test_hold_arrays_refuses_dtypes_the_page_cannot_read():
    with pytest.raises(TypeError, match="float64"):
        _comm.hold_arrays("k", {"images": np.zeros(3)})
