"""``kg`` command line: a thin Typer layer over library functions (spaCy CLI style).

Each command lives in ``kg/commands/<name>.py`` and registers itself on the shared app when imported
(:func:`load_commands` imports them all). :func:`main` is the one place that turns failures into
output: every error is a catalogued :class:`kg.errors.KGError` printed as ONE line on stderr,
``error[E001]: <what and where>``, with pyshacl-style exit codes (0 ok/conforms, 1 does not conform or
some article failed, 2 error, 130 interrupted). ``--debug`` (anywhere on the line, or ``KG_DEBUG=1``)
shows the traceback instead.

* usage mistakes (unknown option, missing argument) -> ``E070``, exit 2;
* ``OSError`` escaping a command: no space left -> ``E048``, other I/O -> ``E047``, exit 2;
* anything else unexpected -> ``E099`` (one line naming the exception), exit 2;
* Ctrl-C (SIGINT): ``kg build`` -> ``E060`` with the number of articles this run stored (each
  batch is one store transaction, so they are complete and kept), other commands -> ``E061``; exit 130.
"""
from __future__ import annotations

import errno
import importlib
import logging
import os
import pkgutil
import signal
import sys
import warnings
from pathlib import Path
from typing import Sequence

import typer
from rich.text import Text

try:  # typer >= 0.24 vendors click as typer._click
    from typer._click.exceptions import NoArgsIsHelpError
except ImportError:  # pragma: no cover - older typer uses click itself
    from click.exceptions import NoArgsIsHelpError

import kg.commands
from kg.commands.app import STATE, app, err_console
from kg.errors import EXIT_ERROR, KGError

EXIT_INTERRUPTED = 130
#: errno values meaning "the disk is full"
_FULL = {errno.ENOSPC, getattr(errno, "EDQUOT", errno.ENOSPC), errno.EFBIG}
_ROOT_FLAGS = ("--debug",)


def load_commands() -> list[str]:
    """Import every module of :mod:`kg.commands` (each registers its command); returns their names."""
    names = []
    for mod in sorted(pkgutil.iter_modules(kg.commands.__path__), key=lambda m: m.name):
        if mod.name == "app" or mod.name.startswith("_"):
            continue
        importlib.import_module(f"kg.commands.{mod.name}")
        names.append(mod.name)
    return names


load_commands()


# ----------------------------------------------------------------------------- output


def print_error(err: KGError) -> None:
    """``error[E001]: message`` on one line of stderr (the message is never read as rich markup)."""
    line = Text.assemble(("error", "bold red"), f"[{err.code}]: {err.message}")
    err_console.print(line, highlight=False, soft_wrap=True)


def print_warning(text: str) -> None:
    """``warning[W001]: message`` on one line (``text`` as made by :func:`kg.errors.warning`)."""
    code, sep, rest = text.partition("] ")
    if text.startswith("[W") and sep:
        line = Text.assemble(("warning", "bold yellow"), f"{code}]: {rest}")
    else:
        line = Text.assemble(("warning", "bold yellow"), ": " + " ".join(text.split()))
    err_console.print(line, highlight=False, soft_wrap=True)


class _WarningHandler(logging.Handler):
    """Prints the library's catalogued warnings (``kg.*`` loggers) as one line each."""

    def emit(self, record: logging.LogRecord) -> None:
        try:
            print_warning(record.getMessage())
        except Exception:  # noqa: BLE001 - a warning must never break a command
            self.handleError(record)


