"""Reported speech -> :class:`kg.models.Claim`.

Direct quotes (“...” or "...", at least five words) are attributed to the subject of a speech verb
outside the quote in the same or the next short sentence; indirect speech ("X said (that) ...") gives
a claim whose quote is the reported clause. "the statement" / "he added" go to the last speaker.
"""
from __future__ import annotations

import re

from spacy.tokens import Doc, Span, Token

from kg.extract.actors import MentionIndex, actors_at
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


def _about(events: tuple[Event, ...], start: int, end: int) -> int | None:
    for i, e in enumerate(events):
        if start <= e.span.start and e.span.end <= end:
            return i
    return None


def find_claims(doc: Doc, index: MentionIndex, events: tuple[Event, ...]) -> tuple[Claim, ...]:
    """Direct and indirect reported speech, attributed in document order (so "the statement" and
    "he added" go to the last named speaker)."""
    sents = list(doc.sents)
    items: list[tuple[int, str, object]] = []
    quotes = [(m.start(), m.end(), m.group(1)) for m in _QUOTE.finditer(doc.text) if len(m.group(1).split()) >= MIN_QUOTE_WORDS]
    for q in quotes:
        items.append((q[0], "direct", q))
    for tok in doc:
        if _indirect_head(tok):
            items.append((tok.idx, "indirect", tok))
    items.sort(key=lambda x: x[0])
    claims: list[Claim] = []
    last: Mention | None = None
    covered: list[tuple[int, int]] = []
    used: set[int] = set()
    for _, kind, item in items:
        if kind == "direct":
            if any(cs - 2 <= item[0] and item[1] <= ce + 3 for cs, ce in covered):  # type: ignore[index]
                continue  # a quoted fragment inside reported speech already claimed
            claim, verb = _direct(item, sents, index, events, last, used)  # type: ignore[arg-type]
            if claim is None:
                continue
            used.add(verb)
            covered.append((claim.span.start, claim.span.end))
        else:
            tok: Token = item  # type: ignore[assignment]
            if tok.i in used:
                continue
            claim = _indirect(tok, index, events, last, covered)
            if claim is None:
                continue
            covered.append((claim.span.start, claim.span.end))
        if claim.claimant.label not in {"PRON", "GENERIC"} or last is None:
            last = claim.claimant
        claims.append(claim)
    return tuple(claims)


def _direct(q: tuple[int, int, str], sents: list[Span], index: MentionIndex, events: tuple[Event, ...],
            last: Mention | None, used: set[int]) -> tuple[Claim | None, int]:
    qs, qe, body = q
    overlapping = [s for s in sents if s.start_char < qe and s.end_char > qs]
    after = [s for s in sents if s.start_char >= qe][:1]
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
        text = v.doc.text[sent_start:sent_end].strip()
        span = TextSpan(start=qs, end=qe, sentence=text, sent_start=sent_start, sent_end=sent_end)
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


def _indirect(tok: Token, index: MentionIndex, events: tuple[Event, ...], last: Mention | None,
              covered: list[tuple[int, int]]) -> Claim | None:
    comp = next(c for c in tok.children if c.dep_ == "ccomp")
    cs, ce = comp.left_edge.idx, comp.right_edge.idx + len(comp.right_edge)
    if ce - cs < 20 or any(qs <= cs and ce <= qe for qs, qe in covered):
        return None
    claimant = _claimant(tok, index, last)
    if claimant is None:
        return None
    sent = tok.sent
    span = TextSpan(start=cs, end=ce, sentence=sent.text.strip(), sent_start=sent.start_char, sent_end=sent.end_char)
    return Claim(claimant=claimant, quote=" ".join(tok.doc.text[cs:ce].split()), span=span, about=_about(events, cs, ce))
