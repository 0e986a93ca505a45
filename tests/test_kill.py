"""Nothing is lost: ``kg build`` killed with SIGKILL at several moments leaves a store that opens, holds
exactly the articles of the batches committed before the kill (each batch is one transaction here), each of
them complete, and a re-run completes the rest to the same data as an uninterrupted build.
"""
from __future__ import annotations

import json
import random
import shutil
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest

from kg.rdf.namespaces import ONTOLOGY_GRAPH, PROV, RUNS_GRAPH
from kg.rdf.store import ARTICLE_GRAPH_PREFIX, Store, resolve_store_dir

from storeutil import KG_PER_BATCH  # noqa: E402  (a transaction per batch)

N = 24  # articles
B = 3  # batch size: one store transaction per batch

AGENTS = ["Israeli soldiers", "Russian forces", "Turkish troops", "Iranian-backed militias", "Syrian government forces",
          "Kurdish fighters", "Houthi rebels", "Ukrainian forces", "Taliban fighters", "Nigerian troops",
          "Pakistani police", "Boko Haram militants", "US forces", "Iraqi security forces", "Hamas militants"]
TARGETS = ["Palestinian protesters", "Ukrainian positions", "Kurdish militants", "a US base", "rebel positions",
           "Islamic State fighters", "government buildings", "Houthi positions", "Russian troops", "Afghan police",
           "a military convoy", "opposition activists", "Israeli towns", "Syrian army posts", "a border post"]
VERBS = ["attacked", "shelled", "arrested", "bombed", "fired rockets at", "raided", "detained", "ambushed",
         "carried out airstrikes on", "killed three members of"]
PLACES = ["Hebron", "Kharkiv", "Aleppo", "Idlib", "Sanaa", "Kabul", "Mosul", "Baghdad", "Gaza", "Donetsk",
          "Maiduguri", "Peshawar", "Kirkuk", "Deir ez-Zor", "Kandahar"]
SAY = ["the army said", "officials said", "a spokesman said", "local media reported", "the ministry said"]
MONTHS = ["January", "February", "March", "April", "May", "June", "July", "August", "September", "October",
          "November", "December"]


