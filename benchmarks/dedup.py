"""Deduplication benchmark: accuracy on labelled CSVs (beside bib-dedupe) and speed at scale.

    python benchmarks/dedup.py ../shared/data/dedup/*.csv          # accuracy table
    python benchmarks/dedup.py --scale                              # 1k → 100k timings
    python benchmarks/dedup.py FILE.csv --no-bib-dedupe
    python benchmarks/dedup.py ../shared/data/dedup/*.csv --no-bib-dedupe --errors   # false merges, split groups
    python benchmarks/dedup.py ../shared/data/dedup/*.csv --generalise \
        --bib-dedupe-python ~/venvs/bib-dedupe/bin/python          # cross-validation + drift

``--bib-dedupe-python`` names a Python where bib-dedupe is installed, apart from review's (its
pandas pins may clash): ``python -m venv ~/venvs/bib-dedupe && ~/venvs/bib-dedupe/bin/pip install
bib-dedupe``. One that lacks it is said in one line and the run goes on without bib-dedupe.

``--generalise`` judges the rules on what they were not written for:
* cross-validation: the score thresholds are tuned on one labelled set by a rule fixed in
  advance (``tune_thresholds``) and applied to the other, both ways;
* drift: ``review.dedup.drift`` corrupts one member of every true duplicate group of each set
  and of the demo corpus (seeds ``--seeds``), recall is also reported per drift kind.
bib-dedupe runs beside on the same records (in a subprocess, results cached in
``benchmarks/out/cache``).

Metrics (see shared/docs/dedup_notes.md):
* pair precision/recall/F1 over the transitive closure of predicted clusters vs ``dup_group``;
* record-level sensitivity/specificity as ASySD and bib-dedupe report them (keep the lowest
  record_id per predicted cluster; a true group with k kept records of n: k=0 → 1 FP and n−1
  TP, k≥1 → 1 TN, k−1 FN, n−k TP);
* false merges: for each predicted cluster, the number of distinct true groups in it minus one
  (``--errors`` lists them, and every true group split over clusters, with ids and titles);
* cluster level: true groups of 2+ records found whole (``groups``), merged clusters holding one
  true group only (``pure``);
* borderline: pairs left for a human (not merged), also as a share of records;
* recall after review: as if a reviewer answered every borderline pair correctly.
Prints a table and one JSON line.
"""

from __future__ import annotations

import argparse
import csv
import hashlib
import io
import itertools
import json
import os
import random
import string
import subprocess
import sys
import tempfile
import time
from collections import defaultdict
from collections.abc import Sequence
from pathlib import Path

from review.dedup.csvio import load_records_csv
from review.dedup.drift import DEFAULT_RATES, KINDS, drift
from review.dedup.engine import deduplicate
from review.dedup.rules import Thresholds
from review.records import Record

# -- metrics --------------------------------------------------------------------------------


def _pairs(groups: dict[str, list[int]]) -> set[tuple[int, int]]:
    out = set()
    for members in groups.values():
        out.update(itertools.combinations(sorted(members), 2))
    return out


def score(truth: Sequence[str], predicted: Sequence[int], ids: Sequence[str],
          n_borderline: int = 0, borderline_true: int = 0,
          reviewed: Sequence[int] | None = None) -> dict[str, float]:
    """Accuracy of a clustering (``predicted[i]`` = cluster label of record i) against truth."""
    n = len(truth)
    true_groups: dict[str, list[int]] = defaultdict(list)
    pred_groups: dict[int, list[int]] = defaultdict(list)
    for i in range(n):
        true_groups[truth[i]].append(i)
        pred_groups[predicted[i]].append(i)
    true_pairs, pred_pairs = _pairs(true_groups), _pairs(pred_groups)
    tp = len(true_pairs & pred_pairs)
    reviewed_tp = tp
    precision = tp / len(pred_pairs) if pred_pairs else 1.0
    recall = tp / len(true_pairs) if true_pairs else 1.0
    f1 = 2 * precision * recall / (precision + recall) if precision + recall else 0.0
    # Record-level (ASySD / bib-dedupe): keep the lowest record_id of each predicted cluster.
    kept = {min(members, key=lambda i: ids[i]) for members in pred_groups.values()}
    r_tp = r_fp = r_tn = r_fn = 0
    for members in true_groups.values():
        k = sum(1 for m in members if m in kept)
        if k == 0:
            r_fp += 1
            r_tp += len(members) - 1
        else:
            r_tn += 1
            r_fn += k - 1
            r_tp += len(members) - k
    false_merges = sum(len({truth[m] for m in members}) - 1 for members in pred_groups.values())
    # Cluster level: true groups of 2+ records found whole (one cluster, nothing else in it), and
    # merged clusters holding one true group only (at most part of it).
    predicted_sets = {frozenset(m) for m in pred_groups.values()}
    true_multi = [frozenset(m) for m in true_groups.values() if len(m) > 1]
    merged = [m for m in pred_groups.values() if len(m) > 1]
    groups_whole = sum(g in predicted_sets for g in true_multi)
    clusters_pure = sum(len({truth[i] for i in m}) == 1 for m in merged)
    out = {
        "records": n, "true_pairs": len(true_pairs), "predicted_pairs": len(pred_pairs), "tp": tp,
        "precision": precision, "recall": recall, "f1": f1,
        "rec_sensitivity": r_tp / (r_tp + r_fn) if r_tp + r_fn else 1.0,
        "rec_specificity": r_tn / (r_tn + r_fp) if r_tn + r_fp else 1.0,
        "rec_fp": r_fp, "false_merges": false_merges,
        "false_merges_per_1000": 1000 * false_merges / n if n else 0.0,
        "borderline": n_borderline, "borderline_share": n_borderline / n if n else 0.0,
        "borderline_true": borderline_true,
        "true_groups": len(true_multi), "groups_whole": groups_whole,
        "group_recall": groups_whole / len(true_multi) if true_multi else 1.0,
        "merged_clusters": len(merged), "clusters_pure": clusters_pure,
        "cluster_purity": clusters_pure / len(merged) if merged else 1.0,
    }
    if reviewed is not None:
        groups: dict[int, list[int]] = defaultdict(list)
        for i in range(n):
            groups[reviewed[i]].append(i)
        reviewed_tp = len(true_pairs & _pairs(groups))
        out["recall_after_review"] = reviewed_tp / len(true_pairs) if true_pairs else 1.0
    out["tp_after_review"] = reviewed_tp
    return out


