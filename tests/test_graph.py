"""kg.graph: aggregates, filters, signs, co-occurrence and node attributes on tests/data/graph/sample.trig."""
from __future__ import annotations

import re
from datetime import date
from pathlib import Path

import networkx as nx
import pyoxigraph as ox
import pytest

from kg.errors import KGError
from kg.graph import QUAD_CLASS, QUAD_SIGN, actor_graph, cooccurrence_graph, event_multigraph, quad_class_table
from kg.rdf.store import Store

DATA = Path(__file__).parent / "data" / "graph"
ROOT = Path(__file__).resolve().parents[1]
A = "https://w3id.org/conflict-kg/id/actor/"
USA, KH, USAF, IRAN = A + "usa", A + "kataib-hezbollah", A + "us-armed-forces", A + "iran"


def open_sample(tmp_path: Path, extra_trig: str = "") -> Store:
    """The fixture (plus ``extra_trig``) loaded into an on-disk store under ``tmp_path/store``."""
    raw = ox.Store(str(tmp_path / "store"))
    raw.load(path=str(DATA / "sample.trig"), format=ox.RdfFormat.TRIG)
    if extra_trig:
        raw.load(extra_trig.encode(), format=ox.RdfFormat.TRIG)
    raw.flush()
    del raw
    return Store.open(tmp_path, read_only=True)


@pytest.fixture(scope="module")
def store(tmp_path_factory) -> Store:
    return open_sample(tmp_path_factory.mktemp("graph"))


@pytest.fixture(scope="module")
def actors(store) -> nx.DiGraph:
    return actor_graph(store)


def test_actor_edge_aggregates(actors):
    e = actors.edges[USA, KH]
    assert e["count"] == 3 and e["ASSAULT"] == 3 and e["weight"] == 3.0
    assert (e["first_date"], e["last_date"]) == ("2021-02-25", "2021-03-03")  # undated a3/3 counted, not dated
    assert e["sign"] == -1 and e["conflict"] == 3 and e["cooperation"] == 0
    assert e["event_type"] == "ASSAULT" and e["label"] == "ASSAULT x3"
    assert len(e["evidence"]) == 3 and "US forces have repeatedly struck the group." in e["evidence"]


def test_interval_dates_and_cooperation(actors):
    protest = actors.edges[A + "shiite-militias", USA]
    assert (protest["first_date"], protest["last_date"]) == ("2021-03-10", "2021-03-12")
    aid = actors.edges[A + "united-nations", A + "syria"]
    assert aid["sign"] == 1 and aid["AID"] == 1 and aid["cooperation"] == 1
    support = actors.edges[IRAN, KH]
    assert support["first_date"] is None and support["sign"] == 1


def test_one_event_with_two_targets_gives_two_edges(actors):
    for target in (USA, USAF):
        assert actors.edges[A + "iraqi-government", target]["ACCUSE"] == 1
    assert actors.number_of_edges() == 13


def test_negated_events_left_out_unless_asked(store, actors):
    assert not actors.has_edge(KH, USAF)
    g = actor_graph(store, include_negated=True)
    assert g.edges[KH, USAF]["ASSAULT"] == 1


def test_node_attributes(actors):
    usa = actors.nodes[USA]
    assert (usa["label"], usa["actor_type"], usa["country"], usa["wikidata"]) == ("United States", "State", "USA", "Q30")
    assert usa["events"] == 9 and usa["degree"] == 7 and usa["weight"] == 9.0
    assert usa["betweenness"] == max(d["betweenness"] for _, d in actors.nodes(data=True)) > 0
    assert usa["degree_centrality"] == pytest.approx(0.7)
    kh = actors.nodes[KH]
    assert (kh["actor_type"], kh["wikidata"], kh["label"]) == ("ArmedGroup", None, "Kata'ib Hezbollah")
    un = actors.nodes[A + "united-nations"]
    assert (un["actor_type"], un["country"]) == ("InternationalOrganization", None)
    assert actors.nodes[A + "russia"]["events"] == 2  # AGREE and the target-less MOBILIZE
    assert set(actors) == {A + k for k in ("usa", "us-armed-forces", "joe-biden", "iran", "iraq", "iraqi-government",
                                           "kataib-hezbollah", "syria", "russia", "united-nations", "shiite-militias")}


