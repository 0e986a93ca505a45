"""Tests for kg.readers: every format, detection, folders, streaming and every bad-input case."""
from __future__ import annotations

import builtins
import codecs
import gzip
import json
import logging
import os
import shutil
import socket
import tracemalloc
from datetime import date
from pathlib import Path

import pytest

from kg.errors import KGError
from kg.models import Article
from kg.readers import READERS, ReadFailure, detect_format, read_paths
from kg.readers.decode import MAX_ARTICLE_BYTES, MAX_RECORD_BYTES, non_english

DATA = Path(__file__).parent / "data" / "readers"
SEED = Path(__file__).parents[1] / "seeds" / "000_4c24130db366d2cc.txt"
EN = ("Soldiers from the army attacked the rebel base near the river on Monday, and the rebels said "
      "that they would respond to the attack in the coming days.")
FR = ("Les forces américaines ont mené des frappes aériennes contre des installations utilisées par des "
      "milices soutenues par l'Iran dans l'est de la Syrie, a annoncé le Pentagone. Selon le porte-parole, "
      "ces frappes répondent aux attaques récentes contre le personnel américain en Irak.")
AR = ("نفذت القوات الأمريكية غارات جوية على منشآت تستخدمها ميليشيات مدعومة من إيران في شرق سوريا، حسبما "
      "أعلن البنتاغون. وقال المتحدث إن الضربات جاءت ردا على الهجمات الأخيرة على الأفراد الأمريكيين في "
      "العراق. وأدانت الحكومة العراقية انتهاك سيادتها.")


def read(*paths, **kw) -> list[Article | ReadFailure]:
    return list(read_paths(list(paths), **kw))


def articles(items) -> list[Article]:
    return [i for i in items if isinstance(i, Article)]


def failures(items) -> list[ReadFailure]:
    return [i for i in items if isinstance(i, ReadFailure)]


def only_failure(items) -> ReadFailure:
    assert len(items) == 1 and isinstance(items[0], ReadFailure), items
    return items[0]


def jsonl(path: Path, *records: object) -> Path:
    path.write_text("".join((r if isinstance(r, str) else json.dumps(r)) + "\n" for r in records), "utf-8")
    return path


@pytest.fixture
def no_network(monkeypatch):
    """Any attempt to open a socket fails the test."""

    def refuse(*args, **kwargs):
        raise AssertionError("a reader tried to use the network")

    monkeypatch.setattr(socket.socket, "connect", refuse)
    monkeypatch.setattr(socket, "create_connection", refuse)
    monkeypatch.setattr(socket, "getaddrinfo", refuse)


# --- formats ----------------------------------------------------------------------------------

def test_seed_article():
    (a,) = read(SEED)
    assert a.id == "000_4c24130db366d2cc"
    assert a.date == date(2021, 2, 27)
    assert a.publisher == "Shafaq News"
    assert a.text.startswith('the "Iraqi Resistance" vowed')
    assert "date 2021" not in a.text
    assert a.source_path == str(SEED)


def test_txt_with_header_keeps_first_sentence():
    (a,) = read(DATA / "with_header.txt")
    assert (a.id, a.date, a.publisher, a.title) == ("with_header", date(2023, 5, 14), "Example Wire", None)
    assert a.text.startswith("Government forces shelled rebel positions")
    assert a.text.endswith("involved in the attack.")


def test_txt_without_header_has_no_date():
    (a,) = read(DATA / "no_header.txt")
    assert (a.id, a.date, a.publisher) == ("no_header", None, None)
    assert a.text.startswith("Protesters gathered")


def test_txt_header_without_publisher_separator(tmp_path):
    p = tmp_path / "plain.txt"
    p.write_text("date 2020-05-01 " + EN)
    (a,) = read(p)
    assert (a.date, a.publisher) == (date(2020, 5, 1), None)
    assert a.text == EN


def test_txt_first_word_date_is_not_a_header(tmp_path):
    p = tmp_path / "palms.txt"
    p.write_text("date palms were burned when " + EN)
    (a,) = read(p)
    assert a.date is None and a.text.startswith("date palms")