def error_listing(records: Sequence[Record], truth: Sequence[str], predicted: Sequence[int],
                  borderline: set[tuple[int, int]] | frozenset[tuple[int, int]] = frozenset()) -> dict[str, list[dict[str, object]]]:
    """Every false merge (a cluster holding records of two or more true groups) and every true
    group split over clusters (missed pairs), with record ids, groups and titles, for reading by
    hand; ``borderline`` (index pairs, left < right) counts the split pairs sent to a reviewer."""
    ids = [r.external_id for r in records]
    clusters: dict[int, list[int]] = defaultdict(list)
    groups: dict[str, list[int]] = defaultdict(list)
    for i in range(len(records)):
        clusters[predicted[i]].append(i)
        groups[truth[i]].append(i)
    false_merges = [
        {"records": [ids[i] for i in members], "groups": sorted({truth[i] for i in members}),
         "titles": [records[members[0]].title] + [records[i].title for i in members[1:]
                                                  if truth[i] != truth[members[0]]][:3]}
        for members in clusters.values() if len({truth[i] for i in members}) > 1]
    split = []
    for label, members in groups.items():
        parts: dict[int, list[int]] = defaultdict(list)
        for i in members:
            parts[predicted[i]].append(i)
        if len(parts) < 2:
            continue
        ordered = sorted(parts.values())
        sent = sum((min(a, b), max(a, b)) in borderline for x, part in enumerate(ordered) for other in ordered[x + 1:]
                   for a in part for b in other)
        split.append({"group": label, "clusters": [[ids[i] for i in part] for part in ordered],
                      "borderline_pairs": sent, "titles": [records[part[0]].title for part in ordered][:3]})
    return {"false_merges": false_merges, "split_groups": split}


def print_errors(name: str, listing: dict[str, list[dict[str, object]]]) -> None:
    print(f"\n{name}: {len(listing['false_merges'])} false merges, {len(listing['split_groups'])} true groups split")
    for merge in listing["false_merges"]:
        print(f"  FALSE MERGE {' '.join(merge['records'])} (groups {', '.join(merge['groups'])}): "  # type: ignore[arg-type]
              + " | ".join(str(t)[:70] for t in merge["titles"]))  # type: ignore[attr-defined]
    for group in listing["split_groups"]:
        parts = " / ".join(" ".join(part) for part in group["clusters"])  # type: ignore[attr-defined]
        print(f"  split {group['group']}: {parts} ({group['borderline_pairs']} pairs to review): "
              + " | ".join(str(t)[:70] for t in group["titles"]))  # type: ignore[attr-defined]


def pooled(rows: Sequence[dict[str, float]]) -> dict[str, float]:
    """Pair metrics over several runs, from their summed counts (not a mean of ratios)."""
    total = {k: sum(float(r[k]) for r in rows)
             for k in ("records", "true_pairs", "predicted_pairs", "tp", "tp_after_review",
                       "false_merges", "borderline")}
    return {
        **total,
        "precision": total["tp"] / total["predicted_pairs"] if total["predicted_pairs"] else 1.0,
        "recall": total["tp"] / total["true_pairs"] if total["true_pairs"] else 1.0,
        "recall_after_review": total["tp_after_review"] / total["true_pairs"] if total["true_pairs"] else 1.0,
        "false_merges_per_1000": 1000 * total["false_merges"] / total["records"] if total["records"] else 0.0,
        "borderline_share": total["borderline"] / total["records"] if total["records"] else 0.0,
    }


def _closure(n: int, clusters: list[list[int]], extra_edges: list[tuple[int, int]]) -> list[int]:
    parent = list(range(n))

    def find(x: int) -> int:
        while parent[x] != x:
            parent[x] = parent[parent[x]]
            x = parent[x]
        return x

    for members in clusters:
        for m in members[1:]:
            parent[find(m)] = find(members[0])
    for a, b in extra_edges:
        parent[find(a)] = find(b)
    return [find(i) for i in range(n)]


# -- our tool and bib-dedupe ----------------------------------------------------------------------


def run_review(records: list[Record], truth: list[str],
               thresholds: Thresholds | None = None) -> tuple[dict[str, float], float]:
    metrics, seconds, _ = review_labels(records, truth, thresholds)
    return metrics, seconds


def review_labels(records: Sequence[Record], truth: Sequence[str],
                  thresholds: Thresholds | None = None) -> tuple[dict[str, float], float, list[int]]:
    """Metrics, seconds and the cluster label of every record (automatic merges only)."""
    cpu0, t0 = time.process_time(), time.perf_counter()
    result = deduplicate(records, thresholds=thresholds)
    seconds, cpu = time.perf_counter() - t0, time.process_time() - cpu0
    labels = _closure(len(records), [list(c.members) for c in result.clusters], [])
    borderline = result.borderline
    good = [(p.left, p.right) for p in borderline if truth[p.left] == truth[p.right]]
    reviewed = _closure(len(records), [list(c.members) for c in result.clusters], good)
    ids = [r.external_id for r in records]
    metrics = score(truth, labels, ids, len(borderline), len(good), reviewed)
    metrics["cpu_seconds"] = cpu
    return metrics, seconds, labels


