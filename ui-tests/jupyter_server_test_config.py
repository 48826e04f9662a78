"""Jupyter Server configuration for the UI tests (JupyterLab and Notebook 7).

Never use it elsewhere: it turns off authentication.
"""

from jupyterlab.galata import configure_jupyter_server

configure_jupyter_server(c)  # noqa: F821 - `c` is injected by traitlets

c.ServerApp.ip = "127.0.0.1"  # noqa: F821
# Nothing may leave the machine: no news feed, no update check.
c.LabApp.news_url = None  # noqa: F821
c.LabApp.check_for_updates_class = "jupyterlab.NeverCheckForUpdate"  # noqa: F821
# CI and these development machines run as root; the server refuses that otherwise.
c.ServerApp.allow_root = True  # noqa: F821
# Feature Viz's fault-injection hooks (a lost GPU context, a hung step) are
# honoured only when the page config says so (src/plugins/engine.ts).
c.ServerApp.tornado_settings = {  # noqa: F821
    "page_config_data": {"featurevizTestHooks": True}
}
