"""Helpers every reporting subcommand shares: configuration options, JSON, colour, atomic files.

The rules they encode come from DESIGN.md: reports go to stdout; progress and colour go to a
terminal only and honour ``NO_COLOR`` (https://no-color.org: set and not empty disables colour);
``--json`` prints one document and nothing else; a file is either fully written or not at all.
"""

from __future__ import annotations

import json
import os
import re
import shutil
import sys
import tempfile
from collections.abc import Callable
from pathlib import Path
from types import TracebackType
from typing import IO, Any, TypeVar

import click

from vfpath.checker.errors import VfpathError
from vfpath.checker.explore import ENGINES
from vfpath.checker.export import atomic_write, safe_filename
from vfpath.checker.system import System

__all__ = [
    "MAX_PRODUCT",
    "ProgressLine",
    "Staged",
    "atomic_write",
    "build_sriov",
    "checked_output_dir",
    "checked_output_file",
    "color_enabled",
    "config_options",
    "echo_report",
    "engine_option",
    "guest_option",
    "json_option",
    "load_attr",
    "make_config",
    "needs_arguments",
    "reported_config",
    "safe_filename",
    "stderr_console",
    "user_model_options",
    "with_user_model",
    "write_json",
]

F = TypeVar("F", bound=Callable[..., Any])

# a run shorter than this never shows a progress line: it would only flicker
PROGRESS_AFTER_SECONDS = 2.0


# the largest VMs x VFs x hosts the CLI builds: the wiring has a rendezvous per VM, host and
# VF, and a state about 23 slots per VM, so set-up alone grows with the product (256 VMs on
# one host and VF: 15,000 moves, 17 s to build, before the first state); larger
# configurations are refused as bad input rather than left to exhaust the machine
MAX_PRODUCT = 256


def config_options(func: F) -> F:
    """Add ``--vms``, ``--vfs``, ``--hosts``, ``--guest``, ``--vnics``, ``--serials`` and
    ``--reconfigure`` (the SR-IOV configuration; default 2/1/2, one NIC per VM, the reference
    guest)."""
    most = click.IntRange(min=1, max=MAX_PRODUCT)
    func = click.option(
        "--reconfigure",
        is_flag=True,
        help="User space may reconfigure the synthetic NIC (MTU, channels, rings), closing and "
        "reopening its channel, and reload the VF driver (off by default: it multiplies the "
        "states).",
    )(func)
    func = click.option(
        "--serials",
        type=click.Choice(["vf", "vnic", "vm"]),
        default="vf",
        show_default=True,
        help="How the host numbers VF serials: vf, unique per VF; vnic, the synthetic NIC's "
        "adapter index (OpenVMM's Windows guests, Azure's 'VF slot 1'); vm, one serial for all "
        "NICs of a VM (MANA: one VF device, a vPort netdev per NIC).",
    )(func)
    func = click.option(
        "--vnics",
        type=click.IntRange(min=1, max=4),
        default=1,
        show_default=True,
        help="Synthetic NICs per VM, each with its own VF (on MANA, its own vPort).",
    )(func)
    func = guest_option()(func)
    func = click.option("--hosts", type=most, default=2, show_default=True, help="Hosts.")(func)
    func = click.option("--vfs", type=most, default=1, show_default=True, help="VFs per host.")(
        func
    )
    func = click.option("--vms", type=most, default=2, show_default=True, help="Virtual machines.")(
        func
    )
    return func


def _list_guests(ctx: click.Context, _param: click.Parameter, value: str | None) -> str | None:
    """``--guest list`` prints the profiles and what each follows, then exits 0; an unknown
    name is bad input before any work (``guest`` raises the one-line error)."""
    from vfpath.model.guests import DEFAULT_GUEST, GUESTS, guest

    if ctx.resilient_parsing or value is None:
        return value
    if value != "list":
        guest(value)
        return value

    for g in GUESTS.values():
        mark = " (default)" if g.name == DEFAULT_GUEST else ""
        click.echo(f"{g.name}{mark}: {g.follows}")
    ctx.exit(0)


