"""Safety: parsing never resolves external entities or fetches URLs, and canned-query parameters can
never change a query.

* XXE / external DTDs in RDF/XML given to ``kg validate`` and ``kg build``, and in an RSS feed given to
  ``kg build``: refused or left unexpanded; the target file is never opened (a named pipe is used as
  the target: opening it for reading is detected), the target URL never contacted;
* a remote JSON-LD ``@context``: refused;
* HTML with ``<script src>``, ``<img>``, ``<link>``, ``<iframe>``, meta refresh: nothing fetched (sockets
  blocked in-process; a local listener records any connection from a ``kg`` subprocess);
* ``kg query DIR NAME --param``: quote-injection attempts bind one literal, the answer is that of an
  unknown actor.
"""
from __future__ import annotations

import json
import os
import socket
import socketserver
import subprocess
import sys
import threading
import time
from pathlib import Path

import pytest

from kg.rdf.store import Store

EN = "Israel attacked Hamas positions in Gaza on 3 March 2021, the army said."
EN2 = "Russian forces shelled Ukrainian positions in Kharkiv on 5 March 2021, officials said."
SECRET = "SECRET-MARKER-7f3a"


def kg(*args: object, cwd: Path, timeout: float = 300) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-m", "kg", *map(str, args)], cwd=cwd, capture_output=True, text=True,
                          timeout=timeout)


def err_lines(r: subprocess.CompletedProcess) -> list[str]:
    return [line.rstrip() for line in r.stderr.splitlines() if line.strip()]


class Listener:
    """A TCP listener on 127.0.0.1 that records every connection (nothing should ever connect)."""

    def __init__(self) -> None:
        hits = self.hits = []

        class Handler(socketserver.BaseRequestHandler):
            def handle(self) -> None:
                hits.append(self.request.recv(200))

        self.server = socketserver.ThreadingTCPServer(("127.0.0.1", 0), Handler)
        self.port = self.server.server_address[1]
        self.thread = threading.Thread(target=self.server.serve_forever, daemon=True)
        self.thread.start()

    def url(self, path: str) -> str:
        return f"http://127.0.0.1:{self.port}/{path}"

    def close(self) -> None:
        self.server.shutdown()
        self.server.server_close()


@pytest.fixture
def listener():
    lst = Listener()
    yield lst
    lst.close()


class PipeWatch:
    """A named pipe used as an entity target: ``opened`` turns True if anything opens it for reading."""

    def __init__(self, path: Path) -> None:
        self.path = path
        os.mkfifo(path)
        self.opened = False
        self._stop = threading.Event()
        self.thread = threading.Thread(target=self._watch, daemon=True)
        self.thread.start()

    def _watch(self) -> None:
        while not self._stop.is_set():
            try:  # succeeds only while a reader has the pipe open
                fd = os.open(self.path, os.O_WRONLY | os.O_NONBLOCK)
            except OSError:
                time.sleep(0.02)
                continue
            self.opened = True
            os.write(fd, SECRET.encode())
            os.close(fd)
            return

    def stop(self) -> None:
        self._stop.set()
        self.thread.join(timeout=5)


@pytest.fixture
def pipe(tmp_path):
    watch = PipeWatch(tmp_path / "secret-pipe")
    yield watch
    watch.stop()


def assert_nothing_leaked(r: subprocess.CompletedProcess, out: Path | None = None) -> None:
    assert SECRET not in r.stdout and SECRET not in r.stderr
    assert "root:x:0:0" not in r.stdout + r.stderr
    if out is not None and out.exists():
        for f in out.rglob("*"):
            if f.is_file() and "store" not in f.parts:
                assert SECRET.encode() not in f.read_bytes(), f


def xxe_rdf(target: str) -> str:
    return f"""<?xml version="1.0"?>
<!DOCTYPE rdf:RDF [ <!ENTITY xxe SYSTEM "{target}"> ]>
<rdf:RDF xmlns:rdf="http://www.w3.org/1999/02/22-rdf-syntax-ns#" xmlns:skos="http://www.w3.org/2004/02/skos/core#">
  <rdf:Description rdf:about="https://w3id.org/conflict-kg/id/actor/usa"><skos:prefLabel>&xxe;</skos:prefLabel>
  </rdf:Description>
</rdf:RDF>
"""


