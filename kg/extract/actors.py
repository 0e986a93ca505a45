"""Actor mentions: dictionary matches (EntityRuler label ``ACTOR``), NER names, unnamed proper-noun
phrases and generic actor nouns ("rebels", "riot police"), plus a token -> mention index the event
extractor uses to find the actors filling a syntactic slot."""
from __future__ import annotations

import re
from bisect import bisect_left
from dataclasses import dataclass
from functools import cached_property

from spacy.tokens import Doc, Span, Token

from kg.extract.columns import Columns, columns
from kg.extract.lexicon import lexicon
from kg.models import Mention

ACTOR_LABELS = frozenset({"ACTOR", "PERSON", "ORG", "NORP", "GPE"})
PRONOUNS = frozenset({"he", "she", "it", "they", "him", "her", "them", "his", "its", "their", "we", "our", "us"})
RELATIVE = frozenset({"who", "which", "that", "whom", "whose"})
_QUOTES = "\"'\u201c\u201d\u2018\u2019`\u00ab\u00bb"
_STRIP_WORDS = re.compile(r"^(the|a|an)\s+", re.I)


def clean_name(text: str) -> str:
    """Strip quotes, a leading article, possessive ``'s`` and surrounding punctuation."""
    text = text.strip().strip(_QUOTES).strip()
    text = _STRIP_WORDS.sub("", text)
    text = re.sub(r"[\u2019']s$", "", text)
    keep_dot = text.count(".") > 1  # "U.S." keeps its final dot
    text = text.strip(_QUOTES + ",;:()[] ")
    if not keep_dot:
        text = text.strip(".")
    return " ".join(text.split())


class DocEnts:
    """A doc's entities, computed once (``doc.ents`` and ``Span.ents`` rebuild them from every token
    of the doc on each call, which made per-event lookups quadratic in long articles)."""

    def __init__(self, doc: Doc) -> None:
        self.ents: tuple[Span, ...] = tuple(doc.ents)
        self.starts: list[int] = [e.start for e in self.ents]
        self.by_start: dict[int, Span] = {}
        for e in self.ents:
            self.by_start.setdefault(e.start, e)

    def within(self, span: Span) -> list[Span]:
        """``span.ents``: the entities wholly inside ``span``, in order."""
        out = []
        for k in range(bisect_left(self.starts, span.start), len(self.ents)):
            if self.ents[k].end > span.end:
                break
            out.append(self.ents[k])
        return out

    def starting_at(self, i: int) -> Span | None:
        """The entity whose first token is ``i``."""
        return self.by_start.get(i)


@dataclass
class MentionIndex:
    """All mentions of a doc plus lookups by token."""

    mentions: tuple[Mention, ...]
    by_token: dict[int, Mention]
    doc: Doc

    def at(self, token: Token) -> Mention | None:
        return self.by_token.get(token.i)

    @cached_property
    def ents(self) -> DocEnts:
        """The doc's entities, indexed once."""
        return DocEnts(self.doc)


def _mention(doc: Doc, start: int, end: int, label: str, dict_id: str | None = None) -> Mention | None:
    cols = columns(doc)
    text, punct = cols.text, cols.punct
    # trim leading determiners / quotes and trailing possessives
    while start < end and (cols.lower[start] in {"the", "a", "an"} or text[start] in _QUOTES or punct[start]):
        start += 1
    while start < end and (cols.tag[end - 1] == "POS" or text[end - 1] in _QUOTES or punct[end - 1]):
        end -= 1
    if start >= end:
        return None
    name = clean_name(_span_text(doc, start, end))
    if not name or not any(c.isalpha() for c in name):
        return None
    return Mention(text=name, start=cols.idx[start], end=cols.end[end - 1], label=label, dict_id=dict_id)


