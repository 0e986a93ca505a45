"""``.csv`` / ``.tsv``: a header row naming the columns, then one article per row, streamed.

Required columns ``id`` and ``text``; optional ``date`` (``YYYY-MM-DD``), ``title``, ``source`` (or
``publisher``) and ``url``; others are ignored; names are matched case-insensitively. The delimiter
is the most frequent of ``, ; TAB |`` in the header line. Empty cells count as missing, so a row
with an empty ``id`` or ``text`` fails with E005. Failures carry the row's first line number;
a CSV syntax error is reported as E001 for that row (the catalogue has no CSV-specific code).
"""
from __future__ import annotations

import csv
import itertools
from pathlib import Path
from typing import Iterator

from kg.readers import READERS, SUFFIXES, Item, Loc, failure, located, warn
from kg.readers.decode import (HEAD_BYTES, MAX_ARTICLE_BYTES, MAX_RECORD_BYTES, BinaryData, Line,
                               is_legacy, iter_lines)
from kg.readers.jsonl import parse_record

SUFFIXES.update({".csv": "csv", ".tsv": "csv"})
csv.field_size_limit(max(csv.field_size_limit(), MAX_RECORD_BYTES))

_FIELDS = ("id", "text", "date", "title", "source", "publisher", "url")


class _LineFeed(Iterator[str]):
    """Feeds decoded lines to :func:`csv.reader`; notes skipped (oversize) and legacy-decoded lines."""

    def __init__(self, lines: Iterator[Line]) -> None:
        self.lines = lines
        self.number = 0
        self.oversize: list[Line] = []
        self.legacy: str | None = None

    def __iter__(self) -> _LineFeed:
        return self

    def __next__(self) -> str:
        line = next(self.lines)
        self.number = line.number
        if line.text is None:
            self.oversize.append(line)
            return "\n"
        if is_legacy(line.codec) and self.legacy is None:
            self.legacy = line.codec
        return line.text


def _delimiter(header: str) -> str:
    return max(",;\t|", key=lambda d: (header.count(d), d == ","))


@READERS.register("csv")
@located
def read_csv(path: Path) -> Iterator[tuple[Loc, Item]]:
    """Articles from a CSV file, one row at a time."""
    feed: _LineFeed | None = None
    try:
        with open(path, "rb") as stream:
            head = stream.read(HEAD_BYTES)
            feed = _LineFeed(iter_lines(stream, head, keepends=True))
            yield from _rows(path, feed)
    except BinaryData:
        yield None, failure("E003", path)
    except OSError as exc:
        loc = feed.number if feed and feed.number else None
        yield loc, failure("E001", path, loc, reason=exc.strerror or str(exc))


def _rows(path: Path, feed: _LineFeed) -> Iterator[tuple[Loc, Item]]:
    header_text = next((t for t in feed if t.strip()), None)
    if header_text is None:
        yield None, failure("E002", path)
        return
    header_line = feed.number
    reader = csv.reader(itertools.chain([header_text], feed), delimiter=_delimiter(header_text))
    header = [c.strip().lstrip("\ufeff").lower() for c in next(reader)]
    columns = {name: header.index(name) for name in _FIELDS if name in header}
    for required in ("id", "text"):
        if required not in columns:
            yield header_line, failure("E005", path, header_line, field=required)
            return
    warned = False
    end = feed.number
    while True:
        start = end + 1
        try:
            row = next(reader)
        except StopIteration:
            return
        except csv.Error as exc:
            end = feed.number
            yield start, failure("E001", path, start, reason=str(exc))
            continue
        end = feed.number
        if feed.legacy and not warned:
            warn("W001", path=str(path), encoding=feed.legacy)
            warned = True
        if feed.oversize:
            for line in feed.oversize:
                yield line.number, failure("E012", path, line.number, size=line.size, limit=MAX_ARTICLE_BYTES)
            feed.oversize.clear()
            continue
        if not any(cell.strip() for cell in row):
            continue
        record = {name: (row[i].strip() or None) if i < len(row) else None for name, i in columns.items()}
        yield start, parse_record(record, path, start)