def test_jsonl_three_records():
    items = read(DATA / "three.jsonl")
    assert [a.id for a in items] == ["wire-001", "Wire 002/ä", "wire-003"]
    one, two, three = items
    assert (one.date, one.title, one.publisher, one.url) == (
        date(2022, 3, 1), "Ceasefire talks in Geneva", "Example Wire", "https://example.org/wire-001")
    assert (two.date, two.title, two.publisher, two.url) == (None, None, None, None)
    assert (three.date, three.publisher) == (date(2022, 3, 3), "Daily Example")
    assert all(a.source_path == str(DATA / "three.jsonl") for a in items)


def test_jsonl_gz(tmp_path):
    p = tmp_path / "three.jsonl.gz"
    p.write_bytes(gzip.compress((DATA / "three.jsonl").read_bytes()))
    assert detect_format(p) == "jsonl"
    assert [a.id for a in read(p)] == ["wire-001", "Wire 002/ä", "wire-003"]


def test_jsonl_integer_id_kept_as_text(tmp_path):
    (a,) = read(jsonl(tmp_path / "n.jsonl", {"id": 42, "text": EN}))
    assert a.id == "42"


def test_html_page(no_network):
    (a,) = read(DATA / "page.html")
    assert a.id == "page"
    assert a.date == date(2021, 6, 12)
    assert a.publisher == "Example Times"
    assert a.title == "Border clashes leave soldiers dead"
    assert a.url == "https://example.com/news/border-clashes"
    assert a.text.startswith("Three soldiers were killed on Saturday")
    assert "return to talks" in a.text
    assert "do not extract me" not in a.text and "Home" not in a.text


def test_rss2_feed(no_network):
    one, two = read(DATA / "rss2.xml")
    assert one.id == "example-net-1001"
    assert two.id == "https://example.net/news/talks-resume"  # no guid: the link
    # 01:30 +0300 is 26 Feb in UTC; the date written in the feed is kept
    assert (one.date, two.date) == (date(2021, 2, 27), date(2021, 2, 28))
    assert one.text == ("Rebel fighters seized the town of Example after two days of fighting with "
                        "government troops, residents said.\nThe government said it would retake the town.")
    assert (one.title, one.publisher, one.url) == (
        "Rebels seize town in the east", "Example Wire World News", "https://example.net/news/rebels-seize-town")


def test_atom_feed(no_network):
    one, two = read(DATA / "atom.atom")
    assert (one.id, two.id) == ("urn:example:monitor:entry:1", "urn:example:monitor:entry:2")
    assert one.date == date(2020, 1, 4)  # published 22:15 -05:00, not the UTC day
    assert two.date == date(2020, 1, 3)  # no <published>: <updated>
    assert one.text.startswith("An airstrike destroyed a weapons depot") and "<p>" not in one.text
    assert (one.publisher, one.url, two.url) == ("Example Monitor", "https://example.org/monitor/1", None)


def test_feed_item_without_guid_or_link_gets_a_hash_id(tmp_path):
    p = tmp_path / "f.rss"
    p.write_text(f'<rss version="2.0"><channel><title>T</title><item><description>{EN}</description>'
                 "</item></channel></rss>")
    (a,) = read(p)
    assert len(a.id) == 16 and int(a.id, 16) >= 0
    assert read(p)[0].id == a.id  # stable


def test_feed_does_not_fetch_or_expand_external_entities(tmp_path, no_network):
    secret = tmp_path / "secret.txt"
    secret.write_text("TOPSECRET")
    p = tmp_path / "evil.xml"
    p.write_text(f'<?xml version="1.0"?>\n<!DOCTYPE rss SYSTEM "http://192.0.2.1/rss.dtd" [\n'
                 f'<!ENTITY xxe SYSTEM "file://{secret}">\n<!ENTITY remote SYSTEM "http://192.0.2.1/x">\n]>\n'
                 f'<rss version="2.0"><channel><title>T</title><item><guid>g1</guid>'
                 f"<description>{EN} &xxe; &remote;</description></item></channel></rss>")
    (a,) = read(p)
    assert "TOPSECRET" not in a.text and a.text.startswith("Soldiers from the army")