def bib_dedupe_available() -> str | None:
    """None when bib-dedupe can run here, else why not."""
    try:
        import bib_dedupe.bib_dedupe  # noqa: F401
    except Exception as err:  # pragma: no cover - depends on the environment
        return f"not installed ({type(err).__name__}: {err}); pip install bib-dedupe"
    return None


def bib_dedupe_python_refusal(python: str) -> str | None:
    """None when ``python`` can import bib-dedupe (``--bib-dedupe-python``), else the one line saying why not,
    as the plain run says it: that Python lacks bib-dedupe, or cannot be run at all."""
    try:
        probe = subprocess.run([python, "-c", "import bib_dedupe.bib_dedupe"], capture_output=True, text=True,
                               timeout=300)
    except (OSError, subprocess.TimeoutExpired) as err:
        why = err.strerror if isinstance(err, OSError) and err.strerror else type(err).__name__
        return f"bib-dedupe: not run: cannot run --bib-dedupe-python {python} ({why})"
    if probe.returncode != 0:
        last = (probe.stderr.strip().splitlines() or [f"exit status {probe.returncode}"])[-1]
        return f"bib-dedupe: not installed in {python} ({last}); {python} -m pip install bib-dedupe"
    return None


def run_bib_dedupe(records: list[Record], truth: list[str]) -> tuple[dict[str, float], float]:
    import logging

    import pandas as pd
    from bib_dedupe.bib_dedupe import block, cluster, match, prep

    logging.disable(logging.WARNING)
    frame = pd.DataFrame({
        "ID": [r.external_id for r in records], "ENTRYTYPE": ["article"] * len(records),
        "title": [r.title for r in records], "author": [" and ".join(r.authors) for r in records],
        "year": [str(r.year or "") for r in records], "journal": [r.journal for r in records],
        "volume": [r.volume for r in records], "number": [r.issue for r in records],
        "pages": [r.pages for r in records], "doi": [r.doi for r in records],
        "abstract": [r.abstract for r in records],
    })
    cpu = min(2, os.cpu_count() or 1)
    t0 = time.perf_counter()
    devnull = open(os.devnull, "w")
    stdout, sys.stdout = sys.stdout, devnull
    try:
        matched = match(block(prep(frame, cpu=cpu), cpu=cpu), cpu=cpu)
        groups = cluster(matched)
    finally:
        sys.stdout = stdout
        devnull.close()
    seconds = time.perf_counter() - t0
    index = {r.external_id: i for i, r in enumerate(records)}
    clusters = [[index[x] for x in g] for g in groups]
    labels = _closure(len(records), clusters, [])
    maybe = matched[matched["duplicate_label"] == "maybe"]
    maybe_pairs = [(index[a], index[b]) for a, b in zip(maybe["ID_1"], maybe["ID_2"])]
    good = [(a, b) for a, b in maybe_pairs if truth[a] == truth[b]]
    reviewed = _closure(len(records), clusters, good)
    ids = [r.external_id for r in records]
    return score(truth, labels, ids, len(maybe_pairs), len(good), reviewed), seconds


# -- synthetic data for the scale test -------------------------------------------------------------

_WORDS = """effect effects treatment patients randomized controlled trial cohort study outcomes risk
factors depression anxiety sickness absence return work employees mental disorders recurrent
intervention primary care occupational health physician workplace adjustment cognitive behavioural
therapy long-term follow-up prognosis prognostic predictors sick leave burnout stress common
systematic review meta-analysis cross-sectional longitudinal prospective retrospective association
between among with without versus compared analysis evaluation assessment women men older adults
young disability pension reintegration rehabilitation vocational supported employment quality life
symptoms severity diagnosis screening questionnaire validation reliability validity scale measure
income socioeconomic status education job demands control support supervisor coworkers conflict
insomnia sleep alcohol use physical activity exercise obesity diabetes cardiovascular pain back neck
musculoskeletal fatigue chronic illness comorbidity medication antidepressant psychotherapy
counselling telephone internet-based digital self-help programme national register data population
based nordic dutch danish swedish norwegian finnish german british canadian australian japanese
""".split()
_SURNAMES = """de Vries Jansen Bakker Visser Smit Meijer Mulder Bos Vos Peters Hendriks Dekker Brouwer
Dijkstra Smith Johnson Williams Brown Jones Miller Davis Garcia Rodriguez Wilson Martinez Anderson
Taylor Thomas Moore Jackson Martin Lee Thompson White Harris Clark Lewis Robinson Walker Young Allen
King Wright Scott Hill Green Adams Baker Nelson Carter Mitchell Roberts Turner Phillips Campbell
Parker Evans Edwards Collins Stewart Morris Murphy Cook Rogers Morgan Cooper Peterson Reed Bailey
Bell Kelly Howard Ward Cox Richardson Wood Watson Brooks Bennett Gray James Hughes Price Sanders
Myers Long Ross Foster Nielsen Hansen Andersen Pedersen Larsen Johansson Karlsson Nilsson Eriksson
Virtanen Korhonen Nieminen Wang Li Zhang Liu Chen Yang Huang Zhao Wu Zhou Sato Suzuki Takahashi
Tanaka Watanabe Ito Yamamoto Nakamura Kobayashi Kato Muller Schmidt Schneider Fischer Weber Meyer
Wagner Becker Schulz Hoffmann Koch Richter Klein Wolf Schroder Neumann Schwarz Zimmermann""".split()
_JOURNALS = [
    ("Journal of Occupational Rehabilitation", "J Occup Rehabil"),
    ("Occupational and Environmental Medicine", "Occup Environ Med"),
    ("Scandinavian Journal of Work, Environment & Health", "Scand J Work Environ Health"),
    ("BMC Public Health", "BMC Public Health"),
    ("Journal of Affective Disorders", "J Affect Disord"),
    ("International Archives of Occupational and Environmental Health", "Int Arch Occup Environ Health"),
    ("PLoS One", "PLoS One"),
    ("BMJ Open", "BMJ Open"),
    ("Journal of Occupational and Environmental Medicine", "J Occup Environ Med"),
    ("European Journal of Public Health", "Eur J Public Health"),
    ("Psychological Medicine", "Psychol Med"),
    ("Social Psychiatry and Psychiatric Epidemiology", "Soc Psychiatry Psychiatr Epidemiol"),
]
_MONTHS = ["Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"]


