"""Build of the optional compiled accelerator of the pdfium backend (pipeline/_pdfium_fast.c; see
pipeline/pdfium_words.py). Everything else about the package is in pyproject.toml. `optional=True`:
where it cannot be compiled (no compiler, no Python headers) the install still succeeds and the
backend uses its pure-Python path, which gives the same output."""

from setuptools import Extension, setup

setup(
    ext_modules=[
        Extension(
            "pipeline._pdfium_fast",
            ["pipeline/_pdfium_fast.c"],
            optional=True,
            # No fused multiply-add: every float operation rounds as Python's does.
            extra_compile_args=["-ffp-contract=off"],
        )
    ]
)
