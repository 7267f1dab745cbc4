"""Journal-name matching against a published list of full titles and their abbreviations.

    python benchmarks/journal_abbreviations.py journal_abbreviations_entrez.csv

The list is JabRef's export of NCBI's journal list (``"Full title","Abbreviation"`` per line,
https://github.com/JabRef/abbrv.jabref.org, ``journals/journal_abbreviations_entrez.csv``);
it is read from wherever you put it, never copied into this repository.

* recall: share of (full title, its abbreviation) pairs that ``journal_similarity`` scores 1.0,
  over all journals and over those whose title carries a non-English function word (Dutch,
  German, French, Scandinavian, ...), the ones ISO 4 abbreviates with other words dropped;
* false matches: pairs of a journal's abbreviation and another journal's full title (different
  abbreviation, not the same series) whose first two content words share their initials,
  scored 1.0.
Prints both with examples, and one JSON line.
"""

from __future__ import annotations

import argparse
import csv
import json
import re
import time
from collections import defaultdict
from collections.abc import Sequence
from pathlib import Path

from review.dedup.journals import journal_similarity, journal_variants
from review.dedup.normalise import fold

#: Words that mark a title as not English (for the subset only; not used by the engine).
_NON_ENGLISH = frozenset({
    "voor", "van", "het", "een", "tijdschrift", "fur", "und", "der", "die", "zeitschrift", "des",
    "du", "la", "les", "et", "revue", "tidsskrift", "och", "og", "for", "tidskrift", "di", "della",
    "del", "y", "revista", "rivista", "ja", "aikakauskirja", "laakarilehti",
})


def _similar(a: str, b: str) -> bool:
    return max(journal_similarity(x, y) for x in journal_variants(a) or ((),)
               for y in journal_variants(b) or ((),)) == 1.0


#: Function words of the languages above, fixed here so that candidate pairs do not depend on
#: the engine's own list.
_FUNCTION_WORDS = frozenset({
    "the", "of", "and", "for", "in", "on", "a", "an", "de", "het", "een", "van", "voor", "en", "op",
    "te", "ter", "der", "den", "die", "das", "des", "dem", "und", "fur", "zur", "zum", "d", "l", "la",
    "le", "les", "du", "et", "pour", "sur", "au", "aux", "och", "og", "av", "af", "det", "til", "y",
    "el", "los", "las", "da", "do", "dos", "di", "del", "della", "delle", "per",
})


def _initials(title: str) -> str:
    """First letters of the first two content words: the blocking key for near-miss pairs."""
    title = re.split(r"[.:;(\[=|]", title, maxsplit=1)[0]
    words = [w for w in fold(title).split() if w not in _FUNCTION_WORDS]
    return "".join(w[0] for w in words[:2])


def _same_series(a: str, b: str) -> bool:
    """One abbreviation is the other plus words or a place ("Arch Phys Ther (Leipz)", "... Suppl")."""
    x, y = (fold(re.sub(r"\([^)]*\)|\[[^\]]*\]", " ", v)).split() for v in (a, b))
    shorter, longer = (x, y) if len(x) <= len(y) else (y, x)
    return longer[:len(shorter)] == shorter


def _non_english(title: str) -> bool:
    words = set(fold(title).split())
    # "for" alone is English; count it only beside another marker.
    return len(words & _NON_ENGLISH - {"for"}) > 0


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("list", type=Path, help='CSV of "full title","abbreviation" rows')
    parser.add_argument("--examples", type=int, default=12, help="examples of misses and false matches to print")
    args = parser.parse_args(argv)

    with args.list.open(encoding="utf-8") as handle:
        rows = [(r[0].strip(), r[1].strip()) for r in csv.reader(handle) if len(r) >= 2 and r[0].strip() and r[1].strip()]
    started = time.perf_counter()
    misses = [(full, abbr) for full, abbr in rows if not _similar(full, abbr)]
    foreign = [(full, abbr) for full, abbr in rows if _non_english(full)]
    foreign_misses = [(full, abbr) for full, abbr in misses if _non_english(full)]

    # Candidate pairs are fixed by this script, not by the engine's word lists, so that two
    # versions of the engine are judged on the same pairs.
    by_key: dict[str, list[tuple[str, str]]] = defaultdict(list)
    for full, abbr in rows:
        by_key[_initials(full)].append((full, abbr))
    compared, false_matches = 0, []
    for full, abbr in rows:
        for other_full, other_abbr in by_key.get(_initials(abbr), ()):
            if _same_series(abbr, other_abbr) or fold(other_full) == fold(full):
                continue
            compared += 1
            if _similar(abbr, other_full):
                false_matches.append((abbr, other_full, other_abbr))
    seconds = time.perf_counter() - started

    print(f"journals: {len(rows)}; non-English titles: {len(foreign)}")
    print(f"recall (full title vs own abbreviation scored 1.0): {1 - len(misses) / len(rows):.4f} "
          f"({len(rows) - len(misses)}/{len(rows)})")
    print(f"recall, non-English titles: {1 - len(foreign_misses) / len(foreign):.4f} "
          f"({len(foreign) - len(foreign_misses)}/{len(foreign)})")
    print(f"false matches (abbreviation vs another journal's title, same key): {len(false_matches)} "
          f"of {compared} pairs ({len(false_matches) / max(compared, 1):.5f})")
    print("\nnon-English misses, e.g.:")
    for full, abbr in foreign_misses[:args.examples]:
        print(f"  {abbr!r:45} {full!r}")
    print("\nfalse matches, e.g.:")
    for abbr, other_full, other_abbr in false_matches[:args.examples]:
        print(f"  {abbr!r:45} ~ {other_full!r} ({other_abbr!r})")
    print(json.dumps({"benchmark": "journal_abbreviations", "journals": len(rows), "misses": len(misses),
                      "non_english": len(foreign), "non_english_misses": len(foreign_misses),
                      "pairs_compared": compared, "false_matches": len(false_matches),
                      "seconds": round(seconds, 2)}))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
