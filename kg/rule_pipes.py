"""The model's rule-based pipes, same output, faster: ``attribute_ruler`` and ``lemmatizer``.

:class:`AttributeRules` (``kg_attribute_rules``) applies the ``attribute_ruler``'s rules with
dictionary look-ups; :class:`RuleLemmas` (``kg_rule_lemmas``) lemmatises each distinct token once.
:func:`use_attribute_rules` and :func:`use_rule_lemmas` put them in place of spaCy's pipes.

Attribute rules.

spaCy's ``AttributeRuler`` (tag map, morph rules, a few lemma and POS exceptions: ~180 rules in
``en_core_web_sm``) runs its rules through a token :class:`~spacy.matcher.Matcher`, which tries every
rule at every token: ~15% of the whole model's time, more than the parser. Nearly every rule is one
or two tokens of equality / set / regex tests on ``ORTH``, ``LOWER``, ``TAG``, ``DEP`` and ``IS_SPACE``,
so each rule is indexed under one value its first token must have (``LOWER`` or ``ORTH`` word, else
``TAG``, else ``DEP``), and a token only tries the rules filed under its own values.

The result is exactly the ``AttributeRuler``'s: matching sees the doc as the previous pipes left it,
then each token receives the attributes of every rule that matched it, in rule order (a later rule
wins), and they are written with one :meth:`Doc.from_array`. ``tests/test_rule_pipes.py``
compares every token attribute with spaCy's pipe on real text. A model whose rules use anything else
(quantifiers, other attributes or operators) keeps spaCy's pipe: :func:`compile_rules` returns None.
"""
from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Any, Callable

import numpy
from spacy.attrs import DEP, IS_SPACE, LEMMA, LOWER, MORPH, ORTH, POS, TAG
from spacy.errors import Errors
from spacy.language import Language
from spacy.tokens import Doc
from spacy.vocab import Vocab

__all__ = ["AttributeRules", "RuleLemmas", "compile_rules", "use_attribute_rules", "use_rule_lemmas"]

#: token attributes a rule may test, as read with ``Doc.to_array`` (string hashes; IS_SPACE 0/1)
_READ: dict[str, int] = {"ORTH": ORTH, "LOWER": LOWER, "TAG": TAG, "DEP": DEP, "IS_SPACE": IS_SPACE}
_COLUMN = {name: n for n, name in enumerate(_READ)}
#: token attributes a rule may set (what ``set_token_attrs`` stores on the token)
_WRITE: tuple[int, ...] = (POS, TAG, DEP, MORPH, LEMMA)
#: the attributes a rule may be filed under, best first (a word narrows the candidates most)
_INDEX_ORDER = ("LOWER", "ORTH", "TAG", "DEP")

Test = Callable[[tuple], bool]
#: distinct token rows whose one-token matches are remembered (a row is ~5 ints)
_ROW_CACHE = 200_000


class NotCompilable(ValueError):
    """A rule uses something :class:`AttributeRules` does not implement."""


def _test(vocab: Vocab, attr: str, spec: Any) -> tuple[Test, tuple[int, ...] | None]:
    """One condition as ``(test on a row of column values, the values it needs or None)``."""
    col = _COLUMN.get(attr)
    if col is None:
        raise NotCompilable(attr)
    if attr == "IS_SPACE":
        if not isinstance(spec, bool):
            raise NotCompilable(f"IS_SPACE {spec!r}")
        want = int(spec)
        return (lambda row: row[col] == want), None
    if isinstance(spec, str):
        value = vocab.strings.add(spec)
        return (lambda row: row[col] == value), (value,)
    if isinstance(spec, dict) and len(spec) == 1:
        (op, arg), = spec.items()
        if op in ("IN", "NOT_IN") and isinstance(arg, list) and all(isinstance(v, str) for v in arg):
            values = frozenset(vocab.strings.add(v) for v in arg)
            if op == "IN":
                return (lambda row: row[col] in values), tuple(values)
            return (lambda row: row[col] not in values), None
        if op == "REGEX" and isinstance(arg, str):
            rx, strings = re.compile(arg), vocab.strings
            return (lambda row: bool(rx.search(strings[row[col]]))), None
    raise NotCompilable(f"{attr} {spec!r}")


@dataclass(frozen=True)
class _Pattern:
    rule: int  # position in the AttributeRuler's rule list: later rules win
    tests: tuple[tuple[Test, ...], ...]  # per pattern token
    index: int  # which pattern token receives the rule's attributes
    anchor: int = 0  # which pattern token the index key is a value of


