"""The error catalogue: coded, one-line messages."""
from kg.errors import EXIT_ERROR, Errors, KGError, warning


def test_one_line_with_code():
    e = KGError("E004", path="a.jsonl", line=7, reason="Expecting value\n(column 3)")
    assert str(e) == "[E004] a.jsonl:7: broken JSON line: Expecting value (column 3)"
    assert e.exit_code == EXIT_ERROR and "\n" not in e.message


def test_every_code_formats_with_its_fields():
    import string

    for code in (c for c in dir(Errors) if c.startswith("E")):
        fields = {f: "x" for _, f, _, _ in string.Formatter().parse(getattr(Errors, code)) if f}
        msg = KGError(code, **fields).message
        assert msg and "\n" not in msg


def test_warning():
    assert warning("W001", path="p.txt", encoding="latin-1") == "[W001] p.txt: decoded as latin-1 (not UTF-8)"
