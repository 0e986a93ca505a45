"""Relations between actors stated in the text.

- ``backedBy``: "Iran-backed militias, including X and Y", "Iranian-backed X", "pro-Iran X",
  "X, which is backed by Iran";
- ``spokespersonFor``: "Pentagon Press Secretary John F. Kirby", "X, a spokesman for Y";
- ``leaderOf``: "Iranian President Hassan Rouhani", "Iran's supreme leader Ali Khamenei";
- ``memberOf``: "X, a member of Y", "X, a faction of Y".
"""
from __future__ import annotations

from spacy.tokens import Doc, Token
from kg.extract.actors import MentionIndex, actors_at, backing_modifier_at, is_person
from kg.extract.columns import columns
from kg.extract.lexicon import lexicon
from kg.models import Mention, Relation
from kg.models import Span as TextSpan

NAMED = {"ACTOR", "PERSON", "ORG", "NORP", "GPE", "PROPN"}


def _span(tok: Token) -> TextSpan:
    text, sent_start, sent_end = columns(tok.doc).sent_text(tok.doc, tok.i)
    return TextSpan(start=tok.idx, end=tok.idx + len(tok), sentence=text.strip(), sent_start=sent_start, sent_end=sent_end)


def _listed(noun: Token, index: MentionIndex) -> list[Mention]:
    """Named actors given as the members of a group noun: appositions, "including X and Y", "such as X"."""
    heads: list[Token] = []
    for child in noun.children:
        if child.dep_ == "appos":
            heads.append(child)
        elif child.dep_ == "prep" and child.lower_ in {"including", "like", "as", "among"}:
            heads += [p for p in child.children if p.dep_ == "pobj"]
    out: list[Mention] = []
    for h in heads:
        for m in actors_at(h, index):
            if m.label in NAMED and m not in out:
                out.append(m)
    return out


def _backed(doc: Doc, index: MentionIndex) -> list[Relation]:
    rels: list[Relation] = []
    cols = columns(doc)
    for i in [i for i, alpha in enumerate(cols.alpha) if alpha and backing_modifier_at(cols, i)]:
        tok = doc[i]
        backer = index.at(tok)
        if backer is None or backer.label not in NAMED:
            continue
        noun = tok
        while noun.head.i != noun.i and not (noun.pos_ in {"NOUN", "PROPN"} and noun is not tok):
            noun = noun.head
        if noun is tok:
            continue
        own = index.at(noun)  # a named group, or a group noun ("Iran-backed militias")
        members = [own] if own is not None and own.label in NAMED | {"GENERIC"} and own != backer else []
        members += [m for m in _listed(noun, index) if m not in members and m != backer]
        for m in members:
            rels.append(Relation(subject=m, predicate="backedBy", object=backer, span=_span(tok)))
    # passive: "X, which is backed by Iran" / "X is backed by Iran"
    for i in [i for i in cols.where(cols.tag, {"VBN"}) if cols.lemma[i] in {"back", "sponsor", "fund", "arm"}]:
        tok = doc[i]
        agents = [a for c in tok.children if c.dep_ == "agent" for a in c.children if a.dep_ == "pobj"]
        if not agents:
            continue
        subj = [c for c in tok.children if c.dep_ == "nsubjpass"]
        subject_tok = subj[0] if subj else (tok.head if tok.dep_ in {"acl", "relcl"} else None)
        if subject_tok is None:
            continue
        for s in actors_at(subject_tok, index):
            for a in actors_at(agents[0], index):
                if s.label in NAMED and a.label in NAMED and s != a:
                    rels.append(Relation(subject=s, predicate="backedBy", object=a, span=_span(tok)))
    return rels


def _titled(doc: Doc, index: MentionIndex) -> list[Relation]:
    """"<Org> <title> <Person>" and "<Person>, <title> of/for <Org>"."""
    lex = lexicon()
    spokes = lex["spokesperson_titles"]
    leaders = lex["leader_titles"]
    members = lex["member_titles"]
    rels: list[Relation] = []
    for ent in doc.ents:
        if not is_person(ent):
            continue
        person = index.at(ent[0])
        if person is None:
            continue
        # left context: up to 4 title tokens, then the organisation / state
        i = ent.start - 1
        title: list[str] = []
        while i >= 0 and len(title) < 4 and doc[i].ent_type_ in {"", "ORG"} and doc[i].is_alpha and (
                index.at(doc[i]) is None or index.at(doc[i]).label == "GENERIC"):  # "spokesman" is a group noun too
            title.insert(0, doc[i].lower_)
            i -= 1
        if i >= 0 and doc[i].tag_ == "POS":
            i -= 1
        owner = index.at(doc[i]) if i >= 0 else None
        rel = _title_relation(" ".join(title), spokes, leaders, members)
        if rel and owner is not None and owner.label in NAMED and owner != person:
            rels.append(Relation(subject=person, predicate=rel, object=owner, span=_span(ent.root)))
            continue
        # apposition: "John Kirby, the Pentagon spokesman" / ", a spokesman for the Pentagon"
        for child in ent.root.children:
            if child.dep_ != "appos":
                continue
            rel = _title_relation(
                " ".join(t.lower_ for t in child.lefts if t.dep_ == "compound") + " " + child.lower_, spokes, leaders, members)
            if not rel:
                continue
            owners = [m for c in child.children if c.dep_ in {"compound", "poss", "amod", "nmod"} for m in actors_at(c, index)]
            for c in child.children:
                if c.dep_ == "prep" and c.lower_ in {"for", "of"}:
                    owners += [m for p in c.children if p.dep_ == "pobj" for m in actors_at(p, index)]
            for o in owners:
                if o.label in NAMED and o != person:
                    rels.append(Relation(subject=person, predicate=rel, object=o, span=_span(ent.root)))
                    break
    return rels


def _title_relation(title: str, spokes: frozenset[str], leaders: frozenset[str],
                    members: frozenset[str] = frozenset()) -> str | None:
    """The relation a title names: the longest matching tail wins ("press secretary" before "secretary")."""
    words = title.split()
    for n in (3, 2, 1):
        if len(words) < n:
            continue
        tail = " ".join(words[-n:])
        if tail in spokes:
            return "spokespersonFor"
        if tail in leaders:
            return "leaderOf"
        if tail in members:
            return "memberOf"
    return None


def _members(doc: Doc, index: MentionIndex) -> list[Relation]:
    rels: list[Relation] = []
    cols = columns(doc)
    for i in [i for i in cols.where(cols.dep, {"appos"}) if cols.lemma[i] in {
            "member", "faction", "part", "wing", "unit", "branch", "affiliate"}]:
        tok = doc[i]
        subj = index.at(tok.head)
        if subj is None or subj.label not in NAMED:
            continue
        for c in tok.children:
            if c.dep_ == "prep" and c.lower_ == "of":
                for p in c.children:
                    for o in actors_at(p, index):
                        if o.label in NAMED and o != subj:
                            rels.append(Relation(subject=subj, predicate="memberOf", object=o, span=_span(tok)))
    return rels


def find_relations(doc: Doc, index: MentionIndex) -> tuple[Relation, ...]:
    """All actor-actor relations stated in the document."""
    seen: set[tuple[str, str, str]] = set()
    out: list[Relation] = []
    for r in _backed(doc, index) + _titled(doc, index) + _members(doc, index):
        key = (r.subject.text, r.predicate, r.object.text)
        if key not in seen:
            seen.add(key)
            out.append(r)
    return tuple(out)
