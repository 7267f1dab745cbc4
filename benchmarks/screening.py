"""Screening benchmark: our default engine against ASReview's default, same priors and seeds.

For every labelled set in ``../shared/data/screening/`` and seeds 1..5 (``--seeds``):
our simulation (``review.screening.simulate``) and ``asreview simulate`` (its default
model, ELAS u4 in ASReview 2/3: bigram TF-IDF + linear SVM, balanced sampling) with the
same prior rows. Metrics (WSS@95, recall@10 %, ATD, loss) are computed by our metrics module
on both orders, priors removed. Also retrain + re-rank latency at 2,300 and 50,000 records
(synthetic large set built from the shared texts) and wall time per full simulation.

Usage:
    python benchmarks/screening.py                      # everything (ASReview runs are cached)
    python benchmarks/screening.py --skip-asreview      # ours + latency only
    python benchmarks/screening.py --only-asreview      # fill the ASReview cache
    python benchmarks/screening.py --thin 0.7 --thin-draw 15 --model svm-e8   # sets thinned at random

``--thin F --thin-draw D`` runs every set thinned at random to the share F of its records, draw D (a review the
seeds do not give): the rule of ``stopping_classifier.thinned_set`` (the same rng, the same kept records), written as
a CSV under ``$REVIEW_BENCH_CACHE/thinned/`` that both engines read as they read a full set, its name the set's with
``@thin70d15`` (F = 0.7, D = 15): the priors are drawn on it and both caches are keyed by it. ``--model`` runs ours
with another of src's model names (``svm-e8``: engine version 8), cached apart from the default.

Prints a table and one JSON line (``BENCH {...}``). ASReview is the optional ``bench`` extra:
``pip install -e ".[bench]"``.
"""

from __future__ import annotations

import argparse
import csv
import json
import os
import resource
import shutil
import sqlite3
import subprocess
import sys
import tempfile
import time
import zipfile
from pathlib import Path

import numpy as np

from review.screening import metrics
from review.screening.features import build_features
from review.screening.ranker import rank
from review.screening.simulate import LabelledSet, choose_priors, load_labelled_csv, simulate

HERE = Path(__file__).resolve().parent
REPO = HERE.parent
SHARED = Path(os.environ.get("REVIEW_SHARED", REPO.parent / "shared"))
DATA_DIR = SHARED / "data" / "screening"
CACHE = Path(os.environ.get("REVIEW_BENCH_CACHE", Path(tempfile.gettempdir()) / "review-bench-asreview"))
METRIC_NAMES = ("wss@95", "recall@10%", "atd", "loss")


def datasets() -> list[Path]:
    return sorted(DATA_DIR.glob("*.csv"))


# -- ASReview ----------------------------------------------------------------------------
def asreview_run(path: Path, data: LabelledSet, seed: int) -> dict:
    """Run ``asreview simulate`` with our priors (by row) and seed; cached per file+seed."""
    priors = choose_priors(data, seed)
    key = CACHE / f"{path.stem}-seed{seed}-{'-'.join(map(str, priors))}.json"
    if key.exists():
        return json.loads(key.read_text())
    exe = shutil.which("asreview")
    if exe is None:
        raise SystemExit("asreview is not installed: pip install -e '.[bench]'")
    row_of = {record_id: row for row, record_id in enumerate(data.ids)}
    with tempfile.TemporaryDirectory() as tmp:
        out = Path(tmp) / "sim.asreview"
        command = [exe, "simulate", str(path), "--prior-idx", *[str(row_of[p]) for p in priors],
                   "--seed", str(seed), "-o", str(out)]
        started, cpu_before = time.perf_counter(), _children_cpu()
        subprocess.run(command, check=True, capture_output=True, text=True)
        wall, cpu = time.perf_counter() - started, _children_cpu() - cpu_before
        with zipfile.ZipFile(out) as archive:
            archive.extract("results.db", tmp)
        with sqlite3.connect(Path(tmp) / "results.db") as conn:
            rows = dict(conn.execute("SELECT record_id, dataset_row FROM record"))
            labelled = [rows[r] for (r,) in conn.execute("SELECT record_id FROM results ORDER BY rowid")]
    order = [data.ids[row] for row in labelled]
    result = {"order": order, "priors": priors, "wall_s": round(wall, 2), "cpu_s": round(cpu, 2),
              "version": _asreview_version(exe)}
    CACHE.mkdir(parents=True, exist_ok=True)
    key.write_text(json.dumps(result))
    return result


