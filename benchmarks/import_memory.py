"""Peak memory of ``review import`` on N small records (issue #21: 1,000,000 records under 1 GB).

    nice -n 10 python benchmarks/import_memory.py                 # 1,000,000 records, RIS and CSV
    nice -n 10 python benchmarks/import_memory.py --n 200000 --format ris
    nice -n 10 python benchmarks/import_memory.py --n 200000 --format all   # every format, one after another

Writes a synthetic file of N small records (title, two authors, year, journal, DOI) in the
chosen format to a temporary folder, runs ``review import`` in a fresh subprocess and reads
that child's peak resident set size (``ru_maxrss``). Prints a table and one JSON line.
"""

from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
import tempfile
import time
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]


def write_ris(path: Path, n: int) -> None:
    with path.open("w", encoding="utf-8") as out:
        for i in range(n):
            out.write(f"TY  - JOUR\nTI  - Record {i} on sickness absence\nAU  - Jansen, A.\nAU  - Vries, B.\n"
                      f"PY  - {1990 + i % 35}\nT2  - J Occup Rehabil\nDO  - 10.1000/m.{i}\nER  - \n\n")


def write_csv(path: Path, n: int) -> None:
    with path.open("w", encoding="utf-8") as out:
        out.write("record_id,title,authors,year,journal,doi\n")
        for i in range(n):
            out.write(f"{i},Record {i} on sickness absence,\"Jansen, A.; Vries, B.\",{1990 + i % 35},"
                      f"J Occup Rehabil,10.1000/m.{i}\n")


def write_nbib(path: Path, n: int) -> None:
    with path.open("w", encoding="utf-8") as out:
        for i in range(n):
            out.write(f"PMID- {i + 1}\nTI  - Record {i} on sickness absence\nFAU - Jansen, A.\nFAU - Vries, B.\n"
                      f"DP  - {1990 + i % 35}\nJT  - J Occup Rehabil\nLID - 10.1000/m.{i} [doi]\n\n")


def write_pubmed_xml(path: Path, n: int) -> None:
    with path.open("w", encoding="utf-8") as out:
        out.write('<?xml version="1.0" encoding="UTF-8"?>\n<PubmedArticleSet>\n')
        for i in range(n):
            out.write(f"<PubmedArticle><MedlineCitation><PMID>{i + 1}</PMID><Article><Journal><JournalIssue>"
                      f"<PubDate><Year>{1990 + i % 35}</Year></PubDate></JournalIssue><Title>J Occup Rehabil</Title>"
                      f"</Journal><ArticleTitle>Record {i} on sickness absence</ArticleTitle><AuthorList>"
                      "<Author><LastName>Jansen</LastName><ForeName>A.</ForeName></Author>"
                      "<Author><LastName>Vries</LastName><ForeName>B.</ForeName></Author></AuthorList></Article>"
                      "</MedlineCitation><PubmedData><ArticleIdList>"
                      f'<ArticleId IdType="doi">10.1000/m.{i}</ArticleId></ArticleIdList></PubmedData></PubmedArticle>\n')
        out.write("</PubmedArticleSet>\n")


def write_bibtex(path: Path, n: int) -> None:
    with path.open("w", encoding="utf-8") as out:
        for i in range(n):
            out.write(f"@article{{k{i},\n  title = {{Record {i} on sickness absence}},\n"
                      f"  author = {{Jansen, A. and Vries, B.}},\n  year = {{{1990 + i % 35}}},\n"
                      f"  journal = {{J Occup Rehabil}},\n  doi = {{10.1000/m.{i}}}\n}}\n\n")


def write_endnote_xml(path: Path, n: int) -> None:
    with path.open("w", encoding="utf-8") as out:
        out.write('<?xml version="1.0" encoding="UTF-8"?>\n<xml><records>\n')
        for i in range(n):
            out.write(f"<record><rec-number>{i + 1}</rec-number><contributors><authors><author>Jansen, A.</author>"
                      "<author>Vries, B.</author></authors></contributors><titles>"
                      f"<title>Record {i} on sickness absence</title><secondary-title>J Occup Rehabil</secondary-title>"
                      f"</titles><dates><year>{1990 + i % 35}</year></dates>"
                      f"<electronic-resource-num>10.1000/m.{i}</electronic-resource-num></record>\n")
        out.write("</records></xml>\n")


