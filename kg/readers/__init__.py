"""Input readers: one module per format, each registered in :data:`READERS` by name.

``read_paths`` walks files and folders, picks a reader per file (``fmt`` overrides detection) and
yields :class:`~kg.models.Article` objects lazily, one at a time. Anything wrong with one article or
one line becomes a :class:`ReadFailure` carrying a catalogued :class:`~kg.errors.KGError`, and
reading goes on. Warnings (W001 legacy encoding, W002 skipped file) go to the ``kg.readers`` logger.

Limits and heuristics live in :mod:`kg.readers.decode`.
"""
from __future__ import annotations

import functools
import logging
import os
import stat
from dataclasses import dataclass
from pathlib import Path
from typing import Callable, Iterable, Iterator, Union

from kg.errors import Errors, KGError, warning
from kg.models import Article
from kg.readers.decode import HEAD_BYTES, MAX_ARTICLE_BYTES, non_english, sniff_format
from kg.registry import Registry

__all__ = ["READERS", "SUFFIXES", "ReadFailure", "Records", "detect_format", "read_paths", "located",
           "failure", "finish", "where", "warn"]

log = logging.getLogger("kg.readers")

#: Codes that mean "skipped with a warning" rather than "failed" (see :attr:`ReadFailure.skipped`).
SKIP_CODES = frozenset({"E013"})


@dataclass(frozen=True)
class ReadFailure:
    """A per-item failure: reading continues. ``line`` is the line number when there is one."""

    path: str
    line: int | None
    error: KGError

    @property
    def code(self) -> str:
        return self.error.code

    @property
    def message(self) -> str:
        """One line, ``[E004] data.jsonl:2: broken JSON line: ...``."""
        return str(self.error)

    @property
    def skipped(self) -> bool:
        """True when the input was deliberately skipped (non-English text), not broken."""
        return self.error.code in SKIP_CODES


Item = Union[Article, ReadFailure]
#: Where an item is in its file: a line number, a label such as ``"item 3"`` (feeds), or None.
Loc = Union[int, str, None]
Reader = Callable[[Path], Iterator[Item]]

#: format name -> reader function ``(path) -> Iterator[Article | ReadFailure]``
READERS: Registry[Reader] = Registry("input format")
#: lower-case file-name ending -> format name; None means "sniff the root element"
SUFFIXES: dict[str, str | None] = {}


class Records(Iterator[Item]):
    """A reader's items; ``loc`` tells where the item last returned came from."""

    def __init__(self, pairs: Iterator[tuple[Loc, Item]]) -> None:
        self._pairs = pairs
        self.loc: Loc = None

    def __iter__(self) -> Records:
        return self

    def __next__(self) -> Item:
        self.loc, item = next(self._pairs)
        return item


def located(func: Callable[[Path], Iterator[tuple[Loc, Item]]]) -> Reader:
    """Turn a generator of ``(loc, item)`` pairs into a reader returning :class:`Records`."""

    @functools.wraps(func)
    def reader(path: Path) -> Records:
        return Records(func(Path(path)))

    return reader


def where(path: str | Path, loc: Loc = None) -> str:
    """``data.jsonl:3``, ``feed.xml:item 2`` or just the path."""
    return str(path) if loc is None else f"{path}:{loc}"


def failure(code: str, path: str | Path, loc: Loc = None, **fields: object) -> ReadFailure:
    """A :class:`ReadFailure` whose one-line message names the path and, when known, the line."""
    template = getattr(Errors, code)
    if "{line}" in template:
        error = KGError(code, path=str(path), line=1 if loc is None else loc, **fields)
    else:
        error = KGError(code, path=where(path, loc), **fields)
    return ReadFailure(str(path), loc if isinstance(loc, int) else None, error)


def read_file(path: Path, limit: int, allow_empty: bool = True) -> bytes | ReadFailure:
    """A file's bytes, or its failure: E012 above ``limit`` bytes, E001 unreadable, E002 empty
    (unless ``allow_empty``: some readers judge emptiness after decoding)."""
    try:
        size = path.stat().st_size
        if size > limit:
            return failure("E012", path, size=size, limit=limit)
        with open(path, "rb") as f:
            data = f.read()
    except OSError as exc:
        return failure("E001", path, reason=exc.strerror or str(exc))
    if not allow_empty and not data.strip():
        return failure("E002", path)
    return data


def warn(code: str, **fields: object) -> None:
    """Log a catalogued warning on the ``kg.readers`` logger."""
    log.warning(warning(code, **fields))


def finish(article: Article, path: str | Path, loc: Loc = None) -> Item:
    """Checks every reader applies to an article: empty (E002), too big (E012), not English (E013)."""
    text = article.text
    if not text.strip():
        return failure("E002", path, loc)
    if len(text) * 4 > MAX_ARTICLE_BYTES:
        size = len(text.encode("utf-8", "surrogatepass"))
        if size > MAX_ARTICLE_BYTES:
            return failure("E012", path, loc, size=size, limit=MAX_ARTICLE_BYTES)
    lang = non_english(text)
    if lang:
        return failure("E013", path, loc, lang=lang)
    return article