# ----------------------------------------------------------------------------- RDF/XML and feeds


def test_validate_refuses_xxe_without_reading_the_file(tmp_path, pipe, listener):
    (tmp_path / "file.rdf").write_text(xxe_rdf(pipe.path.as_uri()), encoding="utf-8")
    (tmp_path / "http.rdf").write_text(xxe_rdf(listener.url("evil.dtd")), encoding="utf-8")
    for name in ("file.rdf", "http.rdf"):
        r = kg("validate", name, cwd=tmp_path, timeout=120)
        assert r.returncode == 2
        assert err_lines(r) == [f"error[E030]: {name}: malformed RDF (RDF/XML): line 2: DOCTYPE with external "
                                "entities or DTD refused (never resolved)"]
        assert_nothing_leaked(r)
    assert not pipe.opened and not listener.hits


def test_validate_refuses_an_external_dtd(tmp_path, listener):
    (tmp_path / "dtd.rdf").write_text(
        f'<?xml version="1.0"?>\n<!DOCTYPE rdf:RDF SYSTEM "{listener.url("rdf.dtd")}">\n'
        '<rdf:RDF xmlns:rdf="http://www.w3.org/1999/02/22-rdf-syntax-ns#"/>\n', encoding="utf-8")
    r = kg("validate", "dtd.rdf", cwd=tmp_path, timeout=120)
    assert r.returncode == 2
    assert err_lines(r) == ["error[E030]: dtd.rdf: malformed RDF (RDF/XML): line 2: DOCTYPE with external entities "
                            "or DTD refused (never resolved)"]
    assert not listener.hits


def test_validate_refuses_entity_expansion_bombs(tmp_path):
    levels = ['<!ENTITY lol0 "lol">'] + [
        f'<!ENTITY lol{i} "{("&lol" + str(i - 1) + ";") * 10}">' for i in range(1, 10)]
    (tmp_path / "lol.rdf").write_text(
        '<?xml version="1.0"?>\n<!DOCTYPE rdf:RDF [\n' + "\n".join(levels) + "\n]>\n"
        '<rdf:RDF xmlns:rdf="http://www.w3.org/1999/02/22-rdf-syntax-ns#" '
        'xmlns:skos="http://www.w3.org/2004/02/skos/core#"><rdf:Description '
        'rdf:about="https://w3id.org/conflict-kg/id/actor/usa"><skos:prefLabel>&lol9;</skos:prefLabel>'
        "</rdf:Description></rdf:RDF>\n", encoding="utf-8")
    try:
        r = kg("validate", "lol.rdf", cwd=tmp_path, timeout=15)
    except subprocess.TimeoutExpired:
        pytest.fail("kg validate expanded nested entities for 15 s")
    assert r.returncode == 2 and err_lines(r)[0].startswith("error[E030]: lol.rdf: malformed RDF (RDF/XML): line 2:")


def test_build_refuses_rdf_xml_input(tmp_path, pipe):
    (tmp_path / "x.rdf").write_text(xxe_rdf(pipe.path.as_uri()), encoding="utf-8")
    r = kg("build", "x.rdf", "--out", "out", cwd=tmp_path, timeout=120)
    assert r.returncode == 1
    assert any(line.startswith("failed [E008] x.rdf: no article readers match this file") for line in err_lines(r))
    assert_nothing_leaked(r, tmp_path / "out")
    assert not pipe.opened


