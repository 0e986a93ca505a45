"""Shared helpers for the readers: size limits, decoding, line streaming, sniffing, HTML stripping,
strict dates and the cheap English check.

Decoding policy (every reader):

* a BOM decides: UTF-8 (``utf-8-sig``), UTF-16 or UTF-32; the BOM is stripped;
* no BOM and NUL bytes (anywhere in a file read whole; in the first 64 KiB of a streamed one) or
  more than 5 % control bytes -> binary (E003);
* valid UTF-8 -> UTF-8;
* otherwise the bytes are decoded as a legacy 8-bit encoding: ``latin-1`` when no byte is in
  0x80-0x9F (then Latin-1 and Windows-1252 agree), else ``cp1252`` when that decodes, else
  ``latin-1``. The reader then logs
  warning W001 on the ``kg.readers`` logger (decision: warnings go to :mod:`logging`, not
  :mod:`warnings`, so the CLI shows them once and a library caller can capture them with a handler).
"""
from __future__ import annotations

import codecs
import html
import re
import string
import unicodedata
from dataclasses import dataclass
from datetime import date
from html.parser import HTMLParser
from typing import BinaryIO, Iterator

#: Largest article text accepted, in UTF-8 bytes (E012 above). For a ``.txt`` file: its size.
MAX_ARTICLE_BYTES = 5 * 1024 * 1024
#: Largest JSONL line / CSV line read before parsing; longer lines are skipped unread (E012).
MAX_RECORD_BYTES = 4 * MAX_ARTICLE_BYTES
#: Largest HTML page or feed file, read whole (E012 above).
MAX_DOCUMENT_BYTES = 4 * MAX_ARTICLE_BYTES
#: How much of a file is looked at to sniff its encoding and root element.
HEAD_BYTES = 64 * 1024
#: Chunk size for streaming line readers.
CHUNK_BYTES = 1024 * 1024

_BOMS: tuple[tuple[bytes, str], ...] = (
    (codecs.BOM_UTF32_LE, "utf-32"),  # before UTF-16 LE: it starts with the same two bytes
    (codecs.BOM_UTF32_BE, "utf-32"),
    (codecs.BOM_UTF8, "utf-8-sig"),
    (codecs.BOM_UTF16_LE, "utf-16"),
    (codecs.BOM_UTF16_BE, "utf-16"),
)
_CONTROL = bytes(b for b in range(32) if b not in (9, 10, 12, 13, 27))
_C1 = re.compile(rb"[\x80-\x9f]")


class BinaryData(ValueError):
    """Raised by :func:`decode_document` when the bytes are not text."""


def bom_encoding(head: bytes) -> str | None:
    """Codec named by a byte-order mark at the start of ``head``, else None."""
    for bom, name in _BOMS:
        if head.startswith(bom):
            return name
    return None


def looks_binary(head: bytes) -> bool:
    """True when ``head`` (no BOM) has NUL bytes or more than 5 % control bytes."""
    if not head:
        return False
    if b"\x00" in head:
        return True
    controls = len(head) - len(head.translate(None, _CONTROL))
    return controls > 0.05 * len(head)


def legacy_decode(data: bytes) -> tuple[str, str]:
    """Decode non-UTF-8 bytes as ``latin-1`` or ``cp1252`` (see module doc); returns (text, codec)."""
    if _C1.search(data):
        try:
            return data.decode("cp1252"), "cp1252"
        except UnicodeDecodeError:
            pass
    return data.decode("latin-1"), "latin-1"


def decode_document(data: bytes) -> tuple[str, str]:
    """Decode a whole file; returns (text without BOM, codec used). Raises :class:`BinaryData`."""
    bom = bom_encoding(data)
    if bom:
        try:
            return data.decode(bom).lstrip("\ufeff"), bom
        except UnicodeDecodeError as exc:
            raise BinaryData(f"bad {bom}: {exc.reason}") from None
    if looks_binary(data[:HEAD_BYTES]) or b"\x00" in data:
        raise BinaryData("NUL or control bytes")
    try:
        return data.decode("utf-8"), "utf-8"
    except UnicodeDecodeError:
        if looks_binary(data[:HEAD_BYTES] + data[-HEAD_BYTES:]):
            raise BinaryData("undecodable") from None
        return legacy_decode(data)


