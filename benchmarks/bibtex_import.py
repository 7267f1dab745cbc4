"""BibTeX import speed against MEDLINE (.nbib): ``review import`` of generated files, median of runs.

    nice -n 10 python benchmarks/bibtex_import.py                      # 5,000 and 50,000 records, 3 runs each
    python benchmarks/bibtex_import.py --sizes 5000 --runs 1 --check   # and the records against bibtexparser's decoding

Files (written as benchmarks/sources_scale.py writes them, the same records in each format):

- ``nbib``: MEDLINE, the reference (CRLF, continuation lines, two DOIs a record);
- ``bibtex``: sources_scale.py's BibTeX (byte-order mark, CRLF, LaTeX accents in half the author lists,
  ``\\&`` in every journal, abstracts without LaTeX);
- ``bibtex-latex``: the same with LaTeX in every field as Zotero and JabRef write it: a protected
  ``{COVID}`` and ``\\%`` in titles and abstracts, page ranges with ``--``, authors all different
  (nothing repeats for the decoder to remember), ``$p<0.05$`` in every fifth abstract, and every
  second title and abstract in a second pair of braces as Web of Science writes them.

Each file is imported into a fresh workspace by ``review import`` in a child (wall, CPU, peak memory
as sources_scale.py measures them); the median of ``--runs`` is printed, with ms per record and the
ratio to nbib's. ``--check`` reads each BibTeX file twice in this process, with the reader's
decoding and with bibtexparser's ``LatexDecodingMiddleware``, and counts records that differ in any
field. Prints a table and one JSON line with the load average before and after.
"""

from __future__ import annotations

import argparse
import json
import logging
import os
import statistics
import tempfile
from pathlib import Path
from typing import Any

from sources_scale import NAMES, measured, record_parts, write_bibtex, write_nbib

from review.workspace import init_workspace

LATEX_LETTERS = {"ü": '{\\"u}', "ø": "{\\o}", "ú": "{\\'u}", "ñ": "{\\~n}", "á": "{\\'a}", "Ø": "{\\O}", "Ł": "{\\L}"}


def write_bibtex_latex(path: Path, n: int) -> None:
    """BibTeX with LaTeX in every field and no two author lists alike."""
    with path.open("w", encoding="utf-8", newline="\n") as out:
        for i in range(n):
            r = record_parts(i)
            surname, given = NAMES[i % len(NAMES)]
            names = f"{surname}{i}, {given} and " + " and ".join(f"{s}, {g}" for s, g in r["authors"][1:])
            names = "".join(LATEX_LETTERS.get(c, c) for c in names)
            abstract = r["abstract"].replace("One in three", f"{30 + i % 9}\\% ({{COVID}}-19 era)")
            if i % 5 == 0 and abstract:
                abstract += " Recurrence was associated with prior episodes ($p<0.05$)."
            title = f"{{COVID}}-19: {r['title']}, {i % 50}\\%"
            if i % 2:  # as Web of Science writes fields: in a second pair of braces
                title, abstract = "{" + title + "}", "{" + abstract + "}" if abstract else ""
            out.write(f"@article{{rec{i},\n  author = {{{names}}},\n  title = {{{title}}},\n"
                      f"  journal = {{{r['journal'].replace('&', chr(92) + '&')}}},\n  year = {r['year']},\n"
                      f"  pages = {{{i % 900 + 1}--{i % 900 + 12}}},\n  doi = {{{r['doi']}}},\n"
                      + (f"  abstract = {{{abstract}}},\n" if abstract else "") + "}\n\n")


FILES = {"nbib": (write_nbib, "nbib"), "bibtex": (write_bibtex, "bib"), "bibtex-latex": (write_bibtex_latex, "bib")}


