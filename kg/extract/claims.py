"""Reported speech -> :class:`kg.models.Claim`.

Direct quotes (“...” or "...", at least five words) are attributed to the subject of a speech verb
outside the quote in the same or the next short sentence; indirect speech ("X said (that) ...") gives
a claim whose quote is the reported clause. "the statement" / "he added" go to the last speaker.
"""
from __future__ import annotations

import re
from bisect import bisect_left, bisect_right

from spacy.tokens import Doc, Span, Token

from kg.extract.actors import MentionIndex, actors_at
from kg.extract.columns import columns
from kg.extract.lexicon import lexicon
from kg.models import Claim, Event, Mention
from kg.models import Span as TextSpan

_QUOTE = re.compile(r"[\u201c\u201d\"]([^\u201c\u201d\"]{3,}?)[\u201d\u201c\"]")
MIN_QUOTE_WORDS = 5


def _speech_verbs(sents: list[Span], qs: int, qe: int) -> list[Token]:
    lex = lexicon()
    out = []
    for sent in sents:
        for tok in sent:
            if qs <= tok.idx < qe:
                continue
            if tok.pos_ in {"VERB", "AUX"} and tok.lemma_.lower() in lex["speech_verbs"]:
                out.append(tok)
    return out


def _claimant(verb: Token, index: MentionIndex, last: Mention | None) -> Mention | None:
    lex = lexicon()
    for child in verb.children:
        if child.dep_ in {"nsubj", "nsubjpass"}:
            found = actors_at(child, index)
            named = [m for m in found if m.label not in {"PRON", "GENERIC"}]
            if named:
                return named[0]
            if child.lemma_.lower() in lex["report_nouns"] or (found and found[0].label == "PRON"):
                return last if last is not None else (found[0] if found else None)
            if found:
                return found[0]
    for child in verb.children:  # "said in a statement by X" / "according to"
        if child.dep_ == "agent":
            for pobj in child.children:
                found = actors_at(pobj, index)
                if found:
                    return found[0]
    return None


class _Sentences:
    """The doc's sentences with their character bounds, for range lookups in O(log n)."""

    def __init__(self, sents: list[Span]) -> None:
        self.sents = sents
        self.starts = [s.start_char for s in sents]
        self.ends = [s.end_char for s in sents]

    def overlapping(self, start: int, end: int) -> list[Span]:
        """The sentences that overlap the characters ``[start, end)``, in order."""
        return self.sents[bisect_right(self.ends, start):bisect_left(self.starts, end)]

    def after(self, pos: int) -> list[Span]:
        """The first sentence starting at or after ``pos`` (as a list of at most one)."""
        k = bisect_left(self.starts, pos)
        return self.sents[k:k + 1]


class _Covered:
    """Character spans already claimed; :meth:`contains` asks whether one of them holds ``[a, b]``.
    Only spans not inside another are kept, so starts and ends both increase: O(log n) per query."""

    def __init__(self) -> None:
        self.starts: list[int] = []
        self.ends: list[int] = []

    def contains(self, a: int, b: int) -> bool:
        k = bisect_right(self.starts, a) - 1
        return k >= 0 and self.ends[k] >= b

    def add(self, a: int, b: int) -> None:
        if self.contains(a, b):
            return
        k = j = bisect_left(self.starts, a)
        while j < len(self.ends) and self.ends[j] <= b:  # spans inside [a, b] are no longer needed
            j += 1
        self.starts[k:j] = [a]
        self.ends[k:j] = [b]


class _Events:
    """Events by start offset: which is the first (in extraction order) inside a character range."""

    def __init__(self, events: tuple[Event, ...]) -> None:
        self.order = sorted(range(len(events)), key=lambda i: events[i].span.start)
        self.starts = [events[i].span.start for i in self.order]
        self.events = events

    def about(self, start: int, end: int) -> int | None:
        """The lowest index of an event whose span lies inside ``[start, end]``."""
        found = [i for i in self.order[bisect_left(self.starts, start):bisect_right(self.starts, end)]
                 if self.events[i].span.end <= end]
        return min(found) if found else None


def _about(events: tuple[Event, ...] | _Events, start: int, end: int) -> int | None:
    if isinstance(events, _Events):
        return events.about(start, end)
    for i, e in enumerate(events):
        if start <= e.span.start and e.span.end <= end:
            return i
    return None


