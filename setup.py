"""Build step for the optional C extension ``taosha._speedups`` (pyproject.toml holds the metadata).

The extension only makes the per-character quality signals faster; taosha falls back to its NumPy
implementation when it is missing, so a machine without a C compiler still installs taosha
(``optional=True``: a failed compile is a warning, not an install error).
"""

from setuptools import Extension, setup

setup(
    ext_modules=[
        Extension(
            "taosha._speedups",
            sources=["src/taosha/_speedups.c"],
            extra_compile_args=["-O2"],
            optional=True,
        )
    ]
)