def _compile_pattern(vocab: Vocab, rule: int, tokens: list, index: int
                     ) -> tuple[_Pattern, list[tuple[str | None, int | None]]]:
    """A pattern and the keys it is filed under: ``(attr, value)`` of one of its tokens (the first
    that tests a value; ``(None, None)``: none does, try it at every token)."""
    if not isinstance(tokens, list) or not tokens or not all(isinstance(t, dict) and t for t in tokens):
        raise NotCompilable(repr(tokens))
    if not -len(tokens) <= index < len(tokens):
        raise NotCompilable(f"index {index}")
    per_token, keys, anchor = [], [(None, None)], 0
    for n, token in enumerate(tokens):
        tests, needs = [], {}
        for attr, spec in token.items():
            test, values = _test(vocab, attr, spec)
            tests.append(test)
            if values is not None:
                needs[attr] = values
        per_token.append(tuple(tests))
        if keys == [(None, None)]:
            attr = next((a for a in _INDEX_ORDER if a in needs), None)
            if attr is not None:
                keys, anchor = [(attr, v) for v in needs[attr]], n
    return _Pattern(rule, tuple(per_token), index % len(tokens), anchor), keys


class AttributeRules:
    """The ``attribute_ruler`` of a pipeline, same rules, same output, indexed."""

    def __init__(self, vocab: Vocab, name: str = "attribute_ruler") -> None:
        self.name = name
        self.vocab = vocab
        self.rules: list[dict[int, int]] = []  # rule -> {column of _WRITE: value}, the AttributeRuler's
        self._index1: dict[tuple[str | None, int | None], list[_Pattern]] = {}  # one-token patterns
        self._anchors: dict[tuple[str, int], list[_Pattern]] = {}  # longer ones, by a first-token value
        self._rows: dict[tuple, tuple[int, ...]] = {}
        self._merged: dict[tuple[int, ...], dict[int, int]] = {}  # rules -> {column: value}

    def load(self, ruler: Any) -> "AttributeRules":
        """Take the rules of a spaCy ``AttributeRuler`` (:class:`NotCompilable`, and nothing
        changed, if one of them is out of reach)."""
        one: dict[tuple[str | None, int | None], list[_Pattern]] = {}
        longer: dict[tuple[str | None, int | None], list[_Pattern]] = {}
        for rule, spec in enumerate(ruler.patterns):
            for tokens in spec["patterns"]:
                pattern, keys = _compile_pattern(self.vocab, rule, tokens, int(spec.get("index", 0)))
                if len(pattern.tests) > 1 and keys == [(None, None)]:
                    raise NotCompilable(f"rule {rule}: no token value to anchor on")
                for key in keys:
                    (one if len(pattern.tests) == 1 else longer).setdefault(key, []).append(pattern)
        if any(a not in _WRITE for rule in ruler.attrs for a in rule) or len(ruler.attrs) != len(ruler.patterns):
            raise NotCompilable("attributes")
        self.rules = [{_WRITE.index(a): v for a, v in rule.items()} for rule in ruler.attrs]
        self._index1, self._anchors, self._rows, self._merged = one, longer, {}, {}
        return self

    def _single(self, row: tuple) -> tuple[int, ...]:
        """The rules whose one-token patterns ``row`` matches (cached: rows repeat)."""
        found = self._rows.get(row)
        if found is None:
            found = tuple(p.rule for p in self._candidates(self._index1, row)
                          if all(t(row) for t in p.tests[0]))
            if len(self._rows) < _ROW_CACHE:
                self._rows[row] = found
        return found

    @staticmethod
    def _candidates(index: dict, row: tuple) -> list[_Pattern]:
        found = list(index.get((None, None), ()))
        for attr in _INDEX_ORDER:
            found += index.get((attr, row[_COLUMN[attr]]), ())
        return found

    def matches(self, doc: Doc) -> list[tuple[int, ...]]:
        """For each token, the rules whose pattern matched with this token as target."""
        array = doc.to_array(list(_READ.values()))
        rows = list(map(tuple, array.tolist()))
        known = self._rows.get
        hits = [r if (r := known(row)) is not None else self._single(row) for row in rows]
        n = len(rows)
        for (attr, value), patterns in self._anchors.items():
            for at in numpy.flatnonzero(array[:, _COLUMN[attr]] == value).tolist():
                for p in patterns:
                    start = at - p.anchor
                    if 0 <= start and start + len(p.tests) <= n and all(
                            all(t(rows[start + k]) for t in tests) for k, tests in enumerate(p.tests)):
                        hits[start + p.index] += (p.rule,)
        return hits

    def _attrs(self, rules: tuple[int, ...]) -> dict[int, int]:
        merged = self._merged.get(rules)
        if merged is None:
            merged = {}
            for rule in sorted(rules):
                merged.update(self.rules[rule])
            self._merged[rules] = merged
        return merged

    def __call__(self, doc: Doc) -> Doc:
        if not len(doc):
            return doc
        values = doc.to_array(list(_WRITE)).tolist()
        changed = False
        for i, rules in enumerate(self.matches(doc)):
            if rules:
                changed = True
                row = values[i]
                for col, value in self._attrs(rules).items():
                    row[col] = value
        if changed:
            doc.from_array(list(_WRITE), numpy.array(values, dtype=numpy.uint64))
        return doc


