"""``kg`` command line: a thin Typer layer over library functions (spaCy CLI style).

Each command lives in ``kg/commands/<name>.py``; errors are catalogued :class:`kg.errors.KGError`s
printed on one line, with pyshacl-style exit codes (0 ok/conforms, 1 does not conform, 2 error).
"""
from __future__ import annotations

import sys

from kg.commands.app import STATE, app, err_console
from kg.errors import EXIT_ERROR, KGError

# command modules register themselves on import
from kg.commands import build as _build  # noqa: F401,E402
from kg.commands import query as _query  # noqa: F401,E402
from kg.commands import validate as _validate  # noqa: F401,E402
from kg.commands import graph as _graph  # noqa: F401,E402
from kg.commands import eval as _eval  # noqa: F401,E402


def main(argv: list[str] | None = None) -> None:
    """Entry point of the ``kg`` console script."""
    if argv is None:
        argv = sys.argv[1:]
    STATE["debug"] = "--debug" in argv
    try:
        app(args=argv, prog_name="kg", standalone_mode=True)
    except KGError as exc:
        if STATE["debug"]:
            raise
        err_console.print(f"[bold red]error[{exc.code}][/]: {exc.message}", highlight=False, soft_wrap=True)
        sys.exit(exc.exit_code)
    except KeyboardInterrupt:
        err_console.print("[bold red]interrupted[/]")
        sys.exit(130)


if __name__ == "__main__":
    main()
