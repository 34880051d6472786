"""Versions of the libraries that decide output, recorded in every model card and run.json."""

from __future__ import annotations

import platform
from importlib.metadata import PackageNotFoundError, version

from pipeline import __version__

TRACKED = ("pdfplumber", "pdfminer.six", "pypdfium2", "scikit-learn", "spacy", "spacy-lookups-data", "numpy", "scipy", "pandas")


def library_versions() -> dict[str, str]:
    """{package: version} for the tool itself, Python and every tracked library that is installed."""
    out = {"review-themes": __version__, "python": platform.python_version()}
    for name in TRACKED:
        try:
            out[name] = version(name)
        except PackageNotFoundError:
            out[name] = "not installed"
    return out