def test_build_never_expands_entities_in_a_feed(tmp_path, pipe, listener):
    (tmp_path / "secret.txt").write_text(f"{SECRET} Turkish troops attacked Kurdish militants.", encoding="utf-8")
    laughs = "".join(f'<!ENTITY lol{i} "{("&lol" + str(i - 1) + ";") * 10}">' for i in range(1, 9))
    (tmp_path / "feed.xml").write_text(f"""<?xml version="1.0"?>
<!DOCTYPE rss [ <!ENTITY file SYSTEM "{(tmp_path / 'secret.txt').as_uri()}">
  <!ENTITY pipe SYSTEM "{pipe.path.as_uri()}"> <!ENTITY web SYSTEM "{listener.url('x')}"> <!ENTITY lol0 "lol"> {laughs} ]>
<rss version="2.0"><channel><title>T</title>
<item><guid>i1</guid><title>Strike</title><description>{EN2} &file; &pipe; &web;</description></item>
<item><guid>i2</guid><title>Laughs</title><description>{EN} &lol8;</description></item>
</channel></rss>
""", encoding="utf-8")
    r = kg("build", "feed.xml", "--out", "out", cwd=tmp_path, timeout=300)
    assert "Traceback" not in r.stderr
    assert_nothing_leaked(r, tmp_path / "out")
    assert not pipe.opened and not listener.hits
    with Store.open(tmp_path / "out", read_only=True) as store:
        rows = store.select("SELECT ?text WHERE { ?a schema:text ?text }")
    assert rows and all(SECRET not in str(x["text"]) and "lollol" not in str(x["text"]) for x in rows)


# ----------------------------------------------------------------------------- JSON-LD


def test_validate_refuses_a_remote_jsonld_context(tmp_path, listener):
    for name, ctx in (("top.jsonld", listener.url("ctx.jsonld")), ("list.jsonld", [listener.url("a"), {}])):
        (tmp_path / name).write_text(json.dumps({
            "@context": ctx,
            "@id": "https://w3id.org/conflict-kg/id/actor/usa",
            "http://www.w3.org/2004/02/skos/core#prefLabel": "United States"}), encoding="utf-8")
    r = kg("validate", "top.jsonld", cwd=tmp_path, timeout=120)
    assert r.returncode == 2
    assert err_lines(r) == [f"error[E030]: top.jsonld: malformed RDF (JSON-LD): remote JSON-LD context "
                            f"'{listener.url('ctx.jsonld')}' refused (only inline contexts are allowed)"]
    r = kg("validate", "list.jsonld", cwd=tmp_path, timeout=120)
    assert r.returncode == 2
    assert err_lines(r) == [f"error[E030]: list.jsonld: malformed RDF (JSON-LD): remote JSON-LD context "
                            f"'{listener.url('a')}' refused (only inline contexts are allowed)"]
    assert not listener.hits


# ----------------------------------------------------------------------------- HTML


def page(listener: Listener) -> str:
    u = listener.url
    return f"""<!doctype html>
<html><head><title>Strike near Kharkiv</title>
<meta http-equiv="refresh" content="0; url={u('refresh')}">
<link rel="stylesheet" href="{u('style.css')}"><link rel="canonical" href="{u('canonical')}">
<script src="{u('x.js')}"></script><script>fetch("{u('fetch')}")</script>
<meta property="og:site_name" content="Wire">
</head><body><article><h1>Strike near Kharkiv</h1>
<p>{EN2}</p><img src="{u('img.png')}"><iframe src="{u('frame')}"></iframe>
<p>{EN}</p></article></body></html>
"""


@pytest.fixture
def no_sockets(monkeypatch):
    """Every attempt to resolve a name or connect is recorded and refused."""
    attempts: list[object] = []

    def refuse(*args, **kwargs):
        attempts.append(args)
        raise OSError("network access refused by the test")

    monkeypatch.setattr(socket.socket, "connect", refuse)
    monkeypatch.setattr(socket.socket, "connect_ex", refuse)
    monkeypatch.setattr(socket, "create_connection", refuse)
    monkeypatch.setattr(socket, "getaddrinfo", refuse)
    return attempts


