"""The scorer (pure, on hand-made predictions) and extraction quality regressions: my own sentences
(tests/data/extract/own_sentences.jsonl) and the two DEV gold files of ../shared/eval (README there)."""
from __future__ import annotations

import os
from datetime import date
from pathlib import Path

import pytest

from kg.errors import KGError
from kg.eval import GoldEvent, GoldRecord, PredEvent, evaluate, read_gold, score

ROOT = Path(__file__).resolve().parent.parent
OWN = ROOT / "tests" / "data" / "extract" / "own_sentences.jsonl"
EVAL_DIR = Path(os.environ.get("KG_EVAL_DIR", ROOT.parent / "shared" / "eval"))
#: the extraction-quality issue's targets, checked on both DEV files
TARGETS = {"type_micro_f1": 0.75, "type_macro_f1": 0.65, "triple_f1": 0.50, "no_event_accuracy": 0.80}


def rec(rid: str, *events: GoldEvent) -> GoldRecord:
    return GoldRecord(rid, "text", date(2020, 1, 1), tuple(events))


def test_scorer_types_triples_actors_and_no_event_accuracy():
    gold = [
        rec("a", GoldEvent("ASSAULT", "Israeli jets", "Hamas")),
        rec("b", GoldEvent("AGREE", "Jordan", None)),
        rec("c"),  # no event
        rec("d"),  # no event
    ]
    preds = {
        "a": [PredEvent("ASSAULT", ("Israel Israeli",), ("Hamas",)), PredEvent("ACCUSE", ("Hamas",), ())],
        "b": [PredEvent("AGREE", ("Syria",), ())],  # right type, wrong source
        "c": [PredEvent("PROTEST", ("students",), ())],  # invented event
        "d": [],
    }
    sc = score(gold, preds)
    assert sc.type_micro == pytest.approx((2 / 4, 2 / 2, 2 / 3))
    assert sc.per_type["ACCUSE"][:3] == (0.0, 0.0, 0.0) and sc.per_type["ASSAULT"][2] == 1.0
    assert sc.type_macro_f1 == pytest.approx(1.0)  # averaged over types present in the gold only
    assert sc.triple == pytest.approx((1 / 4, 1 / 2, 2 * (1 / 4) * (1 / 2) / (3 / 4)))
    assert sc.no_event_accuracy == 0.5 and sc.no_event_records == 2


def test_scorer_actor_match_needs_a_shared_content_word():
    gold = [rec("a", GoldEvent("ASSAULT", "the group", "Hamas"))]
    assert score(gold, {"a": [PredEvent("ASSAULT", ("armed group",), ("Hamas",))]}).triple[2] == 0.0
    assert score(gold, {"a": [PredEvent("ASSAULT", ("x",), ("Hamas militants",))]}).triple[2] == 0.0


def test_code_only_slots_accept_any_actor():
    gold = [rec("a", GoldEvent("ASSAULT", None, None, "USA", "RUS"))]
    assert score(gold, {"a": [PredEvent("ASSAULT", ("anyone",), ())]}).triple[2] == 1.0


def test_read_gold_reports_broken_lines(tmp_path):
    bad = tmp_path / "g.jsonl"
    bad.write_text('{"id": "x", "text": "t", "events": []}\n{broken\n', encoding="utf-8")
    with pytest.raises(KGError) as err:
        read_gold(bad)
    assert err.value.code == "E051" and "2" in err.value.message


def test_own_sentences_quality():
    """Sentences written from the PLOVER codebook for these tests, never tuned against."""
    sc = evaluate(OWN).as_dict()
    assert sc["type_micro_f1"] >= 0.9 and sc["type_macro_f1"] >= 0.9
    assert sc["triple_f1"] >= 0.75 and sc["no_event_accuracy"] >= 0.85
    assert sc["sentences_per_second"] > 0


@pytest.mark.parametrize("name", ["plover_gsr_dev.jsonl", "petr2_dev.jsonl"])
def test_dev_figures_stay_above_the_targets(name):
    path = EVAL_DIR / name
    if not path.exists():
        pytest.skip(f"{path} not present (set KG_EVAL_DIR to the shared eval folder)")
    sc = evaluate(path).as_dict()
    for key, target in TARGETS.items():
        if sc[key] is not None:  # the PLOVER file has no records without events
            assert sc[key] >= target, (name, key, sc[key])
