"""The actor dictionary as a spaCy pipe: ``actor_ruler``, two :class:`~spacy.matcher.PhraseMatcher` s.

spaCy's ``EntityRuler`` takes one phrase-matcher attribute, so a dictionary that mixes exact
(``ORTH``: "US", "AQAP") and case-insensitive (``LOWER``: "kata'ib hezbollah") aliases has to go
through its token ``Matcher``, which tries every pattern at every token: with ~1,500 patterns it cost
40-65% of the whole model's time. Here each kind has its own ``PhraseMatcher`` (a hash lookup per
token), and the matches are resolved exactly as the ``EntityRuler`` does (longest first, then
leftmost; overwrite the model's entities; ``label`` and ``ent_id`` from the pattern), so the entities
are the same (``tests/test_ruler.py`` compares both on real text).

Patterns are EntityRuler token patterns of one attribute each:
``{"label": "ACTOR", "id": "...", "pattern": [{"LOWER": "kata'ib"}, {"LOWER": "hezbollah"}]}``.
"""
from __future__ import annotations

from typing import Any, Iterable

from spacy.language import Language
from spacy.matcher import PhraseMatcher
from spacy.tokens import Doc, Span
from spacy.vocab import Vocab

__all__ = ["ActorRuler", "ATTRS"]

#: token attributes a pattern may use (one per pattern)
ATTRS: tuple[str, ...] = ("ORTH", "LOWER")
_SEP = "||"  # the EntityRuler's label / id separator, so match keys are the same strings


class ActorRuler:
    """Dictionary matches as ``doc.ents`` (label and ``ent_id_`` from the pattern)."""

    def __init__(self, vocab: Vocab, name: str = "actor_ruler", overwrite_ents: bool = True) -> None:
        self.name = name
        self.vocab = vocab
        self.overwrite = overwrite_ents
        self.matchers = {attr: PhraseMatcher(vocab, attr=attr) for attr in ATTRS}
        self._keys: dict[int, tuple[str, str]] = {}  # match id -> (label, ent_id)
        self._count = 0

    def __len__(self) -> int:
        return self._count

    def add_patterns(self, patterns: Iterable[dict[str, Any]]) -> None:
        """Add token patterns whose tokens all use the same attribute (``ORTH`` or ``LOWER``)."""
        grouped: dict[tuple[str, str], list[Doc]] = {}
        for p in patterns:
            tokens = p["pattern"]
            if not isinstance(tokens, list) or not tokens:
                raise ValueError(f"actor_ruler: a pattern must be a non-empty token list: {p!r}")
            attrs = {a for t in tokens for a in t}
            if len(attrs) != 1 or not attrs <= set(ATTRS) or any(len(t) != 1 for t in tokens):
                raise ValueError(f"actor_ruler: each token must set exactly one of {ATTRS}: {p!r}")
            attr = attrs.pop()
            label, ent_id = str(p["label"]), str(p.get("id", ""))
            key = f"{label}{_SEP}{ent_id}" if ent_id else label
            self._keys[self.vocab.strings.add(key)] = (label, ent_id)
            words = [str(t[attr]) for t in tokens]
            grouped.setdefault((attr, key), []).append(Doc(self.vocab, words=words))
            self._count += 1
        for (attr, key), docs in grouped.items():
            self.matchers[attr].add(key, docs)

    def match(self, doc: Doc) -> list[tuple[int, int, int]]:
        """Distinct non-empty matches, longest first, then leftmost (the EntityRuler's order)."""
        found = {m for matcher in self.matchers.values() for m in matcher(doc) if m[1] != m[2]}
        return sorted(found, key=lambda m: (m[2] - m[1], -m[1]), reverse=True)

    def __call__(self, doc: Doc) -> Doc:
        entities = list(doc.ents)
        new: list[Span] = []
        seen: set[int] = set()
        for match_id, start, end in self.match(doc):
            if not self.overwrite and any(t.ent_type for t in doc[start:end]):
                continue
            if start in seen or end - 1 in seen:
                continue
            label, ent_id = self._keys[match_id]
            new.append(Span(doc, start, end, label=label, span_id=ent_id))
            entities = [e for e in entities if not (e.start < end and e.end > start)]
            seen.update(range(start, end))
        doc.ents = entities + new
        return doc


@Language.factory("actor_ruler", default_config={"overwrite_ents": True})
def make_actor_ruler(nlp: Language, name: str, overwrite_ents: bool) -> ActorRuler:
    """spaCy factory: ``nlp.add_pipe("actor_ruler", before="ner")`` then ``.add_patterns(...)``."""
    return ActorRuler(nlp.vocab, name, overwrite_ents)