def test_csv():
    one, two = read(DATA / "articles.csv")
    assert (one.id, one.date, one.title, one.publisher, one.url) == (
        "csv-1", date(2019, 11, 2), "Strike on port", "Example Post", "https://example.com/csv-1")
    assert (two.id, two.date, two.title, two.publisher) == ("csv-2", None, None, None)
    assert two.text == ("Opposition leaders called for a general strike after the election results were "
                        "announced.\nThe electoral commission rejected their complaints.")


def test_csv_semicolon_delimiter_and_utf8_bom(tmp_path):
    p = tmp_path / "semi.csv"
    p.write_bytes(codecs.BOM_UTF8 + f"ID;Text;Date\nk1;{EN};2020-02-02\n".encode())
    (a,) = read(p)
    assert (a.id, a.date, a.text) == ("k1", date(2020, 2, 2), EN)


def test_fixture_folder_reads_clean():
    items = read(DATA)
    assert failures(items) == []
    assert len(items) == 12


# --- detection, registry, folders ------------------------------------------------------------

def test_registry_has_every_format():
    assert READERS.names() == ["csv", "html", "jsonl", "rss", "txt"]


@pytest.mark.parametrize("name,content,fmt", [
    ("a.txt", "x", "txt"), ("a.TXT", "x", "txt"), ("a.jsonl", "{}", "jsonl"), ("a.ndjson", "{}", "jsonl"),
    ("a.html", "<p>", "html"), ("a.htm", "<p>", "html"), ("a.csv", "id", "csv"),
    ("a.rss", "<rss/>", "rss"), ("a.atom", "<feed/>", "rss"),
    ("a.xml", '<?xml version="1.0"?><!-- c --><rss version="2.0"/>', "rss"),
    ("a.xml", '<feed xmlns="http://www.w3.org/2005/Atom"/>', "rss"),
    ("a.xml", '<rdf:RDF xmlns:rdf="http://www.w3.org/1999/02/22-rdf-syntax-ns#" '
              'xmlns="http://purl.org/rss/1.0/"><channel/></rdf:RDF>', "rss"),
    ("a.xml", "<!DOCTYPE html><html><body>x</body></html>", "html"),
    ("saved_feed", '<?xml version="1.0"?>\n<rss version="2.0"></rss>', "rss"),
    ("saved_page", "<!doctype html>\n<p>hello</p>", "html"),
])
def test_detect_format(tmp_path, name, content, fmt):
    p = tmp_path / name
    p.write_text(content)
    assert detect_format(p) == fmt


@pytest.mark.parametrize("name,content", [
    ("a.xml", '<?xml version="1.0"?><project><name>x</name></project>'),
    ("a.xml", '<rdf:RDF xmlns:rdf="http://www.w3.org/1999/02/22-rdf-syntax-ns#"/>'),
    ("notes.md", "# Notes\nplain text"),
])
def test_detect_format_no_match_is_e008(tmp_path, name, content):
    p = tmp_path / name
    p.write_text(content)
    with pytest.raises(KGError) as exc:
        detect_format(p)
    assert str(exc.value) == f"[E008] {p}: no article readers match this file (known formats: csv, html, jsonl, rss, txt)"
    assert only_failure(read(p)).message == str(exc.value)


def test_fmt_overrides_detection(tmp_path):
    p = tmp_path / "story.dat"
    p.write_text("date 2020-03-03 Wire / " + EN)
    (a,) = read(p, fmt="txt")
    assert (a.id, a.date) == ("story", date(2020, 3, 3))


def test_unknown_fmt_raises_e010_at_call():
    with pytest.raises(KGError) as exc:
        read_paths(["x"], fmt="docx")
    assert str(exc.value) == "[E010] unknown input format 'docx' (known: csv, html, jsonl, rss, txt)"


def test_plugin_reader_via_registry(tmp_path, monkeypatch):
    def read_lines(path):
        for n, line in enumerate(path.read_text().splitlines()):
            yield Article(id=line.split()[0], text=line, source_path=str(path))

    monkeypatch.setitem(READERS._items, "lines", read_lines)
    p = tmp_path / "l.lst"
    p.write_text(f"a {EN}\nb {EN}\na {EN}\n")
    items = read(p, fmt="lines")
    assert [i.id for i in articles(items)] == ["a", "b"]
    assert failures(items)[0].message == f"[E009] {p}:1: duplicate article id 'a' (first seen at {p})"


