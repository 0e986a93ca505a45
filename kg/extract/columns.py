"""A parsed doc's token attributes as plain Python lists, read once per doc with ``Doc.to_array``.

Each ``for tok in doc`` creates a spaCy ``Token`` per token, and each ``tok.pos_`` / ``tok.lemma_``
is another lookup: the extractors scanned every doc about ten times that way, which was most of
their time. With :func:`columns` they pick the few tokens a scan can use (the verbs, the nouns with
a given lemma, ...) from lists, and only create ``Token`` objects for those. Sentences are found by
bisection instead of ``Token.sent`` (which walks the doc token by token).
"""
from __future__ import annotations

from bisect import bisect_right
from dataclasses import dataclass, field
from typing import Callable

import numpy
from spacy.attrs import DEP, ENT_TYPE, HEAD, IDX, IS_ALPHA, LEMMA, LENGTH, LOWER, ORTH, POS, SENT_START, TAG
from spacy.tokens import Doc, Span

__all__ = ["Columns", "columns"]

_ATTRS = (ORTH, LOWER, POS, TAG, DEP, LEMMA, ENT_TYPE, IS_ALPHA, IDX, LENGTH, HEAD, SENT_START)
_KEY = "kg.columns"


@dataclass(frozen=True)
class Columns:
    """Token attributes by token index (the strings spaCy's ``Token`` gives, ``lemma`` lower-cased)."""

    text: list[str]
    lower: list[str]
    pos: list[str]
    tag: list[str]
    dep: list[str]
    lemma: list[str]  # ``tok.lemma_.lower()``
    ent_type: list[str]
    head: list[int]  # ``tok.head.i``
    alpha: list[bool]
    idx: list[int]  # ``tok.idx``: character offset
    end: list[int]  # ``tok.idx + len(tok)``
    sent_starts: list[int]  # token index of each sentence's first token
    text_of_doc: list[str] = field(default_factory=list)  # ``doc.text``, once asked for (one item)

    def indices(self, keep: Callable[[int], bool]) -> list[int]:
        """Token indexes for which ``keep(i)`` is true, in order."""
        return [i for i in range(len(self.text)) if keep(i)]

    def where(self, column: list[str], values: set[str] | frozenset[str]) -> list[int]:
        """Token indexes whose value in ``column`` is one of ``values``."""
        return [i for i, v in enumerate(column) if v in values]

    def sent(self, doc: Doc, i: int) -> Span:
        """The sentence of token ``i`` (what ``doc[i].sent`` gives)."""
        k = bisect_right(self.sent_starts, i) - 1
        end = self.sent_starts[k + 1] if k + 1 < len(self.sent_starts) else len(doc)
        return doc[self.sent_starts[k]:end]

    def sent_text(self, doc: Doc, i: int) -> tuple[str, int, int]:
        """``(sent.text, sent.start_char, sent.end_char)`` of token ``i``'s sentence, from offsets."""
        k = bisect_right(self.sent_starts, i) - 1
        last = (self.sent_starts[k + 1] if k + 1 < len(self.sent_starts) else len(self.text)) - 1
        start, end = self.idx[self.sent_starts[k]], self.end[last]
        if not self.text_of_doc:
            self.text_of_doc.append(doc.text)
        return self.text_of_doc[0][start:end], start, end


def _strings(doc: Doc, values: list[int]) -> list[str]:
    strings = doc.vocab.strings
    names = {h: strings[h] for h in set(values)}
    return [names[h] for h in values]


def columns(doc: Doc) -> Columns:
    """The columns of ``doc``, computed on first use and kept in ``doc.user_data``."""
    cached = doc.user_data.get(_KEY)
    if cached is not None and len(cached.text) == len(doc):
        return cached
    if len(doc):
        array = doc.to_array(list(_ATTRS))  # uint64: string hashes; HEAD, SENT_START signed
        orth, lower, pos, tag, dep, lemma, ent, alpha, idx, length = array[:, :10].T.tolist()
        head, start = array[:, 10:].astype(numpy.int64).T.tolist()
    else:
        orth = lower = pos = tag = dep = lemma = ent = alpha = idx = length = head = start = []
    lemmas = _strings(doc, lemma)
    cols = Columns(
        text=_strings(doc, orth), lower=_strings(doc, lower), pos=_strings(doc, pos), tag=_strings(doc, tag),
        dep=_strings(doc, dep), lemma=[s.lower() for s in lemmas], ent_type=_strings(doc, ent),
        head=[i + h for i, h in enumerate(head)], alpha=[bool(a) for a in alpha], idx=idx,
        end=[i + n for i, n in zip(idx, length)],
        sent_starts=[i for i, s in enumerate(start) if s == 1 or i == 0],
    )
    doc.user_data[_KEY] = cols
    return cols
