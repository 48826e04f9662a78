"""Jupyter Server configuration for the UI tests under JupyterLab's CSP test setup.

The same as jupyter_server_test_config.py, plus what JupyterLab's own
galata/jupyter_server_csp_test_config.py sets: every page is served with
"Content-Security-Policy: sandbox allow-scripts", so that it runs with an
opaque origin (no Web Worker from the server, no storage), and the server
accepts requests from that "null" origin. Never use it elsewhere: it turns
off authentication.
"""

from pathlib import Path

load_subconfig(str(Path(__file__).with_name("jupyter_server_test_config.py")))  # noqa: F821

c.ServerApp.allow_origin = "null"  # noqa: F821
c.ServerApp.tornado_settings = {  # noqa: F821
    "headers": {"Content-Security-Policy": "sandbox allow-scripts"}
}