class _Warnings:
    """While a command runs, the ``kg`` loggers' catalogued warnings are printed one line each by
    :class:`_WarningHandler`; other libraries' log records and Python warnings (not catalogued, often
    several lines) are shown only with ``--debug``. The previous set-up is restored afterwards."""

    def __init__(self, debug: bool) -> None:
        self.debug = debug

    def __enter__(self) -> None:
        self.log = logging.getLogger("kg")
        self.handler = _WarningHandler(logging.WARNING)
        self.propagate = self.log.propagate
        self.log.addHandler(self.handler)
        self.log.propagate = False
        self.quiet = logging.NullHandler()  # keeps logging's last-resort handler from printing
        self.caught = warnings.catch_warnings()
        if not self.debug:
            logging.getLogger().addHandler(self.quiet)
            self.caught.__enter__()
            warnings.simplefilter("ignore")

    def __exit__(self, *exc: object) -> None:
        self.log.removeHandler(self.handler)
        self.log.propagate = self.propagate
        if not self.debug:
            logging.getLogger().removeHandler(self.quiet)
            self.caught.__exit__(*exc)


# ----------------------------------------------------------------------------- argv helpers


def normalise_argv(argv: Sequence[str]) -> tuple[list[str], bool]:
    """Move root flags (``--debug``) to the front, wherever they were typed; returns (argv, debug)."""
    args = list(argv)
    end = args.index("--") if "--" in args else len(args)
    flags = [a for a in args[:end] if a in _ROOT_FLAGS]
    rest = [a for i, a in enumerate(args) if not (i < end and a in _ROOT_FLAGS)]
    debug = "--debug" in flags or os.environ.get("KG_DEBUG", "") not in ("", "0")
    return list(dict.fromkeys(flags)) + rest, debug


def command_of(argv: Sequence[str]) -> str | None:
    """The sub-command named on the command line (``"build"``), or None."""
    for a in argv:
        if a == "--":
            return None
        if not a.startswith("-"):
            return a
    return None


def build_out_dir(argv: Sequence[str]) -> Path | None:
    """The ``--out`` folder of a ``kg build`` command line (its default when not given), else None."""
    if command_of(argv) != "build":
        return None
    group = typer.main.get_command(app)
    rest = list(argv)[list(argv).index("build") + 1:]
    try:
        sub = group.commands["build"]  # type: ignore[attr-defined]
        ctx = sub.make_context("build", rest, resilient_parsing=True)
    except (typer.TyperException, typer.Exit, typer.Abort, KeyError):
        return None
    out = ctx.params.get("out")
    return Path(out) if out is not None else None


# ----------------------------------------------------------------------------- interrupts


def stored_checksums(out: Path | None) -> dict[str, str] | None:
    """article graph IRI -> stored checksum in ``out``'s store (None when there is no readable store)."""
    if out is None:
        return None
    from kg.rdf.store import ARTICLE_GRAPH_PREFIX, Store, resolve_store_dir

    if not (resolve_store_dir(out) / "CURRENT").exists():
        return {}
    try:
        with Store.open(out, read_only=True) as store:
            rows = store.select(
                "SELECT ?g ?c WHERE { GRAPH ?g { ?a ck:checksum ?c } "
                f'FILTER(STRSTARTS(STR(?g), "{ARTICLE_GRAPH_PREFIX}")) }}')
    except (KGError, OSError):
        return None
    return {str(r["g"]): str(r["c"]) for r in rows}


def interrupted_error(argv: Sequence[str], before: dict[str, str] | None) -> KGError:
    """E060 with the number of articles this build stored (kept: each store write was one transaction)."""
    after = stored_checksums(build_out_dir(argv))
    if before is None or after is None:
        return KGError("E061", exit_code=EXIT_INTERRUPTED)
    n = sum(1 for g, c in after.items() if before.get(g) != c)
    return KGError("E060", exit_code=EXIT_INTERRUPTED, n=n)


def _on_sigint(signum: int, frame: object) -> None:
    """First Ctrl-C: remember it and unwind with KeyboardInterrupt; a second one is not delayed."""
    STATE["interrupted"] = True
    signal.signal(signal.SIGINT, signal.default_int_handler)
    raise KeyboardInterrupt


def _ignore_sigint() -> None:
    try:
        signal.signal(signal.SIGINT, signal.SIG_IGN)
    except ValueError:  # not the main thread
        pass