def import_runs(kind: str, n: int, runs: int, folder: Path) -> dict[str, Any]:
    writer, suffix = FILES[kind]
    data = folder / f"{kind}_{n}.{suffix}"
    writer(data, n)
    rows = []
    for run in range(runs):
        root = folder / f"ws_{kind}_{n}_{run}"
        init_workspace(root, title=f"{kind} {n}")
        row = measured(["-w", str(root), "import", str(data)])
        if row["rc"]:
            raise SystemExit(f"{kind} {n}: review import failed: {row['stderr'].strip().splitlines()[-1:]}")
        rows.append(row)
    result: dict[str, Any] = {"format": kind, "records": n, "file_mb": round(data.stat().st_size / 1e6, 1), "runs": runs}
    for key in ("wall_s", "cpu_s", "peak_mb"):
        result[key] = statistics.median(row[key] for row in rows)
        result[key.replace("_s", "") + "_all" if key != "peak_mb" else "peak_all"] = [row[key] for row in rows]
    result["ms_per_record_wall"] = round(1000 * result["wall_s"] / n, 3)
    result["ms_per_record_cpu"] = round(1000 * result["cpu_s"] / n, 3)
    result["path"] = data
    return result


def differing_records(path: Path) -> tuple[int, int]:
    """(records, records differing in any field) between the reader's decoding and bibtexparser's."""
    from bibtexparser.middlewares import LatexDecodingMiddleware

    from review.sources import read_file
    from review.sources.readers import bibtex_latex

    logging.getLogger("pylatexenc").setLevel(logging.ERROR)
    ours = read_file(path).records
    fast = bibtex_latex.FastLatexDecoding
    bibtex_latex.FastLatexDecoding = LatexDecodingMiddleware  # type: ignore[misc]
    try:
        theirs = read_file(path).records
    finally:
        bibtex_latex.FastLatexDecoding = fast  # type: ignore[misc]
    return len(ours), sum(a != b for a, b in zip(ours, theirs)) + abs(len(ours) - len(theirs))


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--sizes", default="5000,50000", help="comma-separated record counts (default 5000,50000)")
    parser.add_argument("--runs", type=int, default=3, help="imports per file; the median is printed (default 3)")
    parser.add_argument("--formats", default=",".join(FILES), help=f"comma-separated (default {','.join(FILES)})")
    parser.add_argument("--check", action="store_true", help="compare the BibTeX records with bibtexparser's decoding")
    args = parser.parse_args()
    results: dict[str, Any] = {"benchmark": "bibtex_import", "load_average_before": round(os.getloadavg()[0], 1),
                               "imports": [], "checks": []}
    with tempfile.TemporaryDirectory(prefix="bibtex_import_") as tmp:
        for n in (int(s) for s in args.sizes.split(",") if s):
            for kind in args.formats.split(","):
                row = import_runs(kind, n, args.runs, Path(tmp))
                path = row.pop("path")
                results["imports"].append(row)
                if args.check and kind != "nbib":
                    records, differing = differing_records(path)
                    results["checks"].append({"format": kind, "records": records, "differing": differing})
    results["load_average_after"] = round(os.getloadavg()[0], 1)
    print(f"load average {results['load_average_before']} before, {results['load_average_after']} after; "
          f"median of {args.runs} run(s)")
    print(f"{'format':>13}{'records':>8}{'MB':>6}{'wall s':>8}{'cpu s':>7}{'peak MB':>8}{'ms/rec':>8}{'x nbib':>7}")
    nbib = {row["records"]: row for row in results["imports"] if row["format"] == "nbib"}
    for row in results["imports"]:
        base = nbib.get(row["records"])
        ratio = f"{row['wall_s'] / base['wall_s']:.2f}" if base else "-"
        row["wall_vs_nbib"] = float(ratio) if base else None
        print(f"{row['format']:>13}{row['records']:>8}{row['file_mb']:>6}{row['wall_s']:>8}{row['cpu_s']:>7}"
              f"{row['peak_mb']:>8}{row['ms_per_record_wall']:>8}{ratio:>7}")
    for check in results["checks"]:
        print(f"check {check['format']}: {check['differing']} of {check['records']} records differ from "
              "bibtexparser's LatexDecodingMiddleware")
    print(json.dumps(results))


if __name__ == "__main__":
    main()