def test_sign_comes_from_the_store_ontology_when_present(tmp_path):
    ck = "https://w3id.org/conflict-kg/ontology"
    flipped = (f"<{ck}> {{ <https://w3id.org/conflict-kg/plover/ASSAULT> <{ck}#quadClass> "
               f"<{ck}#MaterialCooperation> . }}")
    s = open_sample(tmp_path, flipped)
    assert quad_class_table(s)["ASSAULT"] == "MaterialCooperation"
    assert actor_graph(s).edges[USA, KH]["sign"] == 1


def test_fallback_table_matches_plover_ontology_signs():
    ttl = (ROOT / "ontology" / "plover.ttl").read_text(encoding="utf-8")
    found = dict(re.findall(r"plover:(\w+)\s+a skos:Concept\b.*?ck:quadClass ck:(\w+)", ttl, re.S))
    assert set(found) == set(QUAD_CLASS)
    assert {t: QUAD_SIGN[q] for t, q in found.items()} == {t: QUAD_SIGN[q] for t, q in QUAD_CLASS.items()}


@pytest.mark.parametrize("filters, expected", [
    ({"since": "2021-03-01"}, {(USA, KH), (USA, IRAN), (A + "united-nations", A + "syria"), (A + "russia", A + "syria"),
                               (A + "iraqi-government", USA), (A + "iraqi-government", USAF),
                               (A + "shiite-militias", USA)}),
    ({"since": date(2021, 3, 11), "until": "2021-03-11"}, {(A + "shiite-militias", USA)}),
    ({"until": "2021-02-25"}, {(USA, KH), (USAF, KH)}),
    ({"types": ["assault"]}, {(USA, KH), (USAF, KH)}),
    ({"types": "SANCTION"}, {(USA, IRAN)}),
    ({"country": "SYR"}, {(USA, KH), (USAF, KH), (A + "united-nations", A + "syria"), (A + "russia", A + "syria")}),
    ({"country": "irq", "types": ["CONSULT", "PROTEST"]}, {(USA, A + "iraq"), (A + "shiite-militias", USA)}),
    ({"min_weight": 2}, {(USA, KH)}),
])
def test_filters(store, filters, expected):
    g = actor_graph(store, **filters)
    assert set(g.edges) == expected


def test_date_filter_counts_only_events_in_range(store):
    g = actor_graph(store, since="2021-03-01")
    assert g.edges[USA, KH]["count"] == 1
    assert g.graph["filter_since"] == "2021-03-01"


def test_min_weight_drops_actors_left_alone(store):
    g = actor_graph(store, min_weight=2)
    assert set(g) == {USA, KH} and g.nodes[USA]["degree"] == 1


@pytest.mark.parametrize("filters, field", [
    ({"types": ["BOMBING"]}, "PLOVER event type"), ({"country": "Iraq"}, "country code"),
    ({"since": "2021-13-01"}, "--since date"),
])
def test_bad_filters_are_catalogued_errors(store, filters, field):
    with pytest.raises(KGError) as err:
        actor_graph(store, **filters)
    assert err.value.code == "E010" and field in err.value.message


