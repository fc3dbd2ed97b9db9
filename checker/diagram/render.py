"""Output formats as a registry, Graphviz behind an actionable error, atomic file writes.

A format is a name, a file extension and a function from IR to bytes. Text formats (``dot``,
``mermaid``) need nothing installed; image formats (``svg``, ``png``) pipe the DOT text through
the Graphviz ``dot`` binary via the ``graphviz`` package, with a time limit so a layout that
runs away fails with a message instead of hanging the caller.
"""

from __future__ import annotations

import os
import shutil
import subprocess
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from pathlib import Path

from ..errors import VfpathError
from .dot import chart_to_dot, graph_to_dot
from .extract import DiagramError
from .ir import Graph, SequenceChart
from .mermaid import chart_to_mermaid, graph_to_mermaid

__all__ = [
    "FORMATS",
    "Format",
    "GraphvizMissing",
    "RenderTimeout",
    "Written",
    "parse_formats",
    "register_format",
    "render_bytes",
    "run_dot",
    "to_dot",
    "to_mermaid",
    "write_atomic",
    "write_diagram",
]

Diagram = Graph | SequenceChart
Renderer = Callable[[Diagram], bytes]

DEFAULT_TIMEOUT = 60.0  # seconds; the largest committed picture renders in well under one


class GraphvizMissing(VfpathError):
    """The ``dot`` executable is not on PATH, so SVG and PNG cannot be made."""

    def __init__(self) -> None:
        super().__init__(
            "the Graphviz 'dot' program was not found; install Graphviz: apt-get install graphviz "
            "(or choose --format dot,mermaid)"
        )


class RenderTimeout(DiagramError):
    """``dot`` exceeded its time limit; the graph is too large or too tangled to lay out."""

    def __init__(self, seconds: float) -> None:
        self.seconds = seconds
        super().__init__(f"dot did not finish within {seconds:g} s; draw a smaller graph")


@dataclass(frozen=True)
class Format:
    name: str
    ext: str
    render: Renderer


FORMATS: dict[str, Format] = {}


def register_format(name: str, ext: str) -> Callable[[Renderer], Renderer]:
    """Decorator: make ``fn(diagram) -> bytes`` the renderer of format ``name``."""

    def deco(fn: Renderer) -> Renderer:
        FORMATS[name] = Format(name, ext, fn)
        return fn

    return deco


def to_dot(d: Diagram) -> str:
    """DOT text of any diagram."""
    return chart_to_dot(d) if isinstance(d, SequenceChart) else graph_to_dot(d)


def to_mermaid(d: Diagram) -> str:
    """Mermaid text of any diagram."""
    return chart_to_mermaid(d) if isinstance(d, SequenceChart) else graph_to_mermaid(d)


def run_dot(source: str, fmt: str, timeout: float = DEFAULT_TIMEOUT) -> bytes:
    """Lay out ``source`` with Graphviz ``dot`` and return the ``fmt`` output (svg, png, ...)."""
    import graphviz
    from graphviz.backend import dot_command, execute

    if shutil.which("dot") is None:
        raise GraphvizMissing()
    cmd = dot_command.command("dot", fmt)
    try:
        # graphviz.pipe takes no timeout; run_check is what it calls and passes one through
        proc = execute.run_check(
            cmd, input=source.encode("utf-8"), capture_output=True, quiet=True, timeout=timeout
        )
    except graphviz.ExecutableNotFound as e:
        raise GraphvizMissing() from e
    except subprocess.TimeoutExpired as e:
        raise RenderTimeout(timeout) from e
    except graphviz.CalledProcessError as e:
        err = (e.stderr or b"").decode("utf-8", "replace").strip().splitlines()
        raise DiagramError(f"dot failed: {err[0] if err else f'exit {e.returncode}'}") from e
    out: bytes = proc.stdout
    return out


@register_format("dot", "dot")
def _dot(d: Diagram) -> bytes:
    return to_dot(d).encode("utf-8")


@register_format("mermaid", "mmd")
def _mermaid(d: Diagram) -> bytes:
    return to_mermaid(d).encode("utf-8")


@register_format("svg", "svg")
def _svg(d: Diagram) -> bytes:
    return run_dot(to_dot(d), "svg")


@register_format("png", "png")
def _png(d: Diagram) -> bytes:
    return run_dot(to_dot(d), "png")


def parse_formats(text: str) -> list[str]:
    """``"svg,dot"`` -> ``["svg", "dot"]``; an unknown or empty list is a one-line error."""
    names = [t.strip().lower() for t in text.split(",") if t.strip()]
    if not names:
        raise DiagramError(f"no format given; choose from {', '.join(sorted(FORMATS))}")
    bad = [n for n in names if n not in FORMATS]
    if bad:
        raise DiagramError(f"unknown format {bad[0]!r}; choose from {', '.join(sorted(FORMATS))}")
    return list(dict.fromkeys(names))


def render_bytes(d: Diagram, fmt: str) -> bytes:
    """The bytes of ``d`` in format ``fmt``."""
    try:
        return FORMATS[fmt].render(d)
    except KeyError:
        raise DiagramError(f"unknown format {fmt!r}") from None


def write_atomic(path: Path, data: bytes) -> None:
    """Write ``data`` to ``path`` so a reader sees the old file or the new one, never half."""
    tmp = path.with_name(f".{path.name}.{os.getpid()}.tmp")
    try:
        tmp.write_bytes(data)
        os.replace(tmp, path)
    finally:
        if tmp.exists():
            tmp.unlink()


@dataclass(frozen=True)
class Written:
    path: Path
    seconds: float  # time to produce the bytes (the dot layout for svg and png)


def write_diagram(d: Diagram, out_dir: Path, stem: str, formats: Sequence[str]) -> list[Written]:
    """Write ``d`` as ``out_dir/stem.<ext>`` in every format, timing each one."""
    out_dir.mkdir(parents=True, exist_ok=True)
    written = []
    for fmt in formats:
        spec = FORMATS.get(fmt)
        if spec is None:
            raise DiagramError(f"unknown format {fmt!r}")
        start = time.perf_counter()
        data = spec.render(d)
        seconds = time.perf_counter() - start
        path = out_dir / f"{stem}.{spec.ext}"
        write_atomic(path, data)
        written.append(Written(path, seconds))
    return written
