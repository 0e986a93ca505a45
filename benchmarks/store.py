"""Store benchmark: our Oxigraph store against rdflib's in-memory Dataset on the same synthetic corpus.

    python benchmarks/store.py [--triples 1000000] [--rdflib-timeout 60] [--repeat 3] [--keep DIR]

1. generates N-Quads shaped like ``kg build`` output (articles, events with agents / targets / types /
   dates / places / modes, claims, actor relations, canonical actors and places, runs, PLOVER concepts),
   split in parts of ``--part`` quads;
2. in a fresh subprocess, loads the parts into :class:`kg.rdf.store.Store` with Oxigraph's bulk loader
   (on disk) and runs every canned query (best of ``--repeat`` runs); in another, loads the same parts
   into ``rdflib.Dataset(default_union=True)`` and runs the same queries (parameters bound with the
   same ``VALUES`` injection). rdflib gets the plain formulation of a query when there is one
   (``tests/data/store/plain/``: the same answers without the sub-selects that only make Oxigraph
   hash-join, which rdflib evaluates poorly), and is stopped once it has taken 31x Oxigraph's time
   (the ratio is then a lower bound: the goal is met) or ``--rdflib-timeout`` seconds. Each
   subprocess reports its times, row counts and peak RSS;
3. prints load time, time per query and peak memory for both, and the ratios, all from this run, plus
   whether both engines returned the same number of rows.

Goals: canned queries >= 30x faster than rdflib, load >= 10x faster, memory <= 0.5x.
"""
from __future__ import annotations

import argparse
import json
import os
import random
import resource
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

BASE = "https://w3id.org/conflict-kg/"
CK = BASE + "ontology#"
ID = BASE + "id/"
PLOVER = BASE + "plover/"
SCHEMA = "https://schema.org/"
PROV = "http://www.w3.org/ns/prov#"
SKOS = "http://www.w3.org/2004/02/skos/core#"
RDF_TYPE = "http://www.w3.org/1999/02/22-rdf-syntax-ns#type"
RDFS_LABEL = "http://www.w3.org/2000/01/rdf-schema#label"
XSD = "http://www.w3.org/2001/XMLSchema#"
WD = "http://www.wikidata.org/entity/"
PLAIN = ROOT / "tests" / "data" / "store" / "plain"

TYPES = ["AGREE", "CONSULT", "SUPPORT", "CONCEDE", "COOPERATE", "AID", "RETREAT", "REQUEST", "ACCUSE",
         "REJECT", "THREATEN", "PROTEST", "SANCTION", "MOBILIZE", "COERCE", "ASSAULT"]
TYPE_WEIGHTS = [3, 6, 3, 1, 2, 2, 1, 3, 5, 3, 5, 4, 2, 2, 4, 14]
MODES = ["asserted"] * 14 + ["reported"] * 4 + ["negated", "threatened", "planned", "hypothetical"]
ACTOR_CLASSES = ["State", "ArmedForces", "GovernmentBody", "ArmedGroup", "Organization",
                 "InternationalOrganization", "Person", "Group"]
WORDS = ("the forces said on attack government militia border city talks officials statement minister "
         "security troops rocket strike protest sanctions agreement ceasefire region army spokesman").split()

#: parameters used for the parameterised canned queries (present in every generated corpus)
BENCH_PARAMS = {
    "actor_timeline": {"actor": "kgid:actor/actor-0"},
    "actors_backed_by": {"state": "C01"},
    "claims_by_actor": {"actor": "Actor 1"},
    "events_in_country": {"country": "C02"},
    "event_sources": {"event": "kgid:event/article-0/0"},
    "co_targets": {"type": "ASSAULT"},
}


def _iri(x: str) -> str:
    return f"<{x}>"


def _lit(text: str, dt: str | None = None) -> str:
    esc = text.replace("\\", "\\\\").replace('"', '\\"').replace("\n", "\\n").replace("\r", "\\r")
    return f'"{esc}"' + (f"^^<{XSD}{dt}>" if dt else "")


class _Writer:
    """Writes N-Quads into part files of at most ``part`` quads."""

    def __init__(self, directory: Path, part: int) -> None:
        self.directory, self.part = directory, part
        self.paths: list[Path] = []
        self.count = 0
        self._fh = None

    def quad(self, s: str, p: str, o: str, g: str) -> None:
        if self._fh is None or self.count % self.part == 0:
            self._roll()
        self._fh.write(f"{s} {p} {o} {g} .\n")
        self.count += 1

    def _roll(self) -> None:
        if self._fh is not None:
            self._fh.close()
        path = self.directory / f"part-{len(self.paths):03d}.nq"
        self.paths.append(path)
        self._fh = open(path, "w", encoding="utf-8")

    def close(self) -> None:
        if self._fh is not None:
            self._fh.close()