def synthetic_records(n: int, seed: int = 7, duplicate_share: float = 0.3) -> tuple[list[Record], list[str]]:
    """``n`` records of which about ``duplicate_share`` are corrupted copies of another.

    Copies vary as exports do: DOI URL forms, case and punctuation, "Last, F." vs "Last F",
    truncated author lists, abbreviated journals, abbreviated or spreadsheet-mangled pages,
    missing abstract/DOI, a translated title in brackets, a typo.
    """
    rng = random.Random(seed)
    syllables = ["ka", "lo", "mi", "ne", "ru", "sa", "ti", "vo", "ze", "pha", "tro", "gen", "dex", "lin"]
    extra_words = ["".join(rng.choice(syllables) for _ in range(rng.randint(2, 4))) for _ in range(3000)]
    vocabulary = _WORDS + extra_words
    # Surnames: the common ones above half of the time, otherwise one of thousands of rarer ones.
    rare_names = ["".join(rng.choice(syllables) for _ in range(rng.randint(2, 3))).capitalize()
                  for _ in range(20000)]

    def surname() -> str:
        return rng.choice(_SURNAMES) if rng.random() < 0.5 else rng.choice(rare_names)

    records: list[Record] = []
    truth: list[str] = []
    n_originals = max(1, int(n / (1 + duplicate_share * 1.6)))
    originals: list[Record] = []
    for k in range(n_originals):
        journal, abbrev = rng.choice(_JOURNALS)
        start = rng.randint(1, 2400)
        authors = [f"{surname()}, {rng.choice(string.ascii_uppercase)}.{rng.choice(['', ' ' + rng.choice(string.ascii_uppercase) + '.'])}"
                   for _ in range(rng.randint(1, 9))]
        words = [rng.choice(vocabulary) for _ in range(rng.randint(6, 16))]
        title = " ".join(words).capitalize()
        abstract = " ".join(rng.choice(vocabulary) for _ in range(rng.randint(60, 160)))
        record = Record(
            title=title, abstract=abstract, authors=authors, year=rng.randint(1990, 2025),
            journal=journal, volume=str(rng.randint(1, 80)), issue=str(rng.randint(1, 12)),
            pages=f"{start}-{start + rng.randint(3, 15)}",
            doi=f"10.{rng.randint(1000, 9999)}/{abbrev.lower().replace(' ', '')}.{k}",
            external_id=f"s{len(records) + 1:07d}", extra={"abbrev": abbrev},
        )
        originals.append(record)
        records.append(record)
        truth.append(f"g{k}")
    while len(records) < n:
        k = rng.randrange(n_originals)
        records.append(_corrupt(originals[k], rng, f"s{len(records) + 1:07d}"))
        truth.append(f"g{k}")
    order = list(range(len(records)))
    rng.shuffle(order)
    return [records[i] for i in order], [truth[i] for i in order]


def _corrupt(r: Record, rng: random.Random, new_id: str) -> Record:
    title, authors, pages, doi, journal, abstract = r.title, list(r.authors), r.pages, r.doi, r.journal, r.abstract
    if rng.random() < 0.3:
        title = title.upper() if rng.random() < 0.3 else title.lower()
    if rng.random() < 0.2:
        title = title + "."
    if rng.random() < 0.1:
        title = f"[{title}]"
    if rng.random() < 0.15 and len(title) > 20:
        i = rng.randrange(5, len(title) - 5)
        title = title[:i] + title[i + 1:]  # a typo
    if rng.random() < 0.4:
        authors = [a.replace(",", "").replace(".", "") for a in authors]  # "Smith J"
    if rng.random() < 0.15 and len(authors) > 3:
        authors = authors[:3] + ["et al."]
    if rng.random() < 0.5:
        journal = r.extra["abbrev"]
    start, end = pages.split("-")
    roll = rng.random()
    if roll < 0.3:
        pages = f"{start}-{end[-2:] if len(end) > 2 else end}".replace("-0", "-")
    elif roll < 0.35 and int(start) <= 31 and int(end) <= 12:
        pages = f"{start}-{_MONTHS[int(end) - 1]}"
    elif roll < 0.4:
        pages = ""
    roll = rng.random()
    if roll < 0.3:
        doi = "https://doi.org/" + doi
    elif roll < 0.45:
        doi = "doi:" + doi.upper()
    elif roll < 0.6:
        doi = ""
    if rng.random() < 0.3:
        abstract = ""
    return Record(title=title, abstract=abstract, authors=authors, year=r.year, journal=journal,
                  volume=r.volume, issue=r.issue if rng.random() < 0.7 else "", pages=pages, doi=doi,
                  external_id=new_id)


# -- generalisation: cross-validation and drift ---------------------------------------------------

CACHE = Path(__file__).resolve().parent / "out" / "cache"
#: Duplicate-score thresholds tried when tuning; the borderline band keeps today's width.
THRESHOLD_GRID = tuple(x / 2 for x in range(10, 21))
BORDERLINE_WIDTH = 2.5
#: The tuning rule, fixed before any run: the lowest threshold whose automatic merges on the
#: tuning set keep precision >= 0.999 and at most 0.5 wrongly merged records per 1,000.
TUNE_PRECISION, TUNE_FALSE_PER_1000 = 0.999, 0.5
DEMO_SEED = 20261125


