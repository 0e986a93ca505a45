"""Canned queries on a hand-written fixture store, parameter binding, and ``kg query``."""
from __future__ import annotations

import datetime as dt
import json
from pathlib import Path

import pyoxigraph as ox
import pytest
import rdflib

from kg import queries
from kg.errors import KGError
from kg.rdf.namespaces import ID
from kg.rdf.store import Store

SAMPLE = Path(__file__).parent / "data" / "store" / "sample.trig"
SEED = "000_4c24130db366d2cc"
REQUIRED = {"who_attacked_whom", "actor_timeline", "events_by_type_per_month", "actors_backed_by",
            "claims_by_actor", "events_in_country", "co_targets", "event_sources"}


def iri(local: str) -> str:
    return f"{ID}{local}"


@pytest.fixture(scope="module")
def out_dir(tmp_path_factory):
    out = tmp_path_factory.mktemp("queries")
    with Store.open(out) as s:
        s.bulk_load(SAMPLE, "trig")
    return out


@pytest.fixture(scope="module")
def store(out_dir):
    with Store.open(out_dir, read_only=True) as s:
        yield s


def run(store, name, **params):
    return queries.run(store, name, **params).rows()


# ----------------------------------------------------------------------------- the catalogue


def test_every_canned_query_is_documented():
    qs = {q.name: q for q in queries.all_queries()}
    assert REQUIRED <= set(qs)
    for q in qs.values():
        assert q.title and len(q.description) > 40, q.name
        for line in ("# title:", "# description:", "# params:"):
            assert line in q.sparql, (q.name, line)
        assert all(p.doc for p in q.params), q.name


def test_params_parsed_from_headers():
    w = queries.get("who_attacked_whom")
    assert [(p.name, p.kind, p.default, p.required) for p in w.params] == [("type", "type", "ASSAULT", False)]
    c = queries.get("co_targets")
    assert [(p.name, p.default, p.required) for p in c.params] == [("type", None, False)]
    assert [(p.name, p.required) for p in queries.get("event_sources").params] == [("event", True)]
    assert queries.get("corpus_summary").params == ()


def test_unknown_and_missing(store):
    with pytest.raises(KGError) as e:
        queries.get("no_such_query")
    assert e.value.code == "E044"
    with pytest.raises(KGError) as e:
        queries.run(store, "event_sources")
    assert e.value.code == "E045"
    with pytest.raises(KGError) as e:
        queries.run(store, "co_targets", nope="x")
    assert e.value.code == "E010"
    with pytest.raises(KGError) as e:
        queries.run(store, "who_attacked_whom", type="BOMBING")
    assert e.value.code == "E010" and "ASSAULT" in e.value.message


# ----------------------------------------------------------------------------- expected answers


def test_who_attacked_whom(store):
    rows = run(store, "who_attacked_whom")
    got = {(r["agentLabel"], r["targetLabel"]): (r["events"], r["articles"], r["first"], r["last"]) for r in rows}
    assert got == {
        ("United States", "Kata'ib Hezbollah"): (1, 1, dt.date(2021, 2, 25), dt.date(2021, 2, 25)),
        ("United States", "Kata'ib Sayyid al-Shuhada"): (1, 1, dt.date(2021, 2, 25), dt.date(2021, 2, 25)),
        ("United States", "Popular Mobilization Forces"): (1, 1, dt.date(2021, 2, 20), dt.date(2021, 2, 20)),
        ("Kata'ib Hezbollah", "United States"): (1, 1, dt.date(2021, 3, 3), dt.date(2021, 3, 3)),
    }  # the hypothetical strike of article b is left out
    threats = run(store, "who_attacked_whom", type="threaten")
    assert [(r["agent"], r["target"]) for r in threats] == [(iri("actor/iraqi-resistance"), iri("actor/usa"))]
    assert run(store, "who_attacked_whom", type="plover:THREATEN") == threats


def test_who_attacked_whom_dates_with_an_undated_event(tmp_path):
    with Store.open(tmp_path / "s") as s:
        s.bulk_load(SAMPLE, "trig")
        s.ox.update("DELETE DATA { GRAPH <https://w3id.org/conflict-kg/graph/article/b-2021-03-03> { "
                    "<https://w3id.org/conflict-kg/id/event/b-2021-03-03/1> "
                    "<https://w3id.org/conflict-kg/ontology#mode> \"hypothetical\" } } ; "
                    "INSERT DATA { GRAPH <https://w3id.org/conflict-kg/graph/article/b-2021-03-03> { "
                    "<https://w3id.org/conflict-kg/id/event/b-2021-03-03/1> "
                    "<https://w3id.org/conflict-kg/ontology#mode> \"asserted\" } }")
        rows = {r["targetLabel"]: r for r in run(s, "who_attacked_whom") if r["agentLabel"] == "United States"}
        # US -> PMF now has a dated (earliest 2021-02-20) and an undated event
        assert (rows["Popular Mobilization Forces"]["events"], rows["Popular Mobilization Forces"]["first"],
                rows["Popular Mobilization Forces"]["last"]) == (2, dt.date(2021, 2, 20), dt.date(2021, 2, 20))
        assert rows["Kata'ib Hezbollah"]["events"] == 2 and rows["Kata'ib Hezbollah"]["articles"] == 2


