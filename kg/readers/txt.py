"""``.txt``: one article per file; id = file stem.

An optional header on the first line (leading spaces allowed)::

    date 2021-02-27 Shafaq News / the "Iraqi Resistance" vowed to respond ...

gives the publication date and the publisher (the words up to `` / ``); what follows `` / `` is
the article's first sentence and stays in the text. Without a ``/`` the rest of the line is text
and the publisher is unknown. ``date`` followed by something digit-like that is not a valid
``YYYY-MM-DD`` fails with E006; a first line that does not start with ``date <digit>`` is plain
text, and the date is then unknown (None, never guessed).
"""
from __future__ import annotations

import re
from datetime import date
from pathlib import Path
from typing import Iterator

from kg.models import Article
from kg.readers import READERS, SUFFIXES, Item, Loc, ReadFailure, failure, finish, located, read_file, warn
from kg.readers.decode import MAX_ARTICLE_BYTES, BinaryData, decode_document, is_legacy, parse_ymd

SUFFIXES[".txt"] = "txt"

_HEADER = re.compile(r"[ \t]*date[ \t]+(\d\S*)[ \t]*(.*)")


def parse_header(first_line: str) -> tuple[str, date | None, str | None, str] | None:
    """``(date token, date or None if malformed, publisher, rest of the line)``, or None."""
    m = _HEADER.fullmatch(first_line)
    if not m:
        return None
    token, rest = m.group(1), m.group(2)
    try:
        when: date | None = parse_ymd(token)
    except ValueError:
        when = None
    publisher, sep, sentence = rest.partition(" / ")
    if not sep:
        if rest.rstrip().endswith(" /"):  # "date 2021-02-27 Publisher /" then the text below
            return token, when, rest.rstrip()[:-2].strip() or None, ""
        return token, when, None, rest
    return token, when, publisher.strip() or None, sentence


@READERS.register("txt")
@located
def read_txt(path: Path) -> Iterator[tuple[Loc, Item]]:
    """One :class:`Article` (or one failure) from a text file."""
    data = read_file(path, MAX_ARTICLE_BYTES, allow_empty=True)
    if isinstance(data, ReadFailure):
        yield None, data
        return
    try:
        text, codec = decode_document(data)
    except BinaryData:
        yield None, failure("E003", path)
        return
    if is_legacy(codec):
        warn("W001", path=str(path), encoding=codec)
    text = text.replace("\r\n", "\n").replace("\r", "\n").strip()
    first, _, body = text.partition("\n")
    when = publisher = None
    header = parse_header(first)
    if header is not None:
        token, when, publisher, sentence = header
        if when is None:
            yield 1, failure("E006", path, 1, value=token)
            return
        text = (sentence.strip() + "\n" + body).strip()
    yield None, finish(Article(id=path.stem, text=text, date=when, publisher=publisher,
                               source_path=str(path)), path)