def test_folder_recursive_with_glob_hidden_and_unknown(tmp_path, caplog):
    (tmp_path / "sub" / "deeper").mkdir(parents=True)
    (tmp_path / ".hidden").mkdir()
    shutil.copy(DATA / "with_header.txt", tmp_path / "sub" / "deeper" / "a.txt")
    shutil.copy(DATA / "no_header.txt", tmp_path / "b.txt")
    shutil.copy(DATA / "three.jsonl", tmp_path / "sub" / "c.jsonl")
    shutil.copy(DATA / "no_header.txt", tmp_path / ".hidden" / "h.txt")
    (tmp_path / ".DS_Store").write_bytes(b"\x00\x01")
    (tmp_path / "README.md").write_text("notes")
    with caplog.at_level(logging.WARNING, logger="kg.readers"):
        items = read(tmp_path)
    assert [a.id for a in items] == ["b", "wire-001", "Wire 002/ä", "wire-003", "a"]
    assert f"[W002] {tmp_path / 'README.md'}: skipped: no reader for this kind of file" in caplog.messages
    assert [a.id for a in read(tmp_path, glob="*.txt")] == ["b", "a"]
    assert [a.id for a in read(tmp_path, glob="sub/*.jsonl")] == ["wire-001", "Wire 002/ä", "wire-003"]


def test_same_file_twice_is_read_once(caplog):
    with caplog.at_level(logging.WARNING, logger="kg.readers"):
        items = read(DATA / "no_header.txt", DATA, glob="*.txt")
    assert [a.id for a in items] == ["no_header", "with_header"]
    assert any("already read in this run" in m for m in caplog.messages)


def test_read_paths_accepts_a_single_path():
    assert [a.id for a in read_paths(str(DATA / "no_header.txt"))] == ["no_header"]


def test_jsonl_is_streamed(tmp_path):
    p = jsonl(tmp_path / "grow.jsonl", {"id": "1", "text": EN})
    items = read_paths([p])
    assert next(items).id == "1"
    with open(p, "a", encoding="utf-8") as f:  # written after the first article was handed out
        f.write(json.dumps({"id": "2", "text": EN}) + "\n")
    assert next(items).id == "2"
    assert list(items) == []


# --- bad input --------------------------------------------------------------------------------

def test_empty_file_e002(tmp_path):
    p = tmp_path / "empty.txt"
    p.write_bytes(b"")
    assert only_failure(read(p)).message == f"[E002] {p}: empty article (no text)"


def test_whitespace_only_e002(tmp_path):
    p = tmp_path / "ws.txt"
    p.write_bytes(b"  \n\t\r\n   \n")
    f = only_failure(read(p))
    assert (f.code, f.path, f.line) == ("E002", str(p), None)
    assert f.message == f"[E002] {p}: empty article (no text)"


def test_binary_file_e003(tmp_path):
    p = tmp_path / "image.txt"
    p.write_bytes(b"\x89PNG\r\n\x1a\n" + bytes(range(256)) * 8)
    assert only_failure(read(p)).message == f"[E003] {p}: looks binary, not text (NUL bytes or undecodable)"


def test_nul_bytes_e003(tmp_path):
    p = tmp_path / "nul.txt"
    p.write_bytes(EN.encode()[:40] + b"\x00" + EN.encode()[40:])
    assert only_failure(read(p)).message == f"[E003] {p}: looks binary, not text (NUL bytes or undecodable)"


def test_binary_jsonl_and_csv_e003(tmp_path):
    for name in ("b.jsonl", "b.csv"):
        p = tmp_path / name
        p.write_bytes(b'{"id": "x"\x00\x00\x00}\n')
        assert only_failure(read(p)).message == f"[E003] {p}: looks binary, not text (NUL bytes or undecodable)"


def test_latin1_file_decoded_with_w001(tmp_path, caplog):
    p = tmp_path / "latin1.txt"
    p.write_bytes(("date 2020-01-01 Le Café / " + EN + " The café owner was naïve.").encode("latin-1"))
    with caplog.at_level(logging.WARNING, logger="kg.readers"):
        (a,) = read(p)
    assert (a.publisher, a.date) == ("Le Café", date(2020, 1, 1))
    assert a.text.endswith("The café owner was naïve.")
    assert caplog.messages == [f"[W001] {p}: decoded as latin-1 (not UTF-8)"]


