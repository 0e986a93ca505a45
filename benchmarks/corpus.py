"""A deterministic benchmark corpus built offline from the seed article and the eval sentences.

Each synthetic article is a dated, published news story of 4-10 paragraphs drawn (with a seeded
``random.Random``) from the seed's paragraphs and the gold eval sentences (``shared/eval/*.jsonl``),
re-combined: lengths and vocabulary are those of real wire copy, the texts never repeat (unless
syndicated copies are asked for with ``syndicated=``). Nothing is downloaded.

    python benchmarks/corpus.py 2000 corpus.jsonl [--seed 7] [--syndicated 0.05]
"""
from __future__ import annotations

import argparse
import json
import random
from datetime import date, timedelta
from pathlib import Path
from typing import Iterator

ROOT = Path(__file__).resolve().parent.parent
SEEDS = ROOT / "seeds"
EVAL_DIRS = (ROOT.parent / "shared" / "eval", Path("/work/shared/eval"))

PUBLISHERS = ("Shafaq News", "Reuters", "Agence France-Presse", "Associated Press", "Al Jazeera", "BBC News",
              "Rudaw", "The National", "Anadolu Agency", "Kurdistan 24", "Xinhua", "Deutsche Welle")
MIN_PARAS, MAX_PARAS = 4, 10


def _seed_paragraphs() -> list[str]:
    out: list[str] = []
    for f in sorted(SEEDS.glob("*.txt")):
        lines = f.read_text(encoding="utf-8").split("\n")
        if lines and lines[0].lstrip().startswith("date ") and " / " in lines[0]:
            lines[0] = lines[0].split(" / ", 1)[1]  # drop the "date ... Publisher /" header
        out += [p.strip() for p in "\n".join(lines).split("\n\n") if p.strip()]
    return out


def _eval_sentences() -> list[str]:
    for d in EVAL_DIRS:
        files = sorted(d.glob("*.jsonl")) if d.is_dir() else []
        if files:
            return [json.loads(line)["text"].strip() for f in files
                    for line in f.read_text(encoding="utf-8").splitlines() if line.strip()]
    return []


def pool() -> list[str]:
    """Every paragraph the generator draws from (seed paragraphs + eval sentences)."""
    paras = _seed_paragraphs() + _eval_sentences()
    return list(dict.fromkeys(p for p in paras if len(p) > 20))


def articles(n: int, seed: int = 7, syndicated: float = 0.0) -> Iterator[dict]:
    """``n`` article records (the ``.jsonl`` reader's shape); ``syndicated`` is the share that are
    verbatim copies of an earlier article under another id and publisher."""
    rng = random.Random(seed)
    paras = pool()
    if not paras:
        raise SystemExit("no source paragraphs found (seeds/ and shared/eval/ are empty)")
    day0 = date(2019, 1, 1)
    made: list[dict] = []
    for i in range(n):
        if made and rng.random() < syndicated:
            orig = made[rng.randrange(len(made))]
            pub = rng.choice([p for p in PUBLISHERS if p != orig["source"]])
            rec = dict(orig, id=f"bench-{i:06d}", source=pub, url=f"https://example.org/{pub.split()[0].lower()}/{i}")
        else:
            k = rng.randint(MIN_PARAS, min(MAX_PARAS, len(paras)))
            text = "\n\n".join(rng.sample(paras, k))
            pub = rng.choice(PUBLISHERS)
            rec = {"id": f"bench-{i:06d}", "date": (day0 + timedelta(days=rng.randrange(1800))).isoformat(),
                   "source": pub, "title": text.split(".")[0][:90], "text": text,
                   "url": f"https://example.org/{pub.split()[0].lower()}/{i}"}
            if len(made) < 5000:
                made.append(rec)
        yield rec


def write(path: str | Path, n: int, seed: int = 7, syndicated: float = 0.0) -> Path:
    """Write ``n`` articles to a ``.jsonl`` file; returns its path."""
    p = Path(path)
    p.parent.mkdir(parents=True, exist_ok=True)
    with open(p, "w", encoding="utf-8") as fh:
        for rec in articles(n, seed, syndicated):
            fh.write(json.dumps(rec, ensure_ascii=False) + "\n")
    return p


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("n", type=int)
    ap.add_argument("out", type=Path)
    ap.add_argument("--seed", type=int, default=7)
    ap.add_argument("--syndicated", type=float, default=0.0, help="share of verbatim copies (0-1)")
    a = ap.parse_args()
    write(a.out, a.n, a.seed, a.syndicated)
    print(f"{a.n} articles -> {a.out}")


if __name__ == "__main__":
    main()