def demo_records(seed: int = DEMO_SEED) -> tuple[list[Record], list[str]]:
    """The demo corpus as exported by its three databases, with the true publication of each copy."""
    from review.demo.corpus import generate

    corpus = generate(seed)
    records: list[Record] = []
    truth: list[str] = []
    for source, copies in corpus.copies.items():
        for copy in copies:
            pub = copy.pub
            if source == "Embase":
                authors = [f"{last}, {fore}" for last, fore in copy.authors]
            else:
                authors = [f"{last} {''.join(w[0] for w in fore.replace('-', ' ').split())}"
                           for last, fore in copy.authors]
            if copy.truncated_authors:
                authors.append("et al.")
            records.append(Record(
                title=copy.title, authors=authors, year=copy.year, journal=copy.journal_name,
                volume=pub.volume, issue=pub.issue, pages=copy.pages, doi=copy.doi,
                abstract=" ".join(text for _, text in pub.sections),
                pmid=pub.pmid if source == "PubMed" else "",
                external_id=f"d{len(records) + 1:05d}", source=source,
            ))
            truth.append(pub.pub_id)
    return records, truth


def _records_csv(records: Sequence[Record]) -> bytes:
    buffer = io.StringIO(newline="")
    writer = csv.writer(buffer, lineterminator="\n")
    writer.writerow(["record_id", "title", "authors", "year", "journal", "volume", "issue", "pages",
                     "doi", "abstract"])
    for r in records:
        writer.writerow([r.external_id, r.title, " and ".join(r.authors), r.year or "", r.journal,
                         r.volume, r.issue, r.pages, r.doi, r.abstract])
    return buffer.getvalue().encode("utf-8")


def bib_dedupe_labels(records: Sequence[Record], python: str) -> tuple[list[list[int]], list[tuple[int, int]], float]:
    """bib-dedupe's clusters and "maybe" pairs (indices), run by ``python``; cached by input hash."""
    data = _records_csv(records)
    key = hashlib.sha256(data + python.encode()).hexdigest()[:20]
    cached = CACHE / f"bib_dedupe-{key}.json"
    if not cached.exists():
        CACHE.mkdir(parents=True, exist_ok=True)
        with tempfile.TemporaryDirectory() as tmp:
            source = Path(tmp) / "records.csv"
            source.write_bytes(data)
            target = Path(tmp) / "out.json"
            runner = Path(__file__).resolve().parent / "bib_dedupe_run.py"
            subprocess.run([python, str(runner), str(source), str(target)], check=True)
            os.replace(target, cached)
    out = json.loads(cached.read_text(encoding="utf-8"))
    index = {r.external_id: i for i, r in enumerate(records)}
    clusters = [[index[x] for x in g] for g in out["clusters"]]
    maybe = [(index[a], index[b]) for a, b in out["maybe"]]
    return clusters, maybe, float(out["seconds"])


def bib_dedupe_metrics(records: Sequence[Record], truth: Sequence[str],
                       python: str) -> tuple[dict[str, float], list[int]]:
    clusters, maybe, seconds = bib_dedupe_labels(records, python)
    labels = _closure(len(records), clusters, [])
    good = [(a, b) for a, b in maybe if truth[a] == truth[b]]
    reviewed = _closure(len(records), clusters, good)
    metrics = score(truth, labels, [r.external_id for r in records], len(maybe), len(good), reviewed)
    metrics["seconds"] = seconds
    return metrics, labels


def tune_thresholds(records: Sequence[Record], truth: Sequence[str]) -> Thresholds:
    """The lowest duplicate threshold on the grid that meets the tuning rule on these records."""
    for cut in THRESHOLD_GRID:
        thresholds = Thresholds(duplicate=cut, borderline=cut - BORDERLINE_WIDTH)
        metrics, _ = run_review(list(records), list(truth), thresholds)
        if (metrics["precision"] >= TUNE_PRECISION
                and metrics["false_merges_per_1000"] <= TUNE_FALSE_PER_1000):
            return thresholds
    return Thresholds(duplicate=THRESHOLD_GRID[-1], borderline=THRESHOLD_GRID[-1] - BORDERLINE_WIDTH)


LabelledSet = tuple[str, list[Record], list[str]]


def cross_validate(sets: Sequence[LabelledSet], python: str | None) -> list[dict[str, object]]:
    """Tune on each set, test on every other; bib-dedupe (untuned) on the same test sets."""
    rows: list[dict[str, object]] = []
    for tune_name, tune_records, tune_truth in sets:
        thresholds = tune_thresholds(tune_records, tune_truth)
        for test_name, test_records, test_truth in sets:
            if test_name == tune_name:
                continue
            metrics, _ = run_review(test_records, test_truth, thresholds)
            rows.append({"tool": "review", "tune": tune_name, "test": test_name,
                         "threshold": thresholds.duplicate, **metrics})
            if python:
                bd, _ = bib_dedupe_metrics(test_records, test_truth, python)
                rows.append({"tool": "bib-dedupe", "tune": "-", "test": test_name, "threshold": None, **bd})
    return rows