def guest_option(default: str | None = "reference") -> Callable[[F], F]:
    """``--guest NAME``: the guest profile (``--guest list`` lists them)."""
    shown = default or "linux for kernel logs, else reference"
    return click.option(
        "--guest",
        default=default,
        metavar="NAME",
        callback=_list_guests,
        help=f"Guest profile; 'list' shows them (default: {shown}).",
    )


def engine_option(func: F) -> F:
    """``--engine compiled|python``: the compiled core, or the Python engine (the reference)."""
    return click.option(
        "--engine",
        type=click.Choice(ENGINES),
        default="compiled",
        show_default=True,
        help="compiled: the compiled core where it is built and applies (symmetry groups up to "
        "5,040 elements), else the Python engine, saying why; python: the Python engine (the "
        "reference).",
    )(func)


def make_config(
    vms: int,
    vfs: int,
    hosts: int,
    guest: str = "reference",
    reconfigure: bool = False,
    vnics: int = 1,
    serials: str = "vf",
) -> Any:
    """The model's ``Config`` for the options (its own validation still applies)."""
    from vfpath import api

    if vms * vnics * vfs * hosts > MAX_PRODUCT:
        raise click.UsageError(
            f"--vms x --vnics x --vfs x --hosts is {vms * vnics * vfs * hosts:,}; the model is "
            f"built for at most {MAX_PRODUCT} (set-up alone would exhaust the machine)"
        )
    return api.Config(
        vms=vms,
        vfs=vfs,
        hosts=hosts,
        guest=guest,
        reconfigure=reconfigure,
        vnics=vnics,
        serials=serials,
    )


def build_sriov(config: Any) -> Any:
    """The SR-IOV system of ``config``; ``vfpath.api.build_system`` is read at call time on
    purpose (the tests substitute it)."""
    from vfpath import api

    return api.build_system(config)


def reported_config(
    vms: int, vfs: int, hosts: int, reconfigure: bool, vnics: int, serials: str
) -> dict[str, object]:
    """The configuration as the JSON reports give it: the options left at their default out."""
    config: dict[str, object] = {"vms": vms, "vfs": vfs, "hosts": hosts}
    if reconfigure:
        config["reconfigure"] = True
    if vnics > 1:
        config["vnics"] = vnics
    if serials != "vf":
        config["serials"] = serials
    return config


def checked_output_dir(value: str | None, option: str) -> Path | None:
    """``value`` as a folder that can be written, checked before any long run (exit 2).

    Refuses an empty path, an existing non-folder, and a folder (or the nearest existing
    ancestor of one to be created) that this process may not write into.
    """
    if value is None:
        return None
    if not value.strip():
        raise click.BadParameter("an empty path names no folder", param_hint=option)
    path = Path(value)
    probe = path
    while not probe.exists():
        if probe.parent == probe:
            break
        probe = probe.parent
    if path.exists() and not path.is_dir():
        raise click.BadParameter(f"{path} exists and is not a folder", param_hint=option)
    if not probe.is_dir():
        raise click.BadParameter(f"{probe} is not a folder", param_hint=option)
    if not os.access(probe, os.W_OK | os.X_OK):
        raise click.BadParameter(f"{probe} is not writable", param_hint=option)
    return path


def load_attr(ref: str, option: str) -> Any:
    """The object ``FILE.py:NAME`` or ``module:NAME`` names (a user's variant class, or a
    function returning a System); bad references are one-line errors."""
    import importlib
    import importlib.util
    import sys

    where, sep, name = ref.rpartition(":")
    if not sep or not where or not name:
        raise VfpathError(f"{option} must look like FILE.py:NAME or module:NAME, got {ref!r}")
    try:
        if where.endswith(".py"):
            spec = importlib.util.spec_from_file_location(Path(where).stem, where)
            if spec is None or spec.loader is None or not Path(where).is_file():
                raise VfpathError(f"{option}: no such file {where!r}")
            module = importlib.util.module_from_spec(spec)
            sys.modules.setdefault(spec.name, module)
            spec.loader.exec_module(module)
        else:
            module = importlib.import_module(where)
    except ImportError as e:
        raise VfpathError(f"{option}: cannot import {where!r}: {e}") from None
    if not hasattr(module, name):
        raise VfpathError(f"{option}: {where!r} has no {name!r}")
    return getattr(module, name)


