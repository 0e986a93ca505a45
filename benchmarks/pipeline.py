"""Pipeline throughput: bare spaCy vs the full build, memory with corpus size, process speed-up.

Measured in one run, each in its own child process (so peak memory is that of the measurement):

* ``spacy``  — ``nlp.pipe`` over the corpus texts with the bare model (the floor), measured before,
  between and after the builds; ``spacy-ruler`` is our pipeline without extraction (the model with
  ``kg.rule_pipes`` and the actor_ruler)
* ``build``  — ``kg.pipeline.build`` (read + extract + RDF + SHACL + store; no exports), 1 process,
  after a warm-up build of the first 8 articles into a throw-away store (as the spaCy runs warm up
  on 8 texts: one-time loads stay out of the timing),
  ``--rounds`` times (default 2), each between two bare-model runs: the machines here drift by 10-30%
  within minutes, so each build is compared with the floor measured around it, and the median is
  reported
* ``build --workers N`` — the same with N worker processes, run right after each 1-process build
  (the pair sees the same machine; the speed-up is the median of the rounds' ratios). Reported
  twice: **cold**, both builds timed from the moment their process is spawned to the end of the
  build (interpreter, imports, model loads, first-use loads; the 1-process warm-up's own 8 articles
  taken out at the build's rate): what ``kg build`` vs ``kg build --workers N`` costs a user; and
  **conservative**, against the 1-process build with its model already loaded and warmed up (the
  N-worker build still pays its workers' start-up)
* ``spacy-part`` — the bare model in N processes at once, 1/N of the texts each, started together:
  the most N processes can gain on this machine (the ceiling of the speed-up above)
* ``--scale`` — peak memory of the build at 1,000 and at 10,000 articles (long: tens of minutes)

The corpus is built offline by ``benchmarks/corpus.py`` (seed + eval sentences re-combined,
deterministic). Usage::

    python benchmarks/pipeline.py [--n 2000] [--workers 2] [--rounds 2] [--scale] [--seed 7]
"""
from __future__ import annotations

import argparse
import json
import os
import resource
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE))
if str(HERE.parent) not in sys.path:  # the checkout's kg/, also when it is not pip-installed
    sys.path.insert(1, str(HERE.parent))

import corpus  # noqa: E402  (benchmarks/corpus.py)


def _peak_mb() -> dict[str, float]:
    """Peak resident memory (MB) of this process and of its largest finished child (workers), and
    the CPU seconds each side used."""
    own, kids = resource.getrusage(resource.RUSAGE_SELF), resource.getrusage(resource.RUSAGE_CHILDREN)
    return {"peak_mb": round(own.ru_maxrss / 1024, 1), "peak_child_mb": round(kids.ru_maxrss / 1024, 1),
            "cpu_s": round(own.ru_utime + own.ru_stime, 1), "cpu_child_s": round(kids.ru_utime + kids.ru_stime, 1)}


# ----------------------------------------------------------------------------- child measurements

def child_spacy(src: Path, batch_size: int, ruler: bool = False, part: tuple[int, int] = (0, 1),
                start_at: float | None = None) -> dict:
    """``nlp.pipe`` over the texts: the bare model (the floor), or with our actor_ruler (``ruler``).
    ``part`` ``(k, m)``: only every m-th text from the k-th; ``start_at``: a ``time.time()`` to wait
    for after the model load and warm-up (so that parallel children start together)."""
    from kg.nlp import get_nlp, load_model
    from kg.readers import read_paths

    nlp = get_nlp() if ruler else load_model()
    texts = [a.text for a in read_paths([src]) if hasattr(a, "text")]
    list(nlp.pipe(texts[:8]))  # warm-up: lazy initialisation inside the pipes
    k, m = part
    texts = texts[k::m]
    if start_at is not None:
        time.sleep(max(0.0, start_at - time.time()))
    began = time.time()
    t, c = time.perf_counter(), time.process_time()
    for _doc in nlp.pipe(texts, batch_size=batch_size):
        pass
    return {"seconds": time.perf_counter() - t, "cpu": time.process_time() - c, "articles": len(texts),
            "began": began, "ended": time.time(), **_peak_mb()}