def _generic_span(token: Token) -> tuple[int, int]:
    """A generic actor noun with its compound/adjective modifiers ("riot police", "Afghan rebels")."""
    start = token.i
    for child in token.lefts:
        if child.dep_ in {"compound", "amod", "nmod"} and child.i < token.i:
            hyphenated = child.i > 0 and token.doc[child.i - 1].text == "-"  # "Iran-backed militias"
            start = min(start, child.left_edge.i if child.dep_ in {"compound", "nmod"} or hyphenated else child.i)
    return start, token.i + 1


def _span_text(doc: Doc, start: int, end: int) -> str:
    """Text of a token range without quotes/punctuation tokens inside it."""
    cols = columns(doc)
    text, punct, space = cols.text, cols.punct, cols.space
    out = ""
    for i in range(start, end):
        if punct[i] and text[i] in _QUOTES:
            if space[i] and out and not out.endswith(" "):
                out += " "
            continue
        out += text[i] + " " if space[i] else text[i]
    return out


def find_mentions(doc: Doc) -> MentionIndex:
    """Collect actor mentions in document order."""
    lex = lexicon()
    found: list[tuple[int, int, Mention]] = []
    taken: set[int] = set()
    for ent in doc.ents:
        if ent.label_ not in ACTOR_LABELS:
            continue
        m = _mention(doc, ent.start, ent.end, ent.label_, ent.ent_id_ or None)
        if m is not None:
            found.append((ent.start, ent.end, m))
            taken.update(range(ent.start, ent.end))
    # surnames of people named earlier, even where the tagger takes them for nouns ("Price added")
    surnames = {doc[e.end - 1].text: e for e in doc.ents if is_person(e) and len(e) > 1 and doc[e.end - 1].text[:1].isupper()}
    generic = lex["generic_actors"]
    cols = columns(doc)
    pos, lem = cols.pos, cols.lemma
    for i in [i for i, (t, p, le, lo) in enumerate(zip(cols.text, pos, lem, cols.lower)) if t in surnames or p == "PROPN"
              or (p == "NOUN" and le in generic) or (p == "PRON" and lo in PRONOUNS)]:
        if i in taken:
            continue
        tok = doc[i]
        first = surnames.get(tok.text)
        if first is not None and first.end <= tok.i and tok.dep_ in {"nsubj", "nsubjpass", "dobj", "pobj", "poss"}:
            found.append((tok.i, tok.i + 1, Mention(tok.text, tok.idx, tok.idx + len(tok), "PERSON")))
            taken.add(tok.i)
        elif tok.pos_ == "PROPN" and tok.dep_ in {"nsubj", "nsubjpass", "dobj", "pobj", "appos", "conj", "poss"} \
                and tok.ent_type_ in {"", "WORK_OF_ART", "LAW", "EVENT"}:
            start = tok.i
            for child in tok.lefts:
                if child.dep_ in {"compound", "amod"} and (child.pos_ in {"PROPN", "ADJ"} and child.text[:1].isupper()):
                    start = min(start, child.i)
            if any(i in taken for i in range(start, tok.i)):
                start = tok.i
            m = _mention(doc, start, tok.i + 1, "PROPN")
            if m is not None and m.text[:1].isupper():
                found.append((start, tok.i + 1, m))
                taken.update(range(start, tok.i + 1))
        elif tok.pos_ == "NOUN" and tok.lemma_.lower() in generic:
            start, end = _generic_span(tok)  # may overlap a named modifier, which keeps its own mention
            m = _mention(doc, start, end, "GENERIC")
            if m is not None:
                found.append((start, end, m))
                taken.add(tok.i)
        elif tok.pos_ == "PRON" and tok.lower_ in PRONOUNS:
            found.append((tok.i, tok.i + 1, Mention(tok.text, tok.idx, tok.idx + len(tok), "PRON")))
            taken.add(tok.i)
    found.sort(key=lambda x: x[0])
    by_token: dict[int, Mention] = {}
    for start, end, m in found:
        for i in range(start, end):
            if i not in by_token or m.label != "GENERIC":
                by_token.setdefault(i, m) if m.label == "GENERIC" else by_token.__setitem__(i, m)
    return MentionIndex(tuple(m for _, _, m in found), by_token, doc)


