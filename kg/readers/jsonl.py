"""``.jsonl`` / ``.ndjson`` / ``.jsonl.gz``: one article per line, streamed.

Each line: ``{"id": str, "text": str, "date": "YYYY-MM-DD" | null, "title"?, "source"?, "url"?}``.
``id`` is kept verbatim (an integer id becomes its decimal string); ``source`` (or ``publisher``)
is the publisher; ``date`` may carry an ISO time after the date, which is ignored; an empty-string
date counts as unknown. Blank lines are skipped. A line that fails is reported with its number and
the next line is read: E004 broken JSON / not an object / wrong type, E005 missing or empty
``id`` / missing ``text``, E006 bad date, E012 line or text above the limit (a line longer than
:data:`~kg.readers.decode.MAX_RECORD_BYTES` is skipped without being held in memory).
"""
from __future__ import annotations

import gzip
import json
import zlib
from pathlib import Path
from typing import Any, BinaryIO, Iterator

from kg.models import Article
from kg.readers import READERS, SUFFIXES, Item, Loc, failure, finish, located, warn
from kg.readers.decode import HEAD_BYTES, MAX_ARTICLE_BYTES, BinaryData, is_legacy, iter_lines, parse_ymd

SUFFIXES.update({".jsonl": "jsonl", ".ndjson": "jsonl", ".jsonl.gz": "jsonl", ".ndjson.gz": "jsonl"})


def _open(path: Path) -> BinaryIO:
    if path.name.lower().endswith(".gz"):
        return gzip.open(path, "rb")  # type: ignore[return-value]
    return open(path, "rb")


def _optional_str(record: dict[str, Any], *keys: str) -> str | None:
    for key in keys:
        value = record.get(key)
        if isinstance(value, str) and value.strip():
            return value.strip()
    return None


def _encodable(text: str) -> bool:
    try:
        text.encode("utf-8")
    except UnicodeEncodeError:
        return False
    return True


def parse_record(record: Any, path: Path, line: int) -> Item:
    """An :class:`Article` from one decoded JSON value, or the failure that explains why not."""
    if not isinstance(record, dict):
        return failure("E004", path, line, reason=f"expected a JSON object, got {type(record).__name__}")
    ident = record.get("id")
    if ident is None or (isinstance(ident, str) and not ident.strip()):
        return failure("E005", path, line, field="id")
    if isinstance(ident, bool) or not isinstance(ident, (str, int)):
        return failure("E004", path, line, reason=f"'id' must be a string, got {type(ident).__name__}")
    text = record.get("text")
    if text is None:
        return failure("E005", path, line, field="text")
    if not isinstance(text, str):
        return failure("E004", path, line, reason=f"'text' must be a string, got {type(text).__name__}")
    for key in ("id", "text", "title", "source", "publisher", "url"):
        value = record.get(key)
        if isinstance(value, str) and not _encodable(value):
            return failure("E004", path, line, reason=f"'{key}' holds an unpaired surrogate (invalid Unicode)")
    raw_date = record.get("date")
    when = None
    if raw_date is not None and raw_date != "":
        if not isinstance(raw_date, str):
            return failure("E006", path, line, value=raw_date)
        try:
            when = parse_ymd(raw_date)
        except ValueError:
            return failure("E006", path, line, value=raw_date)
    article = Article(id=str(ident), text=text.strip(), date=when,
                      publisher=_optional_str(record, "source", "publisher"),
                      title=_optional_str(record, "title"), url=_optional_str(record, "url"),
                      source_path=str(path))
    return finish(article, path, line)


@READERS.register("jsonl")
@located
def read_jsonl(path: Path) -> Iterator[tuple[Loc, Item]]:
    """Articles from a JSON Lines file, one line at a time."""
    line_no = 0
    try:
        with _open(path) as stream:
            head = stream.read(HEAD_BYTES)
            warned = False
            for line in iter_lines(stream, head):
                line_no = line.number
                if line.text is None:
                    yield line.number, failure("E012", path, line.number, size=line.size,
                                               limit=MAX_ARTICLE_BYTES)
                    continue
                if not line.text.strip():
                    continue
                if is_legacy(line.codec) and not warned:
                    warn("W001", path=str(path), encoding=line.codec)
                    warned = True
                try:
                    record = json.loads(line.text)
                except json.JSONDecodeError as exc:
                    yield line.number, failure("E004", path, line.number,
                                               reason=f"{exc.msg} (column {exc.colno})")
                    continue
                except RecursionError:
                    yield line.number, failure("E004", path, line.number, reason="nested too deeply")
                    continue
                yield line.number, parse_record(record, path, line.number)
    except BinaryData:
        yield line_no or None, failure("E003", path, line_no or None)
    except (OSError, EOFError, zlib.error) as exc:
        yield line_no or None, failure("E001", path, line_no or None,
                                       reason=getattr(exc, "strerror", None) or str(exc))