def test_actor_timeline(store):
    rows = run(store, "actor_timeline", actor="united STATES")  # a name, any case
    assert [(r["day"], r["role"], r["type"], r["item"].rsplit("id/event/", 1)[1]) for r in rows] == [
        (dt.date(2021, 2, 20), "agent", "ASSAULT", f"{SEED}/1"),
        (dt.date(2021, 2, 25), "agent", "ASSAULT", f"{SEED}/0"),
        (dt.date(2021, 2, 27), "agent", "CONSULT", f"{SEED}/3"),  # undated: the publication date
        (dt.date(2021, 2, 27), "target", "THREATEN", f"{SEED}/2"),
        (dt.date(2021, 3, 3), "agent", "ASSAULT", "b-2021-03-03/1"),
        (dt.date(2021, 3, 3), "target", "ASSAULT", "b-2021-03-03/0"),
        (dt.date(2021, 4, 9), "agent", "SANCTION", "c%2Fwith%20slash/0"),
    ]
    assert rows[0]["summary"] == "ASSAULT: United States -> Popular Mobilization Forces"
    assert rows[-1]["articleId"] == "c/with slash"
    assert run(store, "actor_timeline", actor="kgid:actor/usa") == rows
    kirby = run(store, "actor_timeline", actor="Kirby")  # an alternative label
    assert [(r["role"], r["summary"][:30]) for r in kirby] == [("claimant", "This proportionate military re")]
    assert run(store, "actor_timeline", actor="Nobody At All") == []


def test_events_by_type_per_month(store):
    rows = run(store, "events_by_type_per_month")
    assert [(r["month"], r["type"], r["events"]) for r in rows] == [
        ("2021-02", "ASSAULT", 2), ("2021-02", "CONSULT", 1), ("2021-02", "THREATEN", 1),
        ("2021-03", "ASSAULT", 2), ("2021-04", "SANCTION", 1)]


@pytest.mark.parametrize("state", ["IRN", "irn", "Iran", "Islamic Republic of Iran", "kgid:actor/iran"])
def test_actors_backed_by(store, state):
    rows = run(store, "actors_backed_by", state=state)
    assert [(r["actorLabel"], r["backerLabel"], r["articles"]) for r in rows] == [
        ("Kata'ib Hezbollah", "Iran", 2), ("Kata'ib Sayyid al-Shuhada", "Iran", 1)]


def test_actors_backed_by_other_state(store):
    assert run(store, "actors_backed_by", state="USA") == []


def test_claims_by_actor(store):
    rows = run(store, "claims_by_actor", actor="Pentagon")  # its own claim and its spokesperson's
    assert [(r["claimantLabel"], r["articleId"]) for r in rows] == [
        ("John F. Kirby", SEED), ("United States Department of Defense", "b-2021-03-03")]
    assert rows[0]["about"] == iri(f"event/{SEED}/0")
    assert rows[0]["quote"].startswith("This proportionate military response")
    resistance = run(store, "claims_by_actor", actor="kgid:actor/iraqi-resistance")
    assert [r["claim"] for r in resistance] == [iri(f"claim/{SEED}/1")]


@pytest.mark.parametrize("country,events", [
    ("SYR", [f"{SEED}/0"]),
    ("163843", [f"{SEED}/0"]),  # GeoNames id of Syria: eastern Syria is part of it
    ("https://sws.geonames.org/163843/", [f"{SEED}/0"]),
    ("Syria", [f"{SEED}/0"]),
    ("IRQ", [f"{SEED}/1", "b-2021-03-03/0", "b-2021-03-03/1"]),
    ("FRA", []),
])
def test_events_in_country(store, country, events):
    rows = run(store, "events_in_country", country=country)
    assert sorted(r["event"].rsplit("id/event/", 1)[1] for r in rows) == events


def test_events_in_country_row(store):
    (row,) = run(store, "events_in_country", country="SYR")
    assert (row["type"], row["mode"], row["day"], row["placeLabel"], row["articleId"]) == (
        "ASSAULT", "asserted", dt.date(2021, 2, 25), "eastern Syria", SEED)


def test_co_targets(store):
    rows = run(store, "co_targets")
    assert [(r["aLabel"], r["bLabel"], r["events"], r["articles"]) for r in rows] == [
        ("Kata'ib Hezbollah", "Kata'ib Sayyid al-Shuhada", 1, 1),
        ("Kata'ib Hezbollah", "Popular Mobilization Forces", 1, 1)]
    assert run(store, "co_targets", type="ASSAULT") == rows
    assert run(store, "co_targets", type="SANCTION") == []