def _children_cpu() -> float:
    usage = resource.getrusage(resource.RUSAGE_CHILDREN)
    return usage.ru_utime + usage.ru_stime


def _asreview_version(exe: str) -> str:
    """The version the ``asreview`` program run reports (it lives in its own environment: the
    package metadata of this Python said "unknown" in every cached run before 2026-12-05 16:20)."""
    try:
        done = subprocess.run([exe, "--version"], check=True, capture_output=True, text=True, timeout=60)
    except (OSError, subprocess.SubprocessError):  # informational only
        return "unknown"
    return done.stdout.strip().split()[-1] if done.stdout.strip() else "unknown"


def order_metrics(data: LabelledSet, order: list[int], priors: list[int]) -> dict:
    """Metrics of a (possibly truncated) order; unscreened records count as found last."""
    seen = set(order)
    rest = [r for r in data.ids if r not in seen]
    full = [r for r in order if r not in priors] + [r for r in rest if r not in priors]
    return metrics.all_metrics([data.labels[r] for r in full])


def _fingerprint() -> str:
    """Hash of the engine's source at import time: cached results of ours match the code run."""
    import hashlib

    import review.screening as package

    root = Path(package.__file__).parent
    digest = hashlib.sha256()
    for name in ("features.py", "models.py", "query.py", "ranker.py", "simulate.py", "metrics.py",
                 "stopping.py", "stopping_rate.py", "stopping_classifier.py"):
        digest.update((root / name).read_bytes())
    return digest.hexdigest()[:12]


ENGINE_FINGERPRINT = _fingerprint()


def engine_fingerprint() -> str:
    return ENGINE_FINGERPRINT


def our_run(path: Path, data: LabelledSet, seed: int, model: str = "default") -> dict:
    """Our engine (src's ``model``) on one set and seed (cached per engine source hash and model)."""
    named = "" if model == "default" else f"{model}-"  # the default's runs keep the names they were cached under
    key = CACHE / f"ours-{engine_fingerprint()}-{named}{path.stem}-seed{seed}.json"
    if key.exists():
        return json.loads(key.read_text())
    cpu_before = time.process_time()
    result = simulate(data, seed=seed, model=model)  # features built inside: part of the wall time
    row = {**{k: result.metrics[k] for k in METRIC_NAMES}, "wall_s": result.timings["total_s"],
           "cpu_s": round(time.process_time() - cpu_before, 2),
           "retrain_p95_ms": round(1000 * (result.timings["retrain_p95_s"] or 0), 1),
           "n_retrains": result.timings["n_retrains"], "model": result.model,
           **stopping_outcomes([data.labels[r] for r in result.order], result.stopping)}
    CACHE.mkdir(parents=True, exist_ok=True)
    key.write_text(json.dumps(row))
    return row


STOP_RULES = ("recommended", "certified")


def stopping_outcomes(order_labels: list[int], stopping: dict) -> dict:
    """Per rule: recall at its stop and excess effort, (screened at stop − needed for 95 %) / N.

    Priors included on both sides, as in ``stopping``; a rule that never fires stops at N.
    """
    labels = np.asarray(order_labels)
    n, total = labels.size, int(labels.sum())
    needed = int(np.searchsorted(np.cumsum(labels), int(np.ceil(0.95 * total - 1e-9))) + 1)
    out = {}
    for short in STOP_RULES:  # the rule each choice follows, as the simulation names it
        at = stopping[stopping[short]]["n_screened"] or n
        out[f"stop_{short}_recall"] = round(float(labels[:at].sum()) / total, 4)
        out[f"stop_{short}_excess"] = round((at - needed) / n, 4)
        out[f"stop_{short}_reached"] = float(labels[:at].sum() >= np.ceil(0.95 * total - 1e-9))
    return out


