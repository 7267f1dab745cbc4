"""``review dedup FILE --out`` at a programme's and a team's scale, on records built from the shared sets' real
ones: wall and CPU seconds, peak memory, and pair precision and recall against the planted groups.

    nice -n 10 python benchmarks/dedup_shared_scale.py                      # 2,300, 20,000, 50,000 and 100,000
    nice -n 10 python benchmarks/dedup_shared_scale.py --sizes 50000 --seed 3

The two shared dedup sets (``../shared/data/dedup/*.csv``: 3,833 records of 2,136 publications) are copy 0,
as exported. Every further copy turns each true group into a new publication and keeps its members' real
differences, so its duplicates are planted with the variation real exports have:

* titles and abstracts: half the group's distinct words of four letters or more, the first and last of its
  title among them, are replaced by words of the shared sets' titles, the same replacement in every member
  (so the members still differ as exported: case, subtitles, markup, translations);
* authors, journal, year, volume, issue, pages and DOI: those of another group's members of the same set,
  chosen by a seeded permutation per copy (member ``i`` takes donor member ``i`` modulo the donor's size),
  with the copy's number added to the first number of the volume times 100 and to the DOI after its last
  letter or digit, and its Cochrane review numbers moved, so no two copies share a citation, a DOI or a
  review number.

Groups are then shuffled (seeded) and taken whole until a size's ``N`` records are reached, so a size holds
copies of every kind. The file goes to ``review dedup FILE --out`` in a fresh subprocess (peak resident set
size from ``ru_maxrss``, as ``dedup_large.py``). Prints a table and one JSON line; from the second size on, the
table also gives what each record past the previous size added (CPU milliseconds and MB a record between the two
sizes), which stays flat while time and memory grow linearly. The shared sets are read,
never copied into the repository; the files are written to a temporary folder.
"""

from __future__ import annotations

import argparse
import csv
import itertools
import json
import random
import re
import sys
import tempfile
from collections import defaultdict
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
from dedup_large import run  # noqa: E402  (the sibling benchmark's subprocess runner)

SHARED = Path(__file__).resolve().parents[1].parent / "shared" / "data" / "dedup"
COLUMNS = ("record_id", "title", "authors", "year", "journal", "volume", "issue", "pages", "doi", "abstract",
           "dup_group")
#: The fields a copy takes from its donor group: the citation and who wrote it.
CITATION = ("authors", "journal", "year", "volume", "issue", "pages", "doi")
WORD = re.compile(r"[^\W\d_]{4,}")
COCHRANE = re.compile(r"(CD)(\d{6})", re.IGNORECASE)


def shared_groups(folder: Path) -> list[list[dict[str, str]]]:
    """The true groups of the shared sets, each a list of its records' fields as exported and its set's name."""
    groups: dict[tuple[str, str], list[dict[str, str]]] = defaultdict(list)
    for path in sorted(folder.glob("*.csv")):
        with path.open(encoding="utf-8", newline="") as handle:
            for row in csv.DictReader(handle):
                groups[(path.stem, row["dup_group"])].append({c: row.get(c, "") for c in COLUMNS} | {"set": path.stem})
    return list(groups.values())