def generate(target: int, directory: Path, part: int = 250_000, seed: int = 7) -> tuple[list[Path], int]:
    """Write about ``target`` quads of a synthetic corpus; returns (part files, quad count)."""
    rnd = random.Random(seed)
    w = _Writer(directory, part)
    n_articles = max(10, target // 105)
    n_actors = max(50, n_articles // 5)
    n_countries = max(5, min(200, n_actors // 20))
    n_places = n_countries * 5
    actors_g, places_g = _iri(BASE + "graph/actors"), _iri(BASE + "graph/places")
    runs_g, onto_g = _iri(BASE + "graph/runs"), _iri(BASE + "ontology")
    q = w.quad
    # ontology: the PLOVER concepts
    for t in TYPES:
        c = _iri(PLOVER + t)
        q(c, _iri(RDF_TYPE), _iri(SKOS + "Concept"), onto_g)
        q(c, _iri(SKOS + "notation"), _lit(t), onto_g)
        q(c, _iri(SKOS + "prefLabel"), _lit(t.lower()), onto_g)
        q(c, _iri(SKOS + "inScheme"), _iri(PLOVER), onto_g)
    # canonical places: countries C00.., each with 4 cities partOf it
    for c in range(n_countries):
        iso = f"C{c:02d}" if c < 100 else f"D{c - 100:02d}"
        cp = _iri(f"{ID}place/gn-{1000 + c}")
        for p, o in ((RDF_TYPE, _iri(CK + "Place")), (SKOS + "prefLabel", _lit(f"Country {c}")),
                     (SKOS + "exactMatch", _iri(f"https://sws.geonames.org/{1000 + c}/")),
                     (CK + "country", _lit(iso)), (CK + "placeKind", _lit("country"))):
            q(cp, _iri(p), o, places_g)
        for k in range(4):
            pp = _iri(f"{ID}place/city-{c}-{k}")
            for p, o in ((RDF_TYPE, _iri(CK + "Place")), (SKOS + "prefLabel", _lit(f"City {c}-{k}")),
                         (CK + "country", _lit(iso)), (CK + "partOf", cp), (CK + "placeKind", _lit("city")),
                         (SCHEMA + "latitude", _lit(f"{rnd.uniform(-60, 60):.4f}", "decimal"))):
                q(pp, _iri(p), o, places_g)
    # canonical actors: actor-0.. ; the first n_countries are states of country i
    states = {}
    for a in range(n_actors):
        node = _iri(f"{ID}actor/actor-{a}")
        cls = "State" if a < n_countries else rnd.choice(ACTOR_CLASSES[1:])
        iso = f"C{a % n_countries:02d}" if a % n_countries < 100 else f"D{a % n_countries - 100:02d}"
        if cls == "State":
            states[a] = iso
        q(node, _iri(RDF_TYPE), _iri(CK + cls), actors_g)
        q(node, _iri(SKOS + "prefLabel"), _lit(f"Actor {a}"), actors_g)
        q(node, _iri(SKOS + "altLabel"), _lit(f"A{a}"), actors_g)
        q(node, _iri(CK + "country"), _lit(iso), actors_g)
        if a % 3 == 0:
            q(node, _iri(SKOS + "exactMatch"), _iri(f"{WD}Q{100000 + a}"), actors_g)
    weights = [1.0 / (i + 1) ** 0.9 for i in range(n_actors)]  # a few actors are in most of the news
    run = _iri(f"{ID}run/bench")
    q(run, _iri(RDF_TYPE), _iri(PROV + "Activity"), runs_g)
    q(run, _iri(CK + "toolVersion"), _lit("0.1.0"), runs_g)
    day0 = 18262  # 2020-01-01 as days since epoch
    i = 0
    while w.count < target:
        aid = f"article-{i}"
        g = _iri(f"{BASE}graph/article/{aid}")
        art = _iri(f"{ID}article/{aid}")
        day = day0 + rnd.randrange(730)
        pub = time.strftime("%Y-%m-%d", time.gmtime(day * 86400))
        publisher = _iri(f"{ID}publisher/p{i % 40}")
        for p, o in ((RDF_TYPE, _iri(SCHEMA + "NewsArticle")), (SCHEMA + "identifier", _lit(aid)),
                     (SCHEMA + "datePublished", _lit(pub, "date")), (SCHEMA + "publisher", publisher),
                     (SCHEMA + "headline", _lit(" ".join(rnd.choices(WORDS, k=8)))),
                     (SCHEMA + "text", _lit(" ".join(rnd.choices(WORDS, k=300)))),
                     (CK + "checksum", _lit(f"{rnd.getrandbits(256):064x}")), (PROV + "wasGeneratedBy", run)):
            q(art, _iri(p), o, g)
        q(publisher, _iri(RDF_TYPE), _iri(SCHEMA + "Organization"), g)
        q(publisher, _iri(SCHEMA + "name"), _lit(f"Publisher {i % 40}"), g)
        q(g, _iri(PROV + "wasGeneratedBy"), run, runs_g)
        seen: set[int] = set()
        n_events = rnd.randint(3, 7)
        for e in range(n_events):
            ev = _iri(f"{ID}event/{aid}/{e}")
            t = rnd.choices(TYPES, TYPE_WEIGHTS)[0]
            agents = rnd.choices(range(n_actors), weights, k=rnd.choice((1, 1, 1, 2)))
            targets = rnd.choices(range(n_actors), weights, k=rnd.choice((1, 1, 2, 2, 3)))
            seen.update(agents, targets)
            sentence = " ".join(rnd.choices(WORDS, k=25))
            for p, o in ((RDF_TYPE, _iri(CK + "Event")), (CK + "eventType", _iri(PLOVER + t)),
                         (PROV + "wasDerivedFrom", art), (CK + "evidence", _lit(sentence)),
                         (CK + "mode", _lit(rnd.choice(MODES))),
                         (CK + "confidence", _lit(f"{rnd.uniform(0.3, 0.95):.2f}", "decimal")),
                         (CK + "charStart", _lit(str(e * 100), "integer")),
                         (CK + "charEnd", _lit(str(e * 100 + 20), "integer")),
                         (CK + "trigger", _lit(rnd.choice(WORDS))),
                         (RDFS_LABEL, _lit(f"{t}: Actor {agents[0]} -> Actor {targets[0]}"))):
                q(ev, _iri(p), o, g)
            for a in agents:
                q(ev, _iri(CK + "agent"), _iri(f"{ID}actor/actor-{a}"), g)
            for a in targets:
                q(ev, _iri(CK + "target"), _iri(f"{ID}actor/actor-{a}"), g)
            if rnd.random() < 0.7:
                c = rnd.randrange(n_countries)
                place = f"{ID}place/city-{c}-{rnd.randrange(4)}" if rnd.random() < 0.6 else f"{ID}place/gn-{1000 + c}"
                q(ev, _iri(CK + "place"), _iri(place), g)
            r = rnd.random()
            if r < 0.6:
                q(ev, _iri(CK + "date"), _lit(time.strftime("%Y-%m-%d", time.gmtime((day - rnd.randrange(3)) * 86400)), "date"), g)
            elif r < 0.8:
                q(ev, _iri(CK + "earliest"), _lit(time.strftime("%Y-%m-%d", time.gmtime((day - 7) * 86400)), "date"), g)
                q(ev, _iri(CK + "latest"), _lit(pub, "date"), g)
        for c in range(rnd.choice((0, 1, 1, 2))):
            cl = _iri(f"{ID}claim/{aid}/{c}")
            who = rnd.choices(range(n_actors), weights)[0]
            seen.add(who)
            for p, o in ((RDF_TYPE, _iri(CK + "Claim")), (CK + "claimant", _iri(f"{ID}actor/actor-{who}")),
                         (CK + "quote", _lit(" ".join(rnd.choices(WORDS, k=15)))), (PROV + "wasDerivedFrom", art),
                         (CK + "evidence", _lit(" ".join(rnd.choices(WORDS, k=25)))),
                         (CK + "about", _iri(f"{ID}event/{aid}/{rnd.randrange(n_events)}"))):
                q(cl, _iri(p), o, g)
        for a in seen:  # per-article actor mentions
            q(_iri(f"{ID}actor/actor-{a}"), _iri(CK + "mention"), _lit(f"Actor {a}"), g)
        if rnd.random() < 0.3:  # relations: backedBy a state, spokespersonFor
            backed = rnd.choices(range(n_countries, n_actors), weights[n_countries:])[0]
            state = rnd.choices(list(states), [weights[s] for s in states])[0]
            q(_iri(f"{ID}actor/actor-{backed}"), _iri(CK + "backedBy"), _iri(f"{ID}actor/actor-{state}"), g)
        if rnd.random() < 0.1:
            q(_iri(f"{ID}actor/actor-{rnd.randrange(n_actors)}"), _iri(CK + "spokespersonFor"),
              _iri(f"{ID}actor/actor-{rnd.randrange(n_countries)}"), g)
        i += 1
    w.close()
    return w.paths, w.count


# ----------------------------------------------------------------------------- workers (subprocesses)


def _peak_mb() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def worker_oxigraph(parts: list[str], store_dir: str, repeat: int = 3) -> dict:
    from kg import queries
    from kg.rdf.store import Store

    t = time.perf_counter()
    store = Store.open(store_dir)
    store.bulk_load(parts, "nq", lenient=True, threads=2)  # trusted, generated input
    store.flush()
    load = time.perf_counter() - t
    out = {"load": load, "quads": len(store), "queries": {}}
    for q in queries.all_queries():
        params = BENCH_PARAMS.get(q.name, {})
        runs = []
        for _ in range(repeat):
            t = time.perf_counter()
            rows = sum(1 for _ in queries.run(store, q.name, **params).terms())
            runs.append(time.perf_counter() - t)
        out["queries"][q.name] = {"seconds": min(runs), "cold": runs[0], "rows": rows}
    out["peak_mb"] = _peak_mb()
    return out


class _Timeout(Exception):
    pass


def worker_rdflib(parts: list[str], timeouts: dict[str, float]) -> dict:
    import signal

    import rdflib

    from kg import queries

    def alarm(*_: object) -> None:
        raise _Timeout()

    signal.signal(signal.SIGALRM, alarm)
    t = time.perf_counter()
    ds = rdflib.Dataset(default_union=True)
    for p in parts:
        ds.parse(p, format="nquads")
    load = time.perf_counter() - t
    out = {"load": load, "quads": len(ds), "queries": {}}
    for q in queries.all_queries():
        plain = PLAIN / f"{q.name}.rq"
        text = (queries.parse_query_file(plain) if plain.exists() else q).render(**BENCH_PARAMS.get(q.name, {}))
        limit = timeouts[q.name]
        t = time.perf_counter()
        signal.setitimer(signal.ITIMER_REAL, limit)
        try:
            rows = sum(1 for _ in ds.query(text))
            out["queries"][q.name] = {"seconds": time.perf_counter() - t, "rows": rows}
        except _Timeout:
            out["queries"][q.name] = {"seconds": time.perf_counter() - t, "rows": None, "timeout": True}
        finally:
            signal.setitimer(signal.ITIMER_REAL, 0)
    out["peak_mb"] = _peak_mb()
    return out


def _run_worker(args: list[str]) -> dict:
    proc = subprocess.run([sys.executable, __file__, *args], capture_output=True, text=True)
    if proc.returncode != 0:
        raise SystemExit(f"worker {args[:2]} failed:\n{proc.stderr[-3000:]}")
    return json.loads(proc.stdout.strip().splitlines()[-1])


# ----------------------------------------------------------------------------- report


def _fmt_s(x: float) -> str:
    return f"{x:.3f} s" if x < 10 else f"{x:.1f} s"


def report(n: int, ox_res: dict, rl_res: dict, gen_seconds: float, timeout: int) -> tuple[str, bool]:
    """A markdown table of the two runs and whether every goal is met."""
    lines = [f"# Store benchmark: {ox_res['quads']:,} quads (target {n:,}), generated in {gen_seconds:.1f} s; "
             f"{os.cpu_count()} CPUs",
             "# oxigraph: kg Store on disk, bulk loader (2 threads); query time = best of the runs, cold = first run",
             "# rdflib: Dataset(default_union=True) in memory, one run per query (plain formulation), stopped at "
             f"31x oxigraph's time or {timeout} s ('>': lower bound)", "",
             f"| {'measure':<32} | {'oxigraph':>9} | {'(cold)':>8} | {'rdflib':>9} | {'ratio':>8} | goal        |",
             f"|{'-' * 34}|{'-' * 11}|{'-' * 10}|{'-' * 11}|{'-' * 10}|-------------|"]
    ok = True
    load_ratio = rl_res["load"] / ox_res["load"]
    ok &= load_ratio >= 10
    lines.append(f"| {'load':<32} | {_fmt_s(ox_res['load']):>9} | {'':>8} | {_fmt_s(rl_res['load']):>9} | "
                 f"{load_ratio:>7.1f}x | {('ok' if load_ratio >= 10 else 'MISS') + ' >= 10x':<11} |")
    for name, o in ox_res["queries"].items():
        r = rl_res["queries"][name]
        ratio = r["seconds"] / max(o["seconds"], 1e-6)
        lower = ">" if r.get("timeout") else ""
        same = "" if r.get("timeout") or r["rows"] == o["rows"] else f" rows differ: {o['rows']} / {r['rows']}"
        ok &= ratio >= 30 and not same
        lines.append(f"| {'query ' + name:<32} | {_fmt_s(o['seconds']):>9} | {_fmt_s(o['cold']):>8} | "
                     f"{lower + _fmt_s(r['seconds']):>9} | {lower + f'{ratio:.0f}x':>8} | "
                     f"{('ok' if ratio >= 30 else 'MISS') + ' >= 30x':<11} |{same}")
    total_o = sum(o["seconds"] for o in ox_res["queries"].values())
    total_r = sum(r["seconds"] for r in rl_res["queries"].values())
    any_timeout = ">" if any(r.get("timeout") for r in rl_res["queries"].values()) else ""
    lines.append(f"| {'all queries (sum)':<32} | {_fmt_s(total_o):>9} | {'':>8} | {any_timeout + _fmt_s(total_r):>9} | "
                 f"{any_timeout + f'{total_r / max(total_o, 1e-6):.0f}x':>8} |             |")
    mem_ratio = ox_res["peak_mb"] / rl_res["peak_mb"]
    ok &= mem_ratio <= 0.5
    lines.append(f"| {'peak memory (RSS)':<32} | {ox_res['peak_mb']:>6.0f} MB | {'':>8} | {rl_res['peak_mb']:>6.0f} MB | "
                 f"{mem_ratio:>7.2f}x | {('ok' if mem_ratio <= 0.5 else 'MISS') + ' <= 0.5x':<11} |")
    lines.append("")
    lines.append("rows per query (oxigraph): " + ", ".join(f"{k} {v['rows']}" for k, v in ox_res["queries"].items()))
    lines.append("all goals met" if ok else "some goals missed")
    return "\n".join(lines), ok


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--triples", type=int, default=1_000_000, help="corpus size in quads (default 1,000,000)")
    ap.add_argument("--part", type=int, default=250_000, help="quads per generated N-Quads part file")
    ap.add_argument("--rdflib-timeout", type=int, default=60,
                    help="at most this many seconds per rdflib query (the ratio is then a lower bound)")
    ap.add_argument("--repeat", type=int, default=3, help="runs per Oxigraph query (the best is reported)")
    ap.add_argument("--keep", type=Path, default=None, help="keep the corpus and the store in this folder")
    ap.add_argument("--worker", choices=["oxigraph", "rdflib"], help=argparse.SUPPRESS)
    ap.add_argument("--parts", nargs="*", help=argparse.SUPPRESS)
    ap.add_argument("--store", help=argparse.SUPPRESS)
    ap.add_argument("--timeouts", help=argparse.SUPPRESS)
    args = ap.parse_args(argv)
    if args.worker == "oxigraph":
        print(json.dumps(worker_oxigraph(args.parts, args.store, args.repeat)))
        return 0
    if args.worker == "rdflib":
        print(json.dumps(worker_rdflib(args.parts, json.loads(args.timeouts))))
        return 0
    work = args.keep or Path(tempfile.mkdtemp(prefix="kg-bench-"))
    work.mkdir(parents=True, exist_ok=True)
    try:
        t = time.perf_counter()
        parts, count = generate(args.triples, work, args.part)
        gen = time.perf_counter() - t
        print(f"generated {count:,} quads in {len(parts)} parts ({gen:.1f} s); loading ...", file=sys.stderr)
        paths = [str(p) for p in parts]
        store_dir = work / "store"
        if store_dir.exists():
            shutil.rmtree(store_dir)
        ox_res = _run_worker(["--worker", "oxigraph", "--store", str(store_dir), "--repeat", str(args.repeat),
                              "--parts", *paths])
        print(f"oxigraph done (load {ox_res['load']:.1f} s); rdflib ...", file=sys.stderr)
        # stop rdflib once it is 31x slower than Oxigraph (goal proven) or after --rdflib-timeout
        timeouts = {k: max(2.0, min(float(args.rdflib_timeout), 31 * v["seconds"]))
                    for k, v in ox_res["queries"].items()}
        rl_res = _run_worker(["--worker", "rdflib", "--timeouts", json.dumps(timeouts), "--parts", *paths])
        text, ok = report(args.triples, ox_res, rl_res, gen, args.rdflib_timeout)
        print(text)
        return 0 if ok else 1
    finally:
        if args.keep is None:
            shutil.rmtree(work, ignore_errors=True)


if __name__ == "__main__":
    sys.exit(main())
