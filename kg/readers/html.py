"""``.html`` / ``.htm``: one saved page per file; id = file stem.

trafilatura extracts the main text, title, publication date and site name, offline (it is given
the decoded page, never a URL). Dates come only from the page's metadata (htmldate with
``extensive_search`` off, so no date is guessed from the body text). A page with no extractable
text fails with E011 (a first line equal to the title is dropped from the text, since the
headline is kept as ``title``); pages above :data:`~kg.readers.decode.MAX_DOCUMENT_BYTES` with E012.
Encoding: BOM, else UTF-8, else the page's ``<meta charset>``, else a legacy 8-bit guess (W001).
"""
from __future__ import annotations

import codecs
import re
from pathlib import Path
from typing import Iterator

from kg.models import Article
from kg.readers import READERS, SUFFIXES, Item, Loc, ReadFailure, failure, finish, located, read_file, warn
from kg.readers.decode import (HEAD_BYTES, MAX_DOCUMENT_BYTES, BinaryData, bom_encoding, decode_document,
                               is_legacy, looks_binary, parse_ymd)

SUFFIXES.update({".html": "html", ".htm": "html", ".xhtml": "html"})

_META_CHARSET = re.compile(rb"""<meta[^>]+charset\s*=\s*["']?\s*([A-Za-z0-9_.:-]+)""", re.I)
DATE_PARAMS = {"extensive_search": False, "original_date": True, "outputformat": "%Y-%m-%d"}


def decode_page(data: bytes) -> tuple[str, str, bool]:
    """(text, codec, guessed): ``guessed`` is True when a legacy encoding was assumed."""
    if not bom_encoding(data) and not looks_binary(data[:HEAD_BYTES]):
        try:
            return data.decode("utf-8"), "utf-8", False
        except UnicodeDecodeError:
            m = _META_CHARSET.search(data[:HEAD_BYTES])
            if m:
                try:
                    name = codecs.lookup(m.group(1).decode("ascii")).name
                    return data.decode(name), name, False
                except (LookupError, UnicodeDecodeError):
                    pass
    text, codec = decode_document(data)
    return text, codec, is_legacy(codec)


def extract(page: str) -> tuple[str, str | None, str | None, str | None, str | None]:
    """(text, title, YYYY-MM-DD date or None, site name, canonical url) of a decoded page."""
    import trafilatura  # heavy import, only when an HTML page is read

    doc = trafilatura.bare_extraction(page, with_metadata=True, include_comments=False,
                                      include_tables=True, favor_recall=True,
                                      date_extraction_params=DATE_PARAMS)
    if doc is None:
        return "", None, None, None, None
    get = (lambda k: doc.get(k)) if isinstance(doc, dict) else (lambda k: getattr(doc, k, None))
    return get("text") or "", get("title"), get("date"), get("sitename"), get("url")


@READERS.register("html")
@located
def read_html(path: Path) -> Iterator[tuple[Loc, Item]]:
    """One :class:`Article` (or one failure) from a saved HTML page."""
    data = read_file(path, MAX_DOCUMENT_BYTES, allow_empty=False)
    if isinstance(data, ReadFailure):
        yield None, data
        return
    try:
        page, codec, guessed = decode_page(data)
    except BinaryData:
        yield None, failure("E003", path)
        return
    if guessed:
        warn("W001", path=str(path), encoding=codec)
    text, title, raw_date, site, url = extract(page)
    text = text.strip()
    if title and text.partition("\n")[0].strip() == title.strip():
        text = text.partition("\n")[2].strip()  # the headline is kept as the title, not twice
    if not text:
        yield None, failure("E011", path)
        return
    try:
        when = parse_ymd(raw_date) if raw_date else None
    except ValueError:
        when = None
    article = Article(id=path.stem, text=text, date=when, publisher=(site or "").strip() or None,
                      title=(title or "").strip() or None, url=url if url and "://" in url else None,
                      source_path=str(path))
    yield None, finish(article, path)