def test_event_sources(store):
    rows = run(store, "event_sources", event=f"kgid:event/{SEED}/0")
    assert len(rows) == 2
    assert {r["articleId"] for r in rows} == {SEED}
    assert {r["publisher"] for r in rows} == {"Shafaq News"}
    assert {r["published"] for r in rows} == {dt.date(2021, 2, 27)}
    assert any(r["evidence"].startswith("The United States on Thursday carried out airstrikes") for r in rows)
    (b,) = run(store, "event_sources", event=iri("event/b-2021-03-03/0"))
    assert (b["headline"], b["url"], b["publisher"]) == (
        "Rockets hit base hosting U.S. troops", "https://example.org/news/b", "Example Wire")


def test_articles_summary_relations_activity(store):
    arts = run(store, "articles")
    assert [(r["articleId"], r["events"], r["claims"], r["publisher"]) for r in arts] == [
        ("c/with slash", 1, 0, "unknown"), ("b-2021-03-03", 2, 1, "Example Wire"), (SEED, 4, 2, "Shafaq News")]
    (summary,) = run(store, "corpus_summary")
    assert summary == {"articles": 3, "events": 7, "claims": 3, "actors": 8, "places": 3, "runs": 1,
                       "firstPublished": dt.date(2021, 2, 27), "lastPublished": dt.date(2021, 4, 10)}
    rel = {(r["subjectLabel"], r["property"], r["objectLabel"]): r["articles"] for r in run(store, "actor_relations")}
    assert rel[("Kata'ib Hezbollah", "backedBy", "Iran")] == 2
    assert rel[("United States Department of Defense", "memberOf", "United States")] == 0
    assert len(run(store, "actor_relations", relation="backedBy")) == 2
    top = run(store, "most_active_actors")[0]
    assert (top["label"], top["type"], top["events"], top["asAgent"], top["asTarget"], top["articles"]) == (
        "United States", "State", 7, 5, 2, 3)


# ----------------------------------------------------------------------------- portability and safety

PARAMS = {"actor_timeline": {"actor": "kgid:actor/usa"}, "actors_backed_by": {"state": "IRN"},
          "claims_by_actor": {"actor": "Pentagon"}, "events_in_country": {"country": "163843"},
          "event_sources": {"event": f"kgid:event/{SEED}/0"}}


def _norm(rows):
    return sorted(sorted((k, str(v)) for k, v in r.items()) for r in rows)


@pytest.mark.parametrize("name", sorted(queries.names()))
def test_rendered_query_gives_the_same_rows_in_rdflib(store, name):
    """The VALUES-bound text is plain SPARQL 1.1: rdflib answers it exactly like Oxigraph."""
    params = PARAMS.get(name, {})
    ours = queries.run(store, name, **params).rows()
    ds = rdflib.Dataset(default_union=True)
    ds.parse(SAMPLE, format="trig")
    res = ds.query(queries.get(name).render(**params))
    theirs = [{str(v): (None if r[v] is None else r[v].toPython() if isinstance(r[v], rdflib.Literal) else str(r[v]))
               for v in res.vars} for r in res]
    assert ours, name
    assert _norm(ours) == _norm(theirs)


PLAIN = Path(__file__).parent / "data" / "store" / "plain"


@pytest.mark.parametrize("path", sorted(PLAIN.glob("*.rq")), ids=lambda p: p.stem)
def test_plain_formulation_gives_the_same_rows(store, path):
    """The benchmark hands rdflib these plain formulations: same answers as the shipped queries."""
    plain, canned = queries.parse_query_file(path), queries.get(path.stem)
    assert [(p.name, p.kind, p.default) for p in plain.params] == [(p.name, p.kind, p.default) for p in canned.params]
    params = PARAMS.get(path.stem, {})
    ours = store.query(canned.sparql, **canned.bind(params, store)).rows()
    assert ours and _norm(store.query(plain.sparql, **plain.bind(params, store)).rows()) == _norm(ours)


def test_to_term():
    assert queries.to_term("kgid:actor/usa") == ox.NamedNode(iri("actor/usa"))
    assert queries.to_term("<urn:x:y>") == ox.NamedNode("urn:x:y")
    assert queries.to_term("https://example.org/a?b=c") == ox.NamedNode("https://example.org/a?b=c")
    assert queries.to_term("United States") == ox.Literal("United States")
    assert queries.to_term("unknownprefix:x") == ox.Literal("unknownprefix:x")
    assert queries.to_term(3).datatype.value.endswith("#integer")
    assert queries.to_term(True).value == "true"
    assert queries.to_term(dt.date(2021, 1, 2)).datatype.value.endswith("#date")
    assert queries.to_term(rdflib.Literal("x", lang="en")) == ox.Literal("x", language="en")
    with pytest.raises(ValueError):
        queries.to_term("<not an iri>")


