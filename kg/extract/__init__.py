"""Extraction stage: a parsed Doc + its Article -> an :class:`kg.models.Extraction` (unresolved).

The sub-modules each do one thing: :mod:`.actors` (mentions), :mod:`.events` (PLOVER events, built
from :mod:`.triggers`, :mod:`.arguments` and :mod:`.modality` over :mod:`.syntax` helpers and the
:mod:`.lexicon`), :mod:`.claims` (reported speech), :mod:`.relations` (backedBy, spokespersonFor,
...), :mod:`.temporal` (dates), :mod:`.places` (GeoNames).
"""
from __future__ import annotations

from spacy.tokens import Doc

from kg.models import Article, Extraction


def extract(article: Article, doc: Doc, model: str = "") -> Extraction:
    """Run every extractor over one parsed article."""
    from kg.extract.actors import find_mentions
    from kg.extract.claims import find_claims
    from kg.extract.events import find_events
    from kg.extract.relations import find_relations

    index = find_mentions(doc)
    events = find_events(doc, index, article.date)
    claims = find_claims(doc, index, events)
    relations = find_relations(doc, index)
    places = tuple({e.place.id: e.place for e in events if e.place is not None}.values())
    return Extraction(
        article=article,
        mentions=index.mentions,
        events=events,
        claims=claims,
        relations=relations,
        places=places,
        model=model,
    )
