"""Scoring extraction against gold event records (format: ``shared/eval/README.md``).

The scorer (:func:`score`) is pure and knows nothing about extraction; :func:`predict` runs the real
pipeline stages (NLP -> extract -> resolve) on each record as an article with that id and date.
Only events whose ``mode`` is ``asserted`` count as coded events (a threat's promised action, a
denied or requested act is not an event that happened).
"""
from __future__ import annotations

import json
import re
import time
from collections import Counter
from dataclasses import dataclass, field
from datetime import date
from pathlib import Path
from typing import Iterable

from kg.errors import KGError
from kg.models import PLOVER_TYPES, Article

STOPWORDS = frozenset(
    "a an the of and or in on at to for from by with its his her their our your this that these those "
    "new old senior top official officials some many several group s".split()
)


@dataclass(frozen=True)
class GoldEvent:
    type: str
    source: str | None
    target: str | None
    source_code: str | None = None
    target_code: str | None = None


@dataclass(frozen=True)
class GoldRecord:
    id: str
    text: str
    date: date | None
    events: tuple[GoldEvent, ...]


@dataclass(frozen=True)
class PredEvent:
    type: str
    sources: tuple[str, ...]  # surface names of the agent actors (label + mentions)
    targets: tuple[str, ...]


@dataclass
class Scores:
    n_records: int = 0
    type_micro: tuple[float, float, float] = (0.0, 0.0, 0.0)
    type_macro_f1: float = 0.0
    triple: tuple[float, float, float] = (0.0, 0.0, 0.0)
    actor: tuple[float, float, float] = (0.0, 0.0, 0.0)
    per_type: dict[str, tuple[float, float, float, int]] = field(default_factory=dict)
    no_event_accuracy: float | None = None
    no_event_records: int = 0
    sentences_per_second: float = 0.0

    def as_dict(self) -> dict:
        return {
            "records": self.n_records,
            "type_micro_f1": round(self.type_micro[2], 4),
            "type_micro_precision": round(self.type_micro[0], 4),
            "type_micro_recall": round(self.type_micro[1], 4),
            "type_macro_f1": round(self.type_macro_f1, 4),
            "triple_f1": round(self.triple[2], 4),
            "triple_precision": round(self.triple[0], 4),
            "triple_recall": round(self.triple[1], 4),
            "actor_f1": round(self.actor[2], 4),
            "actor_precision": round(self.actor[0], 4),
            "actor_recall": round(self.actor[1], 4),
            "no_event_accuracy": None if self.no_event_accuracy is None else round(self.no_event_accuracy, 4),
            "no_event_records": self.no_event_records,
            "per_type": {t: {"precision": round(p, 4), "recall": round(r, 4), "f1": round(f, 4), "support": n}
                         for t, (p, r, f, n) in self.per_type.items()},
            "sentences_per_second": round(self.sentences_per_second, 2),
        }


def read_gold(path: str | Path) -> list[GoldRecord]:
    """Read a gold JSONL file; a broken line is a catalogued error with its line number."""
    path = Path(path)
    if not path.exists():
        raise KGError("E007", path=str(path))
    out: list[GoldRecord] = []
    with open(path, encoding="utf-8") as fh:
        for n, line in enumerate(fh, 1):
            if not line.strip():
                continue
            try:
                raw = json.loads(line)
                events = tuple(GoldEvent(e["type"], e.get("source"), e.get("target"), e.get("source_code"),
                                         e.get("target_code")) for e in raw.get("events", []))
                d = date.fromisoformat(raw["date"]) if raw.get("date") else None
                out.append(GoldRecord(str(raw["id"]), raw["text"], d, events))
            except json.JSONDecodeError as exc:
                raise KGError("E051", path=str(path), line=n, reason=f"is not JSON ({exc.msg})") from None
            except (KeyError, TypeError, ValueError) as exc:
                raise KGError("E051", path=str(path), line=n, reason=f"is malformed ({exc})") from None
    return out


def content_words(text: str | None) -> set[str]:
    if not text:
        return set()
    words = re.findall(r"[a-z0-9]+", text.lower().replace("\u2019", "'"))
    return {w for w in words if w not in STOPWORDS and len(w) > 1}


def _actor_match(pred_names: tuple[str, ...], gold_span: str | None, gold_code: str | None) -> bool:
    if gold_span is None:
        return True  # unannotated slot (or code-only, as in PETR2): any prediction is accepted
    gold = content_words(gold_span)
    return any(content_words(n) & gold for n in pred_names)


def _prf(tp: int, n_pred: int, n_gold: int) -> tuple[float, float, float]:
    p = tp / n_pred if n_pred else 0.0
    r = tp / n_gold if n_gold else 0.0
    f = 2 * p * r / (p + r) if p + r else 0.0
    return p, r, f


def _triples(pred: list[PredEvent]) -> list[tuple[str, tuple[str, ...], tuple[str, ...]]]:
    out = []
    for e in pred:
        for s in (e.sources or ((),)):
            for t in (e.targets or ((),)):
                out.append((e.type, (s,) if isinstance(s, str) else (), (t,) if isinstance(t, str) else ()))
    return out