def is_person(ent: Span) -> bool:
    """A PERSON entity, or a dictionary actor whose entry is a person ("John F. Kirby")."""
    if ent.label_ == "PERSON":
        return True
    if ent.label_ == "ACTOR" and ent.ent_id_:
        from kg.dictionary import load_dictionary

        entry = load_dictionary().by_id(ent.ent_id_)
        return entry is not None and entry.type == "Person"
    return False


def is_backing_modifier(token: Token) -> bool:
    """True for the ``Iran`` in "Iran-backed militias" / "Iranian-backed" / "pro-Iran"."""
    return backing_modifier_at(columns(token.doc), token.i)


def backing_modifier_at(cols: Columns, i: int) -> bool:
    """:func:`is_backing_modifier` of token ``i``, read from the doc's :func:`columns`."""
    if not cols.alpha[i]:
        return False
    lex = lexicon()
    backing, lower, text, n = lex["backing_words"], cols.lower, cols.text, len(cols.text)
    if i + 2 < n and text[i + 1] == "-" and lower[i + 2] in backing:
        return True
    head = cols.head[i]
    if lower[head] in backing or cols.lemma[head] in backing:
        return True
    return i > 1 and text[i - 1] == "-" and lower[i - 2] in lex["pro_prefix"]


def actors_at(token: Token, index: MentionIndex, deep: bool = False) -> list[Mention]:
    """The actor mentions filling the slot headed by ``token`` (with its conjuncts).

    Looks at the token itself, then its possessive / compound / adjectival modifiers, then
    ``of``-phrases and appositions; with ``deep`` also anywhere in its subtree except inside
    embedded clauses' subjects (so "buildings belonging to what the Pentagon said were militias"
    does not pick the Pentagon).
    """
    out: list[Mention] = []
    for tok in [token, *_conjuncts(token)]:
        found = _actors_one(tok, index, deep)
        for m in found:
            if m not in out:
                out.append(m)
    return out


def _conjuncts(token: Token) -> list[Token]:
    return [t for t in token.conjuncts if t.i > token.i]


def _named(m: Mention | None) -> bool:
    return m is not None and m.label not in {"GENERIC", "PRON"}


def _actors_one(token: Token, index: MentionIndex, deep: bool) -> list[Mention]:
    lex = lexicon()
    if token.lower_ in RELATIVE and token.head.dep_ == "relcl":
        token = token.head.head
    m = index.at(token)
    if _named(m):
        return [m]  # type: ignore[list-item]
    if m is not None and m.label == "PRON":
        return [m]
    # an apposition names the entity itself ("Iran's religious leader Ayatollah Khomeini")
    for child in token.children:
        if child.dep_ == "appos" and _named(index.at(child)):
            return [index.at(child)]  # type: ignore[list-item]
    low = token.lemma_.lower()
    if m is None and low in lex["place_nouns"] and not deep:
        return []  # "the borders of Iraq": a place phrase, not an actor slot
    quantity = low in lex["quantity_nouns"] or token.like_num
    if (m is not None or quantity) and low not in lex["relational_actors"]:  # "leaders of X", "activists from X"
        for child in token.children:
            if child.dep_ == "prep" and (child.lower_ == "of" or child.lower_ == "from" and not quantity):
                for pobj in child.children:
                    if pobj.dep_ != "pobj" or (child.lower_ == "from" and pobj.ent_type_ in {"GPE", "LOC"}):
                        continue  # "a missionary from Calgary": an origin, not a membership
                    sub = _actors_one(pobj, index, False)
                    sub = sub if quantity else [x for x in sub if _named(x)]
                    if sub:
                        return sub
    if m is not None and low in lex["nonstate_actors"]:
        return [m]  # "Afghan rebels" are a group of their own, not the state Afghanistan
    # named modifiers beat a state-agent head noun ("Israeli soldiers" -> Israel), with their conjuncts
    mods: list[Mention] = []
    for child in token.children:
        if child.dep_ in {"poss", "compound", "amod", "nmod", "nummod"} and child.i < token.i:
            for t in [child, *child.conjuncts]:
                cm = index.at(t)
                if _named(cm) and cm is not m and not is_backing_modifier(t) and cm not in mods:
                    mods.append(cm)  # type: ignore[arg-type]
    if mods:
        return mods
    if m is not None:  # "its leaders" -> whoever "its" is
        pron = next((index.at(c) for c in token.children if c.dep_ == "poss" and index.at(c) is not None
                     and index.at(c).label == "PRON"), None)
        return [pron] if pron is not None and low in lex["generic_actors"] else [m]
    if deep:
        return deep_actors(token, index)
    return []