def write_enw(path: Path, n: int) -> None:
    with path.open("w", encoding="utf-8") as out:
        for i in range(n):
            out.write(f"%0 Journal Article\n%T Record {i} on sickness absence\n%A Jansen, A.\n%A Vries, B.\n"
                      f"%D {1990 + i % 35}\n%J J Occup Rehabil\n%R 10.1000/m.{i}\n\n")


def write_wos(path: Path, n: int) -> None:
    with path.open("w", encoding="utf-8") as out:
        out.write("FN Clarivate Analytics Web of Science\nVR 1.0\n")
        for i in range(n):
            out.write(f"PT J\nAU Jansen, A\n   Vries, B\nTI Record {i} on sickness absence\nSO J OCCUP REHABIL\n"
                      f"PY {1990 + i % 35}\nDI 10.1000/m.{i}\nUT WOS:{i:015d}\nER\n\n")
        out.write("EF\n")


#: format -> (file suffix, writer)
WRITERS = {
    "ris": (".ris", write_ris), "csv": (".csv", write_csv), "nbib": (".nbib", write_nbib),
    "pubmed-xml": (".xml", write_pubmed_xml), "bibtex": (".bib", write_bibtex),
    "endnote-xml": (".xml", write_endnote_xml), "enw": (".enw", write_enw), "wos": (".txt", write_wos),
}


def run(fmt: str, n: int, folder: Path) -> dict[str, object]:
    suffix, writer = WRITERS[fmt]
    data = folder / f"m{n}-{fmt}{suffix}"
    writer(data, n)
    workspace = folder / f"ws-{fmt}"
    env = dict(os.environ, PYTHONPATH=str(REPO / "src"))
    subprocess.run([sys.executable, "-c", "from review.cli import main; main()", "init", str(workspace)],
                   check=True, env=env, capture_output=True)
    code = ("import resource, sys; from review.cli import main\n"
            "try:\n    main([*sys.argv[1:]], standalone_mode=False)\n"
            "finally:\n    print('RSS_KB', resource.getrusage(resource.RUSAGE_SELF).ru_maxrss, file=sys.stderr)\n")
    started = time.perf_counter()
    result = subprocess.run([sys.executable, "-c", code, "-w", str(workspace), "import", str(data)],
                            env=env, capture_output=True, text=True)
    seconds = time.perf_counter() - started
    rss_kb = next((int(line.split()[1]) for line in result.stderr.splitlines() if line.startswith("RSS_KB")), -1)
    row = {"format": fmt, "records": n, "file_mb": round(data.stat().st_size / 1e6, 1),
           "peak_rss_mb": round(rss_kb / 1024, 1), "seconds": round(seconds, 1),
           "exit": result.returncode, "stderr_tail": result.stderr.strip().splitlines()[-2:]}
    data.unlink()  # one large file on disk at a time
    return row


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--n", type=int, default=1_000_000)
    parser.add_argument("--format", choices=[*WRITERS, "both", "all"], default="both",
                        help="both: ris and csv; all: every format")
    args = parser.parse_args()
    formats = {"both": ["ris", "csv"], "all": list(WRITERS)}.get(args.format, [args.format])
    rows = []
    with tempfile.TemporaryDirectory(prefix="import-memory-") as tmp:
        for fmt in formats:
            rows.append(run(fmt, args.n, Path(tmp)))
    print(f"{'format':<12}{'records':>10}{'file MB':>9}{'peak RSS MB':>13}{'seconds':>9}{'exit':>6}")
    for row in rows:
        print(f"{row['format']:<12}{row['records']:>10,}{row['file_mb']:>9}{row['peak_rss_mb']:>13}"
              f"{row['seconds']:>9}{row['exit']:>6}")
    print(json.dumps({"benchmark": "import_memory", "limit_mb": 1024, "rows": rows}))


if __name__ == "__main__":
    main()