def parallel_floor(src: Path, batch_size: str, m: int, lead: float = 15.0) -> dict:
    """The bare model in ``m`` processes at once, each on 1/m of the texts, started together after
    their model loads: how much faster m processes can run the model on this machine at all (the
    ceiling of any m-process speed-up here; CPUs shared with other machines' loads give less than m)."""
    start_at = time.time() + lead
    cmd = [sys.executable, str(Path(__file__).resolve()), "--child", "spacy-part", str(src), batch_size]
    procs = [subprocess.Popen([*cmd, str(k), str(m), repr(start_at)], stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                              text=True) for k in range(m)]
    outs = []
    for proc in procs:
        out, err = proc.communicate()
        if proc.returncode != 0:
            raise SystemExit(f"child spacy-part failed:\n{err[-3000:]}")
        outs.append(json.loads(out.strip().splitlines()[-1]))
    late = max(r["began"] for r in outs) - start_at  # > 0: a child was still loading at start_at
    return {"seconds": max(r["ended"] for r in outs) - start_at, "late_s": late,
            "articles": sum(r["articles"] for r in outs), "cpu": sum(r["cpu"] for r in outs),
            "peak_mb": max(r["peak_mb"] for r in outs)}


def _rss_mb(pid: int | str = "self") -> float:
    """Resident memory (MB) of a process now, 0 when it is gone."""
    try:
        with open(f"/proc/{pid}/status", encoding="ascii") as f:
            return next((int(line.split()[1]) / 1024 for line in f if line.startswith("VmRSS:")), 0.0)
    except OSError:
        return 0.0


class RssSampler:
    """Samples this process' resident memory and its largest child's (workers) every ``every``
    seconds in a background thread (Linux ``/proc``; nothing is sampled elsewhere)."""

    def __init__(self, every: float = 1.0) -> None:
        import threading

        self.every, self.samples = every, []  # (seconds since start, own MB, largest child MB)
        self._stop = threading.Event()
        self._t0 = time.perf_counter()
        self._thread = threading.Thread(target=self._run, daemon=True)
        self._thread.start()

    def _run(self) -> None:
        me = os.getpid()
        while not self._stop.wait(self.every):
            try:
                with open(f"/proc/{me}/task/{me}/children", encoding="ascii") as f:
                    kids = f.read().split()
            except OSError:
                kids = []
            self.samples.append((time.perf_counter() - self._t0, _rss_mb(), max((_rss_mb(k) for k in kids), default=0.0)))

    def stop(self, points: int = 10) -> list[tuple[float, float, float]]:
        """(fraction of the run, own MB, largest child MB) at ``points`` even steps of the run."""
        self._stop.set()
        self._thread.join()
        if not self.samples:
            return []
        end = self.samples[-1][0]
        out = []
        for k in range(1, points + 1):
            t = end * k / points
            _, own, kid = min(self.samples, key=lambda smp: abs(smp[0] - t))
            out.append((k / points, round(own), round(kid)))
        return out


def child_build(src: Path, out: Path, workers: int, batch_size: int, spawned: float | None = None) -> dict:
    """``build()`` of the corpus. ``spawned``: the parent's ``time.time()`` when it started this
    process, for ``cold_s``: spawn to the end of the build (interpreter, imports, model load,
    first-use loads and the build; for 1 process less the warm-up's own articles at the build's
    rate), what ``kg build [--workers N]`` costs a user."""
    from kg.nlp import get_nlp
    from kg.pipeline import build

    startup = 0.0
    if workers == 1:  # one-time costs outside the timing, as child_spacy's model load and warm-up;
        t = time.perf_counter()  # worker pools pay theirs inside it
        get_nlp()
        _warm_up(src, WARM_UP)
        startup = time.perf_counter() - t
    t, c = time.perf_counter(), time.process_time()
    sampler = RssSampler()
    s = build([src], out, export=False, workers=workers, batch_size=batch_size)
    seconds, cpu = time.perf_counter() - t, time.process_time() - c
    cold = None
    if spawned is not None:
        cold = time.time() - spawned - (WARM_UP * seconds / max(1, s.read) if workers == 1 else 0.0)
    return {"seconds": seconds, "cpu": cpu, "startup_s": startup, "cold_s": cold, "rss_curve": sampler.stop(),
            "articles": s.read, "stored": s.stored, "failed": s.failed,
            "duplicates": s.duplicates, "quads": s.triples, **_peak_mb()}