def is_legacy(codec: str) -> bool:
    """True for the 8-bit fallbacks that deserve warning W001."""
    return codec in ("latin-1", "cp1252")


def stream_encoding(head: bytes) -> str:
    """Codec for streaming a file whose first bytes are ``head``. Raises :class:`BinaryData`."""
    bom = bom_encoding(head)
    if bom:
        return bom
    if looks_binary(head):
        raise BinaryData("NUL or control bytes")
    return "utf-8"


@dataclass(frozen=True)
class Line:
    """One physical line: ``text`` is None when the line was longer than the cap (then skipped)."""

    number: int
    text: str | None
    size: int  # bytes (UTF-8 files) or characters (UTF-16/32 files)
    codec: str  # the codec that decoded it: "utf-8", or a legacy fallback


def iter_lines(stream: BinaryIO, head: bytes, max_size: int = MAX_RECORD_BYTES,
               keepends: bool = False) -> Iterator[Line]:
    """Stream decoded lines from ``stream``, whose first bytes ``head`` were already read.

    Memory stays bounded by ``max_size`` plus one chunk: longer lines are drained, never held.
    UTF-8 lines that do not decode are decoded with :func:`legacy_decode`. UTF-16/32 errors raise
    :class:`BinaryData`.
    """
    codec = stream_encoding(head)
    utf8 = codec.startswith("utf-8")
    decoder = codecs.getincrementaldecoder(codec)(errors="surrogateescape" if utf8 else "strict")
    number, parts, size, oversize = 0, [], 0, False
    first = True
    chunk = head
    while True:
        final = not chunk
        try:
            text = decoder.decode(chunk, final=final)
        except UnicodeDecodeError as exc:
            raise BinaryData(f"bad {codec} after line {number}: {exc.reason}") from None
        if first and text:
            text, first = text.lstrip("\ufeff"), False
        start = 0
        while start < len(text):
            nl = text.find("\n", start)
            piece = text[start:] if nl < 0 else text[start:nl + 1]
            size += _size(piece, utf8)
            if not oversize:
                if size > max_size:
                    oversize, parts = True, []
                else:
                    parts.append(piece)
            if nl < 0:
                break
            number += 1
            size -= 2 if piece.endswith("\r\n") else 1  # the line ending is not part of the line
            yield _line(number, "".join(parts), size, oversize, utf8, keepends)
            parts, size, oversize = [], 0, False
            start = nl + 1
        if final:
            break
        chunk = stream.read(CHUNK_BYTES)
    if parts or oversize:
        number += 1
        yield _line(number, "".join(parts), size, oversize, utf8, keepends)


def _size(text: str, utf8: bool) -> int:
    return len(text.encode("utf-8", "surrogateescape")) if utf8 else len(text)


def _line(number: int, text: str, size: int, oversize: bool, utf8: bool, keepends: bool) -> Line:
    codec = "utf-8" if utf8 else "utf-16/32"
    if oversize:
        return Line(number, None, size, codec)
    if not keepends:
        text = text.rstrip("\r\n")
    if utf8:
        try:
            text.encode("utf-8")
        except UnicodeEncodeError:  # surrogate escapes: bytes that were not UTF-8
            text, codec = legacy_decode(text.encode("utf-8", "surrogateescape"))
    return Line(number, text, size, codec)


# --- sniffing -------------------------------------------------------------------------------

_PROLOG = re.compile(r"\s*(?:<\?.*?\?>|<!--.*?-->|<!DOCTYPE[^\[>]*(?:\[.*?\])?\s*>)", re.S | re.I)
_TAG = re.compile(r"\s*<([A-Za-z_][\w:.-]*)")
_HTML_DOCTYPE = re.compile(rb"\s*(?:<\?[^>]*\?>\s*)?(?:<!--.*?-->\s*)*<!doctype\s+html", re.I | re.S)
_FEED_ROOTS = {"rss": "rss", "feed": "rss", "rdf": "rss", "html": "html"}


