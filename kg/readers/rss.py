"""RSS 2.0, RSS 1.0 and Atom feeds saved to disk (``.rss``, ``.atom``, or ``.xml`` with a feed
root element): one article per item, parsed by feedparser.

Nothing is fetched: feedparser gets the bytes in a :class:`io.BytesIO` (given a string or bytes it
would try to open them as a URL or a path), its SAX parser has external entities off, and it
drops DOCTYPE entity declarations. Per item: id = ``guid``/``id``, else ``link``, else the first
16 hex digits of a SHA-256 of title, link and text; text = the longest ``content`` or the
``summary``, stripped of HTML; date = ``published`` (else ``updated``, the only date many Atom
feeds give) as the calendar date written in the feed (its own time zone, not converted to UTC);
an unparseable feed date leaves the date unknown rather than failing the item; publisher = the
item's ``<source>`` title, else the feed title. Item failures are located as ``feed.xml:item 3``.
"""
from __future__ import annotations

import hashlib
import io
from datetime import date, datetime
from email.utils import parsedate_to_datetime
from pathlib import Path
from typing import Any, Iterator

from kg.models import Article
from kg.readers import READERS, SUFFIXES, Item, Loc, ReadFailure, failure, finish, located, read_file
from kg.readers.decode import (HEAD_BYTES, MAX_DOCUMENT_BYTES, bom_encoding, looks_binary, parse_ymd,
                               strip_html)

SUFFIXES.update({".rss": "rss", ".atom": "rss", ".xml": None})


def feed_date(raw: str | None, parsed: Any = None) -> date | None:
    """Calendar date of an RFC 822 or ISO 8601 feed date, in the feed's own time zone."""
    if raw:
        raw = raw.strip()
        try:
            return parsedate_to_datetime(raw).date()
        except (TypeError, ValueError, IndexError):
            pass
        try:
            return datetime.fromisoformat(raw.replace("Z", "+00:00")).date()
        except ValueError:
            pass
        try:
            return parse_ymd(raw[:10])
        except ValueError:
            pass
    if parsed:
        try:
            return date(parsed[0], parsed[1], parsed[2])
        except (TypeError, ValueError, IndexError):
            return None
    return None


def _entry_text(entry: Any) -> str | None:
    """Longest of the item's content blocks and summary, as plain text; None when it has none."""
    blocks = [c.get("value", "") for c in entry.get("content", []) or []]
    if "summary" in entry:
        blocks.append(entry.get("summary") or "")
    if not blocks:
        return None
    return max((strip_html(b) for b in blocks), key=len)


def _entry_id(entry: Any, title: str, text: str) -> str:
    for key in ("id", "link"):
        value = entry.get(key)
        if isinstance(value, str) and value.strip():
            return value.strip()
    digest = hashlib.sha256(f"{title}\n{entry.get('link', '')}\n{text}".encode("utf-8")).hexdigest()
    return digest[:16]


@READERS.register("rss")
@located
def read_feed(path: Path) -> Iterator[tuple[Loc, Item]]:
    """One :class:`Article` per feed item."""
    data = read_file(path, MAX_DOCUMENT_BYTES, allow_empty=False)
    if isinstance(data, ReadFailure):
        yield None, data
        return
    if not bom_encoding(data) and looks_binary(data[:HEAD_BYTES]):
        yield None, failure("E003", path)
        return
    import feedparser  # only when a feed is read

    parsed = feedparser.parse(io.BytesIO(data), sanitize_html=True, resolve_relative_uris=False)
    if not parsed.entries:
        if parsed.get("bozo"):
            reason = f"not a readable feed: {parsed.get('bozo_exception')}"
            yield None, failure("E001", path, reason=" ".join(reason.split()))
        elif not parsed.get("version"):
            yield None, failure("E001", path, reason="not an RSS or Atom feed")
        return
    feed_title = strip_html(parsed.feed.get("title", "")) or None
    for n, entry in enumerate(parsed.entries, 1):
        loc = f"item {n}"
        text = _entry_text(entry)
        if text is None:
            yield loc, failure("E005", path, loc, field="text")
            continue
        title = strip_html(entry.get("title", "")) or None
        source = entry.get("source") or {}
        publisher = strip_html(source.get("title", "") if hasattr(source, "get") else "") or feed_title
        when = feed_date(entry.get("published"), entry.get("published_parsed"))
        if when is None:
            when = feed_date(entry.get("updated"), entry.get("updated_parsed"))
        link = entry.get("link")
        article = Article(id=_entry_id(entry, title or "", text), text=text, date=when, publisher=publisher,
                          title=title, url=link if isinstance(link, str) and "://" in link else None,
                          source_path=str(path))
        yield loc, finish(article, path, loc)