#: articles built by the 1-process warm-up
WARM_UP = 8


def _warm_up(src: Path, n: int = WARM_UP) -> None:
    """Build the corpus' first ``n`` articles into a throw-away store: the lazy one-time loads
    (shapes graph, place index, dictionaries, lexicon, date parser; ~2 s) happen here, as
    child_spacy's ``nlp.pipe(texts[:8])`` warms the model up before its timing."""
    import shutil

    from kg.pipeline import build

    with tempfile.TemporaryDirectory(prefix="kg-warm-") as tmp:
        first = Path(tmp) / "first.jsonl"
        with open(src, encoding="utf-8") as f, open(first, "w", encoding="utf-8") as out:
            for _ in range(n):
                line = f.readline()
                if not line:
                    break
                out.write(line)
        build([first], Path(tmp) / "out", export=False)
        shutil.rmtree(Path(tmp) / "out", ignore_errors=True)


def run_child(*args: str) -> dict:
    cmd = [sys.executable, str(Path(__file__).resolve()), "--child", *args]
    if args[0] == "build":
        cmd.append(repr(time.time()))  # the spawn time, for the child's cold_s
    proc = subprocess.run(cmd, capture_output=True, text=True, check=False)
    if proc.returncode != 0:
        raise SystemExit(f"child {' '.join(args)} failed:\n{proc.stderr[-3000:]}")
    return json.loads(proc.stdout.strip().splitlines()[-1])


# ----------------------------------------------------------------------------- report

def _row(name: str, r: dict, base: float | None = None) -> str:
    rate = r["articles"] / r["seconds"] if r["seconds"] else 0.0
    ratio = f"{r['seconds'] / base:5.2f}x" if base else "  1.00x"
    peak = f"{r['peak_mb']:7.0f}" + (f" (+{r['peak_child_mb']:.0f}/worker)" if r.get("peak_child_mb") else "")
    return f"| {name:<34} | {r['articles']:>7} | {r['seconds']:8.1f} | {rate:8.2f} | {ratio} | {peak} |"


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--n", type=int, default=2000, help="articles in the corpus (default 2000)")
    ap.add_argument("--seed", type=int, default=7)
    ap.add_argument("--workers", type=int, default=2, help="workers for the speed-up row (0: skip)")
    ap.add_argument("--batch-size", type=int, default=32)
    ap.add_argument("--rounds", type=int, default=2,
                    help="rounds of (1-process build, --workers N build, bare-model run) after a first bare run "
                         "(default 2; the ratios are the rounds' medians)")
    ap.add_argument("--scale", action="store_true", help="also peak memory at 1,000 vs 10,000 articles")
    ap.add_argument("--scale-workers", type=int, default=1, help="workers for the --scale builds")
    ap.add_argument("--scale-only", action="store_true", help="only the --scale memory rows")
    ap.add_argument("--child", nargs="+", help=argparse.SUPPRESS)
    a = ap.parse_args()

    if a.child:
        mode, *rest = a.child
        if mode in ("spacy", "spacy-ruler"):
            res = child_spacy(Path(rest[0]), int(rest[1]), ruler=mode == "spacy-ruler")
        elif mode == "spacy-part":
            res = child_spacy(Path(rest[0]), int(rest[1]), part=(int(rest[2]), int(rest[3])), start_at=float(rest[4]))
        else:
            res = child_build(Path(rest[0]), Path(rest[1]), int(rest[2]), int(rest[3]),
                              float(rest[4]) if len(rest) > 4 else None)
        print(json.dumps(res))
        return

    tmp = Path(tempfile.mkdtemp(prefix="kg-bench-"))
    bs = str(a.batch_size)
    print(f"{os.cpu_count()} CPUs, load average at start {os.getloadavg()[0]:.2f}, batch {bs}", flush=True)
    if not a.scale_only:
        main_rows(a, tmp, bs)
    if a.scale or a.scale_only:
        scale_rows(a, tmp, bs)
    print(f"load average at end {os.getloadavg()[0]:.2f} (other processes share the CPUs)")
    print(f"(work files in {tmp})")