def root_element(head: bytes) -> str | None:
    """Local name (lower-case) of the first element in an XML/HTML ``head``, else None."""
    bom = bom_encoding(head)
    text = head.decode(bom or "utf-8", errors="replace").lstrip("\ufeff")
    pos = 0
    while (m := _PROLOG.match(text, pos)) and m.end() > pos:
        pos = m.end()
    m = _TAG.match(text, pos)
    if not m:
        return None
    return m.group(1).rsplit(":", 1)[-1].lower()


def sniff_format(head: bytes) -> str | None:
    """"rss" for an RSS 2.0 / RSS 1.0 / Atom root, "html" for an HTML root, else None."""
    root = root_element(head)
    if root == "rdf" and b"purl.org/rss/1.0" not in head:
        return None  # RDF/XML that is not an RSS 1.0 feed
    if root not in _FEED_ROOTS and _HTML_DOCTYPE.match(head.lstrip(codecs.BOM_UTF8)):
        return "html"
    return _FEED_ROOTS.get(root or "")


# --- HTML fragments (feed summaries) -------------------------------------------------------

_BLOCK = {"p", "div", "br", "li", "ul", "ol", "h1", "h2", "h3", "h4", "h5", "h6", "tr", "table",
          "blockquote", "section", "article", "header", "footer", "pre", "hr", "dd", "dt", "figcaption"}
_SKIP = {"script", "style", "noscript", "template", "head"}


class _TextCollector(HTMLParser):
    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.parts: list[str] = []
        self.skipping = 0

    def handle_starttag(self, tag: str, attrs: list) -> None:
        if tag in _SKIP:
            self.skipping += 1
        elif tag in _BLOCK:
            self.parts.append("\n")

    def handle_endtag(self, tag: str) -> None:
        if tag in _SKIP:
            self.skipping = max(0, self.skipping - 1)
        elif tag in _BLOCK:
            self.parts.append("\n")

    def handle_data(self, data: str) -> None:
        if not self.skipping:
            self.parts.append(data)


def strip_html(fragment: str) -> str:
    """Plain text of an HTML fragment: tags dropped, entities decoded, one paragraph per line."""
    if "<" not in fragment:
        text = html.unescape(fragment)
    else:
        collector = _TextCollector()
        collector.feed(fragment)
        collector.close()
        text = "".join(collector.parts)
    lines = (" ".join(line.split()) for line in text.splitlines())
    return "\n".join(line for line in lines if line)


# --- dates ----------------------------------------------------------------------------------

_YMD = re.compile(r"(\d{4})-(\d{2})-(\d{2})(?:[T ][\d:.]+(?:Z|[+-]\d{2}:?\d{2})?)?")


def parse_ymd(value: str) -> date:
    """``YYYY-MM-DD`` (optionally followed by an ISO time, ignored) -> date; ValueError otherwise."""
    m = _YMD.fullmatch(value.strip())
    if not m:
        raise ValueError(value)
    return date(int(m.group(1)), int(m.group(2)), int(m.group(3)))


# --- language -------------------------------------------------------------------------------

#: English function words. Measured share of words in this list: English news sentences of the gold
#: set 14-58 % (mean 35 %), the seed article 44 %; other languages in Latin script stay lower through
#: shared words ("a", "in", "is", "was"): Dutch 9 %, Spanish 5 %, French 2-4 %, German 0 %.
ENGLISH_FUNCTION_WORDS = frozenset("""
a about after against all also an and any are as at be because been before being between both
but by can could did do does during each either for from had has have he her hers him his how i
if in into is it its itself many may me might more most much must my neither no nor not of off
on once only or other our ours out over own said says shall she should since so some such than
that the their theirs them then there these they this those though through to too under until up
upon very was we were what when where whether which while who whom whose why will with within
without would yet you your
""".split())

