"""Builds the optional compiled exploration core (checker/_core.pyx) and liveness's graph
algorithms (checker/_fair.pyx) with the machine's C compiler. Everything else is configured in
pyproject.toml. Without Cython or a working compiler the install still succeeds, without the
core: vfpath then runs its Python engine and says so.
"""

from __future__ import annotations

import sys

from setuptools import Extension, setup
from setuptools.command.build_ext import build_ext


class OptionalBuildExt(build_ext):
    """Build the core if possible; a failure is a warning, never a failed install."""

    def run(self) -> None:
        try:
            super().run()
        except Exception as e:  # any compiler failure means: no core
            print(
                f"vfpath: compiled core not built ({e}); the Python engine will run",
                file=sys.stderr,
            )

    def build_extension(self, ext: Extension) -> None:
        try:
            try:
                super().build_extension(ext)
            except Exception:
                if OPENMP[0] not in ext.extra_compile_args:
                    raise
                # no OpenMP here: the core runs every exploration on one thread
                print(f"vfpath: {ext.name} built without OpenMP (one worker)", file=sys.stderr)
                ext.extra_compile_args = [a for a in ext.extra_compile_args if a not in OPENMP]
                ext.extra_link_args = [a for a in ext.extra_link_args if a not in OPENMP]
                super().build_extension(ext)
        except Exception as e:
            print(
                f"vfpath: compiled core not built ({e}); the Python engine will run",
                file=sys.stderr,
            )


OPENMP = ["-fopenmp"]  # the core's worker threads (``--workers``); optional


def extensions() -> list[Extension]:
    try:
        from Cython.Build import cythonize
    except ImportError:
        print("vfpath: Cython missing; the compiled core is not built", file=sys.stderr)
        return []
    exts = [
        Extension(
            "vfpath.checker._core",
            ["checker/_core.pyx"],
            extra_compile_args=["-O3", *OPENMP],
            extra_link_args=list(OPENMP),
        ),
        Extension("vfpath.checker._fair", ["checker/_fair.pyx"], extra_compile_args=["-O3"]),
    ]
    return cythonize(exts, compiler_directives={"language_level": "3"}, quiet=True)


setup(ext_modules=extensions(), cmdclass={"build_ext": OptionalBuildExt})