def deep_actors(root: Token, index: MentionIndex, groups: bool = False) -> list[Mention]:
    """Named actors inside a slot's phrase ("facilities used by militia troops, including X and Y"),
    not crossing into embedded subjects, relative clauses, nested event nouns, or locative place
    names. With ``groups``, group nouns ("Iran-backed militias") instead of names."""
    lex = lexicon()
    found: list[Mention] = []
    stack = [root] if groups else [c for c in root.children]
    while stack:
        tok = stack.pop(0)
        if tok.dep_ in {"nsubj", "nsubjpass", "relcl", "advcl"} or _is_infinitive_clause(tok) or _is_place_phrase(tok, lex):
            continue
        if tok.lemma_.lower() in lex["place_nouns"] and index.at(tok) is None:
            continue  # "the border with Eritrea": a place, not a party
        if tok.pos_ == "NOUN" and (tok.lemma_.lower() in lex.nouns or tok.lower_ in lex.nouns):
            # a nested event noun: only who did it ("the Russian government's refusal to ...")
            for c in tok.children:
                cm = index.at(c)
                if c.dep_ in {"poss", "amod", "compound"} and cm is not None and cm.label not in {"PRON", "GENERIC"} \
                        and not is_backing_modifier(c) and cm not in found:
                    found.append(cm)
            continue
        cm = index.at(tok)
        if groups:
            if cm is not None and cm.label == "GENERIC" and tok.lemma_.lower() in lex["generic_actors"] and cm not in found:
                found.append(cm)
        elif cm is not None and cm.label not in {"PRON", "GENERIC"} and cm not in found and not is_backing_modifier(tok):
            locative = tok.ent_type_ in {"GPE", "LOC", "FAC", "ACTOR"} and _under_place_prep(tok, lex["place_preps"])
            if not locative:
                found.append(cm)
        stack.extend(tok.children)
    return found


def _is_infinitive_clause(tok: Token) -> bool:
    """"checkpoints ... to confront ISIS": a purpose or plan, not part of the slot."""
    return tok.dep_ in {"acl", "xcomp", "advcl"} and any(c.dep_ == "aux" and c.lower_ == "to" for c in tok.children)


def _is_place_phrase(tok: Token, lex) -> bool:
    """"on the borders of Iraq", "in eastern Syria": a location phrase inside a slot."""
    if tok.dep_ != "prep" or tok.lower_ not in lex["place_preps"]:
        return False
    for p in tok.children:
        if p.dep_ == "pobj" and (p.lemma_.lower() in lex["place_nouns"] or p.ent_type_ in {"GPE", "LOC", "FAC"}):
            return True
    return False


def _under_place_prep(tok: Token, preps: frozenset[str]) -> bool:
    cur = tok
    for _ in range(3):
        if cur.dep_ == "pobj" and cur.head.lower_ in preps:
            return True
        if cur.dep_ not in {"compound", "amod", "conj", "appos"}:
            return False
        cur = cur.head
    return False


def _inside_embedded_subject(tok: Token, root: Token) -> bool:
    """True if the path from ``tok`` up to ``root`` crosses a subject relation (an embedded clause's agent)."""
    cur = tok
    while cur.i != root.i and cur.head.i != cur.i:
        if cur.dep_ in {"nsubj", "nsubjpass"}:
            return True
        cur = cur.head
    return False