def drift_evaluation(sets: Sequence[LabelledSet], seeds: Sequence[int], python: str | None,
                     rates: dict[str, float] | None = None) -> tuple[list[dict[str, object]], dict[str, dict[str, dict[str, float]]]]:
    """Each set with one member of every true group drifted, per seed; recall per drift kind."""
    rows: list[dict[str, object]] = []
    kinds: dict[str, dict[str, dict[str, float]]] = defaultdict(lambda: defaultdict(lambda: {"pairs": 0, "found": 0}))
    for name, records, truth in sets:
        members: dict[str, list[int]] = defaultdict(list)
        for i, label in enumerate(truth):
            members[label].append(i)
        for seed in seeds:
            drifted = drift(records, truth, seed=seed, rates=rates)
            runs = [("review", *review_labels(drifted.records, truth)[::2])]
            if python:
                bd, bd_labels = bib_dedupe_metrics(drifted.records, truth, python)
                runs.append(("bib-dedupe", bd, bd_labels))
            for tool, metrics, labels in runs:
                rows.append({"tool": tool, "set": name, "seed": seed, "drifted": len(drifted.applied), **metrics})
                for i, applied in drifted.applied.items():
                    partners = members[truth[i]]
                    for kind in (*applied, "any"):
                        counter = kinds[tool][kind]
                        for j in partners:
                            if j != i:
                                counter["pairs"] += 1
                                counter["found"] += labels[i] == labels[j]
    return rows, {tool: dict(v) for tool, v in kinds.items()}


def _pooled_line(label: str, rows: Sequence[dict[str, object]]) -> str:
    p = pooled(rows)  # type: ignore[arg-type]
    return (f"{label:<34} {p['precision']:>7.4f} {p['recall']:>7.4f} {int(p['false_merges']):>6} "
            f"{p['false_merges_per_1000']:>6.2f} {int(p['borderline']):>6} {100 * p['borderline_share']:>5.1f}% "
            f"{p['recall_after_review']:>7.4f}")


def generalise(files: list[Path], seeds: Sequence[int], python: str | None, with_demo: bool,
               with_learned: bool = False, rates: dict[str, float] | None = None,
               why_not: str = "bib-dedupe: not run (give --bib-dedupe-python)") -> dict[str, object]:
    """Cross-validation and drift; bib-dedupe beside when ``python`` (else the line ``why_not`` is printed)."""
    sets: list[LabelledSet] = []
    for path in files:
        records = load_records_csv(path).records
        sets.append((path.stem, records, [str(r.extra.get("dup_group", "")) for r in records]))
    if python is None:
        print(why_not)
    head = (f"{'':<34} {'prec':>7} {'recall':>7} {'falseM':>6} {'/1000':>6} {'border':>6} {'b%':>6} {'R_rev':>7}")
    cv = cross_validate(sets, python) if len(sets) > 1 else []
    if cv:
        print("\nCross-validation (thresholds tuned on one set, tested on the other)")
        print(head)
        for row in cv:
            label = (f"{row['tune']}->{row['test']} t={row['threshold']}" if row["tool"] == "review"
                     else f"  bib-dedupe on {row['test']}")
            print(_pooled_line(label, [row]))
        for tool in ("review", "bib-dedupe"):
            chosen = [r for r in cv if r["tool"] == tool]
            if chosen:
                print(_pooled_line(f"pooled {tool}", chosen))
    drift_sets = list(sets)
    if with_demo:
        demo, demo_truth = demo_records()
        drift_sets.append(("demo", demo, demo_truth))
    rates = dict(DEFAULT_RATES if rates is None else rates)
    rows, kinds = drift_evaluation(drift_sets, seeds, python, rates)
    print(f"\nDrift (one member of every true group corrupted; seeds {','.join(map(str, seeds))}; "
          f"rates {', '.join(f'{k} {v:g}' for k, v in rates.items())})")
    print(head)
    for name, _, _ in drift_sets:
        for tool in ("review", "bib-dedupe"):
            chosen = [r for r in rows if r["set"] == name and r["tool"] == tool]
            if chosen:
                print(_pooled_line(f"{name} {tool}", chosen))
    for tool in ("review", "bib-dedupe"):
        chosen = [r for r in rows if r["tool"] == tool]
        if chosen:
            print(_pooled_line(f"pooled {tool}", chosen))
    print("\nRecall of true pairs with a drifted record, by drift kind")
    print(f"{'kind':<20} " + " ".join(f"{tool:>22}" for tool in kinds))
    for kind in (*KINDS, "any"):
        cells = []
        for tool in kinds:
            c = kinds[tool].get(kind, {"pairs": 0, "found": 0})
            cells.append(f"{c['found'] / c['pairs'] if c['pairs'] else float('nan'):>8.4f} ({int(c['found'])}/{int(c['pairs'])})")
        print(f"{kind:<20} " + " ".join(f"{c:>22}" for c in cells))
    out: dict[str, object] = {"cv": cv, "drift": rows, "drift_kinds": kinds, "seeds": list(seeds),
                              "rates": rates}
    if with_learned and len(sets) > 1:
        out["learned"] = learned_weights(sets, seeds, drift_sets[-1] if with_demo else None)
    for tool in ("review", "bib-dedupe"):
        if any(r["tool"] == tool for r in cv):
            out[f"cv_pooled_{tool}"] = pooled([r for r in cv if r["tool"] == tool])  # type: ignore[misc]
        if any(r["tool"] == tool for r in rows):
            out[f"drift_pooled_{tool}"] = pooled([r for r in rows if r["tool"] == tool])  # type: ignore[misc]
    return out


# -- learned field weights (checked, not adopted) ---------------------------------------------------

#: Probability cut-offs of the learned model, fixed before the runs: merge at LEARNED_MERGE,
#: borderline from 0.5, cannot-link below 0.05; hard rules (kinds, PMID, Cochrane number) first.
LEARNED_MERGE = (0.9, 0.99)