#: Minimum number of words before the check is made (shorter texts are assumed English).
LANG_MIN_WORDS = 20
#: Share of English function words below which a text is taken as not English.
MIN_ENGLISH_RATIO = 0.12
#: Only the start of long texts is examined.
LANG_SAMPLE_CHARS = 2_000

#: Share of another language's stopwords that counts as evidence for it.
MIN_OTHER_RATIO = 0.15

_OTHER_STOPWORDS: dict[str, frozenset[str]] = {k: frozenset(v.split()) for k, v in {
    "fr": "le la les des du de et est une un que qui dans pour pas sur au avec ce il elle ont sont",
    "es": "el la los las del de y que en un una por con para es se lo su al como más",
    "de": "der die das und ist nicht ein eine zu den mit sich des auf für im dem von sie",
    "it": "il lo la gli le di che è e un una per non con del della sono si nel alla",
    "pt": "o os a as de do da dos das que e é um uma para com não no na se por",
    "nl": "de het een en van is dat op te zijn niet met voor die aan er ook als bij",
}.items()}
#: punctuation and digits become spaces before splitting into words (much faster than a regex)
_SPLIT = str.maketrans({c: " " for c in string.punctuation + string.digits + "\u201c\u201d\u2018\u2019\u00ab\u00bb"
                        "\u2014\u2013\u2026\u060c\u061b\u061f\u3001\u3002\uff0c"})


def _words(text: str) -> list[str]:
    return text[:LANG_SAMPLE_CHARS].lower().translate(_SPLIT).split()


def english_ratio(text: str) -> tuple[float, int]:
    """(share of words that are English function words, number of words) over the text's start."""
    words = _words(text)
    if not words:
        return 0.0, 0
    hits = sum(map(ENGLISH_FUNCTION_WORDS.__contains__, words))
    return hits / len(words), len(words)


def other_language(text: str) -> tuple[str, float]:
    """(ISO 639-1 code, share of its stopwords) for the best-matching of a few other languages."""
    words = _words(text)
    if not words:
        return "", 0.0
    best, best_hits = "", 0
    for lang, stop in _OTHER_STOPWORDS.items():
        hits = sum(map(stop.__contains__, words))
        if hits > best_hits:
            best, best_hits = lang, hits
    return best, best_hits / len(words)


def script_name(text: str) -> str:
    """Name of the most frequent script among the letters: "Latin", "Arabic", "CJK", ..."""
    scripts: dict[str, int] = {}
    for ch in text[:LANG_SAMPLE_CHARS]:
        if ch.isalpha():
            name = unicodedata.name(ch, "UNKNOWN").split(" ")[0]
            scripts[name] = scripts.get(name, 0) + 1
    script = max(scripts, key=scripts.__getitem__) if scripts else "UNKNOWN"
    return script if script == "CJK" else script.title()


def non_english(text: str) -> str | None:
    """None when the text passes as English; else a label such as ``"fr, 2% English function words"``.

    Not English when under :data:`MIN_ENGLISH_RATIO` of its words are English function words and
    either under half that (no English at all), or at least :data:`MIN_OTHER_RATIO` are stopwords of
    French, Spanish, German, Italian, Portuguese or Dutch (positive evidence: a dense English
    sentence can dip to about 13 %). Texts under :data:`LANG_MIN_WORDS` words pass, unless they
    have at least 60 letters of which fewer than 10 % are ASCII (scripts written without spaces,
    such as Chinese, have few "words").
    """
    ratio, n = english_ratio(text)
    if n < LANG_MIN_WORDS:
        letters = [c for c in text[:LANG_SAMPLE_CHARS] if c.isalpha()]
        if len(letters) < 60 or sum(c.isascii() for c in letters) >= 0.1 * len(letters):
            return None
    elif ratio >= MIN_ENGLISH_RATIO:
        return None
    lang, other = other_language(text)
    if n >= LANG_MIN_WORDS and ratio >= MIN_ENGLISH_RATIO / 2 and other < MIN_OTHER_RATIO:
        return None
    label = lang if other >= MIN_OTHER_RATIO else f"{script_name(text)} script"
    return f"{label}, {ratio:.0%} English function words"