def user_model_options(func: F) -> F:
    """``--variant NAME`` and ``--model FILE.py:NAME`` (see :func:`with_user_model`)."""
    func = click.option(
        "--model",
        "model_ref",
        default=None,
        metavar="FILE.py:NAME",
        help="Your own variant: an actor subclass (it replaces the model class it derives "
        "from) or a function returning a System (FILE.py:NAME or module:NAME).",
    )(func)
    return click.option(
        "--variant",
        default=None,
        metavar="NAME",
        help="A seeded-bug variant of the catalog (vfpath mutants --list) instead of the model.",
    )(func)


def with_user_model(
    system: System, variant: str | None, model_ref: str | None, guest: str
) -> System:
    """``system`` with a catalog variant's classes, or the user's own (``--model``)."""
    from vfpath.model import ACTORS
    from vfpath.model.variants import CATALOG, on_profile

    if variant is not None and model_ref is not None:
        raise VfpathError("--variant and --model name one model each: give one of them")
    if variant is not None:
        entry = next((v for v in CATALOG if v.name == variant), None)
        if entry is None:
            raise VfpathError(
                f"--variant: no variant {variant!r}; 'vfpath mutants --list' lists them"
            )
        return system.replace(on_profile(entry.replacements, guest))
    assert model_ref is not None
    obj = load_attr(model_ref, "--model")
    if isinstance(obj, type):
        base = next((b for b in obj.__mro__ if b in ACTORS), None)
        if base is None:
            names = ", ".join(a.__name__ for a in ACTORS)
            raise VfpathError(
                f"--model: {obj.__name__} derives from none of the model's actors ({names})"
            )
        return system.replace(on_profile({base.__name__: obj}, guest))
    if callable(obj) and needs_arguments(obj):
        raise VfpathError(f"--model: {model_ref!r} needs arguments; give a function of none")
    made = obj() if callable(obj) else obj
    if not isinstance(made, System):
        raise VfpathError(
            f"--model: {model_ref!r} gave {type(made).__name__}, not a System or an actor class"
        )
    return made


def needs_arguments(fn: Any) -> bool:
    import inspect

    try:
        params = inspect.signature(fn).parameters.values()
    except (TypeError, ValueError):
        return False
    return any(
        p.default is p.empty
        and p.kind in (p.POSITIONAL_ONLY, p.POSITIONAL_OR_KEYWORD, p.KEYWORD_ONLY)
        for p in params
    )


def checked_output_file(value: str | None, option: str) -> Path | None:
    """``value`` as a file that can be written, checked before any long run (exit 2): not
    empty, not a folder, in an existing folder this process may write into."""
    if value is None:
        return None
    if not value.strip():
        raise click.BadParameter("an empty path names no file", param_hint=option)
    path = Path(value)
    if path.is_dir():
        raise click.BadParameter(f"{path} is a folder", param_hint=option)
    parent = path.parent
    if not parent.is_dir():
        raise click.BadParameter(f"{parent} is not a folder", param_hint=option)
    if not os.access(parent, os.W_OK | os.X_OK):
        raise click.BadParameter(f"{parent} is not writable", param_hint=option)
    return path


class Staged:
    """Files of one run written all or nothing: each goes to a staging folder beside its
    destination (same file system), and only when every one is written are they renamed into
    place; on a failure the staging folders are removed and nothing appears."""

    def __init__(self) -> None:
        self._stages: list[tuple[Path, Path]] = []  # (staging folder, destination folder)

    def folder(self, dest: Path) -> Path:
        """A staging folder whose files will land in ``dest``."""
        dest.mkdir(parents=True, exist_ok=True)
        stage = Path(tempfile.mkdtemp(dir=dest, prefix=".vfpath-staging-"))
        self._stages.append((stage, dest))
        return stage

    def commit(self) -> None:
        for stage, dest in self._stages:
            for f in sorted(stage.iterdir()):
                os.replace(f, dest / f.name)
            stage.rmdir()
        self._stages = []

    def abort(self) -> None:
        for stage, _dest in self._stages:
            shutil.rmtree(stage, ignore_errors=True)
        self._stages = []