def main_rows(a: argparse.Namespace, tmp: Path, bs: str) -> None:
    src = corpus.write(tmp / f"corpus-{a.n}.jsonl", a.n, a.seed)
    print(f"corpus: {a.n} articles ({src.stat().st_size / 1e6:.1f} MB)", flush=True)
    bares = [run_child("spacy", str(src), bs)]
    print(f"spaCy nlp.pipe, bare model: {bares[0]['seconds']:.1f} s", flush=True)
    ruler_r = run_child("spacy-ruler", str(src), bs)
    print(f"spaCy nlp.pipe, our pipeline (rule pipes + actor_ruler): {ruler_r['seconds']:.1f} s", flush=True)
    builds, manys, ratios = [], [], []
    for k in range(a.rounds):  # bare, (build, build --workers N, bare) x rounds
        builds.append(run_child("build", str(src), str(tmp / f"out-1-{k}"), "1", bs))
        print(f"build, 1 process (round {k + 1}): {builds[-1]['seconds']:.1f} s", flush=True)
        if a.workers > 1:  # right after its 1-process build: the pair sees the same machine
            manys.append(run_child("build", str(src), str(tmp / f"out-{a.workers}-{k}"), str(a.workers), bs))
            print(f"build, --workers {a.workers} (round {k + 1}): {manys[-1]['seconds']:.1f} s", flush=True)
        bares.append(run_child("spacy", str(src), bs))  # the floor again: the machine drifts
        print(f"spaCy nlp.pipe, bare model (again): {bares[-1]['seconds']:.1f} s", flush=True)
        flank = (bares[-2]["seconds"] + bares[-1]["seconds"]) / 2
        flank_cpu = (bares[-2]["cpu"] + bares[-1]["cpu"]) / 2
        ratios.append((builds[-1]["seconds"] / flank, builds[-1]["cpu"] / flank_cpu))
    floor = {k: sum(b[k] for b in bares) / len(bares) for k in ("seconds", "cpu")}
    rows = [_row("spaCy nlp.pipe, bare model (floor)", {**bares[0], **floor}),
            _row("spaCy, our pipeline, no extraction", ruler_r, floor["seconds"])]
    for k, r in enumerate(builds):
        rows.append(_row(f"kg build, 1 process (round {k + 1})", r, floor["seconds"]))
        if manys:
            rows.append(_row(f"kg build --workers {a.workers} (round {k + 1})", manys[k], floor["seconds"]))
    ceiling = None
    if manys:
        ceiling = parallel_floor(src, bs, a.workers)
        rows.append(_row(f"spaCy bare, {a.workers} processes at once", ceiling, floor["seconds"]))
        bares.append(run_child("spacy", str(src), bs))  # flanks the parallel run with bares[-2]
        print(f"spaCy nlp.pipe, bare model (again): {bares[-1]['seconds']:.1f} s", flush=True)
        ceiling["flank"] = (bares[-2]["seconds"] + bares[-1]["seconds"]) / 2
    print()
    print("| run                                | articles | seconds | art/s    | vs spaCy | peak MB |")
    print("|------------------------------------|---------:|--------:|---------:|---------:|--------:|")
    print("\n".join(rows))
    print()
    print("floor: bare model " + ", ".join(f"{b['seconds']:.1f} s" for b in bares)
          + " (before, between and after the builds" + (", and after the parallel run)" if manys else ")"))
    for k, (wall, cpu) in enumerate(ratios):
        print(f"round {k + 1}: full build / bare spaCy (the two runs around it): {wall:.2f}x wall, {cpu:.2f}x CPU")
    print(f"full build / bare spaCy: median {statistics.median(w for w, _ in ratios):.2f}x wall, "
          f"{statistics.median(c for _, c in ratios):.2f}x CPU (goal <= 1.5x)")
    if manys:
        warm, cold = [], []
        for k, (one, many) in enumerate(zip(builds, manys)):
            warm.append(one["seconds"] / many["seconds"])
            cold.append(one["cold_s"] / many["cold_s"])
            print(f"round {k + 1}: --workers {a.workers} speed-up {cold[-1]:.2f}x cold ({one['cold_s']:.1f} s / "
                  f"{many['cold_s']:.1f} s), {warm[-1]:.2f}x against the warm 1-process build "
                  f"({one['seconds']:.1f} s; its model load + first-use loads {one['startup_s']:.1f} s)")
        print(f"--workers {a.workers} speed-up (goal >= 1.7x on 2 cores): median {statistics.median(cold):.2f}x cold, "
              f"both timed from process start to the end of the build, as a user runs `kg build`; median "
              f"{statistics.median(warm):.2f}x against the 1-process build with its model already loaded and "
              f"warmed up (conservative)")
        print(f"the bare model itself runs {ceiling['flank'] / ceiling['seconds']:.2f}x faster in {a.workers} processes "
              f"at once (1/{a.workers} of the texts each) than in 1 (the bare runs just before and after): the "
              f"ceiling of any {a.workers}-process speed-up on this machine"
              + (f" (a child started {ceiling['late_s']:.1f} s late)" if ceiling["late_s"] > 0.5 else ""))
    last = builds[-1]
    print(f"stored {last['stored']}, failed {last['failed']}, syndicated {last['duplicates']}, quads {last['quads']}")
    print(f"CPU seconds: 1 process {last['cpu_s']:.0f}" + (
        f"; --workers {a.workers}: driver {manys[-1]['cpu_s']:.0f} + workers {manys[-1]['cpu_child_s']:.0f}"
        if manys else ""))