def test_inject_values_is_escaped_and_keeps_lines():
    q = '# { a comment with a brace\nSELECT ?x WHERE { ?x ?p "a { string" }'
    text = queries.inject_values(q, {"p": 'x" } ; DROP ALL ; # \\ \n'})
    assert text.count("\n") == q.count("\n")
    assert 'VALUES (?p) { ("x\\" } ; DROP ALL ; # \\\\ \\n") }' in text
    assert text.index("VALUES") > text.index("WHERE {")
    ox.Store().query(text)  # still one valid query
    assert queries.inject_values("ASK { ?s ?p ?o }", {"s": "kgid:x"}).startswith("ASK { VALUES (?s)")
    marked = "SELECT * WHERE {\n  { SELECT ?s WHERE {\n    # @values\n    ?s ?p ?o } }\n}"
    assert '    VALUES (?o) { ("1"^^<http://www.w3.org/2001/XMLSchema#integer>) }\n' in queries.inject_values(marked, {"o": 1})
    assert queries.inject_values(q, {}) == q
    with pytest.raises(KGError):
        queries.inject_values(q, {"bad name": 1})


# ----------------------------------------------------------------------------- kg query


def kg(capsysbinary, *args: str) -> tuple[int, bytes, bytes]:
    from kg.cli import main

    with pytest.raises(SystemExit) as e:
        main(list(args))
    out, err = capsysbinary.readouterr()
    return e.value.code or 0, out, err


def test_cli_canned_csv_and_json(out_dir, capsysbinary):
    code, out, _ = kg(capsysbinary, "query", str(out_dir), "who_attacked_whom", "--format", "csv")
    lines = out.decode().strip().splitlines()
    assert code == 0 and lines[0] == "agent,agentLabel,target,targetLabel,events,articles,first,last"
    assert len(lines) == 5
    code, out, _ = kg(capsysbinary, "query", str(out_dir), "actors_backed_by", "-p", "state=IRN", "-f", "json")
    data = json.loads(out)
    assert code == 0 and [b["actorLabel"]["value"] for b in data["results"]["bindings"]] == [
        "Kata'ib Hezbollah", "Kata'ib Sayyid al-Shuhada"]
    code, out, _ = kg(capsysbinary, "query", str(out_dir), "co_targets", "--format", "tsv")
    assert code == 0 and out.decode().splitlines()[0].startswith("?a\t?aLabel")


def test_cli_table_file_and_list(out_dir, tmp_path, capsysbinary):
    code, out, err = kg(capsysbinary, "query", str(out_dir), "events_by_type_per_month")
    assert code == 0 and b"SANCTION" in out and b"5 rows" in err
    rq = tmp_path / "mine.rq"
    rq.write_text("SELECT ?l WHERE { ?a skos:prefLabel ?l ; ck:country ?c } ORDER BY ?l")
    code, out, _ = kg(capsysbinary, "query", str(out_dir), str(rq), "-p", "c=IRN", "-f", "csv")
    assert (code, out.decode().split()) == (0, ["l", "Iran"])
    code, out, _ = kg(capsysbinary, "query", str(out_dir), "--list")
    assert code == 0 and all(name.encode() in out for name in REQUIRED)
    code, out, _ = kg(capsysbinary, "query", str(out_dir), "ASK { ?s ck:mode 'negated' }", "-f", "json")
    assert json.loads(out) == {"head": {}, "boolean": False}
    code, out, _ = kg(capsysbinary, "query", str(out_dir),
                      "CONSTRUCT { ?s ?p ?o } WHERE { GRAPH <https://w3id.org/conflict-kg/graph/places> { ?s ?p ?o } }")
    assert code == 0 and len(rdflib.Graph().parse(data=out, format="turtle")) == 19


@pytest.mark.parametrize("args,code,needle", [
    (["SELECT ?x WHERE {\n ?x ck:mode }"], "E042", b"line 2, column"),
    (["no_such_query"], "E044", b"no_such_query"),
    (["event_sources"], "E045", b"'event'"),
    (["who_attacked_whom", "--format", "yaml"], "E032", b"yaml"),
])
def test_cli_errors_exit_2_with_one_line(out_dir, capsysbinary, args, code, needle):
    status, _, err = kg(capsysbinary, "query", str(out_dir), *args)
    assert status == 2
    text = err.strip()
    assert text.count(b"\n") == 0 and f"error[{code}]".encode() in text and needle in text


def test_cli_missing_store(tmp_path, capsysbinary):
    status, _, err = kg(capsysbinary, "query", str(tmp_path / "none"), "corpus_summary")
    assert status == 2 and b"E040" in err