def test_cp1252_quotes_decoded_with_w001(tmp_path, caplog):
    p = tmp_path / "win.txt"
    p.write_bytes(b"\x93Enough,\x94 the minister said. " + EN.encode())
    with caplog.at_level(logging.WARNING, logger="kg.readers"):
        (a,) = read(p)
    assert a.text.startswith("\u201cEnough,\u201d the minister said.")
    assert caplog.messages == [f"[W001] {p}: decoded as cp1252 (not UTF-8)"]


def test_latin1_jsonl_line_decoded_with_w001(tmp_path, caplog):
    p = tmp_path / "l1.jsonl"
    p.write_bytes(json.dumps({"id": "x", "text": "Café " + EN}, ensure_ascii=False).encode("latin-1") + b"\n")
    with caplog.at_level(logging.WARNING, logger="kg.readers"):
        (a,) = read(p)
    assert a.text.startswith("Café Soldiers")
    assert caplog.messages == [f"[W001] {p}: decoded as latin-1 (not UTF-8)"]


@pytest.mark.parametrize("codec,bom", [("utf-16-le", codecs.BOM_UTF16_LE), ("utf-16-be", codecs.BOM_UTF16_BE),
                                       ("utf-8", codecs.BOM_UTF8), ("utf-32-le", codecs.BOM_UTF32_LE)])
def test_bom_files_decoded_and_bom_stripped(tmp_path, caplog, codec, bom):
    p = tmp_path / "bom.txt"
    p.write_bytes(bom + ("date 2020-01-02 Wire / Naïve " + EN).encode(codec))
    with caplog.at_level(logging.WARNING, logger="kg.readers"):
        (a,) = read(p)
    assert (a.date, a.publisher) == (date(2020, 1, 2), "Wire")  # header found: BOM gone
    assert a.text == "Naïve " + EN and "\ufeff" not in a.text
    assert caplog.messages == []


@pytest.mark.parametrize("codec,bom", [("utf-16-le", codecs.BOM_UTF16_LE), ("utf-8", codecs.BOM_UTF8)])
def test_bom_jsonl_streamed(tmp_path, codec, bom):
    lines = "".join(json.dumps({"id": f"u{i}", "text": "Naïve " + EN}) + "\n" for i in range(3))
    p = tmp_path / "bom.jsonl"
    p.write_bytes(bom + lines.encode(codec))
    items = read(p)
    assert [a.id for a in items] == ["u0", "u1", "u2"]
    assert items[0].text == "Naïve " + EN


def test_50mb_txt_article_e012_others_still_read(tmp_path):
    big = tmp_path / "big.txt"
    with open(big, "wb") as f:
        f.truncate(50 * 1024 * 1024)  # sparse: 50 MiB without writing them
    shutil.copy(DATA / "no_header.txt", tmp_path / "small.txt")
    items = read(tmp_path)
    assert failures(items)[0].message == (
        f"[E012] {big}: article is {50 * 1024 * 1024} bytes, above the limit of {MAX_ARTICLE_BYTES}")
    assert [a.id for a in articles(items)] == ["small"]