def scale_rows(a: argparse.Namespace, tmp: Path, bs: str) -> None:
    print()
    print(f"| articles | seconds | art/s | peak MB (driver) | peak MB (worker) |   [--workers {a.scale_workers}]")
    print("|---------:|--------:|------:|-----------------:|-----------------:|")
    peaks, curves = [], []
    for n in (1000, 10000):
        s = corpus.write(tmp / f"scale-{n}.jsonl", n, a.seed)
        r = run_child("build", str(s), str(tmp / f"scale-out-{n}"), str(a.scale_workers), bs)
        peaks.append(max(r["peak_mb"], r["peak_child_mb"]))
        print(f"| {n:>8} | {r['seconds']:7.1f} | {n / r['seconds']:5.2f} | {r['peak_mb']:16.0f} | "
              f"{r['peak_child_mb']:16.0f} |", flush=True)
        curves.append((n, r["rss_curve"]))
    print(f"peak memory 10k / 1k: {peaks[1] / peaks[0]:.2f}x (goal: flat)")
    for n, curve in curves:  # resident memory while the build runs, at each tenth of it
        print(f"RSS over the {n}-article build (MB at 10%, 20%, ... 100%): driver "
              + " ".join(f"{own:.0f}" for _, own, _ in curve)
              + ("; largest worker " + " ".join(f"{kid:.0f}" for _, _, kid in curve) if a.scale_workers > 1 else ""))


if __name__ == "__main__":
    main()
