"""``kg serve``: the read-only endpoint (Oxigraph behind the limit-enforcing proxy) answers SPARQLWrapper
(SELECT, CONSTRUCT, ASK), refuses updates, stops slow queries and refuses oversized answers."""
from __future__ import annotations

import os
import signal
import subprocess
import sys
import threading
import time
import urllib.error
import urllib.parse
import urllib.request
from pathlib import Path

from concurrent.futures import ThreadPoolExecutor
from email.message import Message
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import pytest
import rdflib
from SPARQLWrapper import JSON, POST, RDFXML, SPARQLWrapper

from kg import queries
from kg.errors import KGError
from kg.rdf.store import Store
from kg.serve import free_port, start_server, wait_ready
from kg.serve_proxy import CANCELLED_MARKER, ProxyConfig, ProxyServer

SAMPLE = Path(__file__).parent / "data" / "store" / "sample.trig"
ROOT = Path(__file__).resolve().parent.parent
PREFIXES = ("PREFIX ck: <https://w3id.org/conflict-kg/ontology#>\n"
            "PREFIX skos: <http://www.w3.org/2004/02/skos/core#>\n")
#: the 224 quads joined with themselves three times: ~2.5e9 rows to count, far beyond a 1 s timeout
SLOW = "SELECT (COUNT(*) AS ?n) WHERE { ?a ?b ?c . ?d ?e ?f . ?g ?h ?i . ?j ?k ?l }"
ALL = "SELECT * WHERE { ?s ?p ?o }"  # 224 rows: ~60 kB of JSON


@pytest.fixture(scope="module")
def out_dir(tmp_path_factory):
    out = tmp_path_factory.mktemp("serve")
    with Store.open(out) as s:
        s.bulk_load(SAMPLE, "trig")
    return out


@pytest.fixture(scope="module")
def server(out_dir):
    srv = wait_ready(start_server(out_dir, port=free_port()))
    yield srv
    srv.stop()
    assert srv.poll() is not None


@pytest.fixture(scope="module")
def limited(out_dir):
    """A second endpoint over the same store with tight limits: 1 s per query, 2 kB per answer."""
    srv = wait_ready(start_server(out_dir, port=free_port(), timeout=1, max_results_bytes=2000))
    yield srv
    srv.stop()
    assert srv.poll() is not None


def http(url: str, query: str | None = None, method: str = "GET", data: bytes | None = None,
         headers: dict | None = None) -> tuple[int, Message, bytes]:
    """``(status, headers, body)`` of a plain urllib request (HTTP errors included)."""
    if query is not None and method == "GET":
        url += "?" + urllib.parse.urlencode({"query": query})
    elif query is not None:
        data = urllib.parse.urlencode({"query": query}).encode()
    req = urllib.request.Request(url, data=data, method=method, headers=headers or {})
    try:
        with urllib.request.urlopen(req, timeout=60) as resp:
            return resp.status, resp.headers, resp.read()
    except urllib.error.HTTPError as e:
        return e.code, e.headers, e.read()


def sparql(endpoint: str, query: str, fmt=JSON):
    sw = SPARQLWrapper(endpoint)
    sw.setQuery(query)
    sw.setReturnFormat(fmt)
    return sw.queryAndConvert()


def test_select(server):
    res = sparql(server.query_endpoint, PREFIXES + 'SELECT ?l WHERE { ?a skos:prefLabel ?l ; ck:country "IRN" }')
    assert [b["l"]["value"] for b in res["results"]["bindings"]] == ["Iran"]


def test_construct(server):
    g = sparql(server.query_endpoint, "CONSTRUCT { ?s ?p ?o } WHERE { GRAPH <https://w3id.org/conflict-kg/graph/places> "
               "{ ?s ?p ?o } }", RDFXML)
    assert isinstance(g, rdflib.Graph) and len(g) == 19


def test_ask(server):
    assert sparql(server.query_endpoint, PREFIXES + "ASK { ?e ck:mode 'hypothetical' }")["boolean"] is True
    assert sparql(server.query_endpoint, PREFIXES + "ASK { ?e ck:mode 'planned' }")["boolean"] is False


def test_canned_query_over_the_endpoint(server):
    """A rendered canned query (parameters bound as VALUES) runs unchanged on the endpoint."""
    text = queries.get("actors_backed_by").render(state="IRN")
    res = sparql(server.query_endpoint, text)
    assert [b["actorLabel"]["value"] for b in res["results"]["bindings"]] == [
        "Kata'ib Hezbollah", "Kata'ib Sayyid al-Shuhada"]


def test_update_is_refused(server):
    sw = SPARQLWrapper(server.query_endpoint, updateEndpoint=server.url + "/update")
    sw.setMethod(POST)
    sw.setQuery("DROP ALL")
    with pytest.raises(urllib.error.HTTPError) as e:
        sw.query()
    assert e.value.code == 403
    res = sparql(server.query_endpoint, "SELECT (COUNT(*) AS ?n) WHERE { ?s ?p ?o }")
    assert res["results"]["bindings"][0]["n"]["value"] == "224"


