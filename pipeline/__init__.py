"""review-themes: text mining of published child safeguarding case reviews.

The package is a library; `pipeline.cli` is the thin command-line layer over it.
"""

from __future__ import annotations

from importlib.metadata import PackageNotFoundError, version

try:
    __version__ = version("review-themes")
except PackageNotFoundError:  # running from a source tree without installation
    __version__ = "0.0.0+source"

__all__ = ["__version__"]