def _pair_table(records: Sequence[Record], truth: Sequence[str]) -> tuple[object, ...]:
    """Field points per candidate pair (the hand-set rules' evidence), labels and hard constraints."""
    import numpy as np

    from review.dedup.blocking import candidate_pairs
    from review.dedup.prepare import prepare
    from review.dedup.rules import decide
    from review.dedup.scoring import DIFFERENT, score_pairs

    prep = prepare(records)
    f = score_pairs(prep, candidate_pairs(prep))
    d = decide(prep, f)
    x = np.stack([d.points[name] for name in sorted(d.points)], axis=1)
    y = np.asarray([truth[a] == truth[b] for a, b in zip(f.left.tolist(), f.right.tolist())], dtype=bool)
    hard = d.kind_conflict | (f.pmid == DIFFERENT) | (f.cochrane == DIFFERENT)
    return x, y, hard, f.left, f.right


def learned_weights(sets: Sequence[LabelledSet], seeds: Sequence[int],
                    demo: LabelledSet | None) -> list[dict[str, object]]:
    """Logistic regression on the field points, trained on one set plus one drifted copy of it
    (seed 101), tested on the other set and on drifted copies of it and of the demo corpus."""
    import numpy as np
    from sklearn.linear_model import LogisticRegression

    from review.dedup.cluster import build_clusters

    def evaluate(model: LogisticRegression, records: Sequence[Record], truth: Sequence[str],
                 cut: float) -> dict[str, float]:
        x, _, hard, left, right = _pair_table(records, truth)
        p = model.predict_proba(x)[:, 1]
        merge = (p >= cut) & ~hard
        border = (p >= 0.5) & ~merge & ~hard
        cannot = hard | (p < 0.05)
        groups = build_clusters(len(records), [(int(a), int(b), float(q)) for a, b, q in
                                               zip(left[merge], right[merge], p[merge])],
                                [(int(a), int(b)) for a, b in zip(left[cannot], right[cannot])])
        good = [(int(a), int(b)) for a, b in zip(left[border], right[border]) if truth[a] == truth[b]]
        labels = _closure(len(records), groups, [])
        reviewed = _closure(len(records), groups, good)
        return score(truth, labels, [r.external_id for r in records], int(border.sum()), len(good), reviewed)

    rows: list[dict[str, object]] = []
    for train_name, train_records, train_truth in sets:
        xs, ys = [], []
        for records in (train_records, drift(train_records, train_truth, seed=101).records):
            x, y, hard, _, _ = _pair_table(records, train_truth)
            xs.append(x[~hard])
            ys.append(y[~hard])
        model = LogisticRegression(max_iter=1000).fit(np.concatenate(xs), np.concatenate(ys))
        for test_name, test_records, test_truth in sets:
            if test_name == train_name:
                continue
            drifted = [(drift(test_records, test_truth, seed=s).records, test_truth) for s in seeds]
            if demo is not None:
                drifted += [(drift(demo[1], demo[2], seed=s).records, demo[2]) for s in seeds]
            hand = pooled([run_review(list(r), list(t))[0] for r, t in drifted])
            rows.append({"model": "hand-set points", "train": "-", "test": test_name,
                         "cv": run_review(test_records, test_truth)[0], "drift": hand})
            for cut in LEARNED_MERGE:
                rows.append({"model": f"learned, merge at p>={cut}", "train": train_name, "test": test_name,
                             "cv": evaluate(model, test_records, test_truth, cut),
                             "drift": pooled([evaluate(model, r, t, cut) for r, t in drifted])})
    print("\nLearned field weights vs the hand-set points (automatic merges; drift = test set + demo)")
    print(f"{'model':<28} {'train -> test':<34} {'cv prec':>7} {'cv rec':>7} {'drift prec':>10} "
          f"{'drift rec':>9} {'falseM':>6} {'border':>6} {'R_rev':>7}")
    for row in rows:
        cv, dr = row["cv"], row["drift"]  # type: ignore[assignment]
        print(f"{row['model']:<28} {str(row['train']) + ' -> ' + str(row['test']):<34} "
              f"{cv['precision']:>7.4f} {cv['recall']:>7.4f} {dr['precision']:>10.4f} {dr['recall']:>9.4f} "  # type: ignore[index]
              f"{int(dr['false_merges']):>6} {int(dr['borderline']):>6} {dr['recall_after_review']:>7.4f}")  # type: ignore[index]
    return rows


# -- main -------------------------------------------------------------------------------------