def test_bound_to_localhost_by_default(server):
    assert server.url.startswith("http://127.0.0.1:")
    assert server.upstream_url.startswith("http://127.0.0.1:") and server.upstream_url != server.url
    assert server.timeout is None and server.max_results_bytes == 50_000_000


@pytest.mark.parametrize("method, path, body, ctype", [
    ("POST", "/update", b"update=DROP+ALL", "application/x-www-form-urlencoded"),
    ("POST", "/sparql", b"update=DROP+ALL", "application/x-www-form-urlencoded"),
    ("POST", "/sparql", b"DROP ALL", "application/sparql-update"),
    ("POST", "/query", b"CLEAR ALL", "application/sparql-update"),
    ("POST", "/store?default", b"<a:a> <a:b> <a:c> .", "application/n-triples"),
    ("PUT", "/store?default", b"", "application/n-triples"),
    ("DELETE", "/store?default", None, None),
])
def test_writes_are_refused(server, method, path, body, ctype):
    status, headers, text = http(server.url + path, method=method, data=body,
                                 headers={"Content-Type": ctype} if ctype else {})
    assert status == 403 and headers["Content-Type"].startswith("text/plain")
    assert text.decode().strip().splitlines() == [text.decode().strip()]  # one line
    assert text.decode().startswith("error[E055]: the endpoint is read-only")
    res = sparql(server.query_endpoint, "SELECT (COUNT(*) AS ?n) WHERE { ?s ?p ?o }")
    assert res["results"]["bindings"][0]["n"]["value"] == "224"


def test_protocol_variants_and_ui(server):
    """GET, form POST, ``application/sparql-query`` POST, ``/sparql`` (YASGUI's default), content negotiation."""
    q = "SELECT ?s WHERE { ?s a <https://w3id.org/conflict-kg/ontology#Place> } ORDER BY ?s LIMIT 2"
    status, headers, csv = http(server.query_endpoint, q, headers={"Accept": "text/csv"})
    assert status == 200 and headers["Content-Type"].startswith("text/csv") and csv.splitlines()[0] == b"s"
    assert http(server.query_endpoint, q, "POST", headers={"Accept": "text/csv"})[2] == csv
    assert http(server.url + "/sparql", q, "POST", headers={"Accept": "text/csv"})[2] == csv
    status, headers, tsv = http(server.query_endpoint, method="POST", data=q.encode(),
                                headers={"Content-Type": "application/sparql-query",
                                         "Accept": "text/tab-separated-values"})
    assert status == 200 and tsv.splitlines()[0] == b"?s" and len(tsv.splitlines()) == 3
    status, headers, ttl = http(server.query_endpoint, "CONSTRUCT WHERE { ?s ?p ?o }",
                                headers={"Accept": "text/turtle"})
    assert status == 200 and len(rdflib.Graph().parse(data=ttl, format="turtle")) > 100
    status, headers, err = http(server.query_endpoint, "SELECT ?s WHERE {")
    assert status == 400 and err  # Oxigraph's parse error passes through
    status, headers, page = http(server.url + "/")
    assert status == 200 and b"yasgui" in page.lower()


def test_concurrent_queries(server):
    places = "SELECT (COUNT(*) AS ?n) WHERE { GRAPH <https://w3id.org/conflict-kg/graph/places> { ?s ?p ?o } }"
    jobs = [("SELECT (COUNT(*) AS ?n) WHERE { ?s ?p ?o }", "224"), (places, "19")] * 12

    def run(job):
        res = sparql(server.query_endpoint, job[0])
        return res["results"]["bindings"][0]["n"]["value"] == job[1]

    with ThreadPoolExecutor(8) as pool:
        assert all(pool.map(run, jobs))


def test_slow_query_times_out_and_the_server_keeps_answering(limited):
    answers: list = []
    slow = threading.Thread(target=lambda: answers.append(http(limited.query_endpoint, SLOW, "POST")))
    t0 = time.monotonic()
    slow.start()
    assert sparql(limited.query_endpoint, "ASK { ?s ?p ?o }")["boolean"] is True  # answered meanwhile
    slow.join(30)
    assert not slow.is_alive() and time.monotonic() - t0 < 30
    status, headers, body = answers[0]
    assert status == 504 and headers["Content-Type"].startswith("text/plain")
    assert body.decode() == "error[E046]: query timed out after 1 s\n"
    with pytest.raises(urllib.error.HTTPError) as e:  # what a SPARQLWrapper user sees
        sparql(limited.query_endpoint, SLOW)
    assert e.value.code == 504 and "E046" in str(e.value)
    res = sparql(limited.query_endpoint, "SELECT (COUNT(*) AS ?n) WHERE { ?s ?p ?o }")
    assert res["results"]["bindings"][0]["n"]["value"] == "224"