def test_html_never_fetches_in_process(tmp_path, listener, no_sockets, capsys):
    from kg.cli import run

    (tmp_path / "page.html").write_text(page(listener), encoding="utf-8")
    code = run(["build", str(tmp_path / "page.html"), "--out", str(tmp_path / "out")])
    err = capsys.readouterr().err
    assert code == 0, err
    assert no_sockets == [] and listener.hits == []
    with Store.open(tmp_path / "out", read_only=True) as store:
        assert store.article_ids() == ["page"]


def test_html_never_fetches_from_a_subprocess(tmp_path, listener):
    (tmp_path / "page.html").write_text(page(listener), encoding="utf-8")
    r = kg("build", "page.html", "--out", "out", cwd=tmp_path)
    assert r.returncode == 0, r.stderr
    time.sleep(0.2)
    assert listener.hits == []
    html = (tmp_path / "out" / "actors.html").read_text(encoding="utf-8")
    assert "<script src=" not in html  # the actor graph page is self-contained too


# ----------------------------------------------------------------------------- canned query parameters


@pytest.fixture(scope="module")
def small_store(tmp_path_factory):
    root = tmp_path_factory.mktemp("safe")
    (root / "safe.jsonl").write_text("".join(json.dumps(r) + "\n" for r in (
        {"id": "s1", "text": EN, "date": "2021-03-04"}, {"id": "s2", "text": EN2, "date": "2021-03-06"})),
        encoding="utf-8")
    r = kg("build", "safe.jsonl", "--out", "out", cwd=root)
    assert r.returncode == 0, r.stderr
    return root


def query(root: Path, capsys, *args: str) -> tuple[int, str, list[str]]:
    """``kg query out ARGS --format csv`` through the CLI, in this process (no start-up cost)."""
    from kg.cli import run

    capsys.readouterr()
    code = run(["query", str(root / "out"), *args, "--format", "csv"])
    cap = capsys.readouterr()
    assert "Traceback" not in cap.err
    return code, cap.out, [line for line in cap.err.splitlines() if line.strip()]


INJECTIONS = [
    'Israel") || true || ("',
    "Israel' || true || '",
    'x" } UNION { ?who ?p ?o } #',
    "x\\\" } UNION { ?who ?p ?o } #",
    '<https://w3id.org/conflict-kg/id/actor/isr> } UNION { ?a ?b ?c',
    'Israel"^^<http://www.w3.org/2001/XMLSchema#string> ) || (true',
    "Israel\n} UNION { ?who ?p ?o }",
]


def test_the_canned_query_answers_for_a_real_actor(small_store, capsys):
    code, out, _ = query(small_store, capsys, "actor_timeline", "--param", "actor=Israel")
    assert code == 0
    rows = out.strip().splitlines()
    assert rows[0] == "day,role,type,mode,item,summary,articleId"
    assert rows[1:] == ["2021-03-03,agent,ASSAULT,asserted,https://w3id.org/conflict-kg/id/event/s1/0,"
                        "ASSAULT: Israel -> Hamas,s1"]


@pytest.mark.parametrize("value", INJECTIONS)
def test_quote_injection_cannot_change_a_canned_query(small_store, capsys, value):
    code, unknown, _ = query(small_store, capsys, "actor_timeline", "--param", "actor=Nobody at all")
    assert code == 0 and unknown.strip() == "day,role,type,mode,item,summary,articleId"
    code, out, err = query(small_store, capsys, "actor_timeline", "--param", f"actor={value}")
    if code == 2:  # refused as a malformed IRI: also fine, the query never ran
        assert err[0].startswith("error[E042]: bad SPARQL query: parameter actor=")
    else:
        assert code == 0, err
        assert out == unknown  # the header only: no rows


def test_injection_through_a_typed_parameter_is_refused(small_store, capsys):
    with Store.open(small_store / "out", read_only=True) as store:
        before = len(store)
    code, _, err = query(small_store, capsys, "who_attacked_whom", "--param", "type=ASSAULT } ; DROP ALL ; #")
    assert code == 2
    assert err[0].startswith("error[E010]: unknown PLOVER type 'ASSAULT } ; DROP ALL ; #'")
    with Store.open(small_store / "out", read_only=True) as store:
        assert len(store) == before
