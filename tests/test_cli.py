"""The kg command line: exit codes and one-line catalogued errors."""
from __future__ import annotations

import subprocess
import sys

import pytest


def kg(*args, cwd=None):
    return subprocess.run([sys.executable, "-m", "kg", *map(str, args)], capture_output=True, text=True, cwd=cwd, timeout=300)


def test_build_seeds_exit_0_and_summary(seed_copy, tmp_path):
    r = kg("build", seed_copy, "--out", tmp_path / "out")
    assert r.returncode == 0, r.stderr
    for word in ("articles read", "events", "actors", "quads", "conforms", "time"):
        assert word in r.stdout


def test_build_missing_path_exit_2(tmp_path):
    r = kg("build", tmp_path / "nope", "--out", tmp_path / "out")
    assert r.returncode == 2
    assert r.stderr.strip().splitlines()[-1].startswith("error[E007]")
    assert "Traceback" not in r.stderr


def test_build_with_a_bad_file_exit_1_others_stored(tmp_path, seed_copy):
    (seed_copy / "empty.txt").write_text("", encoding="utf-8")
    r = kg("build", seed_copy, "--out", tmp_path / "out")
    assert r.returncode == 1
    assert "E002" in r.stderr and "empty.txt" in r.stderr


def test_validate_malformed_turtle_exit_2(tmp_path):
    bad = tmp_path / "bad.ttl"
    bad.write_text("@prefix ex: <http://example.org/> .\nex:a ex:b \"unterminated .\n", encoding="utf-8")
    r = kg("validate", bad)
    assert r.returncode == 2 and "E030" in r.stderr and "bad.ttl" in r.stderr


def test_validate_seed_output_conforms(seed_build):
    out, _ = seed_build
    r = kg("validate", out / "kg.ttl")
    assert r.returncode == 0, r.stdout + r.stderr


def test_query_bad_sparql_exit_2(seed_build):
    out, _ = seed_build
    r = kg("query", out, "SELEC ?x WHERE { ?x ?y ?z }")
    assert r.returncode == 2 and "E042" in r.stderr


def test_query_ok(seed_build):
    out, _ = seed_build
    r = kg("query", out, "SELECT (COUNT(*) AS ?n) WHERE { ?s ?p ?o }", "--format", "csv")
    assert r.returncode == 0 and "n" in r.stdout.splitlines()[0]


def test_eval_prints_json(tmp_path):
    gold = tmp_path / "g.jsonl"
    gold.write_text('{"id": "g1", "text": "Israeli soldiers arrested twenty Palestinians in Hebron on Saturday.", "date": null, '
                    '"events": [{"type": "COERCE", "source": "Israeli soldiers", "target": "Palestinians"}]}\n', encoding="utf-8")
    r = kg("eval", gold, "--json")
    assert r.returncode == 0, r.stderr
    import json

    d = json.loads(r.stdout)
    for key in ("type_micro_f1", "type_macro_f1", "triple_f1", "actor_f1", "per_type", "no_event_accuracy"):
        assert key in d