json_option = click.option(
    "--json", "as_json", is_flag=True, help="Print one JSON document (with a schema) instead."
)


def _json_default(value: Any) -> Any:
    if isinstance(value, (set, frozenset)):
        return sorted(value, key=repr)
    if isinstance(value, Path):
        return str(value)
    return repr(value)


def write_json(doc: Any, stream: IO[str] | None = None) -> None:
    """Print ``doc`` as one JSON document on stdout (the only thing ``--json`` prints there)."""
    click.echo(json.dumps(doc, indent=2, default=_json_default), file=stream or sys.stdout)


def color_enabled(stream: IO[str]) -> bool:
    """Colour only for a terminal, and never when ``NO_COLOR`` is set to a non-empty value."""
    return not os.environ.get("NO_COLOR") and _is_tty(stream)


def stderr_console() -> Any:
    """A rich console on stderr when stderr is a terminal, else None (nothing is drawn)."""
    if not _is_tty(sys.stderr):
        return None
    from rich.console import Console

    return Console(stderr=True, no_color=bool(os.environ.get("NO_COLOR")), highlight=False)


def _is_tty(stream: IO[str]) -> bool:
    isatty = getattr(stream, "isatty", None)
    return bool(isatty and isatty())


# the status words render_text puts at the start of a property line, and their colours
_STATUS_STYLE = {"holds": "green", "VIOLATED": "bold red", "vacuous": "yellow", "unknown": "yellow"}
_STATUS_LINE = re.compile(r"^(holds|VIOLATED|vacuous|unknown)\b", re.MULTILINE)


def echo_report(text: str, stream: IO[str] | None = None) -> None:
    """Print a plain-text report; on a colour terminal, colour the leading status words.

    The text is never parsed as rich markup: instance names such as ``fork[a]`` look like markup
    tags and would silently disappear.
    """
    out = stream or sys.stdout
    if not color_enabled(out):
        click.echo(text, file=out)
        return
    from rich.console import Console
    from rich.text import Text

    rich_text = Text(text)
    for m in _STATUS_LINE.finditer(text):
        rich_text.stylize(_STATUS_STYLE[m.group(1)], m.start(), m.end())
    Console(file=out, highlight=False, soft_wrap=True).print(rich_text)


class ProgressLine:
    """A progress callback for ``Options(progress=...)``: one transient line on stderr.

    It draws only when ``console`` is given (by default: stderr is a terminal) and the run has
    lasted ``after`` seconds, so short runs and redirected output stay clean. Use it as a context
    manager so the line is removed when the exploration ends.
    """

    def __init__(self, console: Any = None, after: float = PROGRESS_AFTER_SECONDS) -> None:
        self.console = console if console is not None else stderr_console()
        self.after = after
        self._live: Any = None
        self.drawn = 0

    def __call__(self, states: int, frontier: int, seconds: float) -> None:
        rate = states / seconds if seconds > 0 else 0.0
        self.show(
            f"exploring: {states:,} states, {frontier:,} waiting, {seconds:,.0f} s, "
            f"{rate:,.0f} states/s",
            seconds,
        )

    def show(self, text: str, seconds: float) -> None:
        """Draw ``text`` as the progress line (once the run has lasted ``after`` seconds)."""
        if self.console is None or seconds < self.after:
            return
        from rich.text import Text

        line = Text(text)
        if self._live is None:
            from rich.live import Live

            self._live = Live(line, console=self.console, transient=True, auto_refresh=False)
            self._live.start()
        self._live.update(line, refresh=True)
        self.drawn += 1

    def note(self, text: str) -> None:
        """Print ``text`` as a line of its own on stderr: above the progress line while one is
        drawn (rich keeps the line at the bottom), so neither garbles the other."""
        if self.console is None:
            click.echo(text, err=True)
            return
        from rich.text import Text

        self.console.print(Text(text), soft_wrap=True)  # the terminal wraps, not rich

    def close(self) -> None:
        if self._live is not None:
            self._live.stop()
            self._live = None

    def __enter__(self) -> ProgressLine:
        return self

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        self.close()
