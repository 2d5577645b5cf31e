"""Starting and stopping instance wrappers: local processes now, Kubernetes later."""

from graph_olap_platform.launcher.base import Launched, Launcher, LaunchSpec
from graph_olap_platform.launcher.local import LocalLauncher

__all__ = ["LaunchSpec", "Launched", "Launcher", "LocalLauncher"]