def compile_rules(ruler: Any) -> AttributeRules | None:
    """:class:`AttributeRules` for ``ruler``, or None when one of its rules cannot be compiled."""
    try:
        return AttributeRules(ruler.vocab, ruler.name).load(ruler)
    except NotCompilable:
        return None


def use_attribute_rules(nlp: Language, name: str = "attribute_ruler") -> bool:
    """Put :class:`AttributeRules` in place of the pipeline's ``attribute_ruler`` (same name and
    position); False (pipeline unchanged) when there is none or its rules cannot be compiled."""
    if name not in nlp.pipe_names:
        return False
    old = nlp.get_pipe(name)
    if compile_rules(old) is None:
        return False
    nlp.replace_pipe(name, "kg_attribute_rules").load(old)
    return True


@Language.factory("kg_attribute_rules")
def make_attribute_rules(nlp: Language, name: str) -> AttributeRules:
    """spaCy factory; :func:`use_attribute_rules` fills it from the model's ``attribute_ruler``."""
    return AttributeRules(nlp.vocab, name)


# ----------------------------------------------------------------------------- lemmas

class RuleLemmas:
    """spaCy's rule-based ``lemmatizer``, remembered by ``(ORTH, POS, MORPH)``.

    The rule lemmatizer computes a token's lemma from its text, POS and morphology only, but it
    re-derives it for every token (its own cache skips the most common paths: base forms, tokens
    without POS). Here each distinct ``(ORTH, POS, MORPH)`` is lemmatised once, by the original
    component, and the lemmas are written with one :meth:`Doc.from_array`. Tokens that already have
    a lemma (from the attribute rules) keep it, as with spaCy's component."""

    def __init__(self, name: str = "lemmatizer") -> None:
        self.name = name
        self.inner: Any = None
        self._memo: dict[tuple[int, int, int], int] = {}

    def load(self, lemmatizer: Any) -> "RuleLemmas":
        self.inner, self._memo = lemmatizer, {}
        return self

    def __call__(self, doc: Doc) -> Doc:
        if not len(doc):
            return doc
        inner = self.inner
        if not inner._validated:
            inner._validate_tables(Errors.E1004)
        array = doc.to_array([ORTH, POS, MORPH, LEMMA])
        rows = array.tolist()
        memo, strings, changed = self._memo, doc.vocab.strings, False
        for i, (orth, pos, morph, lemma) in enumerate(rows):
            if lemma and not inner.overwrite:
                continue
            key = (orth, pos, morph)
            value = memo.get(key)
            if value is None:
                value = memo[key] = strings.add(inner.lemmatize(doc[i])[0])
                if len(memo) > _ROW_CACHE:
                    memo.clear()
            array[i, 3] = value
            changed = True
        if changed:
            doc.from_array([LEMMA], array[:, 3:4])
        return doc


def use_rule_lemmas(nlp: Language, name: str = "lemmatizer") -> bool:
    """Put :class:`RuleLemmas` in front of the pipeline's rule-based ``lemmatizer`` (same name and
    position); False (unchanged) when there is none or it is not spaCy's own rule lemmatizer."""
    from spacy.lang.en.lemmatizer import EnglishLemmatizer
    from spacy.pipeline import Lemmatizer

    if name not in nlp.pipe_names:
        return False
    old = nlp.get_pipe(name)
    if type(old) not in (Lemmatizer, EnglishLemmatizer) or old.mode != "rule":
        return False
    nlp.replace_pipe(name, "kg_rule_lemmas").load(old)
    return True


@Language.factory("kg_rule_lemmas")
def make_rule_lemmas(nlp: Language, name: str) -> RuleLemmas:
    """spaCy factory; :func:`use_rule_lemmas` hands it the model's lemmatizer."""
    return RuleLemmas(name)