def article(i: int) -> dict:
    """A distinct, dated conflict report (same ``i`` -> same article)."""
    r = random.Random(i)
    day, month = 1 + i % 28, 1 + (i // 28) % 12
    s1 = (f"{r.choice(AGENTS)} {r.choice(VERBS)} {r.choice(TARGETS)} in {r.choice(PLACES)} on {day} "
          f"{MONTHS[month - 1]} 2021, {r.choice(SAY)}.")
    s2 = f"Report number {i} said {r.randint(2, 90)} people were wounded."
    return {"id": f"k{i:05d}", "text": f"{s1} {s2}", "date": f"2021-{month:02d}-{min(day + 1, 28):02d}",
            "source": r.choice(["Wire A", "Wire B", "Shafaq News"])}


def write_corpus(path: Path, n: int) -> list[str]:
    with open(path, "w", encoding="utf-8") as f:
        for i in range(n):
            f.write(json.dumps(article(i)) + "\n")
    return [article(i)["id"] for i in range(n)]


def build_cmd(corpus: Path, out: Path) -> list[str]:
    return [*KG_PER_BATCH, "build", str(corpus), "--out", str(out), "--batch-size", str(B)]


def article_ids(out: Path) -> list[str] | None:
    """Stored ids read through a read-only open (None while there is no store yet)."""
    if not (resolve_store_dir(out) / "CURRENT").exists():
        return None
    with Store.open(out, read_only=True) as store:
        return store.article_ids()


def data_quads(out: Path) -> set[str]:
    """Every quad but the ontology, the runs graph and the run links: what a build means."""
    with Store.open(out, read_only=True) as store:
        quads = store.ox.quads_for_pattern(None, None, None, None)
        skip = {str(ONTOLOGY_GRAPH), str(RUNS_GRAPH)}
        run_link = str(PROV.wasGeneratedBy)
        return {str(q) for q in quads
                if getattr(q.graph_name, "value", None) not in skip and q.predicate.value != run_link}


def graph_of(quads: set[str], article_id: str) -> set[str]:
    from kg.rdf.namespaces import graph_iri

    tag = f"<{graph_iri(article_id)}>"
    return {q for q in quads if q.endswith(tag)}


@pytest.fixture(scope="module")
def reference(tmp_path_factory):
    """The same corpus built without interruption."""
    root = tmp_path_factory.mktemp("kill_ref")
    ids = write_corpus(root / "corpus.jsonl", N)
    t0 = time.perf_counter()
    r = subprocess.run(build_cmd(root / "corpus.jsonl", root / "out"), capture_output=True, text=True, timeout=600)
    seconds = time.perf_counter() - t0
    assert r.returncode == 0, r.stdout + r.stderr
    assert article_ids(root / "out") == ids
    return ids, data_quads(root / "out"), seconds


def wait_for(proc: subprocess.Popen, out: Path, min_articles: int, timeout: float = 300) -> None:
    """Poll the store (read-only, lock-free) until it holds ``min_articles`` or the build ends."""
    deadline = time.monotonic() + timeout
    while proc.poll() is None and time.monotonic() < deadline:
        try:
            ids = article_ids(out)
        except Exception:  # noqa: BLE001 - a store being created may not open yet
            ids = None
        if ids is not None and len(ids) >= min_articles:
            return
        time.sleep(0.05)


def check_consistent(out: Path, ids: list[str], ref_quads: set[str]) -> list[str]:
    """The killed store: opens read-only, holds whole batches in input order, each article complete."""
    stored = article_ids(out)
    if stored is None:  # killed before the store was created
        return []
    k = len(stored)
    assert stored == ids[:k], "stored articles are not the first batches of the input"
    assert k % B == 0 or k == len(ids), f"{k} articles stored: a batch was committed partly"
    quads = data_quads(out)
    for aid in stored:
        assert graph_of(quads, aid) == graph_of(ref_quads, aid), f"article {aid} is incomplete"
    with Store.open(out, read_only=True) as store:
        # every event has its evidence and its article; every actor / place used is described
        assert not store.ask("ASK { GRAPH ?g { ?e a ck:Event } FILTER NOT EXISTS { GRAPH ?g { ?e ck:evidence ?x ; "
                             "prov:wasDerivedFrom ?a } } }")
        assert not store.ask("ASK { GRAPH ?g { ?e ck:agent|ck:target|ck:claimant|ck:place ?x } "
                             f'FILTER(STRSTARTS(STR(?g), "{ARTICLE_GRAPH_PREFIX}")) '
                             "FILTER NOT EXISTS { ?x skos:prefLabel ?l } }")
    return stored


#: name -> (how the moment is chosen, value); the random moments are drawn from a fixed seed
KILL_POINTS = {
    "while loading the model": ("time", 1.0),
    "after the first batch": ("articles", 1),
    "half way": ("articles", N // 2),
    "during the exports": ("articles", N),
    **{f"at random moment {i}": ("random", i) for i in range(4)},
}
FAST_POINTS = ["while loading the model", "after the first batch", "half way", "during the exports"]
RANDOM_POINTS = [p for p in KILL_POINTS if p not in FAST_POINTS]
RERUN_POINTS = ["after the first batch", "half way"]


@pytest.fixture(scope="module")
def killed(reference, tmp_path_factory):
    """``killed(point)`` -> the out dir of a build SIGKILLed at that point (each kill done once)."""
    cache: dict[str, Path] = {}

    def kill(point: str) -> Path:
        if point in cache:
            return cache[point]
        root = tmp_path_factory.mktemp("killed")
        write_corpus(root / "corpus.jsonl", N)
        out = root / "out"
        kind, value = KILL_POINTS[point]
        proc = subprocess.Popen(build_cmd(root / "corpus.jsonl", out), stdout=subprocess.DEVNULL,
                                stderr=subprocess.DEVNULL)
        if kind == "time":
            time.sleep(value)
        elif kind == "random":  # after a random number of articles, plus part of a batch's time
            r = random.Random(value)
            wait_for(proc, out, r.randint(1, N))
            time.sleep(r.uniform(0, 0.5))
        else:
            wait_for(proc, out, value)
        proc.send_signal(signal.SIGKILL)
        proc.wait(timeout=60)
        cache[point] = out
        return out

    return kill


def _consistent(point: str, reference, killed) -> None:
    ids, ref_quads, _ = reference
    stored = check_consistent(killed(point), ids, ref_quads)
    print(f"killed {point}: {len(stored)} of {N} articles committed")
    if point == "after the first batch":
        assert 0 < len(stored) < N
    if point == "during the exports":
        assert stored == ids


@pytest.mark.parametrize("point", FAST_POINTS)
def test_sigkill_leaves_a_consistent_store(reference, killed, point):
    _consistent(point, reference, killed)


@pytest.mark.slow
@pytest.mark.parametrize("point", RANDOM_POINTS)
def test_sigkill_at_random_moments(tmp_path, reference, killed, point):
    _consistent(point, reference, killed)
    _rerun(tmp_path, reference, killed, point)


@pytest.mark.parametrize("point", RERUN_POINTS)
def test_rerun_after_sigkill_completes_the_rest(tmp_path, reference, killed, point):
    _rerun(tmp_path, reference, killed, point)


def _rerun(tmp_path: Path, reference, killed, point: str) -> None:
    """``kg build`` again on a copy of the killed store: the same data as the uninterrupted build."""
    ids, ref_quads, _ = reference
    src = killed(point)
    shutil.copytree(src.parent, tmp_path / "copy", symlinks=True)
    out = tmp_path / "copy" / "out"
    r = subprocess.run(build_cmd(tmp_path / "copy" / "corpus.jsonl", out), capture_output=True, text=True,
                       timeout=600)
    assert r.returncode == 0, r.stdout + r.stderr
    assert article_ids(out) == ids
    assert data_quads(out) == ref_quads


def test_runs_of_articles_kept_after_a_kill_are_described(killed):
    out = killed("half way")
    assert article_ids(out)
    with Store.open(out, read_only=True) as store:
        assert not store.ask(f"ASK {{ GRAPH ?g {{ ?a prov:wasGeneratedBy ?run }} "
                             f'FILTER(STRSTARTS(STR(?g), "{ARTICLE_GRAPH_PREFIX}")) '
                             f"FILTER NOT EXISTS {{ GRAPH <{RUNS_GRAPH}> {{ ?run a prov:Activity }} }} }}")
