"""The widgets' front-end bundles: built from ``js/`` into ``graph_olap/jupyter/static/``."""

from __future__ import annotations

from functools import cache
from pathlib import Path
from typing import Any, ClassVar

import anywidget

__all__ = ["STATIC_DIR", "BundleMissingError", "BundledWidget", "bundle_text"]

STATIC_DIR = Path(__file__).resolve().parent.parent / "static"


class BundleMissingError(RuntimeError):
    """A widget's JavaScript bundle is not in the installed package."""


@cache
def bundle_text(filename: str) -> str:
    """The text of ``static/<filename>``; raises :class:`BundleMissingError` saying the fix."""
    path = STATIC_DIR / filename
    try:
        return path.read_text(encoding="utf-8")
    except FileNotFoundError:
        raise BundleMissingError(
            f"The graph-olap widget bundle {path} is missing: the front-end was not built. "
            "From a source checkout run `npm ci && npm run build` in the repository root "
            "(or reinstall with `pip install -e .`, which runs the build; it needs Node.js "
            ">= 20); wheels from a package index already contain it."
        ) from None


class BundledWidget(anywidget.AnyWidget):
    """An anywidget whose ``_esm``/``_css`` come from ``static/<_bundle>.js``/``.css``.

    The files are read when the first widget of a class is created (not at import), so that
    ``import graph_olap`` works without a build and a missing bundle fails with the fix.
    """

    _bundle: ClassVar[str] = ""

    def __init__(self, **kwargs: Any) -> None:
        cls = type(self)
        if "_esm" not in cls.__dict__:
            cls._esm = bundle_text(f"{cls._bundle}.js")
            css = STATIC_DIR / f"{cls._bundle}.css"
            if css.exists():
                cls._css = bundle_text(f"{cls._bundle}.css")
        super().__init__(**kwargs)