# -- thinned sets ------------------------------------------------------------------------
def thinned_csv(path: Path, fraction: float, draw: int, folder: Path) -> Path:
    """``path``'s records thinned to ``fraction`` at random by ``draw``, written to ``folder`` as a CSV with the
    same columns and the kept rows in file order; its path.

    The kept rows are ``stopping_classifier.thinned_set``'s (stop18), chosen by the one rule both harnesses use
    (``stopping_classifier.thinned_rows``). Written through a temporary file, so a cut run leaves no half file."""
    if str(HERE) not in sys.path:  # (its sibling, as the harnesses import each other)
        sys.path.insert(0, str(HERE))
    import stopping_classifier  # (only with --thin: it loads the development harness)

    with path.open(newline="", encoding="utf-8") as handle:
        reader = csv.reader(handle)
        header = next(reader)
        rows = list(reader)
    label = header.index("label_included")
    keep = stopping_classifier.thinned_rows([int(row[label].strip() == "1") for row in rows], path.stem, fraction, draw)
    name = stopping_classifier.thinned_name(path.stem, fraction, draw)
    folder.mkdir(parents=True, exist_ok=True)
    out = folder / f"{name}.csv"
    partial = out.with_suffix(".csv.part")
    with partial.open("w", newline="", encoding="utf-8") as handle:
        writer = csv.writer(handle)
        writer.writerow(header)
        writer.writerows(rows[i] for i in keep)
    partial.replace(out)
    return out


# -- latency -----------------------------------------------------------------------------
def synthetic_corpus(n_records: int, pool: list[tuple[str, int]],
                     rng: np.random.Generator) -> tuple[list[str], list[int]]:
    """``n_records`` texts drawn from ``pool`` (text, label) in seeded order; each a variant with a
    random tenth of its words dropped, so the rows differ."""
    texts: list[str] = []
    labels: list[int] = []
    while len(texts) < n_records:
        for i in rng.permutation(len(pool)):
            text, label = pool[i]
            words = text.split()
            keep = rng.random(len(words)) > 0.1
            texts.append(" ".join(w for w, k in zip(words, keep, strict=True) if k))
            labels.append(label)
            if len(texts) == n_records:
                break
    return texts, labels


def latency(n_records: int, base: list[LabelledSet], *, n_labelled: int = 200, repeats: int = 20,
            model: str = "default", warm: bool = False) -> dict:
    """p50/p95 of one retrain + re-rank (``model``) on ``n_records`` records; ``warm``: each fit
    starts from the previous one's weights, as in a screening session (else from zero)."""
    rng = np.random.default_rng(7)
    texts, labels = synthetic_corpus(n_records, [(t, d.labels[r]) for d in base for r, t in zip(d.ids, d.texts)], rng)
    ids = list(range(1, n_records + 1))
    started = time.perf_counter()
    features = build_features(ids, texts)
    build = time.perf_counter() - started
    labelled = rng.choice(n_records, size=n_labelled, replace=False)
    relevant = [i for i, y in enumerate(labels) if y][:5]
    known = {ids[i]: labels[i] for i in labelled} | {ids[i]: 1 for i in relevant}
    times = []
    previous = rank(features, known, seed=repeats, model=model) if warm else None
    for repeat in range(repeats):
        extra = int(rng.integers(0, n_records))
        known[ids[extra]] = labels[extra]
        started = time.perf_counter()
        ranking = rank(features, known, seed=repeat, model=model, previous=previous)
        times.append(time.perf_counter() - started)
        previous = ranking if warm else None
    return {"n_records": n_records, "n_labelled": len(known), "feature_build_s": round(build, 2), "model": model,
            "warm": warm,
            "p50_ms": round(1000 * float(np.quantile(times, 0.5)), 1),
            "p95_ms": round(1000 * float(np.quantile(times, 0.95)), 1)}


# -- main --------------------------------------------------------------------------------
def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--seeds", type=int, nargs="+", default=[1, 2, 3, 4, 5])
    parser.add_argument("--skip-asreview", action="store_true")
    parser.add_argument("--only-asreview", action="store_true")
    parser.add_argument("--only-ours", action="store_true", help="Fill our cache; print nothing.")
    parser.add_argument("--skip-latency", action="store_true")
    parser.add_argument("--sets", nargs="+", help="Only these set names (file stems).")
    parser.add_argument("--model", default="default", help="Our engine's model name (src's, e.g. svm-e8).")
    parser.add_argument("--thin", type=float, help="Run each set thinned at random to this share of its records.")
    parser.add_argument("--thin-draw", type=int, help="The draw that thins the sets (with --thin).")
    args = parser.parse_args()
    if (args.thin is None) != (args.thin_draw is None):
        raise SystemExit("--thin and --thin-draw go together")
    files = [f for f in datasets() if not args.sets or f.stem in args.sets]
    if not files:
        raise SystemExit(f"no labelled sets in {DATA_DIR}")
    if args.thin is not None:
        files = [thinned_csv(f, args.thin, args.thin_draw, CACHE / "thinned") for f in files]
    loaded = {path.stem: load_labelled_csv(path) for path in files}
    per_set: dict[str, dict] = {}
    for path in files:
        data = loaded[path.stem]
        ours, theirs = [], []
        for seed in args.seeds:
            if not args.only_asreview:
                ours.append(our_run(path, data, seed, args.model))
            if not args.skip_asreview and not args.only_ours:
                run = asreview_run(path, data, seed)
                found = order_metrics(data, run["order"], run["priors"])
                theirs.append({**{k: found[k] for k in METRIC_NAMES}, "wall_s": run["wall_s"],
                               "cpu_s": run.get("cpu_s", float("nan"))})
            print(f"  {path.stem} seed {seed} done", file=sys.stderr, flush=True)
        per_set[path.stem] = {"ours": _means(ours), "asreview": _means(theirs)}
    if args.only_asreview or args.only_ours:
        return
    summary = {"ours": _overall(per_set, "ours"), "asreview": _overall(per_set, "asreview")}
    lat = {} if args.skip_latency else {
        "2300": latency(2300, list(loaded.values())), "50000": latency(50_000, list(loaded.values())),
    }
    thin = None if args.thin is None else {"fraction": args.thin, "draw": args.thin_draw}
    _print_table(per_set, summary, lat, args.seeds, args.model, thin)
    print("BENCH " + json.dumps({"benchmark": "screening", "seeds": args.seeds, "model": args.model, "thin": thin,
                                 "per_set": per_set, "mean": summary, "latency": lat}))