class _Sigint:
    """Ctrl-C is noted in ``STATE["interrupted"]`` while a command runs (typer would otherwise turn it
    into a silent exit 130); the previous handler is restored afterwards."""

    def __enter__(self) -> None:
        STATE["interrupted"] = False
        try:
            self.previous = signal.signal(signal.SIGINT, _on_sigint)
        except ValueError:  # not the main thread (embedded use): keep Python's default
            self.previous = None

    def __exit__(self, *exc: object) -> None:
        if self.previous is not None:
            signal.signal(signal.SIGINT, self.previous)


# ----------------------------------------------------------------------------- errors


def os_error(exc: OSError, argv: Sequence[str]) -> KGError:
    """A catalogued error for an ``OSError`` that escaped a command."""
    path = exc.filename or build_out_dir(argv) or "the output"
    reason = exc.strerror or " ".join(str(exc).split()) or type(exc).__name__
    if exc.errno in _FULL or "no space left" in str(exc).lower():
        return KGError("E048", path=str(path), reason=reason)
    return KGError("E047", path=str(path), reason=reason)


def usage_error(exc: typer.TyperException, argv: Sequence[str]) -> KGError:
    ctx = getattr(exc, "ctx", None)
    where = f"{ctx.command_path} --help" if ctx is not None and ctx.command_path else "kg --help"
    return KGError("E070", exit_code=exc.exit_code or EXIT_ERROR,
                   reason=" ".join(exc.format_message().split()), help=where)


def internal_error(exc: BaseException, argv: Sequence[str]) -> KGError:
    reason = " ".join(str(exc).split())[:300]
    command = " ".join(["kg", command_of(argv) or ""]).strip()
    return KGError("E099", command=command, kind=type(exc).__name__, reason=reason or "no detail")


# ----------------------------------------------------------------------------- entry point


def run(argv: Sequence[str]) -> int:
    """Run one command line; returns the exit code. Raises only with ``--debug``."""
    argv, debug = normalise_argv(argv)
    STATE["debug"] = debug
    with _Warnings(debug), _Sigint():
        return _run(argv, debug)


def _run(argv: list[str], debug: bool) -> int:
    before: dict[str, str] | None = None
    try:
        if command_of(argv) == "build":
            before = stored_checksums(build_out_dir(argv))
        try:
            rv = app(args=argv, prog_name="kg", standalone_mode=False)
        except typer.Abort as exc:  # EOF on a prompt, or Ctrl-C seen by click
            raise KeyboardInterrupt from exc
        if STATE["interrupted"] or rv == EXIT_INTERRUPTED:  # typer turns Ctrl-C into a silent exit 130
            raise KeyboardInterrupt
        return rv if isinstance(rv, int) else 0
    except KeyboardInterrupt:
        _ignore_sigint()  # let the store be read back in peace
        if command_of(argv) == "build":
            err = interrupted_error(argv, before)
        else:
            err = KGError("E061", exit_code=EXIT_INTERRUPTED)
        print_error(err)
        return EXIT_INTERRUPTED
    except NoArgsIsHelpError as exc:
        exc.show()
        return exc.exit_code
    except typer.TyperException as exc:
        if debug:
            raise
        err = usage_error(exc, argv)
    except KGError as exc:
        if debug:
            raise
        err = exc
    except OSError as exc:
        if debug:
            raise
        err = os_error(exc, argv)
    except Exception as exc:  # noqa: BLE001 - one line, never a traceback unless --debug
        if debug:
            raise
        err = internal_error(exc, argv)
    print_error(err)
    return err.exit_code


def main(argv: Sequence[str] | None = None) -> None:
    """Entry point of the ``kg`` console script (exits with the command's code)."""
    sys.exit(run(sys.argv[1:] if argv is None else argv))


if __name__ == "__main__":
    main()