def planted_arguments(description: str, sizes: str, seed_help: str,
                      argv: list[str] | None) -> tuple[list[int], int, list[list[dict[str, str]]]]:
    """The command line of a benchmark on planted records (this one, ``dedup_queue.py``): ``--sizes`` (default
    ``sizes``), ``--seed`` (16) and ``--shared``; returns the sizes, the seed and the shared sets' true groups."""
    parser = argparse.ArgumentParser(description=description, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--sizes", default=sizes, help="record counts, comma-separated")
    parser.add_argument("--seed", type=int, default=16, help=seed_help)
    parser.add_argument("--shared", type=Path, default=SHARED, help="folder of the labelled dedup sets")
    args = parser.parse_args(argv)
    groups = shared_groups(args.shared)
    if not groups:
        raise SystemExit(f"no labelled sets in {args.shared}")
    return [int(size) for size in args.sizes.split(",")], args.seed, groups


def write_planted(path: Path, n: int, seed: int, groups: list[list[dict[str, str]]]) -> list[dict[str, str]]:
    """``build(n, seed, groups)`` written to ``path`` as a CSV of ``COLUMNS``; returns its rows."""
    rows = build(n, seed, groups)
    with path.open("w", encoding="utf-8", newline="") as handle:
        writer = csv.DictWriter(handle, COLUMNS, extrasaction="ignore")
        writer.writeheader()
        writer.writerows(rows)
    return rows


def _replacer(words: dict[str, str]) -> re.Pattern[str] | None:
    return re.compile(r"\b(%s)\b" % "|".join(map(re.escape, words)), re.IGNORECASE) if words else None


def _in_case_of(word: str, like: str) -> str:
    """``word`` written in the case of ``like`` (capitals, title case, or lower case)."""
    if like.isupper() and len(like) > 1:
        return word.upper()
    return word.capitalize() if like[:1].isupper() else word.lower()


def _shift_first_number(text: str, by: int) -> str:
    return re.sub(r"\d+", lambda m: str(int(m.group()) + by), text, count=1) if by else text


def _cochrane_of_copy(text: str, copy: int) -> str:
    """``text`` with every Cochrane review number (``CD001876``) moved by the copy's number, so copies are other
    reviews (one number is one review: ``dedup/citation.py``)."""
    return COCHRANE.sub(lambda m: f"{m.group(1)}{(int(m.group(2)) + 37_001 * copy) % 1_000_000:06d}", text)


def _doi_of_copy(doi: str, copy: int) -> str:
    """``doi`` with ``-copy`` after its last letter or digit (so trailing noise stays trailing)."""
    match = re.search(r"[A-Za-z0-9](?=[^A-Za-z0-9]*$)", doi)
    return doi if not match or not copy else f"{doi[:match.end()]}-{copy}{doi[match.end():]}"


def copy_group(group: list[dict[str, str]], donor: list[dict[str, str]], copy: int, vocabulary: list[str],
               rng: random.Random) -> list[dict[str, str]]:
    """``group`` as a new publication of copy ``copy`` (see the module docstring), its members' differences kept."""
    if copy == 0:
        return [dict(member) for member in group]
    title_words = [w.casefold() for w in WORD.findall(group[0]["title"])]
    distinct = sorted({w.casefold() for m in group for w in WORD.findall(m["title"] + " " + m["abstract"])})
    chosen = set(rng.sample(distinct, len(distinct) // 2)) | set(title_words[:1] + title_words[-1:])
    mapping = {w: rng.choice(vocabulary) for w in sorted(chosen)}
    pattern = _replacer(mapping)

    def replaced(text: str) -> str:
        if pattern is None:
            return text
        return pattern.sub(lambda m: _in_case_of(mapping[m.group().casefold()], m.group()), text)

    out = []
    for i, member in enumerate(group):
        cited = donor[i % len(donor)]
        row = dict(member, title=replaced(member["title"]), abstract=replaced(member["abstract"]))
        row.update({field: cited[field] for field in CITATION})
        row["volume"] = _shift_first_number(cited["volume"], 100 * copy)
        row["doi"] = _doi_of_copy(cited["doi"], copy)
        for field in ("volume", "issue", "pages", "doi"):
            row[field] = _cochrane_of_copy(row[field], copy)
        out.append(row)
    return out


def build(n: int, seed: int, groups: list[list[dict[str, str]]]) -> list[dict[str, str]]:
    """``n`` records or a few more (whole groups), copies of the shared groups, in a seeded order."""
    rng = random.Random(seed)
    vocabulary = sorted({w.lower() for g in groups for m in g for w in WORD.findall(m["title"])})
    per_copy = sum(len(g) for g in groups)
    copies = -(-n // per_copy)
    made: list[list[dict[str, str]]] = []
    sets: dict[str, list[int]] = defaultdict(list)  # donors come from the same set: its export's forms
    for number, group in enumerate(groups):
        sets[group[0]["set"]].append(number)
    for copy in range(copies):
        donors = list(range(len(groups)))
        for numbers in sets.values():
            shuffled = rng.sample(numbers, len(numbers))
            for number, donor in zip(numbers, shuffled):
                donors[number] = donor
        for number, (group, donor) in enumerate(zip(groups, donors)):
            rows = copy_group(group, groups[donor], copy, vocabulary, rng)
            for row in rows:
                row["dup_group"] = f"c{copy}g{number}"
            made.append(rows)
    rng.shuffle(made)
    taken: list[dict[str, str]] = []
    for rows in made:
        if len(taken) >= n:
            break
        taken.extend(rows)
    rng.shuffle(taken)
    for k, row in enumerate(taken, 1):
        row["record_id"] = f"s{k:06d}"
    return taken


def pair_scores(rows: list[dict[str, str]], clusters: dict[str, str]) -> dict[str, float]:
    """Pair precision, recall and F1 of the clusters against the planted groups, and the false pairs."""
    def pairs(of: dict[str, str]) -> set[tuple[str, str]]:
        members: dict[str, list[str]] = defaultdict(list)
        for record_id, group in of.items():
            members[group].append(record_id)
        return {tuple(sorted(p)) for m in members.values() for p in itertools.combinations(m, 2)}  # type: ignore[misc]
    truth = pairs({r["record_id"]: r["dup_group"] for r in rows})
    found = pairs(clusters)
    right = len(truth & found)
    precision = right / len(found) if found else 1.0
    recall = right / len(truth) if truth else 1.0
    f1 = 2 * precision * recall / (precision + recall) if precision + recall else 0.0
    return {"precision": precision, "recall": recall, "f1": f1, "false_pairs": len(found - truth),
            "true_pairs": len(truth)}


def measure(n: int, seed: int, groups: list[list[dict[str, str]]], folder: Path) -> dict[str, object]:
    data, out = folder / f"records-{n}.csv", folder / f"clusters-{n}.csv"
    rows = write_planted(data, n, seed, groups)
    step = run(["dedup", str(data), "--out", str(out)], folder)
    with out.open(encoding="utf-8", newline="") as handle:
        result = list(csv.DictReader(handle))
    clusters = {r["record_id"]: r["cluster_id"] for r in result}
    return {"records": len(rows), "publications": len({r["dup_group"] for r in rows}),
            "seconds": step["seconds"], "cpu_seconds": step["cpu_seconds"], "peak_mb": step["peak_mb"],
            "clusters": len(set(clusters.values())),
            "borderline_records": sum(r["decision"] == "borderline" for r in result),
            **pair_scores(rows, clusters)}


def marginal(before: dict[str, object], after: dict[str, object]) -> dict[str, float]:
    """CPU milliseconds and kB of peak memory each record past ``before``'s size added at ``after``'s."""
    added = int(after["records"]) - int(before["records"])  # type: ignore[call-overload]
    if added <= 0:
        return {}
    cpu = float(after["cpu_seconds"]) - float(before["cpu_seconds"])  # type: ignore[arg-type]
    peak = float(after["peak_mb"]) - float(before["peak_mb"])  # type: ignore[arg-type]
    return {"cpu_ms_per_record_added": 1000 * cpu / added, "kb_per_record_added": 1024 * peak / added}


def main(argv: list[str] | None = None) -> None:
    sizes, seed, groups = planted_arguments(__doc__, "2300,20000,50000,100000", "seed of the copies and their order",
                                            argv)
    rows: list[dict[str, object]] = []
    print(f"{'records':>8} {'seconds':>8} {'cpu_s':>7} {'peak_MB':>8} {'P':>7} {'R':>7} {'F1':>7} "
          f"{'false':>6} {'borderline':>10} {'ms/rec+':>8} {'kB/rec+':>8}")
    for n in sizes:
        with tempfile.TemporaryDirectory(prefix="dedup-shared-scale-") as tmp:
            row = measure(n, seed, groups, Path(tmp))
        row.update(marginal(rows[-1], row) if rows else {})
        added = (f"{row['cpu_ms_per_record_added']:>8.3f} {row['kb_per_record_added']:>8.1f}"
                 if "cpu_ms_per_record_added" in row else f"{'':>8} {'':>8}")
        print(f"{row['records']:>8} {row['seconds']:>8.2f} {row['cpu_seconds']:>7.2f} {row['peak_mb']:>8.0f} "
              f"{row['precision']:>7.4f} {row['recall']:>7.4f} {row['f1']:>7.4f} {row['false_pairs']:>6} "
              f"{row['borderline_records']:>10} {added}")
        rows.append(row)
    print(json.dumps({"benchmark": "dedup_shared_scale", "seed": seed, "sizes": rows}))


if __name__ == "__main__":
    main()