def score(gold: list[GoldRecord], predictions: dict[str, list[PredEvent]]) -> Scores:
    """Score predictions (record id -> events) against gold records."""
    sc = Scores(n_records=len(gold))
    tp_t = n_pred_t = n_gold_t = 0
    per = {t: Counter() for t in PLOVER_TYPES}
    tp_tr_p = tp_tr_g = n_tr_p = n_tr_g = 0
    tp_a_p = tp_a_g = n_a_p = n_a_g = 0
    empty = empty_ok = 0
    for rec in gold:
        pred = predictions.get(rec.id, [])
        ptypes = {e.type for e in pred}
        gtypes = {e.type for e in rec.events}
        tp_t += len(ptypes & gtypes)
        n_pred_t += len(ptypes)
        n_gold_t += len(gtypes)
        for t in PLOVER_TYPES:
            per[t]["tp"] += t in ptypes and t in gtypes
            per[t]["pred"] += t in ptypes
            per[t]["gold"] += t in gtypes
        if not rec.events:
            empty += 1
            empty_ok += not pred
        # triples: (type, source, target) with actor matching on shared content words
        ptr = _triples(pred)
        n_tr_p += len(ptr)
        n_tr_g += len(rec.events)
        used: set[int] = set()
        for g in rec.events:
            for k, (t, s, tg) in enumerate(ptr):
                if k in used or t != g.type:
                    continue
                if _actor_match(s, g.source, g.source_code) and _actor_match(tg, g.target, g.target_code):
                    used.add(k)
                    tp_tr_g += 1
                    break
        tp_tr_p += len(used)
        # actors: predicted agent/target names vs annotated gold spans
        gold_spans = {s for g in rec.events for s in (g.source, g.target) if s}
        pred_actors = {names for e in pred for names in e.sources + e.targets}
        if gold_spans or pred_actors:
            n_a_g += len(gold_spans)
            n_a_p += len(pred_actors) if gold_spans or not any(g.source_code or g.target_code for g in rec.events) else 0
            tp_a_g += sum(1 for s in gold_spans if any(content_words(p) & content_words(s) for p in pred_actors))
            if gold_spans:
                tp_a_p += sum(1 for p in pred_actors if any(content_words(p) & content_words(s) for s in gold_spans))
    sc.type_micro = _prf(tp_t, n_pred_t, n_gold_t)
    f1s = []
    for t in PLOVER_TYPES:
        c = per[t]
        p, r, f = _prf(c["tp"], c["pred"], c["gold"])
        if c["gold"] or c["pred"]:
            sc.per_type[t] = (p, r, f, c["gold"])
            if c["gold"]:
                f1s.append(f)
    sc.type_macro_f1 = sum(f1s) / len(f1s) if f1s else 0.0
    p = tp_tr_p / n_tr_p if n_tr_p else 0.0
    r = tp_tr_g / n_tr_g if n_tr_g else 0.0
    sc.triple = (p, r, 2 * p * r / (p + r) if p + r else 0.0)
    p = tp_a_p / n_a_p if n_a_p else 0.0
    r = tp_a_g / n_a_g if n_a_g else 0.0
    sc.actor = (p, r, 2 * p * r / (p + r) if p + r else 0.0)
    sc.no_event_records = empty
    sc.no_event_accuracy = empty_ok / empty if empty else None
    return sc


def predict(records: Iterable[GoldRecord], batch_size: int = 64) -> tuple[dict[str, list[PredEvent]], float]:
    """Run NLP -> extract -> resolve on each record; returns predictions and sentences/second."""
    from kg.extract import extract
    from kg.nlp import get_nlp
    from kg.resolve import resolve

    from kg.extract.places import warm

    records = list(records)
    nlp = get_nlp()
    warm()  # one-off index building is start-up, like loading the model
    t0 = time.perf_counter()
    out: dict[str, list[PredEvent]] = {}
    for rec, doc in zip(records, nlp.pipe((r.text for r in records), batch_size=batch_size)):
        ex = resolve(extract(Article(id=rec.id, text=rec.text, date=rec.date), doc))

        def names(ms) -> tuple[str, ...]:
            res = []
            for m in ms:
                a = ex.actors.get(m.actor_id)
                res.append(" ".join(dict.fromkeys([m.text, *(a.mentions if a else ()), a.label if a else ""])).strip())
            return tuple(res)

        out[rec.id] = [PredEvent(e.type, names(e.agents), names(e.targets)) for e in ex.events if e.mode == "asserted"]
    elapsed = time.perf_counter() - t0
    return out, (len(records) / elapsed if elapsed else 0.0)


def evaluate(path: str | Path) -> Scores:
    """Read gold, predict with the real pipeline, score."""
    gold = read_gold(path)
    preds, rate = predict(gold)
    sc = score(gold, preds)
    sc.sentences_per_second = rate
    return sc