def test_result_larger_than_the_limit(limited):
    status, headers, body = http(limited.query_endpoint, ALL)
    assert status == 413 and headers["Content-Type"].startswith("text/plain")
    assert body.decode() == ("error[E054]: query result is larger than the server's limit of 2 kB "
                             "(add LIMIT or narrow the query)\n")
    with pytest.raises(urllib.error.HTTPError) as e:
        sparql(limited.query_endpoint, "CONSTRUCT WHERE { ?s ?p ?o }", RDFXML)
    assert e.value.code == 413 and "E054" in str(e.value)
    assert http(limited.url + "/store")[0] == 413  # a Graph Store dump is a result too
    res = sparql(limited.query_endpoint, ALL + " LIMIT 3")
    assert len(res["results"]["bindings"]) == 3
    assert sparql(limited.query_endpoint, PREFIXES + "ASK { ?e ck:mode 'hypothetical' }")["boolean"] is True
    status, _, page = http(limited.url + "/yasgui.min.js")  # the query UI's files are not results
    assert status == 200 and len(page) > 2000


def test_no_result_limit_streams_everything(out_dir):
    with wait_ready(start_server(out_dir, port=free_port(), max_results_bytes=0)) as srv:
        status, headers, body = http(srv.query_endpoint, ALL, headers={"Accept": "text/csv"})
        assert status == 200 and headers.get("Transfer-Encoding") == "chunked"
        assert len(body.splitlines()) == 225
    assert srv.poll() is not None


class _FakeUpstream(BaseHTTPRequestHandler):
    """Stands in for Oxigraph: ``?hang`` does not answer in time, else it mimics Oxigraph's own timeout."""

    protocol_version = "HTTP/1.1"

    def log_message(self, *args):
        pass

    def do_GET(self):
        if self.path.endswith("hang"):
            time.sleep(5)
            return
        body = b'{"head":{"vars":["n"]},"results":{"bindings":[' + CANCELLED_MARKER
        self.send_response(200)
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)


@pytest.mark.parametrize("path", ["/query?hang", "/query?cancelled", "/other?hang", "/other?cancelled"])
def test_proxy_deadline_without_oxigraph(path):
    """The proxy stops waiting on its own, and never passes Oxigraph's cancelled 200 answer on."""
    upstream = ThreadingHTTPServer(("127.0.0.1", 0), _FakeUpstream)
    upstream.daemon_threads = True
    threading.Thread(target=upstream.serve_forever, daemon=True).start()
    proxy = ProxyServer("127.0.0.1", 0, ProxyConfig("127.0.0.1", upstream.server_address[1], timeout=0.5)).start()
    try:
        status, _, body = http(f"http://127.0.0.1:{proxy.port}" + path)  # /other: a streamed answer
        assert status == 504 and body == b"error[E046]: query timed out after 0.5 s\n"
    finally:
        proxy.stop()
        upstream.shutdown()
        upstream.server_close()


def test_reader_alongside_the_server(server, out_dir):
    with Store.open(out_dir, read_only=True) as ro:
        assert ro.article_ids()[0] == "000_4c24130db366d2cc"
    assert sparql(server.query_endpoint, "ASK { ?s ?p ?o }")["boolean"] is True


def test_refused_while_a_writer_holds_the_store(out_dir):
    with Store.open(out_dir):
        with pytest.raises(KGError) as e:
            start_server(out_dir, port=free_port())
    assert e.value.code == "E050" and "open for writing" in e.value.message


def test_missing_store_and_busy_port(tmp_path, server, out_dir):
    with pytest.raises(KGError) as e:
        start_server(tmp_path / "none", port=free_port())
    assert e.value.code == "E040"
    port = int(server.url.rsplit(":", 1)[1])
    with pytest.raises(KGError) as e:
        start_server(out_dir, port=port)
    assert e.value.code == "E050" and "in use" in e.value.message


def test_cli_serve_until_interrupted(out_dir):
    port = free_port()
    proc = subprocess.Popen(
        [sys.executable, "-c", "import sys; from kg.cli import main; main(sys.argv[1:])",
         "serve", str(out_dir), "--port", str(port), "--timeout", "30"],
        stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, cwd=ROOT,
        env={**os.environ, "PYTHONPATH": str(ROOT), "COLUMNS": "200"})
    url = f"http://127.0.0.1:{port}/query?" + urllib.parse.urlencode({"query": "ASK { ?s ?p ?o }"})
    try:
        banner = proc.stdout.readline()  # printed once the endpoint answers
        assert f"http://127.0.0.1:{port}/query" in banner, proc.stderr.read() if proc.poll() is not None else banner
        assert proc.stdout.readline().strip() == "limits: 30 s per query, 50 MB per result"
        with urllib.request.urlopen(url, timeout=5) as resp:
            assert b"true" in resp.read()
    finally:
        proc.send_signal(signal.SIGINT)
        proc.communicate(timeout=30)
    assert proc.returncode in (0, 130)  # kg's CLI reports any Ctrl-C as "interrupted", exit 130
    with pytest.raises((urllib.error.URLError, ConnectionError, OSError)):  # the server went with it
        urllib.request.urlopen(url, timeout=2)
