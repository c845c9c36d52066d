"""Serves the harness's JupyterLab front end with Debian's jupyterlab_server (LabServerApp).

Usage (the test runs it with /usr/bin/python3):
  python3 server.py --LimaLab.static_dir=OUT/static --LimaLab.schemas_dir=OUT/schemas
      --LimaLab.themes_dir=OUT/themes --LimaLab.labextensions_path=DIR/share/jupyter/labextensions
      --LimaLab.user_settings_dir=... --LimaLab.workspaces_dir=... --ServerApp.port=N ...

Prebuilt extensions come from labextensions_path, exactly as for a user's JupyterLab: the server
reads each package.json's jupyterlab._build and lists it in the page config's
federated_extensions; the kernelspecs come from JUPYTER_PATH.
"""
import os

from jupyterlab_server import LabServerApp

HERE = os.path.dirname(os.path.abspath(__file__))


class LimaLab(LabServerApp):
    """JupyterLab's application URLs (/lab, /lab/api/settings, ...) over the harness's build."""

    name = "lab"
    app_name = "JupyterLab (lima-xai test harness)"
    app_version = "4.6.4"
    # Only this application: a user's other server extensions do not matter to the test.
    load_other_extensions = False
    default_url = "/lab"
    templates_dir = os.path.join(HERE, "templates")


def _jupyter_server_extension_points():
    """jupyter-server finds the application through this module's extension point."""
    return [{"module": __name__, "app": LimaLab}]


if __name__ == "__main__":
    LimaLab.launch_instance()