def test_50mb_jsonl_line_e012_skipped_in_bounded_memory(tmp_path):
    p = tmp_path / "big.jsonl"
    size = 50 * 1024 * 1024
    with open(p, "w", encoding="utf-8") as f:
        f.write(json.dumps({"id": "before", "text": EN}) + "\n")
        head = '{"id": "huge", "text": "'
        f.write(head)
        chunk = "war " * 262144
        for _ in range(size // len(chunk)):
            f.write(chunk)
        f.write('"}\n' + json.dumps({"id": "after", "text": EN}) + "\n")
    line_bytes = len(head) + size + 2
    tracemalloc.start()
    try:
        items = read(p)
        peak = tracemalloc.get_traced_memory()[1]
    finally:
        tracemalloc.stop()
    assert [i.id for i in articles(items)] == ["before", "after"]
    f = only_failure(failures(items))
    assert (f.code, f.line) == ("E012", 2)
    assert f.message == f"[E012] {p}:2: article is {line_bytes} bytes, above the limit of {MAX_ARTICLE_BYTES}"
    assert peak < 2 * MAX_RECORD_BYTES + 8 * 1024 * 1024  # never the whole 50 MiB line (or file)


def test_jsonl_text_above_limit_e012(tmp_path):
    text = "word " * (MAX_ARTICLE_BYTES // 5 + 10)
    p = jsonl(tmp_path / "t.jsonl", {"id": "x", "text": text + "end"}, {"id": "y", "text": EN})
    items = read(p)
    size = len((text + "end").strip())
    assert items[0].message == f"[E012] {p}:1: article is {size} bytes, above the limit of {MAX_ARTICLE_BYTES}"
    assert items[1].id == "y"


def test_html_and_feed_above_document_limit_e012(tmp_path, monkeypatch):
    import kg.readers.html as html_reader
    import kg.readers.rss as rss_reader

    monkeypatch.setattr(html_reader, "MAX_DOCUMENT_BYTES", 100)
    monkeypatch.setattr(rss_reader, "MAX_DOCUMENT_BYTES", 100)
    for name in ("page.html", "rss2.xml"):
        p = tmp_path / name
        shutil.copy(DATA / name, p)
        size = p.stat().st_size
        assert only_failure(read(p)).message == f"[E012] {p}: article is {size} bytes, above the limit of 100"


def test_broken_jsonl_line_e004_others_read(tmp_path):
    p = jsonl(tmp_path / "b.jsonl", {"id": "a", "text": EN}, '{"id": "b", "text": ', "",
              {"id": "c", "text": EN}, "[1, 2]", {"id": ["d"], "text": EN}, {"id": "e", "text": 7})
    items = read(p)
    assert [a.id for a in articles(items)] == ["a", "c"]
    assert [(f.code, f.line, f.message) for f in failures(items)] == [
        ("E004", 2, f"[E004] {p}:2: broken JSON line: Expecting value (column 21)"),
        ("E004", 5, f"[E004] {p}:5: broken JSON line: expected a JSON object, got list"),
        ("E004", 6, f"[E004] {p}:6: broken JSON line: 'id' must be a string, got list"),
        ("E004", 7, f"[E004] {p}:7: broken JSON line: 'text' must be a string, got int"),
    ]


def test_missing_id_and_text_e005(tmp_path):
    p = jsonl(tmp_path / "m.jsonl", {"text": EN}, {"id": "", "text": EN}, {"id": "x"}, {"id": "y", "text": None},
              {"id": "z", "text": EN})
    items = read(p)
    assert [f.message for f in failures(items)] == [
        f"[E005] {p}:1: record has no 'id'", f"[E005] {p}:2: record has no 'id'",
        f"[E005] {p}:3: record has no 'text'", f"[E005] {p}:4: record has no 'text'"]
    assert [a.id for a in articles(items)] == ["z"]


def test_empty_text_in_jsonl_e002(tmp_path):
    p = jsonl(tmp_path / "e.jsonl", {"id": "x", "text": "  "})
    f = only_failure(read(p))
    assert (f.line, f.message) == (1, f"[E002] {p}:1: empty article (no text)")


def test_csv_missing_cells_and_column_e005(tmp_path):
    p = tmp_path / "m.csv"
    p.write_text(f"id,text\n,{EN}\nx,\ny,{EN}\n")
    items = read(p)
    assert [f.message for f in failures(items)] == [
        f"[E005] {p}:2: record has no 'id'", f"[E005] {p}:3: record has no 'text'"]
    assert [a.id for a in articles(items)] == ["y"]
    q = tmp_path / "nocol.csv"
    q.write_text(f"id,body\nx,{EN}\n")
    assert only_failure(read(q)).message == f"[E005] {q}:1: record has no 'text'"


def test_csv_oversize_line_e012(tmp_path):
    p = tmp_path / "big.csv"
    big = "x" * (MAX_RECORD_BYTES + 10)
    p.write_text(f"id,text\na,{EN}\nb,{big}\nc,{EN}\n")
    items = read(p)
    assert [a.id for a in articles(items)] == ["a", "c"]
    assert only_failure(failures(items)).message == (
        f"[E012] {p}:3: article is {len(big) + 2} bytes, above the limit of {MAX_ARTICLE_BYTES}")


def test_duplicate_ids_e009_first_kept(tmp_path):
    p = jsonl(tmp_path / "d.jsonl", {"id": "a", "text": EN}, {"id": "b", "text": EN}, {"id": "a", "text": EN + "!"})
    items = read(p)
    assert [a.id for a in articles(items)] == ["a", "b"] and articles(items)[0].text == EN
    f = only_failure(failures(items))
    assert (f.code, f.line) == ("E009", 3)
    assert f.message == f"[E009] {p}:3: duplicate article id 'a' (first seen at {p}:1)"


def test_duplicate_ids_across_files_e009(tmp_path):
    (tmp_path / "a").mkdir()
    (tmp_path / "b").mkdir()
    shutil.copy(DATA / "no_header.txt", tmp_path / "a" / "x.txt")
    shutil.copy(DATA / "with_header.txt", tmp_path / "b" / "x.txt")
    csvfile = tmp_path / "b" / "y.csv"
    csvfile.write_text(f"id,text\nx,{EN}\n")
    items = read(tmp_path)
    assert [a.text[:10] for a in articles(items)] == ["Protesters"]
    assert [f.message for f in failures(items)] == [
        f"[E009] {tmp_path / 'b' / 'x.txt'}:1: duplicate article id 'x' (first seen at {tmp_path / 'a' / 'x.txt'})",
        f"[E009] {csvfile}:2: duplicate article id 'x' (first seen at {tmp_path / 'a' / 'x.txt'})"]


@pytest.mark.parametrize("value", ["27/02/2021", "2021-02-30", "2021-2-3", "yesterday", 20210227])
def test_malformed_date_jsonl_e006(tmp_path, value):
    p = jsonl(tmp_path / "d.jsonl", {"id": "x", "text": EN, "date": value})
    f = only_failure(read(p))
    assert f.message == f"[E006] {p}:1: malformed date {value!r} (expected YYYY-MM-DD)"


def test_malformed_date_txt_and_csv_e006(tmp_path):
    t = tmp_path / "t.txt"
    t.write_text("date 2021-13-01 Wire / " + EN)
    assert only_failure(read(t)).message == f"[E006] {t}:1: malformed date '2021-13-01' (expected YYYY-MM-DD)"
    c = tmp_path / "c.csv"
    c.write_text(f'id,date,text\nx,02/27/2021,"{EN}"\n')
    assert only_failure(read(c)).message == f"[E006] {c}:2: malformed date '02/27/2021' (expected YYYY-MM-DD)"


def test_html_without_text_e011(tmp_path, no_network):
    p = tmp_path / "blank.html"
    p.write_text("<html><head><title>Nothing</title><script>var x = 'text';</script></head><body></body></html>")
    assert only_failure(read(p)).message == f"[E011] {p}: no readable text in this page"


def test_unreadable_file_in_folder_e001(tmp_path, monkeypatch):
    shutil.copy(DATA / "no_header.txt", tmp_path / "ok.txt")
    locked = tmp_path / "locked.txt"
    locked.write_text(EN)
    real_open = builtins.open

    def guarded_open(file, *args, **kwargs):  # tests run as root: chmod 000 would not stop us
        if str(file) == str(locked):
            raise PermissionError(13, "Permission denied", str(file))
        return real_open(file, *args, **kwargs)

    monkeypatch.setattr(builtins, "open", guarded_open)
    items = read(tmp_path)
    assert [a.id for a in articles(items)] == ["ok"]
    f = only_failure(failures(items))
    assert (f.code, f.path) == ("E001", str(locked))
    assert f.message == f"[E001] cannot read {locked}: Permission denied"


def test_unreadable_subfolder_e001(tmp_path, monkeypatch):
    shutil.copy(DATA / "no_header.txt", tmp_path / "ok.txt")
    secret = tmp_path / "secret"
    secret.mkdir()
    real_scandir = os.scandir

    def guarded_scandir(path="."):
        if str(path) == str(secret):
            raise PermissionError(13, "Permission denied", str(path))
        return real_scandir(path)

    monkeypatch.setattr(os, "scandir", guarded_scandir)
    items = read(tmp_path)
    assert [a.id for a in articles(items)] == ["ok"]
    assert only_failure(failures(items)).message == f"[E001] cannot read {secret}: Permission denied"


def test_nonexistent_path_e007(tmp_path):
    p = tmp_path / "missing" / "nope.txt"
    items = read(p, DATA / "no_header.txt")
    assert items[0].message == f"[E007] {p}: no such file or directory"
    assert items[1].id == "no_header"


def test_non_english_e013_is_a_skip(tmp_path):
    fr, ar = tmp_path / "fr.txt", tmp_path / "ar.txt"
    fr.write_text(FR)
    ar.write_text(AR)
    f_fr, f_ar = read(fr, ar)
    assert f_fr.message == f"[E013] {fr}: text is not in English (detected fr, 2% English function words); skipped"
    assert f_ar.message == f"[E013] {ar}: text is not in English (detected Arabic script, 0% English function words); skipped"
    assert f_fr.skipped and f_ar.skipped
    p = jsonl(tmp_path / "mixed.jsonl", {"id": "en", "text": EN}, {"id": "fr", "text": FR})
    items = read(p)
    assert items[0].id == "en"
    assert items[1].message == f"[E013] {p}:2: text is not in English (detected fr, 2% English function words); skipped"


@pytest.mark.parametrize("text,label", [
    ("De Amerikaanse strijdkrachten hebben luchtaanvallen uitgevoerd op installaties in het oosten van Syrië die "
     "worden gebruikt door door Iran gesteunde milities, maakte het Pentagon bekend. Volgens de woordvoerder was "
     "dit een antwoord op de recente aanvallen op Amerikaans personeel in Irak.", "nl, 7% English function words"),
    ("Amerikan kuvvetleri, Suriye'nin doğusunda İran destekli milislerin kullandığı tesislere hava saldırıları "
     "düzenledi, Pentagon açıkladı. Sözcüye göre saldırılar, Irak'taki Amerikan personeline yönelik son "
     "saldırılara bir yanıt olarak yapıldı.", "Latin script, 0% English function words"),
    ("美国军队对叙利亚东部伊朗支持的民兵使用的设施进行了空袭，五角大楼宣布。发言人说，这些空袭是对最近在伊拉克针对美国人员的袭击的回应。",
     "CJK script, 0% English function words"),
])
def test_non_english_labels(text, label):
    assert non_english(text) == label


@pytest.mark.parametrize("text", [
    "US strikes Iran-backed militia sites in Syria after rocket attacks on American troops in Iraq, Pentagon says",
    "Israeli forces killed 12 Palestinians in Jenin on Monday, the Palestinian Health Ministry said. Hamas "
    "condemned the raid; Egypt, Qatar, Jordan urged restraint. Netanyahu's cabinet approved new units near Nablus.",
    "Le Pentagone a annoncé des frappes.",  # too short to judge: kept
])
def test_english_and_short_texts_are_not_flagged(text):
    assert non_english(text) is None


def test_feed_item_without_text_e005_and_broken_feed_e001(tmp_path):
    p = tmp_path / "f.rss"
    p.write_text(f'<rss version="2.0"><channel><title>T</title><item><guid>1</guid><description>{EN}'
                 "</description></item><item><guid>2</guid><title>Only a title</title></item></channel></rss>")
    items = read(p)
    assert items[0].id == "1"
    assert (items[1].line, items[1].message) == (None, f"[E005] {p}:item 2: record has no 'text'")
    bad = tmp_path / "bad.xml"
    bad.write_text('<?xml version="1.0"?>\n<rss version="2.0"><channel><title>Broken &bogus; </chan')
    f = only_failure(read(bad))
    assert f.code == "E001" and f.message.startswith(f"[E001] cannot read {bad}: not a readable feed: ")


def test_corrupt_gzip_e001(tmp_path):
    p = tmp_path / "c.jsonl.gz"
    p.write_bytes(gzip.compress((DATA / "three.jsonl").read_bytes())[:60])
    items = read(p)
    f = failures(items)[-1]
    assert f.code == "E001" and f.message.startswith(f"[E001] cannot read {p}")


def test_failure_messages_are_one_line(tmp_path):
    p = jsonl(tmp_path / "x.jsonl", '{"id": "a",\t"text": "multi\\nline" ', {"id": "b", "text": "\n\n"})
    for f in failures(read(p, tmp_path / "nope")):
        assert "\n" not in f.message and str(p.parent) in f.message
