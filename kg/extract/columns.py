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

import numpy
from spacy.attrs import (
    DEP, ENT_TYPE, HEAD, IDX, IS_ALPHA, IS_PUNCT, LEMMA, LENGTH, LOWER, ORTH, POS, SENT_START, SPACY, TAG,
)
from spacy.tokens import Doc, Span

__all__ = ["Columns", "columns"]

#: string-valued and flag attributes first (read as unsigned), then the offsets and signed ones
_ATTRS = (ORTH, LOWER, POS, TAG, DEP, LEMMA, ENT_TYPE, IS_ALPHA, IS_PUNCT, SPACY, IDX, LENGTH, HEAD, SENT_START)
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
    punct: list[bool]  # ``tok.is_punct``
    space: list[bool]  # ``bool(tok.whitespace_)`` (a token's trailing whitespace is one space or none)
    idx: list[int]  # ``tok.idx``: character offset
    end: list[int]  # ``tok.idx + len(tok)``
    sent_starts: list[int]  # token index of each sentence's first token
    kid_order: list[int]  # token indexes grouped by their head, in index order (roots left out)
    kid_offsets: list[int]  # token i's children are kid_order[kid_offsets[i]:kid_offsets[i + 1]]
    text_of_doc: list[str] = field(default_factory=list)  # ``doc.text``, once asked for (one item)

    def children(self, i: int) -> list[int]:
        """``[c.i for c in doc[i].children]``: left then right children, in index order."""
        return self.kid_order[self.kid_offsets[i]:self.kid_offsets[i + 1]]

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


#: string hash -> string, and -> its lower case, shared by every doc (spaCy's hashes are the same
#: in every vocab); bounded (:data:`NAMES_SIZE`) so a long build's memory stays flat
_NAMES: dict[int, str] = {}
_LOWER: dict[int, str] = {}
NAMES_SIZE = 200_000


def _strings(doc: Doc, values: list[int], names: dict[int, str] = _NAMES, lower: bool = False) -> list[str]:
    """The strings of ``values`` (hashes), through the shared cache."""
    try:
        return list(map(names.__getitem__, values))
    except KeyError:
        if len(names) >= NAMES_SIZE:
            names.clear()
        strings = doc.vocab.strings
        for h in set(values).difference(names):
            names[h] = strings[h].lower() if lower else strings[h]
        return list(map(names.__getitem__, values))


def _children(heads: numpy.ndarray, positions: numpy.ndarray) -> tuple[list[int], list[int]]:
    """(order, offsets): every non-root token's index grouped by its head, in index order (a
    stable sort), and where each head's group starts (one list pair per doc, no list per token)."""
    n = len(heads)
    keys = numpy.where(heads != positions, heads, n)  # roots sort last and are cut off
    order = numpy.argsort(keys, kind="stable")
    offsets = numpy.zeros(n + 1, dtype=numpy.int64)
    numpy.cumsum(numpy.bincount(keys, minlength=n + 1)[:n], out=offsets[1:])
    return order[:offsets[-1]].tolist(), offsets.tolist()


def columns(doc: Doc) -> Columns:
    """The columns of ``doc``, computed on first use and kept in ``doc.user_data``."""
    cached = doc.user_data.get(_KEY)
    if cached is not None and len(cached.text) == len(doc):
        return cached
    n = len(doc)
    if n:
        array = doc.to_array(list(_ATTRS))  # uint64: string hashes; HEAD, SENT_START signed
        orth, lower, pos, tag, dep, lemma, ent, alpha, punct, space = array[:, :10].T.tolist()
        offsets = array[:, 10:].astype(numpy.int64)
        idx, length, head, start = offsets.T
        positions = numpy.arange(n)
        heads_array = positions + head
        order, kid_offsets = _children(heads_array, positions)
        heads = heads_array.tolist()
        end = (idx + length).tolist()
        idx = idx.tolist()
        starts = numpy.flatnonzero((start == 1) | (positions == 0)).tolist()
    else:
        orth = lower = pos = tag = dep = lemma = ent = alpha = punct = space = idx = end = heads = starts = order = []
        kid_offsets = [0]
    cols = Columns(
        text=_strings(doc, orth), lower=_strings(doc, lower), pos=_strings(doc, pos), tag=_strings(doc, tag),
        dep=_strings(doc, dep), lemma=_strings(doc, lemma, _LOWER, lower=True), ent_type=_strings(doc, ent),
        head=heads, alpha=list(map(bool, alpha)), punct=list(map(bool, punct)), space=list(map(bool, space)),
        idx=idx, end=end, sent_starts=starts, kid_order=order, kid_offsets=kid_offsets,
    )
    doc.user_data[_KEY] = cols
    return cols