def find_claims(doc: Doc, index: MentionIndex, events: tuple[Event, ...]) -> tuple[Claim, ...]:
    """Direct and indirect reported speech, attributed in document order (so "the statement" and
    "he added" go to the last named speaker)."""
    text = doc.text  # built from every token on each access: once here
    sents = _Sentences(list(doc.sents))
    by_start = _Events(events)
    items: list[tuple[int, str, object]] = []
    quotes = [(m.start(), m.end(), m.group(1)) for m in _QUOTE.finditer(text) if len(m.group(1).split()) >= MIN_QUOTE_WORDS]
    for q in quotes:
        items.append((q[0], "direct", q))
    cols = columns(doc)
    speech = lexicon()["speech_verbs"]
    for i in [i for i in cols.where(cols.pos, {"VERB"}) if cols.lemma[i] in speech]:
        tok = doc[i]
        if _indirect_head(tok):
            items.append((tok.idx, "indirect", tok))
    items.sort(key=lambda x: x[0])
    claims: list[Claim] = []
    last: Mention | None = None
    covered = _Covered()  # claimed spans, with a margin of 2 before and 3 after for direct quotes
    exact = _Covered()  # the same spans, without the margin
    used: set[int] = set()
    for _, kind, item in items:
        if kind == "direct":
            if covered.contains(item[0] + 2, item[1] - 3):  # type: ignore[index]
                continue  # a quoted fragment inside reported speech already claimed
            claim, verb = _direct(item, sents, index, by_start, last, used, text)  # type: ignore[arg-type]
            if claim is None:
                continue
            used.add(verb)
        else:
            tok: Token = item  # type: ignore[assignment]
            if tok.i in used:
                continue
            claim = _indirect(tok, index, by_start, last, exact, text)
            if claim is None:
                continue
        covered.add(claim.span.start, claim.span.end)
        exact.add(claim.span.start, claim.span.end)
        if claim.claimant.label not in {"PRON", "GENERIC"} or last is None:
            last = claim.claimant
        claims.append(claim)
    return tuple(claims)


def _direct(q: tuple[int, int, str], sents: _Sentences, index: MentionIndex, events: _Events,
            last: Mention | None, used: set[int], text: str) -> tuple[Claim | None, int]:
    qs, qe, body = q
    overlapping = sents.overlapping(qs, qe)
    after = sents.after(qe)
    verbs = _speech_verbs(overlapping, qs, qe)
    if not verbs and after and len(after[0]) <= 12:
        verbs = _speech_verbs(after, qs, qe)
    verbs = [v for v in verbs if v.i not in used] + [v for v in verbs if v.i in used]  # fresh verbs first
    for v in verbs:
        claimant = _claimant(v, index, last)
        if claimant is None:
            continue
        sent_start = min(s.start_char for s in overlapping) if overlapping else qs
        sent_end = max(s.end_char for s in overlapping) if overlapping else qe
        sentence = text[sent_start:sent_end].strip()
        span = TextSpan(start=qs, end=qe, sentence=sentence, sent_start=sent_start, sent_end=sent_end)
        quote = " ".join(body.split()).strip(" ,")
        return Claim(claimant=claimant, quote=quote, span=span, about=_about(events, qs, qe)), v.i
    return None, -1


def _indirect_head(tok: Token) -> bool:
    """A speech verb introducing a reported clause ("X said (that) ...")."""
    if tok.pos_ != "VERB" or tok.lemma_.lower() not in lexicon()["speech_verbs"]:
        return False
    if tok.dep_ in {"relcl", "acl", "pcomp"}:
        return False
    if any(c.lower_ == "what" for c in tok.children):
        return False
    return any(c.dep_ == "ccomp" for c in tok.children)


def _indirect(tok: Token, index: MentionIndex, events: _Events, last: Mention | None,
              covered: _Covered, text: str) -> Claim | None:
    comp = next(c for c in tok.children if c.dep_ == "ccomp")
    cs, ce = comp.left_edge.idx, comp.right_edge.idx + len(comp.right_edge)
    if ce - cs < 20 or covered.contains(cs, ce):
        return None
    claimant = _claimant(tok, index, last)
    if claimant is None:
        return None
    sent_text, sent_start, sent_end = columns(tok.doc).sent_text(tok.doc, tok.i)
    span = TextSpan(start=cs, end=ce, sentence=sent_text.strip(), sent_start=sent_start, sent_end=sent_end)
    return Claim(claimant=claimant, quote=" ".join(text[cs:ce].split()), span=span, about=_about(events, cs, ce))