def accuracy(files: list[Path], with_bib_dedupe: bool, with_errors: bool = False) -> list[dict[str, object]]:
    rows: list[dict[str, object]] = []
    listings: list[tuple[str, dict[str, list[dict[str, object]]]]] = []
    why_not = bib_dedupe_available() if with_bib_dedupe else "skipped (--no-bib-dedupe)"
    for path in files:
        records = load_records_csv(path).records
        truth = [str(r.extra.get("dup_group", "")) for r in records]
        if not all(truth):
            raise SystemExit(f"{path}: needs a dup_group column with ground truth")
        metrics, seconds = run_review(records, truth)
        rows.append({"set": path.stem, "tool": "review", "seconds": seconds, **metrics})
        if with_errors:
            result = deduplicate(records)
            labels = _closure(len(records), [list(c.members) for c in result.clusters], [])
            listing = error_listing(records, truth, labels, {(p.left, p.right) for p in result.borderline})
            rows[-1]["errors"] = listing
            listings.append((path.stem, listing))
        if "dup_group_alt" in records[0].extra:
            alt = [str(r.extra["dup_group_alt"]) for r in records]
            alt_metrics, _ = run_review(records, alt)
            rows.append({"set": path.stem + " (alt labels)", "tool": "review", "seconds": seconds, **alt_metrics})
        if why_not is None:
            bd_metrics, bd_seconds = run_bib_dedupe(records, truth)
            rows.append({"set": path.stem, "tool": "bib-dedupe", "seconds": bd_seconds, **bd_metrics})
            if "dup_group_alt" in records[0].extra:
                alt = [str(r.extra["dup_group_alt"]) for r in records]
                bd_alt, _ = run_bib_dedupe(records, alt)
                rows.append({"set": path.stem + " (alt labels)", "tool": "bib-dedupe", "seconds": bd_seconds, **bd_alt})
    if why_not is not None:
        print(f"bib-dedupe: {why_not}")
    header = (f"{'set':<30} {'tool':<10} {'records':>7} {'prec':>7} {'recall':>7} {'F1':>7} "
              f"{'rec_sens':>8} {'rec_spec':>8} {'falseM':>6} {'/1000':>6} {'border':>6} {'b%':>6} "
              f"{'R_rev':>7} {'groups':>7} {'pure':>7} {'sec':>7}")
    print(header)
    print("-" * len(header))
    for row in rows:
        print(f"{row['set']:<30} {row['tool']:<10} {row['records']:>7} {row['precision']:>7.4f} "
              f"{row['recall']:>7.4f} {row['f1']:>7.4f} {row['rec_sensitivity']:>8.4f} "
              f"{row['rec_specificity']:>8.4f} {row['false_merges']:>6} {row['false_merges_per_1000']:>6.2f} "
              f"{row['borderline']:>6} {100 * row['borderline_share']:>5.1f}% "
              f"{row.get('recall_after_review', float('nan')):>7.4f} {row['group_recall']:>7.4f} "
              f"{row['cluster_purity']:>7.4f} {row['seconds']:>7.2f}")
    print("groups: true groups of 2+ records found whole by the automatic merges; pure: merged clusters "
          "holding one true group only")
    for name, listing in listings:
        print_errors(name, listing)
    return rows


def scale(sizes: list[int], seed: int) -> list[dict[str, object]]:
    rows = []
    print(f"{'records':>8} {'candidates':>10} {'seconds':>8} {'cpu_s':>7} {'normalise':>9} {'block':>6} "
          f"{'score':>6} {'cluster':>7} {'prec':>7} {'recall':>7}")
    for size in sizes:
        records, truth = synthetic_records(size, seed=seed)
        cpu0, t0 = time.process_time(), time.perf_counter()
        result = deduplicate(records)
        seconds, cpu = time.perf_counter() - t0, time.process_time() - cpu0
        labels = _closure(len(records), [list(c.members) for c in result.clusters], [])
        m = score(truth, labels, [r.external_id for r in records])
        s = result.seconds
        print(f"{size:>8} {result.n_candidates:>10} {seconds:>8.2f} {cpu:>7.2f} {s['normalise']:>9.2f} "
              f"{s['block']:>6.2f} {s['score']:>6.2f} {s['cluster']:>7.2f} {m['precision']:>7.4f} {m['recall']:>7.4f}")
        rows.append({"records": size, "candidates": result.n_candidates, "seconds": seconds,
                     "cpu_seconds": cpu, "stages": s, "precision": m["precision"], "recall": m["recall"],
                     "borderline": len(result.borderline)})
    return rows


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("files", nargs="*", type=Path, help="labelled CSVs (dup_group column)")
    parser.add_argument("--no-bib-dedupe", action="store_true", help="do not run bib-dedupe beside")
    parser.add_argument("--errors", action="store_true",
                        help="list every false merge and every true group split (record ids, titles)")
    parser.add_argument("--scale", action="store_true", help="time synthetic sets from 1k to 100k")
    parser.add_argument("--sizes", default="1000,3000,10000,30000,100000")
    parser.add_argument("--seed", type=int, default=7, help="seed of the synthetic generator")
    parser.add_argument("--generalise", action="store_true",
                        help="cross-validate across FILES and run the drift generator (FILES + demo corpus)")
    parser.add_argument("--seeds", default="1,2,3", help="drift generator seeds")
    parser.add_argument("--no-demo", action="store_true", help="drift: leave the demo corpus out")
    parser.add_argument("--rate-scale", type=float, default=1.0,
                        help="drift: multiply every drift rate (stress test; capped at 1)")
    parser.add_argument("--learned", action="store_true",
                        help="with --generalise: also train logistic-regression field weights on one set "
                             "and test them on the other (checked, not adopted)")
    parser.add_argument("--bib-dedupe-python", default=None, metavar="PYTHON",
                        help="for --generalise: a Python with bib-dedupe installed (python -m venv DIR && "
                             "DIR/bin/pip install bib-dedupe); one without it is said in one line, then skipped")
    args = parser.parse_args(argv)
    out: dict[str, object] = {"benchmark": "dedup"}
    if args.generalise:
        seeds = [int(s) for s in args.seeds.split(",")]
        rates = {kind: min(1.0, rate * args.rate_scale) for kind, rate in DEFAULT_RATES.items()}
        python, why_not = args.bib_dedupe_python, "bib-dedupe: not run (give --bib-dedupe-python)"
        if args.no_bib_dedupe:
            python, why_not = None, "bib-dedupe: skipped (--no-bib-dedupe)"
        elif python is not None and (refusal := bib_dedupe_python_refusal(python)) is not None:
            python, why_not = None, refusal  # (it ran bib_dedupe_run.py there and printed two tracebacks)
        out["generalise"] = generalise(args.files, seeds, python, not args.no_demo, args.learned, rates, why_not)
    elif args.files:
        out["accuracy"] = accuracy(args.files, not args.no_bib_dedupe, args.errors)
    if args.scale:
        out["scale"] = scale([int(s) for s in args.sizes.split(",")], args.seed)
        out["seed"] = args.seed
    if not args.files and not args.scale:
        parser.error("give labelled CSV files and/or --scale")
    print(json.dumps(out, default=float))


if __name__ == "__main__":
    main()