def _means(rows: list[dict]) -> dict:
    if not rows:
        return {}
    numeric = [k for k, v in rows[0].items() if isinstance(v, (int, float))]
    # nanmean: ASReview runs cached before CPU time was recorded have cpu_s = NaN.
    return {k: round(float(np.nanmean([r.get(k, float("nan")) for r in rows])), 4)
            if not all(np.isnan(r.get(k, float("nan"))) for r in rows) else None for k in numeric}


def _overall(per_set: dict, who: str) -> dict:
    rows = [v[who] for v in per_set.values() if v[who]]
    return _means(rows) if rows else {}


def _print_table(per_set: dict, summary: dict, lat: dict, seeds: list[int], model: str = "default",
                 thin: dict | None = None) -> None:
    head = (f"{'set':<46} {'engine':<9} {'WSS@95':>7} {'rec@10%':>8} {'ATD':>7} {'loss':>7} {'wall s':>7}"
            f" {'cpu s':>7}")
    thinned = "" if thin is None else f", sets thinned to {thin['fraction']:g} of their records (draw {thin['draw']})"
    print(f"Screening benchmark, seeds {seeds}, 1+1 priors (priors excluded from metrics), ours = {model}{thinned}")
    print(head)
    print("-" * len(head))
    for name, result in [*per_set.items(), ("MEAN", summary)]:
        for who in ("ours", "asreview"):
            m = result.get(who) or {}
            if not m:
                continue
            print(f"{name:<46} {who:<9} {m['wss@95']:>7.3f} {m['recall@10%']:>8.3f} {m['atd']:>7.3f} "
                  f"{m['loss']:>7.3f} {m['wall_s']:>7.1f} {m.get('cpu_s') or float('nan'):>7.1f}")
    both = [(v["ours"], v["asreview"]) for v in per_set.values() if v["ours"] and v["asreview"]]
    if both:
        gaps = [o["wss@95"] - a["wss@95"] for o, a in both]
        print(f"WSS@95 ours - ASReview: better on {sum(g > 0 for g in gaps)} of {len(gaps)} sets, "
              f"worst {min(gaps):+.3f}; wall-time ratio ASReview/ours per set "
              + ", ".join(f"{a['wall_s'] / o['wall_s']:.1f}" for o, a in both))
    print("\nStopping (ours), per set: share of runs with recall >= 0.95 at the stop, mean excess effort")
    print(f"{'set':<46} {'recommended':>18} {'certified':>18}")
    for name, result in [*per_set.items(), ("MEAN", summary)]:
        m = result.get("ours") or {}
        if "stop_recommended_reached" not in m:
            continue
        cells = "".join(f" {m[f'stop_{r}_reached']:>8.2f} / {m[f'stop_{r}_excess']:>+6.3f}" for r in STOP_RULES)
        print(f"{name:<46}{cells}")
    for size, row in lat.items():
        print(f"retrain+rerank at {int(size):>6,} records ({row['n_labelled']} labelled): "
              f"p50 {row['p50_ms']} ms, p95 {row['p95_ms']} ms (feature build {row['feature_build_s']} s)")


if __name__ == "__main__":
    main()
