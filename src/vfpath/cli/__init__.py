"""The ``vfpath`` command: a thin click layer over the API.

Exit codes (DESIGN.md): 0 all hold / conforms; 1 a property is violated or a trace does not
conform; 2 bad input or usage (one line on stderr); 3 inconclusive (a limit was hit); 4 internal
error (one line; ``--debug`` shows the traceback); 130 interrupted. Each subcommand lives in its
own module exposing ``command``; the group loads them lazily so ``--help`` stays fast.
"""

from __future__ import annotations

import contextlib
import importlib
import importlib.util
import os
import sys
from typing import Any

import click

from vfpath.checker.errors import VfpathError

__all__ = ["EXIT_BAD_INPUT", "EXIT_INCONCLUSIVE", "EXIT_INTERNAL", "EXIT_VIOLATED", "main"]

EXIT_OK, EXIT_VIOLATED, EXIT_BAD_INPUT, EXIT_INCONCLUSIVE, EXIT_INTERNAL = 0, 1, 2, 3, 4
EXIT_INTERRUPTED = 130

# subcommand name -> module under vfpath.cli that defines ``command``
SUBCOMMANDS = {
    "check": "check",
    "diagrams": "diagrams",
    "conform": "conform",
    "mutants": "mutants",
    "simulate": "simulate",
}


class _LazyGroup(click.Group):
    def _module(self, name: str) -> str | None:
        mod = SUBCOMMANDS.get(name)
        if mod is None or importlib.util.find_spec(f"vfpath.cli.{mod}") is None:
            return None
        return f"vfpath.cli.{mod}"

    def list_commands(self, ctx: click.Context) -> list[str]:
        return [n for n in SUBCOMMANDS if self._module(n) is not None]

    def get_command(self, ctx: click.Context, cmd_name: str) -> click.Command | None:
        mod = self._module(cmd_name)
        if mod is None:
            return None
        return importlib.import_module(mod).command  # type: ignore[no-any-return]


@click.group(cls=_LazyGroup, context_settings={"help_option_names": ["-h", "--help"]})
@click.option("--debug", is_flag=True, help="Show tracebacks of internal errors.")
@click.version_option(package_name="vfpath")
@click.pass_context
def cli(ctx: click.Context, debug: bool) -> None:
    """vfpath: check, draw and conform against the Hyper-V SR-IOV data-path model."""
    ctx.ensure_object(dict)
    ctx.obj["debug"] = debug


def main(argv: list[str] | None = None) -> Any:
    """Entry point: run click in standalone-off mode and map every outcome to an exit code."""
    debug = "--debug" in (argv if argv is not None else sys.argv[1:])
    try:
        rv = cli.main(args=argv, prog_name="vfpath", standalone_mode=False)
    except click.UsageError as e:
        msg = e.format_message().splitlines()[0] if e.format_message() else "bad usage"
        click.echo(f"vfpath: {msg}", err=True)
        sys.exit(EXIT_BAD_INPUT)
    except click.ClickException as e:
        click.echo(f"vfpath: {e.format_message()}", err=True)
        sys.exit(EXIT_BAD_INPUT)
    except click.exceptions.Abort:
        click.echo("vfpath: interrupted", err=True)
        sys.exit(EXIT_INTERRUPTED)
    except KeyboardInterrupt:
        click.echo("vfpath: interrupted", err=True)
        sys.exit(EXIT_INTERRUPTED)
    except SystemExit:
        # click turns a closed stdout (``vfpath check | head -1``) into exit 1, which means
        # "violated" here; the reader going away is neither a verdict nor an error (the wrapper
        # click installs then is PacifyFlushWrapper up to 8.4, _PacifyFlushWrapper from 8.5)
        if type(sys.stdout).__name__.lstrip("_") == "PacifyFlushWrapper":
            sys.exit(EXIT_OK)
        raise
    except BrokenPipeError:
        with contextlib.suppress(OSError, ValueError):  # quiet the interpreter's last flush
            os.dup2(os.open(os.devnull, os.O_WRONLY), sys.stdout.fileno())
        sys.exit(EXIT_OK)
    except VfpathError as e:
        click.echo(f"vfpath: {str(e).splitlines()[0]}", err=True)
        sys.exit(EXIT_BAD_INPUT)
    except click.exceptions.Exit as e:
        sys.exit(e.exit_code)
    except Exception as e:  # the last line of defence, by design
        if debug:
            raise
        click.echo(f"vfpath: internal error: {type(e).__name__}: {e} (run with --debug)", err=True)
        sys.exit(EXIT_INTERNAL)
    sys.exit(rv if isinstance(rv, int) else EXIT_OK)