def test_event_multigraph(store):
    g = event_multigraph(store)
    assert isinstance(g, nx.MultiDiGraph) and g.number_of_edges() == 15
    ev = "https://w3id.org/conflict-kg/id/event/a1/1"
    e = g.edges[USA, KH, ev]
    assert (e["event_type"], e["date"], e["mode"], e["sign"]) == ("ASSAULT", "2021-02-25", "asserted", -1)
    assert e["article"] == "https://w3id.org/conflict-kg/id/article/a1" and e["confidence"] == pytest.approx(0.9)
    assert e["evidence"] == ["The U.S. carried out airstrikes on Kata'ib Hezbollah facilities in eastern Syria."]
    assert g.number_of_edges(USA, KH) == 3
    assert g.edges[USA, KH, "https://w3id.org/conflict-kg/id/event/a3/3"]["date"] is None
    assert event_multigraph(store, min_weight=3).number_of_edges() == 3


def test_cooccurrence_by_event_and_article(store):
    by_event = cooccurrence_graph(store)
    assert not by_event.is_directed()
    assert by_event.edges[USA, KH]["count"] == 4  # three ASSAULTs and one THREATEN
    assert by_event.edges[USAF, USA]["count"] == 1  # the two targets of one ACCUSE
    assert not by_event.has_edge(A + "russia", USA)
    by_article = cooccurrence_graph(store, by="article")
    assert by_article.edges[USA, KH]["count"] == 3
    assert by_article.edges[A + "russia", USA]["count"] == 1
    assert cooccurrence_graph(store, types=["AID"]).number_of_edges() == 1
    with pytest.raises(KGError):
        cooccurrence_graph(store, by="sentence")


class Recorder:
    """Wraps a store and keeps every query it is sent."""

    def __init__(self, store: Store) -> None:
        self.store, self.queries = store, []

    def select(self, sparql: str, **params):
        self.queries.append(sparql)
        return self.store.select(sparql, **params)


def test_graphs_are_built_from_sparql_aggregates(store):
    rec = Recorder(store)
    actor_graph(rec)
    event_multigraph(rec)
    cooccurrence_graph(rec)
    assert rec.queries and all("GROUP BY" in q for q in rec.queries)
    assert sum("COUNT(DISTINCT" in q for q in rec.queries) >= 5
    assert not any(re.search(r"\?s\s+\?p\s+\?o", q) for q in rec.queries)


def test_building_is_deterministic(store, actors):
    again = actor_graph(store)
    assert list(again.nodes(data=True)) == list(actors.nodes(data=True))
    assert list(again.edges(data=True)) == list(actors.edges(data=True))


# ----------------------------------------------------------------------------- `kg graph` command


def run_kg(*args: str) -> int:
    from kg.cli import main

    try:
        main(list(args))
    except SystemExit as exc:
        return int(exc.code or 0)
    return 0


def test_cli_graph_writes_each_format(tmp_path):
    open_sample(tmp_path)
    assert run_kg("graph", str(tmp_path), "--format", "graphml") == 0
    g = nx.read_graphml(tmp_path / "actors.graphml")
    assert g.edges[USA, KH]["count"] == 3
    out = tmp_path / "pics" / "assaults.png"
    assert run_kg("graph", str(tmp_path), "--format", "png", "--out", str(out), "--type", "ASSAULT",
                  "--since", "2021-02-01", "--until", "2021-03-31", "--country", "IRQ", "--min-weight", "1") == 0
    assert out.read_bytes()[:4] == b"\x89PNG"
    assert run_kg("graph", str(tmp_path / "store"), "--format", "json", "--kind", "events") == 0
    assert (tmp_path / "events.json").exists()


@pytest.mark.parametrize("args", [
    ("--format", "svg"), ("--type", "BOMBING"), ("--since", "2021-13-45"), ("--country", "Iraq"), ("--kind", "people"),
])
def test_cli_graph_usage_errors_exit_2(tmp_path, args, capsys):
    open_sample(tmp_path)
    assert run_kg("graph", str(tmp_path), *args) == 2
    assert not list(tmp_path.glob("actors.*"))


def test_cli_graph_without_store_exits_2(tmp_path, capsys):
    assert run_kg("graph", str(tmp_path / "nothing")) == 2
    assert "E040" in capsys.readouterr().err