def _suffix_format(name: str) -> tuple[bool, str | None]:
    lower = name.lower()
    for suffix in sorted(SUFFIXES, key=len, reverse=True):
        if lower.endswith(suffix):
            return True, SUFFIXES[suffix]
    return False, None


def detect_format(path: Path) -> str:
    """Format name for ``path``: by file-name ending, then by sniffing the root element
    (RSS/Atom feed or HTML). Raises KGError E007 (missing), E001 (unreadable), E008 (no match)."""
    path = Path(path)
    known, fmt = _suffix_format(path.name)
    if fmt is not None:
        return fmt
    try:
        with open(path, "rb") as f:
            head = f.read(HEAD_BYTES)
    except FileNotFoundError:
        raise KGError("E007", path=str(path)) from None
    except OSError as exc:
        raise KGError("E001", path=str(path), reason=exc.strerror or str(exc)) from None
    sniffed = sniff_format(head)
    if sniffed in READERS:
        return sniffed
    raise KGError("E008", path=str(path), known=", ".join(READERS.names()))


def read_paths(paths: Iterable[str | Path] | str | Path, fmt: str | None = None,
               glob: str | None = None) -> Iterator[Item]:
    """Articles (and failures) from files and folders, lazily, in order.

    Folders are walked recursively in sorted order, skipping hidden entries; ``glob`` (e.g.
    ``"*.txt"``, matched against the path below the folder from the right) filters folder contents,
    not files named explicitly. A folder file that no reader matches is skipped with warning W002;
    an explicitly named one fails with E008. The same file named twice is read once. An article
    id seen before in this run fails with E009 (the first is kept). Raises E010 for an unknown
    ``fmt`` at call time.
    """
    if fmt is not None:
        READERS.get(fmt)
    if isinstance(paths, (str, os.PathLike)):
        paths = [paths]
    return _read_all([Path(p) for p in paths], fmt, glob)


def _read_all(paths: list[Path], fmt: str | None, glob: str | None) -> Iterator[Item]:
    seen_ids: dict[str, str] = {}
    seen_files: set[Path] = set()
    for path in paths:
        try:
            mode = os.stat(path).st_mode
        except FileNotFoundError:
            yield failure("E007", path)
            continue
        except OSError as exc:
            yield failure("E001", path, reason=exc.strerror or str(exc))
            continue
        if stat.S_ISDIR(mode):
            entries: Iterator[Path | ReadFailure] = _walk(path, glob)
            explicit = False
        elif stat.S_ISREG(mode):
            entries, explicit = iter([path]), True
        else:
            yield failure("E001", path, reason="not a regular file")
            continue
        for entry in entries:
            if isinstance(entry, ReadFailure):
                yield entry
                continue
            key = entry.resolve()
            if key in seen_files:
                warn("W002", path=str(entry), reason="already read in this run")
                continue
            seen_files.add(key)
            yield from _read_file(entry, fmt, explicit, seen_ids)


def _walk(folder: Path, glob: str | None) -> Iterator[Path | ReadFailure]:
    errors: list[OSError] = []
    for root, dirs, files in os.walk(folder, onerror=errors.append):
        while errors:
            exc = errors.pop(0)
            yield failure("E001", exc.filename or root, reason=exc.strerror or str(exc))
        dirs[:] = sorted(d for d in dirs if not d.startswith("."))
        for name in sorted(files):
            if name.startswith("."):
                continue
            path = Path(root, name)
            if glob and not path.relative_to(folder).match(glob):
                continue
            try:  # FIFOs, devices, links to them: never opened (a FIFO would hang, /dev/zero never ends)
                regular = stat.S_ISREG(os.stat(path).st_mode)
            except OSError as exc:
                yield failure("E001", path, reason=exc.strerror or str(exc))
                continue
            if not regular:
                yield failure("E001", path, reason="not a regular file")
                continue
            yield path
    for exc in errors:
        yield failure("E001", exc.filename or folder, reason=exc.strerror or str(exc))


def _read_file(path: Path, fmt: str | None, explicit: bool, seen_ids: dict[str, str]) -> Iterator[Item]:
    try:
        name = fmt or detect_format(path)
    except KGError as exc:
        if exc.code == "E008" and not explicit:
            warn("W002", path=str(path), reason="no reader for this kind of file")
        else:
            yield ReadFailure(str(path), None, exc)
        return
    items = READERS.get(name)(path)
    while True:
        try:
            item = next(items)
        except StopIteration:
            return
        except KGError as exc:
            yield ReadFailure(str(path), None, exc)
            return
        except OSError as exc:
            yield failure("E001", path, getattr(items, "loc", None), reason=exc.strerror or str(exc))
            return
        if isinstance(item, Article):
            loc = getattr(items, "loc", None)
            first = seen_ids.get(item.id)
            if first is not None:
                yield failure("E009", path, loc, id=item.id, first=first)
                continue
            seen_ids[item.id] = where(path, loc)
        yield item


# the format modules register themselves on import
from kg.readers import csv, html, jsonl, rss, txt  # noqa: E402,F401
